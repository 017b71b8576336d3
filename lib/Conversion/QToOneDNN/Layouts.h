//===- Layouts.h - Layouts in the oneDNN lowering ---------------*- C++ -*-===//
//
// Private to q-lower-to-onednn: the qrt_layout of values and ops as
// q-assign-layouts planned them, the check that every op reads what its
// runtime kernel expects, and the descriptor of a q.reorder.
//
//===----------------------------------------------------------------------===//

#ifndef QDIALECT_CONVERSION_QTOONEDNN_LAYOUTS_H
#define QDIALECT_CONVERSION_QTOONEDNN_LAYOUTS_H

#include "QDialect/IR/QDialect.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"

#include "qrt/qrt.h"

namespace mlir::q {

/// The qrt_layout of `value` (NCHW for shapes stored alike in both).
int32_t qrtLayoutOf(Value value);
/// The one layout of the activations of a layout-planned op (pooling,
/// batch norm, binary, concat, ...).
int32_t qrtLayoutOfOp(Operation *op);
/// Fails (naming the op) where an op would read an activation in a layout
/// its runtime kernel does not take: a pass after q-assign-layouts
/// rewrote the graph, or the IR was written by hand.
LogicalResult checkLayouts(func::FuncOp fn);
/// The transpose that converts a q.reorder's input into its result.
qrt_transpose_desc reorderAsTranspose(ReorderOp reorder, int32_t dtype);

} // namespace mlir::q

#endif // QDIALECT_CONVERSION_QTOONEDNN_LAYOUTS_H
