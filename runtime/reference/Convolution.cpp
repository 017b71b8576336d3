//===- Convolution.cpp - Reference convolutions ---------------------------===//

#include "Common.h"

namespace qrt {
namespace ref {

using namespace detail;

Status convOutputShape(const Shape &input, const Shape &weight,
                       const ConvParams &params, Shape &output) {
  ConvGeometry geometry;
  if (Status status =
          makeConvGeometry("convOutputShape", input, weight, params, geometry);
      !status)
    return status;
  output = geometry.outputShape;
  return Status::success();
}

/// Shared validation of conv() and quantizedConv().
static Status checkConvOperands(const char *kernel, const void *input,
                                const Shape &inputShape, const void *weight,
                                const Shape &weightShape, const void *bias,
                                const Shape &biasShape,
                                const ConvParams &params, const void *output,
                                const Shape &outputShape, ConvGeometry &g) {
  if (Status s = checkOperand(kernel, "input", input, inputShape); !s)
    return s;
  if (Status s = checkOperand(kernel, "weight", weight, weightShape); !s)
    return s;
  if (Status s = makeConvGeometry(kernel, inputShape, weightShape, params, g);
      !s)
    return s;
  if (bias && biasShape != Shape{g.outChannels})
    return fail(kernel, ": bias must be [", g.outChannels, "], got ",
                shapeToString(biasShape));
  return checkOutput(kernel, output, outputShape, g.outputShape);
}

Status conv(ConstF32 input, ConstF32 weight, ConstF32 bias,
            const ConvParams &params, F32 output) {
  ConvGeometry g;
  if (Status s = checkConvOperands("conv", input.data, input.shape, weight.data,
                                   weight.shape, bias.data, bias.shape, params,
                                   output.data, output.shape, g);
      !s)
    return s;
  convolve<double>(g, input.data, weight.data,
                   [&](int64_t index, int64_t channel, double sum) {
                     if (bias.present())
                       sum += bias.data[channel];
                     output.data[index] = static_cast<float>(sum);
                   });
  return Status::success();
}

template <typename Src>
static Status
quantizedConvImpl(TensorRef<const Src> input, TensorRef<const int8_t> weight,
                  TensorRef<const int32_t> bias, const ConvParams &params,
                  TensorRef<int32_t> output, int64_t *numSaturated) {
  ConvGeometry g;
  if (Status s = checkConvOperands(
          "quantizedConv", input.data, input.shape, weight.data, weight.shape,
          bias.data, bias.shape, params, output.data, output.shape, g);
      !s)
    return s;
  int64_t saturated = 0;
  convolve<int64_t>(g, input.data, weight.data,
                    [&](int64_t index, int64_t channel, int64_t sum) {
                      if (bias.present())
                        sum += bias.data[channel];
                      output.data[index] = saturateToInt32(sum, saturated);
                    });
  if (numSaturated)
    *numSaturated = saturated;
  return Status::success();
}

Status quantizedConv(TensorRef<const uint8_t> input,
                     TensorRef<const int8_t> weight,
                     TensorRef<const int32_t> bias, const ConvParams &params,
                     TensorRef<int32_t> output, int64_t *numSaturated) {
  return quantizedConvImpl(input, weight, bias, params, output, numSaturated);
}

Status quantizedConv(TensorRef<const int8_t> input,
                     TensorRef<const int8_t> weight,
                     TensorRef<const int32_t> bias, const ConvParams &params,
                     TensorRef<int32_t> output, int64_t *numSaturated) {
  return quantizedConvImpl(input, weight, bias, params, output, numSaturated);
}

} // namespace ref
} // namespace qrt
