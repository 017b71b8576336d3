//===- MXNetRegistration.cpp - q-translate --import/--export-mxnet --------===//

#include "QDialect/IR/QDialect.h"
#include "QDialect/Translate/MXNet.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Quant/IR/Quant.h"
#include "mlir/Tools/mlir-translate/Translation.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/SourceMgr.h"

using namespace mlir;

namespace {

llvm::cl::OptionCategory mxnetCategory("MXNet translation options");

llvm::cl::opt<std::string> paramsFile(
    "mxnet-params",
    llvm::cl::desc("with --import-mxnet: the .params file holding the "
                   "weights (without it, weights become function arguments)"),
    llvm::cl::value_desc("file"), llvm::cl::cat(mxnetCategory));

llvm::cl::list<std::string> inputShapes(
    "mxnet-input-shape",
    llvm::cl::desc("with --import-mxnet: shape of a data input, e.g. "
                   "data:1,3,224,224 (repeat or separate with ';')"),
    llvm::cl::value_desc("name:d0,d1,..."), llvm::cl::cat(mxnetCategory));

llvm::cl::opt<bool> allowExtraParams(
    "mxnet-allow-extra-params",
    llvm::cl::desc("with --import-mxnet: ignore parameters the graph does not "
                   "use instead of reporting them"),
    llvm::cl::init(false), llvm::cl::cat(mxnetCategory));

llvm::cl::opt<unsigned> randomParams(
    "mxnet-random-params",
    llvm::cl::desc("with --import-mxnet and no --mxnet-params: fill every "
                   "parameter with seeded random values (for models "
                   "published without weights)"),
    llvm::cl::value_desc("seed"), llvm::cl::cat(mxnetCategory));

llvm::cl::opt<std::string> paramsOut(
    "mxnet-params-out",
    llvm::cl::desc("with --export-mxnet: where to write the .params file"),
    llvm::cl::value_desc("file"), llvm::cl::cat(mxnetCategory));

OwningOpRef<Operation *> importFromSource(llvm::SourceMgr &sources,
                                          MLIRContext *context) {
  const llvm::MemoryBuffer *buffer =
      sources.getMemoryBuffer(sources.getMainFileID());
  std::string symbolFile = buffer->getBufferIdentifier().str();
  Location fileLoc = FileLineColLoc::get(context, symbolFile, 0, 0);

  auto graph = ::mxnet::parseSymbolJSON(buffer->getBuffer(), symbolFile);
  if (!graph) {
    emitError(fileLoc) << llvm::toString(graph.takeError());
    return nullptr;
  }
  q::MXNetImportOptions options;
  options.symbolFile = symbolFile;
  options.allowExtraParams = allowExtraParams;
  for (const std::string &text : inputShapes) {
    auto shapes = q::parseInputShapes(text);
    if (!shapes) {
      emitError(fileLoc) << "--mxnet-input-shape: "
                         << llvm::toString(shapes.takeError());
      return nullptr;
    }
    for (auto &entry : *shapes)
      if (!options.inputShapes.try_emplace(entry.getKey(), entry.getValue())
               .second) {
        emitError(fileLoc) << "--mxnet-input-shape: input '" << entry.getKey()
                           << "' is given two shapes";
        return nullptr;
      }
  }
  std::optional<::mxnet::ParamsFile> params;
  if (!paramsFile.empty()) {
    auto loaded = ::mxnet::readParamsFile(paramsFile);
    if (!loaded) {
      emitError(fileLoc) << llvm::toString(loaded.takeError());
      return nullptr;
    }
    params = std::move(*loaded);
    options.params = &*params;
    options.paramsFile = paramsFile;
  } else if (randomParams.getNumOccurrences()) {
    // Import once without weights to learn their shapes.
    options.warnRenamedNodes = false;
    OwningOpRef<ModuleOp> bare = q::importMXNet(*graph, options, context);
    if (!bare)
      return nullptr;
    options.warnRenamedNodes = true;
    params = q::makeRandomParams(*bare, randomParams);
    options.params = &*params;
    options.paramsFile = "<random params>";
  }
  OwningOpRef<ModuleOp> module = q::importMXNet(*graph, options, context);
  if (!module)
    return nullptr;
  return OwningOpRef<Operation *>(module.release());
}

LogicalResult exportToStream(Operation *op, llvm::raw_ostream &output) {
  auto module = llvm::dyn_cast<ModuleOp>(op);
  if (!module)
    return op->emitError("--export-mxnet needs a module");
  ::mxnet::Graph graph;
  ::mxnet::ParamsFile params;
  if (failed(q::exportMXNet(module, graph, params)))
    return failure();
  if (!paramsOut.empty()) {
    if (auto err = ::mxnet::writeParamsFile(params, paramsOut))
      return module.emitError() << llvm::toString(std::move(err));
  } else if (!params.arrays.empty()) {
    return module.emitError()
           << "the module holds " << params.arrays.size()
           << " parameter(s); pass --mxnet-params-out=FILE to write them";
  }
  output << ::mxnet::writeSymbolJSON(graph);
  return success();
}

void registerDialects(DialectRegistry &registry) {
  registry.insert<q::QDialect, func::FuncDialect, arith::ArithDialect,
                  quant::QuantDialect>();
}

} // namespace

void mlir::q::registerMXNetTranslations() {
  static TranslateToMLIRRegistration importRegistration(
      "import-mxnet", "import an MXNet symbol JSON (+ .params) file",
      importFromSource, registerDialects);
  static TranslateFromMLIRRegistration exportRegistration(
      "export-mxnet", "export a q module to MXNet symbol JSON (+ .params)",
      exportToStream, registerDialects);
}
