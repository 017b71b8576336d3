//===- Entropy.cpp - KL-divergence threshold search
//------------------------===//
//
// Two implementations of the candidate search of MXNet >= 1.6's
// `_contrib_calibrate_entropy` (semantics: docs/CALIBRATION.md):
//
//  * entropyDivergencesReference: the op's steps one by one, in float32,
//    O(bins) per candidate (O(bins^2) per search).
//  * entropyDivergences: the same divergences in double precision from
//    prefix sums, without building p and q. Per candidate, with
//    e = eps * zeros(p) / nonzeros(p) and eq = eps * zeros(q) / nonzeros(q)
//    the smoothing shifts, and Sp, Sq the sums of p and q (smoothing keeps
//    them):
//
//      KL = (sum p' log p' - sum p' log q') / Sp + log(Sq / Sp)
//
//    where only the bins with p != 0 contribute (a zero of p is a zero of q,
//    both become eps and cancel). sum p' log p' = sum (x - e) log(x - e) over
//    the non-zero counts x is a short series in e over prefix sums of
//    x log x, log x and x^-k (counts are integers, so x >= 1 and e <= 0.01
//    makes 4 terms exact to ~1e-11 relative). sum p' log q' is, per merged
//    bin j with Q_j = its count and n_j its non-zero bins,
//    (P_j - n_j e) log(Q_j / n_j - eq): O(1) per group from prefix sums,
//    and for the interior groups (pure blocks of m bins) a series in eq
//    whose per-block coefficients are summed once per (m, block start) and
//    read per candidate with two chained prefix lookups.
//
//===----------------------------------------------------------------------===//

#include "QDialect/Calibration/Thresholds.h"

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <limits>

using namespace qcalib;
using llvm::ArrayRef;

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
/// Smoothing shifts up to this use the series; larger ones (only in very
/// sparse windows) are summed bin by bin.
constexpr double kSeriesMaxShift = 0.01;

llvm::Error makeError(const llvm::Twine &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), message);
}

llvm::Error checkSearchArgs(ArrayRef<uint64_t> counts,
                            unsigned numQuantizedBins) {
  size_t n = counts.size();
  if (n < 3 || n % 2 == 0)
    return makeError("entropy calibration needs an odd number of histogram "
                     "bins (>= 3), got " +
                     llvm::Twine(n));
  if (numQuantizedBins < 2)
    return makeError("entropy calibration needs at least 2 quantized bins");
  if (n / 2 < numQuantizedBins / 2)
    return makeError("histogram of " + llvm::Twine(n) +
                     " bins is too small for " + llvm::Twine(numQuantizedBins) +
                     " quantized bins");
  return llvm::Error::success();
}

/// y log y, with 0 log 0 = 0.
double xlogx(double y) { return y > 0 ? y * std::log(y) : 0.0; }

class FastSearch {
public:
  FastSearch(ArrayRef<uint64_t> counts, unsigned numQuantizedBins, float eps)
      : hist(counts), nqb(numQuantizedBins), eps(double(eps)),
        logEps(std::log(double(eps))) {
    size_t n = counts.size();
    sum.assign(n + 1, 0);
    nonzero.assign(n + 1, 0);
    sumXLogX.assign(n + 1, 0);
    sumLog.assign(n + 1, 0);
    for (auto &v : sumInv)
      v.assign(n + 1, 0);
    for (size_t k = 0; k < n; ++k) {
      uint64_t c = counts[k];
      sum[k + 1] = sum[k] + c;
      nonzero[k + 1] = nonzero[k] + (c != 0);
      double x = double(c), lx = c ? std::log(x) : 0.0, inv = c ? 1 / x : 0.0;
      sumXLogX[k + 1] = sumXLogX[k] + x * lx;
      sumLog[k + 1] = sumLog[k] + lx;
      sumInv[0][k + 1] = sumInv[0][k] + inv;
      sumInv[1][k + 1] = sumInv[1][k] + inv * inv;
      sumInv[2][k + 1] = sumInv[2][k] + inv * inv * inv;
      if (c)
        nonzeroBins.push_back(k);
    }
    total = double(sum[n]);
  }

  std::vector<double> run() {
    size_t zero = hist.size() / 2, half = nqb / 2;
    std::vector<double> divergence(zero + 1 - half, kInf);
    // Candidates sharing m = window / nqb share the block layout.
    for (size_t i = half; i <= zero;) {
      size_t m = (2 * i + 1) / nqb;
      size_t last = std::min(zero, (nqb * (m + 1) - 1) / 2);
      while ((2 * last + 1) / nqb != m)
        --last;
      size_t numCandidates = last - i + 1;
      size_t blockStarts = numCandidates + (nqb > 3 ? (nqb - 3) * m : 0);
      bool useBlocks = nqb > 2 && blockStarts < numCandidates * (nqb - 2);
      if (useBlocks)
        buildBlocks(zero - last, zero - i, m);
      for (size_t c = i; c <= last; ++c)
        divergence[c - half] = candidate(c, m, useBlocks);
      i = last + 1;
    }
    return divergence;
  }

private:
  /// Per-block coefficients of the interior q term, chained over starts
  /// a, a - m, a - 2m, ... (see buildBlocks).
  struct BlockSums {
    double s0 = 0, s1 = 0, r[5] = {0, 0, 0, 0, 0};
  };

  /// Interior groups of the candidates with window start s in [sLo, sHi]
  /// and merge width m start at s + m, ..., s + (nqb - 2) m.
  void buildBlocks(size_t sLo, size_t sHi, size_t m) {
    blockBase = sLo + m;
    size_t top = sHi + (nqb - 2) * m;
    chain.assign(top - blockBase + 1, BlockSums());
    for (size_t a = blockBase; a <= top; ++a) {
      BlockSums &b = chain[a - blockBase];
      if (a >= blockBase + m)
        b = chain[a - m - blockBase];
      uint64_t q = sum[a + m] - sum[a];
      if (!q)
        continue;
      double qd = double(q), nd = double(nonzero[a + m] - nonzero[a]);
      double lq = std::log(qd / nd), t = nd / qd;
      b.s0 += qd * lq;
      b.s1 += nd * lq;
      double r = nd;
      for (double &rk : b.r) {
        rk += r;
        r *= t;
      }
    }
  }

  /// Sum over the interior groups of (Q - n e) log(Q / n - eq).
  double interiorQTerm(size_t s, size_t m, double e, double eq,
                       bool useBlocks) const {
    if (nqb < 3)
      return 0;
    if (useBlocks && eq <= kSeriesMaxShift) {
      // (Q - n e)(log(Q/n) + log(1 - n eq / Q)), log(1 - u) as a series;
      // n <= Q, so u <= eq and 4 terms leave < eq^5 / 5 relative.
      const BlockSums &hiSum = chain[s + (nqb - 2) * m - blockBase];
      BlockSums loSum;
      if (s >= blockBase)
        loSum = chain[s - blockBase];
      double s0 = hiSum.s0 - loSum.s0, s1 = hiSum.s1 - loSum.s1;
      double r[5];
      for (int k = 0; k < 5; ++k)
        r[k] = hiSum.r[k] - loSum.r[k];
      double series = 0, power = 1;
      for (int k = 1; k <= 4; ++k) {
        power *= eq;
        series += power / k * (r[k - 1] - e * r[k]);
      }
      return s0 - e * s1 - series;
    }
    double acc = 0;
    for (size_t j = 1; j + 1 < nqb; ++j) {
      size_t a = s + j * m;
      uint64_t q = sum[a + m] - sum[a];
      if (!q)
        continue;
      double qd = double(q), nd = double(nonzero[a + m] - nonzero[a]);
      acc += (qd - nd * e) * std::log(qd / nd - eq);
    }
    return acc;
  }

  /// Sum of (x - e) log(x - e) over the non-zero counts x of bins [lo, hi).
  double interiorPTerm(size_t lo, size_t hi, double e) const {
    if (e <= kSeriesMaxShift) {
      // (x - e) log(x - e) = x log x - e (log x + 1)
      //                      + sum_{k>=2} e^k / (k (k - 1) x^(k-1)).
      double cnt = double(nonzero[hi] - nonzero[lo]);
      return (sumXLogX[hi] - sumXLogX[lo]) -
             e * (sumLog[hi] - sumLog[lo] + cnt) +
             e * e / 2 * (sumInv[0][hi] - sumInv[0][lo]) +
             e * e * e / 6 * (sumInv[1][hi] - sumInv[1][lo]) +
             e * e * e * e / 12 * (sumInv[2][hi] - sumInv[2][lo]);
    }
    // e > 0.01 means fewer than 1 in 100 bins is non-zero: visit those.
    double acc = 0;
    auto it = std::lower_bound(nonzeroBins.begin(), nonzeroBins.end(), lo);
    for (; it != nonzeroBins.end() && *it < hi; ++it)
      acc += xlogx(double(hist[*it]) - e);
    return acc;
  }

  double candidate(size_t i, size_t m, bool useBlocks) const {
    size_t n = hist.size(), zero = n / 2;
    size_t s = zero - i, e = zero + i + 1, len = 2 * i + 1;
    // p: bins s+1 .. e-2 as they are; p[0] = sum of bins 0..s (bin s is
    // folded into p[0]); p[len-1] = sum of bins e-1 .. n-1.
    uint64_t left = sum[s + 1], right = sum[n] - sum[e - 1];
    size_t nnzP =
        (nonzero[e - 1] - nonzero[s + 1]) + (left != 0) + (right != 0);
    if (!nnzP)
      return kInf;
    double ep = eps * double(len - nnzP) / double(nnzP);
    if (ep >= 1)
      return kInf;

    // The first group [0, m): q's slice leaves bin s out (0 there).
    uint64_t q0 = sum[s + m] - sum[s + 1];
    size_t n0 = (nonzero[s + m] - nonzero[s + 1]) + (left != 0);
    double p0 = double(left) + double(q0);
    // The last group [(nqb-1) m, len) absorbs the remainder.
    size_t a = s + (nqb - 1) * m;
    uint64_t qL = sum[e] - sum[a];
    size_t nL = (nonzero[e - 1] - nonzero[a]) + (right != 0);
    double pL = double(sum[e - 1] - sum[a]) + double(right);
    // Interior groups: Q == 0 exactly when n == 0 there.
    size_t nnzQ = (nonzero[a] - nonzero[s + m]) + (q0 ? n0 : 0) + (qL ? nL : 0);
    if (!nnzQ)
      return kInf;
    double eq = eps * double(len - nnzQ) / double(nnzQ);
    if (eq >= 1)
      return kInf;

    // sum p' log q' over the bins with p != 0.
    double pq = 0;
    auto edgeGroup = [&](double p, uint64_t q, size_t nz) {
      if (!nz)
        return true;
      double w = p - double(nz) * ep;
      if (!q) {
        pq += w * logEps;
        return true;
      }
      double qv = double(q) / double(nz) - eq;
      if (qv <= 0)
        return false; // MXNet's CHECK(q > 0) would fail: not a candidate.
      pq += w * std::log(qv);
      return true;
    };
    if (!edgeGroup(p0, q0, n0) || !edgeGroup(pL, qL, nL))
      return kInf;
    pq += interiorQTerm(s, m, ep, eq, useBlocks);

    // sum p' log p' over the bins with p != 0.
    double pp = xlogx(double(left) - (left ? ep : 0)) +
                xlogx(double(right) - (right ? ep : 0)) +
                interiorPTerm(s + 1, e - 1, ep);

    double sq = double(sum[e] - sum[s + 1]);
    return (pp - pq) / total + std::log(sq / total);
  }

  ArrayRef<uint64_t> hist;
  size_t nqb;
  double eps, logEps, total = 0;
  std::vector<uint64_t> sum;
  std::vector<size_t> nonzero;
  std::vector<double> sumXLogX, sumLog, sumInv[3];
  std::vector<size_t> nonzeroBins;
  std::vector<BlockSums> chain;
  size_t blockBase = 0;
};

//===----------------------------------------------------------------------===//
// Reference: the C++ op transliterated, float32
//===----------------------------------------------------------------------===//

/// A float32 sum as numpy's pairwise summation computes it (blocks of up
/// to 128 summed in 8 interleaved lanes, halves recursively). The op itself
/// sums sequentially, whose rounding noise (~1e-5 on KL values near 0.01)
/// exceeds the differences between neighbouring candidates on flat curves;
/// the oracle's float32 transliteration sums like numpy, and so do we.
float pairwiseSum(const float *a, size_t n) {
  if (n < 8) {
    float res = 0.f;
    for (size_t k = 0; k < n; ++k)
      res += a[k];
    return res;
  }
  if (n <= 128) {
    float r[8];
    for (int j = 0; j < 8; ++j)
      r[j] = a[j];
    size_t k = 8;
    for (; k < n - n % 8; k += 8)
      for (int j = 0; j < 8; ++j)
        r[j] += a[k + j];
    float res =
        ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
    for (; k < n; ++k)
      res += a[k];
    return res;
  }
  size_t half = n / 2;
  half -= half % 8;
  return pairwiseSum(a, half) + pairwiseSum(a + half, n - half);
}

/// The op's SmoothDistribution; false when it returns nothing.
bool smoothInPlace(std::vector<float> &p, float eps) {
  size_t zeros = 0;
  for (float v : p)
    zeros += v == 0.f;
  size_t nonzeros = p.size() - zeros;
  if (!nonzeros)
    return false;
  float eps1 = eps * float(zeros) / float(nonzeros);
  if (eps1 >= 1.0f)
    return false;
  for (float &v : p) {
    bool isZero = v == 0.f;
    v += eps * float(isZero) - eps1 * float(!isZero);
  }
  return true;
}

/// The op's ComputeEntropy; +inf where the op's CHECK(p > 0 && q > 0)
/// would abort.
float klDivergence(std::vector<float> &p, std::vector<float> &q,
                   std::vector<float> &terms) {
  float pSum = pairwiseSum(p.data(), p.size());
  float qSum = pairwiseSum(q.data(), q.size());
  for (float &v : p)
    v = v / pSum;
  for (float &v : q)
    v = v / qSum;
  terms.resize(p.size());
  for (size_t k = 0; k < p.size(); ++k) {
    if (!(p[k] > 0 && q[k] > 0))
      return std::numeric_limits<float>::infinity();
    terms[k] = p[k] * std::log(p[k] / q[k]);
  }
  return pairwiseSum(terms.data(), terms.size());
}

std::vector<float> referenceSearch(ArrayRef<uint64_t> counts,
                                   unsigned numQuantizedBins, float eps) {
  size_t numBins = counts.size();
  std::vector<float> hist(counts.begin(), counts.end());
  size_t zero = numBins / 2, half = numQuantizedBins / 2;
  std::vector<float> divergence(zero + 1 - half);
  std::vector<uint64_t> sliced;
  std::vector<float> p, q, terms, merged(numQuantizedBins);
  for (size_t i = half; i <= zero; ++i) {
    size_t start = zero - i, stop = zero + i + 1, len = stop - start;
    sliced.assign(len, 0);
    p.assign(len, 0.f);
    for (size_t j = 0; j < numBins; ++j) {
      if (j <= start) {
        p[0] += hist[j];
      } else if (j >= stop) {
        p[len - 1] += hist[j];
      } else {
        sliced[j - start] = uint64_t(hist[j]);
        p[j - start] = hist[j];
      }
    }
    size_t m = len / numQuantizedBins;
    for (size_t j = 0; j < numQuantizedBins; ++j) {
      uint64_t acc = 0;
      for (size_t k = j * m; k < (j + 1) * m; ++k)
        acc += sliced[k];
      merged[j] = float(acc);
    }
    uint64_t rest = 0;
    for (size_t k = numQuantizedBins * m; k < len; ++k)
      rest += sliced[k];
    merged.back() += float(rest);

    q.assign(len, 0.f);
    for (size_t j = 0; j < numQuantizedBins; ++j) {
      size_t from = j * m;
      size_t to = j + 1 == numQuantizedBins ? len : (j + 1) * m;
      // The op counts non-zeros through a size_t conversion of p.
      int norm = 0;
      for (size_t k = from; k < to; ++k)
        norm += uint64_t(p[k]) != 0;
      if (!norm)
        continue;
      for (size_t k = from; k < to; ++k)
        if (p[k] != 0.f)
          q[k] = merged[j] / float(norm);
    }
    bool ok = smoothInPlace(p, eps) && smoothInPlace(q, eps);
    divergence[i - half] =
        ok ? klDivergence(p, q, terms) : std::numeric_limits<float>::infinity();
  }
  return divergence;
}

/// Picks the threshold like the op: strict < from FLT_MAX, so no NaN or inf
/// is ever chosen.
template <typename T>
llvm::Expected<EntropyResult>
pickThreshold(const HistogramRef &hist, const EntropyOptions &options,
              unsigned nqb, const std::vector<T> &divergence) {
  size_t best = 0;
  double bestValue = FLT_MAX;
  bool finite = false;
  for (size_t k = 0; k < divergence.size(); ++k) {
    if (double(divergence[k]) < bestValue) {
      bestValue = double(divergence[k]);
      best = k;
      finite = true;
    }
  }
  if (!finite && !options.mxnetAllInfiniteChoice)
    best = divergence.size() - 1;
  EntropyResult result;
  result.binStop = hist.counts.size() / 2 + (best + nqb / 2) + 1;
  result.threshold = double(float(hist.edge(result.binStop)));
  result.divergence = bestValue;
  result.numQuantizedBins = nqb;
  result.finite = finite;
  double th = result.threshold;
  result.range = isUnsignedCase(hist.dataMin, options.type) ? Range{0, th}
                                                            : Range{-th, th};
  return result;
}

llvm::Expected<unsigned> effectiveBins(const HistogramRef &hist,
                                       const EntropyOptions &options) {
  unsigned nqb = options.numQuantizedBins;
  // #14150: a non-negative tensor quantized as uint8 uses the negative
  // half of the levels too.
  if (isUnsignedCase(hist.dataMin, options.type))
    nqb = 2 * nqb + 1;
  if (auto err = checkSearchArgs(hist.counts, nqb))
    return std::move(err);
  if (!(hist.hi > hist.lo) || !std::isfinite(hist.lo) ||
      !std::isfinite(hist.hi))
    return makeError("histogram range must be finite and non-empty");
  if (hist.total() == 0)
    return makeError("histogram is empty");
  return nqb;
}

} // namespace

bool qcalib::isUnsignedCase(double dataMin, QuantizedType type) {
  return dataMin >= 0 && type != QuantizedType::Int8;
}

llvm::Expected<std::vector<double>>
qcalib::entropyDivergences(ArrayRef<uint64_t> counts, unsigned numQuantizedBins,
                           float smoothEps) {
  if (auto err = checkSearchArgs(counts, numQuantizedBins))
    return std::move(err);
  return FastSearch(counts, numQuantizedBins, smoothEps).run();
}

llvm::Expected<std::vector<float>> qcalib::entropyDivergencesReference(
    ArrayRef<uint64_t> counts, unsigned numQuantizedBins, float smoothEps) {
  if (auto err = checkSearchArgs(counts, numQuantizedBins))
    return std::move(err);
  return referenceSearch(counts, numQuantizedBins, smoothEps);
}

llvm::Expected<EntropyResult>
qcalib::entropyThreshold(const HistogramRef &hist,
                         const EntropyOptions &options) {
  auto nqb = effectiveBins(hist, options);
  if (!nqb)
    return nqb.takeError();
  std::vector<double> divergence =
      FastSearch(hist.counts, *nqb, options.smoothEps).run();
  return pickThreshold(hist, options, *nqb, divergence);
}

llvm::Expected<EntropyResult>
qcalib::entropyThresholdReference(const HistogramRef &hist,
                                  const EntropyOptions &options) {
  auto nqb = effectiveBins(hist, options);
  if (!nqb)
    return nqb.takeError();
  std::vector<float> divergence =
      referenceSearch(hist.counts, *nqb, options.smoothEps);
  return pickThreshold(hist, options, *nqb, divergence);
}

llvm::Expected<std::vector<float>> qcalib::smoothDistribution(ArrayRef<float> p,
                                                              float eps) {
  size_t zeros = 0;
  for (float v : p)
    zeros += v == 0.f;
  if (zeros == p.size())
    return makeError("the distribution is malformed: all entries are 0");
  std::vector<float> out(p.begin(), p.end());
  if (!smoothInPlace(out, eps))
    return makeError("cannot smooth: eps * zeros / nonzeros >= 1");
  for (float v : out)
    if (!(v > 0))
      return makeError("cannot smooth: an entry would not stay positive");
  return out;
}
