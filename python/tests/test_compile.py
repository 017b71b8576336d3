"""q.compile and q.calibrate on the bundled Fashion-MNIST model: the
README's accuracy figures with calibration from a Python generator, libraries
bit-identical to q-compile's, tables identical to q-calibrate's, errors."""

import os
import subprocess

import numpy as np
import pytest

import q
from conftest import (DATASET, PARAMS, SYMBOL, accuracy, tool, train_batches)

TRAIN_IDX = f"{DATASET}/train-images-idx3-ubyte.gz"


def test_fp32_accuracy(fmnist, fp32_model):
    x, labels = fmnist["t10k"]
    # README: fp32 top-1 accuracy 9235/10000 (92.35%).
    assert round(accuracy(fp32_model, x, labels) * 10000) == 9235


@pytest.fixture(scope="module")
def tool_int8(fmnist, tmp_session):
    """The same int8 model compiled by q-compile from the IDX file, with its
    calibration table."""
    lib = tmp_session / "libtool-int8.so"
    table = tmp_session / "tool-calib.json"
    subprocess.run([tool("q-compile"), SYMBOL, f"--params={PARAMS}",
                    "--input-shape=data:100,1,28,28", "--dtype=auto",
                    f"--calib-data={TRAIN_IDX}", "--calib-batches=10",
                    "--calib-batch-size=100", "--calib-mode=naive",
                    "--backend=onednn", f"--calib-table={table}", "--quiet",
                    "-o", str(lib)], check=True)
    return q.load(lib, num_threads=1), table


def test_int8_matches_q_compile(fmnist, int8_model, tool_int8):
    """Calibrated from a generator that never touches the disk, the library
    gives bit-identical outputs to q-compile's on the whole test set, and
    its accuracy is the tool's."""
    tool_model, table = tool_int8
    x, labels = fmnist["t10k"]
    ours, theirs = int8_model(x), tool_model(x)
    assert np.array_equal(ours, theirs)
    assert int8_model.calibration_table.to_json() == table.read_text()
    acc, tool_acc = accuracy(int8_model, x, labels), accuracy(tool_model, x, labels)
    print(f"int8 top-1: q.compile {acc:.4f}, q-compile {tool_acc:.4f}")
    assert abs(acc - tool_acc) <= 0.001
    # README (scripts/demo.sh): int8 top-1 accuracy 9230/10000 (92.30%).
    assert abs(acc - 0.9230) <= 0.001
    assert int8_model.info["dtype"] == "int8"


def test_calibrate_matches_q_calibrate(fmnist, tmp_path):
    """q.calibrate from a numpy array equals q-calibrate on the same data
    saved as .npy, for every mode."""
    x = fmnist["train"][0][:256]
    np.save(tmp_path / "calib.npy", x)
    for mode in ("naive", "entropy", "percentile"):
        out = tmp_path / f"{mode}.json"
        subprocess.run([tool("q-calibrate"), SYMBOL, f"--params={PARAMS}",
                        "--input-shape=data:1,1,28,28",
                        f"--data={tmp_path / 'calib.npy'}", f"--mode={mode}",
                        "--quiet", "-o", str(out)], check=True)
        table = q.calibrate(SYMBOL, PARAMS, inputs={"data": (1, 1, 28, 28)},
                            calibration=x, calib_mode=mode)
        assert table.to_json() == out.read_text(), mode
        saved = table.save(tmp_path / f"{mode}-py.json")
        assert open(saved).read() == out.read_text()
        assert q.CalibrationTable.load(out) == table


def test_table_edit_and_reuse(fmnist, tmp_path):
    batches = list(train_batches(fmnist, count=2, size=50))
    table = q.calibrate(SYMBOL, PARAMS, inputs={"data": (1, 1, 28, 28)},
                        calibration=batches, calib_mode="naive")
    assert table.mode == "naive" and len(table) > 5
    name = next(iter(table))
    lo, hi = table[name]
    assert lo <= hi
    table[name] = (lo, hi * 2)
    assert table.entry(name)["method"] == "manual"
    path = table.save(tmp_path / "edited.json")
    again = q.CalibrationTable.load(path)
    assert again[name] == (lo, hi * 2)
    with pytest.raises(q.CalibrationError, match="min .* max"):
        table[name] = (1.0, 0.0)
    # A table (object or file) compiles like --calib-table.
    m1 = q.compile(SYMBOL, PARAMS, inputs={"data": (4, 1, 28, 28)},
                   dtype="auto", calibration=again, backend="onednn")
    m2 = q.compile(SYMBOL, PARAMS, inputs={"data": (4, 1, 28, 28)},
                   dtype="auto", calibration=str(path), backend="onednn")
    x = fmnist["t10k"][0][:4]
    assert np.array_equal(m1(x), m2(x))
    bad = tmp_path / "bad.json"
    bad.write_text('{"format": "q-calibration-table", "version": 1, '
                   '"tensors": {"x": {"min": 2, "max": 1}}}')
    with pytest.raises(q.CalibrationError, match="bad.json: tensor 'x'"):
        q.CalibrationTable.load(bad)


def test_calibration_forms(fmnist):
    """Dicts name -> array and (data, label) pairs are items too."""
    x, y = fmnist["train"]
    as_arrays = q.calibrate(SYMBOL, PARAMS, inputs={"data": (1, 1, 28, 28)},
                            calibration=[x[:50], x[50:100]], calib_mode="naive")
    as_dicts = q.calibrate(SYMBOL, PARAMS, inputs={"data": (1, 1, 28, 28)},
                           calibration=({"data": x[i:i + 50]} for i in (0, 50)),
                           calib_mode="naive")
    as_pairs = q.calibrate(SYMBOL, PARAMS, inputs={"data": (1, 1, 28, 28)},
                           calibration=[(x[:50], y[:50]), (x[50:100], y[50:100])],
                           calib_mode="naive")
    assert as_arrays == as_dicts == as_pairs


def test_compile_errors(fmnist, tmp_path):
    shape = {"data": (1, 1, 28, 28)}
    with pytest.raises(q.CompileError, match="missing.json"):
        q.compile(tmp_path / "missing.json", PARAMS, inputs=shape)
    with pytest.raises(q.CompileError, match="exclude.*conv99"):
        q.compile(SYMBOL, PARAMS, inputs=shape, dtype="int8",
                  exclude=["conv99"], backend="onednn")
    with pytest.raises(q.CompileError, match="dtype='int4'"):
        q.compile(SYMBOL, PARAMS, inputs=shape, dtype="int4")
    with pytest.raises(q.CompileError, match="calib_mode"):
        q.compile(SYMBOL, PARAMS, inputs=shape, calib_mode="kl")
    with pytest.raises(q.InputError, match="positive"):
        q.compile(SYMBOL, PARAMS, inputs={"data": (0, 1, 28, 28)})
    with pytest.raises(q.CompileError, match="params"):
        q.compile(SYMBOL, inputs=shape, dtype="float32")
    # Calibration data that does not fit the model names the item.
    bad = [np.zeros((10, 1, 28, 28), np.float32),
           np.zeros((10, 3, 28, 28), np.float32)]
    with pytest.raises(q.CalibrationError, match="calibration item 1"):
        q.calibrate(SYMBOL, PARAMS, inputs=shape, calibration=bad)
    with pytest.raises(q.CalibrationError, match="calibration item 0.*float64"):
        q.compile(SYMBOL, PARAMS, inputs=shape, dtype="auto",
                  calibration=[np.zeros((4, 1, 28, 28))], backend="onednn")
    with pytest.raises(q.CalibrationError, match="no input 'image'"):
        q.calibrate(SYMBOL, PARAMS, inputs=shape,
                    calibration=[{"image": np.zeros((4, 1, 28, 28), np.float32)}])
    with pytest.raises(q.CalibrationError, match="empty"):
        q.calibrate(SYMBOL, PARAMS, inputs=shape, calibration=iter([]))
    with pytest.raises(q.CalibrationError, match="iterable"):
        q.calibrate(SYMBOL, PARAMS, inputs=shape, calibration=3)


def test_output_and_version(tmp_path):
    out = tmp_path / "libout.so"
    model = q.compile(SYMBOL, PARAMS, inputs={"data": (2, 1, 28, 28)},
                      dtype="float32", output=out)
    assert os.path.isfile(out) and model.path == str(out)
    # Compiling again to the same path loads the new library.
    model2 = q.compile(SYMBOL, PARAMS, inputs={"data": (3, 1, 28, 28)},
                       dtype="float32", output=out)
    assert model2.inputs[0].shape == (3, 1, 28, 28)
    assert q.version()
