//===- PoolingTest.cpp - Tests of the reference pooling -------------------===//

#include "TestUtils.h"

#include <algorithm>
#include <limits>

using namespace qrt::ref;
using namespace qrt::ref::test;

namespace {

Floats runPool(const Floats &input, const PoolParams &params) {
  Shape shape;
  Status status = poolOutputShape(input.shape, params, shape);
  EXPECT_TRUE(status.ok()) << status.message();
  Floats output(shape);
  status = pool(input.cref(), params, output.ref());
  EXPECT_TRUE(status.ok()) << status.message();
  return output;
}

/// 1x1x5x5 with x[i][j] = 5i + j.
Floats ramp5x5() {
  Floats input({1, 1, 5, 5});
  for (int i = 0; i < 25; ++i)
    input[i] = float(i);
  return input;
}

PoolParams params2D(PoolKind kind, int64_t k, int64_t s, int64_t pad,
                    PoolConvention convention) {
  PoolParams params;
  params.kind = kind;
  params.kernel = {k, k};
  params.strides = {s, s};
  params.padBegin = {pad, pad};
  params.padEnd = {pad, pad};
  params.convention = convention;
  return params;
}

const float kLowest = std::numeric_limits<float>::lowest();
const float kNaN = std::numeric_limits<float>::quiet_NaN();

} // namespace

TEST(Pooling, MaxValidVersusFull5x5) {
  Floats input = ramp5x5();
  Floats valid =
      runPool(input, params2D(PoolKind::Max, 2, 2, 0, PoolConvention::Valid));
  EXPECT_EQ(valid.shape, (Shape{1, 1, 2, 2}));
  EXPECT_TRUE(allNear(valid.values, {6, 8, 16, 18}));

  // Full keeps the partial last row and column of windows.
  Floats full =
      runPool(input, params2D(PoolKind::Max, 2, 2, 0, PoolConvention::Full));
  EXPECT_EQ(full.shape, (Shape{1, 1, 3, 3}));
  EXPECT_TRUE(allNear(full.values, {6, 8, 9, 16, 18, 19, 21, 23, 24}));
}

TEST(Pooling, AvgFullDividesByClippedWindow) {
  // No padding: the partial windows of the Full convention divide by the
  // number of positions inside the input, with or without countIncludePad.
  Floats input = ramp5x5();
  for (bool includePad : {true, false}) {
    PoolParams params = params2D(PoolKind::Avg, 2, 2, 0, PoolConvention::Full);
    params.countIncludePad = includePad;
    Floats full = runPool(input, params);
    EXPECT_TRUE(
        allNear(full.values, {3, 5, 6.5f, 13, 15, 16.5f, 20.5f, 22.5f, 24}));
  }
}

TEST(Pooling, AvgWithAndWithoutCountIncludePad) {
  // 5x5 ramp, kernel 2, stride 2, padding 1: Full gives 4x4 windows starting
  // at -1, 1, 3, 5 per dim; the last one lies in the end padding [5, 6) and
  // past it.
  Floats input = ramp5x5();
  PoolParams include = params2D(PoolKind::Avg, 2, 2, 1, PoolConvention::Full);
  Floats withPad = runPool(input, include);
  ASSERT_EQ(withPad.shape, (Shape{1, 1, 4, 4}));
  PoolParams exclude = include;
  exclude.countIncludePad = false;
  Floats withoutPad = runPool(input, exclude);

  // Row 0 covers input row {0}, rows 1 and 2 cover {1,2} and {3,4}, row 3
  // covers nothing; padded counts are 2, 2, 2 and 1 (clipped at 5 + 1).
  auto x = [](int r, int c) { return float(5 * r + c); };
  EXPECT_FLOAT_EQ(withPad[0], x(0, 0) / 4);
  EXPECT_FLOAT_EQ(withoutPad[0], x(0, 0));
  EXPECT_FLOAT_EQ(withPad[1], (x(0, 1) + x(0, 2)) / 4);
  EXPECT_FLOAT_EQ(withoutPad[1], (x(0, 1) + x(0, 2)) / 2);
  const float inner = (x(1, 1) + x(1, 2) + x(2, 1) + x(2, 2)) / 4;
  EXPECT_FLOAT_EQ(withPad[5], inner);
  EXPECT_FLOAT_EQ(withoutPad[5], inner);
  // Column 3 holds no input element: 0 / (2 * 1) with padding counted,
  // 0 / 0 without.
  EXPECT_FLOAT_EQ(withPad[7], 0.0f);
  EXPECT_TRUE(std::isnan(withoutPad[7]));
  EXPECT_FLOAT_EQ(withPad[15], 0.0f);
  EXPECT_TRUE(std::isnan(withoutPad[15]));

  // Valid drops the last window: the 3x3 top-left corner of Full.
  include.convention = PoolConvention::Valid;
  Floats valid = runPool(input, include);
  ASSERT_EQ(valid.shape, (Shape{1, 1, 3, 3}));
  for (int r = 0; r < 3; ++r)
    for (int c = 0; c < 3; ++c)
      EXPECT_FLOAT_EQ(valid[r * 3 + c], withPad[r * 4 + c]);

  // Max ignores padding; a window without input elements gives lowest().
  PoolParams max = params2D(PoolKind::Max, 2, 2, 1, PoolConvention::Full);
  Floats maxOut = runPool(input, max);
  EXPECT_FLOAT_EQ(maxOut[0], 0);
  EXPECT_FLOAT_EQ(maxOut[5], x(2, 2));
  EXPECT_EQ(maxOut[7], kLowest);
}

TEST(Pooling, AsymmetricPadding1D) {
  Floats input({1, 1, 4}, {1, 2, 3, 4});
  PoolParams params;
  params.kernel = {2};
  params.strides = {2};
  params.padBegin = {1};
  params.padEnd = {0};

  params.kind = PoolKind::Avg;
  Floats out = runPool(input, params);
  EXPECT_EQ(out.shape, (Shape{1, 1, 2}));
  EXPECT_TRUE(allNear(out.values, {0.5f, 2.5f}));
  params.countIncludePad = false;
  EXPECT_TRUE(allNear(runPool(input, params).values, {1, 2.5f}));

  // Full adds window [3, 5), which the padded input [-1, 4) clips to [3, 4).
  params.convention = PoolConvention::Full;
  params.countIncludePad = true;
  out = runPool(input, params);
  EXPECT_EQ(out.shape, (Shape{1, 1, 3}));
  EXPECT_TRUE(allNear(out.values, {0.5f, 2.5f, 4}));
  params.kind = PoolKind::Sum;
  EXPECT_TRUE(allNear(runPool(input, params).values, {1, 5, 4}));
  params.kind = PoolKind::Max;
  EXPECT_TRUE(allNear(runPool(input, params).values, {1, 3, 4}));
}

TEST(Pooling, StrideLargerThanKernelFull) {
  // MXNet's Full size 1 + ceil((5 - 1) / 3) = 3 keeps a window starting at 6,
  // past the input: it holds no element (max lowest, sum 0, avg NaN).
  Floats input({1, 1, 5}, {1, 2, 3, 4, 5});
  PoolParams params;
  params.kernel = {1};
  params.strides = {3};
  params.convention = PoolConvention::Full;
  params.kind = PoolKind::Max;
  Floats out = runPool(input, params);
  EXPECT_EQ(out.shape, (Shape{1, 1, 3}));
  EXPECT_TRUE(allNear(out.values, {1, 4, kLowest}));
  params.kind = PoolKind::Sum;
  EXPECT_TRUE(allNear(runPool(input, params).values, {1, 4, 0}));
  params.kind = PoolKind::Avg;
  EXPECT_TRUE(allNear(runPool(input, params).values, {1, 4, kNaN}));
}

TEST(Pooling, SumAnd3D) {
  Floats input({1, 1, 2, 2, 2}, {1, 2, 3, 4, 5, 6, 7, 8});
  PoolParams params;
  params.kernel = {2, 2, 2};
  params.kind = PoolKind::Max;
  EXPECT_TRUE(allNear(runPool(input, params).values, {8}));
  params.kind = PoolKind::Avg;
  EXPECT_TRUE(allNear(runPool(input, params).values, {4.5f}));
  params.kind = PoolKind::Sum;
  Floats out = runPool(input, params);
  EXPECT_EQ(out.shape, (Shape{1, 1, 1, 1, 1}));
  EXPECT_TRUE(allNear(out.values, {36}));
}

TEST(Pooling, GlobalIgnoresKernelStrideAndPadding) {
  std::mt19937 rng(3);
  Floats input = randomFloats(rng, {2, 3, 4, 5});
  for (PoolKind kind : {PoolKind::Max, PoolKind::Avg, PoolKind::Sum}) {
    PoolParams params;
    params.kind = kind;
    params.global = true;
    params.kernel = {2}; // ignored, even with the wrong length
    params.padBegin = {1, 1};
    Floats out = runPool(input, params);
    ASSERT_EQ(out.shape, (Shape{2, 3, 1, 1}));
    for (int plane = 0; plane < 6; ++plane) {
      auto begin = input.values.begin() + plane * 20;
      double sum = 0;
      for (auto it = begin; it != begin + 20; ++it)
        sum += *it;
      const float expected = kind == PoolKind::Max
                                 ? *std::max_element(begin, begin + 20)
                             : kind == PoolKind::Avg ? float(sum / 20)
                                                     : float(sum);
      EXPECT_NEAR(out[plane], expected, 1e-5);
    }
  }
}

TEST(Pooling, ShapeErrors) {
  Shape out;
  PoolParams params;
  params.kernel = {3, 3};
  EXPECT_ERROR(poolOutputShape({1, 1, 2, 2}, params, out), "exceeds");
  params.kernel = {3};
  EXPECT_ERROR(poolOutputShape({1, 1, 4, 4}, params, out), "kernel");
  params.kernel = {2, 2};
  params.strides = {0, 1};
  EXPECT_ERROR(poolOutputShape({1, 1, 4, 4}, params, out), "stride");
  params.strides = {};
  EXPECT_ERROR(poolOutputShape({1, 4}, params, out), "spatial");
  Floats input({1, 1, 4, 4});
  Floats wrong({1, 1, 2, 2});
  EXPECT_ERROR(pool(input.cref(), params, wrong.ref()), "output shape");
}

// Property: 2-D pooling equals 3-D pooling over a depth-1 volume.
TEST(PoolingProperty, Pool2DEqualsDepth1Pool3D) {
  std::mt19937 rng(21);
  for (int trial = 0; trial < 40; ++trial) {
    PoolParams p2;
    p2.kind = static_cast<PoolKind>(randomInt(rng, 0, 2));
    p2.convention = static_cast<PoolConvention>(randomInt(rng, 0, 1));
    p2.countIncludePad = randomInt(rng, 0, 1);
    Shape shape = {randomInt(rng, 1, 2), randomInt(rng, 1, 3)};
    for (int d = 0; d < 2; ++d) {
      const int64_t k = randomInt(rng, 1, 3);
      p2.kernel.push_back(k);
      p2.strides.push_back(randomInt(rng, 1, 3));
      p2.padBegin.push_back(randomInt(rng, 0, k - 1));
      p2.padEnd.push_back(randomInt(rng, 0, k - 1));
      shape.push_back(randomInt(rng, k, k + 5));
    }
    Floats input = randomFloats(rng, shape);
    PoolParams p3 = p2;
    p3.kernel.insert(p3.kernel.begin(), 1);
    p3.strides.insert(p3.strides.begin(), 1);
    p3.padBegin.insert(p3.padBegin.begin(), 0);
    p3.padEnd.insert(p3.padEnd.begin(), 0);
    Floats out2 = runPool(input, p2);
    Floats out3 = runPool(
        Floats({shape[0], shape[1], 1, shape[2], shape[3]}, input.values), p3);
    EXPECT_TRUE(allNear(out2.values, out3.values, 0));
  }
}

// Property: reversing the spatial axes of input and parameters reverses
// them in the output.
TEST(PoolingProperty, SpatialAxesAreInterchangeable) {
  std::mt19937 rng(43);
  const std::vector<int64_t> reverseSpatial = {0, 1, 4, 3, 2};
  auto reversed = [](std::vector<int64_t> values) {
    std::reverse(values.begin(), values.end());
    return values;
  };
  auto transposed = [&](const Floats &x) {
    Shape shape;
    EXPECT_TRUE(transposeOutputShape(x.shape, reverseSpatial, shape).ok());
    Floats out(shape);
    EXPECT_TRUE(transpose(x.cref(), reverseSpatial, out.ref()).ok());
    return out;
  };
  for (int trial = 0; trial < 40; ++trial) {
    PoolParams params;
    params.kind = static_cast<PoolKind>(randomInt(rng, 0, 2));
    params.convention = static_cast<PoolConvention>(randomInt(rng, 0, 1));
    params.countIncludePad = randomInt(rng, 0, 1);
    Shape shape = {1, randomInt(rng, 1, 2)};
    for (int d = 0; d < 3; ++d) {
      const int64_t k = randomInt(rng, 1, 3);
      params.kernel.push_back(k);
      params.strides.push_back(randomInt(rng, 1, 3));
      params.padBegin.push_back(randomInt(rng, 0, k - 1));
      params.padEnd.push_back(randomInt(rng, 0, k - 1));
      shape.push_back(randomInt(rng, k, k + 3));
    }
    Floats input = randomFloats(rng, shape);
    Floats output = runPool(input, params);
    PoolParams mirrored = params;
    mirrored.kernel = reversed(params.kernel);
    mirrored.strides = reversed(params.strides);
    mirrored.padBegin = reversed(params.padBegin);
    mirrored.padEnd = reversed(params.padEnd);
    Floats mirroredOut = runPool(transposed(input), mirrored);
    Floats expected = transposed(output);
    EXPECT_EQ(mirroredOut.shape, expected.shape);
    EXPECT_TRUE(allNear(mirroredOut.values, expected.values, 1e-6))
        << "trial " << trial;
  }
}
