// RUN: q-opt %s --split-input-file --q-lower-to-loops="isa=avx2 channels-last=true" | FileCheck %s
// RUN: q-opt %s --split-input-file --q-lower-to-loops="isa=avx2 channels-last=true report=true" 2>&1 >/dev/null | FileCheck %s --check-prefix=REMARK
// RUN: q-opt %s --split-input-file --q-lower-to-loops="isa=avx2 channels-last=true" --q-assign-layouts --mlir-print-debuginfo=false | FileCheck %s --check-prefix=PLAN

// A conv the channels-last kernels take: one kernel_call that reads the
// input itself (no pack, no scratch), planned NHWC by q-assign-layouts
// with the graph's NCHW converted at the function's edges.
// CHECK-LABEL: func.func @conv3x3
// CHECK-NOT: _pack
// CHECK: q.kernel_call @q_kernel_0(%arg0) <{channels_last, num_tiles = {{[0-9]+}} : i64}> : (tensor<1x8x10x10x!quant.uniform<u8:f32, 5.000000e-02>>) -> tensor<1x16x5x5x!quant.uniform<u8:f32, 1.000000e-01>>
// CHECK-NOT: q.fused_conv
// CHECK: llvm.mlir.global internal constant @q_kernel_0_zero
// CHECK-NOT: llvm.func @q_kernel_0_pack
// CHECK: llvm.func @q_kernel_0(
// CHECK: llvm.call_intrinsic "llvm.x86.avx2.pmadd.ub.sw"
// REMARK: remark: generated @q_kernel_0 (conv, {{[0-9]+}} tiles, channels last)
// PLAN-LABEL: func.func @conv3x3
// PLAN: %[[IN:.*]] = q.reorder %arg0 nchw to nhwc
// PLAN: %[[Y:.*]] = q.kernel_call @q_kernel_0(%[[IN]]) <{channels_last, {{.*}}}> {q.layout = #q<layout nhwc>}
// PLAN: %[[OUT:.*]] = q.reorder %[[Y]] nhwc to nchw
// PLAN: return %[[OUT]]
func.func @conv3x3(%x: tensor<1x8x10x10x!quant.uniform<u8:f32, 0.05>>) -> tensor<1x16x5x5x!quant.uniform<u8:f32, 0.1>> {
  %w = arith.constant dense<3> : tensor<16x8x3x3xi8>
  %wq = quant.scast %w : tensor<16x8x3x3xi8> to tensor<16x8x3x3x!quant.uniform<i8:f32, 0.01>>
  %y = q.fused_conv %x, %wq <{pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>, act = #q.eltwise<relu>}> : (tensor<1x8x10x10x!quant.uniform<u8:f32, 0.05>>, tensor<16x8x3x3x!quant.uniform<i8:f32, 0.01>>) -> tensor<1x16x5x5x!quant.uniform<u8:f32, 0.1>>
  return %y : tensor<1x16x5x5x!quant.uniform<u8:f32, 0.1>>
}

// -----

// A 3-channel stem stays NCHW (with its pack) and says why; the conv after
// it runs channels last: the plan converts between the two, and back to
// NCHW at the return.
// CHECK-LABEL: func.func @stem_then_conv
// CHECK: q.kernel_call @q_kernel_0_pack(%arg0)
// CHECK: %[[S:.*]] = q.kernel_call @q_kernel_0(
// CHECK: q.kernel_call @q_kernel_1(%[[S]]) <{channels_last,
// REMARK: remark: generated @q_kernel_0 (conv, {{[0-9]+}} tiles, scratch {{[0-9]+}} bytes, nchw: fewer than 4 input channels)
// REMARK: remark: generated @q_kernel_1 (conv, {{[0-9]+}} tiles, channels last)
// PLAN-LABEL: func.func @stem_then_conv
// PLAN: %[[S:.*]] = q.kernel_call @q_kernel_0(
// PLAN-NOT: channels_last
// PLAN: %[[R:.*]] = q.reorder %[[S]] nchw to nhwc
// PLAN: q.kernel_call @q_kernel_1(%[[R]]) <{channels_last,
// PLAN-COUNT-1: q.reorder
// PLAN: return
func.func @stem_then_conv(%x: tensor<1x3x12x12x!quant.uniform<u8:f32, 0.05>>) -> tensor<1x16x12x12x!quant.uniform<u8:f32, 0.1>> {
  %w0 = arith.constant dense<2> : tensor<16x3x3x3xi8>
  %w0q = quant.scast %w0 : tensor<16x3x3x3xi8> to tensor<16x3x3x3x!quant.uniform<i8:f32, 0.01>>
  %y0 = q.fused_conv %x, %w0q <{pads = array<i64: 1, 1, 1, 1>, act = #q.eltwise<relu>}> : (tensor<1x3x12x12x!quant.uniform<u8:f32, 0.05>>, tensor<16x3x3x3x!quant.uniform<i8:f32, 0.01>>) -> tensor<1x16x12x12x!quant.uniform<u8:f32, 0.1>>
  %w1 = arith.constant dense<1> : tensor<16x16x1x1xi8>
  %w1q = quant.scast %w1 : tensor<16x16x1x1xi8> to tensor<16x16x1x1x!quant.uniform<i8:f32, 0.01>>
  %y1 = q.fused_conv %y0, %w1q <{act = #q.eltwise<relu>}> : (tensor<1x16x12x12x!quant.uniform<u8:f32, 0.1>>, tensor<16x16x1x1x!quant.uniform<i8:f32, 0.01>>) -> tensor<1x16x12x12x!quant.uniform<u8:f32, 0.1>>
  return %y1 : tensor<1x16x12x12x!quant.uniform<u8:f32, 0.1>>
}
