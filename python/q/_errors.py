"""The exceptions q raises: every one is a q.Error.

The native modules (_runtime, _compiler) raise these classes by name, with
the messages q's command-line tools print.
"""


class Error(Exception):
    """Base class of every error q raises."""


class CompileError(Error):
    """Importing, compiling or linking a model failed (q-compile's errors)."""


class CalibrationError(Error):
    """Calibration failed or a calibration table is malformed."""


class LoadError(Error):
    """A compiled model could not be loaded."""


class InputError(Error, ValueError):
    """Inputs that do not fit the model: name, shape, dtype, count."""


class RunError(Error):
    """The runtime failed while running a model."""


class ClosedError(Error):
    """The model was closed."""
