"""q: compile MXNet models to int8/fp32 CPU libraries, calibrate them on
any Python iterable and run them on numpy arrays (docs/PYTHON.md).

    import q
    model = q.compile("fmnist-resnet-symbol.json", "fmnist-resnet-0000.params",
                      inputs={"data": (100, 1, 28, 28)}, dtype="auto",
                      calibration=batches())      # any iterable of arrays
    scores = model(images)

q.runtime holds the part that runs compiled models without the compiler.
"""

from ._errors import (CalibrationError, ClosedError, CompileError, Error,
                      InputError, LoadError, RunError)
from ._model import Model, TensorSpec, load

__all__ = ["compile", "calibrate", "load", "report", "import_mxnet", "Model",
           "TensorSpec", "CalibrationTable", "Error", "CompileError",
           "CalibrationError", "LoadError", "InputError", "RunError",
           "ClosedError"]

try:
    from ._compile import CalibrationTable, calibrate, compile, version
    from ._report import Graph, Report, import_mxnet, report
except ImportError as _error:  # a runtime-only install
    _missing = str(_error)

    def _unavailable(*args, **kwargs):
        raise Error("q's compiler is not installed here (only the runtime: "
                    f"{_missing}); q.load and q.runtime work")

    compile = calibrate = report = import_mxnet = version = _unavailable
    CalibrationTable = Report = Graph = None
