//===- AssignLayouts.cpp - plan the physical layout of every activation ---===//
//
// q runs a graph as a sequence of runtime kernels; oneDNN's convolutions
// (and q's int8 kernels) want their activations channels last, while the
// graph is NCHW. Converting around every convolution costs a pass over
// each activation twice; this pass decides once, for the whole graph,
// which values live channels last, so that chains of convolutions,
// pooling, adds, concats and activations run with no conversion.
//
// Values joined by an op that runs in either layout but needs one layout
// for all its activations (LayoutPlanningOpInterface: pooling, batch norm,
// element-wise ops, adds, channel concats; a convolution's result and its
// residual sum) form a group that shares a layout. Each group then weighs
// what each layout would cost: a convolution reading the group gains from
// NHWC, an op that reads only NCHW (or a block argument / an NCHW-only
// producer) would need a conversion. Each vote weighs the tensor's size;
// shapes stored identically in both layouts weigh nothing, and ties keep
// NCHW. Convolutions read their input in whatever layout it has (oneDNN
// does so for the 3-channel stem, which is why a graph input stays NCHW).
// An op that runs in one layout only (a kernel q generated channels last)
// decides its group's layout whatever the votes. Where a value's layout
// differs from what a user reads, one q.reorder per value and layout is
// inserted.
//
//===----------------------------------------------------------------------===//

#include "QDialect/IR/Layouts.h"
#include "QDialect/Transforms/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/Matchers.h"
#include "llvm/ADT/DenseMap.h"

namespace mlir::q {
#define GEN_PASS_DEF_QASSIGNLAYOUTS
#include "QDialect/Transforms/Passes.h.inc"
} // namespace mlir::q

using namespace mlir;
using namespace mlir::q;

namespace {

/// Elements a conversion of `value` would move (0: same bytes either way).
int64_t conversionCost(Value value) {
  if (isLayoutInvariant(value.getType()))
    return 0;
  return cast<ShapedType>(value.getType()).getNumElements();
}

/// Union-find over the activations of one function.
class Groups {
public:
  unsigned find(Value value) {
    auto [it, inserted] = index.try_emplace(value, parent.size());
    if (inserted)
      parent.push_back(it->second);
    unsigned i = it->second;
    while (parent[i] != i)
      i = parent[i] = parent[parent[i]];
    return i;
  }
  void join(Value a, Value b) {
    unsigned ra = find(a), rb = find(b);
    if (ra != rb)
      parent[rb] = ra;
  }

private:
  llvm::DenseMap<Value, unsigned> index;
  SmallVector<unsigned> parent;
};

class Planner {
public:
  explicit Planner(func::FuncOp fn) : fn(fn) {}
  LogicalResult run();
  int64_t numReorders = 0, numChannelsLast = 0;

private:
  /// Whether `op` runs with a planned layout (else: NCHW only).
  bool isPlanned(Operation *op);
  LogicalResult collectVotes();
  Layout layoutOf(Value value) {
    auto it = chosen.find(groups.find(value));
    return it == chosen.end() ? Layout::nchw : it->second;
  }
  /// The layout `value` is written in: its group's, or NCHW from a
  /// producer that only writes NCHW.
  Layout writtenLayout(Value value) {
    Operation *producer = value.getDefiningOp();
    return producer && planned.contains(producer) ? layoutOf(value)
                                                  : Layout::nchw;
  }
  Value convert(Value value, Layout from, Layout to);
  void rewrite();

  func::FuncOp fn;
  Groups groups;
  llvm::DenseSet<Operation *> planned;
  /// Per group root: elements converted if the group were NCHW / NHWC.
  llvm::DenseMap<unsigned, std::pair<int64_t, int64_t>> costs;
  llvm::DenseMap<unsigned, Layout> chosen;
  llvm::DenseMap<std::pair<Value, unsigned>, Value> conversions;
};

bool Planner::isPlanned(Operation *op) {
  auto planning = dyn_cast<LayoutPlanningOpInterface>(op);
  if (!planning || op->getNumResults() != 1 || !planning.canRunChannelsLast())
    return false;
  auto rank4 = [](Value v) {
    return !isActivation(v) || cast<ShapedType>(v.getType()).getRank() == 4;
  };
  return llvm::all_of(op->getOperands(), rank4) &&
         llvm::all_of(op->getResults(), rank4);
}

LogicalResult Planner::collectVotes() {
  // Votes are recorded per value first and summed per group once every
  // group is joined.
  SmallVector<std::pair<Value, int64_t>> wantNchw, wantNhwc;
  SmallVector<std::pair<Operation *, Layout>> required;
  for (BlockArgument arg : fn.getArguments())
    if (isActivation(arg))
      wantNchw.push_back({arg, conversionCost(arg)});
  fn.walk([&](Operation *op) {
    if (op == fn.getOperation())
      return;
    if (!isPlanned(op)) {
      for (Value v : op->getOperands())
        if (isActivation(v))
          wantNchw.push_back({v, conversionCost(v)});
      for (Value v : op->getResults())
        if (isActivation(v))
          wantNchw.push_back({v, conversionCost(v)});
      return;
    }
    planned.insert(op);
    auto planning = cast<LayoutPlanningOpInterface>(op);
    Value result = op->getResult(0);
    groups.find(result);
    if (std::optional<Layout> only = planning.requiredLayout())
      required.push_back({op, *only});
    for (OpOperand &operand : op->getOpOperands()) {
      Value v = operand.get();
      if (!isActivation(v))
        continue;
      if (planning.hasIndependentLayout(operand.getOperandNumber()))
        wantNhwc.push_back({v, conversionCost(v)});
      else
        groups.join(result, v);
    }
  });
  for (auto [v, cost] : wantNchw)
    costs[groups.find(v)].second += cost;
  for (auto [v, cost] : wantNhwc)
    costs[groups.find(v)].first += cost;
  for (auto [root, cost] : costs)
    if (cost.first > cost.second)
      chosen[root] = Layout::nhwc;
  llvm::DenseMap<unsigned, Operation *> decidedBy;
  for (auto [op, layout] : required) {
    unsigned root = groups.find(op->getResult(0));
    auto [it, first] = decidedBy.try_emplace(root, op);
    if (!first && layoutOf(op->getResult(0)) != layout)
      return op->emitOpError("runs ")
             << layoutName(layout) << " only, but shares its activations with "
             << it->second->getName() << ", which runs "
             << layoutName(layoutOf(op->getResult(0))) << " only";
    chosen[root] = layout;
  }
  return success();
}

Value Planner::convert(Value value, Layout from, Layout to) {
  auto key = std::make_pair(value, static_cast<unsigned>(to));
  if (Value done = conversions.lookup(key))
    return done;
  OpBuilder builder(fn.getContext());
  if (Operation *producer = value.getDefiningOp())
    builder.setInsertionPointAfter(producer);
  else
    builder.setInsertionPointToStart(&fn.getBody().front());
  auto reorder = builder.create<ReorderOp>(value.getLoc(), value, from, to);
  ++numReorders;
  conversions[key] = reorder.getResult();
  return reorder.getResult();
}

void Planner::rewrite() {
  for (Operation *op : planned) {
    const Layout layout = layoutOf(op->getResult(0));
    setLayout(op, layout);
    numChannelsLast += layout == Layout::nhwc;
  }
  SmallVector<OpOperand *> uses;
  fn.walk([&](Operation *op) {
    if (op == fn.getOperation() || isa<ReorderOp>(op))
      return;
    for (OpOperand &operand : op->getOpOperands())
      if (isActivation(operand.get()) &&
          !isLayoutInvariant(operand.get().getType()))
        uses.push_back(&operand);
  });
  for (OpOperand *use : uses) {
    Value v = use->get();
    Operation *user = use->getOwner();
    const Layout have = writtenLayout(v);
    Layout need = Layout::nchw;
    if (planned.contains(user)) {
      auto planning = cast<LayoutPlanningOpInterface>(user);
      need = planning.hasIndependentLayout(use->getOperandNumber())
                 ? have
                 : layoutOf(user->getResult(0));
    }
    if (need != have)
      use->set(convert(v, have, need));
  }
}

LogicalResult Planner::run() {
  if (failed(collectVotes()))
    return failure();
  rewrite();
  return success();
}

struct QAssignLayoutsPass
    : public q::impl::QAssignLayoutsBase<QAssignLayoutsPass> {
  void runOnOperation() override {
    Planner planner(getOperation());
    if (failed(planner.run()))
      return signalPassFailure();
    reordersInserted += planner.numReorders;
    valuesChannelsLast += planner.numChannelsLast;
  }
};

} // namespace
