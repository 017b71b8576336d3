//===- MXNetFuzzRegressionTest.cpp - inputs the fuzzers found -------------===//
//
// Each file in fuzz/crashes/ once broke a parser invariant; they must now
// either be rejected with a message or survive a write/read round trip.
//
//===----------------------------------------------------------------------===//

#include "QDialect/Translate/MXNetFormat.h"

#include "gtest/gtest.h"

namespace {

std::string crash(const char *name) {
  return std::string(Q_SOURCE_DIR) + "/fuzz/crashes/" + name;
}

TEST(FuzzRegression, MultiOutputWithoutRowPtrRoundTrips) {
  auto graph = mxnet::readSymbolFile(crash("symbol-multi-output-no-row-ptr.json"));
  ASSERT_TRUE(bool(graph)) << llvm::toString(graph.takeError());
  auto again = mxnet::parseSymbolJSON(mxnet::writeSymbolJSON(*graph), "again");
  ASSERT_TRUE(bool(again)) << llvm::toString(again.takeError());
}

TEST(FuzzRegression, NonFiniteGraphAttributeIsRejected) {
  auto graph = mxnet::readSymbolFile(crash("symbol-nonfinite-graph-attr.json"));
  ASSERT_FALSE(bool(graph));
  EXPECT_NE(llvm::toString(graph.takeError()).find("holds a non-finite number"),
            std::string::npos);
}

TEST(FuzzRegression, NanWithPayloadIsNotAFiniteFloat) {
  auto value = mxnet::parseFloat("NaN()");
  ASSERT_FALSE(bool(value));
  EXPECT_NE(llvm::toString(value.takeError()).find("non-finite"),
            std::string::npos);
  auto payload = mxnet::parseFloat("nan(123)");
  EXPECT_FALSE(bool(payload));
  if (!payload)
    llvm::consumeError(payload.takeError());
}

TEST(FuzzRegression, ElementCountOverflowIsRejected) {
  auto params = mxnet::readParamsFile(crash("params-numelements-overflow.params"));
  ASSERT_FALSE(bool(params));
  EXPECT_NE(llvm::toString(params.takeError()).find("more than 2^64"),
            std::string::npos);
}

} // namespace
