//===- Layouts.cpp - layouts of activations and the ops that plan them ----===//
//
// The layout helpers of Layouts.h, the LayoutPlanningOpInterface
// definitions and the op-specific answers to it (which shapes and
// attributes the runtime kernels can run channels last), and q.reorder's
// verifier and folder.
//
//===----------------------------------------------------------------------===//

#include "QDialect/IR/Layouts.h"

#include "mlir/IR/Matchers.h"

using namespace mlir;
using namespace mlir::q;

#include "QDialect/IR/QInterfaces.cpp.inc"

Layout mlir::q::getLayout(Value value) {
  Operation *producer = value.getDefiningOp();
  if (!producer)
    return Layout::nchw;
  if (auto reorder = dyn_cast<ReorderOp>(producer))
    return reorder.getTo();
  if (auto attr = producer->getAttrOfType<LayoutAttr>(kLayoutAttrName))
    return attr.getValue();
  return Layout::nchw;
}

void mlir::q::setLayout(Operation *op, Layout layout) {
  if (layout == Layout::nchw)
    op->removeAttr(kLayoutAttrName);
  else
    op->setAttr(kLayoutAttrName, LayoutAttr::get(op->getContext(), layout));
}

bool mlir::q::isLayoutInvariant(Type type) {
  auto shaped = dyn_cast<ShapedType>(type);
  if (!shaped || !shaped.hasRank() || shaped.getRank() < 3)
    return true;
  int64_t spatial = 1;
  for (int64_t dim : shaped.getShape().drop_front(2))
    spatial *= dim;
  return shaped.getDimSize(1) == 1 || spatial == 1;
}

bool mlir::q::isConstantLike(Value value) {
  while (auto cast = value.getDefiningOp<quant::StorageCastOp>())
    value = cast.getInput();
  return matchPattern(value, m_Constant());
}

bool mlir::q::isActivation(Value value) {
  auto shaped = dyn_cast<ShapedType>(value.getType());
  return shaped && shaped.hasRank() && shaped.getRank() >= 3 &&
         !isConstantLike(value);
}

llvm::StringRef mlir::q::layoutName(Layout layout) {
  return stringifyLayout(layout);
}

namespace {
bool isRank4(Value value) {
  auto shaped = dyn_cast<ShapedType>(value.getType());
  return shaped && shaped.hasRank() && shaped.getRank() == 4;
}

/// The runtime reads a broadcast constant of rank >= 3 in the op's layout:
/// only constants whose bytes do not depend on it are fine.
bool constantsAreInvariant(Operation *op) {
  for (Value operand : op->getOperands())
    if (isConstantLike(operand) &&
        !isLayoutInvariant(operand.getType()))
      return false;
  return true;
}
} // namespace

//===----------------------------------------------------------------------===//
// Which ops run channels last (the runtime kernels taking a layout field)
//===----------------------------------------------------------------------===//

bool ConvolutionOp::canRunChannelsLast() { return isRank4(getInput()); }
bool ConvolutionOp::hasIndependentLayout(unsigned index) { return index == 0; }

bool FusedConvOp::canRunChannelsLast() {
  // The bn operands are folded away before layouts are planned.
  return isRank4(getInput()) && getBn().empty();
}
bool FusedConvOp::hasIndependentLayout(unsigned index) {
  return index == getInputMutable().getOperandNumber();
}

bool BatchNormOp::canRunChannelsLast() {
  const int64_t rank = getInput().getType().getRank();
  const int64_t axis = static_cast<int64_t>(getAxis()) < 0
                           ? static_cast<int64_t>(getAxis()) + rank
                           : static_cast<int64_t>(getAxis());
  return rank == 4 && axis == 1;
}

bool PReluOp::canRunChannelsLast() {
  return isRank4(getInput()) && getSlope().getType().getRank() == 1;
}

bool PoolingOp::canRunChannelsLast() { return isRank4(getInput()); }

bool ConcatOp::canRunChannelsLast() {
  const int64_t rank = cast<ShapedType>(getType()).getRank();
  const int64_t axis = static_cast<int64_t>(getAxis()) < 0
                           ? static_cast<int64_t>(getAxis()) + rank
                           : static_cast<int64_t>(getAxis());
  return rank == 4 && axis == 1;
}

bool KernelCallOp::canRunChannelsLast() { return getChannelsLast(); }
std::optional<Layout> KernelCallOp::requiredLayout() {
  return getChannelsLast() ? std::optional(Layout::nhwc) : std::nullopt;
}

#define Q_BINARY_LAYOUT(Op)                                                    \
  bool Op::canRunChannelsLast() {                                              \
    return isRank4(getOutput()) && constantsAreInvariant(*this);               \
  }
Q_BINARY_LAYOUT(AddOp)
Q_BINARY_LAYOUT(SubOp)
Q_BINARY_LAYOUT(MulOp)
Q_BINARY_LAYOUT(DivOp)
#undef Q_BINARY_LAYOUT

//===----------------------------------------------------------------------===//
// q.reorder
//===----------------------------------------------------------------------===//

LogicalResult ReorderOp::verify() {
  if (getFrom() == getTo())
    return emitOpError("reorders from ")
           << layoutName(getFrom()) << " to the same layout";
  if (cast<ShapedType>(getType()).getRank() < 3)
    return emitOpError("needs an activation of rank >= 3, got ")
           << getType();
  const Layout actual = getLayout(getInput());
  if (actual != getFrom() && !isLayoutInvariant(getType()))
    return emitOpError("reads its input as ")
           << layoutName(getFrom()) << " but the producer writes it "
           << layoutName(actual);
  return success();
}

/// `nchw` / `nhwc` as a bare keyword in q.reorder's assembly.
ParseResult mlir::q::parseLayoutName(OpAsmParser &parser, LayoutAttr &attr) {
  llvm::SMLoc loc = parser.getCurrentLocation();
  llvm::StringRef keyword;
  if (parser.parseKeyword(&keyword))
    return failure();
  std::optional<Layout> layout = symbolizeLayout(keyword);
  if (!layout)
    return parser.emitError(loc, "expected nchw or nhwc, got '")
           << keyword << "'";
  attr = LayoutAttr::get(parser.getContext(), *layout);
  return success();
}

void mlir::q::printLayoutName(OpAsmPrinter &printer, Operation *,
                              LayoutAttr attr) {
  printer << layoutName(attr.getValue());
}

OpFoldResult ReorderOp::fold(FoldAdaptor) {
  // nchw -> nhwc -> nchw (and the reverse) is the identity.
  if (auto inner = getInput().getDefiningOp<ReorderOp>())
    if (inner.getFrom() == getTo())
      return inner.getInput();
  return {};
}
