//===- QrtPoolingTest.cpp - Pooling through the C ABI ---------------------===//

#include "QrtTestUtils.h"

#include <limits>

using namespace qrt::test;
namespace ref = qrt::ref;

namespace {

struct PoolCase {
  ref::PoolParams params;
  Shape input;
  int32_t dtype = QRT_F32;
};

qrt_pooling_desc makeDesc(const PoolCase &c, const Shape &outShape) {
  qrt_pooling_desc d{};
  d.abi_version = QRT_ABI_VERSION;
  d.kind = static_cast<int32_t>(c.params.kind); // Max, Avg, Sum: same order
  d.convention = c.params.convention == ref::PoolConvention::Full
                     ? QRT_POOL_FULL
                     : QRT_POOL_VALID;
  d.count_include_pad = c.params.countIncludePad;
  d.global_pool = c.params.global;
  d.num_spatial = static_cast<int32_t>(c.input.size() - 2);
  d.dtype = c.dtype;
  d.batch = c.input[0];
  d.channels = c.input[1];
  for (int i = 0; i < d.num_spatial; ++i) {
    d.in_spatial[i] = c.input[2 + i];
    d.out_spatial[i] = outShape[2 + i];
    if (!c.params.global) {
      d.kernel[i] = c.params.kernel[i];
      d.strides[i] = c.params.strides[i];
      d.pad_begin[i] = c.params.padBegin[i];
      d.pad_end[i] = c.params.padEnd[i];
    }
  }
  return d;
}

std::string describe(const PoolCase &c) {
  const ref::PoolParams &p = c.params;
  const char *kinds[] = {"max", "avg", "sum"};
  return std::string(kinds[int(p.kind)]) +
         (p.convention == ref::PoolConvention::Full ? " full" : " valid") +
         (p.countIncludePad ? " incl" : " excl") + (p.global ? " global" : "") +
         " in" + ref::shapeToString(c.input) + " k" +
         ref::shapeToString(p.kernel) + " s" + ref::shapeToString(p.strides) +
         " p" + ref::shapeToString(p.padBegin) + "/" +
         ref::shapeToString(p.padEnd);
}

/// Runs one case; returns the implementation used.
std::string checkPool(const PoolCase &c) {
  SCOPED_TRACE(describe(c));
  Shape outShape;
  EXPECT_TRUE(ref::poolOutputShape(c.input, c.params, outShape).ok());
  Floats input = randomFloats(rng(), c.input, -2.f, 2.f);
  if (c.dtype != QRT_F32) // integer-valued, in range of the dtype
    for (float &v : input.values)
      v = std::round(v * 60.f) + (c.dtype == QRT_U8 ? 128.f : 0.f);
  Floats expected(outShape);
  EXPECT_TRUE(ref::pool(input.cref(), c.params, expected.ref()).ok());
  if (c.dtype != QRT_F32) // an empty max window gives the dtype's lowest
    for (float &v : expected.values)
      if (v == std::numeric_limits<float>::lowest())
        v = c.dtype == QRT_U8 ? 0.f : -128.f;
  const qrt_pooling_desc d = makeDesc(c, outShape);
  ModelPtr model = makeModel(1);
  const int32_t status = qrt_pooling_init(model.get(), 0, &d);
  EXPECT_EQ(status, QRT_OK) << qrt_last_error();
  if (status != QRT_OK)
    return "";
  const std::string impl = qrt_op_info(model.get(), 0);
  ExecPtr exec = makeExec(model.get());
  Floats out(outShape);
  if (c.dtype == QRT_F32) {
    EXPECT_EQ(qrt_pooling_run(model.get(), exec.get(), 0, input.values.data(),
                              out.values.data()),
              QRT_OK)
        << qrt_last_error();
  } else {
    std::vector<uint8_t> in8(input.values.size()), out8(out.values.size());
    for (size_t i = 0; i < in8.size(); ++i)
      in8[i] = c.dtype == QRT_U8
                   ? static_cast<uint8_t>(input.values[i])
                   : static_cast<uint8_t>(static_cast<int8_t>(input.values[i]));
    EXPECT_EQ(
        qrt_pooling_run(model.get(), exec.get(), 0, in8.data(), out8.data()),
        QRT_OK)
        << qrt_last_error();
    for (size_t i = 0; i < out8.size(); ++i)
      out.values[i] = c.dtype == QRT_U8 ? float(out8[i])
                                        : float(static_cast<int8_t>(out8[i]));
  }
  EXPECT_CLOSE(out.values, expected.values) << "impl: " << impl;
  return impl;
}

PoolCase randomPool(int spatial) {
  std::mt19937 &g = rng();
  PoolCase c;
  c.input = {randomInt(g, 1, 2), randomInt(g, 1, 11)};
  ref::PoolParams &p = c.params;
  p.kind = static_cast<ref::PoolKind>(randomInt(g, 0, 2));
  p.convention = randomInt(g, 0, 1) ? ref::PoolConvention::Full
                                    : ref::PoolConvention::Valid;
  p.countIncludePad = randomInt(g, 0, 1);
  for (int i = 0; i < spatial; ++i) {
    const int64_t in = randomInt(g, 1, spatial == 3 ? 7 : 15);
    const int64_t k = randomInt(g, 1, 4);
    const int64_t s = randomInt(g, 1, 3);
    // Mostly pads below the kernel (what models use), sometimes not.
    int64_t pb = randomInt(g, 0, k - 1), pe = randomInt(g, 0, k - 1);
    if (randomInt(g, 0, 9) == 0)
      pe += 2;
    if (in + pb + pe < k)
      pe = k - in - pb;
    c.input.push_back(in);
    p.kernel.push_back(k);
    p.strides.push_back(s);
    p.padBegin.push_back(pb);
    p.padEnd.push_back(pe);
  }
  return c;
}

} // namespace

namespace {
/// Whether some window has no input element (the loop's only reason).
bool hasEmptyWindow(const PoolCase &c, const Shape &outShape) {
  if (c.params.global)
    return false;
  for (size_t i = 0; i + 2 < c.input.size(); ++i) {
    for (int64_t o : {int64_t(0), outShape[2 + i] - 1}) {
      const int64_t start = o * c.params.strides[i] - c.params.padBegin[i];
      const int64_t end = start + c.params.kernel[i];
      if (std::min(end, c.input[2 + i]) <= std::max<int64_t>(start, 0))
        return true;
    }
  }
  return false;
}
} // namespace

TEST(QrtPooling, Random2D) {
  seed(20);
  for (int i = 0; i < 150; ++i) {
    const PoolCase c = randomPool(2);
    Shape outShape;
    ASSERT_TRUE(ref::poolOutputShape(c.input, c.params, outShape).ok());
    // oneDNN runs everything but windows without input elements.
    EXPECT_EQ(checkPool(c) == "loop", hasEmptyWindow(c, outShape));
  }
}

TEST(QrtPooling, Random1DAnd3D) {
  seed(21);
  for (int i = 0; i < 50; ++i)
    checkPool(randomPool(1));
  for (int i = 0; i < 50; ++i)
    checkPool(randomPool(3));
}

TEST(QrtPooling, FullConventionBorders) {
  // 'full' windows that hang over the padded end: avg with and without
  // count_include_pad, and max; each must use oneDNN plus the rescale.
  seed(22);
  for (bool include : {true, false})
    for (ref::PoolKind kind :
         {ref::PoolKind::Avg, ref::PoolKind::Max, ref::PoolKind::Sum}) {
      PoolCase c;
      c.input = {2, 3, 8, 9};
      c.params.kind = kind;
      c.params.convention = ref::PoolConvention::Full;
      c.params.countIncludePad = include;
      c.params.kernel = {3, 3};
      c.params.strides = {2, 2};
      c.params.padBegin = {0, 1};
      c.params.padEnd = {0, 0};
      const std::string impl = checkPool(c);
      EXPECT_NE(impl, "loop");
      if (kind == ref::PoolKind::Avg && include) {
        EXPECT_NE(impl.find("rescale"), std::string::npos) << impl;
      }
    }
}

TEST(QrtPooling, EmptyWindowsUseTheLoop) {
  // Stride past the kernel: the last 'full' window lies past the input.
  PoolCase c;
  c.input = {1, 2, 5};
  c.params.kind = ref::PoolKind::Max;
  c.params.convention = ref::PoolConvention::Full;
  c.params.kernel = {1};
  c.params.strides = {3};
  c.params.padBegin = {0};
  c.params.padEnd = {1};
  seed(23);
  for (ref::PoolKind kind :
       {ref::PoolKind::Max, ref::PoolKind::Avg, ref::PoolKind::Sum}) {
    c.params.kind = kind;
    for (bool include : {true, false}) {
      c.params.countIncludePad = include;
      EXPECT_EQ(checkPool(c), "loop");
    }
  }
}

TEST(QrtPooling, Global) {
  seed(24);
  for (ref::PoolKind kind :
       {ref::PoolKind::Max, ref::PoolKind::Avg, ref::PoolKind::Sum}) {
    PoolCase c;
    c.input = {2, 5, 7, 6};
    c.params.kind = kind;
    c.params.global = true;
    checkPool(c);
    c.input = {1, 3, 3, 4, 5};
    checkPool(c);
  }
}

TEST(QrtPooling, Int8Max) {
  seed(25);
  for (int32_t dtype : {QRT_S8, QRT_U8})
    for (int i = 0; i < 10; ++i) {
      PoolCase c = randomPool(2);
      c.params.kind = ref::PoolKind::Max;
      c.dtype = dtype;
      checkPool(c);
    }
}

TEST(QrtPooling, BadDescriptors) {
  PoolCase c;
  c.input = {1, 2, 5, 5};
  c.params.kernel = {3, 3};
  c.params.strides = {1, 1};
  c.params.padBegin = c.params.padEnd = {0, 0};
  const qrt_pooling_desc good = makeDesc(c, {1, 2, 3, 3});
  ModelPtr model = makeModel(1);
  qrt_pooling_desc d = good;
  d.kernel[0] = 6;
  EXPECT_QRT_ERROR(qrt_pooling_init(model.get(), 0, &d),
                   QRT_ERR_INVALID_ARGUMENT,
                   "op 0 (pooling): spatial dim 0: kernel 6 exceeds the "
                   "padded input 5");
  d = good;
  d.convention = QRT_POOL_SAME;
  EXPECT_QRT_ERROR(qrt_pooling_init(model.get(), 0, &d), QRT_ERR_UNSUPPORTED,
                   "'same'");
  d = good;
  d.strides[1] = 0;
  EXPECT_QRT_ERROR(qrt_pooling_init(model.get(), 0, &d),
                   QRT_ERR_INVALID_ARGUMENT, "stride >= 1");
  d = good;
  d.out_spatial[1] = 2;
  EXPECT_QRT_ERROR(qrt_pooling_init(model.get(), 0, &d),
                   QRT_ERR_INVALID_ARGUMENT, "output size is 3");
  d = good;
  d.kind = QRT_POOL_SUM; // avg is fine on u8, sum would change the step
  d.dtype = QRT_U8;
  EXPECT_QRT_ERROR(qrt_pooling_init(model.get(), 0, &d), QRT_ERR_UNSUPPORTED,
                   "sum pooling dtype u8");
  d = good;
  d.in_spatial[0] = -1;
  EXPECT_QRT_ERROR(qrt_pooling_init(model.get(), 0, &d),
                   QRT_ERR_INVALID_ARGUMENT, "input must be positive");
}
