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

#define GET_OP_CLASSES
#include "QDialect/IR/QOps.h.inc"

namespace mlir::q {

/// MXNet's quantization ranges: a tensor quantized to int8 maps
/// [-absmax, absmax] to [-127.5, 127.5]; uint8 maps [0, absmax] to
/// [0, 255.5] (reference section 3).
constexpr double kInt8Range = 127.5;
constexpr double kUint8Range = 255.5;

/// The scale (real value of one integer step) that MXNet's quantize_v2
/// gives a tensor calibrated to [minRange, maxRange].
double quantizedStepFromRange(bool isUnsigned, double minRange,
                              double maxRange);

/// Whether `out_type` resolves to uint8 for a (possibly absent) calibrated
/// minimum, following MXNet's GetQuantizeOutputType.
bool resolvesToUnsigned(QuantDType outType, std::optional<double> calibMin);

} // namespace mlir::q

#endif // QDIALECT_IR_QDIALECT_H
