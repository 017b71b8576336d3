//===- QrtDataMovementTest.cpp - Concat, transpose, slice, crop, upsample -===//
//
// Data movement is exact: outputs must equal the reference bit for bit, for
// f32 and (through integer-valued data) for the 1-byte dtypes.
//
//===----------------------------------------------------------------------===//

#include "QrtTestUtils.h"

using namespace qrt::test;
namespace ref = qrt::ref;

namespace {

Shape randomShape(int minRank, int maxRank, int64_t maxDim) {
  Shape shape;
  const int64_t rank = randomInt(rng(), minRank, maxRank);
  for (int64_t i = 0; i < rank; ++i)
    shape.push_back(randomInt(rng(), 1, maxDim));
  return shape;
}

/// Integer-valued floats, so an s8 copy of them is exact too.
Floats randomIntegers(const Shape &shape) {
  Floats values(shape);
  for (float &v : values.values)
    v = static_cast<float>(randomInt(rng(), -100, 100));
  return values;
}

std::vector<int8_t> toS8(const std::vector<float> &values) {
  return std::vector<int8_t>(values.begin(), values.end());
}
std::vector<float> fromS8(const std::vector<int8_t> &values) {
  return std::vector<float>(values.begin(), values.end());
}

/// Runs a one-input op for f32 and s8 and compares exactly.
template <typename Run>
void checkBothDtypes(const Floats &input, const Floats &expected, Run run) {
  Floats out(expected.shape);
  ASSERT_QRT(run(QRT_F32, input.values.data(), out.values.data()));
  EXPECT_EQ(out.values, expected.values) << "f32";
  std::vector<int8_t> in8 = toS8(input.values), out8(expected.values.size());
  ASSERT_QRT(run(QRT_S8, in8.data(), out8.data()));
  EXPECT_EQ(fromS8(out8), expected.values) << "s8";
}

} // namespace

TEST(QrtConcat, RandomAxes) {
  seed(50);
  for (int i = 0; i < 40; ++i) {
    Shape base = randomShape(1, 5, 5);
    const int64_t rank = base.size();
    const int64_t axis = randomInt(rng(), -rank, rank - 1);
    const int64_t resolved = axis < 0 ? axis + rank : axis;
    const int32_t count = static_cast<int32_t>(randomInt(rng(), 1, 5));
    std::vector<Floats> inputs;
    std::vector<ref::ConstF32> refs;
    std::vector<int64_t> sizes;
    Shape outShape = base;
    outShape[resolved] = 0;
    for (int32_t j = 0; j < count; ++j) {
      Shape shape = base;
      shape[resolved] = randomInt(rng(), 0, 4); // empty inputs too
      inputs.push_back(randomIntegers(shape));
      sizes.push_back(shape[resolved]);
      outShape[resolved] += shape[resolved];
    }
    for (const Floats &f : inputs)
      refs.push_back(f.cref());
    SCOPED_TRACE(ref::shapeToString(outShape) + " axis " +
                 std::to_string(axis) + " inputs " + std::to_string(count));
    Floats expected(outShape);
    ASSERT_TRUE(ref::concat(refs, axis, expected.ref()).ok());
    for (int32_t dtype : {QRT_F32, QRT_S8}) {
      qrt_concat_desc d{};
      d.abi_version = QRT_ABI_VERSION;
      d.axis = static_cast<int32_t>(axis);
      d.num_inputs = count;
      d.dtype = dtype;
      d.output = toQrtShape(outShape);
      ModelPtr model = makeModel(1);
      ASSERT_QRT(qrt_concat_init(model.get(), 0, &d, sizes.data()));
      ExecPtr exec = makeExec(model.get());
      std::vector<std::vector<int8_t>> bytes;
      std::vector<const void *> srcs;
      for (const Floats &f : inputs) {
        bytes.push_back(toS8(f.values));
        srcs.push_back(dtype == QRT_F32
                           ? static_cast<const void *>(f.values.data())
                           : bytes.back().data());
      }
      Floats out(outShape);
      std::vector<int8_t> out8(out.values.size());
      ASSERT_QRT(qrt_concat_run(model.get(), exec.get(), 0, srcs.data(),
                                dtype == QRT_F32
                                    ? static_cast<void *>(out.values.data())
                                    : out8.data()));
      EXPECT_EQ(dtype == QRT_F32 ? out.values : fromS8(out8), expected.values)
          << "dtype " << dtype;
    }
  }
}

TEST(QrtConcat, BadDescriptors) {
  ModelPtr model = makeModel(1);
  qrt_concat_desc d{};
  d.abi_version = QRT_ABI_VERSION;
  d.axis = 1;
  d.num_inputs = 2;
  d.output = toQrtShape({2, 5});
  const int64_t sizes[] = {2, 2};
  EXPECT_QRT_ERROR(qrt_concat_init(model.get(), 0, &d, sizes),
                   QRT_ERR_INVALID_ARGUMENT,
                   "op 0 (concat): input sizes along axis 1 add up to 4 but "
                   "the output has 5");
  EXPECT_QRT_ERROR(qrt_concat_init(model.get(), 0, &d, nullptr),
                   QRT_ERR_NULL_POINTER, "axis_sizes is NULL");
  d.num_inputs = 0;
  EXPECT_QRT_ERROR(qrt_concat_init(model.get(), 0, &d, sizes),
                   QRT_ERR_INVALID_ARGUMENT, "at least one input");
}

TEST(QrtTranspose, RandomPermutations) {
  seed(51);
  for (int i = 0; i < 40; ++i) {
    const Shape shape = randomShape(0, 6, 5);
    const int64_t rank = shape.size();
    std::vector<int64_t> axes(rank);
    for (int64_t d = 0; d < rank; ++d)
      axes[d] = d;
    std::shuffle(axes.begin(), axes.end(), rng());
    const bool reverse = randomInt(rng(), 0, 4) == 0;
    if (reverse)
      axes.clear();
    SCOPED_TRACE(ref::shapeToString(shape) + " perm " +
                 ref::shapeToString(axes));
    Floats input = randomIntegers(shape);
    Shape outShape;
    ASSERT_TRUE(ref::transposeOutputShape(shape, axes, outShape).ok());
    Floats expected(outShape);
    ASSERT_TRUE(ref::transpose(input.cref(), axes, expected.ref()).ok());
    checkBothDtypes(
        input, expected, [&](int32_t dtype, const void *src, void *dst) {
          qrt_transpose_desc d{};
          d.abi_version = QRT_ABI_VERSION;
          d.dtype = dtype;
          d.input = toQrtShape(shape);
          d.perm_size = static_cast<int32_t>(axes.size());
          for (size_t j = 0; j < axes.size(); ++j) // negative axes work too
            d.perm[j] = static_cast<int32_t>(j % 2 ? axes[j] - rank : axes[j]);
          ModelPtr model = makeModel(1);
          int32_t status = qrt_transpose_init(model.get(), 0, &d);
          if (status)
            return status;
          ExecPtr exec = makeExec(model.get());
          return qrt_transpose_run(model.get(), exec.get(), 0, src, dst);
        });
  }
}

TEST(QrtTranspose, BadDescriptors) {
  ModelPtr model = makeModel(1);
  qrt_transpose_desc d{};
  d.abi_version = QRT_ABI_VERSION;
  d.input = toQrtShape({2, 3, 4});
  d.perm_size = 3;
  d.perm[0] = 0;
  d.perm[1] = 2;
  d.perm[2] = 2;
  EXPECT_QRT_ERROR(qrt_transpose_init(model.get(), 0, &d),
                   QRT_ERR_INVALID_ARGUMENT, "axis 2 appears twice");
  d.perm_size = 2;
  EXPECT_QRT_ERROR(qrt_transpose_init(model.get(), 0, &d),
                   QRT_ERR_INVALID_ARGUMENT, "perm_size must be 0 or");
}

TEST(QrtSlice, RandomSteps) {
  seed(52);
  for (int i = 0; i < 60; ++i) {
    const Shape shape = randomShape(1, 6, 7);
    const int64_t rank = shape.size();
    ref::SliceParams params;
    const int64_t numAxes = randomInt(rng(), 0, rank);
    for (int64_t a = 0; a < numAxes; ++a) {
      const int64_t dim = shape[a];
      int64_t step = randomInt(rng(), 1, 3) * (randomInt(rng(), 0, 2) ? 1 : -1);
      int64_t begin, end;
      if (step > 0) {
        begin = randomInt(rng(), 0, dim);
        end = randomInt(rng(), 0, dim);
      } else {
        begin = randomInt(rng(), -1, dim - 1);
        end = randomInt(rng(), -1, dim - 1);
      }
      params.begin.push_back(begin);
      params.end.push_back(end);
      params.step.push_back(step);
    }
    Shape outShape;
    ASSERT_TRUE(ref::sliceOutputShape(shape, params, outShape).ok());
    SCOPED_TRACE(ref::shapeToString(shape) + " begin " +
                 ref::shapeToString(params.begin) + " end " +
                 ref::shapeToString(params.end) + " step " +
                 ref::shapeToString(params.step));
    Floats input = randomIntegers(shape);
    Floats expected(outShape);
    ASSERT_TRUE(ref::slice(input.cref(), params, expected.ref()).ok());
    checkBothDtypes(
        input, expected, [&](int32_t dtype, const void *src, void *dst) {
          qrt_slice_desc d{};
          d.abi_version = QRT_ABI_VERSION;
          d.dtype = dtype;
          d.input = toQrtShape(shape);
          d.num_axes = static_cast<int32_t>(numAxes);
          for (int64_t a = 0; a < numAxes; ++a) {
            d.begin[a] = params.begin[a];
            d.end[a] = params.end[a];
            d.step[a] = params.step[a];
          }
          ModelPtr model = makeModel(1);
          int32_t status = qrt_slice_init(model.get(), 0, &d);
          if (status)
            return status;
          ExecPtr exec = makeExec(model.get());
          return qrt_slice_run(model.get(), exec.get(), 0, src, dst);
        });
  }
}

TEST(QrtSlice, BadDescriptors) {
  ModelPtr model = makeModel(1);
  qrt_slice_desc d{};
  d.abi_version = QRT_ABI_VERSION;
  d.input = toQrtShape({4, 5});
  d.num_axes = 1;
  d.begin[0] = 0;
  d.end[0] = 6;
  d.step[0] = 1;
  EXPECT_QRT_ERROR(qrt_slice_init(model.get(), 0, &d), QRT_ERR_INVALID_ARGUMENT,
                   "op 0 (slice): axis 0 needs 0 <= begin, end <= 4");
  d.end[0] = 2;
  d.step[0] = 0;
  EXPECT_QRT_ERROR(qrt_slice_init(model.get(), 0, &d), QRT_ERR_INVALID_ARGUMENT,
                   "step 0");
  d.step[0] = 1;
  d.num_axes = 3;
  EXPECT_QRT_ERROR(qrt_slice_init(model.get(), 0, &d), QRT_ERR_INVALID_ARGUMENT,
                   "num_axes");
}

TEST(QrtCrop, Random) {
  seed(53);
  for (int i = 0; i < 40; ++i) {
    const Shape shape = randomShape(3, 5, 9);
    std::vector<int64_t> offsets, sizes;
    for (size_t a = 2; a < shape.size(); ++a) {
      const int64_t size = randomInt(rng(), 0, shape[a]);
      sizes.push_back(size);
      offsets.push_back(randomInt(rng(), 0, shape[a] - size));
    }
    Shape outShape;
    ASSERT_TRUE(ref::cropOutputShape(shape, offsets, sizes, outShape).ok());
    Floats input = randomIntegers(shape);
    Floats expected(outShape);
    ASSERT_TRUE(ref::crop(input.cref(), offsets, sizes, expected.ref()).ok());
    checkBothDtypes(input, expected,
                    [&](int32_t dtype, const void *src, void *dst) {
                      qrt_crop_desc d{};
                      d.abi_version = QRT_ABI_VERSION;
                      d.dtype = dtype;
                      d.input = toQrtShape(shape);
                      for (size_t a = 0; a < offsets.size(); ++a) {
                        d.offsets[a] = offsets[a];
                        d.sizes[a] = sizes[a];
                      }
                      ModelPtr model = makeModel(1);
                      int32_t status = qrt_crop_init(model.get(), 0, &d);
                      if (status)
                        return status;
                      ExecPtr exec = makeExec(model.get());
                      return qrt_crop_run(model.get(), exec.get(), 0, src, dst);
                    });
  }
}

TEST(QrtCrop, BadDescriptors) {
  ModelPtr model = makeModel(1);
  qrt_crop_desc d{};
  d.abi_version = QRT_ABI_VERSION;
  d.input = toQrtShape({1, 2, 5, 5});
  d.offsets[0] = 3;
  d.sizes[0] = 3;
  d.sizes[1] = 1;
  EXPECT_QRT_ERROR(qrt_crop_init(model.get(), 0, &d), QRT_ERR_INVALID_ARGUMENT,
                   "window 3+3 does not fit spatial dim 0 of size 5");
  d.input = toQrtShape({1, 2, 5, 5, 5, 5});
  EXPECT_QRT_ERROR(qrt_crop_init(model.get(), 0, &d), QRT_ERR_INVALID_ARGUMENT,
                   "rank must be 3 to 5");
}

TEST(QrtUpsampling, Random) {
  seed(54);
  for (int i = 0; i < 30; ++i) {
    const Shape shape = randomShape(3, 6, 5);
    const int64_t scale = randomInt(rng(), 1, 3);
    Shape outShape;
    ASSERT_TRUE(ref::upsampleNearestOutputShape(shape, scale, outShape).ok());
    SCOPED_TRACE(ref::shapeToString(shape) + " x" + std::to_string(scale));
    Floats input = randomIntegers(shape);
    Floats expected(outShape);
    ASSERT_TRUE(ref::upsampleNearest(input.cref(), scale, expected.ref()).ok());
    checkBothDtypes(
        input, expected, [&](int32_t dtype, const void *src, void *dst) {
          qrt_upsampling_desc d{};
          d.abi_version = QRT_ABI_VERSION;
          d.dtype = dtype;
          d.input = toQrtShape(shape);
          d.scale = scale;
          ModelPtr model = makeModel(1);
          int32_t status = qrt_upsampling_init(model.get(), 0, &d);
          if (status)
            return status;
          ExecPtr exec = makeExec(model.get());
          return qrt_upsampling_run(model.get(), exec.get(), 0, src, dst);
        });
  }
}

TEST(QrtUpsampling, BadDescriptors) {
  ModelPtr model = makeModel(1);
  qrt_upsampling_desc d{};
  d.abi_version = QRT_ABI_VERSION;
  d.input = toQrtShape({1, 2, 5});
  d.scale = 0;
  EXPECT_QRT_ERROR(qrt_upsampling_init(model.get(), 0, &d),
                   QRT_ERR_INVALID_ARGUMENT,
                   "op 0 (upsampling): scale must be >= 1, got 0");
  d.scale = 2;
  d.input = toQrtShape({4, 5});
  EXPECT_QRT_ERROR(qrt_upsampling_init(model.get(), 0, &d),
                   QRT_ERR_INVALID_ARGUMENT, "rank 2 outside [3, 6]");
}
