//===- QrtTestUtils.h - Helpers for the libqrt C ABI tests ------*- C++ -*-===//

#ifndef QRT_UNITTESTS_QRTTESTUTILS_H
#define QRT_UNITTESTS_QRTTESTUTILS_H

#include "TestUtils.h"
#include "qrt/qrt.h"

#include <algorithm>
#include <cmath>
#include <memory>
#include <string>

namespace qrt {
namespace test {

using ref::Shape;
using ref::test::Floats;
using ref::test::randomFloats;
using ref::test::randomInt;

struct ModelDeleter {
  void operator()(qrt_model *model) const { qrt_model_destroy(model); }
};
struct ExecDeleter {
  void operator()(qrt_exec *exec) const { qrt_exec_destroy(exec); }
};
using ModelPtr = std::unique_ptr<qrt_model, ModelDeleter>;
using ExecPtr = std::unique_ptr<qrt_exec, ExecDeleter>;

inline ModelPtr makeModel(int32_t numOps, int32_t numThreads = 1) {
  return ModelPtr(qrt_model_create(numOps, numThreads));
}
inline ExecPtr makeExec(qrt_model *model) {
  return ExecPtr(qrt_exec_create(model));
}

/// max |a - e| / max |e| (NaN must match NaN); the metric of the brief.
inline double relativeError(const std::vector<float> &actual,
                            const std::vector<float> &expected) {
  if (actual.size() != expected.size())
    return INFINITY;
  double maxDiff = 0, maxMag = 0;
  for (size_t i = 0; i < actual.size(); ++i) {
    const double a = actual[i], e = expected[i];
    if (std::isnan(e) || std::isnan(a)) {
      if (std::isnan(e) != std::isnan(a))
        return INFINITY;
      continue;
    }
    if (std::isinf(e) || std::isinf(a)) {
      if (a != e)
        return INFINITY;
      continue;
    }
    maxDiff = std::max(maxDiff, std::fabs(a - e));
    maxMag = std::max(maxMag, std::fabs(e));
  }
  return maxMag > 0 ? maxDiff / maxMag : maxDiff;
}

constexpr double kTolerance = 1e-4;

/// Streamable: EXPECT_CLOSE(a, e) << "context".
#define EXPECT_CLOSE(actual, expected)                                         \
  EXPECT_LE(::qrt::test::relativeError((actual), (expected)),                  \
            ::qrt::test::kTolerance)

#define ASSERT_QRT(expr)                                                       \
  do {                                                                         \
    const int32_t assertQrtStatus = (expr);                                    \
    ASSERT_EQ(assertQrtStatus, QRT_OK) << qrt_last_error();                    \
  } while (0)

/// Expects a failure status whose message contains `fragment`.
#define EXPECT_QRT_ERROR(expr, code, fragment)                                 \
  do {                                                                         \
    const int32_t expectQrtStatus = (expr);                                    \
    EXPECT_EQ(expectQrtStatus, (code)) << qrt_last_error();                    \
    EXPECT_NE(std::string(qrt_last_error()).find(fragment), std::string::npos) \
        << "message: " << qrt_last_error();                                    \
  } while (0)

inline qrt_shape toQrtShape(const Shape &shape) {
  qrt_shape result{};
  result.rank = static_cast<int32_t>(shape.size());
  for (size_t i = 0; i < shape.size(); ++i)
    result.dims[i] = shape[i];
  return result;
}

/// A seeded generator per test, so failures reproduce.
inline std::mt19937 &rng() {
  static std::mt19937 generator;
  return generator;
}
inline void seed(uint32_t value) { rng().seed(value); }

} // namespace test
} // namespace qrt

#endif // QRT_UNITTESTS_QRTTESTUTILS_H
