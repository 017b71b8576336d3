//===- Layouts.cpp - Layouts in the oneDNN lowering -----------------------===//
//
// q-assign-layouts records layouts in the IR (Layouts.h of the dialect);
// here they become the layout fields of the runtime descriptors. The
// check below makes a wrong plan a compile error instead of a model that
// silently reads channels-last bytes as NCHW.
//
//===----------------------------------------------------------------------===//

#include "Layouts.h"

#include "QDialect/IR/Layouts.h"

#include "mlir/IR/Matchers.h"

using namespace mlir;
using namespace mlir::q;

namespace {
bool isPlannedActivation(Value value) {
  return isActivation(value) && !isLayoutInvariant(value.getType());
}

int32_t toQrt(Layout layout) {
  return layout == Layout::nhwc ? QRT_LAYOUT_NHWC : QRT_LAYOUT_NCHW;
}

/// The layout every activation of `op` shares, or nullopt if they differ.
std::optional<Layout> sharedLayout(Operation *op) {
  std::optional<Layout> shared;
  auto planning = dyn_cast<LayoutPlanningOpInterface>(op);
  auto visit = [&](Value v) {
    if (!isPlannedActivation(v))
      return true;
    Layout layout = getLayout(v);
    if (shared && *shared != layout)
      return false;
    shared = layout;
    return true;
  };
  for (OpOperand &operand : op->getOpOperands())
    if (!(planning &&
          planning.hasIndependentLayout(operand.getOperandNumber())) &&
        !visit(operand.get()))
      return std::nullopt;
  for (Value result : op->getResults())
    if (!visit(result))
      return std::nullopt;
  return shared.value_or(Layout::nchw);
}
} // namespace

int32_t mlir::q::qrtLayoutOf(Value value) {
  return isLayoutInvariant(value.getType()) ? QRT_LAYOUT_NCHW
                                            : toQrt(getLayout(value));
}

int32_t mlir::q::qrtLayoutOfOp(Operation *op) {
  return toQrt(sharedLayout(op).value_or(Layout::nchw));
}

LogicalResult mlir::q::checkLayouts(func::FuncOp fn) {
  WalkResult result = fn.walk([&](Operation *op) {
    if (op == fn.getOperation() || isa<ReorderOp>(op))
      return WalkResult::advance();
    auto planning = dyn_cast<LayoutPlanningOpInterface>(op);
    if (planning && planning.canRunChannelsLast()) {
      std::optional<Layout> only = planning.requiredLayout();
      std::optional<Layout> shared = sharedLayout(op);
      if (shared && (!only || *shared == *only))
        return WalkResult::advance();
      if (shared) {
        op->emitOpError("runs ")
            << layoutName(*only)
            << " only, but its activations are planned otherwise (run "
               "q-assign-layouts last before lowering)";
        return WalkResult::interrupt();
      }
      op->emitOpError("mixes layouts: its activations must all be nchw or "
                      "all nhwc (a q.reorder is missing; run "
                      "q-assign-layouts last before lowering)");
      return WalkResult::interrupt();
    }
    for (Value v : op->getOperands())
      if (isPlannedActivation(v) && getLayout(v) != Layout::nchw) {
        op->emitOpError("reads a channels-last value but runs on nchw only "
                        "(a q.reorder is missing; run q-assign-layouts last "
                        "before lowering)");
        return WalkResult::interrupt();
      }
    if (!planning && op->hasAttr(kLayoutAttrName)) {
      op->emitOpError("has a q.layout but cannot run channels last");
      return WalkResult::interrupt();
    }
    return WalkResult::advance();
  });
  return failure(result.wasInterrupted());
}

qrt_transpose_desc mlir::q::reorderAsTranspose(ReorderOp reorder,
                                               int32_t dtype) {
  qrt_transpose_desc d{};
  d.abi_version = QRT_ABI_VERSION;
  d.dtype = dtype;
  auto type = cast<ShapedType>(reorder.getType());
  const int32_t rank = type.getRank();
  // The stored dims of the input, and the permutation that moves the
  // channel axis (last for NHWC, second for NCHW) to its other place.
  SmallVector<int64_t> stored(type.getShape());
  d.perm_size = rank;
  d.perm[0] = 0;
  if (reorder.getFrom() == Layout::nchw) {
    for (int32_t i = 1; i < rank - 1; ++i)
      d.perm[i] = i + 1;
    d.perm[rank - 1] = 1;
  } else {
    std::rotate(stored.begin() + 1, stored.begin() + 2, stored.end());
    d.perm[1] = rank - 1;
    for (int32_t i = 2; i < rank; ++i)
      d.perm[i] = i - 1;
  }
  d.input.rank = rank;
  for (int32_t i = 0; i < rank; ++i)
    d.input.dims[i] = stored[i];
  return d;
}
