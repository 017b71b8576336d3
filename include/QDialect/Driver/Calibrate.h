//===- Calibrate.h - Calibration of a model on data, in process -*- C++ -*-===//
//
// calibrate(): the one calibration that q-compile, q-calibrate and q-report
// share. On a copy of the imported fp32 module it
//
//  1. sets the batch to the calibration batch (setBatchSize: the inputs' first
//     dim, every type inferred again), independent of the batch the model is
//     compiled for;
//  2. runs the graph passes of the int8 flow (canonicalize, q-fuse{int8})
//     and finds the tensors q-quantize will need ranges for
//     (calibrationTargets, on a clone, so the fp32 module stays as it is);
//  3. returns those tensors from @main as extra results
//     (addObservationPoints), lowers and links the fp32 library once and
//     loads it in this process;
//  4. runs it on the data batch by batch (runDataPass; a last partial batch
//     is padded and the padding never reaches the statistics) and feeds the
//     observations to the StatisticsCollector (lib/Calibration), whose
//     ranges make the table.
//
//===----------------------------------------------------------------------===//

#ifndef QDIALECT_DRIVER_CALIBRATE_H
#define QDIALECT_DRIVER_CALIBRATE_H

#include "QDialect/Calibration/Statistics.h"
#include "QDialect/Driver/Dataset.h"
#include "QDialect/Driver/Driver.h"
#include "QDialect/Driver/ModelRunner.h"
#include "QDialect/Transforms/QuantizeOptions.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "llvm/ADT/STLFunctionalExtras.h"
#include "llvm/Support/Error.h"

#include <functional>
#include <string>
#include <vector>

namespace q::calibrate {

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
/// `progress(done)` is called after every batch. With `numSamples` (0: every
/// batch is full), the last batch holds only the samples left and the rest
/// of it is padding: only the leading samples of every observed tensor
/// (whose first dim must be the batch) reach the statistics.
llvm::Error runDataPass(const ::q::driver::CompiledModel &model,
                        unsigned numModelOutputs, size_t numBatches,
                        BatchFiller fill, StatisticsCollector &stats,
                        DataPassTiming &timing,
                        llvm::function_ref<void(size_t done)> progress = {},
                        size_t numSamples = 0);

} // namespace q::calibrate

namespace mlir::q::driver {

/// The names (TensorNames.h) of the tensors q-quantize with `options`
/// needs calibrated, in program order; `fused` is the fp32 module after
/// canonicalize and q-fuse{mode=int8}, and is left unchanged. `types`
/// receives the quantized type each range is asked for; `layouts` the
/// channel layout of each tensor that gets per-channel ranges (channels 0
/// for the others).
llvm::Expected<std::vector<std::string>> calibrationTargets(
    ModuleOp fused, const QuantizeOptions &options,
    std::vector<qcalib::QuantizedType> *types = nullptr,
    std::vector<::q::calibrate::CollectOptions::ChannelLayout> *layouts =
        nullptr);

/// Appends the values of @main named `names` (function arguments and op
/// results) to its results, in that order, named `q.name` = the tensor
/// name. Every name must exist; a name of a constant (a weight) is an error,
/// as constants are never calibrated. Returns the number of results @main
/// had before.
/// Appends `values` to the results of `fn` (one block, func.return), named
/// `q.name` = "observe:<name>", keeping the existing results and their
/// attributes: the observation outputs of calibration and q-report.
void appendObservedResults(func::FuncOp fn, llvm::ArrayRef<Value> values,
                           llvm::ArrayRef<std::string> names);

llvm::Expected<unsigned>
addObservationPoints(ModuleOp module, llvm::ArrayRef<std::string> names);

/// The inputs of @main as a library compiled from `module` lists them (name,
/// dtype, shape): what a Dataset is opened against before compiling.
llvm::Expected<std::vector<::q::driver::TensorInfo>>
moduleInputs(ModuleOp module);

/// Sets the first dim (the batch) of every input of @main to `batch` and
/// infers every type that follows. An op whose type does not follow from
/// its inputs (a reshape to a literal batch) makes it an error.
llvm::Error setBatchSize(ModuleOp module, int64_t batch);

/// The default calibration batch: min(32, samples).
size_t defaultCalibrationBatch(size_t samples);

struct CalibrateOptions {
  /// mode, percentile, skipNonFinite and statistics threads (tensorTypes
  /// is filled by calibrate()).
  ::q::calibrate::CollectOptions collect;
  /// Which tensors get quantized, hence calibrated.
  QuantizeOptions quantize;
  /// Samples per batch; 0: defaultCalibrationBatch().
  size_t batchSize = 0;
  /// Batches to run; 0: all (the last one padded when partial).
  size_t maxBatches = 0;
  /// Draw the samples in random order.
  bool shuffle = false;
  unsigned seed = 0;
  /// Threads per model run (0: OpenMP's default).
  int numThreads = 0;
  bool keepTemps = false;
  /// Names the calling tool, and its flag of maxBatches, in messages.
  std::string tool = "q-calibrate";
  std::string batchesFlag = "--batches";
  /// Called after every batch with (done, total).
  std::function<void(size_t, size_t)> progress;
};

struct CalibrationResult {
  qcalib::CalibrationTable table;
  std::vector<::q::calibrate::TensorSummary> summaries;
  size_t batchSize = 0, batches = 0;
  /// Samples that reached the statistics, and those of the data left out.
  size_t samplesUsed = 0, samplesLeft = 0;
  double compileSeconds = 0, passSeconds = 0, thresholdSeconds = 0;
  ::q::calibrate::DataPassTiming timing;
};

/// Calibrates the imported fp32 `module` (left unchanged) on `data`.
llvm::Expected<CalibrationResult> calibrate(ModuleOp module,
                                            const ::q::calibrate::Dataset &data,
                                            const CalibrateOptions &options);

} // namespace mlir::q::driver

#endif // QDIALECT_DRIVER_CALIBRATE_H
