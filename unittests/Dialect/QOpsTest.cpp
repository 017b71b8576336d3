//===- QOpsTest.cpp - building q ops from C++ -----------------------------===//
//
// An importer builds ops without computing result shapes: check that the
// generated builders infer them, and that verification catches bad input.
//
//===----------------------------------------------------------------------===//

#include "QDialect/IR/QDialect.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/Verifier.h"

#include "gtest/gtest.h"

using namespace mlir;

namespace {

class QOpsTest : public ::testing::Test {
protected:
  QOpsTest() : builder(&context) {
    context.loadDialect<q::QDialect, func::FuncDialect>();
    module = ModuleOp::create(builder.getUnknownLoc());
    builder.setInsertionPointToEnd(module->getBody());
  }

  /// A function with arguments of the given types, and the builder inside.
  func::FuncOp makeFunction(TypeRange argTypes) {
    auto fn = func::FuncOp::create(builder, builder.getUnknownLoc(), "f",
                                   builder.getFunctionType(argTypes, {}));
    builder.setInsertionPointToEnd(fn.addEntryBlock());
    return fn;
  }

  RankedTensorType f32(ArrayRef<int64_t> shape) {
    return RankedTensorType::get(shape, builder.getF32Type());
  }

  MLIRContext context;
  OpBuilder builder;
  OwningOpRef<ModuleOp> module;
};

TEST_F(QOpsTest, BuildersInferResultTypes) {
  auto fn = makeFunction({f32({1, 3, 32, 32}), f32({16, 3, 3, 3}),
                          f32({16}), f32({10, 16 * 16 * 16})});
  Location loc = NameLoc::get(builder.getStringAttr("conv0"));
  Value x = fn.getArgument(0);
  auto conv = q::ConvolutionOp::create(builder, loc, x, fn.getArgument(1),
                                       fn.getArgument(2), /*strides=*/{},
                                       /*dilations=*/{},
                                       /*pads=*/{1, 1, 1, 1});
  EXPECT_EQ(conv.getType(), f32({1, 16, 32, 32}));

  auto act = q::ActivationOp::create(
      builder, loc, conv,
      q::EltwiseAttr::get(&context, q::EltwiseKind::relu));
  auto pool = q::PoolingOp::create(builder, loc, act, q::PoolKind::max,
                                   /*kernel=*/{2, 2}, /*strides=*/{2, 2});
  EXPECT_EQ(pool.getType(), f32({1, 16, 16, 16}));

  auto fc = q::FullyConnectedOp::create(builder, loc, pool, fn.getArgument(3),
                                        /*bias=*/Value());
  EXPECT_EQ(fc.getType(), f32({1, 10}));
  func::ReturnOp::create(builder, loc);
  EXPECT_TRUE(succeeded(verify(*module)));
}

TEST_F(QOpsTest, VerifierNamesTheOp) {
  auto fn = makeFunction({f32({1, 4, 8, 8}), f32({8, 4, 3, 3})});
  Location loc = NameLoc::get(builder.getStringAttr("bad_conv"));
  // A fused conv whose declared result ignores the padding it was given.
  q::FusedConvOp::create(builder, loc, f32({1, 8, 6, 6}), fn.getArgument(0),
                         fn.getArgument(1), /*bias=*/Value(),
                         /*bn=*/ValueRange(), /*sum=*/Value(),
                         /*strides=*/nullptr, /*dilations=*/nullptr,
                         builder.getDenseI64ArrayAttr({1, 1, 1, 1}),
                         /*groups=*/nullptr, /*bn_eps=*/nullptr,
                         /*bn_fix_gamma=*/nullptr, /*act=*/nullptr,
                         /*sum_scale=*/nullptr, /*postsum_act=*/nullptr,
                         /*min_calib_range=*/nullptr,
                         /*max_calib_range=*/nullptr);
  func::ReturnOp::create(builder, loc);

  std::string message;
  ScopedDiagnosticHandler handler(&context, [&](Diagnostic &diag) {
    message = diag.str();
    if (auto name = llvm::dyn_cast<NameLoc>(diag.getLocation()))
      message = name.getName().str() + ": " + message;
    return success();
  });
  EXPECT_TRUE(failed(verify(*module)));
  EXPECT_EQ(message, "bad_conv: 'q.fused_conv' op result must be [1, 8, 8, "
                     "8], got 'tensor<1x8x6x6xf32>'");
}

TEST_F(QOpsTest, QuantizedStepFollowsMXNetRanges) {
  EXPECT_DOUBLE_EQ(q::quantizedStepFromRange(false, -1.0, 2.55), 0.02);
  EXPECT_DOUBLE_EQ(q::quantizedStepFromRange(true, 0.0, 2.555), 0.01);
  EXPECT_TRUE(q::resolvesToUnsigned(q::QuantDType::auto_, 0.0));
  EXPECT_FALSE(q::resolvesToUnsigned(q::QuantDType::auto_, -0.1));
  EXPECT_FALSE(q::resolvesToUnsigned(q::QuantDType::auto_, std::nullopt));
  EXPECT_TRUE(q::resolvesToUnsigned(q::QuantDType::uint8, std::nullopt));
}

} // namespace
