//===- Layouts.h - physical layouts of activations ---------------*- C++ -*-===//
//
// A q value is a logical tensor [N, C, S...]; how its elements lie in
// memory is its layout: the graph's NCHW, or channels last (NHWC) where
// q-assign-layouts planned it. The layout of an op's result is the op's
// `q.layout` attribute (absent: NCHW); a q.reorder's result is in its `to`
// layout; block arguments are NCHW. Shapes whose bytes are the same in both
// layouts (C == 1, or one spatial position) are layout-invariant: either
// label is right for them and no reorder is ever needed.
//
//===----------------------------------------------------------------------===//

#ifndef QDIALECT_IR_LAYOUTS_H
#define QDIALECT_IR_LAYOUTS_H

#include "QDialect/IR/QDialect.h"

namespace mlir::q {

/// The discardable attribute holding the layout of an op's (only) result.
constexpr llvm::StringLiteral kLayoutAttrName = "q.layout";

/// The layout `value` is stored in.
Layout getLayout(Value value);
/// Records that `op` writes its single result in `layout` (NCHW removes
/// the attribute).
void setLayout(Operation *op, Layout layout);
/// Whether NCHW and NHWC store a tensor of this type identically.
bool isLayoutInvariant(Type type);
/// Whether `value` is computed from constants only (a weight: a constant,
/// possibly through quant.scast).
bool isConstantLike(Value value);
/// Activations, whose layout is planned: values of rank >= 3 that are not
/// constant-like.
bool isActivation(Value value);
/// Short name: "nchw" or "nhwc".
llvm::StringRef layoutName(Layout layout);

} // namespace mlir::q

#endif // QDIALECT_IR_LAYOUTS_H
