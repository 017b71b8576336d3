//===- KernelJit.cpp - compile generated kernels in-process ---------------===//

#include "KernelJit.h"

#include "mlir/ExecutionEngine/OptUtils.h"
#include "mlir/Target/LLVMIR/Dialect/Builtin/BuiltinToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/LLVMIR/LLVMToLLVMIRTranslation.h"
#include "llvm/ExecutionEngine/Orc/JITTargetMachineBuilder.h"
#include "llvm/Support/TargetSelect.h"

#include <cstdlib>

using namespace mlir;
using namespace mlir::q::loops;

void KernelJit::registerDialects(DialectRegistry &registry) {
  registerBuiltinDialectTranslation(registry);
  registerLLVMDialectTranslation(registry);
}

std::unique_ptr<KernelJit> KernelJit::create(ModuleOp module,
                                             int32_t (*cpuIsa)(),
                                             std::string &error) {
  llvm::InitializeNativeTarget();
  llvm::InitializeNativeTargetAsmPrinter();
  auto tmBuilder = llvm::orc::JITTargetMachineBuilder::detectHost();
  if (!tmBuilder) {
    error = llvm::toString(tmBuilder.takeError());
    return nullptr;
  }
  tmBuilder->setCodeGenOptLevel(llvm::CodeGenOptLevel::Aggressive);
  auto tm = tmBuilder->createTargetMachine();
  if (!tm) {
    error = llvm::toString(tm.takeError());
    return nullptr;
  }
  ExecutionEngineOptions options;
  auto transformer = makeOptimizingTransformer(3, 0, tm->get());
  if (!std::getenv("Q_LOOPS_NOOPT"))
    options.transformer = transformer;
  // Q_LOOPS_DUMP=file.o: write the compiled object (objdump -d it).
  options.enableObjectDump = std::getenv("Q_LOOPS_DUMP") != nullptr;
  options.jitCodeGenOptLevel = llvm::CodeGenOptLevel::Aggressive;
  auto engine = ExecutionEngine::create(module, options, std::move(*tm));
  if (!engine) {
    error = llvm::toString(engine.takeError());
    return nullptr;
  }
  if (cpuIsa)
    (*engine)->registerSymbols([&](llvm::orc::MangleAndInterner interner) {
      llvm::orc::SymbolMap map;
      map[interner("qrt_cpu_isa")] = {llvm::orc::ExecutorAddr::fromPtr(cpuIsa),
                                      llvm::JITSymbolFlags::Exported};
      return map;
    });
  auto jit = std::make_unique<KernelJit>();
  jit->engine = std::move(*engine);
  return jit;
}

KernelFn KernelJit::lookup(llvm::StringRef name) {
  auto address = engine->lookup(name);
  if (!address) {
    llvm::consumeError(address.takeError());
    return nullptr;
  }
  if (const char *dump = std::getenv("Q_LOOPS_DUMP"))
    engine->dumpToObjectFile(dump);
  return reinterpret_cast<KernelFn>(*address);
}
