//===- q-compile.cpp - MXNet model to a shared library in one command -----===//
//
//   q-compile model-symbol.json --params=model-0000.params \
//             --input-shape=data:1,3,224,224 -o libmodel.so
//
// imports the model, runs the q pipeline (canonicalize, fuse; for an int8
// --dtype calibrate with q-calibrate on --calib-data, quantize, attach the
// ranges, fold; lower to the oneDNN-backed runtime or generated kernels),
// translates to LLVM IR and links the result with
// libqrt into a .so that exports the C API of include/q/model.h. Weights are
// embedded (one aligned blob) or, with --external-weights, written to a
// .params file that the library reads at create time.
//
//===----------------------------------------------------------------------===//

#include "QDialect/Conversion/BackendSelect.h"
#include "QDialect/Driver/Calibrate.h"
#include "QDialect/Driver/Driver.h"
#include "QDialect/Tools/ToolDefaults.h"

#include "mlir/IR/MLIRContext.h"
#include "llvm/ADT/ScopeExit.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/InitLLVM.h"
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
              cl::desc("naive, entropy or percentile (default entropy)"),
              cl::init("entropy"), cl::cat(int8Category));
static cl::opt<unsigned>
    calibBatches("calib-batches",
                 cl::desc("calibration batches to run (default: all)"),
                 cl::init(0), cl::cat(int8Category));
static cl::opt<std::string> calibTable(
    "calib-table",
    cl::desc("with --calib-data: also keep the table q-calibrate writes "
             "here; without: read the ranges from this table"),
    cl::value_desc("calib.json"), cl::cat(int8Category));
static cl::list<std::string>
    exclude("exclude", cl::CommaSeparated,
            cl::desc("node names to keep in fp32"), cl::value_desc("a,b,..."),
            cl::cat(int8Category));
static cl::list<std::string> excludeOps(
    "exclude-ops", cl::CommaSeparated,
    cl::desc("op kinds to keep in fp32: conv, fc, pooling, flatten, "
             "reshape, concat, act, add"),
    cl::value_desc("kind,..."), cl::cat(int8Category));
static cl::opt<std::string>
    quantizeMode("quantize-mode",
                 cl::desc("smart (support ops only between quantized "
                          "layers) or full"),
                 cl::init("smart"), cl::cat(int8Category));
static cl::opt<std::string>
    granularity("granularity",
                cl::desc("weight scales: channel or tensor"),
                cl::init("channel"), cl::cat(int8Category));
static cl::opt<int> weightBits(
    "weight-bits",
    cl::desc("bits of the int8 weights, 2-8 (7: [-64, 63], so avx2 kernels "
             "use vpmaddubsw exactly and oneDNN's avx2 path cannot "
             "saturate)"),
    cl::init(8), cl::cat(int8Category));

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
static cl::opt<bool> keepTemps("keep-temps",
                               cl::desc("keep the intermediate files"),
                               cl::init(false), cl::cat(category));
static cl::opt<bool> verbose("v", cl::desc("print the steps and commands"),
                             cl::init(false), cl::cat(category));

namespace {

int fail(const llvm::Twine &message) {
  llvm::errs() << "q-compile: error: " << message << "\n";
  return 1;
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

  if (dtype != "float32" && dtype != "int8" && dtype != "uint8" &&
      dtype != "auto")
    return fail("--dtype=" + dtype + ": expected float32, int8, uint8 or auto");
  if (backend != "onednn" && backend != "loops" && backend != "auto")
    return fail("--backend=" + backend + ": expected onednn, loops or auto");
  if (dtype == "float32" && (!calibData.empty() || !calibTable.empty() ||
                             !exclude.empty() || backend != "onednn"))
    return fail("--calib-data, --calib-table, --exclude and --backend=" +
                (backend == "onednn" ? std::string("loops") : std::string(backend)) +
                " need an int8 --dtype (int8, uint8 or auto)");
  if (calibMode != "naive" && calibMode != "entropy" &&
      calibMode != "percentile")
    return fail("--calib-mode=" + calibMode +
                ": expected naive, entropy or percentile");
  if (weightBits < 2 || weightBits > 8)
    return fail("--weight-bits=" + std::to_string(weightBits) +
                ": expected 2 to 8");
  if (dtype == "float32" && weightBits.getNumOccurrences())
    return fail("--weight-bits needs an int8 --dtype (int8, uint8 or auto)");
  if (backend != "auto" && (!backendCosts.empty() || backendCostsOnly ||
                            !backendReport.empty()))
    return fail("--backend-costs, --backend-costs-only and --backend-report "
                "need --backend=auto");
  if (backendCostsOnly && backendCosts.empty())
    return fail("--backend-costs-only needs --backend-costs");
  if (backendCostsOnly && !llvm::sys::fs::exists(backendCosts))
    return fail("--backend-costs-only: " + backendCosts + " does not exist");
  if (emit != "so" && emit != "mlir" && emit != "llvm")
    return fail("--emit must be so, mlir or llvm");

  DialectRegistry registry;
  driver::registerDriverDialects(registry);
  MLIRContext context(registry);
  mlir::q::setUpDiagnostics(context);
  context.loadAllAvailableDialects();

  // importModel also checks that the weights are given (--params or
  // --random-params), before anything is compiled.
  driver::ImportOptions importOptions = model.importOptions(symbolFile);
  auto module = driver::importModel(context, importOptions);
  if (!module)
    return driver::reportError(module.takeError(), "q-compile");

  driver::CompileOptions compileOptions;
  compileOptions.inputTypes.types.assign(inputTypes.begin(), inputTypes.end());
  if (auto err = driver::checkInputTypes(**module, compileOptions.inputTypes))
    return driver::reportError(std::move(err), "q-compile");
  compileOptions.modelName = driver::modelNameFor(outputFile);
  compileOptions.numThreads = numThreads;
  compileOptions.fuse = fuse;
  compileOptions.dtype = dtype;
  compileOptions.exclude.assign(exclude.begin(), exclude.end());
  compileOptions.excludeOps.assign(excludeOps.begin(), excludeOps.end());
  compileOptions.quantizeMode = quantizeMode;
  compileOptions.granularity = granularity;
  compileOptions.weightBits = weightBits;
  compileOptions.backend = backend;
  compileOptions.isa = isaOption;

  // Calibration runs the fp32 model on the data: q-calibrate does exactly
  // that, with the same selection of tensors, so q-compile runs it.
  llvm::SmallString<128> tempTable;
  llvm::scope_exit dropTable([&] {
    if (!tempTable.empty())
      llvm::sys::fs::remove(tempTable);
  });
  if (dtype != "float32") {
    if (!calibData.empty()) {
      std::string table = calibTable;
      if (table.empty()) {
        if (auto ec = llvm::sys::fs::createTemporaryFile("q-calib", "json",
                                                         tempTable))
          return fail("cannot create a temporary file: " + ec.message());
        table = std::string(tempTable);
      }
      driver::CalibrateToolRun run;
      run.toolDir = llvm::sys::path::parent_path(
                        llvm::sys::fs::getMainExecutable(argv[0],
                                                         (void *)&fail))
                        .str();
      run.model = importOptions;
      run.data = calibData;
      run.mode = calibMode;
      run.selection.dtype = dtype;
      run.selection.mode = quantizeMode;
      run.selection.exclude = compileOptions.exclude;
      run.selection.excludeOps = compileOptions.excludeOps;
      run.batches = calibBatches;
      run.numThreads = numThreads;
      run.quiet = !verbose;
      // A raw-input model normalizes raw values itself.
      run.rawIdx = !compileOptions.inputTypes.empty();
      run.output = table;
      std::string command;
      llvm::Error calibrated = driver::runCalibrateTool(run, &command);
      if (verbose)
        llvm::errs() << command << "\n";
      if (calibrated)
        return fail(llvm::toString(std::move(calibrated)));
      compileOptions.calibTable = table;
    } else if (!calibTable.empty()) {
      compileOptions.calibTable = calibTable;
    } else {
      llvm::errs() << "q-compile: note: no --calib-data or --calib-table: "
                      "int8 ranges are found at run time\n";
    }
  }
  if (backend != "auto") {
    if (auto err = driver::runPasses(**module, [&](PassManager &pm) {
          driver::buildPipeline(pm, compileOptions);
        }))
      return driver::reportError(std::move(err), "q-compile");
  } else {
    // Graph passes, then time each conv/fc, then lower what each got.
    if (auto err = driver::runPasses(**module, [&](PassManager &pm) {
          driver::addGraphPasses(pm, compileOptions);
        }))
      return driver::reportError(std::move(err), "q-compile");
    BackendSelectOptions selectOptions;
    selectOptions.isa = isaOption;
    selectOptions.threads = numThreads;
    selectOptions.costFile = backendCosts;
    selectOptions.measure = !backendCostsOnly;
    auto choices = selectBackends(**module, selectOptions);
    if (!choices)
      return fail(llvm::toString(choices.takeError()));
    std::string report = formatBackendReport(*choices);
    if (backendReport.empty()) {
      llvm::outs() << report;
    } else {
      std::error_code ec;
      llvm::raw_fd_ostream os(backendReport, ec);
      if (ec)
        return fail(backendReport + ": " + ec.message());
      os << report;
    }
    if (auto err = driver::runPasses(**module, [&](PassManager &pm) {
          driver::addLoweringPasses(pm, compileOptions);
        }))
      return driver::reportError(std::move(err), "q-compile");
  }

  driver::LinkOptions linkOptions;
  linkOptions.outputFile = outputFile;
  linkOptions.emit = emit;
  linkOptions.externalWeights = externalWeights;
  linkOptions.keepTemps = keepTemps;
  linkOptions.verbose = verbose;
  auto linked = driver::emitLibrary(**module, compileOptions, linkOptions);
  if (!linked)
    return driver::reportError(linked.takeError(), "q-compile");
  if (emit != "so")
    return 0;
  if (externalWeights)
    llvm::outs() << "weights: " << linked->paramsFile << "\n";
  llvm::outs() << "q-compile: wrote " << outputFile << " ("
               << linked->numWeights << " weights, "
               << linked->weightBytes / 1024 << " KiB; arena "
               << linked->arenaBytes / 1024 << " KiB, liveness bound "
               << linked->arenaLowerBound / 1024 << " KiB)\n";
  return 0;
}
