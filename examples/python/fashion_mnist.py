#!/usr/bin/env python3
"""The Fashion-MNIST flow of the README in Python: compile the bundled model
to fp32 and to int8 calibrated from a numpy generator (10 batches of 100
training images, made in memory, never written to disk; naive mode as
scripts/demo.sh), evaluate both on
the 10,000 test images, and (with --report) look at q-report's per-layer
comparison.

    PYTHONPATH=build/python python3 examples/python/fashion_mnist.py [--report]

Needs Debian's dataset-fashion-mnist (scripts/setup.sh installs it).
"""

import argparse
import gzip
import os
import time

import numpy as np

import q

HERE = os.path.dirname(os.path.abspath(__file__))
MODEL = os.path.join(HERE, "..", "fashion-mnist")
SYMBOL = os.path.join(MODEL, "fmnist-resnet-symbol.json")
PARAMS = os.path.join(MODEL, "fmnist-resnet-0000.params")
DATASET = "/usr/share/datasets/fashion-mnist"


def read_idx(path):
    """An IDX file (gzip'd): big-endian dims after a 4-byte magic."""
    with gzip.open(path, "rb") as f:
        raw = f.read()
    ndim = raw[3]
    dims = [int.from_bytes(raw[4 + 4 * i:8 + 4 * i], "big") for i in range(ndim)]
    return np.frombuffer(raw, np.uint8, offset=4 + 4 * ndim).reshape(dims)


def images(split):
    """float32 (N, 1, 28, 28) in [0, 1], as the model was trained."""
    x = read_idx(f"{DATASET}/{split}-images-idx3-ubyte.gz")
    return x.astype(np.float32)[:, None] / np.float32(255)


def calibration_batches(train, count=10, size=100):
    """Any iterable of arrays calibrates: here a generator."""
    for b in range(count):
        yield train[b * size:(b + 1) * size]


def evaluate(model, x, labels):
    start = time.perf_counter()
    scores = model(x)  # 10,000 images, split into the compiled batch of 100
    seconds = time.perf_counter() - start
    correct = int(np.sum(np.argmax(scores, axis=1) == labels))
    return correct, seconds * 1000 / (len(x) / model.batch_size)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--report", action="store_true",
                        help="also print q-report's per-layer comparison")
    parser.add_argument("--calib-mode", default="naive",
                        choices=("naive", "entropy", "percentile"),
                        help="naive (default) is what scripts/demo.sh and the "
                             "README's figures use")
    parser.add_argument("--threads", type=int, default=1,
                        help="threads per run (0: OpenMP's default)")
    args = parser.parse_args()

    train = images("train")
    test = images("t10k")
    labels = read_idx(f"{DATASET}/t10k-labels-idx1-ubyte.gz").astype(np.int64)
    shape = {"data": (100, 1, 28, 28)}

    fp32 = q.compile(SYMBOL, PARAMS, inputs=shape, dtype="float32",
                     num_threads=args.threads)
    int8 = q.compile(SYMBOL, PARAMS, inputs=shape, dtype="auto",
                     calibration=calibration_batches(train),
                     calib_mode=args.calib_mode, backend="onednn",
                     num_threads=args.threads)
    print(f"{'dtype':6} {'accuracy':>24} {'ms/batch':>10}")
    for name, model in (("fp32", fp32), ("int8", int8)):
        correct, ms = evaluate(model, test, labels)
        print(f"{name:6} {correct:>6}/{len(test)} ({100 * correct / len(test):.2f}%)"
              f" {ms:>10.3f}")
    table = int8.calibration_table
    print(f"calibration table: {len(table)} tensors, e.g. "
          f"relu0_output {table['relu0_output'] if 'relu0_output' in table else '-'}")

    if args.report:
        report = q.report(SYMBOL, PARAMS, inputs=shape, dtype="auto",
                          calibration=train[:1000], calib_batch_size=100,
                          data=test[:1000], labels=labels[:1000])
        print(report.text)


if __name__ == "__main__":
    main()
