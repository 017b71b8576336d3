// A ResNet basic block in the q dialect: conv-bn-relu, conv-bn, the residual
// add and relu. Result types are left to type inference.
func.func @basic_block(%x: tensor<1x64x56x56xf32>,
                       %w1: tensor<64x64x3x3xf32>, %w2: tensor<64x64x3x3xf32>,
                       %gamma: tensor<64xf32>, %beta: tensor<64xf32>,
                       %mean: tensor<64xf32>, %var: tensor<64xf32>)
    -> tensor<1x64x56x56xf32> {
  %0 = q.convolution %x, %w1 <{pads = array<i64: 1, 1, 1, 1>}> : tensor<1x64x56x56xf32>, tensor<64x64x3x3xf32>
  %1 = q.batch_norm %0, %gamma, %beta, %mean, %var <{eps = 1.0e-5 : f64}> : tensor<1x64x56x56xf32>, tensor<64xf32>
  %2 = q.activation <relu> %1 : tensor<1x64x56x56xf32>
  %3 = q.dropout %2 <{p = 0.1 : f64}> : tensor<1x64x56x56xf32>
  %4 = q.convolution %3, %w2 <{pads = array<i64: 1, 1, 1, 1>}> : tensor<1x64x56x56xf32>, tensor<64x64x3x3xf32>
  %5 = q.batch_norm %4, %gamma, %beta, %mean, %var <{eps = 1.0e-5 : f64}> : tensor<1x64x56x56xf32>, tensor<64xf32>
  %6 = q.add %5, %x : tensor<1x64x56x56xf32>, tensor<1x64x56x56xf32>
  %7 = q.activation <relu> %6 : tensor<1x64x56x56xf32>
  return %7 : tensor<1x64x56x56xf32>
}
