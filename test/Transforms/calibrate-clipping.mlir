// A negative calibrated range quantized to uint8 is an error at the op
// (issue #17): the share of values below zero comes from the table's
// negative_fraction, or else from the range, and the message says which.
// RUN: q-opt %s --split-input-file --verify-diagnostics --q-calibrate="table=%S/Inputs/calib-channels.json"

func.func @counted(%x: tensor<1x2xf32> {q.name = "data"}) -> tensor<1x2x!quant.any<u8:f32>> {
  // expected-error @+1 {{q-calibrate: 1 tensor with negative values would be quantized to uint8, which clips them to 0: data (25.0% of its calibration values below 0)}}
  %q = q.quantize %x <{out_type = #q<quant_dtype uint8>}> : tensor<1x2xf32> -> tensor<1x2x!quant.any<u8:f32>>
  return %q : tensor<1x2x!quant.any<u8:f32>>
}

// -----

func.func @estimated(%x: tensor<1x2xf32> {q.name = "x8"}) -> tensor<1x2x!quant.any<u8:f32>> {
  // expected-error @+1 {{x8 (no count in the table; 50.0% of its range [-3, 3] below 0)}}
  %q = q.quantize %x <{out_type = #q<quant_dtype uint8>}> : tensor<1x2xf32> -> tensor<1x2x!quant.any<u8:f32>>
  return %q : tensor<1x2x!quant.any<u8:f32>>
}

// -----

// int8 and auto never clip.
func.func @signed(%x: tensor<1x2xf32> {q.name = "data"}) -> (tensor<1x2xf32>, tensor<1x2xf32>) {
  %q = q.quantize %x <{out_type = #q<quant_dtype int8>}> : tensor<1x2xf32> -> tensor<1x2x!quant.any<i8:f32>>
  %a = q.quantize %x <{out_type = #q<quant_dtype auto>}> : tensor<1x2xf32> -> tensor<1x2x!quant.any<i8:f32>>
  %dq = q.dequantize %q : tensor<1x2x!quant.any<i8:f32>>
  %da = q.dequantize %a : tensor<1x2x!quant.any<i8:f32>>
  return %dq, %da : tensor<1x2xf32>, tensor<1x2xf32>
}
