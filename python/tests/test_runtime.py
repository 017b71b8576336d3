"""q.Model: numpy in and out, batches of any size, names, errors, threads,
save/load, and q.runtime without the compiler."""

import os
import subprocess
import sys
import threading
import time

import numpy as np
import pytest

import q


def images(n, seed=0):
    return np.random.default_rng(seed).random((n, 1, 28, 28), np.float32)


def test_inputs_outputs(small_model):
    (inp,) = small_model.inputs
    assert inp.name == "data" and inp.shape == (4, 1, 28, 28)
    assert inp.dtype == np.float32 and inp.layout == "nchw"
    (out,) = small_model.outputs
    assert out.shape == (4, 10) and out.dtype == np.float32
    assert small_model.batch_size == 4
    assert small_model.info["dtype"] == "float32"
    assert "data (4, 1, 28, 28) float32" in repr(small_model)


def test_call_forms_agree(small_model):
    x = images(4)
    a = small_model(x)
    b = small_model(data=x)
    c = small_model.run({"data": x})
    assert a.shape == (4, 10)
    assert np.array_equal(a, b)
    assert list(c) == [small_model.outputs[0].name]
    assert np.array_equal(a, next(iter(c.values())))


@pytest.mark.parametrize("n", [1, 3, 4, 9, 13])
def test_any_batch(small_model, n):
    """Split into the compiled batch of 4, the last part padded: every
    sample's output is the one it gets in a batch of its own."""
    x = images(16, seed=1)
    whole = np.concatenate([small_model(x[i:i + 4]) for i in range(0, 16, 4)])
    out = small_model(x[:n])
    assert out.shape == (n, 10)
    assert np.array_equal(out, whole[:n])


def test_non_contiguous_input(small_model):
    x = images(8)
    strided = np.asfortranarray(x)
    assert np.array_equal(small_model(strided), small_model(x))


def test_bad_inputs_raise(small_model):
    x = images(4)
    with pytest.raises(q.InputError, match=r"takes float32, got float64"):
        small_model(x.astype(np.float64))
    with pytest.raises(q.InputError, match=r"takes shape \(N, 1, 28, 28\)"):
        small_model(np.zeros((4, 28, 28), np.float32))
    with pytest.raises(q.InputError, match=r"takes shape"):
        small_model(np.zeros((4, 1, 27, 28), np.float32))
    with pytest.raises(q.InputError, match=r"no input 'image'.*'data'"):
        small_model(image=x)
    with pytest.raises(q.InputError, match=r"no value for input 'data'"):
        small_model.run({})
    with pytest.raises(q.InputError, match=r"takes 1 inputs"):
        small_model(x, x)
    with pytest.raises(q.InputError, match=r"batch 0"):
        small_model(np.zeros((0, 1, 28, 28), np.float32))
    # Every one is a q.Error (and a ValueError).
    with pytest.raises(q.Error):
        small_model("not an array")
    with pytest.raises(ValueError):
        small_model(x.astype(np.int8))


def test_native_layer_checks(small_model):
    """The native run checks again: wrong sizes, dtypes, read-only outputs
    raise and never crash."""
    native = small_model._native
    x = images(4)
    out = np.empty((4, 10), np.float32)
    native.run([x], [out])
    assert np.array_equal(out, small_model(x))
    with pytest.raises(q.InputError, match="bytes"):
        native.run([x[:2]], [out])
    with pytest.raises(q.InputError, match="takes float32"):
        native.run([x.astype(np.float64)], [out])
    with pytest.raises(q.InputError, match="inputs given"):
        native.run([], [out])
    readonly = np.empty((4, 10), np.float32)
    readonly.flags.writeable = False
    with pytest.raises(q.InputError, match="read-only"):
        native.run([x], [readonly])


def test_closed_model(tmp_path, small_model):
    model = q.load(small_model.path)
    x = images(4)
    model(x)
    model.close()
    model.close()  # idempotent
    assert model.closed
    with pytest.raises(q.ClosedError, match="closed"):
        model(x)
    with pytest.raises(q.ClosedError):
        model._native.run([x], [np.empty((4, 10), np.float32)])
    with q.load(small_model.path) as m:
        m(x)
    assert m.closed


def test_save_and_load(tmp_path, small_model):
    x = images(4)
    path = small_model.save(tmp_path / "libcopy.so")
    again = q.load(path)
    assert np.array_equal(again(x), small_model(x))
    with pytest.raises(q.LoadError, match="no such file"):
        q.load(tmp_path / "missing.so")
    (tmp_path / "bad.so").write_bytes(b"not a library")
    with pytest.raises(q.LoadError, match="bad.so: cannot load"):
        q.load(tmp_path / "bad.so")


def test_threads_match_serial(tmp_session):
    """4 Python threads on one model give the serial outputs, and take less
    wall time than the serial runs on 2+ cores: runs release the GIL. (The
    machine may be shared: the timing gets three tries.)"""
    from conftest import PARAMS, SYMBOL
    model = q.compile(SYMBOL, PARAMS, inputs={"data": (32, 1, 28, 28)},
                      dtype="float32", num_threads=1,
                      output=tmp_session / "libthreads.so")
    inputs = [images(32 * 8, seed=s) for s in range(4)]
    serial = [model(x) for x in inputs]

    def threaded():
        results, errors = [None] * 4, []

        def work(i):
            try:
                results[i] = model(inputs[i])
            except Exception as e:  # pragma: no cover - reported below
                errors.append(e)

        threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert not errors
        return results

    for a, b in zip(serial, threaded()):
        assert np.array_equal(a, b)
    times = []
    for _ in range(3):
        start = time.perf_counter()
        for x in inputs:
            model(x)
        serial_s = time.perf_counter() - start
        start = time.perf_counter()
        threaded()
        threaded_s = time.perf_counter() - start
        times.append((serial_s, threaded_s))
        print(f"4 x 8 batches of 32, 1 OpenMP thread each: serial "
              f"{serial_s:.3f} s, 4 Python threads {threaded_s:.3f} s")
        if threaded_s < serial_s:
            break
    if (os.cpu_count() or 1) >= 2:
        assert any(t < s for s, t in times), times


def test_runtime_without_compiler(small_model):
    """q.runtime loads and runs a model with q._compiler unavailable."""
    code = (
        "import sys\n"
        "sys.modules['q._compiler'] = None\n"  # import fails as if absent
        "import numpy as np, q.runtime\n"
        f"m = q.runtime.load({small_model.path!r})\n"
        "print(m(np.zeros((2, 1, 28, 28), np.float32)).shape)\n"
        "import q\n"
        "try:\n"
        "    q.compile('x')\n"
        "except q.Error as e:\n"
        "    print('compile:', e)\n")
    package_root = os.path.dirname(os.path.dirname(q.__file__))
    env = dict(os.environ, PYTHONPATH=package_root)
    proc = subprocess.run([sys.executable, "-c", code], env=env,
                          capture_output=True, text=True, check=True,
                          cwd=os.path.dirname(small_model.path))
    assert "(2, 10)" in proc.stdout
    assert "compiler is not installed" in proc.stdout


def test_standalone_runtime_build(small_model):
    """The runtime built on its own (cmake -S runtime -B build-rt, no
    LLVM/MLIR) runs a compiled model through its q.runtime package. Skipped
    unless that build exists (docs/RUNTIME.md)."""
    from conftest import SOURCE
    root = os.environ.get("Q_RUNTIME_BUILD_DIR", os.path.join(SOURCE, "build-rt"))
    package = os.path.join(root, "python")
    if not os.path.isfile(os.path.join(package, "q", "runtime.py")):
        pytest.skip(f"no standalone runtime build in {root}")
    code = (
        "import numpy as np, q, q.runtime\n"
        "assert q.__file__.startswith(%r), q.__file__\n"
        "m = q.runtime.load(%r, num_threads=1)\n"
        "import sys; np.save(sys.stdout.buffer, m(np.load(%r)))\n"
    )
    x = images(5, seed=3)
    path = os.path.join(os.path.dirname(small_model.path), "standalone-in.npy")
    np.save(path, x)
    proc = subprocess.run(
        [sys.executable, "-c", code % (package, small_model.path, path)],
        env=dict(os.environ, PYTHONPATH=package), capture_output=True,
        check=True, cwd=os.path.dirname(small_model.path))  # not ctest's
    import io
    out = np.load(io.BytesIO(proc.stdout))
    assert np.array_equal(out, small_model(x))
