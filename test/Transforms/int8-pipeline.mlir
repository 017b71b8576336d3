// --q-int8-pipeline runs canonicalize, q-fuse{mode=int8}, q-quantize,
// q-calibrate (with calib=) and q-fold-requantize. This is the example of
// docs/passes.md.
// RUN: q-opt %s --q-int8-pipeline="calib=%S/Inputs/pipeline-calib.json" --mlir-print-debuginfo=false | FileCheck %s
// RUN: q-opt %s --q-int8-pipeline --mlir-print-debuginfo=false | FileCheck %s --check-prefix=DYNAMIC

// CHECK-LABEL: func.func @main
// CHECK: %[[Q:.*]] = q.quantize %arg0 <{max_calib_range = 1.000000e+00 : f32, min_calib_range = -1.000000e+00 : f32, out_type = #q<quant_dtype auto>}> : tensor<1x2x8x8xf32> -> tensor<1x2x8x8x!quant.uniform<i8:f32, 0.0078431372549019607>>
// CHECK: %[[C0:.*]] = q.fused_conv %[[Q]], %{{.*}} bias(%{{.*}}) <{act = #q.eltwise<relu>, max_calib_range = 4.000000e+00 : f32, min_calib_range = 0.000000e+00 : f32, pads = array<i64: 1, 1, 1, 1>}> : (tensor<1x2x8x8x!quant.uniform<i8:f32, 0.0078431372549019607>>, tensor<4x2x3x3x!quant.uniform<i8:f32:0, {{.*}}>>, tensor<4x!quant.uniform<i32:f32:0, {{.*}}>>) -> tensor<1x4x8x8x!quant.uniform<u8:f32, 0.015655577299412915>>
// CHECK: %[[P:.*]] = q.pooling max %[[C0]] {{.*}} : tensor<1x4x8x8x!quant.uniform<u8:f32, 0.015655577299412915>>
// CHECK: %[[C1:.*]] = q.fused_conv %[[P]], %{{.*}} bias(%{{.*}}) <{max_calib_range = 2.500000e+00 : f32, min_calib_range = -3.000000e+00 : f32}> : ({{.*}}) -> tensor<1x4x4x4x!quant.uniform<i8:f32, 0.023529411764705882>>
// CHECK: %[[F:.*]] = q.flatten %[[C1]] : tensor<1x4x4x4x!quant.uniform<i8:f32, 0.023529411764705882>>
// CHECK: %[[FC:.*]] = q.fused_fc %[[F]], %{{.*}} bias(%{{.*}}) : ({{.*}}) -> tensor<1x10xf32>
// CHECK: %[[S:.*]] = q.softmax %[[FC]] : tensor<1x10xf32>
// CHECK: return %[[S]]
// CHECK-NOT: q.requantize
// CHECK-NOT: q.dequantize
// CHECK-NOT: q.batch_norm

// Without a table: dynamic types, a requantize after every int32 producer
// that feeds int8 ops; the fc still writes f32.
// DYNAMIC-LABEL: func.func @main
// DYNAMIC: %[[Q:.*]] = q.quantize %arg0 <{out_type = #q<quant_dtype auto>}> : tensor<1x2x8x8xf32> -> tensor<1x2x8x8x!quant.any<i8:f32>>
// DYNAMIC: q.fused_conv %[[Q]], {{.*}} -> tensor<1x4x8x8x!quant.any<i32:f32>>
// DYNAMIC: q.requantize
// DYNAMIC: q.fused_conv {{.*}} -> tensor<1x4x4x4x!quant.any<i32:f32>>
// DYNAMIC: q.requantize
// DYNAMIC: q.fused_fc {{.*}} bias(%{{.*}}) : ({{.*}}, tensor<10xf32>) -> tensor<1x10xf32>
func.func @main(%x: tensor<1x2x8x8xf32> {q.name = "data"}) -> tensor<1x10xf32> {
  %w0 = arith.constant dense<0.5> : tensor<4x2x3x3xf32> loc("conv0_weight")
  %gamma = arith.constant dense<[1.0, 2.0, 0.5, 1.0]> : tensor<4xf32> loc("bn0_gamma")
  %beta = arith.constant dense<0.1> : tensor<4xf32> loc("bn0_beta")
  %mean = arith.constant dense<0.0> : tensor<4xf32> loc("bn0_moving_mean")
  %var = arith.constant dense<1.0> : tensor<4xf32> loc("bn0_moving_var")
  %w1 = arith.constant dense<0.25> : tensor<4x4x1x1xf32> loc("conv1_weight")
  %b1 = arith.constant dense<-0.5> : tensor<4xf32> loc("conv1_bias")
  %w2 = arith.constant dense<0.125> : tensor<10x64xf32> loc("fc0_weight")
  %b2 = arith.constant dense<0.0> : tensor<10xf32> loc("fc0_bias")
  %0 = q.convolution %x, %w0 <{pads = array<i64: 1, 1, 1, 1>}> : tensor<1x2x8x8xf32>, tensor<4x2x3x3xf32> loc("conv0")
  %1 = q.batch_norm %0, %gamma, %beta, %mean, %var : tensor<1x4x8x8xf32>, tensor<4xf32> loc("bn0")
  %2 = q.activation <relu> %1 : tensor<1x4x8x8xf32> loc("relu0")
  %3 = q.pooling max %2 <{kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>}> : tensor<1x4x8x8xf32> loc("pool0")
  %4 = q.convolution %3, %w1, %b1 : tensor<1x4x4x4xf32>, tensor<4x4x1x1xf32>, tensor<4xf32> loc("conv1")
  %5 = q.flatten %4 : tensor<1x4x4x4xf32> loc("flatten0")
  %6 = q.fully_connected %5, %w2, %b2 : tensor<1x64xf32>, tensor<10x64xf32>, tensor<10xf32> loc("fc0")
  %7 = q.softmax %6 : tensor<1x10xf32> loc("softmax0")
  return %7 : tensor<1x10xf32>
}

// Bad options of the pipeline are those of its passes.
// RUN: not q-opt %s --q-int8-pipeline="dtype=int16" 2>&1 | FileCheck %s --check-prefix=BAD-DTYPE
// BAD-DTYPE: q-quantize: dtype=int16 is not valid; expected int8, uint8 or auto
// RUN: not q-opt %s --q-int8-pipeline="calib=%S/Inputs/no-such-table.json" 2>&1 | FileCheck %s --check-prefix=BAD-CALIB
// BAD-CALIB: q-calibrate: {{.*}}no-such-table.json: cannot read:
// RUN: not q-opt %s --q-int8-pipeline="granularity=row" 2>&1 | FileCheck %s --check-prefix=BAD-GRAN
// BAD-GRAN: q-quantize: granularity=row is not valid; expected channel or tensor
// RUN: not q-opt %s --q-int8-pipeline="calibration=x.json" 2>&1 | FileCheck %s --check-prefix=BAD-NAME
// BAD-NAME: no such option calibration
