//===- Driver.cpp - Import, pass pipeline and linking of q's tools --------===//

#include "QDialect/Driver/Driver.h"
#include "InputOptions.h"

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
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Support/FileUtilities.h"
#include "mlir/Target/LLVMIR/Dialect/Builtin/BuiltinToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/LLVMIR/LLVMToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Export.h"
#include "mlir/Transforms/Passes.h"
#include "llvm/ADT/ScopeExit.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/Module.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/Support/raw_ostream.h"

#include <cstring>

using namespace mlir;
using namespace mlir::q::driver;

void mlir::q::driver::registerDriverDialects(DialectRegistry &registry) {
  registry.insert<q::QDialect, func::FuncDialect, arith::ArithDialect,
                  quant::QuantDialect, LLVM::LLVMDialect>();
  registerBuiltinDialectTranslation(registry);
  registerLLVMDialectTranslation(registry);
}

//===----------------------------------------------------------------------===//
// Errors
//===----------------------------------------------------------------------===//

static llvm::Error makeError(const llvm::Twine &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), message);
}

llvm::Error mlir::q::driver::alreadyReported() { return makeError(""); }

int mlir::q::driver::reportError(llvm::Error error, llvm::StringRef tool) {
  std::string message = llvm::toString(std::move(error));
  if (!message.empty())
    llvm::errs() << tool << ": error: " << message << "\n";
  return 1;
}

//===----------------------------------------------------------------------===//
// Import
//===----------------------------------------------------------------------===//

bool mlir::q::driver::isModuleFile(llvm::StringRef path) {
  return path.ends_with(".mlir");
}

mlir::q::driver::ModelOptions::ModelOptions(llvm::cl::OptionCategory &category)
    : params("params",
             llvm::cl::desc("the model's .params file (or --random-params)"),
             llvm::cl::value_desc("file"), llvm::cl::cat(category)),
      randomParams("random-params",
                   llvm::cl::desc("instead of --params, generate weights of "
                                  "the right shapes from this seed (for "
                                  "models published without weights)"),
                   llvm::cl::init(0), llvm::cl::cat(category)),
      inputShapes("input-shape",
                  llvm::cl::desc("shape of a data input, e.g. "
                                 "data:1,3,224,224; the first dim is the "
                                 "batch (repeat for several inputs)"),
                  llvm::cl::value_desc("name:d0,d1,..."),
                  llvm::cl::cat(category)),
      allowExtra("allow-extra-params",
                 llvm::cl::desc("ignore parameters the graph does not use"),
                 llvm::cl::init(false), llvm::cl::cat(category)),
      inputMeans("input-mean",
                 llvm::cl::desc("start the graph with x - mean on this "
                                "input, per channel as MXNet's ImageIter "
                                "(calibration data are then raw values)"),
                 llvm::cl::value_desc("name:r,g,b"), llvm::cl::cat(category)),
      inputStds("input-std", llvm::cl::desc("then divide by std, per channel"),
                llvm::cl::value_desc("name:r,g,b"), llvm::cl::cat(category)) {}

mlir::q::driver::ImportOptions
mlir::q::driver::ModelOptions::importOptions(llvm::StringRef inputFile) const {
  ImportOptions options;
  options.inputFile = inputFile.str();
  options.paramsFile = params;
  if (randomParams.getNumOccurrences())
    options.randomParamsSeed = randomParams;
  options.inputShapes.assign(inputShapes.begin(), inputShapes.end());
  options.allowExtraParams = allowExtra;
  options.inputMeans.assign(inputMeans.begin(), inputMeans.end());
  options.inputStds.assign(inputStds.begin(), inputStds.end());
  return options;
}

mlir::q::driver::QuantizeFlags::QuantizeFlags(
    llvm::cl::OptionCategory &category)
    : exclude("exclude", llvm::cl::CommaSeparated,
              llvm::cl::desc("node names to keep in fp32 (a name that is no "
                             "node of the graph is an error)"),
              llvm::cl::value_desc("a,b,..."), llvm::cl::cat(category)),
      excludeOps("exclude-ops", llvm::cl::CommaSeparated,
                 llvm::cl::desc("op kinds to keep in fp32: conv, fc, "
                                "pooling, flatten, reshape, concat, act, add"),
                 llvm::cl::value_desc("kind,..."), llvm::cl::cat(category)),
      mode("quantize-mode",
           llvm::cl::desc("smart (support ops only between quantized "
                          "layers) or full"),
           llvm::cl::init("smart"), llvm::cl::cat(category)),
      granularity("granularity",
                  llvm::cl::desc("weight scales: channel or tensor"),
                  llvm::cl::init("channel"), llvm::cl::cat(category)),
      weightBits("weight-bits",
                 llvm::cl::desc("bits of the int8 weights, 2-8 (7: [-64, 63], "
                                "so avx2 kernels use vpmaddubsw exactly and "
                                "oneDNN's avx2 path cannot saturate)"),
                 llvm::cl::init(8), llvm::cl::cat(category)) {}

llvm::Expected<mlir::q::QuantizeOptions>
mlir::q::driver::QuantizeFlags::options(llvm::StringRef dtype) const {
  QuantizeOptions options;
  if (auto err = parseOptionValue(dtype, "--dtype", options.dtype))
    return std::move(err);
  if (auto err = parseOptionValue(mode, "--quantize-mode", options.mode))
    return std::move(err);
  if (auto err =
          parseOptionValue(granularity, "--granularity", options.granularity))
    return std::move(err);
  if (auto err = checkWeightBits(weightBits, "--weight-bits"))
    return std::move(err);
  options.weightBits = weightBits;
  options.exclude.assign(exclude.begin(), exclude.end());
  options.excludeOps.assign(excludeOps.begin(), excludeOps.end());
  if (auto err = checkOpKinds(options.excludeOps, "--exclude-ops"))
    return std::move(err);
  return options;
}

llvm::Expected<OwningOpRef<ModuleOp>>
mlir::q::driver::importModel(MLIRContext &context,
                             const ImportOptions &options) {
  if (isModuleFile(options.inputFile)) {
    // A q module (e.g. written by q-translate or q-opt): weights must be
    // constants already.
    OwningOpRef<ModuleOp> module =
        parseSourceFile<ModuleOp>(options.inputFile, &context);
    if (!module)
      return alreadyReported();
    if (auto err = normalizeInputs(*module, options))
      return std::move(err);
    return std::move(module);
  }
  if (options.paramsFile.empty() == !options.randomParamsSeed)
    return makeError("give either --params or --random-params: a compiled "
                     "model needs its weights");

  auto graph = mxnet::readSymbolFile(options.inputFile);
  if (!graph)
    return graph.takeError();
  q::MXNetImportOptions importOptions;
  importOptions.symbolFile = options.inputFile;
  importOptions.allowExtraParams = options.allowExtraParams;
  importOptions.flags = {"--input-shape", "--allow-extra-params", "--params"};
  for (const std::string &text : options.inputShapes) {
    auto shapes = q::parseInputShapes(text);
    if (!shapes)
      return makeError("--input-shape: " + llvm::toString(shapes.takeError()));
    for (auto &entry : *shapes)
      importOptions.inputShapes[entry.getKey()] = entry.getValue();
  }
  if (options.batchSize) {
    if (importOptions.inputShapes.empty())
      return makeError("--batch-size needs --input-shape (the batch is the "
                       "first dim of the input shapes)");
    for (auto &entry : importOptions.inputShapes) {
      if (entry.getValue().empty())
        return makeError("--input-shape: '" + entry.getKey() +
                         "' has no batch dim to set");
      entry.getValue()[0] = *options.batchSize;
    }
  }

  mxnet::ParamsFile params;
  if (!options.paramsFile.empty()) {
    auto loaded = mxnet::readParamsFile(options.paramsFile);
    if (!loaded)
      return loaded.takeError();
    params = std::move(*loaded);
    importOptions.paramsFile = options.paramsFile;
  } else {
    // Import once without weights to learn their shapes.
    importOptions.warnRenamedNodes = false;
    OwningOpRef<ModuleOp> bare =
        q::importMXNet(*graph, importOptions, &context);
    if (!bare)
      return alreadyReported();
    importOptions.warnRenamedNodes = true;
    params = q::makeRandomParams(*bare, *options.randomParamsSeed);
    importOptions.paramsFile = "<random params>";
  }
  importOptions.params = &params;
  OwningOpRef<ModuleOp> module =
      q::importMXNet(*graph, importOptions, &context);
  if (!module)
    return alreadyReported();
  if (auto err = normalizeInputs(*module, options))
    return std::move(err);
  return std::move(module);
}

//===----------------------------------------------------------------------===//
// Pass pipeline
//===----------------------------------------------------------------------===//

void mlir::q::driver::addGraphPasses(PassManager &pm,
                                     const CompileOptions &options) {
  if (options.int8) {
    std::unique_ptr<Pass> calibrate;
    if (options.calibration)
      calibrate =
          q::createQCalibrate(*options.calibration, "the calibration table",
                              options.calibStrict, options.allowClipping);
    else if (!options.calibTable.empty())
      calibrate = q::createQCalibrate(q::QCalibrateOptions{
          options.calibTable, options.calibStrict, options.allowClipping});
    q::buildInt8Pipeline(pm, options.quantize, std::move(calibrate));
    addRawInputPass(pm, options.inputTypes);
    return;
  }
  pm.addPass(createCanonicalizerPass());
  if (options.fuse) {
    q::QFuseOptions fuseOptions;
    fuseOptions.mode = options.fuseMode;
    pm.addNestedPass<func::FuncOp>(q::createQFuse(fuseOptions));
  }
  addRawInputPass(pm, options.inputTypes);
}

void mlir::q::driver::addLoweringPasses(PassManager &pm,
                                        const CompileOptions &options) {
  // auto: q-lower-to-loops takes the ops not marked q.backend = "onednn".
  if (options.backend == "loops" || options.backend == "auto") {
    q::QLowerToLoopsOptions loops;
    loops.isa = options.isa;
    loops.channelsLast = options.planLayouts;
    pm.addPass(q::createQLowerToLoops(loops));
  }
  // After the loops: kernels generated NCHW or channels last constrain the
  // plan (q.kernel_call's requiredLayout).
  if (options.planLayouts)
    pm.addNestedPass<func::FuncOp>(q::createQAssignLayouts());
  q::QLowerToOneDNNOptions lowerOptions;
  lowerOptions.modelName = options.modelName;
  lowerOptions.numThreads = options.numThreads;
  pm.addPass(q::createQLowerToOneDNN(lowerOptions));
}

void mlir::q::driver::buildPipeline(PassManager &pm,
                                    const CompileOptions &options) {
  addGraphPasses(pm, options);
  addLoweringPasses(pm, options);
}

llvm::Error
mlir::q::driver::runPasses(ModuleOp module,
                           llvm::function_ref<void(PassManager &pm)> build,
                           llvm::StringRef tool) {
  // Without a handler MLIR drops warnings; errors go on to the tool's.
  ScopedDiagnosticHandler warnings(
      module->getContext(), [&](Diagnostic &diag) -> LogicalResult {
        if (diag.getSeverity() != DiagnosticSeverity::Warning)
          return failure();
        llvm::errs() << tool << ": warning: " << diag.str() << "\n";
        return success();
      });
  PassManager pm(module->getContext());
  build(pm);
  if (failed(pm.run(module)))
    return alreadyReported();
  return llvm::Error::success();
}

std::string mlir::q::driver::modelNameFor(llvm::StringRef libraryPath) {
  std::string name = llvm::sys::path::stem(libraryPath).str();
  if (llvm::StringRef(name).starts_with("lib"))
    name = name.substr(3);
  return name;
}

//===----------------------------------------------------------------------===//
// Library
//===----------------------------------------------------------------------===//

namespace {

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
    std::memcpy(out.data() + i, raw.data() + (dense.isSplat() ? 0 : i), width);
  return out;
}

/// Runs a program; fails with its command line when it fails.
llvm::Error runProgram(llvm::ArrayRef<llvm::StringRef> args, bool verbose) {
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
    return makeError("'" + line + "' failed" +
                     (message.empty() ? "" : ": " + message));
  }
  return llvm::Error::success();
}

std::string findClang() {
  for (const char *name : {"clang-22", "clang"})
    if (auto path = llvm::sys::findProgramByName(
            name, {"/usr/lib/llvm-22/bin", "/usr/bin"}))
      return *path;
  return "";
}

llvm::Error writeText(llvm::StringRef path,
                      llvm::function_ref<void(llvm::raw_ostream &)> write) {
  std::string error;
  auto file = mlir::openOutputFile(path, &error);
  if (!file)
    return makeError(error);
  write(file->os());
  file->keep();
  return llvm::Error::success();
}

} // namespace

llvm::Expected<LinkResult>
mlir::q::driver::emitLibrary(ModuleOp module, const CompileOptions &compile,
                             const LinkOptions &options) {
  auto weights = module->getAttrOfType<ArrayAttr>("q.weights");
  auto arena = module->getAttrOfType<IntegerAttr>("q.arena_bytes");
  auto bound = module->getAttrOfType<IntegerAttr>("q.arena_lower_bound");
  if (!weights || !arena)
    return makeError("the lowering left no weights or arena size");
  LinkResult result;
  result.numWeights = weights.size();
  result.arenaBytes = arena.getInt();
  result.arenaLowerBound = bound ? bound.getInt() : 0;

  const std::string &outputFile = options.outputFile;
  if (options.emit == "mlir") {
    if (auto err = writeText(outputFile,
                             [&](llvm::raw_ostream &os) { module->print(os); }))
      return std::move(err);
    return result;
  }

  // Pack the weights in the manifest's order and alignment.
  std::vector<char> blob;
  mxnet::ParamsFile external;
  for (Attribute entry : weights) {
    auto dict = llvm::cast<DictionaryAttr>(entry);
    auto name = dict.getAs<StringAttr>("name");
    auto value = dict.getAs<ElementsAttr>("value");
    auto bytes = weightBytes(value);
    if (failed(bytes))
      return makeError("weight '" + name.str() + "' has no data");
    blob.resize((blob.size() + q::kWeightAlignment - 1) / q::kWeightAlignment *
                q::kWeightAlignment);
    blob.insert(blob.end(), bytes->begin(), bytes->end());
    if (options.externalWeights) {
      auto type = llvm::cast<ShapedType>(value.getType());
      mxnet::NDArray array;
      array.shape.assign(type.getShape().begin(), type.getShape().end());
      array.dtype =
          type.getElementType().isF32()
              ? mxnet::DType::F32
              : (type.getElementType().isInteger(32) ? mxnet::DType::I32
                                                     : mxnet::DType::I8);
      array.data.assign(bytes->begin(), bytes->end());
      external.arrays.emplace_back("arg:" + name.str(), std::move(array));
    }
  }
  result.weightBytes = blob.size();
  module->removeAttr("q.weights");

  llvm::LLVMContext llvmContext;
  auto llvmModule =
      translateModuleToLLVMIR(module, llvmContext, compile.modelName);
  if (!llvmModule)
    return makeError("translation to LLVM IR failed");
  llvmModule->setTargetTriple(llvm::Triple("x86_64-pc-linux-gnu"));
  if (options.emit == "llvm") {
    if (auto err = writeText(outputFile, [&](llvm::raw_ostream &os) {
          llvmModule->print(os, nullptr);
        }))
      return std::move(err);
    return result;
  }

  llvm::SmallString<128> tempDir;
  if (auto ec = llvm::sys::fs::createUniqueDirectory(options.tool, tempDir))
    return makeError("cannot create a temporary folder: " + ec.message());
  llvm::scope_exit cleanup([&] {
    if (!options.keepTemps)
      llvm::sys::fs::remove_directories(tempDir);
    else
      llvm::errs() << options.tool << ": intermediate files kept in " << tempDir
                   << "\n";
  });
  auto inTemp = [&](llvm::StringRef name) {
    llvm::SmallString<128> path(tempDir);
    llvm::sys::path::append(path, name);
    return std::string(path);
  };
  std::string irPath = inTemp("model.ll"), blobPath = inTemp("weights.bin"),
              asmPath = inTemp("weights.s"), soPath = inTemp("model.so");
  if (auto err = writeText(irPath, [&](llvm::raw_ostream &os) {
        llvmModule->print(os, nullptr);
      }))
    return std::move(err);
  SmallVector<std::string> sources{irPath};
  if (!options.externalWeights) {
    if (auto err = writeText(blobPath, [&](llvm::raw_ostream &os) {
          os.write(blob.data(), blob.size());
        }))
      return std::move(err);
    if (auto err = writeText(asmPath, [&](llvm::raw_ostream &os) {
          os << "  .section .rodata.q_weights,\"a\",@progbits\n"
             << "  .balign " << q::kWeightAlignment << "\n"
             << "  .globl __q_weights\n"
             << "  .type __q_weights,@object\n"
             << "__q_weights:\n"
             << "  .incbin \"" << blobPath << "\"\n"
             << "  .size __q_weights, " << blob.size() << "\n"
             << "  .section .note.GNU-stack,\"\",@progbits\n";
        }))
      return std::move(err);
    sources.push_back(asmPath);
  }

  std::string clang = findClang();
  if (clang.empty())
    return makeError("clang-22 not found (run scripts/setup.sh)");
  std::vector<std::string> command{clang, "-O2", "-shared", "-fPIC"};
  command.insert(command.end(), sources.begin(), sources.end());
  for (const char *arg :
       {"-Wl,--no-undefined", "-Wl,--whole-archive", Q_QRT_MODEL_LIBRARY,
        "-Wl,--no-whole-archive", Q_QRT_LIBRARY, "-Wl,--exclude-libs,libqrt.a",
        Q_DNNL_LIBRARY, "-lgomp", "-lstdc++", "-lm", "-lpthread", "-ldl", "-o"})
    command.push_back(arg);
  command.push_back(soPath);
  if (options.onStep)
    options.onStep("link");
  SmallVector<llvm::StringRef> args(command.begin(), command.end());
  if (auto err = runProgram(args, options.verbose))
    return std::move(err);

  // Publish atomically: a failed compile leaves no library behind.
  if (auto ec = llvm::sys::fs::rename(soPath, outputFile)) {
    if (auto copyError = llvm::sys::fs::copy_file(soPath, outputFile))
      return makeError("cannot write " + outputFile + ": " +
                       copyError.message());
  }
  if (options.externalWeights) {
    llvm::StringRef parent = llvm::sys::path::parent_path(outputFile);
    std::string paramsOut =
        (parent + "/" + llvm::sys::path::stem(outputFile) + ".params").str();
    if (parent.empty())
      paramsOut = (llvm::sys::path::stem(outputFile) + ".params").str();
    if (auto err = mxnet::writeParamsFile(external, paramsOut))
      return std::move(err);
    result.paramsFile = paramsOut;
  }
  return result;
}
