//===- TensorNames.cpp - MXNet-style names of graph tensors ---------------===//

#include "QDialect/IR/TensorNames.h"

#include "mlir/Interfaces/FunctionInterfaces.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Operation.h"

using namespace mlir;

namespace {
void collectNames(Location loc, llvm::SmallVectorImpl<std::string> &names) {
  if (auto name = llvm::dyn_cast<NameLoc>(loc)) {
    names.push_back(name.getName().str());
    return;
  }
  if (auto fused = llvm::dyn_cast<FusedLoc>(loc))
    for (Location inner : fused.getLocations())
      collectNames(inner, names);
}
} // namespace

llvm::SmallVector<std::string> mlir::q::nodeNames(Location loc) {
  llvm::SmallVector<std::string> names;
  collectNames(loc, names);
  return names;
}

std::optional<std::string> mlir::q::nodeName(Location loc) {
  auto names = nodeNames(loc);
  if (names.empty())
    return std::nullopt;
  return names.back();
}

std::string mlir::q::tensorName(Value value) {
  if (auto arg = llvm::dyn_cast<BlockArgument>(value)) {
    Operation *parent = arg.getOwner()->getParentOp();
    if (auto func = llvm::dyn_cast_if_present<FunctionOpInterface>(parent))
      if (auto name = func.getArgAttrOfType<StringAttr>(arg.getArgNumber(),
                                                         "q.name"))
        return name.str();
    return "arg" + std::to_string(arg.getArgNumber());
  }
  Operation *op = value.getDefiningOp();
  auto result = llvm::cast<OpResult>(value);
  std::string base;
  if (auto name = nodeName(op->getLoc())) {
    base = *name;
  } else {
    unsigned position = 0;
    for (Operation &other : *op->getBlock()) {
      if (&other == op)
        break;
      ++position;
    }
    base = op->getName().getStringRef().str() + "#" + std::to_string(position);
  }
  if (op->getNumResults() == 1)
    return base + "_output";
  return base + "_output" + std::to_string(result.getResultNumber());
}
