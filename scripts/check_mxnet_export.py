#!/usr/bin/python3
"""Independent check of an exported MXNet model (numpy only, no torch, no MXNet).

Reads ``PREFIX-symbol.json`` and ``PREFIX-0000.params`` with its own small
readers (written from the format description, checking the structure strictly:
node_row_ptr, arg_nodes, topological order, names, the .params file consumed
exactly to EOF), runs the graph with a tiny numpy interpreter for the ops the
example model uses (Convolution via im2col, BatchNorm inference, Activation
relu, elemwise_add, Pooling avg/max incl. global_pool, Flatten,
FullyConnected), and compares with the golden torch outputs.

    /usr/bin/python3 scripts/check_mxnet_export.py              # golden logits
    /usr/bin/python3 scripts/check_mxnet_export.py --all        # + 10k predictions

Exit status 0 when everything matches.
"""

import argparse
import gzip
import json
import os
import struct
import sys

import numpy as np

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_DIR = os.path.join(REPO, "examples", "fashion-mnist")

DTYPES = {0: np.float32, 1: np.float64, 2: np.float16, 3: np.uint8, 4: np.int32,
          5: np.int8, 6: np.int64}


# ---------------------------------------------------------------------------
# readers

def read_params(path):
    with open(path, "rb") as f:
        buf = f.read()
    pos = 0

    def take(fmt):
        nonlocal pos
        vals = struct.unpack_from("<" + fmt, buf, pos)
        pos += struct.calcsize("<" + fmt)
        return vals

    magic, reserved, n = take("QQQ")
    assert magic == 0x112, "bad list magic %#x" % magic
    assert reserved == 0
    arrays = []
    for _ in range(n):
        (m,) = take("I")
        assert m == 0xF993FAC9, "expected V2 NDArray record, got %#x" % m
        (stype,) = take("i")
        assert stype == 0, "only dense arrays expected"
        (ndim,) = take("i")
        assert ndim > 0
        shape = take("%dq" % ndim)
        dev_type, dev_id = take("ii")
        assert (dev_type, dev_id) == (1, 0)
        (tflag,) = take("i")
        dt = np.dtype(DTYPES[tflag]).newbyteorder("<")
        count = int(np.prod(shape))
        a = np.frombuffer(buf, dtype=dt, count=count, offset=pos).reshape(shape)
        pos += count * dt.itemsize
        arrays.append(a.astype(dt.newbyteorder("=")))
    (nn,) = take("Q")
    assert nn == n, "name count %d != array count %d" % (nn, n)
    names = []
    for _ in range(nn):
        (ln,) = take("Q")
        names.append(buf[pos:pos + ln].decode("utf-8"))
        pos += ln
    assert pos == len(buf), "trailing bytes in %s" % path
    out = {}
    for name, a in zip(names, arrays):
        assert name not in out, "duplicate %s" % name
        out[name] = a
    return out


NUM_OUTPUTS = {"BatchNorm": 3}


def read_symbol(path):
    with open(path) as f:
        g = json.load(f)
    assert list(g.keys()) == ["nodes", "arg_nodes", "node_row_ptr", "heads", "attrs"], list(g)
    assert g["attrs"] == {"mxnet_version": ["int", 10901]}
    nodes = g["nodes"]
    names = set()
    row = [0]
    for i, n in enumerate(nodes):
        assert set(n) <= {"op", "name", "attrs", "inputs"}, n
        assert n["name"] not in names, "duplicate node name " + n["name"]
        names.add(n["name"])
        for a in n.get("attrs", {}).values():
            assert isinstance(a, str), "attribute values must be strings"
        for e in n["inputs"]:
            assert len(e) == 3 and e[0] < i, "not topologically sorted at node %d" % i
        if n["op"] == "null":
            assert n["inputs"] == []
        row.append(row[-1] + NUM_OUTPUTS.get(n["op"], 1))
    assert g["node_row_ptr"] == row, "node_row_ptr mismatch"
    assert g["arg_nodes"] == [i for i, n in enumerate(nodes) if n["op"] == "null"]
    return g


def parse_tuple(s):
    s = s.strip()
    assert s[0] == "(" and s[-1] == ")", s
    return tuple(int(v) for v in s[1:-1].split(",") if v.strip())


def parse_bool(s):
    return s.strip().lower() in ("true", "1")


# ---------------------------------------------------------------------------
# numpy interpreter (inference)

def conv2d(x, w, b, stride, pad, dilate, groups):
    assert groups == 1 and dilate == (1, 1)
    n, c, h, wd = x.shape
    f, cw, kh, kw = w.shape
    assert cw == c
    sh, sw = stride
    ph, pw = pad
    xp = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    oh = (h + 2 * ph - kh) // sh + 1
    ow = (wd + 2 * pw - kw) // sw + 1
    cols = np.empty((n, c, kh, kw, oh, ow), dtype=x.dtype)  # im2col
    for i in range(kh):
        for j in range(kw):
            cols[:, :, i, j] = xp[:, :, i:i + sh * oh:sh, j:j + sw * ow:sw]
    cols = cols.reshape(n, c * kh * kw, oh * ow)
    y = np.einsum("fk,nkp->nfp", w.reshape(f, -1), cols, optimize=True)
    y = y.reshape(n, f, oh, ow)
    if b is not None:
        y = y + b[None, :, None, None]
    return y


def pool2d(x, kernel, stride, pad, pool_type, global_pool):
    n, c, h, w = x.shape
    if global_pool:
        red = x.mean(axis=(2, 3)) if pool_type == "avg" else x.max(axis=(2, 3))
        return red[:, :, None, None]
    kh, kw = kernel
    sh, sw = stride
    assert pad == (0, 0), "padding not needed by the example"
    oh, ow = (h - kh) // sh + 1, (w - kw) // sw + 1
    win = np.stack([x[:, :, i:i + sh * oh:sh, j:j + sw * ow:sw]
                    for i in range(kh) for j in range(kw)])
    return win.mean(0) if pool_type == "avg" else win.max(0)


def run_graph(g, params, data):
    nodes = g["nodes"]
    vals = {}
    for i, n in enumerate(nodes):
        op, a = n["op"], n.get("attrs", {})
        ins = [vals[(e[0], e[1])] for e in n["inputs"]]
        if op == "null":
            if n["name"] == "data":
                out = data
            elif "arg:" + n["name"] in params:
                out = params["arg:" + n["name"]]
            else:
                out = params["aux:" + n["name"]]
        elif op == "Convolution":
            no_bias = parse_bool(a.get("no_bias", "False"))
            k = parse_tuple(a["kernel"])
            w = ins[1]
            assert w.shape[0] == int(a["num_filter"]) and w.shape[2:] == k
            out = conv2d(ins[0], w, None if no_bias else ins[2],
                         parse_tuple(a.get("stride", "(1, 1)")),
                         parse_tuple(a.get("pad", "(0, 0)")),
                         parse_tuple(a.get("dilate", "(1, 1)")),
                         int(a.get("num_group", "1")))
        elif op == "BatchNorm":
            x, gamma, beta, mean, var = ins
            assert int(a.get("axis", "1")) == 1
            if parse_bool(a.get("fix_gamma", "True")):
                gamma = np.ones_like(gamma)
            eps = np.float32(float(a.get("eps", "0.001")))
            scale = gamma / np.sqrt(var + eps)
            out = (x - mean[None, :, None, None]) * scale[None, :, None, None] \
                + beta[None, :, None, None]
        elif op == "Activation":
            assert a["act_type"] == "relu"
            out = np.maximum(ins[0], 0)
        elif op == "elemwise_add":
            assert ins[0].shape == ins[1].shape
            out = ins[0] + ins[1]
        elif op == "Pooling":
            assert a.get("pooling_convention", "valid") == "valid"
            out = pool2d(ins[0], parse_tuple(a["kernel"]),
                         parse_tuple(a.get("stride", "(1, 1)")),
                         parse_tuple(a.get("pad", "(0, 0)")),
                         a.get("pool_type", "max"),
                         parse_bool(a.get("global_pool", "False")))
        elif op == "Flatten":
            out = ins[0].reshape(ins[0].shape[0], -1)
        elif op == "FullyConnected":
            assert parse_bool(a.get("flatten", "True"))
            x = ins[0].reshape(ins[0].shape[0], -1)
            w = ins[1]
            assert w.shape == (int(a["num_hidden"]), x.shape[1])
            out = x @ w.T
            if not parse_bool(a.get("no_bias", "False")):
                out = out + ins[2]
        else:
            raise NotImplementedError(op)
        vals[(i, 0)] = out.astype(np.float32)
    # every variable must be fed: data, or present in .params with the right prefix
    return [vals[(h[0], h[1])] for h in g["heads"]]


def check_param_names(g, params):
    aux_inputs = set()
    for n in g["nodes"]:
        if n["op"] == "BatchNorm":
            aux_inputs.update(e[0] for e in n["inputs"][3:5])
    want = set()
    for i in g["arg_nodes"]:
        name = g["nodes"][i]["name"]
        if name == "data":
            continue
        want.add(("aux:" if i in aux_inputs else "arg:") + name)
    assert want == set(params), "params/variables mismatch: %s" % (want ^ set(params))
    for k, v in params.items():
        assert v.dtype == np.float32, k


def read_idx(path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        raw = f.read()
    _, _, ndim = struct.unpack(">HBB", raw[:4])
    dims = struct.unpack(">%dI" % ndim, raw[4:4 + 4 * ndim])
    return np.frombuffer(raw, np.uint8, offset=4 + 4 * ndim).reshape(dims)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dir", default=DEFAULT_DIR)
    ap.add_argument("--prefix", default="fmnist-resnet")
    ap.add_argument("--rtol", type=float, default=1e-4)
    ap.add_argument("--all", action="store_true",
                    help="also run all 10,000 test images and compare with "
                         "torch_predictions.npy (needs dataset-fashion-mnist)")
    ap.add_argument("--data-dir", default="/usr/share/datasets/fashion-mnist")
    args = ap.parse_args()

    prefix = os.path.join(args.dir, args.prefix)
    g = read_symbol(prefix + "-symbol.json")
    params = read_params(prefix + "-0000.params")
    check_param_names(g, params)
    nparam = sum(v.size for k, v in params.items() if k.startswith("arg:"))
    naux = sum(v.size for k, v in params.items() if k.startswith("aux:"))
    ops = sorted({n["op"] for n in g["nodes"]})
    print("symbol: %d nodes, ops %s" % (len(g["nodes"]), ", ".join(ops)))
    print("params: %d arrays, %d arg values + %d aux values" % (len(params), nparam, naux))

    x = np.load(os.path.join(args.dir, "golden", "input.npy"))
    ref = np.load(os.path.join(args.dir, "golden", "torch_logits.npy"))
    labels = np.load(os.path.join(args.dir, "golden", "labels.npy"))
    assert x.shape == (16, 1, 28, 28) and x.dtype == np.float32
    (out,) = run_graph(g, params, x)
    assert out.shape == ref.shape, (out.shape, ref.shape)
    err = np.abs(out.astype(np.float64) - ref)
    rel = err.max() / np.abs(ref).max()
    ok = rel <= args.rtol and np.allclose(out, ref, rtol=args.rtol,
                                          atol=args.rtol * np.abs(ref).max())
    print("golden logits: max abs err %.3g, max err / max |logit| %.3g -> %s"
          % (err.max(), rel, "OK" if ok else "FAIL"))
    print("golden top-1: numpy %s  labels %s" % (out.argmax(1).tolist(), labels.tolist()))
    ok = ok and (out.argmax(1) == ref.argmax(1)).all()

    if args.all:
        pred_ref = np.load(os.path.join(args.dir, "torch_predictions.npy"))
        xs = read_idx(os.path.join(args.data_dir, "t10k-images-idx3-ubyte.gz"))
        ys = read_idx(os.path.join(args.data_dir, "t10k-labels-idx1-ubyte.gz"))
        preds = []
        for i in range(0, len(xs), 500):
            xb = (xs[i:i + 500].astype(np.float32) / np.float32(255))[:, None]
            preds.append(run_graph(g, params, xb)[0].argmax(1))
        pred = np.concatenate(preds)
        agree = (pred == pred_ref).mean()
        print("all %d test images: numpy accuracy %.4f, torch accuracy %.4f, "
              "agreement %.4f -> %s" % (len(xs), (pred == ys).mean(),
                                        (pred_ref == ys).mean(), agree,
                                        "OK" if agree >= 0.999 else "FAIL"))
        ok = ok and agree >= 0.999
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
