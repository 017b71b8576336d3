//===- Elementwise.cpp - Reference activations and arithmetic -------------===//

#include "Common.h"

#include <algorithm>
#include <cmath>

namespace qrt {
namespace ref {

using namespace detail;

double activateDouble(const ActivationParams &params, double x) {
  const double alpha = params.alpha;
  switch (params.kind) {
  case ActivationKind::Identity:
    return x;
  case ActivationKind::Relu:
    return x > 0 ? x : 0.0;
  case ActivationKind::Sigmoid:
    return 1.0 / (1.0 + std::exp(-x));
  case ActivationKind::Tanh:
    return std::tanh(x);
  case ActivationKind::SoftRelu:
    // log(1 + e^x) = max(x, 0) + log(1 + e^-|x|): exp() never overflows.
    return std::max(x, 0.0) + std::log1p(std::exp(-std::fabs(x)));
  case ActivationKind::SoftSign:
    return x / (1.0 + std::fabs(x));
  case ActivationKind::LeakyRelu:
    return x > 0 ? x : alpha * x;
  case ActivationKind::Elu:
    return x > 0 ? x : alpha * std::expm1(x);
  case ActivationKind::Selu: {
    // Constants of Klambauer et al. 2017, as used by MXNet.
    const double lambda = 1.0507009873554804934193349852946;
    const double seluAlpha = 1.6732632423543772848170429916717;
    return lambda * (x > 0 ? x : seluAlpha * std::expm1(x));
  }
  case ActivationKind::Gelu:
    return 0.5 * x * (1.0 + std::erf(x / std::sqrt(2.0)));
  case ActivationKind::Clip:
    return std::min(std::max(x, alpha), double(params.beta));
  case ActivationKind::Square:
    return x * x;
  case ActivationKind::Sqrt:
    return std::sqrt(x);
  case ActivationKind::Exp:
    return std::exp(x);
  case ActivationKind::Abs:
    return std::fabs(x);
  }
  return x;
}

float activate(const ActivationParams &params, float input) {
  // Evaluated in double and rounded once, so the oracle is as close to the
  // exact function as a float can be. (Identity, relu, clip and abs are
  // exact either way.)
  return static_cast<float>(activateDouble(params, input));
}

Status activation(ConstF32 input, const ActivationParams &params, F32 output) {
  const char *kernel = "activation";
  if (Status s = checkOperand(kernel, "input", input.data, input.shape); !s)
    return s;
  if (params.kind == ActivationKind::Clip && !(params.alpha <= params.beta))
    return fail(kernel, ": clip needs min <= max, got ", params.alpha, " > ",
                params.beta);
  if (Status s = checkOutput(kernel, output.data, output.shape, input.shape);
      !s)
    return s;
  for (int64_t i = 0, e = input.size(); i < e; ++i)
    output.data[i] = activate(params, input.data[i]);
  return Status::success();
}

Status prelu(ConstF32 input, ConstF32 slope, F32 output) {
  const char *kernel = "prelu";
  if (Status s = checkOperand(kernel, "input", input.data, input.shape); !s)
    return s;
  if (input.rank() < 2)
    return fail(kernel, ": input must have a channel axis (rank >= 2), got ",
                shapeToString(input.shape));
  const int64_t channels = input.shape[1];
  if (!slope.present() ||
      (slope.shape != Shape{channels} && slope.shape != Shape{1}))
    return fail(kernel, ": slope must be [", channels, "] or [1], got ",
                slope.present() ? shapeToString(slope.shape)
                                : std::string("nothing"));
  if (Status s = checkOutput(kernel, output.data, output.shape, input.shape);
      !s)
    return s;
  int64_t inner = 1;
  for (int64_t i = 2; i < input.rank(); ++i)
    inner *= input.shape[i];
  const bool shared = slope.shape[0] == 1;
  for (int64_t i = 0, e = input.size(); i < e; ++i) {
    const float a = slope.data[shared ? 0 : (i / inner) % channels];
    const float x = input.data[i];
    output.data[i] = x > 0 ? x : a * x;
  }
  return Status::success();
}

Status broadcastShape(const Shape &lhs, const Shape &rhs, Shape &output) {
  const size_t rank = std::max(lhs.size(), rhs.size());
  Shape result(rank);
  for (size_t i = 0; i < rank; ++i) {
    // Align on the right; missing leading dims behave as 1.
    const int64_t a = i < rank - lhs.size() ? 1 : lhs[i - (rank - lhs.size())];
    const int64_t b = i < rank - rhs.size() ? 1 : rhs[i - (rank - rhs.size())];
    if (a != b && a != 1 && b != 1)
      return fail("broadcastShape: shapes ", shapeToString(lhs), " and ",
                  shapeToString(rhs), " are incompatible in output dim ", i);
    result[i] = a == 1 ? b : a;
  }
  output = result;
  return Status::success();
}

/// Strides that read `shape` as if it had been broadcast to `target`
/// (stride 0 on broadcast dims).
static std::vector<int64_t> broadcastStrides(const Shape &shape,
                                             const Shape &target) {
  const std::vector<int64_t> own = stridesOf(shape);
  std::vector<int64_t> strides(target.size(), 0);
  const size_t lead = target.size() - shape.size();
  for (size_t i = 0; i < shape.size(); ++i)
    strides[lead + i] = shape[i] == 1 ? 0 : own[i];
  return strides;
}

static float applyBinary(BinaryOp op, float a, float b) {
  switch (op) {
  case BinaryOp::Add:
    return a + b;
  case BinaryOp::Sub:
    return a - b;
  case BinaryOp::Mul:
    return a * b;
  case BinaryOp::Div:
    return a / b;
  case BinaryOp::Max:
    return std::max(a, b);
  case BinaryOp::Min:
    return std::min(a, b);
  }
  return a;
}

Status binary(BinaryOp op, ConstF32 lhs, ConstF32 rhs, F32 output) {
  const char *kernel = "binary";
  if (Status s = checkOperand(kernel, "lhs", lhs.data, lhs.shape); !s)
    return s;
  if (Status s = checkOperand(kernel, "rhs", rhs.data, rhs.shape); !s)
    return s;
  Shape shape;
  if (Status s = broadcastShape(lhs.shape, rhs.shape, shape); !s)
    return s;
  if (Status s = checkOutput(kernel, output.data, output.shape, shape); !s)
    return s;
  const std::vector<int64_t> lhsStrides = broadcastStrides(lhs.shape, shape);
  const std::vector<int64_t> rhsStrides = broadcastStrides(rhs.shape, shape);
  const std::vector<int64_t> outStrides = stridesOf(shape);
  for (int64_t i = 0, e = numElements(shape); i < e; ++i) {
    int64_t lhsIndex = 0, rhsIndex = 0, rest = i;
    for (size_t d = 0; d < shape.size(); ++d) {
      const int64_t coordinate = rest / outStrides[d];
      rest %= outStrides[d];
      lhsIndex += coordinate * lhsStrides[d];
      rhsIndex += coordinate * rhsStrides[d];
    }
    output.data[i] = applyBinary(op, lhs.data[lhsIndex], rhs.data[rhsIndex]);
  }
  return Status::success();
}

Status scalarOp(ScalarOp op, ConstF32 input, float scalar, F32 output) {
  const char *kernel = "scalarOp";
  if (Status s = checkOperand(kernel, "input", input.data, input.shape); !s)
    return s;
  if (Status s = checkOutput(kernel, output.data, output.shape, input.shape);
      !s)
    return s;
  for (int64_t i = 0, e = input.size(); i < e; ++i) {
    const float x = input.data[i];
    float y = x;
    switch (op) {
    case ScalarOp::Add:
      y = x + scalar;
      break;
    case ScalarOp::Sub:
      y = x - scalar;
      break;
    case ScalarOp::RSub:
      y = scalar - x;
      break;
    case ScalarOp::Mul:
      y = x * scalar;
      break;
    case ScalarOp::Div:
      y = x / scalar;
      break;
    case ScalarOp::RDiv:
      y = scalar / x;
      break;
    case ScalarOp::Max:
      y = std::max(x, scalar);
      break;
    case ScalarOp::Min:
      y = std::min(x, scalar);
      break;
    case ScalarOp::Pow:
      y = static_cast<float>(std::pow(double(x), double(scalar)));
      break;
    case ScalarOp::RPow:
      y = static_cast<float>(std::pow(double(scalar), double(x)));
      break;
    }
    output.data[i] = y;
  }
  return Status::success();
}

} // namespace ref
} // namespace qrt
