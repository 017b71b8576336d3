// q-fuse follows MXNet's subgraph rules (reference 4.2, 4.3; the patterns
// of tests/python/mkl/test_subgraph.py, section 6.1).
// RUN: q-opt %s --split-input-file --q-fuse --mlir-print-debuginfo=false | FileCheck %s
// RUN: q-opt %s --split-input-file --q-fuse="mode=int8" --mlir-print-debuginfo=false | FileCheck %s --check-prefix=INT8

// test_pos_single_conv
// CHECK-LABEL: func.func @single_conv
// CHECK: q.fused_conv %arg0, %arg1 bias(%arg2) :
// CHECK-NOT: q.convolution
func.func @single_conv(%x: tensor<1x4x10x10xf32>, %w: tensor<8x4x3x3xf32>, %b: tensor<8xf32>) -> tensor<1x8x8x8xf32> {
  %0 = q.convolution %x, %w, %b : tensor<1x4x10x10xf32>, tensor<8x4x3x3xf32>, tensor<8xf32>
  return %0 : tensor<1x8x8x8xf32>
}

// -----

// test_pos_conv_bn: BN with constant parameters folds into weight and bias:
// alpha = gamma / sqrt(var + eps) = 2 / sqrt(3 + 1) = 1, w' = 0.5 * 1,
// b' = beta + alpha * (b - mean) = 1 + (0 - 2) = -1.
// CHECK-LABEL: func.func @conv_bn
// CHECK-DAG: %[[W:.*]] = arith.constant dense_resource<conv0_weight{{.*}}> : tensor<2x1x1x1xf32>
// CHECK-DAG: %[[B:.*]] = arith.constant dense_resource<conv0_bias{{.*}}> : tensor<2xf32>
// CHECK: q.fused_conv %arg0, %[[W]] bias(%[[B]]) :
// CHECK-NOT: q.batch_norm
// CHECK: conv0_weight{{.*}}: "0x040000000000003F0000003F"
// CHECK: conv0_bias{{.*}}: "0x04000000000080BF000080BF"
func.func @conv_bn(%x: tensor<1x1x4x4xf32>) -> tensor<1x2x4x4xf32> {
  %w = arith.constant dense<0.5> : tensor<2x1x1x1xf32>
  %gamma = arith.constant dense<2.0> : tensor<2xf32>
  %beta = arith.constant dense<1.0> : tensor<2xf32>
  %mean = arith.constant dense<2.0> : tensor<2xf32>
  %var = arith.constant dense<3.0> : tensor<2xf32>
  %0 = q.convolution %x, %w : tensor<1x1x4x4xf32>, tensor<2x1x1x1xf32> loc("conv0")
  %1 = q.batch_norm %0, %gamma, %beta, %mean, %var <{eps = 1.0 : f64}> : tensor<1x2x4x4xf32>, tensor<2xf32>
  return %1 : tensor<1x2x4x4xf32>
}

// -----

// BN parameters that are not constants stay a separate op.
// CHECK-LABEL: func.func @conv_bn_arguments
// CHECK: q.fused_conv
// CHECK: q.batch_norm
func.func @conv_bn_arguments(%x: tensor<1x1x4x4xf32>, %w: tensor<2x1x1x1xf32>, %c: tensor<2xf32>) -> tensor<1x2x4x4xf32> {
  %0 = q.convolution %x, %w : tensor<1x1x4x4xf32>, tensor<2x1x1x1xf32>
  %1 = q.batch_norm %0, %c, %c, %c, %c : tensor<1x2x4x4xf32>, tensor<2xf32>
  return %1 : tensor<1x2x4x4xf32>
}

// -----

// test_pos_conv_act: every activation MXNet fuses in fp32; int8 keeps relu.
// CHECK-LABEL: func.func @conv_act
// CHECK: q.fused_conv {{.*}}act = #q.eltwise<relu>
// CHECK: q.fused_conv {{.*}}act = #q.eltwise<sigmoid>
// CHECK: q.fused_conv {{.*}}act = #q.eltwise<tanh>
// CHECK: q.fused_conv {{.*}}act = #q.eltwise<softrelu>
// CHECK: q.fused_conv {{.*}}act = #q.eltwise<clip, 0.000000e+00, 6.000000e+00>
// CHECK: q.fused_conv {{.*}}act = #q.eltwise<leaky, 2.500000e-01>
// CHECK: q.fused_conv {{.*}}act = #q.eltwise<gelu>
// CHECK-NOT: q.activation
// INT8-LABEL: func.func @conv_act
// INT8: q.fused_conv {{.*}}act = #q.eltwise<relu>
// INT8-COUNT-3: q.activation
// INT8: q.fused_conv {{.*}}act = #q.eltwise<clip, 0.000000e+00, 6.000000e+00>
// INT8: q.fused_conv {{.*}}act = #q.eltwise<leaky, 2.500000e-01>
// INT8: q.fused_conv {{.*}}act = #q.eltwise<gelu>
func.func @conv_act(%x: tensor<1x4x6x6xf32>, %w: tensor<4x4x1x1xf32>) -> tensor<1x4x6x6xf32> {
  %c0 = q.convolution %x, %w : tensor<1x4x6x6xf32>, tensor<4x4x1x1xf32>
  %a0 = q.activation <relu> %c0 : tensor<1x4x6x6xf32>
  %c1 = q.convolution %a0, %w : tensor<1x4x6x6xf32>, tensor<4x4x1x1xf32>
  %a1 = q.activation <sigmoid> %c1 : tensor<1x4x6x6xf32>
  %c2 = q.convolution %a1, %w : tensor<1x4x6x6xf32>, tensor<4x4x1x1xf32>
  %a2 = q.activation <tanh> %c2 : tensor<1x4x6x6xf32>
  %c3 = q.convolution %a2, %w : tensor<1x4x6x6xf32>, tensor<4x4x1x1xf32>
  %a3 = q.activation <softrelu> %c3 : tensor<1x4x6x6xf32>
  %c4 = q.convolution %a3, %w : tensor<1x4x6x6xf32>, tensor<4x4x1x1xf32>
  %a4 = q.activation <clip, 0.0, 6.0> %c4 : tensor<1x4x6x6xf32>
  %c5 = q.convolution %a4, %w : tensor<1x4x6x6xf32>, tensor<4x4x1x1xf32>
  %a5 = q.activation <leaky, 0.25> %c5 : tensor<1x4x6x6xf32>
  %c6 = q.convolution %a5, %w : tensor<1x4x6x6xf32>, tensor<4x4x1x1xf32>
  %a6 = q.activation <gelu> %c6 : tensor<1x4x6x6xf32>
  return %a6 : tensor<1x4x6x6xf32>
}

// -----

// Not fused: elu after a conv, and clip with a non-zero lower bound.
// CHECK-LABEL: func.func @conv_act_not_fused
// CHECK-COUNT-2: q.activation
func.func @conv_act_not_fused(%x: tensor<1x4x6x6xf32>, %w: tensor<4x4x1x1xf32>) -> tensor<1x4x6x6xf32> {
  %c0 = q.convolution %x, %w : tensor<1x4x6x6xf32>, tensor<4x4x1x1xf32>
  %a0 = q.activation <elu, 1.0> %c0 : tensor<1x4x6x6xf32>
  %c1 = q.convolution %a0, %w : tensor<1x4x6x6xf32>, tensor<4x4x1x1xf32>
  %a1 = q.activation <clip, -1.0, 1.0> %c1 : tensor<1x4x6x6xf32>
  return %a1 : tensor<1x4x6x6xf32>
}

// -----

// test_pos_conv_add and test_pos_conv_add2 (operands swapped):
// conv1 + avgpool(conv2).
// CHECK-LABEL: func.func @conv_add
// CHECK: %[[C2:.*]] = q.fused_conv %arg0, %arg2 :
// CHECK: %[[P:.*]] = q.pooling avg %[[C2]]
// CHECK: q.fused_conv %arg0, %arg1 sum(%[[P]]) :
// CHECK-NOT: q.add
func.func @conv_add(%x: tensor<1x4x6x6xf32>, %w1: tensor<4x4x3x3xf32>, %w2: tensor<4x4x1x1xf32>) -> tensor<1x4x4x4xf32> {
  %c2 = q.convolution %x, %w2 : tensor<1x4x6x6xf32>, tensor<4x4x1x1xf32>
  %p = q.pooling avg %c2 <{kernel = array<i64: 3, 3>, strides = array<i64: 1, 1>}> : tensor<1x4x6x6xf32>
  %c1 = q.convolution %x, %w1 : tensor<1x4x6x6xf32>, tensor<4x4x3x3xf32>
  %s = q.add %p, %c1 : tensor<1x4x4x4xf32>, tensor<1x4x4x4xf32>
  return %s : tensor<1x4x4x4xf32>
}

// -----

// test_pos_conv_bn_sum_act: (conv -> BN) + conv1 -> relu.
// CHECK-LABEL: func.func @conv_bn_sum_act
// CHECK: %[[S:.*]] = q.fused_conv %arg0, %arg1 :
// CHECK: q.fused_conv %arg0, %{{.*}} bias(%{{.*}}) sum(%[[S]]) <{postsum_act = #q.eltwise<relu>}>
// CHECK-NOT: q.activation
func.func @conv_bn_sum_act(%x: tensor<1x2x4x4xf32>, %w1: tensor<2x2x1x1xf32>) -> tensor<1x2x4x4xf32> {
  %w = arith.constant dense<1.0> : tensor<2x2x1x1xf32>
  %c = arith.constant dense<1.0> : tensor<2xf32>
  %s = q.convolution %x, %w1 : tensor<1x2x4x4xf32>, tensor<2x2x1x1xf32>
  %0 = q.convolution %x, %w : tensor<1x2x4x4xf32>, tensor<2x2x1x1xf32>
  %1 = q.batch_norm %0, %c, %c, %c, %c : tensor<1x2x4x4xf32>, tensor<2xf32>
  %2 = q.add %1, %s : tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>
  %3 = q.activation <relu> %2 : tensor<1x2x4x4xf32>
  return %3 : tensor<1x2x4x4xf32>
}

// -----

// test_neg_conv_bn: the conv has a second consumer, so BN stays.
// CHECK-LABEL: func.func @neg_conv_bn
// CHECK: q.fused_conv
// CHECK: q.batch_norm
// CHECK: q.pooling
func.func @neg_conv_bn(%x: tensor<1x2x4x4xf32>) -> (tensor<1x2x4x4xf32>, tensor<1x2x2x2xf32>) {
  %w = arith.constant dense<1.0> : tensor<2x2x1x1xf32>
  %c = arith.constant dense<1.0> : tensor<2xf32>
  %0 = q.convolution %x, %w : tensor<1x2x4x4xf32>, tensor<2x2x1x1xf32>
  %1 = q.batch_norm %0, %c, %c, %c, %c : tensor<1x2x4x4xf32>, tensor<2xf32>
  %2 = q.pooling max %0 <{kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>}> : tensor<1x2x4x4xf32>
  return %1, %2 : tensor<1x2x4x4xf32>, tensor<1x2x2x2xf32>
}

// -----

// test_neg_conv_relu and test_neg_conv_add: branches end the match.
// CHECK-LABEL: func.func @neg_conv_relu_add
// CHECK: q.activation <relu>
// CHECK: q.add
func.func @neg_conv_relu_add(%x: tensor<1x2x4x4xf32>, %w: tensor<2x2x1x1xf32>, %y: tensor<1x2x4x4xf32>) -> (tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>) {
  %0 = q.convolution %x, %w : tensor<1x2x4x4xf32>, tensor<2x2x1x1xf32>
  %1 = q.activation <relu> %0 : tensor<1x2x4x4xf32>
  %2 = q.convolution %x, %w : tensor<1x2x4x4xf32>, tensor<2x2x1x1xf32>
  %3 = q.add %2, %y : tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>
  return %1, %0, %3, %2 : tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>
}

// -----

// conv + act + add is not fused (MXNet ends the match at the act).
// CHECK-LABEL: func.func @conv_act_add
// CHECK: q.fused_conv {{.*}}act = #q.eltwise<relu>
// CHECK: q.add
func.func @conv_act_add(%x: tensor<1x2x4x4xf32>, %w: tensor<2x2x1x1xf32>, %y: tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32> {
  %0 = q.convolution %x, %w : tensor<1x2x4x4xf32>, tensor<2x2x1x1xf32>
  %1 = q.activation <relu> %0 : tensor<1x2x4x4xf32>
  %2 = q.add %1, %y : tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>
  return %2 : tensor<1x2x4x4xf32>
}

// -----

// test_single_fc, test_fc_eltwise, test_fc_eltwise_identity (dropout
// between fc and relu is removed first), test_neg_fc_relu.
// CHECK-LABEL: func.func @fc
// CHECK: q.fused_fc %arg0, %arg1 bias(%arg2) <{act = #q.eltwise<relu>}>
// CHECK: q.fused_fc %{{.*}}, %arg3 <{act = #q.eltwise<square>}>
// CHECK: %[[F:.*]] = q.fused_fc %{{.*}}, %arg3 :
// CHECK: q.activation <sigmoid> %[[F]]
// INT8-LABEL: func.func @fc
// INT8: q.fused_fc %arg0, %arg1 bias(%arg2) <{act = #q.eltwise<relu>}>
// INT8: q.activation <square>
func.func @fc(%x: tensor<2x8xf32>, %w: tensor<8x8xf32>, %b: tensor<8xf32>, %w2: tensor<8x8xf32>) -> (tensor<2x8xf32>, tensor<2x8xf32>, tensor<2x8xf32>) {
  %0 = q.fully_connected %x, %w, %b : tensor<2x8xf32>, tensor<8x8xf32>, tensor<8xf32>
  %d = q.dropout %0 : tensor<2x8xf32>
  %1 = q.activation <relu> %d : tensor<2x8xf32>
  %2 = q.fully_connected %1, %w2 : tensor<2x8xf32>, tensor<8x8xf32>
  %3 = q.activation <square> %2 : tensor<2x8xf32>
  %4 = q.fully_connected %3, %w2 : tensor<2x8xf32>, tensor<8x8xf32>
  %5 = q.activation <sigmoid> %4 : tensor<2x8xf32>
  return %5, %4, %3 : tensor<2x8xf32>, tensor<2x8xf32>, tensor<2x8xf32>
}
