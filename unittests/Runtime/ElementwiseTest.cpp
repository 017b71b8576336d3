//===- ElementwiseTest.cpp - Tests of activations and arithmetic ----------===//

#include "TestUtils.h"

#include <limits>

using namespace qrt::ref;
using namespace qrt::ref::test;

namespace {

float act(ActivationKind kind, float x) {
  return activate(ActivationParams::of(kind), x);
}

Floats runBinary(BinaryOp op, const Floats &lhs, const Floats &rhs) {
  Shape shape;
  Status status = broadcastShape(lhs.shape, rhs.shape, shape);
  EXPECT_TRUE(status.ok()) << status.message();
  Floats output(shape);
  status = binary(op, lhs.cref(), rhs.cref(), output.ref());
  EXPECT_TRUE(status.ok()) << status.message();
  return output;
}

Floats runScalar(ScalarOp op, const Floats &input, float scalar) {
  Floats output(input.shape);
  Status status = scalarOp(op, input.cref(), scalar, output.ref());
  EXPECT_TRUE(status.ok()) << status.message();
  return output;
}

} // namespace

TEST(Activation, KnownValues) {
  using K = ActivationKind;
  EXPECT_EQ(act(K::Identity, -3.5f), -3.5f);
  EXPECT_EQ(act(K::Relu, -2), 0);
  EXPECT_EQ(act(K::Relu, 2), 2);
  EXPECT_FLOAT_EQ(act(K::Sigmoid, 0), 0.5f);
  EXPECT_FLOAT_EQ(act(K::Sigmoid, 2), 0.8807970779778823f);
  EXPECT_FLOAT_EQ(act(K::Tanh, 0.5f), 0.46211715726000974f);
  EXPECT_FLOAT_EQ(act(K::SoftSign, 3), 0.75f);
  EXPECT_FLOAT_EQ(act(K::SoftSign, -1), -0.5f);
  EXPECT_FLOAT_EQ(act(K::Square, -3), 9);
  EXPECT_FLOAT_EQ(act(K::Sqrt, 6.25f), 2.5f);
  EXPECT_TRUE(std::isnan(act(K::Sqrt, -1)));
  EXPECT_FLOAT_EQ(act(K::Exp, 1), 2.718281828459045f);
  EXPECT_EQ(act(K::Abs, -2), 2);
}

TEST(Activation, SoftReluIsStable) {
  using K = ActivationKind;
  EXPECT_FLOAT_EQ(act(K::SoftRelu, 0), 0.6931471805599453f);
  EXPECT_FLOAT_EQ(act(K::SoftRelu, 1), 1.3132616875182228f);
  EXPECT_FLOAT_EQ(act(K::SoftRelu, -1), 0.31326168751822286f);
  // Naive log(1 + exp(x)) overflows to inf for x = 1000 and loses
  // everything for very negative x.
  EXPECT_EQ(act(K::SoftRelu, 1000), 1000);
  EXPECT_FLOAT_EQ(act(K::SoftRelu, 100), 100);
  EXPECT_GT(act(K::SoftRelu, -80), 0);
  EXPECT_NEAR(act(K::SoftRelu, -80), 1.8048513878454153e-35, 1e-40);
}

TEST(Activation, GeluUsesErf) {
  using K = ActivationKind;
  EXPECT_EQ(act(K::Gelu, 0), 0);
  EXPECT_FLOAT_EQ(act(K::Gelu, 1), 0.8413447460685429f);
  EXPECT_FLOAT_EQ(act(K::Gelu, -1), -0.15865525393145707f);
  EXPECT_FLOAT_EQ(act(K::Gelu, 2), 1.9544997361036416f);
  // The tanh approximation gives 0.841192 at 1: distinguishable.
  EXPECT_GT(std::fabs(act(K::Gelu, 1) - 0.8411919906f), 1e-4);
}

TEST(Activation, ParameterizedKinds) {
  EXPECT_FLOAT_EQ(activate(ActivationParams::leakyRelu(0.1f), -2), -0.2f);
  EXPECT_FLOAT_EQ(activate(ActivationParams::leakyRelu(0.1f), 3), 3);
  EXPECT_FLOAT_EQ(activate(ActivationParams::elu(1.0f), -1),
                  -0.6321205588285577f);
  EXPECT_FLOAT_EQ(activate(ActivationParams::elu(0.5f), 2), 2);
  EXPECT_FLOAT_EQ(act(ActivationKind::Selu, 1), 1.0507009873554805f);
  EXPECT_FLOAT_EQ(act(ActivationKind::Selu, -1), -1.1113307378125628f);
  const ActivationParams relu6 = ActivationParams::clip(0, 6);
  EXPECT_EQ(activate(relu6, 7), 6);
  EXPECT_EQ(activate(relu6, -1), 0);
  EXPECT_EQ(activate(relu6, 2.5f), 2.5f);
}

TEST(Activation, TensorKernelAndErrors) {
  Floats input({2, 2}, {-1, 0, 1, 2});
  Floats output({2, 2});
  ASSERT_OK(activation(input.cref(), ActivationParams::of(ActivationKind::Relu),
                       output.ref()));
  EXPECT_TRUE(allNear(output.values, {0, 0, 1, 2}));
  EXPECT_ERROR(
      activation(input.cref(), ActivationParams::clip(1, 0), output.ref()),
      "clip");
  Floats wrong({4});
  EXPECT_ERROR(activation(input.cref(), {}, wrong.ref()), "output shape");
}

TEST(Activation, PreluPerChannel) {
  Floats input({1, 2, 2}, {-1, 2, -3, 4});
  Floats slope({2}, {0.1f, 0.2f});
  Floats output({1, 2, 2});
  ASSERT_OK(prelu(input.cref(), slope.cref(), output.ref()));
  EXPECT_TRUE(allNear(output.values, {-0.1f, 2, -0.6f, 4}));

  Floats shared({1}, {0.5f});
  ASSERT_OK(prelu(input.cref(), shared.cref(), output.ref()));
  EXPECT_TRUE(allNear(output.values, {-0.5f, 2, -1.5f, 4}));

  Floats badSlope({3});
  EXPECT_ERROR(prelu(input.cref(), badSlope.cref(), output.ref()), "slope");
}

TEST(Broadcast, Shapes) {
  Shape out;
  ASSERT_OK(broadcastShape({2, 3, 1, 5}, {3, 4, 1}, out));
  EXPECT_EQ(out, (Shape{2, 3, 4, 5}));
  ASSERT_OK(broadcastShape({}, {2, 2}, out));
  EXPECT_EQ(out, (Shape{2, 2}));
  ASSERT_OK(broadcastShape({1}, {0, 3}, out));
  EXPECT_EQ(out, (Shape{0, 3}));
  EXPECT_ERROR(broadcastShape({2, 3}, {4, 3}, out), "incompatible");
  EXPECT_ERROR(broadcastShape({2, 3, 1, 5}, {3, 4, 2}, out), "incompatible");
}

TEST(Broadcast, AddFourDimByThreeDim) {
  std::mt19937 rng(8);
  Floats x = randomFloats(rng, {2, 3, 1, 5});
  Floats y = randomFloats(rng, {3, 4, 1});
  Floats sum = runBinary(BinaryOp::Add, x, y);
  ASSERT_EQ(sum.shape, (Shape{2, 3, 4, 5}));
  for (int a = 0; a < 2; ++a)
    for (int b = 0; b < 3; ++b)
      for (int c = 0; c < 4; ++c)
        for (int d = 0; d < 5; ++d)
          ASSERT_EQ(sum[((a * 3 + b) * 4 + c) * 5 + d],
                    x[(a * 3 + b) * 5 + d] + y[b * 4 + c]);
}

TEST(Broadcast, AllOps) {
  Floats x({2, 2}, {1, 2, 3, 4});
  Floats row({2}, {2, 4});
  EXPECT_TRUE(allNear(runBinary(BinaryOp::Add, x, row).values, {3, 6, 5, 8}));
  EXPECT_TRUE(allNear(runBinary(BinaryOp::Sub, x, row).values, {-1, -2, 1, 0}));
  EXPECT_TRUE(allNear(runBinary(BinaryOp::Mul, x, row).values, {2, 8, 6, 16}));
  EXPECT_TRUE(
      allNear(runBinary(BinaryOp::Div, x, row).values, {0.5f, 0.5f, 1.5f, 1}));
  EXPECT_TRUE(allNear(runBinary(BinaryOp::Max, x, row).values, {2, 4, 3, 4}));
  EXPECT_TRUE(allNear(runBinary(BinaryOp::Min, x, row).values, {1, 2, 2, 4}));
  // Column broadcast on the left operand, and a rank-0 operand.
  Floats column({2, 1}, {10, 20});
  EXPECT_TRUE(
      allNear(runBinary(BinaryOp::Sub, column, x).values, {9, 8, 17, 16}));
  Floats scalar({}, {3});
  EXPECT_TRUE(
      allNear(runBinary(BinaryOp::Mul, scalar, x).values, {3, 6, 9, 12}));

  Floats out({2, 2});
  Floats bad({3});
  EXPECT_ERROR(binary(BinaryOp::Add, x.cref(), bad.cref(), out.ref()),
               "incompatible");
}

TEST(Scalar, AllOps) {
  Floats x({4}, {1, 2, 4, -1});
  EXPECT_TRUE(allNear(runScalar(ScalarOp::Add, x, 2).values, {3, 4, 6, 1}));
  EXPECT_TRUE(allNear(runScalar(ScalarOp::Sub, x, 2).values, {-1, 0, 2, -3}));
  EXPECT_TRUE(allNear(runScalar(ScalarOp::RSub, x, 2).values, {1, 0, -2, 3}));
  EXPECT_TRUE(allNear(runScalar(ScalarOp::Mul, x, 2).values, {2, 4, 8, -2}));
  EXPECT_TRUE(
      allNear(runScalar(ScalarOp::Div, x, 2).values, {0.5f, 1, 2, -0.5f}));
  EXPECT_TRUE(
      allNear(runScalar(ScalarOp::RDiv, x, 2).values, {2, 1, 0.5f, -2}));
  EXPECT_TRUE(allNear(runScalar(ScalarOp::Max, x, 2).values, {2, 2, 4, 2}));
  EXPECT_TRUE(allNear(runScalar(ScalarOp::Min, x, 2).values, {1, 2, 2, -1}));
  EXPECT_TRUE(allNear(runScalar(ScalarOp::Pow, x, 2).values, {1, 4, 16, 1}));
  EXPECT_TRUE(
      allNear(runScalar(ScalarOp::RPow, x, 2).values, {2, 4, 16, 0.5f}));
}
