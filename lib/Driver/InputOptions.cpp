//===- InputOptions.cpp - --input-mean/--input-std and --input-type -------===//
//
// MXNet users normalize images in the data loader (ImageIter's mean/std on
// 0..255 values). --input-mean/--input-std move that normalization into the
// graph at import, so that every tool (q-compile, q-calibrate, q-report)
// sees one graph that takes raw pixel values; --input-type then makes the
// compiled model take those pixels as uint8 (q-raw-inputs folds the
// normalization into the input lookup's table).
//
//===----------------------------------------------------------------------===//

#include "InputOptions.h"

#include "QDialect/IR/Constants.h"
#include "QDialect/IR/QDialect.h"
#include "QDialect/Transforms/Passes.h"
#include "QDialect/Transforms/RawInputs.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringSet.h"

#include <cmath>

using namespace mlir;
using namespace mlir::q;
using namespace mlir::q::driver;

namespace {

llvm::Error makeError(const llvm::Twine &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), message);
}

func::FuncOp mainOf(ModuleOp module) {
  return module.lookupSymbol<func::FuncOp>("main");
}

/// `name:v[,v...]` of --input-mean / --input-std.
llvm::Error parseValues(llvm::StringRef flag, llvm::StringRef text,
                        llvm::StringMap<std::vector<float>> &out) {
  auto where = [&] { return ("--" + flag + "=" + text + ": ").str(); };
  auto [name, list] = text.split(':');
  if (name.empty() || list.empty())
    return makeError(where() + "expected NAME:V or NAME:R,G,B");
  if (out.count(name))
    return makeError(where() + "input '" + name + "' is given twice");
  llvm::SmallVector<llvm::StringRef> items;
  list.split(items, ',');
  std::vector<float> values;
  for (llvm::StringRef item : items) {
    double v = 0;
    if (item.trim().getAsDouble(v) || !std::isfinite(v))
      return makeError(where() + "'" + item + "' is not a number");
    if (flag == "input-std" && v == 0)
      return makeError(where() + "a std must not be 0");
    values.push_back(float(v));
  }
  out[name] = std::move(values);
  return llvm::Error::success();
}

std::string shapeText(RankedTensorType type) {
  std::string text;
  llvm::raw_string_ostream os(text);
  llvm::interleave(type.getShape(), os, "x");
  return text;
}

/// Inserts `x op values` after `x` (a scalar op for one value, a binary op
/// with a [1, C, 1, ...] constant for one value per channel).
Value applyPerChannel(OpBuilder &builder, Value x, llvm::ArrayRef<float> values,
                      bool divide, llvm::StringRef name) {
  MLIRContext *ctx = builder.getContext();
  Location loc = NameLoc::get(StringAttr::get(ctx, name));
  if (values.size() == 1)
    return ScalarOp::create(
        builder, loc, x,
        ScalarKindAttr::get(ctx, divide ? ScalarKind::div : ScalarKind::sub),
        builder.getF64FloatAttr(values[0]));
  auto type = llvm::cast<RankedTensorType>(x.getType());
  SmallVector<int64_t> shape(type.getRank(), 1);
  shape[1] = int64_t(values.size());
  Value constant = makeConstant<float>(
      builder, RankedTensorType::get(shape, builder.getF32Type()), values,
      name);
  if (divide)
    return DivOp::create(builder, loc, x, constant);
  return SubOp::create(builder, loc, x, constant);
}

} // namespace

llvm::Error mlir::q::driver::normalizeInputs(ModuleOp module,
                                             const ImportOptions &options) {
  if (options.inputMeans.empty() && options.inputStds.empty())
    return llvm::Error::success();
  llvm::StringMap<std::vector<float>> means, stds;
  for (const std::string &text : options.inputMeans)
    if (auto err = parseValues("input-mean", text, means))
      return err;
  for (const std::string &text : options.inputStds)
    if (auto err = parseValues("input-std", text, stds))
      return err;
  func::FuncOp fn = mainOf(module);
  if (!fn)
    return makeError("--input-mean/--input-std: the module has no @main");

  // Names in flag order: means first, then stds not already seen.
  std::vector<std::string> names;
  for (const std::string &text : options.inputMeans)
    names.push_back(llvm::StringRef(text).split(':').first.str());
  for (const std::string &text : options.inputStds) {
    std::string name = llvm::StringRef(text).split(':').first.str();
    if (!means.count(name))
      names.push_back(name);
  }
  for (const std::string &name : names) {
    // The flag as given, for messages.
    auto flagText = [&](bool mean) {
      for (const std::string &text :
           mean ? options.inputMeans : options.inputStds)
        if (llvm::StringRef(text).split(':').first == name)
          return (mean ? "--input-mean=" : "--input-std=") + text;
      return std::string();
    };
    RawInputSpec spec;
    spec.name = name;
    if (auto err = checkRawInput(fn, spec))
      return makeError(flagText(means.count(name)) + ": " +
                       llvm::toString(std::move(err)));
    unsigned index = 0;
    for (; index < fn.getNumArguments(); ++index)
      if (auto attr = fn.getArgAttrOfType<StringAttr>(index, "q.name"))
        if (attr.getValue() == name)
          break;
    BlockArgument arg = fn.getArgument(index);
    auto type = llvm::cast<RankedTensorType>(arg.getType());
    int64_t channels = type.getRank() >= 2 ? type.getDimSize(1) : 1;
    for (bool mean : {true, false}) {
      auto &map = mean ? means : stds;
      auto it = map.find(name);
      if (it == map.end())
        continue;
      size_t count = it->second.size();
      if (count != 1 && int64_t(count) != channels)
        return makeError(
            flagText(mean) + ": input '" + name + "' has " +
            llvm::Twine(channels) + (channels == 1 ? " channel" : " channels") +
            " (shape " + shapeText(type) + "); give 1 value" +
            (channels == 1 ? "" : " or " + std::to_string(channels)) +
            ", not " + llvm::Twine(count));
    }

    OpBuilder builder(fn.getContext());
    builder.setInsertionPointToStart(&fn.getBody().front());
    Value x = arg;
    llvm::SmallPtrSet<Operation *, 4> inserted;
    if (means.count(name)) {
      x = applyPerChannel(builder, x, means[name], false, name + "_mean");
      inserted.insert(x.getDefiningOp());
    }
    if (stds.count(name)) {
      x = applyPerChannel(builder, x, stds[name], true, name + "_std");
      inserted.insert(x.getDefiningOp());
    }
    arg.replaceAllUsesExcept(x, inserted);
  }
  return llvm::Error::success();
}

llvm::Error mlir::q::driver::checkInputTypes(ModuleOp module,
                                             const InputTypeOptions &options) {
  func::FuncOp fn = mainOf(module);
  llvm::StringSet<> seen;
  for (const std::string &text : options.types) {
    auto where = "--input-type=" + text + ": ";
    auto spec = parseRawInputSpec(text);
    if (!spec)
      return makeError(where + llvm::toString(spec.takeError()));
    if (!seen.insert(spec->name).second)
      return makeError(where + "input '" + spec->name + "' is given twice");
    if (!fn)
      return makeError(where + "the module has no @main");
    if (auto err = checkRawInput(fn, *spec))
      return makeError(where + llvm::toString(std::move(err)));
  }
  return llvm::Error::success();
}

void mlir::q::driver::addRawInputPass(PassManager &pm,
                                      const InputTypeOptions &options) {
  if (options.empty())
    return;
  QRawInputsOptions pass;
  for (std::string text : options.types) {
    std::replace(text.begin(), text.end(), ',', ':');
    pass.inputs.push_back(text);
  }
  pm.addPass(createQRawInputs(pass));
}
