//===- EntropyTest.cpp - KL threshold search: fast vs reference, MXNet ----===//

#include "CalibrationTestUtils.h"

#include <cfloat>
#include <cmath>
#include <cstdio>
#include <string>

using namespace qcalib;
using namespace qcalib::testing;

namespace {

std::vector<uint64_t> histogramOf(llvm::ArrayRef<double> data,
                                  unsigned numBins = 8001) {
  HistogramOptions options;
  options.numBins = numBins;
  options.maxBins = std::max(options.maxBins, 3 * numBins);
  Histogram hist(options);
  hist.add(data);
  return hist.counts().vec();
}

struct Comparison {
  size_t fastPick = 0, refPick = 0;
  double maxAbsDiff = 0;
};

/// Tally over a test, printed for the record (docs/CALIBRATION.md).
struct Tally {
  const char *name;
  size_t histograms = 0, samePick = 0;
  double maxAbsDiff = 0;
  void add(const Comparison &c) {
    ++histograms;
    samePick += c.fastPick == c.refPick;
    maxAbsDiff = std::max(maxAbsDiff, c.maxAbsDiff);
  }
  ~Tally() {
    std::printf("%s: %zu searches, same pick in %zu, max |fast - reference| "
                "divergence %.3g\n",
                name, histograms, samePick, maxAbsDiff);
  }
};

/// Runs both searches over `counts` and checks that they agree: same
/// finite/inf pattern, divergences equal within float32 tolerance, and the
/// same pick or picks whose (reference) divergences are equal within that
/// tolerance.
Comparison compareSearches(const std::vector<uint64_t> &counts, unsigned nqb,
                           const std::string &what) {
  Comparison out;
  std::vector<double> fast = valueOrFail(entropyDivergences(counts, nqb));
  std::vector<float> ref =
      valueOrFail(entropyDivergencesReference(counts, nqb));
  EXPECT_EQ(fast.size(), ref.size()) << what;
  if (fast.size() != ref.size() || fast.empty())
    return out;
  double best = FLT_MAX, bestRef = FLT_MAX;
  for (size_t k = 0; k < fast.size(); ++k) {
    EXPECT_FALSE(std::isnan(fast[k])) << what << " candidate " << k;
    EXPECT_FALSE(std::isnan(ref[k])) << what << " candidate " << k;
    EXPECT_EQ(std::isinf(fast[k]), std::isinf(ref[k]))
        << what << " candidate " << k << ": " << fast[k] << " vs " << ref[k];
    if (std::isfinite(fast[k]) && std::isfinite(ref[k])) {
      double diff = std::abs(fast[k] - double(ref[k]));
      out.maxAbsDiff = std::max(out.maxAbsDiff, diff);
      // float32 sums over up to 8001 terms: a few 1e-6 of the scale.
      EXPECT_LE(diff, 2e-5 * std::max(1.0, std::abs(fast[k])))
          << what << " candidate " << k << ": " << fast[k] << " vs " << ref[k];
    }
    if (fast[k] < best) {
      best = fast[k];
      out.fastPick = k;
    }
    if (ref[k] < bestRef) {
      bestRef = ref[k];
      out.refPick = k;
    }
  }
  if (out.fastPick != out.refPick) {
    double atFast = ref[out.fastPick];
    EXPECT_LE(std::abs(atFast - bestRef), 2e-5 * std::max(1.0, bestRef))
        << what << ": fast picks " << out.fastPick << ", reference "
        << out.refPick;
  }
  return out;
}

TEST(EntropySearch, FastMatchesReferenceOnSampledData) {
  struct Case {
    std::string name;
    std::vector<double> data;
  };
  std::vector<Case> cases;
  cases.push_back({"normal 200k", normalSamples(200000, 1)});
  cases.push_back({"normal 10k", normalSamples(10000, 2)});
  cases.push_back({"normal 300", normalSamples(300, 3)});
  {
    std::vector<double> relu = normalSamples(100000, 4);
    for (double &v : relu)
      v = std::max(v, 0.0);
    cases.push_back({"relu 100k", relu});
  }
  cases.push_back({"uniform 20k", uniformSamples(20000, 5, -3, 7)});
  {
    // Heavy tails: most of the window is empty, mass near zero.
    std::vector<double> u = uniformSamples(50000, 6, -1, 1);
    for (double &v : u)
      v = std::copysign(std::pow(std::abs(v), 6.0) * 40, v);
    cases.push_back({"heavy tail", u});
  }
  {
    std::vector<double> a = normalSamples(30000, 7, -4, 0.3);
    std::vector<double> b = normalSamples(30000, 8, 5, 1);
    a.insert(a.end(), b.begin(), b.end());
    cases.push_back({"bimodal", a});
  }
  cases.push_back({"few values", {1, 1, 2, 3, 5, 8, -13, 21, 34, -55}});

  Tally tally{"sampled data"};
  for (const Case &c : cases) {
    std::vector<uint64_t> counts = histogramOf(c.data);
    tally.add(compareSearches(counts, 255, c.name + " nqb 255"));
    tally.add(compareSearches(counts, 511, c.name + " nqb 511"));
  }
}

TEST(EntropySearch, FastMatchesReferenceOnSyntheticHistograms) {
  std::mt19937_64 rng(42);
  auto randomCounts = [&](size_t bins, double zeroFraction, uint64_t maxCount) {
    std::vector<uint64_t> counts(bins);
    std::uniform_real_distribution<double> u(0, 1);
    std::uniform_int_distribution<uint64_t> c(1, maxCount);
    for (uint64_t &v : counts)
      v = u(rng) < zeroFraction ? 0 : c(rng);
    return counts;
  };
  Tally tally{"synthetic histograms"};
  // Sizes and merge factors around the corner cases: one quantized bin per
  // histogram bin, even nqb, remainders, the smallest nqb.
  for (auto [bins, nqb] : {std::pair<size_t, unsigned>{8001, 255},
                           {1001, 255},
                           {513, 255},
                           {255, 255},
                           {2001, 5},
                           {999, 5},
                           {301, 2},
                           {301, 3},
                           {301, 4},
                           {4001, 511},
                           {9001, 255}}) {
    for (double zeros : {0.0, 0.5, 0.97, 0.999}) {
      for (uint64_t maxCount : {uint64_t(1), uint64_t(1000)}) {
        std::vector<uint64_t> counts = randomCounts(bins, zeros, maxCount);
        if (std::all_of(counts.begin(), counts.end(),
                        [](uint64_t v) { return v == 0; }))
          counts[bins / 3] = 1;
        tally.add(compareSearches(counts, nqb,
                                  std::to_string(bins) + " bins nqb " +
                                      std::to_string(nqb) + " zeros " +
                                      std::to_string(zeros) + " max " +
                                      std::to_string(maxCount)));
      }
    }
  }
}

TEST(EntropySearch, FastMatchesReferenceOnSpikes) {
  Tally tally{"spikes"};
  // Single spikes anywhere, including the outermost bins (p[0] / p[-1]
  // folding, all-inf candidates).
  for (size_t at : {size_t(0), size_t(1), size_t(500), size_t(872),
                    size_t(1000), size_t(1500), size_t(1999), size_t(2000)}) {
    std::vector<uint64_t> counts(2001, 0);
    counts[at] = 1000;
    tally.add(compareSearches(counts, 255, "spike at " + std::to_string(at)));
    counts[1000] += 7;
    tally.add(compareSearches(counts, 255,
                              "spike at " + std::to_string(at) + " + 0"));
  }
}

TEST(EntropySearch, NeverPicksNaNOrInf) {
  // A negative constant: every candidate's q is empty (the mass sits in
  // bin 0, folded into p[0] and left out of q), so all are inf.
  std::vector<double> data(1000, -3.0);
  Histogram hist;
  hist.add(data);
  EntropyResult ours = valueOrFail(entropyThreshold(hist.ref(), {}));
  EXPECT_FALSE(ours.finite);
  EXPECT_EQ(ours.divergence, double(FLT_MAX));
  EXPECT_EQ(ours.threshold, 3.0); // the full range, not a clipping one
  EntropyOptions mxnet;
  mxnet.mxnetAllInfiniteChoice = true;
  EntropyResult theirs = valueOrFail(entropyThreshold(hist.ref(), mxnet));
  EntropyResult theirsRef =
      valueOrFail(entropyThresholdReference(hist.ref(), mxnet));
  // MXNet 1.6+: the first candidate, edge 4128 of 8001 over (-3, 3).
  EXPECT_NEAR(theirs.threshold, 0.0956, 1e-4);
  EXPECT_EQ(theirs.threshold, theirsRef.threshold);
  EXPECT_EQ(theirs.binStop, 4128u);
}

TEST(EntropySearch, RejectsBadHistograms) {
  std::vector<uint64_t> even(8000, 1), empty(8001, 0), small(201, 1);
  HistogramRef ref{even, -1, 1, -1, 1};
  EXPECT_FALSE(bool(entropyThreshold(ref, {})));
  llvm::consumeError(entropyThreshold(ref, {}).takeError());
  ref.counts = empty;
  auto r1 = entropyThreshold(ref, {});
  EXPECT_FALSE(bool(r1));
  llvm::consumeError(r1.takeError());
  ref.counts = small;
  auto r2 = entropyThreshold(ref, {});
  EXPECT_FALSE(bool(r2));
  llvm::consumeError(r2.takeError());
  auto r3 = entropyThresholdReference(ref, {});
  EXPECT_FALSE(bool(r3));
  llvm::consumeError(r3.takeError());
}

//===----------------------------------------------------------------------===//
// MXNet's own tests (tests/python/quantization/test_quantization.py, 1.9.1)
//===----------------------------------------------------------------------===//

TEST(MXNetQuantizationTests, SmoothDistribution) {
  std::vector<float> zeros(2, 0.f);
  auto bad = smoothDistribution(zeros, 1e-3f);
  EXPECT_FALSE(bool(bad));
  llvm::consumeError(bad.takeError());

  std::vector<float> dirac(5, 0.f);
  dirac[2] = 1;
  std::vector<float> smooth = valueOrFail(smoothDistribution(dirac, 1e-3f));
  ASSERT_EQ(smooth.size(), 5u);
  for (size_t k = 0; k < 5; ++k)
    EXPECT_NEAR(smooth[k], k == 2 ? 1 + 1e-3 - 5e-3 : 1e-3, 1e-6);
}

TEST(MXNetQuantizationTests, OptimalThresholdAdversarialCase) {
  // 999 bins over (-2, 2), all the mass (1000) in the last bin: the
  // threshold must be the max, for every dtype (min < 0: nqb stays 5).
  std::vector<uint64_t> counts(999, 0);
  counts.back() = 1000;
  HistogramRef hist{counts, -2, 2, -2, 2};
  for (QuantizedType type :
       {QuantizedType::UInt8, QuantizedType::Int8, QuantizedType::Auto}) {
    EntropyOptions options;
    options.type = type;
    options.numQuantizedBins = 5;
    EntropyResult fast = valueOrFail(entropyThreshold(hist, options));
    EntropyResult ref = valueOrFail(entropyThresholdReference(hist, options));
    EXPECT_NEAR(fast.threshold, 2, 1e-5);
    EXPECT_NEAR(ref.threshold, 2, 1e-5);
    EXPECT_EQ(fast.numQuantizedBins, 5u);
  }
}

TEST(MXNetQuantizationTests, GetOptimalThresholds) {
  // uniform(-10.532, 11.3432) of shape (8, 3, 23, 23): th ~ max |x|.
  std::vector<double> data =
      uniformSamples(8 * 3 * 23 * 23, 9, -10.532, 11.3432);
  double absMax = 0;
  for (double v : data)
    absMax = std::max(absMax, std::abs(v));
  Histogram hist;
  hist.add(data);
  for (QuantizedType type :
       {QuantizedType::UInt8, QuantizedType::Int8, QuantizedType::Auto}) {
    EntropyOptions options;
    options.type = type;
    EntropyResult fast = valueOrFail(entropyThreshold(hist.ref(), options));
    EXPECT_NEAR(fast.range.max, absMax, 1e-4 + 1e-2 * absMax);
    EXPECT_EQ(fast.range.min, -fast.range.max); // min < 0: signed
  }
}

} // namespace
