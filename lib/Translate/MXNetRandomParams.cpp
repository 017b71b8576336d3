//===- MXNetRandomParams.cpp - weights for models published without -------===//

#include "QDialect/Translate/MXNet.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinTypes.h"

#include <cmath>

using namespace mlir;

mxnet::ParamsFile mlir::q::makeRandomParams(ModuleOp module, uint32_t seed) {
  mxnet::ParamsFile params;
  auto fn = module.lookupSymbol<func::FuncOp>("main");
  if (!fn)
    return params;
  uint32_t state = seed;
  auto next = [&] { // LCG: deterministic on every platform
    state = state * 1664525u + 1013904223u;
    return float(state >> 8) / float(1u << 24) * 2.0f - 1.0f;
  };
  for (unsigned i = 0; i < fn.getNumArguments(); ++i) {
    if (!fn.getArgAttr(i, "q.param"))
      continue;
    std::string name = fn.getArgAttrOfType<StringAttr>(i, "q.name").str();
    auto type = llvm::cast<RankedTensorType>(fn.getArgument(i).getType());
    int64_t count = type.getNumElements();
    int64_t fanIn = type.getRank() > 1 ? count / type.getDimSize(0) : 1;
    bool isVar = llvm::StringRef(name).ends_with("_var");
    bool isAux = isVar || llvm::StringRef(name).ends_with("_mean");
    bool isGamma = llvm::StringRef(name).ends_with("_gamma");
    std::vector<float> values(count);
    for (float &v : values)
      v = isVar || isGamma ? 0.5f + 0.5f * std::fabs(next())
                           : next() / std::sqrt(float(fanIn));
    params.arrays.emplace_back((isAux ? "aux:" : "arg:") + name,
                               mxnet::makeF32(type.getShape(), values));
  }
  return params;
}
