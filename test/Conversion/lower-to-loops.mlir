// RUN: q-opt %s --split-input-file --q-lower-to-loops="isa=avx512vnni" | FileCheck %s --check-prefix=VNNI
// RUN: q-opt %s --split-input-file --q-lower-to-loops="isa=avx512vnni report=true" 2>&1 >/dev/null | FileCheck %s --check-prefix=REMARK
// RUN: q-opt %s --split-input-file --q-lower-to-loops="isa=avx2" | FileCheck %s --check-prefix=AVX2
// RUN: q-opt %s --split-input-file --q-lower-to-loops="isa=generic" | FileCheck %s --check-prefix=GENERIC
// RUN: q-opt %s --split-input-file --q-lower-to-loops="isa=auto" | FileCheck %s --check-prefix=AUTO
// RUN: q-opt %s --split-input-file --q-lower-to-loops="isa=avx2 lower-to-llvm=false" | FileCheck %s --check-prefix=LOOPS

// A 3x3 stride-2 conv with bias, relu and a u8 result: a pack kernel, then
// the compute kernel, both in LLVM with the packed weights as constants.
// VNNI-LABEL: func.func @conv3x3
// VNNI: %[[S:.*]] = q.kernel_call @q_kernel_0_pack(%arg0) <{num_tiles = 2 : i64}> : (tensor<1x8x10x10x!quant.uniform<u8:f32, 5.000000e-02>>) -> tensor<{{[0-9]+}}xi8>
// VNNI: q.kernel_call @q_kernel_0(%[[S]]) <{num_tiles = {{[0-9]+}} : i64}> : (tensor<{{[0-9]+}}xi8>) -> tensor<1x16x5x5x!quant.uniform<u8:f32, 1.000000e-01>>
// VNNI-NOT: q.fused_conv
// VNNI: llvm.mlir.global internal constant @q_kernel_0_w
// VNNI: llvm.func @q_kernel_0_pack(%{{.*}}: !llvm.ptr{{.*}}, %{{.*}}: i64{{.*}}, %{{.*}}: i64{{.*}})
// VNNI-SAME: target_features = #llvm.target_features<[{{.*}}"+avx512vnni"]>
// VNNI: llvm.func @q_kernel_0(
// VNNI: llvm.call_intrinsic "llvm.x86.avx512.vpdpbusd.512"({{.*}}) : (vector<16xi32>, vector<64xi8>, vector<64xi8>) -> vector<16xi32>
// The weights (all 3) cannot saturate vpmaddubsw's pair sums, so avx2
// uses it on u8 groups of 4, then vpmaddwd with 1s.
// AVX2-LABEL: func.func @conv3x3
// AVX2: q.kernel_call @q_kernel_0(
// AVX2: llvm.call_intrinsic "llvm.x86.avx2.pmadd.ub.sw"({{.*}}) : (vector<32xi8>, vector<32xi8>) -> vector<16xi16>
// AVX2: llvm.call_intrinsic "llvm.x86.avx2.pmadd.wd"({{.*}}) : (vector<16xi16>, vector<16xi16>) -> vector<8xi32>
// GENERIC: llvm.func @q_kernel_0(
// GENERIC-NOT: call_intrinsic
// GENERIC: llvm.mul {{.*}} : vector<16xi32>
// AUTO: llvm.func internal @q_kernel_0_avx512vnni(
// AUTO: llvm.func internal @q_kernel_0_avx2(
// AUTO: llvm.func internal @q_kernel_0_generic(
// AUTO: llvm.func @q_kernel_0_pack(
// AUTO: llvm.call @qrt_cpu_isa() : () -> i32
// AUTO: llvm.func @q_kernel_0(
// AUTO: llvm.call @qrt_cpu_isa() : () -> i32
// AUTO: llvm.call @q_kernel_0_avx512vnni(
// LOOPS: func.func @q_kernel_0(
// LOOPS: scf.for
// LOOPS: llvm.call_intrinsic "llvm.x86.avx2.pmadd.ub.sw"
// LOOPS: math.roundeven {{.*}} : vector<8xf32>
func.func @conv3x3(%x: tensor<1x8x10x10x!quant.uniform<u8:f32, 0.05>>) -> tensor<1x16x5x5x!quant.uniform<u8:f32, 0.1>> {
  %w = arith.constant dense<3> : tensor<16x8x3x3xi8>
  %wq = quant.scast %w : tensor<16x8x3x3xi8> to tensor<16x8x3x3x!quant.uniform<i8:f32:0, {0.01, 0.02, 0.01, 0.02, 0.01, 0.02, 0.01, 0.02, 0.01, 0.02, 0.01, 0.02, 0.01, 0.02, 0.01, 0.02}>>
  %b = arith.constant dense<100> : tensor<16xi32>
  %bq = quant.scast %b : tensor<16xi32> to tensor<16x!quant.uniform<i32:f32:0, {0.0005, 0.001, 0.0005, 0.001, 0.0005, 0.001, 0.0005, 0.001, 0.0005, 0.001, 0.0005, 0.001, 0.0005, 0.001, 0.0005, 0.001}>>
  %y = q.fused_conv %x, %wq bias(%bq) <{pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>, act = #q.eltwise<relu>}> : (tensor<1x8x10x10x!quant.uniform<u8:f32, 0.05>>, tensor<16x8x3x3x!quant.uniform<i8:f32:0, {0.01, 0.02, 0.01, 0.02, 0.01, 0.02, 0.01, 0.02, 0.01, 0.02, 0.01, 0.02, 0.01, 0.02, 0.01, 0.02}>>, tensor<16x!quant.uniform<i32:f32:0, {0.0005, 0.001, 0.0005, 0.001, 0.0005, 0.001, 0.0005, 0.001, 0.0005, 0.001, 0.0005, 0.001, 0.0005, 0.001, 0.0005, 0.001}>>) -> tensor<1x16x5x5x!quant.uniform<u8:f32, 0.1>>
  return %y : tensor<1x16x5x5x!quant.uniform<u8:f32, 0.1>>
}

// -----

// Depthwise with an s8 source, a sum operand and an f32 result; fc with
// leaky relu. Both are generated.
// VNNI-LABEL: func.func @dw_sum_fc
// VNNI: q.kernel_call @q_kernel_0_pack(%arg0)
// VNNI: q.kernel_call @q_kernel_0(%{{.*}}, %arg1) {{.*}} -> tensor<1x4x6x6xf32>
// VNNI: q.kernel_call @q_kernel_1_pack(
// VNNI: q.kernel_call @q_kernel_1(%{{.*}}) {{.*}} -> tensor<1x3x!quant.uniform<i8:f32, 5.000000e-01>>
func.func @dw_sum_fc(%x: tensor<1x4x6x6x!quant.uniform<i8:f32, 0.05>>, %s: tensor<1x4x6x6x!quant.uniform<u8:f32, 0.2>>) -> (tensor<1x4x6x6xf32>, tensor<1x3x!quant.uniform<i8:f32, 0.5>>) {
  %w = arith.constant dense<-7> : tensor<4x1x3x3xi8>
  %wq = quant.scast %w : tensor<4x1x3x3xi8> to tensor<4x1x3x3x!quant.uniform<i8:f32, 0.01>>
  %y = q.fused_conv %x, %wq sum(%s) <{pads = array<i64: 1, 1, 1, 1>, groups = 4 : i64, postsum_act = #q.eltwise<clip, 0.0, 6.0>}> : (tensor<1x4x6x6x!quant.uniform<i8:f32, 0.05>>, tensor<4x1x3x3x!quant.uniform<i8:f32, 0.01>>, tensor<1x4x6x6x!quant.uniform<u8:f32, 0.2>>) -> tensor<1x4x6x6xf32>
  %f = arith.constant dense<5> : tensor<3x144xi8>
  %fq = quant.scast %f : tensor<3x144xi8> to tensor<3x144x!quant.uniform<i8:f32, 0.02>>
  %z = q.fused_fc %x, %fq <{act = #q.eltwise<leaky, 0.1>}> : (tensor<1x4x6x6x!quant.uniform<i8:f32, 0.05>>, tensor<3x144x!quant.uniform<i8:f32, 0.02>>) -> tensor<1x3x!quant.uniform<i8:f32, 0.5>>
  return %y, %z : tensor<1x4x6x6xf32>, tensor<1x3x!quant.uniform<i8:f32, 0.5>>
}

// -----

// What the generator does not take is left for q-lower-to-onednn.
// REMARK: remark: generated @q_kernel_0 (conv,
// REMARK: remark: left for q-lower-to-onednn: input is not a static-scale 8-bit quantized tensor
// REMARK: remark: left for q-lower-to-onednn: post-op sigmoid is not generated
// VNNI-LABEL: func.func @left_alone
// VNNI: q.fused_conv %arg0
// VNNI: q.fused_conv %arg1
func.func @left_alone(%x: tensor<1x4x6x6xf32>, %xq: tensor<1x4x6x6x!quant.uniform<u8:f32, 0.05>>) -> (tensor<1x4x6x6xf32>, tensor<1x4x6x6xf32>) {
  %w = arith.constant dense<1.0> : tensor<4x4x1x1xf32>
  %y = q.fused_conv %x, %w : (tensor<1x4x6x6xf32>, tensor<4x4x1x1xf32>) -> tensor<1x4x6x6xf32>
  %w8 = arith.constant dense<1> : tensor<4x4x1x1xi8>
  %wq = quant.scast %w8 : tensor<4x4x1x1xi8> to tensor<4x4x1x1x!quant.uniform<i8:f32, 0.01>>
  %z = q.fused_conv %xq, %wq <{act = #q.eltwise<sigmoid>}> : (tensor<1x4x6x6x!quant.uniform<u8:f32, 0.05>>, tensor<4x4x1x1x!quant.uniform<i8:f32, 0.01>>) -> tensor<1x4x6x6xf32>
  return %y, %z : tensor<1x4x6x6xf32>, tensor<1x4x6x6xf32>
}

// -----

// Full-range weights: a pair (100, 100) could reach 255 * 200 > 32767, so
// avx2 stays on exact 16-bit vpmaddwd.
// AVX2-LABEL: func.func @wide_weights
// AVX2: llvm.call_intrinsic "llvm.x86.avx2.pmadd.wd"({{.*}}) : (vector<16xi16>, vector<16xi16>) -> vector<8xi32>
// AVX2-NOT: pmadd.ub.sw
func.func @wide_weights(%x: tensor<1x8x10x10x!quant.uniform<u8:f32, 0.05>>) -> tensor<1x16x10x10x!quant.uniform<u8:f32, 0.1>> {
  %w = arith.constant dense<100> : tensor<16x8x3x3xi8>
  %wq = quant.scast %w : tensor<16x8x3x3xi8> to tensor<16x8x3x3x!quant.uniform<i8:f32, 0.01>>
  %y = q.fused_conv %x, %wq <{pads = array<i64: 1, 1, 1, 1>, act = #q.eltwise<relu>}> : (tensor<1x8x10x10x!quant.uniform<u8:f32, 0.05>>, tensor<16x8x3x3x!quant.uniform<i8:f32, 0.01>>) -> tensor<1x16x10x10x!quant.uniform<u8:f32, 0.1>>
  return %y : tensor<1x16x10x10x!quant.uniform<u8:f32, 0.1>>
}

// -----

// q-compile --backend=auto marks each op: "onednn" ones are left alone.
// REMARK: remark: left for q-lower-to-onednn: q.backend = "onednn"
// REMARK: remark: generated @q_kernel_0 (conv,
// AVX2-LABEL: func.func @backend_marks
// VNNI-LABEL: func.func @backend_marks
// VNNI: %[[A:.*]] = q.fused_conv %arg0
// VNNI-SAME: q.backend = "onednn"
// VNNI: q.kernel_call @q_kernel_0_pack(%[[A]])
// VNNI: q.kernel_call @q_kernel_0(
func.func @backend_marks(%x: tensor<1x8x6x6x!quant.uniform<u8:f32, 0.05>>) -> tensor<1x8x6x6x!quant.uniform<u8:f32, 0.1>> {
  %w = arith.constant dense<3> : tensor<8x8x1x1xi8>
  %wq = quant.scast %w : tensor<8x8x1x1xi8> to tensor<8x8x1x1x!quant.uniform<i8:f32, 0.01>>
  %a = q.fused_conv %x, %wq <{act = #q.eltwise<relu>}> {q.backend = "onednn"} : (tensor<1x8x6x6x!quant.uniform<u8:f32, 0.05>>, tensor<8x8x1x1x!quant.uniform<i8:f32, 0.01>>) -> tensor<1x8x6x6x!quant.uniform<u8:f32, 0.05>>
  %b = q.fused_conv %a, %wq <{act = #q.eltwise<relu>}> {q.backend = "loops"} : (tensor<1x8x6x6x!quant.uniform<u8:f32, 0.05>>, tensor<8x8x1x1x!quant.uniform<i8:f32, 0.01>>) -> tensor<1x8x6x6x!quant.uniform<u8:f32, 0.1>>
  return %b : tensor<1x8x6x6x!quant.uniform<u8:f32, 0.1>>
}
