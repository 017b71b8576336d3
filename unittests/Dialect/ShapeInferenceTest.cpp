//===- ShapeInferenceTest.cpp - MXNet shape rules -------------------------===//

#include "QDialect/IR/ShapeInference.h"

#include "gtest/gtest.h"

using namespace mlir::q::shape;

namespace {

Shape expectShape(llvm::Expected<Shape> result) {
  if (!result) {
    ADD_FAILURE() << llvm::toString(result.takeError());
    return {};
  }
  return *result;
}

std::string expectError(llvm::Expected<Shape> result) {
  if (result) {
    ADD_FAILURE() << "expected an error";
    return "";
  }
  return llvm::toString(result.takeError());
}

WindowGeometry geometry(unsigned rank, llvm::ArrayRef<int64_t> strides = {},
                        llvm::ArrayRef<int64_t> dilations = {},
                        llvm::ArrayRef<int64_t> pads = {}) {
  auto g = expandWindowGeometry(rank, strides, dilations, pads);
  EXPECT_TRUE(static_cast<bool>(g));
  return g ? *g : WindowGeometry{};
}

TEST(ShapeInference, ConvolutionMatchesMXNetFormula) {
  // out = floor((in + pb + pe - d*(k-1) - 1) / s) + 1
  EXPECT_EQ(expectShape(convolution({1, 3, 224, 224}, {64, 3, 7, 7},
                                    geometry(2, {2, 2}, {}, {3, 3, 3, 3}), 1)),
            (Shape{1, 64, 112, 112}));
  EXPECT_EQ(expectShape(convolution({2, 8, 15, 17}, {16, 4, 3, 3},
                                    geometry(2, {2, 3}, {2, 1}, {1, 0, 2, 1}),
                                    2)),
            (Shape{2, 16, 7, 6}));
  // Depthwise 3-D.
  EXPECT_EQ(expectShape(convolution({1, 6, 5, 6, 7}, {6, 1, 3, 3, 3},
                                    geometry(3, {}, {}, {1, 1, 1, 1, 1, 1}),
                                    6)),
            (Shape{1, 6, 5, 6, 7}));
}

TEST(ShapeInference, ConvolutionErrors) {
  EXPECT_EQ(expectError(convolution({1, 3, 8, 8}, {4, 2, 3, 3}, geometry(2),
                                    1)),
            "input has 3 channels but weight [4, 2, 3, 3] with 1 groups "
            "expects 2");
  EXPECT_EQ(
      expectError(convolution({1, 3, 2, 2}, {4, 3, 3, 3}, geometry(2), 1)),
      "kernel extent 3 (dilated) exceeds padded input 2 in spatial dim 0");
}

TEST(ShapeInference, PoolingConventions) {
  WindowGeometry g = geometry(2, {2, 2});
  EXPECT_EQ(expectShape(pooling({1, 3, 5, 5}, {2, 2}, g, false,
                                PoolRounding::Floor)),
            (Shape{1, 3, 2, 2}));
  EXPECT_EQ(expectShape(pooling({1, 3, 5, 5}, {2, 2}, g, false,
                                PoolRounding::Ceil)),
            (Shape{1, 3, 3, 3}));
  EXPECT_EQ(expectShape(pooling({1, 3, 5, 5}, {3, 3}, g, false,
                                PoolRounding::Same)),
            (Shape{1, 3, 3, 3}));
  EXPECT_EQ(expectShape(pooling({1, 3, 7, 9}, {}, geometry(2), true,
                                PoolRounding::Floor)),
            (Shape{1, 3, 1, 1}));
}

TEST(ShapeInference, FullyConnected) {
  EXPECT_EQ(expectShape(fullyConnected({4, 3, 2, 2}, {10, 12}, true)),
            (Shape{4, 10}));
  EXPECT_EQ(expectShape(fullyConnected({4, 7, 2}, {6, 2}, false)),
            (Shape{4, 7, 6}));
  EXPECT_FALSE(static_cast<bool>(fullyConnected({4, 7, 2}, {6, 3}, false)));
}

TEST(ShapeInference, BroadcastFollowsNumpy) {
  EXPECT_EQ(expectShape(broadcast({2, 3, 1, 5}, {3, 4, 1})),
            (Shape{2, 3, 4, 5}));
  EXPECT_EQ(expectShape(broadcast({1}, {7, 1})), (Shape{7, 1}));
  EXPECT_EQ(expectError(broadcast({2, 3}, {4})),
            "shapes [2, 3] and [4] do not broadcast");
}

TEST(ShapeInference, ReshapeSpecialCodes) {
  // Examples from MXNet's Reshape documentation.
  EXPECT_EQ(expectShape(reshape({2, 3, 4}, {4, 0, 2}, false)),
            (Shape{4, 3, 2}));
  EXPECT_EQ(expectShape(reshape({2, 3, 4}, {2, 0, 0}, false)),
            (Shape{2, 3, 4}));
  EXPECT_EQ(expectShape(reshape({2, 3, 4}, {6, 1, -1}, false)),
            (Shape{6, 1, 4}));
  EXPECT_EQ(expectShape(reshape({2, 3, 4}, {3, -1, 8}, false)),
            (Shape{3, 1, 8}));
  EXPECT_EQ(expectShape(reshape({2, 3, 4}, {-1}, false)), (Shape{24}));
  EXPECT_EQ(expectShape(reshape({2, 3, 4}, {-2}, false)), (Shape{2, 3, 4}));
  EXPECT_EQ(expectShape(reshape({2, 3, 4}, {2, -2}, false)),
            (Shape{2, 3, 4}));
  EXPECT_EQ(expectShape(reshape({2, 3, 4}, {-2, 1, 1}, false)),
            (Shape{2, 3, 4, 1, 1}));
  EXPECT_EQ(expectShape(reshape({2, 3, 4}, {-3, 4}, false)), (Shape{6, 4}));
  EXPECT_EQ(expectShape(reshape({2, 3, 4, 5}, {-3, -3}, false)),
            (Shape{6, 20}));
  EXPECT_EQ(expectShape(reshape({2, 3, 4}, {0, -3}, false)), (Shape{2, 12}));
  EXPECT_EQ(expectShape(reshape({2, 3, 4}, {-3, -2}, false)),
            (Shape{6, 4}));
  EXPECT_EQ(expectShape(reshape({2, 3, 4}, {-4, 1, 2, -2}, false)),
            (Shape{1, 2, 3, 4}));
  EXPECT_EQ(expectShape(reshape({2, 3, 4}, {2, -4, -1, 3, -2}, false)),
            (Shape{2, 1, 3, 4}));
  // reverse: (10, 5, 4) with (-1, 0) gives (50, 4), not (40, 5).
  EXPECT_EQ(expectShape(reshape({10, 5, 4}, {-1, 0}, false)),
            (Shape{40, 5}));
  EXPECT_EQ(expectShape(reshape({10, 5, 4}, {-1, 0}, true)), (Shape{50, 4}));
}

TEST(ShapeInference, ConcatSliceTransposeCropUpsample) {
  EXPECT_EQ(expectShape(concat({{2, 3, 4}, {2, 5, 4}}, 1)), (Shape{2, 8, 4}));
  EXPECT_EQ(expectShape(concat({{2, 3, 4}, {2, 3, 1}}, -1)),
            (Shape{2, 3, 5}));
  EXPECT_EQ(expectShape(slice({2, 10, 4}, {0, -7}, {2, 9}, {1, 2})),
            (Shape{2, 3, 4}));
  EXPECT_EQ(expectShape(slice({2, 10}, {-100}, {100}, {})), (Shape{2, 10}));
  EXPECT_EQ(expectShape(transpose({2, 3, 4}, {})), (Shape{4, 3, 2}));
  EXPECT_EQ(expectShape(transpose({2, 3, 4}, {1, 2, 0})), (Shape{3, 4, 2}));
  EXPECT_EQ(expectShape(crop({1, 3, 8, 8}, {2, 1}, {4, 5})),
            (Shape{1, 3, 4, 5}));
  EXPECT_EQ(expectShape(upsampling({1, 3, 4, 5}, 3)), (Shape{1, 3, 12, 15}));
}

} // namespace
