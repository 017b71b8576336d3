//===- Compare.cpp - What q-report measures: int8 against fp32 -----------===//
//
// See Compare.h.
//
//===----------------------------------------------------------------------===//

#include "Compare.h"

#include "QDialect/Driver/Calibrate.h"
#include "QDialect/IR/QDialect.h"
#include "QDialect/IR/TensorNames.h"

#include "q/idx.h"
#include "q/npy.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Quant/IR/Quant.h"
#include "mlir/Dialect/Quant/IR/QuantTypes.h"
#include "mlir/IR/Builders.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>

namespace qreport {

llvm::Error makeError(const llvm::Twine &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), message);
}

Score Score::of(llvm::ArrayRef<OutputStats> outputs) {
  Score score;
  score.sqnr = std::numeric_limits<double>::infinity();
  score.agreement = 100;
  for (const OutputStats &o : outputs) {
    score.sqnr = std::min(score.sqnr, o.noise.sqnr());
    score.agreement = std::min(score.agreement, o.agreement());
  }
  if (!outputs.empty())
    score.accuracy = outputs.front().accuracy();
  return score;
}

size_t argmax(const float *row, size_t n) {
  return size_t(std::max_element(row, row + n) - row);
}

std::string dB(double value) {
  if (std::isinf(value))
    return value > 0 ? "inf" : "-inf";
  return llvm::formatv("{0:F1}", value).str();
}

std::string number(double value) {
  std::string text;
  llvm::raw_string_ostream os(text);
  os << llvm::format("%.4g", value);
  return text;
}

/// "+1.5", "-0.25"; a change that rounds to zero prints as "+0.0" (or
/// "+0.00"), never "-0.0".
std::string signedText(double value, int decimals) {
  double scale = std::pow(10.0, decimals);
  double rounded = std::round(value * scale) / scale;
  if (rounded == 0)
    rounded = 0;
  std::string text;
  llvm::raw_string_ostream os(text);
  os << (rounded >= 0 ? "+" : "")
     << llvm::format(decimals == 1 ? "%.1f" : "%.2f", rounded);
  return text;
}

/// The tensors of @main an int8 build can be compared with: arguments and
/// static f32 op results that are not constants.
llvm::StringSet<> fp32Names(ModuleOp module) {
  llvm::StringSet<> names;
  auto fn = module.lookupSymbol<func::FuncOp>("main");
  if (!fn)
    return names;
  for (BlockArgument arg : fn.getArguments())
    names.insert(mlir::q::tensorName(arg));
  fn.walk([&](Operation *op) {
    if (llvm::isa<arith::ConstantOp>(op) || op->getNumResults() != 1)
      return;
    auto type = llvm::dyn_cast<RankedTensorType>(op->getResult(0).getType());
    if (type && type.hasStaticShape() && type.getElementType().isF32())
      names.insert(mlir::q::tensorName(op->getResult(0)));
  });
  return names;
}

static bool isQuantized(Type type) {
  auto shaped = llvm::dyn_cast<ShapedType>(type);
  return shaped && llvm::isa<quant::QuantizedType>(shaped.getElementType());
}

/// Returns from the int8 @main every 8-bit or f32 op result named after an
/// fp32 tensor (8-bit ones through a q.dequantize). A quantize or
/// requantize stands for its input: the value its consumers read. The last
/// op of a name wins, as it is what the graph goes on with. Fills `points`;
/// returns the number of results @main had.
llvm::Expected<unsigned> observeInt8(ModuleOp module,
                                     const llvm::StringSet<> &known,
                                     std::vector<Point> &points) {
  auto fn = module.lookupSymbol<func::FuncOp>("main");
  if (!fn || !fn.getBody().hasOneBlock())
    return makeError("the module has no function @main of one block");
  Block &body = fn.getBody().front();
  llvm::StringMap<size_t> index;
  std::vector<Value> values;
  points.clear();
  for (Operation &op : body) {
    if (op.getNumResults() != 1 ||
        llvm::isa<arith::ConstantOp, mlir::q::DequantizeOp,
                  quant::StorageCastOp>(op))
      continue;
    Value result = op.getResult(0);
    auto type = llvm::dyn_cast<RankedTensorType>(result.getType());
    if (!type || !type.hasStaticShape())
      continue;
    Type element = type.getElementType();
    auto quantized = llvm::dyn_cast<quant::QuantizedType>(element);
    if (!element.isF32() &&
        !(quantized && quantized.getStorageTypeIntegralWidth() == 8))
      continue;
    bool standsForInput =
        llvm::isa<mlir::q::QuantizeOp, mlir::q::RequantizeOp>(op);
    std::string name =
        mlir::q::tensorName(standsForInput ? op.getOperand(0) : result);
    if (!known.contains(name))
      continue;
    Operation *layer = standsForInput ? op.getOperand(0).getDefiningOp() : &op;
    Point point;
    point.name = name;
    point.kind = llvm::isa<mlir::q::QuantizeOp>(op) ? "quantize"
                 : layer ? layer->getName().stripDialect().str()
                         : "argument";
    // A layer runs in int8 when it reads or writes quantized values;
    // excluding the first node it absorbed keeps it in fp32.
    if (layer && !llvm::isa<mlir::q::QuantizeOp>(op)) {
      bool int8 = llvm::any_of(layer->getOperandTypes(), isQuantized) ||
                  llvm::any_of(layer->getResultTypes(), isQuantized);
      auto nodes = mlir::q::nodeNames(layer->getLoc());
      if (int8 && !nodes.empty())
        point.node = nodes.front();
    }
    auto [it, inserted] = index.try_emplace(name, points.size());
    if (inserted) {
      points.push_back(point);
      values.push_back(result);
    } else {
      points[it->second] = point;
      values[it->second] = result;
    }
  }

  auto ret = llvm::cast<func::ReturnOp>(body.getTerminator());
  unsigned original = ret.getNumOperands();
  SmallVector<Value> results(ret.getOperands());
  OpBuilder builder(module.getContext());
  for (auto [point, value] : llvm::zip(points, values)) {
    if (isQuantized(value.getType())) {
      builder.setInsertionPointAfterValue(value);
      value = mlir::q::DequantizeOp::create(
          builder, NameLoc::get(builder.getStringAttr("observe_" + point.name)),
          value);
    }
    results.push_back(value);
  }
  std::vector<std::string> names;
  for (const Point &point : points)
    names.push_back(point.name);
  driver::appendObservedResults(
      fn, llvm::ArrayRef(results).drop_front(original), names);
  return original;
}

/// Integer class labels from .npy (any integer dtype) or IDX.
llvm::Expected<std::vector<int64_t>> readLabels(const std::string &file) {
  std::vector<int64_t> labels;
  std::string error;
  llvm::StringRef name(file);
  if (name.ends_with("-ubyte") || name.ends_with("-ubyte.gz")) {
    ::q::data::IdxArray idx;
    if (!::q::data::readIdx(file, idx, error))
      return makeError("--labels: " + error);
    labels.assign(idx.data.begin(), idx.data.end());
    return labels;
  }
  npy::Array array;
  if (!npy::read(file, array, &error))
    return makeError("--labels: " + error);
  const uint8_t *p = array.data.data();
  for (size_t i = 0, n = array.numElements(); i < n; ++i) {
    switch (array.dtype) {
    case npy::DType::U8:
      labels.push_back(p[i]);
      break;
    case npy::DType::S8:
      labels.push_back(int8_t(p[i]));
      break;
    case npy::DType::S32:
      labels.push_back(reinterpret_cast<const int32_t *>(p)[i]);
      break;
    case npy::DType::S64:
      labels.push_back(reinterpret_cast<const int64_t *>(p)[i]);
      break;
    default:
      return makeError("--labels: " + file +
                       ": class labels must be integers, not " +
                       npy::name(array.dtype));
    }
  }
  return labels;
}

driver::CompileOptions
Session::compileOptions(bool int8, llvm::ArrayRef<std::string> extra) {
  driver::CompileOptions options;
  options.modelName = "report";
  options.numThreads = numThreads;
  options.fuseMode = "int8";
  if (!int8)
    return options;
  options.int8 = true;
  options.quantize = quantize;
  options.quantize.exclude.insert(options.quantize.exclude.end(), extra.begin(),
                                  extra.end());
  options.calibration = calibration;
  options.backend = backend;
  return options;
}

llvm::Expected<OwningOpRef<ModuleOp>>
Session::graph(const driver::CompileOptions &options) {
  OwningOpRef<ModuleOp> module(imported.clone());
  if (auto err = driver::runPasses(*module, [&](PassManager &pm) {
        driver::addGraphPasses(pm, options);
      }))
    return std::move(err);
  return std::move(module);
}

llvm::Expected<std::unique_ptr<CompiledModel>>
Session::load(ModuleOp module, const driver::CompileOptions &options) {
  if (auto err = driver::runPasses(module, [&](PassManager &pm) {
        driver::addLoweringPasses(pm, options);
      }))
    return std::move(err);
  driver::LinkOptions link;
  link.outputFile =
      (tempDir + "/libreport" + llvm::Twine(libraries++) + ".so").str();
  link.tool = "q-report";
  link.verbose = verbose;
  if (auto linked = driver::emitLibrary(module, options, link); !linked)
    return linked.takeError();
  ::q::driver::LoadOptions loadOptions;
  loadOptions.numThreads = numThreads;
  loadOptions.tool = "q-report";
  std::string error;
  auto model = CompiledModel::load(link.outputFile, loadOptions, error);
  if (!model)
    return makeError(error);
  return std::move(model);
}

llvm::Expected<std::unique_ptr<CompiledModel>>
Session::build(const driver::CompileOptions &options) {
  auto module = graph(options);
  if (!module)
    return module.takeError();
  return load(**module, options);
}

llvm::Error prepare(const CompiledModel &model, Outputs &outputs) {
  for (const auto &info : model.outputs()) {
    if (info.dtype != Q_DTYPE_F32)
      return makeError(model.path() + ": output '" + info.name +
                       "' is not f32");
    outputs.data.emplace_back(size_t(info.numElements()));
  }
  for (auto &o : outputs.data)
    outputs.pointers.push_back(o.data());
  return llvm::Error::success();
}

/// Runs one batch (already in the input buffers).
llvm::Error runBatch(const CompiledModel &model, Evaluation &eval,
                     Outputs &outputs, size_t b) {
  std::vector<const void *> in;
  for (auto &buffer : eval.buffers)
    in.push_back(buffer.data());
  std::string error;
  if (!model.run(in.data(), outputs.pointers.data(), error))
    return makeError("batch " + llvm::Twine(b) + ": " + error);
  return llvm::Error::success();
}

/// Runs `model` on every batch, handing its outputs to `use`.
llvm::Error runAll(
    const CompiledModel &model, Evaluation &eval,
    llvm::function_ref<void(size_t, llvm::ArrayRef<std::vector<float>>)> use) {
  Outputs outputs;
  if (auto err = prepare(model, outputs))
    return err;
  for (size_t b = 0; b < eval.batches; ++b) {
    if (auto err = eval.fill(b))
      return err;
    if (auto err = runBatch(model, eval, outputs, b))
      return err;
    use(b, outputs.data);
  }
  return llvm::Error::success();
}

/// Compares an int8 output batch with fp32's.
void compareOutput(OutputStats &stats, const float *ref, const float *q,
                   size_t n, size_t classes, const int64_t *labels) {
  stats.noise.add(ref, q, n);
  for (size_t i = 0; i < n; ++i) {
    stats.dot += double(ref[i]) * q[i];
    stats.refNorm += double(ref[i]) * ref[i];
    stats.qNorm += double(q[i]) * q[i];
  }
  for (size_t row = 0; row * classes < n; ++row) {
    size_t top = argmax(q + row * classes, classes);
    stats.agree += top == argmax(ref + row * classes, classes);
    if (labels)
      stats.correct += int64_t(top) == labels[row];
    ++stats.rows;
  }
}

void compareOutputs(std::vector<OutputStats> &stats, const Reference &ref,
                    size_t b, llvm::ArrayRef<std::vector<float>> outputs) {
  stats.resize(ref.judged.size());
  for (size_t j = 0; j < ref.judged.size(); ++j) {
    const std::vector<float> &r = ref.batches[b][j];
    const int64_t *labels = j == 0 && !ref.labels.empty()
                                ? ref.labels.data() + b * ref.batch
                                : nullptr;
    compareOutput(stats[j], r.data(), outputs[ref.judged[j]].data(), r.size(),
                  ref.classes[j], labels);
  }
}

llvm::Expected<std::vector<OutputStats>>
evaluate(const CompiledModel &model, Evaluation &eval, const Reference &ref) {
  std::vector<OutputStats> stats(ref.judged.size());
  if (auto err = runAll(model, eval,
                        [&](size_t b, llvm::ArrayRef<std::vector<float>> out) {
                          compareOutputs(stats, ref, b, out);
                        }))
    return std::move(err);
  return stats;
}

} // namespace qreport
