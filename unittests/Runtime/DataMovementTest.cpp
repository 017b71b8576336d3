//===- DataMovementTest.cpp - Tests of concat, transpose, slice, ... ------===//

#include "TestUtils.h"

#include <algorithm>
#include <numeric>

using namespace qrt::ref;
using namespace qrt::ref::test;

namespace {

/// A tensor holding 0, 1, 2, ... in row-major order.
Floats iota(Shape shape) {
  Floats buffer(std::move(shape));
  std::iota(buffer.values.begin(), buffer.values.end(), 0.0f);
  return buffer;
}

Floats runTranspose(const Floats &input, const std::vector<int64_t> &axes) {
  Shape shape;
  Status status = transposeOutputShape(input.shape, axes, shape);
  EXPECT_TRUE(status.ok()) << status.message();
  Floats output(shape);
  status = transpose(input.cref(), axes, output.ref());
  EXPECT_TRUE(status.ok()) << status.message();
  return output;
}

Floats runSlice(const Floats &input, const SliceParams &params) {
  Shape shape;
  Status status = sliceOutputShape(input.shape, params, shape);
  EXPECT_TRUE(status.ok()) << status.message();
  Floats output(shape);
  status = slice(input.cref(), params, output.ref());
  EXPECT_TRUE(status.ok()) << status.message();
  return output;
}

} // namespace

TEST(Concat, AlongChannelsAndLastAxis) {
  Floats a({1, 2, 2}, {1, 2, 3, 4});
  Floats b({1, 1, 2}, {5, 6});
  Shape shape;
  ASSERT_OK(concatOutputShape({a.shape, b.shape}, 1, shape));
  EXPECT_EQ(shape, (Shape{1, 3, 2}));
  Floats out(shape);
  ASSERT_OK(concat({a.cref(), b.cref()}, 1, out.ref()));
  EXPECT_TRUE(allNear(out.values, {1, 2, 3, 4, 5, 6}));

  Floats c({1, 2, 1}, {7, 8});
  Floats last({1, 2, 3});
  ASSERT_OK(concat({a.cref(), c.cref()}, -1, last.ref()));
  EXPECT_TRUE(allNear(last.values, {1, 2, 7, 3, 4, 8}));

  // Axis 0 of two [2, 1]: plain append.
  Floats x({2, 1}, {1, 2}), y({1, 1}, {3});
  Floats rows({3, 1});
  ASSERT_OK(concat({x.cref(), y.cref()}, 0, rows.ref()));
  EXPECT_TRUE(allNear(rows.values, {1, 2, 3}));
}

TEST(Concat, Errors) {
  Shape shape;
  EXPECT_ERROR(concatOutputShape({}, 0, shape), "at least one");
  EXPECT_ERROR(concatOutputShape({{1, 2}, {2, 2}}, 1, shape), "does not match");
  EXPECT_ERROR(concatOutputShape({{1, 2}, {1, 2, 1}}, 1, shape),
               "does not match");
  EXPECT_ERROR(concatOutputShape({{1, 2}}, 2, shape), "axis");
}

TEST(Transpose, HandComputed) {
  Floats input = iota({2, 3});
  Floats out = runTranspose(input, {1, 0});
  EXPECT_EQ(out.shape, (Shape{3, 2}));
  EXPECT_TRUE(allNear(out.values, {0, 3, 1, 4, 2, 5}));
  // Empty axes reverses them, as in MXNet.
  EXPECT_EQ(runTranspose(input, {}).values, out.values);

  Floats cube = iota({2, 3, 4});
  Floats moved = runTranspose(cube, {2, 0, 1});
  ASSERT_EQ(moved.shape, (Shape{4, 2, 3}));
  for (int i = 0; i < 2; ++i)
    for (int j = 0; j < 3; ++j)
      for (int k = 0; k < 4; ++k)
        EXPECT_EQ(moved[(k * 2 + i) * 3 + j], cube[(i * 3 + j) * 4 + k]);

  Shape shape;
  EXPECT_ERROR(transposeOutputShape({2, 3}, {0, 0}, shape), "twice");
  EXPECT_ERROR(transposeOutputShape({2, 3}, {0}, shape), "axes");
}

// Property: transposing by a permutation and then by its inverse is the
// identity.
TEST(TransposeProperty, InverseRestoresInput) {
  std::mt19937 rng(17);
  for (int trial = 0; trial < 30; ++trial) {
    const int64_t rank = randomInt(rng, 1, 5);
    Shape shape;
    for (int64_t d = 0; d < rank; ++d)
      shape.push_back(randomInt(rng, 1, 4));
    std::vector<int64_t> axes(rank);
    std::iota(axes.begin(), axes.end(), 0);
    std::shuffle(axes.begin(), axes.end(), rng);
    std::vector<int64_t> inverse(rank);
    for (int64_t d = 0; d < rank; ++d)
      inverse[axes[d]] = d;
    Floats input = randomFloats(rng, shape);
    Floats there = runTranspose(input, axes);
    Floats back = runTranspose(there, inverse);
    EXPECT_EQ(back.shape, input.shape);
    EXPECT_EQ(back.values, input.values);
  }
}

TEST(Slice, StepsAndDefaults) {
  Floats input = iota({3, 4});
  SliceParams params;
  params.begin = {1, 0};
  params.end = {3, 4};
  params.step = {1, 2};
  Floats out = runSlice(input, params);
  EXPECT_EQ(out.shape, (Shape{2, 2}));
  EXPECT_TRUE(allNear(out.values, {4, 6, 8, 10}));

  // Only the first axis given: the second is kept whole.
  SliceParams rows;
  rows.begin = {2};
  rows.end = {3};
  out = runSlice(input, rows);
  EXPECT_EQ(out.shape, (Shape{1, 4}));
  EXPECT_TRUE(allNear(out.values, {8, 9, 10, 11}));

  // Step 3 from 0 to 4 takes 0 and 3.
  SliceParams strided;
  strided.begin = {0, 0};
  strided.end = {3, 4};
  strided.step = {1, 3};
  EXPECT_EQ(runSlice(input, strided).shape, (Shape{3, 2}));
}

TEST(Slice, NegativeStepAndEmpty) {
  Floats input = iota({5});
  SliceParams reverse; // x[::-1]
  reverse.begin = {4};
  reverse.end = {-1};
  reverse.step = {-1};
  EXPECT_TRUE(allNear(runSlice(input, reverse).values, {4, 3, 2, 1, 0}));
  SliceParams everyOther; // x[::-2]
  everyOther.begin = {4};
  everyOther.end = {-1};
  everyOther.step = {-2};
  EXPECT_TRUE(allNear(runSlice(input, everyOther).values, {4, 2, 0}));
  SliceParams middle; // x[3:0:-2]
  middle.begin = {3};
  middle.end = {0};
  middle.step = {-2};
  EXPECT_TRUE(allNear(runSlice(input, middle).values, {3, 1}));
  SliceParams empty; // x[3:1]
  empty.begin = {3};
  empty.end = {1};
  EXPECT_EQ(runSlice(input, empty).shape, (Shape{0}));

  Shape shape;
  SliceParams outOfRange;
  outOfRange.begin = {0};
  outOfRange.end = {6};
  EXPECT_ERROR(sliceOutputShape({5}, outOfRange, shape), "axis 0");
  SliceParams zeroStep;
  zeroStep.begin = {0};
  zeroStep.end = {5};
  zeroStep.step = {0};
  EXPECT_ERROR(sliceOutputShape({5}, zeroStep, shape), "step 0");
}

TEST(UpsampleNearest, Scale2) {
  Floats input({1, 1, 2, 2}, {1, 2, 3, 4});
  Shape shape;
  ASSERT_OK(upsampleNearestOutputShape(input.shape, 2, shape));
  EXPECT_EQ(shape, (Shape{1, 1, 4, 4}));
  Floats out(shape);
  ASSERT_OK(upsampleNearest(input.cref(), 2, out.ref()));
  EXPECT_TRUE(
      allNear(out.values, {1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4}));
  Floats channels({1, 2, 1}, {5, 6});
  Floats out1({1, 2, 3});
  ASSERT_OK(upsampleNearest(channels.cref(), 3, out1.ref()));
  EXPECT_TRUE(allNear(out1.values, {5, 5, 5, 6, 6, 6}));
  EXPECT_ERROR(upsampleNearestOutputShape(input.shape, 0, shape), "scale");
}

TEST(Crop, SpatialWindow) {
  Floats input = iota({1, 1, 4, 4});
  Shape shape;
  ASSERT_OK(cropOutputShape(input.shape, {1, 2}, {2, 2}, shape));
  EXPECT_EQ(shape, (Shape{1, 1, 2, 2}));
  Floats out(shape);
  ASSERT_OK(crop(input.cref(), {1, 2}, {2, 2}, out.ref()));
  EXPECT_TRUE(allNear(out.values, {6, 7, 10, 11}));
  EXPECT_ERROR(cropOutputShape(input.shape, {3, 0}, {2, 2}, shape),
               "does not fit");
  EXPECT_ERROR(cropOutputShape(input.shape, {0}, {2}, shape), "spatial");
}

// Property: a unit-step slice of the spatial axes is a crop.
TEST(CropProperty, EqualsUnitStepSlice) {
  std::mt19937 rng(31);
  for (int trial = 0; trial < 20; ++trial) {
    Shape shape = {randomInt(rng, 1, 2), randomInt(rng, 1, 3),
                   randomInt(rng, 1, 6), randomInt(rng, 1, 6)};
    Floats input = randomFloats(rng, shape);
    std::vector<int64_t> offsets, sizes;
    SliceParams params;
    params.begin = {0, 0};
    params.end = {shape[0], shape[1]};
    for (int d = 2; d < 4; ++d) {
      const int64_t offset = randomInt(rng, 0, shape[d] - 1);
      const int64_t size = randomInt(rng, 0, shape[d] - offset);
      offsets.push_back(offset);
      sizes.push_back(size);
      params.begin.push_back(offset);
      params.end.push_back(offset + size);
    }
    Shape cropShape;
    ASSERT_OK(cropOutputShape(shape, offsets, sizes, cropShape));
    Floats cropped(cropShape);
    ASSERT_OK(crop(input.cref(), offsets, sizes, cropped.ref()));
    Floats sliced = runSlice(input, params);
    EXPECT_EQ(cropped.shape, sliced.shape);
    EXPECT_EQ(cropped.values, sliced.values);
  }
}
