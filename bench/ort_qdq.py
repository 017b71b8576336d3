#!/usr/bin/python3
"""ONNX models of an MXNet graph for the ONNX Runtime peer (bench/peers.sh).

  ort_qdq.py export SYMBOL PARAMS --shape=3,224,224 -o model.onnx
      the graph as bench/torch_mxnet.py builds it in torch (same weights),
      exported by torch.onnx (opset 13, batch axis dynamic, eval-mode
      constant folding, which folds BatchNorm into the convolutions);
  ort_qdq.py probe model.onnx -o probe.onnx
      the same model with every float tensor a graph output (bench/ort_run.js
      ranges runs it on the calibration data and writes min/max per tensor);
  ort_qdq.py qdq model.onnx ranges.json -o model-qdq.onnx
      the int8 QDQ model ONNX Runtime's own static quantization would make
      with its defaults (MinMax calibration, QDQ format): uint8 activations
      with a zero point (asymmetric min/max, the range widened to hold 0),
      int8 weights symmetric per output channel, int32 biases at step
      x_step * w_step; a QuantizeLinear/DequantizeLinear pair on every
      activation that an op ONNX Runtime runs in int8 reads (Conv, Gemm,
      MatMul, Add, pooling, Relu/Clip, Concat, Flatten/Reshape), except the
      input of a Relu/Clip right after a Conv/Gemm/Add (as ONNX Runtime's
      quantizer does: the relu folds into the int8 op), so its QDQ
      fusions turn them into QLinearConv, QGemm, QLinearAdd, ... The
      weights are the fp32 model's, so both models compute the same
      function up to quantization.

Needs Debian's python3-torch and python3-onnx.
"""

import argparse
import json
import os
import sys

import numpy as np
import onnx
from onnx import helper, numpy_helper, TensorProto

QUANTIZED_READERS = {'Conv', 'Gemm', 'MatMul', 'Add', 'MaxPool', 'AveragePool',
                     'GlobalAveragePool', 'Relu', 'Clip', 'Concat', 'Flatten',
                     'Reshape'}


def export(args):
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import torch
    from torch_mxnet import MXNetGraph, read_params
    symbol = json.load(open(args.symbol))
    model = MXNetGraph(symbol, read_params(args.params), ['data']).eval()
    shape = [1] + [int(d) for d in args.shape.split(',')]
    example = torch.zeros(shape)
    with torch.no_grad():
        torch.onnx.export(model, (example,), args.output, opset_version=13,
                          input_names=['data'], output_names=['output'],
                          dynamic_axes={'data': {0: 'N'}, 'output': {0: 'N'}},
                          do_constant_folding=True,
                          training=torch.onnx.TrainingMode.EVAL)
    m = onnx.load(args.output)
    kinds = {}
    for n in m.graph.node:
        kinds[n.op_type] = kinds.get(n.op_type, 0) + 1
    print('exported %s: %s' % (args.output, ', '.join(
        '%s %d' % kv for kv in sorted(kinds.items()))))


def float_tensors(graph):
    """Names of the float activations: the input and every node output
    whose inferred type is float (not the shape arithmetic of a flatten)."""
    inferred = onnx.shape_inference.infer_shapes(
        helper.make_model(graph)).graph
    types = {v.name: v.type.tensor_type.elem_type
             for v in list(inferred.value_info) + list(inferred.input) +
             list(inferred.output)}
    names = [i.name for i in graph.input]
    for n in graph.node:
        names += [o for o in n.output if o]
    init = {i.name for i in graph.initializer}
    return [n for n in names
            if n not in init and types.get(n) == TensorProto.FLOAT]


def probe(args):
    m = onnx.load(args.model)
    have = {o.name for o in m.graph.output}
    for name in float_tensors(m.graph):
        if name not in have:
            m.graph.output.append(
                helper.make_tensor_value_info(name, TensorProto.FLOAT, None))
    onnx.save(m, args.output)


def activation_qparams(lo, hi):
    lo, hi = min(float(lo), 0.0), max(float(hi), 0.0)
    step = (hi - lo) / 255.0 if hi > lo else 1.0
    zero = int(np.clip(round(-lo / step), 0, 255))
    return np.float32(step), np.uint8(zero)


def qdq(args):
    m = onnx.load(args.model)
    g = m.graph
    ranges = json.load(open(args.ranges))
    init = {i.name: i for i in g.initializer}
    consumers = {}
    for n in g.node:
        for i, name in enumerate(n.input):
            consumers.setdefault(name, []).append((n, i))
    new_inits, new_nodes = [], {}
    steps = {}

    def const(name, array):
        new_inits.append(numpy_helper.from_array(array, name))
        return name

    # Activations: one Q/DQ pair after each producer, read by every
    # consumer.
    outputs = {o.name for o in g.output}
    producers = {o: n for n in g.node for o in n.output}
    for name in float_tensors(g):
        users = consumers.get(name, [])
        if name in outputs or name not in ranges or \
                not any(u.op_type in QUANTIZED_READERS for u, _ in users):
            continue
        # As ONNX Runtime's quantizer: an activation right after a conv,
        # fc or add is not quantized; its output is, and the runtime folds
        # the relu into the int8 op (the zero point makes it redundant).
        producer = producers.get(name)
        if producer is not None and producer.op_type in ('Conv', 'Gemm', 'Add') \
                and len(users) == 1 and users[0][0].op_type in ('Relu', 'Clip'):
            continue
        step, zero = activation_qparams(*ranges[name])
        steps[name] = step
        s = const(name + '_qstep', np.array(step, np.float32))
        z = const(name + '_qzero', np.array(zero, np.uint8))
        q = helper.make_node('QuantizeLinear', [name, s, z], [name + '_q'],
                             name=name + '_Q')
        dq = helper.make_node('DequantizeLinear', [name + '_q', s, z],
                              [name + '_dq'], name=name + '_DQ')
        new_nodes.setdefault(name, []).extend([q, dq])
        for u, i in users:
            u.input[i] = name + '_dq'

    # Weights (per output channel, symmetric int8) and int32 biases.
    for n in g.node:
        if n.op_type not in ('Conv', 'Gemm') or len(n.input) < 2 or \
                n.input[1] not in init:
            continue
        x = n.input[0]
        src = x[:-3] if x.endswith('_dq') else None
        if src not in steps:
            continue
        if n.op_type == 'Gemm':
            attrs = {a.name: helper.get_attribute_value(a) for a in n.attribute}
            if attrs.get('transB', 0) != 1:
                continue
        w = numpy_helper.to_array(init[n.input[1]]).astype(np.float32)
        wmax = np.abs(w.reshape(w.shape[0], -1)).max(1)
        wstep = np.where(wmax > 0, wmax / 127.0, 1.0).astype(np.float32)
        wq = np.clip(np.round(w / wstep.reshape((-1,) + (1,) * (w.ndim - 1))),
                     -127, 127).astype(np.int8)
        def dequantized(i, ints, step, tag):
            # operand i of n becomes DequantizeLinear(ints, step, 0) on axis 0
            name = n.input[i]
            const(name + '_' + tag, ints)
            const(name + '_step', step.astype(np.float32))
            const(name + '_zero', np.zeros(ints.shape[0], ints.dtype))
            new_nodes[src].append(helper.make_node(
                'DequantizeLinear', [name + '_' + tag, name + '_step', name + '_zero'],
                [name + '_dq'], name=name + '_DQ', axis=0))
            n.input[i] = name + '_dq'

        dequantized(1, wq, wstep, 'int8')
        if len(n.input) > 2 and n.input[2] in init:
            b = numpy_helper.to_array(init[n.input[2]]).astype(np.float64)
            bstep = np.float64(steps[src]) * wstep.astype(np.float64)
            bq = np.clip(np.round(b / bstep), -2**31, 2**31 - 1).astype(np.int32)
            dequantized(2, bq, bstep, 'int32')

    # Insert the new nodes right after their producers (graph inputs first)
    # so the node list stays topologically sorted.
    order = list(new_nodes.get(g.input[0].name, []))
    for n in g.node:
        order.append(n)
        for o in n.output:
            order.extend(new_nodes.get(o, []))
    del g.node[:]
    g.node.extend(order)
    g.initializer.extend(new_inits)
    used = {i for n in g.node for i in n.input}
    keep = [i for i in g.initializer if i.name in used]
    del g.initializer[:]
    g.initializer.extend(keep)
    onnx.checker.check_model(m)
    onnx.save(m, args.output)
    print('qdq %s: %d activations, %d weights quantized'
          % (args.output, len(steps),
             sum(1 for i in keep if i.name.endswith('_int8'))))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    sub = ap.add_subparsers(dest='cmd', required=True)
    e = sub.add_parser('export')
    e.add_argument('symbol')
    e.add_argument('params')
    e.add_argument('--shape', required=True, help='C,H,W of one image')
    e.add_argument('-o', '--output', required=True)
    p = sub.add_parser('probe')
    p.add_argument('model')
    p.add_argument('-o', '--output', required=True)
    q = sub.add_parser('qdq')
    q.add_argument('model')
    q.add_argument('ranges')
    q.add_argument('-o', '--output', required=True)
    args = ap.parse_args()
    {'export': export, 'probe': probe, 'qdq': qdq}[args.cmd](args)


if __name__ == '__main__':
    main()
