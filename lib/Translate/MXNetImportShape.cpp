//===- MXNetImportShape.cpp - reshape, slice, concat import --------------===//
//
// The MXNet ops that move data without arithmetic: reshapes, slices,
// concatenation, transposes, crops and nearest upsampling. New ones
// decompose into q.reshape / q.slice / q.concat / q.transpose where that
// is exact.
//
//===----------------------------------------------------------------------===//

#include "MXNetImporter.h"

using namespace mlir;
using namespace mlir::q;

namespace mlir::q::mxnet_import {

LogicalResult importConcat(Importer &im, uint32_t id, bool quantized) {
  auto dim = im.intAttr(id, "dim", 1);
  auto numArgs = im.intAttr(id, "num_args", int64_t(im.numInputs(id)));
  if (failed(dim) || failed(numArgs))
    return failure();
  unsigned expected = quantized ? 3 * *numArgs : *numArgs;
  if (*numArgs < 1 || im.numInputs(id) != expected)
    return im.nodeError(id)
           << "has " << im.numInputs(id) << " inputs but num_args " << *numArgs
           << " needs " << expected;
  SmallVector<Value> inputs;
  for (unsigned i = 0; i < *numArgs; ++i) {
    auto v = im.input(id, i);
    if (failed(v))
      return failure();
    inputs.push_back(*v);
  }
  if (quantized) {
    // MXNet rescales every input to the union of their ranges; q makes the
    // rescaling explicit where the scales differ.
    Type common = elementOf(inputs[0]);
    bool allSame =
        llvm::all_of(inputs, [&](Value v) { return elementOf(v) == common; });
    if (!allSame) {
      double lo = 0, hi = 0;
      bool allUnsigned = true;
      for (Value v : inputs) {
        auto uniform =
            llvm::dyn_cast<quant::UniformQuantizedType>(elementOf(v));
        if (!uniform)
          return im.nodeError(id) << "concatenates tensors of different types "
                                     "without calibrated ranges";
        double range = uniform.getScale() *
                       (uniform.isSigned() ? kInt8Range : kUint8Range);
        hi = std::max(hi, range);
        if (uniform.isSigned())
          lo = std::min(lo, -range);
        allUnsigned &= !uniform.isSigned();
      }
      Type target = im.quantizedType(allUnsigned, 8, std::make_pair(lo, hi));
      for (Value &v : inputs) {
        if (elementOf(v) == target)
          continue;
        auto fp = im.createInferred<DequantizeOp>(id, v);
        if (failed(fp))
          return failure();
        auto q = QuantizeOp::create(
            im.builder, im.nodeLoc(id),
            RankedTensorType::get(shapeOf(v), target), *fp,
            QuantDTypeAttr::get(im.context, allUnsigned ? QuantDType::uint8
                                                        : QuantDType::int8),
            FloatAttr(), FloatAttr());
        im.setCalibAttrs(q, std::make_pair(lo, hi));
        v = q;
      }
    }
  }
  auto op = im.createInferred<ConcatOp>(id, inputs,
                                        im.builder.getI64IntegerAttr(*dim));
  if (failed(op))
    return failure();
  quantized ? im.defineQuantized(id, *op) : im.define(id, *op);
  return success();
}

LogicalResult importReshape(Importer &im, uint32_t id, bool quantized) {
  const Node &node = im.graph.nodes[id];
  if (node.getAttr("target_shape") && !node.getAttr("shape"))
    return im.nodeError(id) << "uses the pre-0.9 'target_shape' attribute; "
                               "re-save the model with 'shape'";
  auto shapeCodes = im.tupleAttr(id, "shape");
  auto reverse = im.boolAttr(id, "reverse", false);
  unsigned arity = quantized ? 3 : 1;
  if (failed(shapeCodes) || failed(reverse) ||
      failed(im.needInputs(id, arity, arity)))
    return failure();
  auto data = im.input(id, 0);
  if (failed(data))
    return failure();
  auto op = im.createInferred<ReshapeOp>(
      id, *data, im.builder.getDenseI64ArrayAttr(*shapeCodes),
      im.builder.getBoolAttr(*reverse));
  if (failed(op))
    return failure();
  quantized ? im.defineQuantized(id, *op) : im.define(id, *op);
  return success();
}

static LogicalResult importSlice(Importer &im, uint32_t id) {
  auto begin = im.attr<std::vector<std::optional<int64_t>>>(
      id, "begin", fmt::parseOptIntTuple, std::nullopt);
  auto end = im.attr<std::vector<std::optional<int64_t>>>(
      id, "end", fmt::parseOptIntTuple, std::nullopt);
  auto step = im.attr<std::vector<std::optional<int64_t>>>(
      id, "step", fmt::parseOptIntTuple, std::vector<std::optional<int64_t>>{});
  if (failed(begin) || failed(end) || failed(step) ||
      failed(im.needInputs(id, 1, 1)))
    return failure();
  auto data = im.input(id, 0);
  if (failed(data))
    return failure();
  auto dataShape = shapeOf(*data);
  if (begin->size() != end->size() || begin->size() > dataShape.size() ||
      (!step->empty() && step->size() != begin->size()))
    return im.nodeError(id) << "begin, end and step must have one entry per "
                               "sliced axis";
  SmallVector<int64_t> b, e, s;
  for (size_t i = 0; i < begin->size(); ++i) {
    int64_t st = step->empty() ? 1 : (*step)[i].value_or(1);
    if (st < 1)
      return im.nodeError(id) << "negative or zero slice steps are not "
                                 "supported";
    b.push_back((*begin)[i].value_or(0));
    e.push_back((*end)[i].value_or(dataShape[i]));
    s.push_back(st);
  }
  auto op = im.createInferred<SliceOp>(
      id, *data, im.builder.getDenseI64ArrayAttr(b),
      im.builder.getDenseI64ArrayAttr(e), im.builder.getDenseI64ArrayAttr(s));
  if (failed(op))
    return failure();
  im.define(id, *op);
  return success();
}

static LogicalResult importSliceAxis(Importer &im, uint32_t id) {
  auto axis = im.intAttr(id, "axis");
  auto begin = im.intAttr(id, "begin");
  auto end = im.attr<std::optional<int64_t>>(id, "end", fmt::parseOptInt,
                                             std::optional<int64_t>());
  if (failed(axis) || failed(begin) || failed(end) ||
      failed(im.needInputs(id, 1, 1)))
    return failure();
  auto data = im.input(id, 0);
  if (failed(data))
    return failure();
  auto dataShape = shapeOf(*data);
  auto normAxis = shape::normalizeAxis(*axis, dataShape.size());
  if (!normAxis)
    return im.nodeError(id) << llvm::toString(normAxis.takeError());
  SmallVector<int64_t> b(*normAxis + 1, 0),
      e(dataShape.begin(), dataShape.begin() + *normAxis + 1);
  b.back() = *begin;
  e.back() = end->value_or(dataShape[*normAxis]);
  auto op = im.createInferred<SliceOp>(
      id, *data, im.builder.getDenseI64ArrayAttr(b),
      im.builder.getDenseI64ArrayAttr(e), im.builder.getDenseI64ArrayAttr({}));
  if (failed(op))
    return failure();
  im.define(id, *op);
  return success();
}

static LogicalResult importCrop(Importer &im, uint32_t id) {
  auto numArgs = im.intAttr(id, "num_args", 1);
  auto offset = im.tupleAttr(id, "offset", std::vector<int64_t>{0, 0});
  auto hw = im.tupleAttr(id, "h_w", std::vector<int64_t>{0, 0});
  auto center = im.boolAttr(id, "center_crop", false);
  if (failed(numArgs) || failed(offset) || failed(hw) || failed(center) ||
      failed(im.needInputs(id, *numArgs, *numArgs)))
    return failure();
  auto data = im.input(id, 0);
  if (failed(data))
    return failure();
  auto dataShape = shapeOf(*data);
  if (dataShape.size() != 4 || offset->size() != 2 || hw->size() != 2)
    return im.nodeError(id)
           << "crops 4-D NCHW data with 2-entry offset and h_w";
  SmallVector<int64_t> sizes(hw->begin(), hw->end());
  if (*numArgs == 2) {
    auto like = im.input(id, 1);
    if (failed(like))
      return failure();
    auto likeShape = shapeOf(*like);
    if (likeShape.size() != 4)
      return im.nodeError(id) << "crop reference must be 4-D";
    sizes = {likeShape[2], likeShape[3]};
  }
  SmallVector<int64_t> offsets(offset->begin(), offset->end());
  if (*center)
    offsets = {(dataShape[2] - sizes[0]) / 2, (dataShape[3] - sizes[1]) / 2};
  auto op = im.createInferred<CropOp>(id, *data,
                                      im.builder.getDenseI64ArrayAttr(offsets),
                                      im.builder.getDenseI64ArrayAttr(sizes));
  if (failed(op))
    return failure();
  im.define(id, *op);
  return success();
}

static LogicalResult importUpSampling(Importer &im, uint32_t id) {
  auto scale = im.intAttr(id, "scale");
  auto type =
      im.choiceAttr(id, "sample_type", {"nearest"}, llvm::StringRef("nearest"));
  auto numArgs = im.intAttr(id, "num_args", 1);
  if (failed(scale) || failed(type) || failed(numArgs))
    return failure();
  if (*numArgs != 1 || failed(im.needInputs(id, 1, 1)))
    return im.nodeError(id) << "nearest upsampling of more than one input is "
                               "not supported";
  auto data = im.input(id, 0);
  if (failed(data))
    return failure();
  auto op = im.createInferred<UpSamplingOp>(
      id, *data, im.builder.getI64IntegerAttr(*scale));
  if (failed(op))
    return failure();
  im.define(id, *op);
  return success();
}

static LogicalResult importTranspose(Importer &im, uint32_t id) {
  auto axes = im.tupleAttr(id, "axes", std::vector<int64_t>{});
  if (failed(axes) || failed(im.needInputs(id, 1, 1)))
    return failure();
  auto data = im.input(id, 0);
  if (failed(data))
    return failure();
  auto op = im.createInferred<TransposeOp>(
      id, *data, im.builder.getDenseI64ArrayAttr(*axes));
  if (failed(op))
    return failure();
  im.define(id, *op);
  return success();
}

LogicalResult importFlatten(Importer &im, uint32_t id, bool quantized) {
  unsigned arity = quantized ? 3 : 1;
  if (failed(im.needInputs(id, arity, arity)))
    return failure();
  auto data = im.input(id, 0);
  if (failed(data))
    return failure();
  auto op = im.createInferred<FlattenOp>(id, *data);
  if (failed(op))
    return failure();
  quantized ? im.defineQuantized(id, *op) : im.define(id, *op);
  return success();
}

//===----------------------------------------------------------------------===//
// Decomposed ops: each is exact in q.slice / q.reshape / q.transpose /
// q.concat.
//===----------------------------------------------------------------------===//

/// `value` viewed as `shape` (same number of elements); an intermediate op
/// `<node>/<step>` unless `step` is empty.
static FailureOr<Value> reshapeTo(Importer &im, uint32_t id, Value value,
                                  llvm::ArrayRef<int64_t> shape,
                                  llvm::StringRef step = "") {
  if (shapeOf(value) == shape)
    return value;
  return im.createStep<ReshapeOp>(id, step, value,
                                  im.builder.getDenseI64ArrayAttr(shape),
                                  im.builder.getBoolAttr(false));
}

/// The normalized `axis` of a rank-`rank` tensor, or an error at the node.
static FailureOr<int64_t> axisOf(Importer &im, uint32_t id, int64_t axis,
                                 int64_t rank) {
  auto norm = shape::normalizeAxis(axis, rank);
  if (!norm)
    return im.nodeError(id) << llvm::toString(norm.takeError()), failure();
  return *norm;
}

/// MXNet's SliceChannel / split: num_outputs equal parts along `axis`
/// (default 1); squeeze_axis drops the axis when the parts have size 1.
static LogicalResult importSliceChannel(Importer &im, uint32_t id) {
  auto numOutputs = im.intAttr(id, "num_outputs");
  auto axis = im.intAttr(id, "axis", 1);
  auto squeeze = im.boolAttr(id, "squeeze_axis", false);
  if (failed(numOutputs) || failed(axis) || failed(squeeze) ||
      failed(im.needInputs(id, 1, 1)))
    return failure();
  auto data = im.input(id, 0);
  if (failed(data))
    return failure();
  SmallVector<int64_t> dims(shapeOf(*data));
  auto a = axisOf(im, id, *axis, dims.size());
  if (failed(a))
    return failure();
  if (*numOutputs < 1 || dims[*a] % *numOutputs != 0)
    return im.nodeError(id)
           << "num_outputs " << *numOutputs << " does not divide axis " << *a
           << " of " << joined(dims);
  int64_t part = dims[*a] / *numOutputs;
  if (*squeeze && part != 1)
    return im.nodeError(id) << "squeeze_axis needs parts of size 1, but "
                            << "axis " << *a << " of " << joined(dims)
                            << " splits into parts of " << part;
  SmallVector<int64_t> squeezed(dims);
  squeezed.erase(squeezed.begin() + *a);
  if (squeezed.empty())
    squeezed.push_back(1);
  for (int64_t k = 0; k < *numOutputs; ++k) {
    SmallVector<int64_t> begin(*a + 1, 0),
        end(dims.begin(), dims.begin() + *a + 1);
    begin.back() = k * part;
    end.back() = (k + 1) * part;
    // Output k is the tensor `<node>/out<k>`.
    std::string name = "out" + std::to_string(k);
    bool reshaped = *squeeze && dims.size() > 1;
    auto slice = im.createStep<SliceOp>(
        id, reshaped ? "slice" + std::to_string(k) : name, *data,
        im.builder.getDenseI64ArrayAttr(begin),
        im.builder.getDenseI64ArrayAttr(end),
        im.builder.getDenseI64ArrayAttr(SmallVector<int64_t>(*a + 1, 1)));
    if (failed(slice))
      return failure();
    Value out = *slice;
    if (reshaped) {
      auto r = reshapeTo(im, id, out, squeezed, name);
      if (failed(r))
        return failure();
      out = *r;
    }
    im.defineOutput(id, k, out);
  }
  return success();
}

/// SwapAxis / swapaxes: exchanges dim1 and dim2 (both default 0).
static LogicalResult importSwapAxis(Importer &im, uint32_t id) {
  auto dim1 = im.intAttr(id, "dim1", 0), dim2 = im.intAttr(id, "dim2", 0);
  if (failed(dim1) || failed(dim2) || failed(im.needInputs(id, 1, 1)))
    return failure();
  auto data = im.input(id, 0);
  if (failed(data))
    return failure();
  int64_t rank = shapeOf(*data).size();
  auto a = axisOf(im, id, *dim1, rank), b = axisOf(im, id, *dim2, rank);
  if (failed(a) || failed(b))
    return failure();
  if (*a == *b) {
    im.define(id, *data);
    return success();
  }
  SmallVector<int64_t> perm = llvm::to_vector(llvm::seq<int64_t>(0, rank));
  std::swap(perm[*a], perm[*b]);
  auto op = im.createInferred<TransposeOp>(
      id, *data, im.builder.getDenseI64ArrayAttr(perm));
  if (failed(op))
    return failure();
  im.define(id, *op);
  return success();
}

/// expand_dims: a new axis of size 1 at `axis` (in [-rank-1, rank]).
static LogicalResult importExpandDims(Importer &im, uint32_t id) {
  auto axis = im.intAttr(id, "axis");
  if (failed(axis) || failed(im.needInputs(id, 1, 1)))
    return failure();
  auto data = im.input(id, 0);
  if (failed(data))
    return failure();
  SmallVector<int64_t> dims(shapeOf(*data));
  auto a = axisOf(im, id, *axis, dims.size() + 1);
  if (failed(a))
    return failure();
  dims.insert(dims.begin() + *a, 1);
  auto op = reshapeTo(im, id, *data, dims);
  if (failed(op))
    return failure();
  im.define(id, *op);
  return success();
}

/// squeeze: drops the size-1 axes in `axis` (all of them when absent); a
/// result without axes has shape [1], as in MXNet.
static LogicalResult importSqueeze(Importer &im, uint32_t id) {
  std::optional<llvm::StringRef> text = im.attrNode(id).getAttr("axis");
  bool all = !text || text->trim() == "None";
  auto axes = all ? FailureOr<std::vector<int64_t>>(std::vector<int64_t>{})
                  : im.tupleAttr(id, "axis");
  if (failed(axes) || failed(im.needInputs(id, 1, 1)))
    return failure();
  auto data = im.input(id, 0);
  if (failed(data))
    return failure();
  llvm::ArrayRef<int64_t> dims = shapeOf(*data);
  SmallVector<bool> drop(dims.size(), false);
  for (auto [i, d] : llvm::enumerate(dims))
    drop[i] = all && d == 1;
  for (int64_t axis : *axes) {
    auto a = axisOf(im, id, axis, dims.size());
    if (failed(a))
      return failure();
    if (dims[*a] != 1)
      return im.nodeError(id) << "cannot squeeze axis " << *a << " of "
                              << joined(dims) << ": its size is not 1";
    drop[*a] = true;
  }
  SmallVector<int64_t> kept;
  for (auto [i, d] : llvm::enumerate(dims))
    if (!drop[i])
      kept.push_back(d);
  if (kept.empty())
    kept.push_back(1);
  auto op = reshapeTo(im, id, *data, kept);
  if (failed(op))
    return failure();
  im.define(id, *op);
  return success();
}

/// stack: num_args tensors of one shape joined along a new `axis`
/// (default 0) = each viewed with a size-1 axis there, then concatenated.
static LogicalResult importStack(Importer &im, uint32_t id) {
  auto axis = im.intAttr(id, "axis", 0);
  auto numArgs = im.intAttr(id, "num_args", int64_t(im.numInputs(id)));
  if (failed(axis) || failed(numArgs))
    return failure();
  if (*numArgs < 1 || *numArgs != int64_t(im.numInputs(id)))
    return im.nodeError(id)
           << "has " << im.numInputs(id) << " inputs but num_args " << *numArgs;
  SmallVector<Value> parts;
  for (unsigned i = 0; i < *numArgs; ++i) {
    auto v = im.input(id, i);
    if (failed(v))
      return failure();
    if (!parts.empty() && shapeOf(*v) != shapeOf(parts.front()))
      return im.nodeError(id) << "stacks tensors of different shapes";
    parts.push_back(*v);
  }
  SmallVector<int64_t> dims(shapeOf(parts.front()));
  auto a = axisOf(im, id, *axis, dims.size() + 1);
  if (failed(a))
    return failure();
  dims.insert(dims.begin() + *a, 1);
  SmallVector<Value> expanded;
  for (auto [i, v] : llvm::enumerate(parts)) {
    auto r = reshapeTo(im, id, v, dims,
                       parts.size() == 1 ? "" : "expand" + std::to_string(i));
    if (failed(r))
      return failure();
    expanded.push_back(*r);
  }
  Value result = expanded.front();
  if (expanded.size() > 1) {
    auto op = im.createInferred<ConcatOp>(id, expanded,
                                          im.builder.getI64IntegerAttr(*a));
    if (failed(op))
      return failure();
    result = *op;
  }
  im.define(id, result);
  return success();
}

/// tile: `reps` copies along each axis. A shorter reps is padded with
/// leading 1s; a longer one gives the data leading axes of size 1 (MXNet).
static LogicalResult importTile(Importer &im, uint32_t id) {
  auto reps = im.tupleAttr(id, "reps");
  if (failed(reps) || failed(im.needInputs(id, 1, 1)))
    return failure();
  auto data = im.input(id, 0);
  if (failed(data))
    return failure();
  SmallVector<int64_t> dims(shapeOf(*data));
  SmallVector<int64_t> r(reps->begin(), reps->end());
  if (llvm::any_of(r, [](int64_t k) { return k < 1; }))
    return im.nodeError(id) << "reps " << joined(r)
                            << " must be positive (q has no empty tensors)";
  while (r.size() < dims.size())
    r.insert(r.begin(), 1);
  while (dims.size() < r.size())
    dims.insert(dims.begin(), 1);
  SmallVector<size_t> tiled;
  for (auto [axis, k] : llvm::enumerate(r))
    if (k > 1)
      tiled.push_back(axis);
  auto x = reshapeTo(im, id, *data, dims, tiled.empty() ? "" : "view");
  if (failed(x))
    return failure();
  Value result = *x;
  for (size_t axis : tiled) {
    SmallVector<Value> copies(r[axis], result);
    // The last concat is the node's result.
    std::string step =
        axis == tiled.back() ? "" : "axis" + std::to_string(axis);
    auto op = im.createStep<ConcatOp>(id, step, copies,
                                      im.builder.getI64IntegerAttr(axis));
    if (failed(op))
      return failure();
    result = *op;
  }
  im.define(id, result);
  return success();
}

void registerShapeOps(OpTable &table) {
  table
      .on({"Concat", "concat"},
          [](Importer &im, uint32_t id) { return importConcat(im, id, false); })
      .becomes("q.concat")
      .int8("int8 (scale passed through)");
  table
      .on({"Flatten", "flatten"},
          [](Importer &im, uint32_t id) {
            return importFlatten(im, id, false);
          })
      .becomes("q.flatten")
      .int8("int8 (scale passed through)");
  table
      .on({"Reshape", "reshape"},
          [](Importer &im, uint32_t id) {
            return importReshape(im, id, false);
          })
      .becomes("q.reshape (codes 0, -1, -2, -3, -4, reverse)")
      .int8("int8 (scale passed through)");
  table.on({"slice", "crop"}, importSlice).becomes("q.slice (positive steps)");
  table.on({"slice_axis"}, importSliceAxis).becomes("q.slice");
  table.on({"Crop"}, importCrop).becomes("q.crop");
  table.on({"UpSampling"}, importUpSampling).becomes("q.upsampling (nearest)");
  table.on({"transpose"}, importTranspose).becomes("q.transpose");
  table.on({"SliceChannel", "split"}, importSliceChannel)
      .becomes("one q.slice per output (+ q.reshape with squeeze_axis)");
  table.on({"SwapAxis", "swapaxes"}, importSwapAxis).becomes("q.transpose");
  table.on({"expand_dims"}, importExpandDims)
      .becomes("q.reshape")
      .int8("int8 (scale passed through)");
  table.on({"squeeze"}, importSqueeze)
      .becomes("q.reshape")
      .int8("int8 (scale passed through)");
  table.on({"stack"}, importStack)
      .becomes("q.reshape per input + q.concat")
      .int8("int8 (scale passed through)");
  table.on({"tile"}, importTile)
      .becomes("q.concat of copies per tiled axis")
      .int8("int8 (scale passed through)");
}

} // namespace mlir::q::mxnet_import
