//===- ConvolutionTest.cpp - Tests of the reference convolution -----------===//

#include "TestUtils.h"

#include <algorithm>

using namespace qrt::ref;
using namespace qrt::ref::test;

namespace {

Floats runConv(const Floats &input, const Floats &weight, const Floats *bias,
               const ConvParams &params) {
  Shape shape;
  Status status = convOutputShape(input.shape, weight.shape, params, shape);
  EXPECT_TRUE(status.ok()) << status.message();
  Floats output(shape);
  status = conv(input.cref(), weight.cref(), bias ? bias->cref() : ConstF32(),
                params, output.ref());
  EXPECT_TRUE(status.ok()) << status.message();
  return output;
}

/// Channels [first, first + count) of axis 1, copied by hand.
Floats channelRange(const Floats &x, int64_t first, int64_t count) {
  Shape shape = x.shape;
  const int64_t channels = shape[1];
  const int64_t inner = numElements(shape) / (shape[0] * channels);
  shape[1] = count;
  Floats out(shape);
  for (int64_t n = 0; n < shape[0]; ++n)
    for (int64_t c = 0; c < count; ++c)
      for (int64_t i = 0; i < inner; ++i)
        out[(n * count + c) * inner + i] =
            x[(n * channels + first + c) * inner + i];
  return out;
}

/// Slices [first, first + count) of axis 0, copied by hand.
Floats leadingRange(const Floats &x, int64_t first, int64_t count) {
  Shape shape = x.shape;
  const int64_t inner = numElements(shape) / shape[0];
  shape[0] = count;
  Floats out(shape);
  std::copy_n(x.values.begin() + first * inner, count * inner,
              out.values.begin());
  return out;
}

} // namespace

TEST(Convolution, HandComputed2D) {
  Floats input({1, 1, 3, 3}, {1, 2, 3, 4, 5, 6, 7, 8, 9});
  Floats weight({1, 1, 2, 2}, {1, 2, 3, 4});
  Floats output = runConv(input, weight, nullptr, {});
  EXPECT_EQ(output.shape, (Shape{1, 1, 2, 2}));
  EXPECT_TRUE(allNear(output.values, {37, 47, 67, 77}));

  Floats bias({1}, {0.5f});
  output = runConv(input, weight, &bias, {});
  EXPECT_TRUE(allNear(output.values, {37.5f, 47.5f, 67.5f, 77.5f}));
}

TEST(Convolution, StrideAndSymmetricPadding) {
  Floats input({1, 1, 3, 3}, {1, 2, 3, 4, 5, 6, 7, 8, 9});
  Floats weight({1, 1, 3, 3}, std::vector<float>(9, 1.0f));
  ConvParams params;
  params.strides = {2, 2};
  params.padBegin = {1, 1};
  params.padEnd = {1, 1};
  Floats output = runConv(input, weight, nullptr, params);
  EXPECT_EQ(output.shape, (Shape{1, 1, 2, 2}));
  EXPECT_TRUE(allNear(output.values, {12, 16, 24, 28}));
}

TEST(Convolution, AsymmetricPadding1D) {
  Floats input({1, 1, 3}, {1, 2, 3});
  Floats weight({1, 1, 2}, {1, 1});
  ConvParams params;
  params.padBegin = {2};
  params.padEnd = {0};
  Floats output = runConv(input, weight, nullptr, params);
  EXPECT_EQ(output.shape, (Shape{1, 1, 4}));
  EXPECT_TRUE(allNear(output.values, {0, 1, 3, 5}));

  params.padBegin = {0};
  params.padEnd = {2};
  output = runConv(input, weight, nullptr, params);
  EXPECT_TRUE(allNear(output.values, {3, 5, 3, 0}));
}

TEST(Convolution, Dilation1D) {
  Floats input({1, 1, 7}, {1, 2, 3, 4, 5, 6, 7});
  Floats weight({1, 1, 3}, {1, 1, 1});
  ConvParams params;
  params.dilations = {2};
  Floats output = runConv(input, weight, nullptr, params);
  EXPECT_EQ(output.shape, (Shape{1, 1, 3}));
  EXPECT_TRUE(allNear(output.values, {9, 12, 15}));

  params.dilations = {3};
  output = runConv(input, weight, nullptr, params);
  EXPECT_EQ(output.shape, (Shape{1, 1, 1}));
  EXPECT_TRUE(allNear(output.values, {12}));
}

TEST(Convolution, Dilation2DWithPadding) {
  // 4x4 ramp, 2x2 kernel of ones dilated by 2, padding 1: each output sums
  // the four corners of a 3x3 square of the padded input.
  Floats input({1, 1, 4, 4});
  for (int i = 0; i < 16; ++i)
    input[i] = float(i + 1);
  Floats weight({1, 1, 2, 2}, {1, 1, 1, 1});
  ConvParams params;
  params.dilations = {2, 2};
  params.padBegin = {1, 1};
  params.padEnd = {1, 1};
  Floats output = runConv(input, weight, nullptr, params);
  ASSERT_EQ(output.shape, (Shape{1, 1, 4, 4}));
  auto padded = [&](int r, int c) -> float {
    return r < 0 || r > 3 || c < 0 || c > 3 ? 0.0f : input[r * 4 + c];
  };
  std::vector<float> expected;
  for (int r = 0; r < 4; ++r)
    for (int c = 0; c < 4; ++c)
      expected.push_back(padded(r - 1, c - 1) + padded(r - 1, c + 1) +
                         padded(r + 1, c - 1) + padded(r + 1, c + 1));
  EXPECT_TRUE(allNear(output.values, expected));
  EXPECT_TRUE(allNear({output[0]}, {6})); // 6 = x[1][1]
}

TEST(Convolution, HandComputed3D) {
  Floats input({1, 1, 2, 2, 2}, {1, 2, 3, 4, 5, 6, 7, 8});
  Floats weight({1, 1, 2, 2, 2}, std::vector<float>(8, 1.0f));
  Floats output = runConv(input, weight, nullptr, {});
  EXPECT_EQ(output.shape, (Shape{1, 1, 1, 1, 1}));
  EXPECT_TRUE(allNear(output.values, {36}));
}

TEST(Convolution, GroupsScaleEachChannel) {
  Floats input({1, 2, 1, 2}, {1, 2, 3, 4});
  Floats weight({2, 1, 1, 1}, {2, 3});
  ConvParams params;
  params.groups = 2;
  Floats output = runConv(input, weight, nullptr, params);
  EXPECT_TRUE(allNear(output.values, {2, 4, 9, 12}));
}

TEST(Convolution, DepthwiseWithMultiplier) {
  // 2 input channels, 2 filters per channel: out channel oc reads channel
  // oc / 2.
  Floats input({1, 2, 1, 3}, {1, 2, 3, 10, 20, 30});
  Floats weight({4, 1, 1, 2}, {1, 0, 0, 1, 1, 1, -1, 1});
  ConvParams params;
  params.groups = 2;
  Floats output = runConv(input, weight, nullptr, params);
  EXPECT_EQ(output.shape, (Shape{1, 4, 1, 2}));
  EXPECT_TRUE(allNear(output.values, {1, 2, 2, 3, 30, 50, 10, 10}));
}

TEST(Convolution, ShapeErrors) {
  Shape out;
  ConvParams zeroGroups;
  zeroGroups.groups = 0;
  EXPECT_ERROR(convOutputShape({1, 3, 5, 5}, {4, 3, 3, 3}, zeroGroups, out),
               "groups");
  ConvParams grouped;
  grouped.groups = 3;
  EXPECT_ERROR(convOutputShape({1, 3, 5, 5}, {4, 1, 3, 3}, grouped, out),
               "must divide");
  EXPECT_ERROR(convOutputShape({1, 4, 5, 5}, {4, 3, 3, 3}, {}, out),
               "input channels");
  EXPECT_ERROR(convOutputShape({1, 3, 2, 2}, {4, 3, 3, 3}, {}, out), "exceeds");
  ConvParams dilated;
  dilated.dilations = {3, 1};
  EXPECT_ERROR(convOutputShape({1, 3, 5, 5}, {4, 3, 3, 3}, dilated, out),
               "exceeds");
  ConvParams badStrides;
  badStrides.strides = {1};
  EXPECT_ERROR(convOutputShape({1, 3, 5, 5}, {4, 3, 3, 3}, badStrides, out),
               "strides");
  badStrides.strides = {0, 1};
  EXPECT_ERROR(convOutputShape({1, 3, 5, 5}, {4, 3, 3, 3}, badStrides, out),
               "strides");
  EXPECT_ERROR(convOutputShape({1, 3, 5, 5}, {4, 3, 3}, {}, out), "rank");
  EXPECT_ERROR(convOutputShape({1, 3}, {4, 3}, {}, out), "spatial");
  EXPECT_ERROR(convOutputShape({1, 1, 2, 2, 2, 2}, {1, 1, 1, 1, 1, 1}, {}, out),
               "spatial");

  Floats input({1, 1, 3, 3});
  Floats weight({2, 1, 2, 2});
  Floats wrongBias({3});
  Floats output({1, 2, 2, 2});
  EXPECT_ERROR(
      conv(input.cref(), weight.cref(), wrongBias.cref(), {}, output.ref()),
      "bias");
  Floats wrongOutput({1, 2, 3, 3});
  EXPECT_ERROR(conv(input.cref(), weight.cref(), {}, {}, wrongOutput.ref()),
               "output shape");
  EXPECT_ERROR(conv(ConstF32(nullptr, {1, 1, 3, 3}), weight.cref(), {}, {},
                    output.ref()),
               "no data");
}

// Property: a grouped convolution equals the concatenation over groups of
// ordinary convolutions on each group's channels.
TEST(ConvolutionProperty, GroupsEqualPerGroupConvs) {
  std::mt19937 rng(1234);
  for (int trial = 0; trial < 40; ++trial) {
    const int64_t spatial = randomInt(rng, 1, 3);
    const int64_t groups = randomInt(rng, 1, 4);
    const int64_t inPerGroup = randomInt(rng, 1, 3);
    const int64_t outPerGroup = randomInt(rng, 1, 3);
    ConvParams params;
    params.groups = groups;
    Shape inShape = {randomInt(rng, 1, 2), groups * inPerGroup};
    Shape wShape = {groups * outPerGroup, inPerGroup};
    for (int64_t d = 0; d < spatial; ++d) {
      const int64_t k = randomInt(rng, 1, 3);
      const int64_t dilation = randomInt(rng, 1, 2);
      const int64_t pb = randomInt(rng, 0, 2), pe = randomInt(rng, 0, 2);
      const int64_t span = dilation * (k - 1) + 1;
      inShape.push_back(
          randomInt(rng, std::max<int64_t>(1, span - pb - pe), span + 4));
      wShape.push_back(k);
      params.strides.push_back(randomInt(rng, 1, 2));
      params.dilations.push_back(dilation);
      params.padBegin.push_back(pb);
      params.padEnd.push_back(pe);
    }
    Floats input = randomFloats(rng, inShape);
    Floats weight = randomFloats(rng, wShape);
    Floats bias = randomFloats(rng, {groups * outPerGroup});
    Floats grouped = runConv(input, weight, &bias, params);

    ConvParams single = params;
    single.groups = 1;
    const int64_t outInner =
        numElements(grouped.shape) / (grouped.shape[0] * grouped.shape[1]);
    for (int64_t g = 0; g < groups; ++g) {
      Floats part = runConv(channelRange(input, g * inPerGroup, inPerGroup),
                            leadingRange(weight, g * outPerGroup, outPerGroup),
                            nullptr, single);
      for (int64_t n = 0; n < grouped.shape[0]; ++n)
        for (int64_t c = 0; c < outPerGroup; ++c)
          for (int64_t i = 0; i < outInner; ++i) {
            const int64_t oc = g * outPerGroup + c;
            const float expected =
                part[(n * outPerGroup + c) * outInner + i] + bias[oc];
            const float actual =
                grouped[(n * grouped.shape[1] + oc) * outInner + i];
            ASSERT_NEAR(actual, expected, 1e-5) << "trial " << trial;
          }
    }
  }
}

// Property: a 3-D convolution whose kernel has depth 1 (and no depth padding
// or stride) is the 2-D convolution of every depth slice.
TEST(ConvolutionProperty, Depth1Kernel3DEquals2D) {
  std::mt19937 rng(99);
  for (int trial = 0; trial < 20; ++trial) {
    const int64_t n = randomInt(rng, 1, 2), c = randomInt(rng, 1, 3);
    const int64_t oc = randomInt(rng, 1, 3), depth = randomInt(rng, 1, 4);
    const int64_t h = randomInt(rng, 3, 6), w = randomInt(rng, 3, 6);
    const int64_t kh = randomInt(rng, 1, 3), kw = randomInt(rng, 1, 3);
    Floats input = randomFloats(rng, {n, c, depth, h, w});
    Floats weight = randomFloats(rng, {oc, c, 1, kh, kw});
    ConvParams params3;
    params3.strides = {1, randomInt(rng, 1, 2), randomInt(rng, 1, 2)};
    params3.padBegin = {0, randomInt(rng, 0, 1), randomInt(rng, 0, 1)};
    params3.padEnd = {0, randomInt(rng, 0, 1), randomInt(rng, 0, 1)};
    Floats out3 = runConv(input, weight, nullptr, params3);

    ConvParams params2;
    params2.strides = {params3.strides[1], params3.strides[2]};
    params2.padBegin = {params3.padBegin[1], params3.padBegin[2]};
    params2.padEnd = {params3.padEnd[1], params3.padEnd[2]};
    Floats weight2({oc, c, kh, kw}, weight.values);
    for (int64_t d = 0; d < depth; ++d) {
      Floats slice2({n, c, h, w});
      for (int64_t i = 0; i < n * c; ++i)
        std::copy_n(input.values.begin() + (i * depth + d) * h * w, h * w,
                    slice2.values.begin() + i * h * w);
      Floats out2 = runConv(slice2, weight2, nullptr, params2);
      const int64_t oh = out2.shape[2], ow = out2.shape[3];
      ASSERT_EQ(out3.shape, (Shape{n, oc, depth, oh, ow}));
      for (int64_t i = 0; i < n * oc; ++i)
        for (int64_t j = 0; j < oh * ow; ++j)
          ASSERT_FLOAT_EQ(out3[(i * depth + d) * oh * ow + j],
                          out2[i * oh * ow + j]);
    }
  }
}

// Property: 1-D convolution equals 2-D convolution over a height-1 image.
TEST(ConvolutionProperty, Conv1DEqualsHeight1Conv2D) {
  std::mt19937 rng(7);
  for (int trial = 0; trial < 20; ++trial) {
    const int64_t n = randomInt(rng, 1, 2), c = randomInt(rng, 1, 4);
    const int64_t oc = randomInt(rng, 1, 4), w = randomInt(rng, 4, 9);
    const int64_t k = randomInt(rng, 1, 3);
    Floats input = randomFloats(rng, {n, c, w});
    Floats weight = randomFloats(rng, {oc, c, k});
    ConvParams p1;
    p1.strides = {randomInt(rng, 1, 3)};
    p1.dilations = {randomInt(rng, 1, 2)};
    p1.padBegin = {randomInt(rng, 0, 2)};
    p1.padEnd = {randomInt(rng, 0, 2)};
    ConvParams p2;
    p2.strides = {1, p1.strides[0]};
    p2.dilations = {1, p1.dilations[0]};
    p2.padBegin = {0, p1.padBegin[0]};
    p2.padEnd = {0, p1.padEnd[0]};
    Floats out1 = runConv(input, weight, nullptr, p1);
    Floats out2 = runConv(Floats({n, c, 1, w}, input.values),
                          Floats({oc, c, 1, k}, weight.values), nullptr, p2);
    EXPECT_EQ(out1.values, out2.values);
  }
}

// Property: a convolution whose kernel covers the whole unpadded input is a
// fully connected layer (two independent loop nests agree).
TEST(ConvolutionProperty, FullKernelEqualsFullyConnected) {
  std::mt19937 rng(5);
  for (int trial = 0; trial < 10; ++trial) {
    const int64_t n = randomInt(rng, 1, 3), c = randomInt(rng, 1, 4);
    const int64_t oc = randomInt(rng, 1, 5);
    const int64_t h = randomInt(rng, 1, 4), w = randomInt(rng, 1, 4);
    Floats input = randomFloats(rng, {n, c, h, w});
    Floats weight = randomFloats(rng, {oc, c, h, w});
    Floats bias = randomFloats(rng, {oc});
    Floats convOut = runConv(input, weight, &bias, {});
    Floats fcOut({n, oc});
    ASSERT_OK(fullyConnected(input.cref(),
                             ConstF32(weight.values.data(), {oc, c * h * w}),
                             bias.cref(), {}, fcOut.ref()));
    EXPECT_TRUE(allNear(convOut.values, fcOut.values, 1e-6));
  }
}

// Property: the three spatial axes are treated alike: reversing them in the
// input, the weight and the parameters reverses them in the output.
TEST(ConvolutionProperty, SpatialAxesAreInterchangeable) {
  std::mt19937 rng(42);
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
  for (int trial = 0; trial < 20; ++trial) {
    ConvParams params;
    params.groups = randomInt(rng, 1, 2);
    Shape inShape = {randomInt(rng, 1, 2),
                     params.groups * randomInt(rng, 1, 2)};
    Shape wShape = {params.groups * randomInt(rng, 1, 2),
                    inShape[1] / params.groups};
    for (int d = 0; d < 3; ++d) {
      const int64_t k = randomInt(rng, 1, 3);
      const int64_t dilation = randomInt(rng, 1, 2);
      wShape.push_back(k);
      inShape.push_back(randomInt(rng, dilation * (k - 1) + 1, 6));
      params.strides.push_back(randomInt(rng, 1, 2));
      params.dilations.push_back(dilation);
      params.padBegin.push_back(randomInt(rng, 0, 2));
      params.padEnd.push_back(randomInt(rng, 0, 2));
    }
    Floats input = randomFloats(rng, inShape);
    Floats weight = randomFloats(rng, wShape);
    Floats output = runConv(input, weight, nullptr, params);

    ConvParams mirrored = params;
    mirrored.strides = reversed(params.strides);
    mirrored.dilations = reversed(params.dilations);
    mirrored.padBegin = reversed(params.padBegin);
    mirrored.padEnd = reversed(params.padEnd);
    Floats mirroredOut =
        runConv(transposed(input), transposed(weight), nullptr, mirrored);
    Floats expected = transposed(output);
    EXPECT_EQ(mirroredOut.shape, expected.shape);
    // Summation order differs; the double accumulator hides it.
    EXPECT_TRUE(allNear(mirroredOut.values, expected.values, 1e-6))
        << "trial " << trial;
  }
}
