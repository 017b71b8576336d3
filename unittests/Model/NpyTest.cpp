//===- NpyTest.cpp - The .npy reader and writer ---------------------------===//

#include "ModelTestUtils.h"

#include "q/npy.h"

using namespace qtest;

namespace {

std::vector<unsigned char> bytesOf(const std::string &text) {
  return std::vector<unsigned char>(text.begin(), text.end());
}

/// A .npy image with the given header dict (padded NumPy-style) and data.
std::vector<unsigned char> npyImage(const std::string &dict, size_t dataBytes,
                                    int major = 1) {
  std::string header = dict;
  const size_t prefix = major == 1 ? 10 : 12;
  header.append(63 - (prefix + header.size()) % 64, ' ');
  header += '\n';
  std::string image = std::string("\x93NUMPY", 6);
  image += char(major);
  image += char(0);
  for (size_t i = 0; i < prefix - 8; ++i)
    image += char((header.size() >> (8 * i)) & 0xff);
  image += header;
  image.append(dataBytes, '\x01');
  return bytesOf(image);
}

std::string parseError(const std::vector<unsigned char> &bytes) {
  npy::Array array;
  std::string error;
  EXPECT_FALSE(npy::parse(bytes.data(), bytes.size(), array, &error, "x.npy"));
  return error;
}

} // namespace

TEST(Npy, RoundTripsEveryDtype) {
  TempDir dir;
  const npy::DType dtypes[] = {npy::DType::F32, npy::DType::F64,
                               npy::DType::U8,  npy::DType::S8,
                               npy::DType::S32, npy::DType::S64};
  const std::vector<int64_t> shapes[] = {{}, {5}, {2, 3}, {2, 1, 3, 4}, {0, 3}};
  for (npy::DType dtype : dtypes)
    for (const auto &shape : shapes) {
      SCOPED_TRACE(std::string(npy::name(dtype)) + " " +
                   npy::shapeString(shape));
      npy::Array array = npy::makeArray(dtype, shape);
      for (size_t i = 0; i < array.data.size(); ++i)
        array.data[i] = static_cast<unsigned char>(i * 37 + 11);
      const std::string path = dir.path("a.npy");
      std::string error;
      ASSERT_TRUE(npy::write(path, array, &error)) << error;
      npy::Array back;
      ASSERT_TRUE(npy::read(path, back, &error)) << error;
      EXPECT_EQ(back.dtype, dtype);
      EXPECT_EQ(back.shape, shape);
      EXPECT_EQ(back.data, array.data);
    }
  // Nothing left besides the file itself (no temporaries).
  EXPECT_EQ(dir.files(), std::vector<std::string>{"a.npy"});
}

TEST(Npy, WritesNumPysLayout) {
  npy::Array array = npy::makeArray(npy::DType::F32, {3});
  array.as<float>()[1] = 1.5f;
  std::vector<unsigned char> bytes;
  std::string error;
  ASSERT_TRUE(npy::serialize(array, bytes, &error)) << error;
  // What numpy.save writes for np.array([0, 1.5, 0], dtype=np.float32).
  const std::vector<unsigned char> expected =
      npyImage("{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }", 0);
  ASSERT_EQ(bytes.size(), expected.size() + 12);
  EXPECT_TRUE(std::equal(expected.begin(), expected.end(), bytes.begin()));
  EXPECT_EQ((bytes.size() - 12) % 64, 0u);
  float values[3];
  std::memcpy(values, bytes.data() + expected.size(), 12);
  EXPECT_EQ(values[1], 1.5f);
}

TEST(Npy, ReadsVersions2And3AndHeaderVariants) {
  for (int major : {2, 3}) {
    const auto bytes = npyImage(
        "{'descr': '<i8', 'fortran_order': False, 'shape': (2,), }", 16, major);
    npy::Array array;
    std::string error;
    ASSERT_TRUE(npy::parse(bytes.data(), bytes.size(), array, &error)) << error;
    EXPECT_EQ(array.dtype, npy::DType::S64);
    EXPECT_EQ(array.shape, (std::vector<int64_t>{2}));
  }
  // Double quotes, other key order, no trailing comma, Python 2 longs,
  // '=' and '|' byte orders.
  const auto bytes = npyImage("{\"shape\": (3L, 2L), \"fortran_order\": False, "
                              "\"descr\": \"=f4\"}",
                              24);
  npy::Array array;
  std::string error;
  ASSERT_TRUE(npy::parse(bytes.data(), bytes.size(), array, &error)) << error;
  EXPECT_EQ(array.shape, (std::vector<int64_t>{3, 2}));
  const auto u8 =
      npyImage("{'descr': '<u1', 'fortran_order': False, 'shape': (4,)}", 4);
  ASSERT_TRUE(npy::parse(u8.data(), u8.size(), array, &error)) << error;
  EXPECT_EQ(array.dtype, npy::DType::U8);
}

TEST(Npy, Errors) {
  EXPECT_EQ(parseError(bytesOf("PK\x03\x04 not numpy")),
            "x.npy: not a .npy file (bad magic; expected \\x93NUMPY)");
  EXPECT_EQ(parseError(bytesOf(std::string("\x93NUMPY\x04\x00", 8))),
            "x.npy: unsupported .npy version 4.0 (supported: 1.0, 2.0, 3.0)");
  EXPECT_EQ(parseError(bytesOf(std::string("\x93NUMPY\x01\x00\x7f", 9))),
            "x.npy: truncated: the file ends inside the preamble (9 bytes)");
  std::vector<unsigned char> cut =
      npyImage("{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }", 12);
  cut.resize(40);
  EXPECT_EQ(parseError(cut), "x.npy: truncated: the header needs 118 bytes "
                             "after byte 10, the file has 40 bytes");

  EXPECT_EQ(
      parseError(npyImage(
          "{'descr': '<f4', 'fortran_order': True, 'shape': (2, 2), }", 16)),
      "x.npy: fortran_order is True: column-major data is not "
      "supported (save np.ascontiguousarray(x) instead)");
  EXPECT_EQ(
      parseError(npyImage(
          "{'descr': '<f2', 'fortran_order': False, 'shape': (2,), }", 4)),
      "x.npy: unsupported dtype '<f2' (supported: <f4, <f8, |u1, |i1, "
      "<i4, <i8)");
  EXPECT_EQ(
      parseError(npyImage(
          "{'descr': '>f4', 'fortran_order': False, 'shape': (2,), }", 8)),
      "x.npy: big-endian dtype '>f4' is not supported (save "
      "x.astype('<f4') instead)");
  EXPECT_NE(parseError(npyImage("{'descr': [('a', '<f4')], 'fortran_order': "
                                "False, 'shape': (2,), }",
                                8))
                .find("structured dtypes are not supported"),
            std::string::npos);
  EXPECT_NE(parseError(npyImage("{'descr': '<f4', 'shape': (2,), }", 8))
                .find("missing key 'fortran_order'"),
            std::string::npos);
  EXPECT_NE(parseError(npyImage("{'descr': '<f4', 'fortran_order': False, "
                                "'shape': (2, -1), }",
                                8))
                .find("expected a non-negative dim"),
            std::string::npos);
  EXPECT_NE(parseError(npyImage("{'descr': '<f4', 'fortran_order': False, "
                                "'shape': (2,), 'extra': 1}",
                                8))
                .find("unexpected key 'extra'"),
            std::string::npos);
  EXPECT_EQ(parseError(npyImage("{'descr': '<f4' 'fortran_order': False}", 8)),
            "x.npy: bad header: expected ',' or '}' at column 16 of "
            "\"{'descr': '<f4' 'fortran_order': False}\"");

  EXPECT_EQ(
      parseError(npyImage(
          "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }", 20)),
      "x.npy: data size mismatch: shape (2, 3) of float32 needs 24 "
      "bytes, the file has 20 after the header (truncated)");
  EXPECT_EQ(
      parseError(npyImage(
          "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }", 12)),
      "x.npy: data size mismatch: shape (2,) of float32 needs 8 bytes, "
      "the file has 12 after the header");
}

TEST(Npy, EveryTruncationFails) {
  const auto bytes = npyImage(
      "{'descr': '<i4', 'fortran_order': False, 'shape': (2, 2), }", 16);
  for (size_t size = 0; size < bytes.size(); ++size) {
    npy::Array array;
    std::string error;
    EXPECT_FALSE(npy::parse(bytes.data(), size, array, &error))
        << "size " << size;
    EXPECT_FALSE(error.empty());
  }
}

TEST(Npy, FileErrorsNameTheFile) {
  TempDir dir;
  npy::Array array;
  std::string error;
  const std::string missing = dir.path("missing.npy");
  EXPECT_FALSE(npy::read(missing, array, &error));
  EXPECT_EQ(error, missing + ": cannot open: No such file or directory");

  const std::string bad = dir.path("bad.npy");
  writeFile(bad, bytesOf("\x93NUMPY"));
  EXPECT_FALSE(npy::read(bad, array, &error));
  EXPECT_EQ(error, bad + ": not a .npy file (bad magic; expected \\x93NUMPY)");

  const std::string nowhere = dir.path("no/such/dir/out.npy");
  EXPECT_FALSE(
      npy::write(nowhere, npy::makeArray(npy::DType::U8, {2}), &error));
  EXPECT_EQ(error.find(nowhere + ": cannot create "), 0u) << error;

  npy::Array inconsistent = npy::makeArray(npy::DType::F32, {4});
  inconsistent.data.resize(3);
  const std::string out = dir.path("out.npy");
  EXPECT_FALSE(npy::write(out, inconsistent, &error));
  EXPECT_EQ(error, out + ": the array holds 3 bytes, shape (4,) of float32 "
                         "needs 16");
  EXPECT_EQ(dir.files(), std::vector<std::string>{"bad.npy"});
}
