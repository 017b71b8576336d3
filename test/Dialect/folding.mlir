// Folders: what is algebra disappears under canonicalization.
// RUN: q-opt %s --canonicalize | FileCheck %s

// CHECK-LABEL: func.func @dropout
// CHECK-NEXT: return %arg0
func.func @dropout(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = q.dropout %x : tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// CHECK-LABEL: func.func @identity_reshapes
// CHECK-NEXT: return %arg0
func.func @identity_reshapes(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = q.reshape %x <{shape = array<i64: 0, -1>}> : tensor<2x3xf32>
  %1 = q.flatten %0 : tensor<2x3xf32>
  %2 = q.transpose %1 <{permutation = array<i64: 0, 1>}> : tensor<2x3xf32>
  %3 = q.concat %2 : tensor<2x3xf32>
  return %3 : tensor<2x3xf32>
}

// CHECK-LABEL: func.func @real_reshapes_stay
// CHECK: q.reshape
// CHECK: q.transpose
func.func @real_reshapes_stay(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = q.reshape %x <{shape = array<i64: 3, 2>}> : tensor<2x3xf32>
  %1 = q.transpose %0 : tensor<3x2xf32>
  return %1 : tensor<2x3xf32>
}

// CHECK-LABEL: func.func @quantize_of_dequantize
// CHECK-NEXT: return %arg0
func.func @quantize_of_dequantize(%q: tensor<4x!quant.uniform<i8:f32, 0.02>>) -> tensor<4x!quant.uniform<i8:f32, 0.02>> {
  %0 = q.dequantize %q : tensor<4x!quant.uniform<i8:f32, 0.02>>
  %1 = q.quantize %0 <{min_calib_range = -2.55 : f32, max_calib_range = 2.55 : f32}> : tensor<4xf32> -> tensor<4x!quant.uniform<i8:f32, 0.02>>
  return %1 : tensor<4x!quant.uniform<i8:f32, 0.02>>
}

// CHECK-LABEL: func.func @requantize_needs_different_scale
// CHECK: q.dequantize
// CHECK: q.quantize
func.func @requantize_needs_different_scale(%q: tensor<4x!quant.uniform<i8:f32, 0.04>>) -> tensor<4x!quant.uniform<i8:f32, 0.02>> {
  %0 = q.dequantize %q : tensor<4x!quant.uniform<i8:f32, 0.04>>
  %1 = q.quantize %0 <{min_calib_range = -2.55 : f32, max_calib_range = 2.55 : f32}> : tensor<4xf32> -> tensor<4x!quant.uniform<i8:f32, 0.02>>
  return %1 : tensor<4x!quant.uniform<i8:f32, 0.02>>
}

// Reorders that undo each other fold away; a single one stays.
// CHECK-LABEL: func.func @reorder_pairs
// CHECK-NEXT: %[[R:.*]] = q.reorder %arg0 nchw to nhwc : tensor<1x2x3x4xf32>
// CHECK-NEXT: return %arg0, %[[R]]
func.func @reorder_pairs(%x: tensor<1x2x3x4xf32>) -> (tensor<1x2x3x4xf32>, tensor<1x2x3x4xf32>) {
  %0 = q.reorder %x nchw to nhwc : tensor<1x2x3x4xf32>
  %1 = q.reorder %0 nhwc to nchw : tensor<1x2x3x4xf32>
  return %1, %0 : tensor<1x2x3x4xf32>, tensor<1x2x3x4xf32>
}
