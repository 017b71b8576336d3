//===- Fuse.cpp - conv/fc fusion with MXNet's rules -----------------------===//
//
// MXNet's subgraph selectors accept conv [bn] [add] [act] and fc [eltwise]
// chains, stopping at any matched value that has another consumer (reference
// section 4.2/4.3). Each step of the chain is one pattern below; their
// preconditions (no act yet, no sum yet, ...) encode the order. The pass
// runs them in two rounds (conv/fc + bn, then sum + act) so that a conv's
// `conv [bn]` part is settled before an add picks which conv takes it.
// The first round also finishes MXNet's own fused ops, which leave work to
// run time: a folded-in batch norm (with_bn), f32 weights on a quantized
// input, an offline int8 bias.
//
//===----------------------------------------------------------------------===//

#include "QDialect/IR/Constants.h"
#include "QDialect/IR/QDialect.h"
#include "QDialect/Transforms/Passes.h"

#include "mlir/Dialect/Quant/IR/Quant.h"
#include "mlir/IR/AsmState.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

#include <cmath>

namespace mlir::q {
#define GEN_PASS_DEF_QFUSE
#include "QDialect/Transforms/Passes.h.inc"
} // namespace mlir::q

using namespace mlir;
using namespace mlir::q;

namespace {

enum class FuseMode { FP32, Int8 };

/// The float values of a constant tensor, or nothing.
std::optional<std::vector<float>> constantFloats(Value value) {
  if (!value)
    return std::nullopt;
  auto constant = value.getDefiningOp<arith::ConstantOp>();
  if (!constant ||
      !llvm::cast<ShapedType>(constant.getType()).getElementType().isF32())
    return std::nullopt;
  Attribute attr = constant.getValue();
  int64_t count = llvm::cast<ShapedType>(constant.getType()).getNumElements();
  if (auto resource = llvm::dyn_cast<DenseResourceElementsAttr>(attr)) {
    AsmResourceBlob *blob = resource.getRawHandle().getBlob();
    if (!blob || blob->getData().size() != size_t(count) * sizeof(float))
      return std::nullopt;
    const auto *data = reinterpret_cast<const float *>(blob->getData().data());
    return std::vector<float>(data, data + count);
  }
  if (auto dense = llvm::dyn_cast<DenseElementsAttr>(attr)) {
    auto values = dense.getValues<float>();
    return std::vector<float>(values.begin(), values.end());
  }
  return std::nullopt;
}

/// A new constant holding `values`, named (as a resource and a location)
/// after `name` so that export writes it under that name.
Value makeConstant(PatternRewriter &rewriter, RankedTensorType type,
                   llvm::ArrayRef<float> values, llvm::StringRef name) {
  auto blob = HeapAsmResourceBlob::allocateAndCopyInferAlign<float>(values);
  auto attr = DenseResourceElementsAttr::get(type, name, std::move(blob));
  return arith::ConstantOp::create(
      rewriter, NameLoc::get(rewriter.getStringAttr(name)), attr);
}

std::string nameOf(Location loc, llvm::StringRef fallback) {
  if (auto name = llvm::dyn_cast<NameLoc>(loc))
    return name.getName().str();
  if (auto fused = llvm::dyn_cast<FusedLoc>(loc))
    for (Location inner : fused.getLocations())
      if (auto name = llvm::dyn_cast<NameLoc>(inner))
        return name.getName().str();
  return fallback.str();
}

/// Activations MXNet fuses after a convolution (mkldnn_conv_property.h).
bool convAcceptsAct(EltwiseAttr act, FuseMode mode, bool afterSum) {
  switch (act.getKind()) {
  case EltwiseKind::relu:
  case EltwiseKind::leaky:
  case EltwiseKind::gelu:
    return true;
  case EltwiseKind::clip:
    return act.getAlphaValue() == 0.0 && !(mode == FuseMode::Int8 && afterSum);
  case EltwiseKind::sigmoid:
  case EltwiseKind::tanh:
  case EltwiseKind::softrelu:
    return mode == FuseMode::FP32;
  default:
    return false;
  }
}

/// Element-wise ops MXNet fuses after a fully connected (mkldnn_fc_property.h).
bool fcAcceptsAct(EltwiseAttr act, FuseMode mode) {
  switch (act.getKind()) {
  case EltwiseKind::relu:
  case EltwiseKind::leaky:
  case EltwiseKind::elu:
  case EltwiseKind::gelu:
  case EltwiseKind::abs:
    return true;
  case EltwiseKind::clip:
    return act.getAlphaValue() == 0.0;
  case EltwiseKind::sigmoid:
  case EltwiseKind::tanh:
  case EltwiseKind::softrelu:
  case EltwiseKind::square:
  case EltwiseKind::sqrt:
  case EltwiseKind::exp:
    return mode == FuseMode::FP32;
  default:
    return false;
  }
}

/// A fused conv like `conv` with some parts replaced; everything else kept.
struct FusedConvParts {
  Value weight, bias, sum;
  SmallVector<Value> bn;
  EltwiseAttr act, postsumAct;
};

FusedConvOp rebuild(PatternRewriter &rewriter, FusedConvOp conv,
                    const FusedConvParts &parts, Location loc,
                    Type resultType) {
  return FusedConvOp::create(
      rewriter, loc, resultType, conv.getInput(), parts.weight, parts.bias,
      parts.bn, parts.sum, conv.getStridesAttr(), conv.getDilationsAttr(),
      conv.getPadsAttr(), conv.getGroupsAttr(),
      parts.bn.empty() ? FloatAttr() : conv.getBnEpsAttr(),
      parts.bn.empty() ? BoolAttr() : conv.getBnFixGammaAttr(), parts.act,
      conv.getSumScaleAttr(), parts.postsumAct, conv.getMinCalibRangeAttr(),
      conv.getMaxCalibRangeAttr());
}

FusedConvParts partsOf(FusedConvOp conv) {
  FusedConvParts parts;
  parts.weight = conv.getWeight();
  parts.bias = conv.getBias();
  parts.sum = conv.getSum();
  parts.bn.assign(conv.getBn().begin(), conv.getBn().end());
  parts.act = conv.getActAttr();
  parts.postsumAct = conv.getPostsumActAttr();
  return parts;
}

/// q.convolution -> q.fused_conv with nothing fused yet.
struct ConvToFused : OpRewritePattern<ConvolutionOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ConvolutionOp conv,
                                PatternRewriter &rewriter) const override {
    auto fused = FusedConvOp::create(
        rewriter, conv.getLoc(), conv.getType(), conv.getInput(),
        conv.getWeight(), conv.getBias(), ValueRange(), Value(),
        conv.getStridesAttr(), conv.getDilationsAttr(), conv.getPadsAttr(),
        conv.getGroupsAttr(), FloatAttr(), BoolAttr(), EltwiseAttr(),
        FloatAttr(), EltwiseAttr(), FloatAttr(), FloatAttr());
    rewriter.replaceOp(conv, fused);
    return success();
  }
};

/// q.fully_connected -> q.fused_fc.
struct FCToFused : OpRewritePattern<FullyConnectedOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(FullyConnectedOp fc,
                                PatternRewriter &rewriter) const override {
    auto fused = FusedFullyConnectedOp::create(
        rewriter, fc.getLoc(), fc.getType(), fc.getInput(), fc.getWeight(),
        fc.getBias(), fc.getFlattenAttr(), EltwiseAttr(), FloatAttr(),
        FloatAttr());
    rewriter.replaceOp(fc, fused);
    return success();
  }
};

/// The batch norm `gamma, beta, mean, var` (eps, fix_gamma) folded into a
/// conv's constant f32 weight and optional bias (reference 3.5 step 1:
/// W'_c = W_c * alpha_c, b'_c = beta_c + alpha_c * (b_c - mean_c) with
/// alpha_c = gamma_c / sqrt(var_c + eps)), as new constants named after
/// `name`. Fails when any of them is not a constant. Used for a separate
/// q.batch_norm and for one MXNet already fused into the conv (with_bn).
FailureOr<std::pair<Value, Value>>
foldBatchNormConstants(PatternRewriter &rewriter, Value weightValue,
                       Value biasValue, ValueRange bnValues, double eps,
                       bool fixGamma, llvm::StringRef name) {
  auto weight = constantFloats(weightValue);
  auto gamma = constantFloats(bnValues[0]);
  auto beta = constantFloats(bnValues[1]);
  auto mean = constantFloats(bnValues[2]);
  auto var = constantFloats(bnValues[3]);
  std::optional<std::vector<float>> bias;
  if (biasValue && !(bias = constantFloats(biasValue)))
    return failure();
  if (!weight || !gamma || !beta || !mean || !var)
    return failure();

  auto weightType = llvm::cast<RankedTensorType>(weightValue.getType());
  int64_t channels = weightType.getDimSize(0);
  int64_t perChannel = weightType.getNumElements() / channels;
  std::vector<float> newWeight(*weight), newBias(channels);
  for (int64_t c = 0; c < channels; ++c) {
    double g = fixGamma ? 1.0 : (*gamma)[c];
    double alpha = g / std::sqrt(double((*var)[c]) + eps);
    for (int64_t i = 0; i < perChannel; ++i)
      newWeight[c * perChannel + i] =
          float((*weight)[c * perChannel + i] * alpha);
    double b = bias ? (*bias)[c] : 0.0;
    newBias[c] = float((*beta)[c] + alpha * (b - (*mean)[c]));
  }
  Value w =
      makeConstant(rewriter, weightType, newWeight, name.str() + "_weight");
  Value b = makeConstant(
      rewriter, RankedTensorType::get({channels}, rewriter.getF32Type()),
      newBias, name.str() + "_bias");
  return std::make_pair(w, b);
}

/// conv -> batch_norm: fold the normalization into weight and bias, when
/// its parameters are constants.
struct FoldBatchNorm : OpRewritePattern<BatchNormOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(BatchNormOp bn,
                                PatternRewriter &rewriter) const override {
    auto conv = bn.getInput().getDefiningOp<FusedConvOp>();
    int64_t rank = bn.getInput().getType().getRank();
    bool channelAxis = bn.getAxis() == 1 || bn.getAxis() == 1 - rank;
    if (!conv || !conv->hasOneUse() || conv.getAct() || conv.getSum() ||
        !conv.getBn().empty() || !channelAxis ||
        !conv.getInput().getType().getElementType().isF32())
      return failure();
    auto folded = foldBatchNormConstants(
        rewriter, conv.getWeight(), conv.getBias(),
        {bn.getGamma(), bn.getBeta(), bn.getMean(), bn.getVar()},
        bn.getEps().convertToDouble(), bn.getFixGamma(),
        nameOf(conv.getLoc(), "conv"));
    if (failed(folded))
      return failure();
    FusedConvParts parts = partsOf(conv);
    std::tie(parts.weight, parts.bias) = *folded;
    Location loc = rewriter.getFusedLoc({conv.getLoc(), bn.getLoc()});
    rewriter.replaceOp(bn, rebuild(rewriter, conv, parts, loc, bn.getType()));
    rewriter.eraseOp(conv);
    return success();
  }
};

/// A fused conv that still carries a batch norm (MXNet's with_bn, as
/// imported from `_sg_mkldnn_conv`, fp32 or quantized): the same folding,
/// which MXNet does when it first runs the op. Its weights must still be
/// f32 (MXNet keeps them so: FAvoidQuantizeInput).
struct FoldFusedBatchNorm : OpRewritePattern<FusedConvOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(FusedConvOp conv,
                                PatternRewriter &rewriter) const override {
    if (conv.getBn().empty() || conv.getBn().size() != 4)
      return failure();
    auto folded = foldBatchNormConstants(
        rewriter, conv.getWeight(), conv.getBias(), conv.getBn(),
        conv.getBnEps().convertToDouble(), conv.getBnFixGamma(),
        nameOf(conv.getLoc(), "conv"));
    if (failed(folded))
      return failure();
    FusedConvParts parts = partsOf(conv);
    std::tie(parts.weight, parts.bias) = *folded;
    parts.bn.clear();
    rewriter.replaceOp(
        conv, rebuild(rewriter, conv, parts, conv.getLoc(), conv.getType()));
    return success();
  }
};

/// MXNet's offline int8 bias (the tensor-wise quantized FC, reference
/// 3.6: an int8 parameter with a per-tensor step) becomes the f32 bias it
/// stands for, which every lowering takes (MXNet rescales it to int32 at
/// run time; q quantizes an f32 bias on its own).
template <typename OpT> struct Int8BiasToFloat : OpRewritePattern<OpT> {
  using OpRewritePattern<OpT>::OpRewritePattern;
  LogicalResult matchAndRewrite(OpT op,
                                PatternRewriter &rewriter) const override {
    Value bias = op.getBias();
    if (!bias)
      return failure();
    auto type = llvm::cast<RankedTensorType>(bias.getType());
    auto uniform =
        llvm::dyn_cast<quant::UniformQuantizedType>(type.getElementType());
    auto values = readConstant<int8_t>(bias);
    if (!uniform || uniform.getStorageTypeIntegralWidth() != 8 ||
        uniform.getZeroPoint() != 0 || !values)
      return failure();
    std::vector<float> real(values->size());
    for (size_t i = 0; i < real.size(); ++i)
      real[i] = float((*values)[i] * uniform.getScale());
    std::string name = nameOf(bias.getLoc(), "bias") + "_float";
    Value constant =
        makeConstant(rewriter, type.clone(rewriter.getF32Type()), real, name);
    rewriter.modifyOpInPlace(op, [&] { op.getBiasMutable().assign(constant); });
    return success();
  }
};

/// A fused conv or fc that reads an 8-bit quantized input but still has
/// f32 weights (MXNet's quantized `_sg_mkldnn_conv` and channel-wise FC
/// keep them so and quantize them when they first run, one step per output
/// channel): q-quantize's int8 weights, which the lowerings need.
template <typename OpT> struct QuantizeImportedWeights : OpRewritePattern<OpT> {
  using OpRewritePattern<OpT>::OpRewritePattern;
  LogicalResult matchAndRewrite(OpT op,
                                PatternRewriter &rewriter) const override {
    if constexpr (std::is_same_v<OpT, FusedConvOp>)
      if (!op.getBn().empty())
        return failure(); // folded first
    auto input = llvm::dyn_cast<quant::QuantizedType>(
        llvm::cast<ShapedType>(op.getInput().getType()).getElementType());
    if (!input || input.getStorageTypeIntegralWidth() != 8 ||
        !readConstant<float>(op.getWeight()))
      return failure();
    Value weight = quantizeWeightConstant(rewriter, op.getWeight(),
                                          /*perTensor=*/false,
                                          /*weightBits=*/8);
    rewriter.modifyOpInPlace(op, [&] { op.getWeightMutable().assign(weight); });
    return success();
  }
};

/// conv + x: the residual sum becomes a post-op (with_sum). When both
/// operands are convs, the lhs takes the sum: MXNet visits the graph
/// depth-first from the lhs, so the lhs conv is seeded first (its
/// `elemwise_add` canonicalization only matters for a conv on the rhs).
struct FuseSum : OpRewritePattern<AddOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(AddOp add,
                                PatternRewriter &rewriter) const override {
    for (unsigned side = 0; side < 2; ++side) {
      auto conv = add->getOperand(side).getDefiningOp<FusedConvOp>();
      Value other = add->getOperand(1 - side);
      if (!conv || !conv->hasOneUse() || conv.getAct() || conv.getSum() ||
          !conv.getBn().empty() || other.getType() != add.getType() ||
          conv.getType() != add.getType() || other == conv.getResult())
        continue;
      // The fused op takes the add's place, where `other` is already
      // computed, so the conv may come before or after the sum operand.
      FusedConvParts parts = partsOf(conv);
      parts.sum = other;
      Location loc = rewriter.getFusedLoc({conv.getLoc(), add.getLoc()});
      rewriter.replaceOp(add,
                         rebuild(rewriter, conv, parts, loc, add.getType()));
      rewriter.eraseOp(conv);
      return success();
    }
    return failure();
  }
};

/// conv [+ sum] + act: act before a sum (with_act) or after it
/// (with_postsum_act).
struct FuseConvAct : OpRewritePattern<ActivationOp> {
  FuseConvAct(MLIRContext *context, FuseMode mode)
      : OpRewritePattern(context), mode(mode) {}
  LogicalResult matchAndRewrite(ActivationOp act,
                                PatternRewriter &rewriter) const override {
    auto conv = act.getInput().getDefiningOp<FusedConvOp>();
    if (!conv || !conv->hasOneUse() || !conv.getBn().empty())
      return failure();
    bool afterSum = conv.getSum() != nullptr;
    if ((afterSum ? conv.getPostsumAct() : conv.getAct()).has_value() ||
        !convAcceptsAct(act.getAct(), mode, afterSum))
      return failure();
    FusedConvParts parts = partsOf(conv);
    (afterSum ? parts.postsumAct : parts.act) = act.getAct();
    Location loc = rewriter.getFusedLoc({conv.getLoc(), act.getLoc()});
    rewriter.replaceOp(act, rebuild(rewriter, conv, parts, loc, act.getType()));
    rewriter.eraseOp(conv);
    return success();
  }
  FuseMode mode;
};

/// fc + element-wise (with_eltwise).
struct FuseFCAct : OpRewritePattern<ActivationOp> {
  FuseFCAct(MLIRContext *context, FuseMode mode)
      : OpRewritePattern(context), mode(mode) {}
  LogicalResult matchAndRewrite(ActivationOp act,
                                PatternRewriter &rewriter) const override {
    auto fc = act.getInput().getDefiningOp<FusedFullyConnectedOp>();
    if (!fc || !fc->hasOneUse() || fc.getAct() ||
        !fcAcceptsAct(act.getAct(), mode))
      return failure();
    auto fused = FusedFullyConnectedOp::create(
        rewriter, rewriter.getFusedLoc({fc.getLoc(), act.getLoc()}),
        act.getType(), fc.getInput(), fc.getWeight(), fc.getBias(),
        fc.getFlattenAttr(), act.getAct(), fc.getMinCalibRangeAttr(),
        fc.getMaxCalibRangeAttr());
    rewriter.replaceOp(act, fused);
    rewriter.eraseOp(fc);
    return success();
  }
  FuseMode mode;
};

struct QFusePass : mlir::q::impl::QFuseBase<QFusePass> {
  using QFuseBase::QFuseBase;
  void runOnOperation() override {
    if (mode != "fp32" && mode != "int8") {
      getOperation().emitError("q-fuse: mode must be fp32 or int8, got '")
          << mode << "'";
      return signalPassFailure();
    }
    FuseMode fuseMode = mode == "int8" ? FuseMode::Int8 : FuseMode::FP32;
    MLIRContext *context = &getContext();
    // Two rounds. The first makes every conv/fc a fused op, folds batch
    // norms and (through q.dropout's folder) drops inference dropout, so
    // that the second sees each conv in its final `conv [bn]` form: which
    // conv of an add takes the sum must not depend on the order in which
    // the driver happens to visit the ops.
    RewritePatternSet seeds(context);
    seeds.add<ConvToFused, FCToFused, FoldBatchNorm, FoldFusedBatchNorm,
              Int8BiasToFloat<FusedConvOp>,
              Int8BiasToFloat<FusedFullyConnectedOp>,
              QuantizeImportedWeights<FusedConvOp>,
              QuantizeImportedWeights<FusedFullyConnectedOp>>(context);
    if (failed(applyPatternsGreedily(getOperation(), std::move(seeds))))
      return signalPassFailure();
    RewritePatternSet chains(context);
    chains.add<FuseSum>(context);
    chains.add<FuseConvAct, FuseFCAct>(context, fuseMode);
    if (failed(applyPatternsGreedily(getOperation(), std::move(chains))))
      return signalPassFailure();
  }
};

} // namespace
