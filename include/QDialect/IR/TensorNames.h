//===- TensorNames.h - MXNet-style names of graph tensors -------*- C++ -*-===//
//
// Calibration tables, --exclude lists and reports name tensors the way MXNet
// does: a graph input by its variable name (`data`), an op result as
// `<node name>_output` (`conv0_output`). The importer keeps node names as
// NameLocs; a fused op carries a FusedLoc of the ops it absorbed, and its
// result is the tensor of the last of them (conv+bn+relu gives
// `relu0_output`), which is the fp32 tensor of the same name in the unfused
// graph.
//
//===----------------------------------------------------------------------===//

#ifndef QDIALECT_IR_TENSORNAMES_H
#define QDIALECT_IR_TENSORNAMES_H

#include "mlir/IR/Location.h"
#include "mlir/IR/Value.h"

#include <optional>
#include <string>

namespace mlir::q {

/// The node name a location carries: a NameLoc's name, or the last NameLoc
/// of a FusedLoc. None when the location has no name.
std::optional<std::string> nodeName(Location loc);

/// All node names a location carries, in order (the ops a fused op
/// absorbed).
llvm::SmallVector<std::string> nodeNames(Location loc);

/// The MXNet-style name of a tensor: the `q.name` of a function argument,
/// `<node>_output` for the single result of a named op. Unnamed values get
/// `<op name>#<position in the block>` so every tensor has some name.
std::string tensorName(Value value);

} // namespace mlir::q

#endif // QDIALECT_IR_TENSORNAMES_H
