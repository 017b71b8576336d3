#!/usr/bin/python3
"""Run an MXNet model (symbol JSON + .params) in PyTorch fp32, node by node.

The PyTorch peer of bench/fp32_vs_torch.sh: it interprets the MXNet graph with
torch ops, so q and PyTorch run exactly the same model and weights (those
q-compile --random-params=S --external-weights writes next to the library).

  /usr/bin/python3 bench/torch_mxnet.py SYMBOL.json PARAMS \
      --input=data:x.npy [--threads=T] [--bench=N] [--warmup=W] \
      [--compare=q_out.npy] [--save=torch_out.npy] [--no-jit]

Prints (one fact a line, for the shell script to parse):
  mode: how torch ran (jit.trace+freeze+optimize_for_inference, or the fallback)
  macs_per_image: multiply-accumulates of all Convolution and FullyConnected nodes
  check: rel_diff = max|q - torch| / max|torch| for --compare, top-1 agreement
  bench: min/median/max latency of one run in ms (same format as q-run --bench)

Requirements: Debian's python3-torch (1.13) and python3-numpy. Supported ops:
Convolution, BatchNorm, Activation (relu/sigmoid/tanh/softrelu), clip,
elemwise_add/_Plus/broadcast_add/_plus/ElementWiseSum/add_n, Pooling (max/avg,
global_pool, pooling_convention valid/full), Flatten, FullyConnected, softmax,
SoftmaxOutput (label ignored), Dropout (identity).
"""

import argparse
import ast
import json
import struct
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

# --------------------------------------------------------------------------
# MXNet .params reader (NDArray list, see the int8 reference section 2).

_LIST_MAGIC = 0x112
_ND_MAGIC_V2 = 0xF993FAC9
_DTYPES = {0: np.float32, 1: np.float64, 2: np.float16, 3: np.uint8,
           4: np.int32, 5: np.int8, 6: np.int64}


def read_params(path):
    """Return {name: np.ndarray} with the arg:/aux: prefixes removed."""
    buf = open(path, 'rb').read()
    off = 0

    def take(fmt):
        nonlocal off
        vals = struct.unpack_from('<' + fmt, buf, off)
        off += struct.calcsize('<' + fmt)
        return vals

    magic, _reserved = take('QQ')
    if magic != _LIST_MAGIC:
        raise ValueError('%s: not an MXNet .params file (magic %#x)' % (path, magic))
    (count,) = take('Q')
    arrays = []
    for i in range(count):
        nd_magic, stype, ndim = take('Iii')
        if nd_magic != _ND_MAGIC_V2 or stype != 0:
            raise ValueError('%s: array %d: unsupported record (magic %#x, stype %d)'
                             % (path, i, nd_magic, stype))
        dims = take('%dq' % ndim) if ndim > 0 else ()
        _dev_type, _dev_id, type_flag = take('iii')
        if ndim == 0:
            arrays.append(None)
            continue
        dtype = np.dtype(_DTYPES[type_flag])
        n = int(np.prod(dims))
        arrays.append(np.frombuffer(buf, dtype, n, off).reshape(dims).copy())
        off += n * dtype.itemsize
    (nnames,) = take('Q')
    names = []
    for _ in range(nnames):
        (length,) = take('Q')
        names.append(buf[off:off + length].decode('utf-8'))
        off += length
    if off != len(buf):
        raise ValueError('%s: %d trailing bytes' % (path, len(buf) - off))
    if nnames != count:
        raise ValueError('%s: %d arrays but %d names' % (path, count, nnames))
    out = {}
    for name, arr in zip(names, arrays):
        if name.startswith('arg:') or name.startswith('aux:'):
            name = name[4:]
        out[name] = arr
    return out


# --------------------------------------------------------------------------
# Symbol JSON.

def _attrs(node):
    a = {}
    for key in ('param', 'attr', 'attrs'):  # legacy first, newest wins
        if isinstance(node.get(key), dict):
            a.update(node[key])
    return a


def _tuple(s):
    v = ast.literal_eval(s) if isinstance(s, str) else s
    return tuple(v) if isinstance(v, (tuple, list)) else (int(v),)


def _bool(s, default):
    if s is None:
        return default
    return str(s).strip().lower() in ('true', '1')


def _float(s, default):
    return default if s is None else float(s)


class MXNetGraph(nn.Module):
    """Executes the nodes of an MXNet symbol in order (they are topological)."""

    def __init__(self, symbol, params, input_names):
        super().__init__()
        self.nodes = symbol['nodes']
        self.heads = [tuple(h[:2]) for h in symbol['heads']]
        self.input_names = list(input_names)
        self.layers = nn.ModuleDict()
        self.steps = []       # (node id, op, attrs, [(src, idx)] data inputs, layer key)
        self.var_slots = {}   # node id -> position in forward's inputs
        self.count_macs = False
        self.macs = 0
        used = set()

        def param(nid):
            name = self.nodes[nid]['name']
            if self.nodes[nid]['op'] != 'null' or name not in params:
                raise KeyError('no parameter %r (node %d); a .params written by a '
                               'fusing q-compile holds folded conv weights: use the one '
                               'q-compile --fuse=false writes' % (name, nid))
            used.add(name)
            return torch.from_numpy(np.ascontiguousarray(params[name], np.float32))

        def named(name):
            if name not in params:
                raise KeyError('no parameter %r' % name)
            used.add(name)
            return torch.from_numpy(np.ascontiguousarray(params[name], np.float32))

        for nid, node in enumerate(self.nodes):
            op, name, a = node['op'], node['name'], _attrs(node)
            ins = [(i[0], i[1]) for i in node.get('inputs', [])]
            key = 'n%d' % nid
            if op == 'null':
                if name in self.input_names:
                    self.var_slots[nid] = self.input_names.index(name)
                continue
            if op == 'Convolution':
                w = param(ins[1][0])
                kernel = _tuple(a['kernel'])
                if len(kernel) != 2:
                    raise NotImplementedError('%s: only 2-D convolution' % name)
                groups = int(a.get('num_group', 1))
                no_bias = _bool(a.get('no_bias'), False)
                conv = nn.Conv2d(w.shape[1] * groups, w.shape[0], kernel,
                                 stride=_tuple(a.get('stride', '(1,1)')),
                                 padding=_tuple(a.get('pad', '(0,0)')),
                                 dilation=_tuple(a.get('dilate', '(1,1)')),
                                 groups=groups, bias=not no_bias)
                conv.weight.data.copy_(w)
                if not no_bias:
                    conv.bias.data.copy_(param(ins[2][0]))
                self.layers[key] = conv
                ins = ins[:1]
            elif op == 'BatchNorm':
                if int(a.get('axis', 1)) != 1:
                    raise NotImplementedError('%s: BatchNorm axis != 1' % name)
                eps = _float(a.get('eps'), 1e-3)
                fix_gamma = _bool(a.get('fix_gamma'), True)
                gamma = param(ins[1][0])
                beta = param(ins[2][0])
                if len(ins) >= 5:  # aux states listed as inputs (MXNet >= 0.9)
                    mean, var = param(ins[3][0]), param(ins[4][0])
                else:              # legacy JSON: aux states are implicit
                    mean, var = named(name + '_moving_mean'), named(name + '_moving_var')
                bn = nn.BatchNorm2d(gamma.shape[0], eps=eps)
                bn.weight.data.copy_(torch.ones_like(gamma) if fix_gamma else gamma)
                bn.bias.data.copy_(beta)
                bn.running_mean.data.copy_(mean)
                bn.running_var.data.copy_(var)
                self.layers[key] = bn
                ins = ins[:1]
            elif op == 'FullyConnected':
                w = param(ins[1][0])
                no_bias = _bool(a.get('no_bias'), False)
                fc = nn.Linear(w.shape[1], w.shape[0], bias=not no_bias)
                fc.weight.data.copy_(w)
                if not no_bias:
                    fc.bias.data.copy_(param(ins[2][0]))
                self.layers[key] = fc
                ins = ins[:1]
            elif op in ('SoftmaxOutput', 'Softmax'):
                ins = ins[:1]  # the label input is ignored
            elif op == 'Pooling':
                self._check_pooling(name, a)
            elif op in ('Activation', 'clip', 'elemwise_add', '_Plus', '_plus',
                        'broadcast_add', 'ElementWiseSum', 'add_n', 'Flatten',
                        'flatten', 'softmax', 'Dropout'):
                pass
            else:
                raise NotImplementedError('%s: op %s' % (name, op))
            for src, _ in ins:
                if self.nodes[src]['op'] == 'null' and src not in self.var_slots:
                    raise NotImplementedError('%s: parameter %r used as data'
                                              % (name, self.nodes[src]['name']))
            self.steps.append((nid, op, a, ins, key if key in self.layers else None))
        self.unused_params = sorted(set(params) - used)

    @staticmethod
    def _check_pooling(name, a):
        if _bool(a.get('global_pool'), False):
            return
        conv = a.get('pooling_convention', 'valid')
        if conv not in ('valid', 'full'):
            raise NotImplementedError('%s: pooling_convention %s' % (name, conv))
        if a.get('pool_type', 'max') not in ('max', 'avg'):
            raise NotImplementedError('%s: pool_type %s' % (name, a.get('pool_type')))
        if len(_tuple(a['kernel'])) != 2:
            raise NotImplementedError('%s: only 2-D pooling' % name)

    @staticmethod
    def _pool(x, a):
        ptype = a.get('pool_type', 'max')
        if _bool(a.get('global_pool'), False):
            return (F.adaptive_max_pool2d(x, 1) if ptype == 'max'
                    else F.adaptive_avg_pool2d(x, 1))
        k = _tuple(a['kernel'])
        s = _tuple(a.get('stride', '(1,1)'))
        p = _tuple(a.get('pad', '(0,0)'))
        if a.get('pooling_convention', 'valid') == 'valid':
            if ptype == 'max':
                return F.max_pool2d(x, k, s, p)
            # MXNet's avg pooling counts the padding (count_include_pad=True).
            return F.avg_pool2d(x, k, s, p, count_include_pad=True)
        # 'full': out = 1 + ceil((in + 2p - k) / s), no window is dropped
        # (torch's ceil_mode drops a window that starts in the padding).
        h, w = x.shape[2], x.shape[3]
        oh = 1 + -(-(h + 2 * p[0] - k[0]) // s[0])
        ow = 1 + -(-(w + 2 * p[1] - k[1]) // s[1])
        eh = (oh - 1) * s[0] + k[0] - (h + 2 * p[0])
        ew = (ow - 1) * s[1] + k[1] - (w + 2 * p[1])
        pads = (p[1], p[1] + ew, p[0], p[0] + eh)
        if ptype == 'max':
            return F.max_pool2d(F.pad(x, pads, value=float('-inf')), k, s)
        # avg: the divisor counts the window inside [-p, in + p) only.
        total = F.avg_pool2d(F.pad(x, pads), k, s, divisor_override=1)
        ones = F.pad(torch.ones(1, 1, h + 2 * p[0], w + 2 * p[1], dtype=x.dtype),
                     (0, ew, 0, eh))
        count = F.avg_pool2d(ones, k, s, divisor_override=1)
        return total / count

    def forward(self, *inputs):
        env = {}
        for nid, slot in self.var_slots.items():
            env[(nid, 0)] = inputs[slot]
        for nid, op, a, ins, key in self.steps:
            xs = [env[i] for i in ins]
            x = xs[0]
            if key is not None:
                layer = self.layers[key]
                if op == 'FullyConnected' and _bool(a.get('flatten'), True):
                    x = x.reshape(x.shape[0], -1)
                y = layer(x)
                if self.count_macs:
                    if op == 'Convolution':
                        kh, kw = layer.kernel_size
                        self.macs += (y.numel() * (layer.in_channels // layer.groups)
                                      * kh * kw)
                    elif op == 'FullyConnected':
                        self.macs += y.numel() * layer.in_features
            elif op == 'Activation':
                act = a.get('act_type', 'relu')
                if act == 'relu':
                    y = F.relu(x)
                elif act == 'sigmoid':
                    y = torch.sigmoid(x)
                elif act == 'tanh':
                    y = torch.tanh(x)
                elif act == 'softrelu':
                    y = F.softplus(x)
                else:
                    raise NotImplementedError('Activation %s' % act)
            elif op == 'clip':
                y = torch.clamp(x, float(a['a_min']), float(a['a_max']))
            elif op in ('elemwise_add', '_Plus', '_plus', 'broadcast_add',
                        'ElementWiseSum', 'add_n'):
                y = xs[0]
                for other in xs[1:]:
                    y = y + other
            elif op == 'Pooling':
                y = self._pool(x, a)
            elif op in ('Flatten', 'flatten'):
                y = x.reshape(x.shape[0], -1)
            elif op == 'softmax':
                y = F.softmax(x, dim=int(a.get('axis', -1)))
            elif op in ('SoftmaxOutput', 'Softmax'):
                y = F.softmax(x.reshape(x.shape[0], -1), dim=1).reshape(x.shape)
            elif op == 'Dropout':
                y = x
            else:
                raise NotImplementedError(op)
            env[(nid, 0)] = y
        self.count_macs = False  # count one forward only (trace re-runs it)
        outs = [env[h] for h in self.heads]
        return outs[0] if len(outs) == 1 else tuple(outs)


def load_npy_input(spec):
    name, _, path = spec.rpartition(':')
    return (name or 'data'), np.load(path)


def optimize(module, example):
    """torch at its best fp32: trace + freeze + optimize_for_inference."""
    try:
        # The trace's forward counts the MACs (once: no check_trace re-run;
        # --compare checks the optimized module against eager instead).
        if module.count_macs:
            module.macs = 0
        traced = torch.jit.trace(module, example, check_trace=False)
        frozen = torch.jit.freeze(traced.eval())
        return torch.jit.optimize_for_inference(frozen), \
            'jit.trace+freeze+optimize_for_inference'
    except Exception as e:  # pragma: no cover - reported, not hidden
        print('warning: optimize_for_inference failed (%s: %s); trying trace+freeze'
              % (type(e).__name__, (str(e).splitlines() or [""])[0][:200]), file=sys.stderr)
    try:
        if module.count_macs:  # the trace's forward counts them
            module.macs = 0
        traced = torch.jit.trace(module, example, check_trace=False)
        return torch.jit.freeze(traced.eval()), 'jit.trace+freeze (fallback)'
    except Exception as e:  # pragma: no cover
        print('warning: jit.freeze failed (%s: %s); running eager'
              % (type(e).__name__, (str(e).splitlines() or [""])[0][:200]), file=sys.stderr)
    if module.count_macs:
        module.macs = 0
        module(*example)
    return module, 'eager (fallback)'


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('symbol')
    ap.add_argument('params')
    ap.add_argument('--input', action='append', required=True,
                    help='NAME:FILE.npy (NAME defaults to data)')
    ap.add_argument('--threads', type=int, default=1)
    ap.add_argument('--bench', type=int, default=0, help='timed runs')
    ap.add_argument('--warmup', type=int, default=3,
                    help='untimed runs before --bench (the JIT profiles the first two)')
    ap.add_argument('--compare', help="q's output .npy: print the relative difference")
    ap.add_argument('--save', help="write torch's output .npy")
    ap.add_argument('--no-jit', action='store_true', help='time the eager module')
    args = ap.parse_args()

    torch.set_num_threads(args.threads)
    symbol = json.load(open(args.symbol))
    params = read_params(args.params)
    inputs = [load_npy_input(s) for s in args.input]
    model = MXNetGraph(symbol, params, [n for n, _ in inputs]).eval()
    if model.unused_params:
        print('warning: %d parameters unused by the graph, e.g. %s'
              % (len(model.unused_params), model.unused_params[0]), file=sys.stderr)
    example = tuple(torch.from_numpy(np.ascontiguousarray(x, np.float32))
                    for _, x in inputs)
    batch = example[0].shape[0]

    with torch.no_grad():
        # MACs are counted from the shapes seen by the first forward (the
        # eager run, or the one torch.jit.trace records).
        model.count_macs = True
        eager_out = None
        if args.no_jit or args.compare:
            eager_out = model(*example)
        if args.no_jit:
            run, mode = model, 'eager'
        else:
            run, mode = optimize(model, example)
        model.count_macs = False
        print('macs_per_image: %d' % (model.macs // batch))
        print('mode: %s' % mode)
        out = run(*example)
        if isinstance(out, tuple):
            out = out[0]
            eager_out = eager_out[0] if eager_out is not None else None
        out = out.float().contiguous()
        ref = out.numpy()
        if eager_out is not None:
            jit_vs_eager = (float((out - eager_out).abs().max())
                            / max(float(eager_out.abs().max()), 1e-30))
            print('jit_vs_eager: %.3g' % jit_vs_eager)
        if args.save:
            np.save(args.save, ref)
        if args.compare:
            q = np.load(args.compare).astype(np.float32)
            if q.shape != ref.shape:
                print('check: rel_diff nan shape_mismatch q %s torch %s' % (q.shape, ref.shape))
            else:
                scale = float(np.abs(ref).max())
                rel = float(np.abs(q - ref).max()) / max(scale, 1e-30)
                qa = q.reshape(q.shape[0], -1).argmax(1)
                ta = ref.reshape(ref.shape[0], -1).argmax(1)
                # rel_diff = max |q - torch| / max |torch|
                print('check: rel_diff %.3g max_abs_torch %.4g top1_agree %d/%d nan %d'
                      % (rel, scale, int((qa == ta).sum()), len(qa),
                         int(np.isnan(q).sum())))
        if args.bench > 0:
            for _ in range(args.warmup):
                run(*example)
            times = []
            for _ in range(args.bench):
                t0 = time.perf_counter()
                run(*example)
                times.append((time.perf_counter() - t0) * 1e3)
            times.sort()
            print('bench: %d runs (batch %d, %d threads): min %.3f ms, median %.3f ms, '
                  'max %.3f ms' % (len(times), batch, args.threads, times[0],
                                   float(np.median(times)), times[-1]))


if __name__ == '__main__':
    main()
