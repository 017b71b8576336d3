//===- ConvKernels.cpp - packed, register-tiled int8 convolution ----------===//
//
// Scratch layout (written by the pack kernel, one plane per image, group
// and block of `cb` input channels):
//
//   plane[phase = (y % sh) * sw + x % sw][y / sh][x / sw][cb]
//
// over the zero-padded input (y, x in padded coordinates). Splitting the
// stride phases makes every tap of a strided conv a stride-1 read, and
// reading output pixels on a flat grid of width Wq (the phase width) makes
// each tap of a run of consecutive output pixels a contiguous load: lanes
// of a vector are output pixels. Pixels with ow >= OW are computed and
// dropped when storing (the valid lanes of a vector map to consecutive
// NCHW addresses, stored with at most a few masked stores).
//
// Dense micro-kernel: P pixel vectors x O output channels of accumulators;
// per (channel block, tap) it loads P input vectors and broadcasts O weight
// groups, packed at compile time as [group][oc block][cb][tap][O][cb].
// Depthwise: per channel, P pixel vectors, taps widened to i32.
//
// Pixel tiles (small planes: 7x7, 14x14 with padding, where the flat grid
// of width Wq computes up to 30% padding columns): lanes are output
// channels instead. A tile is PT real output pixels x OT vectors of L
// channels; per (channel block, tap) it loads OT weight vectors (packed
// as [oc block][cb][tap][OT*L][cb]) and broadcasts each pixel's group from
// the same scratch. The epilogue transposes the tile through the stack so
// each channel's PT pixels are one contiguous store.
//
//===----------------------------------------------------------------------===//

#include "Emitter.h"

#include "mlir/Dialect/Math/IR/Math.h"

#include <functional>

using namespace mlir;
using namespace mlir::q::loops;

namespace {


struct ConvLayout {
  IsaInfo info;
  bool depthwise;
  int64_t G, Cg, OCg, CB, eb, Cgb, L;
  int64_t OH, OW, Hq, Wq, F, V, phases, planeElems, planeBytes;
  /// Elements from one stride phase to the next: Hq*Wq plus a chunk, as
  /// the pack's last chunk of a row writes up to R-1 columns past it and
  /// the phases' rows are written interleaved.
  int64_t phaseElems;
  int64_t P, O, nPB, nOB, Prem, Orem;
  int64_t R; ///< scratch columns per pack vector
  /// Pixel-tile kernel: PT pixels x OT channel vectors per tile.
  bool pixelTiles = false;
  int64_t PT = 0, OT = 0, nPT = 0, nOT = 0, PTrem = 0;
  int64_t mult; ///< depthwise channel multiplier (OCg)

  int64_t tapOffset(const ConvSpec &s, int64_t ky, int64_t kx) const {
    int64_t y = ky * s.dh, x = kx * s.dw;
    int64_t phase = (y % s.sh) * s.sw + x % s.sw;
    return phase * phaseElems + (y / s.sh) * Wq + x / s.sw;
  }
};

ConvLayout makeLayout(const ConvSpec &s, Isa isa, TileOptions tiles) {
  ConvLayout l;
  l.G = s.groups;
  l.Cg = s.c / s.groups;
  l.info = isaInfo(isa, isa == Isa::Avx2 &&
                            weightPairsFitInt16(s.weight, s.oc, l.Cg,
                                                s.kh * s.kw));
  l.OCg = s.oc / s.groups;
  l.depthwise = l.Cg == 1 && s.groups > 1;
  l.CB = l.depthwise ? 1 : l.info.cb;
  l.eb = l.depthwise ? 1 : l.info.elemBytes;
  l.Cgb = (l.Cg + l.CB - 1) / l.CB;
  l.L = l.info.lanes;
  l.OH = s.oh();
  l.OW = s.ow();
  l.Hq = (s.h + s.pt + s.pb + s.sh - 1) / s.sh;
  l.Wq = (s.w + s.pl + s.pr + s.sw - 1) / s.sw;
  l.F = l.OH * l.Wq;
  l.V = (l.F + l.L - 1) / l.L;
  l.phases = s.sh * s.sw;
  // Rows of at most 8 columns (7x7 and strided 14x14 planes) pack in
  // chunks of 8: half the bytes, and in-lane shuffles on avx2.
  l.R = l.Wq <= 8 ? 8 : 16;
  l.phaseElems = l.phases > 1 ? l.Hq * l.Wq + l.R : l.Hq * l.Wq;
  int64_t maxRead = 0;
  for (int64_t ky = 0; ky < s.kh; ++ky)
    for (int64_t kx = 0; kx < s.kw; ++kx)
      maxRead = std::max(maxRead, l.tapOffset(s, ky, kx) + l.V * l.L);
  // The pack writes whole chunks, up to R-1 columns past a row.
  int64_t elems = std::max(maxRead, l.phases * l.phaseElems + l.R);
  int64_t align = 64 / (l.CB * l.eb);
  l.planeElems = (elems + align - 1) / align * align;
  l.planeBytes = l.planeElems * l.CB * l.eb;
  if (l.depthwise) {
    l.P = tiles.p ? tiles.p : 4;
    l.O = 1;
  } else {
    l.P = tiles.p ? tiles.p : l.info.tileP;
    l.O = tiles.o ? tiles.o : l.info.tileO;
  }
  l.P = std::min(l.P, l.V);
  l.O = std::min(l.O, l.OCg);
  l.nPB = (l.V + l.P - 1) / l.P;
  l.Prem = l.V - (l.nPB - 1) * l.P;
  l.nOB = (l.OCg + l.O - 1) / l.O;
  l.Orem = l.OCg - (l.nOB - 1) * l.O;
  l.mult = l.OCg;

  // Pixel tiles where their transposing epilogue is small next to the
  // reduction (K = Cg * taps) and they gain: the flat grid wastes over 10%
  // on padding columns, or the plane is small. The thresholds come from
  // q-bench-loops run both ways on every layer of the three models
  // (docs/PERFORMANCE.md); tile options given by hand keep the dense tile.
  const int64_t taps = s.kh * s.kw, ohw = l.OH * l.OW, K = l.Cg * taps;
  const bool wasteful = l.V * l.L * 10 > ohw * 11;
  bool fits = !l.depthwise && s.groups == 1 && !s.epi.hasSum &&
              s.epi.out != OutType::F32 && taps <= 9;
  bool pays;
  if (l.info.isa == Isa::Avx512Vnni)
    pays = (K >= 256 && (wasteful || (taps > 1 && ohw <= 28 * 28))) ||
           (K >= 160 && ohw <= 7 * 7);
  else
    pays = K >= 144 && (wasteful || taps > 1 || ohw <= 14 * 14);
  pays = pays && !tiles.p && !tiles.o;
  l.pixelTiles = fits && (pays || tiles.forcePixelTiles);
  if (l.pixelTiles) {
    // 24 of 32 zmm accumulate; avx2 keeps 8 of 16 ymm (room for the
    // vpmaddubsw temporaries).
    l.PT = l.info.isa == Isa::Avx512Vnni ? 6 : 4;
    l.OT = l.info.isa == Isa::Avx512Vnni ? 4 : 2;
    l.nPT = (ohw + l.PT - 1) / l.PT;
    l.PTrem = ohw - (l.nPT - 1) * l.PT;
    l.nOT = (l.OCg + l.OT * l.L - 1) / (l.OT * l.L);
  }
  return l;
}

} // namespace

std::string mlir::q::loops::checkSpec(const ConvSpec &s) {
  if (s.n < 1 || s.c < 1 || s.h < 1 || s.w < 1 || s.oc < 1 || s.kh < 1 ||
      s.kw < 1)
    return "empty shape";
  if (s.sh < 1 || s.sw < 1 || s.dh < 1 || s.dw < 1)
    return "stride and dilation must be positive";
  if (s.pt < 0 || s.pl < 0 || s.pb < 0 || s.pr < 0)
    return "negative padding";
  if (s.groups < 1 || s.c % s.groups || s.oc % s.groups)
    return "channels do not divide into groups";
  if (s.oh() < 1 || s.ow() < 1)
    return "empty output";
  if ((int64_t)s.weight.size() != s.oc * (s.c / s.groups) * s.kh * s.kw)
    return "weight size does not match the shape";
  if ((int64_t)s.epi.scale.size() != s.oc)
    return "one scale per output channel expected";
  if (!s.epi.bias.empty() && (int64_t)s.epi.bias.size() != s.oc)
    return "one bias per output channel expected";
  return "";
}

//===----------------------------------------------------------------------===//
// Pack: NCHW -> padded, phase-split, channel-blocked scratch
//===----------------------------------------------------------------------===//

static void emitConvPack(OpBuilder &b, ModuleOp module, llvm::StringRef name,
                         const ConvSpec &s, const ConvLayout &l) {
  func::FuncOp fn = startKernel(b, module, name, l.info.isa);
  Emitter e(b, fn.getLoc());
  Value args = fn.getArgument(0);
  Value src = e.argPtr(args, 0);
  Value dst = e.argPtr(args, 1);
  const int64_t R = l.R, CB = l.CB;
  const bool shift = !l.depthwise && l.info.shiftSigned && s.srcSigned;
  const bool wide = l.eb == 2;
  Type elem = wide ? e.i16() : e.i8();
  const int64_t nChunks = (l.Wq + R - 1) / R;
  const int64_t rowBytes = l.Wq * CB * l.eb;

  e.forLoop(fn.getArgument(1), fn.getArgument(2), [&](Value t) {
    Value cb = e.remc(t, l.Cgb);
    Value rest = e.divc(t, l.Cgb);
    Value g = e.remc(rest, l.G);
    Value n = e.divc(rest, l.G);
    Value plane = e.gep(dst, e.mulc(t, l.planeBytes));
    // Channels past the group (the last block's padding) read the group's
    // last channel: their weights are 0, only the memory must be valid.
    SmallVector<Value> chan, chanStart;
    for (int64_t j = 0; j < CB; ++j) {
      Value local = e.addc(e.mulc(cb, CB), j);
      Value last = e.c64(l.Cg - 1);
      Value clamped = arith::MinUIOp::create(b, e.loc, local, last);
      Value c = e.add(e.add(e.mulc(n, s.c), e.mulc(g, l.Cg)), clamped);
      chanStart.push_back(e.mulc(c, s.h * s.w));
      chan.push_back(e.gep(src, chanStart.back()));
    }
    const int64_t srcBytes = s.n * s.c * s.h * s.w;
    Value padVec = e.splatConst(R * CB, shift ? (Attribute)b.getI8IntegerAttr(-128)
                                               : (Attribute)b.getIntegerAttr(elem, 0));
    // Only the phases some tap reads (a strided 1x1 reads one of four).
    SmallVector<bool> phaseRead(s.sh * s.sw, false);
    for (int64_t ky = 0; ky < s.kh; ++ky)
      for (int64_t kx = 0; kx < s.kw; ++kx)
        phaseRead[(ky * s.dh % s.sh) * s.sw + kx * s.dw % s.sw] = true;
    const int64_t span = R * s.sw;
    auto spanType = e.vec(span, e.i8());
    for (int64_t ph = 0; ph < s.sh; ++ph) {
      SmallVector<int64_t> pws; // the column phases read in this row phase
      for (int64_t pw = 0; pw < s.sw; ++pw)
        if (phaseRead[ph * s.sw + pw])
          pws.push_back(pw);
      if (pws.empty())
        continue;
      auto phaseBase = [&](int64_t pw) {
        return e.gepc(plane, (ph * s.sw + pw) * l.phaseElems * CB * l.eb);
      };
      // Rows r whose source row r*sh + ph - pt lies in [0, h).
      int64_t rA = std::max<int64_t>(0, (s.pt - ph + s.sh - 1) / s.sh);
      int64_t rB = std::min<int64_t>(l.Hq, (s.h + s.pt - ph + s.sh - 1) / s.sh);
      rB = std::max(rA, rB);
      auto padRows = [&](int64_t from, int64_t to) {
        for (int64_t pw : pws)
          e.forLoop(from, to, [&](Value r) {
            Value row = e.gep(phaseBase(pw), e.mulc(r, rowBytes));
            for (int64_t k = 0; k < nChunks; ++k)
              e.store(padVec, e.gepc(row, k * R * CB * l.eb));
          });
      };
      padRows(0, rA);
      e.forLoop(rA, rB, [&](Value r) {
        Value y = e.addc(e.mulc(r, s.sh), ph - s.pt);
        for (int64_t k = 0; k < nChunks; ++k) {
          // Chunk k of column phase pw reads columns s0 + i*sw, s0 =
          // base + pw, i < R: all within [c0, c0 + span), so one load
          // from c0 serves every phase, each placing its columns with one
          // constant shuffle (zeros for the padding). Masked byte loads
          // would be split lane by lane on avx2.
          const int64_t base = k * R * s.sw - s.pl;
          const int64_t c0 = std::max<int64_t>(base, 0);
          auto inRow = [&](int64_t col) { return col >= 0 && col < s.w; };
          bool any = false; // some column of some phase is in the row
          for (int64_t pw : pws)
            for (int64_t i = 0; i < R; ++i)
              any |= inRow(base + pw + i * s.sw);
          Value zeros = e.splatConst(span, b.getI8IntegerAttr(0));
          SmallVector<Value> loaded;
          for (int64_t j = 0; j < CB && any; ++j) {
            Value rowOff = e.addc(e.mulc(y, s.w), c0);
            Value p = e.gep(chan[j], rowOff);
            if (c0 + span <= s.w) {
              loaded.push_back(e.load(spanType, p));
              continue;
            }
            // Reading past the row (into the next row or plane) is
            // harmless unless it passes the end of the input.
            Value end = e.addc(e.add(chanStart[j], rowOff), span);
            Value safe =
                e.cmp(arith::CmpIPredicate::sle, end, e.c64(srcBytes));
            auto ifOp =
                scf::IfOp::create(b, e.loc, TypeRange{spanType}, safe, true);
            OpBuilder::InsertionGuard guard(b);
            b.setInsertionPointToStart(ifOp.thenBlock());
            scf::YieldOp::create(b, e.loc, e.load(spanType, p));
            b.setInsertionPointToStart(ifOp.elseBlock());
            SmallVector<bool> mask(span);
            for (int64_t i = 0; i < span; ++i)
              mask[i] = c0 + i < s.w;
            scf::YieldOp::create(
                b, e.loc, e.maskedLoad(spanType, p, e.constMask(mask), zeros));
            b.setInsertionPointAfter(ifOp);
            loaded.push_back(ifOp.getResult(0));
          }
          for (int64_t pw : pws) {
            SmallVector<int64_t> pick;
            for (int64_t i = 0; i < R; ++i) {
              int64_t col = base + pw + i * s.sw;
              pick.push_back(inRow(col) ? col - c0 : span);
            }
            SmallVector<Value> parts;
            for (int64_t j = 0; j < CB; ++j) {
              Value v = any ? e.shuffle(loaded[j], zeros, pick)
                            : e.splatConst(R, b.getI8IntegerAttr(0));
              if (wide) {
                auto w16 = e.vec(R, e.i16());
                v = s.srcSigned ? arith::ExtSIOp::create(b, e.loc, w16, v)
                                      .getResult()
                                : arith::ExtUIOp::create(b, e.loc, w16, v)
                                      .getResult();
              }
              parts.push_back(v);
            }
            Value out;
            if (CB == 1) {
              out = parts[0];
            } else if (CB == 2) {
              SmallVector<int64_t> m;
              for (int64_t i = 0; i < R; ++i)
                m.append({i, R + i});
              out = e.shuffle(parts[0], parts[1], m);
            } else {
              SmallVector<int64_t> m2, m4;
              for (int64_t i = 0; i < R; ++i)
                m2.append({i, R + i});
              for (int64_t i = 0; i < R; ++i)
                m4.append({2 * i, 2 * i + 1, 2 * R + 2 * i, 2 * R + 2 * i + 1});
              Value ab = e.shuffle(parts[0], parts[1], m2);
              Value cd = e.shuffle(parts[2], parts[3], m2);
              out = e.shuffle(ab, cd, m4);
            }
            if (shift)
              out = arith::XOrIOp::create(
                  b, e.loc, out,
                  e.splatConst(R * CB, b.getI8IntegerAttr(-128)));
            Value row = e.gep(phaseBase(pw), e.mulc(r, rowBytes));
            e.store(out, e.gepc(row, k * R * CB * l.eb));
          }
        }
      });
      padRows(rB, l.Hq);
    }
  });
  func::ReturnOp::create(b, e.loc);
}

//===----------------------------------------------------------------------===//
// Storing a vector of flat output pixels into an NCHW plane
//===----------------------------------------------------------------------===//

namespace {
/// Where the lanes of one pixel vector go: computed once, used for every
/// output channel (and for loading the sum).
struct PixelRun {
  Value fast;   ///< i1: all lanes valid and in one row
  Value dest;   ///< i64: element offset of lane 0 when fast
  SmallVector<Value> segBase; ///< i64 per segment: offset of lane 0
  SmallVector<Value> segMask; ///< vector<Lxi1> per segment
  /// i64 per segment: its lanes are [segLo, segLo + segWidth) clipped to
  /// [0, L) (segLo may be negative).
  SmallVector<Value> segLo, segWidth;
};
} // namespace

static PixelRun describeRun(Emitter &e, const ConvLayout &l, Value f0) {
  PixelRun run;
  const int64_t L = l.L;
  Value iota = e.iota(L);
  auto lt = arith::CmpIPredicate::slt;
  if (l.Wq == l.OW) {
    // Rows are contiguous: only the end of the plane needs a mask.
    Value end = e.addc(f0, L);
    run.fast = e.cmp(arith::CmpIPredicate::sle, end, e.c64(l.F));
    run.dest = f0;
    Value left = arith::SubIOp::create(e.b, e.loc, e.c64(l.F), f0);
    run.segBase.push_back(f0);
    run.segMask.push_back(e.cmp(lt, iota, e.splatLane(left, L)));
    run.segLo.push_back(e.c64(0));
    run.segWidth.push_back(left);
    return run;
  }
  Value oh = e.divc(f0, l.Wq);
  Value ow0 = e.remc(f0, l.Wq);
  Value fitsRow = e.cmp(arith::CmpIPredicate::sle, e.addc(ow0, L), e.c64(l.OW));
  Value inRows = e.cmp(lt, oh, e.c64(l.OH));
  run.fast = arith::AndIOp::create(e.b, e.loc, fitsRow, inRows);
  run.dest = e.add(e.mulc(oh, l.OW), ow0);
  int64_t segments = (l.Wq - 1 + L - 1) / l.Wq + 1;
  for (int64_t sIdx = 0; sIdx < segments; ++sIdx) {
    // Lanes j with ow0 + j in [sIdx*Wq, sIdx*Wq + OW) on row oh + sIdx.
    Value lo = arith::SubIOp::create(e.b, e.loc, e.c64(sIdx * l.Wq), ow0);
    Value row = e.addc(oh, sIdx);
    // Rows past the plane get an empty lane range (hi = lo).
    Value rowOk = e.cmp(lt, row, e.c64(l.OH));
    Value width = arith::SelectOp::create(e.b, e.loc, rowOk, e.c64(l.OW),
                                          e.c64(0));
    // j - lo in [0, width), as one unsigned compare.
    Value rel = arith::SubIOp::create(e.b, e.loc, iota, e.splatLane(lo, L));
    Value m = e.cmp(arith::CmpIPredicate::ult, rel, e.splatLane(width, L));
    run.segMask.push_back(m);
    run.segBase.push_back(
        arith::SubIOp::create(e.b, e.loc, e.mulc(row, l.OW), lo));
    run.segLo.push_back(lo);
    run.segWidth.push_back(width);
  }
  return run;
}

/// Copies bytes [a, a + n) from `from + a` to `to + a`, 0 <= n <= 16, with
/// two overlapping moves of 8, 4, 2 or 1 bytes: a few compares per row
/// segment instead of a branch per lane.
static void copyByteRange(Emitter &e, Value from, Value to, Value a, Value n) {
  auto moves = [&](int64_t width) {
    Type t = e.b.getIntegerType(width * 8);
    Value last = e.add(a, e.addc(n, -width));
    for (Value at : {a, last})
      e.store(e.load(t, e.gep(from, at)), e.gep(to, at));
  };
  // n >= 8 ? 8 : n >= 4 ? 4 : n >= 2 ? 2 : n == 1 ? 1 : nothing.
  std::function<void(ArrayRef<int64_t>)> chain = [&](ArrayRef<int64_t> widths) {
    if (widths.empty())
      return;
    Value fits = e.cmp(arith::CmpIPredicate::sge, n, e.c64(widths.front()));
    auto ifOp = scf::IfOp::create(e.b, e.loc, TypeRange{}, fits,
                                  widths.size() > 1);
    OpBuilder::InsertionGuard guard(e.b);
    e.b.setInsertionPointToStart(ifOp.thenBlock());
    moves(widths.front());
    if (widths.size() > 1) {
      e.b.setInsertionPointToStart(ifOp.elseBlock());
      chain(widths.drop_front());
    }
  };
  chain({8, 4, 2, 1});
}

/// Lane range [a, a + n) of segment i, clipped to [0, L).
static std::pair<Value, Value> segmentLanes(Emitter &e, const PixelRun &run,
                                            size_t i, int64_t L) {
  Value lo = run.segLo[i];
  Value a = arith::MaxSIOp::create(e.b, e.loc, lo, e.c64(0));
  Value b = arith::MinSIOp::create(e.b, e.loc, e.add(lo, run.segWidth[i]),
                                   e.c64(L));
  Value n = arith::MaxSIOp::create(
      e.b, e.loc, arith::SubIOp::create(e.b, e.loc, b, a), e.c64(0));
  return {a, n};
}

static Value loadRun(Emitter &e, const PixelRun &run, Value plane,
                     VectorType type, int64_t eb) {
  auto ifOp = scf::IfOp::create(e.b, e.loc, TypeRange{type}, run.fast, true);
  {
    OpBuilder::InsertionGuard guard(e.b);
    e.b.setInsertionPointToStart(ifOp.thenBlock());
    Value v = e.load(type, e.gep(plane, e.mulc(run.dest, eb)));
    scf::YieldOp::create(e.b, e.loc, v);
    e.b.setInsertionPointToStart(ifOp.elseBlock());
    if (eb == 1) {
      // Bytes through the staging slot (lanes outside every segment keep
      // stale bytes: they belong to dropped pixels).
      Value slot = e.stagingSlot();
      for (size_t i = 0; i < run.segBase.size(); ++i) {
        auto [a, n] = segmentLanes(e, run, i, type.getNumElements());
        copyByteRange(e, e.gep(plane, run.segBase[i]), slot, a, n);
      }
      scf::YieldOp::create(e.b, e.loc, e.load(type, slot));
      return ifOp.getResult(0);
    }
    Value acc = e.splatConst(type.getNumElements(),
                             e.b.getZeroAttr(type.getElementType()));
    for (size_t i = 0; i < run.segBase.size(); ++i)
      acc = e.maskedLoad(type, e.gep(plane, e.mulc(run.segBase[i], eb)),
                         run.segMask[i], acc);
    scf::YieldOp::create(e.b, e.loc, acc);
  }
  return ifOp.getResult(0);
}

static void storeRun(Emitter &e, const PixelRun &run, Value plane, Value v,
                     int64_t eb) {
  auto ifOp = scf::IfOp::create(e.b, e.loc, TypeRange{}, run.fast, true);
  OpBuilder::InsertionGuard guard(e.b);
  e.b.setInsertionPointToStart(ifOp.thenBlock());
  e.store(v, e.gep(plane, e.mulc(run.dest, eb)));
  e.b.setInsertionPointToStart(ifOp.elseBlock());
  if (eb == 4) {
    for (size_t i = 0; i < run.segBase.size(); ++i)
      e.maskedStore(v, e.gep(plane, e.mulc(run.segBase[i], eb)),
                    run.segMask[i]);
    return;
  }
  // Bytes through a staging slot and overlapping scalar moves, not masked
  // stores: LLVM 22 miscompiles some masked byte stores on AVX-512
  // (masked-off lanes get written), and avx2 has none. Only partial
  // vectors get here.
  int64_t L = llvm::cast<VectorType>(v.getType()).getNumElements();
  Value slot = e.stagingSlot();
  e.store(v, slot);
  for (size_t i = 0; i < run.segBase.size(); ++i) {
    auto [a, n] = segmentLanes(e, run, i, L);
    copyByteRange(e, slot, e.gep(plane, run.segBase[i]), a, n);
  }
}

//===----------------------------------------------------------------------===//
// Compute kernels
//===----------------------------------------------------------------------===//

namespace {
struct ConvTables {
  std::string weights, init, scale;
};

/// Writes the epilogue of P x O accumulators for output channels
/// ocBase + o of image n, pixel vectors starting at flat pixel f0.
void emitConvEpilogue(Emitter &e, const ConvSpec &s, const ConvLayout &l,
                      const ConvTables &tab, Value out, Value sum, Value n,
                      Value ocBase, Value f0, int64_t P, int64_t O,
                      ArrayRef<Value> acc) {
  const int64_t L = l.L;
  const int64_t oeb = outElementBytes(s.epi);
  const int64_t planeElems = l.OH * l.OW;
  Value scaleTab = e.addressOf(tab.scale);
  std::vector<PixelRun> runs;
  for (int64_t p = 0; p < P; ++p)
    runs.push_back(describeRun(e, l, e.addc(f0, p * L)));
  for (int64_t o = 0; o < O; ++o) {
    Value oc = e.addc(ocBase, o);
    Value scale = e.splat(e.load(e.f32(), e.gep(scaleTab, e.mulc(oc, 4))), L);
    Value plane = e.add(e.mulc(n, s.oc), oc);
    Value outPlane = e.gep(out, e.mulc(plane, planeElems * oeb));
    Value sumPlane =
        sum ? e.gep(sum, e.mulc(plane, planeElems)) : Value();
    for (int64_t p = 0; p < P; ++p) {
      Value sv = sum ? loadRun(e, runs[p], sumPlane, e.vec(L, e.i8()), 1)
                     : Value();
      Value t = emitEpilogueMath(e, s.epi, acc[p * O + o], scale, sv);
      storeRun(e, runs[p], outPlane, emitOutputConversion(e, s.epi, t), oeb);
    }
  }
}

/// Dense micro-kernel over P pixel vectors x O output channels.
void emitDenseTile(Emitter &e, const ConvSpec &s, const ConvLayout &l,
                   const ConvTables &tab, Value scratch, Value out, Value sum,
                   Value n, Value g, Value ob, Value pb, int64_t P, int64_t O) {
  const IsaInfo &info = l.info;
  const int64_t L = l.L, taps = s.kh * s.kw;
  const int64_t groupBytes = l.CB * l.eb;
  const int64_t wBlockBytes = l.Cgb * taps * l.O * groupBytes;
  Value f0 = e.mulc(pb, l.P * L);
  Value planes = e.mulc(e.add(e.mulc(n, l.G), g), l.Cgb);
  Value xBase = e.gep(e.gep(scratch, e.mulc(planes, l.planeBytes)),
                      e.mulc(f0, groupBytes));
  Value wBase = e.gep(e.opaque(e.addressOf(tab.weights)),
                      e.mulc(e.add(e.mulc(g, l.nOB), ob), wBlockBytes));
  Value ocBase = e.add(e.mulc(g, l.OCg), e.mulc(ob, l.O));
  Value initTab = e.addressOf(tab.init);
  SmallVector<Value> init;
  for (int64_t o = 0; o < O; ++o) {
    Value v = e.load(e.i32(), e.gep(initTab, e.mulc(e.addc(ocBase, o), 4)));
    init.push_back(e.splat(v, L));
  }
  SmallVector<Value> acc0;
  for (int64_t p = 0; p < P; ++p)
    acc0.append(init.begin(), init.end());
  VectorType xType = e.dotOperandType(info);
  // One (channel block, tap) step: P loads, O broadcasts, P*O dots.
  auto step = [&](SmallVector<Value> &acc, Value xb, Value wb, int64_t xOff,
                  int64_t wOff) {
    SmallVector<Value> xs;
    for (int64_t p = 0; p < P; ++p)
      xs.push_back(e.load(xType, e.gepc(xb, (xOff + p * L) * groupBytes)));
    for (int64_t o = 0; o < O; ++o) {
      Value w = e.broadcastGroup(info, e.gepc(wb, (wOff + o) * groupBytes));
      for (int64_t p = 0; p < P; ++p)
        acc[p * O + o] = e.dot(info, acc[p * O + o], xs[p], w);
    }
  };
  // Large kernels (the 7x7 stem) loop over kernel rows: fully unrolled,
  // the scheduler hoists dozens of loads and the tile spills.
  const bool rowLoop = taps > 9;
  auto loop = e.forLoop(
      e.c64(0), e.c64(l.Cgb), acc0, [&](Value cb, ValueRange iter) {
        SmallVector<Value> acc(iter.begin(), iter.end());
        Value xb = e.gep(xBase, e.mulc(cb, l.planeBytes));
        Value wb = e.gep(wBase, e.mulc(cb, taps * l.O * groupBytes));
        if (!rowLoop) {
          for (int64_t ky = 0; ky < s.kh; ++ky)
            for (int64_t kx = 0; kx < s.kw; ++kx)
              step(acc, xb, wb, l.tapOffset(s, ky, kx),
                   (ky * s.kw + kx) * l.O);
          return acc;
        }
        auto rows = e.forLoop(
            e.c64(0), e.c64(s.kh), acc, [&](Value ky, ValueRange it) {
              SmallVector<Value> a(it.begin(), it.end());
              Value y = e.mulc(ky, s.dh);
              Value rowOff = e.add(
                  e.mulc(e.remc(y, s.sh), s.sw * l.phaseElems),
                  e.mulc(e.divc(y, s.sh), l.Wq));
              Value xr = e.gep(xb, e.mulc(rowOff, groupBytes));
              Value wr = e.gep(wb, e.mulc(ky, s.kw * l.O * groupBytes));
              for (int64_t kx = 0; kx < s.kw; ++kx)
                step(a, xr, wr, l.tapOffset(s, 0, kx), kx * l.O);
              return a;
            });
        return SmallVector<Value>(rows.getResults().begin(),
                                  rows.getResults().end());
      });
  SmallVector<Value> acc(loop.getResults().begin(), loop.getResults().end());
  emitConvEpilogue(e, s, l, tab, out, sum, n, ocBase, f0, P, O, acc);
}

/// Depthwise micro-kernel: one output channel, P pixel vectors.
void emitDepthwiseTile(Emitter &e, const ConvSpec &s, const ConvLayout &l,
                       const ConvTables &tab, Value scratch, Value out,
                       Value sum, Value n, Value oc, Value pb, int64_t P) {
  const int64_t L = l.L, taps = s.kh * s.kw;
  Value f0 = e.mulc(pb, l.P * L);
  Value g = e.divc(oc, l.mult);
  Value plane = e.add(e.mulc(n, l.G), g);
  Value xBase = e.gep(e.gep(scratch, e.mulc(plane, l.planeBytes)), f0);
  // Weights are stored widened to i32: one vpbroadcastd from memory each,
  // loaded once per tile (taps + 2 registers with the pixel loop below).
  Value wBase =
      e.gep(e.opaque(e.addressOf(tab.weights)), e.mulc(oc, taps * 4));
  Value initV = e.load(e.i32(), e.gep(e.addressOf(tab.init), e.mulc(oc, 4)));
  auto wide = e.vec(L, e.i32());
  const bool pmadd = l.info.isa != Isa::Generic;
  SmallVector<Value> ws;
  for (int64_t tap = 0; tap < taps; ++tap)
    ws.push_back(e.splat(e.load(e.i32(), e.gepc(wBase, 4 * tap)), L));
  // Pixel vector outermost, taps inner: one accumulator live at a time
  // (taps-major order made LLVM keep P x taps widened loads live).
  for (int64_t p = 0; p < P; ++p) {
    Value a = e.splat(initV, L);
    for (int64_t tap = 0; tap < taps; ++tap) {
      int64_t off = l.tapOffset(s, tap / s.kw, tap % s.kw);
      Value x8 = e.load(e.vec(L, e.i8()), e.gepc(xBase, off + p * L));
      Value x = s.srcSigned
                    ? arith::ExtSIOp::create(e.b, e.loc, wide, x8).getResult()
                    : arith::ExtUIOp::create(e.b, e.loc, wide, x8).getResult();
      Value prod;
      if (pmadd) {
        // vpmaddwd on i16 pairs: x widened to i32 is (x, 0) or (x, -1);
        // the weight table holds (w, 0), so the pair sum is x * w.
        auto w16 = e.vec(2 * L, e.i16());
        const char *name = L == 16 ? "llvm.x86.avx512.pmaddw.d.512"
                                   : "llvm.x86.avx2.pmadd.wd";
        prod = LLVM::CallIntrinsicOp::create(
                   e.b, e.loc, wide, e.b.getStringAttr(name),
                   ValueRange{e.bitcast(x, w16), e.bitcast(ws[tap], w16)})
                   .getResult(0);
      } else {
        prod = e.mul(x, ws[tap]);
      }
      a = e.add(a, prod);
    }
    // Epilogue right away, then a barrier: otherwise LLVM schedules the
    // next vectors' loads first and spills them.
    emitConvEpilogue(e, s, l, tab, out, sum, n, oc, e.addc(f0, p * L), 1, 1,
                     {a});
    e.barrier();
  }
}

/// Stores bytes [0, n) of `from` to `to` with at most two overlapping
/// moves (n known when generating, 1 <= n <= 16).
void copyBytes(Emitter &e, Value from, Value to, int64_t n) {
  int64_t width = 1;
  while (width * 2 <= std::min<int64_t>(n, 8))
    width *= 2;
  Type t = e.b.getIntegerType(width * 8);
  for (int64_t at : {int64_t(0), n - width})
    e.store(e.load(t, e.gepc(from, at)), e.gepc(to, at));
  if (n > 2 * width) // n in (16, ...]: not generated
    llvm::report_fatal_error("copyBytes: run too long");
}

/// Pixel-tile micro-kernel: P real output pixels x OT*L output channels,
/// of which `channels` exist (the last channel block may be short).
void emitPixelTile(Emitter &e, const ConvSpec &s, const ConvLayout &l,
                   const ConvTables &tab, Value scratch, Value out, Value n,
                   Value ob, Value pb, int64_t P, int64_t channels) {
  const IsaInfo &info = l.info;
  const int64_t L = l.L, O = l.OT, taps = s.kh * s.kw, block = O * L;
  const int64_t groupBytes = l.CB * l.eb, ohw = l.OH * l.OW;
  Value r0 = e.mulc(pb, l.PT);
  // Each pixel's offset in the phase grid (row pitch Wq).
  SmallVector<Value> pixOff;
  for (int64_t p = 0; p < P; ++p) {
    Value r = e.addc(r0, p);
    pixOff.push_back(
        e.mulc(e.add(e.mulc(e.divc(r, l.OW), l.Wq), e.remc(r, l.OW)),
               groupBytes));
  }
  Value xBase = e.gep(scratch, e.mulc(n, l.Cgb * l.planeBytes));
  const int64_t wBlockBytes = l.Cgb * taps * block * groupBytes;
  Value wBase = e.gep(e.opaque(e.addressOf(tab.weights)),
                      e.mulc(ob, wBlockBytes));
  Value ocBase = e.mulc(ob, block);
  Value initTab = e.gep(e.addressOf(tab.init + "v"), e.mulc(ocBase, 4));
  SmallVector<Value> acc0;
  for (int64_t p = 0; p < P; ++p)
    for (int64_t o = 0; o < O; ++o)
      acc0.push_back(e.load(e.vec(L, e.i32()), e.gepc(initTab, o * L * 4)));
  VectorType wType = e.dotOperandType(info);
  auto loop = e.forLoop(
      e.c64(0), e.c64(l.Cgb), acc0, [&](Value cb, ValueRange iter) {
        SmallVector<Value> acc(iter.begin(), iter.end());
        Value xb = e.gep(xBase, e.mulc(cb, l.planeBytes));
        Value wb = e.gep(wBase, e.mulc(cb, taps * block * groupBytes));
        for (int64_t ky = 0; ky < s.kh; ++ky)
          for (int64_t kx = 0; kx < s.kw; ++kx) {
            int64_t tap = ky * s.kw + kx;
            Value xt = e.gepc(xb, l.tapOffset(s, ky, kx) * groupBytes);
            SmallVector<Value> ws;
            for (int64_t o = 0; o < O; ++o)
              ws.push_back(e.load(
                  wType, e.gepc(wb, (tap * block + o * L) * groupBytes)));
            for (int64_t p = 0; p < P; ++p) {
              Value x = e.broadcastGroup(info, e.gep(xt, pixOff[p]));
              for (int64_t o = 0; o < O; ++o)
                acc[p * O + o] = e.dot(info, acc[p * O + o], x, ws[o]);
            }
          }
        return acc;
      });
  // Epilogue: lanes are channels; stage [p][channel] bytes, transpose to
  // [channel][p] and store each channel's P pixels at once.
  Value scaleTab = e.gep(e.addressOf(tab.scale + "v"), e.mulc(ocBase, 4));
  Value stage = e.stagingSlot();
  for (int64_t o = 0; o < O; ++o) {
    Value scale = e.load(e.vec(L, e.f32()), e.gepc(scaleTab, o * L * 4));
    for (int64_t p = 0; p < P; ++p) {
      Value t = emitEpilogueMath(e, s.epi, loop.getResult(p * O + o), scale,
                                 Value());
      e.store(emitOutputConversion(e, s.epi, t),
              e.gepc(stage, p * block + o * L));
    }
  }
  Value tile = e.load(e.vec(P * block, e.i8()), stage);
  SmallVector<int64_t> transpose;
  for (int64_t c = 0; c < block; ++c)
    for (int64_t p = 0; p < P; ++p)
      transpose.push_back(p * block + c);
  e.store(e.shuffle(tile, tile, transpose), stage);
  Value outBase =
      e.gep(out, e.add(e.mulc(e.add(e.mulc(n, s.oc), ocBase), ohw), r0));
  for (int64_t c = 0; c < channels; ++c)
    copyBytes(e, e.gepc(stage, c * P), e.gepc(outBase, c * ohw), P);
}


/// Weight packing and per-channel tables for one ISA.
void emitConvTables(OpBuilder &b, ModuleOp module, const ConvSpec &s,
                    const ConvLayout &l, const ConvTables &tab) {
  const int64_t taps = s.kh * s.kw;
  std::vector<int64_t> wsum(s.oc, 0);
  for (int64_t oc = 0; oc < s.oc; ++oc)
    for (int64_t i = 0; i < l.Cg * taps; ++i)
      wsum[oc] += s.weight[oc * l.Cg * taps + i];
  std::vector<int32_t> init(s.oc);
  for (int64_t oc = 0; oc < s.oc; ++oc) {
    int64_t v = s.epi.bias.empty() ? 0 : s.epi.bias[oc];
    // vpdpbusd reads s8 sources shifted to u8: x*w = (x+128)*w - 128*w.
    if (!l.depthwise && l.info.shiftSigned && s.srcSigned)
      v -= 128 * wsum[oc];
    init[oc] = static_cast<int32_t>(v);
  }
  addConstantGlobal(b, module, tab.init, b.getI32Type(),
                    DenseElementsAttr::get(
                        RankedTensorType::get({s.oc}, b.getI32Type()),
                        llvm::ArrayRef<int32_t>(init)));
  addConstantGlobal(b, module, tab.scale, b.getF32Type(),
                    DenseElementsAttr::get(
                        RankedTensorType::get({s.oc}, b.getF32Type()),
                        llvm::ArrayRef<float>(s.epi.scale)));
  if (l.pixelTiles) {
    // Per-lane tables padded to whole channel blocks (zero weights, init
    // and scale past the channels), weights [ob][cb][tap][OT*L][CB].
    const int64_t block = l.OT * l.L, ocPad = l.nOT * block;
    std::vector<int32_t> initPad(ocPad, 0);
    std::vector<float> scalePad(ocPad, 0.f);
    std::copy(init.begin(), init.end(), initPad.begin());
    std::copy(s.epi.scale.begin(), s.epi.scale.end(), scalePad.begin());
    addConstantGlobal(b, module, tab.init + "v", b.getI32Type(),
                      DenseElementsAttr::get(
                          RankedTensorType::get({ocPad}, b.getI32Type()),
                          llvm::ArrayRef<int32_t>(initPad)));
    addConstantGlobal(b, module, tab.scale + "v", b.getF32Type(),
                      DenseElementsAttr::get(
                          RankedTensorType::get({ocPad}, b.getF32Type()),
                          llvm::ArrayRef<float>(scalePad)));
    std::vector<int16_t> packed(l.nOT * l.Cgb * taps * block * l.CB, 0);
    int64_t idx = 0;
    for (int64_t ob = 0; ob < l.nOT; ++ob)
      for (int64_t cb = 0; cb < l.Cgb; ++cb)
        for (int64_t tap = 0; tap < taps; ++tap)
          for (int64_t lane = 0; lane < block; ++lane)
            for (int64_t j = 0; j < l.CB; ++j, ++idx) {
              int64_t oc = ob * block + lane, c = cb * l.CB + j;
              if (oc < l.OCg && c < l.Cg)
                packed[idx] = s.weight[(oc * l.Cg + c) * taps + tap];
            }
    addPackedWeights(b, module, tab.weights, l.eb, packed);
    return;
  }
  if (l.depthwise) {
    // Low 16 bits w, high 16 bits 0: the i16 pair (w, 0) for vpmaddwd;
    // the plain i32 weight on the generic path.
    std::vector<int32_t> w32;
    for (int8_t v : s.weight)
      w32.push_back(l.info.isa != Isa::Generic
                        ? (int32_t)(uint16_t)(int16_t)v
                        : (int32_t)v);
    addConstantGlobal(
        b, module, tab.weights, b.getI32Type(),
        DenseElementsAttr::get(
            RankedTensorType::get({(int64_t)w32.size()}, b.getI32Type()),
            llvm::ArrayRef<int32_t>(w32)));
    return;
  }
  // [g][ob][cb][tap][O][CB], zero for channels past the group or block.
  int64_t total = l.G * l.nOB * l.Cgb * taps * l.O * l.CB;
  std::vector<int16_t> packed(total, 0);
  int64_t idx = 0;
  for (int64_t g = 0; g < l.G; ++g)
    for (int64_t ob = 0; ob < l.nOB; ++ob)
      for (int64_t cb = 0; cb < l.Cgb; ++cb)
        for (int64_t tap = 0; tap < taps; ++tap)
          for (int64_t o = 0; o < l.O; ++o)
            for (int64_t j = 0; j < l.CB; ++j, ++idx) {
              int64_t oc = ob * l.O + o, c = cb * l.CB + j;
              if (oc >= l.OCg || c >= l.Cg)
                continue;
              packed[idx] =
                  s.weight[((g * l.OCg + oc) * l.Cg + c) * taps + tap];
            }
  addPackedWeights(b, module, tab.weights, l.eb, packed);
}

} // namespace

FailureOr<VariantInfo>
mlir::q::loops::emitConvVariant(OpBuilder &b, ModuleOp module,
                                llvm::StringRef packName,
                                llvm::StringRef kernelName, const ConvSpec &s,
                                Isa isa, TileOptions tiles) {
  if (s.channelsLast)
    return emitNhwcConvVariant(b, module, kernelName, s, isa, tiles);
  if (!checkSpec(s).empty())
    return failure();
  ConvLayout l = makeLayout(s, isa, tiles);
  ConvTables tab{(kernelName + "_w").str(), (kernelName + "_init").str(),
                 (kernelName + "_scale").str()};
  emitConvTables(b, module, s, l, tab);
  emitConvPack(b, module, packName, s, l);

  func::FuncOp fn = startKernel(b, module, kernelName, isa);
  Emitter e(b, fn.getLoc());
  // Created here: loop bodies are built before their op is in the function.
  e.stagingSlot();
  Value args = fn.getArgument(0);
  Value scratch = e.argPtr(args, 0);
  Value sum = s.epi.hasSum ? e.argPtr(args, 1) : Value();
  Value out = e.argPtr(args, s.epi.hasSum ? 2 : 1);
  int64_t tilesTotal;
  // Full tiles, and the smaller ones at the last pixel / channel block.
  if (l.pixelTiles) {
    tilesTotal = s.n * l.nOT * l.nPT;
    const int64_t block = l.OT * l.L;
    const int64_t lastChannels = l.OCg - (l.nOT - 1) * block;
    e.forLoop(fn.getArgument(1), fn.getArgument(2), [&](Value t) {
      Value pb = e.remc(t, l.nPT);
      Value rest = e.divc(t, l.nPT);
      Value ob = e.remc(rest, l.nOT);
      Value n = e.divc(rest, l.nOT);
      e.splitLast(ob, l.nOT, lastChannels != block, [&](bool lastOb) {
        e.splitLast(pb, l.nPT, l.PTrem != l.PT, [&](bool lastPb) {
          emitPixelTile(e, s, l, tab, scratch, out, n, ob, pb,
                        lastPb ? l.PTrem : l.PT,
                        lastOb ? lastChannels : block);
        });
      });
    });
  } else if (l.depthwise) {
    tilesTotal = s.n * s.oc * l.nPB;
    e.forLoop(fn.getArgument(1), fn.getArgument(2), [&](Value t) {
      Value pb = e.remc(t, l.nPB);
      Value rest = e.divc(t, l.nPB);
      Value oc = e.remc(rest, s.oc);
      Value n = e.divc(rest, s.oc);
      e.splitLast(pb, l.nPB, l.Prem != l.P, [&](bool lastPb) {
        emitDepthwiseTile(e, s, l, tab, scratch, out, sum, n, oc, pb,
                          lastPb ? l.Prem : l.P);
      });
    });
  } else {
    tilesTotal = s.n * l.G * l.nOB * l.nPB;
    e.forLoop(fn.getArgument(1), fn.getArgument(2), [&](Value t) {
      Value pb = e.remc(t, l.nPB);
      Value rest = e.divc(t, l.nPB);
      Value ob = e.remc(rest, l.nOB);
      rest = e.divc(rest, l.nOB);
      Value g = e.remc(rest, l.G);
      Value n = e.divc(rest, l.G);
      e.splitLast(ob, l.nOB, l.Orem != l.O, [&](bool lastOb) {
        e.splitLast(pb, l.nPB, l.Prem != l.P, [&](bool lastPb) {
          emitDenseTile(e, s, l, tab, scratch, out, sum, n, g, ob, pb,
                        lastPb ? l.Prem : l.P, lastOb ? l.Orem : l.O);
        });
      });
    });
  }
  func::ReturnOp::create(b, e.loc);

  VariantInfo v;
  v.packTiles = s.n * l.G * l.Cgb;
  v.kernelTiles = tilesTotal;
  v.scratchBytes = v.packTiles * l.planeBytes;
  return v;
}
