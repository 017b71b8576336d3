// The oneDNN lowering refuses a layout plan its kernels cannot run (the
// module was edited after q-assign-layouts, or written by hand): a model
// that read channels-last bytes as NCHW would be silently wrong.
// RUN: q-opt %s --split-input-file --q-lower-to-onednn --verify-diagnostics

func.func @main(%x: tensor<1x4x6x6xf32>) -> tensor<1x4x6x6xf32> {
  %w = arith.constant dense<1.0> : tensor<4x4x3x3xf32>
  %0 = q.convolution %x, %w <{pads = array<i64: 1, 1, 1, 1>}> {q.layout = #q<layout nhwc>} : tensor<1x4x6x6xf32>, tensor<4x4x3x3xf32>
  // expected-error @below {{'q.softmax' op reads a channels-last value but runs on nchw only}}
  %1 = q.softmax %0 <{axis = 1 : i64}> : tensor<1x4x6x6xf32>
  return %1 : tensor<1x4x6x6xf32>
}

// -----

func.func @main(%x: tensor<1x4x6x6xf32>) -> tensor<1x4x6x6xf32> {
  %w = arith.constant dense<1.0> : tensor<4x4x3x3xf32>
  %0 = q.convolution %x, %w <{pads = array<i64: 1, 1, 1, 1>}> {q.layout = #q<layout nhwc>} : tensor<1x4x6x6xf32>, tensor<4x4x3x3xf32>
  // expected-error @below {{'q.add' op mixes layouts: its activations must all be nchw or all nhwc}}
  %1 = q.add %0, %x : tensor<1x4x6x6xf32>, tensor<1x4x6x6xf32>
  return %1 : tensor<1x4x6x6xf32>
}

// -----

func.func @main(%x: tensor<1x4x6x6xf32>) -> tensor<1x4x6x6xf32> {
  %w = arith.constant dense<1.0> : tensor<4x4x3x3xf32>
  %0 = q.convolution %x, %w <{pads = array<i64: 1, 1, 1, 1>}> {q.layout = #q<layout nhwc>} : tensor<1x4x6x6xf32>, tensor<4x4x3x3xf32>
  // expected-error @below {{'func.return' op reads a channels-last value but runs on nchw only}}
  return %0 : tensor<1x4x6x6xf32>
}

// -----

func.func @main(%x: tensor<1x4x6x6xf32>) -> tensor<1x4x6x6xf32> {
  // expected-error @below {{'q.softmax' op has a q.layout but cannot run channels last}}
  %0 = q.softmax %x <{axis = 1 : i64}> {q.layout = #q<layout nhwc>} : tensor<1x4x6x6xf32>
  return %0 : tensor<1x4x6x6xf32>
}

// -----

// A kernel generated channels last reads NHWC bytes only.
llvm.func @k(%args: !llvm.ptr, %begin: i64, %end: i64) {
  llvm.return
}
func.func @main(%x: tensor<1x16x4x4xf32>) -> tensor<1x16x4x4xf32> {
  // expected-error @below {{'q.kernel_call' op runs nhwc only, but its activations are planned otherwise}}
  %0 = q.kernel_call @k(%x) <{channels_last, num_tiles = 1 : i64}> : (tensor<1x16x4x4xf32>) -> tensor<1x16x4x4xf32>
  return %0 : tensor<1x16x4x4xf32>
}
