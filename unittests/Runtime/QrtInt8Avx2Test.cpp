//===- QrtInt8Avx2Test.cpp - What oneDNN's AVX2 int8 path loses -----------===//
//
// A separate binary: oneDNN fixes its ISA at the first call, so
// DNNL_MAX_CPU_ISA=AVX2 is set before main(). Without VNNI, oneDNN
// multiplies u8 x s8 with vpmaddubsw, whose 16-bit pair sums saturate
// (255 * 127 * 2 > 32767), and it feeds s8 sources through the same
// instruction with halved weights and a compensation term. These tests
// MEASURE the accumulator error against the exact reference (unit steps,
// f32 output = the accumulator) and print it; they fail only if 7-bit data,
// which cannot saturate, is not exact.
//
//===----------------------------------------------------------------------===//

#include "QrtInt8TestUtils.h"

#include <cstdlib>
#include <iostream>

using namespace qrt::test;

namespace {

// Before main() and so before oneDNN's first ISA query.
const bool avx2Only = [] {
  setenv("DNNL_MAX_CPU_ISA", "AVX2", 1);
  return true;
}();

struct Range {
  const char *name;
  int32_t src;
  int64_t srcLo, srcHi, weightLo, weightHi;
  bool even = false; // even weights only
};

const Range kRanges[] = {
    {"u8 [0,255] x s8 [-128,127] (full)", QRT_U8, 0, 255, -128, 127},
    {"s8 [-128,127] x s8 [-128,127] (full)", QRT_S8, -128, 127, -128, 127},
    {"u8 [0,127] x s8 full (7-bit src)", QRT_U8, 0, 127, -128, 127},
    {"u8 full x s8 [-64,63] (7-bit weights)", QRT_U8, 0, 255, -64, 63},
    {"s8 full x even s8 weights", QRT_S8, -128, 127, -128, 127, true},
    {"s8 [-64,63] x s8 [-64,63] (7-bit both)", QRT_S8, -64, 63, -64, 63},
};

/// True when the range cannot lose anything by the analysis above.
bool expectedExact(const Range &r) {
  return r.src == QRT_U8 && (r.srcHi <= 127 || r.weightHi <= 63);
}

void report(const char *op, const Range &r, const Tally &t,
            const std::string &info, double maxRel) {
  std::cout << "[AVX2 " << op << "] " << r.name << ": " << info << ": "
            << t.elements << " accumulators, " << t.elements - t.exact
            << " wrong (" << (100.0 * (t.elements - t.exact) / t.elements)
            << "%), max |error| " << t.maxAbs << " (max relative to the "
            << "largest accumulator " << maxRel << ")\n";
}

} // namespace

TEST(QrtInt8Avx2, ConvAccumulatorErrors) {
  ASSERT_TRUE(avx2Only);
  seed(90);
  for (const Range &r : kRanges) {
    // A resnet-like 3x3 64->64 layer (K = 576), and a depthwise 3x3.
    for (int depthwise = 0; depthwise < 2; ++depthwise) {
      Int8ConvSpec c;
      c.inChannels = c.outChannels = 64;
      c.groups = depthwise ? 64 : 1;
      c.in[0] = c.in[1] = 14;
      c.src = r.src;
      c.srcLo = r.srcLo;
      c.srcHi = r.srcHi;
      c.weightLo = r.weightLo;
      c.weightHi = r.weightHi;
      c.unitSteps = true;
      c.bias = false;
      if (r.even) { // 2 * [-64, 63]
        c.weightLo = -64;
        c.weightHi = 63;
        c.weightMultiple = 2;
      }
      SCOPED_TRACE(std::string(r.name) + " " + describe(c));
      const Int8Result res = runInt8Conv(c);
      ASSERT_TRUE(res.ok);
      // Largest accumulator magnitude, for a relative figure: K * 255 * 128.
      const double kernelVolume = depthwise ? 9 : 576;
      const double maxAcc = kernelVolume * (r.srcHi > 127 ? 255 : 127) * 128;
      report(depthwise ? "depthwise conv" : "conv", r, res.tally, res.info,
             res.tally.maxAbs / maxAcc);
      if (expectedExact(r)) {
        EXPECT_EQ(res.tally.exact, res.tally.elements) << res.info;
      }
    }
  }
}

TEST(QrtInt8Avx2, FcAccumulatorErrors) {
  seed(91);
  for (const Range &r : kRanges) {
    Int8FcSpec c;
    c.input = {16, 512};
    c.hidden = 64;
    c.src = r.src;
    c.srcLo = r.srcLo;
    c.srcHi = r.srcHi;
    c.weightLo = r.weightLo;
    c.weightHi = r.weightHi;
    c.unitSteps = true;
    c.bias = false;
    if (r.even) {
      c.weightLo = -64;
      c.weightHi = 63;
      c.weightMultiple = 2;
    }
    const Int8Result res = runInt8Fc(c);
    ASSERT_TRUE(res.ok);
    report("fc", r, res.tally, res.info,
           res.tally.maxAbs / (512.0 * (r.srcHi > 127 ? 255 : 127) * 128));
    if (expectedExact(r)) {
      EXPECT_EQ(res.tally.exact, res.tally.elements) << res.info;
    }
  }
}

TEST(QrtInt8Avx2, EpilogueAndStaticPathsOnFullRangeData) {
  // What a user sees: 8-bit outputs of a calibrated conv on full-range
  // data, off-by-N counts against the oracle, for both runtime paths.
  seed(92);
  for (int32_t src : {QRT_U8, QRT_S8})
    for (bool dynamic : {false, true}) {
      Int8ConvSpec c;
      c.inChannels = c.outChannels = 64;
      c.in[0] = c.in[1] = 14;
      c.src = src;
      c.srcLo = src == QRT_U8 ? 0 : -128;
      c.srcHi = src == QRT_U8 ? 255 : 127;
      c.dst = QRT_U8;
      c.act.kind = QRT_ELTWISE_RELU;
      c.dynamicSrc = dynamic;
      const Int8Result res = runInt8Conv(c);
      ASSERT_TRUE(res.ok);
      std::cout << "[AVX2 conv " << dtypeName(src) << "->u8 relu, "
                << (dynamic ? "dynamic" : "static") << " src step] " << res.info
                << ": " << res.tally.str() << "\n";
    }
}
