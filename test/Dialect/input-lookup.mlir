// q.input_lookup: what its verifier rejects (the folds are tested in
// input-lookup-canonicalize.mlir and Transforms/raw-inputs.mlir).
// RUN: q-opt %s --split-input-file --verify-diagnostics

func.func @nhwc_rank(%x: tensor<1x4x3xui8>) -> tensor<1x4x3xf32> {
  // expected-error @+1 {{layout nhwc needs a 4-D input, got rank 3}}
  %l = q.input_lookup %x <{layout = #q<layout nhwc>, table = dense<0.0> : tensor<1x256xf32>}> : tensor<1x4x3xui8> -> tensor<1x4x3xf32>
  return %l : tensor<1x4x3xf32>
}

// -----

func.func @nhwc_shape(%x: tensor<1x4x4x3xui8>) -> tensor<1x4x4x3xf32> {
  // expected-error @+1 {{result shape must be the NCHW form of the input ('tensor<1x3x4x4xf32>'), got 'tensor<1x4x4x3xf32>'}}
  %l = q.input_lookup %x <{layout = #q<layout nhwc>, table = dense<0.0> : tensor<1x256xf32>}> : tensor<1x4x4x3xui8> -> tensor<1x4x4x3xf32>
  return %l : tensor<1x4x4x3xf32>
}

// -----

func.func @rows(%x: tensor<1x3x4x4xui8>) -> tensor<1x3x4x4xf32> {
  // expected-error @+1 {{table must be [1, 256] or [3, 256] (one row per channel), got 2, 256}}
  %l = q.input_lookup %x <{table = dense<0.0> : tensor<2x256xf32>}> : tensor<1x3x4x4xui8> -> tensor<1x3x4x4xf32>
  return %l : tensor<1x3x4x4xf32>
}

// -----

func.func @f32_table(%x: tensor<4xi8>) -> tensor<4xf32> {
  // expected-error @+1 {{an f32 result needs an f32 table, got 'i8'}}
  %l = q.input_lookup %x <{table = dense<0> : tensor<1x256xi8>}> : tensor<4xi8> -> tensor<4xf32>
  return %l : tensor<4xf32>
}

// -----

func.func @signedness(%x: tensor<4xui8>) -> tensor<4x!quant.uniform<u8:f32, 0.5>> {
  // expected-error @+1 {{a u8 result needs an ui8 table, got 'i8'}}
  %l = q.input_lookup %x <{table = dense<0> : tensor<1x256xi8>}> : tensor<4xui8> -> tensor<4x!quant.uniform<u8:f32, 0.5>>
  return %l : tensor<4x!quant.uniform<u8:f32, 0.5>>
}

// -----

func.func @dynamic(%x: tensor<4xui8>) -> tensor<4x!quant.any<i8:f32>> {
  // expected-error @+1 {{result must be f32 or 8-bit with a static scale (!quant.uniform, zero point 0), got '!quant.any<i8:f32>'}}
  %l = q.input_lookup %x <{table = dense<0> : tensor<1x256xi8>}> : tensor<4xui8> -> tensor<4x!quant.any<i8:f32>>
  return %l : tensor<4x!quant.any<i8:f32>>
}

// -----

func.func @input_type(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{operand #0 must be statically shaped tensor of 8-bit signless integer or 8-bit unsigned integer values}}
  %l = q.input_lookup %x <{table = dense<0.0> : tensor<1x256xf32>}> : tensor<4xf32> -> tensor<4xf32>
  return %l : tensor<4xf32>
}
