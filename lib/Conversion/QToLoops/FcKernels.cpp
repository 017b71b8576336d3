//===- FcKernels.cpp - packed int8 inner product ---------------------------===//
//
// Lanes are output channels here (batch-1 inner products have one pixel):
// the pack kernel writes the input as groups of `cb` values (shifted to u8
// for vpdpbusd, widened to i16 for vpmaddwd), the kernel broadcasts one
// group and multiplies it with V vectors of weights packed at compile time
// as [o block][k group][V*L][cb]. Two accumulator sets (even and odd k
// groups) hide the dot-product latency.
//
//===----------------------------------------------------------------------===//

#include "Emitter.h"

using namespace mlir;
using namespace mlir::q::loops;

FailureOr<VariantInfo>
mlir::q::loops::emitFcVariant(OpBuilder &b, ModuleOp module,
                              llvm::StringRef packName,
                              llvm::StringRef kernelName, const FcSpec &s,
                              Isa isa, TileOptions tiles) {
  if (s.n < 1 || s.k < 1 || s.o < 1 ||
      (int64_t)s.weight.size() != s.o * s.k ||
      (int64_t)s.epi.scale.size() != s.o ||
      (!s.epi.bias.empty() && (int64_t)s.epi.bias.size() != s.o) ||
      s.epi.hasSum)
    return failure();
  IsaInfo info =
      isaInfo(isa, isa == Isa::Avx2 && weightPairsFitInt16(s.weight, s.o, s.k, 1));
  const int64_t L = info.lanes, CB = info.cb, eb = info.elemBytes;
  const int64_t V = std::max<int64_t>(1, tiles.o ? tiles.o / L : 4);
  const int64_t block = V * L;
  const int64_t nOB = (s.o + block - 1) / block;
  const int64_t Opad = nOB * block;
  const int64_t Kb = (s.k + CB - 1) / CB;
  const int64_t rowBytes = (Kb * CB * eb + 63) / 64 * 64;
  const bool shift = info.shiftSigned && s.srcSigned;
  std::string wName = (kernelName + "_w").str();
  std::string initName = (kernelName + "_init").str();
  std::string scaleName = (kernelName + "_scale").str();

  // Tables: padded to whole blocks so the kernel never reads past them.
  std::vector<int32_t> init(Opad, 0);
  std::vector<float> scale(Opad, 0.f);
  for (int64_t o = 0; o < s.o; ++o) {
    int64_t v = s.epi.bias.empty() ? 0 : s.epi.bias[o];
    if (shift) {
      int64_t sum = 0;
      for (int64_t k = 0; k < s.k; ++k)
        sum += s.weight[o * s.k + k];
      v -= 128 * sum;
    }
    init[o] = static_cast<int32_t>(v);
    scale[o] = s.epi.scale[o];
  }
  std::vector<int16_t> packed(nOB * Kb * block * CB, 0);
  for (int64_t ob = 0; ob < nOB; ++ob)
    for (int64_t kb = 0; kb < Kb; ++kb)
      for (int64_t i = 0; i < block; ++i)
        for (int64_t j = 0; j < CB; ++j) {
          int64_t o = ob * block + i, k = kb * CB + j;
          if (o < s.o && k < s.k)
            packed[((ob * Kb + kb) * block + i) * CB + j] =
                s.weight[o * s.k + k];
        }
  addConstantGlobal(b, module, initName, b.getI32Type(),
                    DenseElementsAttr::get(
                        RankedTensorType::get({Opad}, b.getI32Type()),
                        llvm::ArrayRef<int32_t>(init)));
  addConstantGlobal(b, module, scaleName, b.getF32Type(),
                    DenseElementsAttr::get(
                        RankedTensorType::get({Opad}, b.getF32Type()),
                        llvm::ArrayRef<float>(scale)));
  addPackedWeights(b, module, wName, eb, packed);

  // Pack: one tile per row of the batch; scalar, the input is small.
  {
    func::FuncOp fn = startKernel(b, module, packName, isa);
    Emitter e(b, fn.getLoc());
    Value src = e.argPtr(fn.getArgument(0), 0);
    Value dst = e.argPtr(fn.getArgument(0), 1);
    Type elem = eb == 1 ? e.i8() : e.i16();
    e.forLoop(fn.getArgument(1), fn.getArgument(2), [&](Value n) {
      Value in = e.gep(src, e.mulc(n, s.k));
      Value row = e.gep(dst, e.mulc(n, rowBytes));
      e.forLoop(0, Kb * CB, [&](Value k) {
        Value inside = e.cmp(arith::CmpIPredicate::slt, k, e.c64(s.k));
        Value kc = arith::MinUIOp::create(b, e.loc, k, e.c64(s.k - 1));
        Value x = e.load(e.i8(), e.gep(in, kc));
        x = arith::SelectOp::create(b, e.loc, inside, x,
                                    arith::ConstantIntOp::create(b, e.loc, 0, 8));
        Value v = x;
        if (eb == 2)
          v = s.srcSigned ? arith::ExtSIOp::create(b, e.loc, elem, x).getResult()
                          : arith::ExtUIOp::create(b, e.loc, elem, x).getResult();
        else if (shift)
          v = arith::XOrIOp::create(
              b, e.loc, x, arith::ConstantIntOp::create(b, e.loc, -128, 8));
        e.store(v, e.gep(row, e.mulc(k, eb)));
      });
    });
    func::ReturnOp::create(b, e.loc);
  }

  // Kernel: one tile per block of V*L output channels.
  {
    func::FuncOp fn = startKernel(b, module, kernelName, isa);
    Emitter e(b, fn.getLoc());
    Value scratch = e.argPtr(fn.getArgument(0), 0);
    Value out = e.argPtr(fn.getArgument(0), 1);
    const int64_t groupBytes = CB * eb;
    const int64_t oeb = outElementBytes(s.epi);
    VectorType wType = e.dotOperandType(info);
    e.forLoop(fn.getArgument(1), fn.getArgument(2), [&](Value ob) {
      Value wBase = e.gep(e.addressOf(wName), e.mulc(ob, Kb * block * groupBytes));
      Value oBase = e.mulc(ob, block);
      Value initTab = e.gep(e.addressOf(initName), e.mulc(oBase, 4));
      Value scaleTab = e.gep(e.addressOf(scaleName), e.mulc(oBase, 4));
      e.forLoop(0, s.n, [&](Value n) {
        Value xrow = e.gep(scratch, e.mulc(n, rowBytes));
        SmallVector<Value> acc;
        for (int64_t v = 0; v < V; ++v)
          acc.push_back(e.load(e.vec(L, e.i32()), e.gepc(initTab, v * L * 4)));
        Value zero = e.splatConst(L, b.getI32IntegerAttr(0));
        for (int64_t v = 0; v < V; ++v)
          acc.push_back(zero);
        auto step = [&](SmallVector<Value> &a, Value kb, int64_t set) {
          Value x = e.broadcastGroup(info, e.gep(xrow, e.mulc(kb, groupBytes)));
          Value wk = e.gep(wBase, e.mulc(kb, block * groupBytes));
          for (int64_t v = 0; v < V; ++v) {
            Value w = e.load(wType, e.gepc(wk, v * L * groupBytes));
            a[set * V + v] = e.dot(info, a[set * V + v], x, w);
          }
        };
        auto loop = e.forLoop(
            e.c64(0), e.c64(Kb / 2), acc, [&](Value i, ValueRange iter) {
              SmallVector<Value> a(iter.begin(), iter.end());
              Value kb = e.mulc(i, 2);
              step(a, kb, 0);
              step(a, e.addc(kb, 1), 1);
              return a;
            });
        SmallVector<Value> a(loop.getResults().begin(), loop.getResults().end());
        if (Kb % 2)
          step(a, e.c64(Kb - 1), 0);
        for (int64_t v = 0; v < V; ++v) {
          Value sumv = e.add(a[v], a[V + v]);
          Value sc = e.load(e.vec(L, e.f32()), e.gepc(scaleTab, v * L * 4));
          Value t = emitEpilogueMath(e, s.epi, sumv, sc, Value());
          Value r = emitOutputConversion(e, s.epi, t);
          Value dst = e.gep(out, e.mulc(e.add(e.mulc(n, s.o),
                                                e.addc(oBase, v * L)),
                                          oeb));
          // Only the last block can run past o: mask it there.
          int64_t lastStart = (nOB - 1) * block + v * L;
          int64_t valid = std::clamp<int64_t>(s.o - lastStart, 0, L);
          if (valid == L) {
            e.store(r, dst);
            continue;
          }
          Value isLast = e.cmp(arith::CmpIPredicate::eq, ob, e.c64(nOB - 1));
          auto ifOp = scf::IfOp::create(b, e.loc, TypeRange{}, isLast, true);
          OpBuilder::InsertionGuard guard(b);
          b.setInsertionPointToStart(ifOp.thenBlock());
          if (valid > 0) {
            SmallVector<bool> bits(L, false);
            for (int64_t i = 0; i < valid; ++i)
              bits[i] = true;
            e.maskedStore(r, dst, e.constMask(bits));
          }
          b.setInsertionPointToStart(ifOp.elseBlock());
          e.store(r, dst);
        }
      });
    });
    func::ReturnOp::create(b, e.loc);
  }

  VariantInfo v;
  v.packTiles = s.n;
  v.kernelTiles = nOB;
  v.scratchBytes = s.n * rowBytes;
  return v;
}
