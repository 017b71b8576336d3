// Quantized ops become libqrt int8 calls: static steps travel in the
// descriptors, dynamic ones in qrt_exec slots, weight steps as init data,
// int32 biases as f32 real values; scasts, 8-bit pass-through quantizes,
// flattens and dequantizes of accumulators cost nothing.
// RUN: q-opt %s --split-input-file --q-lower-to-onednn="model-name=tiny" --mlir-print-debuginfo=false | FileCheck %s

// A calibrated conv -> pool -> flatten -> fc writing f32.
// CHECK-LABEL: module attributes
// CHECK-SAME: q.weights = [{name = "w_quantize", value = dense<1> : tensor<4x1x3x3xi8>}, {name = "fw_quantize", value = dense<2> : tensor<2x16xi8>}, {name = "b_quantize_real"
// CHECK-DAG: llvm.mlir.global internal constant @__q_init1_2("
// CHECK-DAG: llvm.func @qrt_quantize_init(!llvm.ptr, i32, !llvm.ptr) -> i32
// CHECK-DAG: llvm.func @qrt_conv_init(!llvm.ptr, i32, !llvm.ptr, !llvm.ptr, !llvm.ptr, !llvm.ptr) -> i32
// CHECK: llvm.func @__q_generated_init
// CHECK: llvm.call @qrt_quantize_init
// CHECK: %[[STEPS:.*]] = llvm.mlir.addressof @__q_init1_2
// CHECK: llvm.call @qrt_conv_init(%{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %[[STEPS]])
// CHECK: llvm.call @qrt_pooling_init
// CHECK: llvm.call @qrt_fc_init
// CHECK: llvm.func @__q_generated_run
// CHECK: llvm.call @qrt_quantize_run
// CHECK: llvm.call @qrt_conv_run
// CHECK: llvm.call @qrt_pooling_run
// CHECK: llvm.call @qrt_fc_run
// CHECK: llvm.call @qrt_copy
func.func @main(%x: tensor<1x1x6x6xf32> {q.name = "data"}) -> (tensor<1x2xf32> {q.name = "fc_output"}) {
  %wi = arith.constant dense<1> : tensor<4x1x3x3xi8> loc("w_quantize")
  %w = quant.scast %wi : tensor<4x1x3x3xi8> to tensor<4x1x3x3x!quant.uniform<i8:f32:0, {0.1, 0.2, 0.3, 0.4}>>
  %bi = arith.constant dense<[10, 20, 30, 40]> : tensor<4xi32> loc("b_quantize")
  %b = quant.scast %bi : tensor<4xi32> to tensor<4x!quant.uniform<i32:f32:0, {0.001, 0.002, 0.003, 0.004}>>
  %fwi = arith.constant dense<2> : tensor<2x16xi8> loc("fw_quantize")
  %fw = quant.scast %fwi : tensor<2x16xi8> to tensor<2x16x!quant.uniform<i8:f32, 0.05>>
  %q = q.quantize %x <{min_calib_range = 0.0 : f32, max_calib_range = 1.0 : f32, out_type = #q<quant_dtype auto>}> : tensor<1x1x6x6xf32> -> tensor<1x1x6x6x!quant.uniform<u8:f32, 0.0039138943248532287>>
  %c = q.fused_conv %q, %w bias(%b) <{act = #q.eltwise<relu>, min_calib_range = 0.0 : f32, max_calib_range = 2.0 : f32}> : (tensor<1x1x6x6x!quant.uniform<u8:f32, 0.0039138943248532287>>, tensor<4x1x3x3x!quant.uniform<i8:f32:0, {0.1, 0.2, 0.3, 0.4}>>, tensor<4x!quant.uniform<i32:f32:0, {0.001, 0.002, 0.003, 0.004}>>) -> tensor<1x4x4x4x!quant.uniform<u8:f32, 0.0078277886497064575>>
  %p = q.pooling max %c <{kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>}> : tensor<1x4x4x4x!quant.uniform<u8:f32, 0.0078277886497064575>>
  %f = q.flatten %p : tensor<1x4x2x2x!quant.uniform<u8:f32, 0.0078277886497064575>>
  %y = q.fused_fc %f, %fw : (tensor<1x16x!quant.uniform<u8:f32, 0.0078277886497064575>>, tensor<2x16x!quant.uniform<i8:f32, 0.05>>) -> tensor<1x2xf32>
  return %y : tensor<1x2xf32>
}

// -----

// Without calibration: the quantize finds its step at run time (slot 0),
// the conv writes f32 real values, the requantize quantizes them at run
// time (slot 1), and the add reads both slots.
// CHECK-LABEL: module attributes
// CHECK: llvm.func @__q_generated_run
// CHECK: llvm.call @qrt_quantize_run
// CHECK: llvm.call @qrt_conv_run
// CHECK: llvm.call @qrt_quantize_run
// CHECK: llvm.call @qrt_quantized_add_run
// CHECK-NOT: llvm.call @qrt_quantize_run
// CHECK: llvm.call @qrt_copy
func.func @main(%x: tensor<1x1x6x6xf32> {q.name = "data"}) -> (tensor<1x1x6x6xf32> {q.name = "out"}) {
  %wi = arith.constant dense<1> : tensor<1x1x3x3xi8> loc("w_quantize")
  %w = quant.scast %wi : tensor<1x1x3x3xi8> to tensor<1x1x3x3x!quant.uniform<i8:f32:0, {0.1}>>
  %q = q.quantize %x : tensor<1x1x6x6xf32> -> tensor<1x1x6x6x!quant.any<i8:f32>>
  %c = q.fused_conv %q, %w <{pads = array<i64: 1, 1, 1, 1>}> : (tensor<1x1x6x6x!quant.any<i8:f32>>, tensor<1x1x3x3x!quant.uniform<i8:f32:0, {0.1}>>) -> tensor<1x1x6x6x!quant.any<i32:f32>>
  %r = q.requantize %c : tensor<1x1x6x6x!quant.any<i32:f32>> -> tensor<1x1x6x6x!quant.any<i8:f32>>
  %s = q.quantized_add %r, %q : (tensor<1x1x6x6x!quant.any<i8:f32>>, tensor<1x1x6x6x!quant.any<i8:f32>>) -> tensor<1x1x6x6xf32>
  return %s : tensor<1x1x6x6xf32>
}

// -----

// Kernels q generated (q-lower-to-loops) run through qrt_model_parallel_for
// (the model's run-time thread count, like the oneDNN ops) with their
// operands and result in an array; they need no init.
// CHECK-LABEL: module attributes
// CHECK: llvm.func @__q_generated_init
// CHECK-NOT: q_kernel_0
// CHECK: llvm.func @__q_generated_run
// CHECK: %[[ARGS:.*]] = llvm.alloca %{{.*}} x !llvm.array<2 x ptr>
// CHECK: %[[FN:.*]] = llvm.mlir.addressof @q_kernel_0 : !llvm.ptr
// CHECK: llvm.call @qrt_model_parallel_for(%{{.*}}, %[[FN]], %[[ARGS]], %{{.*}}) : (!llvm.ptr, !llvm.ptr, !llvm.ptr, i64) -> i32
llvm.func @q_kernel_0(%args: !llvm.ptr, %begin: i64, %end: i64) {
  llvm.return
}
func.func @main(%x: tensor<1x4xi8> {q.name = "data"}) -> (tensor<1x4xi8> {q.name = "out"}) {
  %y = q.kernel_call @q_kernel_0(%x) <{num_tiles = 3 : i64}> : (tensor<1x4xi8>) -> tensor<1x4xi8>
  return %y : tensor<1x4xi8>
}
