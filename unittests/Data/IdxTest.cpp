//===- IdxTest.cpp - MNIST-style IDX files --------------------------------===//

#include "q/idx.h"

#include "gtest/gtest.h"

#include <cstdio>
#include <fstream>

namespace {

std::string writeFile(const std::string &name, const std::vector<uint8_t> &b) {
  std::string path = ::testing::TempDir() + name;
  std::ofstream(path, std::ios::binary)
      .write(reinterpret_cast<const char *>(b.data()), b.size());
  return path;
}

TEST(Idx, ReadsFashionMNISTWhenInstalled) {
  q::data::IdxArray images, labels;
  std::string error;
  const std::string dir = "/usr/share/datasets/fashion-mnist/";
  if (!std::ifstream(dir + "t10k-images-idx3-ubyte.gz"))
    GTEST_SKIP() << "dataset-fashion-mnist is not installed";
  ASSERT_TRUE(q::data::readIdx(dir + "t10k-images-idx3-ubyte.gz", images,
                               error))
      << error;
  EXPECT_EQ(images.shape, (std::vector<int64_t>{10000, 28, 28}));
  ASSERT_TRUE(q::data::readIdx(dir + "t10k-labels-idx1-ubyte.gz", labels,
                               error))
      << error;
  EXPECT_EQ(labels.shape, (std::vector<int64_t>{10000}));
  for (uint8_t l : labels.data)
    EXPECT_LT(l, 10);
}

TEST(Idx, PlainFile) {
  std::string path = writeFile("plain.idx", {0, 0, 8, 2, 0, 0, 0, 2, 0, 0, 0,
                                             3, 1, 2, 3, 4, 5, 6});
  q::data::IdxArray a;
  std::string error;
  ASSERT_TRUE(q::data::readIdx(path, a, error)) << error;
  EXPECT_EQ(a.shape, (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(a.data, (std::vector<uint8_t>{1, 2, 3, 4, 5, 6}));
}

TEST(Idx, Errors) {
  q::data::IdxArray a;
  std::string error;
  EXPECT_FALSE(q::data::readIdx("/nonexistent.idx", a, error));
  EXPECT_NE(error.find("cannot open"), std::string::npos) << error;
  EXPECT_FALSE(q::data::readIdx(writeFile("magic.idx", {1, 2, 8, 1}), a,
                                error));
  EXPECT_NE(error.find("bad magic at byte 0"), std::string::npos) << error;
  EXPECT_FALSE(q::data::readIdx(writeFile("type.idx", {0, 0, 0x0D, 1}), a,
                                error));
  EXPECT_NE(error.find("is not unsigned byte"), std::string::npos) << error;
  EXPECT_FALSE(q::data::readIdx(
      writeFile("short.idx", {0, 0, 8, 1, 0, 0, 0, 5, 1, 2}), a, error));
  EXPECT_NE(error.find("promises 5 bytes of data but the file has 2 (at "
                       "byte 8)"),
            std::string::npos)
      << error;
  EXPECT_FALSE(q::data::readIdx(writeFile("rank.idx", {0, 0, 8, 3, 0}), a,
                                error));
  EXPECT_NE(error.find("truncated IDX header"), std::string::npos) << error;
}

} // namespace
