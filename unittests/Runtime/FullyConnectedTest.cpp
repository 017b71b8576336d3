//===- FullyConnectedTest.cpp - Tests of the reference inner product ------===//

#include "TestUtils.h"

using namespace qrt::ref;
using namespace qrt::ref::test;

namespace {

Floats runFc(const Floats &input, const Floats &weight, const Floats *bias,
             bool flatten) {
  FullyConnectedParams params;
  params.flatten = flatten;
  Shape shape;
  Status status =
      fullyConnectedOutputShape(input.shape, weight.shape, params, shape);
  EXPECT_TRUE(status.ok()) << status.message();
  Floats output(shape);
  status =
      fullyConnected(input.cref(), weight.cref(),
                     bias ? bias->cref() : ConstF32(), params, output.ref());
  EXPECT_TRUE(status.ok()) << status.message();
  return output;
}

Floats handWeight() { return Floats({2, 3}, {1, 0, -1, 0.5f, 0.5f, 0.5f}); }
Floats handBias() { return Floats({2}, {1, -1}); }

} // namespace

TEST(FullyConnected, HandComputed) {
  Floats weight = handWeight(), bias = handBias();
  Floats input({2, 3}, {1, 2, 3, 4, 5, 6});
  Floats output = runFc(input, weight, &bias, true);
  EXPECT_EQ(output.shape, (Shape{2, 2}));
  EXPECT_TRUE(allNear(output.values, {-1, 2, -1, 6.5f}));

  output = runFc(input, weight, nullptr, true);
  EXPECT_TRUE(allNear(output.values, {-2, 3, -2, 7.5f}));
}

TEST(FullyConnected, FlattenTrueCollapsesTrailingAxes) {
  Floats weight = handWeight(), bias = handBias();
  // [2, 1, 3] flattens to [2, 3]: same rows as above.
  Floats input({2, 1, 3}, {1, 2, 3, 4, 5, 6});
  Floats output = runFc(input, weight, &bias, true);
  EXPECT_EQ(output.shape, (Shape{2, 2}));
  EXPECT_TRUE(allNear(output.values, {-1, 2, -1, 6.5f}));

  // [1, 3, 2] flattens to one row of K = 6.
  Floats wide({1, 6}, {1, 1, 1, 1, 1, 1});
  Floats input2({1, 3, 2}, {1, 2, 3, 4, 5, 6});
  output = runFc(input2, wide, nullptr, true);
  EXPECT_EQ(output.shape, (Shape{1, 1}));
  EXPECT_TRUE(allNear(output.values, {21}));
}

TEST(FullyConnected, FlattenFalseAppliesToLastAxis) {
  Floats weight = handWeight(), bias = handBias();
  Floats input({2, 1, 3}, {1, 2, 3, 4, 5, 6});
  Floats output = runFc(input, weight, &bias, false);
  EXPECT_EQ(output.shape, (Shape{2, 1, 2}));
  EXPECT_TRUE(allNear(output.values, {-1, 2, -1, 6.5f}));

  Floats rows({1, 2, 3}, {1, 2, 3, 4, 5, 6});
  output = runFc(rows, weight, &bias, false);
  EXPECT_EQ(output.shape, (Shape{1, 2, 2}));
  EXPECT_TRUE(allNear(output.values, {-1, 2, -1, 6.5f}));

  // A 1-D input is a single row.
  Floats vector({3}, {1, 2, 3});
  output = runFc(vector, weight, nullptr, false);
  EXPECT_EQ(output.shape, (Shape{2}));
  EXPECT_TRUE(allNear(output.values, {-2, 3}));
}

TEST(FullyConnected, ShapeErrors) {
  Floats weight = handWeight();
  Shape out;
  EXPECT_ERROR(fullyConnectedOutputShape({2, 4}, {2, 3}, {}, out), "K = ");
  FullyConnectedParams noFlatten;
  noFlatten.flatten = false;
  EXPECT_ERROR(fullyConnectedOutputShape({2, 3, 2}, {2, 3}, noFlatten, out),
               "last dim");
  EXPECT_ERROR(fullyConnectedOutputShape({2, 3}, {2, 3, 1}, {}, out),
               "numHidden");
  Floats input({2, 3});
  Floats badBias({3});
  Floats output({2, 2});
  EXPECT_ERROR(fullyConnected(input.cref(), weight.cref(), badBias.cref(), {},
                              output.ref()),
               "bias");
  Floats badOutput({2, 3});
  EXPECT_ERROR(
      fullyConnected(input.cref(), weight.cref(), {}, {}, badOutput.ref()),
      "output shape");
}

// Property: flatten=false on [A, B, K] equals flatten=true on [A*B, K].
TEST(FullyConnectedProperty, FlattenFalseEqualsReshapedRows) {
  std::mt19937 rng(11);
  for (int trial = 0; trial < 20; ++trial) {
    const int64_t a = randomInt(rng, 1, 3), b = randomInt(rng, 1, 3);
    const int64_t k = randomInt(rng, 1, 6), hidden = randomInt(rng, 1, 5);
    Floats input = randomFloats(rng, {a, b, k});
    Floats weight = randomFloats(rng, {hidden, k});
    Floats bias = randomFloats(rng, {hidden});
    Floats perRow = runFc(input, weight, &bias, false);
    Floats flat = runFc(Floats({a * b, k}, input.values), weight, &bias, true);
    EXPECT_EQ(perRow.shape, (Shape{a, b, hidden}));
    EXPECT_EQ(perRow.values, flat.values);
  }
}
