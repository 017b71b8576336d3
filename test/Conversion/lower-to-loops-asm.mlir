// The kernels as the target assembles them (llc with the ISA's features).
// RUN: q-opt %s --q-lower-to-loops=isa=avx512vnni --symbol-dce | mlir-translate --mlir-to-llvmir | llc -O3 -mtriple=x86_64-unknown-linux-gnu -mattr=+avx512f,+avx512bw,+avx512vl,+avx512vnni | FileCheck %s --check-prefix=VNNI
// RUN: q-opt %s --q-lower-to-loops=isa=avxvnni --symbol-dce | mlir-translate --mlir-to-llvmir | llc -O3 -mtriple=x86_64-unknown-linux-gnu -mattr=+avx2,+avxvnni | FileCheck %s --check-prefix=AVXVNNI
// RUN: q-opt %s --q-lower-to-loops=isa=avx2 --symbol-dce | mlir-translate --mlir-to-llvmir | llc -O3 -mtriple=x86_64-unknown-linux-gnu -mattr=+avx2 | FileCheck %s --check-prefix=AVX2

// VNNI-LABEL: q_kernel_0:
// VNNI: vpdpbusd {{.*}}%zmm{{[0-9]+}}, %zmm{{[0-9]+}}
// AVXVNNI-LABEL: q_kernel_0:
// AVXVNNI: {vex} vpdpbusd {{.*}}%ymm{{[0-9]+}}, %ymm{{[0-9]+}}
// AVXVNNI-NOT: zmm
// Weights within +-64 (here 5): vpmaddubsw cannot saturate, so avx2 uses
// it (u8 x s8 pairs to i16), then vpmaddwd with 1s sums the pairs.
// AVX2-LABEL: q_kernel_0:
// AVX2: vpmaddubsw {{.*}}%ymm{{[0-9]+}}
// AVX2: vpmaddwd {{.*}}%ymm{{[0-9]+}}
// AVX2-NOT: zmm
// Full-range weights (100 + 100 > 128 in a pair): exact 16-bit vpmaddwd,
// no vpmaddubsw.
// AVX2-LABEL: q_kernel_1:
// AVX2: vpmaddwd {{.*}}%ymm{{[0-9]+}}
// AVX2-NOT: vpmaddubsw
// AVX2-NOT: zmm

// A private wrapper, so --symbol-dce leaves only the kernels to translate.
func.func private @conv(%x: tensor<1x32x14x14x!quant.uniform<u8:f32, 0.05>>) -> tensor<1x32x14x14x!quant.uniform<u8:f32, 0.1>> {
  %wb = arith.constant dense<5> : tensor<32x32x3x3xi8>
  %wq = quant.scast %wb : tensor<32x32x3x3xi8> to tensor<32x32x3x3x!quant.uniform<i8:f32, 0.01>>
  %y = q.fused_conv %x, %wq <{pads = array<i64: 1, 1, 1, 1>, act = #q.eltwise<relu>}> : (tensor<1x32x14x14x!quant.uniform<u8:f32, 0.05>>, tensor<32x32x3x3x!quant.uniform<i8:f32, 0.01>>) -> tensor<1x32x14x14x!quant.uniform<u8:f32, 0.1>>
  return %y : tensor<1x32x14x14x!quant.uniform<u8:f32, 0.1>>
}

func.func private @conv_wide(%x: tensor<1x32x14x14x!quant.uniform<u8:f32, 0.05>>) -> tensor<1x32x14x14x!quant.uniform<u8:f32, 0.1>> {
  %wb = arith.constant dense<100> : tensor<32x32x3x3xi8>
  %wq = quant.scast %wb : tensor<32x32x3x3xi8> to tensor<32x32x3x3x!quant.uniform<i8:f32, 0.01>>
  %y = q.fused_conv %x, %wq <{pads = array<i64: 1, 1, 1, 1>, act = #q.eltwise<relu>}> : (tensor<1x32x14x14x!quant.uniform<u8:f32, 0.05>>, tensor<32x32x3x3x!quant.uniform<i8:f32, 0.01>>) -> tensor<1x32x14x14x!quant.uniform<u8:f32, 0.1>>
  return %y : tensor<1x32x14x14x!quant.uniform<u8:f32, 0.1>>
}
