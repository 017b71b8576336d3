// A reshape between a conv and an fc: q-quantize makes it int8.
func.func @main(%x: tensor<1x2x4x4xf32> {q.name = "data"}) -> (tensor<1x3xf32> {q.name = "fc_output"}) {
  %w = arith.constant dense<0.5> : tensor<4x2x1x1xf32> loc("w")
  %c = q.convolution %x, %w : tensor<1x2x4x4xf32>, tensor<4x2x1x1xf32> loc("conv")
  %r = q.reshape %c <{shape = array<i64: 1, -1>}> : tensor<1x4x4x4xf32> loc("reshape")
  %fw = arith.constant dense<0.25> : tensor<3x64xf32> loc("fw")
  %f = q.fully_connected %r, %fw : tensor<1x64xf32>, tensor<3x64xf32> loc("fc")
  return %f : tensor<1x3xf32>
}
