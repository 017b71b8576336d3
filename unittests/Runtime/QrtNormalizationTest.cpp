//===- QrtNormalizationTest.cpp - Batch norm and softmax ------------------===//

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
} // namespace

TEST(QrtBatchNorm, Random) {
  seed(40);
  for (int i = 0; i < 40; ++i) {
    const Shape shape = randomShape(1, 6, 7);
    const int64_t rank = shape.size();
    ref::BatchNormParams params;
    params.axis = randomInt(rng(), -rank, rank - 1);
    params.fixGamma = randomInt(rng(), 0, 1);
    params.epsilon = randomInt(rng(), 0, 1) ? 1e-3f : 2e-5f;
    const int64_t channels =
        shape[params.axis < 0 ? params.axis + rank : params.axis];
    SCOPED_TRACE(ref::shapeToString(shape) + " axis " +
                 std::to_string(params.axis));
    Floats input = randomFloats(rng(), shape, -3.f, 3.f);
    Floats gamma = randomFloats(rng(), {channels}, 0.5f, 2.f);
    Floats beta = randomFloats(rng(), {channels});
    Floats mean = randomFloats(rng(), {channels});
    Floats var = randomFloats(rng(), {channels}, 0.1f, 2.f);
    Floats expected(shape);
    ASSERT_TRUE(ref::batchNorm(input.cref(), gamma.cref(), beta.cref(),
                               mean.cref(), var.cref(), params, expected.ref())
                    .ok());
    qrt_batch_norm_desc d{};
    d.abi_version = QRT_ABI_VERSION;
    d.axis = static_cast<int32_t>(params.axis);
    d.input = toQrtShape(shape);
    d.epsilon = params.epsilon;
    d.fix_gamma = params.fixGamma;
    ModelPtr model = makeModel(1);
    ASSERT_QRT(qrt_batch_norm_init(
        model.get(), 0, &d, params.fixGamma ? nullptr : gamma.values.data(),
        beta.values.data(), mean.values.data(), var.values.data()));
    ExecPtr exec = makeExec(model.get());
    Floats out(shape);
    ASSERT_QRT(qrt_batch_norm_run(model.get(), exec.get(), 0,
                                  input.values.data(), out.values.data()));
    EXPECT_CLOSE(out.values, expected.values);
    ASSERT_QRT(qrt_batch_norm_run(model.get(), exec.get(), 0,
                                  input.values.data(), input.values.data()));
    EXPECT_CLOSE(input.values, expected.values) << "in place";
  }
}

TEST(QrtBatchNorm, BadDescriptors) {
  ModelPtr model = makeModel(1);
  qrt_batch_norm_desc d{};
  d.abi_version = QRT_ABI_VERSION;
  d.input = toQrtShape({2, 3});
  d.axis = 2;
  d.epsilon = 1e-3f;
  float v[3] = {1, 1, 1};
  EXPECT_QRT_ERROR(qrt_batch_norm_init(model.get(), 0, &d, v, v, v, v),
                   QRT_ERR_INVALID_ARGUMENT,
                   "op 0 (batch_norm): axis 2 out of range for rank 2");
  d.axis = 1;
  EXPECT_QRT_ERROR(qrt_batch_norm_init(model.get(), 0, &d, nullptr, v, v, v),
                   QRT_ERR_NULL_POINTER, "gamma is NULL");
  d.epsilon = -1;
  EXPECT_QRT_ERROR(qrt_batch_norm_init(model.get(), 0, &d, v, v, v, v),
                   QRT_ERR_INVALID_ARGUMENT, "epsilon");
}

TEST(QrtSoftmax, Random) {
  seed(41);
  for (int i = 0; i < 60; ++i) {
    const Shape shape = randomShape(1, 5, 9);
    const int64_t rank = shape.size();
    const int64_t axis = randomInt(rng(), -rank, rank - 1);
    const bool log = randomInt(rng(), 0, 1);
    const float temperature = randomInt(rng(), 0, 1) ? 1.f : 0.37f;
    SCOPED_TRACE(ref::shapeToString(shape) + " axis " + std::to_string(axis) +
                 (log ? " log" : "") + " T " + std::to_string(temperature));
    Floats input = randomFloats(rng(), shape, -20.f, 20.f);
    Floats expected(shape);
    ASSERT_TRUE((log ? ref::logSoftmax : ref::softmax)(
                    input.cref(), axis, temperature, expected.ref())
                    .ok());
    qrt_softmax_desc d{};
    d.abi_version = QRT_ABI_VERSION;
    d.axis = static_cast<int32_t>(axis);
    d.input = toQrtShape(shape);
    d.temperature = temperature;
    d.log = log;
    ModelPtr model = makeModel(1);
    ASSERT_QRT(qrt_softmax_init(model.get(), 0, &d));
    ExecPtr exec = makeExec(model.get());
    Floats out(shape);
    ASSERT_QRT(qrt_softmax_run(model.get(), exec.get(), 0, input.values.data(),
                               out.values.data()));
    EXPECT_CLOSE(out.values, expected.values)
        << "impl " << qrt_op_info(model.get(), 0);
  }
}

TEST(QrtSoftmax, BadDescriptors) {
  ModelPtr model = makeModel(1);
  qrt_softmax_desc d{};
  d.abi_version = QRT_ABI_VERSION;
  d.input = toQrtShape({2, 3});
  d.axis = -1;
  EXPECT_QRT_ERROR(qrt_softmax_init(model.get(), 0, &d),
                   QRT_ERR_INVALID_ARGUMENT,
                   "temperature must be finite and nonzero");
  d.temperature = 1;
  d.axis = -3;
  EXPECT_QRT_ERROR(qrt_softmax_init(model.get(), 0, &d),
                   QRT_ERR_INVALID_ARGUMENT, "axis -3 out of range");
}
