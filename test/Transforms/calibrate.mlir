// q-calibrate gives quantize/requantize ops the ranges of a calibration
// table (by MXNet tensor name), the static types that follow (step =
// absmax / 127.5, or / 255.5 for uint8), and quantizes biases to int32.
// RUN: q-opt %s --split-input-file --q-quantize --q-calibrate="table=%S/Inputs/calib.json" --mlir-print-debuginfo=false 2>/dev/null | FileCheck %s
// RUN: q-opt %s --split-input-file --q-quantize --q-calibrate="table=%S/Inputs/calib.json" -o /dev/null 2>&1 | FileCheck %s --check-prefix=WARN

// The table is checked against the module: a partial one is the warning
// above, an error with strict=1 (also as the pipeline's calib-strict); one
// that names none of the tensors (another model's) is always an error.
// RUN: not q-opt %s --split-input-file --q-quantize --q-calibrate="table=%S/Inputs/calib.json strict=1" -o /dev/null 2>&1 | FileCheck %s --check-prefix=STRICT
// STRICT: error: q-calibrate: 1 of the 4 tensors the module needs are not in {{.*}}calib.json (fc0_output); 10 of its 13 entries name no tensor of the module (c0_output, c1_output, c2_output, c3_output, d0_output and 5 more) (strict)
// RUN: not q-opt %s --split-input-file --q-int8-pipeline="calib=%S/Inputs/calib.json calib-strict=1" -o /dev/null 2>&1 | FileCheck %s --check-prefix=STRICT
// RUN: not q-opt %s --split-input-file --q-quantize --q-calibrate="table=%S/Inputs/other-calib.json" -o /dev/null 2>&1 | FileCheck %s --check-prefix=OTHER
// OTHER: error: q-calibrate: {{.*}}other-calib.json covers none of the tensors the module needs: is it the table of another model? 4 of the 4 tensors the module needs are not in {{.*}}other-calib.json (data, relu0_output, conv1_output, fc0_output); 4 of its 4 entries name no tensor of the module (input0, pool1_fwd_output, stage1_conv0_output, stage1_relu0_output)

// data [-2.55, 2.55] is signed: i8 with step 0.02. relu0_output [0, 5.11]
// is not, so auto gives u8 with step 5.11 / 255.5 = 0.02; the pooling
// passes it through. conv1_output [-1, 3]: i8, 3 / 127.5. fc0_output is
// not in the table: its requantize stays dynamic.
// CHECK-LABEL: func.func @chain
// CHECK: %[[Q:.*]] = q.quantize %arg0 <{max_calib_range = 2.550000e+00 : f32, min_calib_range = -2.550000e+00 : f32, out_type = #q<quant_dtype auto>}> : tensor<1x4x8x8xf32> -> tensor<1x4x8x8x!quant.uniform<i8:f32, 0.019999{{[0-9]+}}>>
// CHECK-DAG: %[[W0:.*]] = quant.scast %{{.*}} : tensor<2x4x1x1xi8> to tensor<2x4x1x1x!quant.uniform<i8:f32:0, {0.0039215686274509803,0.0078431372549019607}>>
// Bias steps are input step * weight step: 0.02 * 0.5 / 127.5, 0.02 / 127.5.
// CHECK-DAG: %[[B0:.*]] = quant.scast %{{.*}} : tensor<2xi32> to tensor<2x!quant.uniform<i32:f32:0, {7.8431{{[0-9]+}}E-5,1.56862{{[0-9]+}}E-4}>>
// CHECK: %[[C0:.*]] = q.fused_conv %[[Q]], %[[W0]] bias(%[[B0]]) <{act = #q.eltwise<relu>}> : ({{.*}}) -> tensor<1x2x8x8x!quant.any<i32:f32>>
// CHECK: %[[R0:.*]] = q.requantize %[[C0]] <{max_calib_range = 5.110000e+00 : f32, min_calib_range = 0.000000e+00 : f32, out_type = #q<quant_dtype uint8>}> : tensor<1x2x8x8x!quant.any<i32:f32>> -> tensor<1x2x8x8x!quant.uniform<u8:f32, 0.0200000{{[0-9]+}}>>
// CHECK: %[[P:.*]] = q.pooling max %[[R0]] {{.*}} : tensor<1x2x8x8x!quant.uniform<u8:f32, 0.0200000{{[0-9]+}}>>
// CHECK: %[[C1:.*]] = q.fused_conv %[[P]], %{{.*}} bias(%{{.*}}) <{pads = array<i64: 1, 1, 1, 1>}> : (tensor<1x2x4x4x!quant.uniform<u8:f32, 0.0200000{{[0-9]+}}>>, {{.*}}, tensor<2x!quant.uniform<i32:f32:0, {{.*}}>>) -> tensor<1x2x4x4x!quant.any<i32:f32>>
// CHECK: %[[R1:.*]] = q.requantize %[[C1]] <{max_calib_range = 3.000000e+00 : f32, min_calib_range = -1.000000e+00 : f32, out_type = #q<quant_dtype auto>}> : tensor<1x2x4x4x!quant.any<i32:f32>> -> tensor<1x2x4x4x!quant.uniform<i8:f32, 0.023529411764705882>>
// CHECK: %[[F:.*]] = q.flatten %[[R1]] : tensor<1x2x4x4x!quant.uniform<i8:f32, 0.023529411764705882>>
// CHECK: %[[FC:.*]] = q.fused_fc %[[F]], %{{.*}} bias(%{{.*}}) : (tensor<1x32x!quant.uniform<i8:f32, 0.023529411764705882>>, {{.*}}, tensor<3x!quant.uniform<i32:f32:0, {{.*}}>>) -> tensor<1x3x!quant.any<i32:f32>>
// CHECK: q.requantize %[[FC]] <{out_type = #q<quant_dtype auto>}> : tensor<1x3x!quant.any<i32:f32>> -> tensor<1x3x!quant.any<i8:f32>>
// The f32 weights and biases are gone.
// RUN: q-opt %s --split-input-file --q-quantize --q-calibrate="table=%S/Inputs/calib.json" --mlir-print-debuginfo=false 2>/dev/null | FileCheck %s --check-prefix=NOF32
// NOF32-LABEL: func.func @chain
// NOF32-NOT: arith.constant dense<{{.*}}xf32>
// NOF32: return
// WARN: warning: 1 of the {{[0-9]+}} tensors the module needs are not in {{.*}}calib.json (fc0_output) and keep run-time ranges
func.func @chain(%x: tensor<1x4x8x8xf32> {q.name = "data"}) -> tensor<1x3xf32> {
  %w0 = arith.constant dense<[[[[0.5]], [[-0.25]], [[0.125]], [[0.0]]], [[[1.0]], [[0.5]], [[-1.0]], [[0.25]]]]> : tensor<2x4x1x1xf32> loc("conv0_weight")
  %b0 = arith.constant dense<[0.1, -0.2]> : tensor<2xf32> loc("conv0_bias")
  %w1 = arith.constant dense<0.25> : tensor<2x2x3x3xf32> loc("conv1_weight")
  %b1 = arith.constant dense<0.5> : tensor<2xf32> loc("conv1_bias")
  %w2 = arith.constant dense<0.5> : tensor<3x32xf32> loc("fc0_weight")
  %b2 = arith.constant dense<1.0> : tensor<3xf32> loc("fc0_bias")
  %c0 = q.fused_conv %x, %w0 bias(%b0) <{act = #q.eltwise<relu>}> : (tensor<1x4x8x8xf32>, tensor<2x4x1x1xf32>, tensor<2xf32>) -> tensor<1x2x8x8xf32> loc(fused["conv0", "relu0"])
  %p1 = q.pooling max %c0 <{kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>}> : tensor<1x2x8x8xf32> loc("pool0")
  %c1 = q.fused_conv %p1, %w1 bias(%b1) <{pads = array<i64: 1, 1, 1, 1>}> : (tensor<1x2x4x4xf32>, tensor<2x2x3x3xf32>, tensor<2xf32>) -> tensor<1x2x4x4xf32> loc("conv1")
  %f = q.flatten %c1 : tensor<1x2x4x4xf32> loc("flatten0")
  %y = q.fused_fc %f, %w2 bias(%b2) : (tensor<1x32xf32>, tensor<3x32xf32>, tensor<3xf32>) -> tensor<1x3xf32> loc("fc0")
  return %y : tensor<1x3xf32>
}

// -----

// Bias to int32, by hand: the input step is 2.55 / 127.5 = 0.02; channel 0
// has absmax 1.275 (step 0.01), channel 1 absmax 0.255 (step 0.002), so
// 0.5 / (0.02 * 0.01) = 2500 and -0.1 / (0.02 * 0.002) = -2500.
// Channel 2 (test_quantized_conv_bias_overflow): weights of 1e-6 give the
// step 1e-6 / 127.5 and the bias 1.0 would need 6.4e9 units, more than
// INT32_MAX / 2. MXNet's guard widens that channel's weight step to
// 1 / (0.02 * (INT32_MAX / 2)) = 4.66e-8 so the bias fits; the int8
// weights 127 and -128 shrink to rne(127 * 7.84e-9 / 4.66e-8) = 21 and -22.
// CHECK-LABEL: func.func @bias
// CHECK-DAG: quant.scast %{{.*}} : tensor<3x2x1x1xi8> to tensor<3x2x1x1x!quant.uniform<i8:f32:0, {0.0099999{{[0-9]+}},0.0019999{{[0-9]+}},4.65661{{[0-9]+}}E-8}>>
// CHECK-DAG: quant.scast %{{.*}} : tensor<3xi32> to tensor<3x!quant.uniform<i32:f32:0, {{{[0-9.]+}}E-4,{{[0-9.]+}}E-5,9.31322{{[0-9]+}}E-10}>>
// The weights, per channel: 127 -50, 127 50, 21 -22.
// CHECK: cb_weight_quantize_guarded: "0x010000007FCE7F3215EA"
// 2500 = 0x9C4, -2500 = 0xFFFFF63C, 1073741824 = 0x40000000 (little endian).
// CHECK: cb_bias_quantize: "0x04000000C40900003CF6FFFF00000040"
func.func @bias(%x: tensor<1x2x2x2xf32> {q.name = "data"}) -> tensor<1x3x2x2xf32> {
  %w = arith.constant dense<[[[[1.275]], [[-0.5]]], [[[0.255]], [[0.1]]], [[[1.0e-6]], [[-1.0e-6]]]]> : tensor<3x2x1x1xf32> loc("cb_weight")
  %b = arith.constant dense<[0.5, -0.1, 1.0]> : tensor<3xf32> loc("cb_bias")
  %y = q.fused_conv %x, %w bias(%b) : (tensor<1x2x2x2xf32>, tensor<3x2x1x1xf32>, tensor<3xf32>) -> tensor<1x3x2x2xf32> loc("cb")
  return %y : tensor<1x3x2x2xf32>
}

// -----

// test_pos_concat_scale_align: every range that reaches a quantized concat
// (here through a pooling too) becomes [min(0, mins), max(0, maxs)] =
// [-2, 4], so the four inputs share one type and the concat copies bytes.
// CHECK-LABEL: func.func @concat_align
// CHECK-COUNT-4: q.requantize {{.*}}<{max_calib_range = 4.000000e+00 : f32, min_calib_range = -2.000000e+00 : f32, out_type = #q<quant_dtype auto>}> : tensor<1x2x4x4x!quant.any<i32:f32>> -> tensor<1x2x4x4x!quant.uniform<i8:f32, 0.031372549019607843>>
// CHECK: q.pooling max {{.*}} : tensor<1x2x4x4x!quant.uniform<i8:f32, 0.031372549019607843>>
// CHECK: q.concat {{.*}} : tensor<1x2x4x4x!quant.uniform<i8:f32, 0.031372549019607843>>, tensor<1x2x4x4x!quant.uniform<i8:f32, 0.031372549019607843>>, tensor<1x2x4x4x!quant.uniform<i8:f32, 0.031372549019607843>>, tensor<1x2x4x4x!quant.uniform<i8:f32, 0.031372549019607843>>
// CHECK: q.fused_conv {{.*}} : (tensor<1x8x4x4x!quant.uniform<i8:f32, 0.031372549019607843>>
// WARN: warning: 1 of the {{[0-9]+}} tensors the module needs are not in {{.*}}calib.json (cc_output) and keep run-time ranges
func.func @concat_align(%x: tensor<1x2x4x4xf32> {q.name = "data"}) -> tensor<1x2x4x4xf32> {
  %w1 = arith.constant dense<1.0> : tensor<2x2x1x1xf32> loc("w1")
  %w2 = arith.constant dense<2.0> : tensor<2x2x1x1xf32> loc("w2")
  %w3 = arith.constant dense<3.0> : tensor<2x2x1x1xf32> loc("w3")
  %w4 = arith.constant dense<4.0> : tensor<2x2x1x1xf32> loc("w4")
  %wc = arith.constant dense<1.0> : tensor<2x8x1x1xf32> loc("wc")
  %c0 = q.fused_conv %x, %w1 : (tensor<1x2x4x4xf32>, tensor<2x2x1x1xf32>) -> tensor<1x2x4x4xf32> loc("c0")
  %c1 = q.fused_conv %x, %w2 : (tensor<1x2x4x4xf32>, tensor<2x2x1x1xf32>) -> tensor<1x2x4x4xf32> loc("c1")
  %c2 = q.fused_conv %x, %w3 : (tensor<1x2x4x4xf32>, tensor<2x2x1x1xf32>) -> tensor<1x2x4x4xf32> loc("c2")
  %c3 = q.fused_conv %x, %w4 : (tensor<1x2x4x4xf32>, tensor<2x2x1x1xf32>) -> tensor<1x2x4x4xf32> loc("c3")
  %p3 = q.pooling max %c3 <{kernel = array<i64: 3, 3>, strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>}> : tensor<1x2x4x4xf32> loc("p3")
  %k = q.concat %c0, %c1, %c2, %p3 : tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32> loc("concat0")
  %y = q.fused_conv %k, %wc : (tensor<1x8x4x4xf32>, tensor<2x8x1x1xf32>) -> tensor<1x2x4x4xf32> loc("cc")
  return %y : tensor<1x2x4x4xf32>
}

// -----

// Non-negative ranges [0, 1] and [0.5, 2] align to [0, 2]: u8, 2 / 255.5.
// CHECK-LABEL: func.func @concat_unsigned
// CHECK-COUNT-2: q.requantize {{.*}}<{max_calib_range = 2.000000e+00 : f32, min_calib_range = 0.000000e+00 : f32, out_type = #q<quant_dtype auto>}> : {{.*}} -> tensor<1x2x4x4x!quant.uniform<u8:f32, 0.0078277886497064575>>
// CHECK: q.concat {{.*}} : tensor<1x2x4x4x!quant.uniform<u8:f32, 0.0078277886497064575>>, tensor<1x2x4x4x!quant.uniform<u8:f32, 0.0078277886497064575>>
func.func @concat_unsigned(%x: tensor<1x2x4x4xf32> {q.name = "data"}) -> tensor<1x2x4x4xf32> {
  %w = arith.constant dense<1.0> : tensor<2x2x1x1xf32> loc("w")
  %wc = arith.constant dense<1.0> : tensor<2x4x1x1xf32> loc("wc")
  %u0 = q.fused_conv %x, %w : (tensor<1x2x4x4xf32>, tensor<2x2x1x1xf32>) -> tensor<1x2x4x4xf32> loc("u0")
  %u1 = q.fused_conv %x, %w : (tensor<1x2x4x4xf32>, tensor<2x2x1x1xf32>) -> tensor<1x2x4x4xf32> loc("u1")
  %k = q.concat %u0, %u1 : tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32> loc("concat0")
  %y = q.fused_conv %k, %wc : (tensor<1x4x4x4xf32>, tensor<2x4x1x1xf32>) -> tensor<1x2x4x4xf32> loc("cu")
  return %y : tensor<1x2x4x4xf32>
}

// -----

// d0 feeds two concats (as in DenseNet): d0+d1 align to [-1, 1], then
// d0+d2 to [-1, 3], which changes d0 again; alignment repeats until every
// concat's inputs agree: all three end at [-1, 3].
// CHECK-LABEL: func.func @concat_shared
// CHECK-COUNT-3: q.requantize {{.*}}<{max_calib_range = 3.000000e+00 : f32, min_calib_range = -1.000000e+00 : f32, out_type = #q<quant_dtype auto>}> : {{.*}} -> tensor<1x2x4x4x!quant.uniform<i8:f32, 0.023529411764705882>>
// CHECK-COUNT-2: q.concat
// WARN: warning: 2 of the {{[0-9]+}} tensors the module needs are not in {{.*}}calib.json (e0_output, e1_output) and keep run-time ranges
func.func @concat_shared(%x: tensor<1x2x4x4xf32> {q.name = "data"}) -> (tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>) {
  %w = arith.constant dense<1.0> : tensor<2x2x1x1xf32> loc("w")
  %wc = arith.constant dense<1.0> : tensor<2x4x1x1xf32> loc("wc")
  %d0 = q.fused_conv %x, %w : (tensor<1x2x4x4xf32>, tensor<2x2x1x1xf32>) -> tensor<1x2x4x4xf32> loc("d0")
  %d1 = q.fused_conv %x, %w : (tensor<1x2x4x4xf32>, tensor<2x2x1x1xf32>) -> tensor<1x2x4x4xf32> loc("d1")
  %d2 = q.fused_conv %x, %w : (tensor<1x2x4x4xf32>, tensor<2x2x1x1xf32>) -> tensor<1x2x4x4xf32> loc("d2")
  %k0 = q.concat %d0, %d1 : tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32> loc("concat0")
  %k1 = q.concat %d0, %d2 : tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32> loc("concat1")
  %e0 = q.fused_conv %k0, %wc : (tensor<1x4x4x4xf32>, tensor<2x4x1x1xf32>) -> tensor<1x2x4x4xf32> loc("e0")
  %e1 = q.fused_conv %k1, %wc : (tensor<1x4x4x4xf32>, tensor<2x4x1x1xf32>) -> tensor<1x2x4x4xf32> loc("e1")
  return %e0, %e1 : tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>
}

// -----

// One concat input without a range: they cannot share a static scale, so
// all of them keep run-time ranges (c0's range is dropped too).
// CHECK-LABEL: func.func @concat_partial
// CHECK-COUNT-2: q.requantize %{{.*}} <{out_type = #q<quant_dtype auto>}> : {{.*}} -> tensor<1x2x4x4x!quant.any<i8:f32>>
// CHECK: q.concat {{.*}} : tensor<1x2x4x4x!quant.any<i8:f32>>, tensor<1x2x4x4x!quant.any<i8:f32>>
// WARN: warning: 2 of the {{[0-9]+}} tensors the module needs are not in {{.*}}calib.json (m1_output, cp_output) and keep run-time ranges
func.func @concat_partial(%x: tensor<1x2x4x4xf32> {q.name = "data"}) -> tensor<1x2x4x4xf32> {
  %w = arith.constant dense<1.0> : tensor<2x2x1x1xf32> loc("w")
  %wc = arith.constant dense<1.0> : tensor<2x4x1x1xf32> loc("wc")
  %c0 = q.fused_conv %x, %w : (tensor<1x2x4x4xf32>, tensor<2x2x1x1xf32>) -> tensor<1x2x4x4xf32> loc("c0")
  %m1 = q.fused_conv %x, %w : (tensor<1x2x4x4xf32>, tensor<2x2x1x1xf32>) -> tensor<1x2x4x4xf32> loc("m1")
  %k = q.concat %c0, %m1 : tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32> loc("concat0")
  %y = q.fused_conv %k, %wc : (tensor<1x4x4x4xf32>, tensor<2x4x1x1xf32>) -> tensor<1x2x4x4xf32> loc("cp")
  return %y : tensor<1x2x4x4xf32>
}

// -----

// Raw 8-bit inputs keep their storage; a range gives them a scale
// ([-1.275, 1.275]: 0.01), and without one they keep step 1 (no warning:
// their scale is not found at run time).
// CHECK-LABEL: func.func @raw_input
// CHECK-DAG: q.quantize %arg0 <{max_calib_range = 1.275000e+00 : f32, min_calib_range = -1.275000e+00 : f32}> : tensor<1x2x4x4xi8> -> tensor<1x2x4x4x!quant.uniform<i8:f32, 0.0099999{{[0-9]+}}>>
// CHECK-DAG: q.quantize %arg1 <{out_type = #q<quant_dtype uint8>}> : tensor<1x2x4x4xui8> -> tensor<1x2x4x4x!quant.uniform<u8:f32, 1.000000e+00>>
// WARN: warning: 2 of the {{[0-9]+}} tensors the module needs are not in {{.*}}calib.json (r0_output, r1_output) and keep run-time ranges
// WARN-NOT: raw_u
func.func @raw_input(%x: tensor<1x2x4x4xi8> {q.name = "raw"}, %u: tensor<1x2x4x4xui8> {q.name = "raw_u"}) -> (tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>) {
  %w = arith.constant dense<0.5> : tensor<2x2x1x1xf32> loc("w")
  %r0 = q.fused_conv %x, %w : (tensor<1x2x4x4xi8>, tensor<2x2x1x1xf32>) -> tensor<1x2x4x4xf32> loc("r0")
  %r1 = q.fused_conv %u, %w : (tensor<1x2x4x4xui8>, tensor<2x2x1x1xf32>) -> tensor<1x2x4x4xf32> loc("r1")
  return %r0, %r1 : tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>
}

// Bad tables and options name the file, the tensor and the field.
// RUN: not q-opt %s --q-calibrate 2>&1 | FileCheck %s --check-prefix=NO-TABLE
// NO-TABLE: q-calibrate: give the table to read: --q-calibrate="table=calib.json"
// RUN: not q-opt %s --q-calibrate="table=%S/Inputs/no-such-table.json" 2>&1 | FileCheck %s --check-prefix=MISSING
// MISSING: q-calibrate: {{.*}}no-such-table.json: cannot read: {{[Nn]}}o such file or directory
// RUN: not q-opt %s --q-calibrate="table=%S/Inputs/calib-bad-json.json" 2>&1 | FileCheck %s --check-prefix=BAD-JSON
// BAD-JSON: q-calibrate: {{.*}}calib-bad-json.json: not valid JSON: [5:3, byte=104]: Expected object key
// RUN: not q-opt %s --q-calibrate="table=%S/Inputs/calib-reversed.json" 2>&1 | FileCheck %s --check-prefix=REVERSED
// REVERSED: q-calibrate: {{.*}}calib-reversed.json: tensor 'data': min 2 > max 1
// RUN: not q-opt %s --q-calibrate="table=%S/Inputs/calib-unknown-field.json" 2>&1 | FileCheck %s --check-prefix=UNKNOWN
// UNKNOWN: q-calibrate: {{.*}}calib-unknown-field.json: tensor 'data': unknown field "mni" (expected min, max, observed_min, observed_max, negative_fraction, channel_min, channel_max, method)
// RUN: not q-opt %s --q-calibrate="table=%S/Inputs/calib-no-min.json" 2>&1 | FileCheck %s --check-prefix=NO-MIN
// NO-MIN: q-calibrate: {{.*}}calib-no-min.json: tensor 'data' needs both "min" and "max"
