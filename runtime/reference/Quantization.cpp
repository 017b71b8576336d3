//===- Quantization.cpp - Reference quantize, dequantize, requantize ------===//

#include "Common.h"

#include <cmath>
#include <limits>

namespace qrt {
namespace ref {

using namespace detail;

double roundHalfToEven(double value) {
  const double below = std::floor(value);
  const double fraction = value - below; // exact: both operands are close
  if (fraction > 0.5)
    return below + 1;
  if (fraction < 0.5)
    return below;
  return std::fmod(below, 2.0) == 0 ? below : below + 1;
}

/// Rounds half to even and clamps into Q's range; NaN maps to 0.
template <typename Q> static Q roundAndSaturate(double value) {
  if (std::isnan(value))
    return 0;
  const double rounded = roundHalfToEven(value);
  constexpr double lo = std::numeric_limits<Q>::min();
  constexpr double hi = std::numeric_limits<Q>::max();
  if (rounded <= lo)
    return std::numeric_limits<Q>::min();
  if (rounded >= hi)
    return std::numeric_limits<Q>::max();
  return static_cast<Q>(rounded);
}

/// Applies out[i] = convert(in[i], factor of i's channel) after validating
/// operands and factors.
template <typename In, typename Out, typename Convert>
static Status mapWithScales(const char *kernel, TensorRef<const In> input,
                            const std::vector<float> &factors, int64_t axis,
                            bool factorsMustBeNonzero, TensorRef<Out> output,
                            Convert convert) {
  if (Status s = checkOperand(kernel, "input", input.data, input.shape); !s)
    return s;
  int64_t inner = 1, channels = 1;
  if (Status s =
          checkScales(kernel, factors, input.shape, axis, inner, channels);
      !s)
    return s;
  for (float factor : factors)
    if (!std::isfinite(factor) || (factorsMustBeNonzero && factor == 0))
      return fail(kernel, ": scale ", factor, " must be finite",
                  factorsMustBeNonzero ? " and nonzero" : "");
  if (Status s = checkOutput(kernel, output.data, output.shape, input.shape);
      !s)
    return s;
  for (int64_t i = 0, e = input.size(); i < e; ++i)
    output.data[i] = convert(input.data[i], factors[(i / inner) % channels]);
  return Status::success();
}

template <typename Q>
static Status requantizeImpl(TensorRef<const int32_t> input,
                             const std::vector<float> &multipliers,
                             int64_t axis, TensorRef<Q> output) {
  return mapWithScales("requantize", input, multipliers, axis, false, output,
                       [](int32_t value, float multiplier) {
                         return roundAndSaturate<Q>(double(value) *
                                                    double(multiplier));
                       });
}

Status requantize(TensorRef<const int32_t> input,
                  const std::vector<float> &multipliers, int64_t axis,
                  TensorRef<int8_t> output) {
  return requantizeImpl(input, multipliers, axis, output);
}

Status requantize(TensorRef<const int32_t> input,
                  const std::vector<float> &multipliers, int64_t axis,
                  TensorRef<uint8_t> output) {
  return requantizeImpl(input, multipliers, axis, output);
}

template <typename Q>
static Status quantizeImpl(ConstF32 input, const std::vector<float> &scales,
                           int64_t axis, TensorRef<Q> output) {
  return mapWithScales("quantize", input, scales, axis, false, output,
                       [](float value, float scale) {
                         // The product of two floats is exact in double.
                         return roundAndSaturate<Q>(double(value) *
                                                    double(scale));
                       });
}

Status quantize(ConstF32 input, const std::vector<float> &scales, int64_t axis,
                TensorRef<int8_t> output) {
  return quantizeImpl(input, scales, axis, output);
}

Status quantize(ConstF32 input, const std::vector<float> &scales, int64_t axis,
                TensorRef<uint8_t> output) {
  return quantizeImpl(input, scales, axis, output);
}

template <typename Q>
static Status dequantizeImpl(TensorRef<const Q> input,
                             const std::vector<float> &scales, int64_t axis,
                             F32 output) {
  return mapWithScales("dequantize", input, scales, axis, true, output,
                       [](Q value, float scale) {
                         return static_cast<float>(double(value) /
                                                   double(scale));
                       });
}

Status dequantize(TensorRef<const int8_t> input,
                  const std::vector<float> &scales, int64_t axis, F32 output) {
  return dequantizeImpl(input, scales, axis, output);
}

Status dequantize(TensorRef<const uint8_t> input,
                  const std::vector<float> &scales, int64_t axis, F32 output) {
  return dequantizeImpl(input, scales, axis, output);
}

Status dequantize(TensorRef<const int32_t> input,
                  const std::vector<float> &scales, int64_t axis, F32 output) {
  return dequantizeImpl(input, scales, axis, output);
}

} // namespace ref
} // namespace qrt
