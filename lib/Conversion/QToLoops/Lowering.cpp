//===- Lowering.cpp - kernels to LLVM, ISA variants and dispatch ----------===//
//
// Each op's kernels are generated in a scratch module (so the conversion to
// LLVM never touches the rest of the program), lowered there, and moved
// into the target module. With several ISAs, every variant gets its own
// target features and a dispatcher picks one by qrt_cpu_isa().
//
//===----------------------------------------------------------------------===//

#include "Emitter.h"

#include "mlir/Conversion/ArithToLLVM/ArithToLLVM.h"
#include "mlir/Conversion/ControlFlowToLLVM/ControlFlowToLLVM.h"
#include "mlir/Conversion/FuncToLLVM/ConvertFuncToLLVM.h"
#include "mlir/Conversion/LLVMCommon/ConversionTarget.h"
#include "mlir/Conversion/LLVMCommon/TypeConverter.h"
#include "mlir/Conversion/MathToLLVM/MathToLLVM.h"
#include "mlir/Conversion/SCFToControlFlow/SCFToControlFlow.h"
#include "mlir/Conversion/VectorToLLVM/ConvertVectorToLLVM.h"
#include "mlir/Dialect/ControlFlow/IR/ControlFlowOps.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Transforms/DialectConversion.h"

using namespace mlir;
using namespace mlir::q::loops;

LogicalResult mlir::q::loops::lowerKernelsToLLVM(ModuleOp module) {
  MLIRContext *ctx = module.getContext();
  {
    RewritePatternSet patterns(ctx);
    populateSCFToControlFlowConversionPatterns(patterns);
    ConversionTarget target(*ctx);
    target.addIllegalDialect<scf::SCFDialect>();
    target.markUnknownOpDynamicallyLegal([](Operation *) { return true; });
    if (failed(applyPartialConversion(module, target, std::move(patterns))))
      return failure();
  }
  LLVMTypeConverter converter(ctx);
  RewritePatternSet patterns(ctx);
  arith::populateArithToLLVMConversionPatterns(converter, patterns);
  cf::populateControlFlowToLLVMConversionPatterns(converter, patterns);
  populateFuncToLLVMConversionPatterns(converter, patterns);
  populateVectorToLLVMConversionPatterns(converter, patterns);
  populateMathToLLVMConversionPatterns(converter, patterns);
  LLVMConversionTarget target(*ctx);
  target.addLegalOp<ModuleOp>();
  if (failed(applyFullConversion(module, target, std::move(patterns))))
    return failure();
  // Target features go on after the conversion (llvm.func properties).
  module.walk([](LLVM::LLVMFuncOp fn) {
    auto isa = fn->getAttrOfType<StringAttr>("q.isa");
    if (!isa)
      return;
    if (auto parsed = parseIsa(isa.getValue()))
      setTargetAttrs(fn, *parsed);
    fn->removeAttr("q.isa");
  });
  return success();
}

namespace {

struct Variant {
  Isa isa;
  std::string name;
  int64_t tiles;
};

/// `llvm.func @name(args, begin, end)` calling the variant qrt_cpu_isa()
/// allows; `variants` are sorted from the best ISA down. The caller's tile
/// range is over `tiles`; a variant with another tile count gets the
/// proportional range (consecutive ranges stay a partition).
void emitDispatcher(OpBuilder &b, ModuleOp module, llvm::StringRef name,
                    int64_t tiles, ArrayRef<Variant> variants) {
  MLIRContext *ctx = module.getContext();
  Location loc = module.getLoc();
  auto ptr = LLVM::LLVMPointerType::get(ctx);
  auto i64 = b.getI64Type(), i32 = b.getI32Type();
  auto voidTy = LLVM::LLVMVoidType::get(ctx);
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToEnd(module.getBody());
  if (!module.lookupSymbol("qrt_cpu_isa"))
    LLVM::LLVMFuncOp::create(b, loc, "qrt_cpu_isa",
                             LLVM::LLVMFunctionType::get(i32, {}));
  auto fnType = LLVM::LLVMFunctionType::get(voidTy, {ptr, i64, i64});
  auto fn = LLVM::LLVMFuncOp::create(b, loc, name, fnType);
  Block *entry = fn.addEntryBlock(b);
  b.setInsertionPointToStart(entry);
  Value isa = LLVM::CallOp::create(b, loc, TypeRange{i32}, "qrt_cpu_isa",
                                   ValueRange{})
                  .getResult();
  ValueRange args = entry->getArguments();
  for (size_t i = 0; i < variants.size(); ++i) {
    Block *call = fn.addBlock();
    Block *next = i + 1 < variants.size() ? fn.addBlock() : nullptr;
    if (next) {
      Value need = LLVM::ConstantOp::create(
          b, loc, i32, b.getI32IntegerAttr((int)variants[i].isa));
      Value ok = LLVM::ICmpOp::create(b, loc, LLVM::ICmpPredicate::sge, isa,
                                      need);
      LLVM::CondBrOp::create(b, loc, ok, call, next);
    } else {
      LLVM::BrOp::create(b, loc, ValueRange{}, call);
    }
    b.setInsertionPointToStart(call);
    SmallVector<Value> callArgs(args.begin(), args.end());
    if (variants[i].tiles != tiles) {
      Value num = LLVM::ConstantOp::create(b, loc, i64,
                                           b.getI64IntegerAttr(variants[i].tiles));
      Value den =
          LLVM::ConstantOp::create(b, loc, i64, b.getI64IntegerAttr(tiles));
      for (int k = 1; k <= 2; ++k)
        callArgs[k] = LLVM::UDivOp::create(
            b, loc, LLVM::MulOp::create(b, loc, args[k], num), den);
    }
    LLVM::CallOp::create(b, loc, TypeRange{}, variants[i].name, callArgs);
    LLVM::ReturnOp::create(b, loc, ValueRange{});
    if (next)
      b.setInsertionPointToStart(next);
  }
}

template <typename Spec, typename EmitFn>
FailureOr<KernelInfo> buildKernels(ModuleOp module, llvm::StringRef name,
                                   const Spec &spec, ArrayRef<Isa> isasIn,
                                   TileOptions tiles, bool lowerToLLVM,
                                   EmitFn emitVariant) {
  if (isasIn.empty())
    return failure();
  SmallVector<Isa> isas(isasIn.begin(), isasIn.end());
  llvm::sort(isas, [](Isa x, Isa y) { return (int)x > (int)y; });
  MLIRContext *ctx = module.getContext();
  OpBuilder b(ctx);
  OwningOpRef<ModuleOp> scratch = ModuleOp::create(module.getLoc());
  KernelInfo info;
  info.kernel = name.str();
  info.pack = (name + "_pack").str();
  bool single = isas.size() == 1;
  SmallVector<Variant> packs, kernels;
  for (Isa isa : isas) {
    std::string suffix = single ? "" : ("_" + isaName(isa)).str();
    std::string packName = info.pack + suffix;
    std::string kernelName = info.kernel + suffix;
    FailureOr<VariantInfo> v =
        emitVariant(b, *scratch, packName, kernelName, spec, isa, tiles);
    if (failed(v))
      return failure();
    // The best ISA's tile counts are the op's; see emitDispatcher.
    if (kernels.empty()) {
      info.packTiles = v->packTiles;
      info.kernelTiles = v->kernelTiles;
    }
    info.scratchBytes = std::max(info.scratchBytes, v->scratchBytes);
    if (v->packTiles)
      packs.push_back({isa, packName, v->packTiles});
    kernels.push_back({isa, kernelName, v->kernelTiles});
  }
  if (packs.empty())
    info.pack.clear();
  if (lowerToLLVM) {
    if (failed(lowerKernelsToLLVM(*scratch)))
      return failure();
    if (!single)
      scratch->walk([](LLVM::LLVMFuncOp fn) {
        fn.setLinkage(LLVM::Linkage::Internal);
      });
  }
  Block *dst = module.getBody();
  dst->getOperations().splice(dst->end(), scratch->getBody()->getOperations());
  if (!single && lowerToLLVM) {
    if (!packs.empty())
      emitDispatcher(b, module, info.pack, info.packTiles, packs);
    emitDispatcher(b, module, info.kernel, info.kernelTiles, kernels);
  }
  return info;
}

} // namespace

FailureOr<KernelInfo> mlir::q::loops::buildConvKernels(
    ModuleOp module, llvm::StringRef name, const ConvSpec &spec,
    ArrayRef<Isa> isas, TileOptions tiles, bool lowerToLLVM) {
  return buildKernels(module, name, spec, isas, tiles, lowerToLLVM,
                      emitConvVariant);
}

FailureOr<KernelInfo> mlir::q::loops::buildFcKernels(
    ModuleOp module, llvm::StringRef name, const FcSpec &spec,
    ArrayRef<Isa> isas, TileOptions tiles, bool lowerToLLVM) {
  return buildKernels(module, name, spec, isas, tiles, lowerToLLVM,
                      emitFcVariant);
}
