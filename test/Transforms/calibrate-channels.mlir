// Per-channel steps (issue #17): a tensor that only depthwise convolutions
// read, with channel_min/channel_max in the table, gets one step per
// channel (axis 1); the convolution's int32 bias uses input step[c] *
// weight step[c]. Any other reader keeps the one step of the tensor.
// RUN: q-opt %s --split-input-file --q-quantize --q-calibrate="table=%S/Inputs/calib-channels.json" --mlir-print-debuginfo=false 2>/dev/null | FileCheck %s

// data: channel 0 [-2.55, 1] -> 2.55 / 127.5 = 0.02; channel 1 [-0.1,
// 0.255] -> 0.002. Weights: channel 0 absmax 1.275 (step 0.01), channel 1
// 0.255 (0.002), so the bias 0.5 is 0.5 / (0.02 * 0.01) = 2500 units and
// -0.25 is -0.25 / (0.002 * 0.002) = -62500.
// CHECK-LABEL: func.func @depthwise
// CHECK: %[[Q:.*]] = q.quantize %arg0 <{max_calib_range = 2.550000e+00 : f32, min_calib_range = -2.550000e+00 : f32, out_type = #q<quant_dtype auto>}> : tensor<1x2x4x4xf32> -> tensor<1x2x4x4x!quant.uniform<i8:f32:1, {{[{]}}0.0199{{[0-9]*}},2.0{{[0-9]*}}e-03}>>
// CHECK: q.fused_conv %[[Q]], {{.*}} <{groups = 2 : i64}> : (tensor<1x2x4x4x!quant.uniform<i8:f32:1, {{.*}}>>, tensor<2x1x1x1x!quant.uniform<i8:f32:0, {{[{]}}{{0.0099|0.0100}}{{[0-9]*}},{{0.0019|0.0020}}{{[0-9]*}}}>>, tensor<2x!quant.uniform<i32:f32:0, {{[{]}}{{1.9999|2.0000}}{{[0-9]*}}E-4,{{3.9999|4.0000}}{{[0-9]*}}E-6}>>)
// The int32 bias: 2500 = 0x09C4 and -62500 = 0xFFFF0BDC, little-endian.
// CHECK: dw_bias_quantize: "0x04000000C4090000DC0BFFFF"
func.func @depthwise(%x: tensor<1x2x4x4xf32> {q.name = "data"}) -> tensor<1x2x4x4xf32> {
  %w = arith.constant dense<[[[[1.275]]], [[[0.255]]]]> : tensor<2x1x1x1xf32> loc("dw_weight")
  %b = arith.constant dense<[0.5, -0.25]> : tensor<2xf32> loc("dw_bias")
  %c = q.fused_conv %x, %w bias(%b) <{groups = 2 : i64}> : (tensor<1x2x4x4xf32>, tensor<2x1x1x1xf32>, tensor<2xf32>) -> tensor<1x2x4x4xf32> loc("dw")
  return %c : tensor<1x2x4x4xf32>
}

// -----

// A dense convolution mixes channels: one step (2.55 / 127.5).
// CHECK-LABEL: func.func @dense
// CHECK: q.quantize %arg0 {{.*}} -> tensor<1x2x4x4x!quant.uniform<i8:f32, 0.0199{{[0-9]*}}>>
func.func @dense(%x: tensor<1x2x4x4xf32> {q.name = "data"}) -> tensor<1x2x4x4xf32> {
  %w = arith.constant dense<0.5> : tensor<2x2x1x1xf32> loc("dw_weight")
  %c = q.fused_conv %x, %w : (tensor<1x2x4x4xf32>, tensor<2x2x1x1xf32>) -> tensor<1x2x4x4xf32> loc("dw")
  return %c : tensor<1x2x4x4xf32>
}

// -----

// Read by a depthwise and a dense convolution: one step for both.
// CHECK-LABEL: func.func @mixed
// CHECK: q.quantize %arg0 {{.*}} -> tensor<1x2x4x4x!quant.uniform<i8:f32, 0.0199{{[0-9]*}}>>
// CHECK-NOT: i8:f32:1
// CHECK: return
func.func @mixed(%x: tensor<1x2x4x4xf32> {q.name = "data"}) -> (tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>) {
  %w = arith.constant dense<0.5> : tensor<2x1x1x1xf32> loc("dw_weight")
  %w2 = arith.constant dense<0.5> : tensor<2x2x1x1xf32> loc("c_weight")
  %c = q.fused_conv %x, %w <{groups = 2 : i64}> : (tensor<1x2x4x4xf32>, tensor<2x1x1x1xf32>) -> tensor<1x2x4x4xf32> loc("dw")
  %d = q.fused_conv %x, %w2 : (tensor<1x2x4x4xf32>, tensor<2x2x1x1xf32>) -> tensor<1x2x4x4xf32> loc("c")
  return %c, %d : tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>
}

// -----

// uint8 cannot hold the negative values of data and dw_output: an error
// naming both with the share of their calibration values below zero; a
// warning with allow-clipping (also the pipeline's option).
// RUN: not q-opt %s --split-input-file --q-quantize=dtype=uint8 --q-calibrate="table=%S/Inputs/calib-channels.json" -o /dev/null 2>&1 | FileCheck %s --check-prefix=CLIP
// CLIP: error: q-calibrate: 2 tensors with negative values would be quantized to uint8, which clips them to 0: data (25.0% of its calibration values below 0), dw_output (50.0% of its calibration values below 0); use --dtype=auto (uint8 only where a range is non-negative) or int8, keep those layers in fp32 (--exclude), or pass --allow-clipping
// RUN: q-opt %s --split-input-file --q-quantize=dtype=uint8 --q-calibrate="table=%S/Inputs/calib-channels.json allow-clipping=1" -o /dev/null 2>&1 | FileCheck %s --check-prefix=ALLOW
// RUN: q-opt %s --split-input-file --q-int8-pipeline="dtype=uint8 calib=%S/Inputs/calib-channels.json allow-clipping=1" -o /dev/null 2>&1 | FileCheck %s --check-prefix=ALLOW
// ALLOW: warning: 2 tensors with negative values would be quantized to uint8, which clips them to 0: data (25.0% {{.*}}), dw_output (50.0% {{.*}}) (allowed by --allow-clipping)
// RUN: q-opt %s --split-input-file --q-quantize=dtype=auto --q-calibrate="table=%S/Inputs/calib-channels.json" -o /dev/null 2>&1 | FileCheck %s --allow-empty --check-prefix=AUTO
// AUTO-NOT: clips
