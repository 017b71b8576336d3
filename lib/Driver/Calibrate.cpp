//===- Calibrate.cpp - Calibration of a model on data, in process ---------===//
//
// calibrate() and its steps (Calibrate.h): the calibration batch, the
// tensors to observe, the instrumented fp32 library (compiled, linked and
// loaded once, in this process) and the data pass feeding the statistics.
//
//===----------------------------------------------------------------------===//

#include "QDialect/Driver/Calibrate.h"
#include "QDialect/Driver/Driver.h"

#include "QDialect/IR/QDialect.h"
#include "QDialect/IR/TensorNames.h"
#include "QDialect/Transforms/Calibration.h"
#include "QDialect/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "llvm/ADT/ScopeExit.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>
#include <numeric>
#include <random>
#include <thread>

using namespace mlir;
using namespace mlir::q::driver;

static llvm::Error makeError(const llvm::Twine &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), message);
}

llvm::Expected<std::vector<std::string>> mlir::q::driver::calibrationTargets(
    ModuleOp fused, const QuantizeOptions &selection,
    std::vector<qcalib::QuantizedType> *types,
    std::vector<::q::calibrate::CollectOptions::ChannelLayout> *layouts) {
  // Quantize a copy: the names it needs are names of the fp32 module's
  // values (TensorNames.h), and the fp32 module is what gets observed.
  OwningOpRef<ModuleOp> clone(fused.clone());
  if (auto err = runPasses(*clone, [&](PassManager &pm) {
        pm.addPass(q::createQQuantize(selection));
      }))
    return std::move(err);
  std::vector<std::string> names = q::calibrationTargetNames(*clone);
  if (layouts) {
    llvm::StringMap<::q::calibrate::CollectOptions::ChannelLayout> byName;
    for (const q::ChannelTarget &target : q::perChannelTargets(*clone))
      byName[target.name] = {target.channels, target.inner};
    layouts->clear();
    for (const std::string &name : names)
      layouts->push_back(byName.lookup(name));
  }
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
      q::QuantDType t =
          it == outTypes.end() ? q::QuantDType::auto_ : it->second;
      types->push_back(t == q::QuantDType::int8 ? qcalib::QuantizedType::Int8
                       : t == q::QuantDType::uint8
                           ? qcalib::QuantizedType::UInt8
                           : qcalib::QuantizedType::Auto);
    }
  }
  return names;
}

void mlir::q::driver::appendObservedResults(func::FuncOp fn,
                                            llvm::ArrayRef<Value> values,
                                            llvm::ArrayRef<std::string> names) {
  Block &body = fn.getBody().front();
  auto ret = llvm::cast<func::ReturnOp>(body.getTerminator());
  unsigned original = ret.getNumOperands();
  SmallVector<Value> results(ret.getOperands());
  results.append(values.begin(), values.end());
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

  appendObservedResults(fn, llvm::ArrayRef(results).drop_front(original),
                        names);
  return original;
}

namespace q::calibrate {

llvm::Error runDataPass(const ::q::driver::CompiledModel &model,
                        unsigned numModelOutputs, size_t numBatches,
                        BatchFiller fill, StatisticsCollector &stats,
                        DataPassTiming &timing,
                        llvm::function_ref<void(size_t)> progress,
                        size_t numSamples) {
  using Clock = std::chrono::steady_clock;
  auto seconds = [](Clock::duration d) {
    return std::chrono::duration<double>(d).count();
  };
  const auto &inputs = model.inputs();
  const auto &outputs = model.outputs();
  size_t numObserved = stats.names().size();
  if (outputs.size() != numModelOutputs + numObserved)
    return makeError(model.path() + ": " + llvm::Twine(outputs.size()) +
                     " outputs, expected " + llvm::Twine(numModelOutputs) +
                     " + " + llvm::Twine(numObserved) + " observed tensors");
  for (size_t i = numModelOutputs; i < outputs.size(); ++i)
    if (outputs[i].dtype != Q_DTYPE_F32)
      return makeError("observed tensor '" +
                       stats.names()[i - numModelOutputs] + "' is not f32");

  std::vector<std::vector<char>> inputData, outputData;
  std::vector<void *> in, out;
  for (const auto &t : inputs) {
    inputData.emplace_back(t.numBytes());
    in.push_back(inputData.back().data());
  }
  for (const auto &t : outputs) {
    outputData.emplace_back(t.numBytes());
    out.push_back(outputData.back().data());
  }
  std::vector<const float *> observed;
  std::vector<size_t> fullSizes;
  for (size_t i = numModelOutputs; i < outputs.size(); ++i) {
    observed.push_back(reinterpret_cast<const float *>(out[i]));
    fullSizes.push_back(size_t(outputs[i].numElements()));
  }
  size_t batch = inputs.empty() || inputs[0].shape.empty()
                     ? 1
                     : size_t(inputs[0].shape[0]);
  if (numSamples && numSamples < numBatches * batch)
    for (size_t i = numModelOutputs; i < outputs.size(); ++i)
      if (outputs[i].shape.empty() || outputs[i].shape[0] != int64_t(batch))
        return makeError("observed tensor '" +
                         stats.names()[i - numModelOutputs] +
                         "' has no batch dim; a padded last batch cannot be "
                         "split by sample");

  for (size_t b = 0; b < numBatches; ++b) {
    auto start = Clock::now();
    // The samples of this batch; the rest of a last partial one is padding
    // (zeros) that the statistics never see.
    size_t valid = numSamples ? std::min(batch, numSamples - b * batch) : batch;
    std::vector<size_t> sizes = fullSizes;
    if (valid < batch)
      for (size_t &size : sizes)
        size = size / batch * valid;
    if (auto err = fill(b, in))
      return err;
    // Non-finite data would only show up downstream; name the input.
    for (size_t i = 0; i < inputs.size(); ++i) {
      if (inputs[i].dtype != Q_DTYPE_F32 || stats.options().skipNonFinite)
        continue;
      llvm::ArrayRef<float> values(reinterpret_cast<const float *>(in[i]),
                                   size_t(inputs[i].numElements()) / batch *
                                       valid);
      size_t bad = 0;
      for (float v : values)
        bad += !std::isfinite(v);
      if (bad)
        return makeError("batch " + llvm::Twine(b) + ": input '" +
                         inputs[i].name + "' holds " + llvm::Twine(bad) +
                         " NaN or infinite values; fix the data or pass "
                         "--skip-nonfinite");
    }
    auto loaded = Clock::now();
    std::string error;
    if (!model.run(in.data(), out.data(), error))
      return makeError(model.path() + ": batch " + llvm::Twine(b) + ": " +
                       error);
    auto ran = Clock::now();
    if (auto err = stats.addBatch(b, observed, sizes))
      return err;
    auto collected = Clock::now();
    timing.load += seconds(loaded - start);
    timing.run += seconds(ran - loaded);
    timing.statistics += seconds(collected - ran);
    ++timing.batches;
    if (progress)
      progress(b + 1);
  }
  return llvm::Error::success();
}

} // namespace q::calibrate

//===----------------------------------------------------------------------===//
// The calibration batch
//===----------------------------------------------------------------------===//

static llvm::Expected<func::FuncOp> mainFunction(ModuleOp module) {
  auto fn = module.lookupSymbol<func::FuncOp>("main");
  if (!fn || !fn.getBody().hasOneBlock())
    return makeError("the module has no function @main of one block");
  return fn;
}

llvm::Expected<std::vector<::q::driver::TensorInfo>>
mlir::q::driver::moduleInputs(ModuleOp module) {
  auto fn = mainFunction(module);
  if (!fn)
    return fn.takeError();
  std::vector<::q::driver::TensorInfo> inputs;
  for (BlockArgument arg : fn->getArguments()) {
    auto type = llvm::dyn_cast<RankedTensorType>(arg.getType());
    if (!type || !type.hasStaticShape())
      return makeError("input '" + q::tensorName(arg) +
                       "' is not a static tensor");
    ::q::driver::TensorInfo info;
    info.name = q::tensorName(arg);
    Type element = type.getElementType();
    if (element.isF32())
      info.dtype = Q_DTYPE_F32;
    else if (element.isUnsignedInteger(8))
      info.dtype = Q_DTYPE_U8;
    else if (element.isInteger(8))
      info.dtype = Q_DTYPE_S8;
    else
      return makeError("input '" + info.name +
                       "' is neither f32 nor 8-bit integer data");
    info.shape.assign(type.getShape().begin(), type.getShape().end());
    inputs.push_back(std::move(info));
  }
  return inputs;
}

size_t mlir::q::driver::defaultCalibrationBatch(size_t samples) {
  return std::max<size_t>(1, std::min<size_t>(32, samples));
}

llvm::Error mlir::q::driver::setBatchSize(ModuleOp module, int64_t batch) {
  auto fn = mainFunction(module);
  if (!fn)
    return fn.takeError();
  Block &body = fn->getBody().front();
  auto withBatch = [&](Type type) -> Type {
    auto tensor = llvm::dyn_cast<RankedTensorType>(type);
    if (!tensor || tensor.getRank() == 0)
      return type;
    SmallVector<int64_t> shape(tensor.getShape());
    shape[0] = batch;
    return tensor.clone(shape);
  };
  for (BlockArgument arg : body.getArguments()) {
    auto type = llvm::dyn_cast<RankedTensorType>(arg.getType());
    if (!type || type.getRank() == 0)
      return makeError("input '" + q::tensorName(arg) +
                       "' has no batch dim to set");
    arg.setType(withBatch(type));
  }

  // Diagnostics of the inference and the verifier become the message.
  std::string firstError;
  ScopedDiagnosticHandler quiet(module.getContext(), [&](Diagnostic &diag) {
    if (firstError.empty() && diag.getSeverity() == DiagnosticSeverity::Error)
      firstError = diag.str();
    return success();
  });
  auto fail = [&](Operation &op) {
    return makeError(
        "the model does not run at batch " + llvm::Twine(batch) +
        ": the shape of node '" +
        q::nodeName(op.getLoc()).value_or(op.getName().getStringRef().str()) +
        "' does not follow from its input" +
        (firstError.empty() ? "" : " (" + firstError + ")") +
        "; calibrate at the model's own batch");
  };
  for (Operation &op : body.without_terminator()) {
    if (auto infer = llvm::dyn_cast<InferTypeOpInterface>(&op)) {
      SmallVector<Type> types;
      if (failed(infer.inferReturnTypes(
              op.getContext(), op.getLoc(), op.getOperands(),
              op.getRawDictionaryAttrs(), op.getPropertiesStorage(),
              op.getRegions(), types)) ||
          types.size() != op.getNumResults())
        return fail(op);
      for (auto [result, type] : llvm::zip(op.getResults(), types))
        result.setType(type);
    } else if (op.getNumOperands() && op.getNumResults() == 1 &&
               !llvm::isa<arith::ConstantOp>(op)) {
      // Fused and quantization ops keep their input's batch.
      auto input = llvm::dyn_cast<RankedTensorType>(op.getOperand(0).getType());
      if (input && input.getRank())
        op.getResult(0).setType(withBatch(op.getResult(0).getType()));
    }
  }
  auto ret = llvm::cast<func::ReturnOp>(body.getTerminator());
  fn->setType(FunctionType::get(module.getContext(), body.getArgumentTypes(),
                                ret.getOperandTypes()));
  for (Operation &op : body)
    if (failed(verify(&op)))
      return fail(op);
  return llvm::Error::success();
}

//===----------------------------------------------------------------------===//
// calibrate()
//===----------------------------------------------------------------------===//

namespace {

double secondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
      .count();
}

/// Reads the samples of one batch with several threads (decoding images is
/// the slow part of the data path); the slots past the data are zeros.
llvm::Error fillBatch(const ::q::calibrate::Dataset &data,
                      llvm::ArrayRef<size_t> order, size_t first, size_t batch,
                      llvm::ArrayRef<size_t> sampleBytes,
                      llvm::ArrayRef<void *> buffers) {
  size_t valid = std::min(batch, order.size() - first);
  unsigned readers =
      std::max(1u, std::min<unsigned>(std::thread::hardware_concurrency(),
                                      unsigned(valid)));
  std::vector<std::string> errors(valid);
  auto read = [&](unsigned worker) {
    for (size_t j = worker; j < valid; j += readers)
      for (size_t i = 0; i < buffers.size(); ++i)
        if (auto err = data.readSample(i, order[first + j],
                                       static_cast<char *>(buffers[i]) +
                                           j * sampleBytes[i])) {
          errors[j] = llvm::toString(std::move(err));
          break;
        }
  };
  std::vector<std::thread> pool;
  for (unsigned t = 1; t < readers; ++t)
    pool.emplace_back(read, t);
  read(0);
  for (std::thread &t : pool)
    t.join();
  for (const std::string &e : errors)
    if (!e.empty())
      return makeError(e);
  for (size_t i = 0; i < buffers.size(); ++i)
    std::memset(static_cast<char *>(buffers[i]) + valid * sampleBytes[i], 0,
                (batch - valid) * sampleBytes[i]);
  return llvm::Error::success();
}

/// Whether every observed result of @main (after the first `numOutputs`)
/// has the batch as its first dim, so a padded batch splits by sample.
bool observationsSplitBySample(ModuleOp module, unsigned numOutputs,
                               int64_t batch) {
  auto fn = module.lookupSymbol<func::FuncOp>("main");
  for (Type type : fn.getResultTypes().drop_front(numOutputs)) {
    auto shaped = llvm::dyn_cast<ShapedType>(type);
    if (!shaped || !shaped.getRank() || shaped.getDimSize(0) != batch)
      return false;
  }
  return true;
}

} // namespace

llvm::Expected<CalibrationResult>
mlir::q::driver::calibrate(ModuleOp module, const ::q::calibrate::Dataset &data,
                           const CalibrateOptions &options) {
  auto started = std::chrono::steady_clock::now();
  CalibrationResult result;
  size_t samples = data.numSamples();
  size_t batch =
      options.batchSize ? options.batchSize : defaultCalibrationBatch(samples);
  if (!samples || batch > samples)
    return makeError("not enough data: " + llvm::Twine(samples) +
                     " samples, fewer than one batch of " + llvm::Twine(batch));
  result.batchSize = batch;
  if (auto err = checkNodeNames(module, options.quantize.exclude, "--exclude"))
    return std::move(err);

  // The fp32 graph at the calibration batch, fused as the int8 flow fuses.
  OwningOpRef<ModuleOp> observed(module.clone());
  auto inputs = moduleInputs(*observed);
  if (!inputs)
    return inputs.takeError();
  if (inputs->empty())
    return makeError("the model has no inputs");
  if ((*inputs)[0].shape.empty() || (*inputs)[0].shape[0] != int64_t(batch))
    if (auto err = setBatchSize(*observed, int64_t(batch)))
      return std::move(err);
  CompileOptions compile;
  compile.modelName = "calibration";
  compile.numThreads = options.numThreads;
  compile.fuseMode = "int8";
  if (auto err = runPasses(
          *observed, [&](PassManager &pm) { addGraphPasses(pm, compile); }))
    return std::move(err);
  ::q::calibrate::CollectOptions collect = options.collect;
  auto targets =
      calibrationTargets(*observed, options.quantize, &collect.tensorTypes,
                         &collect.channelLayouts);
  if (!targets)
    return targets.takeError();
  if (targets->empty())
    return makeError("nothing to calibrate: the quantized graph has no "
                     "quantize or requantize op");
  auto modelOutputs = addObservationPoints(*observed, *targets);
  if (!modelOutputs)
    return modelOutputs.takeError();

  // Full batches, and the last partial one when it can be padded.
  size_t full = samples / batch, rest = samples % batch;
  bool pad = rest && observationsSplitBySample(*observed, *modelOutputs,
                                               int64_t(batch));
  size_t available = full + (pad ? 1 : 0);
  size_t batches = available;
  if (options.maxBatches) {
    if (options.maxBatches > available)
      llvm::errs() << options.tool << ": warning: " << options.batchesFlag
                   << "=" << options.maxBatches << " but the data holds "
                   << available << " batches of " << batch << "; using "
                   << available << "\n";
    else
      batches = options.maxBatches;
  }
  result.batches = batches;
  result.samplesUsed = std::min(samples, batches * batch);
  result.samplesLeft = samples - result.samplesUsed;

  // The instrumented fp32 library, in a temporary folder, loaded here.
  llvm::SmallString<128> tempDir;
  if (auto ec = llvm::sys::fs::createUniqueDirectory(options.tool, tempDir))
    return makeError("cannot create a temporary folder: " + ec.message());
  llvm::scope_exit cleanup([&] {
    if (options.keepTemps)
      llvm::errs() << options.tool << ": instrumented library kept in "
                   << tempDir << "\n";
    else
      llvm::sys::fs::remove_directories(tempDir);
  });
  if (auto err = runPasses(
          *observed, [&](PassManager &pm) { addLoweringPasses(pm, compile); }))
    return std::move(err);
  LinkOptions link;
  link.outputFile = (tempDir + "/libcalibration.so").str();
  link.tool = options.tool;
  if (auto linked = emitLibrary(*observed, compile, link); !linked)
    return linked.takeError();
  ::q::driver::LoadOptions loadOptions;
  loadOptions.numThreads = options.numThreads;
  loadOptions.tool = options.tool;
  std::string error;
  auto model =
      ::q::driver::CompiledModel::load(link.outputFile, loadOptions, error);
  if (!model)
    return makeError(error);
  result.compileSeconds = secondsSince(started);

  // The data pass.
  std::vector<size_t> order(samples);
  std::iota(order.begin(), order.end(), 0);
  if (options.shuffle)
    std::shuffle(order.begin(), order.end(), std::mt19937_64(options.seed));
  std::vector<size_t> sampleBytes;
  for (const auto &input : model->inputs())
    sampleBytes.push_back(input.numBytes() / batch);
  auto fill = [&](size_t b, llvm::ArrayRef<void *> buffers) {
    return fillBatch(data, order, b * batch, batch, sampleBytes, buffers);
  };
  ::q::calibrate::StatisticsCollector stats(*targets, collect);
  auto passStart = std::chrono::steady_clock::now();
  if (auto err = ::q::calibrate::runDataPass(
          *model, *modelOutputs, batches, fill, stats, result.timing,
          [&](size_t done) {
            if (options.progress)
              options.progress(done, batches);
          },
          result.samplesUsed < batches * batch ? result.samplesUsed : 0))
    return std::move(err);
  result.passSeconds = secondsSince(passStart);

  auto thresholdStart = std::chrono::steady_clock::now();
  auto summaries = stats.finish();
  if (!summaries)
    return summaries.takeError();
  result.thresholdSeconds = secondsSince(thresholdStart);
  result.table = stats.table(*summaries);
  result.summaries = std::move(*summaries);
  return result;
}
