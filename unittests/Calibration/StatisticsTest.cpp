//===- StatisticsTest.cpp - q-calibrate's per-tensor statistics -----------===//
//
// StatisticsCollector (lib/Calibration) against the QCalibration collectors used
// directly: the zero skipping and the threads must not change a range.
//
//===----------------------------------------------------------------------===//

#include "QDialect/Calibration/Statistics.h"

#include "gtest/gtest.h"

#include <cmath>
#include <limits>
#include <random>

using namespace q::calibrate;

namespace {

/// Batches of ReLU-like data whose scale grows (the histogram widens), with
/// a zeros-only first batch and a few exact negative zeros.
std::vector<std::vector<float>> reluBatches(unsigned seed, bool signedData) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> normal(0, 1);
  std::vector<std::vector<float>> batches;
  batches.push_back(std::vector<float>(1000, 0.0f));
  for (int b = 0; b < 6; ++b) {
    std::vector<float> batch(5000 + 777 * b);
    float scale = 1.0f + 0.7f * b;
    for (float &v : batch) {
      float x = normal(rng) * scale;
      v = signedData ? x : (x > 0 ? x : 0.0f);
    }
    batch[3] = -0.0f;
    batches.push_back(std::move(batch));
  }
  return batches;
}

TEST(StatisticsTest, RangesEqualThoseOfThePlainCollectors) {
  for (bool signedData : {false, true})
    for (Mode mode : {Mode::Naive, Mode::Entropy, Mode::Percentile})
      for (qcalib::QuantizedType type :
           {qcalib::QuantizedType::Int8, qcalib::QuantizedType::Auto}) {
        auto batches = reluBatches(7, signedData);
        CollectOptions options;
        options.mode = mode;
        options.type = type;
        options.percentile = 99.9;
        options.threads = 3;
        // Three tensors: the data, its copy and a negated copy.
        StatisticsCollector stats({"a", "b", "c"}, options);
        qcalib::Histogram hist[3];
        qcalib::MinMax minMax[3];
        for (size_t b = 0; b < batches.size(); ++b) {
          std::vector<float> negated(batches[b]);
          for (float &v : negated)
            v = -v;
          const float *data[] = {batches[b].data(), batches[b].data(),
                                 negated.data()};
          size_t sizes[] = {batches[b].size(), batches[b].size(),
                            negated.size()};
          ASSERT_FALSE(bool(stats.addBatch(b, data, sizes)));
          for (int t = 0; t < 3; ++t) {
            llvm::ArrayRef<float> values(data[t], sizes[t]);
            hist[t].add(values);
            minMax[t].add(values);
          }
        }
        auto summaries = stats.finish();
        ASSERT_TRUE(bool(summaries)) << llvm::toString(summaries.takeError());
        for (int t = 0; t < 3; ++t) {
          const TensorSummary &s = (*summaries)[t];
          qcalib::Range want;
          if (mode == Mode::Naive) {
            want = *qcalib::naiveRange(minMax[t]);
            EXPECT_EQ(s.observedMin, minMax[t].min());
            EXPECT_EQ(s.observedMax, minMax[t].max());
          } else {
            EXPECT_EQ(s.observedMin, hist[t].dataMin());
            EXPECT_EQ(s.observedMax, hist[t].dataMax());
            EXPECT_EQ(s.values, hist[t].total());
            if (mode == Mode::Entropy) {
              qcalib::EntropyOptions entropy;
              entropy.type = type;
              want = qcalib::entropyThreshold(hist[t].ref(), entropy)->range;
            } else {
              want = *qcalib::percentileRange(hist[t].ref(), 99.9, type);
            }
          }
          EXPECT_EQ(s.range.min, want.min)
              << modeName(mode) << " " << typeName(type) << " " << t;
          EXPECT_EQ(s.range.max, want.max)
              << modeName(mode) << " " << typeName(type) << " " << t;
          EXPECT_FALSE(std::isnan(s.range.min) || std::isnan(s.range.max));
        }
      }
}

TEST(StatisticsTest, NonFiniteValuesNameBatchAndTensor) {
  CollectOptions options;
  options.mode = Mode::Entropy;
  StatisticsCollector stats({"data", "relu0_output"}, options);
  std::vector<float> good(100, 1.0f), bad(100, 1.0f);
  bad[5] = std::numeric_limits<float>::quiet_NaN();
  bad[6] = -std::numeric_limits<float>::infinity();
  const float *first[] = {good.data(), good.data()};
  const float *second[] = {good.data(), bad.data()};
  size_t sizes[] = {100, 100};
  ASSERT_FALSE(bool(stats.addBatch(0, first, sizes)));
  llvm::Error err = stats.addBatch(1, second, sizes);
  ASSERT_TRUE(bool(err));
  EXPECT_EQ(llvm::toString(std::move(err)),
            "batch 1: tensor 'relu0_output' holds 1 NaN, 1 -Inf (of 100 "
            "values); fix the data or pass --skip-nonfinite");

  options.skipNonFinite = true;
  StatisticsCollector skipping({"data", "relu0_output"}, options);
  ASSERT_FALSE(bool(skipping.addBatch(0, second, sizes)));
  auto summaries = skipping.finish();
  ASSERT_TRUE(bool(summaries));
  EXPECT_EQ((*summaries)[1].nonFinite.nan, 1u);
  EXPECT_EQ((*summaries)[1].nonFinite.negInf, 1u);
  EXPECT_EQ((*summaries)[1].values, 98u);
}

TEST(StatisticsTest, DegenerateTensorsGetUsableRanges) {
  for (Mode mode : {Mode::Naive, Mode::Entropy, Mode::Percentile}) {
    CollectOptions options;
    options.mode = mode;
    options.type = qcalib::QuantizedType::Int8;
    StatisticsCollector stats({"zero", "two", "minus3"}, options);
    std::vector<float> zero(500, 0.0f), two(500, 2.0f), minus3(500, -3.0f);
    const float *data[] = {zero.data(), two.data(), minus3.data()};
    size_t sizes[] = {500, 500, 500};
    ASSERT_FALSE(bool(stats.addBatch(0, data, sizes)));
    auto summaries = stats.finish();
    ASSERT_TRUE(bool(summaries)) << llvm::toString(summaries.takeError());
    for (const TensorSummary &s : *summaries) {
      EXPECT_LT(s.range.min, s.range.max) << s.name << " " << modeName(mode);
      EXPECT_TRUE(std::isfinite(s.range.min) && std::isfinite(s.range.max));
      // The range holds zero, which every quantized type represents.
      EXPECT_LE(s.range.min, 0) << s.name;
      EXPECT_GE(s.range.max, 0) << s.name;
    }
  }
}

TEST(StatisticsTest, NegativeShareAndPerChannelRanges) {
  // Two samples of 3 channels x 2 values (NCHW): channel c holds c-scaled
  // values; channel 2 only zeros, which gets a usable range from the tensor
  // (not an empty one). A NaN is left out everywhere.
  for (Mode mode : {Mode::Naive, Mode::Entropy}) {
    CollectOptions options;
    options.mode = mode;
    options.skipNonFinite = true;
    options.channelLayouts = {{3, 2}, {}};
    StatisticsCollector stats({"t", "u"}, options);
    float nan = std::numeric_limits<float>::quiet_NaN();
    std::vector<float> t = {-1, 2, -10, 20, 0, 0, 0.5f, nan, 30, -4, 0, 0};
    std::vector<float> u = {-1, 1, 1, 1};
    ASSERT_FALSE(
        bool(stats.addBatch(0, {t.data(), u.data()}, {t.size(), u.size()})));
    auto summaries = stats.finish();
    ASSERT_TRUE(bool(summaries)) << llvm::toString(summaries.takeError());
    const TensorSummary &st = (*summaries)[0];
    EXPECT_DOUBLE_EQ(st.negativeFraction, 3.0 / 11);
    EXPECT_EQ(st.channelMin, (std::vector<double>{-1, -10, st.range.min}));
    EXPECT_EQ(st.channelMax, (std::vector<double>{2, 30, st.range.max}));
    const TensorSummary &su = (*summaries)[1];
    EXPECT_DOUBLE_EQ(su.negativeFraction, 0.25);
    EXPECT_TRUE(su.channelMin.empty());
    // The table carries them.
    qcalib::CalibrationTable table = stats.table(*summaries);
    EXPECT_EQ(table.find("t")->channelMin, st.channelMin);
    EXPECT_EQ(table.find("t")->negativeFraction, 3.0 / 11);
  }
}

TEST(StatisticsTest, EmptyTensorIsAnError) {
  CollectOptions options;
  options.mode = Mode::Naive;
  StatisticsCollector stats({"t"}, options);
  auto summaries = stats.finish();
  ASSERT_FALSE(bool(summaries));
  EXPECT_EQ(llvm::toString(summaries.takeError()),
            "tensor 't': no finite value was collected");
}

} // namespace
