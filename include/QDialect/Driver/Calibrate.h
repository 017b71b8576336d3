//===- Calibrate.h - Observation points and statistics ----------*- C++ -*-===//
//
// q-calibrate in pieces, for the tool and the benchmarks:
//
//  1. calibrationTargets(): on the fused fp32 module, the tensors the
//     quantize pass will need ranges for (run on a clone, so the fp32
//     module stays as it is).
//  2. addObservationPoints(): returns those tensors from @main as extra
//     results, after the model's own; the lowered library then hands them
//     to the caller on every run.
//  3. StatisticsCollector: one collector per tensor, fed batch by batch
//     (tensors spread over threads), then the thresholds and the table.
//
//===----------------------------------------------------------------------===//

#ifndef QDIALECT_DRIVER_CALIBRATE_H
#define QDIALECT_DRIVER_CALIBRATE_H

#include "QDialect/Calibration/Collectors.h"
#include "QDialect/Calibration/Table.h"
#include "QDialect/Calibration/Thresholds.h"

#include "QDialect/Driver/Driver.h"
#include "QDialect/Driver/ModelRunner.h"

#include "mlir/IR/BuiltinOps.h"
#include "llvm/ADT/STLFunctionalExtras.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/raw_ostream.h"

#include <memory>
#include <string>
#include <vector>

namespace mlir::q::driver {

/// The options of q-quantize that decide which tensors get quantized.
struct QuantizeSelection {
  std::string dtype = "auto"; // int8 | uint8 | auto
  std::vector<std::string> exclude;
  std::vector<std::string> excludeOps;
  std::string mode = "smart"; // smart | full
};

/// The names (TensorNames.h) of the tensors q-quantize with `selection`
/// needs calibrated, in program order; `fused` is the fp32 module after
/// canonicalize and q-fuse{mode=int8}, and is left unchanged.
llvm::Expected<std::vector<std::string>>
calibrationTargets(ModuleOp fused, const QuantizeSelection &selection,
                   std::vector<qcalib::QuantizedType> *types = nullptr);

/// Appends the values of @main named `names` (function arguments and op
/// results) to its results, in that order, named `q.name` = the tensor
/// name. Every name must exist; a name of a constant (a weight) is an error,
/// as constants are never calibrated. Returns the number of results @main
/// had before.
llvm::Expected<unsigned>
addObservationPoints(ModuleOp module, llvm::ArrayRef<std::string> names);

/// A q-calibrate run as q-compile and q-report make it (they calibrate
/// exactly as the user would, through the tool).
struct CalibrateToolRun {
  /// The folder holding q-calibrate (the calling tool's own).
  std::string toolDir;
  /// The model: input file, params or random seed, shapes, extra params.
  ImportOptions model;
  std::string data, mode = "naive";
  QuantizeSelection selection;
  unsigned batches = 0; ///< 0: all
  int numThreads = 0;
  bool quiet = true;
  /// IDX data as 0..255 values (q-calibrate --idx-raw).
  bool rawIdx = false;
  /// The table to write.
  std::string output;
};

/// Runs q-calibrate and waits; `commandLine` (if given) receives the
/// command, for --verbose output. Fails with q-calibrate's exit message.
llvm::Error runCalibrateTool(const CalibrateToolRun &run,
                             std::string *commandLine = nullptr);

} // namespace mlir::q::driver

namespace q::calibrate {

enum class Mode { Naive, Entropy, Percentile };

/// "naive", "entropy", "percentile".
const char *modeName(Mode mode);
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
};

/// The outcome for one tensor.
struct TensorSummary {
  std::string name;
  uint64_t values = 0;
  double observedMin = 0, observedMax = 0;
  qcalib::Range range;
  std::string method;
  qcalib::NonFiniteCounts nonFinite;
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
  std::vector<std::string> names_;
  CollectOptions options_;
  std::vector<std::unique_ptr<Tensor>> tensors_;
  /// Tensor indices, largest first, for balancing the threads.
  std::vector<size_t> order_;
};

/// Seconds spent in each part of a data pass.
struct DataPassTiming {
  double load = 0, run = 0, statistics = 0;
  size_t batches = 0;
  double total() const { return load + run + statistics; }
};

/// Fills the model's input buffers (one batch each) with batch `batch`.
using BatchFiller =
    llvm::function_ref<llvm::Error(size_t batch, llvm::ArrayRef<void *>)>;

/// Runs `numBatches` batches through `model` (compiled with observation
/// points after its first `numModelOutputs` results) and feeds the
/// observations to `stats`. f32 inputs are checked for non-finite values
/// first (an error naming batch and input unless skipNonFinite).
/// `progress(done)` is called after every batch.
llvm::Error runDataPass(const ::q::driver::CompiledModel &model,
                        unsigned numModelOutputs, size_t numBatches,
                        BatchFiller fill, StatisticsCollector &stats,
                        DataPassTiming &timing,
                        llvm::function_ref<void(size_t done)> progress = {});

/// Prints the summary table: tensor, observed min and max, chosen range,
/// method (and the non-finite values skipped).
void printSummary(llvm::ArrayRef<TensorSummary> summaries,
                  llvm::raw_ostream &os);

} // namespace q::calibrate

#endif // QDIALECT_DRIVER_CALIBRATE_H
