// A tiny RGB q module for the q-calibrate image tests: batch 2 of 3x4x4.
func.func @main(%x: tensor<2x3x4x4xf32> {q.name = "data"}) -> (tensor<2x2xf32> {q.name = "fc0_output"}) {
  %w = arith.constant dense<0.1> : tensor<2x3x3x3xf32> loc("conv0_weight")
  %fw = arith.constant dense<0.5> : tensor<2x32xf32> loc("fc0_weight")
  %0 = q.convolution %x, %w <{pads = array<i64: 1, 1, 1, 1>}> : tensor<2x3x4x4xf32>, tensor<2x3x3x3xf32> loc("conv0")
  %1 = q.activation <relu> %0 : tensor<2x2x4x4xf32> loc("relu0")
  %2 = q.flatten %1 : tensor<2x2x4x4xf32> loc("flatten0")
  %3 = q.fully_connected %2, %fw : tensor<2x32xf32>, tensor<2x32xf32> loc("fc0")
  return %3 : tensor<2x2xf32>
}
