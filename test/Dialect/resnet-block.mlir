// A hand-written ResNet basic block verifies; result types are inferred from
// the operands, so the block is written without any.
// RUN: q-opt %s --split-input-file --verify-diagnostics | FileCheck %s

// CHECK-LABEL: func.func @basic_block
// CHECK-COUNT-2: q.convolution
// CHECK: q.add
// CHECK: return %{{.*}} : tensor<1x64x56x56xf32>
func.func @basic_block(%x: tensor<1x64x56x56xf32>,
                       %w1: tensor<64x64x3x3xf32>, %w2: tensor<64x64x3x3xf32>,
                       %g: tensor<64xf32>, %b: tensor<64xf32>,
                       %m: tensor<64xf32>, %v: tensor<64xf32>)
    -> tensor<1x64x56x56xf32> {
  %0 = q.convolution %x, %w1 <{pads = array<i64: 1, 1, 1, 1>}> : tensor<1x64x56x56xf32>, tensor<64x64x3x3xf32>
  %1 = q.batch_norm %0, %g, %b, %m, %v <{eps = 1.0e-5 : f64}> : tensor<1x64x56x56xf32>, tensor<64xf32>
  %2 = q.activation <relu> %1 : tensor<1x64x56x56xf32>
  %3 = q.convolution %2, %w2 <{pads = array<i64: 1, 1, 1, 1>}> : tensor<1x64x56x56xf32>, tensor<64x64x3x3xf32>
  %4 = q.batch_norm %3, %g, %b, %m, %v <{eps = 1.0e-5 : f64}> : tensor<1x64x56x56xf32>, tensor<64xf32>
  %5 = q.add %4, %x : tensor<1x64x56x56xf32>, tensor<1x64x56x56xf32>
  %6 = q.activation <relu> %5 : tensor<1x64x56x56xf32>
  return %6 : tensor<1x64x56x56xf32>
}

// -----

// The same block with the second conv's padding dropped: its 54x54 result
// no longer matches the shortcut, and the error points at the add.
func.func @basic_block_bad_pad(%x: tensor<1x64x56x56xf32>,
                               %w1: tensor<64x64x3x3xf32>, %w2: tensor<64x64x3x3xf32>,
                               %g: tensor<64xf32>, %b: tensor<64xf32>,
                               %m: tensor<64xf32>, %v: tensor<64xf32>)
    -> tensor<1x64x56x56xf32> {
  %0 = q.convolution %x, %w1 <{pads = array<i64: 1, 1, 1, 1>}> : tensor<1x64x56x56xf32>, tensor<64x64x3x3xf32>
  %1 = q.batch_norm %0, %g, %b, %m, %v <{eps = 1.0e-5 : f64}> : tensor<1x64x56x56xf32>, tensor<64xf32>
  %2 = q.activation <relu> %1 : tensor<1x64x56x56xf32>
  // expected-note @+1 {{prior use here}}
  %3 = q.convolution %2, %w2 : tensor<1x64x56x56xf32>, tensor<64x64x3x3xf32>
  // expected-error @+1 {{use of value '%3' expects different type than prior uses: 'tensor<1x64x56x56xf32>' vs 'tensor<1x64x54x54xf32>'}}
  %4 = q.batch_norm %3, %g, %b, %m, %v <{eps = 1.0e-5 : f64}> : tensor<1x64x56x56xf32>, tensor<64xf32>
  %5 = q.add %4, %x : tensor<1x64x56x56xf32>, tensor<1x64x56x56xf32>
  %6 = q.activation <relu> %5 : tensor<1x64x56x56xf32>
  return %6 : tensor<1x64x56x56xf32>
}

// -----

// A weight with the wrong channel count: the error names the conv.
func.func @basic_block_bad_weight(%x: tensor<1x64x56x56xf32>,
                                  %w1: tensor<64x32x3x3xf32>)
    -> tensor<1x64x56x56xf32> {
  // expected-error @+1 {{'q.convolution' op input has 64 channels but weight [64, 32, 3, 3] with 1 groups expects 32}}
  %0 = q.convolution %x, %w1 <{pads = array<i64: 1, 1, 1, 1>}> : tensor<1x64x56x56xf32>, tensor<64x32x3x3xf32>
  return %0 : tensor<1x64x56x56xf32>
}

// -----

// Generic form: the block's residual add gets a mismatched shortcut shape.
func.func @basic_block_bad_shortcut(%x: tensor<1x64x56x56xf32>,
                                    %y: tensor<1x64x28x28xf32>)
    -> tensor<1x64x56x56xf32> {
  // expected-error @+1 {{'q.add' op shapes [1, 64, 56, 56] and [1, 64, 28, 28] do not broadcast}}
  %0 = q.add %x, %y : tensor<1x64x56x56xf32>, tensor<1x64x28x28xf32>
  return %0 : tensor<1x64x56x56xf32>
}
