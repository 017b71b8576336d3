// The conv rows of MXNet 1.9.1's tests/python/mkl/test_subgraph.py
// (reference section 6.1) under the fp32 rules of q-fuse (reference 4.2).
// Each case names the MXNet test it ports; positive rows run with a bias and
// without one (no_bias), as MXNet does. The data is 6.1's 4x3x24x24 and the
// convs are MXNet's (64 filters, 3x3, stride 1; 1x1 in mobilenetv2_struct).
// MXNet's attributes map to q.fused_conv as: with_bn -> the batch norm is
// folded (no bn(...) operand, no q.batch_norm left, a bias(...) operand
// appears), with_sum -> sum(...), with_act -> act, with_postsum_act ->
// postsum_act. The ops keep the order of MXNet's JSON (depth-first, lhs
// first), which is how the importer writes them.
// RUN: q-opt %s --split-input-file --q-fuse --mlir-print-debuginfo=false | FileCheck %s

// test_pos_single_conv: sg_mkldnn_conv with no attributes.
// CHECK-LABEL: func.func @pos_single_conv(
// CHECK-DAG: %[[W:.*]] = arith.constant dense<1.000000e-01> : tensor<64x3x3x3xf32>
// CHECK-DAG: %[[B:.*]] = arith.constant dense<5.000000e-01> : tensor<64xf32>
// CHECK: %[[C:.*]] = q.fused_conv %arg0, %[[W]] bias(%[[B]]) : (tensor<4x3x24x24xf32>, tensor<64x3x3x3xf32>, tensor<64xf32>) -> tensor<4x64x22x22xf32>
// CHECK-NEXT: return %[[C]]
func.func @pos_single_conv(%x: tensor<4x3x24x24xf32>) -> tensor<4x64x22x22xf32> {
  %w = arith.constant dense<0.1> : tensor<64x3x3x3xf32>
  %b = arith.constant dense<0.5> : tensor<64xf32>
  %0 = q.convolution %x, %w, %b : tensor<4x3x24x24xf32>, tensor<64x3x3x3xf32>, tensor<64xf32>
  return %0 : tensor<4x64x22x22xf32>
}

// -----

// test_pos_single_conv, no_bias.
// CHECK-LABEL: func.func @pos_single_conv_no_bias(
// CHECK: %[[C:.*]] = q.fused_conv %arg0, %{{.*}} : (tensor<4x3x24x24xf32>, tensor<64x3x3x3xf32>) -> tensor<4x64x22x22xf32>
// CHECK-NEXT: return %[[C]]
func.func @pos_single_conv_no_bias(%x: tensor<4x3x24x24xf32>) -> tensor<4x64x22x22xf32> {
  %w = arith.constant dense<0.1> : tensor<64x3x3x3xf32>
  %0 = q.convolution %x, %w : tensor<4x3x24x24xf32>, tensor<64x3x3x3xf32>
  return %0 : tensor<4x64x22x22xf32>
}

// -----

// test_pos_conv_act: with_act for relu, sigmoid, tanh, softrelu,
// relu6 = clip(0, 6), leaky(0.25) and gelu (one graph per act in MXNet, one
// independent chain each here).
// CHECK-LABEL: func.func @pos_conv_act(
// CHECK: q.fused_conv %arg0, %{{.*}} bias(%{{.*}}) <{act = #q.eltwise<relu>}>
// CHECK: q.fused_conv %arg0, %{{.*}} bias(%{{.*}}) <{act = #q.eltwise<sigmoid>}>
// CHECK: q.fused_conv %arg0, %{{.*}} bias(%{{.*}}) <{act = #q.eltwise<tanh>}>
// CHECK: q.fused_conv %arg0, %{{.*}} bias(%{{.*}}) <{act = #q.eltwise<softrelu>}>
// CHECK: q.fused_conv %arg0, %{{.*}} bias(%{{.*}}) <{act = #q.eltwise<clip, 0.000000e+00, 6.000000e+00>}>
// CHECK: q.fused_conv %arg0, %{{.*}} bias(%{{.*}}) <{act = #q.eltwise<leaky, 2.500000e-01>}>
// CHECK: q.fused_conv %arg0, %{{.*}} bias(%{{.*}}) <{act = #q.eltwise<gelu>}>
// CHECK-NOT: q.activation
func.func @pos_conv_act(%x: tensor<4x3x24x24xf32>) -> (tensor<4x64x22x22xf32>, tensor<4x64x22x22xf32>, tensor<4x64x22x22xf32>, tensor<4x64x22x22xf32>, tensor<4x64x22x22xf32>, tensor<4x64x22x22xf32>, tensor<4x64x22x22xf32>) {
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

// test_pos_conv_act, no_bias.
// CHECK-LABEL: func.func @pos_conv_act_no_bias(
// CHECK: q.fused_conv %arg0, %{{[^ ]*}} <{act = #q.eltwise<relu>}>
// CHECK: q.fused_conv %arg0, %{{[^ ]*}} <{act = #q.eltwise<sigmoid>}>
// CHECK: q.fused_conv %arg0, %{{[^ ]*}} <{act = #q.eltwise<tanh>}>
// CHECK: q.fused_conv %arg0, %{{[^ ]*}} <{act = #q.eltwise<softrelu>}>
// CHECK: q.fused_conv %arg0, %{{[^ ]*}} <{act = #q.eltwise<clip, 0.000000e+00, 6.000000e+00>}>
// CHECK: q.fused_conv %arg0, %{{[^ ]*}} <{act = #q.eltwise<leaky, 2.500000e-01>}>
// CHECK: q.fused_conv %arg0, %{{[^ ]*}} <{act = #q.eltwise<gelu>}>
// CHECK-NOT: q.activation
func.func @pos_conv_act_no_bias(%x: tensor<4x3x24x24xf32>) -> (tensor<4x64x22x22xf32>, tensor<4x64x22x22xf32>, tensor<4x64x22x22xf32>, tensor<4x64x22x22xf32>, tensor<4x64x22x22xf32>, tensor<4x64x22x22xf32>, tensor<4x64x22x22xf32>) {
  %w = arith.constant dense<0.1> : tensor<64x3x3x3xf32>
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

// test_pos_conv_bn: with_bn. The batch norm is folded into a new weight and
// bias; with a conv bias b: alpha = gamma / sqrt(var + eps) = 2 / sqrt(3 + 1)
// = 1, w' = 0.5, b' = beta + alpha * (b - mean) = 1 + (0.5 - 2) = -0.5.
// CHECK-LABEL: func.func @pos_conv_bn(
// CHECK-DAG: %[[W:.*]] = arith.constant dense_resource<conv0_weight{{.*}}> : tensor<64x3x3x3xf32>
// CHECK-DAG: %[[B:.*]] = arith.constant dense_resource<conv0_bias{{.*}}> : tensor<64xf32>
// CHECK: %[[C:.*]] = q.fused_conv %arg0, %[[W]] bias(%[[B]]) : (tensor<4x3x24x24xf32>, tensor<64x3x3x3xf32>, tensor<64xf32>) -> tensor<4x64x22x22xf32>
// CHECK-NEXT: return %[[C]]
// CHECK-NOT: q.batch_norm
// CHECK-DAG: conv0_weight{{.*}}: "0x040000000000003F0000003F
// CHECK-DAG: conv0_bias{{.*}}: "0x04000000000000BF000000BF
func.func @pos_conv_bn(%x: tensor<4x3x24x24xf32>) -> tensor<4x64x22x22xf32> {
  %w = arith.constant dense<0.5> : tensor<64x3x3x3xf32>
  %b = arith.constant dense<0.5> : tensor<64xf32>
  %gamma = arith.constant dense<2.0> : tensor<64xf32>
  %beta = arith.constant dense<1.0> : tensor<64xf32>
  %mean = arith.constant dense<2.0> : tensor<64xf32>
  %var = arith.constant dense<3.0> : tensor<64xf32>
  %0 = q.convolution %x, %w, %b : tensor<4x3x24x24xf32>, tensor<64x3x3x3xf32>, tensor<64xf32> loc("conv0")
  %1 = q.batch_norm %0, %gamma, %beta, %mean, %var <{eps = 1.0 : f64}> : tensor<4x64x22x22xf32>, tensor<64xf32> loc("bn0")
  return %1 : tensor<4x64x22x22xf32>
}

// -----

// test_pos_conv_bn, no_bias: the folded conv gains a bias,
// b' = beta - alpha * mean = 1 - 2 = -1. MXNet's BatchNorm defaults to
// fix_gamma, which ignores gamma: with it alpha = 1 / sqrt(3 + 1) = 0.5,
// w' = 0.25, b' = 1 - 0.5 * 2 = 0. The axis may be given as -3.
// CHECK-LABEL: func.func @pos_conv_bn_no_bias(
// CHECK: q.fused_conv %arg0, %{{.*}} bias(%{{.*}}) : (tensor<4x3x24x24xf32>, tensor<64x3x3x3xf32>, tensor<64xf32>) -> tensor<4x64x22x22xf32>
// CHECK: q.fused_conv %arg0, %{{.*}} bias(%{{.*}}) : (tensor<4x3x24x24xf32>, tensor<64x3x3x3xf32>, tensor<64xf32>) -> tensor<4x64x22x22xf32>
// CHECK-NOT: q.batch_norm
// CHECK-DAG: conv1_weight{{.*}}: "0x040000000000003F0000003F
// CHECK-DAG: conv1_bias{{.*}}: "0x04000000000080BF000080BF
// CHECK-DAG: conv2_weight{{.*}}: "0x040000000000803E0000803E
// CHECK-DAG: conv2_bias{{.*}}: "0x040000000000000000000000
func.func @pos_conv_bn_no_bias(%x: tensor<4x3x24x24xf32>) -> (tensor<4x64x22x22xf32>, tensor<4x64x22x22xf32>) {
  %w = arith.constant dense<0.5> : tensor<64x3x3x3xf32>
  %gamma = arith.constant dense<2.0> : tensor<64xf32>
  %beta = arith.constant dense<1.0> : tensor<64xf32>
  %mean = arith.constant dense<2.0> : tensor<64xf32>
  %var = arith.constant dense<3.0> : tensor<64xf32>
  %0 = q.convolution %x, %w : tensor<4x3x24x24xf32>, tensor<64x3x3x3xf32> loc("conv1")
  %1 = q.batch_norm %0, %gamma, %beta, %mean, %var <{eps = 1.0 : f64}> : tensor<4x64x22x22xf32>, tensor<64xf32>
  %2 = q.convolution %x, %w : tensor<4x3x24x24xf32>, tensor<64x3x3x3xf32> loc("conv2")
  %3 = q.batch_norm %2, %gamma, %beta, %mean, %var <{eps = 1.0 : f64, fix_gamma = true, axis = -3}> : tensor<4x64x22x22xf32>, tensor<64xf32>
  return %1, %3 : tensor<4x64x22x22xf32>, tensor<4x64x22x22xf32>
}

// -----

// test_pos_conv_add: conv1 + avgpool(conv2) -> with_sum on conv1. MXNet's
// JSON lists conv1 before conv2 and the pool, so the sum operand is computed
// after conv1: the fused op takes the add's place.
// CHECK-LABEL: func.func @pos_conv_add(
// CHECK: %[[C2:.*]] = q.fused_conv %arg0, %{{.*}} bias(%{{.*}}) : (tensor<4x3x24x24xf32>
// CHECK: %[[P:.*]] = q.pooling avg %[[C2]]
// CHECK: %[[C1:.*]] = q.fused_conv %arg0, %{{.*}} bias(%{{.*}}) sum(%[[P]]) : (tensor<4x3x24x24xf32>
// CHECK-NEXT: return %[[C1]]
// CHECK-NOT: q.add
func.func @pos_conv_add(%x: tensor<4x3x24x24xf32>) -> tensor<4x64x22x22xf32> {
  %w = arith.constant dense<0.1> : tensor<64x3x3x3xf32>
  %b = arith.constant dense<0.5> : tensor<64xf32>
  %w2 = arith.constant dense<0.2> : tensor<64x3x3x3xf32>
  %b2 = arith.constant dense<0.3> : tensor<64xf32>
  %c1 = q.convolution %x, %w, %b : tensor<4x3x24x24xf32>, tensor<64x3x3x3xf32>, tensor<64xf32>
  %c2 = q.convolution %x, %w2, %b2 : tensor<4x3x24x24xf32>, tensor<64x3x3x3xf32>, tensor<64xf32>
  %p = q.pooling avg %c2 <{kernel = array<i64: 1, 1>}> : tensor<4x64x22x22xf32>
  %s = q.add %c1, %p : tensor<4x64x22x22xf32>, tensor<4x64x22x22xf32>
  return %s : tensor<4x64x22x22xf32>
}

// -----

// test_pos_conv_add, no_bias (conv1 only; conv2 keeps its bias in MXNet).
// CHECK-LABEL: func.func @pos_conv_add_no_bias(
// CHECK: %[[C2:.*]] = q.fused_conv %arg0, %{{.*}} bias(%{{.*}}) : (tensor<4x3x24x24xf32>
// CHECK: %[[P:.*]] = q.pooling avg %[[C2]]
// CHECK: %[[C1:.*]] = q.fused_conv %arg0, %{{[^ ]*}} sum(%[[P]]) : (tensor<4x3x24x24xf32>
// CHECK-NEXT: return %[[C1]]
func.func @pos_conv_add_no_bias(%x: tensor<4x3x24x24xf32>) -> tensor<4x64x22x22xf32> {
  %w = arith.constant dense<0.1> : tensor<64x3x3x3xf32>
  %w2 = arith.constant dense<0.2> : tensor<64x3x3x3xf32>
  %b2 = arith.constant dense<0.3> : tensor<64xf32>
  %c1 = q.convolution %x, %w : tensor<4x3x24x24xf32>, tensor<64x3x3x3xf32>
  %c2 = q.convolution %x, %w2, %b2 : tensor<4x3x24x24xf32>, tensor<64x3x3x3xf32>, tensor<64xf32>
  %p = q.pooling avg %c2 <{kernel = array<i64: 1, 1>}> : tensor<4x64x22x22xf32>
  %s = q.add %c1, %p : tensor<4x64x22x22xf32>, tensor<4x64x22x22xf32>
  return %s : tensor<4x64x22x22xf32>
}

// -----

// test_pos_conv_add2: avgpool(conv2) + conv1, the conv on the rhs
// (MXNet canonicalizes the add's operands) -> with_sum on conv1.
// CHECK-LABEL: func.func @pos_conv_add2(
// CHECK: %[[C2:.*]] = q.fused_conv %arg0, %{{.*}} bias(%{{.*}}) : (tensor<4x3x24x24xf32>
// CHECK: %[[P:.*]] = q.pooling avg %[[C2]]
// CHECK: %[[C1:.*]] = q.fused_conv %arg0, %{{.*}} bias(%{{.*}}) sum(%[[P]]) : (tensor<4x3x24x24xf32>
// CHECK-NEXT: return %[[C1]]
// CHECK-NOT: q.add
func.func @pos_conv_add2(%x: tensor<4x3x24x24xf32>) -> tensor<4x64x22x22xf32> {
  %w = arith.constant dense<0.1> : tensor<64x3x3x3xf32>
  %b = arith.constant dense<0.5> : tensor<64xf32>
  %w2 = arith.constant dense<0.2> : tensor<64x3x3x3xf32>
  %b2 = arith.constant dense<0.3> : tensor<64xf32>
  %c2 = q.convolution %x, %w2, %b2 : tensor<4x3x24x24xf32>, tensor<64x3x3x3xf32>, tensor<64xf32>
  %p = q.pooling avg %c2 <{kernel = array<i64: 1, 1>}> : tensor<4x64x22x22xf32>
  %c1 = q.convolution %x, %w, %b : tensor<4x3x24x24xf32>, tensor<64x3x3x3xf32>, tensor<64xf32>
  %s = q.add %p, %c1 : tensor<4x64x22x22xf32>, tensor<4x64x22x22xf32>
  return %s : tensor<4x64x22x22xf32>
}

// -----

// test_pos_conv_add2, no_bias.
// CHECK-LABEL: func.func @pos_conv_add2_no_bias(
// CHECK: %[[C2:.*]] = q.fused_conv %arg0, %{{.*}} bias(%{{.*}}) : (tensor<4x3x24x24xf32>
// CHECK: %[[P:.*]] = q.pooling avg %[[C2]]
// CHECK: %[[C1:.*]] = q.fused_conv %arg0, %{{[^ ]*}} sum(%[[P]]) : (tensor<4x3x24x24xf32>
// CHECK-NEXT: return %[[C1]]
func.func @pos_conv_add2_no_bias(%x: tensor<4x3x24x24xf32>) -> tensor<4x64x22x22xf32> {
  %w = arith.constant dense<0.1> : tensor<64x3x3x3xf32>
  %w2 = arith.constant dense<0.2> : tensor<64x3x3x3xf32>
  %b2 = arith.constant dense<0.3> : tensor<64xf32>
  %c2 = q.convolution %x, %w2, %b2 : tensor<4x3x24x24xf32>, tensor<64x3x3x3xf32>, tensor<64xf32>
  %p = q.pooling avg %c2 <{kernel = array<i64: 1, 1>}> : tensor<4x64x22x22xf32>
  %c1 = q.convolution %x, %w : tensor<4x3x24x24xf32>, tensor<64x3x3x3xf32>
  %s = q.add %p, %c1 : tensor<4x64x22x22xf32>, tensor<4x64x22x22xf32>
  return %s : tensor<4x64x22x22xf32>
}

// -----

// test_pos_conv_bn_act: with_bn and with_act for the 7 acts.
// CHECK-LABEL: func.func @pos_conv_bn_act(
// CHECK: q.fused_conv %arg0, %{{[^ ]*}} bias(%{{[^ ]*}}) <{act = #q.eltwise<relu>}>
// CHECK: q.fused_conv %arg0, %{{[^ ]*}} bias(%{{[^ ]*}}) <{act = #q.eltwise<sigmoid>}>
// CHECK: q.fused_conv %arg0, %{{[^ ]*}} bias(%{{[^ ]*}}) <{act = #q.eltwise<tanh>}>
// CHECK: q.fused_conv %arg0, %{{[^ ]*}} bias(%{{[^ ]*}}) <{act = #q.eltwise<softrelu>}>
// CHECK: q.fused_conv %arg0, %{{[^ ]*}} bias(%{{[^ ]*}}) <{act = #q.eltwise<clip, 0.000000e+00, 6.000000e+00>}>
// CHECK: q.fused_conv %arg0, %{{[^ ]*}} bias(%{{[^ ]*}}) <{act = #q.eltwise<leaky, 2.500000e-01>}>
// CHECK: q.fused_conv %arg0, %{{[^ ]*}} bias(%{{[^ ]*}}) <{act = #q.eltwise<gelu>}>
// CHECK-NOT: q.batch_norm
// CHECK-NOT: q.activation
func.func @pos_conv_bn_act(%x: tensor<4x3x24x24xf32>) -> (tensor<4x64x22x22xf32>, tensor<4x64x22x22xf32>, tensor<4x64x22x22xf32>, tensor<4x64x22x22xf32>, tensor<4x64x22x22xf32>, tensor<4x64x22x22xf32>, tensor<4x64x22x22xf32>) {
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

// test_pos_conv_bn_act, no_bias: the folded batch norm supplies the bias.
// CHECK-LABEL: func.func @pos_conv_bn_act_no_bias(
// CHECK: q.fused_conv %arg0, %{{[^ ]*}} bias(%{{[^ ]*}}) <{act = #q.eltwise<relu>}>
// CHECK: q.fused_conv %arg0, %{{[^ ]*}} bias(%{{[^ ]*}}) <{act = #q.eltwise<sigmoid>}>
// CHECK: q.fused_conv %arg0, %{{[^ ]*}} bias(%{{[^ ]*}}) <{act = #q.eltwise<tanh>}>
// CHECK: q.fused_conv %arg0, %{{[^ ]*}} bias(%{{[^ ]*}}) <{act = #q.eltwise<softrelu>}>
// CHECK: q.fused_conv %arg0, %{{[^ ]*}} bias(%{{[^ ]*}}) <{act = #q.eltwise<clip, 0.000000e+00, 6.000000e+00>}>
// CHECK: q.fused_conv %arg0, %{{[^ ]*}} bias(%{{[^ ]*}}) <{act = #q.eltwise<leaky, 2.500000e-01>}>
// CHECK: q.fused_conv %arg0, %{{[^ ]*}} bias(%{{[^ ]*}}) <{act = #q.eltwise<gelu>}>
// CHECK-NOT: q.batch_norm
// CHECK-NOT: q.activation
func.func @pos_conv_bn_act_no_bias(%x: tensor<4x3x24x24xf32>) -> (tensor<4x64x22x22xf32>, tensor<4x64x22x22xf32>, tensor<4x64x22x22xf32>, tensor<4x64x22x22xf32>, tensor<4x64x22x22xf32>, tensor<4x64x22x22xf32>, tensor<4x64x22x22xf32>) {
  %w = arith.constant dense<0.1> : tensor<64x3x3x3xf32>
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

// test_pos_conv_bn_sum_act: (conv -> BN) + conv1 -> act gives with_bn,
// with_sum and with_postsum_act on conv, whose chain is the add's lhs; conv1
// (same weight, with a bias) stays a plain conv and becomes the sum operand
// although MXNet's JSON lists it after conv.
// CHECK-LABEL: func.func @pos_conv_bn_sum_act(
// CHECK-DAG: %[[W:.*]] = arith.constant dense<1.000000e-01> : tensor<64x3x3x3xf32>
// CHECK-DAG: %[[B:.*]] = arith.constant dense<5.000000e-01> : tensor<64xf32>
// CHECK: %[[S0:.*]] = q.fused_conv %arg0, %[[W]] bias(%[[B]]) : (
// CHECK: q.fused_conv %arg0, %{{[^ ]*}} bias(%{{[^ ]*}}) sum(%[[S0]]) <{postsum_act = #q.eltwise<relu>}>
// CHECK: %[[S1:.*]] = q.fused_conv %arg0, %[[W]] bias(%[[B]]) : (
// CHECK: q.fused_conv %arg0, %{{[^ ]*}} bias(%{{[^ ]*}}) sum(%[[S1]]) <{postsum_act = #q.eltwise<sigmoid>}>
// CHECK: %[[S2:.*]] = q.fused_conv %arg0, %[[W]] bias(%[[B]]) : (
// CHECK: q.fused_conv %arg0, %{{[^ ]*}} bias(%{{[^ ]*}}) sum(%[[S2]]) <{postsum_act = #q.eltwise<tanh>}>
// CHECK: %[[S3:.*]] = q.fused_conv %arg0, %[[W]] bias(%[[B]]) : (
// CHECK: q.fused_conv %arg0, %{{[^ ]*}} bias(%{{[^ ]*}}) sum(%[[S3]]) <{postsum_act = #q.eltwise<softrelu>}>
// CHECK: %[[S4:.*]] = q.fused_conv %arg0, %[[W]] bias(%[[B]]) : (
// CHECK: q.fused_conv %arg0, %{{[^ ]*}} bias(%{{[^ ]*}}) sum(%[[S4]]) <{postsum_act = #q.eltwise<clip, 0.000000e+00, 6.000000e+00>}>
// CHECK: %[[S5:.*]] = q.fused_conv %arg0, %[[W]] bias(%[[B]]) : (
// CHECK: q.fused_conv %arg0, %{{[^ ]*}} bias(%{{[^ ]*}}) sum(%[[S5]]) <{postsum_act = #q.eltwise<leaky, 2.500000e-01>}>
// CHECK: %[[S6:.*]] = q.fused_conv %arg0, %[[W]] bias(%[[B]]) : (
// CHECK: q.fused_conv %arg0, %{{[^ ]*}} bias(%{{[^ ]*}}) sum(%[[S6]]) <{postsum_act = #q.eltwise<gelu>}>
// CHECK-NOT: q.batch_norm
// CHECK-NOT: q.add
// CHECK-NOT: q.activation
func.func @pos_conv_bn_sum_act(%x: tensor<4x3x24x24xf32>) -> (tensor<4x64x22x22xf32>, tensor<4x64x22x22xf32>, tensor<4x64x22x22xf32>, tensor<4x64x22x22xf32>, tensor<4x64x22x22xf32>, tensor<4x64x22x22xf32>, tensor<4x64x22x22xf32>) {
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

// test_pos_conv_bn_sum_act, no_bias (conv only; conv1 keeps its bias).
// CHECK-LABEL: func.func @pos_conv_bn_sum_act_no_bias(
// CHECK-DAG: %[[W:.*]] = arith.constant dense<1.000000e-01> : tensor<64x3x3x3xf32>
// CHECK-DAG: %[[B:.*]] = arith.constant dense<5.000000e-01> : tensor<64xf32>
// CHECK: %[[S0:.*]] = q.fused_conv %arg0, %[[W]] bias(%[[B]]) : (
// CHECK: q.fused_conv %arg0, %{{[^ ]*}} bias(%{{[^ ]*}}) sum(%[[S0]]) <{postsum_act = #q.eltwise<relu>}>
// CHECK: %[[S1:.*]] = q.fused_conv %arg0, %[[W]] bias(%[[B]]) : (
// CHECK: q.fused_conv %arg0, %{{[^ ]*}} bias(%{{[^ ]*}}) sum(%[[S1]]) <{postsum_act = #q.eltwise<sigmoid>}>
// CHECK: %[[S2:.*]] = q.fused_conv %arg0, %[[W]] bias(%[[B]]) : (
// CHECK: q.fused_conv %arg0, %{{[^ ]*}} bias(%{{[^ ]*}}) sum(%[[S2]]) <{postsum_act = #q.eltwise<tanh>}>
// CHECK: %[[S3:.*]] = q.fused_conv %arg0, %[[W]] bias(%[[B]]) : (
// CHECK: q.fused_conv %arg0, %{{[^ ]*}} bias(%{{[^ ]*}}) sum(%[[S3]]) <{postsum_act = #q.eltwise<softrelu>}>
// CHECK: %[[S4:.*]] = q.fused_conv %arg0, %[[W]] bias(%[[B]]) : (
// CHECK: q.fused_conv %arg0, %{{[^ ]*}} bias(%{{[^ ]*}}) sum(%[[S4]]) <{postsum_act = #q.eltwise<clip, 0.000000e+00, 6.000000e+00>}>
// CHECK: %[[S5:.*]] = q.fused_conv %arg0, %[[W]] bias(%[[B]]) : (
// CHECK: q.fused_conv %arg0, %{{[^ ]*}} bias(%{{[^ ]*}}) sum(%[[S5]]) <{postsum_act = #q.eltwise<leaky, 2.500000e-01>}>
// CHECK: %[[S6:.*]] = q.fused_conv %arg0, %[[W]] bias(%[[B]]) : (
// CHECK: q.fused_conv %arg0, %{{[^ ]*}} bias(%{{[^ ]*}}) sum(%[[S6]]) <{postsum_act = #q.eltwise<gelu>}>
// CHECK-NOT: q.batch_norm
// CHECK-NOT: q.add
// CHECK-NOT: q.activation
func.func @pos_conv_bn_sum_act_no_bias(%x: tensor<4x3x24x24xf32>) -> (tensor<4x64x22x22xf32>, tensor<4x64x22x22xf32>, tensor<4x64x22x22xf32>, tensor<4x64x22x22xf32>, tensor<4x64x22x22xf32>, tensor<4x64x22x22xf32>, tensor<4x64x22x22xf32>) {
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

// test_mobilenetv2_struct: conv1 -> bn1 -> conv2 -> bn2, bn1 + bn2 (1x1
// convs, no bias). bn1 feeds conv2 and the add, so conv1's chain ends there:
// sg_mkldnn_conv_bn_0 has with_bn only. conv2's chain takes bn2 and the sum.
// CHECK-LABEL: func.func @mobilenetv2_struct(
// CHECK: %[[C1:.*]] = q.fused_conv %arg0, %{{[^ ]*}} bias(%{{[^ ]*}}) : (tensor<4x3x24x24xf32>, tensor<64x3x1x1xf32>, tensor<64xf32>) -> tensor<4x64x24x24xf32>
// CHECK: %[[C2:.*]] = q.fused_conv %[[C1]], %{{[^ ]*}} bias(%{{[^ ]*}}) sum(%[[C1]]) : (tensor<4x64x24x24xf32>, tensor<64x64x1x1xf32>, tensor<64xf32>, tensor<4x64x24x24xf32>) -> tensor<4x64x24x24xf32>
// CHECK-NEXT: return %[[C2]]
// CHECK-NOT: q.batch_norm
func.func @mobilenetv2_struct(%x: tensor<4x3x24x24xf32>) -> tensor<4x64x24x24xf32> {
  %w1 = arith.constant dense<0.1> : tensor<64x3x1x1xf32>
  %w2 = arith.constant dense<0.05> : tensor<64x64x1x1xf32>
  %g = arith.constant dense<1.5> : tensor<64xf32>
  %be = arith.constant dense<0.2> : tensor<64xf32>
  %m = arith.constant dense<0.3> : tensor<64xf32>
  %v = arith.constant dense<0.8> : tensor<64xf32>
  %c1 = q.convolution %x, %w1 : tensor<4x3x24x24xf32>, tensor<64x3x1x1xf32>
  %n1 = q.batch_norm %c1, %g, %be, %m, %v : tensor<4x64x24x24xf32>, tensor<64xf32>
  %c2 = q.convolution %n1, %w2 : tensor<4x64x24x24xf32>, tensor<64x64x1x1xf32>
  %n2 = q.batch_norm %c2, %g, %be, %m, %v : tensor<4x64x24x24xf32>, tensor<64xf32>
  %s = q.add %n1, %n2 : tensor<4x64x24x24xf32>, tensor<4x64x24x24xf32>
  return %s : tensor<4x64x24x24xf32>
}

// -----

// test_neg_conv_bn: conv -> BN and conv -> pool. The conv has a second
// consumer, so the batch norm is not fused.
// CHECK-LABEL: func.func @neg_conv_bn(
// CHECK: %[[C:.*]] = q.fused_conv %arg0, %{{[^ ]*}} bias(%{{[^ ]*}}) : (
// CHECK: q.batch_norm %[[C]]
// CHECK: q.pooling avg %[[C]]
func.func @neg_conv_bn(%x: tensor<4x3x24x24xf32>) -> (tensor<4x64x22x22xf32>, tensor<4x64x22x22xf32>) {
  %w = arith.constant dense<0.1> : tensor<64x3x3x3xf32>
  %b = arith.constant dense<0.5> : tensor<64xf32>
  %g = arith.constant dense<1.5> : tensor<64xf32>
  %be = arith.constant dense<0.2> : tensor<64xf32>
  %m = arith.constant dense<0.3> : tensor<64xf32>
  %v = arith.constant dense<0.8> : tensor<64xf32>
  %c = q.convolution %x, %w, %b : tensor<4x3x24x24xf32>, tensor<64x3x3x3xf32>, tensor<64xf32>
  %n = q.batch_norm %c, %g, %be, %m, %v : tensor<4x64x22x22xf32>, tensor<64xf32>
  %p = q.pooling avg %c <{kernel = array<i64: 1, 1>}> : tensor<4x64x22x22xf32>
  return %n, %p : tensor<4x64x22x22xf32>, tensor<4x64x22x22xf32>
}

// -----

// test_neg_conv_relu: conv -> relu and conv -> pool: no with_act.
// CHECK-LABEL: func.func @neg_conv_relu(
// CHECK: %[[C:.*]] = q.fused_conv %arg0, %{{[^ ]*}} bias(%{{[^ ]*}}) : (
// CHECK: q.activation <relu> %[[C]]
// CHECK: q.pooling avg %[[C]]
func.func @neg_conv_relu(%x: tensor<4x3x24x24xf32>) -> (tensor<4x64x22x22xf32>, tensor<4x64x22x22xf32>) {
  %w = arith.constant dense<0.1> : tensor<64x3x3x3xf32>
  %b = arith.constant dense<0.5> : tensor<64xf32>
  %c = q.convolution %x, %w, %b : tensor<4x3x24x24xf32>, tensor<64x3x3x3xf32>, tensor<64xf32>
  %r = q.activation <relu> %c : tensor<4x64x22x22xf32>
  %p = q.pooling avg %c <{kernel = array<i64: 1, 1>}> : tensor<4x64x22x22xf32>
  return %r, %p : tensor<4x64x22x22xf32>, tensor<4x64x22x22xf32>
}

// -----

// test_neg_conv_add: conv + addend and conv -> pool: no with_sum.
// CHECK-LABEL: func.func @neg_conv_add(
// CHECK: %[[C:.*]] = q.fused_conv %arg0, %{{[^ ]*}} bias(%{{[^ ]*}}) : (
// CHECK: q.add %[[C]], %arg1
// CHECK: q.pooling avg %[[C]]
func.func @neg_conv_add(%x: tensor<4x3x24x24xf32>, %addend: tensor<4x64x22x22xf32>) -> (tensor<4x64x22x22xf32>, tensor<4x64x22x22xf32>) {
  %w = arith.constant dense<0.1> : tensor<64x3x3x3xf32>
  %b = arith.constant dense<0.5> : tensor<64xf32>
  %c = q.convolution %x, %w, %b : tensor<4x3x24x24xf32>, tensor<64x3x3x3xf32>, tensor<64xf32>
  %s = q.add %c, %addend : tensor<4x64x22x22xf32>, tensor<4x64x22x22xf32>
  %p = q.pooling avg %c <{kernel = array<i64: 1, 1>}> : tensor<4x64x22x22xf32>
  return %s, %p : tensor<4x64x22x22xf32>, tensor<4x64x22x22xf32>
}

// -----

// test_neg_conv_bn_relu (1): conv -> bn -> relu with a branch at the conv:
// nothing is fused into the conv.
// CHECK-LABEL: func.func @neg_conv_bn_relu_branch_at_conv(
// CHECK: %[[C:.*]] = q.fused_conv %arg0, %{{[^ ]*}} bias(%{{[^ ]*}}) : (
// CHECK: %[[N:.*]] = q.batch_norm %[[C]]
// CHECK: q.activation <relu> %[[N]]
// CHECK: q.pooling avg %[[C]]
func.func @neg_conv_bn_relu_branch_at_conv(%x: tensor<4x3x24x24xf32>) -> (tensor<4x64x22x22xf32>, tensor<4x64x22x22xf32>) {
  %w = arith.constant dense<0.1> : tensor<64x3x3x3xf32>
  %b = arith.constant dense<0.5> : tensor<64xf32>
  %g = arith.constant dense<1.5> : tensor<64xf32>
  %be = arith.constant dense<0.2> : tensor<64xf32>
  %m = arith.constant dense<0.3> : tensor<64xf32>
  %v = arith.constant dense<0.8> : tensor<64xf32>
  %c = q.convolution %x, %w, %b : tensor<4x3x24x24xf32>, tensor<64x3x3x3xf32>, tensor<64xf32>
  %n = q.batch_norm %c, %g, %be, %m, %v : tensor<4x64x22x22xf32>, tensor<64xf32>
  %r = q.activation <relu> %n : tensor<4x64x22x22xf32>
  %p = q.pooling avg %c <{kernel = array<i64: 1, 1>}> : tensor<4x64x22x22xf32>
  return %r, %p : tensor<4x64x22x22xf32>, tensor<4x64x22x22xf32>
}

// -----

// test_neg_conv_bn_relu (2): the branch is at the bn: with_bn, not with_act.
// CHECK-LABEL: func.func @neg_conv_bn_relu_branch_at_bn(
// CHECK: %[[C:.*]] = q.fused_conv %arg0, %{{[^ ]*}} bias(%{{[^ ]*}}) : (
// CHECK: q.activation <relu> %[[C]]
// CHECK: q.pooling avg %[[C]]
// CHECK-NOT: q.batch_norm
func.func @neg_conv_bn_relu_branch_at_bn(%x: tensor<4x3x24x24xf32>) -> (tensor<4x64x22x22xf32>, tensor<4x64x22x22xf32>) {
  %w = arith.constant dense<0.1> : tensor<64x3x3x3xf32>
  %b = arith.constant dense<0.5> : tensor<64xf32>
  %g = arith.constant dense<1.5> : tensor<64xf32>
  %be = arith.constant dense<0.2> : tensor<64xf32>
  %m = arith.constant dense<0.3> : tensor<64xf32>
  %v = arith.constant dense<0.8> : tensor<64xf32>
  %c = q.convolution %x, %w, %b : tensor<4x3x24x24xf32>, tensor<64x3x3x3xf32>, tensor<64xf32>
  %n = q.batch_norm %c, %g, %be, %m, %v : tensor<4x64x22x22xf32>, tensor<64xf32>
  %r = q.activation <relu> %n : tensor<4x64x22x22xf32>
  %p = q.pooling avg %n <{kernel = array<i64: 1, 1>}> : tensor<4x64x22x22xf32>
  return %r, %p : tensor<4x64x22x22xf32>, tensor<4x64x22x22xf32>
}

// -----

// test_neg_conv_bn_add_relu, branch at the conv: no attributes.
// CHECK-LABEL: func.func @neg_conv_bn_add_relu_branch_at_conv(
// CHECK: %[[C:.*]] = q.fused_conv %arg0, %{{[^ ]*}} : (
// CHECK: %[[N:.*]] = q.batch_norm %[[C]]
// CHECK: %[[S:.*]] = q.add %[[N]], %arg1
// CHECK: q.activation <relu> %[[S]]
// CHECK: q.pooling avg %[[C]]
func.func @neg_conv_bn_add_relu_branch_at_conv(%x: tensor<4x3x24x24xf32>, %addend: tensor<4x64x22x22xf32>) -> (tensor<4x64x22x22xf32>, tensor<4x64x22x22xf32>) {
  %w = arith.constant dense<0.1> : tensor<64x3x3x3xf32>
  %g = arith.constant dense<1.5> : tensor<64xf32>
  %be = arith.constant dense<0.2> : tensor<64xf32>
  %m = arith.constant dense<0.3> : tensor<64xf32>
  %v = arith.constant dense<0.8> : tensor<64xf32>
  %c = q.convolution %x, %w : tensor<4x3x24x24xf32>, tensor<64x3x3x3xf32>
  %n = q.batch_norm %c, %g, %be, %m, %v <{eps = 1.0e-5 : f64}> : tensor<4x64x22x22xf32>, tensor<64xf32>
  %s = q.add %n, %addend : tensor<4x64x22x22xf32>, tensor<4x64x22x22xf32>
  %r = q.activation <relu> %s : tensor<4x64x22x22xf32>
  %p = q.pooling avg %c <{kernel = array<i64: 1, 1>}> : tensor<4x64x22x22xf32>
  return %r, %p : tensor<4x64x22x22xf32>, tensor<4x64x22x22xf32>
}

// -----

// test_neg_conv_bn_add_relu, branch at the bn: with_bn only.
// CHECK-LABEL: func.func @neg_conv_bn_add_relu_branch_at_bn(
// CHECK: %[[C:.*]] = q.fused_conv %arg0, %{{[^ ]*}} bias(%{{[^ ]*}}) : (
// CHECK: %[[S:.*]] = q.add %[[C]], %arg1
// CHECK: q.activation <relu> %[[S]]
// CHECK: q.pooling avg %[[C]]
// CHECK-NOT: q.batch_norm
func.func @neg_conv_bn_add_relu_branch_at_bn(%x: tensor<4x3x24x24xf32>, %addend: tensor<4x64x22x22xf32>) -> (tensor<4x64x22x22xf32>, tensor<4x64x22x22xf32>) {
  %w = arith.constant dense<0.1> : tensor<64x3x3x3xf32>
  %g = arith.constant dense<1.5> : tensor<64xf32>
  %be = arith.constant dense<0.2> : tensor<64xf32>
  %m = arith.constant dense<0.3> : tensor<64xf32>
  %v = arith.constant dense<0.8> : tensor<64xf32>
  %c = q.convolution %x, %w : tensor<4x3x24x24xf32>, tensor<64x3x3x3xf32>
  %n = q.batch_norm %c, %g, %be, %m, %v <{eps = 1.0e-5 : f64}> : tensor<4x64x22x22xf32>, tensor<64xf32>
  %s = q.add %n, %addend : tensor<4x64x22x22xf32>, tensor<4x64x22x22xf32>
  %r = q.activation <relu> %s : tensor<4x64x22x22xf32>
  %p = q.pooling avg %n <{kernel = array<i64: 1, 1>}> : tensor<4x64x22x22xf32>
  return %r, %p : tensor<4x64x22x22xf32>, tensor<4x64x22x22xf32>
}

// -----

// test_neg_conv_bn_add_relu, branch at the add: with_bn and with_sum, no
// postsum act.
// CHECK-LABEL: func.func @neg_conv_bn_add_relu_branch_at_add(
// CHECK: %[[C:.*]] = q.fused_conv %arg0, %{{[^ ]*}} bias(%{{[^ ]*}}) sum(%arg1) : (
// CHECK: q.activation <relu> %[[C]]
// CHECK: q.pooling avg %[[C]]
// CHECK-NOT: q.batch_norm
// CHECK-NOT: q.add
func.func @neg_conv_bn_add_relu_branch_at_add(%x: tensor<4x3x24x24xf32>, %addend: tensor<4x64x22x22xf32>) -> (tensor<4x64x22x22xf32>, tensor<4x64x22x22xf32>) {
  %w = arith.constant dense<0.1> : tensor<64x3x3x3xf32>
  %g = arith.constant dense<1.5> : tensor<64xf32>
  %be = arith.constant dense<0.2> : tensor<64xf32>
  %m = arith.constant dense<0.3> : tensor<64xf32>
  %v = arith.constant dense<0.8> : tensor<64xf32>
  %c = q.convolution %x, %w : tensor<4x3x24x24xf32>, tensor<64x3x3x3xf32>
  %n = q.batch_norm %c, %g, %be, %m, %v <{eps = 1.0e-5 : f64}> : tensor<4x64x22x22xf32>, tensor<64xf32>
  %s = q.add %n, %addend : tensor<4x64x22x22xf32>, tensor<4x64x22x22xf32>
  %r = q.activation <relu> %s : tensor<4x64x22x22xf32>
  %p = q.pooling avg %s <{kernel = array<i64: 1, 1>}> : tensor<4x64x22x22xf32>
  return %r, %p : tensor<4x64x22x22xf32>, tensor<4x64x22x22xf32>
}

// -----

// The order rules of the conv selector (reference 4.2): an act ends the
// match, so conv + act + add keeps the add; a second act is not fused; a
// batch norm after the sum is not fused either.
// CHECK-LABEL: func.func @conv_order(
// CHECK: %[[A:.*]] = q.fused_conv %arg0, %{{[^ ]*}} <{act = #q.eltwise<relu>}>
// CHECK: q.add %[[A]], %arg1
// CHECK: %[[B:.*]] = q.fused_conv %arg0, %{{[^ ]*}} <{act = #q.eltwise<relu>}>
// CHECK: q.activation <sigmoid> %[[B]]
// CHECK: %[[C:.*]] = q.fused_conv %arg0, %{{[^ ]*}} sum(%arg1) : (
// CHECK: q.batch_norm %[[C]]
func.func @conv_order(%x: tensor<4x3x24x24xf32>, %y: tensor<4x64x22x22xf32>) -> (tensor<4x64x22x22xf32>, tensor<4x64x22x22xf32>, tensor<4x64x22x22xf32>) {
  %w = arith.constant dense<0.1> : tensor<64x3x3x3xf32>
  %g = arith.constant dense<1.5> : tensor<64xf32>
  %c0 = q.convolution %x, %w : tensor<4x3x24x24xf32>, tensor<64x3x3x3xf32>
  %a0 = q.activation <relu> %c0 : tensor<4x64x22x22xf32>
  %s0 = q.add %a0, %y : tensor<4x64x22x22xf32>, tensor<4x64x22x22xf32>
  %c1 = q.convolution %x, %w : tensor<4x3x24x24xf32>, tensor<64x3x3x3xf32>
  %a1 = q.activation <relu> %c1 : tensor<4x64x22x22xf32>
  %a2 = q.activation <sigmoid> %a1 : tensor<4x64x22x22xf32>
  %c2 = q.convolution %x, %w : tensor<4x3x24x24xf32>, tensor<64x3x3x3xf32>
  %s2 = q.add %c2, %y : tensor<4x64x22x22xf32>, tensor<4x64x22x22xf32>
  %n2 = q.batch_norm %s2, %g, %g, %g, %g : tensor<4x64x22x22xf32>, tensor<64xf32>
  return %s0, %a2, %n2 : tensor<4x64x22x22xf32>, tensor<4x64x22x22xf32>, tensor<4x64x22x22xf32>
}
