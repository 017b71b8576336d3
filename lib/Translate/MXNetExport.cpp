//===- MXNetExport.cpp - the q dialect to MXNet symbol JSON + .params -----===//
//
// Writes the function `@main` of a module as an MXNet 1.9 graph: one node
// per op in program order (which is topological), variables for arguments
// and constants, fused ops as `_sg_mkldnn_*` nodes carrying their fp32 inner
// graph, and quantized tensors as MXNet's (data, min, max) triples. What the
// importer reads back is the same module.
//
//===----------------------------------------------------------------------===//

#include "QDialect/Translate/MXNet.h"

#include "QDialect/IR/Constants.h"
#include "QDialect/IR/QDialect.h"
#include "QDialect/IR/TensorNames.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Quant/IR/Quant.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace mlir::q;
using ::mxnet::Graph;
using ::mxnet::NDArray;
using ::mxnet::Node;
using ::mxnet::NodeEntry;
namespace fmt = ::mxnet;

namespace {

class Exporter {
public:
  Exporter(ModuleOp module, Graph &graph, fmt::ParamsFile &params)
      : module(module), graph(graph), params(params) {}

  LogicalResult run();

private:
  //===--- Graph building ------------------------------------------------===//

  uint32_t addNode(Node node, uint32_t numOutputs = 1) {
    uint32_t id = graph.nodes.size();
    if (node.isVariable())
      graph.argNodes.push_back(id);
    usedNames.insert(node.name);
    graph.nodes.push_back(std::move(node));
    outputCounts.push_back(numOutputs);
    return id;
  }
  /// The op's MXNet name: its NameLoc (for a fused op, the last op it
  /// absorbed, whose tensor it computes: the name tensorName() gives, so
  /// the re-imported op's tensor keeps its name), or a fresh
  /// `<prefix><n>`. MXNet allows ops to share a name (real files do), but
  /// a variable's name is its parameter's key and must be unique.
  std::string nameOf(Operation *op, llvm::StringRef prefix,
                     bool unique = false) {
    if (auto name = nodeName(op->getLoc()))
      if (!unique || !usedNames.contains(*name))
        return *name;
    std::string fresh;
    do
      fresh = (prefix + llvm::Twine(counter++)).str();
    while (usedNames.contains(fresh));
    return fresh;
  }
  static std::optional<llvm::StringRef> findName(Location loc) {
    if (auto name = llvm::dyn_cast<NameLoc>(loc))
      return name.getName().strref();
    if (auto fused = llvm::dyn_cast<FusedLoc>(loc))
      for (Location inner : fused.getLocations())
        if (auto name = findName(inner))
          return name;
    return std::nullopt;
  }

  FailureOr<NodeEntry> entryOf(Operation *user, Value value);
  /// The (min, max) entries of a quantized value's producer.
  FailureOr<std::pair<NodeEntry, NodeEntry>> rangeOf(Operation *user,
                                                     Value value);
  LogicalResult appendRanges(Operation *user, ValueRange values,
                             std::vector<NodeEntry> &inputs) {
    for (Value v : values) {
      auto range = rangeOf(user, v);
      if (failed(range))
        return failure();
      inputs.push_back(range->first);
      inputs.push_back(range->second);
    }
    return success();
  }
  FailureOr<uint32_t> variableFor(Operation *user, Value value);
  LogicalResult exportConstant(Operation *user, Value value,
                               llvm::StringRef name);

  //===--- Attribute text ------------------------------------------------===//

  static std::string tuple(llvm::ArrayRef<int64_t> v) {
    return fmt::formatIntTuple(v);
  }
  static std::string flag(bool b) { return fmt::formatBool(b); }
  static std::string real(double d) { return fmt::formatFloatRepr(d); }
  static void setCalib(Node &node, std::optional<APFloat> lo,
                       std::optional<APFloat> hi) {
    if (!lo || !hi)
      return;
    // Shortest exact float32 text: MXNet's own "%f" would lose digits.
    node.attrs["min_calib_range"] =
        fmt::formatFloat32Repr(lo->convertToFloat());
    node.attrs["max_calib_range"] =
        fmt::formatFloat32Repr(hi->convertToFloat());
  }
  LogicalResult windowAttrs(Operation *op, Node &node,
                            llvm::ArrayRef<int64_t> strides,
                            llvm::ArrayRef<int64_t> dilations,
                            llvm::ArrayRef<int64_t> pads, size_t rank,
                            bool withDilate);
  FailureOr<Node> eltwiseNode(Operation *op, EltwiseAttr act,
                              llvm::StringRef name);

  //===--- Ops -----------------------------------------------------------===//

  LogicalResult exportOp(Operation *op);
  LogicalResult simple(Operation *op, llvm::StringRef mxnetOp,
                       llvm::StringRef prefix, ValueRange inputs,
                       std::map<std::string, std::string> attrs,
                       bool quantizedTriple = false);
  LogicalResult exportFusedConv(FusedConvOp op);
  LogicalResult exportFusedFC(FusedFullyConnectedOp op);
  LogicalResult checkInt8Weights(Operation *op, Value input, Value weight,
                                 Value bias);
  void appendWeightSteps(Value weight, Node &node);
  NodeEntry addParamVariable(std::string name, NDArray array);

  static bool isQuantized(Value v) {
    return llvm::isa<quant::QuantizedType>(
        llvm::cast<ShapedType>(v.getType()).getElementType());
  }

  ModuleOp module;
  Graph &graph;
  fmt::ParamsFile &params;
  llvm::DenseMap<Value, NodeEntry> entries;
  llvm::DenseMap<Value, uint32_t> variables;
  llvm::StringSet<> usedNames;
  std::vector<uint32_t> outputCounts;
  llvm::DenseSet<Value> auxValues;
  /// The step parameters written for each int8 weight (shared weights
  /// share them).
  llvm::DenseMap<Value, SmallVector<NodeEntry, 2>> weightSteps;
  unsigned counter = 0;
};

} // namespace

//===----------------------------------------------------------------------===//
// Values, variables, constants
//===----------------------------------------------------------------------===//

FailureOr<NodeEntry> Exporter::entryOf(Operation *user, Value value) {
  auto it = entries.find(value);
  if (it != entries.end())
    return it->second;
  auto var = variableFor(user, value);
  if (failed(var))
    return failure();
  return NodeEntry{*var, 0, 0};
}

FailureOr<std::pair<NodeEntry, NodeEntry>>
Exporter::rangeOf(Operation *user, Value value) {
  auto it = entries.find(value);
  if (it == entries.end() || outputCounts[it->second.node] < 3)
    return user->emitOpError("reads a quantized value that MXNet cannot "
                             "express: its producer has no (min, max) "
                             "outputs"),
           failure();
  NodeEntry lo = it->second, hi = it->second;
  lo.index = 1;
  hi.index = 2;
  return std::make_pair(lo, hi);
}

FailureOr<uint32_t> Exporter::variableFor(Operation *user, Value value) {
  auto known = variables.find(value);
  if (known != variables.end())
    return known->second;
  if (auto arg = llvm::dyn_cast<BlockArgument>(value)) {
    auto fn = llvm::cast<func::FuncOp>(arg.getOwner()->getParentOp());
    auto name = fn.getArgAttrOfType<StringAttr>(arg.getArgNumber(), "q.name");
    Node node;
    node.op = "null";
    node.name = name && !usedNames.contains(name.getValue())
                    ? name.getValue().str()
                    : nameOf(fn, "arg", /*unique=*/true);
    // MXNet's hidden shape and dtype attributes (for raw 8-bit inputs), so
    // that import needs no --mxnet-input-shape.
    auto type = llvm::cast<ShapedType>(arg.getType());
    node.attrs["__shape__"] = tuple(type.getShape());
    Type element = type.getElementType();
    if (element.isUnsignedInteger(8))
      node.attrs["__dtype__"] = std::to_string(int(fmt::DType::U8));
    else if (element.isSignlessInteger(8) || element.isSignedInteger(8))
      node.attrs["__dtype__"] = std::to_string(int(fmt::DType::I8));
    else if (!element.isF32())
      return fn.emitError("argument ")
             << arg.getArgNumber() << " has element type " << element
             << "; MXNet inputs here are float32, uint8 or int8";
    uint32_t id = addNode(std::move(node));
    variables[value] = id;
    return id;
  }
  Operation *def = value.getDefiningOp();
  std::string name = nameOf(def, "param", /*unique=*/true);
  // Without a NameLoc, a dense_resource blob still carries the name.
  Operation *storage = def;
  if (auto cast = llvm::dyn_cast<quant::StorageCastOp>(def))
    storage = cast.getInput().getDefiningOp();
  if (!findName(def->getLoc()) && storage)
    if (auto constant = llvm::dyn_cast<arith::ConstantOp>(storage))
      if (auto resource =
              llvm::dyn_cast<DenseResourceElementsAttr>(constant.getValue()))
        if (!usedNames.contains(resource.getRawHandle().getKey()))
          name = resource.getRawHandle().getKey().str();
  if (failed(exportConstant(user, value, name)))
    return failure();
  Node node;
  node.op = "null";
  node.name = name;
  uint32_t id = addNode(std::move(node));
  variables[value] = id;
  return id;
}

/// Copies the bytes of a constant (dense or dense_resource) into the
/// params file under `arg:`/`aux:` + name.
LogicalResult Exporter::exportConstant(Operation *user, Value value,
                                       llvm::StringRef name) {
  Operation *def = value.getDefiningOp();
  // Offline-quantized weights: the int8 storage constant behind the cast.
  if (auto cast = llvm::dyn_cast_or_null<quant::StorageCastOp>(def))
    def = cast.getInput().getDefiningOp();
  auto fail = [&](const llvm::Twine &why) {
    return user->emitOpError("operand '") << name << "' " << why;
  };
  auto constant = llvm::dyn_cast_or_null<arith::ConstantOp>(def);
  if (!constant)
    return fail("is neither a function argument nor a constant");
  auto type = llvm::cast<RankedTensorType>(constant.getType());
  NDArray array;
  array.shape.assign(type.getShape().begin(), type.getShape().end());
  Type element = type.getElementType();
  if (element.isF32())
    array.dtype = fmt::DType::F32;
  else if (element.isInteger(8))
    array.dtype = fmt::DType::I8;
  else if (element.isInteger(32))
    array.dtype = fmt::DType::I32;
  else
    return fail("has an element type MXNet params cannot hold");
  size_t bytes = type.getNumElements() * fmt::dtypeSize(array.dtype);
  Attribute attr = constant.getValue();
  if (auto resource = llvm::dyn_cast<DenseResourceElementsAttr>(attr)) {
    AsmResourceBlob *blob = resource.getRawHandle().getBlob();
    if (!blob)
      return fail("holds an elided resource; re-import it with its params");
    llvm::ArrayRef<char> data = blob->getData();
    if (data.size() != bytes)
      return fail("has a resource of the wrong size");
    array.data.assign(data.begin(), data.end());
  } else if (auto dense = llvm::dyn_cast<DenseElementsAttr>(attr)) {
    array.data.resize(bytes);
    if (dense.isSplat()) {
      llvm::ArrayRef<char> one = dense.getRawData();
      size_t size = fmt::dtypeSize(array.dtype);
      for (size_t i = 0; i < bytes; i += size)
        std::memcpy(array.data.data() + i, one.data(), size);
    } else {
      std::memcpy(array.data.data(), dense.getRawData().data(), bytes);
    }
  } else {
    return fail("is a constant of an unsupported kind");
  }
  std::string prefix = auxValues.contains(value) ? "aux:" : "arg:";
  params.arrays.emplace_back(prefix + name.str(), std::move(array));
  return success();
}

//===----------------------------------------------------------------------===//
// int8 weights
//===----------------------------------------------------------------------===//

static NDArray makeF64(llvm::ArrayRef<int64_t> shape,
                       llvm::ArrayRef<double> values) {
  NDArray array;
  array.shape.assign(shape.begin(), shape.end());
  array.dtype = fmt::DType::F64;
  array.data.resize(values.size() * sizeof(double));
  std::memcpy(array.data.data(), values.data(), array.data.size());
  return array;
}

/// The per-tensor int8 type both int8 weight forms read back.
static quant::UniformQuantizedType int8TensorType(MLIRContext *context,
                                                  double step) {
  return quant::UniformQuantizedType::get(
      quant::QuantizationFlags::Signed, IntegerType::get(context, 8),
      Float32Type::get(context), step, 0, -128, 127);
}

/// Whether MXNet's own offline form holds `value` exactly: one int8 step,
/// written as the f32 range +-step*127 its tensor-wise FC reads (reference
/// 3.6), which the importer divides by 127 again.
static bool fitsMXNetOfflineInt8(Value value) {
  auto uniform = llvm::dyn_cast<quant::UniformQuantizedType>(
      llvm::cast<ShapedType>(value.getType()).getElementType());
  if (!uniform ||
      uniform != int8TensorType(value.getContext(), uniform.getScale()))
    return false;
  float absMax = float(uniform.getScale() * 127.0);
  return double(absMax) / 127.0 == uniform.getScale();
}

/// Whether the f32 pair +-absMax with absMax = step*127.5 reads back (as
/// max(|min|, |max|) / 127.5) to exactly `step`.
static bool fitsInt8Range(double step) {
  float absMax = float(step * kInt8Range);
  return double(absMax) / kInt8Range == step;
}

/// q's int8 weights: per-channel `!quant.uniform<i8:f32:0, {...}>` or
/// per-tensor `!quant.uniform<i8:f32, step>` constants on a quantized input,
/// with an f32 bias or an int32 one whose steps are the ones the importer
/// re-derives: input step * weight step, per output channel.
LogicalResult Exporter::checkInt8Weights(Operation *op, Value input,
                                         Value weight, Value bias) {
  MLIRContext *context = op->getContext();
  auto weightType = llvm::cast<RankedTensorType>(weight.getType());
  Type element = weightType.getElementType();
  int64_t channels = weightType.getDimSize(0);
  SmallVector<double> steps;
  if (auto perAxis =
          llvm::dyn_cast<quant::UniformQuantizedPerAxisType>(element)) {
    steps.assign(perAxis.getScales().begin(), perAxis.getScales().end());
    if (int64_t(steps.size()) != channels ||
        element != perAxisQuantType(context, 8, steps, 0))
      steps.clear();
  } else if (auto uniform =
                 llvm::dyn_cast<quant::UniformQuantizedType>(element)) {
    if (element == int8TensorType(context, uniform.getScale()))
      steps.assign(channels, uniform.getScale());
  }
  if (steps.empty())
    return op->emitOpError("has int8 weights of type ")
           << element
           << "; q writes one step per output channel "
              "(!quant.uniform<i8:f32:0, {...}>) or one per tensor "
              "(!quant.uniform<i8:f32, step>), zero points 0, storage "
              "-128..127";
  if (!weight.getDefiningOp<quant::StorageCastOp>())
    return op->emitOpError("has int8 weights that are not a constant");
  if (!isQuantized(input))
    return op->emitOpError("has int8 weights but an f32 input; MXNet's "
                           "fused ops quantize both or neither");
  if (!bias || !isQuantized(bias))
    return success();
  Type biasElement = llvm::cast<ShapedType>(bias.getType()).getElementType();
  auto inputStep =
      staticStep(llvm::cast<ShapedType>(input.getType()).getElementType());
  if (!inputStep)
    return op->emitOpError("has a quantized bias but its input's step is "
                           "found at run time, so the bias steps cannot be "
                           "re-derived on import");
  SmallVector<double> biasSteps;
  for (double step : steps)
    biasSteps.push_back(*inputStep * step);
  if (biasElement != perAxisQuantType(context, 32, biasSteps, 0))
    return op->emitOpError("has a bias of type ")
           << biasElement
           << "; with int8 weights q writes an f32 bias or an int32 one "
              "whose steps are input step * weight step per output channel";
  return success();
}

/// A parameter that only the exporter introduces; its name is made unique.
NodeEntry Exporter::addParamVariable(std::string name, NDArray array) {
  std::string unique = name;
  for (unsigned n = 1; usedNames.contains(unique); ++n)
    unique = name + "_" + std::to_string(n);
  params.arrays.emplace_back("arg:" + unique, std::move(array));
  Node var;
  var.op = "null";
  var.name = unique;
  return {addNode(std::move(var)), 0, 0};
}

/// Appends the steps of a checked int8 weight after the node's MXNet
/// inputs: `<w>_scale` (f64 [OC], one step per output channel), or for a
/// per-tensor step MXNet's `<w>_min`/`<w>_max` (f32 [1], step =
/// max(|min|, |max|) / 127.5) when they hold it exactly, else a 0-d f64
/// `<w>_scale`. `<w>` is the weight's own variable, node input 1.
void Exporter::appendWeightSteps(Value weight, Node &node) {
  SmallVector<NodeEntry, 2> &stepEntries = weightSteps[weight];
  if (stepEntries.empty()) {
    std::string base = graph.nodes[node.inputs[1].node].name;
    auto type = llvm::cast<RankedTensorType>(weight.getType());
    if (auto perAxis = llvm::dyn_cast<quant::UniformQuantizedPerAxisType>(
            type.getElementType())) {
      stepEntries.push_back(addParamVariable(
          base + "_scale", makeF64({type.getDimSize(0)}, perAxis.getScales())));
    } else {
      double step =
          llvm::cast<quant::UniformQuantizedType>(type.getElementType())
              .getScale();
      float absMax = float(step * kInt8Range);
      if (fitsInt8Range(step)) {
        stepEntries.push_back(
            addParamVariable(base + "_min", fmt::makeF32({1}, {-absMax})));
        stepEntries.push_back(
            addParamVariable(base + "_max", fmt::makeF32({1}, {absMax})));
      } else {
        stepEntries.push_back(
            addParamVariable(base + "_scale", makeF64({}, {step})));
      }
    }
  }
  node.inputs.insert(node.inputs.end(), stepEntries.begin(), stepEntries.end());
}

//===----------------------------------------------------------------------===//
// Attributes
//===----------------------------------------------------------------------===//

LogicalResult Exporter::windowAttrs(Operation *op, Node &node,
                                    llvm::ArrayRef<int64_t> strides,
                                    llvm::ArrayRef<int64_t> dilations,
                                    llvm::ArrayRef<int64_t> pads, size_t rank,
                                    bool withDilate) {
  SmallVector<int64_t> one(rank, 1), zero(rank, 0);
  if (!pads.empty()) {
    if (pads.take_front(rank) != pads.drop_front(rank))
      return op->emitOpError("has asymmetric padding, which MXNet's "
                             "symmetric 'pad' cannot express");
    node.attrs["pad"] = tuple(pads.take_front(rank));
  } else {
    node.attrs["pad"] = tuple(zero);
  }
  node.attrs["stride"] = tuple(strides.empty() ? one : strides);
  if (withDilate)
    node.attrs["dilate"] = tuple(dilations.empty() ? one : dilations);
  return success();
}

FailureOr<Node> Exporter::eltwiseNode(Operation *op, EltwiseAttr act,
                                      llvm::StringRef name) {
  Node node;
  node.name = name.str();
  switch (act.getKind()) {
  case EltwiseKind::relu:
  case EltwiseKind::sigmoid:
  case EltwiseKind::tanh:
  case EltwiseKind::softrelu:
  case EltwiseKind::softsign:
    node.op = "Activation";
    node.attrs["act_type"] = stringifyEltwiseKind(act.getKind()).str();
    break;
  case EltwiseKind::leaky:
  case EltwiseKind::elu:
    node.op = "LeakyReLU";
    node.attrs["act_type"] = stringifyEltwiseKind(act.getKind()).str();
    node.attrs["slope"] = real(act.getAlphaValue());
    break;
  case EltwiseKind::selu:
  case EltwiseKind::gelu:
    node.op = "LeakyReLU";
    node.attrs["act_type"] = stringifyEltwiseKind(act.getKind()).str();
    break;
  case EltwiseKind::clip:
    node.op = "clip";
    node.attrs["a_min"] = real(act.getAlphaValue());
    node.attrs["a_max"] = real(act.getBetaValue());
    break;
  case EltwiseKind::square:
  case EltwiseKind::sqrt:
  case EltwiseKind::exp:
  case EltwiseKind::abs:
    node.op = stringifyEltwiseKind(act.getKind()).str();
    break;
  }
  (void)op;
  return node;
}

//===----------------------------------------------------------------------===//
// Ops
//===----------------------------------------------------------------------===//

LogicalResult Exporter::simple(Operation *op, llvm::StringRef mxnetOp,
                               llvm::StringRef prefix, ValueRange inputs,
                               std::map<std::string, std::string> attrs,
                               bool quantizedTriple) {
  Node node;
  node.op = mxnetOp.str();
  node.name = nameOf(op, prefix);
  node.attrs = std::move(attrs);
  for (Value v : inputs) {
    auto entry = entryOf(op, v);
    if (failed(entry))
      return failure();
    node.inputs.push_back(*entry);
  }
  if (quantizedTriple && failed(appendRanges(op, inputs, node.inputs)))
    return failure();
  uint32_t outputs = quantizedTriple ? 3 : 1;
  if (llvm::isa<BatchNormOp>(op))
    outputs = 3;
  uint32_t id = addNode(std::move(node), outputs);
  entries[op->getResult(0)] = NodeEntry{id, 0, 0};
  return success();
}

/// A variable of a fused op's inner graph (data0, weight0, ...).
static uint32_t addInnerVariable(Graph &inner, std::string name) {
  Node v;
  v.op = "null";
  v.name = std::move(name);
  inner.argNodes.push_back(inner.nodes.size());
  inner.nodes.push_back(std::move(v));
  return uint32_t(inner.nodes.size() - 1);
}

LogicalResult Exporter::exportFusedConv(FusedConvOp op) {
  Node node;
  node.op = "_sg_mkldnn_conv";
  node.name = nameOf(op, "sg_mkldnn_conv_");
  bool quantized = isQuantized(op.getInput());
  auto weightType = llvm::cast<RankedTensorType>(op.getWeight().getType());
  // MXNet's fused conv keeps fp32 weights; q's int8 ones are a q extension.
  bool int8Weights = isQuantized(op.getWeight());
  if (int8Weights &&
      failed(checkInt8Weights(op, op.getInput(), op.getWeight(), op.getBias())))
    return failure();
  if (op.getSumScale().convertToDouble() != 1.0)
    return op.emitOpError("has sum_scale ")
           << real(op.getSumScale().convertToDouble())
           << "; MXNet's fused conv always adds the sum with scale 1";
  size_t rank = weightType.getRank() - 2;

  // The inner fp32 graph MXNet keeps in `subgraphs`.
  Graph inner;
  auto innerVar = [&](std::string name) {
    return addInnerVariable(inner, std::move(name));
  };
  Node conv;
  conv.op = "Convolution";
  conv.name = node.name + "_conv";
  conv.inputs.push_back({innerVar("data0"), 0, 0});
  conv.inputs.push_back({innerVar("weight0"), 0, 0});
  if (op.getBias())
    conv.inputs.push_back({innerVar("bias0"), 0, 0});
  conv.attrs["kernel"] = tuple(weightType.getShape().drop_front(2));
  conv.attrs["num_filter"] = std::to_string(weightType.getDimSize(0));
  conv.attrs["num_group"] = std::to_string(op.getGroups());
  conv.attrs["no_bias"] = flag(!op.getBias());
  if (failed(windowAttrs(op, conv, op.getStrides(), op.getDilations(),
                         op.getPads(), rank, true)))
    return failure();
  inner.nodes.push_back(std::move(conv));
  uint32_t last = inner.nodes.size() - 1;
  if (!op.getBn().empty()) {
    Node bn;
    bn.op = "BatchNorm";
    bn.name = node.name + "_bn";
    bn.inputs.push_back({last, 0, 0});
    for (const char *p : {"gamma0", "beta0", "mean0", "var0"})
      bn.inputs.push_back({innerVar(p), 0, 0});
    bn.attrs["eps"] = real(op.getBnEps().convertToDouble());
    bn.attrs["fix_gamma"] = flag(op.getBnFixGamma());
    inner.nodes.push_back(std::move(bn));
    last = inner.nodes.size() - 1;
  }
  auto appendAct = [&](EltwiseAttr act, llvm::StringRef suffix) {
    auto actNode = eltwiseNode(op, act, node.name + suffix.str());
    if (failed(actNode))
      return failure();
    actNode->inputs.push_back({last, 0, 0});
    inner.nodes.push_back(std::move(*actNode));
    last = inner.nodes.size() - 1;
    return success();
  };
  if (op.getAct() && failed(appendAct(*op.getAct(), "_act")))
    return failure();
  if (op.getSum()) {
    Node add;
    add.op = "elemwise_add";
    add.name = node.name + "_add";
    add.inputs.push_back({last, 0, 0});
    add.inputs.push_back({innerVar("sum0"), 0, 0});
    inner.nodes.push_back(std::move(add));
    last = inner.nodes.size() - 1;
  }
  if (op.getPostsumAct() &&
      failed(appendAct(*op.getPostsumAct(), "_postsum_act")))
    return failure();
  inner.heads.push_back({last, 0, 0});
  node.subgraphs.push_back(std::move(inner));

  if (quantized)
    node.attrs["quantized"] = "true";
  // A folded dequantize: the conv writes f32 (MXNet 2.0's attribute).
  if (quantized && !isQuantized(op.getOutput()))
    node.attrs["enable_float_output"] = "true";
  if (int8Weights)
    node.attrs["q_int8_weights"] = "True";
  if (!op.getBn().empty())
    node.attrs["with_bn"] = "true";
  if (op.getAct())
    node.attrs["with_act"] = "true";
  if (op.getSum())
    node.attrs["with_sum"] = "true";
  if (op.getPostsumAct())
    node.attrs["with_postsum_act"] = "true";
  setCalib(node, op.getMinCalibRange(), op.getMaxCalibRange());

  SmallVector<Value> inputs{op.getInput(), op.getWeight()};
  if (op.getBias())
    inputs.push_back(op.getBias());
  for (auto [i, v] : llvm::enumerate(op.getBn()))
    if (i >= 2)
      auxValues.insert(v);
  inputs.append(op.getBn().begin(), op.getBn().end());
  if (op.getSum())
    inputs.push_back(op.getSum());
  for (Value v : inputs) {
    auto entry = entryOf(op, v);
    if (failed(entry))
      return failure();
    node.inputs.push_back(*entry);
  }
  if (quantized) {
    SmallVector<Value> ranged{op.getInput()};
    if (op.getSum())
      ranged.push_back(op.getSum());
    if (failed(appendRanges(op, ranged, node.inputs)))
      return failure();
  }
  if (int8Weights)
    appendWeightSteps(op.getWeight(), node);
  bool triple = isQuantized(op.getOutput());
  uint32_t id = addNode(std::move(node), triple ? 3 : 1);
  entries[op.getOutput()] = NodeEntry{id, 0, 0};
  return success();
}

LogicalResult Exporter::exportFusedFC(FusedFullyConnectedOp op) {
  Node node;
  node.op = "_sg_mkldnn_fully_connected";
  node.name = nameOf(op, "sg_mkldnn_fully_connected_");
  bool quantized = isQuantized(op.getInput());
  auto weightType = llvm::cast<RankedTensorType>(op.getWeight().getType());

  Graph inner;
  auto innerVar = [&](std::string name) {
    return addInnerVariable(inner, std::move(name));
  };
  Node fc;
  fc.op = "FullyConnected";
  fc.name = node.name + "_fc";
  fc.inputs.push_back({innerVar("data0"), 0, 0});
  fc.inputs.push_back({innerVar("weight0"), 0, 0});
  if (op.getBias())
    fc.inputs.push_back({innerVar("bias0"), 0, 0});
  fc.attrs["num_hidden"] = std::to_string(weightType.getDimSize(0));
  fc.attrs["no_bias"] = flag(!op.getBias());
  fc.attrs["flatten"] = flag(op.getFlatten());
  inner.nodes.push_back(std::move(fc));
  if (auto act = op.getAct()) {
    auto actNode = eltwiseNode(op, *act, node.name + "_act");
    if (failed(actNode))
      return failure();
    actNode->inputs.push_back({uint32_t(inner.nodes.size() - 1), 0, 0});
    inner.nodes.push_back(std::move(*actNode));
    node.attrs["with_eltwise"] = "True";
  }
  inner.heads.push_back({uint32_t(inner.nodes.size() - 1), 0, 0});
  node.subgraphs.push_back(std::move(inner));

  // int8 weights go in MXNet's own offline form (tensor-wise, int8 bias)
  // where it holds them exactly, else in q's (q_int8_weights).
  bool int8Weights = isQuantized(op.getWeight());
  bool offline = int8Weights && fitsMXNetOfflineInt8(op.getWeight()) &&
                 (!op.getBias() || fitsMXNetOfflineInt8(op.getBias()));
  bool qInt8 = int8Weights && !offline;
  if (qInt8 &&
      failed(checkInt8Weights(op, op.getInput(), op.getWeight(), op.getBias())))
    return failure();
  if (offline && !quantized)
    return op.emitOpError("has int8 weights but an f32 input; MXNet's "
                          "fused ops quantize both or neither");
  if (quantized) {
    node.attrs["quantized"] = "True";
    if (qInt8)
      node.attrs["q_int8_weights"] = "True";
    else if (!offline)
      node.attrs["channel_wise_quantize"] = "True";
    if (!isQuantized(op.getOutput()))
      node.attrs["enable_float_output"] = "True";
  }
  setCalib(node, op.getMinCalibRange(), op.getMaxCalibRange());

  SmallVector<Value> inputs{op.getInput(), op.getWeight()};
  if (op.getBias())
    inputs.push_back(op.getBias());
  for (Value v : inputs) {
    auto entry = entryOf(op, v);
    if (failed(entry))
      return failure();
    node.inputs.push_back(*entry);
  }
  if (quantized && failed(appendRanges(op, op.getInput(), node.inputs)))
    return failure();
  if (offline) {
    // Tensor-wise int8 weights travel with their ranges as parameters.
    SmallVector<Value> stored{op.getWeight()};
    if (op.getBias())
      stored.push_back(op.getBias());
    for (Value v : stored) {
      auto uniform = llvm::cast<quant::UniformQuantizedType>(
          llvm::cast<ShapedType>(v.getType()).getElementType());
      uint32_t var = node.inputs[v == op.getWeight() ? 1 : 2].node;
      double absMax = uniform.getScale() * 127.0;
      for (auto [suffix, value] :
           {std::make_pair("_min", -absMax), std::make_pair("_max", absMax)})
        node.inputs.push_back(addParamVariable(
            graph.nodes[var].name + suffix, fmt::makeF32({1}, {float(value)})));
    }
  }
  if (qInt8)
    appendWeightSteps(op.getWeight(), node);
  bool triple = isQuantized(op.getOutput());
  uint32_t id = addNode(std::move(node), triple ? 3 : 1);
  entries[op.getOutput()] = NodeEntry{id, 0, 0};
  return success();
}

LogicalResult Exporter::exportOp(Operation *op) {
  using Attrs = std::map<std::string, std::string>;
  return llvm::TypeSwitch<Operation *, LogicalResult>(op)
      .Case<arith::ConstantOp, quant::StorageCastOp>([&](Operation *) {
        return success(); // Emitted as variables where they are used.
      })
      .Case([&](ConvolutionOp conv) {
        auto weight = conv.getWeight().getType();
        Node scratch;
        if (failed(windowAttrs(conv, scratch, conv.getStrides(),
                               conv.getDilations(), conv.getPads(),
                               weight.getRank() - 2, true)))
          return failure();
        Attrs attrs = scratch.attrs;
        attrs["kernel"] = tuple(weight.getShape().drop_front(2));
        attrs["num_filter"] = std::to_string(weight.getDimSize(0));
        attrs["num_group"] = std::to_string(conv.getGroups());
        attrs["no_bias"] = flag(!conv.getBias());
        SmallVector<Value> inputs{conv.getInput(), conv.getWeight()};
        if (conv.getBias())
          inputs.push_back(conv.getBias());
        return simple(op, "Convolution", "conv", inputs, attrs);
      })
      .Case([&](BatchNormOp bn) {
        auxValues.insert(bn.getMean());
        auxValues.insert(bn.getVar());
        Attrs attrs{{"eps", real(bn.getEps().convertToDouble())},
                    {"fix_gamma", flag(bn.getFixGamma())}};
        if (bn.getAxis() != 1)
          attrs["axis"] = std::to_string(int64_t(bn.getAxis()));
        return simple(op, "BatchNorm", "batchnorm", op->getOperands(), attrs);
      })
      .Case([&](FullyConnectedOp fc) {
        Attrs attrs{
            {"num_hidden",
             std::to_string(fc.getWeight().getType().getDimSize(0))},
            {"no_bias", flag(!fc.getBias())},
            {"flatten", flag(fc.getFlatten())}};
        return simple(op, "FullyConnected", "fullyconnected",
                      op->getOperands(), attrs);
      })
      .Case([&](ActivationOp act) -> LogicalResult {
        auto node = eltwiseNode(op, act.getAct(), "");
        if (failed(node))
          return failure();
        bool q = isQuantized(act.getInput());
        if (q && act.getAct().getKind() != EltwiseKind::relu)
          return op->emitOpError("MXNet has only a quantized relu");
        return simple(op, q ? "_contrib_quantized_act" : node->op,
                      q ? "quantized_act" : "activation", act.getInput(),
                      node->attrs, q);
      })
      .Case([&](PReluOp prelu) {
        return simple(op, "LeakyReLU", "leakyrelu", op->getOperands(),
                      {{"act_type", "prelu"}});
      })
      .Case([&](SoftmaxOp softmax) {
        Attrs attrs{{"axis", std::to_string(int64_t(softmax.getAxis()))}};
        if (auto t = softmax.getTemperature())
          attrs["temperature"] = real(t->convertToDouble());
        return simple(op, softmax.getLog() ? "log_softmax" : "softmax",
                      "softmax", softmax.getInput(), attrs);
      })
      .Case([&](DropoutOp dropout) {
        return simple(op, "Dropout", "dropout", dropout.getInput(),
                      {{"p", real(dropout.getP().convertToDouble())}});
      })
      .Case<AddOp, SubOp, MulOp, DivOp>([&](Operation *) {
        static const llvm::StringMap<llvm::StringRef> names = {
            {"q.add", "add"}, {"q.sub", "sub"}, {"q.mul", "mul"},
            {"q.div", "div"}};
        llvm::StringRef base = names.lookup(op->getName().getStringRef());
        bool sameShape =
            op->getOperand(0).getType() == op->getOperand(1).getType();
        std::string mxnetOp =
            (sameShape ? "elemwise_" : "broadcast_") + base.str();
        return simple(op, mxnetOp, "_" + base.str(), op->getOperands(), {});
      })
      .Case([&](ScalarOp scalar) {
        static const char *names[] = {
            "_plus_scalar",  "_minus_scalar",   "_rminus_scalar",
            "_mul_scalar",   "_div_scalar",     "_rdiv_scalar",
            "_power_scalar", "_rpower_scalar",  "_maximum_scalar",
            "_minimum_scalar"};
        return simple(op, names[uint32_t(scalar.getKind())], "scalar",
                      scalar.getInput(),
                      {{"scalar", real(scalar.getScalar().convertToDouble())}});
      })
      .Case([&](PoolingOp pool) {
        size_t rank = pool.getInput().getType().getRank() - 2;
        Node scratch;
        Attrs attrs;
        if (!pool.getGlobalPool()) {
          if (failed(windowAttrs(pool, scratch, pool.getStrides(), {},
                                 pool.getPads(), rank, false)))
            return failure();
          attrs = scratch.attrs;
          attrs["kernel"] = tuple(pool.getKernel());
        } else {
          attrs["global_pool"] = "True";
          attrs["kernel"] = tuple(SmallVector<int64_t>(rank, 1));
        }
        attrs["pool_type"] = stringifyPoolKind(pool.getKind()).str();
        attrs["pooling_convention"] =
            stringifyPoolConvention(pool.getConvention()).str();
        if (!pool.getCountIncludePad())
          attrs["count_include_pad"] = "False";
        bool q = isQuantized(pool.getInput());
        return simple(op, q ? "_contrib_quantized_pooling" : "Pooling",
                      "pooling", pool.getInput(), attrs, q);
      })
      .Case([&](FlattenOp flatten) {
        bool q = isQuantized(flatten.getInput());
        return simple(op, q ? "_contrib_quantized_flatten" : "Flatten",
                      "flatten", flatten.getInput(), {}, q);
      })
      .Case([&](ReshapeOp reshape) -> LogicalResult {
        Attrs attrs{{"shape", tuple(reshape.getShape())}};
        if (reshape.getReverse())
          attrs["reverse"] = "True";
        // MXNet 1.9 has no quantized reshape; 2.0's name for it.
        bool q = isQuantized(reshape.getInput());
        return simple(op, q ? "_contrib_quantized_reshape" : "Reshape",
                      "reshape", reshape.getInput(), attrs, q);
      })
      .Case([&](ConcatOp concat) {
        bool q = isQuantized(concat.getInputs().front());
        Attrs attrs{{"dim", std::to_string(int64_t(concat.getAxis()))},
                    {"num_args", std::to_string(concat.getInputs().size())}};
        return simple(op, q ? "_contrib_quantized_concat" : "Concat",
                      "concat", concat.getInputs(), attrs, q);
      })
      .Case([&](TransposeOp transpose) {
        return simple(op, "transpose", "transpose", transpose.getInput(),
                      {{"axes", tuple(transpose.getPermutation())}});
      })
      .Case([&](SliceOp slice) {
        Attrs attrs{{"begin", tuple(slice.getBegin())},
                    {"end", tuple(slice.getEnd())}};
        if (!slice.getStep().empty())
          attrs["step"] = tuple(slice.getStep());
        return simple(op, "slice", "slice", slice.getInput(), attrs);
      })
      .Case([&](UpSamplingOp up) {
        return simple(op, "UpSampling", "upsampling", up.getInput(),
                      {{"scale", std::to_string(int64_t(up.getScale()))},
                       {"sample_type", "nearest"},
                       {"num_args", "1"}});
      })
      .Case([&](CropOp crop) -> LogicalResult {
        if (crop.getOffsets().size() != 2)
          return op->emitOpError("MXNet's Crop takes 2-D spatial crops only");
        return simple(op, "Crop", "crop", crop.getInput(),
                      {{"offset", tuple(crop.getOffsets())},
                       {"h_w", tuple(crop.getSizes())},
                       {"num_args", "1"}});
      })
      .Case([&](QuantizeOp quantize) {
        Attrs attrs{
            {"out_type", stringifyQuantDType(quantize.getOutType()).str()}};
        Node scratch;
        setCalib(scratch, quantize.getMinCalibRange(),
                 quantize.getMaxCalibRange());
        attrs.insert(scratch.attrs.begin(), scratch.attrs.end());
        if (failed(simple(op, "_contrib_quantize_v2", "quantize",
                          quantize.getInput(), attrs)))
          return failure();
        outputCounts.back() = 3;
        return success();
      })
      .Case([&](RequantizeOp requantize) {
        Attrs attrs{
            {"out_type", stringifyQuantDType(requantize.getOutType()).str()}};
        Node scratch;
        setCalib(scratch, requantize.getMinCalibRange(),
                 requantize.getMaxCalibRange());
        attrs.insert(scratch.attrs.begin(), scratch.attrs.end());
        return simple(op, "_contrib_requantize", "requantize",
                      requantize.getInput(), attrs, true);
      })
      .Case([&](DequantizeOp dequantize) {
        if (failed(simple(op, "_contrib_dequantize", "dequantize",
                          dequantize.getInput(), {}, true)))
          return failure();
        outputCounts.back() = 1;
        return success();
      })
      .Case([&](QuantizedAddOp add) -> LogicalResult {
        Node scratch;
        setCalib(scratch, add.getMinCalibRange(), add.getMaxCalibRange());
        // A folded dequantize: one f32 output (MXNet 2.0's attribute).
        bool floatOutput = !isQuantized(add.getOutput());
        if (floatOutput)
          scratch.attrs["enable_float_output"] = "true";
        if (failed(simple(op, "_contrib_quantized_elemwise_add",
                          "quantized_add", op->getOperands(), scratch.attrs,
                          true)))
          return failure();
        if (floatOutput)
          outputCounts.back() = 1;
        return success();
      })
      .Case([&](FusedConvOp conv) { return exportFusedConv(conv); })
      .Case([&](FusedFullyConnectedOp fc) { return exportFusedFC(fc); })
      .Case([&](func::ReturnOp ret) -> LogicalResult {
        for (Value v : ret.getOperands()) {
          auto entry = entryOf(op, v);
          if (failed(entry))
            return failure();
          graph.heads.push_back(*entry);
        }
        return success();
      })
      .Default([&](Operation *) {
        return op->emitOpError("has no MXNet equivalent");
      });
}

LogicalResult Exporter::run() {
  auto fn = module.lookupSymbol<func::FuncOp>("main");
  if (!fn) {
    auto funcs = module.getOps<func::FuncOp>();
    if (std::distance(funcs.begin(), funcs.end()) != 1)
      return module.emitError("--export-mxnet needs one function (or one "
                              "named @main)");
    fn = *funcs.begin();
  }
  if (!fn.getBody().hasOneBlock())
    return fn.emitError("--export-mxnet needs a function of one block");
  graph = Graph();
  params = fmt::ParamsFile();
  // Data inputs first, in argument order, as MXNet lists them.
  for (BlockArgument arg : fn.getArguments())
    if (!fn.getArgAttr(arg.getArgNumber(), "q.param") &&
        failed(variableFor(fn, arg)))
      return failure();
  for (Operation &op : fn.getBody().front())
    if (failed(exportOp(&op)))
      return failure();
  graph.nodeRowPtr.assign(1, 0);
  for (uint32_t count : outputCounts)
    graph.nodeRowPtr.push_back(graph.nodeRowPtr.back() + count);
  graph.mxnetVersion = fmt::kWrittenMXNetVersion;
  if (auto err = fmt::verifyGraph(graph, "exported graph"))
    return module.emitError() << llvm::toString(std::move(err));
  return success();
}

/// MXNet has one step per activation tensor. A quantize with one step per
/// channel (q-calibrate's depthwise inputs) is written with the tensor's
/// range (its min/max_calib_range, what MXNet calibrates) and a warning;
/// the int32 biases of the convolutions reading it become their real f32
/// values, which MXNet re-quantizes with the one step. Returns whether
/// anything changed (on `module`, a copy).
static bool exportablePerTensor(ModuleOp module) {
  std::vector<std::string> names;
  module.walk([&](QuantizeOp quantize) {
    auto type = quantize.getOutput().getType();
    if (!llvm::isa<quant::UniformQuantizedPerAxisType>(type.getElementType()))
      return;
    auto lo = quantize.getMinCalibRange(), hi = quantize.getMaxCalibRange();
    if (!lo || !hi)
      return;
    double min = lo->convertToDouble(), max = hi->convertToDouble();
    names.push_back(tensorName(quantize.getInput()));
    quantize.getOutput().setType(type.clone(calibratedQuantType(
        quantize.getContext(), quantize.getOutType(), min, max)));
    for (Operation *user : quantize.getOutput().getUsers()) {
      auto conv = llvm::dyn_cast<FusedConvOp>(user);
      Value bias = conv ? conv.getBias() : Value();
      auto values = bias ? readConstant<int32_t>(bias) : std::nullopt;
      auto steps =
          bias ? llvm::dyn_cast<quant::UniformQuantizedPerAxisType>(
                     llvm::cast<ShapedType>(bias.getType()).getElementType())
               : nullptr;
      if (!values || !steps)
        continue;
      std::vector<float> real(values->size());
      for (size_t c = 0; c < real.size(); ++c)
        real[c] = float(double((*values)[c]) * steps.getScales()[c]);
      OpBuilder builder(conv);
      auto biasType = llvm::cast<RankedTensorType>(bias.getType());
      conv.getBiasMutable()[0].set(
          makeConstant<float>(builder, biasType.clone(builder.getF32Type()),
                              real, nodeName(bias.getLoc()).value_or("bias")));
    }
  });
  if (names.empty())
    return false;
  std::string list;
  for (size_t i = 0; i < names.size() && i < 5; ++i)
    list += (i ? ", " : "") + names[i];
  if (names.size() > 5)
    list += " and " + std::to_string(names.size() - 5) + " more";
  // On the module's location: a warning on an op would print the op.
  emitWarning(module.getLoc())
      << "MXNet has no per-channel activation steps: " << names.size()
      << " tensor" << (names.size() == 1 ? "" : "s") << " (" << list
      << ") are written with one step each, from their calibrated range; "
         "q's own library keeps one per channel";
  return true;
}

LogicalResult mlir::q::exportMXNet(ModuleOp module, Graph &graph,
                                   fmt::ParamsFile &params) {
  bool perChannel = false;
  module.walk([&](QuantizeOp quantize) {
    perChannel |= llvm::isa<quant::UniformQuantizedPerAxisType>(
        quantize.getOutput().getType().getElementType());
  });
  if (perChannel) {
    OwningOpRef<ModuleOp> copy(module.clone());
    exportablePerTensor(*copy);
    return Exporter(*copy, graph, params).run();
  }
  return Exporter(module, graph, params).run();
}
