//===- Collectors.cpp - Min/max and histogram collectors ------------------===//

#include "QDialect/Calibration/Collectors.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <limits>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

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
// Float fast path of Histogram::add
//===----------------------------------------------------------------------===//
//
// Bit-identical to the generic path: the range is the same (min and max of
// floats are exact in double, signed zeros resolved as std::min/std::max
// resolve them), and every value lands in the bin the generic path picks:
// any estimate within one bin of the right one is corrected against the
// same linspace edges, k * step + first, computed with separate roundings
// (no fused multiply-add: the AVX-512 kernel uses explicitly rounded
// multiply and add).

namespace {

/// numpy.histogram's bins over [first, last] = [-th, th].
struct BinGrid {
  size_t bins;
  double first, last, step, scale;
  BinGrid(size_t bins, double th)
      : bins(bins), first(-th), last(th), step((last - first) / double(bins)),
        scale(double(bins) / (last - first)) {}
  double edge(size_t k) const {
    return k == bins ? last : double(k) * step + first;
  }
  /// numpy.histogram's binning: an estimate from the scaled value, then corrected
  /// against the edges so that edge[k] <= x < edge[k+1] (the last bin
  /// includes its right edge).
  size_t bin(double x) const {
    if (x <= first)
      return 0;
    if (x >= last)
      return bins - 1;
    // Any estimate within one bin of the right one gives the same bin: the
    // product is within a few ulps of (x - first) / span * bins.
    size_t k = std::min(size_t((x - first) * scale), bins - 1);
    if (x < edge(k))
      --k;
    else if (k + 1 < bins && x >= edge(k + 1))
      ++k;
    return k;
  }
};

struct FloatScan {
  float lo = std::numeric_limits<float>::infinity();
  float hi = -std::numeric_limits<float>::infinity();
  uint64_t zeros = 0;
  bool nonFinite = false;
};

uint32_t absBits(float v) {
  uint32_t bits;
  std::memcpy(&bits, &v, sizeof bits);
  return bits & 0x7fffffffu;
}

FloatScan scanFloatsPortable(const float *p, size_t n) {
  FloatScan s;
  uint32_t bad = 0;
  uint64_t zeros = 0;
  float lo = s.lo, hi = s.hi;
  for (size_t i = 0; i < n; ++i) {
    float v = p[i];
    uint32_t a = absBits(v);
    bad |= uint32_t(a >= 0x7f800000u);
    zeros += a == 0;
    lo = v < lo ? v : lo;
    hi = hi < v ? v : hi;
  }
  s.lo = lo;
  s.hi = hi;
  s.zeros = zeros;
  s.nonFinite = bad != 0;
  return s;
}

/// Bins of the non-zero values of p[0, n) into out (room for n + 16).
/// Returns how many were written.
size_t binBlockPortable(const float *p, size_t n, const BinGrid &grid,
                        uint32_t *out) {
  size_t m = 0;
  for (size_t i = 0; i < n; ++i) {
    double x = double(p[i]);
    out[m] = uint32_t(grid.bin(x));
    m += x != 0;
  }
  return m;
}

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define QCALIB_AVX512 1
// GCC 12 warns about the _mm512_undefined_*() inside its own intrinsics.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#define QCALIB_AVX512_TARGET                                                   \
  __attribute__((target("avx512f,avx512vl,avx512bw,avx512dq,popcnt")))

QCALIB_AVX512_TARGET FloatScan scanFloatsAvx512(const float *p, size_t n) {
  __m512 lo0 = _mm512_set1_ps(std::numeric_limits<float>::infinity());
  __m512 hi0 = _mm512_set1_ps(-std::numeric_limits<float>::infinity());
  __m512 lo1 = lo0, hi1 = hi0;
  const __m512i absMask = _mm512_set1_epi32(0x7fffffff);
  const __m512i infBits = _mm512_set1_epi32(0x7f800000);
  __mmask16 bad = 0;
  uint64_t zeros = 0;
  size_t i = 0;
  for (; i + 32 <= n; i += 32) {
    __m512 v0 = _mm512_loadu_ps(p + i), v1 = _mm512_loadu_ps(p + i + 16);
    __m512i a0 = _mm512_and_si512(_mm512_castps_si512(v0), absMask);
    __m512i a1 = _mm512_and_si512(_mm512_castps_si512(v1), absMask);
    bad |= _mm512_cmpge_epi32_mask(a0, infBits) |
           _mm512_cmpge_epi32_mask(a1, infBits);
    zeros += __builtin_popcount(_mm512_testn_epi32_mask(a0, a0)) +
             __builtin_popcount(_mm512_testn_epi32_mask(a1, a1));
    lo0 = _mm512_min_ps(lo0, v0);
    hi0 = _mm512_max_ps(hi0, v0);
    lo1 = _mm512_min_ps(lo1, v1);
    hi1 = _mm512_max_ps(hi1, v1);
  }
  for (; i < n; i += 16) {
    __mmask16 m = n - i >= 16 ? __mmask16(0xffff)
                              : __mmask16((1u << (n - i)) - 1);
    __m512 v = _mm512_maskz_loadu_ps(m, p + i);
    __m512i a = _mm512_and_si512(_mm512_castps_si512(v), absMask);
    bad |= _mm512_mask_cmpge_epi32_mask(m, a, infBits);
    zeros += __builtin_popcount(_mm512_mask_testn_epi32_mask(m, a, a));
    lo0 = _mm512_mask_min_ps(lo0, m, lo0, v);
    hi0 = _mm512_mask_max_ps(hi0, m, hi0, v);
  }
  FloatScan s;
  alignas(64) float los[16], his[16];
  _mm512_store_ps(los, _mm512_min_ps(lo0, lo1));
  _mm512_store_ps(his, _mm512_max_ps(hi0, hi1));
  for (int j = 0; j < 16; ++j) {
    s.lo = los[j] < s.lo ? los[j] : s.lo;
    s.hi = s.hi < his[j] ? his[j] : s.hi;
  }
  s.zeros = zeros;
  s.nonFinite = bad != 0;
  return s;
}

/// binBlockPortable, 8 values at a time (in double, like the generic path).
QCALIB_AVX512_TARGET size_t binBlockAvx512(const float *p, size_t n,
                                           const BinGrid &grid,
                                           uint32_t *out) {
  constexpr int round = _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC;
  const __m512d first = _mm512_set1_pd(grid.first);
  const __m512d scale = _mm512_set1_pd(grid.scale);
  const __m512d step = _mm512_set1_pd(grid.step);
  const __m512d zero = _mm512_setzero_pd();
  const __m512d maxK = _mm512_set1_pd(double(grid.bins - 1));
  const __m256i one = _mm256_set1_epi32(1);
  const __m256i lastK = _mm256_set1_epi32(int32_t(grid.bins - 1));
  const __m256i absMask = _mm256_set1_epi32(0x7fffffff);
  size_t m = 0;
  for (size_t i = 0; i < n; i += 8) {
    __mmask8 live = n - i >= 8 ? __mmask8(0xff)
                               : __mmask8((1u << (n - i)) - 1);
    __m256 f = _mm256_maskz_loadu_ps(live, p + i);
    __m256i a = _mm256_and_si256(_mm256_castps_si256(f), absMask);
    __mmask8 nonZero = _mm256_mask_test_epi32_mask(live, a, a);
    __m512d x = _mm512_cvtps_pd(f);
    __m512d est =
        _mm512_mul_round_pd(_mm512_sub_round_pd(x, first, round), scale, round);
    est = _mm512_min_pd(_mm512_max_pd(est, zero), maxK);
    __m256i k = _mm512_cvttpd_epi32(est);
    __m512d k0 = _mm512_cvtepi32_pd(k);
    __m512d k1 = _mm512_cvtepi32_pd(_mm256_add_epi32(k, one));
    __m512d edge0 =
        _mm512_add_round_pd(_mm512_mul_round_pd(k0, step, round), first, round);
    __m512d edge1 =
        _mm512_add_round_pd(_mm512_mul_round_pd(k1, step, round), first, round);
    __mmask8 below = _mm512_cmp_pd_mask(x, edge0, _CMP_LT_OQ) &
                     _mm256_cmpgt_epi32_mask(k, _mm256_setzero_si256());
    __mmask8 above = _mm512_cmp_pd_mask(x, edge1, _CMP_GE_OQ) &
                     _mm256_cmplt_epi32_mask(k, lastK) & __mmask8(~below);
    k = _mm256_mask_sub_epi32(k, below, k, one);
    k = _mm256_mask_add_epi32(k, above, k, one);
    _mm256_storeu_si256(reinterpret_cast<__m256i *>(out + m),
                        _mm256_maskz_compress_epi32(nonZero, k));
    m += __builtin_popcount(nonZero);
  }
  return m;
}

bool haveAvx512() {
  static const bool have = [] {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512f") &&
           __builtin_cpu_supports("avx512vl") &&
           __builtin_cpu_supports("avx512bw") &&
           __builtin_cpu_supports("avx512dq") &&
           !std::getenv("QCALIB_NO_AVX512");
  }();
  return have;
}
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif
#endif

/// min and max of p[0, n) as std::min/std::max over doubles give them (the
/// first of equal values wins: a -0.0 before a 0.0 is the minimum), the
/// zeros and whether a non-finite value is there (then lo/hi are unusable).
FloatScan scanFloats(const float *p, size_t n) {
#ifdef QCALIB_AVX512
  FloatScan s = haveAvx512() ? scanFloatsAvx512(p, n) : scanFloatsPortable(p, n);
#else
  FloatScan s = scanFloatsPortable(p, n);
#endif
  if (!s.nonFinite && s.zeros && (s.lo == 0 || s.hi == 0)) {
    // A zero is the minimum (or maximum): the first zero's sign.
    const float *z = std::find(p, p + n, 0.0f);
    if (s.lo == 0)
      s.lo = *z;
    if (s.hi == 0)
      s.hi = *z;
  }
  return s;
}

/// Adds the bins of the non-zero values of p[0, n) to counts.
void binFloats(const float *p, size_t n, const BinGrid &grid,
               uint64_t *counts) {
  constexpr size_t block = 4096;
  uint32_t out[block + 16];
#ifdef QCALIB_AVX512
  bool avx512 = haveAvx512();
#endif
  for (size_t i = 0; i < n; i += block) {
    size_t len = std::min(block, n - i);
#ifdef QCALIB_AVX512
    size_t m = avx512 ? binBlockAvx512(p + i, len, grid, out)
                      : binBlockPortable(p + i, len, grid, out);
#else
    size_t m = binBlockPortable(p + i, len, grid, out);
#endif
    for (size_t j = 0; j < m; ++j)
      ++counts[out[j]];
  }
}

} // namespace

NonFiniteCounts MinMax::add(llvm::ArrayRef<float> values) {
  // The vectorized scan of Histogram's float path; data with a non-finite
  // value takes the generic path, which counts them.
  FloatScan scan = scanFloats(values.data(), values.size());
  if (scan.nonFinite)
    return addImpl(values);
  if (!values.empty()) {
    double lo = scan.lo, hi = scan.hi;
    min_ = count_ ? std::min(min_, lo) : lo;
    max_ = count_ ? std::max(max_, hi) : hi;
    count_ += values.size();
  }
  return NonFiniteCounts();
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

bool Histogram::prepare(double lo, double hi, uint64_t n) {
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
    return false;
  }
  if (counts_.empty() || zerosOnly_) {
    reset(th, total_);
    zerosOnly_ = false;
  } else if (th > th_) {
    widen(th);
  }
  total_ += n;
  return true;
}

template <typename T>
NonFiniteCounts Histogram::addImpl(llvm::ArrayRef<T> values) {
  NonFiniteCounts batch;
  double lo, hi;
  uint64_t n = scanFinite(values, batch, lo, hi);
  nonFinite_ += batch;
  if (!n || !prepare(lo, hi, n))
    return batch;

  BinGrid grid(counts_.size(), th_);
  for (T v : values) {
    if (!std::isfinite(v))
      continue;
    ++counts_[grid.bin(double(v))];
  }
  return batch;
}

NonFiniteCounts Histogram::add(llvm::ArrayRef<float> values) {
  // The float fast path (all that q-calibrate adds): one vectorized scan for
  // the range, the zeros and the non-finite values, then vectorized binning
  // that leaves the zeros out (they all fall in the bin of 0). Data with a
  // non-finite value takes the generic path.
  FloatScan scan = scanFloats(values.data(), values.size());
  if (scan.nonFinite)
    return addImpl(values);
  NonFiniteCounts batch;
  if (values.empty() || !prepare(double(scan.lo), double(scan.hi),
                                 uint64_t(values.size())))
    return batch;
  BinGrid grid(counts_.size(), th_);
  binFloats(values.data(), values.size(), grid, counts_.data());
  counts_[grid.bin(0.0)] += scan.zeros;
  return batch;
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
