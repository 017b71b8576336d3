//===- Statistics.cpp - Per-tensor statistics of a calibration run --------===//
//
// StatisticsCollector (Statistics.h): the collectors of every observed
// tensor, updated by several threads per batch, and the ranges and table
// that follow from them.
//
//===----------------------------------------------------------------------===//

#include "QDialect/Calibration/Statistics.h"

#include "llvm/Support/Format.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <limits>
#include <numeric>
#include <optional>
#include <thread>

using namespace q::calibrate;
using qcalib::QuantizedType;

static llvm::Error makeError(const llvm::Twine &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), message);
}

const char *q::calibrate::modeName(Mode mode) {
  switch (mode) {
  case Mode::Naive:
    return "naive";
  case Mode::Entropy:
    return "entropy";
  case Mode::Percentile:
    return "percentile";
  case Mode::Mse:
    return "mse";
  }
  return "?";
}

llvm::Expected<Mode> q::calibrate::parseMode(llvm::StringRef value,
                                             llvm::StringRef option) {
  for (Mode mode : {Mode::Naive, Mode::Entropy, Mode::Percentile, Mode::Mse})
    if (value == modeName(mode))
      return mode;
  return makeError(option + "=" + value +
                   " is not valid; expected naive, entropy, percentile or "
                   "mse");
}

const char *q::calibrate::typeName(QuantizedType type) {
  switch (type) {
  case QuantizedType::Int8:
    return "int8";
  case QuantizedType::UInt8:
    return "uint8";
  case QuantizedType::Auto:
    return "auto";
  }
  return "?";
}

/// One tensor's collectors: min/max for naive mode, a histogram otherwise
/// (it keeps the data's min and max too).
struct StatisticsCollector::Tensor {
  qcalib::MinMax minMax;
  std::optional<qcalib::Histogram> histogram;
  size_t lastSize = 0;
  /// Finite values below zero (what uint8 would clip).
  uint64_t negatives = 0;
  /// Per-channel min/max, when asked for.
  std::vector<float> channelMin, channelMax;
  /// This batch's non-finite values (read after the threads joined).
  qcalib::NonFiniteCounts batch;
};

StatisticsCollector::StatisticsCollector(std::vector<std::string> names,
                                         CollectOptions options)
    : names_(std::move(names)), options_(options) {
  for (size_t i = 0; i < names_.size(); ++i) {
    tensors_.push_back(std::make_unique<Tensor>());
    if (options_.mode != Mode::Naive)
      tensors_.back()->histogram.emplace();
    if (i < options_.channelLayouts.size() &&
        options_.channelLayouts[i].channels > 0) {
      size_t channels = size_t(options_.channelLayouts[i].channels);
      tensors_.back()->channelMin.assign(
          channels, std::numeric_limits<float>::infinity());
      tensors_.back()->channelMax.assign(
          channels, -std::numeric_limits<float>::infinity());
    }
  }
  order_.resize(names_.size());
  std::iota(order_.begin(), order_.end(), 0);
  if (!options_.threads)
    options_.threads = std::max(1u, std::thread::hardware_concurrency());
}

StatisticsCollector::~StatisticsCollector() = default;

/// Per-channel min/max of NCHW data: `inner` values per channel, channels
/// repeating over the batch; non-finite values are left out.
void StatisticsCollector::addChannels(Tensor &t, llvm::ArrayRef<float> values,
                                      int64_t inner) {
  size_t channels = t.channelMin.size();
  size_t step = size_t(std::max<int64_t>(inner, 1));
  for (size_t start = 0, c = 0; start < values.size();
       start += step, c = (c + 1) % channels) {
    float lo = t.channelMin[c], hi = t.channelMax[c];
    for (size_t i = start, end = std::min(values.size(), start + step); i < end;
         ++i) {
      float v = values[i];
      if (!std::isfinite(v))
        continue;
      lo = std::min(lo, v);
      hi = std::max(hi, v);
    }
    t.channelMin[c] = lo;
    t.channelMax[c] = hi;
  }
}

llvm::Error StatisticsCollector::addBatch(size_t batch,
                                          llvm::ArrayRef<const float *> data,
                                          llvm::ArrayRef<size_t> sizes) {
  if (data.size() != names_.size() || sizes.size() != names_.size())
    return makeError("batch " + llvm::Twine(batch) + ": " +
                     llvm::Twine(data.size()) + " observations for " +
                     llvm::Twine(names_.size()) + " tensors");
  // Largest tensors first, so that the threads finish together.
  bool resized = false;
  for (size_t i = 0; i < sizes.size(); ++i) {
    resized |= tensors_[i]->lastSize != sizes[i];
    tensors_[i]->lastSize = sizes[i];
  }
  if (resized)
    std::stable_sort(order_.begin(), order_.end(),
                     [&](size_t a, size_t b) { return sizes[a] > sizes[b]; });

  std::atomic<size_t> next{0};
  auto work = [&](unsigned) {
    for (size_t k; (k = next.fetch_add(1)) < order_.size();) {
      size_t i = order_[k];
      Tensor &t = *tensors_[i];
      llvm::ArrayRef<float> values(data[i], sizes[i]);
      // Histogram::add leaves the zeros (half of a ReLU output) out of its
      // binning loop: they all fall in the bin of 0 and are counted there.
      t.batch = t.histogram ? t.histogram->add(values) : t.minMax.add(values);
      uint64_t negatives = 0;
      for (float v : values)
        negatives += v < 0 && v >= -std::numeric_limits<float>::max();
      t.negatives += negatives;
      if (!t.channelMin.empty())
        addChannels(t, values, options_.channelLayouts[i].inner);
    }
  };
  unsigned threads =
      unsigned(std::min<size_t>(options_.threads, order_.size()));
  std::vector<std::thread> pool;
  for (unsigned t = 1; t < threads; ++t)
    pool.emplace_back(work, t);
  work(0);
  for (std::thread &t : pool)
    t.join();

  if (options_.skipNonFinite)
    return llvm::Error::success();
  for (size_t i = 0; i < names_.size(); ++i) {
    const qcalib::NonFiniteCounts &bad = tensors_[i]->batch;
    if (!bad.any())
      continue;
    std::string what;
    auto add = [&](uint64_t n, const char *kind) {
      if (n)
        what += (what.empty() ? "" : ", ") + std::to_string(n) + " " + kind;
    };
    add(bad.nan, "NaN");
    add(bad.posInf, "+Inf");
    add(bad.negInf, "-Inf");
    return makeError("batch " + llvm::Twine(batch) + ": tensor '" + names_[i] +
                     "' holds " + what + " (of " + llvm::Twine(sizes[i]) +
                     " values); fix the data or pass --skip-nonfinite");
  }
  return llvm::Error::success();
}

/// A usable range where the data gave a degenerate one: all zeros get
/// (-0.5, 0.5), or (0, 0.5) in the unsigned case; a constant c != 0 gets
/// the range between c and 0.
static qcalib::Range nonDegenerate(qcalib::Range range, double dataMin,
                                   QuantizedType type, bool &changed) {
  changed = false;
  if (range.max > range.min)
    return range;
  changed = true;
  double c = range.max;
  if (c == 0)
    return qcalib::isUnsignedCase(dataMin, type) ? qcalib::Range{0, 0.5}
                                                 : qcalib::Range{-0.5, 0.5};
  return {std::min(c, 0.0), std::max(c, 0.0)};
}

llvm::Expected<std::vector<TensorSummary>> StatisticsCollector::finish() const {
  std::vector<TensorSummary> out;
  for (size_t i = 0; i < names_.size(); ++i) {
    const Tensor &t = *tensors_[i];
    qcalib::QuantizedType type = i < options_.tensorTypes.size()
                                     ? options_.tensorTypes[i]
                                     : options_.type;
    TensorSummary s;
    s.name = names_[i];
    auto fail = [&](llvm::Error err) {
      return makeError("tensor '" + names_[i] +
                       "': " + llvm::toString(std::move(err)));
    };
    if (!t.histogram) {
      s.values = t.minMax.count();
      s.nonFinite = t.minMax.nonFinite();
      s.observedMin = t.minMax.min();
      s.observedMax = t.minMax.max();
      auto range = qcalib::naiveRange(t.minMax);
      if (!range)
        return fail(range.takeError());
      s.range = *range;
      s.method = "naive";
    } else {
      const qcalib::Histogram &h = *t.histogram;
      s.values = h.total();
      s.nonFinite = h.nonFinite();
      s.observedMin = h.dataMin();
      s.observedMax = h.dataMax();
      if (h.empty())
        return fail(makeError("no finite value was collected"));
      if (options_.mode == Mode::Entropy) {
        qcalib::EntropyOptions entropy;
        entropy.type = type;
        auto result = qcalib::entropyThreshold(h.ref(), entropy);
        if (!result)
          return fail(result.takeError());
        s.range = result->range;
        s.method = "entropy";
        if (!result->finite)
          s.method = "entropy (no finite divergence: full range)";
      } else if (options_.mode == Mode::Mse) {
        auto range = qcalib::mseRange(h.ref(), type);
        if (!range)
          return fail(range.takeError());
        s.range = *range;
        s.method = "mse";
      } else {
        auto range =
            qcalib::percentileRange(h.ref(), options_.percentile, type);
        if (!range)
          return fail(range.takeError());
        s.range = *range;
        s.method =
            "percentile " +
            llvm::formatv("{0}", llvm::format("%g", options_.percentile)).str();
      }
    }
    s.negativeFraction = s.values ? double(t.negatives) / double(s.values) : 0;
    for (size_t c = 0; c < t.channelMin.size(); ++c) {
      // A channel that saw no finite value (or only zeros) still needs a
      // usable range: the tensor's own.
      double lo = t.channelMin[c], hi = t.channelMax[c];
      if (!(hi > lo)) {
        lo = std::min(lo, 0.0);
        hi = std::max(hi, 0.0);
      }
      if (!(hi > lo) || !std::isfinite(lo) || !std::isfinite(hi)) {
        lo = s.range.min;
        hi = s.range.max;
      }
      s.channelMin.push_back(lo);
      s.channelMax.push_back(hi);
    }
    bool changed;
    s.range = nonDegenerate(s.range, s.observedMin, type, changed);
    if (changed)
      s.method += s.observedMin == 0 && s.observedMax == 0 ? " (all zero)"
                                                           : " (constant)";
    out.push_back(std::move(s));
  }
  return out;
}

qcalib::CalibrationTable
StatisticsCollector::table(llvm::ArrayRef<TensorSummary> summaries) const {
  qcalib::CalibrationTable table;
  table.mode = modeName(options_.mode);
  table.dtype = typeName(options_.type);
  for (const TensorSummary &s : summaries) {
    qcalib::TableEntry entry;
    entry.name = s.name;
    entry.min = s.range.min;
    entry.max = s.range.max;
    entry.observedMin = s.observedMin;
    entry.observedMax = s.observedMax;
    entry.method = s.method;
    if (s.negativeFraction > 0)
      entry.negativeFraction = s.negativeFraction;
    entry.channelMin = s.channelMin;
    entry.channelMax = s.channelMax;
    table.set(std::move(entry));
  }
  return table;
}

void q::calibrate::printSummary(llvm::ArrayRef<TensorSummary> summaries,
                                llvm::raw_ostream &os) {
  size_t width = 6;
  bool anyNonFinite = false;
  for (const TensorSummary &s : summaries) {
    width = std::max(width, s.name.size());
    anyNonFinite |= s.nonFinite.any();
  }
  os << llvm::left_justify("tensor", width) << "  "
     << llvm::right_justify("min", 12) << "  " << llvm::right_justify("max", 12)
     << "  " << llvm::left_justify("chosen range", 27) << "  method";
  if (anyNonFinite)
    os << "  (non-finite skipped)";
  os << "\n";
  for (const TensorSummary &s : summaries) {
    std::string range;
    llvm::raw_string_ostream(range)
        << "[" << llvm::format("%.6g", s.range.min) << ", "
        << llvm::format("%.6g", s.range.max) << "]";
    os << llvm::left_justify(s.name, width) << "  "
       << llvm::format("%12.6g", s.observedMin) << "  "
       << llvm::format("%12.6g", s.observedMax) << "  "
       << llvm::left_justify(range, 27) << "  " << s.method;
    if (s.nonFinite.any())
      os << "  (" << s.nonFinite.nan << " NaN, " << s.nonFinite.posInf
         << " +Inf, " << s.nonFinite.negInf << " -Inf skipped)";
    os << "\n";
  }
}
