//===- NormalizationTest.cpp - Tests of batch norm and softmax ------------===//

#include "TestUtils.h"

using namespace qrt::ref;
using namespace qrt::ref::test;

namespace {

Floats runSoftmax(const Floats &input, int64_t axis, float temperature,
                  bool logarithm = false) {
  Floats output(input.shape);
  Status status =
      logarithm ? logSoftmax(input.cref(), axis, temperature, output.ref())
                : softmax(input.cref(), axis, temperature, output.ref());
  EXPECT_TRUE(status.ok()) << status.message();
  return output;
}

} // namespace

TEST(BatchNorm, HandComputed) {
  Floats input({1, 2, 2}, {1, 2, 3, 4});
  Floats gamma({2}, {2, 0.5f}), beta({2}, {0, 1});
  Floats mean({2}, {1.5f, 3.5f}), variance({2}, {0.25f, 1});
  Floats output({1, 2, 2});
  BatchNormParams params;
  params.epsilon = 0;
  params.fixGamma = false;
  ASSERT_OK(batchNorm(input.cref(), gamma.cref(), beta.cref(), mean.cref(),
                      variance.cref(), params, output.ref()));
  EXPECT_TRUE(allNear(output.values, {-2, 2, 0.75f, 1.25f}));

  params.fixGamma = true;
  ASSERT_OK(batchNorm(input.cref(), gamma.cref(), beta.cref(), mean.cref(),
                      variance.cref(), params, output.ref()));
  EXPECT_TRUE(allNear(output.values, {-1, 1, 0.5f, 1.5f}));
  // gamma is never read with fixGamma, so it may be absent.
  ASSERT_OK(batchNorm(input.cref(), {}, beta.cref(), mean.cref(),
                      variance.cref(), params, output.ref()));
  EXPECT_TRUE(allNear(output.values, {-1, 1, 0.5f, 1.5f}));
}

TEST(BatchNorm, EpsilonAndDefaults) {
  BatchNormParams defaults;
  EXPECT_FLOAT_EQ(defaults.epsilon, 1e-3f);
  EXPECT_TRUE(defaults.fixGamma);
  // var + eps = 0.25 + 0.75 = 1.
  Floats input({1, 1, 1, 2}, {3, 5});
  Floats gamma({1}, {2}), beta({1}, {1}), mean({1}, {4}),
      variance({1}, {0.25f});
  BatchNormParams params;
  params.epsilon = 0.75f;
  params.fixGamma = false;
  Floats output({1, 1, 1, 2});
  ASSERT_OK(batchNorm(input.cref(), gamma.cref(), beta.cref(), mean.cref(),
                      variance.cref(), params, output.ref()));
  EXPECT_TRUE(allNear(output.values, {-1, 3}));
}

TEST(BatchNorm, Errors) {
  Floats input({1, 2, 2});
  Floats two({2}), three({3});
  Floats output({1, 2, 2});
  BatchNormParams params;
  params.fixGamma = false;
  EXPECT_ERROR(batchNorm(input.cref(), three.cref(), two.cref(), two.cref(),
                         two.cref(), params, output.ref()),
               "gamma");
  EXPECT_ERROR(batchNorm(input.cref(), {}, two.cref(), two.cref(), two.cref(),
                         params, output.ref()),
               "gamma");
  EXPECT_ERROR(batchNorm(input.cref(), two.cref(), two.cref(), two.cref(),
                         three.cref(), params, output.ref()),
               "variance");
  params.axis = 3;
  EXPECT_ERROR(batchNorm(input.cref(), two.cref(), two.cref(), two.cref(),
                         two.cref(), params, output.ref()),
               "axis");
}

TEST(Softmax, KnownValuesAndRowSums) {
  Floats input({2, 3}, {1, 2, 3, 0, 0, 0});
  Floats output = runSoftmax(input, -1, 1);
  EXPECT_TRUE(allNear(output.values, {0.09003057f, 0.24472847f, 0.66524096f,
                                      1 / 3.0f, 1 / 3.0f, 1 / 3.0f}));
  EXPECT_NEAR(output[0] + output[1] + output[2], 1, 1e-6);
}

TEST(Softmax, StableForLargeInputs) {
  Floats input({1, 3}, {1000, 1001, 1002});
  Floats output = runSoftmax(input, 1, 1);
  EXPECT_TRUE(allNear(output.values, {0.09003057f, 0.24472847f, 0.66524096f}));
  Floats negative({1, 3}, {-1000, -1001, -1002});
  output = runSoftmax(negative, 1, 1);
  EXPECT_TRUE(allNear(output.values, {0.66524096f, 0.24472847f, 0.09003057f}));

  Floats logOut = runSoftmax(input, 1, 1, true);
  EXPECT_TRUE(
      allNear(logOut.values, {-2.40760596f, -1.40760596f, -0.40760596f}));
}

TEST(Softmax, TemperatureAndAxis) {
  // softmax([0, 2 ln 3] / 2) = softmax([0, ln 3]) = [1/4, 3/4].
  Floats input({1, 2}, {0, 2 * std::log(3.0f)});
  EXPECT_TRUE(allNear(runSoftmax(input, 1, 2).values, {0.25f, 0.75f}));

  // Axis 0 of a [2, 2]: columns are normalized.
  Floats columns({2, 2}, {0, 5, std::log(3.0f), 5});
  EXPECT_TRUE(
      allNear(runSoftmax(columns, 0, 1).values, {0.25f, 0.5f, 0.75f, 0.5f}));

  Floats output({1, 2});
  EXPECT_ERROR(softmax(input.cref(), 2, 1, output.ref()), "axis");
  EXPECT_ERROR(softmax(input.cref(), 1, 0, output.ref()), "temperature");
}

// Property: every softmax slice sums to 1 and log_softmax is its log.
TEST(SoftmaxProperty, SlicesSumToOne) {
  std::mt19937 rng(4);
  for (int trial = 0; trial < 20; ++trial) {
    Shape shape;
    for (int64_t d = 0, rank = randomInt(rng, 1, 4); d < rank; ++d)
      shape.push_back(randomInt(rng, 1, 5));
    const int64_t axis =
        randomInt(rng, -int64_t(shape.size()), int64_t(shape.size()) - 1);
    const int64_t resolved = axis < 0 ? axis + shape.size() : axis;
    Floats input = randomFloats(rng, shape, -50, 50);
    const float temperature =
        std::uniform_real_distribution<float>(0.5f, 3)(rng);
    Floats probabilities = runSoftmax(input, axis, temperature);
    Floats logs = runSoftmax(input, axis, temperature, true);

    int64_t inner = 1;
    for (size_t d = resolved + 1; d < shape.size(); ++d)
      inner *= shape[d];
    const int64_t length = shape[resolved];
    const int64_t total = numElements(shape);
    for (int64_t start = 0; start < total; ++start) {
      if ((start / inner) % length != 0)
        continue; // not the first element of a slice
      double sum = 0;
      for (int64_t j = 0; j < length; ++j)
        sum += probabilities[start + j * inner];
      ASSERT_NEAR(sum, 1.0, 1e-5);
    }
    for (int64_t i = 0; i < total; ++i)
      ASSERT_NEAR(std::exp(logs[i]), probabilities[i], 1e-6);
  }
}
