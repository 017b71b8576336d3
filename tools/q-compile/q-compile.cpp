//===- q-compile.cpp - MXNet model to a shared library in one command -----===//
//
//   q-compile model-symbol.json --params=model-0000.params \
//             --input-shape=data:1,3,224,224 -o libmodel.so
//
// imports the model, runs the q pipeline (canonicalize, fuse; for an int8
// --dtype calibrate in process on --calib-data (driver::calibrate(), at a
// batch of its own), quantize, attach the ranges, fold; lower to the
// oneDNN-backed runtime or generated kernels),
// translates to LLVM IR and links the result with
// libqrt into a .so that exports the C API of include/q/model.h. Weights are
// embedded (one aligned blob) or, with --external-weights, written to a
// .params file that the library reads at create time.
//
//===----------------------------------------------------------------------===//

#include "QDialect/Conversion/BackendSelect.h"
#include "QDialect/Driver/Calibrate.h"
#include "QDialect/Driver/Dataset.h"
#include "QDialect/Driver/Driver.h"
#include "QDialect/Tools/ToolDefaults.h"
#include "QDialect/Driver/Progress.h"

#include "mlir/IR/MLIRContext.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;
using namespace mlir::q;
namespace driver = mlir::q::driver;
namespace cl = llvm::cl;

static cl::OptionCategory category("q-compile options");
static driver::ModelOptions model(category);
static cl::opt<std::string>
    symbolFile(cl::Positional, cl::Required,
               cl::desc("<model-symbol.json | module.mlir>"),
               cl::cat(category));
static cl::opt<std::string> outputFile("o", cl::desc("the library to write"),
                                       cl::value_desc("libmodel.so"),
                                       cl::init("libmodel.so"),
                                       cl::cat(category));
static cl::list<std::string> inputTypes(
    "input-type",
    cl::desc("take this input as raw integers: u8 (pixels 0..255) or i8 "
             "with step=S (real value S * x), nhwc for [N, H, W, C] images; "
             "the graph's first per-element ops (and --input-mean/--input-std) "
             "fold into one table lookup (docs/USING.md)"),
    cl::value_desc("name:u8[,nhwc]|name:i8,step=S"), cl::cat(category));
static cl::opt<std::string>
    dtype("dtype",
          cl::desc("arithmetic of the compiled model: float32, or int8 / "
                   "uint8 / auto (auto: uint8 where a calibrated range is "
                   "non-negative, int8 elsewhere)"),
          cl::init("float32"), cl::cat(category));
static cl::opt<std::string>
    backend("backend",
            cl::desc("int8 kernels: onednn (oneDNN primitives), loops "
                     "(kernels q generates; what they do not cover runs on "
                     "oneDNN) or auto (each conv/fc timed both ways on this "
                     "machine, the faster kept; prints which layer got "
                     "which)"),
            cl::init("onednn"), cl::cat(category));
static cl::opt<std::string>
    isaOption("isa",
        cl::desc("with --backend=loops|auto: avx512vnni, avxvnni, avx2, "
                 "generic or auto (all, chosen by cpuid when the library "
                 "loads)"),
        cl::init("auto"), cl::cat(category));
static cl::opt<std::string> backendCosts(
    "backend-costs",
    cl::desc("with --backend=auto: a cost file of earlier timings, read if "
             "it exists and updated with new ones (a file measured on the "
             "target machine can be used to compile elsewhere)"),
    cl::value_desc("file.json"), cl::cat(category));
static cl::opt<bool> backendCostsOnly(
    "backend-costs-only",
    cl::desc("with --backend=auto: time nothing; layers missing from "
             "--backend-costs go to oneDNN"),
    cl::init(false), cl::cat(category));
static cl::opt<std::string> backendReport(
    "backend-report",
    cl::desc("with --backend=auto: write the per-layer table here instead "
             "of standard output"),
    cl::value_desc("file"), cl::cat(category));

static cl::OptionCategory int8Category("int8 (with --dtype other than float32)");
static cl::opt<std::string> calibData(
    "calib-data",
    cl::desc("calibration data, as q-calibrate's --data: .npy files or "
             "folders, IDX image files, folders of PNG/JPEG; without it (and "
             "without --calib-table) ranges are found at run time"),
    cl::value_desc("FILE,..."), cl::cat(int8Category));
static cl::opt<std::string>
    calibMode("calib-mode",
              cl::desc("naive, entropy, percentile or mse (default entropy)"),
              cl::init("entropy"), cl::cat(int8Category));
static cl::opt<unsigned>
    calibBatches("calib-batches",
                 cl::desc("calibration batches to run (default: all)"),
                 cl::init(0), cl::cat(int8Category));
static cl::opt<unsigned> calibBatchSize(
    "calib-batch-size",
    cl::desc("samples per calibration batch (default: min(32, samples)), "
             "independent of the compiled batch"),
    cl::init(0), cl::cat(int8Category));
static cl::opt<std::string> calibTable(
    "calib-table",
    cl::desc("with --calib-data: also write the table calibration makes "
             "here; without: read the ranges from this table"),
    cl::value_desc("calib.json"), cl::cat(int8Category));
static cl::opt<bool> calibTableStrict(
    "calib-table-strict",
    cl::desc("a --calib-table that lacks some tensor the model needs is an "
             "error (default: a warning; no tensor at all is always an "
             "error)"),
    cl::init(false), cl::cat(int8Category));
static cl::opt<bool> allowClipping(
    "allow-clipping",
    cl::desc("with --dtype=uint8: quantize tensors with negative values to "
             "uint8 anyway (clipping them to 0) with a warning; default: an "
             "error naming them"),
    cl::init(false), cl::cat(int8Category));
static driver::QuantizeFlags quantizeFlags(int8Category);

static cl::opt<int> numThreads("num-threads",
                               cl::desc("threads per run (0: OpenMP default)"),
                               cl::init(0), cl::cat(category));
static cl::opt<bool> externalWeights(
    "external-weights",
    cl::desc("do not embed the weights: write them to <output>.params, which "
             "the library reads when created with params_path"),
    cl::init(false), cl::cat(category));
static cl::opt<std::string>
    emit("emit",
         cl::desc("stop early and write: mlir (lowered module) or llvm (IR)"),
         cl::init("so"), cl::cat(category));
static cl::opt<bool> fuse("fuse",
                          cl::desc("fuse conv+bn+sum+act and fc+act before "
                                   "lowering (default on)"),
                          cl::init(true), cl::cat(category));
static cl::opt<bool> planLayouts(
    "plan-layouts",
    cl::desc("plan activation layouts for the whole graph: channels last "
             "between convolutions, NCHW at inputs and outputs (default on; "
             "false runs every op on NCHW, converting around convolutions)"),
    cl::init(true), cl::cat(category));
static cl::opt<bool> keepTemps("keep-temps",
                               cl::desc("keep the intermediate files"),
                               cl::init(false), cl::cat(category));
static cl::opt<bool> verbose("v",
                             cl::desc("print the steps, their times and the "
                                      "commands, wherever the output goes"),
                             cl::init(false), cl::cat(category));
static cl::opt<bool> quiet("quiet",
                           cl::desc("print nothing but errors (no steps, no "
                                    "summary)"),
                           cl::init(false), cl::cat(category));

namespace {

int fail(const llvm::Twine &message) {
  llvm::errs() << "q-compile: error: " << message << "\n";
  return 1;
}

/// The flags that do not need the model; returns the compile options.
llvm::Expected<driver::CompileOptions> checkFlags() {
  auto error = [](const llvm::Twine &message) {
    return llvm::createStringError(llvm::inconvertibleErrorCode(), message);
  };
  driver::CompileOptions options;
  options.modelName = driver::modelNameFor(outputFile);
  options.numThreads = numThreads;
  options.fuse = fuse;
  options.planLayouts = planLayouts;
  options.backend = backend;
  options.isa = isaOption;
  options.int8 = dtype != "float32";
  if (options.int8) {
    if (auto bad = mlir::q::parseQuantDType(dtype, "--dtype"); !bad) {
      llvm::consumeError(bad.takeError());
      return error("--dtype=" + dtype +
                   " is not valid; expected float32, int8, uint8 or auto");
    }
    auto quantize = quantizeFlags.options(dtype);
    if (!quantize)
      return quantize.takeError();
    options.quantize = std::move(*quantize);
    auto mode = ::q::calibrate::parseMode(calibMode, "--calib-mode");
    if (!mode)
      return mode.takeError();
  }
  if (backend != "onednn" && backend != "loops" && backend != "auto")
    return error("--backend=" + backend + ": expected onednn, loops or auto");
  if (!options.int8 && (!calibData.empty() || !calibTable.empty() ||
                        !quantizeFlags.exclude.empty() || backend != "onednn"))
    return error(
        "--calib-data, --calib-table, --exclude and --backend=" +
        (backend == "onednn" ? std::string("loops") : std::string(backend)) +
        " need an int8 --dtype (int8, uint8 or auto)");
  if (auto err =
          mlir::q::checkWeightBits(quantizeFlags.weightBits, "--weight-bits"))
    return std::move(err);
  if (!options.int8 && quantizeFlags.weightBits.getNumOccurrences())
    return error("--weight-bits needs an int8 --dtype (int8, uint8 or auto)");
  if (backend != "auto" && (!backendCosts.empty() || backendCostsOnly ||
                            !backendReport.empty()))
    return error("--backend-costs, --backend-costs-only and --backend-report "
                 "need --backend=auto");
  if (backendCostsOnly && backendCosts.empty())
    return error("--backend-costs-only needs --backend-costs");
  if (backendCostsOnly && !llvm::sys::fs::exists(backendCosts))
    return error("--backend-costs-only: " + backendCosts + " does not exist");
  if (emit != "so" && emit != "mlir" && emit != "llvm")
    return error("--emit must be so, mlir or llvm");
  if (calibTableStrict && (calibTable.empty() || !calibData.empty()))
    return error("--calib-table-strict checks a --calib-table that is read "
                 "(without --calib-data)");
  options.calibStrict = calibTableStrict;
  options.allowClipping = allowClipping;
  return options;
}

/// Calibrates `module` in process on --calib-data; the table goes into
/// `options` (and to --calib-table when given).
llvm::Error calibrateModel(ModuleOp module, driver::CompileOptions &options,
                           driver::StepTimer &timer) {
  auto parsedMode = ::q::calibrate::parseMode(calibMode, "--calib-mode");
  if (!parsedMode)
    return parsedMode.takeError();
  auto inputs = driver::moduleInputs(module);
  if (!inputs)
    return inputs.takeError();
  llvm::SmallVector<llvm::StringRef> specs;
  llvm::StringRef(calibData).split(specs, ',', -1, false);
  // A raw-input model normalizes raw values itself: IDX bytes stay 0..255.
  ::q::calibrate::ImageOptions images;
  images.rawIdx = !options.inputTypes.empty() || !model.inputMeans.empty() ||
                  !model.inputStds.empty();
  auto data = ::q::calibrate::Dataset::open(
      std::vector<std::string>(specs.begin(), specs.end()), *inputs, images);
  if (!data)
    return data.takeError();
  driver::CalibrateOptions calibrate;
  calibrate.tool = "q-compile";
  calibrate.batchesFlag = "--calib-batches";
  calibrate.collect.mode = *parsedMode;
  calibrate.collect.type = options.quantize.dtype == QuantDType::int8
                               ? qcalib::QuantizedType::Int8
                           : options.quantize.dtype == QuantDType::uint8
                               ? qcalib::QuantizedType::UInt8
                               : qcalib::QuantizedType::Auto;
  calibrate.quantize = options.quantize;
  calibrate.batchSize = calibBatchSize;
  calibrate.maxBatches = calibBatches;
  calibrate.numThreads = numThreads;
  calibrate.keepTemps = keepTemps;
  size_t perBatch =
      calibBatchSize ? size_t(calibBatchSize)
                     : driver::defaultCalibrationBatch((*data)->numSamples());
  calibrate.progress = [&](size_t done, size_t total) {
    timer.progress(done, total, perBatch);
  };
  timer.begin("calibrate");
  auto result = driver::calibrate(module, **data, calibrate);
  if (!result)
    return result.takeError();
  timer.detail(llvm::Twine(result->summaries.size()) + " tensors, " +
               llvm::Twine(result->batches) + " batches of " +
               llvm::Twine(result->batchSize) + " (" + (*data)->describe() +
               "), mode " + calibMode);
  if (!calibTable.empty())
    if (auto err = qcalib::writeCalibrationTable(result->table, calibTable))
      return err;
  options.calibration = std::move(result->table);
  return llvm::Error::success();
}

/// The graph passes, backend selection (--backend=auto) and lowering.
llvm::Error compileModule(ModuleOp module,
                          const driver::CompileOptions &options,
                          driver::StepTimer &timer) {
  timer.begin("graph passes");
  if (auto err = driver::runPasses(
          module, [&](PassManager &pm) { driver::addGraphPasses(pm, options); },
          "q-compile"))
    return err;
  if (backend == "auto") {
    // Time each conv/fc, then lower what each got.
    timer.begin("backend selection");
    BackendSelectOptions selectOptions;
    selectOptions.channelsLast = options.planLayouts;
    selectOptions.isa = isaOption;
    selectOptions.threads = numThreads;
    selectOptions.costFile = backendCosts;
    selectOptions.measure = !backendCostsOnly;
    auto choices = selectBackends(module, selectOptions);
    if (!choices)
      return choices.takeError();
    std::string report = formatBackendReport(*choices);
    if (backendReport.empty()) {
      llvm::outs() << report;
    } else {
      std::error_code ec;
      llvm::raw_fd_ostream os(backendReport, ec);
      if (ec)
        return llvm::createStringError(ec, backendReport + ": " + ec.message());
      os << report;
    }
  }
  timer.begin("lowering");
  return driver::runPasses(
      module, [&](PassManager &pm) { driver::addLoweringPasses(pm, options); },
      "q-compile");
}

} // namespace

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  cl::HideUnrelatedOptions({&category, &int8Category});
  mlir::q::setVersionPrinter("q-compile");
  cl::ParseCommandLineOptions(
      argc, argv,
      "q-compile: compile an MXNet model (symbol JSON + .params) into a "
      "shared library\nexporting the C API of include/q/model.h.\n");

  auto compileOptions = checkFlags();
  if (!compileOptions)
    return driver::reportError(compileOptions.takeError(), "q-compile");
  driver::StepTimer timer("q-compile", quiet     ? driver::Verbosity::Quiet
                                       : verbose ? driver::Verbosity::Verbose
                                                 : driver::Verbosity::Normal);

  DialectRegistry registry;
  driver::registerDriverDialects(registry);
  MLIRContext context(registry);
  mlir::q::setUpDiagnostics(context);
  context.loadAllAvailableDialects();

  // importModel also checks that the weights are given (--params or
  // --random-params), before anything is compiled. The model is imported
  // once: calibration works on a copy at its own batch.
  timer.begin("import");
  auto module = driver::importModel(context, model.importOptions(symbolFile));
  if (!module)
    return driver::reportError(module.takeError(), "q-compile");
  if (llvm::Error err = mlir::q::checkNodeNames(
          **module, compileOptions->quantize.exclude, "--exclude"))
    return driver::reportError(std::move(err), "q-compile");

  compileOptions->inputTypes.types.assign(inputTypes.begin(),
                                          inputTypes.end());
  if (auto err = driver::checkInputTypes(**module, compileOptions->inputTypes))
    return driver::reportError(std::move(err), "q-compile");
  if (compileOptions->int8 && !calibData.empty()) {
    if (auto err = calibrateModel(**module, *compileOptions, timer))
      return driver::reportError(std::move(err), "q-compile");
  } else if (compileOptions->int8 && !calibTable.empty()) {
    compileOptions->calibTable = calibTable;
  } else if (compileOptions->int8 && !quiet) {
    llvm::errs() << "q-compile: note: no --calib-data or --calib-table: "
                    "int8 ranges are found at run time\n";
  }
  if (auto err = compileModule(**module, *compileOptions, timer))
    return driver::reportError(std::move(err), "q-compile");

  timer.begin("codegen");
  driver::LinkOptions linkOptions;
  linkOptions.outputFile = outputFile;
  linkOptions.emit = emit;
  linkOptions.externalWeights = externalWeights;
  linkOptions.keepTemps = keepTemps;
  linkOptions.verbose = verbose;
  linkOptions.onStep = [&](llvm::StringRef step) { timer.begin(step); };
  auto linked = driver::emitLibrary(**module, *compileOptions, linkOptions);
  if (!linked)
    return driver::reportError(linked.takeError(), "q-compile");
  timer.end();
  if (emit != "so")
    return 0;
  if (externalWeights && !quiet)
    llvm::outs() << "weights: " << linked->paramsFile << "\n";
  std::string line;
  llvm::raw_string_ostream os(line);
  os << "wrote " << outputFile << " (" << linked->numWeights << " weights, "
     << linked->weightBytes / 1024 << " KiB; arena "
     << linked->arenaBytes / 1024 << " KiB, liveness bound "
     << linked->arenaLowerBound / 1024 << " KiB)";
  if (timer.showsSteps())
    os << llvm::format(" in %.1f s", timer.elapsed());
  timer.summary(line);
  return 0;
}
