//===- Steps.cpp - The op table and the helpers every family shares -------===//
//
// StepBuilder's checks and operand lists, the descriptor helpers of
// Steps.h, and the table of all families' handlers.
//
//===----------------------------------------------------------------------===//

#include "Steps.h"

#include "QDialect/IR/Constants.h"

using namespace mlir;
using namespace mlir::q;

LogicalResult StepBuilder::requireRuntimeValue(Value value) {
  if (!ctx.isKnown(value))
    return op->emitOpError("reads a value the lowering has not seen");
  if (ctx.isWeight(value))
    return op->emitOpError("reads a constant as data; only weights may be "
                           "constants for now");
  return success();
}

LogicalResult StepBuilder::data(Value value) {
  if (failed(requireRuntimeValue(value)))
    return failure();
  step.runInputs.push_back(value);
  return success();
}

LogicalResult StepBuilder::weight(Value value, llvm::StringRef what) {
  if (value && !ctx.isWeight(value))
    return op->emitOpError() << what
                             << " must be a constant; import the model with "
                                "its .params file";
  step.initArgs.push_back({value, {}});
  return success();
}

void StepBuilder::passScale(Value input, Value result) {
  if (isQuantized8(input))
    ctx.setStep(result, ctx.qparamOf(input));
}

int32_t mlir::q::qrtDtype(Type element) {
  if (auto quantized = llvm::dyn_cast<quant::QuantizedType>(element)) {
    if (quantized.getStorageTypeIntegralWidth() == 32)
      return QRT_F32;
    return quantized.isSigned() ? QRT_S8 : QRT_U8;
  }
  if (element.isInteger(8))
    return element.isUnsignedInteger() ? QRT_U8 : QRT_S8;
  if (element.isInteger(32))
    return QRT_S32;
  return QRT_F32;
}

int32_t mlir::q::qrtDtypeOf(Value value) {
  return qrtDtype(llvm::cast<ShapedType>(value.getType()).getElementType());
}

bool mlir::q::isQuantized8(Value value) {
  Type element = llvm::cast<ShapedType>(value.getType()).getElementType();
  auto quantized = llvm::dyn_cast<quant::QuantizedType>(element);
  return quantized && quantized.getStorageTypeIntegralWidth() == 8;
}

qrt_shape mlir::q::shapeOf(Value value) {
  qrt_shape shape{};
  auto type = llvm::cast<ShapedType>(value.getType());
  shape.rank = type.getRank();
  for (int64_t i = 0; i < type.getRank() && i < QRT_MAX_RANK; ++i)
    shape.dims[i] = type.getDimSize(i);
  return shape;
}

qrt_eltwise mlir::q::eltwiseOf(std::optional<EltwiseAttr> act) {
  qrt_eltwise out{};
  if (!act || !*act)
    return out;
  out.kind = static_cast<int32_t>(act->getKind()) + 1;
  out.alpha = act->getAlphaValue();
  out.beta = act->getBetaValue();
  return out;
}

std::vector<float> mlir::q::weightStepsOf(Value weight) {
  Type element = llvm::cast<ShapedType>(weight.getType()).getElementType();
  std::vector<float> values;
  if (auto perAxis =
          llvm::dyn_cast<quant::UniformQuantizedPerAxisType>(element))
    for (double v : perAxis.getScales())
      values.push_back(v);
  else if (auto uniform = llvm::dyn_cast<quant::UniformQuantizedType>(element))
    values.push_back(uniform.getScale());
  return values;
}

StepTable mlir::q::buildStepTable() {
  StepTable table;
  registerConvolutionSteps(table);
  registerPoolingSteps(table);
  registerNormalizationSteps(table);
  registerElementwiseSteps(table);
  registerDataMovementSteps(table);
  registerQuantizedSteps(table);
  registerGeneratedKernelsSteps(table);
  return table;
}
