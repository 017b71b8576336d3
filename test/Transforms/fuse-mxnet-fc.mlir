// The fully-connected rows of MXNet 1.9.1's tests/python/mkl/test_subgraph.py
// (reference section 6.1) under the fp32 rules of q-fuse (reference 4.3).
// Every case runs with flatten = true and false and, as in MXNet, with a
// bias and without one (no_bias). The data is 6.1's 4x3x24x24 and the FC
// has MXNet's 64 outputs. MXNet's sg_mkldnn_fully_connected is
// q.fused_fc and its with_eltwise attribute is `act`.
// RUN: q-opt %s --split-input-file --q-fuse --mlir-print-debuginfo=false | FileCheck %s

// test_single_fc (flatten): sg_mkldnn_fully_connected, no eltwise.
// CHECK-LABEL: func.func @single_fc(
// CHECK: %[[F:.*]] = q.fused_fc %arg0, %{{[^ ]*}} bias(%{{[^ ]*}}) : (tensor<4x3x24x24xf32>, tensor<64x1728xf32>, tensor<64xf32>) -> tensor<4x64xf32>
// CHECK-NEXT: return %[[F]]
func.func @single_fc(%x: tensor<4x3x24x24xf32>) -> tensor<4x64xf32> {
  %w = arith.constant dense<0.01> : tensor<64x1728xf32>
  %b = arith.constant dense<0.5> : tensor<64xf32>
  %0 = q.fully_connected %x, %w, %b : tensor<4x3x24x24xf32>, tensor<64x1728xf32>, tensor<64xf32>
  return %0 : tensor<4x64xf32>
}

// -----

// test_single_fc (flatten, no_bias): sg_mkldnn_fully_connected, no eltwise.
// CHECK-LABEL: func.func @single_fc_no_bias(
// CHECK: %[[F:.*]] = q.fused_fc %arg0, %{{[^ ]*}} : (tensor<4x3x24x24xf32>, tensor<64x1728xf32>) -> tensor<4x64xf32>
// CHECK-NEXT: return %[[F]]
func.func @single_fc_no_bias(%x: tensor<4x3x24x24xf32>) -> tensor<4x64xf32> {
  %w = arith.constant dense<0.01> : tensor<64x1728xf32>
  %0 = q.fully_connected %x, %w : tensor<4x3x24x24xf32>, tensor<64x1728xf32>
  return %0 : tensor<4x64xf32>
}

// -----

// test_single_fc (flatten=False): sg_mkldnn_fully_connected, no eltwise.
// CHECK-LABEL: func.func @single_fc_noflatten(
// CHECK: %[[F:.*]] = q.fused_fc %arg0, %{{[^ ]*}} bias(%{{[^ ]*}}) <{flatten = false}> : (tensor<4x3x24x24xf32>, tensor<64x24xf32>, tensor<64xf32>) -> tensor<4x3x24x64xf32>
// CHECK-NEXT: return %[[F]]
func.func @single_fc_noflatten(%x: tensor<4x3x24x24xf32>) -> tensor<4x3x24x64xf32> {
  %w = arith.constant dense<0.01> : tensor<64x24xf32>
  %b = arith.constant dense<0.5> : tensor<64xf32>
  %0 = q.fully_connected %x, %w, %b <{flatten = false}> : tensor<4x3x24x24xf32>, tensor<64x24xf32>, tensor<64xf32>
  return %0 : tensor<4x3x24x64xf32>
}

// -----

// test_single_fc (flatten=False, no_bias): sg_mkldnn_fully_connected, no eltwise.
// CHECK-LABEL: func.func @single_fc_noflatten_no_bias(
// CHECK: %[[F:.*]] = q.fused_fc %arg0, %{{[^ ]*}} <{flatten = false}> : (tensor<4x3x24x24xf32>, tensor<64x24xf32>) -> tensor<4x3x24x64xf32>
// CHECK-NEXT: return %[[F]]
func.func @single_fc_noflatten_no_bias(%x: tensor<4x3x24x24xf32>) -> tensor<4x3x24x64xf32> {
  %w = arith.constant dense<0.01> : tensor<64x24xf32>
  %0 = q.fully_connected %x, %w <{flatten = false}> : tensor<4x3x24x24xf32>, tensor<64x24xf32>
  return %0 : tensor<4x3x24x64xf32>
}

// -----

// test_fc_eltwise (flatten): with_eltwise for each of MXNet's ten
// functions (relu, sigmoid, tanh, softrelu, gelu, square, sqrt, abs, exp,
// clip(0, 1)), one chain each.
// CHECK-LABEL: func.func @fc_eltwise(
// CHECK: q.fused_fc %arg0, %{{[^ ]*}} bias(%{{[^ ]*}}) <{act = #q.eltwise<relu>}>
// CHECK: q.fused_fc %arg0, %{{[^ ]*}} bias(%{{[^ ]*}}) <{act = #q.eltwise<sigmoid>}>
// CHECK: q.fused_fc %arg0, %{{[^ ]*}} bias(%{{[^ ]*}}) <{act = #q.eltwise<tanh>}>
// CHECK: q.fused_fc %arg0, %{{[^ ]*}} bias(%{{[^ ]*}}) <{act = #q.eltwise<softrelu>}>
// CHECK: q.fused_fc %arg0, %{{[^ ]*}} bias(%{{[^ ]*}}) <{act = #q.eltwise<gelu>}>
// CHECK: q.fused_fc %arg0, %{{[^ ]*}} bias(%{{[^ ]*}}) <{act = #q.eltwise<square>}>
// CHECK: q.fused_fc %arg0, %{{[^ ]*}} bias(%{{[^ ]*}}) <{act = #q.eltwise<sqrt>}>
// CHECK: q.fused_fc %arg0, %{{[^ ]*}} bias(%{{[^ ]*}}) <{act = #q.eltwise<abs>}>
// CHECK: q.fused_fc %arg0, %{{[^ ]*}} bias(%{{[^ ]*}}) <{act = #q.eltwise<exp>}>
// CHECK: q.fused_fc %arg0, %{{[^ ]*}} bias(%{{[^ ]*}}) <{act = #q.eltwise<clip, 0.000000e+00, 1.000000e+00>}>
// CHECK-NOT: q.activation
func.func @fc_eltwise(%x: tensor<4x3x24x24xf32>) -> (tensor<4x64xf32>, tensor<4x64xf32>, tensor<4x64xf32>, tensor<4x64xf32>, tensor<4x64xf32>, tensor<4x64xf32>, tensor<4x64xf32>, tensor<4x64xf32>, tensor<4x64xf32>, tensor<4x64xf32>) {
  %w = arith.constant dense<0.01> : tensor<64x1728xf32>
  %b = arith.constant dense<0.5> : tensor<64xf32>
  %f0 = q.fully_connected %x, %w, %b : tensor<4x3x24x24xf32>, tensor<64x1728xf32>, tensor<64xf32>
  %a0 = q.activation <relu> %f0 : tensor<4x64xf32>
  %f1 = q.fully_connected %x, %w, %b : tensor<4x3x24x24xf32>, tensor<64x1728xf32>, tensor<64xf32>
  %a1 = q.activation <sigmoid> %f1 : tensor<4x64xf32>
  %f2 = q.fully_connected %x, %w, %b : tensor<4x3x24x24xf32>, tensor<64x1728xf32>, tensor<64xf32>
  %a2 = q.activation <tanh> %f2 : tensor<4x64xf32>
  %f3 = q.fully_connected %x, %w, %b : tensor<4x3x24x24xf32>, tensor<64x1728xf32>, tensor<64xf32>
  %a3 = q.activation <softrelu> %f3 : tensor<4x64xf32>
  %f4 = q.fully_connected %x, %w, %b : tensor<4x3x24x24xf32>, tensor<64x1728xf32>, tensor<64xf32>
  %a4 = q.activation <gelu> %f4 : tensor<4x64xf32>
  %f5 = q.fully_connected %x, %w, %b : tensor<4x3x24x24xf32>, tensor<64x1728xf32>, tensor<64xf32>
  %a5 = q.activation <square> %f5 : tensor<4x64xf32>
  %f6 = q.fully_connected %x, %w, %b : tensor<4x3x24x24xf32>, tensor<64x1728xf32>, tensor<64xf32>
  %a6 = q.activation <sqrt> %f6 : tensor<4x64xf32>
  %f7 = q.fully_connected %x, %w, %b : tensor<4x3x24x24xf32>, tensor<64x1728xf32>, tensor<64xf32>
  %a7 = q.activation <abs> %f7 : tensor<4x64xf32>
  %f8 = q.fully_connected %x, %w, %b : tensor<4x3x24x24xf32>, tensor<64x1728xf32>, tensor<64xf32>
  %a8 = q.activation <exp> %f8 : tensor<4x64xf32>
  %f9 = q.fully_connected %x, %w, %b : tensor<4x3x24x24xf32>, tensor<64x1728xf32>, tensor<64xf32>
  %a9 = q.activation <clip, 0.0, 1.0> %f9 : tensor<4x64xf32>
  return %a0, %a1, %a2, %a3, %a4, %a5, %a6, %a7, %a8, %a9 : tensor<4x64xf32>, tensor<4x64xf32>, tensor<4x64xf32>, tensor<4x64xf32>, tensor<4x64xf32>, tensor<4x64xf32>, tensor<4x64xf32>, tensor<4x64xf32>, tensor<4x64xf32>, tensor<4x64xf32>
}

// -----

// test_fc_eltwise (flatten, no_bias): with_eltwise for each of MXNet's ten
// functions (relu, sigmoid, tanh, softrelu, gelu, square, sqrt, abs, exp,
// clip(0, 1)), one chain each.
// CHECK-LABEL: func.func @fc_eltwise_no_bias(
// CHECK: q.fused_fc %arg0, %{{[^ ]*}} <{act = #q.eltwise<relu>}>
// CHECK: q.fused_fc %arg0, %{{[^ ]*}} <{act = #q.eltwise<sigmoid>}>
// CHECK: q.fused_fc %arg0, %{{[^ ]*}} <{act = #q.eltwise<tanh>}>
// CHECK: q.fused_fc %arg0, %{{[^ ]*}} <{act = #q.eltwise<softrelu>}>
// CHECK: q.fused_fc %arg0, %{{[^ ]*}} <{act = #q.eltwise<gelu>}>
// CHECK: q.fused_fc %arg0, %{{[^ ]*}} <{act = #q.eltwise<square>}>
// CHECK: q.fused_fc %arg0, %{{[^ ]*}} <{act = #q.eltwise<sqrt>}>
// CHECK: q.fused_fc %arg0, %{{[^ ]*}} <{act = #q.eltwise<abs>}>
// CHECK: q.fused_fc %arg0, %{{[^ ]*}} <{act = #q.eltwise<exp>}>
// CHECK: q.fused_fc %arg0, %{{[^ ]*}} <{act = #q.eltwise<clip, 0.000000e+00, 1.000000e+00>}>
// CHECK-NOT: q.activation
func.func @fc_eltwise_no_bias(%x: tensor<4x3x24x24xf32>) -> (tensor<4x64xf32>, tensor<4x64xf32>, tensor<4x64xf32>, tensor<4x64xf32>, tensor<4x64xf32>, tensor<4x64xf32>, tensor<4x64xf32>, tensor<4x64xf32>, tensor<4x64xf32>, tensor<4x64xf32>) {
  %w = arith.constant dense<0.01> : tensor<64x1728xf32>
  %f0 = q.fully_connected %x, %w : tensor<4x3x24x24xf32>, tensor<64x1728xf32>
  %a0 = q.activation <relu> %f0 : tensor<4x64xf32>
  %f1 = q.fully_connected %x, %w : tensor<4x3x24x24xf32>, tensor<64x1728xf32>
  %a1 = q.activation <sigmoid> %f1 : tensor<4x64xf32>
  %f2 = q.fully_connected %x, %w : tensor<4x3x24x24xf32>, tensor<64x1728xf32>
  %a2 = q.activation <tanh> %f2 : tensor<4x64xf32>
  %f3 = q.fully_connected %x, %w : tensor<4x3x24x24xf32>, tensor<64x1728xf32>
  %a3 = q.activation <softrelu> %f3 : tensor<4x64xf32>
  %f4 = q.fully_connected %x, %w : tensor<4x3x24x24xf32>, tensor<64x1728xf32>
  %a4 = q.activation <gelu> %f4 : tensor<4x64xf32>
  %f5 = q.fully_connected %x, %w : tensor<4x3x24x24xf32>, tensor<64x1728xf32>
  %a5 = q.activation <square> %f5 : tensor<4x64xf32>
  %f6 = q.fully_connected %x, %w : tensor<4x3x24x24xf32>, tensor<64x1728xf32>
  %a6 = q.activation <sqrt> %f6 : tensor<4x64xf32>
  %f7 = q.fully_connected %x, %w : tensor<4x3x24x24xf32>, tensor<64x1728xf32>
  %a7 = q.activation <abs> %f7 : tensor<4x64xf32>
  %f8 = q.fully_connected %x, %w : tensor<4x3x24x24xf32>, tensor<64x1728xf32>
  %a8 = q.activation <exp> %f8 : tensor<4x64xf32>
  %f9 = q.fully_connected %x, %w : tensor<4x3x24x24xf32>, tensor<64x1728xf32>
  %a9 = q.activation <clip, 0.0, 1.0> %f9 : tensor<4x64xf32>
  return %a0, %a1, %a2, %a3, %a4, %a5, %a6, %a7, %a8, %a9 : tensor<4x64xf32>, tensor<4x64xf32>, tensor<4x64xf32>, tensor<4x64xf32>, tensor<4x64xf32>, tensor<4x64xf32>, tensor<4x64xf32>, tensor<4x64xf32>, tensor<4x64xf32>, tensor<4x64xf32>
}

// -----

// test_fc_eltwise (flatten=False): with_eltwise for each of MXNet's ten
// functions (relu, sigmoid, tanh, softrelu, gelu, square, sqrt, abs, exp,
// clip(0, 1)), one chain each.
// CHECK-LABEL: func.func @fc_eltwise_noflatten(
// CHECK: q.fused_fc %arg0, %{{[^ ]*}} bias(%{{[^ ]*}}) <{act = #q.eltwise<relu>, flatten = false}>
// CHECK: q.fused_fc %arg0, %{{[^ ]*}} bias(%{{[^ ]*}}) <{act = #q.eltwise<sigmoid>, flatten = false}>
// CHECK: q.fused_fc %arg0, %{{[^ ]*}} bias(%{{[^ ]*}}) <{act = #q.eltwise<tanh>, flatten = false}>
// CHECK: q.fused_fc %arg0, %{{[^ ]*}} bias(%{{[^ ]*}}) <{act = #q.eltwise<softrelu>, flatten = false}>
// CHECK: q.fused_fc %arg0, %{{[^ ]*}} bias(%{{[^ ]*}}) <{act = #q.eltwise<gelu>, flatten = false}>
// CHECK: q.fused_fc %arg0, %{{[^ ]*}} bias(%{{[^ ]*}}) <{act = #q.eltwise<square>, flatten = false}>
// CHECK: q.fused_fc %arg0, %{{[^ ]*}} bias(%{{[^ ]*}}) <{act = #q.eltwise<sqrt>, flatten = false}>
// CHECK: q.fused_fc %arg0, %{{[^ ]*}} bias(%{{[^ ]*}}) <{act = #q.eltwise<abs>, flatten = false}>
// CHECK: q.fused_fc %arg0, %{{[^ ]*}} bias(%{{[^ ]*}}) <{act = #q.eltwise<exp>, flatten = false}>
// CHECK: q.fused_fc %arg0, %{{[^ ]*}} bias(%{{[^ ]*}}) <{act = #q.eltwise<clip, 0.000000e+00, 1.000000e+00>, flatten = false}>
// CHECK-NOT: q.activation
func.func @fc_eltwise_noflatten(%x: tensor<4x3x24x24xf32>) -> (tensor<4x3x24x64xf32>, tensor<4x3x24x64xf32>, tensor<4x3x24x64xf32>, tensor<4x3x24x64xf32>, tensor<4x3x24x64xf32>, tensor<4x3x24x64xf32>, tensor<4x3x24x64xf32>, tensor<4x3x24x64xf32>, tensor<4x3x24x64xf32>, tensor<4x3x24x64xf32>) {
  %w = arith.constant dense<0.01> : tensor<64x24xf32>
  %b = arith.constant dense<0.5> : tensor<64xf32>
  %f0 = q.fully_connected %x, %w, %b <{flatten = false}> : tensor<4x3x24x24xf32>, tensor<64x24xf32>, tensor<64xf32>
  %a0 = q.activation <relu> %f0 : tensor<4x3x24x64xf32>
  %f1 = q.fully_connected %x, %w, %b <{flatten = false}> : tensor<4x3x24x24xf32>, tensor<64x24xf32>, tensor<64xf32>
  %a1 = q.activation <sigmoid> %f1 : tensor<4x3x24x64xf32>
  %f2 = q.fully_connected %x, %w, %b <{flatten = false}> : tensor<4x3x24x24xf32>, tensor<64x24xf32>, tensor<64xf32>
  %a2 = q.activation <tanh> %f2 : tensor<4x3x24x64xf32>
  %f3 = q.fully_connected %x, %w, %b <{flatten = false}> : tensor<4x3x24x24xf32>, tensor<64x24xf32>, tensor<64xf32>
  %a3 = q.activation <softrelu> %f3 : tensor<4x3x24x64xf32>
  %f4 = q.fully_connected %x, %w, %b <{flatten = false}> : tensor<4x3x24x24xf32>, tensor<64x24xf32>, tensor<64xf32>
  %a4 = q.activation <gelu> %f4 : tensor<4x3x24x64xf32>
  %f5 = q.fully_connected %x, %w, %b <{flatten = false}> : tensor<4x3x24x24xf32>, tensor<64x24xf32>, tensor<64xf32>
  %a5 = q.activation <square> %f5 : tensor<4x3x24x64xf32>
  %f6 = q.fully_connected %x, %w, %b <{flatten = false}> : tensor<4x3x24x24xf32>, tensor<64x24xf32>, tensor<64xf32>
  %a6 = q.activation <sqrt> %f6 : tensor<4x3x24x64xf32>
  %f7 = q.fully_connected %x, %w, %b <{flatten = false}> : tensor<4x3x24x24xf32>, tensor<64x24xf32>, tensor<64xf32>
  %a7 = q.activation <abs> %f7 : tensor<4x3x24x64xf32>
  %f8 = q.fully_connected %x, %w, %b <{flatten = false}> : tensor<4x3x24x24xf32>, tensor<64x24xf32>, tensor<64xf32>
  %a8 = q.activation <exp> %f8 : tensor<4x3x24x64xf32>
  %f9 = q.fully_connected %x, %w, %b <{flatten = false}> : tensor<4x3x24x24xf32>, tensor<64x24xf32>, tensor<64xf32>
  %a9 = q.activation <clip, 0.0, 1.0> %f9 : tensor<4x3x24x64xf32>
  return %a0, %a1, %a2, %a3, %a4, %a5, %a6, %a7, %a8, %a9 : tensor<4x3x24x64xf32>, tensor<4x3x24x64xf32>, tensor<4x3x24x64xf32>, tensor<4x3x24x64xf32>, tensor<4x3x24x64xf32>, tensor<4x3x24x64xf32>, tensor<4x3x24x64xf32>, tensor<4x3x24x64xf32>, tensor<4x3x24x64xf32>, tensor<4x3x24x64xf32>
}

// -----

// test_fc_eltwise (flatten=False, no_bias): with_eltwise for each of MXNet's ten
// functions (relu, sigmoid, tanh, softrelu, gelu, square, sqrt, abs, exp,
// clip(0, 1)), one chain each.
// CHECK-LABEL: func.func @fc_eltwise_noflatten_no_bias(
// CHECK: q.fused_fc %arg0, %{{[^ ]*}} <{act = #q.eltwise<relu>, flatten = false}>
// CHECK: q.fused_fc %arg0, %{{[^ ]*}} <{act = #q.eltwise<sigmoid>, flatten = false}>
// CHECK: q.fused_fc %arg0, %{{[^ ]*}} <{act = #q.eltwise<tanh>, flatten = false}>
// CHECK: q.fused_fc %arg0, %{{[^ ]*}} <{act = #q.eltwise<softrelu>, flatten = false}>
// CHECK: q.fused_fc %arg0, %{{[^ ]*}} <{act = #q.eltwise<gelu>, flatten = false}>
// CHECK: q.fused_fc %arg0, %{{[^ ]*}} <{act = #q.eltwise<square>, flatten = false}>
// CHECK: q.fused_fc %arg0, %{{[^ ]*}} <{act = #q.eltwise<sqrt>, flatten = false}>
// CHECK: q.fused_fc %arg0, %{{[^ ]*}} <{act = #q.eltwise<abs>, flatten = false}>
// CHECK: q.fused_fc %arg0, %{{[^ ]*}} <{act = #q.eltwise<exp>, flatten = false}>
// CHECK: q.fused_fc %arg0, %{{[^ ]*}} <{act = #q.eltwise<clip, 0.000000e+00, 1.000000e+00>, flatten = false}>
// CHECK-NOT: q.activation
func.func @fc_eltwise_noflatten_no_bias(%x: tensor<4x3x24x24xf32>) -> (tensor<4x3x24x64xf32>, tensor<4x3x24x64xf32>, tensor<4x3x24x64xf32>, tensor<4x3x24x64xf32>, tensor<4x3x24x64xf32>, tensor<4x3x24x64xf32>, tensor<4x3x24x64xf32>, tensor<4x3x24x64xf32>, tensor<4x3x24x64xf32>, tensor<4x3x24x64xf32>) {
  %w = arith.constant dense<0.01> : tensor<64x24xf32>
  %f0 = q.fully_connected %x, %w <{flatten = false}> : tensor<4x3x24x24xf32>, tensor<64x24xf32>
  %a0 = q.activation <relu> %f0 : tensor<4x3x24x64xf32>
  %f1 = q.fully_connected %x, %w <{flatten = false}> : tensor<4x3x24x24xf32>, tensor<64x24xf32>
  %a1 = q.activation <sigmoid> %f1 : tensor<4x3x24x64xf32>
  %f2 = q.fully_connected %x, %w <{flatten = false}> : tensor<4x3x24x24xf32>, tensor<64x24xf32>
  %a2 = q.activation <tanh> %f2 : tensor<4x3x24x64xf32>
  %f3 = q.fully_connected %x, %w <{flatten = false}> : tensor<4x3x24x24xf32>, tensor<64x24xf32>
  %a3 = q.activation <softrelu> %f3 : tensor<4x3x24x64xf32>
  %f4 = q.fully_connected %x, %w <{flatten = false}> : tensor<4x3x24x24xf32>, tensor<64x24xf32>
  %a4 = q.activation <gelu> %f4 : tensor<4x3x24x64xf32>
  %f5 = q.fully_connected %x, %w <{flatten = false}> : tensor<4x3x24x24xf32>, tensor<64x24xf32>
  %a5 = q.activation <square> %f5 : tensor<4x3x24x64xf32>
  %f6 = q.fully_connected %x, %w <{flatten = false}> : tensor<4x3x24x24xf32>, tensor<64x24xf32>
  %a6 = q.activation <sqrt> %f6 : tensor<4x3x24x64xf32>
  %f7 = q.fully_connected %x, %w <{flatten = false}> : tensor<4x3x24x24xf32>, tensor<64x24xf32>
  %a7 = q.activation <abs> %f7 : tensor<4x3x24x64xf32>
  %f8 = q.fully_connected %x, %w <{flatten = false}> : tensor<4x3x24x24xf32>, tensor<64x24xf32>
  %a8 = q.activation <exp> %f8 : tensor<4x3x24x64xf32>
  %f9 = q.fully_connected %x, %w <{flatten = false}> : tensor<4x3x24x24xf32>, tensor<64x24xf32>
  %a9 = q.activation <clip, 0.0, 1.0> %f9 : tensor<4x3x24x64xf32>
  return %a0, %a1, %a2, %a3, %a4, %a5, %a6, %a7, %a8, %a9 : tensor<4x3x24x64xf32>, tensor<4x3x24x64xf32>, tensor<4x3x24x64xf32>, tensor<4x3x24x64xf32>, tensor<4x3x24x64xf32>, tensor<4x3x24x64xf32>, tensor<4x3x24x64xf32>, tensor<4x3x24x64xf32>, tensor<4x3x24x64xf32>, tensor<4x3x24x64xf32>
}

// -----

// test_fc_eltwise_identity (flatten): FC -> Dropout -> relu, twice. Dropout
// is the identity at inference and folds away (MXNet's identity property
// removes it), so both FCs get with_eltwise. The `_copy` variant is in
// fuse-mxnet-identity.test, since the importer drops `_copy` itself.
// CHECK-LABEL: func.func @fc_eltwise_identity(
// CHECK: %[[F1:.*]] = q.fused_fc %arg0, %{{[^ ]*}} <{act = #q.eltwise<relu>}>
// CHECK: %[[F2:.*]] = q.fused_fc %[[F1]], %{{[^ ]*}} <{act = #q.eltwise<relu>}>
// CHECK-NEXT: return %[[F2]]
// CHECK-NOT: q.dropout
func.func @fc_eltwise_identity(%x: tensor<4x3x24x24xf32>) -> tensor<4x64xf32> {
  %w1 = arith.constant dense<0.01> : tensor<64x1728xf32>
  %w2 = arith.constant dense<0.02> : tensor<64x64xf32>
  %f1 = q.fully_connected %x, %w1 : tensor<4x3x24x24xf32>, tensor<64x1728xf32>
  %d1 = q.dropout %f1 : tensor<4x64xf32>
  %r1 = q.activation <relu> %d1 : tensor<4x64xf32>
  %f2 = q.fully_connected %r1, %w2 : tensor<4x64xf32>, tensor<64x64xf32>
  %d2 = q.dropout %f2 <{p = 0.25 : f64}> : tensor<4x64xf32>
  %r2 = q.activation <relu> %d2 : tensor<4x64xf32>
  return %r2 : tensor<4x64xf32>
}

// -----

// test_fc_eltwise_identity (flatten=False): FC -> Dropout -> relu, twice. Dropout
// is the identity at inference and folds away (MXNet's identity property
// removes it), so both FCs get with_eltwise. The `_copy` variant is in
// fuse-mxnet-identity.test, since the importer drops `_copy` itself.
// CHECK-LABEL: func.func @fc_eltwise_identity_noflatten(
// CHECK: %[[F1:.*]] = q.fused_fc %arg0, %{{[^ ]*}} <{act = #q.eltwise<relu>, flatten = false}>
// CHECK: %[[F2:.*]] = q.fused_fc %[[F1]], %{{[^ ]*}} <{act = #q.eltwise<relu>, flatten = false}>
// CHECK-NEXT: return %[[F2]]
// CHECK-NOT: q.dropout
func.func @fc_eltwise_identity_noflatten(%x: tensor<4x3x24x24xf32>) -> tensor<4x3x24x64xf32> {
  %w1 = arith.constant dense<0.01> : tensor<64x24xf32>
  %w2 = arith.constant dense<0.02> : tensor<64x64xf32>
  %f1 = q.fully_connected %x, %w1 <{flatten = false}> : tensor<4x3x24x24xf32>, tensor<64x24xf32>
  %d1 = q.dropout %f1 : tensor<4x3x24x64xf32>
  %r1 = q.activation <relu> %d1 : tensor<4x3x24x64xf32>
  %f2 = q.fully_connected %r1, %w2 <{flatten = false}> : tensor<4x3x24x64xf32>, tensor<64x64xf32>
  %d2 = q.dropout %f2 <{p = 0.25 : f64}> : tensor<4x3x24x64xf32>
  %r2 = q.activation <relu> %d2 : tensor<4x3x24x64xf32>
  return %r2 : tensor<4x3x24x64xf32>
}

// -----

// test_neg_fc_relu (flatten): FC -> relu and FC -> sigmoid. The FC
// has two consumers, so neither is fused.
// CHECK-LABEL: func.func @neg_fc_relu(
// CHECK: %[[F:.*]] = q.fused_fc %arg0, %{{[^ ]*}} bias(%{{[^ ]*}}) : (
// CHECK: q.activation <relu> %[[F]]
// CHECK: q.activation <sigmoid> %[[F]]
func.func @neg_fc_relu(%x: tensor<4x3x24x24xf32>) -> (tensor<4x64xf32>, tensor<4x64xf32>) {
  %w = arith.constant dense<0.01> : tensor<64x1728xf32>
  %b = arith.constant dense<0.5> : tensor<64xf32>
  %f = q.fully_connected %x, %w, %b : tensor<4x3x24x24xf32>, tensor<64x1728xf32>, tensor<64xf32>
  %r = q.activation <relu> %f : tensor<4x64xf32>
  %s = q.activation <sigmoid> %f : tensor<4x64xf32>
  return %r, %s : tensor<4x64xf32>, tensor<4x64xf32>
}

// -----

// test_neg_fc_relu (flatten, no_bias): FC -> relu and FC -> sigmoid. The FC
// has two consumers, so neither is fused.
// CHECK-LABEL: func.func @neg_fc_relu_no_bias(
// CHECK: %[[F:.*]] = q.fused_fc %arg0, %{{[^ ]*}} : (
// CHECK: q.activation <relu> %[[F]]
// CHECK: q.activation <sigmoid> %[[F]]
func.func @neg_fc_relu_no_bias(%x: tensor<4x3x24x24xf32>) -> (tensor<4x64xf32>, tensor<4x64xf32>) {
  %w = arith.constant dense<0.01> : tensor<64x1728xf32>
  %f = q.fully_connected %x, %w : tensor<4x3x24x24xf32>, tensor<64x1728xf32>
  %r = q.activation <relu> %f : tensor<4x64xf32>
  %s = q.activation <sigmoid> %f : tensor<4x64xf32>
  return %r, %s : tensor<4x64xf32>, tensor<4x64xf32>
}

// -----

// test_neg_fc_relu (flatten=False): FC -> relu and FC -> sigmoid. The FC
// has two consumers, so neither is fused.
// CHECK-LABEL: func.func @neg_fc_relu_noflatten(
// CHECK: %[[F:.*]] = q.fused_fc %arg0, %{{[^ ]*}} bias(%{{[^ ]*}}) <{flatten = false}> : (
// CHECK: q.activation <relu> %[[F]]
// CHECK: q.activation <sigmoid> %[[F]]
func.func @neg_fc_relu_noflatten(%x: tensor<4x3x24x24xf32>) -> (tensor<4x3x24x64xf32>, tensor<4x3x24x64xf32>) {
  %w = arith.constant dense<0.01> : tensor<64x24xf32>
  %b = arith.constant dense<0.5> : tensor<64xf32>
  %f = q.fully_connected %x, %w, %b <{flatten = false}> : tensor<4x3x24x24xf32>, tensor<64x24xf32>, tensor<64xf32>
  %r = q.activation <relu> %f : tensor<4x3x24x64xf32>
  %s = q.activation <sigmoid> %f : tensor<4x3x24x64xf32>
  return %r, %s : tensor<4x3x24x64xf32>, tensor<4x3x24x64xf32>
}

// -----

// test_neg_fc_relu (flatten=False, no_bias): FC -> relu and FC -> sigmoid. The FC
// has two consumers, so neither is fused.
// CHECK-LABEL: func.func @neg_fc_relu_noflatten_no_bias(
// CHECK: %[[F:.*]] = q.fused_fc %arg0, %{{[^ ]*}} <{flatten = false}> : (
// CHECK: q.activation <relu> %[[F]]
// CHECK: q.activation <sigmoid> %[[F]]
func.func @neg_fc_relu_noflatten_no_bias(%x: tensor<4x3x24x24xf32>) -> (tensor<4x3x24x64xf32>, tensor<4x3x24x64xf32>) {
  %w = arith.constant dense<0.01> : tensor<64x24xf32>
  %f = q.fully_connected %x, %w <{flatten = false}> : tensor<4x3x24x24xf32>, tensor<64x24xf32>
  %r = q.activation <relu> %f : tensor<4x3x24x64xf32>
  %s = q.activation <sigmoid> %f : tensor<4x3x24x64xf32>
  return %r, %s : tensor<4x3x24x64xf32>, tensor<4x3x24x64xf32>
}

// -----

// Element-wise functions MXNet's FC selector does not take: softsign, selu
// and clip with a non-zero lower bound stay separate ops. elu (a LeakyReLU
// act_type) is taken.
// CHECK-LABEL: func.func @fc_eltwise_not_fused(
// CHECK: %[[F0:.*]] = q.fused_fc %arg0, %{{[^ ]*}} :
// CHECK: q.activation <softsign> %[[F0]]
// CHECK: %[[F1:.*]] = q.fused_fc %arg0, %{{[^ ]*}} :
// CHECK: q.activation <selu> %[[F1]]
// CHECK: %[[F2:.*]] = q.fused_fc %arg0, %{{[^ ]*}} :
// CHECK: q.activation <clip, -1.000000e+00, 1.000000e+00> %[[F2]]
// CHECK: q.fused_fc %arg0, %{{[^ ]*}} <{act = #q.eltwise<elu, 1.000000e+00>}>
func.func @fc_eltwise_not_fused(%x: tensor<4x3x24x24xf32>) -> (tensor<4x64xf32>, tensor<4x64xf32>, tensor<4x64xf32>, tensor<4x64xf32>) {
  %w = arith.constant dense<0.01> : tensor<64x1728xf32>
  %f0 = q.fully_connected %x, %w : tensor<4x3x24x24xf32>, tensor<64x1728xf32>
  %a0 = q.activation <softsign> %f0 : tensor<4x64xf32>
  %f1 = q.fully_connected %x, %w : tensor<4x3x24x24xf32>, tensor<64x1728xf32>
  %a1 = q.activation <selu> %f1 : tensor<4x64xf32>
  %f2 = q.fully_connected %x, %w : tensor<4x3x24x24xf32>, tensor<64x1728xf32>
  %a2 = q.activation <clip, -1.0, 1.0> %f2 : tensor<4x64xf32>
  %f3 = q.fully_connected %x, %w : tensor<4x3x24x24xf32>, tensor<64x1728xf32>
  %a3 = q.activation <elu, 1.0> %f3 : tensor<4x64xf32>
  return %a0, %a1, %a2, %a3 : tensor<4x64xf32>, tensor<4x64xf32>, tensor<4x64xf32>, tensor<4x64xf32>
}
