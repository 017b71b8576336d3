//===- QuantizeOptionsTest.cpp - One parser and wording for q-quantize ----===//
//
// QuantizeOptions (include/QDialect/Transforms/QuantizeOptions.h): every
// text the pass, the pipeline and the tools accept parses to its enum and
// prints back the same; every bad value gets the one wording
// "<option>=<value> is not valid; expected ...".
//
//===----------------------------------------------------------------------===//

#include "QDialect/Transforms/QuantizeOptions.h"

#include "gtest/gtest.h"

using namespace mlir::q;

namespace {

std::string message(llvm::Error error) {
  return llvm::toString(std::move(error));
}

TEST(QuantizeOptions, EnumsRoundTrip) {
  for (llvm::StringRef text : {"int8", "uint8", "auto"}) {
    auto dtype = parseQuantDType(text);
    ASSERT_TRUE(bool(dtype)) << text.str();
    EXPECT_EQ(optionValueName(*dtype), text);
  }
  for (llvm::StringRef text : {"smart", "full"}) {
    auto mode = parseQuantizeMode(text);
    ASSERT_TRUE(bool(mode));
    EXPECT_EQ(optionValueName(*mode), text);
  }
  for (llvm::StringRef text : {"channel", "tensor"}) {
    auto granularity = parseGranularity(text);
    ASSERT_TRUE(bool(granularity));
    EXPECT_EQ(optionValueName(*granularity), text);
  }
}

TEST(QuantizeOptions, OneWordingNamingTheOption) {
  EXPECT_EQ(message(parseQuantDType("int4", "--dtype").takeError()),
            "--dtype=int4 is not valid; expected int8, uint8 or auto");
  EXPECT_EQ(message(parseQuantizeMode("fast").takeError()),
            "mode=fast is not valid; expected smart or full");
  EXPECT_EQ(message(parseGranularity("row", "--granularity").takeError()),
            "--granularity=row is not valid; expected channel or tensor");
  EXPECT_EQ(message(checkWeightBits(9)),
            "weight-bits=9 is not valid; expected 2 to 8");
  EXPECT_EQ(message(checkOpKinds({"conv", "softmax"})),
            "exclude-ops=softmax is not valid; expected conv, fc, pooling, "
            "flatten, reshape, concat, act or add");
}

TEST(QuantizeOptions, Defaults) {
  QuantizeOptions options;
  EXPECT_EQ(options.dtype, QuantDType::auto_);
  EXPECT_EQ(options.mode, QuantizeMode::smart);
  EXPECT_EQ(options.granularity, WeightGranularity::channel);
  EXPECT_EQ(options.weightBits, 8);
  EXPECT_FALSE(llvm::errorToBool(checkQuantizeOptions(options)));
  for (int bits = 2; bits <= 8; ++bits)
    EXPECT_FALSE(llvm::errorToBool(checkWeightBits(bits)));
  EXPECT_TRUE(llvm::errorToBool(checkWeightBits(1)));
}

} // namespace
