//===- MXNetImportCopy.cpp - broadcast_*, repeat, Pad, depth_to_space
//------===//
//
// MXNet ops that copy or rearrange data into a new shape: broadcast_to /
// broadcast_like / broadcast_axis, repeat, slice_like, reshape_like,
// Pad (constant mode), depth_to_space / space_to_depth. Each is written
// exactly with q's reshape, transpose, slice, concat and add ops.
//
//===----------------------------------------------------------------------===//

#include "MXNetImporter.h"

using namespace mlir;
using namespace mlir::q;

namespace mlir::q::mxnet_import {

/// `value` viewed as `shape`; the intermediate op `<node>/<step>`, or the
/// node's result when `step` is empty.
static FailureOr<Value> view(Importer &im, uint32_t id, Value value,
                             llvm::ArrayRef<int64_t> shape,
                             llvm::StringRef step) {
  if (shapeOf(value) == shape)
    return value;
  return im.createStep<ReshapeOp>(id, step, value,
                                  im.builder.getDenseI64ArrayAttr(shape),
                                  im.builder.getBoolAttr(false));
}

/// `value` broadcast to `shape` (numpy rules) by adding a zero constant:
/// exact (but -0 becomes +0).
static LogicalResult defineBroadcast(Importer &im, uint32_t id, Value value,
                                     llvm::ArrayRef<int64_t> shape) {
  if (shapeOf(value) == shape) {
    im.define(id, value);
    return success();
  }
  auto op = im.createInferred<AddOp>(
      id, value, im.splatConstant(id, shape, 0.0f, "/zeros"));
  if (failed(op))
    return failure();
  if (shapeOf(*op) != shape)
    return im.nodeError(id) << "cannot broadcast " << joined(shapeOf(value))
                            << " to " << joined(shape);
  im.define(id, *op);
  return success();
}

/// broadcast_to: `shape`, where 0 keeps the input's dim.
static LogicalResult importBroadcastTo(Importer &im, uint32_t id) {
  auto target = im.tupleAttr(id, "shape");
  if (failed(target) || failed(im.needInputs(id, 1, 1)))
    return failure();
  auto data = im.input(id, 0);
  if (failed(data))
    return failure();
  llvm::ArrayRef<int64_t> dims = shapeOf(*data);
  if (target->size() != dims.size())
    return im.nodeError(id) << "shape " << joined(*target) << " and the input "
                            << joined(dims) << " differ in rank";
  SmallVector<int64_t> shape;
  for (auto [d, t] : llvm::zip(dims, *target)) {
    if (t < 0 || (t != 0 && d != 1 && d != t))
      return im.nodeError(id) << "cannot broadcast " << joined(dims) << " to "
                              << joined(*target);
    shape.push_back(t == 0 ? d : t);
  }
  return defineBroadcast(im, id, *data, shape);
}

/// broadcast_like: the shape of input 1 (lhs_axes/rhs_axes not supported).
static LogicalResult importBroadcastLike(Importer &im, uint32_t id) {
  const Node &node = im.graph.nodes[id];
  for (llvm::StringRef key : {"lhs_axes", "rhs_axes"})
    if (auto text = node.getAttr(key); text && text->trim() != "None")
      return im.nodeError(id) << "attribute '" << key << "' is not supported";
  if (failed(im.needInputs(id, 2, 2)))
    return failure();
  auto data = im.input(id, 0), like = im.input(id, 1);
  if (failed(data) || failed(like))
    return failure();
  if (shapeOf(*data).size() != shapeOf(*like).size())
    return im.nodeError(id) << "cannot broadcast " << joined(shapeOf(*data))
                            << " like " << joined(shapeOf(*like));
  return defineBroadcast(im, id, *data, shapeOf(*like));
}

/// broadcast_axis / broadcast_axes: size-1 `axis` entries become `size`.
static LogicalResult importBroadcastAxis(Importer &im, uint32_t id) {
  auto axes = im.tupleAttr(id, "axis", std::vector<int64_t>{});
  auto sizes = im.tupleAttr(id, "size", std::vector<int64_t>{});
  if (failed(axes) || failed(sizes) || failed(im.needInputs(id, 1, 1)))
    return failure();
  auto data = im.input(id, 0);
  if (failed(data))
    return failure();
  SmallVector<int64_t> shape(shapeOf(*data));
  if (axes->size() != sizes->size())
    return im.nodeError(id) << "axis and size must have one entry each";
  for (auto [axis, size] : llvm::zip(*axes, *sizes)) {
    auto a = shape::normalizeAxis(axis, shape.size());
    if (!a)
      return im.nodeError(id) << llvm::toString(a.takeError());
    if (shape[*a] != 1 || size < 1)
      return im.nodeError(id) << "cannot broadcast axis " << *a << " of "
                              << joined(shapeOf(*data)) << " to " << size;
    shape[*a] = size;
  }
  return defineBroadcast(im, id, *data, shape);
}

/// repeat: each element `repeats` times along `axis` (None: of the data
/// flattened) = a size-1 axis after it, concatenated copies, a reshape.
static LogicalResult importRepeat(Importer &im, uint32_t id) {
  auto repeats = im.intAttr(id, "repeats");
  std::optional<llvm::StringRef> text = im.attrNode(id).getAttr("axis");
  bool flat = !text || text->trim() == "None";
  auto axis = flat ? FailureOr<int64_t>(0) : im.intAttr(id, "axis");
  if (failed(repeats) || failed(axis) || failed(im.needInputs(id, 1, 1)))
    return failure();
  if (*repeats < 1)
    return im.nodeError(id) << "repeats must be positive";
  auto data = im.input(id, 0);
  if (failed(data))
    return failure();
  SmallVector<int64_t> dims(shapeOf(*data));
  if (flat)
    dims = {ShapedType::getNumElements(dims)};
  auto a = shape::normalizeAxis(*axis, dims.size());
  if (!a)
    return im.nodeError(id) << llvm::toString(a.takeError());
  SmallVector<int64_t> expanded(dims);
  expanded.insert(expanded.begin() + *a + 1, 1);
  auto x = view(im, id, *data, expanded, "view");
  if (failed(x))
    return failure();
  SmallVector<Value> copies(*repeats, *x);
  Value result = *x;
  if (*repeats > 1) {
    auto cat = im.createStep<ConcatOp>(id, "concat", copies,
                                       im.builder.getI64IntegerAttr(*a + 1));
    if (failed(cat))
      return failure();
    result = *cat;
  }
  SmallVector<int64_t> out(dims);
  out[*a] *= *repeats;
  auto r = view(im, id, result, out, "");
  if (failed(r))
    return failure();
  im.define(id, *r);
  return success();
}

/// slice_like: input 0 cut to the shape of input 1 along `axes` (all
/// axes when empty), from the start.
static LogicalResult importSliceLike(Importer &im, uint32_t id) {
  auto axes = im.tupleAttr(id, "axes", std::vector<int64_t>{});
  if (failed(axes) || failed(im.needInputs(id, 2, 2)))
    return failure();
  auto data = im.input(id, 0), like = im.input(id, 1);
  if (failed(data) || failed(like))
    return failure();
  llvm::ArrayRef<int64_t> dims = shapeOf(*data), to = shapeOf(*like);
  SmallVector<int64_t> end(dims);
  SmallVector<bool> cut(dims.size(), axes->empty());
  for (int64_t axis : *axes) {
    auto a = shape::normalizeAxis(axis, dims.size());
    if (!a)
      return im.nodeError(id) << llvm::toString(a.takeError());
    cut[*a] = true;
  }
  for (size_t i = 0; i < dims.size(); ++i) {
    if (!cut[i])
      continue;
    if (i >= to.size() || to[i] > dims[i])
      return im.nodeError(id)
             << "cannot cut " << joined(dims) << " like " << joined(to);
    end[i] = to[i];
  }
  if (end == SmallVector<int64_t>(dims)) {
    im.define(id, *data);
    return success();
  }
  auto op = im.createInferred<SliceOp>(
      id, *data,
      im.builder.getDenseI64ArrayAttr(SmallVector<int64_t>(dims.size(), 0)),
      im.builder.getDenseI64ArrayAttr(end),
      im.builder.getDenseI64ArrayAttr(SmallVector<int64_t>(dims.size(), 1)));
  if (failed(op))
    return failure();
  im.define(id, *op);
  return success();
}

/// reshape_like: input 0 viewed with the shape of input 1.
static LogicalResult importReshapeLike(Importer &im, uint32_t id) {
  if (failed(im.needInputs(id, 2, 2)))
    return failure();
  auto data = im.input(id, 0), like = im.input(id, 1);
  if (failed(data) || failed(like))
    return failure();
  if (ShapedType::getNumElements(shapeOf(*data)) !=
      ShapedType::getNumElements(shapeOf(*like)))
    return im.nodeError(id) << "cannot reshape " << joined(shapeOf(*data))
                            << " like " << joined(shapeOf(*like));
  auto r = view(im, id, *data, shapeOf(*like), "");
  if (failed(r))
    return failure();
  im.define(id, *r);
  return success();
}

/// Pad in constant mode: constant blocks concatenated before and after
/// each padded axis (MXNet pads 4-D and 5-D data, never N and C).
static LogicalResult importPad(Importer &im, uint32_t id) {
  auto mode = im.choiceAttr(id, "mode", {"constant", "edge", "reflect"},
                            llvm::StringRef("constant"));
  auto widths = im.tupleAttr(id, "pad_width");
  auto value = im.floatAttr(id, "constant_value", 0.0);
  if (failed(mode) || failed(widths) || failed(value) ||
      failed(im.needInputs(id, 1, 1)))
    return failure();
  if (*mode != "constant")
    return im.nodeError(id)
           << "pad mode '" << *mode << "' is not supported yet (only constant)";
  auto data = im.input(id, 0);
  if (failed(data))
    return failure();
  SmallVector<int64_t> dims(shapeOf(*data));
  if (widths->size() != 2 * dims.size() ||
      llvm::any_of(*widths, [](int64_t w) { return w < 0; }))
    return im.nodeError(id)
           << "pad_width " << joined(*widths)
           << " needs two non-negative entries per axis of " << joined(dims);
  SmallVector<size_t> padded;
  for (size_t axis = 0; axis < dims.size(); ++axis)
    if ((*widths)[2 * axis] || (*widths)[2 * axis + 1])
      padded.push_back(axis);
  Value x = *data;
  for (size_t axis : padded) {
    SmallVector<Value> parts;
    for (int side = 0; side < 2; ++side) {
      int64_t width = (*widths)[2 * axis + side];
      if (!width)
        continue;
      SmallVector<int64_t> block(dims);
      block[axis] = width;
      std::string name =
          "/" + std::string(side ? "after" : "before") + std::to_string(axis);
      auto filled = im.asData(
          id, im.splatConstant(id, block, float(*value), name), name.substr(1));
      if (failed(filled))
        return failure();
      parts.insert(side ? parts.end() : parts.begin(), *filled);
    }
    parts.insert(parts.begin() + ((*widths)[2 * axis] ? 1 : 0), x);
    std::string step =
        axis == padded.back() ? "" : "axis" + std::to_string(axis);
    auto cat = im.createStep<ConcatOp>(id, step, parts,
                                       im.builder.getI64IntegerAttr(axis));
    if (failed(cat))
      return failure();
    x = *cat;
    dims[axis] += (*widths)[2 * axis] + (*widths)[2 * axis + 1];
  }
  im.define(id, x);
  return success();
}

/// depth_to_space / space_to_depth (block_size b, NCHW), as MXNet defines
/// them: a 6-D view, a transpose, a 4-D view.
static LogicalResult importDepthSpace(Importer &im, uint32_t id) {
  bool toSpace = im.graph.nodes[id].op == "depth_to_space";
  auto block = im.intAttr(id, "block_size");
  if (failed(block) || failed(im.needInputs(id, 1, 1)))
    return failure();
  auto data = im.input(id, 0);
  if (failed(data))
    return failure();
  llvm::ArrayRef<int64_t> d = shapeOf(*data);
  int64_t b = *block;
  if (d.size() != 4 || b < 1 ||
      (toSpace ? d[1] % (b * b) != 0 : d[2] % b != 0 || d[3] % b != 0))
    return im.nodeError(id) << "block_size " << b << " does not fit the "
                            << "NCHW input " << joined(d);
  int64_t n = d[0], c = d[1], h = d[2], w = d[3];
  SmallVector<int64_t> six, perm, out;
  if (toSpace) {
    six = {n, b, b, c / (b * b), h, w};
    perm = {0, 3, 4, 1, 5, 2};
    out = {n, c / (b * b), h * b, w * b};
  } else {
    six = {n, c, h / b, b, w / b, b};
    perm = {0, 3, 5, 1, 2, 4};
    out = {n, c * b * b, h / b, w / b};
  }
  auto x = view(im, id, *data, six, "view");
  if (failed(x))
    return failure();
  auto t = im.createStep<TransposeOp>(id, "transpose", *x,
                                      im.builder.getDenseI64ArrayAttr(perm));
  if (failed(t))
    return failure();
  auto y = view(im, id, *t, out, "");
  if (failed(y))
    return failure();
  im.define(id, *y);
  return success();
}

void registerCopyOps(OpTable &table) {
  table.on({"broadcast_to"}, importBroadcastTo)
      .becomes("q.add of a zero constant of the target shape (exact)");
  table.on({"broadcast_like"}, importBroadcastLike)
      .becomes("q.add of a zero constant of the target shape (exact)");
  table.on({"broadcast_axis", "broadcast_axes"}, importBroadcastAxis)
      .becomes("q.add of a zero constant of the target shape (exact)");
  table.on({"repeat"}, importRepeat)
      .becomes("q.reshape + q.concat of copies + q.reshape");
  table.on({"slice_like"}, importSliceLike).becomes("q.slice");
  table.on({"reshape_like"}, importReshapeLike)
      .becomes("q.reshape")
      .int8("int8 (scale passed through)");
  table.on({"Pad", "pad"}, importPad)
      .becomes("q.concat with constant blocks (mode constant; edge and "
               "reflect are refused)");
  table.on({"depth_to_space"}, importDepthSpace)
      .becomes("q.reshape + q.transpose + q.reshape");
  table.on({"space_to_depth"}, importDepthSpace)
      .becomes("q.reshape + q.transpose + q.reshape");
}

} // namespace mlir::q::mxnet_import
