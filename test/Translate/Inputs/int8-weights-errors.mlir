// An int32 bias whose steps are not input step * weight step.
func.func @main(%arg0: tensor<1x3xf32> {q.name = "data"}) -> tensor<1x2xf32> {
  %w = arith.constant dense<1> : tensor<2x3xi8> loc("w")
  %wq = quant.scast %w : tensor<2x3xi8> to tensor<2x3x!quant.uniform<i8:f32:0, {0.01, 0.02}>> loc("w")
  %b = arith.constant dense<1> : tensor<2xi32> loc("b")
  %bq = quant.scast %b : tensor<2xi32> to tensor<2x!quant.uniform<i32:f32:0, {0.5, 0.5}>> loc("b")
  %0 = q.quantize %arg0 <{max_calib_range = 1.0 : f32, min_calib_range = -1.0 : f32, out_type = #q<quant_dtype int8>}> : tensor<1x3xf32> -> tensor<1x3x!quant.uniform<i8:f32, 0.00784313725490196>>
  %1 = q.fused_fc %0, %wq bias(%bq) : (tensor<1x3x!quant.uniform<i8:f32, 0.00784313725490196>>, tensor<2x3x!quant.uniform<i8:f32:0, {0.01, 0.02}>>, tensor<2x!quant.uniform<i32:f32:0, {0.5, 0.5}>>) -> tensor<1x2xf32> loc("fc")
  return %1 : tensor<1x2xf32>
}

// -----

// An int8 bias next to per-channel weights: neither form holds it.
func.func @main(%arg0: tensor<1x3xf32> {q.name = "data"}) -> tensor<1x2xf32> {
  %w = arith.constant dense<1> : tensor<2x3xi8> loc("w")
  %wq = quant.scast %w : tensor<2x3xi8> to tensor<2x3x!quant.uniform<i8:f32:0, {0.01, 0.02}>> loc("w")
  %b = arith.constant dense<1> : tensor<2xi8> loc("b")
  %bq = quant.scast %b : tensor<2xi8> to tensor<2x!quant.uniform<i8:f32, 0.5>> loc("b")
  %0 = q.quantize %arg0 <{max_calib_range = 1.0 : f32, min_calib_range = -1.0 : f32, out_type = #q<quant_dtype int8>}> : tensor<1x3xf32> -> tensor<1x3x!quant.uniform<i8:f32, 0.00784313725490196>>
  %1 = q.fused_fc %0, %wq bias(%bq) : (tensor<1x3x!quant.uniform<i8:f32, 0.00784313725490196>>, tensor<2x3x!quant.uniform<i8:f32:0, {0.01, 0.02}>>, tensor<2x!quant.uniform<i8:f32, 0.5>>) -> tensor<1x2xf32> loc("fc")
  return %1 : tensor<1x2xf32>
}

// -----

// A quantized bias on an input whose step is found at run time.
func.func @main(%arg0: tensor<1x3xf32> {q.name = "data"}) -> tensor<1x2xf32> {
  %w = arith.constant dense<1> : tensor<2x3xi8> loc("w")
  %wq = quant.scast %w : tensor<2x3xi8> to tensor<2x3x!quant.uniform<i8:f32:0, {0.01, 0.02}>> loc("w")
  %b = arith.constant dense<1> : tensor<2xi32> loc("b")
  %bq = quant.scast %b : tensor<2xi32> to tensor<2x!quant.uniform<i32:f32:0, {0.5, 0.5}>> loc("b")
  %0 = q.quantize %arg0 <{out_type = #q<quant_dtype int8>}> : tensor<1x3xf32> -> tensor<1x3x!quant.any<i8:f32>>
  %1 = q.fused_fc %0, %wq bias(%bq) : (tensor<1x3x!quant.any<i8:f32>>, tensor<2x3x!quant.uniform<i8:f32:0, {0.01, 0.02}>>, tensor<2x!quant.uniform<i32:f32:0, {0.5, 0.5}>>) -> tensor<1x2xf32> loc("fc")
  return %1 : tensor<1x2xf32>
}
