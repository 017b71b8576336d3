"""q.report and q.import_mxnet: the per-layer int8-vs-fp32 report and the
graph drawings, as objects a notebook shows.

Both drive q's tools (q-report, q-translate, q-opt; found next to the
package in a build tree, in $Q_BIN_DIR, or on PATH) and Graphviz's `dot`:
  - q.report(...) -> Report: .text (q-report's Markdown), _repr_markdown_
    and _repr_html_ for notebooks, save(path);
  - q.import_mxnet(...) -> Graph: .mlir (the imported module), .dot,
    _repr_svg_ (dot -Tsvg), .fused() and .int8(table) for the graph after
    q-fuse and after the int8 pipeline.
Python calibration/evaluation arrays are written to a temporary folder as
.npy files for q-report (the compile and calibrate paths never do that).
"""

import html
import os
import re
import shutil
import subprocess
import tempfile

import numpy as np

from ._errors import CompileError, Error


def _tool(name):
    here = os.path.dirname(os.path.abspath(__file__))
    candidates = []
    if os.environ.get("Q_BIN_DIR"):
        candidates.append(os.path.join(os.environ["Q_BIN_DIR"], name))
    candidates.append(os.path.join(here, "..", "..", "bin", name))
    candidates.append(os.path.join(here, "bin", name))
    for path in candidates:
        if os.access(path, os.X_OK):
            return os.path.normpath(path)
    found = shutil.which(name)
    if not found:
        raise Error(f"{name} not found (set Q_BIN_DIR to the folder of q's "
                    f"tools, e.g. build/bin)")
    return found


def _run(command, what, stdin=None):
    proc = subprocess.run(command, input=stdin, capture_output=True)
    if proc.returncode != 0:
        message = proc.stderr.decode(errors="replace").strip()
        raise CompileError(message or f"{what} failed ({proc.returncode})")
    return proc.stdout.decode(errors="replace")


def _shape_flags(flag, inputs):
    return [f"{flag}={name}:{','.join(str(int(d)) for d in shape)}"
            for name, shape in (inputs or {}).items()]


# -- graphs --------------------------------------------------------------------

class Graph:
    """A q module (MLIR text) with its Graphviz drawing."""

    def __init__(self, mlir, title=""):
        self.mlir = mlir
        self.title = title
        self._dot = None

    @property
    def dot(self):
        """The DOT text (q-translate --export-dot)."""
        if self._dot is None:
            self._dot = _run([_tool("q-translate"), "--export-dot"],
                             "q-translate --export-dot",
                             stdin=self.mlir.encode())
        return self._dot

    def svg(self):
        dot = shutil.which("dot")
        if not dot:
            raise Error("Graphviz's dot not found (scripts/setup.sh installs "
                        "graphviz)")
        return _run([dot, "-Tsvg"], "dot -Tsvg", stdin=self.dot.encode())

    def _repr_svg_(self):
        return self.svg()

    def _pipeline(self, passes, title):
        return Graph(_run([_tool("q-opt"), passes], f"q-opt {passes}",
                          stdin=self.mlir.encode()), title)

    def fused(self):
        """The graph after q-fuse (conv+bn+sum+act, fc+act)."""
        return self._pipeline("--q-fuse", "fused")

    def int8(self, calibration=None):
        """The graph after the int8 pipeline, with the ranges of
        `calibration` (a q.CalibrationTable or a table path) or run-time
        ranges without one."""
        if calibration is None:
            return self._pipeline("--q-int8-pipeline", "int8")
        with tempfile.TemporaryDirectory(prefix="q-graph-") as tmp:
            path = calibration
            if not isinstance(calibration, (str, os.PathLike)):
                path = calibration.save(os.path.join(tmp, "calib.json"))
            return self._pipeline(f"--q-int8-pipeline=calib={os.fspath(path)}",
                                  "int8")

    def save(self, path):
        """Writes the module (.mlir), the DOT text (.dot) or an SVG (.svg)."""
        path = os.fspath(path)
        text = (self.svg() if path.endswith(".svg") else
                self.dot if path.endswith(".dot") else self.mlir)
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
        return path

    def __repr__(self):
        ops = len(re.findall(r"= q\.\w+", self.mlir))
        return f"<q.Graph {self.title or 'module'}: {ops} q ops>"


def import_mxnet(symbol, params=None, *, inputs={"data": (1, 3, 224, 224)}):
    """Imports an MXNet model (q-translate --import-mxnet) as a q.Graph."""
    # The weights stay in the module: q-fuse folds batch norms into them.
    command = [_tool("q-translate"), "--import-mxnet", os.fspath(symbol)]
    if params is not None:
        command.append(f"--mxnet-params={os.fspath(params)}")
    command += _shape_flags("--mxnet-input-shape", inputs)
    return Graph(_run(command, "q-translate --import-mxnet"), "imported")


# -- report --------------------------------------------------------------------

def _markdown_html(text):
    """A small Markdown to HTML rendering (headings, tables, paragraphs,
    code blocks) of q-report's output, for notebooks without a Markdown
    renderer."""
    out, table, code = [], [], False

    def flush_table():
        if not table:
            return
        rows = [r for r in table if not re.fullmatch(r"\|[\s:|-]+\|", r)]
        out.append("<table>")
        for i, row in enumerate(rows):
            cells = [html.escape(c.strip()) for c in row.strip("|").split("|")]
            tag = "th" if i == 0 else "td"
            out.append("<tr>" + "".join(f"<{tag}>{c}</{tag}>" for c in cells) +
                       "</tr>")
        out.append("</table>")
        table.clear()

    for line in text.splitlines():
        if line.startswith("```"):
            flush_table()
            out.append("</pre>" if code else "<pre>")
            code = not code
        elif code:
            out.append(html.escape(line))
        elif line.startswith("|"):
            table.append(line)
        else:
            flush_table()
            m = re.match(r"(#+)\s+(.*)", line)
            if m:
                level = min(len(m.group(1)), 6)
                out.append(f"<h{level}>{html.escape(m.group(2))}</h{level}>")
            elif line.strip():
                out.append(f"<p>{html.escape(line)}</p>")
    flush_table()
    return "\n".join(out)


class Report:
    """q-report's per-layer int8-vs-fp32 report."""

    def __init__(self, text):
        self.text = text

    def __str__(self):
        return self.text

    def __repr__(self):
        first = self.text.splitlines()[0] if self.text else ""
        return f"<q.Report {first}>"

    def _repr_markdown_(self):
        return self.text

    def _repr_html_(self):
        return _markdown_html(self.text)

    def save(self, path):
        with open(os.fspath(path), "w", encoding="utf-8") as f:
            f.write(self.text)
        return path


def _data_flag(flag, value, tmp, name):
    """A --calib-data / --data value: paths as they are, arrays (or an
    iterable of them) stacked into one .npy file."""
    if value is None:
        return []
    if isinstance(value, (str, os.PathLike)):
        return [f"{flag}={os.fspath(value)}"]
    if not isinstance(value, np.ndarray):
        value = np.concatenate([np.asarray(v[0] if isinstance(v, tuple) else v)
                                for v in value])
    path = os.path.join(tmp, name)
    np.save(path, np.ascontiguousarray(value))
    return [f"{flag}={path}"]


def report(symbol, params=None, *, inputs={"data": (1, 3, 224, 224)},
           calibration, data=None, labels=None, dtype="auto",
           calib_mode="entropy", calib_batches=None, calib_batch_size=None,
           batches=None, exclude=(), backend="onednn", output=None,
           compare_modes=True, worst=3, num_threads=0):
    """Runs q-report: calibrates, compiles fp32 and int8, runs both on `data`
    (default: the calibration data) and compares them layer by layer.
    `calibration`, `data`: paths or arrays (or iterables of arrays);
    `labels`: a path or an array of class ids (top-1 accuracy);
    compare_modes: also try naive/percentile/entropy; worst: layers tried
    in fp32."""
    with tempfile.TemporaryDirectory(prefix="q-report-") as tmp:
        out = os.path.join(tmp, "report.md")
        command = [_tool("q-report"), os.fspath(symbol), "-o", out,
                   f"--dtype={dtype}", f"--calib-mode={calib_mode}",
                   f"--backend={backend}", f"--worst={int(worst)}",
                   f"--num-threads={int(num_threads)}",
                   f"--compare-modes={'true' if compare_modes else 'false'}"]
        if params is not None:
            command.append(f"--params={os.fspath(params)}")
        command += _shape_flags("--input-shape", inputs)
        command += _data_flag("--calib-data", calibration, tmp, "calib.npy")
        command += _data_flag("--data", data, tmp, "data.npy")
        if labels is not None:
            if isinstance(labels, (str, os.PathLike)):
                command.append(f"--labels={os.fspath(labels)}")
            else:
                path = os.path.join(tmp, "labels.npy")
                np.save(path, np.asarray(labels).astype(np.int32))
                command.append(f"--labels={path}")
        if calib_batches:
            command.append(f"--calib-batches={int(calib_batches)}")
        if calib_batch_size:
            command.append(f"--calib-batch-size={int(calib_batch_size)}")
        if batches:
            command.append(f"--batches={int(batches)}")
        if exclude:
            command.append("--exclude=" + ",".join(exclude))
        if output is not None:
            command.append(f"--output={output}")
        _run(command, "q-report")
        with open(out, encoding="utf-8") as f:
            return Report(f.read())
