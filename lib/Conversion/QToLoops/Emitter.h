//===- Emitter.h - IR building helpers for the kernel generator -*- C++ -*-===//
//
// Kernels are written as func.func over raw `!llvm.ptr`s with scf loops,
// arith/vector/math on vectors, LLVM loads/stores and `llvm.call_intrinsic`
// for the x86 dot products, then lowered to LLVM (see Lowering.cpp).
//
//===----------------------------------------------------------------------===//

#ifndef QTOLOOPS_EMITTER_H
#define QTOLOOPS_EMITTER_H

#include "KernelSpec.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/Builders.h"

namespace mlir::q::loops {

/// What a micro-kernel looks like on one ISA.
struct IsaInfo {
  Isa isa;
  int64_t lanes;     ///< i32 lanes per accumulator vector
  int64_t cb;        ///< input channels per dot-product group
  int64_t elemBytes; ///< scratch element: 1 (u8) or 2 (i16)
  bool shiftSigned;  ///< s8 sources are stored +128 (vpdpbusd is u8 x s8)
  int64_t tileP, tileO; ///< default dense-conv register tile
  /// avx2 only: u8 x s8 via vpmaddubsw + vpmaddwd(1). Chosen only when
  /// weightPairsFitInt16() proved that no pair sum can saturate.
  bool maddubs = false;
};
/// `pairSafeWeights`: the op's weights passed weightPairsFitInt16().
IsaInfo isaInfo(Isa isa, bool pairSafeWeights = false);


/// Function-level target features and attributes for `isa`.
void setTargetAttrs(Operation *fn, Isa isa);

class Emitter {
public:
  Emitter(OpBuilder &b, Location loc) : b(b), loc(loc) {}

  OpBuilder &b;
  Location loc;
  Value staging;

  Type i8() { return b.getI8Type(); }
  Type i16() { return b.getI16Type(); }
  Type i32() { return b.getI32Type(); }
  Type i64() { return b.getI64Type(); }
  Type f32() { return b.getF32Type(); }
  Type ptr() { return LLVM::LLVMPointerType::get(b.getContext()); }
  VectorType vec(int64_t n, Type t) { return VectorType::get({n}, t); }

  Value c64(int64_t v) { return arith::ConstantIntOp::create(b, loc, v, 64); }
  Value c32(int64_t v) { return arith::ConstantIntOp::create(b, loc, v, 32); }
  Value cf(float v) {
    return arith::ConstantOp::create(b, loc, b.getF32FloatAttr(v));
  }
  Value add(Value x, Value y) { return arith::AddIOp::create(b, loc, x, y); }
  Value mul(Value x, Value y) { return arith::MulIOp::create(b, loc, x, y); }
  Value addc(Value x, int64_t c) { return c ? add(x, c64(c)) : x; }
  Value mulc(Value x, int64_t c) { return c == 1 ? x : mul(x, c64(c)); }
  Value divc(Value x, int64_t c) {
    return c == 1 ? x : arith::DivUIOp::create(b, loc, x, c64(c));
  }
  Value remc(Value x, int64_t c) {
    return c == 1 ? c64(0) : arith::RemUIOp::create(b, loc, x, c64(c));
  }
  Value cmp(arith::CmpIPredicate p, Value x, Value y) {
    return arith::CmpIOp::create(b, loc, p, x, y);
  }

  /// `base + bytes` (bytes: i64 value).
  Value gep(Value base, Value bytes) {
    return LLVM::GEPOp::create(b, loc, ptr(), i8(), base, ValueRange{bytes});
  }
  Value gepc(Value base, int64_t bytes) {
    return bytes ? gep(base, c64(bytes)) : base;
  }
  Value load(Type t, Value p) {
    return LLVM::LoadOp::create(b, loc, t, p, /*alignment=*/1);
  }
  void store(Value v, Value p) {
    LLVM::StoreOp::create(b, loc, v, p, /*alignment=*/1);
  }
  Value maskedLoad(Type t, Value p, Value mask, Value passthru) {
    return LLVM::MaskedLoadOp::create(b, loc, t, p, mask, passthru, 1u);
  }
  void maskedStore(Value v, Value p, Value mask) {
    LLVM::MaskedStoreOp::create(b, loc, v, p, mask, 1u);
  }
  Value addressOf(llvm::StringRef global) {
    return LLVM::AddressOfOp::create(b, loc, ptr(), global);
  }
  /// `p` through an empty inline asm: LLVM can no longer see which global
  /// it points to, so loads of packed weights stay loads (instead of being
  /// folded into per-tile constant vectors that get hoisted and spilled).
  Value opaque(Value p) {
    return LLVM::InlineAsmOp::create(b, loc, ptr(), ValueRange{p}, "",
                                     "=r,0", false, false,
                                     LLVM::tailcallkind::TailCallKind::None,
                                     LLVM::AsmDialectAttr(), ArrayAttr())
        .getResult(0);
  }
  /// An empty inline asm that clobbers memory: loads after it cannot be
  /// scheduled before it. Keeps LLVM from hoisting a whole tile's loads to
  /// the top of a long straight-line block (and spilling them).
  void barrier() {
    LLVM::InlineAsmOp::create(b, loc, TypeRange{}, ValueRange{}, "",
                              "~{memory}", true, false,
                              LLVM::tailcallkind::TailCallKind::None,
                              LLVM::AsmDialectAttr(), ArrayAttr());
  }
  /// A 512-byte stack slot at the entry of the function being built (for
  /// staging partial vectors). The first call must be made at function
  /// level: inside a loop body being built, the loop is not yet attached.
  Value stagingSlot();

  /// Loads the i-th pointer of the `args` array.
  Value argPtr(Value args, int64_t i) { return load(ptr(), gepc(args, 8 * i)); }

  Value splat(Value scalar, int64_t n) {
    return vector::BroadcastOp::create(b, loc, vec(n, scalar.getType()),
                                       scalar);
  }
  Value splatConst(int64_t n, Attribute scalar) {
    auto type = vec(n, llvm::cast<TypedAttr>(scalar).getType());
    return arith::ConstantOp::create(b, loc,
                                     DenseElementsAttr::get(type, scalar));
  }
  Value bitcast(Value v, VectorType t) {
    return vector::BitCastOp::create(b, loc, t, v);
  }
  Value shuffle(Value x, Value y, llvm::ArrayRef<int64_t> mask) {
    return vector::ShuffleOp::create(b, loc, x, y, mask);
  }
  /// Constant i1 vector.
  Value constMask(llvm::ArrayRef<bool> bits);
  /// [0, 1, ..., n-1] as i32 (lane indices; i32 keeps the compares in one
  /// register).
  Value iota(int64_t n);
  /// An i64 lane index (|v| < 2^31) splat as i32 to compare with iota().
  Value splatLane(Value index, int64_t n);

  /// acc + dot(u, s): u holds the unsigned (or 16-bit) operand, s the
  /// signed one; both are `cb` values per i32 lane.
  Value dot(const IsaInfo &info, Value acc, Value u, Value s);

  /// Splat of an i32 loaded from memory, viewed as the dot operand type.
  Value broadcastGroup(const IsaInfo &info, Value p);
  VectorType dotOperandType(const IsaInfo &info);

  /// Counted loop over i64 [lb, ub) with loop-carried values.
  scf::ForOp forLoop(Value lb, Value ub, ValueRange init,
                     function_ref<SmallVector<Value>(Value, ValueRange)> body);
  void forLoop(int64_t lb, int64_t ub, function_ref<void(Value)> body);
  /// body(true) where `index` is the last of `count` blocks and
  /// body(false) elsewhere; only body(false) when !lastDiffers (tiles whose
  /// last block is smaller are generated twice).
  void splitLast(Value index, int64_t count, bool lastDiffers,
                 function_ref<void(bool)> body);
  void forLoop(Value lb, Value ub, function_ref<void(Value)> body);
};

/// Applies the epilogue to an accumulator vector: returns the f32 value t
/// (see KernelSpec.h). `sum` is the loaded sum vector (i8) or null.
Value emitEpilogueMath(Emitter &e, const Epilogue &epi, Value acc,
                       Value scale, Value sum);
/// Converts t to the output element type (i8 vector or t itself).
Value emitOutputConversion(Emitter &e, const Epilogue &epi, Value t);
Type outElementType(Emitter &e, const Epilogue &epi);
int64_t outElementBytes(const Epilogue &epi);

/// Creates an internal constant global holding `data` in `module`.
void addConstantGlobal(OpBuilder &b, ModuleOp module, llvm::StringRef name,
                       Type element, DenseElementsAttr data);

/// A packed weight table of i8 (eb 1) or i16 (eb 2) elements.
void addPackedWeights(OpBuilder &b, ModuleOp module, llvm::StringRef name,
                      int64_t eb, const std::vector<int16_t> &packed);

/// Starts `func.func @name(%args: !llvm.ptr, %begin: i64, %end: i64)` and
/// leaves the builder inside it; returns the function.
func::FuncOp startKernel(OpBuilder &b, ModuleOp module, llvm::StringRef name,
                         Isa isa);

/// One generated ISA variant: the pack and compute functions it added.
struct VariantInfo {
  int64_t packTiles = 0, kernelTiles = 0, scratchBytes = 0;
};

FailureOr<VariantInfo> emitConvVariant(OpBuilder &b, ModuleOp module,
                                       llvm::StringRef packName,
                                       llvm::StringRef kernelName,
                                       const ConvSpec &spec, Isa isa,
                                       TileOptions tiles);
/// The channels-last kernel of `spec` (no pack, no scratch); `tiles`:
/// pixels (p) x output-channel vectors (o) per register tile.
FailureOr<VariantInfo> emitNhwcConvVariant(OpBuilder &b, ModuleOp module,
                                           llvm::StringRef kernelName,
                                           const ConvSpec &spec, Isa isa,
                                           TileOptions tiles);
FailureOr<VariantInfo> emitFcVariant(OpBuilder &b, ModuleOp module,
                                     llvm::StringRef packName,
                                     llvm::StringRef kernelName,
                                     const FcSpec &spec, Isa isa,
                                     TileOptions tiles);

} // namespace mlir::q::loops

#endif // QTOLOOPS_EMITTER_H
