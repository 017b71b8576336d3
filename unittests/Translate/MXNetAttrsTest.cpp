//===- MXNetAttrsTest.cpp - attribute string parsing/formatting tests -----===//

#include "QDialect/Translate/MXNetFormat.h"

#include "gtest/gtest.h"

#include <cmath>
#include <limits>

using namespace mxnet;

namespace {

template <typename T> T ok(llvm::Expected<T> v) {
  if (!v) {
    ADD_FAILURE() << llvm::toString(v.takeError());
    return T();
  }
  return std::move(*v);
}

template <typename T> std::string err(llvm::Expected<T> v) {
  if (v) {
    ADD_FAILURE() << "expected an error";
    return "";
  }
  return llvm::toString(v.takeError());
}

using Ints = std::vector<int64_t>;

} // namespace

TEST(MXNetAttrs, IntTuples) {
  EXPECT_EQ(ok(parseIntTuple("(3, 3)")), (Ints{3, 3}));
  EXPECT_EQ(ok(parseIntTuple("(1,1)")), (Ints{1, 1}));
  EXPECT_EQ(ok(parseIntTuple("[3,3]")), (Ints{3, 3}));
  EXPECT_EQ(ok(parseIntTuple("3")), (Ints{3}));
  EXPECT_EQ(ok(parseIntTuple("(5,)")), (Ints{5}));
  EXPECT_EQ(ok(parseIntTuple("()")), Ints{});
  EXPECT_EQ(ok(parseIntTuple("[]")), Ints{});
  EXPECT_EQ(ok(parseIntTuple(" ( -1 , 0, 4 ) ")), (Ints{-1, 0, 4}));
  EXPECT_EQ(ok(parseIntTuple("(3L, 3L)")), (Ints{3, 3}));
}

TEST(MXNetAttrs, BadTuples) {
  EXPECT_EQ(err(parseIntTuple("(3, x)")),
            "invalid integer tuple '(3, x)': 'x' is not an integer");
  EXPECT_EQ(err(parseIntTuple("(3, 3")), "invalid tuple '(3, 3': missing ')'");
  EXPECT_EQ(err(parseIntTuple("[3, 3)")),
            "invalid tuple '[3, 3)': missing ']'");
  EXPECT_EQ(err(parseIntTuple("(3,,3)")),
            "invalid tuple '(3,,3)': empty element");
  EXPECT_EQ(err(parseIntTuple("")), "invalid tuple '': empty string");
  EXPECT_EQ(err(parseIntTuple("(1.5, 2)")),
            "invalid integer tuple '(1.5, 2)': '1.5' is not an integer");
  EXPECT_EQ(err(parseIntTuple("3, 3")),
            "invalid integer tuple '3, 3': '3, 3' is not an integer");
}

TEST(MXNetAttrs, OptionalTuples) {
  auto v = ok(parseOptIntTuple("(None, 2)"));
  ASSERT_EQ(v.size(), 2u);
  EXPECT_FALSE(v[0]);
  EXPECT_EQ(v[1], 2);
  EXPECT_EQ(formatOptIntTuple(v), "(None, 2)");
  EXPECT_EQ(err(parseOptIntTuple("(none, 2)")),
            "invalid integer tuple '(none, 2)': 'none' is neither an integer "
            "nor None");
  EXPECT_EQ(ok(parseOptInt("None")), std::nullopt);
  EXPECT_EQ(ok(parseOptInt("-1")), std::optional<int64_t>(-1));
  EXPECT_EQ(ok(parseOptFloat("None")), std::nullopt);
  EXPECT_EQ(ok(parseOptFloat("6.0")), std::optional<double>(6.0));
}

TEST(MXNetAttrs, Ints) {
  EXPECT_EQ(ok(parseInt("64")), 64);
  EXPECT_EQ(ok(parseInt("-1")), -1);
  EXPECT_EQ(ok(parseInt(" 7 ")), 7);
  EXPECT_EQ(ok(parseInt("+7")), 7);
  EXPECT_EQ(ok(parseInt("9223372036854775807")),
            std::numeric_limits<int64_t>::max());
  EXPECT_EQ(err(parseInt("64.0")), "invalid integer '64.0'");
  EXPECT_EQ(err(parseInt("0x10")), "invalid integer '0x10'");
  EXPECT_EQ(err(parseInt("")), "invalid integer ''");
  EXPECT_EQ(err(parseInt("+-1")), "invalid integer '+-1'");
  EXPECT_EQ(err(parseInt("99999999999999999999")),
            "integer '99999999999999999999' is out of range");
}

TEST(MXNetAttrs, Floats) {
  EXPECT_EQ(ok(parseFloat("1e-05")), 1e-05);
  EXPECT_EQ(ok(parseFloat("0.000000")), 0.0);
  EXPECT_EQ(ok(parseFloat("3.562147")), 3.562147);
  EXPECT_EQ(ok(parseFloat("0.9")), 0.9);
  EXPECT_EQ(ok(parseFloat("-2")), -2.0);
  EXPECT_EQ(ok(parseFloat(".5")), 0.5);
  EXPECT_EQ(ok(parseFloat("1e-400")), 0.0); // underflow is harmless
  EXPECT_EQ(err(parseFloat("nan")), "non-finite number 'nan' is not allowed");
  EXPECT_EQ(err(parseFloat("-inf")), "non-finite number '-inf' is not allowed");
  EXPECT_EQ(err(parseFloat("NaN")), "non-finite number 'NaN' is not allowed");
  EXPECT_EQ(err(parseFloat("1e999")), "number '1e999' is out of range");
  EXPECT_EQ(err(parseFloat("0x1p3")), "invalid number '0x1p3'");
  EXPECT_EQ(err(parseFloat("1.0f")), "invalid number '1.0f'");
  EXPECT_EQ(err(parseFloat("")), "invalid number ''");
  EXPECT_TRUE(std::isnan(ok(parseFloat("nan", /*allowNonFinite=*/true))));
  EXPECT_EQ(ok(parseFloat("-Inf", true)),
            -std::numeric_limits<double>::infinity());
  EXPECT_EQ(ok(parseFloatTuple("(0.5, 1)")), (std::vector<double>{0.5, 1.0}));
  EXPECT_EQ(err(parseFloatTuple("(0.5, nan)")),
            "invalid float tuple '(0.5, nan)': non-finite number 'nan' is not "
            "allowed");
}

TEST(MXNetAttrs, Bools) {
  EXPECT_TRUE(ok(parseBool("True")));
  EXPECT_TRUE(ok(parseBool("true")));
  EXPECT_TRUE(ok(parseBool("TRUE")));
  EXPECT_TRUE(ok(parseBool("1")));
  EXPECT_FALSE(ok(parseBool("False")));
  EXPECT_FALSE(ok(parseBool("false")));
  EXPECT_FALSE(ok(parseBool("0")));
  EXPECT_EQ(err(parseBool("yes")),
            "invalid boolean 'yes' (expected True, False, 1 or 0)");
  EXPECT_EQ(err(parseBool("2")),
            "invalid boolean '2' (expected True, False, 1 or 0)");
}

TEST(MXNetAttrs, Formatting) {
  EXPECT_EQ(formatIntTuple({3, 3}), "(3, 3)");
  EXPECT_EQ(formatIntTuple({5}), "(5,)");
  EXPECT_EQ(formatIntTuple({}), "()");
  EXPECT_EQ(formatIntTuple({-1, 0}), "(-1, 0)");
  EXPECT_EQ(formatBool(true), "True");
  EXPECT_EQ(formatBool(false), "False");
  // std::to_string(float), as MXNet writes calibration ranges.
  EXPECT_EQ(formatFloatFixed(3.562147f), "3.562147");
  EXPECT_EQ(formatFloatFixed(0.0f), "0.000000");
  EXPECT_EQ(formatFloatFixed(1e-7f), "0.000000");
  EXPECT_EQ(formatFloatFixed(-12.5f), "-12.500000");
}

// Expected strings are Python 3's repr() of the same doubles.
TEST(MXNetAttrs, PythonRepr) {
  const std::pair<double, const char *> cases[] = {
      {1e-5, "1e-05"},
      {0.9, "0.9"},
      {1.0, "1.0"},
      {1e16, "1e+16"},
      {1e15, "1000000000000000.0"},
      {0.0001, "0.0001"},
      {123.456, "123.456"},
      {2e-05, "2e-05"},
      {1e-3, "0.001"},
      {0.1 + 0.2, "0.30000000000000004"},
      {1.5e300, "1.5e+300"},
      {-0.5, "-0.5"},
      {3.0, "3.0"},
      {100.0, "100.0"},
      {1e22, "1e+22"},
      {5e-324, "5e-324"},
      {0.0, "0.0"},
      {-0.0, "-0.0"},
  };
  for (auto [v, s] : cases)
    EXPECT_EQ(formatFloatRepr(v), s) << s;
  EXPECT_EQ(formatFloatRepr(std::numeric_limits<double>::infinity()), "inf");
  EXPECT_EQ(formatFloatRepr(-std::numeric_limits<double>::infinity()), "-inf");
  EXPECT_EQ(formatFloatRepr(std::nan("")), "nan");
  // float32 attrs print their shortest float spelling, not the double's.
  EXPECT_EQ(formatFloatRepr(double(1e-5f)), "9.999999747378752e-06");
  EXPECT_EQ(formatFloat32Repr(1e-5f), "1e-05");
  EXPECT_EQ(formatFloat32Repr(0.9f), "0.9");
  EXPECT_EQ(formatFloat32Repr(2e-5f), "2e-05");
  EXPECT_EQ(formatFloat32Repr(6.0f), "6.0");
  // Formatting then parsing is exact.
  for (double v : {1e-5, 0.1, 1.0 / 3, 6.02e23, -7.5e-8})
    EXPECT_EQ(ok(parseFloat(formatFloatRepr(v))), v);
}

TEST(MXNetAttrs, AttrErrorNamesNode) {
  Node n;
  n.op = "Convolution";
  n.name = "conv0";
  auto e = parseIntTuple("(3, x)");
  ASSERT_FALSE(bool(e));
  EXPECT_EQ(llvm::toString(attrError(e.takeError(), n, 4, "kernel")),
            "node 'conv0' (#4) attribute 'kernel': invalid integer tuple "
            "'(3, x)': 'x' is not an integer");
}
