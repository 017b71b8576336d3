//===- CollectorsTest.cpp - MinMax and Histogram collectors ---------------===//

#include "CalibrationTestUtils.h"

#include <cmath>
#include <limits>
#include <random>

using namespace qcalib;
using namespace qcalib::testing;

namespace {

HistogramOptions smallBins(unsigned numBins, unsigned maxBins = 1001) {
  HistogramOptions options;
  options.numBins = numBins;
  options.maxBins = maxBins;
  return options;
}

uint64_t sumOf(llvm::ArrayRef<uint64_t> counts) {
  uint64_t sum = 0;
  for (uint64_t c : counts)
    sum += c;
  return sum;
}

constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();
constexpr float kInf = std::numeric_limits<float>::infinity();

TEST(MinMax, TracksFiniteValuesAndReportsNonFinite) {
  MinMax stats;
  EXPECT_TRUE(stats.empty());
  std::vector<float> batch = {1.5f, kNaN, -2.25f, kInf, -kInf, kNaN, 0.f};
  NonFiniteCounts bad = stats.add(batch);
  EXPECT_EQ(bad.nan, 2u);
  EXPECT_EQ(bad.posInf, 1u);
  EXPECT_EQ(bad.negInf, 1u);
  EXPECT_EQ(bad.total(), 4u);
  EXPECT_EQ(stats.min(), -2.25);
  EXPECT_EQ(stats.max(), 1.5);
  EXPECT_EQ(stats.count(), 3u);

  std::vector<double> second = {7.0, -1.0};
  EXPECT_FALSE(stats.add(second).any());
  EXPECT_EQ(stats.max(), 7.0);
  EXPECT_EQ(stats.nonFinite().total(), 4u);

  MinMax other;
  std::vector<float> onlyNaN = {kNaN};
  EXPECT_EQ(other.add(onlyNaN).nan, 1u);
  EXPECT_TRUE(other.empty());
  std::vector<double> low = {-9.0};
  MinMax third;
  third.add(low);
  stats.merge(other);
  stats.merge(third);
  EXPECT_EQ(stats.min(), -9.0);
  EXPECT_EQ(stats.max(), 7.0);
  EXPECT_EQ(stats.count(), 6u);
  EXPECT_EQ(stats.nonFinite().nan, 3u);
}

TEST(Histogram, FirstBatchBinsLikeNumpy) {
  Histogram hist(smallBins(5));
  std::vector<double> data = {-1, 0, 0.5, 1};
  hist.add(data);
  EXPECT_EQ(hist.th(), 1.0);
  EXPECT_EQ(hist.counts().vec(), (std::vector<uint64_t>{1, 0, 1, 1, 1}));
  EXPECT_EQ(hist.dataMin(), -1.0);
  EXPECT_EQ(hist.dataMax(), 1.0);

  // A value exactly on an interior edge belongs to the bin on its right.
  HistogramRef ref = hist.ref();
  double edge = ref.edge(1);
  std::vector<double> onEdge = {edge, std::nextafter(edge, -2.0)};
  hist.add(onEdge);
  EXPECT_EQ(hist.counts().vec(), (std::vector<uint64_t>{2, 1, 1, 1, 1}));
}

TEST(Histogram, WidensByWholeBins) {
  Histogram hist(smallBins(5));
  std::vector<double> first = {-1, 1};
  hist.add(first);
  double width = hist.binWidth();
  std::vector<double> second = {1.5};
  hist.add(second);
  // floor((1.5 - 1) / 0.4) + 1 = 2 bins more on each side.
  ASSERT_EQ(hist.counts().size(), 9u);
  EXPECT_NEAR(hist.binWidth(), width, 1e-15);
  EXPECT_NEAR(hist.th(), 1.8, 1e-15);
  EXPECT_EQ(hist.counts().vec(),
            (std::vector<uint64_t>{0, 0, 1, 0, 0, 0, 1, 0, 1}));
  // Smaller batches keep the range.
  std::vector<double> third = {0.1, -0.1};
  hist.add(third);
  EXPECT_EQ(hist.counts().size(), 9u);
  EXPECT_EQ(hist.total(), 5u);
  EXPECT_EQ(sumOf(hist.counts()), 5u);
}

TEST(Histogram, WideningKeepsEveryCount) {
  Histogram hist;
  uint64_t seed = 10;
  for (double sigma : {0.5, 1.0, 3.0, 2.0, 10.0}) {
    std::vector<double> batch = normalSamples(20000, seed++, 0, sigma);
    EXPECT_FALSE(hist.add(batch).any());
  }
  EXPECT_EQ(hist.total(), 100000u);
  EXPECT_EQ(sumOf(hist.counts()), 100000u);
  EXPECT_EQ(hist.counts().size() % 2, 1u);
  EXPECT_GT(hist.counts().size(), 8001u);
  EXPECT_GE(hist.th(), std::max(-hist.dataMin(), hist.dataMax()));
}

TEST(Histogram, ZerosWaitForARange) {
  Histogram hist(smallBins(5));
  std::vector<double> zeros = {0, 0, 0};
  hist.add(zeros);
  EXPECT_EQ(hist.th(), 0.5); // numpy's range for an empty span
  EXPECT_EQ(hist.counts().vec(), (std::vector<uint64_t>{0, 0, 3, 0, 0}));
  std::vector<double> two = {2};
  hist.add(two);
  EXPECT_EQ(hist.th(), 2.0);
  EXPECT_EQ(hist.counts().vec(), (std::vector<uint64_t>{0, 0, 3, 0, 1}));
}

TEST(Histogram, DegenerateTensorsGetAUsableRange) {
  for (double value : {0.0, 2.0, -3.0, 1e-30}) {
    Histogram hist;
    std::vector<double> data(1000, value);
    hist.add(data);
    EXPECT_GT(hist.th(), 0.0) << value;
    EXPECT_TRUE(std::isfinite(hist.binWidth()) && hist.binWidth() > 0);
    EntropyResult result = valueOrFail(entropyThreshold(hist.ref(), {}));
    EXPECT_GT(result.threshold, 0.0) << value;
    EXPECT_FALSE(std::isnan(result.divergence));
    EXPECT_LE(result.threshold, hist.th() * (1 + 1e-6));
  }
}

TEST(Histogram, SkipsNonFiniteValues) {
  Histogram hist(smallBins(5));
  std::vector<float> bad = {kNaN, kInf};
  NonFiniteCounts counts = hist.add(bad);
  EXPECT_EQ(counts.nan, 1u);
  EXPECT_EQ(counts.posInf, 1u);
  EXPECT_TRUE(hist.empty());
  EXPECT_TRUE(hist.counts().empty());
  std::vector<float> mixed = {1.f, -kInf, -0.5f};
  EXPECT_EQ(hist.add(mixed).negInf, 1u);
  EXPECT_EQ(hist.total(), 2u);
  EXPECT_EQ(hist.th(), 1.0);
  EXPECT_EQ(hist.nonFinite().total(), 3u);
}

TEST(Histogram, MergeOnOneGridIsExact) {
  // Threads sharing a starting range collect histograms that merge into
  // exactly what one collector would have built.
  std::vector<double> a = normalSamples(30000, 20, 0, 1);
  std::vector<double> b = normalSamples(30000, 21, 0, 2.5);
  Histogram one = Histogram::withRange(2.0);
  one.add(a);
  one.add(b);
  Histogram left = Histogram::withRange(2.0), right = Histogram::withRange(2.0);
  left.add(a);
  right.add(b);
  left.merge(right);
  EXPECT_EQ(left.total(), 60000u);
  EXPECT_EQ(left.th(), one.th());
  EXPECT_EQ(left.counts().vec(), one.counts().vec());
  EXPECT_EQ(left.dataMin(), one.dataMin());
  EXPECT_EQ(left.dataMax(), one.dataMax());
  // Merging the other way round gives the same bins.
  Histogram left2 = Histogram::withRange(2.0);
  left2.add(a);
  right.merge(left2);
  EXPECT_EQ(right.counts().vec(), one.counts().vec());
}

TEST(Histogram, MergeAcrossWidthsKeepsMassAndRange) {
  Histogram fine(smallBins(101)), coarse(smallBins(101));
  std::vector<double> a = uniformSamples(5000, 30, -1, 1);
  std::vector<double> b = uniformSamples(5000, 31, -4, 4);
  fine.add(a);
  coarse.add(b);
  double width = coarse.binWidth();
  fine.merge(coarse);
  EXPECT_EQ(fine.total(), 10000u);
  EXPECT_EQ(sumOf(fine.counts()), 10000u);
  EXPECT_NEAR(fine.binWidth(), width, 1e-12);
  EXPECT_GE(fine.th(), 4 * (1 - 1e-3));
  // Mass within |x| < 1 stays there (up to one coarse bin).
  uint64_t inner = 0;
  HistogramRef ref = fine.ref();
  for (size_t k = 0; k < ref.counts.size(); ++k)
    if (std::abs(0.5 * (ref.edge(k) + ref.edge(k + 1))) < 1 + width)
      inner += ref.counts[k];
  EXPECT_GE(inner, 5000u);

  Histogram zeros(smallBins(101)), empty(smallBins(101));
  std::vector<double> z(10, 0.0);
  zeros.add(z);
  zeros.merge(empty);
  EXPECT_EQ(zeros.total(), 10u);
  zeros.merge(fine);
  EXPECT_EQ(zeros.total(), 10010u);
  EXPECT_EQ(zeros.counts().size(), fine.counts().size());
  EXPECT_EQ(zeros.counts()[zeros.counts().size() / 2],
            fine.counts()[fine.counts().size() / 2] + 10);
  empty.merge(zeros);
  EXPECT_EQ(empty.counts().vec(), zeros.counts().vec());
}

TEST(Histogram, OutlierBatchIsCoarsenedWithinMaxBins) {
  Histogram hist(smallBins(5, 15));
  std::vector<double> first = {-1, 0, 1};
  hist.add(first);
  std::vector<double> outlier = {100, -0.2};
  hist.add(outlier);
  EXPECT_LE(hist.counts().size(), 15u);
  EXPECT_EQ(hist.counts().size() % 2, 1u);
  EXPECT_GE(hist.th(), 100.0);
  EXPECT_EQ(sumOf(hist.counts()), 5u);
  // Zero is still in the centre bin.
  EXPECT_GE(hist.counts()[hist.counts().size() / 2], 1u);
  EXPECT_EQ(hist.counts().back(), 1u);
}

/// add(float) has a vectorized path; add(double) is the generic one. The
/// same values must give the same bins, range and min/max (signed zeros
/// included), also for values on and beside the bin edges.
TEST(Histogram, FloatFastPathBinsLikeTheGenericPath) {
  std::mt19937 rng(3);
  std::normal_distribution<float> normal(0, 1);
  for (unsigned numBins : {8001u, 255u, 3u}) {
    HistogramOptions options;
    options.numBins = numBins;
    options.maxBins = std::max(3 * numBins, 20001u) | 1;
    Histogram fast(options), generic(options);
    for (int b = 0; b < 9; ++b) {
      std::vector<float> batch(1000 + 137 * b + (b % 3));
      float scale = b == 5 ? 40.0f : 1.0f + 0.5f * float(b);
      for (float &v : batch) {
        float x = normal(rng) * scale;
        v = b == 0 ? 0.0f : b == 7 ? -std::abs(x) : (b % 2 && x < 0) ? 0.0f : x;
      }
      batch[0] = -0.0f; // the first zero sets the sign of a zero min/max
      batch[2] = 0.0f;
      if (b == 7)
        batch[5] = 0.0f;
      if (b > 1) {
        HistogramRef ref = fast.ref();
        for (size_t k = 0; 8 + 3 * k < batch.size() && k < 300; ++k) {
          size_t e = (k * 7919) % (ref.counts.size() + 1);
          float f = float(ref.edge(e) * (b == 8 ? 1.0 : 0.999));
          batch[6 + 3 * k] = f;
          batch[7 + 3 * k] = std::nextafter(f, kInf);
          batch[8 + 3 * k] = std::nextafter(f, -kInf);
        }
      }
      std::vector<double> wide(batch.begin(), batch.end());
      fast.add(batch);
      generic.add(llvm::ArrayRef<double>(wide));
      ASSERT_EQ(fast.counts().vec(), generic.counts().vec())
          << numBins << " bins, batch " << b;
      EXPECT_EQ(fast.th(), generic.th());
      EXPECT_EQ(fast.total(), generic.total());
      EXPECT_EQ(fast.dataMin(), generic.dataMin());
      EXPECT_EQ(fast.dataMax(), generic.dataMax());
      EXPECT_EQ(std::signbit(fast.dataMin()), std::signbit(generic.dataMin()));
      EXPECT_EQ(std::signbit(fast.dataMax()), std::signbit(generic.dataMax()));
    }
  }
}

} // namespace
