//===- FoldRequantize.cpp - MXNet's post-quantize fusion as patterns ------===//
//
// After calibration, most requantize and dequantize ops can disappear into
// the op that produces their input (reference section 4.4):
//   - fused conv / fused fc / quantized add -> calibrated requantize (its
//     only user): the producer writes 8 bits with the requantize's range;
//   - such a producer -> requantize -> only dequantizes: the producer writes
//     f32 directly (MXNet's enable_float_output, here for all three, and
//     also when the range is found at run time — f32 needs no range);
//   - quantize(dequantize(x)) with equal types is x.
// Concat scale alignment happens in q-calibrate, where ranges are set.
//
//===----------------------------------------------------------------------===//

#include "QDialect/IR/QDialect.h"
#include "QDialect/Transforms/Passes.h"

#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::q {
#define GEN_PASS_DEF_QFOLDREQUANTIZE
#include "QDialect/Transforms/Passes.h.inc"
} // namespace mlir::q

using namespace mlir;
using namespace mlir::q;

namespace {

bool isFoldableProducer(Operation *op) {
  return llvm::isa_and_present<FusedConvOp, FusedFullyConnectedOp,
                               QuantizedAddOp>(op);
}

/// producer -> requantize -> dequantize... becomes an f32 producer.
struct FloatOutput : OpRewritePattern<RequantizeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(RequantizeOp requantize,
                                PatternRewriter &rewriter) const override {
    Operation *producer = requantize.getInput().getDefiningOp();
    if (!isFoldableProducer(producer) || !producer->hasOneUse() ||
        requantize->use_empty() ||
        !llvm::all_of(requantize->getUsers(),
                      [](Operation *user) { return llvm::isa<DequantizeOp>(user); }))
      return failure();
    rewriter.modifyOpInPlace(producer, [&] {
      producer->getResult(0).setType(
          llvm::cast<RankedTensorType>(producer->getResult(0).getType())
              .clone(rewriter.getF32Type()));
      producer->removeAttr("min_calib_range");
      producer->removeAttr("max_calib_range");
    });
    for (Operation *user : llvm::make_early_inc_range(requantize->getUsers()))
      rewriter.replaceOp(user, producer->getResult(0));
    rewriter.eraseOp(requantize);
    return success();
  }
};

/// producer -> calibrated requantize becomes a producer with that range.
struct FoldIntoProducer : OpRewritePattern<RequantizeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(RequantizeOp requantize,
                                PatternRewriter &rewriter) const override {
    Operation *producer = requantize.getInput().getDefiningOp();
    if (!isFoldableProducer(producer) || !producer->hasOneUse() ||
        !requantize.getMinCalibRange())
      return failure();
    rewriter.modifyOpInPlace(producer, [&] {
      producer->setAttr("min_calib_range", requantize.getMinCalibRangeAttr());
      producer->setAttr("max_calib_range", requantize.getMaxCalibRangeAttr());
      producer->getResult(0).setType(requantize.getType());
    });
    rewriter.replaceOp(requantize, producer->getResult(0));
    return success();
  }
};

/// quantize(dequantize(x)) is x when the types agree.
struct QuantizeOfDequantize : OpRewritePattern<QuantizeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(QuantizeOp quantize,
                                PatternRewriter &rewriter) const override {
    auto dequantize = quantize.getInput().getDefiningOp<DequantizeOp>();
    if (!dequantize || dequantize.getInput().getType() != quantize.getType())
      return failure();
    rewriter.replaceOp(quantize, dequantize.getInput());
    return success();
  }
};

struct FoldRequantizePass
    : public q::impl::QFoldRequantizeBase<FoldRequantizePass> {
  using QFoldRequantizeBase::QFoldRequantizeBase;
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<FloatOutput>(&getContext(), /*benefit=*/2);
    patterns.add<FoldIntoProducer, QuantizeOfDequantize>(&getContext());
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
  }
};

} // namespace
