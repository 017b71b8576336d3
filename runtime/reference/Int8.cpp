//===- Int8.cpp - Reference kernels of libqrt's int8 contract -------------===//
//
// Plain loops: exact int64 accumulation, double-precision real arithmetic,
// one rounding (half to even) and saturation at the end.
//
//===----------------------------------------------------------------------===//

#include "Common.h"

#include <cmath>
#include <cstring>
#include <limits>

namespace qrt {
namespace ref {

using namespace detail;

//===----------------------------------------------------------------------===//
// Elements and steps
//===----------------------------------------------------------------------===//

static const char *typeName(QType type) {
  switch (type) {
  case QType::F32:
    return "f32";
  case QType::S8:
    return "s8";
  case QType::U8:
    return "u8";
  case QType::S32:
    return "s32";
  }
  return "?";
}

double QTensor::real(int64_t i) const {
  switch (type) {
  case QType::S8:
    return double(static_cast<const int8_t *>(data)[i]) * double(step);
  case QType::U8:
    return double(static_cast<const uint8_t *>(data)[i]) * double(step);
  case QType::S32:
    return double(static_cast<const int32_t *>(data)[i]) * double(step);
  case QType::F32:
    break;
  }
  return static_cast<const float *>(data)[i];
}

/// rne, then clamp into Q; NaN gives 0.
template <typename Q> static Q saturate(double value) {
  if (std::isnan(value))
    return 0;
  const double rounded = roundHalfToEven(value);
  constexpr double lo = std::numeric_limits<Q>::min();
  constexpr double hi = std::numeric_limits<Q>::max();
  return static_cast<Q>(rounded < lo ? lo : rounded > hi ? hi : rounded);
}

void QOutput::store(int64_t i, double real) const {
  switch (type) {
  case QType::S8:
    static_cast<int8_t *>(data)[i] = saturate<int8_t>(real / double(step));
    return;
  case QType::U8:
    static_cast<uint8_t *>(data)[i] = saturate<uint8_t>(real / double(step));
    return;
  case QType::S32:
    static_cast<int32_t *>(data)[i] = saturate<int32_t>(real / double(step));
    return;
  case QType::F32:
    static_cast<float *>(data)[i] = static_cast<float>(real);
    return;
  }
}

double quantRange(QType type) { return type == QType::U8 ? 255.5 : 127.5; }

float dynamicStep(double absmax, QType type) {
  const double range = quantRange(type);
  const float step = static_cast<float>(absmax / range);
  if (step > 0 && std::isfinite(step))
    return step;
  return static_cast<float>(1 / range);
}

float dynamicStepOf(const QTensor &src, QType type) {
  double absmax = 0;
  for (int64_t i = 0, e = src.size(); i < e; ++i) {
    const double value = std::fabs(src.real(i));
    if (std::isfinite(value))
      absmax = std::max(absmax, value);
  }
  return dynamicStep(static_cast<float>(absmax), type);
}

int32_t quantizeBias(float bias, float srcStep, float weightStep) {
  const double limit = std::numeric_limits<int32_t>::max() / 2;
  const double value =
      roundHalfToEven(double(bias) / (double(srcStep) * double(weightStep)));
  return static_cast<int32_t>(std::min(std::max(value, -limit), limit));
}

/// Checks presence, shape and (for integers) a usable step.
static Status checkQ(const char *kernel, const char *name, QType type,
                     const void *data, const Shape &shape, float step) {
  if (Status s = checkOperand(kernel, name, data, shape); !s)
    return s;
  if (type != QType::F32 && !(step > 0 && std::isfinite(step)))
    return fail(kernel, ": ", name, " step ", step, " must be finite and > 0");
  return Status::success();
}

static bool isInt8(QType type) {
  return type == QType::S8 || type == QType::U8;
}

//===----------------------------------------------------------------------===//
// Reorder
//===----------------------------------------------------------------------===//

Status convertQuantized(const QTensor &src, const QOutput &dst) {
  const char *kernel = "convertQuantized";
  if (Status s = checkQ(kernel, "src", src.type, src.data, src.shape, src.step);
      !s)
    return s;
  if (Status s = checkQ(kernel, "dst", dst.type, dst.data, dst.shape, dst.step);
      !s)
    return s;
  if (dst.type == QType::S32)
    return fail(kernel, ": dst must be f32, s8 or u8");
  if (Status s = checkOutput(kernel, dst.data, dst.shape, src.shape); !s)
    return s;
  for (int64_t i = 0, e = src.size(); i < e; ++i)
    dst.store(i, src.real(i));
  return Status::success();
}

//===----------------------------------------------------------------------===//
// Convolution and fully connected
//===----------------------------------------------------------------------===//

/// Everything after the integer sum, shared by conv and FC.
struct Int8Epilogue {
  const QTensor &input;
  ConstF32 bias;
  const std::vector<float> &weightSteps;
  const ActivationParams &act;
  const ActivationParams &postsumAct;
  float sumScale;
  const QTensor &sum;
  const QOutput &output;
  int64_t numSaturated = 0;

  void operator()(int64_t index, int64_t channel, int64_t sumOfProducts) {
    const float weightStep = weightSteps[weightSteps.size() == 1 ? 0 : channel];
    int64_t acc = sumOfProducts;
    if (bias.present())
      acc += quantizeBias(bias.data[channel], input.step, weightStep);
    const int32_t acc32 = saturateToInt32(acc, numSaturated);
    double y = double(acc32) * (double(input.step) * double(weightStep));
    y = activateDouble(act, y);
    if (sum.present())
      y += double(sumScale) * sum.real(index);
    y = activateDouble(postsumAct, y);
    output.store(index, y);
  }
};

/// Checks of the int8 operands shared by conv and FC.
static Status checkInt8Operands(const char *kernel, const QTensor &input,
                                const std::vector<float> &weightSteps,
                                int64_t channels, const QOutput &output) {
  if (!isInt8(input.type))
    return fail(kernel, ": input must be s8 or u8, got ", typeName(input.type));
  if (Status s = checkQ(kernel, "input", input.type, input.data, input.shape,
                        input.step);
      !s)
    return s;
  if (output.type == QType::S32)
    return fail(kernel, ": output must be f32, s8 or u8");
  if (output.type != QType::F32 &&
      !(output.step > 0 && std::isfinite(output.step)))
    return fail(kernel, ": output step must be finite and > 0");
  if (weightSteps.size() != 1 &&
      static_cast<int64_t>(weightSteps.size()) != channels)
    return fail(kernel, ": needs 1 or ", channels, " weight steps, got ",
                weightSteps.size());
  for (float step : weightSteps)
    if (!(step > 0 && std::isfinite(step)))
      return fail(kernel, ": weight step ", step, " must be finite and > 0");
  return Status::success();
}

/// Per-channel input steps (depthwise only) folded into the weight steps,
/// with input step 1: the contract of Int8ConvParams::inputSteps.
static Status foldInputSteps(const QTensor &input, const Int8ConvParams &params,
                             int64_t outChannels, QTensor &folded,
                             Int8ConvParams &foldedParams) {
  const char *kernel = "int8Conv";
  int64_t channels = input.shape.size() > 1 ? input.shape[1] : 0;
  if (int64_t(params.inputSteps.size()) != channels ||
      params.conv.groups != channels || channels == 0 ||
      outChannels % channels != 0)
    return fail(kernel, ": per-channel input steps need a depthwise "
                        "convolution and one step per input channel");
  if (params.weightSteps.size() != 1 &&
      int64_t(params.weightSteps.size()) != outChannels)
    return fail(kernel, ": weightSteps must hold 1 or ", outChannels, " steps");
  for (float step : params.inputSteps)
    if (!(step > 0) || !std::isfinite(step))
      return fail(kernel, ": input steps must be finite and > 0");
  int64_t multiplier = outChannels / channels;
  foldedParams = params;
  foldedParams.inputSteps.clear();
  foldedParams.weightSteps.resize(outChannels);
  for (int64_t o = 0; o < outChannels; ++o) {
    float w = params.weightSteps.size() == 1 ? params.weightSteps[0]
                                             : params.weightSteps[o];
    foldedParams.weightSteps[o] =
        float(double(params.inputSteps[o / multiplier]) * double(w));
  }
  folded = input;
  folded.step = 1;
  return Status::success();
}

Status int8Conv(const QTensor &input, TensorRef<const int8_t> weight,
                ConstF32 bias, const Int8ConvParams &params, const QTensor &sum,
                const QOutput &output, int64_t *numAccSaturated) {
  const char *kernel = "int8Conv";
  if (!params.inputSteps.empty()) {
    if (weight.shape.empty())
      return fail(kernel, ": weight must have a shape");
    QTensor folded;
    Int8ConvParams foldedParams;
    if (Status s = foldInputSteps(input, params, weight.shape[0], folded,
                                  foldedParams);
        !s)
      return s;
    return int8Conv(folded, weight, bias, foldedParams, sum, output,
                    numAccSaturated);
  }
  if (Status s = checkOperand(kernel, "weight", weight.data, weight.shape); !s)
    return s;
  if (Status s = checkOperand(kernel, "input", input.data, input.shape); !s)
    return s;
  ConvGeometry g;
  if (Status s =
          makeConvGeometry(kernel, input.shape, weight.shape, params.conv, g);
      !s)
    return s;
  if (Status s = checkInt8Operands(kernel, input, params.weightSteps,
                                   g.outChannels, output);
      !s)
    return s;
  if (bias.present() && bias.shape != Shape{g.outChannels})
    return fail(kernel, ": bias must be [", g.outChannels, "], got ",
                shapeToString(bias.shape));
  if (Status s = checkOutput(kernel, output.data, output.shape, g.outputShape);
      !s)
    return s;
  if (sum.present()) {
    if (Status s =
            checkQ(kernel, "sum", sum.type, sum.data, sum.shape, sum.step);
        !s)
      return s;
    if (sum.shape != g.outputShape)
      return fail(kernel, ": sum must be shaped like the output");
  }
  Int8Epilogue epilogue{input,
                        bias,
                        params.weightSteps,
                        params.act,
                        params.postsumAct,
                        params.sumScale,
                        sum,
                        output};
  auto emit = [&](int64_t index, int64_t channel, int64_t value) {
    epilogue(index, channel, value);
  };
  if (input.type == QType::U8)
    convolve<int64_t>(g, static_cast<const uint8_t *>(input.data), weight.data,
                      emit);
  else
    convolve<int64_t>(g, static_cast<const int8_t *>(input.data), weight.data,
                      emit);
  if (numAccSaturated)
    *numAccSaturated = epilogue.numSaturated;
  return Status::success();
}

Status int8FullyConnected(const QTensor &input, TensorRef<const int8_t> weight,
                          ConstF32 bias, const std::vector<float> &weightSteps,
                          const FullyConnectedParams &params,
                          const ActivationParams &act, const QOutput &output) {
  const char *kernel = "int8FullyConnected";
  if (Status s = checkOperand(kernel, "weight", weight.data, weight.shape); !s)
    return s;
  if (Status s = checkOperand(kernel, "input", input.data, input.shape); !s)
    return s;
  FcGeometry g;
  if (Status s = makeFcGeometry(kernel, input.shape, weight.shape, params, g);
      !s)
    return s;
  if (Status s =
          checkInt8Operands(kernel, input, weightSteps, g.hidden, output);
      !s)
    return s;
  if (bias.present() && bias.shape != Shape{g.hidden})
    return fail(kernel, ": bias must be [", g.hidden, "], got ",
                shapeToString(bias.shape));
  if (Status s = checkOutput(kernel, output.data, output.shape, g.outputShape);
      !s)
    return s;
  const ActivationParams identity;
  const QTensor noSum;
  Int8Epilogue epilogue{input,    bias, weightSteps, act,
                        identity, 1.0f, noSum,       output};
  auto emit = [&](int64_t index, int64_t unit, int64_t value) {
    epilogue(index, unit, value);
  };
  if (input.type == QType::U8)
    innerProduct<int64_t>(g, static_cast<const uint8_t *>(input.data),
                          weight.data, emit);
  else
    innerProduct<int64_t>(g, static_cast<const int8_t *>(input.data),
                          weight.data, emit);
  return Status::success();
}

//===----------------------------------------------------------------------===//
// Pooling, concat, add, activation
//===----------------------------------------------------------------------===//

Status int8Pool(const QTensor &input, const PoolParams &params,
                const QOutput &output) {
  const char *kernel = "int8Pool";
  if (Status s = checkOperand(kernel, "input", input.data, input.shape); !s)
    return s;
  if (!isInt8(input.type) || output.type != input.type)
    return fail(kernel, ": input and output must both be s8 or both u8");
  if (params.kind == PoolKind::Sum)
    return fail(kernel, ": sum pooling changes the step; not an int8 op");
  std::vector<float> values(input.size());
  for (int64_t i = 0, e = input.size(); i < e; ++i)
    values[i] = static_cast<float>(
        input.type == QType::U8 ? static_cast<const uint8_t *>(input.data)[i]
                                : static_cast<const int8_t *>(input.data)[i]);
  Shape outShape;
  if (Status s = poolOutputShape(input.shape, params, outShape); !s)
    return s;
  if (Status s = checkOutput(kernel, output.data, output.shape, outShape); !s)
    return s;
  std::vector<float> pooled(numElements(outShape));
  if (Status s =
          pool({values.data(), input.shape}, params, {pooled.data(), outShape});
      !s)
    return s;
  const bool u8 = input.type == QType::U8;
  for (size_t i = 0; i < pooled.size(); ++i) {
    double value = pooled[i];
    if (params.kind == PoolKind::Max && value < -1e30) // no input element
      value = u8 ? 0 : -128;
    if (std::isnan(value)) // avg over no position
      value = 0;
    if (u8)
      static_cast<uint8_t *>(output.data)[i] = saturate<uint8_t>(value);
    else
      static_cast<int8_t *>(output.data)[i] = saturate<int8_t>(value);
  }
  return Status::success();
}

Status int8Concat(const std::vector<QTensor> &inputs, int64_t axis,
                  const QOutput &output) {
  const char *kernel = "int8Concat";
  std::vector<Shape> shapes;
  for (const QTensor &in : inputs) {
    if (!isInt8(in.type))
      return fail(kernel, ": inputs must be s8 or u8");
    if (Status s = checkQ(kernel, "input", in.type, in.data, in.shape, in.step);
        !s)
      return s;
    shapes.push_back(in.shape);
  }
  if (!isInt8(output.type) || !(output.step > 0))
    return fail(kernel, ": output must be s8 or u8 with a step > 0");
  Shape outShape;
  if (Status s = concatOutputShape(shapes, axis, outShape); !s)
    return s;
  if (Status s = checkOutput(kernel, output.data, output.shape, outShape); !s)
    return s;
  const int64_t a = axis < 0 ? axis + int64_t(outShape.size()) : axis;
  int64_t outer = 1, inner = 1;
  for (int64_t i = 0; i < a; ++i)
    outer *= outShape[i];
  for (size_t i = a + 1; i < outShape.size(); ++i)
    inner *= outShape[i];
  int64_t offset = 0; // along the axis
  for (const QTensor &in : inputs) {
    const int64_t size = in.shape[a];
    for (int64_t o = 0; o < outer; ++o)
      for (int64_t j = 0; j < size * inner; ++j)
        output.store((o * outShape[a] + offset) * inner + j,
                     in.real(o * size * inner + j));
    offset += size;
  }
  return Status::success();
}

Status int8Add(const QTensor &lhs, const QTensor &rhs,
               const ActivationParams &act, const QOutput &output) {
  const char *kernel = "int8Add";
  if (!isInt8(lhs.type) || !isInt8(rhs.type))
    return fail(kernel, ": operands must be s8 or u8");
  if (Status s = checkQ(kernel, "lhs", lhs.type, lhs.data, lhs.shape, lhs.step);
      !s)
    return s;
  if (Status s = checkQ(kernel, "rhs", rhs.type, rhs.data, rhs.shape, rhs.step);
      !s)
    return s;
  if (lhs.shape != rhs.shape)
    return fail(kernel, ": operands must have equal shapes");
  if (output.type == QType::S32 ||
      (output.type != QType::F32 && !(output.step > 0)))
    return fail(kernel, ": output must be f32, or s8/u8 with a step > 0");
  if (Status s = checkOutput(kernel, output.data, output.shape, lhs.shape); !s)
    return s;
  for (int64_t i = 0, e = lhs.size(); i < e; ++i)
    output.store(i, activateDouble(act, lhs.real(i) + rhs.real(i)));
  return Status::success();
}

Status int8Activation(const QTensor &input, const ActivationParams &params,
                      const QOutput &output) {
  const char *kernel = "int8Activation";
  if (!isInt8(input.type) || output.type != input.type)
    return fail(kernel, ": input and output must both be s8 or both u8");
  if (Status s = checkQ(kernel, "input", input.type, input.data, input.shape,
                        input.step);
      !s)
    return s;
  if (Status s = checkOutput(kernel, output.data, output.shape, input.shape);
      !s)
    return s;
  const bool u8 = input.type == QType::U8;
  int64_t lo = u8 ? 0 : -128, hi = u8 ? 255 : 127;
  switch (params.kind) {
  case ActivationKind::Identity:
  case ActivationKind::LeakyRelu:
    break;
  case ActivationKind::Relu:
    lo = std::max<int64_t>(lo, 0);
    break;
  case ActivationKind::Clip:
    if (!(params.alpha <= params.beta))
      return fail(kernel, ": clip needs min <= max");
    lo = u8 ? saturate<uint8_t>(double(params.alpha) / input.step)
            : saturate<int8_t>(double(params.alpha) / input.step);
    hi = u8 ? saturate<uint8_t>(double(params.beta) / input.step)
            : saturate<int8_t>(double(params.beta) / input.step);
    break;
  default:
    return fail(kernel, ": only relu, leaky and clip keep the step");
  }
  for (int64_t i = 0, e = input.size(); i < e; ++i) {
    const int64_t q = u8 ? int64_t(static_cast<const uint8_t *>(input.data)[i])
                         : int64_t(static_cast<const int8_t *>(input.data)[i]);
    int64_t y = std::min(std::max(q, lo), hi);
    if (params.kind == ActivationKind::LeakyRelu && q < 0)
      y = saturate<int8_t>(double(params.alpha) * double(q));
    if (u8)
      static_cast<uint8_t *>(output.data)[i] = static_cast<uint8_t>(y);
    else
      static_cast<int8_t *>(output.data)[i] = static_cast<int8_t>(y);
  }
  return Status::success();
}

} // namespace ref
} // namespace qrt
