// Raw 8-bit graph inputs (an i8 and a ui8 argument) read by fused convs.
func.func @main(%x: tensor<1x2x4x4xi8> {q.name = "raw"}, %u: tensor<1x2x4x4xui8> {q.name = "raw_u"}) -> (tensor<1x2x4x4xf32> {q.name = "r0_output"}, tensor<1x2x4x4xf32> {q.name = "r1_output"}) {
  %w = arith.constant dense_resource<w> : tensor<2x2x1x1xf32> loc("w")
  %r0 = q.fused_conv %x, %w : (tensor<1x2x4x4xi8>, tensor<2x2x1x1xf32>) -> tensor<1x2x4x4xf32> loc("r0")
  %r1 = q.fused_conv %u, %w : (tensor<1x2x4x4xui8>, tensor<2x2x1x1xf32>) -> tensor<1x2x4x4xf32> loc("r1")
  return %r0, %r1 : tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>
}

// [[0.5, -0.25], [0.125, 1.0]]
{-#
  dialect_resources: {
    builtin: {
      w: "0x040000000000003F000080BE0000003E0000803F"
    }
  }
#-}
