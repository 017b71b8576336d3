//===- TestUtils.h - Helpers for the reference kernel tests -----*- C++ -*-===//

#ifndef QRT_UNITTESTS_TESTUTILS_H
#define QRT_UNITTESTS_TESTUTILS_H

#include "qrt/reference.h"

#include "gtest/gtest.h"

#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

namespace qrt {
namespace ref {
namespace test {

/// An owning tensor: a shape plus its row-major values.
template <typename T> struct Buffer {
  Shape shape;
  std::vector<T> values;

  Buffer() = default;
  explicit Buffer(Shape shape)
      : shape(shape), values(static_cast<size_t>(numElements(shape))) {}
  Buffer(Shape shape, std::vector<T> data)
      : shape(std::move(shape)), values(std::move(data)) {
    EXPECT_EQ(static_cast<int64_t>(values.size()), numElements(this->shape))
        << "test data does not fill shape " << shapeToString(this->shape);
  }

  TensorRef<T> ref() { return {values.data(), shape}; }
  TensorRef<const T> cref() const { return {values.data(), shape}; }
  T &operator[](int64_t i) { return values[i]; }
  const T &operator[](int64_t i) const { return values[i]; }
};

using Floats = Buffer<float>;

/// Uniform random floats in [lo, hi).
inline Floats randomFloats(std::mt19937 &rng, Shape shape, float lo = -1.0f,
                           float hi = 1.0f) {
  Floats buffer(std::move(shape));
  std::uniform_real_distribution<float> dist(lo, hi);
  for (float &value : buffer.values)
    value = dist(rng);
  return buffer;
}

/// Uniform random integers in [lo, hi], stored as T.
template <typename T>
Buffer<T> randomInts(std::mt19937 &rng, Shape shape, int64_t lo, int64_t hi) {
  Buffer<T> buffer(std::move(shape));
  std::uniform_int_distribution<int64_t> dist(lo, hi);
  for (T &value : buffer.values)
    value = static_cast<T>(dist(rng));
  return buffer;
}

inline int64_t randomInt(std::mt19937 &rng, int64_t lo, int64_t hi) {
  return std::uniform_int_distribution<int64_t>(lo, hi)(rng);
}

/// Elementwise conversion, e.g. integer data to float.
template <typename To, typename From> Buffer<To> cast(const Buffer<From> &in) {
  Buffer<To> out(in.shape);
  for (size_t i = 0; i < in.values.size(); ++i)
    out.values[i] = static_cast<To>(in.values[i]);
  return out;
}

#define ASSERT_OK(expr)                                                        \
  do {                                                                         \
    ::qrt::ref::Status assertOkStatus = (expr);                                \
    ASSERT_TRUE(assertOkStatus.ok()) << assertOkStatus.message();              \
  } while (0)

#define EXPECT_ERROR(expr, fragment)                                           \
  do {                                                                         \
    ::qrt::ref::Status expectErrorStatus = (expr);                             \
    EXPECT_FALSE(expectErrorStatus.ok());                                      \
    EXPECT_NE(expectErrorStatus.message().find(fragment), std::string::npos)   \
        << "message: " << expectErrorStatus.message();                         \
  } while (0)

/// Values equal within an absolute-plus-relative tolerance; NaN matches NaN.
inline ::testing::AssertionResult allNear(const std::vector<float> &actual,
                                          const std::vector<float> &expected,
                                          double tolerance = 1e-5) {
  if (actual.size() != expected.size())
    return ::testing::AssertionFailure()
           << "sizes differ: " << actual.size() << " vs " << expected.size();
  for (size_t i = 0; i < actual.size(); ++i) {
    const double a = actual[i], e = expected[i];
    if (std::isnan(a) && std::isnan(e))
      continue;
    if (!(std::fabs(a - e) <= tolerance * (1.0 + std::fabs(e))))
      return ::testing::AssertionFailure()
             << "element " << i << ": got " << a << ", expected " << e;
  }
  return ::testing::AssertionSuccess();
}

} // namespace test
} // namespace ref
} // namespace qrt

#endif // QRT_UNITTESTS_TESTUTILS_H
