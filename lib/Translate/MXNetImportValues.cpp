//===- MXNetImportValues.cpp - inputs and parameters of a node -----------===//
//
// How a handler gets the values a node reads: data inputs, fp32 parameters
// (checked against the shape the op needs, created once per name), and the
// int8 weights of MXNet's and q's quantized exports.
//
//===----------------------------------------------------------------------===//

#include "MXNetImporter.h"

#include <cstring>
#include <limits>

using namespace mlir;
using namespace mlir::q;
using namespace mlir::q::mxnet_import;

FailureOr<Value> Importer::input(uint32_t id, unsigned slot) {
  const Node &node = graph.nodes[id];
  if (slot >= node.inputs.size())
    return nodeError(id) << "has no input " << slot, failure();
  const NodeEntry &entry = node.inputs[slot];
  const Node &source = graph.nodes[entry.node];
  if (source.isVariable() && variableRole[entry.node] != SlotKind::Data) {
    // A parameter read as data (e.g. a constant added to an activation):
    // its shape is whatever the file says.
    const fmt::NDArray *array = lookupParam(source.name);
    if (!array)
      return nodeError(id) << "input " << slot << " reads variable '"
                           << source.name
                           << "', which is neither a data input nor a "
                              "parameter in the .params file",
             failure();
    return paramNamed(id, source.name, array->shape, entry.node);
  }
  uint64_t k = key(entry.node, entry.index);
  if (rangeOutputs.count(k))
    return nodeError(id) << "input " << slot << " is output " << entry.index
                         << " (a min/max range) of '" << source.name
                         << "', which q keeps in the tensor type; only "
                            "quantized ops may read it",
           failure();
  auto it = values.find(k);
  if (it == values.end() || !it->second) {
    if (entry.index > 0 && !source.isVariable())
      return nodeError(id) << "input " << slot << " is output " << entry.index
                           << " of '" << source.name << "' (" << source.op
                           << "), which inference does not compute",
             failure();
    return nodeError(id) << "input " << slot << " ('" << source.name
                         << "') has no value",
           failure();
  }
  return it->second;
}

FailureOr<Value> Importer::param(uint32_t id, unsigned slot,
                                 llvm::ArrayRef<int64_t> shape) {
  const Node &node = graph.nodes[id];
  if (slot >= node.inputs.size())
    return nodeError(id) << "has no input " << slot, failure();
  uint32_t source = node.inputs[slot].node;
  if (!graph.nodes[source].isVariable()) {
    // Computed weights: take the value and check its shape.
    auto value = input(id, slot);
    if (failed(value))
      return failure();
    if (shapeOf(*value) != shape)
      return nodeError(id) << "input " << slot << " has shape "
                           << joined(shapeOf(*value)) << " but "
                           << joined(shape) << " is needed",
             failure();
    return value;
  }
  return paramNamed(id, graph.nodes[source].name, shape, source);
}

FailureOr<Value> Importer::paramNamed(uint32_t id, llvm::StringRef name,
                                      llvm::ArrayRef<int64_t> shape,
                                      std::optional<uint32_t> variable) {
  auto known = namedParams.find(name);
  if (known != namedParams.end()) {
    if (shapeOf(known->second) != shape)
      return nodeError(id) << "parameter '" << name << "' is used with shape "
                           << joined(shape) << " but was already used with "
                           << joined(shapeOf(known->second)),
             failure();
    return known->second;
  }
  Location loc = NameLoc::get(builder.getStringAttr(name));
  auto type = RankedTensorType::get(shape, builder.getF32Type());
  Value value;
  if (options.params) {
    const fmt::NDArray *array = lookupParam(name);
    if (!array)
      return nodeError(id) << "parameter '" << name << "' is missing from "
                           << options.paramsFile,
             failure();
    if (llvm::ArrayRef<int64_t>(array->shape) != shape)
      return nodeError(id) << "parameter '" << name << "' in "
                           << options.paramsFile << " has shape "
                           << joined(array->shape) << " but the node needs "
                           << joined(shape),
             failure();
    auto floats = fmt::toFloat32(*array);
    if (!floats)
      return nodeError(id) << "parameter '" << name
                           << "': " << llvm::toString(floats.takeError()),
             failure();
    for (float f : *floats)
      if (!std::isfinite(f))
        return nodeError(id) << "parameter '" << name
                             << "' holds a NaN or infinite value",
               failure();
    usedParamNames.insert(name);
    auto blob = HeapAsmResourceBlob::allocateAndCopyInferAlign<float>(*floats);
    auto attr = DenseResourceElementsAttr::get(type, name, std::move(blob));
    OpBuilder::InsertionGuard guard(builder);
    setConstantInsertionPoint();
    value = arith::ConstantOp::create(builder, loc, attr);
    lastConstant = value.getDefiningOp();
  } else {
    unsigned index = function.getNumArguments();
    (void)function.insertArgument(
        index, type,
        builder.getDictionaryAttr(
            {builder.getNamedAttr("q.name", builder.getStringAttr(name)),
             builder.getNamedAttr("q.param", builder.getUnitAttr())}),
        loc);
    value = function.getArgument(index);
  }
  namedParams[name] = value;
  if (variable)
    paramValues[*variable] = value;
  return value;
}

FailureOr<double> Importer::scalarParam(uint32_t id, unsigned slot) {
  const Node &node = graph.nodes[id];
  if (slot >= node.inputs.size())
    return nodeError(id) << "has no input " << slot, failure();
  const Node &source = graph.nodes[node.inputs[slot].node];
  const fmt::NDArray *array =
      source.isVariable() ? lookupParam(source.name) : nullptr;
  if (!array)
    return nodeError(id) << "input " << slot
                         << " must be a scalar parameter in the .params file",
           failure();
  auto floats = fmt::toFloat32(*array);
  if (!floats || floats->size() != 1)
    return nodeError(id) << "parameter '" << source.name
                         << "' must hold one number",
           (floats ? void() : consumeError(floats.takeError())), failure();
  usedParamNames.insert(source.name);
  return double((*floats)[0]);
}

/// MXNet's offline-quantized weights: an int8 parameter plus its min/max
/// parameters, quantized with 127 / max(|min|, |max|) (reference 3.6).
FailureOr<Value> Importer::quantizedWeight(uint32_t id, unsigned slot,
                                           unsigned minSlot,
                                           llvm::ArrayRef<int64_t> shape) {
  const Node &node = graph.nodes[id];
  const Node &source = graph.nodes[node.inputs[slot].node];
  const fmt::NDArray *array =
      source.isVariable() ? lookupParam(source.name) : nullptr;
  if (!array || array->dtype != DType::I8)
    return nodeError(id) << "input " << slot
                         << " must be an int8 parameter in the .params file",
           failure();
  if (llvm::ArrayRef<int64_t>(array->shape) != shape)
    return nodeError(id) << "parameter '" << source.name << "' has shape "
                         << joined(array->shape) << " but the node needs "
                         << joined(shape),
           failure();
  auto lo = scalarParam(id, minSlot), hi = scalarParam(id, minSlot + 1);
  if (failed(lo) || failed(hi))
    return failure();
  double absMax = std::max(std::fabs(*lo), std::fabs(*hi));
  if (!(absMax > 0))
    return nodeError(id) << "parameter '" << source.name
                         << "' has an empty range",
           failure();
  usedParamNames.insert(source.name);
  Location loc = NameLoc::get(builder.getStringAttr(source.name));
  auto storage = RankedTensorType::get(shape, builder.getIntegerType(8));
  llvm::ArrayRef<int8_t> data(
      reinterpret_cast<const int8_t *>(array->data.data()), array->data.size());
  auto blob = HeapAsmResourceBlob::allocateAndCopyInferAlign<int8_t>(data);
  OpBuilder::InsertionGuard guard(builder);
  setConstantInsertionPoint();
  Value raw = arith::ConstantOp::create(
      builder, loc,
      DenseResourceElementsAttr::get(storage, source.name, std::move(blob)));
  auto element = quant::UniformQuantizedType::get(
      quant::QuantizationFlags::Signed, builder.getIntegerType(8),
      builder.getF32Type(), absMax / 127.0, 0, -128, 127);
  Value cast = quant::StorageCastOp::create(
      builder, loc, RankedTensorType::get(shape, element), raw);
  lastConstant = cast.getDefiningOp();
  return cast;
}

/// A finite step that a quant type over f32 accepts.
static bool isValidStep(double step) {
  return step >= double(std::numeric_limits<float>::denorm_min()) &&
         step <= double(std::numeric_limits<float>::max());
}

/// An integer parameter as `quant.scast` of a dense_resource constant, both
/// named after it (what q-quantize and q-calibrate build). A parameter read
/// twice must be read with the same type.
FailureOr<Value> Importer::storageCast(uint32_t id, llvm::StringRef name,
                                       const fmt::NDArray &array,
                                       Type element) {
  auto type = RankedTensorType::get(array.shape, element);
  auto known = namedParams.find(name);
  if (known != namedParams.end()) {
    if (known->second.getType() != type)
      return nodeError(id) << "parameter '" << name << "' is read as " << type
                           << " but was already read as "
                           << known->second.getType(),
             failure();
    return known->second;
  }
  unsigned width = array.dtype == DType::I8 ? 8 : 32;
  if (array.data.size() != size_t(array.numElements()) * (width / 8))
    return nodeError(id) << "parameter '" << name
                         << "' holds the wrong number of bytes",
           failure();
  auto storage =
      RankedTensorType::get(array.shape, builder.getIntegerType(width));
  llvm::ArrayRef<char> bytes(reinterpret_cast<const char *>(array.data.data()),
                             array.data.size());
  // The alignment is part of the printed blob: match makeConstant's.
  auto blob = HeapAsmResourceBlob::allocateAndCopyWithAlign(bytes, width / 8);
  Location loc = NameLoc::get(builder.getStringAttr(name));
  OpBuilder::InsertionGuard guard(builder);
  setConstantInsertionPoint();
  Value raw = arith::ConstantOp::create(
      builder, loc,
      DenseResourceElementsAttr::get(storage, name, std::move(blob)));
  Value cast = quant::StorageCastOp::create(builder, loc, type, raw);
  lastConstant = cast.getDefiningOp();
  usedParamNames.insert(name);
  namedParams[name] = cast;
  return cast;
}

/// The f64 step parameter of q's int8 weights: shape [OC] or [].
FailureOr<std::vector<double>>
Importer::stepsParam(uint32_t id, unsigned slot, const fmt::NDArray *&array) {
  const Node &source = graph.nodes[graph.nodes[id].inputs[slot].node];
  array = source.isVariable() ? lookupParam(source.name) : nullptr;
  if (!array || array->dtype != DType::F64 || array->shape.size() > 1 ||
      array->data.size() != size_t(array->numElements()) * sizeof(double))
    return nodeError(id) << "input " << slot
                         << " must be a float64 parameter of weight steps "
                            "in the .params file",
           failure();
  std::vector<double> steps(array->numElements());
  std::memcpy(steps.data(), array->data.data(), array->data.size());
  for (double step : steps)
    if (!isValidStep(step))
      return nodeError(id) << "parameter '" << source.name
                           << "' holds the step " << step
                           << ", which is not a positive finite float",
             failure();
  usedParamNames.insert(source.name);
  return steps;
}

/// q's int8 weights (attribute q_int8_weights, written by the exporter for
/// the output of q's int8 pipeline): an int8 parameter whose steps are the
/// `numSteps` parameters at `stepSlot`: one f64 array of a step per output
/// channel ([OC]) or a single step ([]), or an f32 (min, max) pair whose
/// step is max(|min|, |max|) / 127.5, q's int8 rule.
FailureOr<Value> Importer::int8Weight(uint32_t id, unsigned slot,
                                      unsigned stepSlot, unsigned numSteps,
                                      llvm::ArrayRef<int64_t> shape) {
  const Node &source = graph.nodes[graph.nodes[id].inputs[slot].node];
  if (!options.params)
    return nodeError(id) << "has q_int8_weights, which are read from the "
                            ".params file; pass "
                         << options.flags.params,
           failure();
  const fmt::NDArray *array =
      source.isVariable() ? lookupParam(source.name) : nullptr;
  if (!array || array->dtype != DType::I8)
    return nodeError(id) << "input " << slot
                         << " must be an int8 parameter in the .params file",
           failure();
  if (llvm::ArrayRef<int64_t>(array->shape) != shape)
    return nodeError(id) << "parameter '" << source.name << "' has shape "
                         << joined(array->shape) << " but the node needs "
                         << joined(shape),
           failure();
  Type element;
  if (numSteps == 1) {
    const fmt::NDArray *stepsArray = nullptr;
    auto steps = stepsParam(id, stepSlot, stepsArray);
    if (failed(steps))
      return failure();
    if (stepsArray->shape.empty())
      element = quant::UniformQuantizedType::get(
          quant::QuantizationFlags::Signed, builder.getIntegerType(8),
          builder.getF32Type(), steps->front(), 0, -128, 127);
    else if (stepsArray->shape[0] == shape[0])
      element = perAxisQuantType(context, 8, *steps, 0);
    else
      return nodeError(id) << "input " << stepSlot << " holds " << steps->size()
                           << " weight steps for " << shape[0]
                           << " output channels",
             failure();
  } else {
    auto lo = scalarParam(id, stepSlot), hi = scalarParam(id, stepSlot + 1);
    if (failed(lo) || failed(hi))
      return failure();
    double step = std::max(std::fabs(*lo), std::fabs(*hi)) / kInt8Range;
    if (!isValidStep(step))
      return nodeError(id) << "parameter '" << source.name
                           << "' has an empty or non-finite range",
             failure();
    element = quant::UniformQuantizedType::get(
        quant::QuantizationFlags::Signed, builder.getIntegerType(8),
        builder.getF32Type(), step, 0, -128, 127);
  }
  return storageCast(id, source.name, *array, element);
}

/// The bias of an op with q's int8 weights: f32 as usual, or an int32
/// parameter whose steps are not stored but re-derived as q-calibrate made
/// them: input step * weight step, per output channel.
FailureOr<Value> Importer::int8WeightsBias(uint32_t id, unsigned slot,
                                           Value input, Value weight,
                                           int64_t channels) {
  const Node &source = graph.nodes[graph.nodes[id].inputs[slot].node];
  const fmt::NDArray *array =
      source.isVariable() ? lookupParam(source.name) : nullptr;
  if (!array || array->dtype != DType::I32)
    return param(id, slot, {channels});
  if (llvm::ArrayRef<int64_t>(array->shape) != llvm::ArrayRef(channels))
    return nodeError(id) << "parameter '" << source.name << "' has shape "
                         << joined(array->shape) << " but the node needs "
                         << joined({channels}),
           failure();
  auto inputStep = staticStep(elementOf(input));
  if (!inputStep)
    return nodeError(id) << "has the int32 bias '" << source.name
                         << "' but no calibrated input range to derive its "
                            "steps from",
           failure();
  Type weightElement = elementOf(weight);
  SmallVector<double> steps;
  if (auto perAxis =
          llvm::dyn_cast<quant::UniformQuantizedPerAxisType>(weightElement))
    for (double step : perAxis.getScales())
      steps.push_back(*inputStep * step);
  else
    steps.assign(
        channels,
        *inputStep *
            llvm::cast<quant::UniformQuantizedType>(weightElement).getScale());
  if (!llvm::all_of(steps, isValidStep))
    return nodeError(id) << "the steps of int32 bias '" << source.name
                         << "' (input step * weight step) leave the range "
                            "of float",
           failure();
  return storageCast(id, source.name, *array,
                     perAxisQuantType(context, 32, steps, 0));
}

Type Importer::quantizedType(bool isUnsigned, unsigned width,
                             std::optional<std::pair<double, double>> range) {
  Type storage = builder.getIntegerType(width);
  unsigned flags = isUnsigned ? 0 : quant::QuantizationFlags::Signed;
  int64_t lo = isUnsigned ? 0 : -(int64_t(1) << (width - 1));
  int64_t hi =
      isUnsigned ? (int64_t(1) << width) - 1 : (int64_t(1) << (width - 1)) - 1;
  if (!range || width != 8)
    return quant::AnyQuantizedType::get(flags, storage, builder.getF32Type(),
                                        lo, hi);
  double step = quantizedStepFromRange(isUnsigned, range->first, range->second);
  if (!(step > 0))
    return {};
  return quant::UniformQuantizedType::get(flags, storage, builder.getF32Type(),
                                          step, 0, lo, hi);
}

Value Importer::splatConstant(uint32_t id, llvm::ArrayRef<int64_t> shape,
                              float fill, llvm::StringRef suffix) {
  auto type = RankedTensorType::get(shape, builder.getF32Type());
  std::vector<float> data(type.getNumElements(), fill);
  std::string name = graph.nodes[id].name + suffix.str();
  auto blob = HeapAsmResourceBlob::allocateAndCopyInferAlign<float>(data);
  OpBuilder::InsertionGuard guard(builder);
  setConstantInsertionPoint();
  Value value = arith::ConstantOp::create(
      builder, NameLoc::get(builder.getStringAttr(name)),
      DenseResourceElementsAttr::get(type, name, std::move(blob)));
  lastConstant = value.getDefiningOp();
  return value;
}

FailureOr<Value> Importer::asData(uint32_t id, Value value,
                                  llvm::StringRef step) {
  if (!value.getDefiningOp<arith::ConstantOp>())
    return value;
  return createStep<AddOp>(
      id, step, value,
      splatConstant(id, {1}, 0.0f, "/" + step.str() + "/zero"));
}
