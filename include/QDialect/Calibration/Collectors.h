//===- Collectors.h - Statistics gathered over calibration batches -*- C++
//-*-===//
//
// What q-calibrate records for each calibrated tensor while it runs the
// model over the calibration data: the running minimum and maximum (naive
// mode) and a histogram (entropy and percentile modes). Plain C++ on LLVM
// Support; no MLIR. See docs/CALIBRATION.md for the exact semantics and how
// they relate to MXNet's collectors.
//
// Non-finite values (NaN, +Inf, -Inf) never enter a statistic: every add()
// skips them and returns how many it saw, so that the caller can name the
// batch and the tensor in its report.
//
//===----------------------------------------------------------------------===//

#ifndef QDIALECT_CALIBRATION_COLLECTORS_H
#define QDIALECT_CALIBRATION_COLLECTORS_H

#include "llvm/ADT/ArrayRef.h"

#include <cstdint>
#include <vector>

namespace qcalib {

/// Counts of the non-finite values met in one batch (or in all of them).
struct NonFiniteCounts {
  uint64_t nan = 0;
  uint64_t posInf = 0;
  uint64_t negInf = 0;

  uint64_t total() const { return nan + posInf + negInf; }
  bool any() const { return total() != 0; }
  NonFiniteCounts &operator+=(const NonFiniteCounts &other) {
    nan += other.nan;
    posInf += other.posInf;
    negInf += other.negInf;
    return *this;
  }
};

/// Running minimum and maximum of the finite values seen (MXNet's naive
/// calibration).
class MinMax {
public:
  NonFiniteCounts add(llvm::ArrayRef<float> values);
  NonFiniteCounts add(llvm::ArrayRef<double> values);
  /// Combines statistics collected separately (e.g. by other threads).
  void merge(const MinMax &other);

  /// True until a finite value has been seen; min()/max() are 0 then.
  bool empty() const { return count_ == 0; }
  double min() const { return empty() ? 0.0 : min_; }
  double max() const { return empty() ? 0.0 : max_; }
  /// Finite values seen.
  uint64_t count() const { return count_; }
  /// Non-finite values seen over all batches.
  const NonFiniteCounts &nonFinite() const { return nonFinite_; }

private:
  template <typename T> NonFiniteCounts addImpl(llvm::ArrayRef<T> values);

  double min_ = 0, max_ = 0;
  uint64_t count_ = 0;
  NonFiniteCounts nonFinite_;
};

/// A histogram's data as the threshold searches read it: `counts.size()`
/// equal-width bins over [lo, hi] (edges as numpy.linspace(lo, hi, n + 1)),
/// and the minimum and maximum of the data it holds.
struct HistogramRef {
  llvm::ArrayRef<uint64_t> counts;
  double lo = 0, hi = 0;
  double dataMin = 0, dataMax = 0;

  uint64_t total() const;
  /// The bin's left edge, computed as numpy computes it; edge(n) == hi.
  double edge(size_t k) const;
};

struct HistogramOptions {
  /// Bins of the first batch's histogram (MXNet >= 1.6: 8001). Must be odd,
  /// so that one bin is centred on zero.
  unsigned numBins = 8001;
  /// Widening keeps the bin width, so an outlier batch can multiply the
  /// bin count. Beyond this many bins, neighbouring bins are merged (by an
  /// odd factor, keeping the zero-centred layout). Must be odd and at least
  /// 3 * numBins.
  unsigned maxBins = (1u << 20) + 1;
};

/// Histogram of the finite values over a range symmetric around zero, with
/// MXNet >= 1.6 semantics: `numBins` bins over (-th, th), th = max(|min|,
/// |max|) of the first batch; a later batch with a larger |value| widens the
/// range by whole bins on both sides (same bin width, so the counts so far
/// stay exact) before its values are added. Values are binned as
/// numpy.histogram bins them (right edge included in the last bin).
///
/// Zeros-only batches before any non-zero value do not fix the range: they
/// are counted in the centre bin and the range comes from the first batch
/// with a non-zero value (all-zero data ends with numpy's range (-0.5, 0.5)).
class Histogram {
public:
  explicit Histogram(HistogramOptions options = {});
  /// A histogram with a fixed starting range (-th, th), th > 0: threads that
  /// share it collect histograms that merge exactly.
  static Histogram withRange(double th, HistogramOptions options = {});

  NonFiniteCounts add(llvm::ArrayRef<float> values);
  NonFiniteCounts add(llvm::ArrayRef<double> values);

  /// Adds the counts of `other` (collected separately, e.g. by another
  /// thread). Exact when both have the same bin width (the case for
  /// histograms started withRange() with one th); otherwise the bins of the
  /// finer one are moved to the coarser grid by their centres.
  void merge(const Histogram &other);

  /// No finite value seen yet.
  bool empty() const { return total_ == 0; }
  uint64_t total() const { return total_; }
  double dataMin() const { return min_; }
  double dataMax() const { return max_; }
  /// Half-width of the range: bins cover (-th(), th()).
  double th() const { return th_; }
  double binWidth() const {
    return counts_.empty() ? 0 : 2 * th_ / counts_.size();
  }
  llvm::ArrayRef<uint64_t> counts() const { return counts_; }
  const NonFiniteCounts &nonFinite() const { return nonFinite_; }

  HistogramRef ref() const { return {counts_, -th_, th_, min_, max_}; }

private:
  template <typename T> NonFiniteCounts addImpl(llvm::ArrayRef<T> values);
  /// Takes in the range and count of a batch's `n` finite values: updates
  /// the data's min/max, sets up or widens the bins and counts `n`. False
  /// when they were all zeros (then already counted in the centre bin).
  bool prepare(double lo, double hi, uint64_t n);
  /// Sets up bins over (-th, th) holding `zeros` zeros.
  void reset(double th, uint64_t zeros);
  /// Widens to cover |x| <= th by whole bins of the current width.
  void widen(double th);
  /// Merges `factor` (odd) neighbouring bins into one around the centre.
  void coarsen(unsigned factor);
  void capBins();

  HistogramOptions options_;
  std::vector<uint64_t> counts_;
  double th_ = 0;
  /// Only zeros so far: the range is numpy's (-0.5, 0.5) placeholder.
  bool zerosOnly_ = true;
  uint64_t total_ = 0;
  double min_ = 0, max_ = 0;
  NonFiniteCounts nonFinite_;
};

} // namespace qcalib

#endif // QDIALECT_CALIBRATION_COLLECTORS_H
