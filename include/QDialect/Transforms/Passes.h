//===- Passes.h - graph passes of the q dialect ------------------*- C++ -*-===//

#ifndef QDIALECT_TRANSFORMS_PASSES_H
#define QDIALECT_TRANSFORMS_PASSES_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Pass/Pass.h"

namespace mlir::q {

#define GEN_PASS_DECL
#include "QDialect/Transforms/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "QDialect/Transforms/Passes.h.inc"

} // namespace mlir::q

#endif // QDIALECT_TRANSFORMS_PASSES_H
