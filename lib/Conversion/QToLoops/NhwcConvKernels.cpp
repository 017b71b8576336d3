//===- NhwcConvKernels.cpp - int8 convolution on channels-last tensors ----===//
//
// The kernels of a convolution whose input, sum and result q-assign-layouts
// keeps channels last (NHWC). They read the producer's tensor directly: no
// pack step, no scratch, no layout change around the op.
//
// Lanes of a vector are output channels. A tile is PT output pixels x OT
// vectors of L channels. Per kernel tap, each pixel's source pixel address
// is computed once: the pixel itself, or a row of zeros when the tap falls
// into the padding (a select, not a branch; tiles whose windows all lie
// inside the image, most of them, skip the selects). Then, per group of CB
// input channels, PT broadcasts of the pixel's group, OT weight vectors and PT
// x OT dot products. The result of one pixel is OT*L contiguous channels: the
// epilogue stores whole vectors, with no transposition and no masks.
//
// Depthwise convolutions (one output channel per input channel): lanes are
// channels too; per tap, the pixel's L input channels are widened to i32
// and multiplied by the tap's weights (vpmaddwd with (w, 0) pairs, as the
// NCHW depthwise kernel does).
//
// Ragged channel counts never load or store outside a pixel: the last
// input group starts CB channels before the end of the pixel (overlapping
// the previous group, whose channels get zero weights there), and the
// last vector of L output channels starts L channels before the end (the
// overlapped channels are computed twice and written twice with the same
// value). With a sum, which may share the output's buffer, a second write
// would meet a sum already overwritten: there the last vector is partial,
// its sum read and its result written through a stack slot.
// checkChannelsLast() lists what these kernels take.
//
// Numerics are those of KernelSpec.h, bit for bit the NCHW kernels'.
//
//===----------------------------------------------------------------------===//

#include "Emitter.h"

#include <algorithm>

using namespace mlir;
using namespace mlir::q::loops;

namespace {

/// Widest vector of any generated ISA: channel counts below it are not
/// taken (their ragged-end overlap would reach before the pixel).
constexpr int64_t kMaxLanes = 16;

bool isDepthwise(const ConvSpec &s) {
  return s.groups > 1 && s.groups == s.c && s.oc == s.c;
}

/// Whether vpmaddubsw's i16 pair sums are exact for the groups of 4 input
/// channels these kernels form (the last group may overlap the previous
/// one; its overlapped channels weigh 0).
bool groupPairsFit(const ConvSpec &s) {
  const int64_t taps = s.kh * s.kw, groups = (s.c + 3) / 4;
  auto weight = [&](int64_t oc, int64_t g, int64_t j, int64_t tap) -> int64_t {
    int64_t start = std::min(g * 4, s.c - 4), c = start + j;
    return c < g * 4 ? 0 : s.weight[(oc * s.c + c) * taps + tap];
  };
  for (int64_t oc = 0; oc < s.oc; ++oc)
    for (int64_t g = 0; g < groups; ++g)
      for (int64_t tap = 0; tap < taps; ++tap)
        for (int64_t j = 0; j < 4; j += 2) {
          int64_t a = weight(oc, g, j, tap), b = weight(oc, g, j + 1, tap);
          if (std::max<int64_t>(a, 0) + std::max<int64_t>(b, 0) > 128 ||
              std::min<int64_t>(a, 0) + std::min<int64_t>(b, 0) < -128)
            return false;
        }
  return true;
}

struct NhwcLayout {
  IsaInfo info;
  bool depthwise = false;
  bool shift = false;  ///< s8 source stored +128 for vpdpbusd / vpmaddubsw
  bool padded = false; ///< some tap can read outside the input
  /// The last output vector is partial (not overlapping the previous).
  bool partialLast = false;
  int64_t L, CB, eb, taps, OH, OW, ohw;
  int64_t nG = 0; ///< input channel groups (dense)
  int64_t nV;     ///< vectors of L output channels
  int64_t PT, OT, nPT, nOT, PTrem, OTrem;

  /// First channel of group g / vector v (the last one overlaps).
  int64_t groupStart(int64_t g, int64_t channels) const {
    return std::min(g * CB, channels - CB);
  }
};

NhwcLayout makeNhwcLayout(const ConvSpec &s, Isa isa, TileOptions tiles) {
  NhwcLayout l;
  l.depthwise = isDepthwise(s);
  l.info = isaInfo(isa, isa == Isa::Avx2 && !l.depthwise && groupPairsFit(s));
  l.L = l.info.lanes;
  l.CB = l.depthwise ? 1 : l.info.cb;
  l.eb = l.depthwise ? 1 : l.info.elemBytes;
  l.shift = !l.depthwise && l.info.shiftSigned && s.srcSigned;
  l.taps = s.kh * s.kw;
  l.OH = s.oh();
  l.OW = s.ow();
  l.ohw = l.OH * l.OW;
  l.padded = s.pt || s.pl || s.pb || s.pr;
  if (!l.depthwise)
    l.nG = (s.c + l.CB - 1) / l.CB;
  l.nV = (s.oc + l.L - 1) / l.L;
  l.partialLast = s.epi.hasSum && s.oc % l.L != 0;
  // Registers: avx512 keeps 6x4 of 32 zmm; the 16-register ISAs 2x4 (room
  // for the weights, the broadcast and vpmaddubsw's temporaries; measured
  // against 4x2, 6x2 and 3x4 with q-bench-loops --nhwc-tile on avx2, where
  // it was as fast or faster, most with the i16 pairs).
  bool wide = l.info.isa == Isa::Avx512Vnni;
  l.PT = tiles.p ? tiles.p : l.depthwise ? 4 : wide ? 6 : 2;
  l.OT = std::min<int64_t>(tiles.o ? tiles.o : l.depthwise ? 2 : 4, l.nV);
  l.PT = std::min(l.PT, l.ohw);
  l.nPT = (l.ohw + l.PT - 1) / l.PT;
  l.PTrem = l.ohw - (l.nPT - 1) * l.PT;
  l.nOT = (l.nV + l.OT - 1) / l.OT;
  l.OTrem = l.nV - (l.nOT - 1) * l.OT;
  return l;
}

struct NhwcTables {
  std::string weights, init, scale, zero;
};

/// First output channel of vector `v` (an i64 value): v*L, or L channels
/// before the end for the last, ragged vector.
Value vectorStart(Emitter &e, const NhwcLayout &l, Value v, int64_t channels) {
  Value start = e.mulc(v, l.L);
  if (channels % l.L == 0 || l.partialLast)
    return start;
  return arith::MinSIOp::create(e.b, e.loc, start, e.c64(channels - l.L));
}

/// Per-lane tables (padded to whole tiles of OT vectors: zeros past the
/// channels), and the weights in the order the kernels read them.
void emitNhwcTables(OpBuilder &b, ModuleOp module, const ConvSpec &s,
                    const NhwcLayout &l, const NhwcTables &tab) {
  const int64_t lanes = l.nOT * l.OT * l.L, Cg = s.c / s.groups;
  std::vector<int64_t> laneChannel(lanes, -1);
  for (int64_t v = 0; v < l.nV; ++v)
    for (int64_t j = 0; j < l.L; ++j) {
      int64_t c =
          l.partialLast ? v * l.L + j : std::min(v * l.L, s.oc - l.L) + j;
      laneChannel[v * l.L + j] = c < s.oc ? c : -1;
    }
  std::vector<int32_t> init(lanes, 0);
  std::vector<float> scale(lanes, 0.f);
  for (int64_t i = 0; i < lanes; ++i) {
    int64_t oc = laneChannel[i];
    if (oc < 0)
      continue;
    int64_t v = s.epi.bias.empty() ? 0 : s.epi.bias[oc];
    if (l.shift) {
      // vpdpbusd reads s8 sources shifted to u8: x*w = (x+128)*w - 128*w
      // (the zero row of the padding is shifted too: it adds 128*w).
      int64_t wsum = 0;
      for (int64_t i2 = 0; i2 < Cg * l.taps; ++i2)
        wsum += s.weight[oc * Cg * l.taps + i2];
      v -= 128 * wsum;
    }
    init[i] = static_cast<int32_t>(v);
    scale[i] = s.epi.scale[oc];
  }
  addConstantGlobal(
      b, module, tab.init, b.getI32Type(),
      DenseElementsAttr::get(RankedTensorType::get({lanes}, b.getI32Type()),
                             llvm::ArrayRef<int32_t>(init)));
  addConstantGlobal(
      b, module, tab.scale, b.getF32Type(),
      DenseElementsAttr::get(RankedTensorType::get({lanes}, b.getF32Type()),
                             llvm::ArrayRef<float>(scale)));
  // One zero pixel for the taps in the padding (s8 0 is also u8 0).
  std::vector<int8_t> zeros(s.c, 0);
  addConstantGlobal(
      b, module, tab.zero, b.getI8Type(),
      DenseElementsAttr::get(RankedTensorType::get({s.c}, b.getI8Type()),
                             llvm::ArrayRef<int8_t>(zeros)));
  if (l.depthwise) {
    // [vector][tap][L] as i32: (w, 0) i16 pairs for vpmaddwd, or plain.
    std::vector<int32_t> w32(lanes * l.taps, 0);
    for (int64_t i = 0; i < lanes; ++i) {
      int64_t c = laneChannel[i];
      if (c < 0)
        continue;
      for (int64_t tap = 0; tap < l.taps; ++tap) {
        int8_t w = s.weight[c * l.taps + tap];
        w32[((i / l.L) * l.taps + tap) * l.L + i % l.L] =
            l.info.isa != Isa::Generic ? (int32_t)(uint16_t)(int16_t)w
                                       : (int32_t)w;
      }
    }
    addConstantGlobal(
        b, module, tab.weights, b.getI32Type(),
        DenseElementsAttr::get(
            RankedTensorType::get({(int64_t)w32.size()}, b.getI32Type()),
            llvm::ArrayRef<int32_t>(w32)));
    return;
  }
  // [ob][tap][group][OT*L][CB]; channels an earlier group covered weigh 0.
  const int64_t block = l.OT * l.L;
  std::vector<int16_t> packed(l.nOT * l.taps * l.nG * block * l.CB, 0);
  int64_t idx = 0;
  for (int64_t ob = 0; ob < l.nOT; ++ob)
    for (int64_t tap = 0; tap < l.taps; ++tap)
      for (int64_t g = 0; g < l.nG; ++g)
        for (int64_t lane = 0; lane < block; ++lane)
          for (int64_t j = 0; j < l.CB; ++j, ++idx) {
            int64_t oc = laneChannel[ob * block + lane];
            int64_t c = l.groupStart(g, s.c) + j;
            if (oc >= 0 && c >= g * l.CB)
              packed[idx] = s.weight[(oc * s.c + c) * l.taps + tap];
          }
  addPackedWeights(b, module, tab.weights, l.eb, packed);
}

/// Where a tile's pixels read and write.
struct TilePixels {
  SmallVector<Value> iy0, ix0; ///< top-left source pixel (may be < 0)
  SmallVector<Value> outPixel; ///< element offset of the pixel's channel 0
};

TilePixels describePixels(Emitter &e, const ConvSpec &s, const NhwcLayout &l,
                          Value n, Value pt, int64_t P) {
  TilePixels t;
  Value r0 = e.mulc(pt, l.PT);
  for (int64_t p = 0; p < P; ++p) {
    Value r = e.addc(r0, p);
    Value oy = e.divc(r, l.OW), ox = e.remc(r, l.OW);
    t.iy0.push_back(e.addc(e.mulc(oy, s.sh), -s.pt));
    t.ix0.push_back(e.addc(e.mulc(ox, s.sw), -s.pl));
    t.outPixel.push_back(e.mulc(e.add(e.mulc(n, l.ohw), r), s.oc));
  }
  return t;
}

/// Whether every tap of every pixel of the tile lies inside the image (i1).
Value tileInside(Emitter &e, const ConvSpec &s, const TilePixels &t) {
  const int64_t spanY = (s.kh - 1) * s.dh, spanX = (s.kw - 1) * s.dw;
  if (spanY >= s.h || spanX >= s.w)
    return arith::ConstantIntOp::create(e.b, e.loc, 0, 1);
  auto ult = arith::CmpIPredicate::ult;
  Value inside;
  for (size_t p = 0; p < t.iy0.size(); ++p) {
    Value ok = arith::AndIOp::create(e.b, e.loc,
                                     e.cmp(ult, t.iy0[p], e.c64(s.h - spanY)),
                                     e.cmp(ult, t.ix0[p], e.c64(s.w - spanX)));
    inside = inside ? arith::AndIOp::create(e.b, e.loc, inside, ok) : ok;
  }
  return inside;
}

/// The address of pixel p's channel 0 for tap (ky, kx): inside the image,
/// or (`checked`: the tap may fall into the padding) the zero row.
Value tapSource(Emitter &e, const ConvSpec &s, const TilePixels &t, Value image,
                Value zero, int64_t p, int64_t ky, int64_t kx, bool checked) {
  Value iy = e.addc(t.iy0[p], ky * s.dh), ix = e.addc(t.ix0[p], kx * s.dw);
  Value at = e.gep(image, e.mulc(e.add(e.mulc(iy, s.w), ix), s.c));
  if (!checked)
    return at;
  // Negative coordinates are huge unsigned: one compare per axis.
  auto ult = arith::CmpIPredicate::ult;
  Value inside = arith::AndIOp::create(e.b, e.loc, e.cmp(ult, iy, e.c64(s.h)),
                                       e.cmp(ult, ix, e.c64(s.w)));
  return arith::SelectOp::create(e.b, e.loc, inside, at, zero);
}

/// Splat of the input group at `p` as the dot product's unsigned operand.
Value broadcastInput(Emitter &e, const ConvSpec &s, const NhwcLayout &l,
                     Value p) {
  VectorType type = e.dotOperandType(l.info);
  if (l.eb == 1) {
    Value word = e.load(e.i32(), p);
    if (l.shift)
      word = arith::XOrIOp::create(e.b, e.loc, word,
                                   e.c32(static_cast<int32_t>(0x80808080u)));
    return e.bitcast(e.splat(word, l.L), type);
  }
  // i16 pairs: two channels widened, as one i32 per lane.
  Value pair = e.load(e.vec(2, e.i8()), p);
  auto w16 = e.vec(2, e.i16());
  Value wide = s.srcSigned
                   ? arith::ExtSIOp::create(e.b, e.loc, w16, pair).getResult()
                   : arith::ExtUIOp::create(e.b, e.loc, w16, pair).getResult();
  Value word = vector::ExtractOp::create(
      e.b, e.loc, e.bitcast(wide, e.vec(1, e.i32())), ArrayRef<int64_t>{0});
  return e.bitcast(e.splat(word, l.L), type);
}

/// Initial accumulators: the per-lane init table of the tile's vectors.
SmallVector<Value> initialAccumulators(Emitter &e, const NhwcLayout &l,
                                       const NhwcTables &tab, Value ob,
                                       int64_t P, int64_t O) {
  Value initTab = e.gep(e.addressOf(tab.init), e.mulc(ob, l.OT * l.L * 4));
  SmallVector<Value> init, acc;
  for (int64_t o = 0; o < O; ++o)
    init.push_back(e.load(e.vec(l.L, e.i32()), e.gepc(initTab, o * l.L * 4)));
  for (int64_t p = 0; p < P; ++p)
    acc.append(init.begin(), init.end());
  return acc;
}

/// Copies `n` bytes from `from` to `to` (known when generating) with
/// moves of at most 8 bytes.
void copyBytesExact(Emitter &e, Value from, Value to, int64_t n) {
  for (int64_t at = 0; at < n;) {
    int64_t width = 8;
    while (width > n - at)
      width /= 2;
    Type t = e.b.getIntegerType(width * 8);
    e.store(e.load(t, e.gepc(from, at)), e.gepc(to, at));
    at += width;
  }
}

/// Scales, post-ops, the sum, and whole-vector stores of P x O results
/// (`lastBlock`: the tile holds the last vector, which may be partial).
void emitNhwcEpilogue(Emitter &e, const ConvSpec &s, const NhwcLayout &l,
                      const NhwcTables &tab, const TilePixels &t, Value sum,
                      Value out, Value ob, int64_t P, int64_t O, bool lastBlock,
                      ArrayRef<Value> acc) {
  const int64_t oeb = outElementBytes(s.epi);
  Value scaleTab = e.gep(e.addressOf(tab.scale), e.mulc(ob, l.OT * l.L * 4));
  for (int64_t o = 0; o < O; ++o) {
    Value scale = e.load(e.vec(l.L, e.f32()), e.gepc(scaleTab, o * l.L * 4));
    Value channel = vectorStart(e, l, e.addc(e.mulc(ob, l.OT), o), s.oc);
    // Channels of a partial last vector (0: a whole vector).
    const int64_t valid =
        l.partialLast && lastBlock && o == O - 1 ? s.oc % l.L : 0;
    for (int64_t p = 0; p < P; ++p) {
      Value at = e.add(t.outPixel[p], channel);
      Value sv;
      if (sum && valid) {
        Value slot = e.stagingSlot();
        copyBytesExact(e, e.gep(sum, at), slot, valid);
        sv = e.load(e.vec(l.L, e.i8()), slot);
      } else if (sum) {
        sv = e.load(e.vec(l.L, e.i8()), e.gep(sum, at));
      }
      Value r = emitOutputConversion(
          e, s.epi, emitEpilogueMath(e, s.epi, acc[p * O + o], scale, sv));
      Value dst = e.gep(out, e.mulc(at, oeb));
      if (!valid) {
        e.store(r, dst);
        continue;
      }
      Value slot = e.stagingSlot();
      e.store(r, slot);
      copyBytesExact(e, slot, dst, valid * oeb);
    }
  }
}

/// Dense tile: P pixels x O vectors of output channels.
void emitDenseNhwcTile(Emitter &e, const ConvSpec &s, const NhwcLayout &l,
                       const NhwcTables &tab, Value src, Value sum, Value out,
                       Value n, Value ob, Value pt, int64_t P, int64_t O,
                       bool lastBlock, bool checked) {
  const int64_t groupBytes = l.CB * l.eb, vecBytes = l.L * groupBytes;
  const int64_t tapBytes = l.nG * l.OT * vecBytes;
  TilePixels t = describePixels(e, s, l, n, pt, P);
  Value image = e.gep(src, e.mulc(n, s.h * s.w * s.c));
  Value zero = e.addressOf(tab.zero);
  Value wBase =
      e.gep(e.opaque(e.addressOf(tab.weights)), e.mulc(ob, l.taps * tapBytes));
  VectorType wType = e.dotOperandType(l.info);
  SmallVector<Value> acc = initialAccumulators(e, l, tab, ob, P, O);
  // One group: the P pixels' broadcasts `xs`, weights at `wg`.
  auto dots = [&](SmallVector<Value> &a, ArrayRef<Value> xs, Value wg) {
    SmallVector<Value> ws;
    for (int64_t o = 0; o < O; ++o)
      ws.push_back(e.load(wType, e.gepc(wg, o * vecBytes)));
    for (int64_t p = 0; p < P; ++p)
      for (int64_t o = 0; o < O; ++o)
        a[p * O + o] = e.dot(l.info, a[p * O + o], xs[p], ws[o]);
  };
  // One group at channel offset `at` (bytes).
  auto group = [&](SmallVector<Value> &a, ArrayRef<Value> pix, Value at,
                   Value wg) {
    SmallVector<Value> xs;
    for (int64_t p = 0; p < P; ++p)
      xs.push_back(broadcastInput(e, s, l, e.gep(pix[p], at)));
    dots(a, xs, wg);
  };
  // i16 pairs: four groups (8 channels) widened at once, each broadcast
  // by a lane shuffle (one load and widening per pixel, not four).
  auto quad = [&](SmallVector<Value> &a, ArrayRef<Value> pix, Value at,
                  Value wg) {
    SmallVector<Value> wide;
    auto w16 = e.vec(8, e.i16());
    for (int64_t p = 0; p < P; ++p) {
      Value x8 = e.load(e.vec(8, e.i8()), e.gep(pix[p], at));
      Value x = s.srcSigned
                    ? arith::ExtSIOp::create(e.b, e.loc, w16, x8).getResult()
                    : arith::ExtUIOp::create(e.b, e.loc, w16, x8).getResult();
      wide.push_back(e.bitcast(x, e.vec(4, e.i32())));
    }
    for (int64_t k = 0; k < 4; ++k) {
      SmallVector<int64_t> lanes(l.L, k);
      SmallVector<Value> xs;
      for (int64_t p = 0; p < P; ++p)
        xs.push_back(e.bitcast(e.shuffle(wide[p], wide[p], lanes), wType));
      dots(a, xs, e.gepc(wg, k * l.OT * vecBytes));
    }
  };
  const bool ragged = s.c % l.CB != 0;
  const int64_t full = ragged ? l.nG - 1 : l.nG;
  const int64_t quads = l.eb == 2 ? full / 4 : 0;
  for (int64_t ky = 0; ky < s.kh; ++ky)
    for (int64_t kx = 0; kx < s.kw; ++kx) {
      SmallVector<Value> pix;
      for (int64_t p = 0; p < P; ++p)
        pix.push_back(tapSource(e, s, t, image, zero, p, ky, kx, checked));
      Value wTap = e.gepc(wBase, (ky * s.kw + kx) * tapBytes);
      auto loop =
          e.forLoop(e.c64(0), e.c64(quads ? quads : full), acc,
                    [&](Value g, ValueRange iter) {
                      SmallVector<Value> a(iter.begin(), iter.end());
                      if (quads)
                        quad(a, pix, e.mulc(g, 4 * l.CB),
                             e.gep(wTap, e.mulc(g, 4 * l.OT * vecBytes)));
                      else
                        group(a, pix, e.mulc(g, l.CB),
                              e.gep(wTap, e.mulc(g, l.OT * vecBytes)));
                      return a;
                    });
      acc.assign(loop.getResults().begin(), loop.getResults().end());
      for (int64_t g = quads * 4; quads && g < full; ++g)
        group(acc, pix, e.c64(g * l.CB), e.gepc(wTap, g * l.OT * vecBytes));
      if (ragged)
        group(acc, pix, e.c64(l.groupStart(l.nG - 1, s.c)),
              e.gepc(wTap, (l.nG - 1) * l.OT * vecBytes));
    }
  emitNhwcEpilogue(e, s, l, tab, t, sum, out, ob, P, O, lastBlock, acc);
}

/// Depthwise tile: P pixels x O vectors of channels.
void emitDepthwiseNhwcTile(Emitter &e, const ConvSpec &s, const NhwcLayout &l,
                           const NhwcTables &tab, Value src, Value sum,
                           Value out, Value n, Value ob, Value pt, int64_t P,
                           int64_t O, bool lastBlock, bool checked) {
  TilePixels t = describePixels(e, s, l, n, pt, P);
  Value image = e.gep(src, e.mulc(n, s.h * s.w * s.c));
  Value zero = e.addressOf(tab.zero);
  Value wBase = e.gep(e.opaque(e.addressOf(tab.weights)),
                      e.mulc(ob, l.OT * l.taps * l.L * 4));
  SmallVector<Value> channel;
  for (int64_t o = 0; o < O; ++o)
    channel.push_back(vectorStart(e, l, e.addc(e.mulc(ob, l.OT), o), s.c));
  SmallVector<Value> acc = initialAccumulators(e, l, tab, ob, P, O);
  auto wide = e.vec(l.L, e.i32());
  auto w16 = e.vec(2 * l.L, e.i16());
  const bool pmadd = l.info.isa != Isa::Generic;
  const char *pmaddName =
      l.L == 16 ? "llvm.x86.avx512.pmaddw.d.512" : "llvm.x86.avx2.pmadd.wd";
  for (int64_t ky = 0; ky < s.kh; ++ky)
    for (int64_t kx = 0; kx < s.kw; ++kx) {
      const int64_t tap = ky * s.kw + kx;
      SmallVector<Value> ws;
      for (int64_t o = 0; o < O; ++o)
        ws.push_back(
            e.load(wide, e.gepc(wBase, ((o * l.taps + tap) * l.L) * 4)));
      for (int64_t p = 0; p < P; ++p) {
        Value pix = tapSource(e, s, t, image, zero, p, ky, kx, checked);
        for (int64_t o = 0; o < O; ++o) {
          Value x8 = e.load(e.vec(l.L, e.i8()), e.gep(pix, channel[o]));
          Value x =
              s.srcSigned
                  ? arith::ExtSIOp::create(e.b, e.loc, wide, x8).getResult()
                  : arith::ExtUIOp::create(e.b, e.loc, wide, x8).getResult();
          Value prod =
              pmadd ? LLVM::CallIntrinsicOp::create(
                          e.b, e.loc, wide, e.b.getStringAttr(pmaddName),
                          ValueRange{e.bitcast(x, w16), e.bitcast(ws[o], w16)})
                          .getResult(0)
                    : e.mul(x, ws[o]);
          acc[p * O + o] = e.add(acc[p * O + o], prod);
        }
      }
    }
  emitNhwcEpilogue(e, s, l, tab, t, sum, out, ob, P, O, lastBlock, acc);
}

} // namespace

std::string mlir::q::loops::checkChannelsLast(const ConvSpec &s) {
  if (std::string bad = checkSpec(s); !bad.empty())
    return bad;
  bool depthwise = isDepthwise(s);
  if (s.groups != 1 && !depthwise)
    return "grouped convolution (only dense and depthwise run channels last)";
  if (depthwise && s.c < kMaxLanes)
    return "depthwise convolution with fewer than 16 channels";
  if (!depthwise && s.c < 4)
    return "fewer than 4 input channels";
  if (s.oc < kMaxLanes)
    return "fewer than 16 output channels";
  // A depthwise conv's ragged last vector overlaps (its input loads need
  // it), so its results are written twice: not with a sum.
  if (depthwise && s.epi.hasSum && s.oc % kMaxLanes)
    return "a depthwise sum with channels not a multiple of 16";
  if (s.kh * s.kw > 49)
    return "kernel window larger than 7x7";
  return "";
}

FailureOr<VariantInfo> mlir::q::loops::emitNhwcConvVariant(
    OpBuilder &b, ModuleOp module, llvm::StringRef kernelName,
    const ConvSpec &s, Isa isa, TileOptions tiles) {
  if (!checkChannelsLast(s).empty())
    return failure();
  NhwcLayout l = makeNhwcLayout(s, isa, tiles);
  NhwcTables tab{(kernelName + "_w").str(), (kernelName + "_init").str(),
                 (kernelName + "_scale").str(), (kernelName + "_zero").str()};
  emitNhwcTables(b, module, s, l, tab);

  func::FuncOp fn = startKernel(b, module, kernelName, isa);
  Emitter e(b, fn.getLoc());
  if (l.partialLast)
    e.stagingSlot(); // at function level: loop bodies are not attached yet
  Value args = fn.getArgument(0);
  Value src = e.argPtr(args, 0);
  Value sum = s.epi.hasSum ? e.argPtr(args, 1) : Value();
  Value out = e.argPtr(args, s.epi.hasSum ? 2 : 1);
  // Tiles: image, then channel block, then pixels (consecutive tiles share
  // their weights).
  e.forLoop(fn.getArgument(1), fn.getArgument(2), [&](Value t) {
    Value pt = e.remc(t, l.nPT);
    Value rest = e.divc(t, l.nPT);
    Value ob = e.remc(rest, l.nOT);
    Value n = e.divc(rest, l.nOT);
    e.splitLast(ob, l.nOT, l.OTrem != l.OT || l.partialLast, [&](bool lastOb) {
      e.splitLast(pt, l.nPT, l.PTrem != l.PT, [&](bool lastPt) {
        int64_t P = lastPt ? l.PTrem : l.PT, O = lastOb ? l.OTrem : l.OT;
        auto tile = [&](bool checked) {
          if (l.depthwise)
            emitDepthwiseNhwcTile(e, s, l, tab, src, sum, out, n, ob, pt, P, O,
                                  lastOb, checked);
          else
            emitDenseNhwcTile(e, s, l, tab, src, sum, out, n, ob, pt, P, O,
                              lastOb, checked);
        };
        if (!l.padded)
          return tile(false);
        // Most tiles of a padded conv lie inside the image: their taps
        // need no checks (constant offsets from each pixel).
        Value inside = tileInside(e, s, describePixels(e, s, l, n, pt, P));
        auto ifOp = scf::IfOp::create(e.b, e.loc, TypeRange{}, inside, true);
        OpBuilder::InsertionGuard guard(e.b);
        e.b.setInsertionPointToStart(ifOp.thenBlock());
        tile(false);
        e.b.setInsertionPointToStart(ifOp.elseBlock());
        tile(true);
      });
    });
  });
  func::ReturnOp::create(b, e.loc);
  VariantInfo v;
  v.kernelTiles = s.n * l.nOT * l.nPT;
  return v;
}
