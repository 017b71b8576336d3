//===- q-compile.cpp - MXNet model to a shared library in one command -----===//
//
//   q-compile model-symbol.json --params=model-0000.params \
//             --input-shape=data:1,3,224,224 -o libmodel.so
//
// imports the model, runs the q pipeline (canonicalize, lower to the
// oneDNN-backed runtime), translates to LLVM IR and links the result with
// libqrt into a .so that exports the C API of include/q/model.h. Weights are
// embedded (one aligned blob) or, with --external-weights, written to a
// .params file that the library reads at create time.
//
//===----------------------------------------------------------------------===//

#include "QDialect/Driver/Driver.h"

#include "mlir/IR/MLIRContext.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;
namespace driver = mlir::q::driver;
namespace cl = llvm::cl;

static cl::OptionCategory category("q-compile options");
static cl::opt<std::string>
    symbolFile(cl::Positional, cl::Required,
               cl::desc("<model-symbol.json | module.mlir>"),
               cl::cat(category));
static cl::opt<std::string>
    paramsFile("params",
               cl::desc("the model's .params file (required: the "
                        "library needs its weights)"),
               cl::value_desc("file"), cl::cat(category));
static cl::list<std::string>
    inputShapes("input-shape",
                cl::desc("shape of a data input, e.g. data:1,3,224,224 "
                         "(repeat for several inputs)"),
                cl::value_desc("name:d0,d1,..."), cl::cat(category));
static cl::opt<std::string> outputFile("o", cl::desc("the library to write"),
                                       cl::value_desc("libmodel.so"),
                                       cl::init("libmodel.so"),
                                       cl::cat(category));
static cl::opt<std::string>
    dtype("dtype",
          cl::desc("arithmetic of the compiled model: float32 (int8, uint8 "
                   "and auto come with the quantization passes)"),
          cl::init("float32"), cl::cat(category));
static cl::opt<std::string>
    backend("backend", cl::desc("kernels: onednn (generated loops come later)"),
            cl::init("onednn"), cl::cat(category));
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
static cl::opt<unsigned> randomParams(
    "random-params",
    cl::desc("instead of --params, generate weights of the right shapes "
             "from this seed (for models published without weights)"),
    cl::init(0), cl::cat(category));
static cl::opt<bool>
    allowExtra("allow-extra-params",
               cl::desc("ignore parameters the graph does not use"),
               cl::init(false), cl::cat(category));

namespace {

int fail(const llvm::Twine &message) {
  llvm::errs() << "q-compile: error: " << message << "\n";
  return 1;
}

} // namespace

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  cl::HideUnrelatedOptions(category);
  cl::ParseCommandLineOptions(
      argc, argv,
      "q-compile: compile an MXNet model (symbol JSON + .params) into a "
      "shared library\nexporting the C API of include/q/model.h.\n");

  if (dtype != "float32")
    return fail("--dtype=" + dtype +
                ": only float32 compiles so far; int8 arrives with the "
                "quantize and calibrate passes");
  if (backend != "onednn")
    return fail("--backend=" + backend + ": only onednn exists so far");
  bool fromMLIR = driver::isModuleFile(symbolFile);
  if (!fromMLIR && paramsFile.empty() == !randomParams.getNumOccurrences())
    return fail("give either --params or --random-params: a compiled model "
                "needs its weights");
  if (emit != "so" && emit != "mlir" && emit != "llvm")
    return fail("--emit must be so, mlir or llvm");

  DialectRegistry registry;
  driver::registerDriverDialects(registry);
  MLIRContext context(registry);
  context.loadAllAvailableDialects();

  driver::ImportOptions importOptions;
  importOptions.inputFile = symbolFile;
  importOptions.paramsFile = paramsFile;
  if (randomParams.getNumOccurrences())
    importOptions.randomParamsSeed = randomParams;
  importOptions.inputShapes = inputShapes;
  importOptions.allowExtraParams = allowExtra;
  auto module = driver::importModel(context, importOptions);
  if (!module)
    return driver::reportError(module.takeError(), "q-compile");

  driver::CompileOptions compileOptions;
  compileOptions.modelName = driver::modelNameFor(outputFile);
  compileOptions.numThreads = numThreads;
  compileOptions.fuse = fuse;
  if (auto err = driver::runPasses(**module, [&](PassManager &pm) {
        driver::buildPipeline(pm, compileOptions);
      }))
    return driver::reportError(std::move(err), "q-compile");

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
