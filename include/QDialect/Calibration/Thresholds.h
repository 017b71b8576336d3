//===- Thresholds.h - Calibration ranges from collected statistics -*- C++
//-*-===//
//
// Turns what the collectors gathered into the calibrated range of a tensor:
// naive (min, max), entropy (KL divergence, MXNet >= 1.6 semantics) and
// percentile. docs/CALIBRATION.md describes what exactly is computed and
// where q departs from MXNet.
//
//===----------------------------------------------------------------------===//

#ifndef QDIALECT_CALIBRATION_THRESHOLDS_H
#define QDIALECT_CALIBRATION_THRESHOLDS_H

#include "QDialect/Calibration/Collectors.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/Support/Error.h"

#include <cstdint>
#include <vector>

namespace qcalib {

/// The quantized type asked for; Auto and UInt8 calibrate a non-negative
/// tensor as unsigned.
enum class QuantizedType { Int8, UInt8, Auto };

struct Range {
  double min = 0, max = 0;
};

/// Naive mode: the collected (min, max) exactly. Fails when no finite value
/// was seen.
llvm::Expected<Range> naiveRange(const MinMax &stats);

/// MXNet's unsigned case: data min >= 0 and the type is uint8 or auto.
bool isUnsignedCase(double dataMin, QuantizedType type);

//===----------------------------------------------------------------------===//
// Entropy (KL divergence)
//===----------------------------------------------------------------------===//

struct EntropyOptions {
  QuantizedType type = QuantizedType::Int8;
  /// Levels of the quantized distribution; 2 * n + 1 in the unsigned case
  /// (MXNet: 255 -> 511).
  unsigned numQuantizedBins = 255;
  /// _smooth_distribution's eps.
  float smoothEps = 1e-4f;
  /// When no candidate has a finite divergence (all the mass outside every
  /// window: a negative constant tensor, say), MXNet returns the smallest
  /// candidate, which clips nearly everything; q returns the widest (the
  /// full histogram range) unless this asks for MXNet's choice.
  bool mxnetAllInfiniteChoice = false;
};

struct EntropyResult {
  /// The calibrated range: (-threshold, threshold), or (0, threshold) in the
  /// unsigned case.
  Range range;
  /// A bin edge of the histogram rounded to float32, as MXNet's op returns.
  double threshold = 0;
  /// KL divergence at the threshold; FLT_MAX when no candidate was finite.
  double divergence = 0;
  /// The threshold is edge(binStop): candidate i = binStop - counts/2 - 1.
  size_t binStop = 0;
  /// numQuantizedBins actually used (511 in the unsigned case).
  unsigned numQuantizedBins = 0;
  /// Some candidate had a finite divergence.
  bool finite = false;
};

/// The threshold minimizing KL(P || Q) over the candidates of MXNet >= 1.6's
/// `_contrib_calibrate_entropy`, computed with the fast search (a few
/// milliseconds for 8001 bins; docs/CALIBRATION.md). The histogram must have
/// an odd number of bins, at least numQuantizedBins (as used), and some
/// count.
llvm::Expected<EntropyResult> entropyThreshold(const HistogramRef &hist,
                                               const EntropyOptions &options);

/// The same result computed the straightforward way, transliterating the
/// C++ op's steps in float32 (O(bins) per candidate; for tests and the
/// benchmark).
llvm::Expected<EntropyResult>
entropyThresholdReference(const HistogramRef &hist,
                          const EntropyOptions &options);

/// Divergence of every candidate i = numQuantizedBins / 2 .. counts.size()
/// / 2 (index i - numQuantizedBins / 2), the window being bins
/// [n/2 - i, n/2 + i]; +inf where q (or p) cannot be smoothed. The fast
/// search, in double precision.
llvm::Expected<std::vector<double>>
entropyDivergences(llvm::ArrayRef<uint64_t> counts, unsigned numQuantizedBins,
                   float smoothEps = 1e-4f);

/// The same divergences from the float32 transliteration of the C++ op.
llvm::Expected<std::vector<float>>
entropyDivergencesReference(llvm::ArrayRef<uint64_t> counts,
                            unsigned numQuantizedBins, float smoothEps = 1e-4f);

/// MXNet's _smooth_distribution: every zero gets eps, the non-zeros give
/// it back evenly (eps * zeros / nonzeros each). Fails when all entries are
/// zero or the non-zeros cannot give that much (eps1 >= 1, or an entry
/// would not stay positive).
llvm::Expected<std::vector<float>> smoothDistribution(llvm::ArrayRef<float> p,
                                                      float eps = 1e-4f);

//===----------------------------------------------------------------------===//
// Percentile
//===----------------------------------------------------------------------===//

/// The `percent` quantile (0 < percent <= 100) of |x|, read off the
/// histogram (values spread evenly within each bin) and capped at the data's
/// max |x|; range (-th, th), or (0, th) in the unsigned case.
llvm::Expected<Range> percentileRange(const HistogramRef &hist, double percent,
                                      QuantizedType type = QuantizedType::Int8);

//===----------------------------------------------------------------------===//
// Least squared error
//===----------------------------------------------------------------------===//

/// The threshold th that minimizes the expected squared quantization error
/// of the histogram's values (each bin's count at its centre): clipping
/// error (|x| - th)^2 beyond th, rounding error step^2 / 12 within, with
/// step = th / 127.5 (th / 255.5 in the unsigned case). Candidates are the
/// bin edges on the positive side, capped at the data's max |x|; range
/// (-th, th), or (0, th) in the unsigned case.
llvm::Expected<Range> mseRange(const HistogramRef &hist,
                               QuantizedType type = QuantizedType::Int8);

} // namespace qcalib

#endif // QDIALECT_CALIBRATION_THRESHOLDS_H
