"""Progress of q.compile / q.calibrate: a tqdm bar (terminal or notebook)
when python3-tqdm is installed, a plain line otherwise, nothing when off.

The native side calls progress(step, done, total): total == 0 announces a
step ("import", "calibrate", "graph passes", "lowering", "codegen"), and
the calibration batches come as ("calibrate", done, total).
"""

import sys
import time


def _interactive():
    if getattr(sys.stderr, "isatty", lambda: False)():
        return True
    try:  # a Jupyter kernel
        return "ipykernel" in sys.modules and get_ipython() is not None  # noqa: F821
    except NameError:
        return False


class Progress:
    def __init__(self, what, enabled=None):
        self.what = what
        self.enabled = _interactive() if enabled is None else bool(enabled)
        self.bar = None
        self.step = None
        self.started = time.monotonic()
        try:
            from tqdm.auto import tqdm
            self._tqdm = tqdm
        except ImportError:
            self._tqdm = None

    def __call__(self, step, done, total):
        if not self.enabled:
            return
        if total == 0:
            if step != self.step:
                self._close_bar()
                self.step = step
                self._line(f"{self.what}: {step}")
            return
        if self._tqdm is not None:
            if self.bar is None:
                self.bar = self._tqdm(total=total, desc=f"{self.what}: {step}",
                                      unit="batch", leave=False)
            self.bar.update(done - self.bar.n)
        else:
            end = "\n" if done == total else ""
            print(f"\r{self.what}: {step} batch {done}/{total}", end=end,
                  file=sys.stderr, flush=True)

    def _line(self, text):
        if self._tqdm is not None:
            self._tqdm.write(text, file=sys.stderr)
        else:
            print(text, file=sys.stderr, flush=True)

    def _close_bar(self):
        if self.bar is not None:
            self.bar.close()
            self.bar = None

    def done(self, summary=None):
        self._close_bar()
        if self.enabled and summary:
            elapsed = time.monotonic() - self.started
            self._line(f"{self.what}: {summary} in {elapsed:.1f} s")
