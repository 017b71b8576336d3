// q ops become libqrt init/run calls on planned arena buffers.
// RUN: q-opt %s --split-input-file --q-lower-to-onednn="report-memory=true model-name=tiny" --mlir-print-debuginfo=false --verify-diagnostics | FileCheck %s

// CHECK-LABEL: module attributes
// CHECK-SAME: q.arena_bytes = 1152 : i64
// CHECK-SAME: q.weights = [{name = "w", value = dense<1.000000e+00> : tensor<4x1x3x3xf32>}, {name = "fw", value = dense<5.000000e-01> : tensor<2x16xf32>}]
// CHECK: llvm.mlir.global external constant @__q_generated_manifest("{\22arena_bytes\22:1152,\22arena_lower_bound\22:1152,\22build\22:{\22backend\22:\22onednn\22,\22dtype\22:\22float32\22,\22kernel_isas\22:[],\22loops_layers\22:0,\22onednn_layers\22:2,\22q_version\22:\22{{[^\\]+}}\22},\22inputs\22:[{\22dtype\22:\22f32\22,\22name\22:\22data\22,\22shape\22:[1,1,6,6]}],\22model\22:\22tiny\22,\22num_ops\22:4
// CHECK-DAG: llvm.mlir.global internal constant @__q_desc0
// CHECK-DAG: llvm.func @qrt_conv_init(!llvm.ptr, i32, !llvm.ptr, !llvm.ptr, !llvm.ptr, !llvm.ptr) -> i32
// CHECK-DAG: llvm.func @qrt_fc_run(!llvm.ptr, !llvm.ptr, i32, !llvm.ptr, !llvm.ptr) -> i32
// CHECK: llvm.func @__q_generated_init(%[[MODEL:.*]]: !llvm.ptr, %[[WEIGHTS:.*]]: !llvm.ptr) -> i32
// CHECK: %[[DESC:.*]] = llvm.mlir.addressof @__q_desc0
// CHECK: %[[SLOT:.*]] = llvm.getelementptr %[[WEIGHTS]][0]
// CHECK: %[[W:.*]] = llvm.load %[[SLOT]]
// CHECK: llvm.call @qrt_conv_init(%[[MODEL]], %{{.*}}, %[[DESC]], %[[W]], %{{.*}}, %{{.*}})
// CHECK: llvm.call @qrt_activation_init
// CHECK: llvm.call @qrt_pooling_init
// CHECK: llvm.call @qrt_fc_init
// CHECK: llvm.func @__q_generated_run(%{{.*}}: !llvm.ptr, %{{.*}}: !llvm.ptr, %[[IN:.*]]: !llvm.ptr, %[[OUT:.*]]: !llvm.ptr, %[[ARENA:.*]]: !llvm.ptr) -> i32
// CHECK: llvm.call @qrt_conv_run
// The relu reads the conv's buffer and writes the next one; flatten is free.
// CHECK: llvm.call @qrt_activation_run
// CHECK: llvm.call @qrt_pooling_run
// CHECK: llvm.call @qrt_fc_run
// CHECK: llvm.call @qrt_copy
// CHECK-NOT: func.func
// expected-remark @below {{arena 1152 bytes for 4 tensors; liveness lower bound 1152 bytes}}
func.func @main(%x: tensor<1x1x6x6xf32> {q.name = "data"}) -> (tensor<1x2xf32> {q.name = "fc_output"}) {
  %w = arith.constant dense<1.0> : tensor<4x1x3x3xf32> loc("w")
  %fw = arith.constant dense<0.5> : tensor<2x16xf32> loc("fw")
  %0 = q.convolution %x, %w <{pads = array<i64: 1, 1, 1, 1>}> : tensor<1x1x6x6xf32>, tensor<4x1x3x3xf32>
  %1 = q.activation <relu> %0 : tensor<1x4x6x6xf32>
  %2 = q.pooling max %1 <{kernel = array<i64: 3, 3>, strides = array<i64: 3, 3>}> : tensor<1x4x6x6xf32>
  %3 = q.flatten %2 : tensor<1x4x2x2xf32>
  %4 = q.dropout %3 : tensor<1x16xf32>
  %5 = q.fully_connected %4, %fw : tensor<1x16xf32>, tensor<2x16xf32>
  return %5 : tensor<1x2xf32>
}

// -----

// Weights must be constants: a model imported without .params cannot run.
// expected-error @below {{parameter 'w' is a function argument; import the model with its .params file so that weights are constants}}
func.func @main(%x: tensor<1x1x6x6xf32> {q.name = "data"}, %w: tensor<4x1x3x3xf32> {q.name = "w", q.param}) -> tensor<1x4x4x4xf32> {
  %0 = q.convolution %x, %w : tensor<1x1x6x6xf32>, tensor<4x1x3x3xf32>
  return %0 : tensor<1x4x4x4xf32>
}

// -----

// expected-error @below {{result 0 has type 'tensor<4x!quant.any<i8:f32>>'; a compiled model returns plain tensors, so dequantize it first (q-quantize does)}}
func.func @main(%x: tensor<4xf32>) -> tensor<4x!quant.any<i8:f32>> {
  %0 = q.quantize %x : tensor<4xf32> -> tensor<4x!quant.any<i8:f32>>
  return %0 : tensor<4x!quant.any<i8:f32>>
}
