"""q.runtime: load and run compiled models, nothing else.

Needs only numpy and the q._runtime extension (no LLVM/MLIR), so it works
from an install that has only the runtime:

    import q.runtime
    model = q.runtime.load("libmodel.so")
    out = model(x)
"""

from ._errors import ClosedError, Error, InputError, LoadError, RunError
from ._model import Model, TensorSpec, load

__all__ = ["Model", "TensorSpec", "load", "Error", "InputError", "LoadError",
           "RunError", "ClosedError"]
