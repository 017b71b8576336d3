// q-raw-inputs refuses bad specs with one line naming the spec.
// RUN: not q-opt %s --q-raw-inputs="inputs=foo:u8" 2>&1 | FileCheck %s --check-prefix=NAME
// NAME: error: q-raw-inputs: foo:u8: the model has no input 'foo'; its inputs: data, label
// RUN: not q-opt %s --q-raw-inputs="inputs=data:u9" 2>&1 | FileCheck %s --check-prefix=TYPE
// TYPE: error: q-raw-inputs: data:u9: 'u9' is not an input type; expected u8 (uint8) or i8 (int8)
// RUN: not q-opt %s --q-raw-inputs="inputs=data:i8" 2>&1 | FileCheck %s --check-prefix=STEP
// STEP: error: q-raw-inputs: data:i8: i8 data need step=S, the real value of one integer step (real = S * x), e.g. step=0.0078125
// RUN: not q-opt %s --q-raw-inputs="inputs=data:i8:step=-1" 2>&1 | FileCheck %s --check-prefix=NEG
// NEG: error: q-raw-inputs: data:i8:step=-1: step=-1: expected a number > 0
// RUN: not q-opt %s --q-raw-inputs="inputs=label:u8:nhwc" 2>&1 | FileCheck %s --check-prefix=RANK
// RANK: error: q-raw-inputs: label:u8:nhwc: input 'label' has shape 1x10; nhwc needs a 4-D (image) input
// RUN: not q-opt %s --q-raw-inputs="inputs=data:u8:chw" 2>&1 | FileCheck %s --check-prefix=LAYOUT
// LAYOUT: error: q-raw-inputs: data:u8:chw: 'chw': expected nhwc, nchw or step=S

func.func @main(%x: tensor<1x3x2x2xf32> {q.name = "data"}, %y: tensor<1x10xf32> {q.name = "label"}) -> tensor<1x3x2x2xf32> {
  return %x : tensor<1x3x2x2xf32>
}
