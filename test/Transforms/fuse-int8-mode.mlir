// q-fuse with mode=int8: the activations MXNet's selectors accept when the
// graph is to be quantized (MKLDNN_QUANTIZE, reference 4.2 and 4.3), checked
// on the rows of test_subgraph.py (section 6.1) where the two modes differ.
// The same input runs through the fp32 rules (FP32) for contrast.
//   conv: only relu among Activation kinds; LeakyReLU leaky/gelu; clip with
//         a_min = 0, but not after a sum.
//   fc:   relu among Activation kinds; LeakyReLU leaky/elu/gelu; abs; clip
//         with a_min = 0; square, sqrt and exp are fp32 only.
// RUN: q-opt %s --split-input-file --q-fuse="mode=int8" --mlir-print-debuginfo=false | FileCheck %s
// RUN: q-opt %s --split-input-file --q-fuse --mlir-print-debuginfo=false | FileCheck %s --check-prefix=FP32
// RUN: not q-opt %s --split-input-file --q-fuse="mode=int4" 2>&1 | FileCheck %s --check-prefix=BAD
// BAD: error: q-fuse: mode must be fp32 or int8, got 'int4'

// test_pos_conv_act in int8 mode: sigmoid, tanh and softrelu stay separate.
// CHECK-LABEL: func.func @int8_conv_act(
// FP32-LABEL: func.func @int8_conv_act(
// CHECK: q.fused_conv %arg0, %{{[^ ]*}} bias(%{{[^ ]*}}) <{act = #q.eltwise<relu>}>
// FP32: q.fused_conv %arg0, %{{[^ ]*}} bias(%{{[^ ]*}}) <{act = #q.eltwise<relu>}>
// CHECK: %[[C1:.*]] = q.fused_conv %arg0, %{{[^ ]*}} bias(%{{[^ ]*}}) : (
// CHECK-NEXT: q.activation <sigmoid> %[[C1]]
// FP32: q.fused_conv %arg0, %{{[^ ]*}} bias(%{{[^ ]*}}) <{act = #q.eltwise<sigmoid>}>
// CHECK: %[[C2:.*]] = q.fused_conv %arg0, %{{[^ ]*}} bias(%{{[^ ]*}}) : (
// CHECK-NEXT: q.activation <tanh> %[[C2]]
// FP32: q.fused_conv %arg0, %{{[^ ]*}} bias(%{{[^ ]*}}) <{act = #q.eltwise<tanh>}>
// CHECK: %[[C3:.*]] = q.fused_conv %arg0, %{{[^ ]*}} bias(%{{[^ ]*}}) : (
// CHECK-NEXT: q.activation <softrelu> %[[C3]]
// FP32: q.fused_conv %arg0, %{{[^ ]*}} bias(%{{[^ ]*}}) <{act = #q.eltwise<softrelu>}>
// CHECK: q.fused_conv %arg0, %{{[^ ]*}} bias(%{{[^ ]*}}) <{act = #q.eltwise<clip, 0.000000e+00, 6.000000e+00>}>
// FP32: q.fused_conv %arg0, %{{[^ ]*}} bias(%{{[^ ]*}}) <{act = #q.eltwise<clip, 0.000000e+00, 6.000000e+00>}>
// CHECK: q.fused_conv %arg0, %{{[^ ]*}} bias(%{{[^ ]*}}) <{act = #q.eltwise<leaky, 2.500000e-01>}>
// FP32: q.fused_conv %arg0, %{{[^ ]*}} bias(%{{[^ ]*}}) <{act = #q.eltwise<leaky, 2.500000e-01>}>
// CHECK: q.fused_conv %arg0, %{{[^ ]*}} bias(%{{[^ ]*}}) <{act = #q.eltwise<gelu>}>
// FP32: q.fused_conv %arg0, %{{[^ ]*}} bias(%{{[^ ]*}}) <{act = #q.eltwise<gelu>}>
// FP32-NOT: q.activation
func.func @int8_conv_act(%x: tensor<4x3x24x24xf32>) -> (tensor<4x64x22x22xf32>, tensor<4x64x22x22xf32>, tensor<4x64x22x22xf32>, tensor<4x64x22x22xf32>, tensor<4x64x22x22xf32>, tensor<4x64x22x22xf32>, tensor<4x64x22x22xf32>) {
  %w = arith.constant dense<0.1> : tensor<64x3x3x3xf32>
  %b = arith.constant dense<0.5> : tensor<64xf32>
  %c0 = q.convolution %x, %w, %b : tensor<4x3x24x24xf32>, tensor<64x3x3x3xf32>, tensor<64xf32>
  %a0 = q.activation <relu> %c0 : tensor<4x64x22x22xf32>
  %c1 = q.convolution %x, %w, %b : tensor<4x3x24x24xf32>, tensor<64x3x3x3xf32>, tensor<64xf32>
  %a1 = q.activation <sigmoid> %c1 : tensor<4x64x22x22xf32>
  %c2 = q.convolution %x, %w, %b : tensor<4x3x24x24xf32>, tensor<64x3x3x3xf32>, tensor<64xf32>
  %a2 = q.activation <tanh> %c2 : tensor<4x64x22x22xf32>
  %c3 = q.convolution %x, %w, %b : tensor<4x3x24x24xf32>, tensor<64x3x3x3xf32>, tensor<64xf32>
  %a3 = q.activation <softrelu> %c3 : tensor<4x64x22x22xf32>
  %c4 = q.convolution %x, %w, %b : tensor<4x3x24x24xf32>, tensor<64x3x3x3xf32>, tensor<64xf32>
  %a4 = q.activation <clip, 0.0, 6.0> %c4 : tensor<4x64x22x22xf32>
  %c5 = q.convolution %x, %w, %b : tensor<4x3x24x24xf32>, tensor<64x3x3x3xf32>, tensor<64xf32>
  %a5 = q.activation <leaky, 0.25> %c5 : tensor<4x64x22x22xf32>
  %c6 = q.convolution %x, %w, %b : tensor<4x3x24x24xf32>, tensor<64x3x3x3xf32>, tensor<64xf32>
  %a6 = q.activation <gelu> %c6 : tensor<4x64x22x22xf32>
  return %a0, %a1, %a2, %a3, %a4, %a5, %a6 : tensor<4x64x22x22xf32>, tensor<4x64x22x22xf32>, tensor<4x64x22x22xf32>, tensor<4x64x22x22xf32>, tensor<4x64x22x22xf32>, tensor<4x64x22x22xf32>, tensor<4x64x22x22xf32>
}

// -----

// test_pos_conv_act, no_bias, in int8 mode.
// CHECK-LABEL: func.func @int8_conv_act_no_bias(
// FP32-LABEL: func.func @int8_conv_act_no_bias(
// CHECK: q.fused_conv %arg0, %{{[^ ]*}} <{act = #q.eltwise<relu>}>
// FP32: q.fused_conv %arg0, %{{[^ ]*}} <{act = #q.eltwise<relu>}>
// CHECK: %[[C1:.*]] = q.fused_conv %arg0, %{{[^ ]*}} : (
// CHECK-NEXT: q.activation <sigmoid> %[[C1]]
// FP32: q.fused_conv %arg0, %{{[^ ]*}} <{act = #q.eltwise<sigmoid>}>
// CHECK: %[[C2:.*]] = q.fused_conv %arg0, %{{[^ ]*}} : (
// CHECK-NEXT: q.activation <tanh> %[[C2]]
// FP32: q.fused_conv %arg0, %{{[^ ]*}} <{act = #q.eltwise<tanh>}>
// CHECK: %[[C3:.*]] = q.fused_conv %arg0, %{{[^ ]*}} : (
// CHECK-NEXT: q.activation <softrelu> %[[C3]]
// FP32: q.fused_conv %arg0, %{{[^ ]*}} <{act = #q.eltwise<softrelu>}>
// CHECK: q.fused_conv %arg0, %{{[^ ]*}} <{act = #q.eltwise<clip, 0.000000e+00, 6.000000e+00>}>
// FP32: q.fused_conv %arg0, %{{[^ ]*}} <{act = #q.eltwise<clip, 0.000000e+00, 6.000000e+00>}>
// CHECK: q.fused_conv %arg0, %{{[^ ]*}} <{act = #q.eltwise<leaky, 2.500000e-01>}>
// FP32: q.fused_conv %arg0, %{{[^ ]*}} <{act = #q.eltwise<leaky, 2.500000e-01>}>
// CHECK: q.fused_conv %arg0, %{{[^ ]*}} <{act = #q.eltwise<gelu>}>
// FP32: q.fused_conv %arg0, %{{[^ ]*}} <{act = #q.eltwise<gelu>}>
// FP32-NOT: q.activation
func.func @int8_conv_act_no_bias(%x: tensor<4x3x24x24xf32>) -> (tensor<4x64x22x22xf32>, tensor<4x64x22x22xf32>, tensor<4x64x22x22xf32>, tensor<4x64x22x22xf32>, tensor<4x64x22x22xf32>, tensor<4x64x22x22xf32>, tensor<4x64x22x22xf32>) {
  %w = arith.constant dense<0.1> : tensor<64x3x3x3xf32>
  %b = arith.constant dense<0.5> : tensor<64xf32>
  %c0 = q.convolution %x, %w : tensor<4x3x24x24xf32>, tensor<64x3x3x3xf32>
  %a0 = q.activation <relu> %c0 : tensor<4x64x22x22xf32>
  %c1 = q.convolution %x, %w : tensor<4x3x24x24xf32>, tensor<64x3x3x3xf32>
  %a1 = q.activation <sigmoid> %c1 : tensor<4x64x22x22xf32>
  %c2 = q.convolution %x, %w : tensor<4x3x24x24xf32>, tensor<64x3x3x3xf32>
  %a2 = q.activation <tanh> %c2 : tensor<4x64x22x22xf32>
  %c3 = q.convolution %x, %w : tensor<4x3x24x24xf32>, tensor<64x3x3x3xf32>
  %a3 = q.activation <softrelu> %c3 : tensor<4x64x22x22xf32>
  %c4 = q.convolution %x, %w : tensor<4x3x24x24xf32>, tensor<64x3x3x3xf32>
  %a4 = q.activation <clip, 0.0, 6.0> %c4 : tensor<4x64x22x22xf32>
  %c5 = q.convolution %x, %w : tensor<4x3x24x24xf32>, tensor<64x3x3x3xf32>
  %a5 = q.activation <leaky, 0.25> %c5 : tensor<4x64x22x22xf32>
  %c6 = q.convolution %x, %w : tensor<4x3x24x24xf32>, tensor<64x3x3x3xf32>
  %a6 = q.activation <gelu> %c6 : tensor<4x64x22x22xf32>
  return %a0, %a1, %a2, %a3, %a4, %a5, %a6 : tensor<4x64x22x22xf32>, tensor<4x64x22x22xf32>, tensor<4x64x22x22xf32>, tensor<4x64x22x22xf32>, tensor<4x64x22x22xf32>, tensor<4x64x22x22xf32>, tensor<4x64x22x22xf32>
}

// -----

// test_pos_conv_bn_act in int8 mode: the batch norm folds as in fp32.
// CHECK-LABEL: func.func @int8_conv_bn_act(
// FP32-LABEL: func.func @int8_conv_bn_act(
// CHECK: q.fused_conv %arg0, %{{[^ ]*}} bias(%{{[^ ]*}}) <{act = #q.eltwise<relu>}>
// FP32: q.fused_conv %arg0, %{{[^ ]*}} bias(%{{[^ ]*}}) <{act = #q.eltwise<relu>}>
// CHECK: %[[C1:.*]] = q.fused_conv %arg0, %{{[^ ]*}} bias(%{{[^ ]*}}) : (
// CHECK-NEXT: q.activation <sigmoid> %[[C1]]
// FP32: q.fused_conv %arg0, %{{[^ ]*}} bias(%{{[^ ]*}}) <{act = #q.eltwise<sigmoid>}>
// CHECK: %[[C2:.*]] = q.fused_conv %arg0, %{{[^ ]*}} bias(%{{[^ ]*}}) : (
// CHECK-NEXT: q.activation <tanh> %[[C2]]
// FP32: q.fused_conv %arg0, %{{[^ ]*}} bias(%{{[^ ]*}}) <{act = #q.eltwise<tanh>}>
// CHECK: %[[C3:.*]] = q.fused_conv %arg0, %{{[^ ]*}} bias(%{{[^ ]*}}) : (
// CHECK-NEXT: q.activation <softrelu> %[[C3]]
// FP32: q.fused_conv %arg0, %{{[^ ]*}} bias(%{{[^ ]*}}) <{act = #q.eltwise<softrelu>}>
// CHECK: q.fused_conv %arg0, %{{[^ ]*}} bias(%{{[^ ]*}}) <{act = #q.eltwise<clip, 0.000000e+00, 6.000000e+00>}>
// FP32: q.fused_conv %arg0, %{{[^ ]*}} bias(%{{[^ ]*}}) <{act = #q.eltwise<clip, 0.000000e+00, 6.000000e+00>}>
// CHECK: q.fused_conv %arg0, %{{[^ ]*}} bias(%{{[^ ]*}}) <{act = #q.eltwise<leaky, 2.500000e-01>}>
// FP32: q.fused_conv %arg0, %{{[^ ]*}} bias(%{{[^ ]*}}) <{act = #q.eltwise<leaky, 2.500000e-01>}>
// CHECK: q.fused_conv %arg0, %{{[^ ]*}} bias(%{{[^ ]*}}) <{act = #q.eltwise<gelu>}>
// FP32: q.fused_conv %arg0, %{{[^ ]*}} bias(%{{[^ ]*}}) <{act = #q.eltwise<gelu>}>
// CHECK-NOT: q.batch_norm
// FP32-NOT: q.activation
func.func @int8_conv_bn_act(%x: tensor<4x3x24x24xf32>) -> (tensor<4x64x22x22xf32>, tensor<4x64x22x22xf32>, tensor<4x64x22x22xf32>, tensor<4x64x22x22xf32>, tensor<4x64x22x22xf32>, tensor<4x64x22x22xf32>, tensor<4x64x22x22xf32>) {
  %w = arith.constant dense<0.1> : tensor<64x3x3x3xf32>
  %b = arith.constant dense<0.5> : tensor<64xf32>
  %g = arith.constant dense<1.5> : tensor<64xf32>
  %be = arith.constant dense<0.2> : tensor<64xf32>
  %m = arith.constant dense<0.3> : tensor<64xf32>
  %v = arith.constant dense<0.8> : tensor<64xf32>
  %c0 = q.convolution %x, %w, %b : tensor<4x3x24x24xf32>, tensor<64x3x3x3xf32>, tensor<64xf32>
  %n0 = q.batch_norm %c0, %g, %be, %m, %v : tensor<4x64x22x22xf32>, tensor<64xf32>
  %a0 = q.activation <relu> %n0 : tensor<4x64x22x22xf32>
  %c1 = q.convolution %x, %w, %b : tensor<4x3x24x24xf32>, tensor<64x3x3x3xf32>, tensor<64xf32>
  %n1 = q.batch_norm %c1, %g, %be, %m, %v : tensor<4x64x22x22xf32>, tensor<64xf32>
  %a1 = q.activation <sigmoid> %n1 : tensor<4x64x22x22xf32>
  %c2 = q.convolution %x, %w, %b : tensor<4x3x24x24xf32>, tensor<64x3x3x3xf32>, tensor<64xf32>
  %n2 = q.batch_norm %c2, %g, %be, %m, %v : tensor<4x64x22x22xf32>, tensor<64xf32>
  %a2 = q.activation <tanh> %n2 : tensor<4x64x22x22xf32>
  %c3 = q.convolution %x, %w, %b : tensor<4x3x24x24xf32>, tensor<64x3x3x3xf32>, tensor<64xf32>
  %n3 = q.batch_norm %c3, %g, %be, %m, %v : tensor<4x64x22x22xf32>, tensor<64xf32>
  %a3 = q.activation <softrelu> %n3 : tensor<4x64x22x22xf32>
  %c4 = q.convolution %x, %w, %b : tensor<4x3x24x24xf32>, tensor<64x3x3x3xf32>, tensor<64xf32>
  %n4 = q.batch_norm %c4, %g, %be, %m, %v : tensor<4x64x22x22xf32>, tensor<64xf32>
  %a4 = q.activation <clip, 0.0, 6.0> %n4 : tensor<4x64x22x22xf32>
  %c5 = q.convolution %x, %w, %b : tensor<4x3x24x24xf32>, tensor<64x3x3x3xf32>, tensor<64xf32>
  %n5 = q.batch_norm %c5, %g, %be, %m, %v : tensor<4x64x22x22xf32>, tensor<64xf32>
  %a5 = q.activation <leaky, 0.25> %n5 : tensor<4x64x22x22xf32>
  %c6 = q.convolution %x, %w, %b : tensor<4x3x24x24xf32>, tensor<64x3x3x3xf32>, tensor<64xf32>
  %n6 = q.batch_norm %c6, %g, %be, %m, %v : tensor<4x64x22x22xf32>, tensor<64xf32>
  %a6 = q.activation <gelu> %n6 : tensor<4x64x22x22xf32>
  return %a0, %a1, %a2, %a3, %a4, %a5, %a6 : tensor<4x64x22x22xf32>, tensor<4x64x22x22xf32>, tensor<4x64x22x22xf32>, tensor<4x64x22x22xf32>, tensor<4x64x22x22xf32>, tensor<4x64x22x22xf32>, tensor<4x64x22x22xf32>
}

// -----

// test_pos_conv_bn_act, no_bias, in int8 mode.
// CHECK-LABEL: func.func @int8_conv_bn_act_no_bias(
// FP32-LABEL: func.func @int8_conv_bn_act_no_bias(
// CHECK: q.fused_conv %arg0, %{{[^ ]*}} bias(%{{[^ ]*}}) <{act = #q.eltwise<relu>}>
// FP32: q.fused_conv %arg0, %{{[^ ]*}} bias(%{{[^ ]*}}) <{act = #q.eltwise<relu>}>
// CHECK: %[[C1:.*]] = q.fused_conv %arg0, %{{[^ ]*}} bias(%{{[^ ]*}}) : (
// CHECK-NEXT: q.activation <sigmoid> %[[C1]]
// FP32: q.fused_conv %arg0, %{{[^ ]*}} bias(%{{[^ ]*}}) <{act = #q.eltwise<sigmoid>}>
// CHECK: %[[C2:.*]] = q.fused_conv %arg0, %{{[^ ]*}} bias(%{{[^ ]*}}) : (
// CHECK-NEXT: q.activation <tanh> %[[C2]]
// FP32: q.fused_conv %arg0, %{{[^ ]*}} bias(%{{[^ ]*}}) <{act = #q.eltwise<tanh>}>
// CHECK: %[[C3:.*]] = q.fused_conv %arg0, %{{[^ ]*}} bias(%{{[^ ]*}}) : (
// CHECK-NEXT: q.activation <softrelu> %[[C3]]
// FP32: q.fused_conv %arg0, %{{[^ ]*}} bias(%{{[^ ]*}}) <{act = #q.eltwise<softrelu>}>
// CHECK: q.fused_conv %arg0, %{{[^ ]*}} bias(%{{[^ ]*}}) <{act = #q.eltwise<clip, 0.000000e+00, 6.000000e+00>}>
// FP32: q.fused_conv %arg0, %{{[^ ]*}} bias(%{{[^ ]*}}) <{act = #q.eltwise<clip, 0.000000e+00, 6.000000e+00>}>
// CHECK: q.fused_conv %arg0, %{{[^ ]*}} bias(%{{[^ ]*}}) <{act = #q.eltwise<leaky, 2.500000e-01>}>
// FP32: q.fused_conv %arg0, %{{[^ ]*}} bias(%{{[^ ]*}}) <{act = #q.eltwise<leaky, 2.500000e-01>}>
// CHECK: q.fused_conv %arg0, %{{[^ ]*}} bias(%{{[^ ]*}}) <{act = #q.eltwise<gelu>}>
// FP32: q.fused_conv %arg0, %{{[^ ]*}} bias(%{{[^ ]*}}) <{act = #q.eltwise<gelu>}>
// CHECK-NOT: q.batch_norm
// FP32-NOT: q.activation
func.func @int8_conv_bn_act_no_bias(%x: tensor<4x3x24x24xf32>) -> (tensor<4x64x22x22xf32>, tensor<4x64x22x22xf32>, tensor<4x64x22x22xf32>, tensor<4x64x22x22xf32>, tensor<4x64x22x22xf32>, tensor<4x64x22x22xf32>, tensor<4x64x22x22xf32>) {
  %w = arith.constant dense<0.1> : tensor<64x3x3x3xf32>
  %b = arith.constant dense<0.5> : tensor<64xf32>
  %g = arith.constant dense<1.5> : tensor<64xf32>
  %be = arith.constant dense<0.2> : tensor<64xf32>
  %m = arith.constant dense<0.3> : tensor<64xf32>
  %v = arith.constant dense<0.8> : tensor<64xf32>
  %c0 = q.convolution %x, %w : tensor<4x3x24x24xf32>, tensor<64x3x3x3xf32>
  %n0 = q.batch_norm %c0, %g, %be, %m, %v : tensor<4x64x22x22xf32>, tensor<64xf32>
  %a0 = q.activation <relu> %n0 : tensor<4x64x22x22xf32>
  %c1 = q.convolution %x, %w : tensor<4x3x24x24xf32>, tensor<64x3x3x3xf32>
  %n1 = q.batch_norm %c1, %g, %be, %m, %v : tensor<4x64x22x22xf32>, tensor<64xf32>
  %a1 = q.activation <sigmoid> %n1 : tensor<4x64x22x22xf32>
  %c2 = q.convolution %x, %w : tensor<4x3x24x24xf32>, tensor<64x3x3x3xf32>
  %n2 = q.batch_norm %c2, %g, %be, %m, %v : tensor<4x64x22x22xf32>, tensor<64xf32>
  %a2 = q.activation <tanh> %n2 : tensor<4x64x22x22xf32>
  %c3 = q.convolution %x, %w : tensor<4x3x24x24xf32>, tensor<64x3x3x3xf32>
  %n3 = q.batch_norm %c3, %g, %be, %m, %v : tensor<4x64x22x22xf32>, tensor<64xf32>
  %a3 = q.activation <softrelu> %n3 : tensor<4x64x22x22xf32>
  %c4 = q.convolution %x, %w : tensor<4x3x24x24xf32>, tensor<64x3x3x3xf32>
  %n4 = q.batch_norm %c4, %g, %be, %m, %v : tensor<4x64x22x22xf32>, tensor<64xf32>
  %a4 = q.activation <clip, 0.0, 6.0> %n4 : tensor<4x64x22x22xf32>
  %c5 = q.convolution %x, %w : tensor<4x3x24x24xf32>, tensor<64x3x3x3xf32>
  %n5 = q.batch_norm %c5, %g, %be, %m, %v : tensor<4x64x22x22xf32>, tensor<64xf32>
  %a5 = q.activation <leaky, 0.25> %n5 : tensor<4x64x22x22xf32>
  %c6 = q.convolution %x, %w : tensor<4x3x24x24xf32>, tensor<64x3x3x3xf32>
  %n6 = q.batch_norm %c6, %g, %be, %m, %v : tensor<4x64x22x22xf32>, tensor<64xf32>
  %a6 = q.activation <gelu> %n6 : tensor<4x64x22x22xf32>
  return %a0, %a1, %a2, %a3, %a4, %a5, %a6 : tensor<4x64x22x22xf32>, tensor<4x64x22x22xf32>, tensor<4x64x22x22xf32>, tensor<4x64x22x22xf32>, tensor<4x64x22x22xf32>, tensor<4x64x22x22xf32>, tensor<4x64x22x22xf32>
}

// -----

// test_pos_conv_bn_sum_act in int8 mode: the sum fuses, then relu, leaky
// and gelu as postsum_act; relu6 = clip(0, 6) is not taken after a sum
// (MXNet: no int8 conv+sum+relu6), nor sigmoid, tanh, softrelu.
// CHECK-LABEL: func.func @int8_conv_bn_sum_act(
// CHECK-DAG: %[[W:.*]] = arith.constant dense<1.000000e-01> : tensor<64x3x3x3xf32>
// CHECK-DAG: %[[B:.*]] = arith.constant dense<5.000000e-01> : tensor<64xf32>
// FP32-LABEL: func.func @int8_conv_bn_sum_act(
// FP32-DAG: %[[W:.*]] = arith.constant dense<1.000000e-01> : tensor<64x3x3x3xf32>
// FP32-DAG: %[[B:.*]] = arith.constant dense<5.000000e-01> : tensor<64xf32>
// CHECK: %[[S0:.*]] = q.fused_conv %arg0, %[[W]] bias(%[[B]]) : (
// CHECK: q.fused_conv %arg0, %{{[^ ]*}} bias(%{{[^ ]*}}) sum(%[[S0]]) <{postsum_act = #q.eltwise<relu>}>
// FP32: %[[S0:.*]] = q.fused_conv %arg0, %[[W]] bias(%[[B]]) : (
// FP32: q.fused_conv %arg0, %{{[^ ]*}} bias(%{{[^ ]*}}) sum(%[[S0]]) <{postsum_act = #q.eltwise<relu>}>
// CHECK: %[[S1:.*]] = q.fused_conv %arg0, %[[W]] bias(%[[B]]) : (
// CHECK: %[[C1:.*]] = q.fused_conv %arg0, %{{[^ ]*}} bias(%{{[^ ]*}}) sum(%[[S1]]) : (
// CHECK-NEXT: q.activation <sigmoid> %[[C1]]
// FP32: %[[S1:.*]] = q.fused_conv %arg0, %[[W]] bias(%[[B]]) : (
// FP32: q.fused_conv %arg0, %{{[^ ]*}} bias(%{{[^ ]*}}) sum(%[[S1]]) <{postsum_act = #q.eltwise<sigmoid>}>
// CHECK: %[[S2:.*]] = q.fused_conv %arg0, %[[W]] bias(%[[B]]) : (
// CHECK: %[[C2:.*]] = q.fused_conv %arg0, %{{[^ ]*}} bias(%{{[^ ]*}}) sum(%[[S2]]) : (
// CHECK-NEXT: q.activation <tanh> %[[C2]]
// FP32: %[[S2:.*]] = q.fused_conv %arg0, %[[W]] bias(%[[B]]) : (
// FP32: q.fused_conv %arg0, %{{[^ ]*}} bias(%{{[^ ]*}}) sum(%[[S2]]) <{postsum_act = #q.eltwise<tanh>}>
// CHECK: %[[S3:.*]] = q.fused_conv %arg0, %[[W]] bias(%[[B]]) : (
// CHECK: %[[C3:.*]] = q.fused_conv %arg0, %{{[^ ]*}} bias(%{{[^ ]*}}) sum(%[[S3]]) : (
// CHECK-NEXT: q.activation <softrelu> %[[C3]]
// FP32: %[[S3:.*]] = q.fused_conv %arg0, %[[W]] bias(%[[B]]) : (
// FP32: q.fused_conv %arg0, %{{[^ ]*}} bias(%{{[^ ]*}}) sum(%[[S3]]) <{postsum_act = #q.eltwise<softrelu>}>
// CHECK: %[[S4:.*]] = q.fused_conv %arg0, %[[W]] bias(%[[B]]) : (
// CHECK: %[[C4:.*]] = q.fused_conv %arg0, %{{[^ ]*}} bias(%{{[^ ]*}}) sum(%[[S4]]) : (
// CHECK-NEXT: q.activation <clip, 0.000000e+00, 6.000000e+00> %[[C4]]
// FP32: %[[S4:.*]] = q.fused_conv %arg0, %[[W]] bias(%[[B]]) : (
// FP32: q.fused_conv %arg0, %{{[^ ]*}} bias(%{{[^ ]*}}) sum(%[[S4]]) <{postsum_act = #q.eltwise<clip, 0.000000e+00, 6.000000e+00>}>
// CHECK: %[[S5:.*]] = q.fused_conv %arg0, %[[W]] bias(%[[B]]) : (
// CHECK: q.fused_conv %arg0, %{{[^ ]*}} bias(%{{[^ ]*}}) sum(%[[S5]]) <{postsum_act = #q.eltwise<leaky, 2.500000e-01>}>
// FP32: %[[S5:.*]] = q.fused_conv %arg0, %[[W]] bias(%[[B]]) : (
// FP32: q.fused_conv %arg0, %{{[^ ]*}} bias(%{{[^ ]*}}) sum(%[[S5]]) <{postsum_act = #q.eltwise<leaky, 2.500000e-01>}>
// CHECK: %[[S6:.*]] = q.fused_conv %arg0, %[[W]] bias(%[[B]]) : (
// CHECK: q.fused_conv %arg0, %{{[^ ]*}} bias(%{{[^ ]*}}) sum(%[[S6]]) <{postsum_act = #q.eltwise<gelu>}>
// FP32: %[[S6:.*]] = q.fused_conv %arg0, %[[W]] bias(%[[B]]) : (
// FP32: q.fused_conv %arg0, %{{[^ ]*}} bias(%{{[^ ]*}}) sum(%[[S6]]) <{postsum_act = #q.eltwise<gelu>}>
// CHECK-NOT: q.batch_norm
// CHECK-NOT: q.add
// FP32-NOT: q.activation
func.func @int8_conv_bn_sum_act(%x: tensor<4x3x24x24xf32>) -> (tensor<4x64x22x22xf32>, tensor<4x64x22x22xf32>, tensor<4x64x22x22xf32>, tensor<4x64x22x22xf32>, tensor<4x64x22x22xf32>, tensor<4x64x22x22xf32>, tensor<4x64x22x22xf32>) {
  %w = arith.constant dense<0.1> : tensor<64x3x3x3xf32>
  %b = arith.constant dense<0.5> : tensor<64xf32>
  %g = arith.constant dense<1.5> : tensor<64xf32>
  %be = arith.constant dense<0.2> : tensor<64xf32>
  %m = arith.constant dense<0.3> : tensor<64xf32>
  %v = arith.constant dense<0.8> : tensor<64xf32>
  %c0 = q.convolution %x, %w, %b : tensor<4x3x24x24xf32>, tensor<64x3x3x3xf32>, tensor<64xf32>
  %n0 = q.batch_norm %c0, %g, %be, %m, %v : tensor<4x64x22x22xf32>, tensor<64xf32>
  %d0 = q.convolution %x, %w, %b : tensor<4x3x24x24xf32>, tensor<64x3x3x3xf32>, tensor<64xf32>
  %s0 = q.add %n0, %d0 : tensor<4x64x22x22xf32>, tensor<4x64x22x22xf32>
  %a0 = q.activation <relu> %s0 : tensor<4x64x22x22xf32>
  %c1 = q.convolution %x, %w, %b : tensor<4x3x24x24xf32>, tensor<64x3x3x3xf32>, tensor<64xf32>
  %n1 = q.batch_norm %c1, %g, %be, %m, %v : tensor<4x64x22x22xf32>, tensor<64xf32>
  %d1 = q.convolution %x, %w, %b : tensor<4x3x24x24xf32>, tensor<64x3x3x3xf32>, tensor<64xf32>
  %s1 = q.add %n1, %d1 : tensor<4x64x22x22xf32>, tensor<4x64x22x22xf32>
  %a1 = q.activation <sigmoid> %s1 : tensor<4x64x22x22xf32>
  %c2 = q.convolution %x, %w, %b : tensor<4x3x24x24xf32>, tensor<64x3x3x3xf32>, tensor<64xf32>
  %n2 = q.batch_norm %c2, %g, %be, %m, %v : tensor<4x64x22x22xf32>, tensor<64xf32>
  %d2 = q.convolution %x, %w, %b : tensor<4x3x24x24xf32>, tensor<64x3x3x3xf32>, tensor<64xf32>
  %s2 = q.add %n2, %d2 : tensor<4x64x22x22xf32>, tensor<4x64x22x22xf32>
  %a2 = q.activation <tanh> %s2 : tensor<4x64x22x22xf32>
  %c3 = q.convolution %x, %w, %b : tensor<4x3x24x24xf32>, tensor<64x3x3x3xf32>, tensor<64xf32>
  %n3 = q.batch_norm %c3, %g, %be, %m, %v : tensor<4x64x22x22xf32>, tensor<64xf32>
  %d3 = q.convolution %x, %w, %b : tensor<4x3x24x24xf32>, tensor<64x3x3x3xf32>, tensor<64xf32>
  %s3 = q.add %n3, %d3 : tensor<4x64x22x22xf32>, tensor<4x64x22x22xf32>
  %a3 = q.activation <softrelu> %s3 : tensor<4x64x22x22xf32>
  %c4 = q.convolution %x, %w, %b : tensor<4x3x24x24xf32>, tensor<64x3x3x3xf32>, tensor<64xf32>
  %n4 = q.batch_norm %c4, %g, %be, %m, %v : tensor<4x64x22x22xf32>, tensor<64xf32>
  %d4 = q.convolution %x, %w, %b : tensor<4x3x24x24xf32>, tensor<64x3x3x3xf32>, tensor<64xf32>
  %s4 = q.add %n4, %d4 : tensor<4x64x22x22xf32>, tensor<4x64x22x22xf32>
  %a4 = q.activation <clip, 0.0, 6.0> %s4 : tensor<4x64x22x22xf32>
  %c5 = q.convolution %x, %w, %b : tensor<4x3x24x24xf32>, tensor<64x3x3x3xf32>, tensor<64xf32>
  %n5 = q.batch_norm %c5, %g, %be, %m, %v : tensor<4x64x22x22xf32>, tensor<64xf32>
  %d5 = q.convolution %x, %w, %b : tensor<4x3x24x24xf32>, tensor<64x3x3x3xf32>, tensor<64xf32>
  %s5 = q.add %n5, %d5 : tensor<4x64x22x22xf32>, tensor<4x64x22x22xf32>
  %a5 = q.activation <leaky, 0.25> %s5 : tensor<4x64x22x22xf32>
  %c6 = q.convolution %x, %w, %b : tensor<4x3x24x24xf32>, tensor<64x3x3x3xf32>, tensor<64xf32>
  %n6 = q.batch_norm %c6, %g, %be, %m, %v : tensor<4x64x22x22xf32>, tensor<64xf32>
  %d6 = q.convolution %x, %w, %b : tensor<4x3x24x24xf32>, tensor<64x3x3x3xf32>, tensor<64xf32>
  %s6 = q.add %n6, %d6 : tensor<4x64x22x22xf32>, tensor<4x64x22x22xf32>
  %a6 = q.activation <gelu> %s6 : tensor<4x64x22x22xf32>
  return %a0, %a1, %a2, %a3, %a4, %a5, %a6 : tensor<4x64x22x22xf32>, tensor<4x64x22x22xf32>, tensor<4x64x22x22xf32>, tensor<4x64x22x22xf32>, tensor<4x64x22x22xf32>, tensor<4x64x22x22xf32>, tensor<4x64x22x22xf32>
}

// -----

// test_pos_conv_bn_sum_act, no_bias, in int8 mode.
// CHECK-LABEL: func.func @int8_conv_bn_sum_act_no_bias(
// CHECK-DAG: %[[W:.*]] = arith.constant dense<1.000000e-01> : tensor<64x3x3x3xf32>
// CHECK-DAG: %[[B:.*]] = arith.constant dense<5.000000e-01> : tensor<64xf32>
// FP32-LABEL: func.func @int8_conv_bn_sum_act_no_bias(
// FP32-DAG: %[[W:.*]] = arith.constant dense<1.000000e-01> : tensor<64x3x3x3xf32>
// FP32-DAG: %[[B:.*]] = arith.constant dense<5.000000e-01> : tensor<64xf32>
// CHECK: %[[S0:.*]] = q.fused_conv %arg0, %[[W]] bias(%[[B]]) : (
// CHECK: q.fused_conv %arg0, %{{[^ ]*}} bias(%{{[^ ]*}}) sum(%[[S0]]) <{postsum_act = #q.eltwise<relu>}>
// FP32: %[[S0:.*]] = q.fused_conv %arg0, %[[W]] bias(%[[B]]) : (
// FP32: q.fused_conv %arg0, %{{[^ ]*}} bias(%{{[^ ]*}}) sum(%[[S0]]) <{postsum_act = #q.eltwise<relu>}>
// CHECK: %[[S1:.*]] = q.fused_conv %arg0, %[[W]] bias(%[[B]]) : (
// CHECK: %[[C1:.*]] = q.fused_conv %arg0, %{{[^ ]*}} bias(%{{[^ ]*}}) sum(%[[S1]]) : (
// CHECK-NEXT: q.activation <sigmoid> %[[C1]]
// FP32: %[[S1:.*]] = q.fused_conv %arg0, %[[W]] bias(%[[B]]) : (
// FP32: q.fused_conv %arg0, %{{[^ ]*}} bias(%{{[^ ]*}}) sum(%[[S1]]) <{postsum_act = #q.eltwise<sigmoid>}>
// CHECK: %[[S2:.*]] = q.fused_conv %arg0, %[[W]] bias(%[[B]]) : (
// CHECK: %[[C2:.*]] = q.fused_conv %arg0, %{{[^ ]*}} bias(%{{[^ ]*}}) sum(%[[S2]]) : (
// CHECK-NEXT: q.activation <tanh> %[[C2]]
// FP32: %[[S2:.*]] = q.fused_conv %arg0, %[[W]] bias(%[[B]]) : (
// FP32: q.fused_conv %arg0, %{{[^ ]*}} bias(%{{[^ ]*}}) sum(%[[S2]]) <{postsum_act = #q.eltwise<tanh>}>
// CHECK: %[[S3:.*]] = q.fused_conv %arg0, %[[W]] bias(%[[B]]) : (
// CHECK: %[[C3:.*]] = q.fused_conv %arg0, %{{[^ ]*}} bias(%{{[^ ]*}}) sum(%[[S3]]) : (
// CHECK-NEXT: q.activation <softrelu> %[[C3]]
// FP32: %[[S3:.*]] = q.fused_conv %arg0, %[[W]] bias(%[[B]]) : (
// FP32: q.fused_conv %arg0, %{{[^ ]*}} bias(%{{[^ ]*}}) sum(%[[S3]]) <{postsum_act = #q.eltwise<softrelu>}>
// CHECK: %[[S4:.*]] = q.fused_conv %arg0, %[[W]] bias(%[[B]]) : (
// CHECK: %[[C4:.*]] = q.fused_conv %arg0, %{{[^ ]*}} bias(%{{[^ ]*}}) sum(%[[S4]]) : (
// CHECK-NEXT: q.activation <clip, 0.000000e+00, 6.000000e+00> %[[C4]]
// FP32: %[[S4:.*]] = q.fused_conv %arg0, %[[W]] bias(%[[B]]) : (
// FP32: q.fused_conv %arg0, %{{[^ ]*}} bias(%{{[^ ]*}}) sum(%[[S4]]) <{postsum_act = #q.eltwise<clip, 0.000000e+00, 6.000000e+00>}>
// CHECK: %[[S5:.*]] = q.fused_conv %arg0, %[[W]] bias(%[[B]]) : (
// CHECK: q.fused_conv %arg0, %{{[^ ]*}} bias(%{{[^ ]*}}) sum(%[[S5]]) <{postsum_act = #q.eltwise<leaky, 2.500000e-01>}>
// FP32: %[[S5:.*]] = q.fused_conv %arg0, %[[W]] bias(%[[B]]) : (
// FP32: q.fused_conv %arg0, %{{[^ ]*}} bias(%{{[^ ]*}}) sum(%[[S5]]) <{postsum_act = #q.eltwise<leaky, 2.500000e-01>}>
// CHECK: %[[S6:.*]] = q.fused_conv %arg0, %[[W]] bias(%[[B]]) : (
// CHECK: q.fused_conv %arg0, %{{[^ ]*}} bias(%{{[^ ]*}}) sum(%[[S6]]) <{postsum_act = #q.eltwise<gelu>}>
// FP32: %[[S6:.*]] = q.fused_conv %arg0, %[[W]] bias(%[[B]]) : (
// FP32: q.fused_conv %arg0, %{{[^ ]*}} bias(%{{[^ ]*}}) sum(%[[S6]]) <{postsum_act = #q.eltwise<gelu>}>
// CHECK-NOT: q.batch_norm
// CHECK-NOT: q.add
// FP32-NOT: q.activation
func.func @int8_conv_bn_sum_act_no_bias(%x: tensor<4x3x24x24xf32>) -> (tensor<4x64x22x22xf32>, tensor<4x64x22x22xf32>, tensor<4x64x22x22xf32>, tensor<4x64x22x22xf32>, tensor<4x64x22x22xf32>, tensor<4x64x22x22xf32>, tensor<4x64x22x22xf32>) {
  %w = arith.constant dense<0.1> : tensor<64x3x3x3xf32>
  %b = arith.constant dense<0.5> : tensor<64xf32>
  %g = arith.constant dense<1.5> : tensor<64xf32>
  %be = arith.constant dense<0.2> : tensor<64xf32>
  %m = arith.constant dense<0.3> : tensor<64xf32>
  %v = arith.constant dense<0.8> : tensor<64xf32>
  %c0 = q.convolution %x, %w : tensor<4x3x24x24xf32>, tensor<64x3x3x3xf32>
  %n0 = q.batch_norm %c0, %g, %be, %m, %v : tensor<4x64x22x22xf32>, tensor<64xf32>
  %d0 = q.convolution %x, %w, %b : tensor<4x3x24x24xf32>, tensor<64x3x3x3xf32>, tensor<64xf32>
  %s0 = q.add %n0, %d0 : tensor<4x64x22x22xf32>, tensor<4x64x22x22xf32>
  %a0 = q.activation <relu> %s0 : tensor<4x64x22x22xf32>
  %c1 = q.convolution %x, %w : tensor<4x3x24x24xf32>, tensor<64x3x3x3xf32>
  %n1 = q.batch_norm %c1, %g, %be, %m, %v : tensor<4x64x22x22xf32>, tensor<64xf32>
  %d1 = q.convolution %x, %w, %b : tensor<4x3x24x24xf32>, tensor<64x3x3x3xf32>, tensor<64xf32>
  %s1 = q.add %n1, %d1 : tensor<4x64x22x22xf32>, tensor<4x64x22x22xf32>
  %a1 = q.activation <sigmoid> %s1 : tensor<4x64x22x22xf32>
  %c2 = q.convolution %x, %w : tensor<4x3x24x24xf32>, tensor<64x3x3x3xf32>
  %n2 = q.batch_norm %c2, %g, %be, %m, %v : tensor<4x64x22x22xf32>, tensor<64xf32>
  %d2 = q.convolution %x, %w, %b : tensor<4x3x24x24xf32>, tensor<64x3x3x3xf32>, tensor<64xf32>
  %s2 = q.add %n2, %d2 : tensor<4x64x22x22xf32>, tensor<4x64x22x22xf32>
  %a2 = q.activation <tanh> %s2 : tensor<4x64x22x22xf32>
  %c3 = q.convolution %x, %w : tensor<4x3x24x24xf32>, tensor<64x3x3x3xf32>
  %n3 = q.batch_norm %c3, %g, %be, %m, %v : tensor<4x64x22x22xf32>, tensor<64xf32>
  %d3 = q.convolution %x, %w, %b : tensor<4x3x24x24xf32>, tensor<64x3x3x3xf32>, tensor<64xf32>
  %s3 = q.add %n3, %d3 : tensor<4x64x22x22xf32>, tensor<4x64x22x22xf32>
  %a3 = q.activation <softrelu> %s3 : tensor<4x64x22x22xf32>
  %c4 = q.convolution %x, %w : tensor<4x3x24x24xf32>, tensor<64x3x3x3xf32>
  %n4 = q.batch_norm %c4, %g, %be, %m, %v : tensor<4x64x22x22xf32>, tensor<64xf32>
  %d4 = q.convolution %x, %w, %b : tensor<4x3x24x24xf32>, tensor<64x3x3x3xf32>, tensor<64xf32>
  %s4 = q.add %n4, %d4 : tensor<4x64x22x22xf32>, tensor<4x64x22x22xf32>
  %a4 = q.activation <clip, 0.0, 6.0> %s4 : tensor<4x64x22x22xf32>
  %c5 = q.convolution %x, %w : tensor<4x3x24x24xf32>, tensor<64x3x3x3xf32>
  %n5 = q.batch_norm %c5, %g, %be, %m, %v : tensor<4x64x22x22xf32>, tensor<64xf32>
  %d5 = q.convolution %x, %w, %b : tensor<4x3x24x24xf32>, tensor<64x3x3x3xf32>, tensor<64xf32>
  %s5 = q.add %n5, %d5 : tensor<4x64x22x22xf32>, tensor<4x64x22x22xf32>
  %a5 = q.activation <leaky, 0.25> %s5 : tensor<4x64x22x22xf32>
  %c6 = q.convolution %x, %w : tensor<4x3x24x24xf32>, tensor<64x3x3x3xf32>
  %n6 = q.batch_norm %c6, %g, %be, %m, %v : tensor<4x64x22x22xf32>, tensor<64xf32>
  %d6 = q.convolution %x, %w, %b : tensor<4x3x24x24xf32>, tensor<64x3x3x3xf32>, tensor<64xf32>
  %s6 = q.add %n6, %d6 : tensor<4x64x22x22xf32>, tensor<4x64x22x22xf32>
  %a6 = q.activation <gelu> %s6 : tensor<4x64x22x22xf32>
  return %a0, %a1, %a2, %a3, %a4, %a5, %a6 : tensor<4x64x22x22xf32>, tensor<4x64x22x22xf32>, tensor<4x64x22x22xf32>, tensor<4x64x22x22xf32>, tensor<4x64x22x22xf32>, tensor<4x64x22x22xf32>, tensor<4x64x22x22xf32>
}

// -----

// test_fc_eltwise in int8 mode (flatten, the case MXNet quantizes), plus
// LeakyReLU leaky and elu: sigmoid, tanh, softrelu, square, sqrt and exp
// stay separate.
// CHECK-LABEL: func.func @int8_fc_eltwise(
// FP32-LABEL: func.func @int8_fc_eltwise(
// CHECK: q.fused_fc %arg0, %{{[^ ]*}} bias(%{{[^ ]*}}) <{act = #q.eltwise<relu>}>
// FP32: q.fused_fc %arg0, %{{[^ ]*}} bias(%{{[^ ]*}}) <{act = #q.eltwise<relu>}>
// CHECK: %[[F1:.*]] = q.fused_fc %arg0, %{{[^ ]*}} bias(%{{[^ ]*}}) : (
// CHECK-NEXT: q.activation <sigmoid> %[[F1]]
// FP32: q.fused_fc %arg0, %{{[^ ]*}} bias(%{{[^ ]*}}) <{act = #q.eltwise<sigmoid>}>
// CHECK: %[[F2:.*]] = q.fused_fc %arg0, %{{[^ ]*}} bias(%{{[^ ]*}}) : (
// CHECK-NEXT: q.activation <tanh> %[[F2]]
// FP32: q.fused_fc %arg0, %{{[^ ]*}} bias(%{{[^ ]*}}) <{act = #q.eltwise<tanh>}>
// CHECK: %[[F3:.*]] = q.fused_fc %arg0, %{{[^ ]*}} bias(%{{[^ ]*}}) : (
// CHECK-NEXT: q.activation <softrelu> %[[F3]]
// FP32: q.fused_fc %arg0, %{{[^ ]*}} bias(%{{[^ ]*}}) <{act = #q.eltwise<softrelu>}>
// CHECK: q.fused_fc %arg0, %{{[^ ]*}} bias(%{{[^ ]*}}) <{act = #q.eltwise<gelu>}>
// FP32: q.fused_fc %arg0, %{{[^ ]*}} bias(%{{[^ ]*}}) <{act = #q.eltwise<gelu>}>
// CHECK: %[[F5:.*]] = q.fused_fc %arg0, %{{[^ ]*}} bias(%{{[^ ]*}}) : (
// CHECK-NEXT: q.activation <square> %[[F5]]
// FP32: q.fused_fc %arg0, %{{[^ ]*}} bias(%{{[^ ]*}}) <{act = #q.eltwise<square>}>
// CHECK: %[[F6:.*]] = q.fused_fc %arg0, %{{[^ ]*}} bias(%{{[^ ]*}}) : (
// CHECK-NEXT: q.activation <sqrt> %[[F6]]
// FP32: q.fused_fc %arg0, %{{[^ ]*}} bias(%{{[^ ]*}}) <{act = #q.eltwise<sqrt>}>
// CHECK: q.fused_fc %arg0, %{{[^ ]*}} bias(%{{[^ ]*}}) <{act = #q.eltwise<abs>}>
// FP32: q.fused_fc %arg0, %{{[^ ]*}} bias(%{{[^ ]*}}) <{act = #q.eltwise<abs>}>
// CHECK: %[[F8:.*]] = q.fused_fc %arg0, %{{[^ ]*}} bias(%{{[^ ]*}}) : (
// CHECK-NEXT: q.activation <exp> %[[F8]]
// FP32: q.fused_fc %arg0, %{{[^ ]*}} bias(%{{[^ ]*}}) <{act = #q.eltwise<exp>}>
// CHECK: q.fused_fc %arg0, %{{[^ ]*}} bias(%{{[^ ]*}}) <{act = #q.eltwise<clip, 0.000000e+00, 1.000000e+00>}>
// FP32: q.fused_fc %arg0, %{{[^ ]*}} bias(%{{[^ ]*}}) <{act = #q.eltwise<clip, 0.000000e+00, 1.000000e+00>}>
// CHECK: q.fused_fc %arg0, %{{[^ ]*}} bias(%{{[^ ]*}}) <{act = #q.eltwise<leaky, 2.500000e-01>}>
// FP32: q.fused_fc %arg0, %{{[^ ]*}} bias(%{{[^ ]*}}) <{act = #q.eltwise<leaky, 2.500000e-01>}>
// CHECK: q.fused_fc %arg0, %{{[^ ]*}} bias(%{{[^ ]*}}) <{act = #q.eltwise<elu, 1.000000e+00>}>
// FP32: q.fused_fc %arg0, %{{[^ ]*}} bias(%{{[^ ]*}}) <{act = #q.eltwise<elu, 1.000000e+00>}>
// FP32-NOT: q.activation
func.func @int8_fc_eltwise(%x: tensor<4x3x24x24xf32>) -> (tensor<4x64xf32>, tensor<4x64xf32>, tensor<4x64xf32>, tensor<4x64xf32>, tensor<4x64xf32>, tensor<4x64xf32>, tensor<4x64xf32>, tensor<4x64xf32>, tensor<4x64xf32>, tensor<4x64xf32>, tensor<4x64xf32>, tensor<4x64xf32>) {
  %w = arith.constant dense<0.01> : tensor<64x1728xf32>
  %b = arith.constant dense<0.5> : tensor<64xf32>
  %f0 = q.fully_connected %x, %w, %b : tensor<4x3x24x24xf32>, tensor<64x1728xf32>, tensor<64xf32>
  %a0 = q.activation <relu> %f0 : tensor<4x64xf32>
  %f1 = q.fully_connected %x, %w, %b : tensor<4x3x24x24xf32>, tensor<64x1728xf32>, tensor<64xf32>
  %a1 = q.activation <sigmoid> %f1 : tensor<4x64xf32>
  %f2 = q.fully_connected %x, %w, %b : tensor<4x3x24x24xf32>, tensor<64x1728xf32>, tensor<64xf32>
  %a2 = q.activation <tanh> %f2 : tensor<4x64xf32>
  %f3 = q.fully_connected %x, %w, %b : tensor<4x3x24x24xf32>, tensor<64x1728xf32>, tensor<64xf32>
  %a3 = q.activation <softrelu> %f3 : tensor<4x64xf32>
  %f4 = q.fully_connected %x, %w, %b : tensor<4x3x24x24xf32>, tensor<64x1728xf32>, tensor<64xf32>
  %a4 = q.activation <gelu> %f4 : tensor<4x64xf32>
  %f5 = q.fully_connected %x, %w, %b : tensor<4x3x24x24xf32>, tensor<64x1728xf32>, tensor<64xf32>
  %a5 = q.activation <square> %f5 : tensor<4x64xf32>
  %f6 = q.fully_connected %x, %w, %b : tensor<4x3x24x24xf32>, tensor<64x1728xf32>, tensor<64xf32>
  %a6 = q.activation <sqrt> %f6 : tensor<4x64xf32>
  %f7 = q.fully_connected %x, %w, %b : tensor<4x3x24x24xf32>, tensor<64x1728xf32>, tensor<64xf32>
  %a7 = q.activation <abs> %f7 : tensor<4x64xf32>
  %f8 = q.fully_connected %x, %w, %b : tensor<4x3x24x24xf32>, tensor<64x1728xf32>, tensor<64xf32>
  %a8 = q.activation <exp> %f8 : tensor<4x64xf32>
  %f9 = q.fully_connected %x, %w, %b : tensor<4x3x24x24xf32>, tensor<64x1728xf32>, tensor<64xf32>
  %a9 = q.activation <clip, 0.0, 1.0> %f9 : tensor<4x64xf32>
  %f10 = q.fully_connected %x, %w, %b : tensor<4x3x24x24xf32>, tensor<64x1728xf32>, tensor<64xf32>
  %a10 = q.activation <leaky, 0.25> %f10 : tensor<4x64xf32>
  %f11 = q.fully_connected %x, %w, %b : tensor<4x3x24x24xf32>, tensor<64x1728xf32>, tensor<64xf32>
  %a11 = q.activation <elu, 1.0> %f11 : tensor<4x64xf32>
  return %a0, %a1, %a2, %a3, %a4, %a5, %a6, %a7, %a8, %a9, %a10, %a11 : tensor<4x64xf32>, tensor<4x64xf32>, tensor<4x64xf32>, tensor<4x64xf32>, tensor<4x64xf32>, tensor<4x64xf32>, tensor<4x64xf32>, tensor<4x64xf32>, tensor<4x64xf32>, tensor<4x64xf32>, tensor<4x64xf32>, tensor<4x64xf32>
}

// -----

// test_fc_eltwise, no_bias, in int8 mode (flatten, the case MXNet quantizes), plus
// LeakyReLU leaky and elu: sigmoid, tanh, softrelu, square, sqrt and exp
// stay separate.
// CHECK-LABEL: func.func @int8_fc_eltwise_no_bias(
// FP32-LABEL: func.func @int8_fc_eltwise_no_bias(
// CHECK: q.fused_fc %arg0, %{{[^ ]*}} <{act = #q.eltwise<relu>}>
// FP32: q.fused_fc %arg0, %{{[^ ]*}} <{act = #q.eltwise<relu>}>
// CHECK: %[[F1:.*]] = q.fused_fc %arg0, %{{[^ ]*}} : (
// CHECK-NEXT: q.activation <sigmoid> %[[F1]]
// FP32: q.fused_fc %arg0, %{{[^ ]*}} <{act = #q.eltwise<sigmoid>}>
// CHECK: %[[F2:.*]] = q.fused_fc %arg0, %{{[^ ]*}} : (
// CHECK-NEXT: q.activation <tanh> %[[F2]]
// FP32: q.fused_fc %arg0, %{{[^ ]*}} <{act = #q.eltwise<tanh>}>
// CHECK: %[[F3:.*]] = q.fused_fc %arg0, %{{[^ ]*}} : (
// CHECK-NEXT: q.activation <softrelu> %[[F3]]
// FP32: q.fused_fc %arg0, %{{[^ ]*}} <{act = #q.eltwise<softrelu>}>
// CHECK: q.fused_fc %arg0, %{{[^ ]*}} <{act = #q.eltwise<gelu>}>
// FP32: q.fused_fc %arg0, %{{[^ ]*}} <{act = #q.eltwise<gelu>}>
// CHECK: %[[F5:.*]] = q.fused_fc %arg0, %{{[^ ]*}} : (
// CHECK-NEXT: q.activation <square> %[[F5]]
// FP32: q.fused_fc %arg0, %{{[^ ]*}} <{act = #q.eltwise<square>}>
// CHECK: %[[F6:.*]] = q.fused_fc %arg0, %{{[^ ]*}} : (
// CHECK-NEXT: q.activation <sqrt> %[[F6]]
// FP32: q.fused_fc %arg0, %{{[^ ]*}} <{act = #q.eltwise<sqrt>}>
// CHECK: q.fused_fc %arg0, %{{[^ ]*}} <{act = #q.eltwise<abs>}>
// FP32: q.fused_fc %arg0, %{{[^ ]*}} <{act = #q.eltwise<abs>}>
// CHECK: %[[F8:.*]] = q.fused_fc %arg0, %{{[^ ]*}} : (
// CHECK-NEXT: q.activation <exp> %[[F8]]
// FP32: q.fused_fc %arg0, %{{[^ ]*}} <{act = #q.eltwise<exp>}>
// CHECK: q.fused_fc %arg0, %{{[^ ]*}} <{act = #q.eltwise<clip, 0.000000e+00, 1.000000e+00>}>
// FP32: q.fused_fc %arg0, %{{[^ ]*}} <{act = #q.eltwise<clip, 0.000000e+00, 1.000000e+00>}>
// CHECK: q.fused_fc %arg0, %{{[^ ]*}} <{act = #q.eltwise<leaky, 2.500000e-01>}>
// FP32: q.fused_fc %arg0, %{{[^ ]*}} <{act = #q.eltwise<leaky, 2.500000e-01>}>
// CHECK: q.fused_fc %arg0, %{{[^ ]*}} <{act = #q.eltwise<elu, 1.000000e+00>}>
// FP32: q.fused_fc %arg0, %{{[^ ]*}} <{act = #q.eltwise<elu, 1.000000e+00>}>
// FP32-NOT: q.activation
func.func @int8_fc_eltwise_no_bias(%x: tensor<4x3x24x24xf32>) -> (tensor<4x64xf32>, tensor<4x64xf32>, tensor<4x64xf32>, tensor<4x64xf32>, tensor<4x64xf32>, tensor<4x64xf32>, tensor<4x64xf32>, tensor<4x64xf32>, tensor<4x64xf32>, tensor<4x64xf32>, tensor<4x64xf32>, tensor<4x64xf32>) {
  %w = arith.constant dense<0.01> : tensor<64x1728xf32>
  %f0 = q.fully_connected %x, %w : tensor<4x3x24x24xf32>, tensor<64x1728xf32>
  %a0 = q.activation <relu> %f0 : tensor<4x64xf32>
  %f1 = q.fully_connected %x, %w : tensor<4x3x24x24xf32>, tensor<64x1728xf32>
  %a1 = q.activation <sigmoid> %f1 : tensor<4x64xf32>
  %f2 = q.fully_connected %x, %w : tensor<4x3x24x24xf32>, tensor<64x1728xf32>
  %a2 = q.activation <tanh> %f2 : tensor<4x64xf32>
  %f3 = q.fully_connected %x, %w : tensor<4x3x24x24xf32>, tensor<64x1728xf32>
  %a3 = q.activation <softrelu> %f3 : tensor<4x64xf32>
  %f4 = q.fully_connected %x, %w : tensor<4x3x24x24xf32>, tensor<64x1728xf32>
  %a4 = q.activation <gelu> %f4 : tensor<4x64xf32>
  %f5 = q.fully_connected %x, %w : tensor<4x3x24x24xf32>, tensor<64x1728xf32>
  %a5 = q.activation <square> %f5 : tensor<4x64xf32>
  %f6 = q.fully_connected %x, %w : tensor<4x3x24x24xf32>, tensor<64x1728xf32>
  %a6 = q.activation <sqrt> %f6 : tensor<4x64xf32>
  %f7 = q.fully_connected %x, %w : tensor<4x3x24x24xf32>, tensor<64x1728xf32>
  %a7 = q.activation <abs> %f7 : tensor<4x64xf32>
  %f8 = q.fully_connected %x, %w : tensor<4x3x24x24xf32>, tensor<64x1728xf32>
  %a8 = q.activation <exp> %f8 : tensor<4x64xf32>
  %f9 = q.fully_connected %x, %w : tensor<4x3x24x24xf32>, tensor<64x1728xf32>
  %a9 = q.activation <clip, 0.0, 1.0> %f9 : tensor<4x64xf32>
  %f10 = q.fully_connected %x, %w : tensor<4x3x24x24xf32>, tensor<64x1728xf32>
  %a10 = q.activation <leaky, 0.25> %f10 : tensor<4x64xf32>
  %f11 = q.fully_connected %x, %w : tensor<4x3x24x24xf32>, tensor<64x1728xf32>
  %a11 = q.activation <elu, 1.0> %f11 : tensor<4x64xf32>
  return %a0, %a1, %a2, %a3, %a4, %a5, %a6, %a7, %a8, %a9, %a10, %a11 : tensor<4x64xf32>, tensor<4x64xf32>, tensor<4x64xf32>, tensor<4x64xf32>, tensor<4x64xf32>, tensor<4x64xf32>, tensor<4x64xf32>, tensor<4x64xf32>, tensor<4x64xf32>, tensor<4x64xf32>, tensor<4x64xf32>, tensor<4x64xf32>
}
