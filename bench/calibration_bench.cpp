//===- calibration_bench.cpp - entropy threshold search: fast vs reference ===//
//
// Builds the 8001-bin histogram of 1M N(0, 1) samples (fixed seed) and
// times one entropy threshold search with the fast implementation and the
// straightforward one (float32 transliteration of MXNet's C++ op), side by
// side in one run, for int8 (255 levels) and the unsigned case of a relu
// tensor (511 levels). Prints the median and minimum of several runs and
// the ratio of the medians. Optional argument: runs of the fast search.
//
//===----------------------------------------------------------------------===//

#include "QDialect/Calibration/Thresholds.h"

#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <random>
#include <vector>

using namespace qcalib;

namespace {

using Search = llvm::Expected<EntropyResult> (*)(const HistogramRef &,
                                                 const EntropyOptions &);

struct Timing {
  double medianMs = 0, minMs = 0;
  EntropyResult result;
};

Timing timeSearch(Search search, const HistogramRef &hist,
                  const EntropyOptions &options, int runs) {
  std::vector<double> ms;
  Timing out;
  for (int r = 0; r < runs; ++r) {
    auto start = std::chrono::steady_clock::now();
    auto result = search(hist, options);
    auto stop = std::chrono::steady_clock::now();
    if (!result) {
      llvm::errs() << llvm::toString(result.takeError()) << "\n";
      std::exit(1);
    }
    out.result = *result;
    ms.push_back(
        std::chrono::duration<double, std::milli>(stop - start).count());
  }
  std::sort(ms.begin(), ms.end());
  out.medianMs = ms[ms.size() / 2];
  out.minMs = ms.front();
  return out;
}

void report(const char *name, const Histogram &hist, QuantizedType type,
            int fastRuns, int refRuns) {
  EntropyOptions options;
  options.type = type;
  HistogramRef ref = hist.ref();
  // Interleave so that both see the same machine load.
  Timing fast = timeSearch(entropyThreshold, ref, options, 1); // warm-up
  Timing reference = timeSearch(entropyThresholdReference, ref, options, 1);
  fast = timeSearch(entropyThreshold, ref, options, fastRuns);
  reference = timeSearch(entropyThresholdReference, ref, options, refRuns);
  Timing fastAgain = timeSearch(entropyThreshold, ref, options, fastRuns);
  double fastMedian = std::min(fast.medianMs, fastAgain.medianMs);
  llvm::outs() << llvm::format(
      "%-14s bins %zu nqb %3u | fast median %7.3f ms (min %7.3f) | "
      "reference median %8.1f ms (min %8.1f) | ratio %6.0fx | th %.6f / %.6f\n",
      name, ref.counts.size(), fast.result.numQuantizedBins, fastMedian,
      std::min(fast.minMs, fastAgain.minMs), reference.medianMs,
      reference.minMs, reference.medianMs / fastMedian, fast.result.threshold,
      reference.result.threshold);
}

} // namespace

int main(int argc, char **argv) {
  int fastRuns = argc > 1 ? std::max(1, std::atoi(argv[1])) : 21;
  int refRuns = 5;
  std::mt19937_64 rng(2024);
  std::normal_distribution<double> normal(0, 1);
  std::vector<float> samples(1000000);
  for (float &v : samples)
    v = float(normal(rng));
  std::vector<float> relu(samples);
  for (float &v : relu)
    v = std::max(v, 0.f);

  auto start = std::chrono::steady_clock::now();
  Histogram hist;
  hist.add(samples);
  auto stop = std::chrono::steady_clock::now();
  Histogram reluHist;
  reluHist.add(relu);
  llvm::outs() << llvm::format(
      "histogram of 1M samples: %.2f ms (8001 bins)\n",
      std::chrono::duration<double, std::milli>(stop - start).count());

  report("normal int8", hist, QuantizedType::Int8, fastRuns, refRuns);
  report("relu uint8", reluHist, QuantizedType::Auto, fastRuns, refRuns);
  return 0;
}
