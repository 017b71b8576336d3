//===- QrtInt8Test.cpp - int8 convolution and FC through the C ABI --------===//
//
// Oracle: the integer reference kernels (exact s32 accumulators) followed
// by scaling, rounding half to even and saturation. Scales are powers of
// two, so oneDNN's f32 scaling is exact and results must match bit for bit.
// Data stays in 7 bits (u8 <= 127, |weight| <= 64, even weights for s8
// sources) so that AVX2's saturating vpmaddubsw and oneDNN's halved weights
// for s8 sources lose nothing; docs/RUNTIME.md describes what happens
// outside that range.
//
//===----------------------------------------------------------------------===//

#include "QrtTestUtils.h"

#include <cmath>
#include <limits>

using namespace qrt::test;
namespace ref = qrt::ref;
using ref::test::Buffer;
using ref::test::randomInts;

namespace {

template <typename T> double saturate(double value) {
  const double rounded = ref::roundHalfToEven(value);
  return std::min<double>(
      std::max<double>(rounded, std::numeric_limits<T>::min()),
      std::numeric_limits<T>::max());
}

/// acc * scale (+ relu) (+ sumScale * sum) rounded to dst.
double finish(int64_t acc, float scale, bool relu, double sumTerm,
              int32_t dst) {
  double value = double(acc) * scale;
  if (relu)
    value = std::max(value, 0.0);
  value += sumTerm;
  switch (dst) {
  case QRT_U8:
    return saturate<uint8_t>(value);
  case QRT_S8:
    return saturate<int8_t>(value);
  case QRT_S32:
    return saturate<int32_t>(value);
  default:
    return static_cast<float>(value);
  }
}

/// Reads element i of a buffer of dtype `dt` as a double.
double element(const std::vector<uint8_t> &bytes, int32_t dt, size_t i) {
  switch (dt) {
  case QRT_U8:
    return bytes[i];
  case QRT_S8:
    return static_cast<int8_t>(bytes[i]);
  case QRT_S32:
    return reinterpret_cast<const int32_t *>(bytes.data())[i];
  default:
    return reinterpret_cast<const float *>(bytes.data())[i];
  }
}

size_t sizeOf(int32_t dt) { return dt == QRT_U8 || dt == QRT_S8 ? 1 : 4; }

struct Int8Case {
  int32_t src = QRT_U8, dst = QRT_U8;
  bool perChannel = true, relu = false, sum = false;
  // Pads of 2 around a 1x3 kernel: windows wholly in the padding (the
  // geometry that crashes oneDNN 2.6.3's brgconv with sum + eltwise).
  bool paddingOnlyWindows = false;
};

std::string describe(const Int8Case &c) {
  const char *names[] = {"f32", "s8", "u8", "s32"};
  return std::string(names[c.src]) + "->" + names[c.dst] +
         (c.perChannel ? " per-channel" : " per-tensor") +
         (c.relu ? " relu" : "") + (c.sum ? " sum" : "");
}

std::vector<float> powerOfTwoScales(int64_t n) {
  std::vector<float> scales(n);
  for (int64_t i = 0; i < n; ++i)
    scales[i] = std::ldexp(1.f, -static_cast<int>(randomInt(rng(), 4, 9)));
  return scales;
}

void checkInt8Conv(const Int8Case &c) {
  SCOPED_TRACE(describe(c));
  const int64_t n = 2, ic = 16, oc = 24, h = 9, w = 7;
  const int64_t kh = c.paddingOnlyWindows ? 1 : 3;
  const Shape inShape = {n, ic, h, w}, wShape = {oc, ic, kh, 3};
  ref::ConvParams params;
  params.padBegin = {c.paddingOnlyWindows ? 2 : 1, 0};
  params.padEnd = {1, 2};
  params.strides = {1, 2};
  Shape outShape;
  ASSERT_TRUE(ref::convOutputShape(inShape, wShape, params, outShape).ok());
  const bool signedSrc = c.src == QRT_S8;
  Buffer<uint8_t> inU8 = randomInts<uint8_t>(rng(), inShape, 0, 127);
  Buffer<int8_t> inS8 = randomInts<int8_t>(rng(), inShape, -64, 63);
  Buffer<int8_t> weight = randomInts<int8_t>(rng(), wShape, -32, 32);
  if (signedSrc)
    for (int8_t &v : weight.values)
      v = static_cast<int8_t>(v * 2 > 63 ? 62 : v * 2);
  Buffer<int32_t> bias = randomInts<int32_t>(rng(), {oc}, -3000, 3000);
  Buffer<int32_t> acc(outShape);
  if (signedSrc)
    ASSERT_TRUE(ref::quantizedConv(inS8.cref(), weight.cref(), bias.cref(),
                                   params, acc.ref())
                    .ok());
  else
    ASSERT_TRUE(ref::quantizedConv(inU8.cref(), weight.cref(), bias.cref(),
                                   params, acc.ref())
                    .ok());
  const std::vector<float> scales = powerOfTwoScales(c.perChannel ? oc : 1);
  const float sumScale = 0.5f;
  const size_t count = acc.values.size();
  std::vector<uint8_t> sum(count * sizeOf(c.dst));
  for (size_t i = 0; i < count; ++i) {
    const int64_t v = randomInt(rng(), c.dst == QRT_U8 ? 0 : -100, 100);
    if (sizeOf(c.dst) == 1)
      sum[i] = static_cast<uint8_t>(v);
    else if (c.dst == QRT_S32)
      reinterpret_cast<int32_t *>(sum.data())[i] = static_cast<int32_t>(v);
    else
      reinterpret_cast<float *>(sum.data())[i] = static_cast<float>(v);
  }
  const int64_t spatial = outShape[2] * outShape[3];
  std::vector<double> expected(count);
  for (size_t i = 0; i < count; ++i) {
    const int64_t channel = (static_cast<int64_t>(i) / spatial) % oc;
    const float scale = scales[c.perChannel ? channel : 0];
    expected[i] =
        finish(acc.values[i], scale, c.relu,
               c.sum ? sumScale * element(sum, c.dst, i) : 0.0, c.dst);
  }

  qrt_conv_desc d{};
  d.abi_version = QRT_ABI_VERSION;
  d.num_spatial = 2;
  d.batch = n;
  d.in_channels = ic;
  d.out_channels = oc;
  d.groups = 1;
  for (int i = 0; i < 2; ++i) {
    d.in_spatial[i] = inShape[2 + i];
    d.kernel[i] = wShape[2 + i];
    d.out_spatial[i] = outShape[2 + i];
    d.strides[i] = params.strides[i];
    d.dilations[i] = 1;
    d.pad_begin[i] = params.padBegin[i];
    d.pad_end[i] = params.padEnd[i];
  }
  d.src_dtype = c.src;
  d.weight_dtype = QRT_S8;
  d.bias_dtype = QRT_S32;
  d.dst_dtype = c.dst;
  d.sum_dtype = c.dst;
  d.has_bias = 1;
  d.has_sum = c.sum;
  d.sum_scale = sumScale;
  if (c.relu)
    d.act.kind = QRT_ELTWISE_RELU;
  d.num_scales = static_cast<int32_t>(scales.size());
  ModelPtr model = makeModel(1);
  ASSERT_QRT(qrt_conv_init(model.get(), 0, &d, weight.values.data(),
                           bias.values.data(), scales.data()));
  ExecPtr exec = makeExec(model.get());
  std::vector<uint8_t> out(count * sizeOf(c.dst));
  ASSERT_QRT(qrt_conv_run(model.get(), exec.get(), 0,
                          signedSrc
                              ? static_cast<const void *>(inS8.values.data())
                              : inU8.values.data(),
                          c.sum ? sum.data() : nullptr, out.data()));
  size_t mismatches = 0;
  for (size_t i = 0; i < count; ++i)
    mismatches += element(out, c.dst, i) != expected[i];
  EXPECT_EQ(mismatches, 0u)
      << "of " << count << "; impl " << qrt_op_info(model.get(), 0);
}

} // namespace

TEST(QrtInt8, ConvEveryDtype) {
  seed(60);
  for (int32_t src : {QRT_U8, QRT_S8})
    for (int32_t dst : {QRT_U8, QRT_S8, QRT_S32, QRT_F32}) {
      Int8Case c;
      c.src = src;
      c.dst = dst;
      checkInt8Conv(c);
      c.perChannel = false;
      c.relu = true;
      checkInt8Conv(c);
      c.perChannel = true;
      c.sum = true;
      checkInt8Conv(c);
    }
}

TEST(QrtInt8, ConvPaddingOnlyWindowsWithSumAndRelu) {
  seed(62);
  for (int32_t dst : {QRT_U8, QRT_S8, QRT_F32}) {
    Int8Case c;
    c.dst = dst;
    c.relu = c.sum = c.paddingOnlyWindows = true;
    checkInt8Conv(c);
  }
}

TEST(QrtInt8, FullyConnected) {
  seed(61);
  for (int32_t dst : {QRT_U8, QRT_S8, QRT_S32, QRT_F32}) {
    SCOPED_TRACE(dst);
    const int64_t rows = 5, depth = 40, hidden = 17;
    Buffer<uint8_t> input = randomInts<uint8_t>(rng(), {rows, depth}, 0, 127);
    Buffer<int8_t> weight = randomInts<int8_t>(rng(), {hidden, depth}, -64, 63);
    Buffer<int32_t> bias = randomInts<int32_t>(rng(), {hidden}, -500, 500);
    Buffer<int32_t> acc({rows, hidden});
    ASSERT_TRUE(ref::quantizedFullyConnected(input.cref(), weight.cref(),
                                             bias.cref(), {}, acc.ref())
                    .ok());
    const std::vector<float> scales = powerOfTwoScales(hidden);
    qrt_fc_desc d{};
    d.abi_version = QRT_ABI_VERSION;
    d.flatten = 1;
    d.input = toQrtShape({rows, depth});
    d.num_hidden = hidden;
    d.src_dtype = QRT_U8;
    d.weight_dtype = QRT_S8;
    d.bias_dtype = QRT_S32;
    d.dst_dtype = dst;
    d.has_bias = 1;
    d.num_scales = static_cast<int32_t>(hidden);
    d.act.kind = QRT_ELTWISE_RELU;
    ModelPtr model = makeModel(1);
    ASSERT_QRT(qrt_fc_init(model.get(), 0, &d, weight.values.data(),
                           bias.values.data(), scales.data()));
    ExecPtr exec = makeExec(model.get());
    std::vector<uint8_t> out(rows * hidden * sizeOf(dst));
    ASSERT_QRT(qrt_fc_run(model.get(), exec.get(), 0, input.values.data(),
                          out.data()));
    size_t mismatches = 0;
    for (int64_t i = 0; i < rows * hidden; ++i)
      mismatches += element(out, dst, i) !=
                    finish(acc.values[i], scales[i % hidden], true, 0, dst);
    EXPECT_EQ(mismatches, 0u) << qrt_op_info(model.get(), 0);
  }
}

TEST(QrtInt8, BadDescriptors) {
  ModelPtr model = makeModel(1);
  qrt_fc_desc d{};
  d.abi_version = QRT_ABI_VERSION;
  d.flatten = 1;
  d.input = toQrtShape({2, 8});
  d.num_hidden = 4;
  d.src_dtype = QRT_U8;
  d.weight_dtype = QRT_S8;
  d.dst_dtype = QRT_U8;
  d.num_scales = 3;
  std::vector<int8_t> weight(32);
  const float scales[4] = {1, 1, 1, 1};
  EXPECT_QRT_ERROR(qrt_fc_init(model.get(), 0, &d, weight.data(), 0, scales),
                   QRT_ERR_INVALID_ARGUMENT, "needs 0, 1 or 4 scales, got 3");
  d.num_scales = 4;
  EXPECT_QRT_ERROR(qrt_fc_init(model.get(), 0, &d, weight.data(), 0, nullptr),
                   QRT_ERR_NULL_POINTER, "scales is NULL");
  d.weight_dtype = QRT_U8;
  EXPECT_QRT_ERROR(qrt_fc_init(model.get(), 0, &d, weight.data(), 0, scales),
                   QRT_ERR_UNSUPPORTED, "int8 weight dtype u8");
}
