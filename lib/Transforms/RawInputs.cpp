//===- RawInputs.cpp - q-raw-inputs: uint8/int8 graph inputs --------------===//
//
// Camera frames and decoded images are uint8 HWC; int8 data come from
// other quantized pipelines. This pass lets the compiled model take them
// as they are: the f32 input becomes the integer tensor, read through a
// q.input_lookup whose identity table the lookup's canonicalization
// patterns (lib/Dialect/InputLookup.cpp) then grow with the model's own
// preprocessing and the first quantize.
//
//===----------------------------------------------------------------------===//

#include "QDialect/Transforms/RawInputs.h"

#include "QDialect/IR/QDialect.h"
#include "QDialect/Transforms/Passes.h"

#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FormatVariadic.h"

#include <cmath>

namespace mlir::q {
#define GEN_PASS_DEF_QRAWINPUTS
#include "QDialect/Transforms/Passes.h.inc"
} // namespace mlir::q

using namespace mlir;
using namespace mlir::q;

static llvm::Error makeError(const llvm::Twine &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), message);
}

llvm::Expected<RawInputSpec> mlir::q::parseRawInputSpec(llvm::StringRef text) {
  auto [name, rest] = text.split(':');
  if (name.empty() || rest.empty())
    return makeError("expected NAME:u8 or NAME:i8, optionally followed by "
                     ",nhwc and ,step=S");
  RawInputSpec spec;
  spec.name = name.str();
  std::string list = rest.str();
  std::replace(list.begin(), list.end(), ':', ',');
  llvm::SmallVector<llvm::StringRef> items;
  llvm::StringRef(list).split(items, ',');
  bool layoutGiven = false;
  for (auto [i, item] : llvm::enumerate(items)) {
    if (i == 0) {
      if (item != "u8" && item != "i8")
        return makeError("'" + item +
                         "' is not an input type; expected u8 "
                         "(uint8) or i8 (int8)");
      spec.isSigned = item == "i8";
    } else if (item == "nhwc" || item == "nchw") {
      if (layoutGiven)
        return makeError("the layout is given twice");
      layoutGiven = true;
      spec.nhwc = item == "nhwc";
    } else if (item.consume_front("step=")) {
      double step = 0;
      if (item.getAsDouble(step) || !std::isfinite(step) || step <= 0)
        return makeError("step=" + item + ": expected a number > 0");
      spec.step = step;
    } else {
      return makeError("'" + item + "': expected nhwc, nchw or step=S");
    }
  }
  if (spec.isSigned && !spec.step)
    return makeError("i8 data need step=S, the real value of one integer "
                     "step (real = S * x), e.g. step=0.0078125");
  return spec;
}

namespace {
std::optional<unsigned> findInput(func::FuncOp fn, llvm::StringRef name) {
  for (unsigned i = 0; i < fn.getNumArguments(); ++i)
    if (auto attr = fn.getArgAttrOfType<StringAttr>(i, "q.name"))
      if (attr.getValue() == name)
        return i;
  return std::nullopt;
}
} // namespace

llvm::Error mlir::q::checkRawInput(func::FuncOp fn, const RawInputSpec &spec) {
  auto index = findInput(fn, spec.name);
  if (!index) {
    std::string names;
    for (unsigned i = 0; i < fn.getNumArguments(); ++i)
      if (!fn.getArgAttr(i, "q.param"))
        if (auto attr = fn.getArgAttrOfType<StringAttr>(i, "q.name"))
          names += (names.empty() ? "" : ", ") + attr.getValue().str();
    return makeError("the model has no input '" + spec.name +
                     "'; its inputs: " + (names.empty() ? "none" : names));
  }
  auto type = llvm::cast<RankedTensorType>(fn.getArgumentTypes()[*index]);
  std::string shape;
  llvm::raw_string_ostream os(shape);
  llvm::interleave(type.getShape(), os, "x");
  if (!type.getElementType().isF32())
    return makeError("input '" + spec.name + "' is not f32 (it is " + shape +
                     "x" + llvm::formatv("{0}", type.getElementType()).str() +
                     "); only f32 inputs can become raw integers");
  if (spec.nhwc && type.getRank() != 4)
    return makeError("input '" + spec.name + "' has shape " + shape +
                     "; nhwc needs a 4-D (image) input");
  return llvm::Error::success();
}

llvm::Error mlir::q::insertInputLookup(func::FuncOp fn,
                                       const RawInputSpec &spec) {
  if (auto err = checkRawInput(fn, spec))
    return err;
  unsigned index = *findInput(fn, spec.name);
  MLIRContext *ctx = fn.getContext();
  BlockArgument arg = fn.getArgument(index);
  auto type = llvm::cast<RankedTensorType>(arg.getType());
  SmallVector<int64_t> shape(type.getShape());
  if (spec.nhwc)
    shape = {shape[0], shape[2], shape[3], shape[1]};
  Type integer = IntegerType::get(
      ctx, 8, spec.isSigned ? IntegerType::Signless : IntegerType::Unsigned);
  auto rawType = RankedTensorType::get(shape, integer);

  // The identity: entry i is the real value of byte i (x = i - 128 for i8).
  const double step = spec.stepOr1();
  std::vector<float> identity(256);
  for (int i = 0; i < 256; ++i)
    identity[i] = float(step * double(spec.isSigned ? i - 128 : i));
  auto tableType = RankedTensorType::get({1, 256}, Float32Type::get(ctx));
  auto table = DenseElementsAttr::get(tableType, llvm::ArrayRef(identity));

  OpBuilder builder(ctx);
  builder.setInsertionPointToStart(&fn.getBody().front());
  auto lookup = InputLookupOp::create(
      builder, NameLoc::get(StringAttr::get(ctx, spec.name)), type, arg, table,
      LayoutAttr::get(ctx,
                           spec.nhwc ? Layout::nhwc : Layout::nchw));
  arg.replaceAllUsesExcept(lookup.getOutput(), lookup);
  arg.setType(rawType);
  SmallVector<Type> inputs(fn.getArgumentTypes());
  inputs[index] = rawType;
  fn.setType(FunctionType::get(ctx, inputs, fn.getResultTypes()));
  if (spec.nhwc)
    fn.setArgAttr(index, "q.layout", StringAttr::get(ctx, "nhwc"));
  return llvm::Error::success();
}

namespace {
struct QRawInputsPass : mlir::q::impl::QRawInputsBase<QRawInputsPass> {
  using QRawInputsBase::QRawInputsBase;
  void runOnOperation() override {
    auto fn = getOperation().lookupSymbol<func::FuncOp>("main");
    if (!fn) {
      getOperation().emitError("q-raw-inputs needs a function @main");
      return signalPassFailure();
    }
    for (const std::string &text : inputs) {
      auto spec = parseRawInputSpec(text);
      llvm::Error err = spec ? insertInputLookup(fn, *spec) : spec.takeError();
      if (err) {
        fn.emitError("q-raw-inputs: ")
            << text << ": " << llvm::toString(std::move(err));
        return signalPassFailure();
      }
    }
    // Fold what follows each lookup into its table.
    RewritePatternSet patterns(&getContext());
    InputLookupOp::getCanonicalizationPatterns(patterns, &getContext());
    if (failed(applyPatternsGreedily(fn, std::move(patterns))))
      return signalPassFailure();
  }
};
} // namespace
