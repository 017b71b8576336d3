//===- MXNetImportInit.cpp - _zeros, _ones, _full, *_like import
//-----------===//
//
// MXNet's tensor initializers: _zeros, _ones, _full (a `shape` attribute)
// and zeros_like, ones_like, full_like (the shape of their input, which is
// static in q). Each becomes a constant tensor named after its node, so
// it is folded into the ops that read it like any weight.
//
//===----------------------------------------------------------------------===//

#include "MXNetImporter.h"

using namespace mlir;
using namespace mlir::q;

namespace mlir::q::mxnet_import {

/// The fill value of node `id`: 0, 1, or the `value` / `fill_value`
/// attribute of _full / full_like.
static FailureOr<double> fillOf(Importer &im, uint32_t id) {
  llvm::StringRef op = im.graph.nodes[id].op;
  if (op == "_zeros" || op == "zeros_like")
    return 0.0;
  if (op == "_ones" || op == "ones_like")
    return 1.0;
  return im.floatAttr(id, op == "_full" ? "value" : "fill_value");
}

/// Only float32 tensors exist in q's fp32 graphs.
static LogicalResult checkDType(Importer &im, uint32_t id) {
  return im.choiceAttr(id, "dtype", {"float32"}, llvm::StringRef("float32"));
}

static LogicalResult importFilled(Importer &im, uint32_t id) {
  auto fill = fillOf(im, id);
  auto shape = im.tupleAttr(id, "shape");
  if (failed(fill) || failed(shape) || failed(checkDType(im, id)) ||
      failed(im.needInputs(id, 0, 0)))
    return failure();
  if (shape->empty() || llvm::any_of(*shape, [](int64_t d) { return d < 1; }))
    return im.nodeError(id)
           << "shape " << joined(*shape) << " must have positive dims";
  im.define(id, im.splatConstant(id, *shape, float(*fill)));
  return success();
}

static LogicalResult importFilledLike(Importer &im, uint32_t id) {
  auto fill = fillOf(im, id);
  if (failed(fill) || failed(im.needInputs(id, 1, 1)))
    return failure();
  auto data = im.input(id, 0);
  if (failed(data))
    return failure();
  im.define(id, im.splatConstant(id, shapeOf(*data), float(*fill)));
  return success();
}

void registerInitOps(OpTable &table) {
  table.on({"_zeros"}, importFilled)
      .becomes("a named constant")
      .int8("constant");
  table.on({"_ones"}, importFilled)
      .becomes("a named constant")
      .int8("constant");
  table.on({"_full"}, importFilled)
      .becomes("a named constant")
      .int8("constant");
  table.on({"zeros_like"}, importFilledLike)
      .becomes("a named constant of the input shape")
      .int8("constant");
  table.on({"ones_like"}, importFilledLike)
      .becomes("a named constant of the input shape")
      .int8("constant");
  table.on({"full_like"}, importFilledLike)
      .becomes("a named constant of the input shape")
      .int8("constant");
}

} // namespace mlir::q::mxnet_import
