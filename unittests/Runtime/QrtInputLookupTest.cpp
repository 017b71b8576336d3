//===- QrtInputLookupTest.cpp - qrt_input_lookup against the reference ----===//
//
// The lookup moves table entries: outputs must equal the reference bit for
// bit, for both layouts, u8 and s8 sources, f32/s8/u8 tables with one row
// or one per channel, and several threads.
//
//===----------------------------------------------------------------------===//

#include "QrtTestUtils.h"

#include <cstring>

using namespace qrt::test;
namespace ref = qrt::ref;

namespace {

struct Case {
  int32_t src, dst, layout;
  Shape shape; // src as stored
  int64_t rows;
  int threads;
};

size_t entrySize(int32_t dtype) { return dtype == QRT_F32 ? 4 : 1; }

/// Runs one case through libqrt and the reference; both must agree.
void check(const Case &c) {
  SCOPED_TRACE(::testing::Message()
               << "src " << c.src << " dst " << c.dst << " layout " << c.layout
               << " shape " << ref::shapeToString(c.shape) << " rows " << c.rows
               << " threads " << c.threads);
  int64_t n = 1;
  for (int64_t d : c.shape)
    n *= d;
  std::vector<uint8_t> src(n);
  for (uint8_t &b : src)
    b = uint8_t(randomInt(rng(), 0, 255));
  std::vector<uint8_t> table(c.rows * 256 * entrySize(c.dst));
  if (c.dst == QRT_F32) {
    std::vector<float> values(c.rows * 256);
    for (float &v : values)
      v = float(randomInt(rng(), -100000, 100000)) / 64.0f;
    std::memcpy(table.data(), values.data(), table.size());
  } else {
    for (uint8_t &b : table)
      b = uint8_t(randomInt(rng(), 0, 255));
  }

  qrt_input_lookup_desc d{};
  d.abi_version = QRT_ABI_VERSION;
  d.src_dtype = c.src;
  d.dst_dtype = c.dst;
  d.layout = c.layout;
  d.input.rank = int32_t(c.shape.size());
  for (size_t i = 0; i < c.shape.size(); ++i)
    d.input.dims[i] = c.shape[i];
  d.table_rows = c.rows;
  ModelPtr model = makeModel(1, c.threads);
  ASSERT_QRT(qrt_input_lookup_init(model.get(), 0, &d, table.data()));
  // The model keeps its own copy of the table.
  std::vector<uint8_t> kept = table;
  std::fill(table.begin(), table.end(), 0);
  ExecPtr exec = makeExec(model.get());
  std::vector<uint8_t> out(n * entrySize(c.dst), 0xcd);
  ASSERT_QRT(
      qrt_input_lookup_run(model.get(), exec.get(), 0, src.data(), out.data()));

  std::vector<uint8_t> expected(out.size(), 0xab);
  auto qtype = [](int32_t dtype) { return static_cast<ref::QType>(dtype); };
  ASSERT_TRUE(ref::inputLookup(qtype(c.src), src.data(), c.shape,
                               c.layout == QRT_LAYOUT_NHWC, qtype(c.dst),
                               kept.data(), c.rows, expected.data()));
  EXPECT_EQ(out, expected);
}

} // namespace

TEST(QrtInputLookup, MatchesReference) {
  seed(71);
  for (int32_t layout : {QRT_LAYOUT_NCHW, QRT_LAYOUT_NHWC})
    for (int32_t src : {QRT_U8, QRT_S8})
      for (int32_t dst : {QRT_F32, QRT_S8, QRT_U8})
        for (int threads : {1, 3}) {
          Shape shape =
              layout == QRT_LAYOUT_NHWC ? Shape{2, 5, 7, 3} : Shape{2, 3, 5, 7};
          for (int64_t rows : {int64_t(1), int64_t(3)})
            check({src, dst, layout, shape, rows, threads});
        }
}

TEST(QrtInputLookup, OtherRanksAndOneChannel) {
  seed(72);
  check({QRT_U8, QRT_F32, QRT_LAYOUT_NCHW, {4, 784}, 784, 2});
  check({QRT_U8, QRT_S8, QRT_LAYOUT_NCHW, {9}, 1, 1});
  check({QRT_S8, QRT_F32, QRT_LAYOUT_NHWC, {3, 28, 28, 1}, 1, 2});
  check({QRT_U8, QRT_U8, QRT_LAYOUT_NHWC, {1, 112, 112, 3}, 3, 4});
}

TEST(QrtInputLookup, SignedIndexIsXPlus128) {
  // table[i] = i - 128 as f32: an s8 lookup gives back the value itself.
  std::vector<float> table(256);
  for (int i = 0; i < 256; ++i)
    table[i] = float(i - 128);
  qrt_input_lookup_desc d{};
  d.abi_version = QRT_ABI_VERSION;
  d.src_dtype = QRT_S8;
  d.dst_dtype = QRT_F32;
  d.input.rank = 1;
  d.input.dims[0] = 4;
  d.table_rows = 1;
  ModelPtr model = makeModel(1);
  ASSERT_QRT(qrt_input_lookup_init(model.get(), 0, &d, table.data()));
  ExecPtr exec = makeExec(model.get());
  const int8_t src[4] = {-128, -1, 0, 127};
  float out[4];
  ASSERT_QRT(qrt_input_lookup_run(model.get(), exec.get(), 0, src, out));
  EXPECT_EQ(std::vector<float>(out, out + 4),
            (std::vector<float>{-128, -1, 0, 127}));
}

TEST(QrtInputLookup, Errors) {
  std::vector<float> table(3 * 256);
  qrt_input_lookup_desc d{};
  d.abi_version = QRT_ABI_VERSION;
  d.src_dtype = QRT_U8;
  d.dst_dtype = QRT_F32;
  d.layout = QRT_LAYOUT_NHWC;
  d.input.rank = 3;
  d.input.dims[0] = 1;
  d.input.dims[1] = 4;
  d.input.dims[2] = 3;
  d.table_rows = 1;
  ModelPtr model = makeModel(1);
  EXPECT_QRT_ERROR(qrt_input_lookup_init(model.get(), 0, &d, table.data()),
                   QRT_ERR_INVALID_ARGUMENT, "NHWC needs a 4-D input");
  d.layout = QRT_LAYOUT_NCHW;
  d.table_rows = 2;
  EXPECT_QRT_ERROR(qrt_input_lookup_init(model.get(), 0, &d, table.data()),
                   QRT_ERR_INVALID_ARGUMENT, "table_rows must be 1 or");
  d.table_rows = 4;
  d.src_dtype = QRT_F32;
  EXPECT_QRT_ERROR(qrt_input_lookup_init(model.get(), 0, &d, table.data()),
                   QRT_ERR_UNSUPPORTED, "src dtype f32 is not supported");
  d.src_dtype = QRT_U8;
  EXPECT_QRT_ERROR(qrt_input_lookup_init(model.get(), 0, &d, nullptr),
                   QRT_ERR_NULL_POINTER, "table is NULL");
  d.table_rows = 1;
  d.abi_version = QRT_ABI_VERSION + 1;
  EXPECT_QRT_ERROR(qrt_input_lookup_init(model.get(), 0, &d, table.data()),
                   QRT_ERR_ABI_VERSION, "");
}
