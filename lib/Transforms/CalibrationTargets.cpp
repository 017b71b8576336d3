//===- CalibrationTargets.cpp - What calibration must observe -------------===//

#include "QDialect/IR/QDialect.h"
#include "QDialect/IR/TensorNames.h"
#include "QDialect/Transforms/Calibration.h"

#include "llvm/ADT/StringSet.h"

using namespace mlir;

std::vector<std::string> mlir::q::calibrationTargetNames(ModuleOp quantized) {
  std::vector<std::string> names;
  llvm::StringSet<> seen;
  auto add = [&](Value value) {
    std::string name = tensorName(value);
    if (seen.insert(name).second)
      names.push_back(name);
  };
  quantized.walk([&](Operation *op) {
    if (auto quantize = llvm::dyn_cast<QuantizeOp>(op)) {
      if (quantize.getInput().getType().getElementType().isF32())
        add(quantize.getInput());
    } else if (auto requantize = llvm::dyn_cast<RequantizeOp>(op)) {
      add(requantize.getInput());
    }
  });
  return names;
}
