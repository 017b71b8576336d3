//===- LoopsTest.cpp - generated int8 kernels vs the integer reference ----===//
//
// Every kernel runs on random full-range data (u8 [0,255] or s8 [-128,127]
// sources, s8 [-128,127] weights) and must match the reference bit for bit.
// The representative shapes, then every conv shape of resnet50_v1,
// resnet-152 and mobilenetv2_1.0 with 8-bit and 7-bit weights (about 30 s
// per ISA here; Q_LOOPS_QUICK=1 skips that sweep).
//
//===----------------------------------------------------------------------===//

#include "LoopsHarness.h"

#include <gtest/gtest.h>

#include <cstdlib>

using namespace qloops;

namespace {

bool cpuHasAvx512Vnni() {
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx512vnni") &&
         __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vl");
}

bool runnable(Isa isa) {
  if (isa == Isa::Avx512Vnni)
    return cpuHasAvx512Vnni();
  if (isa == Isa::AvxVnni)
    return __builtin_cpu_supports("avxvnni");
  if (isa == Isa::Avx2)
    return __builtin_cpu_supports("avx2");
  return true;
}

/// Runs one conv spec on one ISA; returns the number of wrong outputs.
int64_t checkConv(const ConvSpec &spec, Isa isa, uint32_t seed,
                  TileOptions tiles = {}, int chunks = 3) {
  std::mt19937 rng(seed);
  auto compiled = compileConv(spec, {isa}, tiles);
  EXPECT_TRUE(compiled->ok()) << compiled->error;
  if (!compiled->ok())
    return -1;
  auto input = randomBytes(spec.n * spec.c * spec.h * spec.w, rng);
  int64_t outElems = spec.n * spec.oc * spec.oh() * spec.ow();
  auto sum = spec.epi.hasSum ? randomBytes(outElems, rng)
                             : std::vector<uint8_t>();
  std::vector<uint8_t> out(outElems * outBytes(spec.epi), 0x5a);
  compiled->run(input.data(), spec.epi.hasSum ? sum.data() : nullptr,
                out.data(), chunks);
  auto expected = referenceConv(spec, input, sum);
  return countDiffs(out, expected, outBytes(spec.epi));
}

/// Runs one conv spec channels last (input, sum and output NHWC) and
/// compares with the NCHW reference; returns the number of wrong outputs.
int64_t checkConvChannelsLast(ConvSpec spec, Isa isa, uint32_t seed,
                              int chunks = 3) {
  spec.channelsLast = true;
  std::mt19937 rng(seed);
  auto compiled = compileConv(spec, {isa});
  EXPECT_TRUE(compiled->ok()) << compiled->error;
  if (!compiled->ok())
    return -1;
  EXPECT_TRUE(compiled->info.pack.empty());
  EXPECT_EQ(compiled->info.scratchBytes, 0);
  const int64_t oh = spec.oh(), ow = spec.ow(), ob = outBytes(spec.epi);
  auto input = randomBytes(spec.n * spec.c * spec.h * spec.w, rng);
  int64_t outElems = spec.n * spec.oc * oh * ow;
  auto sum = spec.epi.hasSum ? randomBytes(outElems, rng)
                             : std::vector<uint8_t>();
  auto inputNhwc =
      transposeImage(input, spec.n, spec.c, spec.h, spec.w, 1, true);
  auto sumNhwc = transposeImage(sum, spec.n, spec.oc, oh, ow, 1, true);
  std::vector<uint8_t> out(outElems * ob, 0x5a);
  compiled->run(inputNhwc.data(), spec.epi.hasSum ? sumNhwc.data() : nullptr,
                out.data(), chunks);
  auto got = transposeImage(out, spec.n, spec.oc, oh, ow, ob, false);
  return countDiffs(got, referenceConv(spec, input, sum), ob);
}

int64_t checkFc(const FcSpec &spec, Isa isa, uint32_t seed) {
  std::mt19937 rng(seed);
  auto compiled = compileFc(spec, {isa});
  EXPECT_TRUE(compiled->ok()) << compiled->error;
  if (!compiled->ok())
    return -1;
  auto input = randomBytes(spec.n * spec.k, rng);
  std::vector<uint8_t> out(spec.n * spec.o * outBytes(spec.epi), 0x5a);
  compiled->run(input.data(), nullptr, out.data(), 2);
  return countDiffs(out, referenceFc(spec, input), outBytes(spec.epi));
}

FcSpec randomFc(int64_t n, int64_t k, int64_t o, bool srcSigned,
                std::mt19937 &rng, int variant) {
  Shape s{"fc", k, 1, 1, o, 1, 1, 0, 1};
  ConvSpec c = randomConv(s, srcSigned, rng, variant);
  FcSpec f;
  f.n = n;
  f.k = k;
  f.o = o;
  f.srcSigned = srcSigned;
  f.weight = c.weight;
  f.epi = c.epi;
  f.epi.hasSum = false;
  return f;
}

const Isa kIsas[] = {Isa::Generic, Isa::Avx2, Isa::Avx512Vnni};

class ConvShapes : public ::testing::TestWithParam<Isa> {};

// Representative shapes: depthwise (both strides), 1x1, 1x1 stride 2, 3x3
// stride 1 and 2, 7x7 stride 2 with 3 input channels, small 7x7 planes.
const Shape kQuickShapes[] = {
    {"dw", 32, 28, 28, 32, 3, 1, 1, 32},
    {"dw-s2", 24, 29, 30, 24, 3, 2, 1, 24},
    {"1x1", 64, 14, 14, 96, 1, 1, 0, 1},
    {"1x1-s2", 48, 15, 13, 40, 1, 2, 0, 1},
    {"3x3", 40, 13, 17, 36, 3, 1, 1, 1},
    {"3x3-s2", 32, 28, 28, 64, 3, 2, 1, 1},
    {"7x7-s2", 3, 60, 58, 20, 7, 2, 3, 1},
    {"3x3-7", 64, 7, 7, 64, 3, 1, 1, 1},
    {"grouped", 16, 12, 12, 24, 3, 1, 1, 4},
};

TEST_P(ConvShapes, MatchReference) {
  Isa isa = GetParam();
  if (!runnable(isa))
    GTEST_SKIP() << "CPU lacks " << isaName(isa).str();
  std::mt19937 rng(42);
  int variant = 0;
  for (const Shape &shape : kQuickShapes) {
    for (bool srcSigned : {false, true}) {
      ConvSpec spec = randomConv(shape, srcSigned, rng, variant++);
      EXPECT_EQ(checkConv(spec, isa, variant), 0)
          << shape.model << " signed=" << srcSigned << " variant "
          << variant - 1;
    }
  }
}

TEST_P(ConvShapes, Dilation) {
  Isa isa = GetParam();
  if (!runnable(isa))
    GTEST_SKIP();
  std::mt19937 rng(7);
  Shape shape{"dil", 12, 19, 21, 20, 3, 1, 2, 1};
  ConvSpec spec = randomConv(shape, true, rng, 1);
  spec.dh = spec.dw = 2;
  EXPECT_EQ(checkConv(spec, isa, 3), 0);
  ConvSpec dw = randomConv({"dil-dw", 8, 16, 16, 8, 3, 2, 2, 8}, false, rng, 0);
  dw.dh = dw.dw = 2;
  EXPECT_EQ(checkConv(dw, isa, 4), 0);
  // Asymmetric padding and stride 2 with a dilated 3x3.
  ConvSpec asym = randomConv({"asym", 6, 17, 14, 10, 3, 2, 0, 1}, false, rng, 2);
  asym.pt = 2, asym.pl = 0, asym.pb = 1, asym.pr = 3;
  EXPECT_EQ(checkConv(asym, isa, 5), 0);
  // More than 9 taps (the kernel-row loop), dilation 3x1, stride 2.
  ConvSpec big = randomConv({"big", 5, 23, 20, 9, 5, 2, 3, 1}, true, rng, 3);
  big.dh = 3;
  EXPECT_EQ(checkConv(big, isa, 6), 0);
}

TEST_P(ConvShapes, TileSizes) {
  Isa isa = GetParam();
  if (!runnable(isa))
    GTEST_SKIP();
  std::mt19937 rng(9);
  ConvSpec spec = randomConv({"t", 20, 11, 9, 26, 3, 1, 1, 1}, false, rng, 1);
  for (TileOptions t : {TileOptions{1, 1}, TileOptions{3, 5}, TileOptions{2, 8}})
    EXPECT_EQ(checkConv(spec, isa, 11, t, 4), 0) << t.p << "x" << t.o;
}

TEST_P(ConvShapes, InnerProduct) {
  Isa isa = GetParam();
  if (!runnable(isa))
    GTEST_SKIP();
  std::mt19937 rng(5);
  int variant = 0;
  for (auto [n, k, o] : {std::tuple<int64_t, int64_t, int64_t>{1, 2048, 1000},
                         {1, 1280, 1000},
                         {3, 37, 21},
                         {2, 130, 64}})
    for (bool srcSigned : {false, true}) {
      FcSpec spec = randomFc(n, k, o, srcSigned, rng, variant == 1 ? 0 : variant);
      ++variant;
      EXPECT_EQ(checkFc(spec, isa, variant), 0) << n << "x" << k << "->" << o;
    }
}

TEST_P(ConvShapes, ModelShapes) {
  Isa isa = GetParam();
  if (!runnable(isa))
    GTEST_SKIP();
  if (std::getenv("Q_LOOPS_QUICK"))
    GTEST_SKIP() << "Q_LOOPS_QUICK is set: no model-shape sweep";
  std::mt19937 rng(1234);
  int variant = 0;
  // Full 8-bit weights, then 7-bit ones (vpmaddubsw on avx2).
  for (int bits : {8, 7})
    for (const Shape &shape : kModelShapes) {
      bool srcSigned = variant % 2;
      ConvSpec spec = randomConv(shape, srcSigned, rng, variant++, bits);
      EXPECT_EQ(checkConv(spec, isa, variant, {}, 2), 0)
          << shape.model << " " << shape.c << "x" << shape.h << "x"
          << shape.w << " -> " << shape.oc << " k" << shape.k << " s"
          << shape.s << " g" << shape.groups << " signed=" << srcSigned
          << " weight bits " << bits;
    }
}

// The pixel-tile kernel (lanes over output channels) on every quick shape
// it can take, both weight widths, u8/s8 sources and outputs; the model
// sweep covers the 7x7 and 14x14 layers that pick it by themselves.
TEST_P(ConvShapes, PixelTiles) {
  Isa isa = GetParam();
  if (!runnable(isa))
    GTEST_SKIP();
  std::mt19937 rng(31);
  TileOptions force;
  force.forcePixelTiles = true;
  int variant = 0;
  for (const Shape &shape : kQuickShapes) {
    for (int bits : {8, 7}) {
      // Variants 0 and 2: relu -> u8, clip -> s8 (no sum, no f32).
      int v = (variant++ % 2) * 2;
      ConvSpec spec = randomConv(shape, v == 2, rng, v, bits);
      EXPECT_EQ(checkConv(spec, isa, variant, force), 0)
          << shape.model << " bits " << bits << " variant " << v;
    }
  }
  // Output channels not a multiple of the channel block, odd pixel count.
  ConvSpec odd = randomConv({"odd", 12, 5, 7, 37, 3, 1, 1, 1}, true, rng, 0);
  EXPECT_EQ(checkConv(odd, isa, 99, force), 0);
}

// 7-bit weights (--weight-bits=7): avx2 proves vpmaddubsw exact and uses
// it; the other ISAs must give the same integers.
TEST_P(ConvShapes, SevenBitWeights) {
  Isa isa = GetParam();
  if (!runnable(isa))
    GTEST_SKIP();
  std::mt19937 rng(71);
  int variant = 0;
  for (const Shape &shape : kQuickShapes) {
    for (bool srcSigned : {false, true}) {
      ConvSpec spec = randomConv(shape, srcSigned, rng, variant++, 7);
      EXPECT_EQ(checkConv(spec, isa, variant), 0)
          << shape.model << " signed=" << srcSigned << " variant "
          << variant - 1;
    }
  }
  for (bool srcSigned : {false, true}) {
    FcSpec fc = randomFc(1, 1280, 1000, srcSigned, rng, 0);
    for (auto &w : fc.weight)
      w = static_cast<int8_t>(w / 2); // [-64, 63]
    EXPECT_EQ(checkFc(fc, isa, 17), 0) << "fc signed=" << srcSigned;
  }
}

// The largest pair sums vpmaddubsw can hold: every input 255 (u8) or the
// s8 extremes (shifted to 0 and 255), weights at +-64 in every pair.
TEST_P(ConvShapes, PairSumBoundary) {
  Isa isa = GetParam();
  if (!runnable(isa))
    GTEST_SKIP();
  std::mt19937 rng(3);
  for (int8_t w : {int8_t(64), int8_t(-64)}) {
    for (bool srcSigned : {false, true}) {
      ConvSpec spec = randomConv({"edge", 16, 9, 9, 12, 3, 1, 1, 1},
                                 srcSigned, rng, 2, 7);
      for (size_t i = 0; i < spec.weight.size(); ++i)
        spec.weight[i] = (i % 5) ? w : 0;
      ASSERT_TRUE(weightPairsFitInt16(spec.weight, spec.oc, spec.c, 9));
      auto compiled = compileConv(spec, {isa});
      ASSERT_TRUE(compiled->ok()) << compiled->error;
      for (uint8_t fill : {uint8_t(255), uint8_t(0x80), uint8_t(0x7f)}) {
        std::vector<uint8_t> input(spec.c * spec.h * spec.w, fill);
        std::vector<uint8_t> out(spec.oc * spec.oh() * spec.ow() *
                                 outBytes(spec.epi));
        compiled->run(input.data(), nullptr, out.data(), 2);
        EXPECT_EQ(countDiffs(out, referenceConv(spec, input, {}),
                             outBytes(spec.epi)),
                  0)
            << "w=" << int(w) << " fill=" << int(fill)
            << " signed=" << srcSigned;
      }
    }
  }
}

// Channels-last kernels (no pack) on the quick shapes they take, ragged
// channel counts, batch 2, and every model shape they take.
TEST_P(ConvShapes, ChannelsLast) {
  Isa isa = GetParam();
  if (!runnable(isa))
    GTEST_SKIP();
  std::mt19937 rng(99);
  int variant = 0, checked = 0;
  const Shape ragged[] = {
      {"ragged-c", 21, 9, 11, 40, 3, 1, 1, 1},
      {"ragged-oc", 32, 10, 10, 37, 1, 1, 0, 1},
      {"ragged-oc-sum", 16, 7, 9, 24, 3, 1, 1, 1},
      {"ragged-dw", 27, 12, 9, 27, 3, 2, 1, 27},
      {"pad2", 8, 6, 7, 16, 5, 1, 2, 1},
  };
  auto check = [&](const Shape &shape, int64_t batch, int bits,
                   std::initializer_list<bool> signs = {false, true}) {
    for (bool srcSigned : signs) {
      ConvSpec spec = randomConv(shape, srcSigned, rng, variant++, bits);
      spec.n = batch;
      if (!checkChannelsLast(spec).empty())
        continue;
      ++checked;
      EXPECT_EQ(checkConvChannelsLast(spec, isa, variant), 0)
          << shape.model << " " << shape.c << "x" << shape.h << "x" << shape.w
          << " -> " << shape.oc << " k" << shape.k << " s" << shape.s << " g"
          << shape.groups << " signed=" << srcSigned << " bits " << bits
          << " variant " << variant - 1;
    }
  };
  for (const Shape &shape : kQuickShapes)
    check(shape, 1, 8);
  for (const Shape &shape : ragged)
    for (int bits : {8, 7})
      check(shape, 2, bits);
  if (!std::getenv("Q_LOOPS_QUICK"))
    for (const Shape &shape : kModelShapes)
      check(shape, 1, variant % 3 ? 8 : 7, {variant % 2 == 1});
  EXPECT_GT(checked, 20);
}

// A residual sum that shares the output's buffer (as the memory planner may
// arrange), with output channels not a multiple of the vector: the partial
// last vector must read each sum before any write.
TEST_P(ConvShapes, ChannelsLastSumInPlace) {
  Isa isa = GetParam();
  if (!runnable(isa))
    GTEST_SKIP();
  std::mt19937 rng(7);
  for (int64_t oc : {20, 36, 24}) {
    Shape shape{"sum", 16, 7, 9, oc, 3, 1, 1, 1};
    ConvSpec spec = randomConv(shape, false, rng, 1); // variant 1: a sum
    ASSERT_TRUE(spec.epi.hasSum);
    spec.n = 2;
    spec.channelsLast = true;
    auto compiled = compileConv(spec, {isa});
    ASSERT_TRUE(compiled->ok()) << compiled->error;
    const int64_t oh = spec.oh(), ow = spec.ow();
    auto input = randomBytes(spec.n * spec.c * spec.h * spec.w, rng);
    auto sum = randomBytes(spec.n * spec.oc * oh * ow, rng);
    auto expected = referenceConv(spec, input, sum);
    auto inout = transposeImage(sum, spec.n, spec.oc, oh, ow, 1, true);
    compiled->run(
        transposeImage(input, spec.n, spec.c, spec.h, spec.w, 1, true).data(),
        inout.data(), inout.data(), 3);
    auto got = transposeImage(inout, spec.n, spec.oc, oh, ow, 1, false);
    EXPECT_EQ(countDiffs(got, expected, 1), 0) << "oc " << oc;
  }
}

TEST(ChannelsLast, Eligibility) {
  ConvSpec spec;
  spec.c = 3;
  spec.h = spec.w = 8;
  spec.oc = 32;
  spec.kh = spec.kw = 3;
  spec.weight.assign(32 * 3 * 9, 1);
  spec.epi.scale.assign(32, 1.f);
  EXPECT_EQ(checkChannelsLast(spec), "fewer than 4 input channels");
  spec.c = 8;
  spec.weight.assign(32 * 8 * 9, 1);
  EXPECT_EQ(checkChannelsLast(spec), "");
  spec.epi.hasSum = true;
  spec.oc = 24;
  spec.weight.assign(24 * 8 * 9, 1);
  spec.epi.scale.assign(24, 1.f);
  EXPECT_EQ(checkChannelsLast(spec), "");
  spec.groups = 4;
  spec.weight.assign(24 * 2 * 9, 1);
  EXPECT_NE(checkChannelsLast(spec).find("grouped"), std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(Isas, ConvShapes, ::testing::ValuesIn(kIsas),
                         [](const auto &info) { return isaName(info.param).str(); });

TEST(Dispatch, AutoPicksEachVariant) {
  std::mt19937 rng(77);
  ConvSpec spec = randomConv({"auto", 16, 10, 12, 24, 3, 2, 1, 1}, true, rng, 1);
  auto compiled = compileConv(spec, {Isa::Avx512Vnni, Isa::Avx2, Isa::Generic});
  ASSERT_TRUE(compiled->ok()) << compiled->error;
  auto input = randomBytes(spec.c * spec.h * spec.w, rng);
  int64_t outElems = spec.oc * spec.oh() * spec.ow();
  auto sum = randomBytes(outElems, rng);
  auto expected = referenceConv(spec, input, sum);
  for (int32_t isa : {0, 1, 3}) {
    if (!runnable(static_cast<Isa>(isa)))
      continue;
    forcedIsa = isa;
    std::vector<uint8_t> out(outElems * outBytes(spec.epi), 0);
    compiled->run(input.data(), sum.data(), out.data(), 3);
    EXPECT_EQ(countDiffs(out, expected, outBytes(spec.epi)), 0) << "isa " << isa;
  }
  forcedIsa = 3;
}

} // namespace

TEST(PairSafety, Boundaries) {
  // [rows=1][k][inner=1]: pairs are (k0, k1), (k2, k3), ...
  auto fits = [](std::vector<int8_t> w) {
    return weightPairsFitInt16(w, 1, w.size(), 1);
  };
  EXPECT_TRUE(fits({64, 64, -64, -64}));
  EXPECT_TRUE(fits({127, 1, -128, 0}));
  EXPECT_TRUE(fits({127, -128, 127, -128})); // one sign per product
  EXPECT_FALSE(fits({65, 64}));
  EXPECT_FALSE(fits({-65, -64}));
  EXPECT_FALSE(fits({0, 0, 127, 2}));
  EXPECT_TRUE(fits({127}));     // odd k: the last pairs with a zero
  EXPECT_TRUE(fits({64, 0, 64})); // 64 and 64 are in different pairs
  // Pairs run along k for each inner index, not across inner.
  // [k=2][inner=2]: w pairs (100, 100) at inner 0; v pairs (100, 20).
  std::vector<int8_t> w = {100, 20, 100, 20};
  EXPECT_FALSE(weightPairsFitInt16(w, 1, 2, 2));
  std::vector<int8_t> v = {100, 100, 20, 20};
  EXPECT_TRUE(weightPairsFitInt16(v, 1, 2, 2));
}
