// q-assign-layouts: convolutions and the ops between them run channels
// last; NCHW stays at the graph's inputs and outputs and at ops that read
// only NCHW, with one q.reorder per value where they meet.
// RUN: q-opt %s --split-input-file --q-assign-layouts --mlir-print-debuginfo=false | FileCheck %s

// A residual block: the stem conv reads the NCHW input itself, everything
// after it is NHWC, and the global pooling's [1, 8, 1, 1] result (stored
// alike in both layouts) feeds the flatten with no reorder.
// CHECK-LABEL: func.func @block
// CHECK-NOT: q.reorder
// CHECK: %[[C0:.*]] = q.fused_conv %arg0, {{.*}} {q.layout = #q<layout nhwc>}
// CHECK: %[[P:.*]] = q.pooling max %[[C0]] {{.*}} {q.layout = #q<layout nhwc>}
// CHECK: %[[C1:.*]] = q.fused_conv %[[P]], {{.*}} {q.layout = #q<layout nhwc>}
// CHECK: %[[C2:.*]] = q.fused_conv %[[C1]], {{.*}} sum(%[[P]]) {{.*}} {q.layout = #q<layout nhwc>}
// CHECK: %[[R:.*]] = q.activation <relu> %[[C2]] {q.layout = #q<layout nhwc>}
// CHECK: %[[G:.*]] = q.pooling avg %[[R]] {{.*}} {q.layout = #q<layout nhwc>}
// CHECK: q.flatten %[[G]]
// CHECK-NOT: q.reorder
// CHECK: return
func.func @block(%x: tensor<1x3x16x16xf32>) -> tensor<1x8xf32> {
  %w0 = arith.constant dense<1.0> : tensor<8x3x3x3xf32>
  %w1 = arith.constant dense<1.0> : tensor<8x8x3x3xf32>
  %0 = q.fused_conv %x, %w0 <{pads = array<i64: 1, 1, 1, 1>}> : (tensor<1x3x16x16xf32>, tensor<8x3x3x3xf32>) -> tensor<1x8x16x16xf32>
  %1 = q.pooling max %0 <{kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>}> : tensor<1x8x16x16xf32>
  %2 = q.fused_conv %1, %w1 <{pads = array<i64: 1, 1, 1, 1>}> : (tensor<1x8x8x8xf32>, tensor<8x8x3x3xf32>) -> tensor<1x8x8x8xf32>
  %3 = q.fused_conv %2, %w1 sum(%1) <{pads = array<i64: 1, 1, 1, 1>}> : (tensor<1x8x8x8xf32>, tensor<8x8x3x3xf32>, tensor<1x8x8x8xf32>) -> tensor<1x8x8x8xf32>
  %4 = q.activation <relu> %3 : tensor<1x8x8x8xf32>
  %5 = q.pooling avg %4 <{global_pool = true}> : tensor<1x8x8x8xf32>
  %6 = q.flatten %5 : tensor<1x8x1x1xf32>
  return %6 : tensor<1x8xf32>
}

// -----

// An op that reads only NCHW (softmax over channels) between convolutions:
// the convolution before it writes NCHW itself, the one after reads NCHW
// itself, and so does the last one for the graph output: no reorder.
// CHECK-LABEL: func.func @fixed_op
// CHECK-NOT: q.reorder
// CHECK: %[[C0:.*]] = q.fused_conv %arg0, {{.*}} {q.layout = #q<layout nhwc>}
// CHECK: %[[C1:.*]] = q.fused_conv %[[C0]], {{.*}} : (tensor<1x8x8x8xf32>, tensor<8x8x3x3xf32>) -> tensor<1x8x8x8xf32>
// CHECK-NEXT: %[[S:.*]] = q.softmax %[[C1]]
// CHECK-NOT: q.layout
// CHECK: %[[C2:.*]] = q.fused_conv %[[S]], {{.*}} {q.layout = #q<layout nhwc>}
// CHECK: %[[C3:.*]] = q.fused_conv %[[C2]], {{.*}} : (tensor<1x8x8x8xf32>, tensor<8x8x3x3xf32>) -> tensor<1x8x8x8xf32>
// CHECK-NEXT: return %[[C3]]
func.func @fixed_op(%x: tensor<1x8x8x8xf32>) -> tensor<1x8x8x8xf32> {
  %w = arith.constant dense<1.0> : tensor<8x8x3x3xf32>
  %0 = q.fused_conv %x, %w <{pads = array<i64: 1, 1, 1, 1>}> : (tensor<1x8x8x8xf32>, tensor<8x8x3x3xf32>) -> tensor<1x8x8x8xf32>
  %1 = q.fused_conv %0, %w <{pads = array<i64: 1, 1, 1, 1>}> : (tensor<1x8x8x8xf32>, tensor<8x8x3x3xf32>) -> tensor<1x8x8x8xf32>
  %2 = q.softmax %1 <{axis = 1 : i64}> : tensor<1x8x8x8xf32>
  %3 = q.fused_conv %2, %w <{pads = array<i64: 1, 1, 1, 1>}> : (tensor<1x8x8x8xf32>, tensor<8x8x3x3xf32>) -> tensor<1x8x8x8xf32>
  %4 = q.fused_conv %3, %w <{pads = array<i64: 1, 1, 1, 1>}> : (tensor<1x8x8x8xf32>, tensor<8x8x3x3xf32>) -> tensor<1x8x8x8xf32>
  return %4 : tensor<1x8x8x8xf32>
}

// -----

// Channel concat and per-channel ops join the plan; a concat along another
// axis reads NCHW (which the convolution before it writes).
// CHECK-LABEL: func.func @concat
// CHECK: %[[A:.*]] = q.fused_conv %arg0, {{.*}} {q.layout = #q<layout nhwc>}
// CHECK: %[[B:.*]] = q.fused_conv %arg0, {{.*}} {q.layout = #q<layout nhwc>}
// CHECK: %[[CAT:.*]] = q.concat %[[A]], %[[B]] {q.layout = #q<layout nhwc>}
// CHECK: %[[BN:.*]] = q.batch_norm %[[CAT]], {{.*}} {q.layout = #q<layout nhwc>}
// CHECK: %[[PR:.*]] = q.prelu %[[BN]], {{.*}} {q.layout = #q<layout nhwc>}
// CHECK: %[[ADD:.*]] = q.add %[[PR]], %{{.*}} {q.layout = #q<layout nhwc>}
// CHECK: %[[C:.*]] = q.fused_conv %[[ADD]], {{.*}} {q.layout = #q<layout nhwc>}
// CHECK: %[[D:.*]] = q.fused_conv %[[C]], {{.*}} -> tensor<1x8x8x8xf32>
// CHECK-NEXT: q.concat %[[D]], %[[D]] <{axis = 2 : i64}>
func.func @concat(%x: tensor<1x4x8x8xf32>) -> tensor<1x8x16x8xf32> {
  %w = arith.constant dense<1.0> : tensor<4x4x3x3xf32>
  %w8 = arith.constant dense<1.0> : tensor<8x8x3x3xf32>
  %v = arith.constant dense<1.0> : tensor<8xf32>
  %bias = arith.constant dense<1.0> : tensor<1x8x1x1xf32>
  %0 = q.fused_conv %x, %w <{pads = array<i64: 1, 1, 1, 1>}> : (tensor<1x4x8x8xf32>, tensor<4x4x3x3xf32>) -> tensor<1x4x8x8xf32>
  %1 = q.fused_conv %x, %w <{pads = array<i64: 1, 1, 1, 1>}> : (tensor<1x4x8x8xf32>, tensor<4x4x3x3xf32>) -> tensor<1x4x8x8xf32>
  %2 = q.concat %0, %1 : tensor<1x4x8x8xf32>, tensor<1x4x8x8xf32>
  %3 = q.batch_norm %2, %v, %v, %v, %v : tensor<1x8x8x8xf32>, tensor<8xf32>
  %4 = q.prelu %3, %v : tensor<1x8x8x8xf32>, tensor<8xf32>
  %5 = q.add %4, %bias : tensor<1x8x8x8xf32>, tensor<1x8x1x1xf32>
  %6 = q.fused_conv %5, %w8 <{pads = array<i64: 1, 1, 1, 1>}> : (tensor<1x8x8x8xf32>, tensor<8x8x3x3xf32>) -> tensor<1x8x8x8xf32>
  %7 = q.fused_conv %6, %w8 <{pads = array<i64: 1, 1, 1, 1>}> : (tensor<1x8x8x8xf32>, tensor<8x8x3x3xf32>) -> tensor<1x8x8x8xf32>
  %8 = q.concat %7, %7 <{axis = 2 : i64}> : tensor<1x8x8x8xf32>, tensor<1x8x8x8xf32>
  return %8 : tensor<1x8x16x8xf32>
}

// -----

// A binary op with a constant that is stored differently in the two
// layouts stays NCHW; without convolutions nothing changes at all.
// CHECK-LABEL: func.func @no_convolutions
// CHECK-NOT: q.layout
// CHECK-NOT: q.reorder
// CHECK: return
func.func @no_convolutions(%x: tensor<1x4x8x8xf32>) -> tensor<1x4x4x4xf32> {
  %c = arith.constant dense<2.0> : tensor<1x4x8x8xf32>
  %0 = q.add %x, %c : tensor<1x4x8x8xf32>, tensor<1x4x8x8xf32>
  %1 = q.activation <relu> %0 : tensor<1x4x8x8xf32>
  %2 = q.pooling max %1 <{kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>}> : tensor<1x4x8x8xf32>
  return %2 : tensor<1x4x4x4xf32>
}

// -----

// int8: the quantize of the input is NCHW (it feeds the stem), the
// quantized chain is NHWC up to the dequantize that the NCHW output needs.
// CHECK-LABEL: func.func @int8
// CHECK: %[[Q:.*]] = q.quantize %arg0
// CHECK-NOT: q.layout
// CHECK: %[[C0:.*]] = q.fused_conv %[[Q]], {{.*}} {q.layout = #q<layout nhwc>}
// CHECK: %[[C1:.*]] = q.fused_conv %[[C0]], {{.*}} {q.layout = #q<layout nhwc>}
// CHECK: %[[ADD:.*]] = q.quantized_add %[[C1]], %[[C0]] {{.*}} {q.layout = #q<layout nhwc>}
// CHECK: %[[C2:.*]] = q.fused_conv %[[ADD]], {{.*}} -> tensor<1x8x8x8xf32>
// CHECK-NEXT: return %[[C2]]
!u8 = !quant.uniform<u8:f32, 0.05>
!s8w = !quant.uniform<i8:f32, 0.01>
func.func @int8(%x: tensor<1x8x8x8xf32>) -> tensor<1x8x8x8xf32> {
  %raw = arith.constant dense<1> : tensor<8x8x3x3xi8>
  %w = quant.scast %raw : tensor<8x8x3x3xi8> to tensor<8x8x3x3x!s8w>
  %b = arith.constant dense<0.5> : tensor<8xf32>
  %q = q.quantize %x <{out_type = #q<quant_dtype uint8>, min_calib_range = 0.0 : f32, max_calib_range = 12.775 : f32}> : tensor<1x8x8x8xf32> -> tensor<1x8x8x8x!u8>
  %0 = q.fused_conv %q, %w bias(%b) <{act = #q.eltwise<relu>, pads = array<i64: 1, 1, 1, 1>}> : (tensor<1x8x8x8x!u8>, tensor<8x8x3x3x!s8w>, tensor<8xf32>) -> tensor<1x8x8x8x!u8>
  %1 = q.fused_conv %0, %w bias(%b) <{act = #q.eltwise<relu>, pads = array<i64: 1, 1, 1, 1>}> : (tensor<1x8x8x8x!u8>, tensor<8x8x3x3x!s8w>, tensor<8xf32>) -> tensor<1x8x8x8x!u8>
  %2 = q.quantized_add %1, %0 <{min_calib_range = 0.0 : f32, max_calib_range = 12.775 : f32}> : (tensor<1x8x8x8x!u8>, tensor<1x8x8x8x!u8>) -> tensor<1x8x8x8x!u8>
  %3 = q.fused_conv %2, %w bias(%b) <{pads = array<i64: 1, 1, 1, 1>}> : (tensor<1x8x8x8x!u8>, tensor<8x8x3x3x!s8w>, tensor<8xf32>) -> tensor<1x8x8x8xf32>
  return %3 : tensor<1x8x8x8xf32>
}

// -----

// A value that two convolutions and an NCHW-only op read: the plan keeps
// it NHWC for the convolutions and converts once for the transpose. The
// residual pair that feeds the NCHW output is written NCHW directly.
// CHECK-LABEL: func.func @shared_value
// CHECK: %[[C0:.*]] = q.fused_conv %arg0, {{.*}} {q.layout = #q<layout nhwc>}
// CHECK-NEXT: %[[R:.*]] = q.reorder %[[C0]] nhwc to nchw : tensor<1x8x8x8xf32>
// CHECK: %[[C1:.*]] = q.fused_conv %[[C0]], {{.*}} {q.layout = #q<layout nhwc>}
// CHECK: %[[C2:.*]] = q.fused_conv %[[C0]], {{.*}} -> tensor<1x8x8x8xf32>
// CHECK: %[[C3:.*]] = q.fused_conv %[[C1]], %{{.*}} sum(%[[C2]]) {{.*}} -> tensor<1x8x8x8xf32>
// CHECK: q.transpose %[[R]]
// CHECK-NOT: q.reorder
func.func @shared_value(%x: tensor<1x8x8x8xf32>) -> (tensor<1x8x8x8xf32>, tensor<1x8x8x8xf32>) {
  %w = arith.constant dense<1.0> : tensor<8x8x3x3xf32>
  %0 = q.fused_conv %x, %w <{pads = array<i64: 1, 1, 1, 1>}> : (tensor<1x8x8x8xf32>, tensor<8x8x3x3xf32>) -> tensor<1x8x8x8xf32>
  %1 = q.fused_conv %0, %w <{pads = array<i64: 1, 1, 1, 1>}> : (tensor<1x8x8x8xf32>, tensor<8x8x3x3xf32>) -> tensor<1x8x8x8xf32>
  %2 = q.fused_conv %0, %w <{pads = array<i64: 1, 1, 1, 1>}> : (tensor<1x8x8x8xf32>, tensor<8x8x3x3xf32>) -> tensor<1x8x8x8xf32>
  %3 = q.fused_conv %1, %w sum(%2) <{pads = array<i64: 1, 1, 1, 1>}> : (tensor<1x8x8x8xf32>, tensor<8x8x3x3xf32>, tensor<1x8x8x8xf32>) -> tensor<1x8x8x8xf32>
  %4 = q.transpose %0 <{permutation = array<i64: 0, 1, 3, 2>}> : tensor<1x8x8x8xf32>
  return %3, %4 : tensor<1x8x8x8xf32>, tensor<1x8x8x8xf32>
}
