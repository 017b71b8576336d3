//===- OracleTest.cpp - Thresholds against shared/reference/entropy -------===//
//
// expected.json holds, for a few inputs, the thresholds MXNet >= 1.6's
// `_contrib_calibrate_entropy` gives (mxnet16_int8, mxnet16_auto) and what
// MXNet 1.5's numpy code gives (mxnet15_*, NaN bug included). Both searches
// must land within one histogram bin of mxnet16; naive must be min/max
// exactly.
//
//===----------------------------------------------------------------------===//

#include "CalibrationTestUtils.h"

#include "q/npy.h"

#include "llvm/Support/JSON.h"
#include "llvm/Support/MemoryBuffer.h"

#include <cmath>
#include <cstdio>

using namespace qcalib;
using namespace qcalib::testing;

namespace {

const std::string kOracleDir = std::string(Q_SHARED_DIR) + "/reference/entropy";

std::vector<double> loadNpy(const std::string &path) {
  npy::Array array;
  std::string error;
  if (!npy::read(path, array, &error)) {
    ADD_FAILURE() << error;
    return {};
  }
  std::vector<double> out(size_t(array.numElements()));
  for (size_t k = 0; k < out.size(); ++k) {
    switch (array.dtype) {
    case npy::DType::F64:
      out[k] = array.as<double>()[k];
      break;
    case npy::DType::F32:
      out[k] = array.as<float>()[k];
      break;
    case npy::DType::S64:
      out[k] = double(array.as<int64_t>()[k]);
      break;
    case npy::DType::S32:
      out[k] = array.as<int32_t>()[k];
      break;
    default:
      ADD_FAILURE() << path << ": unexpected dtype " << npy::name(array.dtype);
      return {};
    }
  }
  return out;
}

llvm::json::Value loadOracle() {
  auto buffer = llvm::MemoryBuffer::getFile(kOracleDir + "/expected.json");
  if (!buffer) {
    ADD_FAILURE() << "cannot read expected.json";
    return nullptr;
  }
  auto json = llvm::json::parse((*buffer)->getBuffer());
  if (!json) {
    ADD_FAILURE() << llvm::toString(json.takeError());
    return nullptr;
  }
  return std::move(*json);
}

TEST(CalibrationOracle, MatchesMXNet16) {
  llvm::json::Value oracle = loadOracle();
  const llvm::json::Object *cases =
      oracle.getAsObject() ? oracle.getAsObject()->getObject("cases") : nullptr;
  ASSERT_TRUE(cases);
  size_t checked = 0;
  std::printf("%-20s %-5s %-10s %-10s %-10s %-7s %-10s %-10s %-10s\n", "case",
              "dtype", "mxnet16", "fast", "reference", "|d|/bin", "div mxnet16",
              "div fast", "div ref");
  for (const auto &[name, value] : *cases) {
    const llvm::json::Object *c = value.getAsObject();
    ASSERT_TRUE(c);
    std::vector<double> data =
        loadNpy(kOracleDir + "/" + c->getString("npy")->str());
    ASSERT_FALSE(data.empty()) << name.str();

    // Naive: (min, max) exactly.
    MinMax minMax;
    EXPECT_FALSE(minMax.add(data).any());
    Range naive = valueOrFail(naiveRange(minMax));
    EXPECT_EQ(naive.min, *c->getNumber("min")) << name.str();
    EXPECT_EQ(naive.max, *c->getNumber("max")) << name.str();

    Histogram hist;
    EXPECT_FALSE(hist.add(data).any());
    EXPECT_EQ(hist.counts().size(), 8001u);
    double binWidth = hist.binWidth();

    for (auto [key, type] : {std::pair{"mxnet16_int8", QuantizedType::Int8},
                             std::pair{"mxnet16_auto", QuantizedType::Auto}}) {
      const llvm::json::Object *expected = c->getObject(key);
      // Cases without an auto entry have negative values: auto is int8.
      if (!expected && type == QuantizedType::Auto)
        expected = c->getObject("mxnet16_int8");
      ASSERT_TRUE(expected) << name.str() << " " << key;
      double th = *expected->getNumber("threshold");
      double div = *expected->getNumber("min_divergence");
      int64_t nqb = *expected->getInteger("num_quantized_bins_used");

      EntropyOptions options;
      options.type = type;
      EntropyResult fast = valueOrFail(entropyThreshold(hist.ref(), options));
      EntropyResult ref =
          valueOrFail(entropyThresholdReference(hist.ref(), options));
      EXPECT_EQ(int64_t(fast.numQuantizedBins), nqb) << name.str();
      EXPECT_NEAR(fast.threshold, th, binWidth) << name.str() << " " << key;
      EXPECT_NEAR(ref.threshold, th, binWidth) << name.str() << " " << key;
      EXPECT_TRUE(fast.finite && ref.finite);
      EXPECT_FALSE(std::isnan(fast.divergence) || std::isnan(ref.divergence));
      EXPECT_NEAR(fast.divergence, div, 1e-4 + 1e-3 * div) << name.str();
      bool unsignedCase =
          std::string(key) == "mxnet16_auto" && c->getObject("mxnet16_auto");
      EXPECT_EQ(fast.range.min, unsignedCase ? 0.0 : -fast.threshold);
      EXPECT_EQ(fast.range.max, fast.threshold);
      std::printf("%-20s %-5s %-10.7g %-10.7g %-10.7g %-7.2g %-10.6g %-10.6g "
                  "%-10.6g\n",
                  name.str().c_str(),
                  type == QuantizedType::Int8 ? "int8" : "auto", th,
                  fast.threshold, ref.threshold,
                  std::abs(fast.threshold - th) / binWidth, div,
                  fast.divergence, ref.divergence);
      ++checked;
    }
  }
  EXPECT_EQ(checked, 8u);
}

/// MXNet 1.5's NaN bug picks the smallest candidate for a constant tensor;
/// q must give the constant itself.
TEST(CalibrationOracle, ConstantTensorAvoidsMXNet15NaNBug) {
  std::vector<double> data = loadNpy(kOracleDir + "/const_2_1000.npy");
  Histogram hist;
  hist.add(data);
  for (QuantizedType type : {QuantizedType::Int8, QuantizedType::Auto}) {
    EntropyOptions options;
    options.type = type;
    EntropyResult fast = valueOrFail(entropyThreshold(hist.ref(), options));
    EXPECT_EQ(fast.threshold, 2.0);
    EXPECT_EQ(fast.divergence, 0.0);
  }
}

} // namespace
