//===- FullyConnected.cpp - Reference inner products ----------------------===//

#include "Common.h"

namespace qrt {
namespace ref {

using namespace detail;

Status fullyConnectedOutputShape(const Shape &input, const Shape &weight,
                                 const FullyConnectedParams &params,
                                 Shape &output) {
  FcGeometry geometry;
  if (Status s = makeFcGeometry("fullyConnectedOutputShape", input, weight,
                                params, geometry);
      !s)
    return s;
  output = geometry.outputShape;
  return Status::success();
}

/// Shared validation of fullyConnected() and quantizedFullyConnected().
static Status
checkFcOperands(const char *kernel, const void *input, const Shape &inputShape,
                const void *weight, const Shape &weightShape, const void *bias,
                const Shape &biasShape, const FullyConnectedParams &params,
                const void *output, const Shape &outputShape, FcGeometry &g) {
  if (Status s = checkOperand(kernel, "input", input, inputShape); !s)
    return s;
  if (Status s = checkOperand(kernel, "weight", weight, weightShape); !s)
    return s;
  if (Status s = makeFcGeometry(kernel, inputShape, weightShape, params, g); !s)
    return s;
  if (bias && biasShape != Shape{g.hidden})
    return fail(kernel, ": bias must be [", g.hidden, "], got ",
                shapeToString(biasShape));
  return checkOutput(kernel, output, outputShape, g.outputShape);
}

Status fullyConnected(ConstF32 input, ConstF32 weight, ConstF32 bias,
                      const FullyConnectedParams &params, F32 output) {
  FcGeometry g;
  if (Status s = checkFcOperands(
          "fullyConnected", input.data, input.shape, weight.data, weight.shape,
          bias.data, bias.shape, params, output.data, output.shape, g);
      !s)
    return s;
  innerProduct<double>(g, input.data, weight.data,
                       [&](int64_t index, int64_t unit, double sum) {
                         if (bias.present())
                           sum += bias.data[unit];
                         output.data[index] = static_cast<float>(sum);
                       });
  return Status::success();
}

template <typename Src>
static Status
quantizedFcImpl(TensorRef<const Src> input, TensorRef<const int8_t> weight,
                TensorRef<const int32_t> bias,
                const FullyConnectedParams &params, TensorRef<int32_t> output,
                int64_t *numSaturated) {
  FcGeometry g;
  if (Status s =
          checkFcOperands("quantizedFullyConnected", input.data, input.shape,
                          weight.data, weight.shape, bias.data, bias.shape,
                          params, output.data, output.shape, g);
      !s)
    return s;
  int64_t saturated = 0;
  innerProduct<int64_t>(g, input.data, weight.data,
                        [&](int64_t index, int64_t unit, int64_t sum) {
                          if (bias.present())
                            sum += bias.data[unit];
                          output.data[index] = saturateToInt32(sum, saturated);
                        });
  if (numSaturated)
    *numSaturated = saturated;
  return Status::success();
}

Status quantizedFullyConnected(TensorRef<const uint8_t> input,
                               TensorRef<const int8_t> weight,
                               TensorRef<const int32_t> bias,
                               const FullyConnectedParams &params,
                               TensorRef<int32_t> output,
                               int64_t *numSaturated) {
  return quantizedFcImpl(input, weight, bias, params, output, numSaturated);
}

Status quantizedFullyConnected(TensorRef<const int8_t> input,
                               TensorRef<const int8_t> weight,
                               TensorRef<const int32_t> bias,
                               const FullyConnectedParams &params,
                               TensorRef<int32_t> output,
                               int64_t *numSaturated) {
  return quantizedFcImpl(input, weight, bias, params, output, numSaturated);
}

} // namespace ref
} // namespace qrt
