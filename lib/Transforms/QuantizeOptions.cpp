//===- QuantizeOptions.cpp - Parsing and checking q-quantize's options ----===//
//
// The one place that turns option texts into QuantizeOptions values and
// words a bad one (see QuantizeOptions.h): the pass, the pipeline and the
// tools all call these.
//
//===----------------------------------------------------------------------===//

#include "QDialect/Transforms/QuantizeOptions.h"

#include "QDialect/IR/TensorNames.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringSet.h"

#include <algorithm>

using namespace mlir;
using namespace mlir::q;

namespace {
constexpr llvm::StringLiteral kOpKinds[] = {
    "conv", "fc", "pooling", "flatten", "reshape", "concat", "act", "add"};
} // namespace

llvm::ArrayRef<llvm::StringLiteral> mlir::q::quantizeOpKinds() {
  return kOpKinds;
}

llvm::Error mlir::q::badOptionValue(llvm::StringRef option,
                                    llvm::StringRef value,
                                    llvm::StringRef expected) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                 option + "=" + value +
                                     " is not valid; expected " + expected);
}

llvm::StringRef mlir::q::optionValueName(QuantDType dtype) {
  switch (dtype) {
  case QuantDType::int8:
    return "int8";
  case QuantDType::uint8:
    return "uint8";
  case QuantDType::auto_:
    return "auto";
  }
  return "?";
}

llvm::StringRef mlir::q::optionValueName(QuantizeMode mode) {
  return mode == QuantizeMode::smart ? "smart" : "full";
}

llvm::StringRef mlir::q::optionValueName(WeightGranularity granularity) {
  return granularity == WeightGranularity::channel ? "channel" : "tensor";
}

llvm::Error mlir::q::parseOptionValue(llvm::StringRef value,
                                      llvm::StringRef option, QuantDType &out) {
  for (QuantDType t : {QuantDType::int8, QuantDType::uint8, QuantDType::auto_})
    if (value == optionValueName(t)) {
      out = t;
      return llvm::Error::success();
    }
  return badOptionValue(option, value, "int8, uint8 or auto");
}

llvm::Error mlir::q::parseOptionValue(llvm::StringRef value,
                                      llvm::StringRef option,
                                      QuantizeMode &out) {
  for (QuantizeMode m : {QuantizeMode::smart, QuantizeMode::full})
    if (value == optionValueName(m)) {
      out = m;
      return llvm::Error::success();
    }
  return badOptionValue(option, value, "smart or full");
}

llvm::Error mlir::q::parseOptionValue(llvm::StringRef value,
                                      llvm::StringRef option,
                                      WeightGranularity &out) {
  for (WeightGranularity g :
       {WeightGranularity::channel, WeightGranularity::tensor})
    if (value == optionValueName(g)) {
      out = g;
      return llvm::Error::success();
    }
  return badOptionValue(option, value, "channel or tensor");
}

llvm::Expected<QuantDType> mlir::q::parseQuantDType(llvm::StringRef value,
                                                    llvm::StringRef option) {
  QuantDType out;
  if (auto err = parseOptionValue(value, option, out))
    return std::move(err);
  return out;
}

llvm::Expected<QuantizeMode>
mlir::q::parseQuantizeMode(llvm::StringRef value, llvm::StringRef option) {
  QuantizeMode out;
  if (auto err = parseOptionValue(value, option, out))
    return std::move(err);
  return out;
}

llvm::Expected<WeightGranularity>
mlir::q::parseGranularity(llvm::StringRef value, llvm::StringRef option) {
  WeightGranularity out;
  if (auto err = parseOptionValue(value, option, out))
    return std::move(err);
  return out;
}

llvm::Error mlir::q::checkWeightBits(int bits, llvm::StringRef option) {
  if (bits < 2 || bits > 8)
    return badOptionValue(option, std::to_string(bits), "2 to 8");
  return llvm::Error::success();
}

llvm::Error mlir::q::checkOpKinds(llvm::ArrayRef<std::string> kinds,
                                  llvm::StringRef option) {
  for (const std::string &kind : kinds)
    if (!llvm::is_contained(kOpKinds, kind))
      return badOptionValue(option, kind,
                            "conv, fc, pooling, flatten, reshape, concat, "
                            "act or add");
  return llvm::Error::success();
}

llvm::Error mlir::q::checkQuantizeOptions(const QuantizeOptions &options) {
  if (auto err = checkWeightBits(options.weightBits))
    return err;
  return checkOpKinds(options.excludeOps);
}

llvm::Error mlir::q::checkNodeNames(Operation *root,
                                    llvm::ArrayRef<std::string> names,
                                    llvm::StringRef option) {
  if (names.empty())
    return llvm::Error::success();
  llvm::StringSet<> nodes;
  root->walk([&](Operation *op) {
    for (const std::string &name : nodeNames(op->getLoc()))
      nodes.insert(name);
  });
  for (const std::string &name : names) {
    if (nodes.contains(name))
      continue;
    // The closest names, at most a third of the name's length away.
    unsigned limit = std::max<unsigned>(2, name.size() / 3);
    std::vector<std::pair<unsigned, std::string>> close;
    for (const auto &node : nodes) {
      unsigned distance = llvm::StringRef(name).edit_distance(
          node.getKey(), /*AllowReplacements=*/true, limit);
      if (distance <= limit)
        close.emplace_back(distance, node.getKey().str());
    }
    std::sort(close.begin(), close.end());
    std::string message =
        (option + "=" + name + ": the graph has no node of that name").str();
    if (!close.empty()) {
      message += "; did you mean ";
      for (size_t i = 0; i < close.size() && i < 3; ++i)
        message += (i ? ", '" : "'") + close[i].second + "'";
      message += "?";
    }
    return llvm::createStringError(llvm::inconvertibleErrorCode(), message);
  }
  return llvm::Error::success();
}
