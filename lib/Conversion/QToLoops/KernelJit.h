//===- KernelJit.h - compile generated kernels in-process -------*- C++ -*-===//
//
// For tests and benchmarks: JIT-compiles a module of lowered kernels (LLVM
// dialect) at -O3 for the host CPU, honouring each function's target
// features, and hands out the kernels' addresses.
//
//===----------------------------------------------------------------------===//

#ifndef QTOLOOPS_KERNELJIT_H
#define QTOLOOPS_KERNELJIT_H

#include "mlir/ExecutionEngine/ExecutionEngine.h"
#include "mlir/IR/BuiltinOps.h"

#include <memory>
#include <string>

namespace mlir::q::loops {

using KernelFn = void (*)(void **args, int64_t begin, int64_t end);

class KernelJit {
public:
  /// Registers what the JIT needs in `registry` (LLVM IR translation).
  static void registerDialects(DialectRegistry &registry);

  /// Compiles `module`; `cpuIsa` implements qrt_cpu_isa for dispatchers.
  /// Returns null and sets `error` on failure.
  static std::unique_ptr<KernelJit> create(ModuleOp module,
                                           int32_t (*cpuIsa)(),
                                           std::string &error);

  KernelFn lookup(llvm::StringRef name);

private:
  std::unique_ptr<ExecutionEngine> engine;
};

} // namespace mlir::q::loops

#endif // QTOLOOPS_KERNELJIT_H
