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

/// The number of channels (axis 1) of the 8-bit tensor `quantized` when
/// every reader is a depthwise convolution (groups == input channels > 1)
/// reading it as its input, so that one step per channel costs nothing in
/// integer arithmetic (docs/CALIBRATION.md, per-channel steps); else 0.
int64_t depthwiseOnlyChannels(Value quantized);

/// The tensors of calibrationTargetNames that q-calibrate gives one step
/// per channel (depthwiseOnlyChannels of a q.quantize of f32 data), with
/// their channel count and the number of values per channel and sample.
struct ChannelTarget {
  std::string name;
  int64_t channels = 0, inner = 0;
};
std::vector<ChannelTarget> perChannelTargets(ModuleOp quantized);

} // namespace mlir::q

#endif // QDIALECT_TRANSFORMS_CALIBRATION_H
