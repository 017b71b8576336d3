"""Writes a small fp32 MXNet graph and the int8 graphs MXNet's own flow
(quantize_model_mkldnn, reference section 1.3) makes of it, for
test/e2e/mxnet-quantized.test. No numpy: the graphs are tiny.

  mxnet-quantized-block.py fp32 OUT-symbol.json
  mxnet-quantized-block.py quantized VARIANT CALIB.json FP32.params \
      OUT-symbol.json OUT.params

The fp32 graph (input data 1x3x8x8):
  conv0 -> bn0 -> relu0                          (_sg_mkldnn_conv with_bn, with_act)
  relu0 -> conv1 -> bn1 -> + relu0 -> relu1      (with_bn, with_sum, with_postsum_act)
  relu0 -> conv2 (bias) -> relu2                 (with_act, no bn)
  concat0 = Concat(relu1, relu2)                 (_contrib_quantized_concat)
  pool0 = max pool, pool1 = avg pool of concat0  (_contrib_quantized_pooling)
  add0 = pool0 + pool1                           (_contrib_quantized_elemwise_add)
  flatten0 -> fc0 -> relu3                       (channel-wise _sg_mkldnn_fully_connected)
  fc1                                            (tensor-wise, offline int8 weights)

VARIANT:
  fused      the graph after MXNet's post-quantize folding: the convs, the
             add and fc0 carry min/max_calib_range, fc1 has
             enable_float_output;
  requantize the graph before it: int32 convs/add/fcs, each followed by
             _contrib_requantize, and a _contrib_dequantize before the head;
  onednn     `fused` with MXNet 2.0's _sg_onednn_* names.
The ranges are the naive ones of CALIB.json (q-calibrate on the fp32
graph). Parameters stay fp32 (MXNet's FAvoidQuantizeInput) except fc1's,
which become MXNet's offline int8 `<name>_quantize` + `_min`/`_max`.
"""
import json
import math
import struct
import sys


class Graph:
    def __init__(self):
        self.nodes = []

    def add(self, op, name, inputs=(), attrs=None, subgraphs=None):
        node = {"op": op, "name": name,
                "inputs": [list(i) if len(i) == 3 else [i[0], i[1], 0]
                           for i in inputs]}
        if attrs:
            node["attrs"] = {k: str(v) for k, v in attrs.items()}
        if subgraphs:
            node["subgraphs"] = subgraphs
        self.nodes.append(node)
        return len(self.nodes) - 1

    def var(self, name):
        return self.add("null", name)

    def to_json(self, heads):
        graph = {"nodes": self.nodes,
                 "arg_nodes": [i for i, n in enumerate(self.nodes)
                               if n["op"] == "null"],
                 "heads": [[h, 0, 0] for h in heads]}
        return graph


CONV = {
    "conv0": dict(kernel="(3, 3)", pad="(1, 1)", num_filter=8, no_bias="True"),
    "conv1": dict(kernel="(3, 3)", pad="(1, 1)", num_filter=8, no_bias="True"),
    "conv2": dict(kernel="(1, 1)", num_filter=8, no_bias="False"),
}
BN = dict(eps="1e-05", fix_gamma="False")


def fp32_graph():
    g = Graph()
    data = g.var("data")

    def conv(name, x):
        ins = [(x, 0), (g.var(name + "_weight"), 0)]
        if CONV[name]["no_bias"] == "False":
            ins.append((g.var(name + "_bias"), 0))
        return g.add("Convolution", name, ins, CONV[name])

    def bn(name, x):
        return g.add("BatchNorm", name,
                     [(x, 0)] + [(g.var(name + s), 0) for s in
                                 ("_gamma", "_beta", "_moving_mean",
                                  "_moving_var")], BN)

    relu = lambda name, x: g.add("Activation", name, [(x, 0)],
                                 {"act_type": "relu"})
    relu0 = relu("relu0", bn("bn0", conv("conv0", data)))
    plus0 = g.add("elemwise_add", "_plus0",
                  [(bn("bn1", conv("conv1", relu0)), 0), (relu0, 0)])
    relu1 = relu("relu1", plus0)
    relu2 = relu("relu2", conv("conv2", relu0))
    concat0 = g.add("Concat", "concat0", [(relu1, 0), (relu2, 0)],
                    {"dim": 1, "num_args": 2})
    pool = dict(kernel="(2, 2)", stride="(2, 2)")
    pool0 = g.add("Pooling", "pool0", [(concat0, 0)],
                  dict(pool, pool_type="max"))
    pool1 = g.add("Pooling", "pool1", [(concat0, 0)],
                  dict(pool, pool_type="avg"))
    add0 = g.add("elemwise_add", "add0", [(pool0, 0), (pool1, 0)])
    flat = g.add("Flatten", "flatten0", [(add0, 0)])
    fc0 = g.add("FullyConnected", "fc0",
                [(flat, 0), (g.var("fc0_weight"), 0), (g.var("fc0_bias"), 0)],
                {"num_hidden": 32})
    relu3 = relu("relu3", fc0)
    fc1 = g.add("FullyConnected", "fc1",
                [(relu3, 0), (g.var("fc1_weight"), 0),
                 (g.var("fc1_bias"), 0)], {"num_hidden": 10})
    return g.to_json([fc1])


def inner(ops):
    """A fused node's inner fp32 graph: `ops` is a list of (op, name, attrs,
    extra variable names) applied in a chain to data0."""
    g = Graph()
    last = g.var("data0")
    for op, name, attrs, extra in ops:
        ins = [(last, 0)] + [(g.var(v), 0) for v in extra]
        if op == "elemwise_add":
            ins = [(last, 0), (g.var("sum0"), 0)]
        last = g.add(op, name, ins, attrs)
    graph = g.to_json([last])
    graph["node_row_ptr"] = list(range(len(g.nodes) + 1))
    return [graph]


def quantized_graph(variant, calib):
    fused = variant != "requantize"
    g = Graph()

    def rng(tensor):
        if tensor not in calib:
            sys.exit("calibration table lacks '%s'" % tensor)
        lo, hi = calib[tensor]["min"], calib[tensor]["max"]
        return {"min_calib_range": "%f" % lo, "max_calib_range": "%f" % hi}

    def requantize(node, tensor, name):
        """MXNet's graph before post-quantize folding: an int32 node and a
        calibrated requantize reading its (data, min, max)."""
        attrs = dict(rng(tensor), out_type="auto")
        return g.add("_contrib_requantize", "requantize_" + name,
                     [(node, 0), (node, 1), (node, 2)], attrs)

    data = g.var("data")
    q = g.add("_contrib_quantize_v2", "data_quantize", [(data, 0)],
              dict(rng("data"), out_type="auto"))

    def conv(name, x, bn=None, act=None, sum_=None, out=None):
        conv_attrs = dict(CONV[name])
        weights = [name + "_weight"]
        if conv_attrs["no_bias"] == "False":
            weights.append(name + "_bias")
        chain = [("Convolution", name, conv_attrs,
                  [w + "0" for w in weights])]
        ins = [(x, 0)] + [(g.var(w), 0) for w in weights]
        attrs = {"quantized": "true"}
        if bn:
            attrs["with_bn"] = "true"
            stats = [bn + s for s in ("_gamma", "_beta", "_moving_mean",
                                      "_moving_var")]
            chain.append(("BatchNorm", bn, BN, [s + "0" for s in stats]))
            ins += [(g.var(s), 0, 1 if "moving" in s else 0) for s in stats]
        if act and not sum_:
            attrs["with_act"] = "true"
            chain.append(("Activation", act, {"act_type": "relu"}, []))
        if sum_ is not None:
            attrs["with_sum"] = "true"
            chain.append(("elemwise_add", name + "_plus", {}, []))
            ins.append((sum_, 0))
            if act:
                attrs["with_postsum_act"] = "true"
                chain.append(("Activation", act, {"act_type": "relu"}, []))
        ins += [(x, 1), (x, 2)]
        if sum_ is not None:
            ins += [(sum_, 1), (sum_, 2)]
        parts = "conv_" + ("bn_" if bn else "") + ("add_" if sum_ else "") + \
            ("act_" if act else "")
        sg = "sg_mkldnn_" + parts + name[-1]
        if fused:
            attrs.update(rng(out + "_output"))
        node = g.add("_sg_mkldnn_conv", "quantized_" + sg, ins, attrs,
                     inner(chain))
        return node if fused else requantize(node, out + "_output", sg)

    relu0 = conv("conv0", q, bn="bn0", act="relu0", out="relu0")
    relu1 = conv("conv1", relu0, bn="bn1", act="relu1", sum_=relu0,
                 out="relu1")
    relu2 = conv("conv2", relu0, act="relu2", out="relu2")
    concat0 = g.add("_contrib_quantized_concat", "quantized_concat0",
                    [(relu1, 0), (relu2, 0), (relu1, 1), (relu1, 2),
                     (relu2, 1), (relu2, 2)], {"dim": 1, "num_args": 2})
    pool = dict(kernel="(2, 2)", stride="(2, 2)")
    trip = lambda n: [(n, 0), (n, 1), (n, 2)]
    pool0 = g.add("_contrib_quantized_pooling", "quantized_pool0",
                  trip(concat0), dict(pool, pool_type="max"))
    pool1 = g.add("_contrib_quantized_pooling", "quantized_pool1",
                  trip(concat0), dict(pool, pool_type="avg"))
    add_attrs = rng("add0_output") if fused else {}
    add0 = g.add("_contrib_quantized_elemwise_add", "quantized_add0",
                 [(pool0, 0), (pool1, 0), (pool0, 1), (pool0, 2),
                  (pool1, 1), (pool1, 2)], add_attrs)
    if not fused:
        add0 = requantize(add0, "add0_output", "add0")
    flat = g.add("_contrib_quantized_flatten", "quantized_flatten0",
                 trip(add0))
    fc0_attrs = {"quantized": "True", "channel_wise_quantize": "True",
                 "with_eltwise": "True"}
    if fused:
        fc0_attrs.update(rng("relu3_output"))
    fc0 = g.add("_sg_mkldnn_fully_connected",
                "quantized_sg_mkldnn_fully_connected_eltwise_0",
                [(flat, 0), (g.var("fc0_weight"), 0), (g.var("fc0_bias"), 0),
                 (flat, 1), (flat, 2)], fc0_attrs,
                inner([("FullyConnected", "fc0", {"num_hidden": 32},
                        ["fc0_weight0", "fc0_bias0"]),
                       ("Activation", "relu3", {"act_type": "relu"}, [])]))
    if not fused:
        fc0 = requantize(fc0, "relu3_output", "fc0")
    # Tensor-wise FC: offline int8 weight and bias with their ranges.
    names = ["fc1_weight_quantize", "fc1_bias_quantize"]
    ins = [(fc0, 0)] + [(g.var(n), 0) for n in names] + [(fc0, 1), (fc0, 2)]
    for n in names:
        ins += [(g.var(n + "_min"), 0), (g.var(n + "_max"), 0)]
    fc1_attrs = {"quantized": "True"}
    if fused:
        fc1_attrs["enable_float_output"] = "True"
    fc1 = g.add("_sg_mkldnn_fully_connected",
                "quantized_sg_mkldnn_fully_connected_1", ins, fc1_attrs,
                inner([("FullyConnected", "fc1", {"num_hidden": 10},
                        ["fc1_weight0", "fc1_bias0"])]))
    head = fc1
    if not fused:
        head = g.add("_contrib_dequantize", "fc1_dequantize",
                     trip(requantize(fc1, "fc1_output", "fc1")))
    graph = g.to_json([head])
    if variant == "onednn":
        for n in graph["nodes"]:
            n["op"] = n["op"].replace("_sg_mkldnn_", "_sg_onednn_")
    return graph


# .params files (V2 records, as MXNet 1.x writes them).
DTYPES = {0: ("f", 4), 5: ("b", 1)}


def read_params(path):
    data = open(path, "rb").read()
    pos = 24
    count = struct.unpack_from("<Q", data, 16)[0]
    arrays = []
    for _ in range(count):
        _, _, ndim = struct.unpack_from("<Iii", data, pos)
        pos += 12
        shape = struct.unpack_from("<%dq" % ndim, data, pos)
        pos += 8 * ndim
        _, _, dtype = struct.unpack_from("<iii", data, pos)
        pos += 12
        n = math.prod(shape)
        fmt, size = DTYPES[dtype]
        values = list(struct.unpack_from("<%d%s" % (n, fmt), data, pos))
        pos += n * size
        arrays.append([dtype, shape, values])
    pos += 8
    for a in arrays:
        (length,) = struct.unpack_from("<Q", data, pos)
        a.insert(0, data[pos + 8:pos + 8 + length].decode())
        pos += 8 + length
    return arrays


def write_params(path, arrays):
    out = struct.pack("<QQQ", 0x112, 0, len(arrays))
    for name, dtype, shape, values in arrays:
        fmt, _ = DTYPES[dtype]
        out += struct.pack("<Iii", 0xF993FAC9, 0, len(shape))
        out += struct.pack("<%dq" % len(shape), *shape)
        out += struct.pack("<iii", 1, 0, dtype)
        out += struct.pack("<%d%s" % (len(values), fmt), *values)
    out += struct.pack("<Q", len(arrays))
    for name, *_ in arrays:
        out += struct.pack("<Q", len(name)) + name.encode()
    open(path, "wb").write(out)


def offline_int8(name, shape, values):
    """MXNet's _quantize_params: int8 with 127/absmax, round half away."""
    absmax = max(abs(v) for v in values)
    q = [int(math.copysign(min(abs(v) * 127 / absmax + 0.5, 127), v))
         for v in values]
    return [[name, 5, shape, q],
            [name + "_min", 0, (1,), [-absmax]],
            [name + "_max", 0, (1,), [absmax]]]


def main():
    if sys.argv[1] == "fp32":
        graph = fp32_graph()
        out = sys.argv[2]
    else:
        variant, calib_path, params_in, out, params_out = sys.argv[2:7]
        calib = json.load(open(calib_path))["tensors"]
        graph = quantized_graph(variant, calib)
        arrays = []
        for name, dtype, shape, values in read_params(params_in):
            prefix, _, bare = name.partition(":")
            if bare in ("fc1_weight", "fc1_bias"):
                arrays += [["arg:" + a[0]] + a[1:] for a in
                           offline_int8(bare + "_quantize", shape, values)]
            else:
                arrays.append([name, dtype, shape, values])
        write_params(params_out, arrays)
    graph["attrs"] = {"mxnet_version": ["int", 10901]}
    with open(out, "w") as f:
        json.dump(graph, f, indent=1)


main()
