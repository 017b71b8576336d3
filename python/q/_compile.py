"""q.compile, q.calibrate and q.CalibrationTable: q-compile and q-calibrate
in process (q._compiler over lib/Driver), with calibration data from any
Python iterable.

Calibration data (`calibration=`) may be
  - an iterable (a generator, a list, a data loader) of numpy arrays, each
    one batch (or one sample) of the model's only input, or of dicts
    input name -> array, or of (data, label) pairs (the label is ignored);
    the calibration batch is the first item's batch, so 10 batches of 100
    calibrate as `q-compile --calib-batches=10 --calib-batch-size=100`;
  - one numpy array (samples along axis 0) or one dict name -> array, as a
    .npy file given to --calib-data is (batches of min(32, samples));
  - a path or a list of paths: .npy files, IDX files, image folders, as
    --calib-data takes them; a .json path is a calibration table;
  - a q.CalibrationTable.
The items are held in memory (copied to the calibrator), never written to
disk.
"""

import json
import math
import os
import tempfile
import warnings

import numpy as np

from . import _compiler
from ._errors import CalibrationError, CompileError, InputError
from ._model import Model
from ._progress import Progress

_DTYPES = ("float32", "int8", "uint8", "auto")
_MODES = ("naive", "entropy", "percentile")


def version():
    """q's version (as `q-compile --version` prints it)."""
    return _compiler.version()


# -- calibration tables ------------------------------------------------------

def _format_double(value):
    """The shortest %g text that reads back to `value` (lib/Calibration's
    formatDouble), so that tables save byte for byte as q-calibrate's."""
    for digits in range(6, 18):
        text = "%.*g" % (digits, value)
        if float(text) == value:
            return text
    return "%.17g" % value


class CalibrationTable:
    """The ranges of the calibrated tensors: a dict-like name -> (min, max),
    with the JSON file format of q-calibrate (docs/CALIBRATION.md).

        table = q.calibrate(...)
        table["conv0_output"]               # (min, max)
        table["conv0_output"] = (0.0, 4.5)  # edit (method becomes "manual")
        table.save("calib.json")            # read by q-compile --calib-table
    """

    def __init__(self, ranges=None, *, mode="", dtype=""):
        self.mode = mode
        self.dtype = dtype
        self._entries = {}
        for name, value in (ranges or {}).items():
            self[name] = value

    @classmethod
    def from_json(cls, text, name="<table>"):
        """Parses (and checks, as q-compile does) a table's JSON text."""
        _compiler.normalize_table(text, name)  # checks it as q-compile does
        try:
            doc = json.loads(text)  # keeps the order of the entries
        except ValueError as e:  # pragma: no cover - checked above
            raise CalibrationError(f"{name}: not valid JSON: {e}") from None
        table = cls(mode=doc.get("mode", ""), dtype=doc.get("dtype", ""))
        table._entries = {k: dict(v) for k, v in doc["tensors"].items()}
        return table

    @classmethod
    def load(cls, path):
        path = os.fspath(path)
        try:
            with open(path, encoding="utf-8") as f:
                text = f.read()
        except OSError as e:
            raise CalibrationError(f"{path}: cannot read: {e.strerror}") from None
        return cls.from_json(text, path)

    def to_json(self):
        """The JSON text q-calibrate writes for this table."""
        def quoted(s):
            return json.dumps(s, ensure_ascii=False)
        lines = ["{", '  "format": "q-calibration-table",', '  "version": 1,',
                 f'  "mode": {quoted(self.mode)},',
                 f'  "dtype": {quoted(self.dtype)},']
        if not self._entries:
            return "\n".join(lines) + '\n  "tensors": {}\n}\n'
        rows = []
        for name, e in self._entries.items():
            row = (f'    {quoted(name)}: {{"min": {_format_double(e["min"])}, '
                   f'"max": {_format_double(e["max"])}')
            # The fields in the order of lib/Calibration/Table.cpp's writer.
            for key in ("observed_min", "observed_max", "negative_fraction"):
                if key in e:
                    row += f', "{key}": {_format_double(e[key])}'
            if e.get("method"):
                row += f', "method": {quoted(e["method"])}'
            if e.get("channel_min"):
                for key in ("channel_min", "channel_max"):
                    values = ", ".join(_format_double(v) for v in e[key])
                    row += f', "{key}": [{values}]'
            rows.append(row + "}")
        return ("\n".join(lines) + '\n  "tensors": {\n' + ",\n".join(rows) +
                "\n  }\n}\n")

    def save(self, path):
        """Writes the table (atomically) as q-calibrate does."""
        path = os.fspath(path)
        text = self.to_json()
        _compiler.normalize_table(text, path)  # checks it reads back
        tmp = path + ".tmp"
        with open(tmp, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(tmp, path)
        return path

    def entry(self, name):
        """Every field of `name`'s entry (min, max, observed_min/max,
        method), as a dict copy."""
        return dict(self._entries[name])

    def __getitem__(self, name):
        e = self._entries[name]
        return (e["min"], e["max"])

    def __setitem__(self, name, value):
        try:
            lo, hi = (float(v) for v in value)
        except (TypeError, ValueError):
            raise CalibrationError(
                f"tensor '{name}': a range is a pair (min, max)") from None
        if not (math.isfinite(lo) and math.isfinite(hi)) or lo > hi:
            raise CalibrationError(
                f"tensor '{name}': min {lo} and max {hi} must be finite "
                f"with min <= max")
        entry = dict(self._entries.get(name, {}))
        entry.update(min=lo, max=hi, method="manual")
        self._entries[name] = entry

    def __delitem__(self, name):
        del self._entries[name]

    def __contains__(self, name):
        return name in self._entries

    def __iter__(self):
        return iter(self._entries)

    def __len__(self):
        return len(self._entries)

    def keys(self):
        return self._entries.keys()

    def items(self):
        return [(k, self[k]) for k in self._entries]

    def values(self):
        return [self[k] for k in self._entries]

    def __eq__(self, other):
        return (isinstance(other, CalibrationTable) and
                self.to_json() == other.to_json())

    def __repr__(self):
        return (f"<q.CalibrationTable {len(self)} tensors, mode "
                f"{self.mode or '?'}, dtype {self.dtype or '?'}>")


# -- options -----------------------------------------------------------------

def _array(value, where):
    a = np.asarray(value)
    if a.dtype.name not in ("float32", "int8", "uint8", "int32"):
        hint = " (convert with x.astype(np.float32))" if a.dtype.kind == "f" else ""
        raise CalibrationError(f"{where}: holds {a.dtype}; inputs take float32, "
                               f"int8, uint8 or int32{hint}")
    return np.ascontiguousarray(a)


def _item(value, index):
    """One calibration item: an array, a dict name -> array, or a (data,
    label) pair."""
    where = f"calibration item {index}"
    if isinstance(value, tuple) and value:
        value = value[0]
    if isinstance(value, dict):
        return {str(k): _array(v, f"{where} '{k}'") for k, v in value.items()}
    return _array(value, where)


def _is_path(value):
    return isinstance(value, (str, bytes, os.PathLike))


def _calibration_options(calibration, options, batch_size):
    """Puts `calibration` (see the module doc) and the calibration batch
    (given, else an iterable's first item's, else min(32, samples)) into the
    native options."""
    options["calib_batch_size"] = int(batch_size or 0)
    if calibration is None:
        return
    if isinstance(calibration, CalibrationTable):
        options["calib_table"] = calibration.to_json()
    elif _is_path(calibration):
        path = os.fsdecode(calibration)
        if path.endswith(".json"):
            options["calib_table"] = CalibrationTable.load(path).to_json()
        else:
            options["calib_paths"] = [path]
    elif isinstance(calibration, (np.ndarray, dict)):
        options["calib_items"] = [_item(calibration, 0)]
    elif (isinstance(calibration, (list, tuple)) and calibration and
          all(_is_path(p) for p in calibration)):
        options["calib_paths"] = [os.fsdecode(p) for p in calibration]
    else:
        try:
            iterator = iter(calibration)
        except TypeError:
            raise CalibrationError(
                "calibration must be an iterable of arrays (or of dicts name "
                "-> array), an array, a path or a q.CalibrationTable; got "
                f"{type(calibration).__name__}") from None
        items = [_item(v, i) for i, v in enumerate(iterator)]
        if not items:
            raise CalibrationError("the calibration data is empty")
        options["calib_items"] = items
        options["batch_from_items"] = not batch_size


def _common_options(symbol, params, inputs, dtype, calib_mode, exclude,
                    random_params, num_threads, percentile):
    if dtype not in _DTYPES:
        raise CompileError(f"dtype={dtype!r} is not valid; expected "
                           f"{', '.join(_DTYPES)}")
    if calib_mode not in _MODES:
        raise CompileError(f"calib_mode={calib_mode!r} is not valid; "
                           f"expected {', '.join(_MODES)}")
    if isinstance(exclude, str):
        exclude = [exclude]
    shapes = []
    for name, shape in (inputs or {}).items():
        try:
            dims = [int(d) for d in shape]
        except (TypeError, ValueError):
            raise InputError(f"inputs['{name}']: a shape is a tuple of "
                             f"ints, got {shape!r}") from None
        if not dims or any(d <= 0 for d in dims):
            raise InputError(f"inputs['{name}']: every dim must be "
                             f"positive, got {tuple(dims)}")
        shapes.append(f"{name}:{','.join(str(d) for d in dims)}")
    return {
        "symbol": os.fsdecode(symbol),
        "params": os.fsdecode(params) if params is not None else None,
        "random_params": random_params,
        "input_shapes": shapes,
        "dtype": dtype,
        "calib_mode": calib_mode,
        "percentile": float(percentile),
        "exclude": [str(e) for e in exclude],
        "num_threads": int(num_threads),
    }


def _warn(result):
    for text in result.get("warnings", []):
        warnings.warn(text, stacklevel=3)


# -- compile / calibrate -----------------------------------------------------

def compile(symbol, params=None, *, inputs={"data": (1, 3, 224, 224)},
            dtype="auto", calibration=None, calib_mode="entropy", exclude=(),
            backend="auto", output=None, calib_batch_size=None,
            calib_batches=None, percentile=99.99, isa="auto",
            plan_layouts=True, num_threads=0, random_params=None,
            progress=None):
    """Compiles an MXNet model (symbol JSON + .params, or a q module .mlir)
    into a shared library and loads it: q-compile in one call.

    dtype: "float32", or "int8" / "uint8" / "auto" (int8 arithmetic;
    auto: uint8 where a calibrated range is non-negative). calibration:
    see the module doc; without it int8 ranges are found at run time.
    backend: "onednn", "loops" (kernels q generates) or "auto" (int8: each
    conv/fc timed both ways, the faster kept; float32: onednn).
    output: where the library goes (default: a temporary file that lives as
    long as the model; model.save(path) keeps a copy). progress: a bar or
    line on a terminal or notebook (None: when interactive).
    """
    options = _common_options(symbol, params, inputs, dtype, calib_mode,
                              exclude, random_params, num_threads, percentile)
    if backend not in ("auto", "onednn", "loops"):
        raise CompileError(f"backend={backend!r}: expected onednn, loops or "
                           f"auto")
    if dtype == "float32":
        if backend == "loops":
            raise CompileError("backend='loops' needs an int8 dtype (int8, "
                               "uint8 or auto)")
        backend = "onednn"
    _calibration_options(calibration, options, calib_batch_size)
    options.update(backend=backend, isa=isa, plan_layouts=bool(plan_layouts),
                   calib_batches=int(calib_batches or 0))
    cleanup = None
    if output is None:
        cleanup = tempfile.mkdtemp(prefix="q-model-")
        stem = os.path.basename(options["symbol"]).split("-symbol")[0]
        stem = os.path.splitext(stem)[0] or "model"
        output = os.path.join(cleanup, f"lib{stem}.so")
    options["output"] = os.path.abspath(os.fspath(output))
    options["model_name"] = None
    bar = Progress("q.compile", progress)
    try:
        result = _compiler.compile(options, bar)
    except BaseException:
        bar.done()
        if cleanup:
            import shutil
            shutil.rmtree(cleanup, ignore_errors=True)
        raise
    bar.done(result["summary"])
    _warn(result)
    model = Model(result["output"], num_threads=num_threads, _cleanup=cleanup)
    if result["table"]:
        model.calibration_table = CalibrationTable.from_json(result["table"])
    model.backend_report = result["backend_report"]
    return model


def calibrate(symbol, params=None, *, inputs={"data": (1, 3, 224, 224)},
              calibration, dtype="auto", calib_mode="entropy", exclude=(),
              calib_batch_size=None, calib_batches=None, percentile=99.99,
              num_threads=0, random_params=None, progress=None):
    """Calibrates a model on data (q-calibrate in one call) and returns its
    q.CalibrationTable; `q.compile(..., calibration=table)` uses it."""
    options = _common_options(symbol, params, inputs, dtype, calib_mode,
                              exclude, random_params, num_threads, percentile)
    if dtype == "float32":
        raise CalibrationError("calibration is for an int8 dtype (int8, "
                               "uint8 or auto)")
    if isinstance(calibration, CalibrationTable) or (
            _is_path(calibration) and os.fsdecode(calibration).endswith(".json")):
        raise CalibrationError("calibration= must be data here, not a table")
    _calibration_options(calibration, options, calib_batch_size)
    options["calib_batches"] = int(calib_batches or 0)
    bar = Progress("q.calibrate", progress)
    try:
        result = _compiler.calibrate(options, bar)
    finally:
        bar.done()
    _warn(result)
    table = CalibrationTable.from_json(result["table"])
    table.summary = result["summary"]
    return table
