// q-quantize follows MXNet's QuantizeGraph pass (reference 4.5): convs and
// fcs must be quantized, support ops may be (all of them in full mode, only
// those between quantized convs/fcs in smart mode); one quantize per fp32
// value, a requantize after every int32 producer, a dequantize before fp32
// consumers and results.
// RUN: q-opt %s --split-input-file --q-quantize --mlir-print-debuginfo=false | FileCheck %s
// RUN: q-opt %s --split-input-file --q-quantize="mode=full" --mlir-print-debuginfo=false | FileCheck %s --check-prefix=FULL
// RUN: q-opt %s --split-input-file --q-quantize --mlir-print-debuginfo --mlir-print-local-scope | FileCheck %s --check-prefix=NAMES
// RUN: q-opt %s --split-input-file --q-quantize="dtype=uint8" --mlir-print-debuginfo=false | FileCheck %s --check-prefix=UINT8
// RUN: q-opt %s --split-input-file --q-quantize="dtype=int8 granularity=tensor" --mlir-print-debuginfo=false | FileCheck %s --check-prefix=TENSOR
// RUN: q-opt %s --q-quantize="exclude=conv1,bn7" --mlir-print-debuginfo=false | FileCheck %s --check-prefix=EXCL
// RUN: q-opt %s --split-input-file --q-quantize="weight-bits=7" --mlir-print-debuginfo=false | FileCheck %s --check-prefix=BITS7

// conv -> relu -> pool -> conv -> flatten -> fc, with a pooling on the graph
// input before the first conv. Smart mode keeps that pooling fp32 (nothing
// quantized feeds it); the pooling and flatten between quantized ops run on
// int8 data with no requantize (they pass scales through).
// CHECK-LABEL: func.func @chain
// Weights: i8 constants with one step per output channel; absmax 0.5 and
// 1.0 give 0.5/127.5 and 1/127.5. The f32 weights are gone; the bias stays
// f32 until calibration.
// CHECK: %[[W0:.*]] = quant.scast %{{.*}} : tensor<2x4x1x1xi8> to tensor<2x4x1x1x!quant.uniform<i8:f32:0, {0.0039215686274509803,0.0078431372549019607}>>
// CHECK-NOT: tensor<2x4x1x1xf32>
// CHECK: %[[P0:.*]] = q.pooling avg %arg0 {{.*}} : tensor<1x4x8x8xf32>
// CHECK: %[[Q:.*]] = q.quantize %[[P0]] <{out_type = #q<quant_dtype auto>}> : tensor<1x4x8x8xf32> -> tensor<1x4x8x8x!quant.any<i8:f32>>
// CHECK: %[[C0:.*]] = q.fused_conv %[[Q]], %[[W0]] bias(%{{.*}}) <{act = #q.eltwise<relu>}> : (tensor<1x4x8x8x!quant.any<i8:f32>>, tensor<2x4x1x1x!quant.uniform<i8:f32:0, {{.*}}>>, tensor<2xf32>) -> tensor<1x2x8x8x!quant.any<i32:f32>>
// A relu output is uint8 whatever the dtype (MXNet's IsOutputUInt8).
// CHECK: %[[R0:.*]] = q.requantize %[[C0]] <{out_type = #q<quant_dtype uint8>}> : tensor<1x2x8x8x!quant.any<i32:f32>> -> tensor<1x2x8x8x!quant.any<u8:f32>>
// CHECK: %[[P1:.*]] = q.pooling max %[[R0]] {{.*}} : tensor<1x2x8x8x!quant.any<u8:f32>>
// CHECK: %[[C1:.*]] = q.fused_conv %[[P1]], %{{.*}} : ({{.*}}) -> tensor<1x2x4x4x!quant.any<i32:f32>>
// CHECK: %[[R1:.*]] = q.requantize %[[C1]]
// CHECK: %[[F:.*]] = q.flatten %[[R1]] : tensor<1x2x4x4x!quant.any<i8:f32>>
// CHECK: %[[FC:.*]] = q.fused_fc %[[F]], %{{.*}} bias(%{{.*}}) : (tensor<1x32x!quant.any<i8:f32>>, tensor<3x32x!quant.uniform<i8:f32:0, {{.*}}>>, tensor<3xf32>) -> tensor<1x3x!quant.any<i32:f32>>
// CHECK: %[[R2:.*]] = q.requantize %[[FC]]
// CHECK: %[[D:.*]] = q.dequantize %[[R2]] : tensor<1x3x!quant.any<i8:f32>>
// CHECK: return %[[D]] : tensor<1x3xf32>
// 7-bit weights: absmax maps to 63.5 and values clamp to [-64, 63]:
// conv0's rows [0.5, -0.25, 0.125, 0] and [1, 0.5, -1, 0.25] become
// [63, -32, 16, 0] and [63, 32, -64, 16] (63.5 rounds to even 64, then
// clamps), steps 0.5/63.5 and 1/63.5.
// BITS7-LABEL: func.func @chain
// BITS7: tensor<2x4x1x1x!quant.uniform<i8:f32:0, {0.0078740157480314959,0.015748031496062992}>>
// BITS7: conv0_weight_quantize: "0x010000003FE010003F20C010"
// Full mode quantizes the first pooling too: the quantize moves to the
// graph input.
// FULL-LABEL: func.func @chain
// FULL: %[[Q:.*]] = q.quantize %arg0
// FULL: %[[P0:.*]] = q.pooling avg %[[Q]] {{.*}} : tensor<1x4x8x8x!quant.any<i8:f32>>
// FULL: q.fused_conv %[[P0]]
// Names follow MXNet: `<producer>_quantize` for the value it quantizes,
// `requantize_<node>`, `<node>_dequantize`, `<weight>_quantize`.
// NAMES-LABEL: func.func @chain
// NAMES: arith.constant dense_resource<conv0_weight_quantize> : tensor<2x4x1x1xi8> loc("conv0_weight_quantize")
// NAMES: q.quantize {{.*}} loc("pool_in_quantize")
// NAMES: q.requantize {{.*}} loc("requantize_relu0")
// NAMES: q.requantize {{.*}} loc("requantize_conv1")
// NAMES: q.requantize {{.*}} loc("requantize_fc0")
// NAMES: q.dequantize {{.*}} loc("fc0_dequantize")
// dtype=uint8: every quantize and requantize writes u8.
// UINT8-LABEL: func.func @chain
// UINT8: q.quantize {{.*}}out_type = #q<quant_dtype uint8>{{.*}} -> tensor<1x4x8x8x!quant.any<u8:f32>>
// UINT8: q.requantize {{.*}}out_type = #q<quant_dtype uint8>{{.*}} -> tensor<1x2x8x8x!quant.any<u8:f32>>
// Per-tensor weights: one step for the tensor, 1/127.5.
// TENSOR-LABEL: func.func @chain
// (out_type int8 is the default and is not printed.)
// TENSOR: quant.scast %{{.*}} : tensor<2x4x1x1xi8> to tensor<2x4x1x1x!quant.uniform<i8:f32, 0.0078431372549019607>>
// TENSOR: q.quantize %{{.*}} : tensor<1x4x8x8xf32> -> tensor<1x4x8x8x!quant.any<i8:f32>>
// TENSOR: q.requantize %{{.*}} <{out_type = #q<quant_dtype uint8>}> : tensor<1x2x8x8x!quant.any<i32:f32>> -> tensor<1x2x8x8x!quant.any<u8:f32>>
// exclude=conv1: conv1 stays fp32, so the pooling before it is no longer
// sandwiched and reads a dequantize; the fc gets a quantize of its own.
// EXCL-LABEL: func.func @chain
// EXCL: %[[P0:.*]] = q.pooling avg %arg0
// EXCL: q.quantize %[[P0]]
// EXCL: %[[R0:.*]] = q.requantize
// EXCL: %[[D0:.*]] = q.dequantize %[[R0]]
// EXCL: %[[P1:.*]] = q.pooling max %[[D0]] {{.*}} : tensor<1x2x8x8xf32>
// EXCL: %[[C1:.*]] = q.fused_conv %[[P1]], %{{.*}} : (tensor<1x2x4x4xf32>, tensor<2x2x3x3xf32>) -> tensor<1x2x4x4xf32>
// EXCL: %[[F:.*]] = q.flatten %[[C1]] : tensor<1x2x4x4xf32>
// EXCL: %[[Q:.*]] = q.quantize %[[F]]
// EXCL: q.fused_fc %[[Q]]
// In full mode, exclude=pool_in keeps that pooling fp32 and
// exclude-ops=flatten the flatten; pool0 runs in int8 and is dequantized
// for the excluded conv1.
// RUN: q-opt %s --q-quantize="mode=full exclude=pool_in,conv1 exclude-ops=flatten" --mlir-print-debuginfo=false | FileCheck %s --check-prefix=EXCLFULL
// EXCLFULL-LABEL: func.func @chain
// EXCLFULL: %[[P0:.*]] = q.pooling avg %arg0 {{.*}} : tensor<1x4x8x8xf32>
// EXCLFULL: q.quantize %[[P0]]
// EXCLFULL: %[[R0:.*]] = q.requantize
// EXCLFULL: %[[P1:.*]] = q.pooling max %[[R0]] {{.*}} : tensor<1x2x8x8x!quant.any<u8:f32>>
// EXCLFULL: %[[D1:.*]] = q.dequantize %[[P1]]
// EXCLFULL: %[[C1:.*]] = q.fused_conv %[[D1]], %{{.*}} : (tensor<1x2x4x4xf32>, tensor<2x2x3x3xf32>) -> tensor<1x2x4x4xf32>
// EXCLFULL: %[[F:.*]] = q.flatten %[[C1]] : tensor<1x2x4x4xf32>
// EXCLFULL: %[[Q:.*]] = q.quantize %[[F]]
// EXCLFULL: q.fused_fc %[[Q]]
func.func @chain(%x: tensor<1x4x8x8xf32> {q.name = "data"}) -> tensor<1x3xf32> {
  %w0 = arith.constant dense<[[[[0.5]], [[-0.25]], [[0.125]], [[0.0]]], [[[1.0]], [[0.5]], [[-1.0]], [[0.25]]]]> : tensor<2x4x1x1xf32> loc("conv0_weight")
  %b0 = arith.constant dense<[0.1, -0.2]> : tensor<2xf32> loc("conv0_bias")
  %w1 = arith.constant dense<0.25> : tensor<2x2x3x3xf32> loc("conv1_weight")
  %w2 = arith.constant dense<0.5> : tensor<3x32xf32> loc("fc0_weight")
  %b2 = arith.constant dense<1.0> : tensor<3xf32> loc("fc0_bias")
  %p0 = q.pooling avg %x <{kernel = array<i64: 3, 3>, strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>}> : tensor<1x4x8x8xf32> loc("pool_in")
  %c0 = q.fused_conv %p0, %w0 bias(%b0) <{act = #q.eltwise<relu>}> : (tensor<1x4x8x8xf32>, tensor<2x4x1x1xf32>, tensor<2xf32>) -> tensor<1x2x8x8xf32> loc(fused["conv0", "relu0"])
  %p1 = q.pooling max %c0 <{kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>}> : tensor<1x2x8x8xf32> loc("pool0")
  %c1 = q.fused_conv %p1, %w1 <{pads = array<i64: 1, 1, 1, 1>}> : (tensor<1x2x4x4xf32>, tensor<2x2x3x3xf32>) -> tensor<1x2x4x4xf32> loc("conv1")
  %f = q.flatten %c1 : tensor<1x2x4x4xf32> loc("flatten0")
  %y = q.fused_fc %f, %w2 bias(%b2) : (tensor<1x32xf32>, tensor<3x32xf32>, tensor<3xf32>) -> tensor<1x3xf32> loc("fc0")
  return %y : tensor<1x3xf32>
}

// -----

// One quantize per fp32 value: both convs read the same quantized input.
// The value conv0 produces feeds a quantized conv and an fp32 softmax, and
// is a function result: one dequantize serves the softmax and the return.
// CHECK-LABEL: func.func @shared_edges
// CHECK: %[[Q:.*]] = q.quantize %arg0
// CHECK-NOT: q.quantize
// CHECK: %[[C0:.*]] = q.fused_conv %[[Q]]
// CHECK: %[[R0:.*]] = q.requantize %[[C0]]
// CHECK: %[[D0:.*]] = q.dequantize %[[R0]]
// CHECK: %[[C1:.*]] = q.fused_conv %[[Q]]
// CHECK: %[[R1:.*]] = q.requantize %[[C1]]
// CHECK: %[[D1:.*]] = q.dequantize %[[R1]]
// CHECK: %[[C2:.*]] = q.fused_conv %[[R0]]
// CHECK: %[[R2:.*]] = q.requantize %[[C2]]
// CHECK: %[[D2:.*]] = q.dequantize %[[R2]]
// CHECK: %[[S:.*]] = q.softmax %[[D0]]
// CHECK: return %[[D0]], %[[D1]], %[[D2]], %[[S]]
// NAMES-LABEL: func.func @shared_edges
// NAMES: q.quantize %arg0 {{.*}} loc("data_quantize")
// NAMES: q.dequantize {{.*}} loc("conv0_dequantize")
func.func @shared_edges(%x: tensor<1x2x4x4xf32> {q.name = "data"}) -> (tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>) {
  %w = arith.constant dense<0.5> : tensor<2x2x1x1xf32> loc("w")
  %c0 = q.fused_conv %x, %w : (tensor<1x2x4x4xf32>, tensor<2x2x1x1xf32>) -> tensor<1x2x4x4xf32> loc("conv0")
  %c1 = q.fused_conv %x, %w : (tensor<1x2x4x4xf32>, tensor<2x2x1x1xf32>) -> tensor<1x2x4x4xf32> loc("conv1")
  %c2 = q.fused_conv %c0, %w : (tensor<1x2x4x4xf32>, tensor<2x2x1x1xf32>) -> tensor<1x2x4x4xf32> loc("conv2")
  %s = q.softmax %c0 <{axis = 1 : i64}> : tensor<1x2x4x4xf32> loc("softmax0")
  return %c0, %c1, %c2, %s : tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>
}

// -----

// exclude names nodes; a fused op is excluded when any node it absorbed is
// named (here the bn folded into conv7). The support op between them is
// then no longer sandwiched.
// EXCL-LABEL: func.func @exclude_fused
// EXCL: %[[Q:.*]] = q.quantize %arg0
// EXCL: %[[C0:.*]] = q.fused_conv %[[Q]]
// EXCL: %[[R0:.*]] = q.requantize %[[C0]]
// EXCL: %[[D0:.*]] = q.dequantize %[[R0]]
// EXCL: %[[A:.*]] = q.activation <relu> %[[D0]] : tensor<1x2x4x4xf32>
// EXCL: q.fused_conv %[[A]], %{{.*}} : (tensor<1x2x4x4xf32>, tensor<2x2x1x1xf32>) -> tensor<1x2x4x4xf32>
// EXCL-NOT: q.quantize
// EXCL-NOT: q.dequantize
// CHECK-LABEL: func.func @exclude_fused
// CHECK: %[[A:.*]] = q.activation <relu> %{{.*}} : tensor<1x2x4x4x!quant.any<i8:f32>>
// CHECK-NEXT: q.fused_conv %[[A]]
func.func @exclude_fused(%x: tensor<1x2x4x4xf32> {q.name = "data"}) -> tensor<1x2x4x4xf32> {
  %w = arith.constant dense<0.5> : tensor<2x2x1x1xf32> loc("w")
  %c0 = q.fused_conv %x, %w : (tensor<1x2x4x4xf32>, tensor<2x2x1x1xf32>) -> tensor<1x2x4x4xf32> loc("conv0")
  %a = q.activation <relu> %c0 : tensor<1x2x4x4xf32> loc("relu0")
  %c1 = q.fused_conv %a, %w : (tensor<1x2x4x4xf32>, tensor<2x2x1x1xf32>) -> tensor<1x2x4x4xf32> loc(fused["conv7", "bn7"])
  return %c1 : tensor<1x2x4x4xf32>
}

// -----

// EXCL-LABEL: func.func @exclude_ops
// exclude-ops=conv,pooling keeps every conv and pooling fp32; the fc still
// runs in int8.
// RUN: q-opt %s --split-input-file --q-quantize="exclude-ops=conv,pooling" --mlir-print-debuginfo=false | FileCheck %s --check-prefix=NOCONV
// NOCONV-LABEL: func.func @exclude_ops
// NOCONV: %[[C:.*]] = q.fused_conv %arg0, %{{.*}} : (tensor<1x2x4x4xf32>, tensor<2x2x1x1xf32>) -> tensor<1x2x4x4xf32>
// NOCONV: %[[P:.*]] = q.pooling max %[[C]] {{.*}} : tensor<1x2x4x4xf32>
// NOCONV: %[[Q:.*]] = q.quantize %[[P]]
// NOCONV: q.fused_fc %[[Q]], {{.*}} -> tensor<1x3x!quant.any<i32:f32>>
// CHECK-LABEL: func.func @exclude_ops
func.func @exclude_ops(%x: tensor<1x2x4x4xf32> {q.name = "data"}) -> tensor<1x3xf32> {
  %w = arith.constant dense<0.5> : tensor<2x2x1x1xf32> loc("w")
  %wf = arith.constant dense<0.5> : tensor<3x8xf32> loc("wf")
  %c0 = q.fused_conv %x, %w : (tensor<1x2x4x4xf32>, tensor<2x2x1x1xf32>) -> tensor<1x2x4x4xf32> loc("conv0")
  %p = q.pooling max %c0 <{kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>}> : tensor<1x2x4x4xf32> loc("pool0")
  %y = q.fused_fc %p, %wf : (tensor<1x2x2x2xf32>, tensor<3x8xf32>) -> tensor<1x3xf32> loc("fc0")
  return %y : tensor<1x3xf32>
}

// -----

// An add of two quantized values becomes quantized_add (int32) and a
// requantize; in smart mode it is quantized only because a conv follows.
// CHECK-LABEL: func.func @add
// CHECK: %[[R0:.*]] = q.requantize
// CHECK: %[[R1:.*]] = q.requantize
// CHECK: %[[A:.*]] = q.quantized_add %[[R0]], %[[R1]] : (tensor<1x2x4x4x!quant.any<i8:f32>>, tensor<1x2x4x4x!quant.any<i8:f32>>) -> tensor<1x2x4x4x!quant.any<i32:f32>>
// CHECK: %[[RA:.*]] = q.requantize %[[A]] <{out_type = #q<quant_dtype auto>}> : tensor<1x2x4x4x!quant.any<i32:f32>> -> tensor<1x2x4x4x!quant.any<i8:f32>>
// CHECK: q.fused_conv %[[RA]]
// CHECK-NOT: q.add
// NAMES-LABEL: func.func @add
// NAMES: q.requantize {{.*}} loc("requantize_add0")
func.func @add(%x: tensor<1x2x4x4xf32> {q.name = "data"}) -> tensor<1x2x4x4xf32> {
  %w = arith.constant dense<0.5> : tensor<2x2x1x1xf32> loc("w")
  %c0 = q.fused_conv %x, %w : (tensor<1x2x4x4xf32>, tensor<2x2x1x1xf32>) -> tensor<1x2x4x4xf32> loc("conv0")
  %c1 = q.fused_conv %x, %w : (tensor<1x2x4x4xf32>, tensor<2x2x1x1xf32>) -> tensor<1x2x4x4xf32> loc("conv1")
  %s = q.add %c0, %c1 : tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32> loc("add0")
  %c2 = q.fused_conv %s, %w : (tensor<1x2x4x4xf32>, tensor<2x2x1x1xf32>) -> tensor<1x2x4x4xf32> loc("conv2")
  return %c2 : tensor<1x2x4x4xf32>
}

// -----

// A batch norm q-fuse could not fold (its statistics are not constants)
// has no int8 form: that conv stays fp32 and reads a dequantize.
// CHECK-LABEL: func.func @unfolded_bn
// CHECK: %[[R0:.*]] = q.requantize
// CHECK: %[[D0:.*]] = q.dequantize %[[R0]]
// CHECK: q.fused_conv %[[D0]], %{{.*}} bn(%arg1, %arg1, %arg1, %arg1) : ({{.*}}) -> tensor<1x2x4x4xf32>
func.func @unfolded_bn(%x: tensor<1x2x4x4xf32> {q.name = "data"}, %c: tensor<2xf32>) -> tensor<1x2x4x4xf32> {
  %w = arith.constant dense<0.5> : tensor<2x2x1x1xf32> loc("w")
  %c0 = q.fused_conv %x, %w : (tensor<1x2x4x4xf32>, tensor<2x2x1x1xf32>) -> tensor<1x2x4x4xf32> loc("conv0")
  %c1 = q.fused_conv %c0, %w bn(%c, %c, %c, %c) : (tensor<1x2x4x4xf32>, tensor<2x2x1x1xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x4x4xf32> loc("conv1")
  return %c1 : tensor<1x2x4x4xf32>
}

// -----

// 8-bit graph inputs pass straight in: their integers are the values, so
// the quantize has the static step 1 and keeps the signedness, whatever
// dtype says.
// CHECK-LABEL: func.func @int8_input
// (out_type int8 is the default and is not printed.)
// CHECK-DAG: %[[U:.*]] = q.quantize %arg1 <{out_type = #q<quant_dtype uint8>}> : tensor<1x2x4x4xui8> -> tensor<1x2x4x4x!quant.uniform<u8:f32, 1.000000e+00>>
// CHECK-DAG: %[[I:.*]] = q.quantize %arg0 : tensor<1x2x4x4xi8> -> tensor<1x2x4x4x!quant.uniform<i8:f32, 1.000000e+00>>
// CHECK: q.fused_conv %[[I]], {{.*}} -> tensor<1x2x4x4x!quant.any<i32:f32>>
// CHECK: q.fused_conv %[[U]], {{.*}} -> tensor<1x2x4x4x!quant.any<i32:f32>>
// UINT8-LABEL: func.func @int8_input
// UINT8: q.quantize %arg0 : tensor<1x2x4x4xi8> -> tensor<1x2x4x4x!quant.uniform<i8:f32, 1.000000e+00>>
func.func @int8_input(%x: tensor<1x2x4x4xi8> {q.name = "data"}, %u: tensor<1x2x4x4xui8> {q.name = "data2"}) -> (tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>) {
  %w = arith.constant dense<0.5> : tensor<2x2x1x1xf32> loc("w")
  %c0 = q.fused_conv %x, %w : (tensor<1x2x4x4xi8>, tensor<2x2x1x1xf32>) -> tensor<1x2x4x4xf32> loc("conv0")
  %c1 = q.fused_conv %u, %w : (tensor<1x2x4x4xui8>, tensor<2x2x1x1xf32>) -> tensor<1x2x4x4xf32> loc("conv1")
  return %c0, %c1 : tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>
}

// Bad options name the option, the value and what is accepted.
// RUN: not q-opt %s --q-quantize="dtype=int4" 2>&1 | FileCheck %s --check-prefix=BAD-DTYPE
// BAD-DTYPE: q-quantize: dtype=int4 is not valid; expected int8, uint8 or auto
// RUN: not q-opt %s --q-quantize="mode=fast" 2>&1 | FileCheck %s --check-prefix=BAD-MODE
// BAD-MODE: q-quantize: mode=fast is not valid; expected smart or full
// RUN: not q-opt %s --q-quantize="granularity=row" 2>&1 | FileCheck %s --check-prefix=BAD-GRAN
// BAD-GRAN: q-quantize: granularity=row is not valid; expected channel or tensor
// RUN: not q-opt %s --q-quantize="exclude-ops=conv,softmax" 2>&1 | FileCheck %s --check-prefix=BAD-OPS
// BAD-OPS: q-quantize: exclude-ops=softmax is not valid; expected conv, fc, pooling, flatten, reshape, concat, act or add
// RUN: not q-opt %s --q-quantize="weight-bits=9" 2>&1 | FileCheck %s --check-prefix=BAD-BITS
// BAD-BITS: q-quantize: weight-bits=9 is not valid; expected 2 to 8
// An exclude name that is no node of the module is an error naming the
// closest node names (the EXCL runs above see the whole file as one module,
// where conv1 and bn7 are nodes).
// RUN: not q-opt %s --split-input-file --q-quantize="exclude=conv_1" 2>&1 | FileCheck %s --check-prefix=BAD-EXCL
// BAD-EXCL: error: q-quantize: exclude=conv_1: the graph has no node of that name; did you mean 'conv1', 'conv0'
// RUN: not q-opt %s --q-quantize="exclude=conv1,nothing_like_it" 2>&1 | FileCheck %s --check-prefix=BAD-EXCL2
// BAD-EXCL2: error: q-quantize: exclude=nothing_like_it: the graph has no node of that name{{$}}
// RUN: not q-opt %s --q-quantize="dtpye=int8" 2>&1 | FileCheck %s --check-prefix=BAD-NAME
// BAD-NAME: dtpye
