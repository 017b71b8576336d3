"""q.Model: a compiled model (the shared library q-compile writes), run on
numpy arrays.

    model = q.load("libfmnist.so")
    scores = model(images)              # the only input, any batch
    scores = model(data=images)         # by name
    outs = model.run({"data": images})  # dict name -> array of every output

Inputs of any batch are split into the compiled batch (the last part padded
with zeros) and the outputs joined again. Runs release the GIL, so several
Python threads can run one model at once. Only numpy and q._runtime (no
LLVM) are needed: q.runtime re-exports this module.
"""

import os
import shutil
import tempfile
from collections import namedtuple

import numpy as np

from . import _runtime
from ._errors import ClosedError, InputError, LoadError

TensorSpec = namedtuple("TensorSpec", "name shape dtype layout")
TensorSpec.__doc__ = "An input or output of a model: name, shape, dtype, layout."

# The keys q_model_info answers (include/q/model.h).
INFO_KEYS = ("q_version", "dtype", "backend", "loops_layers", "onednn_layers",
             "kernel_isas", "isa", "onednn_isa")


def _spec(d):
    return TensorSpec(d["name"], tuple(d["shape"]), np.dtype(d["dtype"]),
                      d["layout"])


class Model:
    """A loaded model. Use q.load(path) or q.compile(...) to get one."""

    def __init__(self, path, *, num_threads=0, params=None, _cleanup=None):
        path = os.fspath(path)
        self._path = os.path.abspath(path)
        self._cleanup = _cleanup
        self.calibration_table = None
        self.backend_report = ""
        if not os.path.isfile(self._path):
            raise LoadError(f"{path}: no such file")
        # dlopen returns the library already loaded under a name: open it
        # through a fresh link, so a library rewritten at the same path (a
        # second q.compile(output=...)) is loaded anew.
        linkdir = tempfile.mkdtemp(prefix="q-load-")
        link = os.path.join(linkdir, os.path.basename(self._path))
        try:
            os.symlink(self._path, link)
            try:
                self._native = _runtime.Model(link, int(num_threads),
                                              os.fspath(params) if params else "")
            except LoadError as e:
                raise LoadError(str(e).replace(link, path)) from None
        finally:
            shutil.rmtree(linkdir, ignore_errors=True)
        self.inputs = tuple(_spec(d) for d in self._native.inputs())
        self.outputs = tuple(_spec(d) for d in self._native.outputs())
        self._input_index = {t.name: i for i, t in enumerate(self.inputs)}

    # -- description ---------------------------------------------------------

    @property
    def path(self):
        """The library this model was loaded from."""
        return self._path

    @property
    def name(self):
        return self._native.name

    @property
    def batch_size(self):
        """The batch the model was compiled for (the inputs' first dim)."""
        shape = self.inputs[0].shape if self.inputs else ()
        return shape[0] if shape else 1

    @property
    def closed(self):
        return self._native.closed

    @property
    def info(self):
        """How the model was compiled and what it picked at load
        (q_model_info: dtype, backend, isa, ...)."""
        self._check_open()
        return {key: self._native.info(key) for key in INFO_KEYS}

    def __repr__(self):
        def side(specs):
            return ", ".join(f"{t.name} {t.shape} {t.dtype}" for t in specs)
        state = " closed" if self.closed else ""
        return (f"<q.Model {os.path.basename(self._path)}{state}: "
                f"{side(self.inputs)} -> {side(self.outputs)}>")

    # -- lifetime ------------------------------------------------------------

    def close(self):
        """Frees the model (after the runs in flight). Idempotent."""
        self._native.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __del__(self):
        cleanup = getattr(self, "_cleanup", None)
        if cleanup:
            shutil.rmtree(cleanup, ignore_errors=True)

    def save(self, path):
        """Copies the library to `path` (q.load(path) loads it again)."""
        path = os.fspath(path)
        tmp = path + ".tmp"
        shutil.copyfile(self._path, tmp)
        os.replace(tmp, path)
        return path

    # -- running -------------------------------------------------------------

    def __call__(self, *args, **kwargs):
        """model(x), model(x1, x2) in input order, or model(name=x).
        Returns the output array, or a tuple of them for several outputs."""
        if args and kwargs:
            raise InputError("give the inputs either in order or by name, "
                             "not both")
        if args:
            if len(args) != len(self.inputs):
                raise InputError(
                    f"the model takes {len(self.inputs)} inputs "
                    f"({self._names(self.inputs)}), got {len(args)}")
            feed = {t.name: a for t, a in zip(self.inputs, args)}
        else:
            feed = kwargs
        outs = self.run(feed)
        values = tuple(outs[t.name] for t in self.outputs)
        return values[0] if len(values) == 1 else values

    def run(self, feed):
        """Runs on `feed` (dict input name -> array of any batch); returns a
        dict output name -> array."""
        self._check_open()
        if not isinstance(feed, dict):
            raise InputError("run() takes a dict input name -> array")
        for name in feed:
            if name not in self._input_index:
                raise InputError(f"the model has no input '{name}' "
                                 f"(inputs: {self._names(self.inputs)})")
        arrays = []
        for t in self.inputs:
            if t.name not in feed:
                raise InputError(f"no value for input '{t.name}' "
                                 f"(inputs: {self._names(self.inputs)})")
            arrays.append(self._check_input(t, feed[t.name]))
        batch = arrays[0].shape[0] if arrays[0].ndim else 1
        for t, a in zip(self.inputs, arrays):
            if a.shape[0] != batch:
                raise InputError(
                    f"input '{t.name}' has batch {a.shape[0]}, input "
                    f"'{self.inputs[0].name}' batch {batch}")
        return self._run_batched(arrays, batch)

    def _check_open(self):
        if self.closed:
            raise ClosedError(f"{self._path}: the model is closed")

    @staticmethod
    def _names(specs):
        return ", ".join(f"'{t.name}'" for t in specs)

    def _check_input(self, t, value):
        a = np.asarray(value)
        if a.dtype != t.dtype:
            raise InputError(
                f"input '{t.name}' takes {t.dtype}, got {a.dtype} "
                f"(convert with x.astype(np.{t.dtype}))")
        want = t.shape
        if a.ndim != len(want) or (len(want) and a.shape[1:] != want[1:]):
            example = ("N",) + tuple(want[1:])
            raise InputError(
                f"input '{t.name}' takes shape "
                f"({', '.join(str(d) for d in example)}) "
                f"(compiled batch {want[0] if want else 1}), got {a.shape}")
        if len(want) and a.shape[0] == 0:
            raise InputError(f"input '{t.name}' is empty (batch 0)")
        return np.ascontiguousarray(a)

    def _run_batched(self, arrays, batch):
        compiled = self.batch_size
        if batch != compiled:
            for t in self.outputs:
                if not t.shape or t.shape[0] != compiled:
                    raise InputError(
                        f"output '{t.name}' (shape {t.shape}) is not split "
                        f"by sample: feed exactly the compiled batch "
                        f"{compiled}, got {batch}")
        parts = -(-batch // compiled)
        outs = [np.empty((parts * compiled,) + tuple(t.shape[1:]), t.dtype)
                if batch != compiled else np.empty(t.shape, t.dtype)
                for t in self.outputs]
        for p in range(parts):
            lo, hi = p * compiled, min((p + 1) * compiled, batch)
            ins = []
            for a in arrays:
                part = a[lo:hi]
                if hi - lo < compiled:  # the last part, padded with zeros
                    padded = np.zeros((compiled,) + a.shape[1:], a.dtype)
                    padded[:hi - lo] = part
                    part = padded
                ins.append(part)
            self._native.run(ins, [o[p * compiled:(p + 1) * compiled]
                                   for o in outs])
        return {t.name: (o[:batch] if batch != compiled else o)
                for t, o in zip(self.outputs, outs)}


def load(path, *, num_threads=0, params=None):
    """Loads a library that q-compile or q.compile wrote. `params`: an
    MXNet .params file to take the weights from (libraries compiled with
    external weights)."""
    return Model(path, num_threads=num_threads, params=params)
