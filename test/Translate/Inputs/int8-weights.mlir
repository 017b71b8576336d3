// int8 weights in the forms q-int8-pipeline does not make on fmnist:
// a per-tensor step that no f32 range holds exactly (written as a 0-d f64
// step), an f32 bias next to int8 weights, MXNet's own tensor-wise FC form
// (int8 bias, steps range/127), and a per-channel FC with an int32 bias.
module {
  func.func @main(%arg0: tensor<1x2x4x4xf32> {q.name = "data"}) -> (tensor<1x2xf32> {q.name = "fca_output"}, tensor<1x2xf32> {q.name = "fcb_output"}) {
    %cw = arith.constant dense<[[[[12]], [[-127]]], [[[5]], [[7]]], [[[-3]], [[100]]]]> : tensor<3x2x1x1xi8> loc("conv_weight_quantize")
    %w = quant.scast %cw : tensor<3x2x1x1xi8> to tensor<3x2x1x1x!quant.uniform<i8:f32, 0.0123456789>> loc("conv_weight_quantize")
    %cb = arith.constant dense<[0.5, -0.25, 0.125]> : tensor<3xf32> loc("conv_bias")
    %aw = arith.constant dense<[[1, 2, 3], [-4, -5, 127]]> : tensor<2x3xi8> loc("fca_weight_quantize")
    %awq = quant.scast %aw : tensor<2x3xi8> to tensor<2x3x!quant.uniform<i8:f32, 0.003937007874015748>> loc("fca_weight_quantize")
    %ab = arith.constant dense<[-127, 64]> : tensor<2xi8> loc("fca_bias_quantize")
    %abq = quant.scast %ab : tensor<2xi8> to tensor<2x!quant.uniform<i8:f32, 0.001968503937007874>> loc("fca_bias_quantize")
    %bw = arith.constant dense<[[9, 8, 7], [-6, 5, -4]]> : tensor<2x3xi8> loc("fcb_weight_quantize")
    %bwq = quant.scast %bw : tensor<2x3xi8> to tensor<2x3x!quant.uniform<i8:f32:0, {0.01, 0.02}>> loc("fcb_weight_quantize")
    %bb = arith.constant dense<[1000, -2000]> : tensor<2xi32> loc("fcb_bias_quantize")
    %bbq = quant.scast %bb : tensor<2xi32> to tensor<2x!quant.uniform<i32:f32:0, {7.827788649706458e-05, 0.00015655577299412916}>> loc("fcb_bias_quantize")
    %0 = q.quantize %arg0 <{max_calib_range = 1.0 : f32, min_calib_range = -1.0 : f32, out_type = #q<quant_dtype int8>}> : tensor<1x2x4x4xf32> -> tensor<1x2x4x4x!quant.uniform<i8:f32, 0.00784313725490196>> loc("data_quantize")
    %1 = q.fused_conv %0, %w bias(%cb) <{act = #q.eltwise<relu>, max_calib_range = 2.0 : f32, min_calib_range = 0.0 : f32}> : (tensor<1x2x4x4x!quant.uniform<i8:f32, 0.00784313725490196>>, tensor<3x2x1x1x!quant.uniform<i8:f32, 0.0123456789>>, tensor<3xf32>) -> tensor<1x3x4x4x!quant.uniform<u8:f32, 0.007827788649706457>> loc("conv")
    %2 = q.pooling avg %1 <{global_pool = true}> : tensor<1x3x4x4x!quant.uniform<u8:f32, 0.007827788649706457>> loc("pool")
    %3 = q.flatten %2 : tensor<1x3x1x1x!quant.uniform<u8:f32, 0.007827788649706457>> loc("flatten")
    %4 = q.fused_fc %3, %awq bias(%abq) : (tensor<1x3x!quant.uniform<u8:f32, 0.007827788649706457>>, tensor<2x3x!quant.uniform<i8:f32, 0.003937007874015748>>, tensor<2x!quant.uniform<i8:f32, 0.001968503937007874>>) -> tensor<1x2xf32> loc("fca")
    %5 = q.fused_fc %3, %bwq bias(%bbq) : (tensor<1x3x!quant.uniform<u8:f32, 0.007827788649706457>>, tensor<2x3x!quant.uniform<i8:f32:0, {0.01, 0.02}>>, tensor<2x!quant.uniform<i32:f32:0, {7.827788649706458e-05, 0.00015655577299412916}>>) -> tensor<1x2xf32> loc("fcb")
    return %4, %5 : tensor<1x2xf32>, tensor<1x2xf32>
  }
}
