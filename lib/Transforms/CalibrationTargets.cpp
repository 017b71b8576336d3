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

int64_t mlir::q::depthwiseOnlyChannels(Value quantized) {
  auto type = llvm::dyn_cast<RankedTensorType>(quantized.getType());
  if (!type || type.getRank() < 3 || type.isDynamicDim(1) ||
      quantized.use_empty())
    return 0;
  int64_t channels = type.getDimSize(1);
  for (OpOperand &use : quantized.getUses()) {
    auto conv = llvm::dyn_cast<FusedConvOp>(use.getOwner());
    if (!conv || use.getOperandNumber() != 0 || channels < 2 ||
        conv.getGroups() != uint64_t(channels))
      return 0;
  }
  return channels;
}

std::vector<mlir::q::ChannelTarget>
mlir::q::perChannelTargets(ModuleOp quantized) {
  std::vector<ChannelTarget> targets;
  llvm::StringSet<> seen;
  quantized.walk([&](QuantizeOp quantize) {
    auto input = llvm::cast<RankedTensorType>(quantize.getInput().getType());
    if (!input.getElementType().isF32() || !input.hasStaticShape())
      return;
    int64_t channels = depthwiseOnlyChannels(quantize.getOutput());
    if (!channels)
      return;
    std::string name = tensorName(quantize.getInput());
    if (!seen.insert(name).second)
      return;
    int64_t inner = 1;
    for (int64_t d = 2; d < input.getRank(); ++d)
      inner *= input.getDimSize(d);
    targets.push_back({name, channels, inner});
  });
  return targets;
}
