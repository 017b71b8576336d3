//===- QrtInt8TestUtils.h - int8 conv/FC through the C ABI vs the oracle
//-*-===//
//
// Shared by QrtRuntimeTests and the AVX2 measurement binary: random int8
// convolutions and inner products run through libqrt and compared with
// qrt::ref::int8Conv / int8FullyConnected, counting exact, off-by-one and
// worse elements.
//
//===----------------------------------------------------------------------===//

#ifndef QRT_UNITTESTS_QRTINT8TESTUTILS_H
#define QRT_UNITTESTS_QRTINT8TESTUTILS_H

#include "QrtTestUtils.h"

#include <cmath>
#include <cstring>
#include <iostream>
#include <sstream>
#include <string>

namespace qrt {
namespace test {

inline const char *dtypeName(int32_t dtype) {
  static const char *names[] = {"f32", "s8", "u8", "s32"};
  return dtype >= 0 && dtype <= 3 ? names[dtype] : "?";
}

inline size_t elementSize(int32_t dtype) {
  return dtype == QRT_S8 || dtype == QRT_U8 ? 1 : 4;
}

/// A tensor of any qrt_dtype, with its step (ignored for f32).
struct QBuffer {
  int32_t dtype = QRT_F32;
  Shape shape;
  std::vector<uint8_t> bytes;
  float step = 1;

  QBuffer() = default;
  QBuffer(int32_t dtype, Shape shape, float step = 1)
      : dtype(dtype), shape(shape),
        bytes(ref::numElements(shape) * elementSize(dtype)), step(step) {}
  int64_t size() const { return ref::numElements(shape); }
  void *data() { return bytes.data(); }
  const void *data() const { return bytes.data(); }
  ref::QTensor view() const {
    return {static_cast<ref::QType>(dtype), bytes.data(), shape, step};
  }
  ref::QOutput out() {
    return {static_cast<ref::QType>(dtype), bytes.data(), shape, step};
  }
  double at(int64_t i) const {
    switch (dtype) {
    case QRT_S8:
      return static_cast<int8_t>(bytes[i]);
    case QRT_U8:
      return bytes[i];
    case QRT_S32:
      return reinterpret_cast<const int32_t *>(bytes.data())[i];
    default:
      return reinterpret_cast<const float *>(bytes.data())[i];
    }
  }
  void set(int64_t i, double value) {
    switch (dtype) {
    case QRT_S8:
      bytes[i] = static_cast<uint8_t>(static_cast<int8_t>(value));
      return;
    case QRT_U8:
      bytes[i] = static_cast<uint8_t>(value);
      return;
    case QRT_S32:
      reinterpret_cast<int32_t *>(bytes.data())[i] =
          static_cast<int32_t>(value);
      return;
    default:
      reinterpret_cast<float *>(bytes.data())[i] = static_cast<float>(value);
    }
  }
};

/// Integers uniform in [lo, hi] (f32: uniform reals in [lo, hi)).
inline void fillRandom(QBuffer &b, double lo, double hi) {
  for (int64_t i = 0; i < b.size(); ++i)
    b.set(i, b.dtype == QRT_F32
                 ? std::uniform_real_distribution<double>(lo, hi)(rng())
                 : double(randomInt(rng(), int64_t(lo), int64_t(hi))));
}

/// The full range of an integer dtype.
inline void fillFullRange(QBuffer &b) {
  if (b.dtype == QRT_S8)
    fillRandom(b, -128, 127);
  else if (b.dtype == QRT_U8)
    fillRandom(b, 0, 255);
  else
    fillRandom(b, -2, 2);
}

inline double uniform(double lo, double hi) {
  return std::uniform_real_distribution<double>(lo, hi)(rng());
}

inline ref::ActivationParams toRef(const qrt_eltwise &e) {
  ref::ActivationParams p;
  p.kind = static_cast<ref::ActivationKind>(e.kind); // same order, 0 = id
  p.alpha = e.alpha;
  p.beta = e.beta;
  return p;
}

/// Functions oneDNN evaluates in f32 with at most one rounding (the others
/// are polynomial approximations).
inline bool roundsOnce(const qrt_eltwise &e) {
  switch (e.kind) {
  case QRT_ELTWISE_NONE:
  case QRT_ELTWISE_RELU:
  case QRT_ELTWISE_LEAKY:
  case QRT_ELTWISE_CLIP:
  case QRT_ELTWISE_ABS:
  case QRT_ELTWISE_SQUARE:
    return true;
  default:
    return false;
  }
}

/// Tally of actual vs expected outputs.
struct Tally {
  int64_t elements = 0, exact = 0, offByOne = 0, worse = 0;
  double maxAbs = 0; // largest |actual - expected|
  void add(const Tally &o) {
    elements += o.elements;
    exact += o.exact;
    offByOne += o.offByOne;
    worse += o.worse;
    maxAbs = std::max(maxAbs, o.maxAbs);
  }
  std::string str() const {
    std::ostringstream s;
    s << elements << " outputs: " << exact << " exact, " << offByOne
      << " off by one LSB, " << worse << " worse (max |diff| " << maxAbs << ")";
    return s.str();
  }
};

/// Integer outputs: counts |diff| == 0, 1, > 1. Float outputs: `worse`
/// counts elements with |a - e| > tol(e), where tol(e) = relPerElement *
/// |e| + relToMax * max|e|.
inline Tally compare(const QBuffer &actual, const QBuffer &expected,
                     double relPerElement = 0, double relToMax = 0) {
  Tally t;
  t.elements = expected.size();
  double maxMag = 0;
  for (int64_t i = 0; i < t.elements; ++i)
    maxMag = std::max(maxMag, std::fabs(expected.at(i)));
  for (int64_t i = 0; i < t.elements; ++i) {
    const double a = actual.at(i), e = expected.at(i);
    const double diff = std::fabs(a - e);
    t.maxAbs = std::max(t.maxAbs, diff);
    if (diff == 0)
      ++t.exact;
    else if (expected.dtype != QRT_F32 && diff == 1)
      ++t.offByOne;
    else if (expected.dtype != QRT_F32 && diff > 1) // counted as worse
      ++t.worse;
    else if (expected.dtype == QRT_F32 &&
             !(diff <= relPerElement * std::fabs(e) + relToMax * maxMag))
      ++t.worse;
    else
      ++t.exact; // within float rounding of the scaling
  }
  return t;
}

//===----------------------------------------------------------------------===//
// Convolution
//===----------------------------------------------------------------------===//

struct Int8ConvSpec {
  int numSpatial = 2;
  int64_t batch = 1, inChannels = 4, outChannels = 4, groups = 1;
  int64_t in[3] = {5, 5, 5}, kernel[3] = {3, 3, 3}, strides[3] = {1, 1, 1},
          dilations[3] = {1, 1, 1}, padBegin[3] = {1, 1, 1},
          padEnd[3] = {1, 1, 1};
  int32_t src = QRT_U8, dst = QRT_F32;
  bool dynamicSrc = false, bias = true, perChannel = true;
  bool sum = false, dynamicSum = false, inPlace = false;
  int32_t sumType = QRT_F32;
  float sumScale = 1;
  qrt_eltwise act{}, postsum{};
  /// Data ranges; default full range.
  int64_t srcLo = 0, srcHi = 255, weightLo = -128, weightHi = 127;
  /// Weights are weightMultiple * uniform[weightLo, weightHi].
  int64_t weightMultiple = 1;
  /// All steps 1 and integer biases: f32 outputs are the accumulators.
  bool unitSteps = false;
  /// Depthwise only: one input step per channel (Int8ConvParams::inputSteps),
  /// given to qrt_conv folded into the weight steps as the compiler does.
  bool channelSteps = false;
};

inline std::string describe(const Int8ConvSpec &c) {
  std::ostringstream s;
  s << c.numSpatial << "-D N" << c.batch << " C" << c.inChannels << "->"
    << c.outChannels << " g" << c.groups << " in";
  for (int i = 0; i < c.numSpatial; ++i)
    s << (i ? "x" : "") << c.in[i];
  s << " k";
  for (int i = 0; i < c.numSpatial; ++i)
    s << (i ? "x" : "") << c.kernel[i] << "/s" << c.strides[i] << "/d"
      << c.dilations[i] << "/p" << c.padBegin[i] << "," << c.padEnd[i];
  s << " " << dtypeName(c.src) << (c.dynamicSrc ? "(dyn)" : "") << "->"
    << dtypeName(c.dst) << (c.bias ? " bias" : "")
    << (c.perChannel ? " per-channel" : " per-tensor") << " act " << c.act.kind
    << " postsum " << c.postsum.kind;
  if (c.sum)
    s << " sum " << dtypeName(c.sumType) << (c.dynamicSum ? "(dyn)" : "")
      << (c.inPlace ? " in place" : "") << " x" << c.sumScale;
  return s.str();
}

struct Int8Result {
  Tally tally;
  std::string info;
  bool ok = false;
};

/// dst step for 8-bit outputs: the calibrated absmax / R of the real
/// outputs (times a factor below 1, so some outputs saturate).
inline float calibratedStep(const QBuffer &real, int32_t dtype) {
  double absmax = 0;
  for (int64_t i = 0; i < real.size(); ++i)
    absmax = std::max(absmax, std::fabs(real.at(i)));
  const double range = dtype == QRT_U8 ? 255.5 : 127.5;
  return absmax > 0 ? float(absmax / range * uniform(0.7, 1.0)) : 1.f;
}

/// Runs one random int8 convolution through libqrt and the oracle.
inline Int8Result runInt8Conv(const Int8ConvSpec &c) {
  Int8Result result;
  const int n = c.numSpatial;
  Shape inShape = {c.batch, c.inChannels};
  Shape wShape = {c.outChannels, c.inChannels / c.groups};
  ref::Int8ConvParams params;
  params.conv.groups = c.groups;
  for (int i = 0; i < n; ++i) {
    inShape.push_back(c.in[i]);
    wShape.push_back(c.kernel[i]);
    params.conv.strides.push_back(c.strides[i]);
    params.conv.dilations.push_back(c.dilations[i]);
    params.conv.padBegin.push_back(c.padBegin[i]);
    params.conv.padEnd.push_back(c.padEnd[i]);
  }
  Shape outShape;
  EXPECT_TRUE(
      ref::convOutputShape(inShape, wShape, params.conv, outShape).ok());

  QBuffer src(c.src, inShape, c.unitSteps ? 1.f : float(uniform(0.01, 0.05)));
  fillRandom(src, c.srcLo, c.srcHi);
  QBuffer weight(QRT_S8, wShape);
  fillRandom(weight, c.weightLo, c.weightHi);
  for (int64_t i = 0; i < weight.size(); ++i)
    weight.set(i, weight.at(i) * double(c.weightMultiple));
  params.weightSteps.resize(c.perChannel ? c.outChannels : 1);
  for (float &s : params.weightSteps)
    s = c.unitSteps ? 1.f : float(uniform(0.002, 0.02));
  // What the compiler hands qrt_conv for per-channel input steps: input
  // step 1, weight step float(in[o / multiplier] * w[o]) (Convolution.cpp
  // of q-lower-to-onednn).
  std::vector<float> qrtSteps = params.weightSteps;
  if (c.channelSteps) {
    params.inputSteps.resize(c.inChannels);
    for (float &s : params.inputSteps)
      s = float(uniform(0.002, 0.2));
    const int64_t multiplier = c.outChannels / c.inChannels;
    qrtSteps.resize(c.outChannels);
    for (int64_t o = 0; o < c.outChannels; ++o)
      qrtSteps[o] =
          float(double(params.inputSteps[o / multiplier]) *
                double(params.weightSteps.size() == 1 ? params.weightSteps[0]
                                                      : params.weightSteps[o]));
  }
  Floats bias({c.outChannels});
  for (float &b : bias.values)
    b = c.unitSteps ? float(randomInt(rng(), -1000, 1000))
                    : float(uniform(-2, 2));
  params.act = toRef(c.act);
  params.postsumAct = toRef(c.postsum);
  params.sumScale = c.sumScale;
  QBuffer sum;
  if (c.sum) {
    sum = QBuffer(c.sumType, outShape, float(uniform(0.01, 0.1)));
    fillFullRange(sum);
  }
  const ref::ConstF32 biasRef =
      c.bias ? ref::ConstF32(bias.values.data(), bias.shape) : ref::ConstF32();
  const auto weightRef = ref::TensorRef<const int8_t>(
      reinterpret_cast<const int8_t *>(weight.bytes.data()), wShape);
  // Calibrate the dst step on the real outputs, as the compiler would.
  float dstStep = 1;
  if (c.dst != QRT_F32) {
    QBuffer real(QRT_F32, outShape);
    EXPECT_TRUE(ref::int8Conv(src.view(), weightRef, biasRef, params,
                              c.sum ? sum.view() : ref::QTensor(), real.out())
                    .ok());
    dstStep = calibratedStep(real, c.dst);
  }
  QBuffer expected(c.dst, outShape, dstStep);
  ref::Status status =
      ref::int8Conv(src.view(), weightRef, biasRef, params,
                    c.sum ? sum.view() : ref::QTensor(), expected.out());
  EXPECT_TRUE(status.ok()) << status.message();

  qrt_conv_desc d{};
  d.abi_version = QRT_ABI_VERSION;
  d.num_spatial = n;
  d.batch = c.batch;
  d.in_channels = c.inChannels;
  d.out_channels = c.outChannels;
  d.groups = c.groups;
  for (int i = 0; i < n; ++i) {
    d.in_spatial[i] = c.in[i];
    d.kernel[i] = c.kernel[i];
    d.out_spatial[i] = outShape[2 + i];
    d.strides[i] = c.strides[i];
    d.dilations[i] = c.dilations[i];
    d.pad_begin[i] = c.padBegin[i];
    d.pad_end[i] = c.padEnd[i];
  }
  d.src_dtype = c.src;
  d.weight_dtype = QRT_S8;
  d.bias_dtype = QRT_F32;
  d.dst_dtype = c.dst;
  d.sum_dtype = c.sum ? c.sumType : c.dst;
  d.has_bias = c.bias;
  d.has_sum = c.sum;
  d.sum_scale = c.sumScale;
  d.act = c.act;
  d.postsum_act = c.postsum;
  d.num_weight_steps = static_cast<int32_t>(qrtSteps.size());
  d.src_q = c.channelSteps ? qrt_qparam{1, 0}
            : c.dynamicSrc ? qrt_qparam{0, 0}
                           : qrt_qparam{src.step, 0};
  d.dst_q = {dstStep, 0};
  d.sum_q = c.dynamicSum ? qrt_qparam{0, 1} : qrt_qparam{sum.step, 0};
  ModelPtr model = makeModel(1);
  if (qrt_conv_init(model.get(), 0, &d, weight.data(), bias.values.data(),
                    qrtSteps.data()) != QRT_OK) {
    ADD_FAILURE() << "init: " << qrt_last_error();
    return result;
  }
  result.info = qrt_op_info(model.get(), 0);
  ExecPtr exec = makeExec(model.get());
  if (c.dynamicSrc) {
    EXPECT_EQ(qrt_exec_set_step(exec.get(), 0, src.step), QRT_OK);
  }
  if (c.sum && c.dynamicSum) {
    EXPECT_EQ(qrt_exec_set_step(exec.get(), 1, sum.step), QRT_OK);
  }
  QBuffer actual(c.dst, outShape, dstStep);
  const void *sumArg = c.sum ? sum.data() : nullptr;
  if (c.sum && c.inPlace) {
    actual.bytes = sum.bytes;
    sumArg = actual.data();
  }
  if (qrt_conv_run(model.get(), exec.get(), 0, src.data(), sumArg,
                   actual.data()) != QRT_OK) {
    ADD_FAILURE() << "run: " << qrt_last_error();
    return result;
  }
  // f32: the accumulator must be exact, so outputs agree within float
  // rounding of the scaling (2^-21 relative) - or within oneDNN's
  // approximation of transcendental functions (1e-5 of the largest output).
  const bool exactFunctions =
      roundsOnce(c.act) && c.postsum.kind == QRT_ELTWISE_NONE && !c.sum;
  result.tally = exactFunctions ? compare(actual, expected, 1.0 / (1 << 21))
                                : compare(actual, expected, 1e-6, 1e-5);
  result.ok = true;
  return result;
}

//===----------------------------------------------------------------------===//
// Fully connected
//===----------------------------------------------------------------------===//

struct Int8FcSpec {
  Shape input = {3, 20};
  int64_t hidden = 7;
  bool flatten = true;
  int32_t src = QRT_U8, dst = QRT_F32;
  bool dynamicSrc = false, bias = true, perChannel = true;
  qrt_eltwise act{};
  int64_t srcLo = 0, srcHi = 255, weightLo = -128, weightHi = 127;
  int64_t weightMultiple = 1;
  bool unitSteps = false;
};

inline std::string describe(const Int8FcSpec &c) {
  std::ostringstream s;
  s << ref::shapeToString(c.input) << " -> " << c.hidden
    << (c.flatten ? " flatten " : " ") << dtypeName(c.src)
    << (c.dynamicSrc ? "(dyn)" : "") << "->" << dtypeName(c.dst)
    << (c.bias ? " bias" : "")
    << (c.perChannel ? " per-channel" : " per-tensor") << " act " << c.act.kind;
  return s.str();
}

inline Int8Result runInt8Fc(const Int8FcSpec &c) {
  Int8Result result;
  ref::FullyConnectedParams fcParams;
  fcParams.flatten = c.flatten;
  const int64_t depth =
      c.flatten ? ref::numElements(c.input) / c.input[0] : c.input.back();
  const Shape wShape = {c.hidden, depth};
  Shape outShape;
  EXPECT_TRUE(
      ref::fullyConnectedOutputShape(c.input, wShape, fcParams, outShape).ok());
  QBuffer src(c.src, c.input, c.unitSteps ? 1.f : float(uniform(0.01, 0.05)));
  fillRandom(src, c.srcLo, c.srcHi);
  QBuffer weight(QRT_S8, wShape);
  fillRandom(weight, c.weightLo, c.weightHi);
  for (int64_t i = 0; i < weight.size(); ++i)
    weight.set(i, weight.at(i) * double(c.weightMultiple));
  std::vector<float> steps(c.perChannel ? c.hidden : 1);
  for (float &s : steps)
    s = c.unitSteps ? 1.f : float(uniform(0.002, 0.02));
  Floats bias({c.hidden});
  for (float &b : bias.values)
    b = c.unitSteps ? float(randomInt(rng(), -1000, 1000))
                    : float(uniform(-2, 2));
  const ref::ConstF32 biasRef =
      c.bias ? ref::ConstF32(bias.values.data(), bias.shape) : ref::ConstF32();
  const auto weightRef = ref::TensorRef<const int8_t>(
      reinterpret_cast<const int8_t *>(weight.bytes.data()), wShape);
  float dstStep = 1;
  if (c.dst != QRT_F32) {
    QBuffer real(QRT_F32, outShape);
    EXPECT_TRUE(ref::int8FullyConnected(src.view(), weightRef, biasRef, steps,
                                        fcParams, toRef(c.act), real.out())
                    .ok());
    dstStep = calibratedStep(real, c.dst);
  }
  QBuffer expected(c.dst, outShape, dstStep);
  EXPECT_TRUE(ref::int8FullyConnected(src.view(), weightRef, biasRef, steps,
                                      fcParams, toRef(c.act), expected.out())
                  .ok());

  qrt_fc_desc d{};
  d.abi_version = QRT_ABI_VERSION;
  d.flatten = c.flatten;
  d.input = toQrtShape(c.input);
  d.num_hidden = c.hidden;
  d.src_dtype = c.src;
  d.weight_dtype = QRT_S8;
  d.bias_dtype = QRT_F32;
  d.dst_dtype = c.dst;
  d.has_bias = c.bias;
  d.num_weight_steps = static_cast<int32_t>(steps.size());
  d.act = c.act;
  d.src_q = c.dynamicSrc ? qrt_qparam{0, 3} : qrt_qparam{src.step, 0};
  d.dst_q = {dstStep, 0};
  ModelPtr model = makeModel(1);
  if (qrt_fc_init(model.get(), 0, &d, weight.data(), bias.values.data(),
                  steps.data()) != QRT_OK) {
    ADD_FAILURE() << "init: " << qrt_last_error();
    return result;
  }
  result.info = qrt_op_info(model.get(), 0);
  ExecPtr exec = makeExec(model.get());
  if (c.dynamicSrc) {
    EXPECT_EQ(qrt_exec_set_step(exec.get(), 3, src.step), QRT_OK);
  }
  QBuffer actual(c.dst, outShape, dstStep);
  if (qrt_fc_run(model.get(), exec.get(), 0, src.data(), actual.data()) !=
      QRT_OK) {
    ADD_FAILURE() << "run: " << qrt_last_error();
    return result;
  }
  const bool exactFunctions = roundsOnce(c.act);
  result.tally = exactFunctions ? compare(actual, expected, 1.0 / (1 << 21))
                                : compare(actual, expected, 1e-6, 1e-5);
  result.ok = true;
  return result;
}

//===----------------------------------------------------------------------===//
// Hardware without VNNI
//===----------------------------------------------------------------------===//

/// Whether oneDNN's int8 conv and FC are exact on full-range data here.
/// Without VNNI (AVX2, AVX-512 without VNNI, or DNNL_MAX_CPU_ISA) they are
/// not (docs/RUNTIME.md; QrtInt8Avx2Tests measures it), and the int8 tests
/// then draw data from the ranges that are exact there.
inline bool fullRangeIsExact() {
  static const bool exact = [] {
    const std::mt19937 saved = rng();
    bool result = true;
    for (int32_t src : {QRT_U8, QRT_S8}) {
      Int8ConvSpec c;
      c.inChannels = c.outChannels = 32;
      c.in[0] = c.in[1] = 6;
      c.src = src;
      c.srcLo = src == QRT_U8 ? 0 : -128;
      c.srcHi = src == QRT_U8 ? 255 : 127;
      c.unitSteps = true;
      Int8FcSpec f;
      f.input = {4, 256};
      f.hidden = 16;
      f.src = src;
      f.srcLo = c.srcLo;
      f.srcHi = c.srcHi;
      f.unitSteps = true;
      const Int8Result conv = runInt8Conv(c), fc = runInt8Fc(f);
      result = result && conv.tally.exact == conv.tally.elements &&
               fc.tally.exact == fc.tally.elements;
    }
    rng() = saved;
    if (!result)
      std::cout << "note: oneDNN's int8 kernels are not exact on full-range "
                   "data here (no VNNI); int8 tests use 7-bit data\n";
    return result;
  }();
  return exact;
}

/// The data ranges oneDNN computes exactly without VNNI: u8 sources in
/// [0, 127]; s8 sources in [-64, 63] with even weights in [-64, 63] (its
/// s8 conv halves the weights, its s8 gemm shifts the source by 128).
inline void limitToExactRanges(int32_t src, int64_t &srcLo, int64_t &srcHi,
                               int64_t &weightLo, int64_t &weightHi,
                               int64_t &weightMultiple) {
  if (fullRangeIsExact())
    return;
  if (src == QRT_U8) {
    srcHi = std::min<int64_t>(srcHi, 127);
    return;
  }
  srcLo = std::max<int64_t>(srcLo, -64);
  srcHi = std::min<int64_t>(srcHi, 63);
  weightLo = -32;
  weightHi = 31;
  weightMultiple = 2;
}
inline void limitToExactRanges(Int8ConvSpec &c) {
  limitToExactRanges(c.src, c.srcLo, c.srcHi, c.weightLo, c.weightHi,
                     c.weightMultiple);
}
inline void limitToExactRanges(Int8FcSpec &c) {
  limitToExactRanges(c.src, c.srcLo, c.srcHi, c.weightLo, c.weightHi,
                     c.weightMultiple);
}

} // namespace test
} // namespace qrt

#endif // QRT_UNITTESTS_QRTINT8TESTUTILS_H
