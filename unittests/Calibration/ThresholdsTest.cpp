//===- ThresholdsTest.cpp - Naive and percentile ranges -------------------===//

#include "CalibrationTestUtils.h"

#include <cmath>

using namespace qcalib;
using namespace qcalib::testing;

namespace {

TEST(NaiveRange, IsMinMaxExactly) {
  MinMax stats;
  std::vector<float> data = {0.1f, -0.30000001f, 2.5f};
  stats.add(data);
  Range range = valueOrFail(naiveRange(stats));
  EXPECT_EQ(range.min, double(-0.30000001f));
  EXPECT_EQ(range.max, 2.5);

  MinMax empty;
  auto none = naiveRange(empty);
  EXPECT_FALSE(bool(none));
  llvm::consumeError(none.takeError());
}

TEST(PercentileRange, QuantilesOfAbsoluteValue) {
  Histogram uniform;
  uniform.add(uniformSamples(1000000, 40, -1, 1));
  for (double percent : {50.0, 90.0, 99.0, 99.99}) {
    Range range = valueOrFail(percentileRange(uniform.ref(), percent));
    EXPECT_NEAR(range.max, percent / 100, 2e-3) << percent;
    EXPECT_EQ(range.min, -range.max);
  }
  Range all = valueOrFail(percentileRange(uniform.ref(), 100));
  EXPECT_EQ(all.max, std::max(-uniform.dataMin(), uniform.dataMax()));

  // |N(0, 1)|: P(|x| <= 3.8906) = 0.9999.
  Histogram normal;
  normal.add(normalSamples(1000000, 41));
  Range tail = valueOrFail(percentileRange(normal.ref(), 99.99));
  EXPECT_NEAR(tail.max, 3.8906, 0.08);
}

TEST(PercentileRange, UnsignedCaseAndErrors) {
  std::vector<double> relu = normalSamples(100000, 42);
  for (double &v : relu)
    v = std::max(v, 0.0);
  Histogram hist;
  hist.add(relu);
  Range asUnsigned =
      valueOrFail(percentileRange(hist.ref(), 99, QuantizedType::Auto));
  Range asSigned =
      valueOrFail(percentileRange(hist.ref(), 99, QuantizedType::Int8));
  EXPECT_EQ(asUnsigned.min, 0.0);
  EXPECT_EQ(asSigned.min, -asSigned.max);
  EXPECT_EQ(asUnsigned.max, asSigned.max);
  // 99% of |x| for a half-zero relu: the 98% quantile of |N(0,1)| = 2.326.
  EXPECT_NEAR(asUnsigned.max, 2.326, 0.03);

  for (double bad : {0.0, -1.0, 100.5, std::nan("")}) {
    auto result = percentileRange(hist.ref(), bad);
    EXPECT_FALSE(bool(result)) << bad;
    llvm::consumeError(result.takeError());
  }
  Histogram empty;
  auto none = percentileRange(empty.ref(), 99);
  EXPECT_FALSE(bool(none));
  llvm::consumeError(none.takeError());
}

} // namespace
