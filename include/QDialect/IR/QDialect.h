//===- QDialect.h - the q dialect --------------------------------*- C++ -*-===//

#ifndef QDIALECT_IR_QDIALECT_H
#define QDIALECT_IR_QDIALECT_H

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/Dialect/Quant/IR/Quant.h"
#include "mlir/Dialect/Quant/IR/QuantTypes.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Dialect.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#include "QDialect/IR/QOpsDialect.h.inc"

#include "QDialect/IR/QEnums.h.inc"

#define GET_ATTRDEF_CLASSES
#include "QDialect/IR/QAttrs.h.inc"

#include "QDialect/IR/QInterfaces.h.inc"

namespace mlir::q {
/// Custom assembly of q.reorder's layouts (a bare `nchw` / `nhwc`).
ParseResult parseLayoutName(OpAsmParser &parser, LayoutAttr &attr);
void printLayoutName(OpAsmPrinter &printer, Operation *op, LayoutAttr attr);
} // namespace mlir::q

#define GET_OP_CLASSES
#include "QDialect/IR/QOps.h.inc"

namespace mlir::q {

/// MXNet's quantization ranges: a tensor quantized to int8 maps
/// [-absmax, absmax] to [-127.5, 127.5]; uint8 maps [0, absmax] to
/// [0, 255.5] (reference section 3).
constexpr double kInt8Range = 127.5;
constexpr double kUint8Range = 255.5;

/// The scale (real value of one integer step) that MXNet's quantize_v2
/// gives a tensor calibrated to [minRange, maxRange]; a zero range gets
/// the step of [-1, 1] so that no scale is ever zero.
double quantizedStepFromRange(bool isUnsigned, double minRange,
                              double maxRange);

/// Whether `out_type` resolves to uint8 for a (possibly absent) calibrated
/// minimum, following MXNet's GetQuantizeOutputType.
bool resolvesToUnsigned(QuantDType outType, std::optional<double> calibMin);

/// `!quant.any<i8:f32>` / `<u8:f32>` / `<i32:f32>`: a quantized tensor
/// whose scale is found at run time.
quant::AnyQuantizedType dynamicQuantType(MLIRContext *context, unsigned bits,
                                         bool isSigned);
/// `!quant.uniform<i8:f32, step>` (or u8), zero point 0.
quant::UniformQuantizedType staticQuantType(MLIRContext *context,
                                            bool isUnsigned, double step);
/// The static 8-bit type of a tensor calibrated to [minRange, maxRange].
quant::UniformQuantizedType calibratedQuantType(MLIRContext *context,
                                                QuantDType outType,
                                                double minRange,
                                                double maxRange);
/// `!quant.uniform<i8:f32:axis, {steps}>` (bits 8) or the i32 analogue.
quant::UniformQuantizedPerAxisType
perAxisQuantType(MLIRContext *context, unsigned bits,
                 llvm::ArrayRef<double> steps, int32_t axis);

/// The step of a static quantized type (per-tensor only), or none.
std::optional<double> staticStep(Type elementType);

} // namespace mlir::q

#endif // QDIALECT_IR_QDIALECT_H
