//===- QrtInt8Test.cpp - libqrt's int8 ops through the C ABI --------------===//
//
// Every int8 op against the qrt::ref int8 oracle on random shapes with
// full-range data, static and dynamic steps. Conv/FC accumulators must be
// exact; 8-bit conv/FC outputs of the all-static oneDNN path may differ by
// one LSB (oneDNN scales in f32), and the tests print how many do. The
// double-precision loops (conv/FC epilogue, quantize, add, concat,
// activation, pooling) must match bit for bit.
//
//===----------------------------------------------------------------------===//

#include "QrtInt8TestUtils.h"

#include <iostream>
#include <limits>
#include <map>
#include <thread>

using namespace qrt::test;
namespace ref = qrt::ref;

namespace {

const qrt_eltwise kActs[] = {
    {QRT_ELTWISE_NONE, 0, 0, 0},     {QRT_ELTWISE_RELU, 0, 0, 0},
    {QRT_ELTWISE_LEAKY, 0.1f, 0, 0}, {QRT_ELTWISE_CLIP, -0.5f, 1.5f, 0},
    {QRT_ELTWISE_TANH, 0, 0, 0},     {QRT_ELTWISE_SIGMOID, 0, 0, 0},
    {QRT_ELTWISE_SOFTRELU, 0, 0, 0}, {QRT_ELTWISE_ELU, 0.5f, 0, 0},
    {QRT_ELTWISE_SELU, 0, 0, 0},     {QRT_ELTWISE_GELU, 0, 0, 0},
    {QRT_ELTWISE_SOFTSIGN, 0, 0, 0}, {QRT_ELTWISE_ABS, 0, 0, 0},
    {QRT_ELTWISE_SQUARE, 0, 0, 0},
};
constexpr int kNumActs = sizeof(kActs) / sizeof(kActs[0]);

qrt_eltwise randomAct() { return kActs[randomInt(rng(), 0, kNumActs - 1)]; }

/// A random geometry: 1-3 spatial dims, odd sizes, groups or depthwise,
/// dilation, strides, asymmetric pads.
Int8ConvSpec randomConv() {
  Int8ConvSpec c;
  c.numSpatial = static_cast<int>(randomInt(rng(), 1, 3));
  c.batch = randomInt(rng(), 1, 2);
  const int64_t shape = randomInt(rng(), 0, 2);
  if (shape == 0) { // dense
    c.groups = 1;
    c.inChannels = randomInt(rng(), 1, 19);
    c.outChannels = randomInt(rng(), 1, 21);
  } else if (shape == 1) { // grouped
    c.groups = randomInt(rng(), 2, 4);
    c.inChannels = c.groups * randomInt(rng(), 1, 5);
    c.outChannels = c.groups * randomInt(rng(), 1, 5);
  } else { // depthwise (channel multiplier 1 or 2)
    c.groups = randomInt(rng(), 1, 17);
    c.inChannels = c.groups;
    c.outChannels = c.groups * randomInt(rng(), 1, 2);
  }
  for (int i = 0; i < c.numSpatial; ++i) {
    c.kernel[i] = randomInt(rng(), 1, c.numSpatial == 3 ? 2 : 3);
    c.dilations[i] = randomInt(rng(), 1, 2);
    c.strides[i] = randomInt(rng(), 1, 2);
    c.padBegin[i] = randomInt(rng(), 0, 2);
    c.padEnd[i] = randomInt(rng(), 0, 2);
    const int64_t span = c.dilations[i] * (c.kernel[i] - 1) + 1;
    const int64_t minIn =
        std::max<int64_t>(1, span - c.padBegin[i] - c.padEnd[i]);
    c.in[i] = randomInt(rng(), minIn, minIn + (c.numSpatial == 3 ? 4 : 8));
  }
  c.src = randomInt(rng(), 0, 1) ? QRT_U8 : QRT_S8;
  c.srcLo = c.src == QRT_U8 ? 0 : -128;
  c.srcHi = c.src == QRT_U8 ? 255 : 127;
  const int32_t dsts[] = {QRT_F32, QRT_S8, QRT_U8};
  c.dst = dsts[randomInt(rng(), 0, 2)];
  c.dynamicSrc = randomInt(rng(), 0, 3) == 0;
  c.bias = randomInt(rng(), 0, 3) != 0;
  c.perChannel = randomInt(rng(), 0, 3) != 0;
  c.act = randomInt(rng(), 0, 1) ? randomAct() : kActs[0];
  c.sum = randomInt(rng(), 0, 2) == 0;
  if (c.sum) {
    c.sumType = c.dst == QRT_F32              ? QRT_F32
                : randomInt(rng(), 0, 1) != 0 ? QRT_U8
                                              : QRT_S8;
    c.dynamicSum = c.sumType != QRT_F32 && randomInt(rng(), 0, 3) == 0;
    c.inPlace = randomInt(rng(), 0, 1) != 0;
    c.sumScale = float(uniform(0.5, 1.5));
  }
  c.postsum = randomInt(rng(), 0, 2) == 0 ? randomAct() : kActs[0];
  return c;
}

/// Runs specs, requires exact accumulators and at most 1 LSB on 8-bit
/// outputs (none on the double-precision epilogue), and prints the tally.
template <typename Spec, typename Run>
void runAll(const char *name, const std::vector<Spec> &specs, Run run) {
  Tally oneDnn, epilogue;
  int64_t oneDnnCases = 0, epilogueCases = 0;
  std::map<std::string, int> impls;
  for (Spec spec : specs) {
    limitToExactRanges(spec); // on hardware without VNNI
    SCOPED_TRACE(describe(spec));
    const Int8Result r = run(spec);
    if (!r.ok)
      continue;
    const bool loop = r.info.find("int8 epilogue") != std::string::npos;
    (loop ? epilogue : oneDnn).add(r.tally);
    ++(loop ? epilogueCases : oneDnnCases);
    if (r.info.find("ref") != std::string::npos && impls[r.info] < 3)
      std::cout << "  (oneDNN reference kernel for " << describe(spec) << ")\n";
    ++impls[r.info];
    EXPECT_EQ(r.tally.worse, 0) << r.info << ": " << r.tally.str();
    if (loop) {
      EXPECT_EQ(r.tally.offByOne, 0) << r.info << ": " << r.tally.str();
    }
  }
  std::cout << "[" << name << "] oneDNN post-ops path, " << oneDnnCases
            << " cases, " << oneDnn.str() << "\n[" << name
            << "] s32 + double epilogue, " << epilogueCases << " cases, "
            << epilogue.str() << "\n";
  for (const auto &[info, count] : impls)
    std::cout << "  " << count << " x " << info << "\n";
}

} // namespace

//===----------------------------------------------------------------------===//
// Convolution and FC
//===----------------------------------------------------------------------===//

TEST(QrtInt8Conv, RandomAgainstReference) {
  seed(70);
  std::vector<Int8ConvSpec> specs;
  for (int i = 0; i < 160; ++i)
    specs.push_back(randomConv());
  runAll("int8 conv", specs, runInt8Conv);
}

TEST(QrtInt8Conv, EveryActivationIntoEveryDtype) {
  // tanh / sigmoid into u8 and s8 are real-valued functions, not relu.
  seed(71);
  std::vector<Int8ConvSpec> specs;
  for (const qrt_eltwise &act : kActs)
    for (int32_t dst : {QRT_U8, QRT_S8, QRT_F32})
      for (int32_t src : {QRT_U8, QRT_S8}) {
        Int8ConvSpec c;
        c.inChannels = 8;
        c.outChannels = 12;
        c.in[0] = 7;
        c.in[1] = 6;
        c.padEnd[1] = 0;
        c.src = src;
        c.srcLo = src == QRT_U8 ? 0 : -128;
        c.srcHi = src == QRT_U8 ? 255 : 127;
        c.dst = dst;
        c.act = act;
        specs.push_back(c);
        c.sum = true; // and as postsum_act after a sum
        c.sumType = dst == QRT_F32 ? QRT_F32 : QRT_S8;
        c.sumScale = 0.75f;
        c.postsum = act;
        c.act = kActs[1];
        specs.push_back(c);
      }
  runAll("int8 conv acts", specs, runInt8Conv);
}

TEST(QrtInt8Conv, AccumulatorIsExactWithUnitSteps) {
  // All steps 1 and integer biases: the f32 output is the s32 accumulator
  // itself (|acc| < 2^24 here), so it must match bit for bit.
  seed(72);
  for (int i = 0; i < 40; ++i) {
    Int8ConvSpec c = randomConv();
    c.dst = QRT_F32;
    c.act = c.postsum = kActs[0];
    c.sum = false;
    c.unitSteps = true;
    limitToExactRanges(c);
    SCOPED_TRACE(describe(c));
    const Int8Result r = runInt8Conv(c);
    EXPECT_EQ(r.tally.exact, r.tally.elements) << r.info;
    EXPECT_EQ(r.tally.maxAbs, 0) << r.info;
  }
}

TEST(QrtInt8Conv, DepthwiseAndDilatedWindowsInThePadding) {
  // Pads >= kernel with sum + act: the geometry that crashes oneDNN
  // 2.6.3's brgconv; also depthwise 3-D with dilation.
  seed(73);
  std::vector<Int8ConvSpec> specs;
  for (int32_t dst : {QRT_U8, QRT_S8, QRT_F32}) {
    Int8ConvSpec c;
    c.inChannels = c.outChannels = c.groups = 16;
    c.kernel[0] = 1;
    c.padBegin[0] = 2;
    c.padEnd[1] = 2;
    c.strides[1] = 2;
    c.in[0] = 9;
    c.in[1] = 7;
    c.dst = dst;
    c.act = kActs[1];
    c.sum = true;
    c.sumType = dst == QRT_F32 ? QRT_F32 : QRT_U8;
    c.sumScale = 0.5f;
    specs.push_back(c);
    c.groups = 1;
    specs.push_back(c);
    Int8ConvSpec d;
    d.numSpatial = 3;
    d.inChannels = d.outChannels = d.groups = 8;
    d.dilations[0] = d.dilations[2] = 2;
    d.padBegin[2] = 2;
    d.padEnd[0] = 0;
    d.dst = dst;
    d.src = QRT_S8;
    d.srcLo = -128;
    d.srcHi = 127;
    specs.push_back(d);
  }
  runAll("int8 conv padding", specs, runInt8Conv);
}

TEST(QrtInt8Conv, EpilogueForcedMatchesReferenceExactly) {
  // QRT_INT8_EPILOGUE=1 routes static steps through the s32 + double path.
  seed(74);
  setenv("QRT_INT8_EPILOGUE", "1", 1);
  std::vector<Int8ConvSpec> specs;
  for (int i = 0; i < 40; ++i)
    specs.push_back(randomConv());
  runAll("int8 conv forced epilogue", specs, runInt8Conv);
  unsetenv("QRT_INT8_EPILOGUE");
}

TEST(QrtInt8Fc, RandomAgainstReference) {
  seed(75);
  std::vector<Int8FcSpec> specs;
  for (int i = 0; i < 80; ++i) {
    Int8FcSpec c;
    const int rank = static_cast<int>(randomInt(rng(), 2, 4));
    c.input.clear();
    for (int r = 0; r < rank; ++r)
      c.input.push_back(randomInt(rng(), 1, r == rank - 1 ? 37 : 5));
    c.flatten = randomInt(rng(), 0, 1) != 0;
    c.hidden = randomInt(rng(), 1, 33);
    c.src = randomInt(rng(), 0, 1) ? QRT_U8 : QRT_S8;
    c.srcLo = c.src == QRT_U8 ? 0 : -128;
    c.srcHi = c.src == QRT_U8 ? 255 : 127;
    const int32_t dsts[] = {QRT_F32, QRT_S8, QRT_U8};
    c.dst = dsts[randomInt(rng(), 0, 2)];
    c.dynamicSrc = randomInt(rng(), 0, 3) == 0;
    c.bias = randomInt(rng(), 0, 3) != 0;
    c.perChannel = randomInt(rng(), 0, 3) != 0;
    c.act = randomInt(rng(), 0, 1) ? randomAct() : kActs[0];
    specs.push_back(c);
  }
  runAll("int8 fc", specs, runInt8Fc);
}

TEST(QrtInt8Fc, AccumulatorIsExactWithUnitSteps) {
  seed(76);
  for (int32_t src : {QRT_U8, QRT_S8}) {
    Int8FcSpec c;
    c.input = {5, 3, 7, 9};
    c.hidden = 19;
    c.src = src;
    c.srcLo = src == QRT_U8 ? 0 : -128;
    c.srcHi = src == QRT_U8 ? 255 : 127;
    c.unitSteps = true;
    limitToExactRanges(c);
    SCOPED_TRACE(describe(c));
    const Int8Result r = runInt8Fc(c);
    EXPECT_EQ(r.tally.maxAbs, 0) << r.info;
  }
}

//===----------------------------------------------------------------------===//
// Quantize / dequantize / requantize
//===----------------------------------------------------------------------===//

TEST(QrtInt8Conv, PerChannelInputStepsOnDepthwise) {
  // One input step per channel (issue #17): the compiler folds them into
  // the weight steps; the reference applies them per channel. The s32 +
  // double epilogue must match bit for bit, oneDNN within 1 LSB.
  seed(75);
  std::vector<Int8ConvSpec> specs;
  for (int i = 0; i < 40; ++i) {
    Int8ConvSpec c = randomConv();
    c.groups = c.inChannels = randomInt(rng(), 2, 17);
    c.outChannels = c.groups * randomInt(rng(), 1, 2);
    c.dynamicSrc = false;
    c.channelSteps = true;
    specs.push_back(c);
  }
  runAll("int8 conv per-channel input steps", specs, runInt8Conv);
  setenv("QRT_INT8_EPILOGUE", "1", 1);
  runAll("int8 conv per-channel input steps, epilogue", specs, runInt8Conv);
  unsetenv("QRT_INT8_EPILOGUE");
}

namespace {

/// qrt_quantize_channels_init against the reference quantize of each
/// channel's values with that channel's step.
void checkQuantizeChannels(int32_t layout, int32_t dstType) {
  SCOPED_TRACE(std::string(layout == QRT_LAYOUT_NHWC ? "nhwc" : "nchw") +
               " -> " + dtypeName(dstType));
  const int64_t n = 2, channels = 5, inner = 6;
  QBuffer src(QRT_F32, {n * channels * inner});
  std::vector<float> steps(channels);
  for (int64_t c = 0; c < channels; ++c)
    steps[c] = float(uniform(0.001, 0.5));
  for (int64_t i = 0; i < src.size(); ++i)
    src.set(i, uniform(-100, 100) * (i % 3 == 0 ? 0.01 : 1));
  QBuffer expected(dstType, src.shape);
  for (int64_t i = 0; i < src.size(); ++i) {
    int64_t c =
        layout == QRT_LAYOUT_NHWC ? i % channels : (i / inner) % channels;
    QBuffer one(QRT_F32, {1});
    one.set(0, src.at(i));
    QBuffer q(dstType, {1}, steps[c]);
    ASSERT_OK(ref::convertQuantized(one.view(), q.out()));
    std::memcpy(expected.bytes.data() + i, q.bytes.data(), 1);
  }
  qrt_quantize_desc d{};
  d.abi_version = QRT_ABI_VERSION;
  d.src_dtype = QRT_F32;
  d.dst_dtype = dstType;
  d.num_elements = src.size();
  d.layout = layout;
  d.channels = channels;
  d.inner = inner;
  ModelPtr model = makeModel(2);
  ASSERT_QRT(qrt_quantize_channels_init(model.get(), 0, &d, steps.data()));
  EXPECT_NE(std::string(qrt_op_info(model.get(), 0)).find("per channel"),
            std::string::npos);
  ExecPtr exec = makeExec(model.get());
  QBuffer actual(dstType, src.shape);
  ASSERT_QRT(
      qrt_quantize_run(model.get(), exec.get(), 0, src.data(), actual.data()));
  EXPECT_EQ(actual.bytes, expected.bytes) << compare(actual, expected).str();
  // And back to f32 (what q-report reads): (float)(q * step[c]).
  qrt_quantize_desc back = d;
  back.src_dtype = dstType;
  back.dst_dtype = QRT_F32;
  ASSERT_QRT(qrt_quantize_channels_init(model.get(), 1, &back, steps.data()));
  ExecPtr exec2 = makeExec(model.get());
  QBuffer real(QRT_F32, src.shape);
  ASSERT_QRT(qrt_quantize_run(model.get(), exec2.get(), 1, actual.data(),
                              real.data()));
  for (int64_t i = 0; i < src.size(); ++i) {
    int64_t c =
        layout == QRT_LAYOUT_NHWC ? i % channels : (i / inner) % channels;
    EXPECT_EQ(real.at(i), double(float(actual.at(i) * double(steps[c])))) << i;
  }
  // The plain init refuses the per-channel fields, and the per-channel
  // one bad steps and shapes.
  ModelPtr bad = makeModel(3);
  EXPECT_QRT_ERROR(qrt_quantize_init(bad.get(), 0, &d),
                   QRT_ERR_INVALID_ARGUMENT, "per-channel");
  steps[1] = 0;
  EXPECT_QRT_ERROR(qrt_quantize_channels_init(bad.get(), 1, &d, steps.data()),
                   QRT_ERR_INVALID_ARGUMENT, "steps[1]");
  steps[1] = 1;
  d.inner = 7;
  EXPECT_QRT_ERROR(qrt_quantize_channels_init(bad.get(), 2, &d, steps.data()),
                   QRT_ERR_INVALID_ARGUMENT, "multiple");
}

} // namespace

TEST(QrtInt8Quantize, PerChannelStepsNchwAndNhwc) {
  seed(76);
  for (int32_t layout : {QRT_LAYOUT_NCHW, QRT_LAYOUT_NHWC})
    for (int32_t dst : {QRT_S8, QRT_U8})
      checkQuantizeChannels(layout, dst);
}

namespace {

/// Runs qrt_quantize on `src` into `dstType` and checks it bit for bit.
void checkQuantize(const QBuffer &src, int32_t dstType, bool dynamicSrc,
                   bool dynamicDst, float dstStep) {
  SCOPED_TRACE(std::string(dtypeName(src.dtype)) + (dynamicSrc ? "(dyn)" : "") +
               " -> " + dtypeName(dstType) + (dynamicDst ? "(dyn)" : ""));
  const float step =
      dstType == QRT_F32 ? 1.f
      : dynamicDst
          ? ref::dynamicStepOf(src.view(), static_cast<ref::QType>(dstType))
          : dstStep;
  QBuffer expected(dstType, src.shape, step);
  ASSERT_OK(ref::convertQuantized(src.view(), expected.out()));
  qrt_quantize_desc d{};
  d.abi_version = QRT_ABI_VERSION;
  d.src_dtype = src.dtype;
  d.dst_dtype = dstType;
  d.num_elements = src.size();
  d.src_q = dynamicSrc ? qrt_qparam{0, 2} : qrt_qparam{src.step, 0};
  d.dst_q = dynamicDst ? qrt_qparam{0, 5} : qrt_qparam{dstStep, 0};
  ModelPtr model = makeModel(1, 2);
  ASSERT_QRT(qrt_quantize_init(model.get(), 0, &d));
  ExecPtr exec = makeExec(model.get());
  if (dynamicSrc)
    ASSERT_QRT(qrt_exec_set_step(exec.get(), 2, src.step));
  QBuffer actual(dstType, src.shape, step);
  ASSERT_QRT(
      qrt_quantize_run(model.get(), exec.get(), 0, src.data(), actual.data()));
  EXPECT_EQ(actual.bytes, expected.bytes) << compare(actual, expected).str();
  if (dynamicDst) {
    float written = 0;
    ASSERT_QRT(qrt_exec_get_step(exec.get(), 5, &written));
    EXPECT_EQ(written, step);
  }
}

} // namespace

TEST(QrtInt8Quantize, EveryDtypePairStaticAndDynamic) {
  seed(77);
  for (int round = 0; round < 6; ++round) {
    // Odd sizes, and one large enough for several OpenMP threads.
    const Shape shape = {round == 5 ? 100001 : randomInt(rng(), 1, 999)};
    for (int32_t srcType : {QRT_F32, QRT_S8, QRT_U8, QRT_S32}) {
      QBuffer src(srcType, shape, float(uniform(0.001, 0.1)));
      if (srcType == QRT_S32)
        fillRandom(src, -2000000, 2000000);
      else
        fillFullRange(src);
      if (srcType == QRT_F32) // values on rounding ties
        for (int64_t i = 0; i < src.size(); i += 7)
          src.set(i, (randomInt(rng(), -300, 300) + 0.5) * 0.0078125);
      for (int32_t dstType : {QRT_F32, QRT_S8, QRT_U8}) {
        if (srcType == QRT_F32 && dstType == QRT_F32)
          continue;
        const float dstStep = float(uniform(0.002, 0.03));
        checkQuantize(src, dstType, false, false, dstStep);
        if (srcType != QRT_F32)
          checkQuantize(src, dstType, true, false, dstStep);
        if (dstType != QRT_F32) {
          checkQuantize(src, dstType, false, true, 0);
          if (srcType != QRT_F32)
            checkQuantize(src, dstType, true, true, 0);
        }
      }
    }
  }
}

TEST(QrtInt8Quantize, DynamicStepOfZerosNanAndInf) {
  // absmax 0 gives step 1/R; NaN quantizes to 0 and is ignored by absmax,
  // as is inf (which saturates).
  QBuffer zeros(QRT_F32, {5});
  checkQuantize(zeros, QRT_S8, false, true, 0);
  checkQuantize(zeros, QRT_U8, false, true, 0);
  EXPECT_EQ(ref::dynamicStepOf(zeros.view(), ref::QType::S8), float(1 / 127.5));
  QBuffer odd(QRT_F32, {6});
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const float inf = std::numeric_limits<float>::infinity();
  const float values[] = {nan, inf, -inf, 2.f, -1.f, 0.5f};
  for (int i = 0; i < 6; ++i)
    odd.set(i, values[i]);
  EXPECT_EQ(ref::dynamicStepOf(odd.view(), ref::QType::S8), float(2 / 127.5));
  checkQuantize(odd, QRT_S8, false, true, 0);
  checkQuantize(odd, QRT_U8, false, false, 0.01f);
  QBuffer zeroInts(QRT_S8, {3}, 0.5f);
  checkQuantize(zeroInts, QRT_U8, false, true, 0);
}

TEST(QrtInt8Quantize, InPlaceRescale) {
  seed(78);
  QBuffer src(QRT_S8, {1001}, 0.02f);
  fillFullRange(src);
  QBuffer expected(QRT_S8, src.shape, 0.03f);
  ASSERT_OK(ref::convertQuantized(src.view(), expected.out()));
  qrt_quantize_desc d{};
  d.abi_version = QRT_ABI_VERSION;
  d.src_dtype = d.dst_dtype = QRT_S8;
  d.num_elements = src.size();
  d.src_q = {0.02f, 0};
  d.dst_q = {0.03f, 0};
  ModelPtr model = makeModel(1);
  ASSERT_QRT(qrt_quantize_init(model.get(), 0, &d));
  ExecPtr exec = makeExec(model.get());
  ASSERT_QRT(
      qrt_quantize_run(model.get(), exec.get(), 0, src.data(), src.data()));
  EXPECT_EQ(src.bytes, expected.bytes);
}

//===----------------------------------------------------------------------===//
// Pooling
//===----------------------------------------------------------------------===//

TEST(QrtInt8Pooling, MaxAndAvgAgainstReference) {
  seed(79);
  std::map<std::string, int> impls;
  int64_t elements = 0;
  for (int i = 0; i < 120; ++i) {
    const int n = static_cast<int>(randomInt(rng(), 1, 3));
    qrt_pooling_desc d{};
    d.abi_version = QRT_ABI_VERSION;
    d.kind = randomInt(rng(), 0, 1) ? QRT_POOL_AVG : QRT_POOL_MAX;
    d.convention = randomInt(rng(), 0, 1) ? QRT_POOL_FULL : QRT_POOL_VALID;
    d.count_include_pad = randomInt(rng(), 0, 1);
    d.global_pool = randomInt(rng(), 0, 7) == 0;
    d.num_spatial = n;
    d.dtype = randomInt(rng(), 0, 1) ? QRT_U8 : QRT_S8;
    d.batch = randomInt(rng(), 1, 2);
    d.channels = randomInt(rng(), 1, 19);
    ref::PoolParams p;
    p.kind = d.kind == QRT_POOL_AVG ? ref::PoolKind::Avg : ref::PoolKind::Max;
    p.convention = d.convention == QRT_POOL_FULL ? ref::PoolConvention::Full
                                                 : ref::PoolConvention::Valid;
    p.countIncludePad = d.count_include_pad;
    p.global = d.global_pool;
    Shape inShape = {d.batch, d.channels};
    for (int s = 0; s < n; ++s) {
      d.kernel[s] = randomInt(rng(), 1, 3);
      d.strides[s] = randomInt(rng(), 1, 3);
      d.pad_begin[s] = randomInt(rng(), 0, d.kernel[s] - 1);
      d.pad_end[s] = randomInt(rng(), 0, d.kernel[s] - 1);
      d.in_spatial[s] = randomInt(
          rng(),
          std::max<int64_t>(1, d.kernel[s] - d.pad_begin[s] - d.pad_end[s]),
          n == 3 ? 6 : 11);
      inShape.push_back(d.in_spatial[s]);
      p.kernel.push_back(d.kernel[s]);
      p.strides.push_back(d.strides[s]);
      p.padBegin.push_back(d.pad_begin[s]);
      p.padEnd.push_back(d.pad_end[s]);
    }
    Shape outShape;
    ASSERT_OK(ref::poolOutputShape(inShape, p, outShape));
    for (int s = 0; s < n; ++s)
      d.out_spatial[s] = outShape[2 + s];
    QBuffer src(d.dtype, inShape, 0.05f);
    fillFullRange(src);
    QBuffer expected(d.dtype, outShape, 0.05f);
    ASSERT_OK(ref::int8Pool(src.view(), p, expected.out()));
    ModelPtr model = makeModel(1);
    ASSERT_QRT(qrt_pooling_init(model.get(), 0, &d));
    ++impls[qrt_op_info(model.get(), 0)];
    ExecPtr exec = makeExec(model.get());
    QBuffer actual(d.dtype, outShape, 0.05f);
    ASSERT_QRT(
        qrt_pooling_run(model.get(), exec.get(), 0, src.data(), actual.data()));
    EXPECT_EQ(actual.bytes, expected.bytes)
        << "case " << i << " " << qrt_op_info(model.get(), 0) << ": "
        << compare(actual, expected).str();
    elements += expected.size();
  }
  std::cout << "[int8 pooling] " << elements << " outputs, all exact\n";
  for (const auto &[info, count] : impls)
    std::cout << "  " << count << " x " << info << "\n";
}

TEST(QrtInt8Pooling, SumIsRejected) {
  qrt_pooling_desc d{};
  d.abi_version = QRT_ABI_VERSION;
  d.kind = QRT_POOL_SUM;
  d.dtype = QRT_S8;
  d.num_spatial = 1;
  d.batch = d.channels = 1;
  d.in_spatial[0] = d.kernel[0] = d.strides[0] = d.out_spatial[0] = 1;
  ModelPtr model = makeModel(1);
  EXPECT_QRT_ERROR(qrt_pooling_init(model.get(), 0, &d), QRT_ERR_UNSUPPORTED,
                   "sum pooling dtype s8");
}

//===----------------------------------------------------------------------===//
// Concat
//===----------------------------------------------------------------------===//

TEST(QrtInt8Concat, MixedStepsAndDtypes) {
  seed(80);
  for (int i = 0; i < 60; ++i) {
    const int rank = static_cast<int>(randomInt(rng(), 1, 4));
    Shape outShape;
    for (int r = 0; r < rank; ++r)
      outShape.push_back(randomInt(rng(), 1, 6));
    const int64_t axis = randomInt(rng(), -rank, rank - 1);
    const int64_t a = axis < 0 ? axis + rank : axis;
    const int numInputs = static_cast<int>(randomInt(rng(), 1, 4));
    const int32_t dstType = randomInt(rng(), 0, 1) ? QRT_U8 : QRT_S8;
    const bool sameTypes = randomInt(rng(), 0, 1) != 0;
    const bool dynamicDst = randomInt(rng(), 0, 1) != 0;
    const float commonStep = float(uniform(0.01, 0.1));
    std::vector<QBuffer> inputs;
    std::vector<int64_t> sizes;
    std::vector<int32_t> types;
    std::vector<qrt_qparam> qs;
    int64_t total = 0;
    for (int k = 0; k < numInputs; ++k) {
      Shape s = outShape;
      s[a] = randomInt(rng(), 0, 4); // empty inputs too
      total += s[a];
      const int32_t type =
          sameTypes ? dstType : (randomInt(rng(), 0, 1) ? QRT_U8 : QRT_S8);
      // Half the inputs share the output's step: their bytes are copied.
      const float step =
          randomInt(rng(), 0, 1) ? commonStep : float(uniform(0.01, 0.1));
      inputs.emplace_back(type, s, step);
      fillFullRange(inputs.back());
      sizes.push_back(s[a]);
      types.push_back(type);
      const bool dynamic = randomInt(rng(), 0, 2) == 0;
      qs.push_back(dynamic ? qrt_qparam{0, 1 + k} : qrt_qparam{step, 0});
    }
    outShape[a] = total;
    float dstStep = commonStep;
    if (dynamicDst) { // the largest input step
      dstStep = 0;
      for (const QBuffer &in : inputs)
        dstStep = std::max(dstStep, in.step);
    }
    std::vector<ref::QTensor> views;
    for (const QBuffer &in : inputs)
      views.push_back(in.view());
    QBuffer expected(dstType, outShape, dstStep);
    ASSERT_OK(ref::int8Concat(views, axis, expected.out()));

    qrt_concat_desc d{};
    d.abi_version = QRT_ABI_VERSION;
    d.axis = static_cast<int32_t>(axis);
    d.num_inputs = numInputs;
    d.dtype = dstType;
    d.output = toQrtShape(outShape);
    d.dst_q = dynamicDst ? qrt_qparam{0, 0} : qrt_qparam{dstStep, 0};
    ModelPtr model = makeModel(1);
    ASSERT_QRT(qrt_concat_quantized_init(model.get(), 0, &d, sizes.data(),
                                         sameTypes ? nullptr : types.data(),
                                         qs.data()));
    int32_t slots = dynamicDst ? 1 : 0;
    for (const qrt_qparam &q : qs)
      slots = std::max(slots, q.step == 0 ? q.slot + 1 : 0);
    EXPECT_EQ(qrt_model_num_step_slots(model.get()), slots);
    ExecPtr exec = makeExec(model.get());
    for (int k = 0; k < numInputs; ++k)
      if (qs[k].step == 0)
        ASSERT_QRT(qrt_exec_set_step(exec.get(), qs[k].slot, inputs[k].step));
    std::vector<const void *> srcs;
    for (const QBuffer &in : inputs)
      srcs.push_back(in.data());
    QBuffer actual(dstType, outShape, dstStep);
    ASSERT_QRT(
        qrt_concat_run(model.get(), exec.get(), 0, srcs.data(), actual.data()));
    EXPECT_EQ(actual.bytes, expected.bytes) << "case " << i;
    if (dynamicDst) {
      float written = 0;
      ASSERT_QRT(qrt_exec_get_step(exec.get(), 0, &written));
      EXPECT_EQ(written, dstStep);
    }
  }
}

//===----------------------------------------------------------------------===//
// Quantized add and activation
//===----------------------------------------------------------------------===//

TEST(QrtInt8Add, EveryDtypeAndActivation) {
  seed(81);
  int cases = 0;
  for (int32_t lhsType : {QRT_S8, QRT_U8})
    for (int32_t rhsType : {QRT_S8, QRT_U8})
      for (int32_t dstType : {QRT_S8, QRT_U8, QRT_F32})
        for (const qrt_eltwise &act : kActs) {
          const Shape shape = {randomInt(rng(), 1, 3000)};
          QBuffer lhs(lhsType, shape, float(uniform(0.01, 0.1)));
          QBuffer rhs(rhsType, shape, float(uniform(0.01, 0.1)));
          fillFullRange(lhs);
          fillFullRange(rhs);
          const bool dynamic = randomInt(rng(), 0, 1) != 0;
          const float dstStep = float(uniform(0.02, 0.2));
          QBuffer expected(dstType, shape, dstStep);
          ASSERT_OK(
              ref::int8Add(lhs.view(), rhs.view(), toRef(act), expected.out()));
          qrt_quantized_add_desc d{};
          d.abi_version = QRT_ABI_VERSION;
          d.lhs_dtype = lhsType;
          d.rhs_dtype = rhsType;
          d.dst_dtype = dstType;
          d.num_elements = shape[0];
          d.lhs_q = dynamic ? qrt_qparam{0, 0} : qrt_qparam{lhs.step, 0};
          d.rhs_q = dynamic ? qrt_qparam{0, 1} : qrt_qparam{rhs.step, 0};
          d.dst_q = {dstStep, 0};
          d.act = act;
          ModelPtr model = makeModel(1);
          ASSERT_QRT(qrt_quantized_add_init(model.get(), 0, &d));
          ExecPtr exec = makeExec(model.get());
          if (dynamic) {
            ASSERT_QRT(qrt_exec_set_step(exec.get(), 0, lhs.step));
            ASSERT_QRT(qrt_exec_set_step(exec.get(), 1, rhs.step));
          }
          // In place into lhs when the dtypes allow it.
          const bool inPlace = lhsType == dstType;
          QBuffer actual = inPlace ? lhs : QBuffer(dstType, shape, dstStep);
          ASSERT_QRT(qrt_quantized_add_run(model.get(), exec.get(), 0,
                                           inPlace ? actual.data() : lhs.data(),
                                           rhs.data(), actual.data()));
          EXPECT_EQ(actual.bytes, expected.bytes)
              << dtypeName(lhsType) << "+" << dtypeName(rhsType) << "->"
              << dtypeName(dstType) << " act " << act.kind;
          ++cases;
        }
  std::cout << "[int8 add] " << cases << " cases, all bit-exact\n";
}

TEST(QrtInt8Activation, ReluLeakyClip) {
  seed(82);
  const qrt_eltwise acts[] = {
      {QRT_ELTWISE_RELU, 0, 0, 0},         {QRT_ELTWISE_LEAKY, 0.3f, 0, 0},
      {QRT_ELTWISE_CLIP, -0.7f, 1.3f, 0},  {QRT_ELTWISE_CLIP, 0.f, 6.f, 0},
      {QRT_ELTWISE_CLIP, 0.25f, 0.75f, 0}, {QRT_ELTWISE_NONE, 0, 0, 0}};
  for (int32_t type : {QRT_S8, QRT_U8})
    for (const qrt_eltwise &act : acts)
      for (bool dynamic : {false, true}) {
        QBuffer src(type, {randomInt(rng(), 1, 200000)}, 0.01f);
        fillFullRange(src);
        QBuffer expected(type, src.shape, src.step);
        ASSERT_OK(ref::int8Activation(src.view(), toRef(act), expected.out()));
        qrt_activation_desc d{};
        d.abi_version = QRT_ABI_VERSION;
        d.dtype = type;
        d.num_elements = src.size();
        d.act = act;
        d.q = dynamic ? qrt_qparam{0, 4} : qrt_qparam{src.step, 0};
        ModelPtr model = makeModel(1, 2);
        ASSERT_QRT(qrt_activation_init(model.get(), 0, &d));
        ExecPtr exec = makeExec(model.get());
        if (act.kind == QRT_ELTWISE_CLIP && dynamic)
          ASSERT_QRT(qrt_exec_set_step(exec.get(), 4, src.step));
        ASSERT_QRT(qrt_activation_run(model.get(), exec.get(), 0, src.data(),
                                      src.data())); // in place
        EXPECT_EQ(src.bytes, expected.bytes)
            << dtypeName(type) << " act " << act.kind;
      }
}

//===----------------------------------------------------------------------===//
// Dynamic steps across ops, concurrently
//===----------------------------------------------------------------------===//

TEST(QrtInt8Model, DynamicStepsFlowThroughExecsIndependently) {
  // quantize(f32 -> u8, dynamic slot 0) -> conv(u8 slot 0 -> f32, relu)
  // -> quantize(f32 -> s8, dynamic slot 1) -> dequantize(s8 slot 1 -> f32);
  // two threads, inputs of different magnitudes, one exec each.
  seed(83);
  const int64_t c = 8, oc = 16, h = 9, w = 11;
  const Shape inShape = {1, c, h, w}, wShape = {oc, c, 3, 3},
              outShape = {1, oc, h, w};
  QBuffer weight(QRT_S8, wShape);
  if (fullRangeIsExact())
    fillFullRange(weight);
  else // 7-bit weights: exact with u8 sources without VNNI
    fillRandom(weight, -64, 63);
  std::vector<float> wSteps(oc);
  for (float &s : wSteps)
    s = float(uniform(0.002, 0.01));
  Floats bias = randomFloats(rng(), {oc}, -1, 1);

  ModelPtr model = makeModel(4, 1);
  qrt_quantize_desc q0{};
  q0.abi_version = QRT_ABI_VERSION;
  q0.src_dtype = QRT_F32;
  q0.dst_dtype = QRT_U8;
  q0.num_elements = ref::numElements(inShape);
  q0.dst_q = {0, 0};
  ASSERT_QRT(qrt_quantize_init(model.get(), 0, &q0));
  qrt_conv_desc cd{};
  cd.abi_version = QRT_ABI_VERSION;
  cd.num_spatial = 2;
  cd.batch = 1;
  cd.in_channels = c;
  cd.out_channels = oc;
  cd.groups = 1;
  for (int i = 0; i < 2; ++i) {
    cd.in_spatial[i] = cd.out_spatial[i] = inShape[2 + i];
    cd.kernel[i] = 3;
    cd.strides[i] = cd.dilations[i] = 1;
    cd.pad_begin[i] = cd.pad_end[i] = 1;
  }
  cd.src_dtype = QRT_U8;
  cd.weight_dtype = QRT_S8;
  cd.bias_dtype = cd.dst_dtype = QRT_F32;
  cd.has_bias = 1;
  cd.act.kind = QRT_ELTWISE_RELU;
  cd.num_weight_steps = oc;
  cd.src_q = {0, 0};
  ASSERT_QRT(qrt_conv_init(model.get(), 1, &cd, weight.data(),
                           bias.values.data(), wSteps.data()));
  EXPECT_NE(std::string(qrt_op_info(model.get(), 1)).find("int8 epilogue"),
            std::string::npos);
  qrt_quantize_desc q2{};
  q2.abi_version = QRT_ABI_VERSION;
  q2.src_dtype = QRT_F32;
  q2.dst_dtype = QRT_S8;
  q2.num_elements = ref::numElements(outShape);
  q2.dst_q = {0, 1};
  ASSERT_QRT(qrt_quantize_init(model.get(), 2, &q2));
  qrt_quantize_desc q3{};
  q3.abi_version = QRT_ABI_VERSION;
  q3.src_dtype = QRT_S8;
  q3.dst_dtype = QRT_F32;
  q3.num_elements = ref::numElements(outShape);
  q3.src_q = {0, 1};
  ASSERT_QRT(qrt_quantize_init(model.get(), 3, &q3));
  EXPECT_EQ(qrt_model_num_step_slots(model.get()), 2);

  // The reference chain for one input.
  auto expect = [&](const QBuffer &x, float &step0, float &step1) {
    step0 = ref::dynamicStepOf(x.view(), ref::QType::U8);
    QBuffer xq(QRT_U8, inShape, step0);
    EXPECT_TRUE(ref::convertQuantized(x.view(), xq.out()).ok());
    ref::Int8ConvParams p;
    p.conv.padBegin = p.conv.padEnd = {1, 1};
    p.weightSteps = wSteps;
    p.act = ref::ActivationParams::of(ref::ActivationKind::Relu);
    QBuffer y(QRT_F32, outShape);
    EXPECT_TRUE(
        ref::int8Conv(
            xq.view(),
            {reinterpret_cast<const int8_t *>(weight.bytes.data()), wShape},
            bias.cref(), p, ref::QTensor(), y.out())
            .ok());
    step1 = ref::dynamicStepOf(y.view(), ref::QType::S8);
    QBuffer yq(QRT_S8, outShape, step1);
    EXPECT_TRUE(ref::convertQuantized(y.view(), yq.out()).ok());
    QBuffer z(QRT_F32, outShape);
    EXPECT_TRUE(ref::convertQuantized(yq.view(), z.out()).ok());
    return z;
  };
  std::vector<QBuffer> inputs;
  for (double scale : {1.0, 40.0}) {
    inputs.emplace_back(QRT_F32, inShape);
    fillRandom(inputs.back(), -0.2 * scale, scale);
  }
  std::vector<QBuffer> outputs(2, QBuffer(QRT_F32, outShape));
  std::vector<float> steps(4);
  std::vector<int32_t> statuses(2, QRT_OK);
  auto worker = [&](int t) {
    ExecPtr exec = makeExec(model.get());
    QBuffer xq(QRT_U8, inShape), y(QRT_F32, outShape), yq(QRT_S8, outShape);
    for (int run = 0; run < 20 && statuses[t] == QRT_OK; ++run) {
      int32_t s = qrt_quantize_run(model.get(), exec.get(), 0, inputs[t].data(),
                                   xq.data());
      s = s ? s
            : qrt_conv_run(model.get(), exec.get(), 1, xq.data(), nullptr,
                           y.data());
      s = s ? s
            : qrt_quantize_run(model.get(), exec.get(), 2, y.data(), yq.data());
      s = s ? s
            : qrt_quantize_run(model.get(), exec.get(), 3, yq.data(),
                               outputs[t].data());
      statuses[t] = s;
    }
    qrt_exec_get_step(exec.get(), 0, &steps[2 * t]);
    qrt_exec_get_step(exec.get(), 1, &steps[2 * t + 1]);
  };
  std::thread a(worker, 0), b(worker, 1);
  a.join();
  b.join();
  for (int t = 0; t < 2; ++t) {
    ASSERT_EQ(statuses[t], QRT_OK);
    float step0, step1;
    const QBuffer z = expect(inputs[t], step0, step1);
    EXPECT_EQ(steps[2 * t], step0) << "exec " << t;
    EXPECT_EQ(steps[2 * t + 1], step1) << "exec " << t;
    EXPECT_EQ(outputs[t].bytes, z.bytes) << "exec " << t;
  }
  EXPECT_NE(steps[0], steps[2]); // the two execs really differed
}

//===----------------------------------------------------------------------===//
// Errors
//===----------------------------------------------------------------------===//

TEST(QrtInt8Errors, DescriptorsAndSlots) {
  ModelPtr model = makeModel(8);
  qrt_fc_desc d{};
  d.abi_version = QRT_ABI_VERSION;
  d.flatten = 1;
  d.input = toQrtShape({2, 8});
  d.num_hidden = 4;
  d.src_dtype = QRT_U8;
  d.weight_dtype = QRT_S8;
  d.bias_dtype = QRT_F32;
  d.dst_dtype = QRT_U8;
  d.num_weight_steps = 3;
  d.src_q = {0.1f, 0};
  d.dst_q = {0.1f, 0};
  std::vector<int8_t> weight(32);
  const float steps[4] = {1, 1, 1, 1};
  EXPECT_QRT_ERROR(qrt_fc_init(model.get(), 0, &d, weight.data(), 0, steps),
                   QRT_ERR_INVALID_ARGUMENT,
                   "op 0 (fully_connected): int8 needs 1 or 4 weight steps");
  d.num_weight_steps = 4;
  EXPECT_QRT_ERROR(qrt_fc_init(model.get(), 0, &d, weight.data(), 0, nullptr),
                   QRT_ERR_NULL_POINTER, "weight_steps is NULL");
  const float badSteps[4] = {1, 0, 1, 1};
  EXPECT_QRT_ERROR(qrt_fc_init(model.get(), 0, &d, weight.data(), 0, badSteps),
                   QRT_ERR_INVALID_ARGUMENT, "weight step 1 is 0");
  d.src_q = {-1.f, 0};
  EXPECT_QRT_ERROR(qrt_fc_init(model.get(), 0, &d, weight.data(), 0, steps),
                   QRT_ERR_INVALID_ARGUMENT, "src_q: step -1");
  d.src_q = {0, -2};
  EXPECT_QRT_ERROR(qrt_fc_init(model.get(), 0, &d, weight.data(), 0, steps),
                   QRT_ERR_INVALID_ARGUMENT, "dynamic step slot -2");
  d.src_q = {0.1f, 0};
  d.dst_q = {0, 3};
  EXPECT_QRT_ERROR(qrt_fc_init(model.get(), 0, &d, weight.data(), 0, steps),
                   QRT_ERR_UNSUPPORTED, "needs a static step");
  d.dst_q = {0.1f, 0};
  d.has_bias = 1;
  d.bias_dtype = QRT_S32;
  EXPECT_QRT_ERROR(qrt_fc_init(model.get(), 0, &d, weight.data(), steps, steps),
                   QRT_ERR_UNSUPPORTED, "int8 bias (real values) dtype s32");
  d.bias_dtype = QRT_F32;
  d.weight_dtype = QRT_U8;
  EXPECT_QRT_ERROR(qrt_fc_init(model.get(), 0, &d, weight.data(), steps, steps),
                   QRT_ERR_UNSUPPORTED, "int8 weight dtype u8");

  // A slot nobody wrote.
  d.weight_dtype = QRT_S8;
  d.src_q = {0, 2};
  ASSERT_QRT(qrt_fc_init(model.get(), 0, &d, weight.data(), steps, steps));
  EXPECT_EQ(qrt_model_num_step_slots(model.get()), 3);
  ExecPtr exec = makeExec(model.get());
  std::vector<uint8_t> in(16), out(8);
  EXPECT_QRT_ERROR(
      qrt_fc_run(model.get(), exec.get(), 0, in.data(), out.data()),
      QRT_ERR_INVALID_ARGUMENT,
      "op 0 (fully_connected): src_q: dynamic step slot 2 holds 0");
  EXPECT_QRT_ERROR(qrt_exec_set_step(exec.get(), 3, 1.f),
                   QRT_ERR_INVALID_ARGUMENT, "step slot 3 outside [0, 3)");
  EXPECT_QRT_ERROR(qrt_exec_set_step(exec.get(), 2, -1.f),
                   QRT_ERR_INVALID_ARGUMENT, "must be finite and > 0");
  ASSERT_QRT(qrt_exec_set_step(exec.get(), 2, 0.5f));
  ASSERT_QRT(qrt_fc_run(model.get(), exec.get(), 0, in.data(), out.data()));

  qrt_activation_desc act{};
  act.abi_version = QRT_ABI_VERSION;
  act.dtype = QRT_U8;
  act.num_elements = 4;
  act.act.kind = QRT_ELTWISE_TANH;
  EXPECT_QRT_ERROR(qrt_activation_init(model.get(), 1, &act),
                   QRT_ERR_UNSUPPORTED, "act tanh on u8");

  qrt_quantize_desc q{};
  q.abi_version = QRT_ABI_VERSION;
  q.num_elements = 4;
  EXPECT_QRT_ERROR(qrt_quantize_init(model.get(), 2, &q),
                   QRT_ERR_INVALID_ARGUMENT, "f32 -> f32");
  q.dst_dtype = QRT_S32;
  EXPECT_QRT_ERROR(qrt_quantize_init(model.get(), 2, &q), QRT_ERR_UNSUPPORTED,
                   "dst dtype s32");

  qrt_quantized_add_desc add{};
  add.abi_version = QRT_ABI_VERSION;
  add.lhs_dtype = add.rhs_dtype = QRT_S8;
  add.dst_dtype = QRT_S8;
  add.num_elements = 4;
  add.lhs_q = add.rhs_q = {1, 0};
  add.dst_q = {0, 0};
  EXPECT_QRT_ERROR(qrt_quantized_add_init(model.get(), 3, &add),
                   QRT_ERR_UNSUPPORTED, "an s8/u8 dst (dst_q) needs a static");

  qrt_conv_desc conv{};
  conv.abi_version = QRT_ABI_VERSION;
  conv.num_spatial = 1;
  conv.batch = conv.in_channels = conv.out_channels = conv.groups = 1;
  conv.in_spatial[0] = conv.kernel[0] = conv.out_spatial[0] = 1;
  conv.strides[0] = conv.dilations[0] = 1;
  conv.src_dtype = QRT_S8;
  conv.weight_dtype = QRT_S8;
  conv.bias_dtype = QRT_F32;
  conv.dst_dtype = QRT_U8;
  conv.has_sum = 1;
  conv.sum_dtype = QRT_F32;
  conv.num_weight_steps = 1;
  conv.src_q = conv.dst_q = {1, 0};
  EXPECT_QRT_ERROR(
      qrt_conv_init(model.get(), 4, &conv, weight.data(), nullptr, steps),
      QRT_ERR_UNSUPPORTED, "sum (s8/u8 dst) dtype f32");
}
