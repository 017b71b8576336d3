//===- MXNetParamsTest.cpp - .params reader/writer tests ------------------===//

#include "QDialect/Translate/MXNetFormat.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

#include <cmath>
#include <cstring>
#include <string>

using namespace mxnet;
using ::testing::HasSubstr;

namespace {

std::string paramsPath(llvm::StringRef rel) {
  return (llvm::Twine(Q_SHARED_DIR) + "/models/" + rel).str();
}

// Builds .params bytes by hand, little-endian.
struct Bytes {
  std::vector<uint8_t> b;
  template <typename T> Bytes &put(T v) {
    uint8_t raw[sizeof(T)];
    std::memcpy(raw, &v, sizeof(T));
    b.insert(b.end(), raw, raw + sizeof(T));
    return *this;
  }
  Bytes &u32(uint32_t v) { return put(v); }
  Bytes &i32(int32_t v) { return put(v); }
  Bytes &u64(uint64_t v) { return put(v); }
  Bytes &i64(int64_t v) { return put(v); }
  Bytes &f32(float v) { return put(v); }
  Bytes &str(llvm::StringRef s) {
    u64(s.size());
    b.insert(b.end(), s.begin(), s.end());
    return *this;
  }
  Bytes &header(uint64_t n) { return u64(0x112).u64(0).u64(n); }
  // A dense V2 record header up to the dtype; data follows.
  Bytes &v2(std::initializer_list<int64_t> shape, int32_t dtype = 0,
            int32_t stype = 0) {
    u32(0xF993FAC9).i32(stype).i32(shape.size());
    for (int64_t d : shape)
      i64(d);
    return i32(1).i32(0).i32(dtype);
  }
};

std::string parseError(const Bytes &bytes) {
  auto p = parseParams(llvm::ArrayRef<uint8_t>(bytes.b), "bad.params");
  if (p) {
    ADD_FAILURE() << "expected an error";
    return "";
  }
  return llvm::toString(p.takeError());
}

ParamsFile parseOk(const Bytes &bytes) {
  auto p = parseParams(llvm::ArrayRef<uint8_t>(bytes.b), "ok.params");
  if (!p) {
    ADD_FAILURE() << llvm::toString(p.takeError());
    return ParamsFile();
  }
  return std::move(*p);
}

// One valid file exercising names, two arrays and f32 data (72 bytes + names).
Bytes smallFile() {
  Bytes b;
  b.header(2);
  b.v2({2}).f32(1.5f).f32(-2.0f);
  b.v2({1}, /*dtype=*/5).put<int8_t>(-7);
  b.u64(2).str("arg:w").str("aux:m");
  return b;
}

float firstFloat(const NDArray &a) {
  auto v = toFloat32(a);
  EXPECT_TRUE(bool(v));
  return v && !v->empty() ? (*v)[0] : NAN;
}

} // namespace

//===----------------------------------------------------------------------===//
// Real files
//===----------------------------------------------------------------------===//

struct Expect {
  const char *name;
  std::vector<int64_t> shape;
  float first;
};

TEST(MXNetParamsRealFiles, TwoLayerMLP) {
  auto p = readParamsFile(paramsPath("2-layer-mlp/2-layer-mlp-0000.params"));
  ASSERT_TRUE(bool(p)) << llvm::toString(p.takeError());
  std::vector<Expect> expect = {
      {"arg:fc1_bias", {2}, 0.0f},
      {"arg:fc2_weight", {2, 2}, 5.883198e-03f},
      {"arg:fc2_bias", {2}, 0.0f},
      {"arg:fc1_weight", {2, 150528}, 2.639229e-03f},
  };
  ASSERT_EQ(p->arrays.size(), expect.size());
  for (size_t i = 0; i < expect.size(); ++i) {
    const auto &[name, a] = p->arrays[i];
    EXPECT_EQ(name, expect[i].name);
    EXPECT_EQ(a.shape, expect[i].shape);
    EXPECT_EQ(a.dtype, DType::F32);
    EXPECT_EQ(a.format, RecordFormat::V2);
    EXPECT_FLOAT_EQ(firstFloat(a), expect[i].first);
  }
}

TEST(MXNetParamsRealFiles, LeNet) {
  auto p = readParamsFile(paramsPath("lenet/lenet-0001.params"));
  ASSERT_TRUE(bool(p)) << llvm::toString(p.takeError());
  std::vector<Expect> expect = {
      {"arg:hybridsequential0_conv0_weight", {5, 1, 5, 5}, 1.603483e-01f},
      {"arg:hybridsequential0_conv0_bias", {5}, 1.036243e-03f},
      {"arg:hybridsequential0_conv1_weight", {5, 5, 5, 5}, -2.781399e-02f},
      {"arg:hybridsequential0_conv1_bias", {5}, -2.002144e-02f},
      {"arg:hybridsequential0_dense0_weight", {32, 80}, -1.674358e-01f},
      {"arg:hybridsequential0_dense0_bias", {32}, -9.015316e-03f},
      {"arg:hybridsequential0_dense1_weight", {10, 32}, -2.365151e-01f},
      {"arg:hybridsequential0_dense1_bias", {10}, -5.922750e-03f},
  };
  ASSERT_EQ(p->arrays.size(), expect.size());
  for (size_t i = 0; i < expect.size(); ++i) {
    const auto &[name, a] = p->arrays[i];
    EXPECT_EQ(name, expect[i].name);
    EXPECT_EQ(a.shape, expect[i].shape);
    EXPECT_EQ(a.dtype, DType::F32);
    EXPECT_FLOAT_EQ(firstFloat(a), expect[i].first);
  }
  const NDArray *w = p->lookup("arg:hybridsequential0_dense0_weight");
  ASSERT_TRUE(w);
  EXPECT_EQ(w->numElements(), 32 * 80);
  EXPECT_FALSE(p->lookup("hybridsequential0_dense0_weight"));
}

TEST(MXNetParamsRealFiles, MnistTanhCNN) {
  auto p =
      readParamsFile(paramsPath("mnist-tanh-cnn/mnist-tanh-cnn-0035.params"));
  ASSERT_TRUE(bool(p)) << llvm::toString(p.takeError());
  std::vector<Expect> expect = {
      {"arg:hybridsequential9_conv0_weight", {10, 1, 5, 5}, 3.052339e-01f},
      {"arg:hybridsequential9_conv0_bias", {10}, -3.904977e-01f},
      {"arg:hybridsequential9_conv1_weight", {25, 10, 5, 5}, -1.128977e-03f},
      {"arg:hybridsequential9_conv1_bias", {25}, -1.314104e-01f},
      {"arg:hybridsequential9_dense0_weight", {20, 400}, -5.645465e-02f},
      {"arg:hybridsequential9_dense0_bias", {20}, 2.932578e-02f},
      {"arg:hybridsequential9_dense1_weight", {10, 20}, 5.808997e-01f},
      {"arg:hybridsequential9_dense1_bias", {10}, -8.520188e-01f},
  };
  ASSERT_EQ(p->arrays.size(), expect.size());
  for (size_t i = 0; i < expect.size(); ++i) {
    const auto &[name, a] = p->arrays[i];
    EXPECT_EQ(name, expect[i].name);
    EXPECT_EQ(a.shape, expect[i].shape);
    EXPECT_FLOAT_EQ(firstFloat(a), expect[i].first);
  }
}

// The real files are V2, dense, cpu: re-serializing gives the same bytes.
TEST(MXNetParamsRealFiles, RewriteIsByteIdentical) {
  for (const char *rel :
       {"2-layer-mlp/2-layer-mlp-0000.params", "lenet/lenet-0001.params",
        "mnist-tanh-cnn/mnist-tanh-cnn-0035.params"}) {
    SCOPED_TRACE(rel);
    auto buf = llvm::MemoryBuffer::getFile(paramsPath(rel));
    ASSERT_TRUE(bool(buf));
    llvm::StringRef bytes = (*buf)->getBuffer();
    auto p = parseParams(bytes, rel);
    ASSERT_TRUE(bool(p)) << llvm::toString(p.takeError());
    std::vector<uint8_t> out = writeParams(*p);
    EXPECT_TRUE(out ==
                std::vector<uint8_t>(bytes.bytes_begin(), bytes.bytes_end()));
  }
}

TEST(MXNetParamsRealFiles, WriteFileAtomically) {
  auto p = readParamsFile(paramsPath("lenet/lenet-0001.params"));
  ASSERT_TRUE(bool(p)) << llvm::toString(p.takeError());
  llvm::SmallString<128> path;
  ASSERT_FALSE(llvm::sys::fs::createTemporaryFile("q-params", "params", path));
  ASSERT_FALSE(llvm::errorToBool(writeParamsFile(*p, path)));
  auto back = readParamsFile(path);
  ASSERT_TRUE(bool(back)) << llvm::toString(back.takeError());
  ASSERT_EQ(back->arrays.size(), p->arrays.size());
  for (size_t i = 0; i < p->arrays.size(); ++i) {
    EXPECT_EQ(back->arrays[i].first, p->arrays[i].first);
    EXPECT_EQ(back->arrays[i].second.data, p->arrays[i].second.data);
  }
  // An inconsistent array is refused and the old file stays intact.
  ParamsFile bad;
  bad.arrays.push_back({"arg:x", makeF32({2, 2}, {1, 2, 3})});
  std::string err = llvm::toString(writeParamsFile(bad, path));
  EXPECT_EQ(err, (path + ": array 'arg:x': shape (2, 2) of float32 needs 16 "
                         "bytes, data has 12")
                     .str());
  auto still = readParamsFile(path);
  EXPECT_TRUE(bool(still));
  if (!still)
    llvm::consumeError(still.takeError());
  llvm::sys::fs::remove(path);

  auto missing = readParamsFile("/nonexistent/x.params");
  ASSERT_FALSE(bool(missing));
  EXPECT_THAT(llvm::toString(missing.takeError()),
              HasSubstr("/nonexistent/x.params: cannot read"));
}

//===----------------------------------------------------------------------===//
// Layouts and round trips
//===----------------------------------------------------------------------===//

TEST(MXNetParams, RoundTripAllDTypes) {
  ParamsFile f;
  uint32_t seed = 1;
  for (DType t : {DType::F32, DType::F64, DType::F16, DType::U8, DType::I32,
                  DType::I8, DType::I64, DType::Bool}) {
    NDArray a;
    a.dtype = t;
    a.shape = {2, 3, 1};
    a.data.resize(6 * dtypeSize(t));
    for (uint8_t &byte : a.data) {
      seed = seed * 1664525u + 1013904223u;
      byte = t == DType::Bool ? (seed >> 31) : (seed >> 24);
    }
    f.arrays.push_back({("arg:" + dtypeName(t)).str(), a});
  }
  // A 0-d scalar (written as V3), a none array and an empty (0, 4) array.
  f.arrays.push_back({"aux:scalar", makeF32({}, {3.25f})});
  NDArray none;
  none.isNone = true;
  f.arrays.push_back({"aux:none", none});
  f.arrays.push_back({"aux:empty", makeF32({0, 4}, {})});

  std::vector<uint8_t> bytes = writeParams(f);
  auto back = parseParams(llvm::ArrayRef<uint8_t>(bytes), "rt.params");
  ASSERT_TRUE(bool(back)) << llvm::toString(back.takeError());
  ASSERT_EQ(back->arrays.size(), f.arrays.size());
  for (size_t i = 0; i < f.arrays.size(); ++i) {
    SCOPED_TRACE(f.arrays[i].first);
    const NDArray &a = f.arrays[i].second, &b = back->arrays[i].second;
    EXPECT_EQ(back->arrays[i].first, f.arrays[i].first);
    EXPECT_EQ(b.isNone, a.isNone);
    EXPECT_EQ(b.shape, a.shape);
    if (!a.isNone) {
      EXPECT_EQ(b.dtype, a.dtype);
    }
    EXPECT_EQ(b.data, a.data);
  }
  EXPECT_EQ(back->arrays[8].second.format, RecordFormat::V3);
  EXPECT_EQ(back->arrays[8].second.numElements(), 1);
  EXPECT_EQ(writeParams(*back), bytes);
}

TEST(MXNetParams, UnnamedList) {
  ParamsFile f;
  f.arrays.push_back({"", makeF32({1}, {1.0f})});
  std::vector<uint8_t> bytes = writeParams(f);
  // Ends with n_names = 0.
  ASSERT_GE(bytes.size(), 8u);
  EXPECT_TRUE(std::all_of(bytes.end() - 8, bytes.end(),
                          [](uint8_t b) { return b == 0; }));
  auto back = parseParams(llvm::ArrayRef<uint8_t>(bytes), "u.params");
  ASSERT_TRUE(bool(back)) << llvm::toString(back.takeError());
  EXPECT_EQ(back->arrays[0].first, "");
}

TEST(MXNetParams, LegacyLayouts) {
  Bytes b;
  b.header(5);
  // Pre-1.0: u32 ndim, u32 dims, ctx, dtype, data.
  b.u32(2).u32(1).u32(2).i32(1).i32(0).i32(0).f32(4.0f).f32(5.0f);
  // V1: magic, i64 dims, no storage type.
  b.u32(0xF993FAC8).u32(1).i64(1).i32(2).i32(0).i32(3).put<uint8_t>(200);
  // V3 none (ndim -1) and V2 none as MXNet 1.6+ writes it (stype -1, -1).
  b.u32(0xF993FACA).i32(0).i32(-1);
  b.u32(0xF993FAC9).i32(-1).i32(-1);
  // Pre-1.0 none: ndim 0.
  b.u32(0);
  b.u64(0);
  ParamsFile p = parseOk(b);
  ASSERT_EQ(p.arrays.size(), 5u);
  EXPECT_EQ(p.arrays[0].second.format, RecordFormat::Legacy);
  EXPECT_EQ(p.arrays[0].second.shape, (std::vector<int64_t>{1, 2}));
  auto v = toFloat32(p.arrays[0].second);
  ASSERT_TRUE(bool(v));
  EXPECT_EQ(*v, (std::vector<float>{4.0f, 5.0f}));
  EXPECT_EQ(p.arrays[1].second.format, RecordFormat::V1);
  EXPECT_EQ(p.arrays[1].second.dtype, DType::U8);
  EXPECT_EQ(p.arrays[1].second.data, std::vector<uint8_t>{200});
  for (int i = 2; i < 5; ++i)
    EXPECT_TRUE(p.arrays[i].second.isNone) << i;
  EXPECT_EQ(p.arrays[2].second.format, RecordFormat::V3);
  EXPECT_EQ(p.arrays[4].second.format, RecordFormat::Legacy);
}

TEST(MXNetParams, SplitParamName) {
  EXPECT_EQ(
      splitParamName("arg:conv0_weight"),
      std::make_pair(llvm::StringRef("arg"), llvm::StringRef("conv0_weight")));
  EXPECT_EQ(splitParamName("aux:bn0_moving_var").first, "aux");
  EXPECT_EQ(splitParamName("aux:bn0_moving_var").second, "bn0_moving_var");
  EXPECT_EQ(splitParamName("conv0_weight").first, "");
  EXPECT_EQ(splitParamName("conv0_weight").second, "conv0_weight");
  // Only arg/aux prefixes are split; the first ':' only.
  EXPECT_EQ(splitParamName("foo:bar").second, "foo:bar");
  EXPECT_EQ(splitParamName("arg:a:b").second, "a:b");
  // Python's "arg:".split(':', 1) gives an empty name too.
  EXPECT_EQ(splitParamName("arg:").first, "arg");
  EXPECT_EQ(splitParamName("arg:").second, "");
}

TEST(MXNetParams, HalfConversions) {
  EXPECT_EQ(halfToFloat(0x3c00), 1.0f);
  EXPECT_EQ(halfToFloat(0xc000), -2.0f);
  EXPECT_EQ(halfToFloat(0x7bff), 65504.0f);
  EXPECT_EQ(halfToFloat(0x0001), std::ldexp(1.0f, -24));
  EXPECT_EQ(halfToFloat(0x0400), std::ldexp(1.0f, -14));
  EXPECT_TRUE(std::isinf(halfToFloat(0x7c00)));
  EXPECT_TRUE(std::isnan(halfToFloat(0x7e00)));
  EXPECT_TRUE(std::signbit(halfToFloat(0x8000)));
  // Every non-NaN half survives half -> float -> half.
  for (uint32_t h = 0; h < 0x10000; ++h) {
    float f = halfToFloat(h);
    if (std::isnan(f))
      EXPECT_TRUE(std::isnan(halfToFloat(floatToHalf(f)))) << h;
    else
      EXPECT_EQ(floatToHalf(f), h) << h;
  }
  // Round to nearest even, overflow to inf, underflow to zero.
  EXPECT_EQ(floatToHalf(1.0f + std::ldexp(1.0f, -11)), 0x3c00); // tie, even
  EXPECT_EQ(floatToHalf(1.0f + 3 * std::ldexp(1.0f, -11)), 0x3c02);
  EXPECT_EQ(floatToHalf(65519.0f), 0x7bff);
  EXPECT_EQ(floatToHalf(65520.0f), 0x7c00);
  EXPECT_EQ(floatToHalf(1e10f), 0x7c00);
  EXPECT_EQ(floatToHalf(-1e10f), 0xfc00);
  EXPECT_EQ(floatToHalf(std::ldexp(1.0f, -26)), 0x0000);
  EXPECT_EQ(floatToHalf(3 * std::ldexp(1.0f, -26)), 0x0001);
}

TEST(MXNetParams, ToFloat32) {
  NDArray d;
  d.dtype = DType::F64;
  d.shape = {2};
  double dv[2] = {0.5, -1e300};
  d.data.assign(reinterpret_cast<uint8_t *>(dv),
                reinterpret_cast<uint8_t *>(dv) + sizeof(dv));
  auto v = toFloat32(d);
  ASSERT_TRUE(bool(v));
  EXPECT_EQ((*v)[0], 0.5f);
  EXPECT_TRUE(std::isinf((*v)[1]));

  NDArray h;
  h.dtype = DType::F16;
  h.shape = {2};
  h.data = {0x00, 0x3c, 0x00, 0xc0};
  v = toFloat32(h);
  ASSERT_TRUE(bool(v));
  EXPECT_EQ(*v, (std::vector<float>{1.0f, -2.0f}));

  NDArray i8;
  i8.dtype = DType::I8;
  i8.shape = {3};
  i8.data = {0x80, 0x7f, 0xff};
  v = toFloat32(i8);
  ASSERT_TRUE(bool(v));
  EXPECT_EQ(*v, (std::vector<float>{-128.0f, 127.0f, -1.0f}));

  NDArray i64;
  i64.dtype = DType::I64;
  i64.shape = {1};
  int64_t big = -5;
  i64.data.assign(reinterpret_cast<uint8_t *>(&big),
                  reinterpret_cast<uint8_t *>(&big) + 8);
  v = toFloat32(i64);
  ASSERT_TRUE(bool(v));
  EXPECT_EQ((*v)[0], -5.0f);

  NDArray b;
  b.dtype = DType::Bool;
  b.shape = {2};
  b.data = {0, 1};
  v = toFloat32(b);
  ASSERT_TRUE(bool(v));
  EXPECT_EQ(*v, (std::vector<float>{0.0f, 1.0f}));

  NDArray none;
  none.isNone = true;
  auto e = toFloat32(none);
  ASSERT_FALSE(bool(e));
  EXPECT_EQ(llvm::toString(e.takeError()),
            "cannot convert a none array to float32");
  auto bad = toFloat32(makeF32({3}, {1, 2}));
  ASSERT_FALSE(bool(bad));
  EXPECT_EQ(llvm::toString(bad.takeError()),
            "array: shape (3,) of float32 needs 12 bytes, data has 8");
}

//===----------------------------------------------------------------------===//
// Malformed files: every error names the file and a byte offset.
//===----------------------------------------------------------------------===//

TEST(MXNetParamsErrors, EmptyFile) {
  EXPECT_EQ(parseError(Bytes()),
            "bad.params: truncated at byte 0 while reading the file header "
            "(need 8 bytes, 0 left)");
}

TEST(MXNetParamsErrors, BadListMagic) {
  Bytes b;
  b.u64(0x113).u64(0).u64(0).u64(0);
  EXPECT_EQ(parseError(b), "bad.params: bad magic 0x113 at byte 0, expected "
                           "0x112 (not an MXNet NDArray list)");
  Bytes text;
  text.u64(0x2020207b0a7b); // looks like a JSON file
  EXPECT_THAT(parseError(text),
              HasSubstr("bad magic 0x2020207B0A7B at byte 0"));
}

TEST(MXNetParamsErrors, BadRecordMagic) {
  Bytes b;
  b.header(1).u32(0xDEADBEEF).i32(0);
  EXPECT_EQ(parseError(b),
            "bad.params: array #0: bad record magic 0xDEADBEEF at byte 24 "
            "(expected 0xF993FAC8, 0xF993FAC9 or 0xF993FACA, or a pre-1.0 "
            "dimension count of at most 32)");
  // A magic off by one from V1 is not mistaken for a layout.
  Bytes c;
  c.header(1).u32(0xF993FAC7);
  EXPECT_THAT(parseError(c),
              HasSubstr("bad record magic 0xF993FAC7 at byte 24"));
}

TEST(MXNetParamsErrors, TruncatedEverywhere) {
  Bytes full = smallFile();
  ASSERT_EQ(parseOk(full).arrays.size(), 2u);
  // Every proper prefix fails cleanly, naming an offset.
  for (size_t n = 0; n < full.b.size(); ++n) {
    Bytes cut;
    cut.b.assign(full.b.begin(), full.b.begin() + n);
    std::string err = parseError(cut);
    EXPECT_THAT(err, HasSubstr("bad.params: ")) << n;
    EXPECT_THAT(err, HasSubstr("at byte ")) << n;
  }
  auto cutAt = [&](size_t n) {
    Bytes cut;
    cut.b.assign(full.b.begin(), full.b.begin() + n);
    return parseError(cut);
  };
  EXPECT_EQ(cutAt(20), "bad.params: truncated at byte 16 while reading the "
                       "array count (need 8 bytes, 4 left)");
  // The array count is checked against the bytes left (4 per record at least).
  EXPECT_EQ(cutAt(30), "bad.params: array count 2 at byte 16 cannot fit in "
                       "the remaining 6 bytes");
  Bytes one;
  one.header(1).u32(0xF993FAC9).put<uint16_t>(0);
  EXPECT_EQ(parseError(one), "bad.params: truncated at byte 28 while reading "
                             "the storage type of array #0 (need 4 bytes, 2 "
                             "left)");
  EXPECT_EQ(cutAt(40), "bad.params: truncated at byte 36 while reading the "
                       "1 dimensions of array #0 (need 8 bytes, 4 left)");
  EXPECT_EQ(cutAt(60), "bad.params: array #0: shape (2,) of float32 needs 8 "
                       "bytes of data at byte 56, but only 4 bytes remain "
                       "(truncated or corrupt)");
  // The array count itself is checked against the file size.
  EXPECT_EQ(cutAt(64), "bad.params: truncated at byte 64 while reading the "
                       "record header of array #1 (need 4 bytes, 0 left)");
  size_t namesAt = full.b.size() - 2 * (8 + 5) - 8;
  EXPECT_EQ(cutAt(namesAt), "bad.params: truncated at byte " +
                                std::to_string(namesAt) +
                                " while reading the name count (need 8 "
                                "bytes, 0 left)");
  EXPECT_EQ(cutAt(full.b.size() - 2),
            "bad.params: length 5 of name #1 at byte " +
                std::to_string(full.b.size() - 13) +
                " exceeds the remaining 3 bytes (truncated or corrupt)");
}

TEST(MXNetParamsErrors, AbsurdArrayCount) {
  Bytes b;
  b.header(uint64_t(1) << 60).u64(0);
  EXPECT_EQ(parseError(b), "bad.params: array count 1152921504606846976 at "
                           "byte 16 cannot fit in the remaining 8 bytes");
}

TEST(MXNetParamsErrors, AbsurdNdim) {
  Bytes b;
  b.header(1).u32(0xF993FAC9).i32(0).i32(33);
  EXPECT_EQ(parseError(b), "bad.params: array #0: absurd number of dimensions "
                           "33 at byte 32 (at most 32)");
  Bytes neg;
  neg.header(1).u32(0xF993FACA).i32(0).i32(-7);
  EXPECT_THAT(parseError(neg),
              HasSubstr("absurd number of dimensions -7 at byte 32"));
  Bytes v1;
  v1.header(1).u32(0xF993FAC8).u32(0xFFFFFFFF);
  EXPECT_THAT(parseError(v1),
              HasSubstr("absurd number of dimensions 4294967295 at byte 28"));
}

TEST(MXNetParamsErrors, NegativeDim) {
  Bytes b;
  b.header(1).u32(0xF993FAC9).i32(0).i32(2).i64(3).i64(-3);
  EXPECT_EQ(parseError(b), "bad.params: negative dimension -3 at byte 44 in "
                           "the shape of array #0");
}

TEST(MXNetParamsErrors, HugeDims) {
  // The product overflows 64 bits: refused before any allocation.
  Bytes b;
  b.header(1).v2({int64_t(1) << 40, int64_t(1) << 40, 16}).f32(0);
  EXPECT_EQ(parseError(b), "bad.params: array #0: shape (1099511627776, "
                           "1099511627776, 16) of float32 needs more than "
                           "2^64 bytes of data at byte 72, but only 4 bytes "
                           "remain (truncated or corrupt)");
  // Large but representable: still more than the file holds.
  Bytes c;
  c.header(1).v2({int64_t(1) << 40}, /*dtype=*/1).u64(0);
  EXPECT_EQ(parseError(c), "bad.params: array #0: shape (1099511627776,) of "
                           "float64 needs 8796093022208 bytes of data at byte "
                           "56, but only 8 bytes remain (truncated or "
                           "corrupt)");
}

TEST(MXNetParamsErrors, SparseStorage) {
  Bytes rsp;
  rsp.header(1).u32(0xF993FAC9).i32(1).i32(1).i64(4);
  EXPECT_EQ(parseError(rsp), "bad.params: array #0: sparse storage "
                             "(row_sparse) is not supported (storage type 1 "
                             "at byte 28)");
  Bytes csr;
  csr.header(2).v2({1}).f32(0).u32(0xF993FAC9).i32(2);
  EXPECT_EQ(parseError(csr), "bad.params: array #1: sparse storage (csr) is "
                             "not supported (storage type 2 at byte 64)");
  Bytes odd;
  odd.header(1).u32(0xF993FAC9).i32(9);
  EXPECT_EQ(parseError(odd),
            "bad.params: array #0: unknown storage type 9 at byte 28");
}

TEST(MXNetParamsErrors, UnsupportedDType) {
  Bytes bf16;
  bf16.header(1).v2({2}, /*dtype=*/12).u32(0);
  EXPECT_EQ(parseError(bf16),
            "bad.params: array #0: unsupported dtype code 12 (bfloat16) at "
            "byte 52 (supported: float32, float64, float16, uint8, int8, "
            "int32, int64, bool)");
  Bytes unknown;
  unknown.header(1).v2({2}, /*dtype=*/99).u32(0);
  EXPECT_EQ(parseError(unknown),
            "bad.params: array #0: unknown dtype code 99 at byte 52");
}

TEST(MXNetParamsErrors, BadDeviceType) {
  Bytes b;
  b.header(1).u32(0xF993FAC9).i32(0).i32(1).i64(1).i32(77).i32(0).i32(0);
  EXPECT_EQ(parseError(b), "bad.params: array #0: bad device type 77 at byte "
                           "44 (expected 1, 2, 3 or 5)");
}

TEST(MXNetParamsErrors, NameCountMismatch) {
  Bytes b;
  b.header(1).v2({1}).f32(1).u64(2).str("a").str("b");
  EXPECT_EQ(parseError(b), "bad.params: name count 2 at byte 60 must be 0 or "
                           "the array count 1");
}

TEST(MXNetParamsErrors, AbsurdNameLength) {
  Bytes b;
  b.header(1).v2({1}).f32(1).u64(1).u64(uint64_t(1) << 62);
  EXPECT_EQ(parseError(b), "bad.params: length 4611686018427387904 of name #0 "
                           "at byte 68 exceeds the remaining 0 bytes "
                           "(truncated or corrupt)");
}

TEST(MXNetParamsErrors, TrailingBytes) {
  Bytes b = smallFile();
  b.u32(0);
  EXPECT_EQ(parseError(b),
            "bad.params: 4 unexpected bytes after the name list at byte " +
                std::to_string(b.b.size() - 4));
}

// Random corruption of a valid file never crashes and always reports.
TEST(MXNetParamsErrors, FuzzedBytes) {
  Bytes full = smallFile();
  uint32_t seed = 7;
  for (int iter = 0; iter < 2000; ++iter) {
    Bytes b = full;
    for (int k = 0; k < 3; ++k) {
      seed = seed * 1664525u + 1013904223u;
      b.b[(seed >> 8) % b.b.size()] ^= uint8_t(seed >> 24) | 1;
    }
    auto p = parseParams(llvm::ArrayRef<uint8_t>(b.b), "fuzz.params");
    if (!p) {
      EXPECT_THAT(llvm::toString(p.takeError()), HasSubstr("fuzz.params: "));
    }
  }
}
