// q-fuse finishes what MXNet's quantized graphs leave to run time
// (docs/MXNET.md, "Compiling MXNet's quantized graphs"): the batch norm a
// quantized _sg_mkldnn_conv carries (with_bn) folds like an fp32 one, f32
// weights of convs and fcs with a quantized input become int8 with one step
// per output channel, and an offline int8 bias becomes its f32 values.
// RUN: q-opt %s --split-input-file --q-fuse --mlir-print-debuginfo=false | FileCheck %s

// with_bn on a quantized conv: alpha = gamma / sqrt(var + eps) =
// 2 / sqrt(3 + 1) = 1, so w' = 0.5 and b' = beta + alpha * (0 - mean) =
// 1 - 2 = -1, as in fuse.mlir's @conv_bn. The weights then quantize with
// step 0.5 / 127.5 (0x7F = 127 after rounding half to even: 127.5 -> 128
// saturates to 127).
// CHECK-LABEL: func.func @quantized_conv_bn
// CHECK-DAG: %[[B:.*]] = arith.constant dense_resource<conv0_bias> : tensor<2xf32>
// CHECK-DAG: %[[W8:.*]] = arith.constant dense_resource<conv0_weight_quantize> : tensor<2x1x1x1xi8>
// CHECK: %[[W:.*]] = quant.scast %[[W8]] : tensor<2x1x1x1xi8> to tensor<2x1x1x1x!quant.uniform<i8:f32:0, {0.0039215686274509803,0.0039215686274509803}>>
// CHECK: q.fused_conv %arg0, %[[W]] bias(%[[B]]) <{act = #q.eltwise<relu>, max_calib_range = 4.000000e+00 : f32, min_calib_range = 0.000000e+00 : f32}>
// CHECK-NOT: bn(
// CHECK: conv0_bias: "0x04000000000080BF000080BF"
// CHECK: conv0_weight_quantize: "0x010000007F7F"
func.func @quantized_conv_bn(%x: tensor<1x1x4x4x!quant.uniform<u8:f32, 0.01>>) -> tensor<1x2x4x4x!quant.uniform<u8:f32, 0.015655577299412915>> {
  %w = arith.constant dense<0.5> : tensor<2x1x1x1xf32> loc("conv0_weight")
  %gamma = arith.constant dense<2.0> : tensor<2xf32>
  %beta = arith.constant dense<1.0> : tensor<2xf32>
  %mean = arith.constant dense<2.0> : tensor<2xf32>
  %var = arith.constant dense<3.0> : tensor<2xf32>
  %0 = q.fused_conv %x, %w bn(%gamma, %beta, %mean, %var) <{act = #q.eltwise<relu>, bn_eps = 1.0 : f64, max_calib_range = 4.0 : f32, min_calib_range = 0.0 : f32}> : (tensor<1x1x4x4x!quant.uniform<u8:f32, 0.01>>, tensor<2x1x1x1xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x4x4x!quant.uniform<u8:f32, 0.015655577299412915>> loc("conv0")
  return %0 : tensor<1x2x4x4x!quant.uniform<u8:f32, 0.015655577299412915>>
}

// -----

// An fp32 conv keeps its batch norm folded and its weights f32.
// CHECK-LABEL: func.func @fp32_conv_bn
// CHECK: q.fused_conv %arg0, %{{.*}} bias(%{{.*}}) : (tensor<1x1x4x4xf32>, tensor<2x1x1x1xf32>, tensor<2xf32>) -> tensor<1x2x4x4xf32>
func.func @fp32_conv_bn(%x: tensor<1x1x4x4xf32>) -> tensor<1x2x4x4xf32> {
  %w = arith.constant dense<0.5> : tensor<2x1x1x1xf32>
  %s = arith.constant dense<1.0> : tensor<2xf32>
  %0 = q.fused_conv %x, %w bn(%s, %s, %s, %s) : (tensor<1x1x4x4xf32>, tensor<2x1x1x1xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x4x4xf32> loc("conv1")
  return %0 : tensor<1x2x4x4xf32>
}

// -----

// Statistics that are not constants (a graph imported without .params)
// stay: the lowering names them.
// CHECK-LABEL: func.func @bn_arguments
// CHECK: q.fused_conv %arg0, %{{.*}} bn(%arg1, %arg1, %arg1, %arg1)
func.func @bn_arguments(%x: tensor<1x1x4x4x!quant.uniform<u8:f32, 0.01>>, %s: tensor<2xf32>) -> tensor<1x2x4x4xf32> {
  %w = arith.constant dense<0.5> : tensor<2x1x1x1xf32>
  %0 = q.fused_conv %x, %w bn(%s, %s, %s, %s) : (tensor<1x1x4x4x!quant.uniform<u8:f32, 0.01>>, tensor<2x1x1x1xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x4x4xf32>
  return %0 : tensor<1x2x4x4xf32>
}

// -----

// MXNet's tensor-wise FC: offline int8 weight (kept) and int8 bias, which
// becomes its values: [-127, 64] * 0.5 = [-63.5, 32].
// CHECK-LABEL: func.func @int8_bias
// CHECK: %[[B:.*]] = arith.constant dense_resource<fc_bias_quantize_float> : tensor<2xf32>
// CHECK: q.fused_fc %arg0, %{{.*}} bias(%[[B]]) : (tensor<1x3x!quant.uniform<i8:f32, 1.000000e-01>>, tensor<2x3x!quant.uniform<i8:f32, 2.500000e-01>>, tensor<2xf32>) -> tensor<1x2xf32>
// CHECK: fc_bias_quantize_float: "0x0400000000007EC200000042"
func.func @int8_bias(%x: tensor<1x3x!quant.uniform<i8:f32, 0.1>>) -> tensor<1x2xf32> {
  %w8 = arith.constant dense<1> : tensor<2x3xi8>
  %w = quant.scast %w8 : tensor<2x3xi8> to tensor<2x3x!quant.uniform<i8:f32, 0.25>>
  %b8 = arith.constant dense<[-127, 64]> : tensor<2xi8> loc("fc_bias_quantize")
  %b = quant.scast %b8 : tensor<2xi8> to tensor<2x!quant.uniform<i8:f32, 0.5>> loc("fc_bias_quantize")
  %0 = q.fused_fc %x, %w bias(%b) : (tensor<1x3x!quant.uniform<i8:f32, 0.1>>, tensor<2x3x!quant.uniform<i8:f32, 0.25>>, tensor<2x!quant.uniform<i8:f32, 0.5>>) -> tensor<1x2xf32>
  return %0 : tensor<1x2xf32>
}
