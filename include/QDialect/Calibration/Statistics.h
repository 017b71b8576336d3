//===- Statistics.h - Per-tensor statistics of calibration --*- C++ -*-===//
//
// The statistics side of calibration: one collector per observed tensor
// (Collectors.h), fed batch by batch with the tensors spread over threads,
// then the thresholds (Thresholds.h) and the table (Table.h). Plain C++ on
// LLVM Support like the rest of lib/Calibration, so its tests need neither
// MLIR nor the driver; the driver (lib/Driver/Calibrate.cpp) runs the model
// and feeds it.
//
//===----------------------------------------------------------------------===//

#ifndef QDIALECT_CALIBRATION_STATISTICS_H
#define QDIALECT_CALIBRATION_STATISTICS_H

#include "QDialect/Calibration/Collectors.h"
#include "QDialect/Calibration/Table.h"
#include "QDialect/Calibration/Thresholds.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/raw_ostream.h"

#include <memory>
#include <string>
#include <vector>

namespace q::calibrate {

enum class Mode { Naive, Entropy, Percentile, Mse };

/// "naive", "entropy", "percentile", "mse".
const char *modeName(Mode mode);
/// The mode a --mode / --calib-mode text names; a bad one is
/// "<option>=<value> is not valid; expected naive, entropy, percentile or
/// mse".
llvm::Expected<Mode> parseMode(llvm::StringRef value, llvm::StringRef option);
/// "int8", "uint8", "auto".
const char *typeName(qcalib::QuantizedType type);

struct CollectOptions {
  Mode mode = Mode::Entropy;
  qcalib::QuantizedType type = qcalib::QuantizedType::Auto;
  /// Percentile mode: the percentage of |x| the range covers.
  double percentile = 99.99;
  /// Non-finite values are counted and skipped instead of an error.
  bool skipNonFinite = false;
  /// Threads that update the collectors (0: hardware concurrency).
  unsigned threads = 0;
  /// Per tensor (in `names` order), the quantized type its quantize or
  /// requantize asks for; empty: `type` for all. A relu output that
  /// q-quantize makes uint8 even under dtype=int8 calibrates as unsigned.
  std::vector<qcalib::QuantizedType> tensorTypes;
  /// Per tensor (in `names` order; empty or shorter: none), the layout of
  /// a tensor to collect per-channel min/max for: `channels` channels of
  /// `inner` contiguous values each, repeated over the batch (NCHW).
  struct ChannelLayout {
    int64_t channels = 0, inner = 0;
  };
  std::vector<ChannelLayout> channelLayouts;
};

/// The outcome for one tensor.
struct TensorSummary {
  std::string name;
  uint64_t values = 0;
  double observedMin = 0, observedMax = 0;
  qcalib::Range range;
  std::string method;
  qcalib::NonFiniteCounts nonFinite;
  /// The fraction of the finite values below zero.
  double negativeFraction = 0;
  /// Per-channel min/max (channelLayouts), else empty.
  std::vector<double> channelMin, channelMax;
};

/// Statistics of the observed tensors over the calibration batches.
class StatisticsCollector {
public:
  StatisticsCollector(std::vector<std::string> names, CollectOptions options);
  ~StatisticsCollector();

  /// Adds one batch: data[i] holds sizes[i] values of tensor i. Tensors are
  /// spread over the threads; each tensor's collector sees the batches in
  /// order. A non-finite value is an error naming the batch and the tensor
  /// (the first in `names` order) unless skipNonFinite.
  llvm::Error addBatch(size_t batch, llvm::ArrayRef<const float *> data,
                       llvm::ArrayRef<size_t> sizes);

  /// The range of every tensor, or an error naming the tensor.
  llvm::Expected<std::vector<TensorSummary>> finish() const;

  /// The table of `summaries` (method, observed min/max filled).
  qcalib::CalibrationTable table(llvm::ArrayRef<TensorSummary> summaries) const;

  const std::vector<std::string> &names() const { return names_; }
  const CollectOptions &options() const { return options_; }

private:
  struct Tensor;
  static void addChannels(Tensor &t, llvm::ArrayRef<float> values,
                          int64_t inner);
  std::vector<std::string> names_;
  CollectOptions options_;
  std::vector<std::unique_ptr<Tensor>> tensors_;
  /// Tensor indices, largest first, for balancing the threads.
  std::vector<size_t> order_;
};

/// Prints the summary table: tensor, observed min and max, chosen range,
/// method (and the non-finite values skipped).
void printSummary(llvm::ArrayRef<TensorSummary> summaries,
                  llvm::raw_ostream &os);

} // namespace q::calibrate

#endif // QDIALECT_CALIBRATION_STATISTICS_H
