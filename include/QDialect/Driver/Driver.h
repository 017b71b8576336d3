//===- Driver.h - Import, pass pipeline and linking of q's tools -*- C++
//-*-===//
//
// What q-compile, q-calibrate (and later the int8 q-compile) share: import a
// model (MXNet symbol JSON + weights, or a q module), run the graph and
// lowering passes, and turn the lowered module into a shared library with
// the C API of include/q/model.h.
//
// Errors come back as llvm::Error. MLIR diagnostics are printed by the
// context's handler as they happen; the error that follows them is then
// `alreadyReported()` (empty message), so tools print nothing more.
//
//===----------------------------------------------------------------------===//

#ifndef QDIALECT_DRIVER_DRIVER_H
#define QDIALECT_DRIVER_DRIVER_H

#include "QDialect/Calibration/Table.h"
#include "QDialect/Transforms/QuantizeOptions.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/OwningOpRef.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/Error.h"

#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace mlir::q::driver {

/// The dialects and LLVM IR translations the tools need.
void registerDriverDialects(DialectRegistry &registry);

//===----------------------------------------------------------------------===//
// Errors
//===----------------------------------------------------------------------===//

/// An error whose diagnostics were already printed.
llvm::Error alreadyReported();
/// Prints "<tool>: error: <message>" unless the message is empty (already
/// reported); returns 1, the exit status.
int reportError(llvm::Error error, llvm::StringRef tool);

//===----------------------------------------------------------------------===//
// Import
//===----------------------------------------------------------------------===//

struct ImportOptions {
  /// A symbol JSON or a q module (`.mlir`, weights as constants).
  std::string inputFile;
  /// The .params file; or randomParamsSeed for generated weights.
  std::string paramsFile;
  std::optional<unsigned> randomParamsSeed;
  /// `--input-shape` texts (`data:1,3,224,224`, each may hold several).
  std::vector<std::string> inputShapes;
  /// Overrides the first dim of every data input (symbol JSON only).
  std::optional<int64_t> batchSize;
  bool allowExtraParams = false;
  /// `--input-mean` / `--input-std` texts (`data:123.7,116.3,103.5`): the
  /// imported graph starts with (x - mean) / std per channel
  /// (InputOptions.cpp).
  std::vector<std::string> inputMeans, inputStds;
};

/// True when `path` names a q module rather than a symbol JSON.
/// The command-line options that name a model's weights and inputs, the
/// same in q-compile, q-calibrate and q-report: --params, --random-params,
/// --input-shape and --allow-extra-params, registered in `category`.
struct ModelOptions {
  explicit ModelOptions(llvm::cl::OptionCategory &category);
  llvm::cl::opt<std::string> params;
  llvm::cl::opt<unsigned> randomParams;
  llvm::cl::list<std::string> inputShapes;
  llvm::cl::opt<bool> allowExtra;
  llvm::cl::list<std::string> inputMeans, inputStds;

  /// What importModel needs for `inputFile` with these options.
  ImportOptions importOptions(llvm::StringRef inputFile) const;
};

bool isModuleFile(llvm::StringRef path);

/// The flags of what gets quantized, the same in q-compile, q-calibrate and
/// q-report: --exclude, --exclude-ops, --quantize-mode, --granularity and
/// --weight-bits, registered in `category` (each tool has its own --dtype).
struct QuantizeFlags {
  explicit QuantizeFlags(llvm::cl::OptionCategory &category);
  llvm::cl::list<std::string> exclude, excludeOps;
  llvm::cl::opt<std::string> mode, granularity;
  llvm::cl::opt<int> weightBits;

  /// The options these flags and the tool's `dtype` text give, or the error
  /// naming the flag ("--quantize-mode=fast is not valid; expected ...").
  llvm::Expected<QuantizeOptions> options(llvm::StringRef dtype) const;
};

/// Imports a model. A symbol JSON needs --params or a random seed (the
/// compiled model needs its weights).
llvm::Expected<OwningOpRef<ModuleOp>> importModel(MLIRContext &context,
                                                  const ImportOptions &options);

//===----------------------------------------------------------------------===//
// Pass pipeline
//===----------------------------------------------------------------------===//

/// `--input-type` texts (`data:u8,nhwc`, `data:i8,step=0.0078125`): inputs
/// the compiled model takes as raw integers (q-raw-inputs, InputOptions.cpp).
struct InputTypeOptions {
  std::vector<std::string> types;
  bool empty() const { return types.empty(); }
};

/// Checks every `--input-type` against the imported model (input names,
/// types, ranks): an error names the flag and, for a wrong name, lists the
/// inputs. Run it before calibrating.
llvm::Error checkInputTypes(ModuleOp module, const InputTypeOptions &options);

struct CompileOptions {
  /// The name the library reports (q_model_name).
  std::string modelName = "model";
  /// Threads per run recorded in the library (0: OpenMP's default).
  int numThreads = 0;
  /// Run q-fuse, with its rules (fp32, or int8 for a graph to quantize).
  bool fuse = true;
  std::string fuseMode = "fp32";
  /// The int8 flow (q-fuse{mode=int8}, q-quantize with `quantize`,
  /// q-calibrate with the table when given, q-fold-requantize) instead of
  /// float32.
  bool int8 = false;
  QuantizeOptions quantize;
  /// The ranges: a table in memory (calibrate()), else a table file, else
  /// none (found at run time). The table is checked against the module
  /// (q-calibrate pass); with calibStrict a partial table is an error.
  std::optional<qcalib::CalibrationTable> calibration;
  std::string calibTable;
  bool calibStrict = false;
  /// A negative range quantized to uint8 is a warning, not an error.
  bool allowClipping = false;
  /// onednn, auto (ops marked q.backend = "onednn" by selectBackends stay
  /// for oneDNN), or loops (q-lower-to-loops with `isa` before the oneDNN
  /// lowering, which takes what the loops do not).
  std::string backend = "onednn";
  std::string isa = "auto";
  /// Plan activation layouts for the whole graph (q-assign-layouts):
  /// channels last between convolutions; false keeps every op on NCHW.
  bool planLayouts = true;
  /// Raw uint8/int8 inputs (q-raw-inputs after the graph passes).
  InputTypeOptions inputTypes;
};

/// Graph passes: canonicalize, q-fuse.
void addGraphPasses(PassManager &pm, const CompileOptions &options);
/// Lowering to the runtime (q-lower-to-onednn).
void addLoweringPasses(PassManager &pm, const CompileOptions &options);
/// The whole pipeline from an imported module to a lowered one.
void buildPipeline(PassManager &pm, const CompileOptions &options);

/// Runs `build` on a fresh PassManager over `module`. Warnings of the
/// passes (a partial calibration table) are printed as "<tool>: warning:
/// ..."; errors go to the context's handler.
llvm::Error runPasses(ModuleOp module,
                      llvm::function_ref<void(PassManager &pm)> build,
                      llvm::StringRef tool = "q");

/// "libresnet.so" -> "resnet": the model name a library file suggests.
std::string modelNameFor(llvm::StringRef libraryPath);

//===----------------------------------------------------------------------===//
// Library
//===----------------------------------------------------------------------===//

struct LinkOptions {
  /// Where to write the library (or the module / IR with `emit`).
  std::string outputFile = "libmodel.so";
  /// so, mlir (the lowered module) or llvm (LLVM IR).
  std::string emit = "so";
  /// Write the weights to <output stem>.params instead of embedding them.
  bool externalWeights = false;
  bool keepTemps = false;
  /// Print the commands run.
  bool verbose = false;
  /// Names the tool in messages ("<tool>: intermediate files kept in").
  std::string tool = "q-compile";
  /// Called when a step starts (after codegen: "link"), for step timers.
  std::function<void(llvm::StringRef)> onStep;
};

struct LinkResult {
  size_t numWeights = 0;
  size_t weightBytes = 0;
  int64_t arenaBytes = 0;
  int64_t arenaLowerBound = 0;
  /// The .params file written with externalWeights.
  std::string paramsFile;
};

/// Writes the lowered module as `options.emit` says: the module, LLVM IR,
/// or a shared library (weights packed in one aligned blob, linked with
/// clang-22 against libqrt and oneDNN). The library appears atomically: a
/// failure leaves nothing at outputFile. Consumes the q.weights attribute.
llvm::Expected<LinkResult> emitLibrary(ModuleOp lowered,
                                       const CompileOptions &compile,
                                       const LinkOptions &options);

} // namespace mlir::q::driver

#endif // QDIALECT_DRIVER_DRIVER_H
