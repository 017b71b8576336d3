// calib-tiny.mlir with a second head: two outputs (fc0_output, fc1_output)
// for q-report's multi-output tests.
func.func @main(%x: tensor<4x1x6x6xf32> {q.name = "data"}) -> (tensor<4x2xf32> {q.name = "fc0_output"}, tensor<4x3xf32> {q.name = "fc1_output"}) {
  %w = arith.constant dense<1.0> : tensor<4x1x3x3xf32> loc("conv0_weight")
  %fw = arith.constant dense<0.5> : tensor<2x16xf32> loc("fc0_weight")
  %gw = arith.constant dense<-0.25> : tensor<3x16xf32> loc("fc1_weight")
  %0 = q.convolution %x, %w <{pads = array<i64: 1, 1, 1, 1>}> : tensor<4x1x6x6xf32>, tensor<4x1x3x3xf32> loc("conv0")
  %1 = q.activation <relu> %0 : tensor<4x4x6x6xf32> loc("relu0")
  %2 = q.pooling max %1 <{kernel = array<i64: 3, 3>, strides = array<i64: 3, 3>}> : tensor<4x4x6x6xf32> loc("pool0")
  %3 = q.flatten %2 : tensor<4x4x2x2xf32> loc("flatten0")
  %4 = q.fully_connected %3, %fw : tensor<4x16xf32>, tensor<2x16xf32> loc("fc0")
  %5 = q.fully_connected %3, %gw : tensor<4x16xf32>, tensor<3x16xf32> loc("fc1")
  return %4, %5 : tensor<4x2xf32>, tensor<4x3xf32>
}
