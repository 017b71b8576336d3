//===- MXNetParamsHelper.h - parameters of the right shapes for tests -*- C++ -*-===//
//
// Shared models without .params still need weights for execution tests and
// benchmarks: import the graph without params (the parameters become
// function arguments whose types q inferred) and fill each with
// deterministic values.
//
//===----------------------------------------------------------------------===//

#ifndef Q_UNITTESTS_TRANSLATE_MXNETPARAMSHELPER_H
#define Q_UNITTESTS_TRANSLATE_MXNETPARAMSHELPER_H

#include "QDialect/Translate/MXNet.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinTypes.h"


namespace mlir::q::testing {

inline mxnet::ParamsFile makeParams(mlir::ModuleOp module, uint32_t seed = 1) {
  return makeRandomParams(module, seed);
}

} // namespace mlir::q::testing

#endif // Q_UNITTESTS_TRANSLATE_MXNETPARAMSHELPER_H
