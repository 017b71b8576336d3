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

#include "QDialect/Conversion/Passes.h"
#include "QDialect/IR/QDialect.h"
#include "QDialect/Transforms/Passes.h"
#include "QDialect/Translate/MXNet.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Quant/IR/Quant.h"
#include "mlir/IR/AsmState.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Support/FileUtilities.h"
#include "llvm/ADT/ScopeExit.h"
#include "mlir/Target/LLVMIR/Dialect/Builtin/BuiltinToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/LLVMIR/LLVMToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Export.h"
#include "mlir/Transforms/Passes.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/Module.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;
namespace cl = llvm::cl;

static cl::OptionCategory category("q-compile options");
static cl::opt<std::string>
    symbolFile(cl::Positional, cl::Required,
               cl::desc("<model-symbol.json | module.mlir>"),
               cl::cat(category));
static cl::opt<std::string>
    paramsFile("params", cl::desc("the model's .params file (required: the "
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

/// Raw bytes of a weight constant (dense or dense_resource).
FailureOr<std::vector<char>> weightBytes(ElementsAttr value) {
  auto type = llvm::cast<ShapedType>(value.getType());
  size_t width = type.getElementType().getIntOrFloatBitWidth() / 8;
  size_t bytes = type.getNumElements() * width;
  std::vector<char> out(bytes);
  if (auto resource = llvm::dyn_cast<DenseResourceElementsAttr>(value)) {
    AsmResourceBlob *blob = resource.getRawHandle().getBlob();
    if (!blob || blob->getData().size() != bytes)
      return failure();
    std::memcpy(out.data(), blob->getData().data(), bytes);
    return out;
  }
  auto dense = llvm::dyn_cast<DenseElementsAttr>(value);
  if (!dense)
    return failure();
  llvm::ArrayRef<char> raw = dense.getRawData();
  for (size_t i = 0; i < bytes; i += width)
    std::memcpy(out.data() + i,
                raw.data() + (dense.isSplat() ? 0 : i), width);
  return out;
}

/// Runs a program; fails with its command line when it fails.
LogicalResult runProgram(llvm::ArrayRef<llvm::StringRef> args) {
  if (verbose) {
    for (llvm::StringRef a : args)
      llvm::errs() << a << " ";
    llvm::errs() << "\n";
  }
  std::string message;
  int rc = llvm::sys::ExecuteAndWait(args[0], args, std::nullopt, {}, 0, 0,
                                     &message);
  if (rc != 0) {
    std::string line;
    for (llvm::StringRef a : args)
      line += a.str() + " ";
    fail("'" + line + "' failed" + (message.empty() ? "" : ": " + message));
    return failure();
  }
  return success();
}

std::string findClang() {
  for (const char *name : {"clang-22", "clang"})
    if (auto path = llvm::sys::findProgramByName(
            name, {"/usr/lib/llvm-22/bin", "/usr/bin"}))
      return *path;
  return "";
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
  bool fromMLIR = llvm::StringRef(symbolFile).ends_with(".mlir");
  if (!fromMLIR && paramsFile.empty() == !randomParams.getNumOccurrences())
    return fail("give either --params or --random-params: a compiled model "
                "needs its weights");
  if (emit != "so" && emit != "mlir" && emit != "llvm")
    return fail("--emit must be so, mlir or llvm");

  DialectRegistry registry;
  registry.insert<q::QDialect, func::FuncDialect, arith::ArithDialect,
                  quant::QuantDialect, LLVM::LLVMDialect>();
  registerBuiltinDialectTranslation(registry);
  registerLLVMDialectTranslation(registry);
  MLIRContext context(registry);
  context.loadAllAvailableDialects();

  OwningOpRef<ModuleOp> module;
  if (fromMLIR) {
    // A q module (e.g. written by q-translate or q-opt): weights must be
    // constants already.
    module = parseSourceFile<ModuleOp>(symbolFile, &context);
    if (!module)
      return 1;
  } else {
  auto graph = mxnet::readSymbolFile(symbolFile);
  if (!graph)
    return fail(llvm::toString(graph.takeError()));
  q::MXNetImportOptions options;
  options.symbolFile = symbolFile;
  options.allowExtraParams = allowExtra;
  for (const std::string &text : inputShapes) {
    auto shapes = q::parseInputShapes(text);
    if (!shapes)
      return fail("--input-shape: " + llvm::toString(shapes.takeError()));
    for (auto &entry : *shapes)
      options.inputShapes[entry.getKey()] = entry.getValue();
  }
  mxnet::ParamsFile params;
  if (!paramsFile.empty()) {
    auto loaded = mxnet::readParamsFile(paramsFile);
    if (!loaded)
      return fail(llvm::toString(loaded.takeError()));
    params = std::move(*loaded);
    options.paramsFile = paramsFile;
  } else {
    // Import once without weights to learn their shapes.
    OwningOpRef<ModuleOp> bare = q::importMXNet(*graph, options, &context);
    if (!bare)
      return 1;
    params = q::makeRandomParams(*bare, randomParams);
    options.paramsFile = "<random params>";
  }
  options.params = &params;
  module = q::importMXNet(*graph, options, &context);
  if (!module)
    return 1;
  }

  std::string modelName = llvm::sys::path::stem(outputFile).str();
  if (llvm::StringRef(modelName).starts_with("lib"))
    modelName = modelName.substr(3);
  PassManager pm(&context);
  pm.addPass(createCanonicalizerPass());
  if (fuse)
    pm.addNestedPass<func::FuncOp>(q::createQFuse());
  q::QLowerToOneDNNOptions lowerOptions;
  lowerOptions.modelName = modelName;
  lowerOptions.numThreads = numThreads;
  pm.addPass(q::createQLowerToOneDNN(lowerOptions));
  if (failed(pm.run(*module)))
    return 1;

  auto weights = (*module)->getAttrOfType<ArrayAttr>("q.weights");
  auto arena = (*module)->getAttrOfType<IntegerAttr>("q.arena_bytes");
  auto bound = (*module)->getAttrOfType<IntegerAttr>("q.arena_lower_bound");
  if (!weights || !arena)
    return fail("the lowering left no weights or arena size");

  auto writeText = [&](llvm::StringRef path,
                       llvm::function_ref<void(llvm::raw_ostream &)> write)
      -> LogicalResult {
    std::string error;
    auto file = mlir::openOutputFile(path, &error);
    if (!file)
      return fail(error), failure();
    write(file->os());
    file->keep();
    return success();
  };
  if (emit == "mlir")
    return failed(writeText(outputFile, [&](llvm::raw_ostream &os) {
      module->print(os);
    }));

  // Pack the weights in the manifest's order and alignment.
  std::vector<char> blob;
  mxnet::ParamsFile external;
  for (Attribute entry : weights) {
    auto dict = llvm::cast<DictionaryAttr>(entry);
    auto name = dict.getAs<StringAttr>("name");
    auto value = dict.getAs<ElementsAttr>("value");
    auto bytes = weightBytes(value);
    if (failed(bytes))
      return fail("weight '" + name.str() + "' has no data");
    blob.resize((blob.size() + q::kWeightAlignment - 1) /
                q::kWeightAlignment * q::kWeightAlignment);
    blob.insert(blob.end(), bytes->begin(), bytes->end());
    if (externalWeights) {
      auto type = llvm::cast<ShapedType>(value.getType());
      mxnet::NDArray array;
      array.shape.assign(type.getShape().begin(), type.getShape().end());
      array.dtype = type.getElementType().isF32()
                        ? mxnet::DType::F32
                        : (type.getElementType().isInteger(32)
                               ? mxnet::DType::I32
                               : mxnet::DType::I8);
      array.data.assign(bytes->begin(), bytes->end());
      external.arrays.emplace_back("arg:" + name.str(), std::move(array));
    }
  }
  (*module)->removeAttr("q.weights");

  llvm::LLVMContext llvmContext;
  auto llvmModule = translateModuleToLLVMIR(*module, llvmContext, modelName);
  if (!llvmModule)
    return fail("translation to LLVM IR failed");
  llvmModule->setTargetTriple(llvm::Triple("x86_64-pc-linux-gnu"));
  if (emit == "llvm")
    return failed(writeText(outputFile, [&](llvm::raw_ostream &os) {
      llvmModule->print(os, nullptr);
    }));

  llvm::SmallString<128> tempDir;
  if (auto ec = llvm::sys::fs::createUniqueDirectory("q-compile", tempDir))
    return fail("cannot create a temporary folder: " + ec.message());
  llvm::scope_exit cleanup([&] {
    if (!keepTemps)
      llvm::sys::fs::remove_directories(tempDir);
    else
      llvm::errs() << "q-compile: intermediate files kept in " << tempDir
                   << "\n";
  });
  auto inTemp = [&](llvm::StringRef name) {
    llvm::SmallString<128> path(tempDir);
    llvm::sys::path::append(path, name);
    return std::string(path);
  };
  std::string irPath = inTemp("model.ll"), blobPath = inTemp("weights.bin"),
              asmPath = inTemp("weights.s"), soPath = inTemp("model.so");
  if (failed(writeText(irPath, [&](llvm::raw_ostream &os) {
        llvmModule->print(os, nullptr);
      })))
    return 1;
  SmallVector<std::string> sources{irPath};
  if (!externalWeights) {
    if (failed(writeText(blobPath, [&](llvm::raw_ostream &os) {
          os.write(blob.data(), blob.size());
        })) ||
        failed(writeText(asmPath, [&](llvm::raw_ostream &os) {
          os << "  .section .rodata.q_weights,\"a\",@progbits\n"
             << "  .balign " << q::kWeightAlignment << "\n"
             << "  .globl __q_weights\n"
             << "  .type __q_weights,@object\n"
             << "__q_weights:\n"
             << "  .incbin \"" << blobPath << "\"\n"
             << "  .size __q_weights, " << blob.size() << "\n"
             << "  .section .note.GNU-stack,\"\",@progbits\n";
        })))
      return 1;
    sources.push_back(asmPath);
  }

  std::string clang = findClang();
  if (clang.empty())
    return fail("clang-22 not found (run scripts/setup.sh)");
  std::vector<std::string> command{clang, "-O2", "-shared", "-fPIC"};
  command.insert(command.end(), sources.begin(), sources.end());
  for (const char *arg :
       {"-Wl,--no-undefined", "-Wl,--whole-archive", Q_QRT_MODEL_LIBRARY,
        "-Wl,--no-whole-archive", Q_QRT_LIBRARY, "-Wl,--exclude-libs,libqrt.a",
        Q_DNNL_LIBRARY, "-lgomp",
        "-lstdc++", "-lm", "-lpthread", "-ldl", "-o"})
    command.push_back(arg);
  command.push_back(soPath);
  SmallVector<llvm::StringRef> args(command.begin(), command.end());
  if (failed(runProgram(args)))
    return 1;

  // Publish atomically: a failed compile leaves no library behind.
  if (auto ec = llvm::sys::fs::rename(soPath, outputFile)) {
    if (auto copyError = llvm::sys::fs::copy_file(soPath, outputFile))
      return fail("cannot write " + outputFile + ": " + copyError.message());
  }
  if (externalWeights) {
    std::string paramsOut =
        (llvm::sys::path::parent_path(outputFile) + "/" +
         llvm::sys::path::stem(outputFile) + ".params")
            .str();
    if (llvm::sys::path::parent_path(outputFile).empty())
      paramsOut = (llvm::sys::path::stem(outputFile) + ".params").str();
    if (auto err = mxnet::writeParamsFile(external, paramsOut))
      return fail(llvm::toString(std::move(err)));
    llvm::outs() << "weights: " << paramsOut << "\n";
  }
  llvm::outs() << "q-compile: wrote " << outputFile << " (" << weights.size()
               << " weights, " << blob.size() / 1024 << " KiB; arena "
               << arena.getInt() / 1024 << " KiB, liveness bound "
               << (bound ? bound.getInt() : 0) / 1024 << " KiB)\n";
  return 0;
}
