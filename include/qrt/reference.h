//===- reference.h - Plain C++ reference kernels ----------------*- C++ -*-===//
//
// Simple, obviously-correct loops that serve as the numerical oracle for the
// oneDNN-backed kernels and the generated code. They are written for clarity,
// not speed. Semantics follow MXNet 1.9 unless a comment says otherwise.
//
// Conventions shared by every kernel:
//  * Tensors are dense, row-major buffers; activations are NC[D][H]W.
//  * The caller owns all memory. Output buffers are allocated by the caller
//    with the shape returned by the matching `*OutputShape` helper; every
//    kernel checks that the output shape is exactly the expected one.
//  * No kernel asserts or throws: each returns a Status that names the
//    violated requirement.
//  * Floating-point reductions (conv, FC, pooling sums, softmax) accumulate in
//    double and round once to float, so results are as accurate as a float
//    oracle can be and integer-valued data stays exact up to 2^24.
//
//===----------------------------------------------------------------------===//

#ifndef QRT_REFERENCE_H
#define QRT_REFERENCE_H

#include <cstdint>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

namespace qrt {
namespace ref {

//===----------------------------------------------------------------------===//
// Basic types
//===----------------------------------------------------------------------===//

using Shape = std::vector<int64_t>;

/// Number of elements of a shape (1 for a rank-0 shape).
int64_t numElements(const Shape &shape);

/// "[2, 3, 4]", for messages.
std::string shapeToString(const Shape &shape);

/// Result of every kernel and shape helper: ok, or an error message.
class [[nodiscard]] Status {
public:
  static Status success() { return Status(); }
  static Status error(std::string message) {
    Status status;
    status.failed = true;
    status.text = std::move(message);
    return status;
  }
  bool ok() const { return !failed; }
  explicit operator bool() const { return ok(); }
  const std::string &message() const { return text; }

private:
  bool failed = false;
  std::string text;
};

/// A non-owning view of a dense row-major tensor. A view with a null `data`
/// pointer stands for an absent optional operand (e.g. no bias).
template <typename T> struct TensorRef {
  T *data = nullptr;
  Shape shape;

  TensorRef() = default;
  TensorRef(T *data, Shape shape) : data(data), shape(std::move(shape)) {}
  /// Views of mutable data convert to views of const data (and nothing
  /// else, so overloads on the element type stay unambiguous).
  template <typename U,
            typename = std::enable_if_t<std::is_same_v<const U, T> &&
                                        !std::is_same_v<U, T>>>
  TensorRef(const TensorRef<U> &other) : data(other.data), shape(other.shape) {}

  bool present() const { return data != nullptr; }
  int64_t size() const { return numElements(shape); }
  int64_t rank() const { return static_cast<int64_t>(shape.size()); }
};

using ConstF32 = TensorRef<const float>;
using F32 = TensorRef<float>;

//===----------------------------------------------------------------------===//
// Convolution (fp32; 1-D, 2-D, 3-D)
//===----------------------------------------------------------------------===//

/// Spatial parameters have one entry per spatial dimension; an empty vector
/// means the default (stride 1, dilation 1, padding 0).
struct ConvParams {
  std::vector<int64_t> strides;
  std::vector<int64_t> dilations;
  std::vector<int64_t> padBegin;
  std::vector<int64_t> padEnd;
  int64_t groups = 1;
};

/// input [N, C, *spatial], weight [OC, C/groups, *kernel] -> [N, OC, *out],
/// out_i = floor((in_i + padBegin_i + padEnd_i - dil_i*(k_i-1) - 1)/s_i) + 1.
Status convOutputShape(const Shape &input, const Shape &weight,
                       const ConvParams &params, Shape &output);

/// Cross-correlation with zero padding; `bias` ([OC]) may be absent.
Status conv(ConstF32 input, ConstF32 weight, ConstF32 bias,
            const ConvParams &params, F32 output);

//===----------------------------------------------------------------------===//
// Fully connected (inner product)
//===----------------------------------------------------------------------===//

struct FullyConnectedParams {
  /// MXNet `flatten`: true reshapes the input to [N, prod(rest)]; false
  /// applies the layer to the last axis and keeps the leading axes.
  bool flatten = true;
};

/// weight is [numHidden, K]; output [N, numHidden] or [..., numHidden].
Status fullyConnectedOutputShape(const Shape &input, const Shape &weight,
                                 const FullyConnectedParams &params,
                                 Shape &output);

/// y = x * W^T + b; `bias` ([numHidden]) may be absent.
Status fullyConnected(ConstF32 input, ConstF32 weight, ConstF32 bias,
                      const FullyConnectedParams &params, F32 output);

//===----------------------------------------------------------------------===//
// Pooling (fp32; 1-D, 2-D, 3-D)
//===----------------------------------------------------------------------===//

enum class PoolKind { Max, Avg, Sum };

/// MXNet's `pooling_convention`: Valid rounds the output size down, Full
/// rounds it up (see poolOutputShape).
enum class PoolConvention { Valid, Full };

struct PoolParams {
  PoolKind kind = PoolKind::Max;
  std::vector<int64_t> kernel; // ignored when global
  std::vector<int64_t> strides;
  std::vector<int64_t> padBegin;
  std::vector<int64_t> padEnd;
  PoolConvention convention = PoolConvention::Valid;
  /// Avg only: whether padded positions count in the divisor (MXNet default).
  bool countIncludePad = true;
  /// Global pooling: the kernel is the whole spatial extent, strides and
  /// padding are ignored (as MXNet does), the output is [N, C, 1, ...].
  bool global = false;
};

/// With P_i = padBegin_i + padEnd_i and L_i = in_i + P_i - k_i (must be >= 0):
///   Valid: out_i = 1 + floor(L_i / s_i)
///   Full:  out_i = 1 + ceil(L_i / s_i)
/// exactly MXNet's formula; no trailing window is dropped (unlike Caffe and
/// PyTorch's ceil_mode). With s_i > k_i the last Full window can therefore
/// lie entirely past the padded input; see pool() for its value.
Status poolOutputShape(const Shape &input, const PoolParams &params,
                       Shape &output);

/// Window o covers [o*s - padBegin, o*s - padBegin + k) per dimension.
///  * Max: maximum over the window's elements that lie inside the input
///    (padding never wins); a window with none gives lowest float (MXNet).
///  * Sum: sum over the window's elements inside the input (padding adds 0).
///  * Avg: that sum divided by
///      countIncludePad:  the number of window positions inside the *padded*
///                        input [-padBegin, in + padEnd): the full kernel
///                        volume except for Full-convention windows that hang
///                        over the padded end, which count only the part
///                        inside (MXNet's native CPU kernel);
///      !countIncludePad: the number of window positions inside the input.
///    A divisor of 0 (window with no counted position) gives NaN, as 0/0 does
///    in MXNet.
Status pool(ConstF32 input, const PoolParams &params, F32 output);

//===----------------------------------------------------------------------===//
// Batch norm (inference)
//===----------------------------------------------------------------------===//

struct BatchNormParams {
  float epsilon = 1e-3f; // MXNet default
  bool fixGamma = true;  // MXNet default: gamma is treated as 1
  int64_t axis = 1;      // channel axis; negative counts from the end
};

/// y = gamma * (x - mean) / sqrt(var + eps) + beta, per channel of `axis`.
/// gamma, beta, mean, variance are [C].
Status batchNorm(ConstF32 input, ConstF32 gamma, ConstF32 beta, ConstF32 mean,
                 ConstF32 variance, const BatchNormParams &params, F32 output);

//===----------------------------------------------------------------------===//
// Elementwise activations
//===----------------------------------------------------------------------===//

enum class ActivationKind {
  Identity,
  Relu,
  Sigmoid,
  Tanh,
  SoftRelu,  // log(1 + exp(x)), evaluated without overflow
  SoftSign,  // x / (1 + |x|)
  LeakyRelu, // x > 0 ? x : alpha * x
  Elu,       // x > 0 ? x : alpha * (exp(x) - 1)
  Selu,      // lambda * (x > 0 ? x : alpha * (exp(x) - 1)), fixed constants
  Gelu,      // 0.5 * x * (1 + erf(x / sqrt(2))), MXNet LeakyReLU gelu
  Clip,      // min(max(x, alpha), beta)
  Square,
  Sqrt,
  Exp,
  Abs,
};

struct ActivationParams {
  ActivationKind kind = ActivationKind::Identity;
  float alpha = 0.0f; // LeakyRelu/Elu slope; Clip lower bound
  float beta = 0.0f;  // Clip upper bound

  static ActivationParams of(ActivationKind kind) { return {kind, 0.f, 0.f}; }
  static ActivationParams leakyRelu(float slope) {
    return {ActivationKind::LeakyRelu, slope, 0.f};
  }
  static ActivationParams elu(float slope) {
    return {ActivationKind::Elu, slope, 0.f};
  }
  static ActivationParams clip(float lo, float hi) {
    return {ActivationKind::Clip, lo, hi};
  }
};

/// The scalar function, for fused post-op oracles.
float activate(const ActivationParams &params, float x);
/// The same function in double precision (the int8 oracles use it).
double activateDouble(const ActivationParams &params, double x);

/// Fails for Clip with alpha > beta.
Status activation(ConstF32 input, const ActivationParams &params, F32 output);

/// PReLU: x > 0 ? x : slope[c] * x with c the index on axis 1; `slope` has
/// C elements (or 1, shared by all channels).
Status prelu(ConstF32 input, ConstF32 slope, F32 output);

//===----------------------------------------------------------------------===//
// Binary and scalar arithmetic
//===----------------------------------------------------------------------===//

enum class BinaryOp { Add, Sub, Mul, Div, Max, Min };

/// NumPy broadcasting: shapes are aligned on the right; each pair of dims
/// must be equal or contain a 1.
Status broadcastShape(const Shape &lhs, const Shape &rhs, Shape &output);

Status binary(BinaryOp op, ConstF32 lhs, ConstF32 rhs, F32 output);

/// x op s, plus the reversed forms (RSub: s - x, RDiv: s / x, RPow: s ^ x).
enum class ScalarOp { Add, Sub, RSub, Mul, Div, RDiv, Max, Min, Pow, RPow };

Status scalarOp(ScalarOp op, ConstF32 input, float scalar, F32 output);

//===----------------------------------------------------------------------===//
// Data movement and normalization
//===----------------------------------------------------------------------===//

/// Axis may be negative. All inputs agree on every other axis.
Status concatOutputShape(const std::vector<Shape> &inputs, int64_t axis,
                         Shape &output);
Status concat(const std::vector<ConstF32> &inputs, int64_t axis, F32 output);

/// softmax(x / temperature) along `axis` (negative allowed), computed as
/// exp(x_i - max) / sum exp(x_j - max) so large inputs do not overflow.
Status softmax(ConstF32 input, int64_t axis, float temperature, F32 output);
/// log(softmax(x / temperature)) = (x_i - max) - log(sum exp(x_j - max)).
Status logSoftmax(ConstF32 input, int64_t axis, float temperature, F32 output);

/// output.shape[i] = input.shape[axes[i]]; empty axes reverses (MXNet).
Status transposeOutputShape(const Shape &input,
                            const std::vector<int64_t> &axes, Shape &output);
Status transpose(ConstF32 input, const std::vector<int64_t> &axes, F32 output);

/// Per-axis begin/end/step with Python semantics already resolved by the
/// caller (negative indices wrapped, bounds clamped): for step > 0,
/// 0 <= begin, end <= dim; for step < 0, -1 <= begin, end < dim (end == -1
/// means "past the front"). Elements begin, begin + step, ... stop before
/// end; begin past end gives an empty axis. Axes beyond the vectors' length
/// are kept whole; an empty `step` means all 1.
struct SliceParams {
  std::vector<int64_t> begin;
  std::vector<int64_t> end;
  std::vector<int64_t> step;
};
Status sliceOutputShape(const Shape &input, const SliceParams &params,
                        Shape &output);
Status slice(ConstF32 input, const SliceParams &params, F32 output);

/// Nearest-neighbour upsampling of every spatial axis (2..rank-1) by an
/// integer scale: out[..., i, j] = in[..., i / scale, j / scale].
Status upsampleNearestOutputShape(const Shape &input, int64_t scale,
                                  Shape &output);
Status upsampleNearest(ConstF32 input, int64_t scale, F32 output);

/// Crop of the spatial axes: out[n, c, i...] = in[n, c, offsets + i...];
/// `offsets` and `sizes` have one entry per spatial axis.
Status cropOutputShape(const Shape &input, const std::vector<int64_t> &offsets,
                       const std::vector<int64_t> &sizes, Shape &output);
Status crop(ConstF32 input, const std::vector<int64_t> &offsets,
            const std::vector<int64_t> &sizes, F32 output);

//===----------------------------------------------------------------------===//
// Integer kernels (the oracle for int8 code)
//===----------------------------------------------------------------------===//
//
// Quantization is symmetric (zero point 0) as in MXNet; `scale` always means
// quantized steps per real unit (MXNet's GetQuantizeScale), so
//   quantize:   q = saturate(roundHalfToEven(x * scale))
//   dequantize: x = q / scale
//   requantize: q8 = saturate(roundHalfToEven(q32 * multiplier))
// Scale vectors have one entry (per tensor) or shape[axis] entries (per
// channel). Products are formed in double: exact for quantize, and for
// requantize exact whenever |q32| < 2^29 (otherwise rounded once, to nearest
// even, before the integer rounding). NaN quantizes to 0; +-inf saturates.

/// Rounds to nearest, ties to even, independently of the FP rounding mode.
double roundHalfToEven(double value);

/// Integer convolution: u8 or s8 source, s8 weights, optional s32 bias,
/// s32 output; padding contributes 0. Same shapes and ConvParams as conv()
/// (1-D, 2-D and 3-D). Each output is accumulated exactly in int64, then
/// saturated to int32; `numSaturated` (optional) receives how many outputs
/// were clamped.
Status quantizedConv(TensorRef<const uint8_t> input,
                     TensorRef<const int8_t> weight,
                     TensorRef<const int32_t> bias, const ConvParams &params,
                     TensorRef<int32_t> output,
                     int64_t *numSaturated = nullptr);
Status quantizedConv(TensorRef<const int8_t> input,
                     TensorRef<const int8_t> weight,
                     TensorRef<const int32_t> bias, const ConvParams &params,
                     TensorRef<int32_t> output,
                     int64_t *numSaturated = nullptr);

/// Integer fully connected, same dtypes and saturation rule as quantizedConv,
/// same shapes as fullyConnected().
Status quantizedFullyConnected(TensorRef<const uint8_t> input,
                               TensorRef<const int8_t> weight,
                               TensorRef<const int32_t> bias,
                               const FullyConnectedParams &params,
                               TensorRef<int32_t> output,
                               int64_t *numSaturated = nullptr);
Status quantizedFullyConnected(TensorRef<const int8_t> input,
                               TensorRef<const int8_t> weight,
                               TensorRef<const int32_t> bias,
                               const FullyConnectedParams &params,
                               TensorRef<int32_t> output,
                               int64_t *numSaturated = nullptr);

Status requantize(TensorRef<const int32_t> input,
                  const std::vector<float> &multipliers, int64_t axis,
                  TensorRef<int8_t> output);
Status requantize(TensorRef<const int32_t> input,
                  const std::vector<float> &multipliers, int64_t axis,
                  TensorRef<uint8_t> output);

Status quantize(ConstF32 input, const std::vector<float> &scales, int64_t axis,
                TensorRef<int8_t> output);
Status quantize(ConstF32 input, const std::vector<float> &scales, int64_t axis,
                TensorRef<uint8_t> output);

/// Scales must be nonzero.
Status dequantize(TensorRef<const int8_t> input,
                  const std::vector<float> &scales, int64_t axis, F32 output);
Status dequantize(TensorRef<const uint8_t> input,
                  const std::vector<float> &scales, int64_t axis, F32 output);
Status dequantize(TensorRef<const int32_t> input,
                  const std::vector<float> &scales, int64_t axis, F32 output);

//===----------------------------------------------------------------------===//
// int8 with steps: the oracle of libqrt's int8 contract (qrt.h)
//===----------------------------------------------------------------------===//
//
// A quantized tensor has a step: real value = integer * step (zero point
// 0). Integer sums accumulate exactly in int64; everything real-valued
// (scaling, activations, sums) is computed in double; a result is stored
// as (float)real for f32 or sat(rne(real / step)) for integers (NaN -> 0).
// These kernels take resolved steps: a dynamic step is an ordinary step
// here, computed with dynamicStepOf() where libqrt computes it at run time.

/// Element types; the values are qrt_dtype's.
enum class QType { F32 = 0, S8 = 1, U8 = 2, S32 = 3 };

/// A read-only tensor of any QType with its step (ignored for F32).
struct QTensor {
  QType type = QType::F32;
  const void *data = nullptr;
  Shape shape;
  float step = 1;

  bool present() const { return data != nullptr; }
  int64_t size() const { return numElements(shape); }
  /// Element i as a real value: (double)q * step, or the f32 value.
  double real(int64_t i) const;
};

/// An output tensor of any QType with its step (ignored for F32).
struct QOutput {
  QType type = QType::F32;
  void *data = nullptr;
  Shape shape;
  float step = 1;

  /// Stores a real value: (float)real, or sat(rne(real / step)).
  void store(int64_t i, double real) const;
};

/// R of a dynamic step: 127.5 for S8, 255.5 for U8 (MXNet's ranges).
double quantRange(QType type);
/// absmax / R rounded to float; 1 / R when absmax is 0 (or the step
/// underflows), so a step is never 0, inf or NaN.
float dynamicStep(double absmax, QType type);
/// dynamicStep of the largest |real value| over the finite elements of
/// `src` (rounded to float first).
float dynamicStepOf(const QTensor &src, QType type);

/// The s32 bias in accumulator units: clamp(rne(bias / (srcStep *
/// weightStep)), +-(2^31 - 1) / 2), in double. libqrt clamps instead of
/// shrinking the weight step as MXNet does (the compiler owns that guard).
int32_t quantizeBias(float bias, float srcStep, float weightStep);

/// Element-wise reorder by real value (qrt_quantize with a static dst
/// step): f32/s8/u8/s32 -> f32/s8/u8, same shape.
Status convertQuantized(const QTensor &src, const QOutput &dst);

struct Int8ConvParams {
  ConvParams conv;
  /// One per output channel, or one for all.
  std::vector<float> weightSteps;
  /// Empty (the input's step), or one step per input channel of a
  /// depthwise convolution (groups == input channels; input.step is then
  /// ignored): output channel o's scale is then the float
  /// float((double)inputSteps[o / multiplier] * weightSteps[o]) and the input
  /// step 1, in the formulas below (qrt_conv gets exactly that).
  std::vector<float> inputSteps;
  ActivationParams act;
  ActivationParams postsumAct;
  float sumScale = 1;
};

/// qrt_conv's int8 contract: input S8/U8, weight s8 [OC, C/groups, k...],
/// bias f32 real values (may be absent), sum (may be absent: data NULL)
/// F32/S8/U8, output F32/S8/U8:
///   acc = sat32(sum(in * w) + quantizeBias(b, in.step, ws[oc]))
///   y   = act((double)acc * ((double)in.step * ws[oc]))
///   y   = postsumAct(y + (double)sumScale * sum.real(i))   (or without sum)
///   output.store(i, y)
/// `numAccSaturated` (optional) counts accumulators clamped to int32.
Status int8Conv(const QTensor &input, TensorRef<const int8_t> weight,
                ConstF32 bias, const Int8ConvParams &params, const QTensor &sum,
                const QOutput &output, int64_t *numAccSaturated = nullptr);

/// qrt_fc's int8 contract: int8Conv's formula on an inner product, without
/// sum and postsumAct.
Status int8FullyConnected(const QTensor &input, TensorRef<const int8_t> weight,
                          ConstF32 bias, const std::vector<float> &weightSteps,
                          const FullyConnectedParams &params,
                          const ActivationParams &act, const QOutput &output);

/// S8/U8 max or avg pooling; output has the input's type, the step passes
/// through. Max: exact (empty window: the type's lowest). Avg: sat(rne(f))
/// of pool()'s f32 average f (count_include_pad as there; exact, since a
/// float quotient of integers below 2^24 cannot cross a rounding tie for
/// windows under 2^15 elements); a zero count gives 0.
Status int8Pool(const QTensor &input, const PoolParams &params,
                const QOutput &output);

/// Concat of S8/U8 inputs (any steps) into an S8/U8 output: each element
/// is output.store(real) (equal types and steps copy exactly).
Status int8Concat(const std::vector<QTensor> &inputs, int64_t axis,
                  const QOutput &output);

/// Equally shaped S8/U8 operands: output.store(act(lhs.real + rhs.real)).
Status int8Add(const QTensor &lhs, const QTensor &rhs,
               const ActivationParams &act, const QOutput &output);

/// Relu, LeakyRelu or Clip on S8/U8 with an unchanged step (output has the
/// input's type and step): relu max(q, 0); leaky q < 0 ? sat(rne(alpha *
/// q)) : q; clip clamp(q, sat(rne(alpha / step)), sat(rne(beta / step))) -
/// each equal to sat(rne(act(q * step) / step)).
Status int8Activation(const QTensor &input, const ActivationParams &params,
                      const QOutput &output);

//===----------------------------------------------------------------------===//
// Raw inputs
//===----------------------------------------------------------------------===//

/// The oracle of qrt_input_lookup: dst[n][c][s] = table[row(c)][index(x)]
/// with index(x) = x (U8) or x + 128 (S8), row(c) = c or 0 (tableRows 1);
/// `nhwc`: src is [N, H, W, C] and dst [N, C, H, W], else dst has src's
/// shape and the channel is axis 1. `table` holds tableRows x 256 entries
/// of `dstType` (F32, S8 or U8).
Status inputLookup(QType srcType, const void *src, const Shape &srcShape,
                   bool nhwc, QType dstType, const void *table,
                   int64_t tableRows, void *dst);

} // namespace ref
} // namespace qrt

#endif // QRT_REFERENCE_H
