//===- Thresholds.cpp - Naive, percentile and least-squares ranges --------===//

#include "QDialect/Calibration/Thresholds.h"

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

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

llvm::Expected<Range> qcalib::mseRange(const HistogramRef &hist,
                                       QuantizedType type) {
  size_t n = hist.counts.size();
  if (!hist.total() || n == 0)
    return makeError("histogram is empty");
  if (!(hist.hi > hist.lo) || !std::isfinite(hist.lo) ||
      !std::isfinite(hist.hi))
    return makeError("histogram range must be finite and non-empty");
  // Fold onto |x|: bins at the same distance from the centre (the bins are
  // symmetric around 0) go together, ordered outwards.
  size_t half = n / 2;
  double width = (hist.hi - hist.lo) / double(n);
  std::vector<double> count(half + 1, 0.0), centre(half + 1, 0.0);
  for (size_t k = 0; k < n; ++k) {
    size_t d = k >= half ? k - half : half - k;
    if (n % 2 == 0)
      d = k >= n / 2 ? k - n / 2 : n / 2 - 1 - k;
    if (d > half)
      continue;
    count[d] += double(hist.counts[k]);
    centre[d] = std::fabs(0.5 * (hist.edge(k) + hist.edge(k + 1)));
  }
  // Prefix sums from the outside in: beyond candidate i (bins > i), sum of
  // c, c·x and c·x².
  size_t m = count.size();
  std::vector<double> c0(m + 1, 0.0), c1(m + 1, 0.0), c2(m + 1, 0.0);
  for (size_t d = m; d-- > 0;) {
    c0[d] = c0[d + 1] + count[d];
    c1[d] = c1[d + 1] + count[d] * centre[d];
    c2[d] = c2[d + 1] + count[d] * centre[d] * centre[d];
  }
  bool isUnsigned = isUnsignedCase(hist.dataMin, type);
  double levels = isUnsigned ? 255.5 : 127.5;
  double absMax = std::max(std::abs(hist.dataMin), std::abs(hist.dataMax));
  double total = c0[0];
  double best = -1, bestError = 0;
  for (size_t i = 0; i < m; ++i) {
    // Threshold at the outer edge of folded bin i.
    double th = (n % 2 ? (double(i) + 0.5) : double(i + 1)) * width;
    if (absMax > 0 && th > absMax)
      th = absMax;
    double step = th / levels;
    double beyond = c0[i + 1];
    double clip = c2[i + 1] - 2 * th * c1[i + 1] + th * th * beyond;
    double error = clip + (total - beyond) * step * step / 12;
    if (best < 0 || error < bestError) {
      best = th;
      bestError = error;
    }
    if (absMax > 0 && th >= absMax)
      break;
  }
  if (!(best > 0))
    best = absMax > 0 ? absMax : 0.5;
  if (isUnsigned)
    return Range{0, best};
  return Range{-best, best};
}
