#!/usr/bin/python3
"""Run an MXNet model (symbol JSON + .params) in PyTorch fp32, node by node.

The PyTorch peer of bench/fp32_vs_torch.sh: it interprets the MXNet graph with
torch ops, so q and PyTorch run exactly the same model and weights (those
q-compile --random-params=S --external-weights writes next to the library).

  /usr/bin/python3 bench/torch_mxnet.py SYMBOL.json PARAMS \
      --input=data:x.npy [--threads=T] [--bench=N] [--warmup=W] \
      [--compare=q_out.npy] [--save=torch_out.npy] [--no-jit] \
      [--int8[=ENGINE,...]] [--calib=calib.npy] [--int8-observer=histogram|minmax]

--threads takes a list (--threads=1,2): the module is built (and, with --int8,
calibrated) once and timed at each thread count in turn.

--int8 also runs torch's post-training static int8 quantization of the same
module (FX graph mode: prepare_fx with the engine's default qconfig mapping,
which folds BatchNorm into the convolutions and fuses conv+relu and add+relu;
calibration on --calib, split on axis 0 into batches of the input's batch
size, or on the input itself; then, for each thread count, convert_fx of a
copy + jit.trace + freeze: torch 1.13's onednn int8 convolutions fail when a
module first run on 1 thread runs on 2), once per engine: --int8 alone tries
every engine this torch supports (Debian's 1.13: onednn, qnnpack; fbgemm and
x86 where present), --int8=onednn one. Activations are observed with the
engine's default HistogramObserver, or min/max with --int8-observer=minmax
(q's --calib-mode=naive). softmax stays fp32 (a quantized softmax output at
1/256 steps says little). --no-fp32-bench times the int8 modules only.

Prints (one fact a line, for the shell script to parse):
  mode: how torch ran (jit.trace+freeze+optimize_for_inference, or the fallback)
  macs_per_image: multiply-accumulates of all Convolution and FullyConnected nodes
  check: rel_diff = max|q - torch| / max|torch| for --compare, top-1 agreement
  bench: min/median/max latency of one run in ms (same format as q-run --bench)
and with --int8, for each engine E:
  int8_mode E: how it ran
  int8_check E: cos C top1_agree A/N max_rel_diff R  (int8 vs this fp32 torch
      module on the input; C is the cosine of the logits: of the output, or for
      a softmax output of its log centred per row)
  int8_bench E: (same format as bench:)
  int8_error E: why this engine failed (the others still run)
then  int8_best: E median M ms (threads T)  for each thread count.

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


def logits_of(y):
    """Rows of y as logits: a softmax output (rows >= 0 summing to 1) becomes
    its log, centred per row (the logits up to a constant)."""
    y = np.asarray(y, np.float64).reshape(y.shape[0], -1)
    if y.min() >= 0 and np.allclose(y.sum(1), 1, atol=1e-3):
        y = np.log(np.maximum(y, 1e-30))
        y = y - y.mean(1, keepdims=True)
    return y


def agreement(a, b):
    """(cosine of the logits, top-1 agreement count, rows) of two outputs."""
    la, lb = logits_of(a), logits_of(b)
    cos = float((la * lb).sum() / max(np.linalg.norm(la) * np.linalg.norm(lb), 1e-300))
    return cos, int((la.argmax(1) == lb.argmax(1)).sum()), la.shape[0]


class _Inputs(nn.Module):
    """Named positional inputs for FX (it does not trace *args)."""

    def __init__(self, graph, n):
        super().__init__()
        self.g = graph
        self.n = n

    def forward(self, x0, x1=None, x2=None, x3=None):
        return self.g(*(x0, x1, x2, x3)[:self.n])


def int8_engines(spec):
    have = [e for e in torch.backends.quantized.supported_engines if e != 'none']
    if spec in (None, '', 'all'):
        return [e for e in ('onednn', 'fbgemm', 'x86', 'qnnpack') if e in have] + \
            [e for e in have if e not in ('onednn', 'fbgemm', 'x86', 'qnnpack')]
    out = []
    for e in spec.split(','):
        if e not in have:
            raise SystemExit('--int8=%s: this torch (%s) has the engines %s'
                             % (e, torch.__version__, ', '.join(have)))
        out.append(e)
    return out


def prepare_int8(model, engine, example, calib, observer):
    """Post-training static int8 quantization (FX), up to calibration."""
    import copy
    from torch.ao.quantization import QConfig, get_default_qconfig_mapping
    from torch.ao.quantization.observer import MinMaxObserver
    from torch.ao.quantization.quantize_fx import prepare_fx
    torch.backends.quantized.engine = engine
    qmap = get_default_qconfig_mapping(engine)
    if observer == 'minmax':
        base = qmap.global_qconfig
        qmap.set_global(QConfig(activation=MinMaxObserver.with_args(reduce_range=False),
                                weight=base.weight))
    qmap.set_object_type(F.softmax, None)
    qmap.set_object_type(torch.softmax, None)
    wrapped = _Inputs(copy.deepcopy(model), len(example)).eval()
    prepared = prepare_fx(wrapped, qmap, example_inputs=example)
    for batch in calib:
        prepared(*batch)
    return prepared, ('fx prepare_fx(get_default_qconfig_mapping(%r)%s)+calibrate(%d batches)+'
                      'convert_fx+jit.trace+freeze'
                      % (engine, ', minmax observer' if observer == 'minmax' else '',
                         len(calib)))


def convert_int8(prepared, example):
    """convert_fx of a copy of the calibrated module, then trace + freeze.

    Once per thread count: torch 1.13's onednn engine caches a oneDNN primitive
    in the packed weights on the first run, and a module first run on one
    thread fails on two ("could not create a primitive descriptor for a
    reorder primitive", mobilenetv2's depthwise convolutions)."""
    import copy
    from torch.ao.quantization.quantize_fx import convert_fx
    quantized = convert_fx(copy.deepcopy(prepared))
    traced = torch.jit.trace(quantized, example, check_trace=False)
    return torch.jit.freeze(traced.eval())


def bench(run, example, warmup, n):
    for _ in range(warmup):
        run(*example)
    times = []
    for _ in range(n):
        t0 = time.perf_counter()
        run(*example)
        times.append((time.perf_counter() - t0) * 1e3)
    times.sort()
    return times


def bench_line(times, batch, threads):
    return ('%d runs (batch %d, %d threads): min %.3f ms, median %.3f ms, max %.3f ms'
            % (len(times), batch, threads, times[0], float(np.median(times)), times[-1]))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('symbol')
    ap.add_argument('params')
    ap.add_argument('--input', action='append', required=True,
                    help='NAME:FILE.npy (NAME defaults to data)')
    ap.add_argument('--threads', default='1',
                    help='thread count, or a list (1,2): each is timed in turn')
    ap.add_argument('--bench', type=int, default=0, help='timed runs')
    ap.add_argument('--warmup', type=int, default=3,
                    help='untimed runs before --bench (the JIT profiles the first two)')
    ap.add_argument('--compare', help="q's output .npy: print the relative difference")
    ap.add_argument('--save', help="write torch's output .npy")
    ap.add_argument('--no-jit', action='store_true', help='time the eager module')
    ap.add_argument('--int8', nargs='?', const='all', metavar='ENGINE',
                    help='also quantize to int8 and time it with this quantized engine '
                         '(comma-separated list; default: every supported engine)')
    ap.add_argument('--calib', metavar='FILE.npy',
                    help='int8 calibration data for the first input (split on axis 0 '
                         'into batches of the input batch size; default: the input)')
    ap.add_argument('--int8-observer', choices=('histogram', 'minmax'), default='histogram',
                    help="activation observer: the engine's default (HistogramObserver) "
                         "or min/max (q's --calib-mode=naive)")
    ap.add_argument('--no-fp32-bench', action='store_true',
                    help='with --int8 and --bench: time the int8 module(s) only')
    args = ap.parse_args()

    threads = [int(t) for t in str(args.threads).split(',') if t]
    torch.set_num_threads(threads[0])
    engines = int8_engines(args.int8) if args.int8 else []
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

    calib = None
    if engines:
        if args.calib:
            c = np.ascontiguousarray(np.load(args.calib), np.float32)
            if c.shape[1:] != example[0].shape[1:]:
                raise SystemExit('--calib %s: shape %s, input %s'
                                 % (args.calib, c.shape, tuple(example[0].shape)))
            calib = [(torch.from_numpy(c[i:i + batch]),) + example[1:]
                     for i in range(0, c.shape[0] - batch + 1, batch)] or \
                [(torch.from_numpy(c),) + example[1:]]
        else:
            calib = [example]

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
        if args.bench > 0 and not (engines and args.no_fp32_bench):
            for t in threads:
                torch.set_num_threads(t)
                print('bench: ' + bench_line(bench(run, example, args.warmup, args.bench),
                                             batch, t), flush=True)
        if not engines:
            return
        best = {}
        for engine in engines:
            torch.set_num_threads(threads[0])
            try:
                t0 = time.perf_counter()
                prepared, qmode = prepare_int8(model, engine, example, calib,
                                               args.int8_observer)
                print('int8_mode %s: %s (calibrated in %.1f s)'
                      % (engine, qmode, time.perf_counter() - t0), flush=True)
                for i, t in enumerate(threads):
                    torch.set_num_threads(t)
                    qrun = convert_int8(prepared, example)
                    if i == 0:
                        qout = qrun(*example)
                        if isinstance(qout, tuple):
                            qout = qout[0]
                        qout = qout.float().contiguous().numpy()
                        cos, agree, rows = agreement(qout, ref)
                        rel = (float(np.abs(qout - ref).max())
                               / max(float(np.abs(ref).max()), 1e-30))
                        print('int8_check %s: cos %.6f top1_agree %d/%d max_rel_diff %.3g '
                              'nan %d' % (engine, cos, agree, rows, rel,
                                          int(np.isnan(qout).sum())), flush=True)
                    if args.bench > 0:
                        times = bench(qrun, example, args.warmup, args.bench)
                        print('int8_bench %s: %s' % (engine, bench_line(times, batch, t)),
                              flush=True)
                        med = float(np.median(times))
                        if t not in best or med < best[t][1]:
                            best[t] = (engine, med)
                    del qrun
                del prepared
            except Exception as e:  # reported, the other engines still run
                print('int8_error %s: %s: %s' % (engine, type(e).__name__,
                                                 (str(e).splitlines() or [''])[-1][:300]),
                      flush=True)
        for t in threads:
            if t in best:
                print('int8_best: %s median %.3f ms (threads %d)' % (best[t][0], best[t][1], t))

if __name__ == '__main__':
    main()
