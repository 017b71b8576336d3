//===- MXNetImportQuantized.cpp - MXNet int8 graph import ----------------===//
//
// MXNet's quantized graph ops: quantize_v2, requantize, dequantize, the
// oneDNN subgraph ops (_sg_onednn_conv / _fully_connected with their fp32
// inner graph and post-ops) and the _contrib_quantized_* ops. MXNet's
// (data, min, max) triples become quant types on one tensor.
//
//===----------------------------------------------------------------------===//

#include "MXNetImporter.h"

using namespace mlir;
using namespace mlir::q;

namespace mlir::q::mxnet_import {

//===----------------------------------------------------------------------===//
// Quantized ops
//===----------------------------------------------------------------------===//

/// quantize_v2 (one input) and requantize (data, min, max) share their
/// attributes and the rule for their result type.
template <typename OpT>
static LogicalResult importQuantizeLike(Importer &im, uint32_t id,
                                        unsigned numInputs) {
  auto outType = im.choiceAttr(id, "out_type", {"int8", "uint8", "auto"},
                               llvm::StringRef("int8"));
  std::optional<std::pair<double, double>> range;
  if (failed(outType) || failed(im.calibRange(id, range)) ||
      failed(im.needInputs(id, numInputs, numInputs)))
    return failure();
  auto data = im.input(id, 0);
  if (failed(data))
    return failure();
  QuantDType dtype = *symbolizeQuantDType(*outType);
  Type element;
  if (auto integer = llvm::dyn_cast<IntegerType>(elementOf(*data))) {
    // int8/uint8 data passes through; its range is the calibration range or
    // the whole storage range (MXNet's ±127.5 / [0, 255.5]).
    bool isUnsigned = integer.isUnsigned();
    element = im.quantizedType(
        isUnsigned, 8,
        range ? range
              : std::make_pair(isUnsigned ? 0.0 : -kInt8Range,
                               isUnsigned ? kUint8Range : kInt8Range));
  } else {
    std::optional<double> lo;
    if (range)
      lo = range->first;
    element = im.quantizedType(resolvesToUnsigned(dtype, lo), 8, range);
  }
  if (!element)
    return im.nodeError(id)
           << "calibration range [" << fmt::formatFloatRepr(range->first)
           << ", " << fmt::formatFloatRepr(range->second) << "] is empty";
  auto op = OpT::create(im.builder, im.nodeLoc(id),
                        RankedTensorType::get(shapeOf(*data), element), *data,
                        QuantDTypeAttr::get(im.context, dtype), FloatAttr(),
                        FloatAttr());
  im.setCalibAttrs(op, range);
  im.defineQuantized(id, op);
  return success();
}

static LogicalResult importDequantize(Importer &im, uint32_t id) {
  if (failed(im.needInputs(id, 3, 3)))
    return failure();
  auto data = im.input(id, 0);
  if (failed(data))
    return failure();
  auto op = im.createInferred<DequantizeOp>(id, *data);
  if (failed(op))
    return failure();
  im.define(id, *op);
  return success();
}

static LogicalResult importQuantizedAdd(Importer &im, uint32_t id) {
  std::optional<std::pair<double, double>> range;
  auto floatOutput = im.boolAttr(id, "enable_float_output", false);
  if (failed(floatOutput) || failed(im.calibRange(id, range)) ||
      failed(im.needInputs(id, 6, 6)))
    return failure();
  auto lhs = im.input(id, 0), rhs = im.input(id, 1);
  if (failed(lhs) || failed(rhs))
    return failure();
  bool bothUnsigned =
      !llvm::cast<quant::QuantizedType>(elementOf(*lhs)).isSigned() &&
      !llvm::cast<quant::QuantizedType>(elementOf(*rhs)).isSigned();
  // enable_float_output: a folded dequantize, the sum is written as f32.
  Type element = *floatOutput ? im.builder.getF32Type()
                 : range      ? im.quantizedType(bothUnsigned, 8, range)
                              : im.quantizedType(false, 32, std::nullopt);
  if (!element)
    return im.nodeError(id) << "calibration range is empty";
  auto op = QuantizedAddOp::create(
      im.builder, im.nodeLoc(id), RankedTensorType::get(shapeOf(*lhs), element),
      *lhs, *rhs, FloatAttr(), FloatAttr());
  im.setCalibAttrs(op, range);
  *floatOutput ? im.define(id, op) : im.defineQuantized(id, op);
  return success();
}

/// Reads the fp32 inner graph of a fused MXNet node: the conv or FC, the
/// batch norm, the activations around the sum.
struct FusedParts {
  const Node *main = nullptr, *bn = nullptr, *act = nullptr,
             *postsumAct = nullptr;
  bool hasSum = false;
};

static bool isActivationNode(const Node &n) {
  return isAnyOf(n.op, {"Activation", "LeakyReLU", "clip", "sqrt", "square",
                        "exp", "abs", "relu", "sigmoid", "tanh"});
}

static LogicalResult importFusedConv(Importer &im, uint32_t id) {
  const Node &node = im.graph.nodes[id];
  auto quantized = im.boolAttr(id, "quantized", false);
  auto withBn = im.boolAttr(id, "with_bn", false);
  auto withAct = im.boolAttr(
      id, node.getAttr("with_relu") ? "with_relu" : "with_act", false);
  auto withSum = im.boolAttr(id, "with_sum", false);
  auto withPostsumAct =
      im.boolAttr(id,
                  node.getAttr("with_postsum_relu") ? "with_postsum_relu"
                                                    : "with_postsum_act",
                  false);
  auto int8Weights = im.boolAttr(id, "q_int8_weights", false);
  auto floatOutput = im.boolAttr(id, "enable_float_output", false);
  std::optional<std::pair<double, double>> range;
  if (failed(quantized) || failed(withBn) || failed(withAct) ||
      failed(withSum) || failed(withPostsumAct) || failed(int8Weights) ||
      failed(floatOutput) || failed(im.calibRange(id, range)))
    return failure();
  if (*int8Weights && !*quantized)
    return im.nodeError(id) << "has q_int8_weights but is not quantized";
  if (node.subgraphs.size() != 1)
    return im.nodeError(id) << "must carry its fp32 graph in 'subgraphs'";
  const Graph &inner = node.subgraphs.front();
  FusedParts parts;
  for (const Node &n : inner.nodes) {
    if (n.isVariable())
      continue;
    if (n.op == "Convolution")
      parts.main = &n;
    else if (n.op == "BatchNorm")
      parts.bn = &n;
    else if (isAnyOf(n.op, {"elemwise_add", "_Plus", "_plus", "_add",
                            "broadcast_add"}))
      parts.hasSum = true;
    else if (isActivationNode(n))
      (parts.hasSum ? parts.postsumAct : parts.act) = &n;
    else
      return im.nodeError(id) << "inner op '" << n.op
                              << "' cannot be part of a fused convolution";
  }
  if (!parts.main || (*withBn && !parts.bn) || (*withSum && !parts.hasSum) ||
      (*withAct && !parts.act) || (*withPostsumAct && !parts.postsumAct))
    return im.nodeError(id) << "its inner graph does not contain the "
                               "convolution and post-ops its with_* attributes "
                               "announce";
  auto tuple = [&](const Node &n, llvm::StringRef key) {
    return im.innerAttr<std::vector<int64_t>>(id, n, key, fmt::parseIntTuple,
                                              std::vector<int64_t>{});
  };
  auto number = [&](const Node &n, llvm::StringRef key,
                    std::optional<int64_t> dflt) {
    return im.innerAttr<int64_t>(id, n, key, fmt::parseInt, dflt);
  };
  auto flag = [&](const Node &n, llvm::StringRef key, bool dflt) {
    return im.innerAttr<bool>(id, n, key, fmt::parseBool, dflt);
  };
  const Node &conv = *parts.main;
  auto kernel = tuple(conv, "kernel");
  auto stride = tuple(conv, "stride");
  auto dilate = tuple(conv, "dilate");
  auto pad = tuple(conv, "pad");
  auto numFilter = number(conv, "num_filter", std::nullopt);
  auto numGroup = number(conv, "num_group", 1);
  auto noBias = flag(conv, "no_bias", false);
  if (failed(kernel) || failed(stride) || failed(dilate) || failed(pad) ||
      failed(numFilter) || failed(numGroup) || failed(noBias))
    return failure();
  size_t rank = kernel->size();
  if (rank < 1 || rank > 3 || !checkArity(*stride, rank, 1) ||
      !checkArity(*dilate, rank, 1) || !checkArity(*pad, rank, 0) ||
      *numFilter < 1 || *numGroup < 1)
    return im.nodeError(id)
           << "inner convolution '" << conv.name
           << "' has inconsistent kernel/stride/pad/num_filter";

  // Outer inputs: data, weight, [bias], [gamma, beta, mean, var], [sum],
  // then for quantized ops the ranges of data (and sum).
  unsigned slot = 0;
  auto data = im.input(id, slot++);
  if (failed(data))
    return failure();
  auto dataShape = shapeOf(*data);
  if (dataShape.size() != rank + 2 || dataShape[1] % int64_t(*numGroup) != 0)
    return im.nodeError(id) << "input shape " << joined(dataShape)
                            << " does not fit the inner convolution";
  int64_t outChannels = int64_t(*numFilter);
  SmallVector<int64_t> weightShape{outChannels,
                                   dataShape[1] / int64_t(*numGroup)};
  weightShape.append(kernel->begin(), kernel->end());
  // q's int8 weights: their steps follow MXNet's inputs.
  unsigned mxnetInputs = 2 + !*noBias + (*withBn ? 4 : 0) + *withSum +
                         (*quantized ? (*withSum ? 4 : 2) : 0);
  unsigned numSteps = 0;
  if (*int8Weights) {
    numSteps = im.numInputs(id) - std::min(im.numInputs(id), mxnetInputs);
    if (numSteps != 1 && numSteps != 2)
      return im.nodeError(id)
             << "has " << im.numInputs(id) << " inputs, expected "
             << mxnetInputs + 1 << " (a step array) or " << mxnetInputs + 2
             << " (a min/max pair) for its with_* "
                "attributes and q_int8_weights";
  }
  auto weight =
      *int8Weights ? im.int8Weight(id, slot, mxnetInputs, numSteps, weightShape)
                   : im.param(id, slot, weightShape);
  ++slot;
  if (failed(weight))
    return failure();
  Value bias;
  if (!*noBias) {
    auto b = *int8Weights
                 ? im.int8WeightsBias(id, slot, *data, *weight, outChannels)
                 : im.param(id, slot, {outChannels});
    ++slot;
    if (failed(b))
      return failure();
    bias = *b;
  }
  SmallVector<Value, 4> bn;
  double eps = 1e-3;
  bool fixGamma = true;
  if (*withBn) {
    auto e = im.innerAttr<double>(
        id, *parts.bn, "eps",
        [](llvm::StringRef t) { return fmt::parseFloat(t); }, 1e-3);
    auto fg = flag(*parts.bn, "fix_gamma", true);
    if (failed(e) || failed(fg))
      return failure();
    eps = *e;
    fixGamma = *fg;
    for (int i = 0; i < 4; ++i) {
      auto p = im.param(id, slot++, {outChannels});
      if (failed(p))
        return failure();
      bn.push_back(*p);
    }
  }
  Value sum;
  if (*withSum) {
    auto s = im.input(id, slot++);
    if (failed(s))
      return failure();
    sum = *s;
  }
  unsigned expected = slot + (*quantized ? (*withSum ? 4 : 2) : 0) + numSteps;
  if (im.numInputs(id) != expected)
    return im.nodeError(id)
           << "has " << im.numInputs(id) << " inputs, expected " << expected
           << " for its with_* attributes";

  EltwiseAttr act, postsumAct;
  if (*withAct) {
    auto a = im.eltwiseOf(*parts.act, id);
    if (failed(a))
      return failure();
    act = *a;
  }
  if (*withPostsumAct) {
    auto a = im.eltwiseOf(*parts.postsumAct, id);
    if (failed(a))
      return failure();
    postsumAct = *a;
  }
  Window w{*kernel, *stride, *dilate, *pad};
  auto geometry =
      shape::expandWindowGeometry(rank, w.stride, w.dilate, w.pads());
  if (!geometry)
    return im.nodeError(id) << llvm::toString(geometry.takeError());
  auto outShape =
      shape::convolution(dataShape, weightShape, *geometry, int64_t(*numGroup));
  if (!outShape)
    return im.nodeError(id) << llvm::toString(outShape.takeError());

  Type resultElement = im.builder.getF32Type();
  if (*quantized && !*floatOutput) {
    // MXNet's IsOutputUInt8: a non-negative activation decides unsigned.
    auto nonNegative = [](EltwiseAttr a) {
      return a &&
             (a.getKind() == EltwiseKind::relu ||
              a.getKind() == EltwiseKind::sigmoid ||
              a.getKind() == EltwiseKind::softrelu ||
              (a.getKind() == EltwiseKind::clip && a.getAlphaValue() >= 0));
    };
    bool isUnsigned = *withSum ? nonNegative(postsumAct) : nonNegative(act);
    resultElement = range ? im.quantizedType(isUnsigned, 8, range)
                          : im.quantizedType(false, 32, std::nullopt);
    if (!resultElement)
      return im.nodeError(id) << "calibration range is empty";
  }
  auto op = FusedConvOp::create(
      im.builder, im.nodeLoc(id),
      RankedTensorType::get(*outShape, resultElement), *data, *weight, bias, bn,
      sum, im.optionalArray(w.strides()), im.optionalArray(w.dilations()),
      im.optionalArray(w.pads()),
      *numGroup == 1 ? IntegerAttr() : im.builder.getI64IntegerAttr(*numGroup),
      *withBn ? im.builder.getF64FloatAttr(eps) : FloatAttr(),
      *withBn ? im.builder.getBoolAttr(fixGamma) : BoolAttr(), act, FloatAttr(),
      postsumAct, FloatAttr(), FloatAttr());
  im.setCalibAttrs(op, range);
  (*quantized && !*floatOutput) ? im.defineQuantized(id, op)
                                : im.define(id, op);
  return success();
}

static LogicalResult importFusedFC(Importer &im, uint32_t id) {
  const Node &node = im.graph.nodes[id];
  auto quantized = im.boolAttr(id, "quantized", false);
  auto withEltwise = im.boolAttr(
      id, node.getAttr("with_relu") ? "with_relu" : "with_eltwise", false);
  auto floatOutput = im.boolAttr(id, "enable_float_output", false);
  auto channelWise = im.boolAttr(id, "channel_wise_quantize", false);
  auto int8Weights = im.boolAttr(id, "q_int8_weights", false);
  std::optional<std::pair<double, double>> range;
  if (failed(quantized) || failed(withEltwise) || failed(floatOutput) ||
      failed(channelWise) || failed(int8Weights) ||
      failed(im.calibRange(id, range)))
    return failure();
  if (*int8Weights && (!*quantized || *channelWise))
    return im.nodeError(id) << "has q_int8_weights, which go with quantized "
                               "and without channel_wise_quantize";
  if (node.subgraphs.size() != 1)
    return im.nodeError(id) << "must carry its fp32 graph in 'subgraphs'";
  const Node *fc = nullptr, *act = nullptr;
  for (const Node &n : node.subgraphs.front().nodes) {
    if (n.isVariable())
      continue;
    if (n.op == "FullyConnected")
      fc = &n;
    else if (isActivationNode(n))
      act = &n;
    else
      return im.nodeError(id) << "inner op '" << n.op
                              << "' cannot be part of a fused fully connected";
  }
  if (!fc || (*withEltwise && !act))
    return im.nodeError(id) << "its inner graph does not contain the fully "
                               "connected op and post-op it announces";
  auto numHidden =
      im.innerAttr<int64_t>(id, *fc, "num_hidden", fmt::parseInt, std::nullopt);
  auto noBias = im.innerAttr<bool>(id, *fc, "no_bias", fmt::parseBool, false);
  auto flatten = im.innerAttr<bool>(id, *fc, "flatten", fmt::parseBool, true);
  if (failed(numHidden) || failed(noBias) || failed(flatten))
    return failure();
  auto data = im.input(id, 0);
  if (failed(data))
    return failure();
  auto dataShape = shapeOf(*data);
  int64_t k = fcFeatures(dataShape, *flatten);
  SmallVector<int64_t> weightShape{*numHidden, k};
  bool offlineWeights = *quantized && !*channelWise && !*int8Weights;
  unsigned base = *noBias ? 2 : 3;
  unsigned expected =
      *quantized ? (offlineWeights ? 3 * base : base + 2) : base;
  if (*int8Weights) {
    // q's int8 weights: 1 step array or a (min, max) pair after the ranges.
    if (im.numInputs(id) != expected + 1 && im.numInputs(id) != expected + 2)
      return im.nodeError(id)
             << "has " << im.numInputs(id) << " inputs, expected "
             << expected + 1 << " (a step array) or " << expected + 2
             << " (a min/max pair) for q_int8_weights";
  } else if (im.numInputs(id) != expected) {
    return im.nodeError(id)
           << "has " << im.numInputs(id) << " inputs, expected " << expected;
  }
  FailureOr<Value> weight =
      *int8Weights ? im.int8Weight(id, 1, expected, im.numInputs(id) - expected,
                                   weightShape)
      : offlineWeights ? im.quantizedWeight(id, 1, base + 2, weightShape)
                       : im.param(id, 1, weightShape);
  if (failed(weight))
    return failure();
  Value bias;
  if (!*noBias) {
    auto b =
        *int8Weights     ? im.int8WeightsBias(id, 2, *data, *weight, *numHidden)
        : offlineWeights ? im.quantizedWeight(id, 2, base + 4, {*numHidden})
                         : im.param(id, 2, {*numHidden});
    if (failed(b))
      return failure();
    bias = *b;
  }
  EltwiseAttr eltwise;
  if (*withEltwise) {
    auto a = im.eltwiseOf(*act, id);
    if (failed(a))
      return failure();
    eltwise = *a;
  }
  auto outShape = shape::fullyConnected(dataShape, weightShape, *flatten);
  if (!outShape)
    return im.nodeError(id) << llvm::toString(outShape.takeError());
  Type resultElement = im.builder.getF32Type();
  if (*quantized && !*floatOutput) {
    bool isUnsigned =
        eltwise && llvm::is_contained({EltwiseKind::relu, EltwiseKind::sigmoid,
                                       EltwiseKind::softrelu,
                                       EltwiseKind::square, EltwiseKind::sqrt,
                                       EltwiseKind::exp, EltwiseKind::abs},
                                      eltwise.getKind());
    resultElement = range ? im.quantizedType(isUnsigned, 8, range)
                          : im.quantizedType(false, 32, std::nullopt);
    if (!resultElement)
      return im.nodeError(id) << "calibration range is empty";
  }
  auto op = FusedFullyConnectedOp::create(
      im.builder, im.nodeLoc(id),
      RankedTensorType::get(*outShape, resultElement), *data, *weight, bias,
      im.builder.getBoolAttr(*flatten), eltwise, FloatAttr(), FloatAttr());
  im.setCalibAttrs(op, range);
  (*quantized && !*floatOutput) ? im.defineQuantized(id, op)
                                : im.define(id, op);
  return success();
}

/// _contrib_quantized_elemwise_add: (lhs, rhs, lhs min/max, rhs min/max).
static SlotKind addSlots(const Node &, unsigned slot) {
  return slot < 2 ? SlotKind::Data : SlotKind::Range;
}

/// _contrib_quantized_concat: num_args data inputs, then their ranges.
static SlotKind concatSlots(const Node &node, unsigned slot) {
  auto n = fmt::parseInt(node.getAttr("num_args").value_or(""));
  int64_t numArgs = n ? *n : (consumeError(n.takeError()), 0);
  return slot < numArgs ? SlotKind::Data : SlotKind::Range;
}

void registerQuantizedOps(OpTable &table) {
  table
      .on({"_contrib_quantize_v2"},
          [](Importer &im, uint32_t id) {
            return importQuantizeLike<QuantizeOp>(im, id, 1);
          })
      .becomes("q.quantize")
      .int8("int8 graph");
  table
      .on(
          {"_contrib_requantize"},
          [](Importer &im, uint32_t id) {
            return importQuantizeLike<RequantizeOp>(im, id, 3);
          },
          rangeSlots)
      .becomes("q.requantize")
      .int8("int8 graph");
  table.on({"_contrib_dequantize"}, importDequantize, rangeSlots)
      .becomes("q.dequantize")
      .int8("int8 graph");
  // Parameters are the variables among weight/bias/bn; data is data and
  // sum (see classifyVariables).
  table.on({"_sg_onednn_conv", "_sg_mkldnn_conv"}, importFusedConv, paramSlots)
      .becomes("q.fused_conv (inner graph: conv, bn, act, sum, post-sum act)")
      .int8("int8 graph");
  table
      .on({"_sg_onednn_fully_connected", "_sg_mkldnn_fully_connected"},
          importFusedFC, paramSlots)
      .becomes("q.fused_fc")
      .int8("int8 graph");
  table
      .on(
          {"_contrib_quantized_pooling"},
          [](Importer &im, uint32_t id) { return importPooling(im, id, true); },
          rangeSlots)
      .becomes("q.pooling on the quantized type")
      .int8("int8 graph");
  table
      .on(
          {"_contrib_quantized_concat"},
          [](Importer &im, uint32_t id) { return importConcat(im, id, true); },
          concatSlots)
      .becomes("q.concat (inputs rescaled to the union range)")
      .int8("int8 graph");
  table.on({"_contrib_quantized_elemwise_add"}, importQuantizedAdd, addSlots)
      .becomes("q.quantized_add")
      .int8("int8 graph");
  table
      .on(
          {"_contrib_quantized_reshape"},
          [](Importer &im, uint32_t id) { return importReshape(im, id, true); },
          rangeSlots)
      .becomes("q.reshape on the quantized type")
      .int8("int8 graph");
  table
      .on(
          {"_contrib_quantized_flatten"},
          [](Importer &im, uint32_t id) { return importFlatten(im, id, true); },
          rangeSlots)
      .becomes("q.flatten on the quantized type")
      .int8("int8 graph");
  table
      .on(
          {"_contrib_quantized_act"},
          [](Importer &im, uint32_t id) -> LogicalResult {
            if (failed(im.needInputs(id, 3, 3)))
              return failure();
            auto data = im.input(id, 0);
            auto act = im.eltwiseOf(im.graph.nodes[id], id);
            if (failed(data) || failed(act))
              return failure();
            auto op = im.createInferred<ActivationOp>(id, *data, *act);
            if (failed(op))
              return failure();
            im.defineQuantized(id, *op);
            return success();
          },
          rangeSlots)
      .becomes("q.activation relu on the quantized type")
      .int8("int8 graph");
}

} // namespace mlir::q::mxnet_import
