//===- Normalization.cpp - Reference batch norm and softmax ---------------===//

#include "Common.h"

#include <algorithm>
#include <cmath>

namespace qrt {
namespace ref {

using namespace detail;

Status batchNorm(ConstF32 input, ConstF32 gamma, ConstF32 beta, ConstF32 mean,
                 ConstF32 variance, const BatchNormParams &params, F32 output) {
  const char *kernel = "batchNorm";
  if (Status s = checkOperand(kernel, "input", input.data, input.shape); !s)
    return s;
  int64_t axis = 0;
  if (Status s = normalizeAxis(kernel, params.axis, input.rank(), axis); !s)
    return s;
  const int64_t channels = input.shape[axis];
  const Shape channelShape{channels};
  struct Operand {
    const char *name;
    ConstF32 tensor;
    bool required;
  };
  // With fixGamma MXNet never reads gamma, so it may be absent.
  for (const Operand &op :
       {Operand{"gamma", gamma, !params.fixGamma}, Operand{"beta", beta, true},
        Operand{"mean", mean, true}, Operand{"variance", variance, true}}) {
    if (!op.required && !op.tensor.present())
      continue;
    if (!op.tensor.present() || op.tensor.shape != channelShape)
      return fail(kernel, ": ", op.name, " must be [", channels, "], got ",
                  op.tensor.present() ? shapeToString(op.tensor.shape)
                                      : std::string("nothing"));
  }
  if (!(params.epsilon >= 0))
    return fail(kernel, ": epsilon must be >= 0, got ", params.epsilon);
  if (Status s = checkOutput(kernel, output.data, output.shape, input.shape);
      !s)
    return s;

  int64_t inner = 1;
  for (int64_t i = axis + 1; i < input.rank(); ++i)
    inner *= input.shape[i];
  const int64_t total = input.size();
  for (int64_t i = 0; i < total; ++i) {
    const int64_t c = (i / inner) % channels;
    const double scale = params.fixGamma ? 1.0 : gamma.data[c];
    const double normalized =
        (input.data[i] - static_cast<double>(mean.data[c])) /
        std::sqrt(static_cast<double>(variance.data[c]) + params.epsilon);
    output.data[i] = static_cast<float>(scale * normalized + beta.data[c]);
  }
  return Status::success();
}

/// Shared driver of softmax() and logSoftmax().
static Status softmaxImpl(const char *kernel, ConstF32 input, int64_t axis,
                          float temperature, F32 output, bool logarithm) {
  if (Status s = checkOperand(kernel, "input", input.data, input.shape); !s)
    return s;
  int64_t resolved = 0;
  if (Status s = normalizeAxis(kernel, axis, input.rank(), resolved); !s)
    return s;
  if (!(temperature != 0 && std::isfinite(temperature)))
    return fail(kernel, ": temperature must be finite and nonzero, got ",
                temperature);
  if (Status s = checkOutput(kernel, output.data, output.shape, input.shape);
      !s)
    return s;

  const int64_t length = input.shape[resolved];
  int64_t inner = 1, outer = 1;
  for (int64_t i = resolved + 1; i < input.rank(); ++i)
    inner *= input.shape[i];
  for (int64_t i = 0; i < resolved; ++i)
    outer *= input.shape[i];
  std::vector<double> scaled(length);
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t in = 0; in < inner; ++in) {
      const int64_t base = o * length * inner + in;
      // Subtracting the maximum keeps every exp() argument <= 0.
      double maximum = -INFINITY;
      for (int64_t j = 0; j < length; ++j) {
        scaled[j] = input.data[base + j * inner] / double(temperature);
        maximum = std::max(maximum, scaled[j]);
      }
      double sum = 0;
      for (int64_t j = 0; j < length; ++j)
        sum += std::exp(scaled[j] - maximum);
      for (int64_t j = 0; j < length; ++j) {
        const double shifted = scaled[j] - maximum;
        output.data[base + j * inner] = static_cast<float>(
            logarithm ? shifted - std::log(sum) : std::exp(shifted) / sum);
      }
    }
  return Status::success();
}

Status softmax(ConstF32 input, int64_t axis, float temperature, F32 output) {
  return softmaxImpl("softmax", input, axis, temperature, output, false);
}

Status logSoftmax(ConstF32 input, int64_t axis, float temperature, F32 output) {
  return softmaxImpl("logSoftmax", input, axis, temperature, output, true);
}

} // namespace ref
} // namespace qrt
