//===- Quantize.cpp - MXNet's QuantizeGraph pass as one MLIR pass ---------===//
//
// Decides which ops run in int8 (reference section 4.5): fused convs and fcs
// must, the support ops (pooling, flatten, reshape, concat, relu, add) may —
// all of them in `full` mode, only those sandwiched between quantized
// convs/fcs in `smart` mode. Then rewrites the chosen ops in program order:
// each fp32 operand gets one q.quantize per fp32 value (shared by every
// consumer), an operand produced by an already quantized op is wired
// straight in, every op that accumulates in int32 gets a q.requantize, and
// one q.dequantize per value serves its fp32 consumers and the function
// results. Without calibration every scale is found at run time.
//
//===----------------------------------------------------------------------===//

#include "QDialect/IR/Constants.h"
#include "QDialect/IR/QDialect.h"
#include "QDialect/IR/TensorNames.h"
#include "QDialect/Transforms/Passes.h"

#include "mlir/Dialect/Quant/IR/Quant.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"

#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/StringSet.h"

#include <cmath>

namespace mlir::q {
#define GEN_PASS_DEF_QQUANTIZE
#include "QDialect/Transforms/Passes.h.inc"
} // namespace mlir::q

using namespace mlir;
using namespace mlir::q;

namespace {

enum class Role { Keep, Must, Support };

bool isF32(Value value) {
  return llvm::cast<ShapedType>(value.getType()).getElementType().isF32();
}

/// f32, or raw i8/ui8 graph data (quantized with step 1): what a conv or fc
/// may read before it is quantized.
bool isUnquantized(Value value) {
  Type element = llvm::cast<ShapedType>(value.getType()).getElementType();
  return element.isF32() || element.isInteger(8);
}

/// The exclude-ops kind of an op that has an int8 form, or none.
std::optional<llvm::StringRef> int8Kind(Operation *op) {
  if (auto conv = llvm::dyn_cast<FusedConvOp>(op)) {
    // A batch norm that q-fuse could not fold (non-constant statistics)
    // has no int8 form.
    if (!conv.getBn().empty() || !isUnquantized(conv.getInput()) ||
        !readConstant<float>(conv.getWeight()))
      return std::nullopt;
    return llvm::StringRef("conv");
  }
  if (auto fc = llvm::dyn_cast<FusedFullyConnectedOp>(op)) {
    if (!isUnquantized(fc.getInput()) || !readConstant<float>(fc.getWeight()))
      return std::nullopt;
    return llvm::StringRef("fc");
  }
  // The fp32 consumers of a support op read a dequantize (f32) in place of
  // its result, so one that moves raw i8/ui8 data stays as it is.
  if (op->getNumResults() != 1 || !isF32(op->getResult(0)))
    return std::nullopt;
  if (auto pool = llvm::dyn_cast<PoolingOp>(op))
    return pool.getKind() == PoolKind::sum
               ? std::nullopt
               : std::optional<llvm::StringRef>("pooling");
  if (llvm::isa<FlattenOp>(op))
    return llvm::StringRef("flatten");
  if (llvm::isa<ReshapeOp>(op))
    return llvm::StringRef("reshape");
  if (llvm::isa<ConcatOp>(op))
    return llvm::StringRef("concat");
  if (auto act = llvm::dyn_cast<ActivationOp>(op))
    return act.getAct().getKind() == EltwiseKind::relu
               ? std::optional<llvm::StringRef>("act")
               : std::nullopt;
  if (auto add = llvm::dyn_cast<AddOp>(op)) {
    // quantized_add has no broadcasting.
    auto shape = add.getType().getShape();
    if (add.getLhs().getType().getShape() != shape ||
        add.getRhs().getType().getShape() != shape)
      return std::nullopt;
    return llvm::StringRef("add");
  }
  return std::nullopt;
}

/// Ops that accumulate in int32 and so need a requantize after them.
bool producesInt32(Operation *op) {
  return llvm::isa<FusedConvOp, FusedFullyConnectedOp, AddOp>(op);
}

/// The operand positions that carry activations (weights and biases are
/// quantized separately or stay f32).
SmallVector<unsigned> dataOperands(Operation *op) {
  SmallVector<unsigned> positions;
  if (auto conv = llvm::dyn_cast<FusedConvOp>(op)) {
    positions.push_back(0);
    if (conv.getSum()) // the last operand
      positions.push_back(op->getNumOperands() - 1);
    return positions;
  }
  if (llvm::isa<FusedFullyConnectedOp>(op))
    return {0};
  for (unsigned i = 0, e = op->getNumOperands(); i < e; ++i)
    positions.push_back(i);
  return positions;
}

struct QuantizePass : public q::impl::QQuantizeBase<QuantizePass> {
  using QQuantizeBase::QQuantizeBase;

  LogicalResult initialize(MLIRContext *) override {
    // dtype, mode and granularity are enums, checked as they are parsed.
    llvm::Error bad = checkWeightBits(weightBits);
    if (!bad)
      bad = checkOpKinds(
          std::vector<std::string>(excludeOps.begin(), excludeOps.end()));
    if (bad) {
      llvm::errs() << "q-quantize: " << llvm::toString(std::move(bad)) << "\n";
      return failure();
    }
    outType = dtype;
    return success();
  }

  void runOnOperation() override;

private:
  void quantizeFunction(func::FuncOp func);
  Role roleOf(Operation *op, const llvm::StringSet<> &excludedNames) const;
  Value quantized(OpBuilder &builder, Value value);
  Value quantizeWeight(OpBuilder &builder, Value weight);
  Value dequantizeFor(OpBuilder &builder, Operation *op, Value quantized);

  QuantDType outType = QuantDType::auto_;
  DenseMap<Value, Value> quantizeOf;
  DenseMap<Value, Value> weightOf;
};

Role QuantizePass::roleOf(Operation *op,
                          const llvm::StringSet<> &excludedNames) const {
  std::optional<llvm::StringRef> kind = int8Kind(op);
  if (!kind || llvm::is_contained(excludeOps, kind->str()))
    return Role::Keep;
  // A fused op is excluded when any node it absorbed is.
  for (const std::string &name : nodeNames(op->getLoc()))
    if (excludedNames.contains(name))
      return Role::Keep;
  return (*kind == "conv" || *kind == "fc") ? Role::Must : Role::Support;
}

/// One quantize per fp32 value, placed right after its definition.
Value QuantizePass::quantized(OpBuilder &builder, Value value) {
  if (auto dequantize = value.getDefiningOp<DequantizeOp>())
    return dequantize.getInput();
  if (llvm::isa<quant::QuantizedType>(
          llvm::cast<ShapedType>(value.getType()).getElementType()))
    return value;
  Value &slot = quantizeOf[value];
  if (slot)
    return slot;
  OpBuilder::InsertionGuard guard(builder);
  if (Operation *def = value.getDefiningOp())
    builder.setInsertionPointAfter(def);
  else
    builder.setInsertionPointToStart(
        llvm::cast<BlockArgument>(value).getOwner());
  auto type = llvm::cast<RankedTensorType>(value.getType());
  MLIRContext *context = builder.getContext();
  Type element;
  QuantDType opType = outType;
  if (auto integer = llvm::dyn_cast<IntegerType>(type.getElementType())) {
    // 8-bit data passes straight in: its integers are the values (MXNet
    // gives such data the range [-127.5, 127.5] or [0, 255.5]).
    opType = integer.isUnsigned() ? QuantDType::uint8 : QuantDType::int8;
    element = staticQuantType(context, integer.isUnsigned(), 1.0);
  } else {
    element = dynamicQuantType(context, 8, outType != QuantDType::uint8);
  }
  std::string name = tensorName(value);
  if (llvm::StringRef(name).ends_with("_output"))
    name.resize(name.size() - 7);
  auto quantize = QuantizeOp::create(
      builder, NameLoc::get(builder.getStringAttr(name + "_quantize")),
      type.clone(element), value,
      QuantDTypeAttr::get(context, opType), FloatAttr(), FloatAttr());
  slot = quantize.getOutput();
  return slot;
}

} // namespace

/// Whether an activation's result is never negative.
static bool isNonNegative(std::optional<EltwiseAttr> act) {
  if (!act || !*act)
    return false;
  switch (act->getKind()) {
  case EltwiseKind::relu:
  case EltwiseKind::sigmoid:
  case EltwiseKind::softrelu:
  case EltwiseKind::square:
  case EltwiseKind::sqrt:
  case EltwiseKind::exp:
  case EltwiseKind::abs:
    return true;
  case EltwiseKind::clip:
    return act->getAlphaValue() >= 0;
  default:
    return false;
  }
}

bool mlir::q::producesNonNegative(Operation *op) {
  if (auto conv = llvm::dyn_cast<FusedConvOp>(op))
    return conv.getSum() ? isNonNegative(conv.getPostsumAct())
                         : isNonNegative(conv.getAct());
  if (auto fc = llvm::dyn_cast<FusedFullyConnectedOp>(op))
    return isNonNegative(fc.getAct());
  return false;
}


Value mlir::q::quantizeWeightConstant(OpBuilder &builder, Value weight,
                                      bool perTensor, int weightBits) {
  auto values = readConstant<float>(weight);
  auto type = llvm::cast<RankedTensorType>(weight.getType());
  int64_t channels = type.getDimSize(0);
  int64_t perChannel = channels ? type.getNumElements() / channels : 0;
  SmallVector<double> steps(perTensor ? 1 : channels, 0.0);
  for (int64_t c = 0; c < channels; ++c)
    for (int64_t i = 0; i < perChannel; ++i) {
      double magnitude = std::fabs((*values)[c * perChannel + i]);
      double &absMax = steps[perTensor ? 0 : c];
      absMax = std::max(absMax, magnitude);
    }
  // MXNet's symmetric rule at `weightBits` bits: [-absmax, absmax] maps
  // to [-(2^(b-1) - 0.5), 2^(b-1) - 0.5] (127.5 at 8 bits), then rounds.
  const double half = std::ldexp(1.0, weightBits - 1);
  for (double &step : steps)
    step = quantizedStepFromRange(false, -step, step) * kInt8Range /
           (half - 0.5);
  std::vector<int8_t> quantizedValues(values->size());
  for (int64_t c = 0; c < channels; ++c) {
    double step = steps[perTensor ? 0 : c];
    for (int64_t i = 0; i < perChannel; ++i) {
      double scaled = std::nearbyint((*values)[c * perChannel + i] / step);
      quantizedValues[c * perChannel + i] =
          static_cast<int8_t>(std::clamp(scaled, -half, half - 1));
    }
  }
  OpBuilder::InsertionGuard guard(builder);
  if (Operation *def = weight.getDefiningOp())
    builder.setInsertionPointAfter(def);
  std::string name = nodeName(weight.getLoc()).value_or("weight");
  Value storage = makeConstant<int8_t>(
      builder, type.clone(builder.getIntegerType(8)), quantizedValues,
      name + "_quantize");
  MLIRContext *context = builder.getContext();
  Type element = perTensor
                     ? Type(quant::UniformQuantizedType::get(
                           quant::QuantizationFlags::Signed,
                           builder.getIntegerType(8), builder.getF32Type(),
                           steps[0], 0, -128, 127))
                     : Type(perAxisQuantType(context, 8, steps, 0));
  return quant::StorageCastOp::create(builder, storage.getLoc(),
                                      type.clone(element), storage);
}

namespace {

/// int8 weights with one step per output channel (or per tensor), as
/// `quant.scast` of an i8 constant named `<weight>_quantize`.
Value QuantizePass::quantizeWeight(OpBuilder &builder, Value weight) {
  Value &slot = weightOf[weight];
  if (!slot)
    slot = quantizeWeightConstant(builder, weight, granularity == WeightGranularity::tensor,
                                  weightBits);
  return slot;
}

void QuantizePass::runOnOperation() {
  ModuleOp module = getOperation();
  // A name that is no node is a typo: say so rather than quantize it (on
  // the location alone: attached to the module, the diagnostic would print
  // the whole module).
  if (llvm::Error err = checkNodeNames(
          module, std::vector<std::string>(exclude.begin(), exclude.end()),
          "exclude")) {
    mlir::emitError(module.getLoc())
        << "q-quantize: " << llvm::toString(std::move(err));
    return signalPassFailure();
  }
  for (auto func : module.getOps<func::FuncOp>())
    quantizeFunction(func);
}

void QuantizePass::quantizeFunction(func::FuncOp func) {
  quantizeOf.clear();
  weightOf.clear();
  llvm::StringSet<> excludedNames;
  for (const std::string &name : exclude)
    excludedNames.insert(name);

  // Roles, then smart mode's sandwich rule: a support op stays int8 only
  // when a chain of support ops links it to a quantized conv/fc upstream
  // and to another downstream (MXNet walks through support nodes only, so
  // an fp32 op in between breaks the chain).
  SmallVector<Operation *> candidates;
  llvm::DenseSet<Operation *> must, support;
  func.walk([&](Operation *op) {
    Role role = roleOf(op, excludedNames);
    if (role == Role::Keep)
      return;
    candidates.push_back(op);
    (role == Role::Must ? must : support).insert(op);
  });
  llvm::DenseSet<Operation *> chosen;
  if (mode == QuantizeMode::full) {
    chosen.insert(candidates.begin(), candidates.end());
  } else {
    llvm::DenseSet<Operation *> downstream, upstream;
    SmallVector<Operation *> work(must.begin(), must.end());
    while (!work.empty()) {
      Operation *op = work.pop_back_val();
      for (Operation *user : op->getUsers())
        if (support.contains(user) && downstream.insert(user).second)
          work.push_back(user);
    }
    work.assign(must.begin(), must.end());
    while (!work.empty()) {
      Operation *op = work.pop_back_val();
      for (Value operand : op->getOperands())
        if (Operation *def = operand.getDefiningOp())
          if (support.contains(def) && upstream.insert(def).second)
            work.push_back(def);
    }
    for (Operation *op : candidates)
      if (must.contains(op) ||
          (downstream.contains(op) && upstream.contains(op)))
        chosen.insert(op);
  }

  OpBuilder builder(func.getContext());
  MLIRContext *context = func.getContext();
  SmallVector<Operation *> order;
  func.walk([&](Operation *op) {
    if (chosen.contains(op))
      order.push_back(op);
  });
  for (Operation *op : order) {
    builder.setInsertionPoint(op);
    Value result;
    if (auto add = llvm::dyn_cast<AddOp>(op)) {
      Value lhs = quantized(builder, add.getLhs());
      Value rhs = quantized(builder, add.getRhs());
      result = QuantizedAddOp::create(
          builder, op->getLoc(),
          add.getType().clone(dynamicQuantType(context, 32, true)), lhs, rhs,
          FloatAttr(), FloatAttr());
    } else {
      Operation *clone = builder.clone(*op);
      for (unsigned position : dataOperands(op))
        clone->setOperand(position,
                          quantized(builder, op->getOperand(position)));
      if (auto conv = llvm::dyn_cast<FusedConvOp>(clone))
        conv.getWeightMutable().assign(
            quantizeWeight(builder, conv.getWeight()));
      if (auto fc = llvm::dyn_cast<FusedFullyConnectedOp>(clone))
        fc.getWeightMutable().assign(quantizeWeight(builder, fc.getWeight()));
      auto shaped = llvm::cast<RankedTensorType>(op->getResult(0).getType());
      if (producesInt32(op)) {
        clone->getResult(0).setType(
            shaped.clone(dynamicQuantType(context, 32, true)));
      } else {
        SmallVector<Type> inferred;
        auto infer = llvm::cast<InferTypeOpInterface>(clone);
        if (failed(infer.inferReturnTypes(
                context, clone->getLoc(), clone->getOperands(),
                clone->getRawDictionaryAttrs(), clone->getPropertiesStorage(),
                clone->getRegions(), inferred))) {
          clone->erase();
          return signalPassFailure();
        }
        clone->getResult(0).setType(inferred.front());
      }
      result = clone->getResult(0);
    }
    if (producesInt32(op)) {
      // MXNet's IsOutputUInt8: a fused op whose last activation cannot be
      // negative writes uint8 whatever the dtype (one more bit).
      QuantDType requantizeType =
          producesNonNegative(op) ? QuantDType::uint8 : outType;
      std::string name = nodeName(op->getLoc()).value_or("op");
      result = RequantizeOp::create(
          builder, NameLoc::get(builder.getStringAttr("requantize_" + name)),
          llvm::cast<RankedTensorType>(result.getType())
              .clone(dynamicQuantType(context, 8,
                                      requantizeType != QuantDType::uint8)),
          result, QuantDTypeAttr::get(context, requantizeType), FloatAttr(),
          FloatAttr());
    }
    // fp32 consumers and results read one dequantize; quantized consumers
    // later look through it.
    std::string name = nodeName(op->getLoc()).value_or("op");
    Value dequantized = DequantizeOp::create(
        builder, NameLoc::get(builder.getStringAttr(name + "_dequantize")),
        result);
    op->getResult(0).replaceAllUsesWith(dequantized);
    op->erase();
  }
  // Dequantizes whose every consumer became int8.
  func.walk([](DequantizeOp dequantize) {
    if (dequantize->use_empty())
      dequantize->erase();
  });
  // f32 weights that only quantized ops read: their int8 copies replace
  // them (an excluded op sharing one keeps it).
  for (auto &entry : weightOf)
    if (Operation *def = entry.first.getDefiningOp())
      if (def->use_empty())
        def->erase();
}

} // namespace
