//===- CalibrationTestUtils.h - Shared helpers of the calibration tests ---===//

#ifndef Q_UNITTESTS_CALIBRATION_TESTUTILS_H
#define Q_UNITTESTS_CALIBRATION_TESTUTILS_H

#include "QDialect/Calibration/Thresholds.h"

#include "gtest/gtest.h"

#include <random>
#include <vector>

namespace qcalib::testing {

/// The value of an Expected, failing the test (and returning T{}) on error.
template <typename T> T valueOrFail(llvm::Expected<T> value) {
  if (!value) {
    ADD_FAILURE() << llvm::toString(value.takeError());
    return T{};
  }
  return std::move(*value);
}

inline std::vector<double> normalSamples(size_t n, uint64_t seed,
                                         double mean = 0, double sigma = 1) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> dist(mean, sigma);
  std::vector<double> out(n);
  for (double &v : out)
    v = dist(rng);
  return out;
}

inline std::vector<double> uniformSamples(size_t n, uint64_t seed, double lo,
                                          double hi) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> dist(lo, hi);
  std::vector<double> out(n);
  for (double &v : out)
    v = dist(rng);
  return out;
}

} // namespace qcalib::testing

#endif // Q_UNITTESTS_CALIBRATION_TESTUTILS_H
