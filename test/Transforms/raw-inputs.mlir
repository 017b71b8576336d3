// q-raw-inputs: a raw uint8/int8 input read through a q.input_lookup whose
// table absorbs the per-element ops that follow (docs/passes.md).
// RUN: q-opt %s --split-input-file --q-raw-inputs="inputs=data:u8:nhwc" --mlir-print-elementsattrs-with-hex-if-larger=100000 --mlir-print-debuginfo=false | FileCheck %s
// RUN: q-opt %s --split-input-file --q-raw-inputs="inputs=data:i8:step=0.5" --mlir-print-elementsattrs-with-hex-if-larger=100000 --mlir-print-debuginfo=false | FileCheck %s --check-prefix=I8

// MobileFaceNet's preprocessing, (x - 127.5) * 0.0078125, becomes one f32
// row: entry i is (i - 127.5) / 128 as the runtime's float ops give it.
// CHECK-LABEL: func.func @main
// CHECK-SAME: (%arg0: tensor<1x2x2x3xui8> {q.layout = "nhwc", q.name = "data"}) -> tensor<1x3x2x2xf32>
// CHECK-NEXT: %[[L:.*]] = q.input_lookup %arg0 <{layout = #q<layout nhwc>, table = dense<{{\[\[}}-0.99609375, -0.98828125, -0.98046875,
// CHECK-SAME: 0.98828125, 0.99609375]]> : tensor<1x256xf32>}> : tensor<1x2x2x3xui8> -> tensor<1x3x2x2xf32>
// CHECK-NEXT: return %[[L]]
// int8 data with step 0.5 start from the identity 0.5 * x (index 0 is
// x = -128), and the same ops fold.
// I8-LABEL: func.func @main
// I8-SAME: (%arg0: tensor<1x3x2x2xi8> {q.name = "data"})
// I8-NEXT: q.input_lookup %arg0 <{table = dense<{{\[\[}}-1.49609375, -1.4921875,
func.func @main(%x: tensor<1x3x2x2xf32> {q.name = "data"}) -> tensor<1x3x2x2xf32> {
  %a = q.scalar sub %x <{scalar = 127.5 : f64}> : tensor<1x3x2x2xf32>
  %b = q.scalar mul %a <{scalar = 0.0078125 : f64}> : tensor<1x3x2x2xf32>
  return %b : tensor<1x3x2x2xf32>
}

// -----

// The static quantize that follows holds its integers, rounded half to
// even as the runtime rounds: (i - 127.5) at step 1/128 gives -128 (i = 0,
// a tie to even), -126, -126, -124, ... and 127 (128 saturates).
// CHECK-LABEL: func.func @main
// CHECK: %[[L:.*]] = q.input_lookup %arg0 <{layout = #q<layout nhwc>, table = dense<{{\[\[}}-128, -126, -126, -124, -124, -122,
// CHECK-SAME: 124, 124, 126, 126, 127]]> : tensor<1x256xi8>}> : tensor<1x2x2x3xui8> -> tensor<1x3x2x2x!quant.uniform<i8:f32, 7.812500e-03>>
// CHECK: q.fused_conv %[[L]]
// I8-LABEL: func.func @main
// I8: q.input_lookup %arg0 <{table = dense<{{\[\[}}-128, -128, -128,
func.func @main(%x: tensor<1x3x2x2xf32> {q.name = "data"}) -> tensor<1x1x2x2xf32> {
  %a = q.scalar sub %x <{scalar = 127.5 : f64}> : tensor<1x3x2x2xf32>
  %b = q.scalar mul %a <{scalar = 0.0078125 : f64}> : tensor<1x3x2x2xf32>
  %q = q.quantize %b <{min_calib_range = -0.99609375 : f32, max_calib_range = 0.99609375 : f32}> : tensor<1x3x2x2xf32> -> tensor<1x3x2x2x!quant.uniform<i8:f32, 0.0078125>>
  %wi = arith.constant dense<1> : tensor<1x3x1x1xi8>
  %w = quant.scast %wi : tensor<1x3x1x1xi8> to tensor<1x3x1x1x!quant.uniform<i8:f32:0, {1.0e-2}>>
  %c = q.fused_conv %q, %w : (tensor<1x3x2x2x!quant.uniform<i8:f32, 0.0078125>>, tensor<1x3x1x1x!quant.uniform<i8:f32:0, {1.0e-2}>>) -> tensor<1x1x2x2xf32>
  return %c : tensor<1x1x2x2xf32>
}

// -----

// A batch norm on the data (fix_gamma: gamma is ignored) gives one row per
// channel: (x - mean) * (1 / sqrt(var + eps)) + beta (eps 1e-3 makes the
// steps a little less than 1, 1/2 and 1/4).
// CHECK-LABEL: func.func @main
// CHECK-NEXT: q.input_lookup %arg0 <{layout = #q<layout nhwc>, table = dense<{{\[\[}}1.000000e+00, 1.99950039, 2.99900079,
// CHECK-SAME: ], [-1.99975014, -1.4998126, -0.999875068,
// CHECK-SAME: ], [-24.9992199, -24.7492275,
// CHECK-SAME: : tensor<3x256xf32>}>
// CHECK-NOT: q.batch_norm
func.func @main(%x: tensor<1x3x2x2xf32> {q.name = "data"}) -> tensor<1x3x2x2xf32> {
  %gamma = arith.constant dense<[5.0, 5.0, 5.0]> : tensor<3xf32>
  %beta = arith.constant dense<[1.0, 0.0, 0.0]> : tensor<3xf32>
  %mean = arith.constant dense<[0.0, 4.0, 100.0]> : tensor<3xf32>
  %var = arith.constant dense<[1.0, 4.0, 16.0]> : tensor<3xf32>
  %y = q.batch_norm %x, %gamma, %beta, %mean, %var <{eps = 1.0e-3 : f64, fix_gamma = true}> : tensor<1x3x2x2xf32>, tensor<3xf32>
  return %y : tensor<1x3x2x2xf32>
}

// -----

// What --input-mean/--input-std insert: per-channel constants [1, 3, 1, 1].
// CHECK-LABEL: func.func @main
// CHECK-NEXT: q.input_lookup %arg0 <{layout = #q<layout nhwc>, table = dense<{{\[\[}}-5.000000e+01, -4.950000e+01,
// CHECK-SAME: ], [-2.750000e+01, -2.725000e+01,
// CHECK-SAME: ], [-1.500000e+01, -1.487500e+01,
// CHECK-SAME: : tensor<3x256xf32>}>
// CHECK-NEXT: return
func.func @main(%x: tensor<1x3x2x2xf32> {q.name = "data"}) -> tensor<1x3x2x2xf32> {
  %mean = arith.constant dense<[[[[100.0]], [[110.0]], [[120.0]]]]> : tensor<1x3x1x1xf32>
  %std = arith.constant dense<[[[[2.0]], [[4.0]], [[8.0]]]]> : tensor<1x3x1x1xf32>
  %a = q.sub %x, %mean : tensor<1x3x2x2xf32>, tensor<1x3x1x1xf32>
  %b = q.div %a, %std : tensor<1x3x2x2xf32>, tensor<1x3x1x1xf32>
  return %b : tensor<1x3x2x2xf32>
}

// -----

// Nothing folds past a value with two users, a dynamic quantize, or a
// non-affine op; the lookup then yields f32 and the rest runs as before.
// CHECK-LABEL: func.func @main
// CHECK-NEXT: %[[L:.*]] = q.input_lookup %arg0 <{layout = #q<layout nhwc>, table = dense<{{\[\[}}0.000000e+00, 1.000000e+00, 2.000000e+00,
// CHECK-NEXT: %[[Q:.*]] = q.quantize %[[L]]
// CHECK-SAME: -> tensor<1x3x2x2x!quant.any<u8:f32>>
// CHECK-NEXT: q.scalar pow %[[L]]
func.func @main(%x: tensor<1x3x2x2xf32> {q.name = "data"}) -> (tensor<1x3x2x2x!quant.any<u8:f32>>, tensor<1x3x2x2xf32>) {
  %q = q.quantize %x <{out_type = #q<quant_dtype uint8>}> : tensor<1x3x2x2xf32> -> tensor<1x3x2x2x!quant.any<u8:f32>>
  %p = q.scalar pow %x <{scalar = 2.0 : f64}> : tensor<1x3x2x2xf32>
  return %q, %p : tensor<1x3x2x2x!quant.any<u8:f32>>, tensor<1x3x2x2xf32>
}
