//===- Collectors.cpp - Min/max and histogram collectors ------------------===//

#include "QDialect/Calibration/Collectors.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <limits>

using namespace qcalib;

namespace {

/// Sorts a value into the non-finite counts; true when it is finite.
template <typename T> bool checkFinite(T v, NonFiniteCounts &counts) {
  if (std::isfinite(v))
    return true;
  if (std::isnan(v))
    ++counts.nan;
  else if (v > 0)
    ++counts.posInf;
  else
    ++counts.negInf;
  return false;
}

/// Floor division for a signed numerator and a positive divisor.
int64_t floorDiv(int64_t a, int64_t b) {
  int64_t q = a / b;
  return (a % b != 0 && a < 0) ? q - 1 : q;
}

/// Adds the bins of `src` (bin width `srcWidth`, centred on zero) to `dst`
/// (width `dstWidth`, centred on zero), each at the destination bin holding
/// its centre; exact when the widths are equal.
void addCentred(std::vector<uint64_t> &dst, double dstWidth,
                llvm::ArrayRef<uint64_t> src, double srcWidth) {
  int64_t dstZero = int64_t(dst.size() / 2);
  int64_t srcZero = int64_t(src.size() / 2);
  bool sameWidth = std::abs(dstWidth - srcWidth) <= 1e-9 * dstWidth;
  for (size_t k = 0; k < src.size(); ++k) {
    if (!src[k])
      continue;
    int64_t d = int64_t(k) - srcZero;
    if (!sameWidth)
      d = std::llround(double(d) * srcWidth / dstWidth);
    d = std::clamp<int64_t>(d, -dstZero, dstZero);
    dst[size_t(dstZero + d)] += src[k];
  }
}

} // namespace

//===----------------------------------------------------------------------===//
// MinMax
//===----------------------------------------------------------------------===//

/// The finite values' range and count; non-finite ones are only counted.
template <typename T>
static uint64_t scanFinite(llvm::ArrayRef<T> values, NonFiniteCounts &batch,
                           double &lo, double &hi) {
  lo = std::numeric_limits<double>::infinity();
  hi = -lo;
  uint64_t n = 0;
  for (T v : values) {
    if (!checkFinite(v, batch))
      continue;
    lo = std::min(lo, double(v));
    hi = std::max(hi, double(v));
    ++n;
  }
  return n;
}

template <typename T>
NonFiniteCounts MinMax::addImpl(llvm::ArrayRef<T> values) {
  NonFiniteCounts batch;
  double lo, hi;
  uint64_t n = scanFinite(values, batch, lo, hi);
  nonFinite_ += batch;
  if (n) {
    min_ = count_ ? std::min(min_, lo) : lo;
    max_ = count_ ? std::max(max_, hi) : hi;
    count_ += n;
  }
  return batch;
}

NonFiniteCounts MinMax::add(llvm::ArrayRef<float> values) {
  return addImpl(values);
}
NonFiniteCounts MinMax::add(llvm::ArrayRef<double> values) {
  return addImpl(values);
}

void MinMax::merge(const MinMax &other) {
  nonFinite_ += other.nonFinite_;
  if (other.empty())
    return;
  min_ = empty() ? other.min_ : std::min(min_, other.min_);
  max_ = empty() ? other.max_ : std::max(max_, other.max_);
  count_ += other.count_;
}

//===----------------------------------------------------------------------===//
// HistogramRef
//===----------------------------------------------------------------------===//

uint64_t HistogramRef::total() const {
  uint64_t sum = 0;
  for (uint64_t c : counts)
    sum += c;
  return sum;
}

double HistogramRef::edge(size_t k) const {
  // numpy.linspace: start + k * step, the last edge set to stop exactly.
  size_t n = counts.size();
  if (k >= n)
    return hi;
  return double(k) * ((hi - lo) / double(n)) + lo;
}

//===----------------------------------------------------------------------===//
// Histogram
//===----------------------------------------------------------------------===//

Histogram::Histogram(HistogramOptions options) : options_(options) {
  assert(options_.numBins % 2 == 1 && "the zero bin needs an odd bin count");
  assert(options_.maxBins % 2 == 1 &&
         options_.maxBins >= 3 * options_.numBins &&
         "maxBins must be odd and leave room to widen");
  // Release builds: keep the layout valid rather than fail later.
  options_.numBins |= 1;
  options_.maxBins = std::max(options_.maxBins | 1, 3 * options_.numBins);
}

Histogram Histogram::withRange(double th, HistogramOptions options) {
  Histogram hist(options);
  assert(th > 0 && std::isfinite(th) && "the range must be non-degenerate");
  if (th > 0 && std::isfinite(th)) {
    hist.reset(th, 0);
    hist.zerosOnly_ = false;
  }
  return hist;
}

void Histogram::reset(double th, uint64_t zeros) {
  counts_.assign(options_.numBins, 0);
  th_ = th;
  counts_[counts_.size() / 2] += zeros;
}

void Histogram::widen(double th) {
  // MXNet's combine_histogram: grow by whole old bins on each side.
  size_t n = counts_.size();
  double step = 2 * th_ / double(n);
  auto halfFor = [&](double fromTh, double width) {
    return uint64_t(std::floor((th - fromTh) / width)) + 1;
  };
  uint64_t half = halfFor(th_, step);
  if (n + 2 * half > options_.maxBins) {
    // Coarsen first, by the smallest odd factor that leaves room.
    uint64_t zero = n / 2;
    uint64_t factor = std::max<uint64_t>(
        3, uint64_t(std::ceil(double(n + 2 * half) / options_.maxBins)) | 1);
    for (;; factor += 2) {
      uint64_t newZero = (zero + (factor - 1) / 2) / factor;
      double width = step * double(factor);
      double newTh = (double(newZero) + 0.5) * width;
      uint64_t newHalf = th > newTh ? halfFor(newTh, width) : 0;
      if (2 * (newZero + newHalf) + 1 <= options_.maxBins)
        break;
    }
    coarsen(unsigned(factor));
    if (th <= th_)
      return;
    n = counts_.size();
    step = 2 * th_ / double(n);
    half = halfFor(th_, step);
  }
  std::vector<uint64_t> grown(n + 2 * half, 0);
  std::copy(counts_.begin(), counts_.end(), grown.begin() + half);
  counts_ = std::move(grown);
  th_ += double(half) * step;
}

void Histogram::coarsen(unsigned factor) {
  assert(factor % 2 == 1);
  int64_t zero = int64_t(counts_.size() / 2);
  int64_t halfFactor = (factor - 1) / 2;
  int64_t newZero = (zero + halfFactor) / factor;
  double width = 2 * th_ / double(counts_.size()) * factor;
  std::vector<uint64_t> merged(size_t(2 * newZero + 1), 0);
  for (size_t k = 0; k < counts_.size(); ++k) {
    int64_t d = floorDiv(int64_t(k) - zero + halfFactor, factor);
    merged[size_t(newZero + d)] += counts_[k];
  }
  counts_ = std::move(merged);
  th_ = (double(newZero) + 0.5) * width;
}

void Histogram::capBins() {
  if (counts_.size() <= options_.maxBins)
    return;
  uint64_t zero = counts_.size() / 2;
  uint64_t factor = 3;
  while (2 * ((zero + (factor - 1) / 2) / factor) + 1 > options_.maxBins)
    factor += 2;
  coarsen(unsigned(factor));
}

template <typename T>
NonFiniteCounts Histogram::addImpl(llvm::ArrayRef<T> values) {
  NonFiniteCounts batch;
  double lo, hi;
  uint64_t n = scanFinite(values, batch, lo, hi);
  nonFinite_ += batch;
  if (!n)
    return batch;
  min_ = total_ ? std::min(min_, lo) : lo;
  max_ = total_ ? std::max(max_, hi) : hi;

  double th = std::max(std::abs(lo), std::abs(hi));
  if (th == 0) {
    // Zeros only: they land in the centre bin whatever the range becomes,
    // so wait for a non-zero value to fix it (numpy's placeholder till then).
    if (counts_.empty())
      reset(0.5, 0);
    counts_[counts_.size() / 2] += n;
    total_ += n;
    return batch;
  }
  if (counts_.empty() || zerosOnly_) {
    reset(th, total_);
    zerosOnly_ = false;
  } else if (th > th_) {
    widen(th);
  }
  total_ += n;

  // numpy.histogram's binning: an estimate from the scaled value, then
  // corrected against the linspace edges so that edge[k] <= x < edge[k+1]
  // (the last bin includes its right edge).
  size_t bins = counts_.size();
  double first = -th_, last = th_;
  double span = last - first;
  double step = span / double(bins);
  auto edge = [&](size_t k) {
    return k == bins ? last : double(k) * step + first;
  };
  for (T v : values) {
    if (!std::isfinite(v))
      continue;
    double x = double(v);
    size_t k;
    if (x <= first) {
      k = 0;
    } else if (x >= last) {
      k = bins - 1;
    } else {
      k = std::min(size_t((x - first) / span * double(bins)), bins - 1);
      if (x < edge(k))
        --k;
      else if (k + 1 < bins && x >= edge(k + 1))
        ++k;
    }
    ++counts_[k];
  }
  return batch;
}

NonFiniteCounts Histogram::add(llvm::ArrayRef<float> values) {
  return addImpl(values);
}
NonFiniteCounts Histogram::add(llvm::ArrayRef<double> values) {
  return addImpl(values);
}

void Histogram::merge(const Histogram &other) {
  nonFinite_ += other.nonFinite_;
  if (other.empty())
    return;
  if (empty()) {
    NonFiniteCounts mine = nonFinite_;
    HistogramOptions options = options_;
    *this = other;
    nonFinite_ = mine;
    options_ = options;
    capBins();
    return;
  }
  min_ = std::min(min_, other.min_);
  max_ = std::max(max_, other.max_);
  if (other.zerosOnly_) {
    counts_[counts_.size() / 2] += other.total_;
    total_ += other.total_;
    return;
  }
  if (zerosOnly_) {
    uint64_t zeros = total_;
    counts_ = other.counts_;
    th_ = other.th_;
    zerosOnly_ = false;
    counts_[counts_.size() / 2] += zeros;
    total_ += other.total_;
    capBins();
    return;
  }

  // Target grid: the coarser width, wide enough for both ranges.
  double myWidth = binWidth(), otherWidth = other.binWidth();
  double width = std::max(myWidth, otherWidth);
  bool sameWidth = std::abs(myWidth - otherWidth) <= 1e-9 * width;
  const Histogram &coarse = myWidth >= otherWidth ? *this : other;
  size_t zero = coarse.counts_.size() / 2;
  double th = coarse.th_;
  double needTh = std::max(th_, other.th_);
  if (needTh > th) {
    if (sameWidth) {
      zero = std::max(counts_.size(), other.counts_.size()) / 2;
      th = needTh;
    } else {
      zero = size_t(std::ceil(needTh / width - 0.5));
      th = (double(zero) + 0.5) * width;
    }
  }
  std::vector<uint64_t> merged(2 * zero + 1, 0);
  addCentred(merged, width, counts_, myWidth);
  addCentred(merged, width, other.counts_, otherWidth);
  counts_ = std::move(merged);
  th_ = th;
  total_ += other.total_;
  capBins();
}
