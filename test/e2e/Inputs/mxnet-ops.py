#!/usr/bin/python3
"""Small MXNet-format graphs of the ops q decomposes (SliceChannel, SwapAxis,
reductions, initializers, training heads, ...), used the way model zoos use
them, with their expected fp32 outputs computed by numpy.

usage: mxnet-ops.py OUTDIR
writes OUTDIR/<case>-symbol.json, OUTDIR/<case>-x.npy (the input `data`)
and OUTDIR/<case>-ref.npy (the expected output) for every case, and
OUTDIR/cases.txt (one case and its input shape per line).
"""
import json
import os
import sys

import numpy as np


class Graph:
    """Builds an MXNet symbol JSON: nodes in topological order."""

    def __init__(self):
        self.nodes = []

    def var(self, name, **attrs):
        self.nodes.append({"op": "null", "name": name, "inputs": []})
        if attrs:
            self.nodes[-1]["attrs"] = {k: str(v) for k, v in attrs.items()}
        return (len(self.nodes) - 1, 0)

    def op(self, op, name, inputs, **attrs):
        node = {"op": op, "name": name,
                "inputs": [[i, k, 0] for i, k in inputs]}
        if attrs:
            node["attrs"] = {k: str(v) for k, v in attrs.items()}
        self.nodes.append(node)
        return (len(self.nodes) - 1, 0)

    def json(self, head):
        args = [i for i, n in enumerate(self.nodes) if n["op"] == "null"]
        return json.dumps({"nodes": self.nodes, "arg_nodes": args,
                           "heads": [[head[0], head[1], 0]],
                           "attrs": {"mxnet_version": ["int", 10901]}})


def out(node, index):
    return (node[0], index)


def mfm():
    """LightCNN's max-feature-map: the channels split in two halves, their
    element-wise maximum."""
    g = Graph()
    x = g.var("data")
    s = g.op("SliceChannel", "slice0", [x], num_outputs=2, axis=1)
    y = g.op("_Maximum", "mfm0", [out(s, 0), out(s, 1)])
    return g, (2, 8, 5, 5), lambda x: np.maximum(x[:, :4], x[:, 4:]), y


def shuffle():
    """ShuffleNet's channel shuffle with 3 groups: Reshape + SwapAxis +
    Reshape (MXNet's -4/-3/-2 reshape codes)."""
    g = Graph()
    x = g.var("data")
    r = g.op("Reshape", "r0", [x], shape="(0, -4, 3, -1, -2)")
    s = g.op("SwapAxis", "swap0", [r], dim1=1, dim2=2)
    y = g.op("Reshape", "r1", [s], shape="(0, -3, -2)")

    def ref(x):
        n, c, h, w = x.shape
        return x.reshape(n, 3, c // 3, h, w).transpose(0, 2, 1, 3, 4).reshape(
            n, c, h, w)
    return g, (2, 12, 3, 4), ref, y


def split_squeeze():
    """split with squeeze_axis, its outputs combined with minimum/maximum."""
    g = Graph()
    x = g.var("data")
    s = g.op("split", "split0", [x], num_outputs=3, axis=-2, squeeze_axis=1)
    a = g.op("broadcast_minimum", "min0", [out(s, 0), out(s, 2)])
    y = g.op("_minus", "sub0", [a, out(s, 1)])
    return g, (2, 3, 4), lambda x: np.minimum(x[:, 0], x[:, 2]) - x[:, 1], y


def stack_tile():
    """stack, tile (reps shorter than the rank), expand_dims, squeeze."""
    g = Graph()
    x = g.var("data")
    d = g.op("_mul_scalar", "double0", [x], scalar=2.0)
    s = g.op("stack", "stack0", [x, d], axis=1, num_args=2)
    t = g.op("tile", "tile0", [s], reps="(2,)")
    e = g.op("expand_dims", "expand0", [t], axis=-1)
    y = g.op("squeeze", "squeeze0", [e])

    def ref(x):
        return np.tile(np.stack([x, 2 * x], axis=1), (2,))
    return g, (2, 3), ref, y


def tile_grow():
    """tile with more reps than axes, then swapaxes."""
    g = Graph()
    x = g.var("data")
    t = g.op("tile", "tile0", [x], reps="(2, 1, 3)")
    y = g.op("swapaxes", "swap0", [t], dim1=0, dim2=2)
    return g, (3, 2), lambda x: np.tile(x, (2, 1, 3)).swapaxes(0, 2), y


def reduce_case(op, attrs, fn):
    def build():
        g = Graph()
        x = g.var("data")
        y = g.op(op, op + "0", [x], **attrs)
        return g, (2, 3, 4, 5), fn, y
    return build


def init_ops():
    """_zeros, _ones, _full, zeros_like, ones_like, full_like feeding
    broadcast arithmetic (as RNN begin states and masks do)."""
    g = Graph()
    x = g.var("data")
    ones = g.op("ones_like", "ones0", [x])
    a = g.op("elemwise_add", "add0", [x, ones])
    full = g.op("_full", "full0", [], shape="(1, 4)", value=0.5)
    b = g.op("broadcast_mul", "mul0", [a, full])
    zeros = g.op("_zeros", "zeros0", [], shape="(3, 1)")
    c = g.op("broadcast_maximum", "max0", [b, zeros])
    fl = g.op("full_like", "fl0", [x], fill_value=-1.5)
    d = g.op("elemwise_sub", "sub0", [c, fl])
    z = g.op("zeros_like", "zl0", [x])
    o = g.op("_ones", "one0", [], shape="(3, 4)")
    e = g.op("elemwise_add", "add1", [z, o])
    y = g.op("elemwise_mul", "mul1", [d, e])
    return g, (3, 4), lambda x: np.maximum((x + 1) * 0.5, 0) + 1.5, y


def heads():
    """Training heads at inference: LinearRegressionOutput (label dropped),
    MakeLoss, BlockGrad, Cast, amp_cast, LogisticRegressionOutput."""
    g = Graph()
    x = g.var("data")
    label = g.var("lin_label")
    lin = g.op("LinearRegressionOutput", "lin0", [x, label])
    c = g.op("Cast", "cast0", [lin], dtype="float32")
    a = g.op("amp_cast", "amp0", [c], dtype="float16")
    m = g.op("MakeLoss", "loss0", [a])
    b = g.op("BlockGrad", "bg0", [m])
    label2 = g.var("logit_label")
    y = g.op("LogisticRegressionOutput", "logit0", [b, label2])
    return g, (2, 5), lambda x: 1 / (1 + np.exp(-x)), y


def reciprocal():
    """reciprocal and rsqrt on positive data."""
    g = Graph()
    x = g.var("data")
    r = g.op("rsqrt", "rsqrt0", [x])
    y = g.op("reciprocal", "recip0", [r])
    return g, (4, 6), lambda x: 1 / (1 / np.sqrt(x)), y


def broadcasts():
    """broadcast_to (0 keeps a dim), broadcast_axis, broadcast_like."""
    g = Graph()
    x = g.var("data")
    s = g.op("sum", "sum0", [x], axis="1", keepdims="True")
    a = g.op("broadcast_to", "bto0", [s], shape="(0, 3, 0)")
    m = g.op("max", "max0", [x], axis="(1, 2)", keepdims="True")
    b = g.op("broadcast_axis", "bax0", [m], axis="(1, 2)", size="(3, 4)")
    c = g.op("elemwise_add", "add0", [a, b])
    n = g.op("mean", "mean0", [x], axis="2", keepdims="True")
    d = g.op("broadcast_like", "blike0", [n, x])
    y = g.op("elemwise_mul", "mul0", [c, d])

    def ref(x):
        return ((x.sum(axis=1, keepdims=True) + x.max(axis=(1, 2), keepdims=True))
                * x.mean(axis=2, keepdims=True)) * np.ones_like(x)
    return g, (2, 3, 4), ref, y


def repeat_slice_like():
    """repeat along an axis and flattened, slice_like, reshape_like."""
    g = Graph()
    x = g.var("data")
    r = g.op("repeat", "rep0", [x], repeats=2, axis=1)
    f = g.op("repeat", "rep1", [x], repeats=2)
    s = g.op("slice_like", "sl0", [r, x], axes="(1,)")
    v = g.op("reshape_like", "rl0", [f, r])
    y = g.op("elemwise_sub", "sub0", [g.op("broadcast_add", "add0",
                                           [s, s]), g.op(
        "slice_like", "sl1", [v, x])])

    def ref(x):
        r = np.repeat(x, 2, axis=1)
        v = np.repeat(x.reshape(-1), 2).reshape(r.shape)
        s = r[:, :x.shape[1]]
        return (s + s) - v[:, :x.shape[1]]
    return g, (2, 3), ref, y


def pad_depth():
    """Pad (constant mode) and depth_to_space / space_to_depth."""
    g = Graph()
    x = g.var("data")
    p = g.op("Pad", "pad0", [x], mode="constant",
             pad_width="(0, 0, 0, 0, 1, 2, 0, 1)", constant_value=0.5)
    d = g.op("depth_to_space", "d2s0", [x], block_size=2)
    s = g.op("space_to_depth", "s2d0", [d], block_size=2)
    q = g.op("elemwise_sub", "sub0", [s, x])
    z = g.op("Pad", "pad1", [q], mode="constant",
             pad_width="(0, 0, 0, 0, 1, 2, 0, 1)")
    y = g.op("elemwise_add", "add0", [p, z])

    def ref(x):
        n, c, h, w = x.shape
        b = 2
        d = x.reshape(n, b, b, c // 4, h, w).transpose(0, 3, 4, 1, 5, 2)
        d = d.reshape(n, c // 4, h * b, w * b)
        s = d.reshape(n, c // 4, h, b, w, b).transpose(0, 3, 5, 1, 2, 4)
        s = s.reshape(n, c, h, w)
        pw = ((0, 0), (0, 0), (1, 2), (0, 1))
        return np.pad(x, pw, constant_values=0.5) + np.pad(s - x, pw)
    return g, (2, 8, 3, 2), ref, y


def activations():
    """hard_sigmoid, softsign, negative."""
    g = Graph()
    x = g.var("data")
    h = g.op("hard_sigmoid", "hs0", [x], alpha=0.25, beta=0.4)
    s = g.op("softsign", "ss0", [x])
    n = g.op("negative", "neg0", [s])
    y = g.op("elemwise_add", "add0", [h, n])

    def ref(x):
        return np.clip(0.25 * x + 0.4, 0, 1) - x / (1 + np.abs(x))
    return g, (3, 7), ref, y


CASES = {
    "mfm": mfm,
    "shuffle": shuffle,
    "split_squeeze": split_squeeze,
    "stack_tile": stack_tile,
    "tile_grow": tile_grow,
    "sum_keepdims": reduce_case(
        "sum", {"axis": "(1, 3)", "keepdims": "True"},
        lambda x: x.sum(axis=(1, 3), keepdims=True)),
    "mean_exclude": reduce_case(
        "mean", {"axis": "1", "exclude": "True"},
        lambda x: x.mean(axis=(0, 2, 3))),
    "max_all": reduce_case("max", {}, lambda x: x.max().reshape(1)),
    "min_axis": reduce_case("min_axis", {"axis": "-1"},
                            lambda x: x.min(axis=-1)),
    "sum_spatial": reduce_case("sum", {"axis": "(2, 3)"},
                               lambda x: x.sum(axis=(2, 3))),
    "init": init_ops,
    "heads": heads,
    "reciprocal": reciprocal,
    "broadcasts": broadcasts,
    "repeat_slice_like": repeat_slice_like,
    "pad_depth": pad_depth,
    "activations": activations,
}


def main():
    outdir = sys.argv[1]
    os.makedirs(outdir, exist_ok=True)
    rng = np.random.default_rng(7)
    lines = []
    for name, build in CASES.items():
        g, shape, ref, head = build()
        x = rng.uniform(-2, 2, size=shape).astype(np.float32)
        if name == "reciprocal":
            x = np.abs(x) + 0.25
        y = np.ascontiguousarray(ref(x.astype(np.float64)), dtype=np.float32)
        with open(os.path.join(outdir, name + "-symbol.json"), "w") as f:
            f.write(g.json(head))
        np.save(os.path.join(outdir, name + "-x.npy"), x)
        np.save(os.path.join(outdir, name + "-ref.npy"), y)
        lines.append("%s %s" % (name, ",".join(map(str, shape))))
    with open(os.path.join(outdir, "cases.txt"), "w") as f:
        f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
