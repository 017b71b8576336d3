//===- QOps.cpp - ops of the q dialect ------------------------------------===//

#include "QDialect/IR/QDialect.h"
#include "QDialect/IR/ShapeInference.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/OpImplementation.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/FormatVariadic.h"

using namespace mlir;
using namespace mlir::q;

#define GET_OP_CLASSES
#include "QDialect/IR/QOps.cpp.inc"

//===----------------------------------------------------------------------===//
// Helpers
//===----------------------------------------------------------------------===//

namespace {

/// Reports a failed shape rule at the op, in emitOpError's style.
template <typename OpT>
LogicalResult shapeError(std::optional<Location> loc, llvm::Error err) {
  return emitOptionalError(loc, "'", OpT::getOperationName(), "' op ",
                           llvm::toString(std::move(err)));
}

/// Operand types reach type inference before the op is verified, so check
/// the ranked-tensor constraint here rather than assume it.
template <typename OpT>
FailureOr<RankedTensorType> rankedOperand(std::optional<Location> loc,
                                          Value value, StringRef what) {
  auto type = llvm::dyn_cast_if_present<RankedTensorType>(
      value ? value.getType() : Type());
  if (!type || !type.hasStaticShape())
    return emitOptionalError(loc, "'", OpT::getOperationName(), "' op ",
                             what, " must be a tensor with a static shape");
  return type;
}

template <typename OpT>
LogicalResult inferShaped(std::optional<Location> loc,
                          llvm::Expected<shape::Shape> shapeOr,
                          Type elementType,
                          SmallVectorImpl<Type> &inferred) {
  if (!shapeOr)
    return shapeError<OpT>(loc, shapeOr.takeError());
  inferred.push_back(RankedTensorType::get(*shapeOr, elementType));
  return success();
}

/// Quantized storage facts of a tensor element type, or none for floats.
struct StorageInfo {
  unsigned width;
  bool isSigned;
};
std::optional<StorageInfo> storageOf(Type elementType) {
  if (auto quantized = llvm::dyn_cast<quant::QuantizedType>(elementType))
    return StorageInfo{quantized.getStorageTypeIntegralWidth(),
                       quantized.isSigned()};
  if (auto integer = llvm::dyn_cast<IntegerType>(elementType))
    return StorageInfo{integer.getWidth(), !integer.isUnsigned()};
  return std::nullopt;
}

Type elementTypeOf(Value value) {
  return llvm::cast<ShapedType>(value.getType()).getElementType();
}

bool isF32Tensor(Value value) { return elementTypeOf(value).isF32(); }

/// Numbers in diagnostics as people write them: 2.55, not 2.550000e+00.
std::string formatNumber(double value) {
  return llvm::formatv("{0}", llvm::format("%g", value)).str();
}

/// Calibration ranges come in pairs and must be finite and ordered.
LogicalResult verifyCalibRange(Operation *op, std::optional<APFloat> minRange,
                               std::optional<APFloat> maxRange) {
  if (minRange.has_value() != maxRange.has_value())
    return op->emitOpError(
        "needs both min_calib_range and max_calib_range, or neither");
  if (!minRange)
    return success();
  double lo = minRange->convertToDouble(), hi = maxRange->convertToDouble();
  if (!std::isfinite(lo) || !std::isfinite(hi))
    return op->emitOpError("calibration range must be finite");
  if (lo > hi)
    return op->emitOpError("calibration range is reversed: min ")
           << formatNumber(lo) << " > max " << formatNumber(hi);
  return success();
}

/// Checks that a quantized result's type says what its out_type and
/// calibration range imply (the one scale rule of docs/NUMERICS.md:
/// step = absmax / 127.5 for int8, absmax / 255.5 for uint8).
LogicalResult verifyQuantizedResult(Operation *op, Type resultElement,
                                    QuantDType outType,
                                    std::optional<APFloat> minRange,
                                    std::optional<APFloat> maxRange) {
  std::optional<double> calibMin, calibMax;
  if (minRange) {
    calibMin = minRange->convertToDouble();
    calibMax = maxRange->convertToDouble();
  }
  auto quantized = llvm::cast<quant::QuantizedType>(resultElement);
  if (!quantized.getExpressedType().isF32())
    return op->emitOpError("result must express f32 values, got ")
           << resultElement;
  if (quantized.getStorageTypeIntegralWidth() != 8)
    return op->emitOpError("result storage must be 8-bit, got ")
           << resultElement;
  bool wantUnsigned = resolvesToUnsigned(outType, calibMin);
  if (quantized.isSigned() == wantUnsigned)
    return op->emitOpError("out_type ")
           << stringifyQuantDType(outType) << " with "
           << (calibMin ? "this calibration range" : "no calibration range")
           << " gives " << (wantUnsigned ? "u8" : "i8")
           << " storage, but the result is " << resultElement;
  if (!calibMin) {
    if (!llvm::isa<quant::AnyQuantizedType>(quantized))
      return op->emitOpError("has no calibration range, so its scale is "
                             "found at run time and the result must be "
                             "!quant.any, got ")
             << resultElement;
    return success();
  }
  if (auto perAxis =
          llvm::dyn_cast<quant::UniformQuantizedPerAxisType>(quantized)) {
    // Per-channel steps (q-calibrate, for depthwise convolution inputs):
    // int8 along axis 1, symmetric; the range stays the tensor's.
    auto shaped = llvm::cast<ShapedType>(op->getResult(0).getType());
    if (!llvm::isa<QuantizeOp>(op) || wantUnsigned ||
        perAxis.getQuantizedDimension() != 1 || shaped.getRank() < 2 ||
        int64_t(perAxis.getScales().size()) != shaped.getDimSize(1) ||
        llvm::any_of(perAxis.getZeroPoints(),
                     [](int64_t zero) { return zero != 0; }))
      return op->emitOpError("per-channel steps must be an i8 quantize's, "
                             "along axis 1, one per channel, zero points 0; "
                             "got ")
             << resultElement;
    return success();
  }
  auto uniform = llvm::dyn_cast<quant::UniformQuantizedType>(quantized);
  if (!uniform)
    return op->emitOpError("is calibrated, so its result must be a "
                           "per-tensor !quant.uniform type, got ")
           << resultElement;
  if (uniform.getZeroPoint() != 0)
    return op->emitOpError("quantization is symmetric: zero point must be 0");
  double step = quantizedStepFromRange(wantUnsigned, *calibMin, *calibMax);
  if (std::fabs(uniform.getScale() - step) > 1e-6 * step)
    return op->emitOpError("result scale ")
           << formatNumber(uniform.getScale())
           << " does not match the calibration range ["
           << formatNumber(*calibMin) << ", " << formatNumber(*calibMax)
           << "], which gives " << formatNumber(step);
  return success();
}

/// Per-axis weight scales must run along the output-channel axis.
LogicalResult verifyQuantizedWeight(Operation *op, Value weight) {
  Type element = elementTypeOf(weight);
  if (element.isF32())
    return success();
  auto quantized = llvm::dyn_cast<quant::QuantizedType>(element);
  if (!quantized || quantized.getStorageTypeIntegralWidth() != 8 ||
      !quantized.isSigned())
    return op->emitOpError("quantized weights must have i8 storage, got ")
           << element;
  if (auto perAxis =
          llvm::dyn_cast<quant::UniformQuantizedPerAxisType>(quantized)) {
    int64_t outChannels = llvm::cast<ShapedType>(weight.getType()).getDimSize(0);
    if (perAxis.getQuantizedDimension() != 0 ||
        (int64_t)perAxis.getScales().size() != outChannels)
      return op->emitOpError("per-channel weight scales must be along axis 0 "
                             "with one scale per output channel (")
             << outChannels << ")";
  }
  return success();
}

/// The dtype rules shared by fused conv and fused fc.
LogicalResult verifyFusedDTypes(Operation *op, Value input, Value weight,
                                Value bias, Value result) {
  if (isF32Tensor(input)) {
    for (Value v : {weight, bias, result})
      if (v && !isF32Tensor(v))
        return op->emitOpError("with an f32 input all operands and the "
                               "result must be f32");
    return success();
  }
  auto storage = storageOf(elementTypeOf(input));
  if (!storage || storage->width != 8)
    return op->emitOpError("quantized input must have 8-bit storage, got ")
           << elementTypeOf(input);
  if (failed(verifyQuantizedWeight(op, weight)))
    return failure();
  if (bias && !isF32Tensor(bias)) {
    auto biasStorage = storageOf(elementTypeOf(bias));
    if (!biasStorage || (biasStorage->width != 32 && biasStorage->width != 8))
      return op->emitOpError("quantized bias must have i32 or i8 storage, got ")
             << elementTypeOf(bias);
  }
  if (!isF32Tensor(result)) {
    auto resultStorage = storageOf(elementTypeOf(result));
    if (!resultStorage ||
        (resultStorage->width != 8 && resultStorage->width != 32))
      return op->emitOpError("quantized result must have 8- or 32-bit "
                             "storage, got ")
             << elementTypeOf(result);
  }
  return success();
}

LogicalResult verifyShape(Operation *op, Value value, ArrayRef<int64_t> want,
                          StringRef what) {
  auto type = llvm::cast<ShapedType>(value.getType());
  if (type.getShape() != want) {
    InFlightDiagnostic diag = op->emitOpError() << what << " must be [";
    llvm::interleaveComma(want, diag);
    return diag << "], got " << value.getType();
  }
  return success();
}

shape::PoolRounding roundingOf(PoolConvention convention) {
  switch (convention) {
  case PoolConvention::valid:
    return shape::PoolRounding::Floor;
  case PoolConvention::full:
    return shape::PoolRounding::Ceil;
  case PoolConvention::same:
    return shape::PoolRounding::Same;
  }
  llvm_unreachable("unknown pooling convention");
}

} // namespace

//===----------------------------------------------------------------------===//
// Convolution and fully connected
//===----------------------------------------------------------------------===//

/// Shared by convolution and fused_conv: the result shape from input,
/// weight and the window attributes.
template <typename OpT, typename AdaptorT>
static llvm::Expected<shape::Shape>
convResultShape(ArrayRef<int64_t> input, ArrayRef<int64_t> weight,
                AdaptorT adaptor) {
  unsigned spatialRank = input.size() > 2 ? input.size() - 2 : 0;
  auto geometry = shape::expandWindowGeometry(
      spatialRank, adaptor.getStrides(), adaptor.getDilations(),
      adaptor.getPads());
  if (!geometry)
    return geometry.takeError();
  return shape::convolution(input, weight, *geometry,
                            static_cast<int64_t>(adaptor.getGroups()));
}

LogicalResult ConvolutionOp::inferReturnTypes(
    MLIRContext *, std::optional<Location> loc, Adaptor adaptor,
    SmallVectorImpl<Type> &inferred) {
  auto input = rankedOperand<ConvolutionOp>(loc, adaptor.getInput(), "input");
  auto weight =
      rankedOperand<ConvolutionOp>(loc, adaptor.getWeight(), "weight");
  if (failed(input) || failed(weight))
    return failure();
  if (Value bias = adaptor.getBias()) {
    auto biasType = rankedOperand<ConvolutionOp>(loc, bias, "bias");
    if (failed(biasType))
      return failure();
    if (biasType->getRank() != 1 ||
        biasType->getDimSize(0) != weight->getDimSize(0))
      return emitOptionalError(loc, "'", getOperationName(),
                               "' op bias must be [", weight->getDimSize(0),
                               "] (one per output channel), got ", *biasType);
  }
  return inferShaped<ConvolutionOp>(
      loc,
      convResultShape<ConvolutionOp>(input->getShape(), weight->getShape(),
                                     adaptor),
      input->getElementType(), inferred);
}

LogicalResult FusedConvOp::verify() {
  auto inputType = getInput().getType();
  auto weightType = getWeight().getType();
  auto shapeOr = convResultShape<FusedConvOp>(inputType.getShape(),
                                              weightType.getShape(), *this);
  if (!shapeOr)
    return emitOpError(llvm::toString(shapeOr.takeError()));
  if (failed(verifyShape(*this, getOutput(), *shapeOr, "result")))
    return failure();
  int64_t outChannels = weightType.getDimSize(0);
  if (getBias() &&
      failed(verifyShape(*this, getBias(), {outChannels}, "bias")))
    return failure();
  if (!getBn().empty()) {
    if (getBn().size() != 4)
      return emitOpError("bn takes 4 operands (gamma, beta, mean, var), got ")
             << getBn().size();
    if (!isF32Tensor(getWeight()))
      return emitOpError("batch norm can only be applied with f32 weights; "
                         "fold it before quantizing");
    for (Value v : getBn())
      if (failed(verifyShape(*this, v, {outChannels}, "bn operand")))
        return failure();
  }
  if (getSum() && failed(verifyShape(*this, getSum(), *shapeOr, "sum")))
    return failure();
  if (getPostsumAct() && !getSum())
    return emitOpError("postsum_act needs a sum operand");
  if (failed(verifyFusedDTypes(*this, getInput(), getWeight(), getBias(),
                               getOutput())))
    return failure();
  if (getSum() && isF32Tensor(getInput()) && !isF32Tensor(getSum()))
    return emitOpError("with an f32 input the sum must be f32");
  // One input step per channel only where channels never mix.
  if (auto perAxis = llvm::dyn_cast<quant::UniformQuantizedPerAxisType>(
          elementTypeOf(getInput()))) {
    int64_t channels = inputType.getDimSize(1);
    if (perAxis.getQuantizedDimension() != 1 ||
        int64_t(perAxis.getScales().size()) != channels ||
        int64_t(getGroups()) != channels)
      return emitOpError("per-channel input steps need a depthwise "
                         "convolution (groups = input channels) and one step "
                         "per input channel along axis 1");
  }
  return verifyCalibRange(*this, getMinCalibRange(), getMaxCalibRange());
}

LogicalResult FullyConnectedOp::inferReturnTypes(
    MLIRContext *, std::optional<Location> loc, Adaptor adaptor,
    SmallVectorImpl<Type> &inferred) {
  auto input =
      rankedOperand<FullyConnectedOp>(loc, adaptor.getInput(), "input");
  auto weight =
      rankedOperand<FullyConnectedOp>(loc, adaptor.getWeight(), "weight");
  if (failed(input) || failed(weight))
    return failure();
  if (Value bias = adaptor.getBias()) {
    auto biasType = rankedOperand<FullyConnectedOp>(loc, bias, "bias");
    if (failed(biasType))
      return failure();
    if (weight->getRank() == 2 &&
        (biasType->getRank() != 1 ||
         biasType->getDimSize(0) != weight->getDimSize(0)))
      return emitOptionalError(loc, "'", getOperationName(),
                               "' op bias must be [", weight->getDimSize(0),
                               "] (one per output), got ", *biasType);
  }
  return inferShaped<FullyConnectedOp>(
      loc,
      shape::fullyConnected(input->getShape(), weight->getShape(),
                            adaptor.getFlatten()),
      input->getElementType(), inferred);
}

LogicalResult FusedFullyConnectedOp::verify() {
  auto shapeOr =
      shape::fullyConnected(getInput().getType().getShape(),
                            getWeight().getType().getShape(), getFlatten());
  if (!shapeOr)
    return emitOpError(llvm::toString(shapeOr.takeError()));
  if (failed(verifyShape(*this, getOutput(), *shapeOr, "result")))
    return failure();
  if (getBias() &&
      failed(verifyShape(*this, getBias(),
                         {getWeight().getType().getDimSize(0)}, "bias")))
    return failure();
  if (failed(verifyFusedDTypes(*this, getInput(), getWeight(), getBias(),
                               getOutput())))
    return failure();
  return verifyCalibRange(*this, getMinCalibRange(), getMaxCalibRange());
}

//===----------------------------------------------------------------------===//
// Normalization and element-wise functions
//===----------------------------------------------------------------------===//

LogicalResult BatchNormOp::inferReturnTypes(MLIRContext *,
                                            std::optional<Location> loc,
                                            Adaptor adaptor,
                                            SmallVectorImpl<Type> &inferred) {
  auto input = rankedOperand<BatchNormOp>(loc, adaptor.getInput(), "input");
  auto gamma = rankedOperand<BatchNormOp>(loc, adaptor.getGamma(), "gamma");
  if (failed(input) || failed(gamma))
    return failure();
  auto axis = shape::normalizeAxis(static_cast<int64_t>(adaptor.getAxis()),
                                   input->getRank());
  if (!axis)
    return shapeError<BatchNormOp>(loc, axis.takeError());
  int64_t channels = input->getDimSize(*axis);
  if (gamma->getRank() != 1 || gamma->getDimSize(0) != channels)
    return emitOptionalError(loc, "'", getOperationName(),
                             "' op gamma, beta, mean and var must be [",
                             channels, "] (the size of axis ", *axis,
                             "), got ", *gamma);
  if (adaptor.getEps().convertToDouble() <= 0.0)
    return emitOptionalError(loc, "'", getOperationName(),
                             "' op eps must be positive");
  inferred.push_back(*input);
  return success();
}

LogicalResult ActivationOp::inferReturnTypes(MLIRContext *,
                                             std::optional<Location> loc,
                                             Adaptor adaptor,
                                             SmallVectorImpl<Type> &inferred) {
  auto input = rankedOperand<ActivationOp>(loc, adaptor.getInput(), "input");
  if (failed(input))
    return failure();
  inferred.push_back(*input);
  return success();
}

LogicalResult ActivationOp::verify() {
  EltwiseKind kind = getAct().getKind();
  if (!isF32Tensor(getInput()) && kind != EltwiseKind::relu &&
      kind != EltwiseKind::clip)
    return emitOpError("only relu and clip run on quantized tensors, not ")
           << stringifyEltwiseKind(kind);
  return success();
}

LogicalResult PReluOp::inferReturnTypes(MLIRContext *,
                                        std::optional<Location> loc,
                                        Adaptor adaptor,
                                        SmallVectorImpl<Type> &inferred) {
  auto input = rankedOperand<PReluOp>(loc, adaptor.getInput(), "input");
  auto slope = rankedOperand<PReluOp>(loc, adaptor.getSlope(), "slope");
  if (failed(input) || failed(slope))
    return failure();
  int64_t channels = input->getRank() > 1 ? input->getDimSize(1) : 1;
  if (slope->getRank() != 1 ||
      (slope->getDimSize(0) != channels && slope->getDimSize(0) != 1))
    return emitOptionalError(loc, "'", getOperationName(),
                             "' op slope must be [", channels, "] or [1], got ",
                             *slope);
  inferred.push_back(*input);
  return success();
}

LogicalResult SoftmaxOp::inferReturnTypes(MLIRContext *,
                                          std::optional<Location> loc,
                                          Adaptor adaptor,
                                          SmallVectorImpl<Type> &inferred) {
  auto input = rankedOperand<SoftmaxOp>(loc, adaptor.getInput(), "input");
  if (failed(input))
    return failure();
  auto axis = shape::normalizeAxis(static_cast<int64_t>(adaptor.getAxis()),
                                   input->getRank());
  if (!axis)
    return shapeError<SoftmaxOp>(loc, axis.takeError());
  if (auto temperature = adaptor.getTemperature())
    if (!(temperature->convertToDouble() > 0.0))
      return emitOptionalError(loc, "'", getOperationName(),
                               "' op temperature must be positive");
  inferred.push_back(*input);
  return success();
}

LogicalResult DropoutOp::inferReturnTypes(MLIRContext *,
                                          std::optional<Location> loc,
                                          Adaptor adaptor,
                                          SmallVectorImpl<Type> &inferred) {
  auto input = rankedOperand<DropoutOp>(loc, adaptor.getInput(), "input");
  if (failed(input))
    return failure();
  double p = adaptor.getP().convertToDouble();
  if (!(p >= 0.0 && p < 1.0))
    return emitOptionalError(loc, "'", getOperationName(),
                             "' op p must be in [0, 1), got ", p);
  inferred.push_back(*input);
  return success();
}

OpFoldResult DropoutOp::fold(FoldAdaptor) { return getInput(); }

//===----------------------------------------------------------------------===//
// Arithmetic
//===----------------------------------------------------------------------===//

template <typename OpT>
static LogicalResult inferBroadcast(std::optional<Location> loc, Value lhs,
                                    Value rhs,
                                    SmallVectorImpl<Type> &inferred) {
  auto lhsType = rankedOperand<OpT>(loc, lhs, "lhs");
  auto rhsType = rankedOperand<OpT>(loc, rhs, "rhs");
  if (failed(lhsType) || failed(rhsType))
    return failure();
  return inferShaped<OpT>(
      loc, shape::broadcast(lhsType->getShape(), rhsType->getShape()),
      lhsType->getElementType(), inferred);
}

#define Q_DEFINE_BROADCAST_INFERENCE(OP)                                       \
  LogicalResult OP::inferReturnTypes(MLIRContext *,                            \
                                     std::optional<Location> loc,              \
                                     Adaptor adaptor,                          \
                                     SmallVectorImpl<Type> &inferred) {        \
    return inferBroadcast<OP>(loc, adaptor.getLhs(), adaptor.getRhs(),         \
                              inferred);                                       \
  }
Q_DEFINE_BROADCAST_INFERENCE(AddOp)
Q_DEFINE_BROADCAST_INFERENCE(SubOp)
Q_DEFINE_BROADCAST_INFERENCE(MulOp)
Q_DEFINE_BROADCAST_INFERENCE(DivOp)
#undef Q_DEFINE_BROADCAST_INFERENCE

LogicalResult ScalarOp::inferReturnTypes(MLIRContext *,
                                         std::optional<Location> loc,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &inferred) {
  auto input = rankedOperand<ScalarOp>(loc, adaptor.getInput(), "input");
  if (failed(input))
    return failure();
  if (!std::isfinite(adaptor.getScalar().convertToDouble()))
    return emitOptionalError(loc, "'", getOperationName(),
                             "' op scalar must be finite");
  inferred.push_back(*input);
  return success();
}

LogicalResult QuantizedAddOp::verify() {
  auto lhs = getLhs().getType(), rhs = getRhs().getType();
  if (lhs.getShape() != rhs.getShape() ||
      lhs.getShape() != getOutput().getType().getShape())
    return emitOpError("operands and result must have one shape");
  for (Type element : {lhs.getElementType(), rhs.getElementType()})
    if (llvm::cast<quant::QuantizedType>(element)
            .getStorageTypeIntegralWidth() != 8)
      return emitOpError("operands must have 8-bit storage, got ") << element;
  if (failed(verifyCalibRange(*this, getMinCalibRange(), getMaxCalibRange())))
    return failure();
  if (getOutput().getType().getElementType().isF32()) {
    if (getMinCalibRange())
      return emitOpError("an f32 result takes no calibration range");
    return success();
  }
  auto result =
      llvm::cast<quant::QuantizedType>(getOutput().getType().getElementType());
  if (!getMinCalibRange()) {
    if (result.getStorageTypeIntegralWidth() != 32 ||
        !llvm::isa<quant::AnyQuantizedType>(result))
      return emitOpError("without a calibration range the result is "
                         "!quant.any<i32:f32>, got ")
             << result;
    return success();
  }
  // The storage follows the range: uint8 needs a non-negative one.
  if (!result.isSigned() && getMinCalibRange()->isNegative())
    return emitOpError("a uint8 result needs a non-negative calibration "
                       "range");
  return verifyQuantizedResult(
      *this, result, result.isSigned() ? QuantDType::int8 : QuantDType::uint8,
      getMinCalibRange(), getMaxCalibRange());
}

//===----------------------------------------------------------------------===//
// Pooling and data movement
//===----------------------------------------------------------------------===//

LogicalResult PoolingOp::inferReturnTypes(MLIRContext *,
                                          std::optional<Location> loc,
                                          Adaptor adaptor,
                                          SmallVectorImpl<Type> &inferred) {
  auto input = rankedOperand<PoolingOp>(loc, adaptor.getInput(), "input");
  if (failed(input))
    return failure();
  if (!input->getElementType().isF32() && adaptor.getKind() == PoolKind::sum)
    return emitOptionalError(loc, "'", getOperationName(),
                             "' op sum pooling needs an f32 input");
  unsigned spatialRank = input->getRank() > 2 ? input->getRank() - 2 : 0;
  auto geometry = shape::expandWindowGeometry(
      spatialRank, adaptor.getStrides(), {}, adaptor.getPads());
  if (!geometry)
    return shapeError<PoolingOp>(loc, geometry.takeError());
  return inferShaped<PoolingOp>(
      loc,
      shape::pooling(input->getShape(), adaptor.getKernel(), *geometry,
                     adaptor.getGlobalPool(),
                     roundingOf(adaptor.getConvention())),
      input->getElementType(), inferred);
}

LogicalResult FlattenOp::inferReturnTypes(MLIRContext *,
                                          std::optional<Location> loc,
                                          Adaptor adaptor,
                                          SmallVectorImpl<Type> &inferred) {
  auto input = rankedOperand<FlattenOp>(loc, adaptor.getInput(), "input");
  if (failed(input))
    return failure();
  return inferShaped<FlattenOp>(loc, shape::flatten(input->getShape()),
                                input->getElementType(), inferred);
}

OpFoldResult FlattenOp::fold(FoldAdaptor) {
  return getInput().getType() == getType() ? getInput() : Value();
}

LogicalResult ReshapeOp::inferReturnTypes(MLIRContext *,
                                          std::optional<Location> loc,
                                          Adaptor adaptor,
                                          SmallVectorImpl<Type> &inferred) {
  auto input = rankedOperand<ReshapeOp>(loc, adaptor.getInput(), "input");
  if (failed(input))
    return failure();
  return inferShaped<ReshapeOp>(
      loc,
      shape::reshape(input->getShape(), adaptor.getShape(),
                     adaptor.getReverse()),
      input->getElementType(), inferred);
}

OpFoldResult ReshapeOp::fold(FoldAdaptor) {
  return getInput().getType() == getType() ? getInput() : Value();
}

LogicalResult ConcatOp::inferReturnTypes(MLIRContext *,
                                         std::optional<Location> loc,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &inferred) {
  SmallVector<ArrayRef<int64_t>> shapes;
  Type elementType;
  for (Value v : adaptor.getInputs()) {
    auto type = rankedOperand<ConcatOp>(loc, v, "every input");
    if (failed(type))
      return failure();
    if (elementType && type->getElementType() != elementType)
      return emitOptionalError(loc, "'", getOperationName(),
                               "' op inputs must share one element type; "
                               "align their scales first (got ",
                               elementType, " and ", type->getElementType(),
                               ")");
    elementType = type->getElementType();
    shapes.push_back(type->getShape());
  }
  return inferShaped<ConcatOp>(
      loc, shape::concat(shapes, static_cast<int64_t>(adaptor.getAxis())),
      elementType, inferred);
}

OpFoldResult ConcatOp::fold(FoldAdaptor) {
  return getInputs().size() == 1 ? getInputs().front() : Value();
}

LogicalResult TransposeOp::inferReturnTypes(MLIRContext *,
                                            std::optional<Location> loc,
                                            Adaptor adaptor,
                                            SmallVectorImpl<Type> &inferred) {
  auto input = rankedOperand<TransposeOp>(loc, adaptor.getInput(), "input");
  if (failed(input))
    return failure();
  return inferShaped<TransposeOp>(
      loc, shape::transpose(input->getShape(), adaptor.getPermutation()),
      input->getElementType(), inferred);
}

OpFoldResult TransposeOp::fold(FoldAdaptor) {
  ArrayRef<int64_t> perm = getPermutation();
  bool identity = getInput().getType().getRank() <= 1 && perm.empty();
  if (!perm.empty()) {
    identity = true;
    for (auto [i, p] : llvm::enumerate(perm))
      identity &= p == static_cast<int64_t>(i);
  }
  return identity ? getInput() : Value();
}

LogicalResult SliceOp::inferReturnTypes(MLIRContext *,
                                        std::optional<Location> loc,
                                        Adaptor adaptor,
                                        SmallVectorImpl<Type> &inferred) {
  auto input = rankedOperand<SliceOp>(loc, adaptor.getInput(), "input");
  if (failed(input))
    return failure();
  return inferShaped<SliceOp>(
      loc,
      shape::slice(input->getShape(), adaptor.getBegin(), adaptor.getEnd(),
                   adaptor.getStep()),
      input->getElementType(), inferred);
}

LogicalResult UpSamplingOp::inferReturnTypes(MLIRContext *,
                                             std::optional<Location> loc,
                                             Adaptor adaptor,
                                             SmallVectorImpl<Type> &inferred) {
  auto input = rankedOperand<UpSamplingOp>(loc, adaptor.getInput(), "input");
  if (failed(input))
    return failure();
  return inferShaped<UpSamplingOp>(
      loc,
      shape::upsampling(input->getShape(),
                        static_cast<int64_t>(adaptor.getScale())),
      input->getElementType(), inferred);
}

LogicalResult CropOp::inferReturnTypes(MLIRContext *,
                                       std::optional<Location> loc,
                                       Adaptor adaptor,
                                       SmallVectorImpl<Type> &inferred) {
  auto input = rankedOperand<CropOp>(loc, adaptor.getInput(), "input");
  if (failed(input))
    return failure();
  return inferShaped<CropOp>(
      loc,
      shape::crop(input->getShape(), adaptor.getOffsets(), adaptor.getSizes()),
      input->getElementType(), inferred);
}

//===----------------------------------------------------------------------===//
// Quantization
//===----------------------------------------------------------------------===//

LogicalResult QuantizeOp::verify() {
  if (getInput().getType().getShape() != getOutput().getType().getShape())
    return emitOpError("result shape must equal the input shape");
  if (failed(verifyCalibRange(*this, getMinCalibRange(), getMaxCalibRange())))
    return failure();
  Type inputElement = getInput().getType().getElementType();
  Type resultElement = getOutput().getType().getElementType();
  if (auto integer = llvm::dyn_cast<IntegerType>(inputElement)) {
    // Data that is already 8-bit passes through unchanged.
    bool inputUnsigned = integer.isUnsigned();
    if ((inputUnsigned && getOutType() == QuantDType::int8) ||
        (!inputUnsigned && getOutType() == QuantDType::uint8))
      return emitOpError("out_type ")
             << stringifyQuantDType(getOutType()) << " cannot pass through "
             << inputElement << " data unchanged";
    auto quantized = llvm::cast<quant::QuantizedType>(resultElement);
    if (quantized.getStorageTypeIntegralWidth() != 8 ||
        quantized.isSigned() == inputUnsigned)
      return emitOpError("passing ")
             << inputElement << " through needs the same storage, got "
             << resultElement;
    return success();
  }
  return verifyQuantizedResult(*this, resultElement, getOutType(),
                               getMinCalibRange(), getMaxCalibRange());
}

OpFoldResult QuantizeOp::fold(FoldAdaptor) {
  // quantize(dequantize(x)) is x when the scales agree.
  if (auto dequantize = getInput().getDefiningOp<DequantizeOp>())
    if (dequantize.getInput().getType() == getType())
      return dequantize.getInput();
  return {};
}

LogicalResult DequantizeOp::inferReturnTypes(MLIRContext *context,
                                             std::optional<Location> loc,
                                             Adaptor adaptor,
                                             SmallVectorImpl<Type> &inferred) {
  auto input = rankedOperand<DequantizeOp>(loc, adaptor.getInput(), "input");
  if (failed(input))
    return failure();
  inferred.push_back(input->clone(Float32Type::get(context)));
  return success();
}

LogicalResult RequantizeOp::verify() {
  if (getInput().getType().getShape() != getOutput().getType().getShape())
    return emitOpError("result shape must equal the input shape");
  auto input = llvm::cast<quant::QuantizedType>(
      getInput().getType().getElementType());
  if (input.getStorageTypeIntegralWidth() != 32 || !input.isSigned())
    return emitOpError("input must have i32 storage, got ") << input;
  if (failed(verifyCalibRange(*this, getMinCalibRange(), getMaxCalibRange())))
    return failure();
  return verifyQuantizedResult(*this, getOutput().getType().getElementType(),
                               getOutType(), getMinCalibRange(),
                               getMaxCalibRange());
}
