//===- Calibration.h - What calibration must observe ------------*- C++ -*-===//

#ifndef QDIALECT_TRANSFORMS_CALIBRATION_H
#define QDIALECT_TRANSFORMS_CALIBRATION_H

#include "mlir/IR/BuiltinOps.h"

#include <string>
#include <vector>

namespace mlir::q {

/// The tensors whose ranges a quantized module (after q-quantize) needs, by
/// MXNet-style name (see TensorNames.h), in program order without repeats:
/// the fp32 input of every q.quantize that is not a pass-through of 8-bit
/// data, and the int32 input of every q.requantize (named after the op that
/// produces it, which is the name of the same tensor in fp32). Every name
/// is also the name of a value of the fp32 module the quantized one came
/// from (after the same q-fuse), which is where q-calibrate observes it.
std::vector<std::string> calibrationTargetNames(ModuleOp quantized);

} // namespace mlir::q

#endif // QDIALECT_TRANSFORMS_CALIBRATION_H
