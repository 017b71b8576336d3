//===- Calibrate.cpp - Observation points of q-calibrate ------------------===//

#include "QDialect/Driver/Calibrate.h"
#include "QDialect/Driver/Driver.h"

#include "QDialect/IR/QDialect.h"
#include "QDialect/IR/TensorNames.h"
#include "QDialect/Transforms/Calibration.h"
#include "QDialect/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Program.h"

using namespace mlir;
using namespace mlir::q::driver;

static llvm::Error makeError(const llvm::Twine &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), message);
}

llvm::Expected<std::vector<std::string>>
mlir::q::driver::calibrationTargets(ModuleOp fused,
                                    const QuantizeSelection &selection,
                                    std::vector<qcalib::QuantizedType> *types) {
  // Quantize a copy: the names it needs are names of the fp32 module's
  // values (TensorNames.h), and the fp32 module is what gets observed.
  OwningOpRef<ModuleOp> clone(fused.clone());
  q::QQuantizeOptions options;
  options.dtype = selection.dtype;
  options.exclude.assign(selection.exclude.begin(), selection.exclude.end());
  options.excludeOps.assign(selection.excludeOps.begin(),
                            selection.excludeOps.end());
  options.mode = selection.mode;
  if (auto err = runPasses(*clone, [&](PassManager &pm) {
        pm.addNestedPass<func::FuncOp>(q::createQQuantize(options));
      }))
    return std::move(err);
  std::vector<std::string> names = q::calibrationTargetNames(*clone);
  if (types) {
    // The out_type of the op that asks for each range.
    llvm::StringMap<q::QuantDType> outTypes;
    clone->walk([&](Operation *op) {
      if (auto quantize = llvm::dyn_cast<q::QuantizeOp>(op))
        outTypes.try_emplace(q::tensorName(quantize.getInput()),
                             quantize.getOutType());
      else if (auto requantize = llvm::dyn_cast<q::RequantizeOp>(op))
        outTypes.try_emplace(q::tensorName(requantize.getInput()),
                             requantize.getOutType());
    });
    types->clear();
    for (const std::string &name : names) {
      auto it = outTypes.find(name);
      q::QuantDType t = it == outTypes.end() ? q::QuantDType::auto_ : it->second;
      types->push_back(t == q::QuantDType::int8    ? qcalib::QuantizedType::Int8
                       : t == q::QuantDType::uint8 ? qcalib::QuantizedType::UInt8
                                                   : qcalib::QuantizedType::Auto);
    }
  }
  return names;
}

llvm::Expected<unsigned>
mlir::q::driver::addObservationPoints(ModuleOp module,
                                      llvm::ArrayRef<std::string> names) {
  auto fn = module.lookupSymbol<func::FuncOp>("main");
  if (!fn || !fn.getBody().hasOneBlock())
    return makeError("the module has no function @main of one block");
  Block &body = fn.getBody().front();

  // Every tensor by name; the first value of a name wins (names are unique
  // in an imported graph).
  llvm::StringMap<Value> byName;
  for (BlockArgument arg : fn.getArguments())
    byName.try_emplace(q::tensorName(arg), arg);
  for (Operation &op : body)
    for (Value result : op.getResults())
      byName.try_emplace(q::tensorName(result), result);

  auto ret = llvm::cast<func::ReturnOp>(body.getTerminator());
  unsigned original = ret.getNumOperands();
  SmallVector<Value> results(ret.getOperands());
  for (const std::string &name : names) {
    auto it = byName.find(name);
    if (it == byName.end())
      return makeError("the quantized graph needs the range of '" + name +
                       "', which the fp32 graph has no tensor of");
    Value value = it->second;
    if (value.getDefiningOp<arith::ConstantOp>())
      return makeError("'" + name +
                       "' is a constant (a weight): weights are never "
                       "calibrated");
    auto type = llvm::dyn_cast<ShapedType>(value.getType());
    if (!type || !type.getElementType().isF32() || !type.hasStaticShape())
      return makeError("'" + name +
                       "' is not a static f32 tensor; only those are "
                       "calibrated");
    results.push_back(value);
  }

  OpBuilder builder(ret);
  func::ReturnOp::create(builder, ret.getLoc(), results);
  ret.erase();

  SmallVector<DictionaryAttr> resultAttrs;
  for (unsigned i = 0; i < original; ++i) {
    DictionaryAttr attrs = fn.getResultAttrDict(i);
    resultAttrs.push_back(attrs ? attrs : builder.getDictionaryAttr({}));
  }
  for (const std::string &name : names)
    resultAttrs.push_back(builder.getDictionaryAttr(builder.getNamedAttr(
        "q.name", builder.getStringAttr("observe:" + name))));
  SmallVector<Type> resultTypes;
  for (Value v : results)
    resultTypes.push_back(v.getType());
  fn.setType(builder.getFunctionType(fn.getArgumentTypes(), resultTypes));
  fn.setAllResultAttrs(resultAttrs);
  return original;
}

llvm::Error mlir::q::driver::runCalibrateTool(const CalibrateToolRun &run,
                                              std::string *commandLine) {
  llvm::SmallString<128> tool(run.toolDir);
  llvm::sys::path::append(tool, "q-calibrate");
  const QuantizeSelection &sel = run.selection;
  std::vector<std::string> args{std::string(tool),
                                run.model.inputFile,
                                "--data=" + run.data,
                                "--mode=" + run.mode,
                                "--dtype=" + sel.dtype,
                                "--quantize-mode=" + sel.mode,
                                "--num-threads=" +
                                    std::to_string(run.numThreads),
                                "-o",
                                run.output};
  if (!run.model.paramsFile.empty())
    args.push_back("--params=" + run.model.paramsFile);
  if (run.model.randomParamsSeed)
    args.push_back("--random-params=" +
                   std::to_string(*run.model.randomParamsSeed));
  for (const std::string &shape : run.model.inputShapes)
    args.push_back("--input-shape=" + shape);
  if (run.model.allowExtraParams)
    args.push_back("--allow-extra-params");
  for (const std::string &mean : run.model.inputMeans)
    args.push_back("--input-mean=" + mean);
  for (const std::string &std : run.model.inputStds)
    args.push_back("--input-std=" + std);
  if (run.rawIdx)
    args.push_back("--idx-raw");
  if (!sel.exclude.empty())
    args.push_back("--exclude=" + llvm::join(sel.exclude, ","));
  if (!sel.excludeOps.empty())
    args.push_back("--exclude-ops=" + llvm::join(sel.excludeOps, ","));
  if (run.batches)
    args.push_back("--batches=" + std::to_string(run.batches));
  if (run.quiet)
    args.push_back("--quiet");
  if (commandLine)
    *commandLine = llvm::join(args, " ");
  SmallVector<llvm::StringRef> refs(args.begin(), args.end());
  std::string message;
  if (llvm::sys::ExecuteAndWait(refs[0], refs, std::nullopt, {}, 0, 0,
                                &message) != 0)
    return llvm::createStringError(
        llvm::inconvertibleErrorCode(),
        "calibration failed" + (message.empty() ? "" : ": " + message));
  return llvm::Error::success();
}
