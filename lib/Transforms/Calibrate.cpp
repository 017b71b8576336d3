//===- Calibrate.cpp - Calibrated ranges from a table onto the graph ------===//
//
// Gives every q.quantize and q.requantize whose tensor the table names its
// range and the static type that follows from it, aligns the ranges of the
// tensors a quantized concat joins (MXNet's PostQuantizeAlignScale, so the
// concat copies bytes instead of rescaling), lets the new types flow through
// the ops that pass scales through, and quantizes the biases of convs and
// fcs whose input scale became static. Two accuracy rules (issue #17): a
// negative range quantized to uint8 would silently clip, so it is an error
// (a warning with allow-clipping); and a tensor only depthwise convolutions
// read gets one step per channel when the table has per-channel ranges
// (the convolution folds them into its per-channel output scales).
//
//===----------------------------------------------------------------------===//

#include "QDialect/Calibration/Table.h"
#include "QDialect/IR/Constants.h"
#include "QDialect/IR/QDialect.h"
#include "QDialect/IR/TensorNames.h"
#include "QDialect/Transforms/Calibration.h"
#include "QDialect/Transforms/Passes.h"

#include "mlir/Dialect/Quant/IR/Quant.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"

#include "llvm/ADT/SetVector.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/Format.h"

#include <cmath>

namespace mlir::q {
#define GEN_PASS_DEF_QCALIBRATE
#include "QDialect/Transforms/Passes.h.inc"
} // namespace mlir::q

using namespace mlir;
using namespace mlir::q;

namespace {

/// The ops whose range the table sets.
bool isRangeSource(Operation *op) {
  return llvm::isa_and_present<QuantizeOp, RequantizeOp>(op);
}

/// Ops whose quantized result has their input's scale.
bool passesScaleThrough(Operation *op) {
  if (auto pool = llvm::dyn_cast<PoolingOp>(op))
    return pool.getKind() != PoolKind::sum;
  return llvm::isa<FlattenOp, ReshapeOp, ActivationOp, TransposeOp, SliceOp,
                   DropoutOp, CropOp, UpSamplingOp>(op);
}

/// The quantize/requantize ops whose ranges reach `value` through
/// scale-preserving ops and concats; false when some other op does.
bool collectRangeSources(Value value, llvm::SetVector<Operation *> &sources) {
  Operation *def = value.getDefiningOp();
  if (isRangeSource(def)) {
    sources.insert(def);
    return true;
  }
  if (def && passesScaleThrough(def))
    return collectRangeSources(def->getOperand(0), sources);
  if (auto concat = llvm::dyn_cast_if_present<ConcatOp>(def)) {
    for (Value input : concat.getInputs())
      if (!collectRangeSources(input, sources))
        return false;
    return true;
  }
  return false;
}

/// Drops a constant (and the cast over it) that nothing reads any more.
void eraseIfDead(Operation *op) {
  while (op && op->use_empty()) {
    Operation *input =
        op->getNumOperands() ? op->getOperand(0).getDefiningOp() : nullptr;
    op->erase();
    op = input;
  }
}

std::optional<std::pair<double, double>> rangeOf(Operation *op) {
  auto min = op->getAttrOfType<FloatAttr>("min_calib_range");
  auto max = op->getAttrOfType<FloatAttr>("max_calib_range");
  if (!min || !max)
    return std::nullopt;
  return std::make_pair(min.getValueAsDouble(), max.getValueAsDouble());
}

void setRange(Operation *op, double min, double max) {
  Builder builder(op->getContext());
  op->setAttr("min_calib_range", builder.getF32FloatAttr(min));
  op->setAttr("max_calib_range", builder.getF32FloatAttr(max));
}

QuantDType outTypeOf(Operation *op) {
  if (auto quantize = llvm::dyn_cast<QuantizeOp>(op))
    return quantize.getOutType();
  return llvm::cast<RequantizeOp>(op).getOutType();
}

/// The result type a calibrated source must have.
Type calibratedType(Operation *op) {
  auto range = rangeOf(op);
  auto type = llvm::cast<RankedTensorType>(op->getResult(0).getType());
  MLIRContext *context = op->getContext();
  if (auto quantize = llvm::dyn_cast<QuantizeOp>(op)) {
    if (auto integer = llvm::dyn_cast<IntegerType>(
            quantize.getInput().getType().getElementType())) {
      // 8-bit data keeps its storage; the range only gives it a scale.
      bool isUnsigned = integer.isUnsigned();
      return type.clone(staticQuantType(
          context, isUnsigned,
          quantizedStepFromRange(isUnsigned, range->first, range->second)));
    }
  }
  return type.clone(
      calibratedQuantType(context, outTypeOf(op), range->first, range->second));
}

struct CalibratePass : public q::impl::QCalibrateBase<CalibratePass> {
  using QCalibrateBase::QCalibrateBase;
  /// A table already in memory, named `source` in messages.
  CalibratePass(qcalib::CalibrationTable loaded, std::string source,
                bool strictCheck, bool allowClip)
      : calibration(std::move(loaded)), preloaded(true) {
    table = source;
    strict = strictCheck;
    allowClipping = allowClip;
  }

  LogicalResult initialize(MLIRContext *) override {
    if (preloaded)
      return success();
    if (table.empty()) {
      llvm::errs() << "q-calibrate: give the table to read: "
                      "--q-calibrate=\"table=calib.json\"\n";
      return failure();
    }
    auto parsed = qcalib::readCalibrationTable(table);
    if (!parsed) {
      llvm::errs() << "q-calibrate: " << llvm::toString(parsed.takeError())
                   << "\n";
      return failure();
    }
    calibration = std::move(*parsed);
    return success();
  }

  void runOnOperation() override;

private:
  void alignConcatInputs(ModuleOp module);
  void alignConcatInputsOnce(ModuleOp module, bool &changed);
  LogicalResult propagateTypes(ModuleOp module);
  void quantizeBias(Operation *op, Value input, Value weight,
                    OpOperand &bias);

  LogicalResult checkClipping(ModuleOp module);
  void setChannelSteps(ModuleOp module);

  LogicalResult checkCoverage(ModuleOp module,
                              llvm::ArrayRef<std::string> found,
                              llvm::ArrayRef<std::string> missing);

  qcalib::CalibrationTable calibration;
  bool preloaded = false;
};

/// "a, b, c and 4 more": the first few names of a list.
std::string firstNames(llvm::ArrayRef<std::string> names) {
  constexpr size_t kShown = 5;
  std::string text;
  for (size_t i = 0; i < names.size() && i < kShown; ++i)
    text += (i ? ", " : "") + names[i];
  if (names.size() > kShown)
    text += " and " + std::to_string(names.size() - kShown) + " more";
  return text;
}

void CalibratePass::runOnOperation() {
  ModuleOp module = getOperation();
  std::vector<std::string> found, missing;
  llvm::StringSet<> seen;
  module.walk([&](Operation *op) {
    if (!isRangeSource(op))
      return;
    std::string name = tensorName(op->getOperand(0));
    if (const qcalib::TableEntry *entry = calibration.find(name)) {
      setRange(op, entry->min, entry->max);
      if (seen.insert(name).second)
        found.push_back(name);
    } else if (!rangeOf(op) &&
               llvm::isa<quant::AnyQuantizedType>(
                   llvm::cast<ShapedType>(op->getResultTypes()[0])
                       .getElementType()) &&
               seen.insert(name).second) {
      missing.push_back(name); // raw i8/u8 inputs keep step 1 instead
    }
  });
  if (failed(checkCoverage(module, found, missing)) ||
      failed(checkClipping(module)))
    return signalPassFailure();
  alignConcatInputs(module);
  module.walk([&](Operation *op) {
    if (isRangeSource(op) && rangeOf(op))
      op->getResult(0).setType(calibratedType(op));
  });
  setChannelSteps(module);
  if (failed(propagateTypes(module)))
    return signalPassFailure();
  module.walk([&](Operation *op) {
    if (auto conv = llvm::dyn_cast<FusedConvOp>(op)) {
      if (conv.getBias())
        quantizeBias(op, conv.getInput(), conv.getWeight(),
                     conv.getBiasMutable()[0]);
    } else if (auto fc = llvm::dyn_cast<FusedFullyConnectedOp>(op)) {
      if (fc.getBias())
        quantizeBias(op, fc.getInput(), fc.getWeight(),
                     fc.getBiasMutable()[0]);
    }
  });
}

/// Compares the table with the module: no tensor found is an error (the
/// table of another model, or of another naming); some missing is a warning
/// (an error when strict) that also lists the entries naming no tensor of
/// the module. Diagnostics go on the module's location alone: attached to
/// the module, they would print the whole module after them.
LogicalResult
CalibratePass::checkCoverage(ModuleOp module, llvm::ArrayRef<std::string> found,
                             llvm::ArrayRef<std::string> missing) {
  if (missing.empty())
    return success();
  llvm::StringSet<> tensors;
  module.walk([&](Operation *op) {
    for (Value result : op->getResults())
      tensors.insert(tensorName(result));
    for (Region &region : op->getRegions())
      for (Block &block : region)
        for (BlockArgument arg : block.getArguments())
          tensors.insert(tensorName(arg));
  });
  std::vector<std::string> unknown;
  for (const qcalib::TableEntry &entry : calibration.entries)
    if (!tensors.contains(entry.name))
      unknown.push_back(entry.name);
  size_t needed = found.size() + missing.size();
  std::string lacks = std::to_string(missing.size()) + " of the " +
                      std::to_string(needed) +
                      " tensors the module needs are not in " + table + " (" +
                      firstNames(missing) + ")";
  std::string extra = unknown.empty()
                          ? std::string()
                          : "; " + std::to_string(unknown.size()) + " of its " +
                                std::to_string(calibration.entries.size()) +
                                " entries name no tensor of the module (" +
                                firstNames(unknown) + ")";
  if (found.empty()) {
    emitError(module.getLoc())
        << "q-calibrate: " << table
        << " covers none of the tensors the module needs: is it the table "
           "of another model? "
        << lacks << extra;
    return failure();
  }
  if (strict) {
    emitError(module.getLoc())
        << "q-calibrate: " << lacks << extra << " (strict)";
    return failure();
  }
  emitWarning(module.getLoc()) << lacks << " and keep run-time ranges" << extra;
  return success();
}

/// Whether the int32 input of a requantize comes from a fused conv/fc whose
/// last activation is never negative (q-quantize makes those uint8 under
/// any dtype, MXNet's IsOutputUInt8): a negative range there clips nothing.
static bool nonNegativeByConstruction(Operation *op) {
  auto requantize = llvm::dyn_cast<RequantizeOp>(op);
  Operation *def = requantize ? requantize.getInput().getDefiningOp() : nullptr;
  return def && producesNonNegative(def);
}

/// uint8 cannot hold a negative value: a range below zero quantized to
/// uint8 (dtype=uint8; auto picks int8 there) clips those values to 0.
/// An error naming the tensors and the share of their calibration values
/// below zero (the table's negative_fraction; a table without it gives the
/// share of the range below zero instead, and says so); a warning with
/// allow-clipping.
LogicalResult CalibratePass::checkClipping(ModuleOp module) {
  std::vector<std::string> clipped;
  llvm::StringSet<> seen;
  Location first = module.getLoc();
  module.walk([&](Operation *op) {
    auto range = isRangeSource(op) ? rangeOf(op) : std::nullopt;
    if (!range || range->first >= 0 || outTypeOf(op) != QuantDType::uint8 ||
        nonNegativeByConstruction(op))
      return;
    if (auto quantize = llvm::dyn_cast<QuantizeOp>(op))
      if (!quantize.getInput().getType().getElementType().isF32())
        return; // raw 8-bit data keeps its storage
    std::string name = tensorName(op->getOperand(0));
    if (!seen.insert(name).second)
      return;
    const qcalib::TableEntry *entry = calibration.find(name);
    std::string share;
    llvm::raw_string_ostream os(share);
    if (entry && entry->negativeFraction)
      os << llvm::format("%.1f%%", 100 * *entry->negativeFraction)
         << " of its calibration values";
    else
      os << "no count in the table; "
         << llvm::format("%.1f%%",
                         100 * -range->first / (range->second - range->first))
         << " of its range [" << llvm::format("%g", range->first) << ", "
         << llvm::format("%g", range->second) << "]";
    // The op's place in a file when it has one (q-quantize's ops carry
    // only their node name, which the message names anyway).
    if (clipped.empty() && op->getLoc()->findInstanceOf<FileLineColLoc>())
      first = op->getLoc();
    clipped.push_back(name + " (" + share + " below 0)");
  });
  if (clipped.empty())
    return success();
  std::string list;
  for (size_t i = 0; i < clipped.size(); ++i)
    list += (i ? ", " : "") + clipped[i];
  std::string what = std::to_string(clipped.size()) + " tensor" +
                     (clipped.size() == 1 ? "" : "s") +
                     " with negative values would be quantized to uint8, "
                     "which clips them to 0: " +
                     list;
  if (allowClipping) {
    emitWarning(first) << what << " (allowed by --allow-clipping)";
    return success();
  }
  // On the first such op: its node name says where (and a test can point
  // at its line).
  emitError(first)
      << "q-calibrate: " << what
      << "; use --dtype=auto (uint8 only where a range is non-negative) or "
         "int8, keep those layers in fp32 (--exclude), or pass "
         "--allow-clipping";
  return failure();
}

/// Per-channel steps for tensors that only depthwise convolutions read
/// (CalibrationTargets.cpp) and whose table entry has one range per
/// channel: step[c] = max(|min_c|, |max_c|) / 127.5. The op keeps the
/// tensor's range attributes (what MXNet export writes); int8 only.
void CalibratePass::setChannelSteps(ModuleOp module) {
  module.walk([&](QuantizeOp quantize) {
    auto range = rangeOf(quantize);
    if (!range || !quantize.getInput().getType().getElementType().isF32() ||
        resolvesToUnsigned(quantize.getOutType(), range->first))
      return;
    const qcalib::TableEntry *entry =
        calibration.find(tensorName(quantize.getInput()));
    int64_t channels = depthwiseOnlyChannels(quantize.getOutput());
    if (!entry || !channels || int64_t(entry->channelMin.size()) != channels)
      return;
    SmallVector<double> steps;
    for (int64_t c = 0; c < channels; ++c)
      steps.push_back(quantizedStepFromRange(false, entry->channelMin[c],
                                             entry->channelMax[c]));
    auto type = quantize.getOutput().getType();
    quantize.getOutput().setType(type.clone(
        perAxisQuantType(quantize.getContext(), 8, steps, /*axis=*/1)));
  });
}

/// A quantized concat joins tensors with one scale: every range that
/// reaches it becomes [min(0, mins), max(0, maxs)]. When some input's range
/// is found at run time, all of them are. A tensor may feed several concats
/// (DenseNet), so this repeats until no range changes; ranges only widen or
/// drop, so it ends.
void CalibratePass::alignConcatInputs(ModuleOp module) {
  bool changed = true;
  while (changed) {
    changed = false;
    alignConcatInputsOnce(module, changed);
  }
}

void CalibratePass::alignConcatInputsOnce(ModuleOp module, bool &changed) {
  module.walk([&](ConcatOp concat) {
    if (concat.getType().getElementType().isF32())
      return;
    llvm::SetVector<Operation *> sources;
    bool traced = true;
    for (Value input : concat.getInputs())
      traced &= collectRangeSources(input, sources);
    bool allCalibrated =
        traced && llvm::all_of(sources, [](Operation *op) {
          return rangeOf(op).has_value();
        });
    if (!allCalibrated) {
      for (Operation *op : sources) {
        changed |= rangeOf(op).has_value();
        op->removeAttr("min_calib_range");
        op->removeAttr("max_calib_range");
      }
      return;
    }
    double lo = 0, hi = 0;
    for (Operation *op : sources) {
      auto range = rangeOf(op);
      lo = std::min(lo, range->first);
      hi = std::max(hi, range->second);
    }
    // Compare as stored (f32), or a rounded bound would never settle.
    float loF = static_cast<float>(lo), hiF = static_cast<float>(hi);
    for (Operation *op : sources) {
      auto range = rangeOf(op);
      if (static_cast<float>(range->first) == loF &&
          static_cast<float>(range->second) == hiF)
        continue;
      setRange(op, lo, hi);
      changed = true;
    }
  });
}

/// Re-infers the result types of ops that pass scales through, in program
/// order, now that their inputs may be static.
LogicalResult CalibratePass::propagateTypes(ModuleOp module) {
  WalkResult result = module.walk([&](Operation *op) {
    if (!passesScaleThrough(op) && !llvm::isa<ConcatOp>(op))
      return WalkResult::advance();
    auto infer = llvm::dyn_cast<InferTypeOpInterface>(op);
    if (!infer || op->getNumResults() != 1)
      return WalkResult::advance();
    SmallVector<Type> inferred;
    if (failed(infer.inferReturnTypes(
            op->getContext(), op->getLoc(), op->getOperands(),
            op->getRawDictionaryAttrs(), op->getPropertiesStorage(),
            op->getRegions(), inferred)))
      return WalkResult::interrupt();
    op->getResult(0).setType(inferred.front());
    return WalkResult::advance();
  });
  return failure(result.wasInterrupted());
}

/// bias_int32[c] = rne(bias[c] / (input_step * weight_step[c])). MXNet's
/// overflow guard (#16734): a channel whose bias would pass INT32_MAX / 2
/// gets a larger weight step, and its int8 weights are rescaled to match.
void CalibratePass::quantizeBias(Operation *op, Value input, Value weight,
                                 OpOperand &bias) {
  Type inputElement = llvm::cast<ShapedType>(input.getType()).getElementType();
  SmallVector<double> inputSteps;
  if (auto step = staticStep(inputElement))
    inputSteps.push_back(*step);
  else if (auto perAxis =
               llvm::dyn_cast<quant::UniformQuantizedPerAxisType>(inputElement))
    inputSteps.assign(perAxis.getScales().begin(), perAxis.getScales().end());
  auto biasValues = readConstant<float>(bias.get());
  auto weightCast = weight.getDefiningOp<quant::StorageCastOp>();
  auto weightValues = readConstant<int8_t>(weight);
  if (inputSteps.empty() || !biasValues || !weightCast || !weightValues)
    return;
  auto weightType = llvm::cast<RankedTensorType>(weight.getType());
  Type weightElement = weightType.getElementType();
  int64_t channels = weightType.getDimSize(0);
  // Depthwise with per-channel input steps: output channel c reads input
  // channel c / multiplier.
  int64_t multiplier =
      std::max<int64_t>(1, channels / int64_t(inputSteps.size()));
  auto inputStepOf = [&](int64_t c) {
    return inputSteps.size() == 1 ? inputSteps[0] : inputSteps[c / multiplier];
  };
  SmallVector<double> steps;
  if (auto perAxis =
          llvm::dyn_cast<quant::UniformQuantizedPerAxisType>(weightElement))
    steps.assign(perAxis.getScales().begin(), perAxis.getScales().end());
  else if (auto uniform =
               llvm::dyn_cast<quant::UniformQuantizedType>(weightElement))
    steps.assign(channels, uniform.getScale());
  else
    return;
  constexpr double kBiasLimit = 2147483647.0 / 2;
  int64_t perChannel = weightType.getNumElements() / channels;
  std::vector<int32_t> quantized(channels);
  bool weightsChanged = false;
  for (int64_t c = 0; c < channels; ++c) {
    double units = (*biasValues)[c] / (inputStepOf(c) * steps[c]);
    if (std::fabs(units) > kBiasLimit) {
      double wider =
          std::fabs((*biasValues)[c]) / (inputStepOf(c) * kBiasLimit);
      for (int64_t i = 0; i < perChannel; ++i) {
        int8_t &w = (*weightValues)[c * perChannel + i];
        w = static_cast<int8_t>(std::nearbyint(w * steps[c] / wider));
      }
      steps[c] = wider;
      weightsChanged = true;
      units = (*biasValues)[c] / (inputStepOf(c) * steps[c]);
    }
    quantized[c] = static_cast<int32_t>(
        std::clamp(std::nearbyint(units), -kBiasLimit * 2, kBiasLimit * 2));
  }
  OpBuilder builder(op);
  MLIRContext *context = op->getContext();
  if (weightsChanged) {
    std::string name = nodeName(weightCast.getLoc()).value_or("weight");
    Value storage = makeConstant<int8_t>(
        builder, weightType.clone(builder.getIntegerType(8)), *weightValues,
        name + "_guarded");
    Value cast = quant::StorageCastOp::create(
        builder, storage.getLoc(),
        weightType.clone(perAxisQuantType(context, 8, steps, 0)), storage);
    op->setOperand(1, cast); // the weight, in both fused ops
    eraseIfDead(weightCast);
  }
  SmallVector<double> biasSteps;
  for (int64_t c = 0; c < channels; ++c)
    biasSteps.push_back(inputStepOf(c) * steps[c]);
  std::string name = nodeName(bias.get().getLoc()).value_or("bias");
  auto biasType = llvm::cast<RankedTensorType>(bias.get().getType());
  Value storage = makeConstant<int32_t>(
      builder, biasType.clone(builder.getIntegerType(32)), quantized,
      name + "_quantize");
  Operation *oldBias = bias.get().getDefiningOp();
  bias.set(quant::StorageCastOp::create(
      builder, storage.getLoc(),
      biasType.clone(perAxisQuantType(context, 32, biasSteps, 0)), storage));
  eraseIfDead(oldBias);
}

} // namespace

std::unique_ptr<Pass> mlir::q::createQCalibrate(qcalib::CalibrationTable table,
                                                std::string source, bool strict,
                                                bool allowClipping) {
  return std::make_unique<CalibratePass>(std::move(table), std::move(source),
                                         strict, allowClipping);
}
