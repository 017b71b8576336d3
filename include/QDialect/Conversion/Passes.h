//===- Passes.h - lowerings of the q dialect ---------------------*- C++ -*-===//

#ifndef QDIALECT_CONVERSION_PASSES_H
#define QDIALECT_CONVERSION_PASSES_H

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"

namespace mlir::q {

#define GEN_PASS_DECL
#include "QDialect/Conversion/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "QDialect/Conversion/Passes.h.inc"

/// Weights are laid out one after the other, each at a multiple of this.
constexpr int64_t kWeightAlignment = 64;

} // namespace mlir::q

#endif // QDIALECT_CONVERSION_PASSES_H
