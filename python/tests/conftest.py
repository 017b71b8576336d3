"""Fixtures of the q Python package tests: paths, the Fashion-MNIST data
(Debian's dataset-fashion-mnist, read with numpy) and models compiled once
per session. Run from ctest (python-q) or by hand:

    PYTHONPATH=build/python Q_BUILD_DIR=build python3 -m pytest python/tests
"""

import gzip
import os

import numpy as np
import pytest

import q

SOURCE = os.environ.get(
    "Q_SOURCE_DIR",
    os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..")))
BUILD = os.environ.get("Q_BUILD_DIR", os.path.join(SOURCE, "build"))
FMNIST = os.path.join(SOURCE, "examples", "fashion-mnist")
SYMBOL = os.path.join(FMNIST, "fmnist-resnet-symbol.json")
PARAMS = os.path.join(FMNIST, "fmnist-resnet-0000.params")
DATASET = "/usr/share/datasets/fashion-mnist"


def read_idx(path):
    """An IDX file (gzip'd) as a numpy array: magic, dims, uint8 data."""
    with gzip.open(path, "rb") as f:
        raw = f.read()
    ndim = raw[3]
    dims = [int.from_bytes(raw[4 + 4 * i:8 + 4 * i], "big") for i in range(ndim)]
    return np.frombuffer(raw, np.uint8, offset=4 + 4 * ndim).reshape(dims)


@pytest.fixture(scope="session")
def fmnist():
    if not os.path.isdir(DATASET):
        pytest.skip("dataset-fashion-mnist is not installed")
    data = {}
    for split in ("train", "t10k"):
        images = read_idx(f"{DATASET}/{split}-images-idx3-ubyte.gz")
        labels = read_idx(f"{DATASET}/{split}-labels-idx1-ubyte.gz")
        # q-run's and the calibrator's IDX scaling: x / 255 in float32.
        x = images.astype(np.float32)[:, None] / np.float32(255)
        data[split] = (x, labels.astype(np.int64))
    return data


def train_batches(fmnist, count=10, size=100):
    """The calibration generator of the tests: `count` batches of `size`
    training images, made in memory."""
    x, _ = fmnist["train"]
    for b in range(count):
        yield x[b * size:(b + 1) * size]


def accuracy(model, x, labels):
    scores = model(x)
    return float(np.mean(np.argmax(scores, axis=1) == labels))


@pytest.fixture(scope="session")
def tmp_session(tmp_path_factory):
    return tmp_path_factory.mktemp("q")


@pytest.fixture(scope="session")
def fp32_model(tmp_session):
    """fmnist at batch 100, float32."""
    return q.compile(SYMBOL, PARAMS, inputs={"data": (100, 1, 28, 28)},
                     dtype="float32", output=tmp_session / "libfp32.so", num_threads=1)


@pytest.fixture(scope="session")
def int8_model(fmnist, tmp_session):
    """fmnist at batch 100, int8 (auto), calibrated as the README's demo
    (scripts/demo.sh: naive, 10 batches of 100), from a Python generator."""
    return q.compile(SYMBOL, PARAMS, inputs={"data": (100, 1, 28, 28)},
                     dtype="auto", calibration=train_batches(fmnist),
                     calib_mode="naive", backend="onednn",
                     output=tmp_session / "libint8.so", num_threads=1)


@pytest.fixture(scope="session")
def small_model(tmp_session):
    """fmnist at batch 4, float32: the runtime tests' model."""
    return q.compile(SYMBOL, PARAMS, inputs={"data": (4, 1, 28, 28)},
                     dtype="float32", output=tmp_session / "libsmall.so", num_threads=1)


def tool(name):
    path = os.path.join(BUILD, "bin", name)
    if not os.access(path, os.X_OK):
        pytest.skip(f"{path} not built")
    return path
