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

#include <cmath>

namespace mlir::q::testing {

/// One array per `q.param` argument, named `arg:`/`aux:` as MXNet's
/// checkpoints do (moving statistics are aux). Values: a fixed pseudo-random
/// sequence scaled by 1/sqrt(fan-in); variances are positive.
inline mxnet::ParamsFile makeParams(mlir::ModuleOp module, uint32_t seed = 1) {
  mxnet::ParamsFile params;
  auto fn = module.lookupSymbol<mlir::func::FuncOp>("main");
  uint32_t state = seed;
  auto next = [&] {
    state = state * 1664525u + 1013904223u;
    return float(state >> 8) / float(1u << 24) * 2.0f - 1.0f;
  };
  for (unsigned i = 0; i < fn.getNumArguments(); ++i) {
    if (!fn.getArgAttr(i, "q.param"))
      continue;
    auto name = fn.getArgAttrOfType<mlir::StringAttr>(i, "q.name").str();
    auto type =
        llvm::cast<mlir::RankedTensorType>(fn.getArgument(i).getType());
    int64_t count = type.getNumElements();
    int64_t fanIn = type.getRank() > 1 ? count / type.getDimSize(0) : 1;
    bool isVar = llvm::StringRef(name).ends_with("_var");
    bool isAux = isVar || llvm::StringRef(name).ends_with("_mean");
    std::vector<float> values(count);
    for (float &v : values)
      v = isVar ? 0.5f + 0.5f * std::fabs(next())
                : next() / std::sqrt(float(fanIn));
    params.arrays.emplace_back((isAux ? "aux:" : "arg:") + name,
                               mxnet::makeF32(type.getShape(), values));
  }
  return params;
}

} // namespace mlir::q::testing

#endif // Q_UNITTESTS_TRANSLATE_MXNETPARAMSHELPER_H
