//===- ThresholdsTest.cpp - Naive, percentile and least-squares ranges ----===//

#include "CalibrationTestUtils.h"

#include <algorithm>
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

namespace {

/// Mean squared error of symmetric int8 quantization of `data` at `th`.
double quantizationMse(const std::vector<double> &data, double th,
                       double levels) {
  double step = th / levels, sum = 0;
  for (double x : data) {
    double q = std::nearbyint(std::clamp(x, -th, th) / step) * step;
    sum += (q - x) * (q - x);
  }
  return sum / double(data.size());
}

TEST(MseRange, BalancesClippingAndRounding) {
  // Uniform data: clipping costs more than the rounding it saves, so the
  // range stays near the data's max |x|.
  Histogram uniform;
  uniform.add(uniformSamples(200000, 43, -1, 1));
  Range u = valueOrFail(mseRange(uniform.ref()));
  EXPECT_NEAR(u.max, 1.0, 0.02);
  EXPECT_EQ(u.min, -u.max);
  // Heavy tails (4 values in 200,000 at about 100x the rest): the chosen
  // range's measured error is within 2% of the best of 200 thresholds up
  // to max |x|, and no worse than the full range's or the 99.99%
  // percentile's.
  std::vector<double> tails = normalSamples(200000, 44);
  for (size_t i = 0; i < tails.size(); i += 50000)
    tails[i] = (i % 100000 ? -100.0 : 100.0) * (1 + double(i) / 1e6);
  Histogram heavy;
  heavy.add(tails);
  Range h = valueOrFail(mseRange(heavy.ref()));
  double absMax = std::max(-heavy.dataMin(), heavy.dataMax());
  double mse = quantizationMse(tails, h.max, 127.5);
  double best = quantizationMse(tails, absMax, 127.5);
  for (int k = 1; k < 200; ++k)
    best = std::min(best, quantizationMse(tails, absMax * k / 200, 127.5));
  EXPECT_LE(mse, best * 1.02);
  Range p = valueOrFail(percentileRange(heavy.ref(), 99.99));
  EXPECT_LE(mse, quantizationMse(tails, absMax, 127.5));
  EXPECT_LE(mse, quantizationMse(tails, p.max, 127.5) * 1.01);
}

TEST(MseRange, UnsignedCaseAndErrors) {
  std::vector<double> relu = normalSamples(100000, 45);
  for (double &v : relu)
    v = std::max(v, 0.0);
  Histogram hist;
  hist.add(relu);
  Range r = valueOrFail(mseRange(hist.ref(), QuantizedType::Auto));
  EXPECT_EQ(r.min, 0.0);
  EXPECT_GT(r.max, 1.0);
  EXPECT_LE(r.max, hist.dataMax());
  Histogram empty;
  auto none = mseRange(empty.ref());
  EXPECT_FALSE(bool(none));
  llvm::consumeError(none.takeError());
}

} // namespace
