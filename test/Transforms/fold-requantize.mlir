// q-fold-requantize: MXNet's post-quantize fusion (reference 4.4).
// RUN: q-opt %s --split-input-file --q-fold-requantize --mlir-print-debuginfo=false | FileCheck %s

// A calibrated requantize that is the conv's only user becomes the conv's
// output range and type (MXNet copies min/max_calib_range onto
// _sg_mkldnn_conv and drops the requantize).
// CHECK-LABEL: func.func @conv
// CHECK: %[[C:.*]] = q.fused_conv %arg0, %{{.*}} <{act = #q.eltwise<relu>, max_calib_range = 5.110000e+00 : f32, min_calib_range = 0.000000e+00 : f32}> : ({{.*}}) -> tensor<1x2x4x4x!quant.uniform<u8:f32, 2.000000e-02>>
// CHECK-NEXT: %[[P:.*]] = q.pooling max %[[C]]
// CHECK-NOT: q.requantize
func.func @conv(%x: tensor<1x2x4x4x!quant.uniform<i8:f32, 2.0e-2>>) -> tensor<1x2x2x2xf32> {
  %wi = arith.constant dense<64> : tensor<2x2x1x1xi8>
  %w = quant.scast %wi : tensor<2x2x1x1xi8> to tensor<2x2x1x1x!quant.uniform<i8:f32:0, {1.0e-2, 1.0e-2}>>
  %c = q.fused_conv %x, %w <{act = #q.eltwise<relu>}> : (tensor<1x2x4x4x!quant.uniform<i8:f32, 2.0e-2>>, tensor<2x2x1x1x!quant.uniform<i8:f32:0, {1.0e-2, 1.0e-2}>>) -> tensor<1x2x4x4x!quant.any<i32:f32>>
  %r = q.requantize %c <{min_calib_range = 0.0 : f32, max_calib_range = 5.11 : f32, out_type = #q<quant_dtype auto>}> : tensor<1x2x4x4x!quant.any<i32:f32>> -> tensor<1x2x4x4x!quant.uniform<u8:f32, 2.0e-2>>
  %p = q.pooling max %r <{kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>}> : tensor<1x2x4x4x!quant.uniform<u8:f32, 2.0e-2>>
  %d = q.dequantize %p : tensor<1x2x2x2x!quant.uniform<u8:f32, 2.0e-2>>
  return %d : tensor<1x2x2x2xf32>
}

// -----

// fc -> requantize -> dequantize: the fc writes f32 (enable_float_output);
// the range is not needed and not kept.
// CHECK-LABEL: func.func @fc_float_output
// CHECK: %[[F:.*]] = q.fused_fc %arg0, %{{.*}} bias(%{{.*}}) : ({{.*}}) -> tensor<1x3xf32>
// CHECK-NEXT: return %[[F]] : tensor<1x3xf32>
func.func @fc_float_output(%x: tensor<1x8x!quant.uniform<u8:f32, 2.0e-2>>) -> tensor<1x3xf32> {
  %wi = arith.constant dense<1> : tensor<3x8xi8>
  %w = quant.scast %wi : tensor<3x8xi8> to tensor<3x8x!quant.uniform<i8:f32:0, {1.0e-2, 1.0e-2, 1.0e-2}>>
  %bi = arith.constant dense<5> : tensor<3xi32>
  %b = quant.scast %bi : tensor<3xi32> to tensor<3x!quant.uniform<i32:f32:0, {2.0e-4, 2.0e-4, 2.0e-4}>>
  %f = q.fused_fc %x, %w bias(%b) : (tensor<1x8x!quant.uniform<u8:f32, 2.0e-2>>, tensor<3x8x!quant.uniform<i8:f32:0, {1.0e-2, 1.0e-2, 1.0e-2}>>, tensor<3x!quant.uniform<i32:f32:0, {2.0e-4, 2.0e-4, 2.0e-4}>>) -> tensor<1x3x!quant.any<i32:f32>>
  %r = q.requantize %f <{min_calib_range = -1.0 : f32, max_calib_range = 1.0 : f32}> : tensor<1x3x!quant.any<i32:f32>> -> tensor<1x3x!quant.uniform<i8:f32, 0.0078431372549019607>>
  %d = q.dequantize %r : tensor<1x3x!quant.uniform<i8:f32, 0.0078431372549019607>>
  return %d : tensor<1x3xf32>
}

// -----

// Without a range (not calibrated) the same holds: f32 needs no range. A
// quantized add does it too.
// CHECK-LABEL: func.func @dynamic_float_output
// CHECK: %[[C:.*]] = q.fused_conv {{.*}} -> tensor<1x2x4x4xf32>
// CHECK: %[[A:.*]] = q.quantized_add %arg0, %arg0 : ({{.*}}) -> tensor<1x2x4x4xf32>
// CHECK-NOT: q.requantize
// CHECK-NOT: q.dequantize
// CHECK: return %[[C]], %[[A]]
func.func @dynamic_float_output(%x: tensor<1x2x4x4x!quant.any<i8:f32>>) -> (tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>) {
  %wi = arith.constant dense<64> : tensor<2x2x1x1xi8>
  %w = quant.scast %wi : tensor<2x2x1x1xi8> to tensor<2x2x1x1x!quant.uniform<i8:f32:0, {1.0e-2, 1.0e-2}>>
  %c = q.fused_conv %x, %w : (tensor<1x2x4x4x!quant.any<i8:f32>>, tensor<2x2x1x1x!quant.uniform<i8:f32:0, {1.0e-2, 1.0e-2}>>) -> tensor<1x2x4x4x!quant.any<i32:f32>>
  %r = q.requantize %c : tensor<1x2x4x4x!quant.any<i32:f32>> -> tensor<1x2x4x4x!quant.any<i8:f32>>
  %d = q.dequantize %r : tensor<1x2x4x4x!quant.any<i8:f32>>
  %a = q.quantized_add %x, %x : (tensor<1x2x4x4x!quant.any<i8:f32>>, tensor<1x2x4x4x!quant.any<i8:f32>>) -> tensor<1x2x4x4x!quant.any<i32:f32>>
  %ra = q.requantize %a : tensor<1x2x4x4x!quant.any<i32:f32>> -> tensor<1x2x4x4x!quant.any<i8:f32>>
  %da = q.dequantize %ra : tensor<1x2x4x4x!quant.any<i8:f32>>
  return %d, %da : tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>
}

// -----

// A calibrated requantize after a quantized add folds into the add; a
// requantize with several users folds too (they all read the 8-bit value).
// CHECK-LABEL: func.func @add_several_users
// CHECK: %[[A:.*]] = q.quantized_add %arg0, %arg0 <{max_calib_range = 4.000000e+00 : f32, min_calib_range = -4.000000e+00 : f32}> : ({{.*}}) -> tensor<1x2x4x4x!quant.uniform<i8:f32, 0.031372549019607843>>
// CHECK-NOT: q.requantize
// CHECK: %[[P:.*]] = q.pooling max %[[A]]
// CHECK: %[[D:.*]] = q.dequantize %[[A]]
// CHECK: return %[[P]], %[[D]]
func.func @add_several_users(%x: tensor<1x2x4x4x!quant.uniform<i8:f32, 2.0e-2>>) -> (tensor<1x2x2x2x!quant.uniform<i8:f32, 0.031372549019607843>>, tensor<1x2x4x4xf32>) {
  %a = q.quantized_add %x, %x : (tensor<1x2x4x4x!quant.uniform<i8:f32, 2.0e-2>>, tensor<1x2x4x4x!quant.uniform<i8:f32, 2.0e-2>>) -> tensor<1x2x4x4x!quant.any<i32:f32>>
  %r = q.requantize %a <{min_calib_range = -4.0 : f32, max_calib_range = 4.0 : f32}> : tensor<1x2x4x4x!quant.any<i32:f32>> -> tensor<1x2x4x4x!quant.uniform<i8:f32, 0.031372549019607843>>
  %p = q.pooling max %r <{kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>}> : tensor<1x2x4x4x!quant.uniform<i8:f32, 0.031372549019607843>>
  %d = q.dequantize %r : tensor<1x2x4x4x!quant.uniform<i8:f32, 0.031372549019607843>>
  return %p, %d : tensor<1x2x2x2x!quant.uniform<i8:f32, 0.031372549019607843>>, tensor<1x2x4x4xf32>
}

// -----

// An int32 result read by two requantizes cannot take either range (MXNet's
// selector fails on an extra consumer), nor can it become f32.
// CHECK-LABEL: func.func @two_readers
// CHECK: %[[C:.*]] = q.fused_conv {{.*}} -> tensor<1x2x4x4x!quant.any<i32:f32>>
// CHECK: q.requantize %[[C]] <{max_calib_range = 1.000000e+00
// CHECK: q.requantize %[[C]] <{max_calib_range = 2.000000e+00
func.func @two_readers(%x: tensor<1x2x4x4x!quant.any<i8:f32>>) -> (tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>) {
  %wi = arith.constant dense<64> : tensor<2x2x1x1xi8>
  %w = quant.scast %wi : tensor<2x2x1x1xi8> to tensor<2x2x1x1x!quant.uniform<i8:f32:0, {1.0e-2, 1.0e-2}>>
  %c = q.fused_conv %x, %w : (tensor<1x2x4x4x!quant.any<i8:f32>>, tensor<2x2x1x1x!quant.uniform<i8:f32:0, {1.0e-2, 1.0e-2}>>) -> tensor<1x2x4x4x!quant.any<i32:f32>>
  %r1 = q.requantize %c <{min_calib_range = -1.0 : f32, max_calib_range = 1.0 : f32}> : tensor<1x2x4x4x!quant.any<i32:f32>> -> tensor<1x2x4x4x!quant.uniform<i8:f32, 0.0078431372549019607>>
  %r2 = q.requantize %c <{min_calib_range = -2.0 : f32, max_calib_range = 2.0 : f32}> : tensor<1x2x4x4x!quant.any<i32:f32>> -> tensor<1x2x4x4x!quant.uniform<i8:f32, 0.015686274509803921>>
  %d1 = q.dequantize %r1 : tensor<1x2x4x4x!quant.uniform<i8:f32, 0.0078431372549019607>>
  %d2 = q.dequantize %r2 : tensor<1x2x4x4x!quant.uniform<i8:f32, 0.015686274509803921>>
  return %d1, %d2 : tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>
}

// -----

// A dynamic requantize with a quantized user stays: the range is found at
// run time and the conv cannot write 8 bits without one.
// CHECK-LABEL: func.func @dynamic_kept
// CHECK: q.fused_conv {{.*}} -> tensor<1x2x4x4x!quant.any<i32:f32>>
// CHECK: q.requantize
func.func @dynamic_kept(%x: tensor<1x2x4x4x!quant.any<i8:f32>>) -> tensor<1x2x2x2x!quant.any<i8:f32>> {
  %wi = arith.constant dense<64> : tensor<2x2x1x1xi8>
  %w = quant.scast %wi : tensor<2x2x1x1xi8> to tensor<2x2x1x1x!quant.uniform<i8:f32:0, {1.0e-2, 1.0e-2}>>
  %c = q.fused_conv %x, %w : (tensor<1x2x4x4x!quant.any<i8:f32>>, tensor<2x2x1x1x!quant.uniform<i8:f32:0, {1.0e-2, 1.0e-2}>>) -> tensor<1x2x4x4x!quant.any<i32:f32>>
  %r = q.requantize %c : tensor<1x2x4x4x!quant.any<i32:f32>> -> tensor<1x2x4x4x!quant.any<i8:f32>>
  %p = q.pooling max %r <{kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>}> : tensor<1x2x4x4x!quant.any<i8:f32>>
  return %p : tensor<1x2x2x2x!quant.any<i8:f32>>
}

// -----

// quantize(dequantize(x)) is x when the types agree, and stays otherwise.
// CHECK-LABEL: func.func @quantize_dequantize
// CHECK: %[[D:.*]] = q.dequantize %arg0
// CHECK: %[[Q:.*]] = q.quantize %[[D]] {{.*}} -> tensor<4x!quant.uniform<i8:f32, 0.031372549019607843>>
// CHECK: return %arg0, %[[Q]]
func.func @quantize_dequantize(%x: tensor<4x!quant.uniform<i8:f32, 2.0e-2>>) -> (tensor<4x!quant.uniform<i8:f32, 2.0e-2>>, tensor<4x!quant.uniform<i8:f32, 0.031372549019607843>>) {
  %d = q.dequantize %x : tensor<4x!quant.uniform<i8:f32, 2.0e-2>>
  %q1 = q.quantize %d <{min_calib_range = -2.55 : f32, max_calib_range = 2.55 : f32}> : tensor<4xf32> -> tensor<4x!quant.uniform<i8:f32, 2.0e-2>>
  %q2 = q.quantize %d <{min_calib_range = -4.0 : f32, max_calib_range = 4.0 : f32}> : tensor<4xf32> -> tensor<4x!quant.uniform<i8:f32, 0.031372549019607843>>
  return %q1, %q2 : tensor<4x!quant.uniform<i8:f32, 2.0e-2>>, tensor<4x!quant.uniform<i8:f32, 0.031372549019607843>>
}
