//===- QDialect.cpp - the q dialect ---------------------------------------===//

#include "QDialect/IR/QDialect.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/DialectImplementation.h"
#include "llvm/ADT/TypeSwitch.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/FormatVariadic.h"

using namespace mlir;
using namespace mlir::q;

#include "QDialect/IR/QOpsDialect.cpp.inc"

#include "QDialect/IR/QEnums.cpp.inc"

#define GET_ATTRDEF_CLASSES
#include "QDialect/IR/QAttrs.cpp.inc"

void QDialect::initialize() {
  addAttributes<
#define GET_ATTRDEF_LIST
#include "QDialect/IR/QAttrs.cpp.inc"
      >();
  addOperations<
#define GET_OP_LIST
#include "QDialect/IR/QOps.cpp.inc"
      >();
}

//===----------------------------------------------------------------------===//
// EltwiseAttr: <kind> or <kind, alpha> or <kind, alpha, beta>
//===----------------------------------------------------------------------===//

static bool usesAlpha(EltwiseKind kind) {
  return kind == EltwiseKind::leaky || kind == EltwiseKind::elu ||
         kind == EltwiseKind::clip;
}
static bool usesBeta(EltwiseKind kind) { return kind == EltwiseKind::clip; }

Attribute EltwiseAttr::parse(AsmParser &parser, Type) {
  StringRef keyword;
  SMLoc kindLoc = parser.getCurrentLocation();
  if (parser.parseLess() || parser.parseKeyword(&keyword))
    return {};
  std::optional<EltwiseKind> kind = symbolizeEltwiseKind(keyword);
  if (!kind) {
    parser.emitError(kindLoc, "unknown element-wise function '")
        << keyword << "'";
    return {};
  }
  double params[2] = {0.0, 0.0};
  unsigned count = 0;
  while (count < 2 && succeeded(parser.parseOptionalComma()))
    if (parser.parseFloat(params[count++]))
      return {};
  if (parser.parseGreater())
    return {};
  return getChecked([&] { return parser.emitError(kindLoc); },
                    parser.getContext(), *kind, llvm::APFloat(params[0]),
                    llvm::APFloat(params[1]));
}

void EltwiseAttr::print(AsmPrinter &printer) const {
  printer << "<" << stringifyEltwiseKind(getKind());
  if (usesAlpha(getKind())) {
    printer << ", ";
    printer.printFloat(getAlpha());
  }
  if (usesBeta(getKind())) {
    printer << ", ";
    printer.printFloat(getBeta());
  }
  printer << ">";
}

LogicalResult
EltwiseAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                    EltwiseKind kind, llvm::APFloat alphaValue,
                    llvm::APFloat betaValue) {
  double alpha = alphaValue.convertToDouble();
  double beta = betaValue.convertToDouble();
  if (!std::isfinite(alpha) || !std::isfinite(beta))
    return emitError() << "parameters of '" << stringifyEltwiseKind(kind)
                       << "' must be finite";
  if (!usesAlpha(kind) && alpha != 0.0)
    return emitError() << "'" << stringifyEltwiseKind(kind)
                       << "' takes no parameter";
  if (!usesBeta(kind) && beta != 0.0)
    return emitError() << "'" << stringifyEltwiseKind(kind)
                       << "' takes at most one parameter";
  if (kind == EltwiseKind::clip && alpha > beta)
    return emitError() << "clip bounds are reversed: min "
                       << llvm::formatv("{0}", llvm::format("%g", alpha))
                       << " > max "
                       << llvm::formatv("{0}", llvm::format("%g", beta));
  return success();
}

//===----------------------------------------------------------------------===//
// Quantization helpers
//===----------------------------------------------------------------------===//

double mlir::q::quantizedStepFromRange(bool isUnsigned, double minRange,
                                       double maxRange) {
  double absMax = std::max(std::fabs(minRange), std::fabs(maxRange));
  // An all-zero range still needs a usable (positive) scale: one unit.
  if (!(absMax > 0))
    absMax = 1.0;
  return absMax / (isUnsigned ? kUint8Range : kInt8Range);
}

bool mlir::q::resolvesToUnsigned(QuantDType outType,
                                 std::optional<double> calibMin) {
  switch (outType) {
  case QuantDType::int8:
    return false;
  case QuantDType::uint8:
    return true;
  case QuantDType::auto_:
    return calibMin && *calibMin >= 0.0;
  }
  llvm_unreachable("unknown QuantDType");
}

static std::pair<int64_t, int64_t> storageLimits(unsigned bits, bool isSigned) {
  if (!isSigned)
    return {0, (int64_t(1) << bits) - 1};
  return {-(int64_t(1) << (bits - 1)), (int64_t(1) << (bits - 1)) - 1};
}

quant::AnyQuantizedType mlir::q::dynamicQuantType(MLIRContext *context,
                                                  unsigned bits,
                                                  bool isSigned) {
  auto [lo, hi] = storageLimits(bits, isSigned);
  return quant::AnyQuantizedType::get(
      isSigned ? quant::QuantizationFlags::Signed : 0,
      IntegerType::get(context, bits), Float32Type::get(context), lo, hi);
}

quant::UniformQuantizedType mlir::q::staticQuantType(MLIRContext *context,
                                                     bool isUnsigned,
                                                     double step) {
  auto [lo, hi] = storageLimits(8, !isUnsigned);
  return quant::UniformQuantizedType::get(
      isUnsigned ? 0 : quant::QuantizationFlags::Signed,
      IntegerType::get(context, 8), Float32Type::get(context), step, 0, lo,
      hi);
}

quant::UniformQuantizedType
mlir::q::calibratedQuantType(MLIRContext *context, QuantDType outType,
                             double minRange, double maxRange) {
  bool isUnsigned = resolvesToUnsigned(outType, minRange);
  double step = quantizedStepFromRange(isUnsigned, minRange, maxRange);
  return staticQuantType(context, isUnsigned, step);
}

quant::UniformQuantizedPerAxisType
mlir::q::perAxisQuantType(MLIRContext *context, unsigned bits,
                          llvm::ArrayRef<double> steps, int32_t axis) {
  auto [lo, hi] = storageLimits(bits, true);
  SmallVector<int64_t> zeroPoints(steps.size(), 0);
  return quant::UniformQuantizedPerAxisType::get(
      quant::QuantizationFlags::Signed, IntegerType::get(context, bits),
      Float32Type::get(context), steps, zeroPoints, axis, lo, hi);
}

std::optional<double> mlir::q::staticStep(Type elementType) {
  if (auto uniform = llvm::dyn_cast<quant::UniformQuantizedType>(elementType))
    return uniform.getScale();
  return std::nullopt;
}
