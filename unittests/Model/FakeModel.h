//===- FakeModel.h - A hand-written stand-in for generated code -*- C++ -*-===//
//
// FakeModel.cpp implements the symbols the compiler generates for a model
// (__q_generated_init/run/manifest, __q_weights) by calling libqrt directly,
// for a tiny network:
//
//   data f32 [1,1,4,4] -> conv 3x3 pad 1, 2 filters, bias (into the arena)
//     -> relu -> relu0_output f32 [1,2,4,4]
//     -> fc 3 + bias -> fc0_output f32 [1,3]
//
// Outputs are listed fc0_output first. The weights follow the formulas
// below, so the tests can compute the expected result themselves.
//
//===----------------------------------------------------------------------===//

#ifndef Q_UNITTESTS_MODEL_FAKEMODEL_H
#define Q_UNITTESTS_MODEL_FAKEMODEL_H

#include <cstdint>
#include <vector>

namespace fake {

constexpr int kChannels = 2, kSize = 4, kHidden = 3;
constexpr int kConvWeights = kChannels * 9;
constexpr int kFcInputs = kChannels * kSize * kSize;
constexpr int kFcWeights = kHidden * kFcInputs;

// Small multiples of 1/8: exact in f32, mixed signs so relu matters.
constexpr float convWeight(int i) { return float((i * 7) % 11 - 5) / 8; }
constexpr float convBias(int i) { return float(i) / 4 - 0.125f; }
constexpr float fcWeight(int i) { return float((i * 5) % 9 - 4) / 8; }
constexpr float fcBias(int i) { return float(i) - 1; }

/// The weights in manifest order: conv0_weight [2,1,3,3], conv0_bias [2],
/// fc0_weight [3,32], fc0_bias [3].
struct Weights {
  std::vector<float> convWeight, convBias, fcWeight, fcBias;
};

inline Weights defaultWeights() {
  Weights w;
  for (int i = 0; i < kConvWeights; ++i)
    w.convWeight.push_back(convWeight(i));
  for (int i = 0; i < kChannels; ++i)
    w.convBias.push_back(convBias(i));
  for (int i = 0; i < kFcWeights; ++i)
    w.fcWeight.push_back(fcWeight(i));
  for (int i = 0; i < kHidden; ++i)
    w.fcBias.push_back(fcBias(i));
  return w;
}

/// The network in plain loops (double accumulation): fills relu (32) and
/// fc (3) for one 4x4 image.
inline void reference(const float *image, const Weights &w,
                      std::vector<float> &relu, std::vector<float> &fc) {
  relu.assign(kFcInputs, 0);
  for (int o = 0; o < kChannels; ++o)
    for (int y = 0; y < kSize; ++y)
      for (int x = 0; x < kSize; ++x) {
        double sum = w.convBias[o];
        for (int ky = 0; ky < 3; ++ky)
          for (int kx = 0; kx < 3; ++kx) {
            const int iy = y + ky - 1, ix = x + kx - 1;
            if (iy >= 0 && iy < kSize && ix >= 0 && ix < kSize)
              sum += double(w.convWeight[o * 9 + ky * 3 + kx]) *
                     image[iy * kSize + ix];
          }
        relu[(o * kSize + y) * kSize + x] = sum > 0 ? float(sum) : 0.f;
      }
  fc.assign(kHidden, 0);
  for (int h = 0; h < kHidden; ++h) {
    double sum = w.fcBias[h];
    for (int k = 0; k < kFcInputs; ++k)
      sum += double(w.fcWeight[h * kFcInputs + k]) * relu[k];
    fc[h] = float(sum);
  }
}

} // namespace fake

#endif // Q_UNITTESTS_MODEL_FAKEMODEL_H
