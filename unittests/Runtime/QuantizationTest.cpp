//===- QuantizationTest.cpp - Tests of the integer reference kernels ------===//

#include "TestUtils.h"

#include <limits>

using namespace qrt::ref;
using namespace qrt::ref::test;

TEST(RoundHalfToEven, Ties) {
  EXPECT_EQ(roundHalfToEven(0.5), 0);
  EXPECT_EQ(roundHalfToEven(1.5), 2);
  EXPECT_EQ(roundHalfToEven(2.5), 2);
  EXPECT_EQ(roundHalfToEven(3.5), 4);
  EXPECT_EQ(roundHalfToEven(-0.5), 0);
  EXPECT_EQ(roundHalfToEven(-1.5), -2);
  EXPECT_EQ(roundHalfToEven(-2.5), -2);
  EXPECT_EQ(roundHalfToEven(2.4999999), 2);
  EXPECT_EQ(roundHalfToEven(2.5000001), 3);
  EXPECT_EQ(roundHalfToEven(-2.5000001), -3);
  EXPECT_EQ(roundHalfToEven(7), 7);
}

TEST(Requantize, RoundsTiesToEvenAndSaturatesToInt8) {
  Buffer<int32_t> input({9}, {1, 3, 5, -1, -3, 254, 255, 1000, -1000});
  Buffer<int8_t> output({9});
  ASSERT_OK(requantize(input.cref(), {0.5f}, 0, output.ref()));
  // 0.5 1.5 2.5 -0.5 -1.5 127 127.5 500 -500
  EXPECT_EQ(output.values,
            (std::vector<int8_t>{0, 2, 2, 0, -2, 127, 127, 127, -128}));
  Buffer<int32_t> low({2}, {-255, -257});
  Buffer<int8_t> lowOut({2});
  ASSERT_OK(requantize(low.cref(), {0.5f}, 0, lowOut.ref()));
  EXPECT_EQ(lowOut.values, (std::vector<int8_t>{-128, -128})); // -127.5->-128
}

TEST(Requantize, Uint8AndPerChannel) {
  Buffer<int32_t> input({6}, {-7, 1, 3, 509, 511, 600});
  Buffer<uint8_t> output({6});
  ASSERT_OK(requantize(input.cref(), {0.5f}, 0, output.ref()));
  EXPECT_EQ(output.values, (std::vector<uint8_t>{0, 0, 2, 254, 255, 255}));

  // [1, 2, 2] with multipliers per channel of axis 1.
  Buffer<int32_t> channels({1, 2, 2}, {3, 5, 3, 5});
  Buffer<int8_t> channelsOut({1, 2, 2});
  ASSERT_OK(requantize(channels.cref(), {1.0f, 0.5f}, 1, channelsOut.ref()));
  EXPECT_EQ(channelsOut.values, (std::vector<int8_t>{3, 5, 2, 2}));
  EXPECT_ERROR(
      requantize(channels.cref(), {1.0f, 0.5f, 2.0f}, 1, channelsOut.ref()),
      "scales");
  EXPECT_ERROR(requantize(channels.cref(), {}, 1, channelsOut.ref()),
               "no scale");
}

TEST(Quantize, RoundsTiesToEvenAndSaturates) {
  const float inf = std::numeric_limits<float>::infinity();
  const float nan = std::numeric_limits<float>::quiet_NaN();
  Floats input(
      {10}, {0.25f, 0.75f, 1.25f, -0.25f, 63.75f, 64, -64.25f, nan, inf, -inf});
  Buffer<int8_t> s8({10});
  ASSERT_OK(quantize(input.cref(), {2.0f}, 0, s8.ref()));
  // x * 2: 0.5 1.5 2.5 -0.5 127.5 128 -128.5 nan inf -inf
  EXPECT_EQ(s8.values,
            (std::vector<int8_t>{0, 2, 2, 0, 127, 127, -128, 0, 127, -128}));
  Buffer<uint8_t> u8({10});
  ASSERT_OK(quantize(input.cref(), {2.0f}, 0, u8.ref()));
  EXPECT_EQ(u8.values,
            (std::vector<uint8_t>{0, 2, 2, 0, 128, 128, 0, 0, 255, 0}));
  // MXNet-style scale 127.5 / absmax: absmax maps to 127.5 -> 128 -> 127.
  Floats edge({2}, {3.0f, -3.0f});
  Buffer<int8_t> edgeOut({2});
  ASSERT_OK(quantize(edge.cref(), {127.5f / 3.0f}, 0, edgeOut.ref()));
  EXPECT_EQ(edgeOut.values, (std::vector<int8_t>{127, -128}));
}

TEST(Dequantize, DividesByScale) {
  Buffer<int8_t> s8({3}, {-128, 0, 127});
  Floats out({3});
  ASSERT_OK(dequantize(s8.cref(), {2.0f}, 0, out.ref()));
  EXPECT_TRUE(allNear(out.values, {-64, 0, 63.5f}));
  Buffer<uint8_t> u8({1, 2}, {255, 10});
  Floats out2({1, 2});
  ASSERT_OK(dequantize(u8.cref(), {5.0f, 0.5f}, 1, out2.ref()));
  EXPECT_TRUE(allNear(out2.values, {51, 20}));
  Buffer<int32_t> s32({1}, {1 << 30});
  Floats out3({1});
  ASSERT_OK(dequantize(s32.cref(), {1024.0f}, 0, out3.ref()));
  EXPECT_TRUE(allNear(out3.values, {1 << 20}));
  EXPECT_ERROR(dequantize(s8.cref(), {0.0f}, 0, out.ref()), "nonzero");
}

// Property: quantize then dequantize is within half a step when in range.
TEST(QuantizeProperty, RoundTripWithinHalfStep) {
  std::mt19937 rng(2);
  Floats input = randomFloats(rng, {1000}, -3, 3);
  const float scale = 127.0f / 3.0f;
  Buffer<int8_t> q({1000});
  ASSERT_OK(quantize(input.cref(), {scale}, 0, q.ref()));
  Floats back({1000});
  ASSERT_OK(dequantize(q.cref(), {scale}, 0, back.ref()));
  for (int i = 0; i < 1000; ++i)
    ASSERT_LE(std::fabs(back[i] - input[i]), 0.5f / scale * 1.0001f);
}

TEST(QuantizedConv, HandComputedSignedSource) {
  Buffer<int8_t> input({1, 1, 2, 2}, {-1, 2, -3, 4});
  Buffer<int8_t> weight({2, 1, 2, 2}, {1, 1, 1, 1, -128, 127, 1, -1});
  Buffer<int32_t> bias({2}, {10, -10});
  Buffer<int32_t> output({1, 2, 1, 1});
  ASSERT_OK(quantizedConv(input.cref(), weight.cref(), bias.cref(), {},
                          output.ref()));
  // 2 + 10; 128 + 254 - 3 - 4 - 10
  EXPECT_EQ(output.values, (std::vector<int32_t>{12, 365}));
}

TEST(QuantizedConv, SaturatesAndCounts) {
  Buffer<uint8_t> input({1, 1, 1, 1}, {1});
  Buffer<int8_t> weight({3, 1, 1, 1}, {1, -1, 0});
  const int32_t max = std::numeric_limits<int32_t>::max();
  const int32_t min = std::numeric_limits<int32_t>::min();
  Buffer<int32_t> bias({3}, {max, min, max});
  Buffer<int32_t> output({1, 3, 1, 1});
  int64_t saturated = -1;
  ASSERT_OK(quantizedConv(input.cref(), weight.cref(), bias.cref(), {},
                          output.ref(), &saturated));
  EXPECT_EQ(output.values, (std::vector<int32_t>{max, min, max}));
  EXPECT_EQ(saturated, 2);
}

// Property: on integer-valued data, the integer convolution equals the float
// convolution exactly (all sums stay far below 2^24).
TEST(QuantizedConvProperty, EqualsFloatConvOnIntegers) {
  std::mt19937 rng(77);
  for (int trial = 0; trial < 30; ++trial) {
    const bool unsignedSource = trial % 2 == 0;
    const int64_t groups = randomInt(rng, 1, 2);
    const int64_t inPerGroup = randomInt(rng, 1, 3);
    const int64_t outPerGroup = randomInt(rng, 1, 3);
    const int64_t k = randomInt(rng, 1, 3);
    ConvParams params;
    params.groups = groups;
    params.strides = {randomInt(rng, 1, 2), randomInt(rng, 1, 2)};
    params.dilations = {randomInt(rng, 1, 2), 1};
    params.padBegin = {randomInt(rng, 0, 1), randomInt(rng, 0, 2)};
    params.padEnd = {randomInt(rng, 0, 2), randomInt(rng, 0, 1)};
    const Shape inShape = {randomInt(rng, 1, 2), groups * inPerGroup,
                           randomInt(rng, 2 * k, 2 * k + 3),
                           randomInt(rng, k, k + 3)};
    const Shape wShape = {groups * outPerGroup, inPerGroup, k, k};
    Buffer<int8_t> weight = randomInts<int8_t>(rng, wShape, -128, 127);
    Buffer<int32_t> bias =
        randomInts<int32_t>(rng, {groups * outPerGroup}, -100000, 100000);

    Shape outShape;
    ASSERT_OK(convOutputShape(inShape, wShape, params, outShape));
    Buffer<int32_t> intOut(outShape);
    Floats floatInput;
    if (unsignedSource) {
      Buffer<uint8_t> input = randomInts<uint8_t>(rng, inShape, 0, 255);
      ASSERT_OK(quantizedConv(input.cref(), weight.cref(), bias.cref(), params,
                              intOut.ref()));
      floatInput = cast<float>(input);
    } else {
      Buffer<int8_t> input = randomInts<int8_t>(rng, inShape, -128, 127);
      ASSERT_OK(quantizedConv(input.cref(), weight.cref(), bias.cref(), params,
                              intOut.ref()));
      floatInput = cast<float>(input);
    }
    Floats floatOut(outShape);
    ASSERT_OK(conv(floatInput.cref(), cast<float>(weight).cref(),
                   cast<float>(bias).cref(), params, floatOut.ref()));
    for (size_t i = 0; i < intOut.values.size(); ++i)
      ASSERT_EQ(static_cast<float>(intOut[i]), floatOut[i])
          << "trial " << trial;
  }
}

TEST(QuantizedFullyConnected, HandComputedAndSaturation) {
  Buffer<uint8_t> input({2, 3}, {255, 0, 1, 2, 3, 4});
  Buffer<int8_t> weight({2, 3}, {127, -128, 5, -1, 1, 1});
  Buffer<int32_t> bias({2}, {1, -2});
  Buffer<int32_t> output({2, 2});
  ASSERT_OK(quantizedFullyConnected(input.cref(), weight.cref(), bias.cref(),
                                    {}, output.ref()));
  // Row 0: 255*127 + 5 + 1 = 32391; -255 + 0 + 1 - 2 = -256.
  // Row 1: 254 - 384 + 20 + 1 = -109; -2 + 3 + 4 - 2 = 3.
  EXPECT_EQ(output.values, (std::vector<int32_t>{32391, -256, -109, 3}));

  // 70000 products of 255 * 127 exceed INT32_MAX.
  const int64_t depth = 70000;
  Buffer<uint8_t> wide({1, depth}, std::vector<uint8_t>(depth, 255));
  Buffer<int8_t> wideWeight({1, depth}, std::vector<int8_t>(depth, 127));
  Buffer<int32_t> wideOut({1, 1});
  int64_t saturated = 0;
  ASSERT_OK(quantizedFullyConnected(wide.cref(), wideWeight.cref(), {}, {},
                                    wideOut.ref(), &saturated));
  EXPECT_EQ(wideOut[0], std::numeric_limits<int32_t>::max());
  EXPECT_EQ(saturated, 1);
}

// Property: signed-source FC equals the float FC on integer data, for both
// flatten modes.
TEST(QuantizedFullyConnectedProperty, EqualsFloatFc) {
  std::mt19937 rng(13);
  for (int trial = 0; trial < 20; ++trial) {
    FullyConnectedParams params;
    params.flatten = trial % 2 == 0;
    const Shape inShape = {randomInt(rng, 1, 3), randomInt(rng, 1, 3),
                           randomInt(rng, 1, 8)};
    const int64_t depth = params.flatten ? inShape[1] * inShape[2] : inShape[2];
    const Shape wShape = {randomInt(rng, 1, 5), depth};
    Buffer<int8_t> input = randomInts<int8_t>(rng, inShape, -128, 127);
    Buffer<int8_t> weight = randomInts<int8_t>(rng, wShape, -128, 127);
    Buffer<int32_t> bias = randomInts<int32_t>(rng, {wShape[0]}, -5000, 5000);
    Shape outShape;
    ASSERT_OK(fullyConnectedOutputShape(inShape, wShape, params, outShape));
    Buffer<int32_t> intOut(outShape);
    ASSERT_OK(quantizedFullyConnected(input.cref(), weight.cref(), bias.cref(),
                                      params, intOut.ref()));
    Floats floatOut(outShape);
    ASSERT_OK(fullyConnected(cast<float>(input).cref(),
                             cast<float>(weight).cref(),
                             cast<float>(bias).cref(), params, floatOut.ref()));
    for (size_t i = 0; i < intOut.values.size(); ++i)
      ASSERT_EQ(static_cast<float>(intOut[i]), floatOut[i]);
  }
}

//===----------------------------------------------------------------------===//
// The int8 contract with steps (hand-computed)
//===----------------------------------------------------------------------===//

namespace {
template <typename T> QTensor qview(const Buffer<T> &b, QType type, float s) {
  return {type, b.values.data(), b.shape, s};
}
template <typename T> QOutput qout(Buffer<T> &b, QType type, float s) {
  return {type, b.values.data(), b.shape, s};
}
} // namespace

TEST(Int8Steps, DynamicStepAndBias) {
  EXPECT_EQ(dynamicStep(127.5, QType::S8), 1.f);
  EXPECT_EQ(dynamicStep(0, QType::U8), float(1 / 255.5));
  Floats data({3}, {-2.f, 1.f, std::numeric_limits<float>::infinity()});
  EXPECT_EQ(dynamicStepOf(qview(data, QType::F32, 1), QType::S8),
            float(2 / 127.5));
  // 1.25 / (0.5 * 1) = 2.5 -> 2; 3.5 -> 4; the clamp at (2^31 - 1) / 2.
  EXPECT_EQ(quantizeBias(1.25f, 0.5f, 1.f), 2);
  EXPECT_EQ(quantizeBias(-1.75f, 0.5f, 1.f), -4);
  EXPECT_EQ(quantizeBias(1e10f, 1e-3f, 1e-3f), 1073741823);
  EXPECT_EQ(quantizeBias(-1e10f, 1e-3f, 1e-3f), -1073741823);
}

TEST(Int8Steps, ConvertQuantized) {
  // f32 -> s8 step 0.5: 0.25 -> 0.5 -> 0, 0.75 -> 1.5 -> 2, saturation.
  Floats x({5}, {0.25f, 0.75f, -0.75f, 100.f, -100.f});
  Buffer<int8_t> q({5});
  ASSERT_OK(
      convertQuantized(qview(x, QType::F32, 1), qout(q, QType::S8, 0.5f)));
  EXPECT_EQ(q.values, (std::vector<int8_t>{0, 2, -2, 127, -128}));
  // s32 step 0.25 -> u8 step 0.5 (requantize): 5 * 0.25 / 0.5 = 2.5 -> 2.
  Buffer<int32_t> acc({3}, {5, 7, -9});
  Buffer<uint8_t> u({3});
  ASSERT_OK(convertQuantized(qview(acc, QType::S32, 0.25f),
                             qout(u, QType::U8, 0.5f)));
  EXPECT_EQ(u.values, (std::vector<uint8_t>{2, 4, 0}));
  // Dequantize.
  Floats back({3});
  ASSERT_OK(
      convertQuantized(qview(u, QType::U8, 0.5f), qout(back, QType::F32, 1)));
  EXPECT_EQ(back.values, (std::vector<float>{1.f, 2.f, 0.f}));
}

TEST(Int8Steps, ConvWithTanhIntoU8AndSum) {
  // One output: x = [2, 4] (u8, step 0.25), w = [1, -3] (steps 0.5),
  // bias 0.3 -> rne(0.3 / 0.125) = rne(2.4) = 2; acc = 2 - 12 + 2 = -8,
  // real -1. tanh(-1) = -0.76 saturates to 0 in u8; with the sum
  // 0.5 * (10 * 0.2) = 1 it becomes 0.238..., / 0.01 -> 24.
  Buffer<uint8_t> x({1, 2, 1}, {2, 4});
  Buffer<int8_t> w({1, 2, 1}, {1, -3});
  Floats b({1}, {0.3f});
  Int8ConvParams p;
  p.weightSteps = {0.5f};
  p.act = ActivationParams::of(ActivationKind::Tanh);
  Buffer<uint8_t> y({1, 1, 1});
  ASSERT_OK(int8Conv(qview(x, QType::U8, 0.25f), w.cref(), b.cref(), p,
                     QTensor(), qout(y, QType::U8, 0.01f)));
  EXPECT_EQ(y.values[0], 0);
  Buffer<int8_t> s({1, 1, 1}, {10});
  p.sumScale = 0.5f;
  ASSERT_OK(int8Conv(qview(x, QType::U8, 0.25f), w.cref(), b.cref(), p,
                     qview(s, QType::S8, 0.2f), qout(y, QType::U8, 0.01f)));
  EXPECT_EQ(y.values[0], 24); // 100 * (1 - tanh(1)) = 23.84
  Floats real({1, 1, 1});
  p.act = ActivationParams();
  ASSERT_OK(int8Conv(qview(x, QType::U8, 0.25f), w.cref(), b.cref(), p,
                     QTensor(), qout(real, QType::F32, 1)));
  EXPECT_EQ(real.values[0], -1.f);
}

TEST(Int8Steps, PoolConcatAddActivation) {
  // avg of {1, 2} = 1.5 -> 2, of {2, 3} = 2.5 -> 2 (ties to even).
  Buffer<int8_t> x({1, 1, 4}, {1, 2, 2, 3});
  PoolParams avg;
  avg.kind = PoolKind::Avg;
  avg.kernel = {2};
  avg.strides = {2};
  Buffer<int8_t> pooled({1, 1, 2});
  ASSERT_OK(
      int8Pool(qview(x, QType::S8, 0.1f), avg, qout(pooled, QType::S8, 0.1f)));
  EXPECT_EQ(pooled.values, (std::vector<int8_t>{2, 2}));
  // Concat: u8 step 0.5 into s8 step 0.25 doubles (and saturates).
  Buffer<uint8_t> a({1, 2}, {3, 100});
  Buffer<int8_t> c({1, 2}, {-5, 7});
  Buffer<int8_t> cat({1, 4});
  ASSERT_OK(int8Concat({qview(a, QType::U8, 0.5f), qview(c, QType::S8, 0.25f)},
                       1, qout(cat, QType::S8, 0.25f)));
  EXPECT_EQ(cat.values, (std::vector<int8_t>{6, 127, -5, 7}));
  // Add: 3 * 0.5 + (-5) * 0.25 = 0.25 -> relu -> / 0.1 = 2.5 -> 2.
  Buffer<uint8_t> a1({1}, {3});
  Buffer<int8_t> c1({1}, {-5});
  Buffer<uint8_t> sum({1});
  ASSERT_OK(int8Add(qview(a1, QType::U8, 0.5f), qview(c1, QType::S8, 0.25f),
                    ActivationParams::of(ActivationKind::Relu),
                    qout(sum, QType::U8, 0.1f)));
  EXPECT_EQ(sum.values[0], 2);
  // Clip [-0.3, 0.25] at step 0.1: bounds rne(-3) = -3, rne(2.5) = 2.
  Buffer<int8_t> v({4}, {-100, -2, 2, 100});
  Buffer<int8_t> clipped({4});
  ASSERT_OK(int8Activation(qview(v, QType::S8, 0.1f),
                           ActivationParams::clip(-0.3f, 0.25f),
                           qout(clipped, QType::S8, 0.1f)));
  EXPECT_EQ(clipped.values, (std::vector<int8_t>{-3, -2, 2, 2}));
  ASSERT_OK(int8Activation(qview(v, QType::S8, 0.1f),
                           ActivationParams::leakyRelu(0.25f),
                           qout(clipped, QType::S8, 0.1f)));
  EXPECT_EQ(clipped.values, (std::vector<int8_t>{-25, 0, 2, 100})); // -0.5->0
}
