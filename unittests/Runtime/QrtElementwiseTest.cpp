//===- QrtElementwiseTest.cpp - Activations, PReLU, binary, scalar --------===//

#include "QrtTestUtils.h"

using namespace qrt::test;
namespace ref = qrt::ref;

namespace {

ref::ActivationParams toRef(const qrt_eltwise &e) {
  ref::ActivationParams p;
  p.kind = static_cast<ref::ActivationKind>(e.kind); // same order
  p.alpha = e.alpha;
  p.beta = e.beta;
  return p;
}

Shape randomShape(int minRank, int maxRank, int64_t maxDim) {
  Shape shape;
  const int64_t rank = randomInt(rng(), minRank, maxRank);
  for (int64_t i = 0; i < rank; ++i)
    shape.push_back(randomInt(rng(), 1, maxDim));
  return shape;
}

const qrt_eltwise kEveryEltwise[] = {
    {QRT_ELTWISE_NONE, 0, 0, 0},       {QRT_ELTWISE_RELU, 0, 0, 0},
    {QRT_ELTWISE_SIGMOID, 0, 0, 0},    {QRT_ELTWISE_TANH, 0, 0, 0},
    {QRT_ELTWISE_SOFTRELU, 0, 0, 0},   {QRT_ELTWISE_SOFTSIGN, 0, 0, 0},
    {QRT_ELTWISE_LEAKY, 0.2f, 0, 0},   {QRT_ELTWISE_ELU, 0.7f, 0, 0},
    {QRT_ELTWISE_SELU, 0, 0, 0},       {QRT_ELTWISE_GELU, 0, 0, 0},
    {QRT_ELTWISE_CLIP, -1.5f, 2.f, 0}, {QRT_ELTWISE_SQUARE, 0, 0, 0},
    {QRT_ELTWISE_SQRT, 0, 0, 0},       {QRT_ELTWISE_EXP, 0, 0, 0},
    {QRT_ELTWISE_ABS, 0, 0, 0},
};

} // namespace

TEST(QrtActivation, EveryKind) {
  seed(30);
  for (const qrt_eltwise &act : kEveryEltwise) {
    SCOPED_TRACE(act.kind);
    // Odd sizes hit the vector tails; sqrt gets non-negative inputs.
    for (int64_t n : {int64_t(1), int64_t(37), int64_t(1000), int64_t(70001)}) {
      const float lo = act.kind == QRT_ELTWISE_SQRT ? 0.f : -8.f;
      Floats input = randomFloats(rng(), {n}, lo, 8.f);
      Floats expected({n});
      ASSERT_TRUE(
          ref::activation(input.cref(), toRef(act), expected.ref()).ok());
      qrt_activation_desc d{};
      d.abi_version = QRT_ABI_VERSION;
      d.num_elements = n;
      d.act = act;
      ModelPtr model = makeModel(2);
      ASSERT_QRT(qrt_activation_init(model.get(), 0, &d));
      ASSERT_QRT(qrt_activation_init(model.get(), 1, &d));
      ExecPtr exec = makeExec(model.get());
      Floats out({n});
      ASSERT_QRT(qrt_activation_run(model.get(), exec.get(), 0,
                                    input.values.data(), out.values.data()));
      EXPECT_CLOSE(out.values, expected.values)
          << "n " << n << " impl " << qrt_op_info(model.get(), 0);
      // In place.
      ASSERT_QRT(qrt_activation_run(model.get(), exec.get(), 1,
                                    input.values.data(), input.values.data()));
      EXPECT_CLOSE(input.values, expected.values) << "in place, n " << n;
    }
  }
}

TEST(QrtActivation, BadDescriptors) {
  ModelPtr model = makeModel(1);
  qrt_activation_desc d{};
  d.abi_version = QRT_ABI_VERSION;
  d.num_elements = -4;
  EXPECT_QRT_ERROR(qrt_activation_init(model.get(), 0, &d),
                   QRT_ERR_INVALID_ARGUMENT,
                   "op 0 (activation): num_elements must be >= 0");
  d.num_elements = 4;
  d.act = {QRT_ELTWISE_CLIP, 3.f, 1.f, 0};
  EXPECT_QRT_ERROR(qrt_activation_init(model.get(), 0, &d),
                   QRT_ERR_INVALID_ARGUMENT, "clip needs min <= max");
  d.act = {QRT_ELTWISE_RELU, 0, 0, 0};
  d.dtype = QRT_S32;
  EXPECT_QRT_ERROR(qrt_activation_init(model.get(), 0, &d), QRT_ERR_UNSUPPORTED,
                   "activation dtype s32");
  d.dtype = QRT_F32;
  d.reserved[0] = 1;
  EXPECT_QRT_ERROR(qrt_activation_init(model.get(), 0, &d),
                   QRT_ERR_INVALID_ARGUMENT, "reserved");
}

TEST(QrtPrelu, Random) {
  seed(31);
  for (int i = 0; i < 30; ++i) {
    const Shape shape = randomShape(2, 6, 6);
    const bool shared = randomInt(rng(), 0, 3) == 0;
    SCOPED_TRACE(ref::shapeToString(shape) + (shared ? " shared" : ""));
    Floats input = randomFloats(rng(), shape);
    Floats slope = randomFloats(rng(), {shared ? 1 : shape[1]});
    Floats expected(shape);
    ASSERT_TRUE(ref::prelu(input.cref(), slope.cref(), expected.ref()).ok());
    qrt_prelu_desc d{};
    d.abi_version = QRT_ABI_VERSION;
    d.input = toQrtShape(shape);
    d.num_slopes = slope.shape[0];
    ModelPtr model = makeModel(1);
    ASSERT_QRT(qrt_prelu_init(model.get(), 0, &d, slope.values.data()));
    slope.values.assign(slope.values.size(), 0.f); // freed after init
    ExecPtr exec = makeExec(model.get());
    Floats out(shape);
    ASSERT_QRT(qrt_prelu_run(model.get(), exec.get(), 0, input.values.data(),
                             out.values.data()));
    EXPECT_CLOSE(out.values, expected.values);
  }
}

TEST(QrtPrelu, BadDescriptors) {
  ModelPtr model = makeModel(1);
  qrt_prelu_desc d{};
  d.abi_version = QRT_ABI_VERSION;
  d.input = toQrtShape({2, 3, 4});
  d.num_slopes = 2;
  float slope[3] = {};
  EXPECT_QRT_ERROR(qrt_prelu_init(model.get(), 0, &d, slope),
                   QRT_ERR_INVALID_ARGUMENT, "channel count 3 or 1, got 2");
  d.num_slopes = 3;
  EXPECT_QRT_ERROR(qrt_prelu_init(model.get(), 0, &d, nullptr),
                   QRT_ERR_NULL_POINTER, "slope is NULL");
  d.input = toQrtShape({5});
  EXPECT_QRT_ERROR(qrt_prelu_init(model.get(), 0, &d, slope),
                   QRT_ERR_INVALID_ARGUMENT, "rank 1 outside [2, 6]");
}

//===----------------------------------------------------------------------===//
// Binary
//===----------------------------------------------------------------------===//

namespace {

/// Runs lhs op rhs (+ act) through the ABI and the reference.
std::string checkBinary(int32_t op, const Shape &lhsShape,
                        const Shape &rhsShape, qrt_eltwise act = {}) {
  SCOPED_TRACE("op " + std::to_string(op) + " " + ref::shapeToString(lhsShape) +
               " " + ref::shapeToString(rhsShape) + " act " +
               std::to_string(act.kind));
  Floats lhs = randomFloats(rng(), lhsShape, -2.f, 2.f);
  Floats rhs = randomFloats(rng(), rhsShape, 0.5f, 2.f); // safe divisors
  for (size_t i = 0; i < rhs.values.size(); i += 2)
    rhs.values[i] = -rhs.values[i];
  Shape outShape;
  EXPECT_TRUE(ref::broadcastShape(lhsShape, rhsShape, outShape).ok());
  Floats expected(outShape);
  EXPECT_TRUE(ref::binary(static_cast<ref::BinaryOp>(op), lhs.cref(),
                          rhs.cref(), expected.ref())
                  .ok());
  for (float &v : expected.values)
    v = ref::activate(toRef(act), v);
  qrt_binary_desc d{};
  d.abi_version = QRT_ABI_VERSION;
  d.op = op;
  d.lhs = toQrtShape(lhsShape);
  d.rhs = toQrtShape(rhsShape);
  d.act = act;
  ModelPtr model = makeModel(1);
  const int32_t status = qrt_binary_init(model.get(), 0, &d);
  EXPECT_EQ(status, QRT_OK) << qrt_last_error();
  if (status)
    return "";
  ExecPtr exec = makeExec(model.get());
  Floats out(outShape);
  EXPECT_EQ(qrt_binary_run(model.get(), exec.get(), 0, lhs.values.data(),
                           rhs.values.data(), out.values.data()),
            QRT_OK)
      << qrt_last_error();
  const std::string impl = qrt_op_info(model.get(), 0);
  EXPECT_CLOSE(out.values, expected.values) << "impl " << impl;
  // In place into an operand shaped like the output.
  if (lhsShape == outShape) {
    EXPECT_EQ(qrt_binary_run(model.get(), exec.get(), 0, lhs.values.data(),
                             rhs.values.data(), lhs.values.data()),
              QRT_OK);
    EXPECT_CLOSE(lhs.values, expected.values) << "in place, impl " << impl;
  }
  return impl;
}

/// A random pair of NumPy-broadcastable shapes.
std::pair<Shape, Shape> randomBroadcast() {
  const Shape out = randomShape(0, 6, 5);
  Shape a = out, b = out;
  for (size_t i = 0; i < out.size(); ++i) {
    const int64_t which = randomInt(rng(), 0, 3);
    if (which == 1)
      a[i] = 1;
    else if (which == 2)
      b[i] = 1;
  }
  // Sometimes drop leading dims (right alignment).
  a.erase(a.begin(), a.begin() + randomInt(rng(), 0, int64_t(a.size())) / 2);
  b.erase(b.begin(), b.begin() + randomInt(rng(), 0, int64_t(b.size())) / 2);
  return {a, b};
}

} // namespace

TEST(QrtBinary, RandomBroadcasting) {
  seed(32);
  int dnnl = 0;
  for (int i = 0; i < 120; ++i) {
    auto [a, b] = randomBroadcast();
    dnnl += checkBinary(static_cast<int32_t>(randomInt(rng(), 0, 5)), a, b) !=
            "loop";
  }
  EXPECT_GT(dnnl, 60);
}

TEST(QrtBinary, CommonModelShapes) {
  seed(33);
  for (int32_t op = QRT_BINARY_ADD; op <= QRT_BINARY_MIN; ++op) {
    EXPECT_NE(checkBinary(op, {2, 16, 7, 9}, {2, 16, 7, 9}), "loop");
    EXPECT_NE(checkBinary(op, {2, 16, 7, 9}, {1, 16, 1, 1}), "loop");
    EXPECT_NE(checkBinary(op, {2, 16, 7, 9}, {16, 1, 1}), "loop");
    checkBinary(op, {16, 1, 1}, {2, 16, 7, 9}); // swapped or loop
    checkBinary(op, {3, 1}, {1, 4});            // both broadcast: loop
    checkBinary(op, {}, {5, 3});                // scalar lhs
    checkBinary(op, {5, 3}, {});                // scalar rhs
  }
  // Subtraction with a broadcast lhs runs swapped and negated on oneDNN.
  EXPECT_NE(checkBinary(QRT_BINARY_SUB, {1, 8, 1}, {4, 8, 5}).find("swapped"),
            std::string::npos);
}

TEST(QrtBinary, FusedActivation) {
  seed(34);
  for (const qrt_eltwise &act : kEveryEltwise) {
    if (act.kind == QRT_ELTWISE_SQRT)
      continue;
    checkBinary(QRT_BINARY_ADD, {2, 8, 5, 5}, {2, 8, 5, 5}, act);
    checkBinary(QRT_BINARY_SUB, {8, 1, 1}, {2, 8, 5, 5}, act);
    checkBinary(QRT_BINARY_DIV, {2, 1, 5}, {2, 8, 1}, act);
  }
}

TEST(QrtBinary, ConstantOperands) {
  // qrt_binary_const_init keeps a copy of a constant operand (what
  // --input-mean inserts) and uses it in place of the run's pointer.
  seed(35);
  for (int32_t op : {QRT_BINARY_SUB, QRT_BINARY_DIV})
    for (bool constLhs : {false, true}) {
      const Shape big{2, 3, 4, 5}, small{1, 3, 1, 1};
      const Shape lhsShape = constLhs ? small : big;
      const Shape rhsShape = constLhs ? big : small;
      Floats lhs = randomFloats(rng(), lhsShape, 1.0f, 2.0f);
      Floats rhs = randomFloats(rng(), rhsShape, 1.0f, 2.0f);
      qrt_binary_desc d{};
      d.abi_version = QRT_ABI_VERSION;
      d.op = op;
      d.lhs = toQrtShape(lhsShape);
      d.rhs = toQrtShape(rhsShape);
      ModelPtr model = makeModel(2);
      ASSERT_QRT(qrt_binary_init(model.get(), 0, &d));
      ASSERT_QRT(qrt_binary_const_init(model.get(), 1, &d,
                                       constLhs ? lhs.values.data() : nullptr,
                                       constLhs ? nullptr : rhs.values.data()));
      ExecPtr exec = makeExec(model.get());
      Floats expected(big), out(big);
      ASSERT_QRT(qrt_binary_run(model.get(), exec.get(), 0, lhs.values.data(),
                                rhs.values.data(), expected.values.data()));
      Floats constant = constLhs ? lhs : rhs;
      std::fill((constLhs ? lhs : rhs).values.begin(),
                (constLhs ? lhs : rhs).values.end(), 0.0f); // a freed copy
      ASSERT_QRT(qrt_binary_run(
          model.get(), exec.get(), 1, constLhs ? nullptr : lhs.values.data(),
          constLhs ? rhs.values.data() : nullptr, out.values.data()));
      EXPECT_EQ(out.values, expected.values)
          << "op " << op << " constant " << (constLhs ? "lhs" : "rhs");
      EXPECT_NE(std::string(qrt_op_info(model.get(), 1)).find("constant"),
                std::string::npos);
    }
}

TEST(QrtBinary, BadDescriptors) {
  ModelPtr model = makeModel(1);
  qrt_binary_desc d{};
  d.abi_version = QRT_ABI_VERSION;
  d.lhs = toQrtShape({2, 3});
  d.rhs = toQrtShape({4, 3, 2});
  EXPECT_QRT_ERROR(qrt_binary_init(model.get(), 0, &d),
                   QRT_ERR_INVALID_ARGUMENT,
                   "op 0 (binary): shapes [2, 3] and [4, 3, 2] do not "
                   "broadcast");
  d.rhs = toQrtShape({3});
  d.op = 6;
  EXPECT_QRT_ERROR(qrt_binary_init(model.get(), 0, &d),
                   QRT_ERR_INVALID_ARGUMENT, "unknown binary op 6");
  d.op = QRT_BINARY_ADD;
  d.lhs.rank = -1;
  EXPECT_QRT_ERROR(qrt_binary_init(model.get(), 0, &d),
                   QRT_ERR_INVALID_ARGUMENT, "lhs rank -1");
}

//===----------------------------------------------------------------------===//
// Scalar
//===----------------------------------------------------------------------===//

TEST(QrtScalar, EveryOp) {
  seed(35);
  const int64_t n = 1001;
  for (int32_t op = QRT_SCALAR_ADD; op <= QRT_SCALAR_MIN; ++op)
    for (float scalar : {0.5f, -3.f, 2.f}) {
      SCOPED_TRACE("op " + std::to_string(op) + " scalar " +
                   std::to_string(scalar));
      Floats input = randomFloats(rng(), {n}, 0.25f, 3.f);
      Floats expected({n});
      // The dialect's ScalarKind order (qrt) differs from ref's ScalarOp.
      static const ref::ScalarOp toRef[] = {
          ref::ScalarOp::Add, ref::ScalarOp::Sub,  ref::ScalarOp::RSub,
          ref::ScalarOp::Mul, ref::ScalarOp::Div,  ref::ScalarOp::RDiv,
          ref::ScalarOp::Pow, ref::ScalarOp::RPow, ref::ScalarOp::Max,
          ref::ScalarOp::Min};
      ASSERT_TRUE(
          ref::scalarOp(toRef[op], input.cref(), scalar, expected.ref()).ok());
      qrt_scalar_desc d{};
      d.abi_version = QRT_ABI_VERSION;
      d.op = op;
      d.num_elements = n;
      d.scalar = scalar;
      ModelPtr model = makeModel(1);
      ASSERT_QRT(qrt_scalar_init(model.get(), 0, &d));
      ExecPtr exec = makeExec(model.get());
      Floats out({n});
      ASSERT_QRT(qrt_scalar_run(model.get(), exec.get(), 0, input.values.data(),
                                out.values.data()));
      EXPECT_CLOSE(out.values, expected.values);
      // Exact for the arithmetic that is one IEEE operation.
      if (op != QRT_SCALAR_POW && op != QRT_SCALAR_RPOW) {
        EXPECT_EQ(out.values, expected.values);
      }
    }
}

TEST(QrtScalar, BadDescriptors) {
  ModelPtr model = makeModel(1);
  qrt_scalar_desc d{};
  d.abi_version = QRT_ABI_VERSION;
  d.op = 10;
  EXPECT_QRT_ERROR(qrt_scalar_init(model.get(), 0, &d),
                   QRT_ERR_INVALID_ARGUMENT, "unknown scalar op 10");
}
