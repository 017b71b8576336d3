//===- Compare.h - What q-report measures: int8 against fp32 -----*- C++
//-*-===//
//
// The pieces of q-report that run models and compare them: the tensors an
// int8 build shares with fp32 (observation points), noise and agreement
// statistics of tensors and outputs, the evaluation data, and a Session that
// builds and loads the variants (fp32, int8, int8 with exclusions, int8 with
// another calibration table) from one imported module.
//
//===----------------------------------------------------------------------===//

#ifndef Q_TOOLS_QREPORT_COMPARE_H
#define Q_TOOLS_QREPORT_COMPARE_H

#include "QDialect/Calibration/Table.h"
#include "QDialect/Driver/Dataset.h"
#include "QDialect/Driver/Driver.h"
#include "QDialect/Driver/ModelRunner.h"
#include "QDialect/Transforms/QuantizeOptions.h"

#include "mlir/IR/BuiltinOps.h"
#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/Error.h"

#include <cmath>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace qreport {

using namespace mlir;
namespace driver = mlir::q::driver;
namespace calib = ::q::calibrate;
using ::q::driver::CompiledModel;

llvm::Error makeError(const llvm::Twine &message);

/// A tensor both builds compute: `name` (TensorNames.h), the int8 op that
/// produces it, and the node to exclude to keep that op in fp32 ("" when
/// it is no quantized layer).
struct Point {
  std::string name, kind, node;
};

/// Noise of one tensor over all batches.
struct Noise {
  double signal = 0, noise = 0, maxAbs = 0;
  void add(const float *ref, const float *q, size_t n) {
    for (size_t i = 0; i < n; ++i) {
      double r = ref[i], e = r - double(q[i]);
      signal += r * r;
      noise += e * e;
      maxAbs = std::max(maxAbs, std::abs(e));
    }
  }
  /// dB; +inf when int8 is exact.
  double sqnr() const {
    if (noise == 0)
      return std::numeric_limits<double>::infinity();
    if (signal == 0)
      return -std::numeric_limits<double>::infinity();
    return 10 * std::log10(signal / noise);
  }
};

/// How one int8 output compares with fp32's.
struct OutputStats {
  Noise noise;
  double dot = 0, refNorm = 0, qNorm = 0;
  size_t rows = 0, agree = 0, correct = 0;
  double cosine() const {
    return refNorm > 0 && qNorm > 0 ? dot / std::sqrt(refNorm * qNorm) : 0;
  }
  double agreement() const { return rows ? 100.0 * agree / rows : 0; }
  double accuracy() const { return rows ? 100.0 * correct / rows : 0; }
};

/// The judged outputs of one build taken together: the worst SQNR and
/// agreement over them, and the accuracy of the first (with labels).
struct Score {
  double sqnr = 0, agreement = 0, accuracy = 0;
  static Score of(llvm::ArrayRef<OutputStats> outputs);
};

size_t argmax(const float *row, size_t n);
/// "12.3" dB ("inf" when exact), "%.4g", and "+1.5" / "+0.00" changes.
std::string dB(double value);
std::string number(double value);
std::string signedText(double value, int decimals);

/// The tensors of @main an int8 build can be compared with.
llvm::StringSet<> fp32Names(ModuleOp module);
/// Returns from the int8 @main every tensor it shares with fp32 (see
/// Compare.cpp); fills `points`, returns the number of results @main had.
llvm::Expected<unsigned> observeInt8(ModuleOp module,
                                     const llvm::StringSet<> &known,
                                     std::vector<Point> &points);
/// Integer class labels from .npy (any integer dtype) or IDX.
llvm::Expected<std::vector<int64_t>> readLabels(const std::string &file);

/// Everything the runs share: the imported module, the options of every
/// build and a folder for the libraries.
struct Session {
  ModuleOp imported;
  mlir::q::QuantizeOptions quantize;
  std::optional<qcalib::CalibrationTable> calibration;
  size_t calibBatch = 0;
  std::string tempDir;
  unsigned libraries = 0;
  /// The tool's --num-threads, --backend and -v.
  int numThreads = 0;
  std::string backend = "onednn";
  bool verbose = false;

  driver::CompileOptions compileOptions(bool int8,
                                        llvm::ArrayRef<std::string> extra);
  /// The graph passes of a build, on a copy of the imported module.
  llvm::Expected<OwningOpRef<ModuleOp>>
  graph(const driver::CompileOptions &options);
  /// Lowers, links and loads a module after its graph passes.
  llvm::Expected<std::unique_ptr<CompiledModel>>
  load(ModuleOp module, const driver::CompileOptions &options);
  /// graph() then load().
  llvm::Expected<std::unique_ptr<CompiledModel>>
  build(const driver::CompileOptions &options);
};
/// The evaluation data, batch by batch, in file order.
struct Evaluation {
  std::unique_ptr<calib::Dataset> data;
  std::vector<::q::driver::TensorInfo> inputs;
  size_t batch = 0, batches = 0;
  std::vector<std::vector<char>> buffers;

  llvm::Error fill(size_t b) {
    for (size_t i = 0; i < inputs.size(); ++i) {
      size_t bytes = inputs[i].numBytes() / batch;
      for (size_t j = 0; j < batch; ++j)
        if (auto err = data->readSample(i, b * batch + j,
                                        buffers[i].data() + j * bytes))
          return err;
    }
    return llvm::Error::success();
  }
};

/// A model's output buffers.
struct Outputs {
  std::vector<std::vector<float>> data;
  std::vector<void *> pointers;
};

/// The fp32 outputs that are judged, per batch, and their labels.
struct Reference {
  /// Indices of the judged model outputs.
  std::vector<size_t> judged;
  /// Values per output row (the last dim) of each judged output.
  std::vector<size_t> classes;
  /// [batch][judged output] values.
  std::vector<std::vector<std::vector<float>>> batches;
  /// Class labels of the samples, for the first judged output (or empty).
  std::vector<int64_t> labels;
  size_t batch = 0;
};

llvm::Error prepare(const CompiledModel &model, Outputs &outputs);
/// Runs one batch (already in the input buffers).
llvm::Error runBatch(const CompiledModel &model, Evaluation &eval,
                     Outputs &outputs, size_t b);
/// Runs `model` on every batch, handing its outputs to `use`.
llvm::Error runAll(
    const CompiledModel &model, Evaluation &eval,
    llvm::function_ref<void(size_t, llvm::ArrayRef<std::vector<float>>)> use);
/// Compares an int8 output batch with fp32's.
void compareOutput(OutputStats &stats, const float *ref, const float *q,
                   size_t n, size_t classes, const int64_t *labels);
/// Compares batch `b` of every judged output of a build with `ref`.
void compareOutputs(std::vector<OutputStats> &stats, const Reference &ref,
                    size_t b, llvm::ArrayRef<std::vector<float>> outputs);
/// Runs `model` on the evaluation data; one OutputStats per judged output.
llvm::Expected<std::vector<OutputStats>>
evaluate(const CompiledModel &model, Evaluation &eval, const Reference &ref);

} // namespace qreport

#endif // Q_TOOLS_QREPORT_COMPARE_H
