//===- FakeModel.cpp - Stand-in for a model's generated code --------------===//
//
// What the compiler will generate for the network of FakeModel.h, written
// by hand against libqrt. Variants (compile definitions):
//   FAKE_EXTERNAL_WEIGHTS  no __q_weights: the model needs a .params file
//   FAKE_BAD_INIT          the conv descriptor has a wrong ABI version, so
//                          init fails inside qrt
//   FAKE_SINGLE_OUTPUT     only fc0_output is an output (relu0_output goes
//                          to the arena)
// A NaN as the first input value makes the run call an op id that does not
// exist, so that the tests see a runtime failure come back.
//
//===----------------------------------------------------------------------===//

#include "FakeModel.h"

#include "qrt/qrt.h"

#include <cmath>
#include <cstddef>

using namespace fake;

// Not in an anonymous namespace: the blob below has external linkage.
namespace fake {

/// The embedded weights blob, each weight 64-byte aligned.
struct alignas(64) Blob {
  alignas(64) float convWeight[kConvWeights];
  alignas(64) float convBias[kChannels];
  alignas(64) float fcWeight[kFcWeights];
  alignas(64) float fcBias[kHidden];
};
// The manifest below spells these offsets out.
static_assert(offsetof(Blob, convBias) == 128, "manifest offsets");
static_assert(offsetof(Blob, fcWeight) == 192, "manifest offsets");
static_assert(offsetof(Blob, fcBias) == 576, "manifest offsets");

constexpr Blob makeBlob() {
  Blob blob{};
  for (int i = 0; i < kConvWeights; ++i)
    blob.convWeight[i] = fake::convWeight(i);
  for (int i = 0; i < kChannels; ++i)
    blob.convBias[i] = fake::convBias(i);
  for (int i = 0; i < kFcWeights; ++i)
    blob.fcWeight[i] = fake::fcWeight(i);
  for (int i = 0; i < kHidden; ++i)
    blob.fcBias[i] = fake::fcBias(i);
  return blob;
}

} // namespace fake

namespace {
enum { Conv, Relu, Fc, NumOps };
} // namespace

extern "C" {

#ifdef FAKE_SINGLE_OUTPUT
#define FAKE_OUTPUTS                                                           \
  R"json([{"name": "fc0_output", "dtype": "f32", "shape": [1, 3]}])json"
#define FAKE_ARENA "256"
#else
#define FAKE_OUTPUTS                                                           \
  R"json([{"name": "fc0_output", "dtype": "f32", "shape": [1, 3]}, )json"      \
  R"json({"name": "relu0_output", "dtype": "f32", "shape": [1, 2, 4, 4]}])json"
#define FAKE_ARENA "128"
#endif

// extern: a const at namespace scope would otherwise be internal.
extern const char __q_generated_manifest[] = R"json({
  "version": 1, "model": "fake", "num_ops": 3, "num_threads": 1,
  "arena_bytes": )json" FAKE_ARENA R"json(,
  "inputs": [{"name": "data", "dtype": "f32", "shape": [1, 1, 4, 4]}],
  "outputs": )json" FAKE_OUTPUTS R"json(,
  "weights": [
    {"name": "conv0_weight", "dtype": "f32", "shape": [2, 1, 3, 3],
     "offset": 0, "bytes": 72},
    {"name": "conv0_bias", "dtype": "f32", "shape": [2],
     "offset": 128, "bytes": 8},
    {"name": "fc0_weight", "dtype": "f32", "shape": [3, 32],
     "offset": 192, "bytes": 384},
    {"name": "fc0_bias", "dtype": "f32", "shape": [3],
     "offset": 576, "bytes": 12}]
})json";

#ifndef FAKE_EXTERNAL_WEIGHTS
// Named like the blob the compiler emits.
extern const Blob fakeBlob __asm__("__q_weights");
const Blob fakeBlob = makeBlob();
#endif

int32_t __q_generated_init(qrt_model *model, const void *const *weights) {
  qrt_conv_desc conv{};
  conv.abi_version = QRT_ABI_VERSION;
#ifdef FAKE_BAD_INIT
  conv.abi_version = QRT_ABI_VERSION + 100;
#endif
  conv.num_spatial = 2;
  conv.batch = 1;
  conv.in_channels = 1;
  conv.out_channels = kChannels;
  conv.groups = 1;
  for (int i = 0; i < 2; ++i) {
    conv.in_spatial[i] = conv.out_spatial[i] = kSize;
    conv.kernel[i] = 3;
    conv.strides[i] = conv.dilations[i] = 1;
    conv.pad_begin[i] = conv.pad_end[i] = 1;
  }
  conv.has_bias = 1;
  if (int32_t status =
          qrt_conv_init(model, Conv, &conv, weights[0], weights[1], nullptr))
    return status;

  qrt_activation_desc relu{};
  relu.abi_version = QRT_ABI_VERSION;
  relu.num_elements = kFcInputs;
  relu.act.kind = QRT_ELTWISE_RELU;
  if (int32_t status = qrt_activation_init(model, Relu, &relu))
    return status;

  qrt_fc_desc fc{};
  fc.abi_version = QRT_ABI_VERSION;
  fc.flatten = 1;
  fc.input.rank = 4;
  fc.input.dims[0] = 1;
  fc.input.dims[1] = kChannels;
  fc.input.dims[2] = fc.input.dims[3] = kSize;
  fc.num_hidden = kHidden;
  fc.has_bias = 1;
  return qrt_fc_init(model, Fc, &fc, weights[2], weights[3], nullptr);
}

int32_t __q_generated_run(qrt_model *model, qrt_exec *exec,
                          const void *const *inputs, void *const *outputs,
                          void *arena) {
  float *conv = static_cast<float *>(arena);
#ifdef FAKE_SINGLE_OUTPUT
  float *relu = conv + kFcInputs;
#else
  float *relu = static_cast<float *>(outputs[1]);
#endif
  if (int32_t status =
          qrt_conv_run(model, exec, Conv, inputs[0], nullptr, conv))
    return status;
  if (int32_t status = qrt_activation_run(model, exec, Relu, conv, relu))
    return status;
  const int32_t fcOp =
      std::isnan(static_cast<const float *>(inputs[0])[0]) ? 99 : Fc;
  return qrt_fc_run(model, exec, fcOp, relu, outputs[0]);
}

} // extern "C"
