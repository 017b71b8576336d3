//===- MXNetImportReduce.cpp - sum, mean, max, min import
//------------------===//
//
// MXNet's reductions (sum, mean, max, min and their *_axis / nansum-free
// legacy names) with `axis`, `keepdims` and `exclude`. q has no reduction
// op: a reduction is a global pooling, exactly. The kept axes are moved
// first (q.transpose, only when needed), the data viewed as [1, kept,
// reduced, 1] (q.reshape), pooled globally (sum, avg or max; min is
// -max(-x)), and viewed as MXNet's result shape. prod has no such form and
// is refused.
//
//===----------------------------------------------------------------------===//

#include "MXNetImporter.h"

using namespace mlir;
using namespace mlir::q;

namespace mlir::q::mxnet_import {

namespace {
enum class Reduction { Sum, Mean, Max, Min };
} // namespace

/// -x, exact: the intermediate op `<node>/<step>`.
static FailureOr<Value> negated(Importer &im, uint32_t id, Value x,
                                llvm::StringRef step) {
  return im.createStep<ScalarOp>(
      id, step, x, ScalarKindAttr::get(im.context, ScalarKind::mul),
      im.builder.getF64FloatAttr(-1.0));
}

static LogicalResult importReduce(Importer &im, uint32_t id, Reduction kind) {
  std::optional<llvm::StringRef> text = im.attrNode(id).getAttr("axis");
  bool all = !text || text->trim() == "None";
  auto axes = all ? FailureOr<std::vector<int64_t>>(std::vector<int64_t>{})
                  : im.tupleAttr(id, "axis");
  auto keepdims = im.boolAttr(id, "keepdims", false);
  auto exclude = im.boolAttr(id, "exclude", false);
  if (failed(axes) || failed(keepdims) || failed(exclude) ||
      failed(im.needInputs(id, 1, 1)))
    return failure();
  auto data = im.input(id, 0);
  if (failed(data))
    return failure();
  llvm::ArrayRef<int64_t> dims = shapeOf(*data);
  int64_t rank = dims.size();
  // axis=() reduces every axis, as axis=None does.
  all |= axes->empty();
  SmallVector<bool> reduced(rank, all);
  for (int64_t axis : *axes) {
    auto a = shape::normalizeAxis(axis, rank);
    if (!a)
      return im.nodeError(id) << llvm::toString(a.takeError());
    if (reduced[*a])
      return im.nodeError(id) << "axis " << *a << " is given twice";
    reduced[*a] = true;
  }
  if (*exclude && !all)
    for (auto &&r : reduced)
      r = !r;
  SmallVector<int64_t> perm, outShape;
  int64_t kept = 1, count = 1;
  for (int64_t i = 0; i < rank; ++i)
    if (!reduced[i]) {
      perm.push_back(i);
      kept *= dims[i];
    }
  for (int64_t i = 0; i < rank; ++i)
    if (reduced[i]) {
      perm.push_back(i);
      count *= dims[i];
    }
  for (int64_t i = 0; i < rank; ++i)
    if (!reduced[i] || *keepdims)
      outShape.push_back(reduced[i] ? 1 : dims[i]);
  if (outShape.empty())
    outShape.push_back(1);

  Value x = *data;
  if (!llvm::equal(perm, llvm::seq<int64_t>(0, rank))) {
    auto t = im.createStep<TransposeOp>(id, "transpose", x,
                                        im.builder.getDenseI64ArrayAttr(perm));
    if (failed(t))
      return failure();
    x = *t;
  }
  auto view = [&](llvm::StringRef step, Value v,
                  llvm::ArrayRef<int64_t> shape) {
    return im.createStep<ReshapeOp>(id, step, v,
                                    im.builder.getDenseI64ArrayAttr(shape),
                                    im.builder.getBoolAttr(false));
  };
  auto flat = view("view", x, {1, kept, count, 1});
  if (failed(flat))
    return failure();
  x = *flat;
  if (kind == Reduction::Min) {
    auto neg = negated(im, id, x, "negate");
    if (failed(neg))
      return failure();
    x = *neg;
  }
  PoolKind pool = kind == Reduction::Sum    ? PoolKind::sum
                  : kind == Reduction::Mean ? PoolKind::avg
                                            : PoolKind::max;
  auto pooled = im.createStep<PoolingOp>(
      id, "pool", x, PoolKindAttr::get(im.context, pool), DenseI64ArrayAttr(),
      DenseI64ArrayAttr(), DenseI64ArrayAttr(), im.builder.getBoolAttr(true),
      PoolConventionAttr(), BoolAttr());
  if (failed(pooled))
    return failure();
  x = *pooled;
  if (kind == Reduction::Min) {
    auto neg = negated(im, id, x, "min");
    if (failed(neg))
      return failure();
    x = *neg;
  }
  auto out = view("", x, outShape);
  if (failed(out))
    return failure();
  im.define(id, *out);
  return success();
}

void registerReduceOps(OpTable &table) {
  auto on = [&](std::initializer_list<llvm::StringRef> names, Reduction kind) {
    table
        .on(names, [kind](Importer &im,
                          uint32_t id) { return importReduce(im, id, kind); })
        .becomes(kind == Reduction::Min
                     ? "-(global max q.pooling of -x), viewed as for sum"
                     : "q.transpose (kept axes first) + q.reshape to "
                       "[1, kept, reduced, 1] + global q.pooling (sum, avg, "
                       "max) + q.reshape");
  };
  on({"sum", "sum_axis"}, Reduction::Sum);
  on({"mean"}, Reduction::Mean);
  on({"max", "max_axis"}, Reduction::Max);
  on({"min", "min_axis"}, Reduction::Min);
}

} // namespace mlir::q::mxnet_import
