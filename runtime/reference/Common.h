//===- Common.h - Helpers shared by the reference kernels -------*- C++ -*-===//
//
// Internal to qrt_reference: shape checks and the geometry that lets one
// 3-D loop nest serve 1-D, 2-D and 3-D convolution and pooling (lower ranks
// get leading spatial dims of size 1 with kernel 1, stride 1, no padding).
//
//===----------------------------------------------------------------------===//

#ifndef QRT_REFERENCE_COMMON_H
#define QRT_REFERENCE_COMMON_H

#include "qrt/reference.h"

#include <limits>
#include <sstream>

namespace qrt {
namespace ref {
namespace detail {

/// Concatenates the arguments' stream representations into an error Status.
template <typename... Args> Status fail(const Args &...args) {
  std::ostringstream stream;
  (stream << ... << args);
  return Status::error(stream.str());
}

/// Checks that a required operand has data and a valid (non-negative) shape.
Status checkOperand(const char *kernel, const char *name, const void *data,
                    const Shape &shape);

/// Checks that `output` has data and exactly the shape `expected`.
Status checkOutput(const char *kernel, const void *data, const Shape &actual,
                   const Shape &expected);

/// Resolves a possibly negative axis against `rank`.
Status normalizeAxis(const char *kernel, int64_t axis, int64_t rank,
                     int64_t &normalized);

/// Checks a per-tensor or per-channel scale vector and returns the number of
/// elements sharing one scale (`inner`) and the channel count (`channels`),
/// so that element i uses scales[(i / inner) % channels].
Status checkScales(const char *kernel, const std::vector<float> &scales,
                   const Shape &shape, int64_t axis, int64_t &inner,
                   int64_t &channels);

/// Narrows an exact int64 accumulator to int32, counting clamped values.
inline int32_t saturateToInt32(int64_t value, int64_t &numSaturated) {
  constexpr int64_t lo = std::numeric_limits<int32_t>::min();
  constexpr int64_t hi = std::numeric_limits<int32_t>::max();
  if (value < lo || value > hi) {
    ++numSaturated;
    return static_cast<int32_t>(value < lo ? lo : hi);
  }
  return static_cast<int32_t>(value);
}

/// Row-major strides of a shape.
std::vector<int64_t> stridesOf(const Shape &shape);

constexpr int kMaxSpatial = 3;

/// Convolution shapes normalized to three spatial dims (depth, height,
/// width).
struct ConvGeometry {
  int64_t batch = 0, inChannels = 0, outChannels = 0, groups = 1;
  int64_t in[kMaxSpatial], kernel[kMaxSpatial], out[kMaxSpatial];
  int64_t stride[kMaxSpatial], dilation[kMaxSpatial], padBegin[kMaxSpatial];
  Shape outputShape;
};

Status makeConvGeometry(const char *kernel, const Shape &input,
                        const Shape &weight, const ConvParams &params,
                        ConvGeometry &geometry);

/// Direct convolution: for each output element computes the sum of products
/// in type Acc and hands (flat output index, output channel, sum) to `emit`.
template <typename Acc, typename Src, typename Wei, typename Emit>
void convolve(const ConvGeometry &g, const Src *input, const Wei *weight,
              Emit emit) {
  const int64_t inPerGroup = g.inChannels / g.groups;
  const int64_t outPerGroup = g.outChannels / g.groups;
  const int64_t inSpatial = g.in[0] * g.in[1] * g.in[2];
  const int64_t kernelSpatial = g.kernel[0] * g.kernel[1] * g.kernel[2];
  int64_t outIndex = 0;
  for (int64_t n = 0; n < g.batch; ++n)
    for (int64_t oc = 0; oc < g.outChannels; ++oc)
      for (int64_t od = 0; od < g.out[0]; ++od)
        for (int64_t oh = 0; oh < g.out[1]; ++oh)
          for (int64_t ow = 0; ow < g.out[2]; ++ow, ++outIndex) {
            const int64_t group = oc / outPerGroup;
            Acc sum = 0;
            for (int64_t icg = 0; icg < inPerGroup; ++icg) {
              const int64_t ic = group * inPerGroup + icg;
              const Src *plane = input + (n * g.inChannels + ic) * inSpatial;
              const Wei *filter =
                  weight + (oc * inPerGroup + icg) * kernelSpatial;
              for (int64_t kd = 0; kd < g.kernel[0]; ++kd) {
                const int64_t id =
                    od * g.stride[0] - g.padBegin[0] + kd * g.dilation[0];
                if (id < 0 || id >= g.in[0])
                  continue; // zero padding contributes nothing
                for (int64_t kh = 0; kh < g.kernel[1]; ++kh) {
                  const int64_t ih =
                      oh * g.stride[1] - g.padBegin[1] + kh * g.dilation[1];
                  if (ih < 0 || ih >= g.in[1])
                    continue;
                  for (int64_t kw = 0; kw < g.kernel[2]; ++kw) {
                    const int64_t iw =
                        ow * g.stride[2] - g.padBegin[2] + kw * g.dilation[2];
                    if (iw < 0 || iw >= g.in[2])
                      continue;
                    const Src x = plane[(id * g.in[1] + ih) * g.in[2] + iw];
                    const Wei w =
                        filter[(kd * g.kernel[1] + kh) * g.kernel[2] + kw];
                    sum += static_cast<Acc>(x) * static_cast<Acc>(w);
                  }
                }
              }
            }
            emit(outIndex, oc, sum);
          }
}

/// Fully connected shapes: the input viewed as [rows, depth].
struct FcGeometry {
  int64_t rows = 0, depth = 0, hidden = 0;
  Shape outputShape;
};

Status makeFcGeometry(const char *kernel, const Shape &input,
                      const Shape &weight, const FullyConnectedParams &params,
                      FcGeometry &geometry);

template <typename Acc, typename Src, typename Wei, typename Emit>
void innerProduct(const FcGeometry &g, const Src *input, const Wei *weight,
                  Emit emit) {
  for (int64_t row = 0; row < g.rows; ++row)
    for (int64_t unit = 0; unit < g.hidden; ++unit) {
      Acc sum = 0;
      for (int64_t k = 0; k < g.depth; ++k)
        sum += static_cast<Acc>(input[row * g.depth + k]) *
               static_cast<Acc>(weight[unit * g.depth + k]);
      emit(row * g.hidden + unit, unit, sum);
    }
}

} // namespace detail
} // namespace ref
} // namespace qrt

#endif // QRT_REFERENCE_COMMON_H
