// Every q op parses, prints and parses again, in the custom and the generic
// form; the printed form needs no result types where they are inferred.
// RUN: q-opt %s --allow-unregistered-dialect | q-opt --allow-unregistered-dialect | FileCheck %s
// RUN: q-opt %s --allow-unregistered-dialect --mlir-print-op-generic | q-opt --allow-unregistered-dialect | FileCheck %s

// CHECK-LABEL: func.func @conv_family
func.func @conv_family(%x: tensor<2x8x15x17xf32>, %w: tensor<16x4x3x3xf32>,
                       %b: tensor<16xf32>, %x1: tensor<1x4x9xf32>,
                       %w1: tensor<6x4x3xf32>, %x3: tensor<1x2x5x6x7xf32>,
                       %w3: tensor<4x2x1x3x3xf32>) {
  // CHECK: q.convolution %{{.*}}, %{{.*}}, %{{.*}} <{dilations = array<i64: 2, 1>, groups = 2 : i64, pads = array<i64: 1, 0, 2, 1>, strides = array<i64: 2, 3>}> : tensor<2x8x15x17xf32>, tensor<16x4x3x3xf32>, tensor<16xf32>
  %0 = q.convolution %x, %w, %b <{strides = array<i64: 2, 3>, dilations = array<i64: 2, 1>, pads = array<i64: 1, 0, 2, 1>, groups = 2}> : tensor<2x8x15x17xf32>, tensor<16x4x3x3xf32>, tensor<16xf32>
  // CHECK: q.convolution %{{.*}}, %{{.*}} : tensor<1x4x9xf32>, tensor<6x4x3xf32>
  %1 = q.convolution %x1, %w1 : tensor<1x4x9xf32>, tensor<6x4x3xf32>
  // CHECK: q.convolution {{.*}} : tensor<1x2x5x6x7xf32>, tensor<4x2x1x3x3xf32>
  %2 = q.convolution %x3, %w3 <{pads = array<i64: 0, 1, 1, 0, 1, 1>}> : tensor<1x2x5x6x7xf32>, tensor<4x2x1x3x3xf32>
  // Result shapes are inferred: [2,16,(15+3-5)/2+1, (17+1-3)/3+1].
  // CHECK: "test.use"(%{{.*}}, %{{.*}}, %{{.*}}) : (tensor<2x16x7x6xf32>, tensor<1x6x7xf32>, tensor<1x4x5x6x7xf32>) -> ()
  "test.use"(%0, %1, %2) : (tensor<2x16x7x6xf32>, tensor<1x6x7xf32>, tensor<1x4x5x6x7xf32>) -> ()
  return
}

// CHECK-LABEL: func.func @fused
func.func @fused(%x: tensor<1x4x8x8xf32>, %w: tensor<8x4x3x3xf32>,
                 %b: tensor<8xf32>, %c: tensor<8xf32>,
                 %s: tensor<1x8x8x8xf32>, %fx: tensor<2x32xf32>,
                 %fw: tensor<10x32xf32>, %fb: tensor<10xf32>) {
  // CHECK: q.fused_conv %{{.*}}, %{{.*}} bias(%{{.*}}) bn(%{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}) sum(%{{.*}}) <{act = #q.eltwise<relu>, bn_eps = 1.000000e-05 : f64, bn_fix_gamma = true, pads = array<i64: 1, 1, 1, 1>, postsum_act = #q.eltwise<clip, 0.000000e+00, 6.000000e+00>, sum_scale = 5.000000e-01 : f64}>
  %0 = q.fused_conv %x, %w bias(%b) bn(%c, %c, %c, %c) sum(%s) <{pads = array<i64: 1, 1, 1, 1>, bn_eps = 1.0e-5 : f64, bn_fix_gamma = true, act = #q.eltwise<relu>, sum_scale = 0.5 : f64, postsum_act = #q.eltwise<clip, 0.0, 6.0>}> : (tensor<1x4x8x8xf32>, tensor<8x4x3x3xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<1x8x8x8xf32>) -> tensor<1x8x8x8xf32>
  // CHECK: q.fused_conv %{{.*}}, %{{.*}} : (tensor<1x4x8x8xf32>, tensor<8x4x3x3xf32>) -> tensor<1x8x6x6xf32>
  %1 = q.fused_conv %x, %w : (tensor<1x4x8x8xf32>, tensor<8x4x3x3xf32>) -> tensor<1x8x6x6xf32>
  // CHECK: q.fused_fc %{{.*}}, %{{.*}} bias(%{{.*}}) <{act = #q.eltwise<leaky, 2.500000e-01>}> : (tensor<2x32xf32>, tensor<10x32xf32>, tensor<10xf32>) -> tensor<2x10xf32>
  %2 = q.fused_fc %fx, %fw bias(%fb) <{act = #q.eltwise<leaky, 0.25>}> : (tensor<2x32xf32>, tensor<10x32xf32>, tensor<10xf32>) -> tensor<2x10xf32>
  return
}

// CHECK-LABEL: func.func @fused_int8
func.func @fused_int8(%x: tensor<1x4x8x8x!quant.uniform<u8:f32, 0.01>>,
                      %w: tensor<8x4x1x1x!quant.uniform<i8:f32:0, {0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8}>>,
                      %b: tensor<8x!quant.uniform<i32:f32, 0.001>>,
                      %s: tensor<1x8x8x8x!quant.uniform<i8:f32, 0.05>>,
                      %fx: tensor<2x32x!quant.any<i8:f32>>,
                      %fw: tensor<10x32xf32>) {
  // CHECK: q.fused_conv {{.*}} sum(%{{.*}}) <{act = #q.eltwise<relu>, max_calib_range = 6.375000e+00 : f32, min_calib_range = -6.375000e+00 : f32}> : ({{.*}}) -> tensor<1x8x8x8x!quant.uniform<i8:f32, 5.000000e-02>>
  %0 = q.fused_conv %x, %w bias(%b) sum(%s) <{act = #q.eltwise<relu>, min_calib_range = -6.375 : f32, max_calib_range = 6.375 : f32}> : (tensor<1x4x8x8x!quant.uniform<u8:f32, 0.01>>, tensor<8x4x1x1x!quant.uniform<i8:f32:0, {0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8}>>, tensor<8x!quant.uniform<i32:f32, 0.001>>, tensor<1x8x8x8x!quant.uniform<i8:f32, 0.05>>) -> tensor<1x8x8x8x!quant.uniform<i8:f32, 0.05>>
  // A dequantize folded in gives a float result; no calibration gives i32.
  // CHECK: q.fused_fc {{.*}} -> tensor<2x10xf32>
  %1 = q.fused_fc %fx, %fw : (tensor<2x32x!quant.any<i8:f32>>, tensor<10x32xf32>) -> tensor<2x10xf32>
  // CHECK: q.fused_fc {{.*}} -> tensor<2x10x!quant.any<i32:f32>>
  %2 = q.fused_fc %fx, %fw : (tensor<2x32x!quant.any<i8:f32>>, tensor<10x32xf32>) -> tensor<2x10x!quant.any<i32:f32>>
  return
}

// CHECK-LABEL: func.func @fully_connected
func.func @fully_connected(%x: tensor<4x3x2x2xf32>, %w: tensor<5x12xf32>,
                           %b: tensor<5xf32>, %x3: tensor<4x7x2xf32>,
                           %w3: tensor<6x2xf32>) {
  // CHECK: q.fully_connected %{{.*}}, %{{.*}}, %{{.*}} : tensor<4x3x2x2xf32>, tensor<5x12xf32>, tensor<5xf32>
  %0 = q.fully_connected %x, %w, %b : tensor<4x3x2x2xf32>, tensor<5x12xf32>, tensor<5xf32>
  // CHECK: q.fully_connected %{{.*}}, %{{.*}} <{flatten = false}> : tensor<4x7x2xf32>, tensor<6x2xf32>
  %1 = q.fully_connected %x3, %w3 <{flatten = false}> : tensor<4x7x2xf32>, tensor<6x2xf32>
  // CHECK: "test.use"(%{{.*}}, %{{.*}}) : (tensor<4x5xf32>, tensor<4x7x6xf32>) -> ()
  "test.use"(%0, %1) : (tensor<4x5xf32>, tensor<4x7x6xf32>) -> ()
  return
}

// CHECK-LABEL: func.func @elementwise
func.func @elementwise(%x: tensor<2x3x4x4xf32>, %c: tensor<3xf32>,
                       %r: tensor<3x1x4xf32>) {
  // CHECK: q.batch_norm %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} <{eps = 2.000000e-05 : f64, fix_gamma = true}> : tensor<2x3x4x4xf32>, tensor<3xf32>
  %0 = q.batch_norm %x, %c, %c, %c, %c <{eps = 2.0e-5 : f64, fix_gamma = true}> : tensor<2x3x4x4xf32>, tensor<3xf32>
  // CHECK: q.activation <relu> %{{.*}} : tensor<2x3x4x4xf32>
  %1 = q.activation <relu> %0 : tensor<2x3x4x4xf32>
  // CHECK: q.activation <sigmoid>
  %2 = q.activation <sigmoid> %1 : tensor<2x3x4x4xf32>
  // CHECK: q.activation <tanh>
  %3 = q.activation <tanh> %2 : tensor<2x3x4x4xf32>
  // CHECK: q.activation <softrelu>
  %4 = q.activation <softrelu> %3 : tensor<2x3x4x4xf32>
  // CHECK: q.activation <softsign>
  %5 = q.activation <softsign> %4 : tensor<2x3x4x4xf32>
  // CHECK: q.activation <leaky, 1.000000e-01>
  %6 = q.activation <leaky, 0.1> %5 : tensor<2x3x4x4xf32>
  // CHECK: q.activation <elu, 1.000000e+00>
  %7 = q.activation <elu, 1.0> %6 : tensor<2x3x4x4xf32>
  // CHECK: q.activation <selu>
  %8 = q.activation <selu> %7 : tensor<2x3x4x4xf32>
  // CHECK: q.activation <gelu>
  %9 = q.activation <gelu> %8 : tensor<2x3x4x4xf32>
  // CHECK: q.activation <clip, -1.000000e+00, 1.000000e+00>
  %10 = q.activation <clip, -1.0, 1.0> %9 : tensor<2x3x4x4xf32>
  // CHECK: q.activation <square>
  %11 = q.activation <square> %10 : tensor<2x3x4x4xf32>
  // CHECK: q.activation <sqrt>
  %12 = q.activation <sqrt> %11 : tensor<2x3x4x4xf32>
  // CHECK: q.activation <exp>
  %13 = q.activation <exp> %12 : tensor<2x3x4x4xf32>
  // CHECK: q.activation <abs>
  %14 = q.activation <abs> %13 : tensor<2x3x4x4xf32>
  // CHECK: q.prelu %{{.*}}, %{{.*}} : tensor<2x3x4x4xf32>, tensor<3xf32>
  %15 = q.prelu %14, %c : tensor<2x3x4x4xf32>, tensor<3xf32>
  // CHECK: q.softmax %{{.*}} <{axis = 1 : i64, log = true, temperature = 2.000000e+00 : f64}> : tensor<2x3x4x4xf32>
  %16 = q.softmax %15 <{axis = 1, temperature = 2.0 : f64, log = true}> : tensor<2x3x4x4xf32>
  // CHECK: q.dropout %{{.*}} <{p = 2.500000e-01 : f64}> : tensor<2x3x4x4xf32>
  %17 = q.dropout %16 <{p = 0.25 : f64}> : tensor<2x3x4x4xf32>
  // CHECK: q.add %{{.*}}, %{{.*}} : tensor<2x3x4x4xf32>, tensor<3x1x4xf32>
  %18 = q.add %17, %r : tensor<2x3x4x4xf32>, tensor<3x1x4xf32>
  // CHECK: q.sub
  %19 = q.sub %r, %18 : tensor<3x1x4xf32>, tensor<2x3x4x4xf32>
  // CHECK: q.mul
  %20 = q.mul %19, %r : tensor<2x3x4x4xf32>, tensor<3x1x4xf32>
  // CHECK: q.div
  %21 = q.div %20, %20 : tensor<2x3x4x4xf32>, tensor<2x3x4x4xf32>
  // CHECK: q.scalar rsub %{{.*}} <{scalar = 1.000000e+00 : f64}> : tensor<2x3x4x4xf32>
  %22 = q.scalar rsub %21 <{scalar = 1.0 : f64}> : tensor<2x3x4x4xf32>
  // CHECK: q.scalar mul
  %23 = q.scalar mul %22 <{scalar = 3.0 : f64}> : tensor<2x3x4x4xf32>
  return
}

// CHECK-LABEL: func.func @pooling
func.func @pooling(%x: tensor<1x3x5x5xf32>, %x3: tensor<1x2x4x5x6xf32>,
                   %q: tensor<1x3x5x5x!quant.uniform<u8:f32, 0.5>>) {
  // valid floors (5+0-2)/2+1 = 2, full ceils to 3.
  // CHECK: q.pooling max %{{.*}} <{kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>}> : tensor<1x3x5x5xf32>
  %0 = q.pooling max %x <{kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>}> : tensor<1x3x5x5xf32>
  // CHECK: q.pooling avg %{{.*}} <{convention = #q<pool_convention full>, count_include_pad = false, kernel = array<i64: 2, 2>, pads = array<i64: 1, 1, 0, 0>, strides = array<i64: 2, 2>}>
  %1 = q.pooling avg %x <{kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 0, 0>, convention = #q<pool_convention full>, count_include_pad = false}> : tensor<1x3x5x5xf32>
  // CHECK: q.pooling sum %{{.*}} <{global_pool = true}> : tensor<1x2x4x5x6xf32>
  %2 = q.pooling sum %x3 <{global_pool = true}> : tensor<1x2x4x5x6xf32>
  // CHECK: q.pooling max %{{.*}} <{convention = #q<pool_convention same>, kernel = array<i64: 3, 3>, strides = array<i64: 2, 2>}> : tensor<1x3x5x5x!quant.uniform<u8:f32, 5.000000e-01>>
  %3 = q.pooling max %q <{kernel = array<i64: 3, 3>, strides = array<i64: 2, 2>, convention = #q<pool_convention same>}> : tensor<1x3x5x5x!quant.uniform<u8:f32, 0.5>>
  // CHECK: "test.use"(%{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}) : (tensor<1x3x2x2xf32>, tensor<1x3x3x3xf32>, tensor<1x2x1x1x1xf32>, tensor<1x3x3x3x!quant.uniform<u8:f32, 5.000000e-01>>) -> ()
  "test.use"(%0, %1, %2, %3) : (tensor<1x3x2x2xf32>, tensor<1x3x3x3xf32>, tensor<1x2x1x1x1xf32>, tensor<1x3x3x3x!quant.uniform<u8:f32, 0.5>>) -> ()
  return
}

// CHECK-LABEL: func.func @data_movement
func.func @data_movement(%x: tensor<2x3x4x5xf32>, %y: tensor<2x5x4x5xf32>,
                         %i: tensor<2x3x4x5xi8>) {
  // CHECK: q.flatten %{{.*}} : tensor<2x3x4x5xf32>
  %0 = q.flatten %x : tensor<2x3x4x5xf32>
  // CHECK: q.reshape %{{.*}} <{shape = array<i64: 0, -1, -3>}> : tensor<2x3x4x5xf32>
  %1 = q.reshape %x <{shape = array<i64: 0, -1, -3>}> : tensor<2x3x4x5xf32>
  // CHECK: q.reshape %{{.*}} <{shape = array<i64: -4, 1, 2, -2>}>
  %2 = q.reshape %x <{shape = array<i64: -4, 1, 2, -2>}> : tensor<2x3x4x5xf32>
  // CHECK: q.reshape %{{.*}} <{reverse = true, shape = array<i64: -1, 0>}>
  %3 = q.reshape %x <{shape = array<i64: -1, 0>, reverse = true}> : tensor<2x3x4x5xf32>
  // CHECK: q.concat %{{.*}}, %{{.*}} : tensor<2x3x4x5xf32>, tensor<2x5x4x5xf32>
  %4 = q.concat %x, %y : tensor<2x3x4x5xf32>, tensor<2x5x4x5xf32>
  // CHECK: q.concat %{{.*}}, %{{.*}} <{axis = -1 : i64}> : tensor<2x3x4x5xf32>, tensor<2x3x4x5xf32>
  %5 = q.concat %x, %x <{axis = -1}> : tensor<2x3x4x5xf32>, tensor<2x3x4x5xf32>
  // CHECK: q.transpose %{{.*}} <{permutation = array<i64: 0, 2, 3, 1>}> : tensor<2x3x4x5xf32>
  %6 = q.transpose %x <{permutation = array<i64: 0, 2, 3, 1>}> : tensor<2x3x4x5xf32>
  // CHECK: q.slice %{{.*}} <{begin = array<i64: 0, 1>, end = array<i64: 2, -1>, step = array<i64: 1, 1>}> : tensor<2x3x4x5xf32>
  %7 = q.slice %x <{begin = array<i64: 0, 1>, end = array<i64: 2, -1>, step = array<i64: 1, 1>}> : tensor<2x3x4x5xf32>
  // CHECK: q.upsampling %{{.*}} <{scale = 2 : i64}> : tensor<2x3x4x5xf32>
  %8 = q.upsampling %x <{scale = 2}> : tensor<2x3x4x5xf32>
  // CHECK: q.crop %{{.*}} <{offsets = array<i64: 1, 1>, sizes = array<i64: 2, 3>}> : tensor<2x3x4x5xf32>
  %9 = q.crop %x <{offsets = array<i64: 1, 1>, sizes = array<i64: 2, 3>}> : tensor<2x3x4x5xf32>
  // CHECK: q.flatten %{{.*}} : tensor<2x3x4x5xi8>
  %10 = q.flatten %i : tensor<2x3x4x5xi8>
  // CHECK: "test.use"({{.*}}) : (tensor<2x60xf32>, tensor<2x3x20xf32>, tensor<1x2x3x4x5xf32>, tensor<24x5xf32>, tensor<2x8x4x5xf32>, tensor<2x3x4x10xf32>, tensor<2x4x5x3xf32>, tensor<2x1x4x5xf32>, tensor<2x3x8x10xf32>, tensor<2x3x2x3xf32>, tensor<2x60xi8>) -> ()
  "test.use"(%0, %1, %2, %3, %4, %5, %6, %7, %8, %9, %10) : (tensor<2x60xf32>, tensor<2x3x20xf32>, tensor<1x2x3x4x5xf32>, tensor<24x5xf32>, tensor<2x8x4x5xf32>, tensor<2x3x4x10xf32>, tensor<2x4x5x3xf32>, tensor<2x1x4x5xf32>, tensor<2x3x8x10xf32>, tensor<2x3x2x3xf32>, tensor<2x60xi8>) -> ()
  return
}

// CHECK-LABEL: func.func @quantization
func.func @quantization(%x: tensor<4x8xf32>, %i: tensor<4x8xi8>,
                        %u: tensor<4x8xui8>,
                        %acc: tensor<4x8x!quant.uniform<i32:f32, 1.0e-4>>,
                        %dyn: tensor<4x8x!quant.any<i32:f32>>) {
  // 127.5 / 2.55 steps: scale = 2.55 / 127.5 = 0.02.
  // CHECK: q.quantize %{{.*}} <{max_calib_range = 2.550000e+00 : f32, min_calib_range = -1.000000e+00 : f32}> : tensor<4x8xf32> -> tensor<4x8x!quant.uniform<i8:f32, 2.000000e-02>>
  %0 = q.quantize %x <{min_calib_range = -1.0 : f32, max_calib_range = 2.55 : f32}> : tensor<4x8xf32> -> tensor<4x8x!quant.uniform<i8:f32, 0.02>>
  // auto with a non-negative range gives uint8: 2.555 / 255.5 = 0.01.
  // CHECK: q.quantize {{.*}} -> tensor<4x8x!quant.uniform<u8:f32, 1.000000e-02>>
  %1 = q.quantize %x <{min_calib_range = 0.0 : f32, max_calib_range = 2.555 : f32, out_type = #q<quant_dtype auto>}> : tensor<4x8xf32> -> tensor<4x8x!quant.uniform<u8:f32, 0.01>>
  // Uncalibrated: the scale is found at run time.
  // CHECK: q.quantize %{{.*}} <{out_type = #q<quant_dtype uint8>}> : tensor<4x8xf32> -> tensor<4x8x!quant.any<u8:f32>>
  %2 = q.quantize %x <{out_type = #q<quant_dtype uint8>}> : tensor<4x8xf32> -> tensor<4x8x!quant.any<u8:f32>>
  // Already-int8 data passes through.
  // CHECK: q.quantize %{{.*}} : tensor<4x8xi8> -> tensor<4x8x!quant.uniform<i8:f32, 1.000000e+00>>
  %3 = q.quantize %i : tensor<4x8xi8> -> tensor<4x8x!quant.uniform<i8:f32, 1.0>>
  // CHECK: q.quantize %{{.*}} <{out_type = #q<quant_dtype auto>}> : tensor<4x8xui8> -> tensor<4x8x!quant.any<u8:f32>>
  %4 = q.quantize %u <{out_type = #q<quant_dtype auto>}> : tensor<4x8xui8> -> tensor<4x8x!quant.any<u8:f32>>
  // CHECK: q.dequantize %{{.*}} : tensor<4x8x!quant.uniform<i8:f32, 2.000000e-02>>
  %5 = q.dequantize %0 : tensor<4x8x!quant.uniform<i8:f32, 0.02>>
  // CHECK: q.requantize %{{.*}} <{max_calib_range = 5.110000e+00 : f32, min_calib_range = 0.000000e+00 : f32, out_type = #q<quant_dtype auto>}> : tensor<4x8x!quant.uniform<i32:f32, 1.000000e-04>> -> tensor<4x8x!quant.uniform<u8:f32, 2.000000e-02>>
  %6 = q.requantize %acc <{min_calib_range = 0.0 : f32, max_calib_range = 5.11 : f32, out_type = #q<quant_dtype auto>}> : tensor<4x8x!quant.uniform<i32:f32, 1.0e-4>> -> tensor<4x8x!quant.uniform<u8:f32, 0.02>>
  // CHECK: q.requantize %{{.*}} : tensor<4x8x!quant.any<i32:f32>> -> tensor<4x8x!quant.any<i8:f32>>
  %7 = q.requantize %dyn : tensor<4x8x!quant.any<i32:f32>> -> tensor<4x8x!quant.any<i8:f32>>
  // CHECK: q.dequantize %{{.*}} : tensor<4x8x!quant.any<i32:f32>>
  %8 = q.dequantize %dyn : tensor<4x8x!quant.any<i32:f32>>
  // CHECK: q.activation <relu> %{{.*}} : tensor<4x8x!quant.uniform<u8:f32, 1.000000e-02>>
  %9 = q.activation <relu> %1 : tensor<4x8x!quant.uniform<u8:f32, 0.01>>
  // CHECK: q.quantized_add %{{.*}}, %{{.*}} <{max_calib_range = 3.000000e+00 : f32, min_calib_range = 0.000000e+00 : f32}> : (tensor<4x8x!quant.uniform<u8:f32, 1.000000e-02>>, tensor<4x8x!quant.uniform<u8:f32, 1.000000e-02>>) -> tensor<4x8x!quant.uniform<u8:f32, 0.011741682974559686>>
  %10 = q.quantized_add %1, %1 <{min_calib_range = 0.0 : f32, max_calib_range = 3.0 : f32}> : (tensor<4x8x!quant.uniform<u8:f32, 0.01>>, tensor<4x8x!quant.uniform<u8:f32, 0.01>>) -> tensor<4x8x!quant.uniform<u8:f32, 0.011741682974559686>>
  // CHECK: q.quantized_add {{.*}} -> tensor<4x8x!quant.any<i32:f32>>
  %11 = q.quantized_add %1, %0 : (tensor<4x8x!quant.uniform<u8:f32, 0.01>>, tensor<4x8x!quant.uniform<i8:f32, 0.02>>) -> tensor<4x8x!quant.any<i32:f32>>
  "test.use"(%5, %8) : (tensor<4x8xf32>, tensor<4x8xf32>) -> ()
  return
}
