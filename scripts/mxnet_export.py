"""Write MXNet 1.x model files (``*-symbol.json`` + ``*-NNNN.params``).

Written from the format description in
docs / shared reference "mxnet-int8-reference.md" sections 1 and 2 (NNVM
SaveJSON layout, NDArray list format); no MXNet code is used or needed.

Only numpy is required. Usage::

    b = SymbolBuilder()
    x = b.var("data")
    y = b.convolution("conv0", x, weight, kernel=(3, 3), stride=(1, 1), pad=(1, 1))
    ...
    b.save("prefix", heads=[y], epoch=0)

Entries are ``(node_id, output_index)`` pairs.
"""

import collections
import json
import struct

import numpy as np

MXNET_VERSION = 10901  # 1.9.1, stored as major*10000 + minor*100 + patch

# .params constants (src/ndarray/ndarray.cc, src/c_api/c_api.cc)
LIST_MAGIC = 0x112
NDARRAY_V2_MAGIC = 0xF993FAC9
DTYPE_CODES = {
    np.dtype(np.float32): 0, np.dtype(np.float64): 1, np.dtype(np.float16): 2,
    np.dtype(np.uint8): 3, np.dtype(np.int32): 4, np.dtype(np.int8): 5,
    np.dtype(np.int64): 6,
}
CPU_DEV_TYPE = 1


# ---------------------------------------------------------------------------
# Attribute strings, written the way MXNet's Python frontend writes them
# (str() of the keyword argument).

def fmt_attr(v):
    if isinstance(v, bool):
        return "True" if v else "False"
    if isinstance(v, (tuple, list)):
        return "(" + ", ".join(str(int(e)) for e in v) + ")" if len(v) != 1 \
            else "(%d,)" % int(v[0])
    if isinstance(v, float):
        return repr(v)  # 1e-05, 0.9
    return str(v)


# ---------------------------------------------------------------------------
# Symbol graph

class SymbolBuilder:
    """Accumulates nodes in creation order, which is a topological order as
    long as every op's inputs are created before it (always true here)."""

    # total outputs of an op (node_row_ptr counts these, not the visible ones)
    NUM_OUTPUTS = {"BatchNorm": 3}

    def __init__(self):
        self.nodes = []
        self.names = set()
        self.arg_params = collections.OrderedDict()
        self.aux_params = collections.OrderedDict()

    # -- generic ------------------------------------------------------------
    def _add(self, node):
        if node["name"] in self.names:
            raise ValueError("duplicate node name %r" % node["name"])
        self.names.add(node["name"])
        self.nodes.append(node)
        return (len(self.nodes) - 1, 0)

    def var(self, name, value=None, aux=False):
        """A variable node (op "null"). With ``value`` it is also stored in the
        .params file, as ``aux:name`` if ``aux`` else ``arg:name``."""
        e = self._add({"op": "null", "name": name, "attrs": {}, "inputs": []})
        if value is not None:
            arr = np.ascontiguousarray(value)
            (self.aux_params if aux else self.arg_params)[name] = arr
        return e

    def op(self, op, name, inputs, **attrs):
        for nid, _ in inputs:
            assert 0 <= nid < len(self.nodes)
        return self._add({
            "op": op, "name": name,
            "attrs": {k: fmt_attr(v) for k, v in attrs.items()},
            "inputs": [list(e) for e in inputs],
        })

    # -- layers (weights are numpy arrays in MXNet's layouts) --------------
    def convolution(self, name, data, weight, bias=None, stride=(1, 1),
                    pad=(0, 0), dilate=(1, 1), num_group=1):
        num_filter, _, kh, kw = weight.shape
        ins = [data, self.var(name + "_weight", weight)]
        if bias is not None:
            ins.append(self.var(name + "_bias", bias))
        return self.op("Convolution", name, ins,
                       kernel=(kh, kw), stride=tuple(stride), pad=tuple(pad),
                       dilate=tuple(dilate), num_filter=num_filter,
                       num_group=num_group, no_bias=bias is None,
                       layout="NCHW")

    def batch_norm(self, name, data, gamma, beta, mean, var, eps=1e-5,
                   momentum=0.9):
        ins = [data,
               self.var(name + "_gamma", gamma),
               self.var(name + "_beta", beta),
               self.var(name + "_moving_mean", mean, aux=True),
               self.var(name + "_moving_var", var, aux=True)]
        return self.op("BatchNorm", name, ins, axis=1, eps=float(eps),
                       momentum=float(momentum), fix_gamma=False,
                       use_global_stats=False)

    def relu(self, name, data):
        return self.op("Activation", name, [data], act_type="relu")

    def add(self, name, a, b):
        return self.op("elemwise_add", name, [a, b])

    def pooling(self, name, data, kernel, pool_type="avg", stride=(1, 1),
                pad=(0, 0), global_pool=False):
        return self.op("Pooling", name, [data], kernel=tuple(kernel),
                       pool_type=pool_type, stride=tuple(stride),
                       pad=tuple(pad), global_pool=global_pool,
                       pooling_convention="valid", layout="NCHW")

    def flatten(self, name, data):
        return self.op("Flatten", name, [data])

    def fully_connected(self, name, data, weight, bias=None):
        ins = [data, self.var(name + "_weight", weight)]
        if bias is not None:
            ins.append(self.var(name + "_bias", bias))
        return self.op("FullyConnected", name, ins,
                       num_hidden=weight.shape[0], no_bias=bias is None,
                       flatten=True)

    # -- output --------------------------------------------------------------
    def graph(self, heads):
        nodes = []
        row_ptr = [0]
        for n in self.nodes:
            out = collections.OrderedDict()
            out["op"] = n["op"]
            out["name"] = n["name"]
            if n["attrs"]:  # NNVM omits empty attrs; keys written sorted
                out["attrs"] = collections.OrderedDict(sorted(n["attrs"].items()))
            out["inputs"] = [[nid, idx, 0] for nid, idx in n["inputs"]]
            nodes.append(out)
            row_ptr.append(row_ptr[-1] + self.NUM_OUTPUTS.get(n["op"], 1))
        g = collections.OrderedDict()
        g["nodes"] = nodes
        g["arg_nodes"] = [i for i, n in enumerate(self.nodes) if n["op"] == "null"]
        g["node_row_ptr"] = row_ptr
        g["heads"] = [[nid, idx, 0] for nid, idx in heads]
        g["attrs"] = {"mxnet_version": ["int", MXNET_VERSION]}
        return g

    def save(self, prefix, heads, epoch=0):
        sym_path = "%s-symbol.json" % prefix
        par_path = "%s-%04d.params" % (prefix, epoch)
        with open(sym_path, "w") as f:
            f.write(dump_graph_json(self.graph(heads)))
        named = [("arg:" + k, v) for k, v in self.arg_params.items()]
        named += [("aux:" + k, v) for k, v in self.aux_params.items()]
        save_params(par_path, named)
        return sym_path, par_path


def dump_graph_json(g):
    """JSON in the shape NNVM's dmlc::JSONWriter produces (as seen in real
    gluon exports): 2-space indent, one key per line, one-entry objects,
    entries ([nid, idx, ver]), arg_nodes and heads inline, node_row_ptr one
    value per line."""
    enc = lambda v: json.dumps(v, separators=(", ", ": "))
    lines = ["{", '  "nodes": [']
    for i, n in enumerate(g["nodes"]):
        lines.append("    {")
        items = []
        for k, v in n.items():
            if k == "attrs" and len(v) > 1:
                inner = ", \n".join("        %s: %s" % (enc(ak), enc(av))
                                    for ak, av in v.items())
                items.append('      "attrs": {\n' + inner + "\n      }")
            else:
                items.append("      %s: %s" % (enc(k), enc(v)))
        lines.append(", \n".join(items))
        lines.append("    }" + (", " if i + 1 < len(g["nodes"]) else ""))
    lines.append("  ], ")
    lines.append('  "arg_nodes": %s, ' % enc(g["arg_nodes"]))
    lines.append('  "node_row_ptr": [')
    lines.append(", \n".join("    %d" % r for r in g["node_row_ptr"]))
    lines.append("  ], ")
    lines.append('  "heads": %s, ' % enc(g["heads"]))
    lines.append('  "attrs": %s' % enc(g["attrs"]))
    lines.append("}")
    text = "\n".join(lines) + "\n"
    json.loads(text)  # must stay valid JSON
    return text


# ---------------------------------------------------------------------------
# .params (NDArray list)

def save_params(path, named_arrays):
    """named_arrays: list of (name, numpy array). Dense, CPU, V2 records."""
    out = bytearray()
    out += struct.pack("<QQQ", LIST_MAGIC, 0, len(named_arrays))
    for _, a in named_arrays:
        a = np.ascontiguousarray(a)
        if a.ndim == 0:
            raise ValueError("V2 records cannot hold 0-d arrays")
        code = DTYPE_CODES[a.dtype]
        out += struct.pack("<Ii", NDARRAY_V2_MAGIC, 0)          # magic, stype dense
        out += struct.pack("<i", a.ndim)                          # TShape
        out += struct.pack("<%dq" % a.ndim, *a.shape)
        out += struct.pack("<ii", CPU_DEV_TYPE, 0)               # Context
        out += struct.pack("<i", code)                            # type_flag
        out += a.astype(a.dtype.newbyteorder("<"), copy=False).tobytes(order="C")
    out += struct.pack("<Q", len(named_arrays))
    for name, _ in named_arrays:
        b = name.encode("utf-8")
        out += struct.pack("<Q", len(b)) + b
    with open(path, "wb") as f:
        f.write(bytes(out))
