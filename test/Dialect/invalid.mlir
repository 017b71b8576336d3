// Every verifier and shape-rule error of the q dialect, one per split.
// RUN: q-opt %s --split-input-file --verify-diagnostics

func.func @conv_rank(%x: tensor<1x3xf32>, %w: tensor<4x3xf32>) {
  // expected-error @+1 {{'q.convolution' op input must be 3-D, 4-D or 5-D (N, C, spatial...), got [1, 3]}}
  %0 = q.convolution %x, %w : tensor<1x3xf32>, tensor<4x3xf32>
  return
}

// -----

func.func @conv_weight_rank(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3xf32>) {
  // expected-error @+1 {{weight [4, 3, 3] must have the rank of the input [1, 3, 8, 8]}}
  %0 = q.convolution %x, %w : tensor<1x3x8x8xf32>, tensor<4x3x3xf32>
  return
}

// -----

func.func @conv_channels(%x: tensor<1x3x8x8xf32>, %w: tensor<4x2x3x3xf32>) {
  // expected-error @+1 {{input has 3 channels but weight [4, 2, 3, 3] with 1 groups expects 2}}
  %0 = q.convolution %x, %w : tensor<1x3x8x8xf32>, tensor<4x2x3x3xf32>
  return
}

// -----

func.func @conv_groups_out(%x: tensor<1x4x8x8xf32>, %w: tensor<6x1x3x3xf32>) {
  // expected-error @+1 {{groups (4) must divide the output channels (6)}}
  %0 = q.convolution %x, %w <{groups = 4}> : tensor<1x4x8x8xf32>, tensor<6x1x3x3xf32>
  return
}

// -----

func.func @conv_groups_in(%x: tensor<1x6x8x8xf32>, %w: tensor<8x2x3x3xf32>) {
  // expected-error @+1 {{groups (4) must divide the input channels (6)}}
  %0 = q.convolution %x, %w <{groups = 4}> : tensor<1x6x8x8xf32>, tensor<8x2x3x3xf32>
  return
}

// -----

func.func @conv_groups_zero(%x: tensor<1x6x8x8xf32>, %w: tensor<8x6x3x3xf32>) {
  // expected-error @+1 {{groups must be positive, got 0}}
  %0 = q.convolution %x, %w <{groups = 0}> : tensor<1x6x8x8xf32>, tensor<8x6x3x3xf32>
  return
}

// -----

func.func @conv_kernel_too_big(%x: tensor<1x3x4x4xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @+1 {{kernel extent 5 (dilated) exceeds padded input 4 in spatial dim 0}}
  %0 = q.convolution %x, %w <{dilations = array<i64: 2, 2>}> : tensor<1x3x4x4xf32>, tensor<4x3x3x3xf32>
  return
}

// -----

func.func @conv_strides_arity(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @+1 {{strides has 3 entries but the op has 2 spatial dims}}
  %0 = q.convolution %x, %w <{strides = array<i64: 1, 1, 1>}> : tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>
  return
}

// -----

func.func @conv_strides_zero(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @+1 {{strides must be positive, got [0, 1]}}
  %0 = q.convolution %x, %w <{strides = array<i64: 0, 1>}> : tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>
  return
}

// -----

func.func @conv_pads_arity(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @+1 {{pads has 2 entries but needs 4 (begin and end for each of 2 spatial dims)}}
  %0 = q.convolution %x, %w <{pads = array<i64: 1, 1>}> : tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>
  return
}

// -----

func.func @conv_pads_negative(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @+1 {{pads must be non-negative, got [1, -1, 1, 1]}}
  %0 = q.convolution %x, %w <{pads = array<i64: 1, -1, 1, 1>}> : tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>
  return
}

// -----

func.func @conv_bias(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>, %b: tensor<3xf32>) {
  // expected-error @+1 {{bias must be [4] (one per output channel), got 'tensor<3xf32>'}}
  %0 = q.convolution %x, %w, %b : tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>, tensor<3xf32>
  return
}

// -----

func.func @conv_f16(%x: tensor<1x3x8x8xf16>, %w: tensor<4x3x3x3xf16>) {
  // expected-error @+1 {{operand #0 must be statically shaped tensor of 32-bit float values}}
  %0 = q.convolution %x, %w : tensor<1x3x8x8xf16>, tensor<4x3x3x3xf16>
  return
}

// -----

func.func @conv_dynamic(%x: tensor<?x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @+1 {{'q.convolution' op input must be a tensor with a static shape}}
  %0 = q.convolution %x, %w : tensor<?x3x8x8xf32>, tensor<4x3x3x3xf32>
  return
}

// -----

func.func @conv_wrong_result(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @+2 {{'q.convolution' op inferred type(s) 'tensor<1x4x6x6xf32>' are incompatible with return type(s) of operation 'tensor<1x4x8x8xf32>'}}
  // expected-error @+1 {{'q.convolution' op failed to infer returned types}}
  %0 = "q.convolution"(%x, %w) : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x8x8xf32>
  return
}

// -----

func.func @fused_result_shape(%x: tensor<1x4x8x8xf32>, %w: tensor<8x4x3x3xf32>) {
  // expected-error @+1 {{'q.fused_conv' op result must be [1, 8, 6, 6], got 'tensor<1x8x8x8xf32>'}}
  %0 = q.fused_conv %x, %w : (tensor<1x4x8x8xf32>, tensor<8x4x3x3xf32>) -> tensor<1x8x8x8xf32>
  return
}

// -----

func.func @fused_geometry(%x: tensor<1x4x8x8xf32>, %w: tensor<8x4x3x3xf32>) {
  // expected-error @+1 {{'q.fused_conv' op strides has 1 entries but the op has 2 spatial dims}}
  %0 = q.fused_conv %x, %w <{strides = array<i64: 2>}> : (tensor<1x4x8x8xf32>, tensor<8x4x3x3xf32>) -> tensor<1x8x6x6xf32>
  return
}

// -----

func.func @fused_bias(%x: tensor<1x4x8x8xf32>, %w: tensor<8x4x3x3xf32>, %b: tensor<4xf32>) {
  // expected-error @+1 {{'q.fused_conv' op bias must be [8], got 'tensor<4xf32>'}}
  %0 = q.fused_conv %x, %w bias(%b) : (tensor<1x4x8x8xf32>, tensor<8x4x3x3xf32>, tensor<4xf32>) -> tensor<1x8x6x6xf32>
  return
}

// -----

func.func @fused_bn_count(%x: tensor<1x4x8x8xf32>, %w: tensor<8x4x3x3xf32>, %c: tensor<8xf32>) {
  // expected-error @+1 {{'q.fused_conv' op bn takes 4 operands (gamma, beta, mean, var), got 2}}
  %0 = q.fused_conv %x, %w bn(%c, %c) : (tensor<1x4x8x8xf32>, tensor<8x4x3x3xf32>, tensor<8xf32>, tensor<8xf32>) -> tensor<1x8x6x6xf32>
  return
}

// -----

func.func @fused_bn_shape(%x: tensor<1x4x8x8xf32>, %w: tensor<8x4x3x3xf32>, %c: tensor<4xf32>) {
  // expected-error @+1 {{'q.fused_conv' op bn operand must be [8], got 'tensor<4xf32>'}}
  %0 = q.fused_conv %x, %w bn(%c, %c, %c, %c) : (tensor<1x4x8x8xf32>, tensor<8x4x3x3xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<1x8x6x6xf32>
  return
}

// -----

func.func @fused_bn_int8(%x: tensor<1x4x8x8x!quant.any<u8:f32>>, %w: tensor<8x4x3x3x!quant.any<i8:f32>>, %c: tensor<8xf32>) {
  // expected-error @+1 {{'q.fused_conv' op batch norm can only be applied with f32 weights; fold it before quantizing}}
  %0 = q.fused_conv %x, %w bn(%c, %c, %c, %c) : (tensor<1x4x8x8x!quant.any<u8:f32>>, tensor<8x4x3x3x!quant.any<i8:f32>>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>) -> tensor<1x8x6x6x!quant.any<i32:f32>>
  return
}

// -----

func.func @fused_sum_shape(%x: tensor<1x4x8x8xf32>, %w: tensor<8x4x3x3xf32>, %s: tensor<1x8x8x8xf32>) {
  // expected-error @+1 {{'q.fused_conv' op sum must be [1, 8, 6, 6], got 'tensor<1x8x8x8xf32>'}}
  %0 = q.fused_conv %x, %w sum(%s) : (tensor<1x4x8x8xf32>, tensor<8x4x3x3xf32>, tensor<1x8x8x8xf32>) -> tensor<1x8x6x6xf32>
  return
}

// -----

func.func @fused_postsum_without_sum(%x: tensor<1x4x8x8xf32>, %w: tensor<8x4x3x3xf32>) {
  // expected-error @+1 {{'q.fused_conv' op postsum_act needs a sum operand}}
  %0 = q.fused_conv %x, %w <{postsum_act = #q.eltwise<relu>}> : (tensor<1x4x8x8xf32>, tensor<8x4x3x3xf32>) -> tensor<1x8x6x6xf32>
  return
}

// -----

func.func @fused_mixed_f32(%x: tensor<1x4x8x8xf32>, %w: tensor<8x4x3x3x!quant.any<i8:f32>>) {
  // expected-error @+1 {{'q.fused_conv' op with an f32 input all operands and the result must be f32}}
  %0 = q.fused_conv %x, %w : (tensor<1x4x8x8xf32>, tensor<8x4x3x3x!quant.any<i8:f32>>) -> tensor<1x8x6x6xf32>
  return
}

// -----

func.func @fused_sum_f32(%x: tensor<1x4x8x8xf32>, %w: tensor<8x4x3x3xf32>, %s: tensor<1x8x6x6x!quant.any<i8:f32>>) {
  // expected-error @+1 {{'q.fused_conv' op with an f32 input the sum must be f32}}
  %0 = q.fused_conv %x, %w sum(%s) : (tensor<1x4x8x8xf32>, tensor<8x4x3x3xf32>, tensor<1x8x6x6x!quant.any<i8:f32>>) -> tensor<1x8x6x6xf32>
  return
}

// -----

func.func @fused_input_i32(%x: tensor<1x4x8x8x!quant.any<i32:f32>>, %w: tensor<8x4x3x3x!quant.any<i8:f32>>) {
  // expected-error @+1 {{'q.fused_conv' op quantized input must have 8-bit storage, got '!quant.any<i32:f32>'}}
  %0 = q.fused_conv %x, %w : (tensor<1x4x8x8x!quant.any<i32:f32>>, tensor<8x4x3x3x!quant.any<i8:f32>>) -> tensor<1x8x6x6x!quant.any<i32:f32>>
  return
}

// -----

func.func @fused_weight_u8(%x: tensor<1x4x8x8x!quant.any<u8:f32>>, %w: tensor<8x4x3x3x!quant.any<u8:f32>>) {
  // expected-error @+1 {{'q.fused_conv' op quantized weights must have i8 storage, got '!quant.any<u8:f32>'}}
  %0 = q.fused_conv %x, %w : (tensor<1x4x8x8x!quant.any<u8:f32>>, tensor<8x4x3x3x!quant.any<u8:f32>>) -> tensor<1x8x6x6x!quant.any<i32:f32>>
  return
}

// -----

func.func @fused_weight_axis(%x: tensor<1x2x4x4x!quant.any<u8:f32>>, %w: tensor<2x2x1x1x!quant.uniform<i8:f32:1, {0.1, 0.2}>>) {
  // expected-error @+1 {{'q.fused_conv' op per-channel weight scales must be along axis 0 with one scale per output channel (2)}}
  %0 = q.fused_conv %x, %w : (tensor<1x2x4x4x!quant.any<u8:f32>>, tensor<2x2x1x1x!quant.uniform<i8:f32:1, {0.1, 0.2}>>) -> tensor<1x2x4x4x!quant.any<i32:f32>>
  return
}

// -----

func.func @fused_bias_i16(%x: tensor<1x2x4x4x!quant.any<u8:f32>>, %w: tensor<2x2x1x1x!quant.any<i8:f32>>, %b: tensor<2x!quant.any<i16:f32>>) {
  // expected-error @+1 {{'q.fused_conv' op quantized bias must have i32 or i8 storage, got '!quant.any<i16:f32>'}}
  %0 = q.fused_conv %x, %w bias(%b) : (tensor<1x2x4x4x!quant.any<u8:f32>>, tensor<2x2x1x1x!quant.any<i8:f32>>, tensor<2x!quant.any<i16:f32>>) -> tensor<1x2x4x4x!quant.any<i32:f32>>
  return
}

// -----

func.func @fused_result_i16(%x: tensor<1x2x4x4x!quant.any<u8:f32>>, %w: tensor<2x2x1x1x!quant.any<i8:f32>>) {
  // expected-error @+1 {{'q.fused_conv' op quantized result must have 8- or 32-bit storage, got '!quant.any<i16:f32>'}}
  %0 = q.fused_conv %x, %w : (tensor<1x2x4x4x!quant.any<u8:f32>>, tensor<2x2x1x1x!quant.any<i8:f32>>) -> tensor<1x2x4x4x!quant.any<i16:f32>>
  return
}

// -----

func.func @fused_calib_pair(%x: tensor<1x4x8x8xf32>, %w: tensor<8x4x3x3xf32>) {
  // expected-error @+1 {{'q.fused_conv' op needs both min_calib_range and max_calib_range, or neither}}
  %0 = q.fused_conv %x, %w <{min_calib_range = 0.0 : f32}> : (tensor<1x4x8x8xf32>, tensor<8x4x3x3xf32>) -> tensor<1x8x6x6xf32>
  return
}

// -----

func.func @fused_calib_order(%x: tensor<1x4x8x8xf32>, %w: tensor<8x4x3x3xf32>) {
  // expected-error @+1 {{'q.fused_conv' op calibration range is reversed: min 2 > max 1}}
  %0 = q.fused_conv %x, %w <{min_calib_range = 2.0 : f32, max_calib_range = 1.0 : f32}> : (tensor<1x4x8x8xf32>, tensor<8x4x3x3xf32>) -> tensor<1x8x6x6xf32>
  return
}

// -----

func.func @fused_calib_nan(%x: tensor<1x4x8x8xf32>, %w: tensor<8x4x3x3xf32>) {
  // expected-error @+1 {{'q.fused_conv' op calibration range must be finite}}
  %0 = q.fused_conv %x, %w <{min_calib_range = 0x7FC00000 : f32, max_calib_range = 1.0 : f32}> : (tensor<1x4x8x8xf32>, tensor<8x4x3x3xf32>) -> tensor<1x8x6x6xf32>
  return
}

// -----

func.func @fc_features(%x: tensor<4x3x2x2xf32>, %w: tensor<5x10xf32>) {
  // expected-error @+1 {{'q.fully_connected' op flattened input [4, 3, 2, 2] has 12 features but weight [5, 10] expects 10}}
  %0 = q.fully_connected %x, %w : tensor<4x3x2x2xf32>, tensor<5x10xf32>
  return
}

// -----

func.func @fc_last_axis(%x: tensor<4x3x2xf32>, %w: tensor<5x3xf32>) {
  // expected-error @+1 {{'q.fully_connected' op input [4, 3, 2] has 2 features on its last axis but weight [5, 3] expects 3}}
  %0 = q.fully_connected %x, %w <{flatten = false}> : tensor<4x3x2xf32>, tensor<5x3xf32>
  return
}

// -----

func.func @fc_weight_rank(%x: tensor<4x3xf32>, %w: tensor<5x3x1xf32>) {
  // expected-error @+1 {{'q.fully_connected' op weight must be 2-D [num_hidden, K], got [5, 3, 1]}}
  %0 = q.fully_connected %x, %w : tensor<4x3xf32>, tensor<5x3x1xf32>
  return
}

// -----

func.func @fc_bias(%x: tensor<4x3xf32>, %w: tensor<5x3xf32>, %b: tensor<3xf32>) {
  // expected-error @+1 {{'q.fully_connected' op bias must be [5] (one per output), got 'tensor<3xf32>'}}
  %0 = q.fully_connected %x, %w, %b : tensor<4x3xf32>, tensor<5x3xf32>, tensor<3xf32>
  return
}

// -----

func.func @fused_fc_result(%x: tensor<4x3xf32>, %w: tensor<5x3xf32>) {
  // expected-error @+1 {{'q.fused_fc' op result must be [4, 5], got 'tensor<4x6xf32>'}}
  %0 = q.fused_fc %x, %w : (tensor<4x3xf32>, tensor<5x3xf32>) -> tensor<4x6xf32>
  return
}

// -----

func.func @fused_fc_dtype(%x: tensor<4x3xf32>, %w: tensor<5x3xf32>) {
  // expected-error @+1 {{'q.fused_fc' op with an f32 input all operands and the result must be f32}}
  %0 = q.fused_fc %x, %w : (tensor<4x3xf32>, tensor<5x3xf32>) -> tensor<4x5x!quant.any<i8:f32>>
  return
}

// -----

func.func @fused_fc_bias(%x: tensor<4x3xf32>, %w: tensor<5x3xf32>, %b: tensor<4xf32>) {
  // expected-error @+1 {{'q.fused_fc' op bias must be [5], got 'tensor<4xf32>'}}
  %0 = q.fused_fc %x, %w bias(%b) : (tensor<4x3xf32>, tensor<5x3xf32>, tensor<4xf32>) -> tensor<4x5xf32>
  return
}

// -----

func.func @bn_params(%x: tensor<1x3x4x4xf32>, %c: tensor<4xf32>) {
  // expected-error @+1 {{'q.batch_norm' op gamma, beta, mean and var must be [3] (the size of axis 1), got 'tensor<4xf32>'}}
  %0 = q.batch_norm %x, %c, %c, %c, %c : tensor<1x3x4x4xf32>, tensor<4xf32>
  return
}

// -----

func.func @bn_axis(%x: tensor<1x3x4x4xf32>, %c: tensor<3xf32>) {
  // expected-error @+1 {{'q.batch_norm' op axis 4 is out of range for rank 4}}
  %0 = q.batch_norm %x, %c, %c, %c, %c <{axis = 4}> : tensor<1x3x4x4xf32>, tensor<3xf32>
  return
}

// -----

func.func @bn_eps(%x: tensor<1x3x4x4xf32>, %c: tensor<3xf32>) {
  // expected-error @+1 {{'q.batch_norm' op eps must be positive}}
  %0 = q.batch_norm %x, %c, %c, %c, %c <{eps = 0.0 : f64}> : tensor<1x3x4x4xf32>, tensor<3xf32>
  return
}

// -----

func.func @bn_param_types(%x: tensor<1x3x4x4xf32>, %c: tensor<3xf32>, %d: tensor<4xf32>) {
  // expected-error @+1 {{'q.batch_norm' op failed to verify that all of {gamma, beta, mean, var} have same type}}
  %0 = "q.batch_norm"(%x, %c, %c, %c, %d) : (tensor<1x3x4x4xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<4xf32>) -> tensor<1x3x4x4xf32>
  return
}

// -----

func.func @act_unknown(%x: tensor<4xf32>) {
  // expected-error @+1 {{unknown element-wise function 'swish'}}
  %0 = q.activation <swish> %x : tensor<4xf32>
  return
}

// -----

func.func @act_clip_order(%x: tensor<4xf32>) {
  // expected-error @+1 {{clip bounds are reversed: min 6 > max 0}}
  %0 = q.activation <clip, 6.0, 0.0> %x : tensor<4xf32>
  return
}

// -----

func.func @act_relu_param(%x: tensor<4xf32>) {
  // expected-error @+1 {{'relu' takes no parameter}}
  %0 = q.activation <relu, 1.0> %x : tensor<4xf32>
  return
}

// -----

func.func @act_leaky_two(%x: tensor<4xf32>) {
  // expected-error @+1 {{'leaky' takes at most one parameter}}
  %0 = q.activation <leaky, 0.1, 0.2> %x : tensor<4xf32>
  return
}

// -----

func.func @act_quantized_tanh(%x: tensor<4x!quant.uniform<i8:f32, 0.1>>) {
  // expected-error @+1 {{'q.activation' op only relu and clip run on quantized tensors, not tanh}}
  %0 = q.activation <tanh> %x : tensor<4x!quant.uniform<i8:f32, 0.1>>
  return
}

// -----

func.func @prelu_slope(%x: tensor<1x3x4x4xf32>, %s: tensor<4xf32>) {
  // expected-error @+1 {{'q.prelu' op slope must be [3] or [1], got 'tensor<4xf32>'}}
  %0 = q.prelu %x, %s : tensor<1x3x4x4xf32>, tensor<4xf32>
  return
}

// -----

func.func @softmax_axis(%x: tensor<2x3xf32>) {
  // expected-error @+1 {{'q.softmax' op axis -3 is out of range for rank 2}}
  %0 = q.softmax %x <{axis = -3}> : tensor<2x3xf32>
  return
}

// -----

func.func @softmax_temperature(%x: tensor<2x3xf32>) {
  // expected-error @+1 {{'q.softmax' op temperature must be positive}}
  %0 = q.softmax %x <{temperature = 0.0 : f64}> : tensor<2x3xf32>
  return
}

// -----

func.func @dropout_p(%x: tensor<2x3xf32>) {
  // expected-error @+1 {{'q.dropout' op p must be in [0, 1), got 1}}
  %0 = q.dropout %x <{p = 1.0 : f64}> : tensor<2x3xf32>
  return
}

// -----

func.func @add_broadcast(%x: tensor<2x3xf32>, %y: tensor<2x4xf32>) {
  // expected-error @+1 {{'q.add' op shapes [2, 3] and [2, 4] do not broadcast}}
  %0 = q.add %x, %y : tensor<2x3xf32>, tensor<2x4xf32>
  return
}

// -----

func.func @scalar_inf(%x: tensor<2x3xf32>) {
  // expected-error @+1 {{'q.scalar' op scalar must be finite}}
  %0 = q.scalar add %x <{scalar = 0x7FF0000000000000 : f64}> : tensor<2x3xf32>
  return
}

// -----

func.func @pool_kernel_arity(%x: tensor<1x3x8x8xf32>) {
  // expected-error @+1 {{'q.pooling' op kernel has 1 entries but the input has 2 spatial dims}}
  %0 = q.pooling max %x <{kernel = array<i64: 2>}> : tensor<1x3x8x8xf32>
  return
}

// -----

func.func @pool_kernel_missing(%x: tensor<1x3x8x8xf32>) {
  // expected-error @+1 {{'q.pooling' op kernel has 0 entries but the input has 2 spatial dims}}
  %0 = q.pooling avg %x : tensor<1x3x8x8xf32>
  return
}

// -----

func.func @pool_kernel_big(%x: tensor<1x3x2x2xf32>) {
  // expected-error @+1 {{'q.pooling' op kernel 3 exceeds padded input 2 in spatial dim 0}}
  %0 = q.pooling max %x <{kernel = array<i64: 3, 3>}> : tensor<1x3x2x2xf32>
  return
}

// -----

func.func @pool_rank(%x: tensor<3x8xf32>) {
  // expected-error @+1 {{'q.pooling' op input must be 3-D, 4-D or 5-D (N, C, spatial...), got [3, 8]}}
  %0 = q.pooling max %x <{global_pool = true}> : tensor<3x8xf32>
  return
}

// -----

func.func @pool_sum_quantized(%x: tensor<1x3x4x4x!quant.uniform<u8:f32, 0.1>>) {
  // expected-error @+1 {{'q.pooling' op sum pooling needs an f32 input}}
  %0 = q.pooling sum %x <{global_pool = true}> : tensor<1x3x4x4x!quant.uniform<u8:f32, 0.1>>
  return
}

// -----

func.func @flatten_scalar(%x: tensor<f32>) {
  // expected-error @+1 {{'q.flatten' op cannot flatten a 0-d tensor}}
  %0 = q.flatten %x : tensor<f32>
  return
}

// -----

func.func @reshape_two_infer(%x: tensor<2x3x4xf32>) {
  // expected-error @+1 {{'q.reshape' op reshape [-1, -1] has more than one -1}}
  %0 = q.reshape %x <{shape = array<i64: -1, -1>}> : tensor<2x3x4xf32>
  return
}

// -----

func.func @reshape_count(%x: tensor<2x3x4xf32>) {
  // expected-error @+1 {{'q.reshape' op reshape [5, 5] of [2, 3, 4] gives [5, 5]: 25 elements instead of 24}}
  %0 = q.reshape %x <{shape = array<i64: 5, 5>}> : tensor<2x3x4xf32>
  return
}

// -----

func.func @reshape_code(%x: tensor<2x3x4xf32>) {
  // expected-error @+1 {{'q.reshape' op unknown reshape code -5 in [-5]}}
  %0 = q.reshape %x <{shape = array<i64: -5>}> : tensor<2x3x4xf32>
  return
}

// -----

func.func @reshape_split(%x: tensor<2x3x4xf32>) {
  // expected-error @+1 {{'q.reshape' op reshape -4 cannot split dim 2 into (3, -1)}}
  %0 = q.reshape %x <{shape = array<i64: -4, 3, -1, -2>}> : tensor<2x3x4xf32>
  return
}

// -----

func.func @reshape_merge(%x: tensor<2x3x4xf32>) {
  // expected-error @+1 {{'q.reshape' op reshape code -3 in [0, 0, -3] has no input dim left in [2, 3, 4]}}
  %0 = q.reshape %x <{shape = array<i64: 0, 0, -3>}> : tensor<2x3x4xf32>
  return
}

// -----

func.func @reshape_reverse_split(%x: tensor<2x3x4xf32>) {
  // expected-error @+1 {{'q.reshape' op reverse reshape with code -4 is not supported}}
  %0 = q.reshape %x <{shape = array<i64: -4, 1, 2, -2>, reverse = true}> : tensor<2x3x4xf32>
  return
}

// -----

func.func @concat_rank(%x: tensor<2x3xf32>, %y: tensor<2x3x1xf32>) {
  // expected-error @+1 {{'q.concat' op input 1 [2, 3, 1] has a different rank than input 0 [2, 3]}}
  %0 = q.concat %x, %y : tensor<2x3xf32>, tensor<2x3x1xf32>
  return
}

// -----

func.func @concat_dims(%x: tensor<2x3x4xf32>, %y: tensor<2x5x5xf32>) {
  // expected-error @+1 {{'q.concat' op input 1 [2, 5, 5] differs from input 0 [2, 3, 4] in dim 2, which is not the concat axis}}
  %0 = q.concat %x, %y : tensor<2x3x4xf32>, tensor<2x5x5xf32>
  return
}

// -----

func.func @concat_axis(%x: tensor<2x3xf32>) {
  // expected-error @+1 {{'q.concat' op axis 2 is out of range for rank 2}}
  %0 = q.concat %x, %x <{axis = 2}> : tensor<2x3xf32>, tensor<2x3xf32>
  return
}

// -----

func.func @concat_scales(%x: tensor<2x3x!quant.uniform<u8:f32, 0.1>>, %y: tensor<2x3x!quant.uniform<u8:f32, 0.2>>) {
  // expected-error @+1 {{'q.concat' op inputs must share one element type; align their scales first}}
  %0 = q.concat %x, %y : tensor<2x3x!quant.uniform<u8:f32, 0.1>>, tensor<2x3x!quant.uniform<u8:f32, 0.2>>
  return
}

// -----

func.func @transpose_perm(%x: tensor<2x3x4xf32>) {
  // expected-error @+1 {{'q.transpose' op [0, 0, 1] is not a permutation of 0..2}}
  %0 = q.transpose %x <{permutation = array<i64: 0, 0, 1>}> : tensor<2x3x4xf32>
  return
}

// -----

func.func @transpose_rank(%x: tensor<2x3x4xf32>) {
  // expected-error @+1 {{'q.transpose' op permutation [1, 0] does not match rank 3}}
  %0 = q.transpose %x <{permutation = array<i64: 1, 0>}> : tensor<2x3x4xf32>
  return
}

// -----

func.func @slice_lengths(%x: tensor<2x3x4xf32>) {
  // expected-error @+1 {{'q.slice' op begin [0, 0] and end [1] differ in length}}
  %0 = q.slice %x <{begin = array<i64: 0, 0>, end = array<i64: 1>}> : tensor<2x3x4xf32>
  return
}

// -----

func.func @slice_empty(%x: tensor<2x3x4xf32>) {
  // expected-error @+1 {{'q.slice' op slice [2:1] of axis 0 (size 2) is empty}}
  %0 = q.slice %x <{begin = array<i64: 2>, end = array<i64: 1>}> : tensor<2x3x4xf32>
  return
}

// -----

func.func @slice_step(%x: tensor<2x3x4xf32>) {
  // expected-error @+1 {{'q.slice' op step must be positive, got [0]}}
  %0 = q.slice %x <{begin = array<i64: 0>, end = array<i64: 2>, step = array<i64: 0>}> : tensor<2x3x4xf32>
  return
}

// -----

func.func @slice_axes(%x: tensor<2x3xf32>) {
  // expected-error @+1 {{'q.slice' op slice of 3 axes on a rank-2 tensor}}
  %0 = q.slice %x <{begin = array<i64: 0, 0, 0>, end = array<i64: 1, 1, 1>}> : tensor<2x3xf32>
  return
}

// -----

func.func @upsampling_scale(%x: tensor<1x3x4x4xf32>) {
  // expected-error @+1 {{'q.upsampling' op scale must be positive, got 0}}
  %0 = q.upsampling %x <{scale = 0}> : tensor<1x3x4x4xf32>
  return
}

// -----

func.func @upsampling_rank(%x: tensor<3x4xf32>) {
  // expected-error @+1 {{'q.upsampling' op input must have spatial dims, got [3, 4]}}
  %0 = q.upsampling %x <{scale = 2}> : tensor<3x4xf32>
  return
}

// -----

func.func @crop_fit(%x: tensor<1x3x4x4xf32>) {
  // expected-error @+1 {{'q.crop' op crop offset 2 size 3 does not fit spatial dim 0 of size 4}}
  %0 = q.crop %x <{offsets = array<i64: 2, 0>, sizes = array<i64: 3, 3>}> : tensor<1x3x4x4xf32>
  return
}

// -----

func.func @crop_arity(%x: tensor<1x3x4x4xf32>) {
  // expected-error @+1 {{'q.crop' op offsets [0] and sizes [3] need one entry per spatial dim (2)}}
  %0 = q.crop %x <{offsets = array<i64: 0>, sizes = array<i64: 3>}> : tensor<1x3x4x4xf32>
  return
}

// -----

func.func @quantize_shape(%x: tensor<4x8xf32>) {
  // expected-error @+1 {{'q.quantize' op result shape must equal the input shape}}
  %0 = q.quantize %x : tensor<4x8xf32> -> tensor<4x4x!quant.any<i8:f32>>
  return
}

// -----

func.func @quantize_calib_pair(%x: tensor<4x8xf32>) {
  // expected-error @+1 {{'q.quantize' op needs both min_calib_range and max_calib_range, or neither}}
  %0 = q.quantize %x <{max_calib_range = 1.0 : f32}> : tensor<4x8xf32> -> tensor<4x8x!quant.any<i8:f32>>
  return
}

// -----

func.func @quantize_static_uncalibrated(%x: tensor<4x8xf32>) {
  // expected-error @+1 {{'q.quantize' op has no calibration range, so its scale is found at run time and the result must be !quant.any, got '!quant.uniform<i8:f32, 1.000000e-01>'}}
  %0 = q.quantize %x : tensor<4x8xf32> -> tensor<4x8x!quant.uniform<i8:f32, 0.1>>
  return
}

// -----

func.func @quantize_dynamic_calibrated(%x: tensor<4x8xf32>) {
  // expected-error @+1 {{'q.quantize' op is calibrated, so its result must be a per-tensor !quant.uniform type, got '!quant.any<i8:f32>'}}
  %0 = q.quantize %x <{min_calib_range = -1.0 : f32, max_calib_range = 1.0 : f32}> : tensor<4x8xf32> -> tensor<4x8x!quant.any<i8:f32>>
  return
}

// -----

func.func @quantize_auto_negative(%x: tensor<4x8xf32>) {
  // expected-error @+1 {{'q.quantize' op out_type auto with this calibration range gives i8 storage, but the result is '!quant.uniform<u8:f32, 0.0039138940000000002>'}}
  %0 = q.quantize %x <{min_calib_range = -0.5 : f32, max_calib_range = 1.0 : f32, out_type = #q<quant_dtype auto>}> : tensor<4x8xf32> -> tensor<4x8x!quant.uniform<u8:f32, 0.003913894>>
  return
}

// -----

func.func @quantize_uint8_signed(%x: tensor<4x8xf32>) {
  // expected-error @+1 {{'q.quantize' op out_type uint8 with no calibration range gives u8 storage, but the result is '!quant.any<i8:f32>'}}
  %0 = q.quantize %x <{out_type = #q<quant_dtype uint8>}> : tensor<4x8xf32> -> tensor<4x8x!quant.any<i8:f32>>
  return
}

// -----

func.func @quantize_scale(%x: tensor<4x8xf32>) {
  // expected-error @+1 {{'q.quantize' op result scale 0.01 does not match the calibration range [-1, 2.55], which gives 0.02}}
  %0 = q.quantize %x <{min_calib_range = -1.0 : f32, max_calib_range = 2.55 : f32}> : tensor<4x8xf32> -> tensor<4x8x!quant.uniform<i8:f32, 0.01>>
  return
}

// -----

func.func @quantize_zero_point(%x: tensor<4x8xf32>) {
  // expected-error @+1 {{'q.quantize' op quantization is symmetric: zero point must be 0}}
  %0 = q.quantize %x <{min_calib_range = -1.0 : f32, max_calib_range = 2.55 : f32}> : tensor<4x8xf32> -> tensor<4x8x!quant.uniform<i8:f32, 0.02:3>>
  return
}

// -----

func.func @quantize_width(%x: tensor<4x8xf32>) {
  // expected-error @+1 {{'q.quantize' op result storage must be 8-bit, got '!quant.any<i16:f32>'}}
  %0 = q.quantize %x : tensor<4x8xf32> -> tensor<4x8x!quant.any<i16:f32>>
  return
}

// -----

func.func @quantize_expressed(%x: tensor<4x8xf32>) {
  // expected-error @+1 {{'q.quantize' op result must express f32 values, got '!quant.any<i8:f16>'}}
  %0 = q.quantize %x : tensor<4x8xf32> -> tensor<4x8x!quant.any<i8:f16>>
  return
}

// -----

func.func @quantize_int8_as_uint8(%x: tensor<4x8xi8>) {
  // expected-error @+1 {{'q.quantize' op out_type uint8 cannot pass through 'i8' data unchanged}}
  %0 = q.quantize %x <{out_type = #q<quant_dtype uint8>}> : tensor<4x8xi8> -> tensor<4x8x!quant.any<u8:f32>>
  return
}

// -----

func.func @quantize_passthrough_storage(%x: tensor<4x8xui8>) {
  // expected-error @+1 {{'q.quantize' op passing 'ui8' through needs the same storage, got '!quant.any<i8:f32>'}}
  %0 = q.quantize %x <{out_type = #q<quant_dtype auto>}> : tensor<4x8xui8> -> tensor<4x8x!quant.any<i8:f32>>
  return
}

// -----

func.func @dequantize_float(%x: tensor<4x8xf32>) {
  // expected-error @+1 {{'q.dequantize' op operand #0 must be statically shaped tensor of quantized type values}}
  %0 = q.dequantize %x : tensor<4x8xf32>
  return
}

// -----

func.func @requantize_input(%x: tensor<4x8x!quant.any<i8:f32>>) {
  // expected-error @+1 {{'q.requantize' op input must have i32 storage, got '!quant.any<i8:f32>'}}
  %0 = q.requantize %x : tensor<4x8x!quant.any<i8:f32>> -> tensor<4x8x!quant.any<i8:f32>>
  return
}

// -----

func.func @requantize_scale(%x: tensor<4x8x!quant.any<i32:f32>>) {
  // expected-error @+1 {{'q.requantize' op result scale 0.1 does not match the calibration range [0, 5.11], which gives 0.02}}
  %0 = q.requantize %x <{min_calib_range = 0.0 : f32, max_calib_range = 5.11 : f32, out_type = #q<quant_dtype uint8>}> : tensor<4x8x!quant.any<i32:f32>> -> tensor<4x8x!quant.uniform<u8:f32, 0.1>>
  return
}

// -----

func.func @quantized_add_shape(%x: tensor<4x!quant.any<u8:f32>>, %y: tensor<5x!quant.any<u8:f32>>) {
  // expected-error @+1 {{'q.quantized_add' op operands and result must have one shape}}
  %0 = q.quantized_add %x, %y : (tensor<4x!quant.any<u8:f32>>, tensor<5x!quant.any<u8:f32>>) -> tensor<4x!quant.any<i32:f32>>
  return
}

// -----

func.func @quantized_add_i32(%x: tensor<4x!quant.any<i32:f32>>) {
  // expected-error @+1 {{'q.quantized_add' op operands must have 8-bit storage, got '!quant.any<i32:f32>'}}
  %0 = q.quantized_add %x, %x : (tensor<4x!quant.any<i32:f32>>, tensor<4x!quant.any<i32:f32>>) -> tensor<4x!quant.any<i32:f32>>
  return
}

// -----

func.func @quantized_add_dynamic(%x: tensor<4x!quant.any<u8:f32>>) {
  // expected-error @+1 {{'q.quantized_add' op without a calibration range the result is !quant.any<i32:f32>, got '!quant.any<u8:f32>'}}
  %0 = q.quantized_add %x, %x : (tensor<4x!quant.any<u8:f32>>, tensor<4x!quant.any<u8:f32>>) -> tensor<4x!quant.any<u8:f32>>
  return
}

// -----

func.func @quantized_add_mixed(%x: tensor<4x!quant.any<u8:f32>>, %y: tensor<4x!quant.any<i8:f32>>) {
  // expected-error @+1 {{'q.quantized_add' op a uint8 result needs a non-negative calibration range}}
  %0 = q.quantized_add %x, %y <{min_calib_range = -1.0 : f32, max_calib_range = 3.0 : f32}> : (tensor<4x!quant.any<u8:f32>>, tensor<4x!quant.any<i8:f32>>) -> tensor<4x!quant.uniform<u8:f32, 0.011741682974559686>>
  return
}

// -----

func.func @reorder_same_layout(%x: tensor<1x2x3x4xf32>) -> tensor<1x2x3x4xf32> {
  // expected-error @below {{'q.reorder' op reorders from nchw to the same layout}}
  %0 = q.reorder %x nchw to nchw : tensor<1x2x3x4xf32>
  return %0 : tensor<1x2x3x4xf32>
}

// -----

func.func @reorder_rank2(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  // expected-error @below {{'q.reorder' op needs an activation of rank >= 3}}
  %0 = q.reorder %x nchw to nhwc : tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

func.func @reorder_wrong_source(%x: tensor<1x2x3x4xf32>) -> tensor<1x2x3x4xf32> {
  // expected-error @below {{'q.reorder' op reads its input as nhwc but the producer writes it nchw}}
  %0 = q.reorder %x nhwc to nchw : tensor<1x2x3x4xf32>
  return %0 : tensor<1x2x3x4xf32>
}

// -----

func.func @reorder_bad_keyword(%x: tensor<1x2x3x4xf32>) -> tensor<1x2x3x4xf32> {
  // expected-error @below {{expected nchw or nhwc, got 'nchw8c'}}
  %0 = q.reorder %x nchw8c to nhwc : tensor<1x2x3x4xf32>
  return %0 : tensor<1x2x3x4xf32>
}
