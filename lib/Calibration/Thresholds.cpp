//===- Thresholds.cpp - Naive and percentile ranges
//------------------------===//

#include "QDialect/Calibration/Thresholds.h"

#include <algorithm>
#include <cmath>
#include <string>

using namespace qcalib;

static llvm::Error makeError(const llvm::Twine &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), message);
}

llvm::Expected<Range> qcalib::naiveRange(const MinMax &stats) {
  if (stats.empty())
    return makeError("no finite value was collected");
  return Range{stats.min(), stats.max()};
}

llvm::Expected<Range> qcalib::percentileRange(const HistogramRef &hist,
                                              double percent,
                                              QuantizedType type) {
  if (!(percent > 0 && percent <= 100))
    return makeError("percentile must be in (0, 100], got " +
                     std::to_string(percent));
  uint64_t total = hist.total();
  if (!total || hist.counts.empty())
    return makeError("histogram is empty");
  if (!(hist.hi > hist.lo) || !std::isfinite(hist.lo) ||
      !std::isfinite(hist.hi))
    return makeError("histogram range must be finite and non-empty");

  // Mass of |x| <= r, each bin's count spread evenly over the bin: a
  // non-decreasing, piecewise-linear function of r.
  size_t n = hist.counts.size();
  auto massWithin = [&](double r) {
    double mass = 0;
    for (size_t k = 0; k < n; ++k) {
      if (!hist.counts[k])
        continue;
      double a = hist.edge(k), b = hist.edge(k + 1);
      double overlap = std::min(b, r) - std::max(a, -r);
      if (overlap > 0)
        mass += double(hist.counts[k]) * std::min(1.0, overlap / (b - a));
    }
    return mass;
  };
  double target = percent / 100 * double(total);
  double absMax = std::max(std::abs(hist.dataMin), std::abs(hist.dataMax));
  if (percent == 100 && absMax > 0)
    return isUnsignedCase(hist.dataMin, type) ? Range{0, absMax}
                                              : Range{-absMax, absMax};
  double lo = 0, hi = std::max(std::abs(hist.lo), std::abs(hist.hi));
  // Bisection to the double's resolution; the search is O(bins) per step.
  for (int step = 0; step < 200 && hi - lo > 1e-15 * hi; ++step) {
    double mid = 0.5 * (lo + hi);
    if (massWithin(mid) >= target * (1 - 1e-12))
      hi = mid;
    else
      lo = mid;
  }
  double th = absMax > 0 ? std::min(hi, absMax) : hi;
  if (isUnsignedCase(hist.dataMin, type))
    return Range{0, th};
  return Range{-th, th};
}
