//===- Emitter.cpp - IR building helpers for the kernel generator ---------===//

#include "Emitter.h"

#include "mlir/Dialect/Math/IR/Math.h"

using namespace mlir;
using namespace mlir::q::loops;

std::optional<Isa> mlir::q::loops::parseIsa(llvm::StringRef name) {
  return llvm::StringSwitch<std::optional<Isa>>(name)
      .Case("generic", Isa::Generic)
      .Case("avx2", Isa::Avx2)
      .Case("avxvnni", Isa::AvxVnni)
      .Case("avx512vnni", Isa::Avx512Vnni)
      .Default(std::nullopt);
}

llvm::StringRef mlir::q::loops::isaName(Isa isa) {
  switch (isa) {
  case Isa::Generic:
    return "generic";
  case Isa::Avx2:
    return "avx2";
  case Isa::AvxVnni:
    return "avxvnni";
  case Isa::Avx512Vnni:
    return "avx512vnni";
  }
  return "generic";
}

IsaInfo mlir::q::loops::isaInfo(Isa isa, bool pairSafeWeights) {
  switch (isa) {
  case Isa::Avx512Vnni:
    // 32 zmm: 4x6 accumulators + 4 input vectors; weights are folded
    // broadcasts ({1to16}) of the vpdpbusd memory operand.
    return {isa, 16, 4, 1, true, 4, 6};
  case Isa::AvxVnni:
    return {isa, 8, 4, 1, true, 2, 6};
  case Isa::Avx2:
    // u8 groups of 4 like avxvnni when the weights allow it (2x5 tile:
    // 10 accumulators + 2 inputs + broadcast + product + the 1s); else
    // exact i16 pairs, 16 ymm: 2x6 accumulators + 2 inputs + a broadcast.
    if (pairSafeWeights)
      return {isa, 8, 4, 1, true, 2, 5, /*maddubs=*/true};
    return {isa, 8, 2, 2, false, 2, 6};
  case Isa::Generic:
    return {isa, 8, 2, 2, false, 2, 6};
  }
  return {Isa::Generic, 8, 2, 2, false, 2, 6};
}

bool mlir::q::loops::weightPairsFitInt16(llvm::ArrayRef<int8_t> weight,
                                         int64_t rows, int64_t k,
                                         int64_t inner) {
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t c = 0; c < k; c += 2)
      for (int64_t i = 0; i < inner; ++i) {
        int64_t a = weight[(r * k + c) * inner + i];
        int64_t b = c + 1 < k ? weight[(r * k + c + 1) * inner + i] : 0;
        if (std::max<int64_t>(a, 0) + std::max<int64_t>(b, 0) > 128 ||
            std::min<int64_t>(a, 0) + std::min<int64_t>(b, 0) < -128)
          return false;
      }
  return true;
}

void mlir::q::loops::setTargetAttrs(Operation *fn, Isa isa) {
  MLIRContext *ctx = fn->getContext();
  const char *features = nullptr;
  const char *width = nullptr;
  switch (isa) {
  case Isa::Avx512Vnni:
    features = "+avx2,+fma,+f16c,+bmi,+bmi2,+lzcnt,+popcnt,+avx512f,"
               "+avx512bw,+avx512dq,+avx512vl,+avx512vnni";
    width = "512";
    break;
  case Isa::AvxVnni:
    features = "+avx2,+fma,+f16c,+bmi,+bmi2,+lzcnt,+popcnt,+avxvnni,-avx512f";
    width = "256";
    break;
  case Isa::Avx2:
    features = "+avx2,+fma,+f16c,+bmi,+bmi2,+lzcnt,+popcnt,-avx512f";
    width = "256";
    break;
  case Isa::Generic:
    return; // the module's target
  }
  auto llvmFn = llvm::cast<LLVM::LLVMFuncOp>(fn);
  llvmFn.setTargetFeaturesAttr(LLVM::TargetFeaturesAttr::get(ctx, features));
  // 512-bit vectors stay whole only when the function asks for them.
  Builder b(ctx);
  llvmFn.setPassthroughAttr(b.getArrayAttr(
      {b.getStrArrayAttr({"min-legal-vector-width", width}),
       b.getStrArrayAttr({"prefer-vector-width", width})}));
}

Value Emitter::stagingSlot() {
  if (staging)
    return staging;
  Operation *parent = b.getInsertionBlock()->getParentOp();
  auto fn = parent ? llvm::dyn_cast<func::FuncOp>(parent) : func::FuncOp();
  if (!fn && parent)
    fn = parent->getParentOfType<func::FuncOp>();
  if (!fn)
    llvm::report_fatal_error("stagingSlot() first called inside a region "
                             "under construction");
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToStart(&fn.getBody().front());
  staging = LLVM::AllocaOp::create(b, loc, ptr(), i8(), c64(512), 64);
  return staging;
}

Value Emitter::constMask(llvm::ArrayRef<bool> bits) {
  auto type = vec(bits.size(), b.getI1Type());
  return arith::ConstantOp::create(b, loc, DenseElementsAttr::get(type, bits));
}

Value Emitter::iota(int64_t n) {
  SmallVector<int32_t> values(n);
  for (int64_t i = 0; i < n; ++i)
    values[i] = i;
  auto type = vec(n, i32());
  return arith::ConstantOp::create(
      b, loc, DenseElementsAttr::get(type, llvm::ArrayRef<int32_t>(values)));
}

Value Emitter::splatLane(Value index, int64_t n) {
  return splat(arith::TruncIOp::create(b, loc, i32(), index), n);
}

VectorType Emitter::dotOperandType(const IsaInfo &info) {
  return vec(info.lanes * info.cb, info.elemBytes == 1 ? i8() : i16());
}

Value Emitter::broadcastGroup(const IsaInfo &info, Value p) {
  Value word = load(i32(), p);
  return bitcast(splat(word, info.lanes), dotOperandType(info));
}

Value Emitter::dot(const IsaInfo &info, Value acc, Value u, Value s) {
  VectorType accType = vec(info.lanes, i32());
  switch (info.isa) {
  case Isa::Avx512Vnni:
    return LLVM::CallIntrinsicOp::create(
               b, loc, accType,
               b.getStringAttr("llvm.x86.avx512.vpdpbusd.512"),
               ValueRange{acc, u, s})
        .getResult(0);
  case Isa::AvxVnni:
    return LLVM::CallIntrinsicOp::create(
               b, loc, accType,
               b.getStringAttr("llvm.x86.avx512.vpdpbusd.256"),
               ValueRange{acc, u, s})
        .getResult(0);
  case Isa::Avx2: {
    if (info.maddubs) {
      // vpmaddubsw: u8 x s8 pairs summed to i16 (exact: the weights were
      // checked), then vpmaddwd with 1s sums the pairs to i32.
      auto pairType = vec(2 * info.lanes, i16());
      Value pairs = LLVM::CallIntrinsicOp::create(
                        b, loc, pairType,
                        b.getStringAttr("llvm.x86.avx2.pmadd.ub.sw"),
                        ValueRange{u, s})
                        .getResult(0);
      Value ones = splatConst(2 * info.lanes, b.getI16IntegerAttr(1));
      Value prod = LLVM::CallIntrinsicOp::create(
                       b, loc, accType,
                       b.getStringAttr("llvm.x86.avx2.pmadd.wd"),
                       ValueRange{pairs, ones})
                       .getResult(0);
      return add(acc, prod);
    }
    // vpmaddwd on 16-bit values: exact for any weights.
    Value prod = LLVM::CallIntrinsicOp::create(
                     b, loc, accType, b.getStringAttr("llvm.x86.avx2.pmadd.wd"),
                     ValueRange{u, s})
                     .getResult(0);
    return add(acc, prod);
  }
  case Isa::Generic: {
    // Same math as vpmaddwd in plain vector ops; LLVM picks what the
    // target has.
    auto wide = vec(2 * info.lanes, i32());
    Value x = arith::ExtSIOp::create(b, loc, wide, u);
    Value y = arith::ExtSIOp::create(b, loc, wide, s);
    Value prod = mul(x, y);
    SmallVector<int64_t> even, odd;
    for (int64_t i = 0; i < info.lanes; ++i) {
      even.push_back(2 * i);
      odd.push_back(2 * i + 1);
    }
    Value pairs = add(shuffle(prod, prod, even), shuffle(prod, prod, odd));
    return add(acc, pairs);
  }
  }
  return acc;
}

scf::ForOp
Emitter::forLoop(Value lb, Value ub, ValueRange init,
                 function_ref<SmallVector<Value>(Value, ValueRange)> body) {
  return scf::ForOp::create(
      b, loc, lb, ub, c64(1), init,
      [&](OpBuilder &nested, Location, Value iv, ValueRange iter) {
        OpBuilder::InsertionGuard guard(b);
        b.setInsertionPoint(nested.getInsertionBlock(),
                            nested.getInsertionPoint());
        SmallVector<Value> next = body(iv, iter);
        scf::YieldOp::create(b, loc, next);
      });
}

void Emitter::forLoop(Value lb, Value ub, function_ref<void(Value)> body) {
  forLoop(lb, ub, ValueRange{}, [&](Value iv, ValueRange) {
    body(iv);
    return SmallVector<Value>();
  });
}

void Emitter::splitLast(Value index, int64_t count, bool lastDiffers,
                        function_ref<void(bool)> body) {
  if (!lastDiffers) {
    body(false);
    return;
  }
  Value last = cmp(arith::CmpIPredicate::eq, index, c64(count - 1));
  auto ifOp = scf::IfOp::create(b, loc, TypeRange{}, last, true);
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToStart(ifOp.thenBlock());
  body(true);
  b.setInsertionPointToStart(ifOp.elseBlock());
  body(false);
}

void Emitter::forLoop(int64_t lb, int64_t ub, function_ref<void(Value)> body) {
  if (lb >= ub)
    return;
  forLoop(c64(lb), c64(ub), body);
}

//===----------------------------------------------------------------------===//
// Epilogue
//===----------------------------------------------------------------------===//

static Value emitPostOp(Emitter &e, const PostOp &op, Value t) {
  int64_t n = llvm::cast<VectorType>(t.getType()).getNumElements();
  auto splatf = [&](float v) { return e.splatConst(n, e.b.getF32FloatAttr(v)); };
  auto sel = [&](arith::CmpFPredicate p, Value x, Value y, Value a, Value c) {
    Value cond = arith::CmpFOp::create(e.b, e.loc, p, x, y);
    return arith::SelectOp::create(e.b, e.loc, cond, a, c).getResult();
  };
  switch (op.kind) {
  case ActKind::None:
    return t;
  case ActKind::Relu: {
    Value zero = splatf(0);
    return sel(arith::CmpFPredicate::OGT, t, zero, t, zero);
  }
  case ActKind::Clip: {
    Value lo = splatf(op.alpha), hi = splatf(op.beta);
    t = sel(arith::CmpFPredicate::OLT, t, lo, lo, t);
    return sel(arith::CmpFPredicate::OGT, t, hi, hi, t);
  }
  case ActKind::Leaky: {
    Value scaled = arith::MulFOp::create(e.b, e.loc, t, splatf(op.alpha));
    return sel(arith::CmpFPredicate::OLT, t, splatf(0), scaled, t);
  }
  }
  return t;
}

Value mlir::q::loops::emitEpilogueMath(Emitter &e, const Epilogue &epi,
                                       Value acc, Value scale, Value sum) {
  int64_t n = llvm::cast<VectorType>(acc.getType()).getNumElements();
  auto fvec = e.vec(n, e.f32());
  Value t = arith::SIToFPOp::create(e.b, e.loc, fvec, acc);
  t = arith::MulFOp::create(e.b, e.loc, t, scale);
  t = emitPostOp(e, epi.act, t);
  if (sum) {
    auto ivec = e.vec(n, e.i32());
    Value wide = epi.sumSigned ? arith::ExtSIOp::create(e.b, e.loc, ivec, sum)
                                     .getResult()
                               : arith::ExtUIOp::create(e.b, e.loc, ivec, sum)
                                     .getResult();
    Value s = arith::SIToFPOp::create(e.b, e.loc, fvec, wide);
    s = arith::MulFOp::create(e.b, e.loc, s,
                              e.splatConst(n, e.b.getF32FloatAttr(epi.sumScale)));
    t = arith::AddFOp::create(e.b, e.loc, t, s);
  }
  return emitPostOp(e, epi.postAct, t);
}

Type mlir::q::loops::outElementType(Emitter &e, const Epilogue &epi) {
  return epi.out == OutType::F32 ? e.f32() : e.i8();
}

int64_t mlir::q::loops::outElementBytes(const Epilogue &epi) {
  return epi.out == OutType::F32 ? 4 : 1;
}

Value mlir::q::loops::emitOutputConversion(Emitter &e, const Epilogue &epi,
                                           Value t) {
  if (epi.out == OutType::F32)
    return t;
  int64_t n = llvm::cast<VectorType>(t.getType()).getNumElements();
  float lo = epi.out == OutType::U8 ? 0.f : -128.f;
  float hi = epi.out == OutType::U8 ? 255.f : 127.f;
  Value r = math::RoundEvenOp::create(e.b, e.loc, t);
  PostOp clamp{ActKind::Clip, lo, hi};
  r = emitPostOp(e, clamp, r);
  Value i = arith::FPToSIOp::create(e.b, e.loc, e.vec(n, e.i32()), r);
  return arith::TruncIOp::create(e.b, e.loc, e.vec(n, e.i8()), i);
}

//===----------------------------------------------------------------------===//
// Module-level pieces
//===----------------------------------------------------------------------===//

void mlir::q::loops::addConstantGlobal(OpBuilder &b, ModuleOp module,
                                       llvm::StringRef name, Type element,
                                       DenseElementsAttr data) {
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToStart(module.getBody());
  auto type = LLVM::LLVMArrayType::get(element, data.getNumElements());
  LLVM::GlobalOp::create(b, module.getLoc(), type, /*isConstant=*/true,
                         LLVM::Linkage::Internal, name, data,
                         /*alignment=*/64);
}

/// A packed weight table of i8 (eb 1) or i16 (eb 2) elements.
void mlir::q::loops::addPackedWeights(OpBuilder &b, ModuleOp module,
                                      llvm::StringRef name,
                                      int64_t eb,
                                      const std::vector<int16_t> &packed) {
  Type elem = eb == 1 ? b.getI8Type() : b.getI16Type();
  auto type = RankedTensorType::get({(int64_t)packed.size()}, elem);
  DenseElementsAttr data;
  if (eb == 1) {
    std::vector<int8_t> bytes(packed.begin(), packed.end());
    data = DenseElementsAttr::get(type, llvm::ArrayRef<int8_t>(bytes));
  } else {
    data = DenseElementsAttr::get(type, llvm::ArrayRef<int16_t>(packed));
  }
  addConstantGlobal(b, module, name, elem, data);
}

func::FuncOp mlir::q::loops::startKernel(OpBuilder &b, ModuleOp module,
                                         llvm::StringRef name, Isa isa) {
  b.setInsertionPointToEnd(module.getBody());
  auto ptr = LLVM::LLVMPointerType::get(b.getContext());
  auto type = b.getFunctionType({ptr, b.getI64Type(), b.getI64Type()}, {});
  auto fn = func::FuncOp::create(b, module.getLoc(), name, type);
  fn->setAttr("q.isa", b.getStringAttr(isaName(isa)));
  Block *entry = fn.addEntryBlock();
  b.setInsertionPointToStart(entry);
  return fn;
}
