//===- MXNetImportNN.cpp - convolution, FC, BN, pooling import -----------===//
//
// The MXNet ops with weights or windows: Convolution, FullyConnected,
// BatchNorm and Pooling. Their parameter shapes follow from the data shape
// and the attributes, as in MXNet's shape inference.
//
//===----------------------------------------------------------------------===//

#include "MXNetImporter.h"

using namespace mlir;
using namespace mlir::q;

namespace mlir::q::mxnet_import {

//===----------------------------------------------------------------------===//
// fp32 ops
//===----------------------------------------------------------------------===//

static LogicalResult importConvolution(Importer &im, uint32_t id) {
  auto kernel = im.tupleAttr(id, "kernel");
  auto numFilter = im.intAttr(id, "num_filter");
  auto numGroup = im.intAttr(id, "num_group", 1);
  auto noBias = im.boolAttr(id, "no_bias", false);
  auto stride = im.tupleAttr(id, "stride", std::vector<int64_t>{});
  auto dilate = im.tupleAttr(id, "dilate", std::vector<int64_t>{});
  auto pad = im.tupleAttr(id, "pad", std::vector<int64_t>{});
  auto layout = im.choiceAttr(id, "layout", {"None", "NCW", "NCHW", "NCDHW"},
                              llvm::StringRef("None"));
  if (failed(kernel) || failed(numFilter) || failed(numGroup) ||
      failed(noBias) || failed(stride) || failed(dilate) || failed(pad) ||
      failed(layout))
    return failure();
  size_t rank = kernel->size();
  if (rank < 1 || rank > 3)
    return im.nodeError(id)
           << "kernel " << joined(*kernel) << " must have 1 to 3 dims";
  if (!checkArity(*stride, rank, 1) || !checkArity(*dilate, rank, 1) ||
      !checkArity(*pad, rank, 0))
    return im.nodeError(id) << "stride, dilate and pad need " << rank
                            << " entries like kernel " << joined(*kernel);
  if (failed(im.needInputs(id, *noBias ? 2 : 3, 3)))
    return failure();
  auto data = im.input(id, 0);
  if (failed(data))
    return failure();
  auto dataShape = shapeOf(*data);
  if (dataShape.size() != rank + 2)
    return im.nodeError(id)
           << "input shape " << joined(dataShape) << " needs " << rank + 2
           << " dims for a " << rank << "-D kernel";
  if (*numGroup < 1 || dataShape[1] % *numGroup != 0 || *numFilter < 1)
    return im.nodeError(id)
           << "num_group " << *numGroup << " must divide the input channels ("
           << dataShape[1] << ") and num_filter must be "
           << "positive";
  SmallVector<int64_t> weightShape{*numFilter, dataShape[1] / *numGroup};
  weightShape.append(kernel->begin(), kernel->end());
  auto weight = im.param(id, 1, weightShape);
  if (failed(weight))
    return failure();
  Value bias;
  if (!*noBias) {
    auto b = im.param(id, 2, {*numFilter});
    if (failed(b))
      return failure();
    bias = *b;
  }
  Window w{*kernel, *stride, *dilate, *pad};
  auto conv = im.createInferred<ConvolutionOp>(
      id, *data, *weight, bias, im.optionalArray(w.strides()),
      im.optionalArray(w.dilations()), im.optionalArray(w.pads()),
      *numGroup == 1 ? IntegerAttr() : im.builder.getI64IntegerAttr(*numGroup));
  if (failed(conv))
    return failure();
  im.define(id, *conv);
  return success();
}

static LogicalResult importBatchNorm(Importer &im, uint32_t id) {
  const Node &node = im.graph.nodes[id];
  auto eps = im.floatAttr(id, "eps", 1e-3);
  auto fixGamma = im.boolAttr(id, "fix_gamma", true);
  auto axis = im.intAttr(id, "axis", 1);
  if (failed(eps) || failed(fixGamma) || failed(axis) ||
      failed(im.needInputs(id, 3, 5)))
    return failure();
  auto data = im.input(id, 0);
  if (failed(data))
    return failure();
  auto normAxis = shape::normalizeAxis(*axis, shapeOf(*data).size());
  if (!normAxis)
    return im.nodeError(id) << llvm::toString(normAxis.takeError());
  SmallVector<int64_t> paramShape{shapeOf(*data)[*normAxis]};
  SmallVector<Value, 4> params;
  for (unsigned slot = 1; slot < 5; ++slot) {
    FailureOr<Value> p =
        slot < im.numInputs(id)
            ? im.param(id, slot, paramShape)
            // MXNet 0.8 listed only data, gamma, beta; the moving statistics
            // were implicit aux states named after the node.
            : im.paramNamed(
                  id, node.name + (slot == 3 ? "_moving_mean" : "_moving_var"),
                  paramShape, std::nullopt);
    if (failed(p))
      return failure();
    params.push_back(*p);
  }
  auto bn = im.createInferred<BatchNormOp>(
      id, *data, params[0], params[1], params[2], params[3],
      im.builder.getF64FloatAttr(*eps), im.builder.getBoolAttr(*fixGamma),
      *axis == 1 ? IntegerAttr() : im.builder.getI64IntegerAttr(*axis));
  if (failed(bn))
    return failure();
  im.define(id, *bn);
  return success();
}

static LogicalResult importFullyConnected(Importer &im, uint32_t id) {
  auto numHidden = im.intAttr(id, "num_hidden");
  auto noBias = im.boolAttr(id, "no_bias", false);
  auto flatten = im.boolAttr(id, "flatten", true);
  if (failed(numHidden) || failed(noBias) || failed(flatten) ||
      failed(im.needInputs(id, *noBias ? 2 : 3, 3)))
    return failure();
  auto data = im.input(id, 0);
  if (failed(data))
    return failure();
  auto dataShape = shapeOf(*data);
  int64_t k = fcFeatures(dataShape, *flatten);
  auto weight = im.param(id, 1, {*numHidden, k});
  if (failed(weight))
    return failure();
  Value bias;
  if (!*noBias) {
    auto b = im.param(id, 2, {*numHidden});
    if (failed(b))
      return failure();
    bias = *b;
  }
  auto fc = im.createInferred<FullyConnectedOp>(
      id, *data, *weight, bias, im.builder.getBoolAttr(*flatten));
  if (failed(fc))
    return failure();
  im.define(id, *fc);
  return success();
}

LogicalResult importPooling(Importer &im, uint32_t id, bool quantized) {
  auto global = im.boolAttr(id, "global_pool", false);
  auto kernel = im.tupleAttr(id, "kernel", std::vector<int64_t>{});
  auto stride = im.tupleAttr(id, "stride", std::vector<int64_t>{});
  auto pad = im.tupleAttr(id, "pad", std::vector<int64_t>{});
  auto poolType = im.choiceAttr(id, "pool_type", {"max", "avg", "sum"},
                                llvm::StringRef("max"));
  auto convention =
      im.choiceAttr(id, "pooling_convention", {"valid", "full", "same"},
                    llvm::StringRef("valid"));
  auto countIncludePad = im.boolAttr(id, "count_include_pad", true);
  auto layout = im.choiceAttr(id, "layout", {"None", "NCW", "NCHW", "NCDHW"},
                              llvm::StringRef("None"));
  if (failed(global) || failed(kernel) || failed(stride) || failed(pad) ||
      failed(poolType) || failed(convention) || failed(countIncludePad) ||
      failed(layout) ||
      failed(im.needInputs(id, quantized ? 3 : 1, quantized ? 3 : 1)))
    return failure();
  auto data = im.input(id, 0);
  if (failed(data))
    return failure();
  size_t rank = shapeOf(*data).size() - 2;
  if (*global) {
    kernel->clear();
    stride->clear();
    pad->clear();
  } else if (!checkArity(*stride, kernel->size(), 1) ||
             !checkArity(*pad, kernel->size(), 0) || kernel->size() != rank) {
    return im.nodeError(id) << "kernel " << joined(*kernel)
                            << ", stride and pad need one entry per spatial "
                               "dim of the input "
                            << joined(shapeOf(*data));
  }
  Window w{*kernel, *stride, {}, *pad};
  PoolConvention rule = *symbolizePoolConvention(*convention);
  auto pool = im.createInferred<PoolingOp>(
      id, *data, PoolKindAttr::get(im.context, *symbolizePoolKind(*poolType)),
      im.optionalArray(w.kernel), im.optionalArray(w.strides()),
      im.optionalArray(w.pads()),
      *global ? im.builder.getBoolAttr(true) : BoolAttr(),
      rule == PoolConvention::valid ? PoolConventionAttr()
                                    : PoolConventionAttr::get(im.context, rule),
      *countIncludePad ? BoolAttr() : im.builder.getBoolAttr(false));
  if (failed(pool))
    return failure();
  quantized ? im.defineQuantized(id, *pool) : im.define(id, *pool);
  return success();
}

void registerNNOps(OpTable &table) {
  table.on({"Convolution"}, importConvolution, paramSlots)
      .becomes("q.convolution (1-D to 3-D, groups, dilation)")
      .int8("int8 (q-quantize, fused)");
  table.on({"BatchNorm"}, importBatchNorm, paramSlots)
      .becomes("q.batch_norm (inference form; folded into a conv by q-fuse)")
      .int8("folded");
  table.on({"FullyConnected"}, importFullyConnected, paramSlots)
      .becomes("q.fully_connected")
      .int8("int8 (q-quantize, fused)");
  table
      .on({"Pooling"}, [](Importer &im,
                          uint32_t id) { return importPooling(im, id, false); })
      .becomes("q.pooling (max/avg/sum, global, valid/full/same)")
      .int8("int8 (max, avg)");
}

} // namespace mlir::q::mxnet_import
