//===- MXNetImport.cpp - MXNet symbol JSON + .params to the q dialect -----===//
//
// Walks the (topologically sorted) MXNet graph once, turning each node into
// q ops. Parameter shapes are derived from the consuming op, as MXNet's shape
// inference does, so models without .params import too (their parameters
// become function arguments) and every stored parameter is checked against
// the shape its op needs.
//
//===----------------------------------------------------------------------===//

#include "QDialect/Translate/MXNet.h"

#include "QDialect/IR/QDialect.h"
#include "QDialect/IR/ShapeInference.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Quant/IR/Quant.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Verifier.h"
#include "mlir/IR/AsmState.h"
#include "llvm/ADT/SetVector.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/SaveAndRestore.h"
#include "llvm/Support/FormatVariadic.h"

#include <cstring>
#include <functional>
#include <limits>

using namespace mlir;
using namespace mlir::q;
using ::mxnet::DType;
using ::mxnet::Graph;
using ::mxnet::NDArray;
using ::mxnet::Node;
using ::mxnet::NodeEntry;
namespace fmt = ::mxnet;

llvm::Expected<llvm::StringMap<llvm::SmallVector<int64_t>>>
mlir::q::parseInputShapes(llvm::StringRef text) {
  llvm::StringMap<llvm::SmallVector<int64_t>> shapes;
  std::string normalized = text.str();
  std::replace(normalized.begin(), normalized.end(), ';', ' ');
  llvm::SmallVector<llvm::StringRef> items;
  llvm::StringRef(normalized).split(items, ' ', -1, /*KeepEmpty=*/false);
  for (llvm::StringRef item : items) {
    auto [name, dims] = item.split(':');
    if (name.empty() || dims.empty())
      return llvm::createStringError(
          llvm::inconvertibleErrorCode(),
          "input shape '%s' is not of the form name:d0,d1,...",
          item.str().c_str());
    llvm::SmallVector<llvm::StringRef> parts;
    dims.split(parts, ',', -1, /*KeepEmpty=*/false);
    llvm::SmallVector<int64_t> shape;
    for (llvm::StringRef part : parts) {
      int64_t dim;
      if (part.trim().getAsInteger(10, dim) || dim < 1 || dim > (1LL << 32))
        return llvm::createStringError(
            llvm::inconvertibleErrorCode(),
            "input shape '%s': '%s' is not a positive dimension",
            item.str().c_str(), part.str().c_str());
      shape.push_back(dim);
    }
    if (!shapes.try_emplace(name, shape).second)
      return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                     "input '%s' is given two shapes",
                                     name.str().c_str());
  }
  return shapes;
}

namespace {

/// What an op does with one of its inputs; decides whether a variable
/// feeding it is a data input, a parameter, or an unused training label.
enum class SlotKind { Data, Param, Label, Range };

/// A node output that holds the min or max of a quantized tensor (MXNet's
/// (data, min, max) triples); q keeps the range in the tensor's type.
constexpr uint32_t kRangeMarker = ~0u;

std::string joined(llvm::ArrayRef<int64_t> dims) {
  std::string s = "[";
  for (size_t i = 0; i < dims.size(); ++i)
    s += (i ? ", " : "") + std::to_string(dims[i]);
  return s + "]";
}

bool isAnyOf(llvm::StringRef op, std::initializer_list<llvm::StringRef> names) {
  return llvm::is_contained(names, op);
}

bool isFusedConv(llvm::StringRef op) {
  return op == "_sg_mkldnn_conv" || op == "_sg_onednn_conv";
}
bool isFusedFC(llvm::StringRef op) {
  return op == "_sg_mkldnn_fully_connected" ||
         op == "_sg_onednn_fully_connected";
}

class Importer {
public:
  Importer(const Graph &graph, const MXNetImportOptions &options,
           MLIRContext *context)
      : graph(graph), options(options), context(context), builder(context),
        fileLoc(FileLineColLoc::get(context, options.symbolFile, 0, 0)) {}

  OwningOpRef<ModuleOp> run();
  /// The MXNet op names this importer handles, sorted.
  std::vector<std::string> opNames() {
    registerHandlers();
    std::vector<std::string> names;
    for (const auto &entry : handlers)
      names.push_back(entry.getKey().str());
    llvm::sort(names);
    return names;
  }

private:
  using Handler = std::function<LogicalResult(uint32_t)>;

  //===--- Diagnostics ---------------------------------------------------===//

  InFlightDiagnostic error() { return emitError(fileLoc); }
  InFlightDiagnostic nodeError(uint32_t id) {
    const Node &node = graph.nodes[id];
    return emitError(fileLoc) << "node '" << node.name << "' (#" << id << ", "
                              << node.op << "): ";
  }
  Location nodeLoc(uint32_t id) {
    return NameLoc::get(builder.getStringAttr(graph.nodes[id].name));
  }

  //===--- Attributes ----------------------------------------------------===//

  /// The node attributes are read from: node `id`, or while reading a
  /// fused op's inner graph, one of its inner nodes.
  const Node &attrNode(uint32_t id) {
    return innerNode ? *innerNode : graph.nodes[id];
  }
  InFlightDiagnostic attrError(uint32_t id) {
    InFlightDiagnostic diag = nodeError(id);
    if (innerNode)
      diag << "inner node '" << innerNode->name << "': ";
    return diag;
  }
  template <typename T>
  FailureOr<T> attr(uint32_t id, llvm::StringRef key,
                    llvm::Expected<T> (*parse)(llvm::StringRef),
                    std::optional<T> dflt) {
    std::optional<llvm::StringRef> text = attrNode(id).getAttr(key);
    if (!text) {
      if (dflt)
        return *dflt;
      return attrError(id) << "missing attribute '" << key << "'", failure();
    }
    llvm::Expected<T> value = parse(*text);
    if (!value)
      return attrError(id) << "attribute '" << key
                           << "': " << llvm::toString(value.takeError()),
             failure();
    return *value;
  }
  FailureOr<int64_t> intAttr(uint32_t id, llvm::StringRef key,
                             std::optional<int64_t> dflt = std::nullopt) {
    return attr<int64_t>(id, key, fmt::parseInt, dflt);
  }
  FailureOr<bool> boolAttr(uint32_t id, llvm::StringRef key,
                           std::optional<bool> dflt = std::nullopt) {
    return attr<bool>(id, key, fmt::parseBool, dflt);
  }
  FailureOr<double> floatAttr(uint32_t id, llvm::StringRef key,
                              std::optional<double> dflt = std::nullopt) {
    return attr<double>(
        id, key, [](llvm::StringRef t) { return fmt::parseFloat(t); }, dflt);
  }
  FailureOr<std::vector<int64_t>>
  tupleAttr(uint32_t id, llvm::StringRef key,
            std::optional<std::vector<int64_t>> dflt = std::nullopt) {
    return attr<std::vector<int64_t>>(id, key, fmt::parseIntTuple, dflt);
  }
  /// A keyword attribute restricted to `allowed`; an absent one is `dflt`.
  FailureOr<std::string> choiceAttr(uint32_t id, llvm::StringRef key,
                                    std::initializer_list<llvm::StringRef>
                                        allowed,
                                    std::optional<llvm::StringRef> dflt) {
    std::optional<llvm::StringRef> text = attrNode(id).getAttr(key);
    if (!text) {
      if (dflt)
        return dflt->str();
      return attrError(id) << "missing attribute '" << key << "'", failure();
    }
    std::string value = text->trim().trim("'\"").str();
    if (!llvm::is_contained(allowed, value)) {
      auto diag = attrError(id) << "attribute '" << key << "' is '" << value
                                << "'; supported: ";
      llvm::interleaveComma(allowed, diag);
      return failure();
    }
    return value;
  }
  /// Optional calibration range (both or neither), as MXNet stores it.
  LogicalResult calibRange(uint32_t id,
                           std::optional<std::pair<double, double>> &range) {
    const Node &node = graph.nodes[id];
    bool hasMin = node.getAttr("min_calib_range").has_value();
    bool hasMax = node.getAttr("max_calib_range").has_value();
    if (hasMin != hasMax)
      return nodeError(id) << "has only one of min_calib_range and "
                              "max_calib_range";
    if (!hasMin)
      return success();
    auto lo = floatAttr(id, "min_calib_range");
    auto hi = floatAttr(id, "max_calib_range");
    if (failed(lo) || failed(hi))
      return failure();
    if (*lo > *hi)
      return nodeError(id) << "min_calib_range " << fmt::formatFloatRepr(*lo)
                           << " > max_calib_range "
                           << fmt::formatFloatRepr(*hi);
    // MXNet reads ranges as float (dmlc::stof) and q keeps them as f32
    // attributes: scales come from the float, so that they are the ones
    // q's passes derive from the attributes.
    float loF = float(*lo), hiF = float(*hi);
    if (!std::isfinite(loF) || !std::isfinite(hiF))
      return nodeError(id) << "calibration range [" << fmt::formatFloatRepr(*lo)
                           << ", " << fmt::formatFloatRepr(*hi)
                           << "] does not fit in float";
    range = std::make_pair(double(loF), double(hiF));
    return success();
  }
  void setCalibAttrs(Operation *op,
                     std::optional<std::pair<double, double>> range) {
    if (!range)
      return;
    op->setAttr("min_calib_range", builder.getF32FloatAttr(range->first));
    op->setAttr("max_calib_range", builder.getF32FloatAttr(range->second));
  }

  //===--- Values --------------------------------------------------------===//

  static uint64_t key(uint32_t node, uint32_t index) {
    return (uint64_t(node) << 32) | index;
  }
  FailureOr<Value> input(uint32_t id, unsigned slot);
  FailureOr<Value> param(uint32_t id, unsigned slot,
                         llvm::ArrayRef<int64_t> shape);
  FailureOr<Value> paramNamed(uint32_t id, llvm::StringRef name,
                              llvm::ArrayRef<int64_t> shape,
                              std::optional<uint32_t> variable);
  FailureOr<double> scalarParam(uint32_t id, unsigned slot);
  FailureOr<Value> quantizedWeight(uint32_t id, unsigned slot,
                                   unsigned minSlot,
                                   llvm::ArrayRef<int64_t> shape);
  FailureOr<Value> int8Weight(uint32_t id, unsigned slot, unsigned stepSlot,
                              unsigned numSteps, llvm::ArrayRef<int64_t> shape);
  FailureOr<Value> int8WeightsBias(uint32_t id, unsigned slot, Value input,
                                   Value weight, int64_t channels);
  FailureOr<std::vector<double>> stepsParam(uint32_t id, unsigned slot,
                                            const fmt::NDArray *&array);
  FailureOr<Value> storageCast(uint32_t id, llvm::StringRef name,
                               const fmt::NDArray &array, Type element);
  unsigned numInputs(uint32_t id) { return graph.nodes[id].inputs.size(); }
  LogicalResult needInputs(uint32_t id, unsigned lo, unsigned hi) {
    unsigned n = numInputs(id);
    if (n < lo || n > hi)
      return nodeError(id) << "has " << n << " inputs, expected "
                           << (lo == hi ? std::to_string(lo)
                                        : llvm::formatv("{0} to {1}", lo, hi)
                                              .str());
    return success();
  }
  void define(uint32_t id, Value value) { values[key(id, 0)] = value; }
  /// Outputs 1 and 2 of a quantized op: the range of output 0.
  void defineQuantized(uint32_t id, Value value) {
    define(id, value);
    values[key(id, 1)] = Value();
    values[key(id, 2)] = Value();
    rangeOutputs.insert(key(id, 1));
    rangeOutputs.insert(key(id, 2));
  }
  static llvm::ArrayRef<int64_t> shapeOf(Value v) {
    return llvm::cast<RankedTensorType>(v.getType()).getShape();
  }
  static Type elementOf(Value v) {
    return llvm::cast<RankedTensorType>(v.getType()).getElementType();
  }
  const fmt::NDArray *lookupParam(llvm::StringRef name);

  /// Builds an op whose result type is inferred, reporting a failed shape
  /// rule as an error at the node instead of aborting.
  template <typename OpT, typename... Args>
  FailureOr<Value> createInferred(uint32_t id, Args &&...args) {
    OperationState state(nodeLoc(id), OpT::getOperationName());
    OpT::build(builder, state, Type(), std::forward<Args>(args)...);
    SmallVector<Type> types;
    std::string why;
    LogicalResult inferred = failure();
    {
      // Report the broken shape rule as this node's error.
      ScopedDiagnosticHandler capture(context, [&](Diagnostic &diag) {
        why = diag.str();
        return success();
      });
      inferred = OpT::inferReturnTypes(
          context, state.location, state.operands,
          state.attributes.getDictionary(context), state.getRawProperties(),
          state.regions, types);
    }
    if (failed(inferred))
      return nodeError(id) << why, failure();
    state.types.assign(types.begin(), types.end());
    return builder.create(state)->getResult(0);
  }

  DenseI64ArrayAttr optionalArray(llvm::ArrayRef<int64_t> values) {
    return values.empty() ? DenseI64ArrayAttr()
                          : builder.getDenseI64ArrayAttr(values);
  }

  //===--- Ops -----------------------------------------------------------===//

  void registerHandlers();
  SlotKind slotKind(const Node &node, unsigned slot);
  LogicalResult classifyVariables();
  LogicalResult createFunction();
  /// Every shape given is for a variable of the graph.
  LogicalResult checkInputShapeNames();
  /// Every op has a handler: run before anything needs a shape.
  LogicalResult checkOps();

  LogicalResult importConvolution(uint32_t id);
  LogicalResult importBatchNorm(uint32_t id);
  LogicalResult importFullyConnected(uint32_t id);
  LogicalResult importPooling(uint32_t id, bool quantized);
  LogicalResult importActivation(uint32_t id);
  LogicalResult importLeakyReLU(uint32_t id);
  LogicalResult importClip(uint32_t id);
  LogicalResult importSoftmax(uint32_t id, llvm::StringRef flavour);
  LogicalResult importConcat(uint32_t id, bool quantized);
  LogicalResult importReshape(uint32_t id, bool quantized = false);
  LogicalResult importSlice(uint32_t id);
  LogicalResult importSliceAxis(uint32_t id);
  LogicalResult importCrop(uint32_t id);
  LogicalResult importUpSampling(uint32_t id);
  LogicalResult importTranspose(uint32_t id);
  template <typename OpT> LogicalResult importBinary(uint32_t id);
  LogicalResult importAddN(uint32_t id);
  LogicalResult importScalar(uint32_t id, ScalarKind kind);
  template <typename OpT>
  LogicalResult importQuantizeLike(uint32_t id, unsigned numInputs);
  LogicalResult importDequantize(uint32_t id);
  LogicalResult importFusedConv(uint32_t id);
  LogicalResult importFusedFC(uint32_t id);
  LogicalResult importQuantizedAdd(uint32_t id);

  FailureOr<EltwiseAttr> eltwiseOf(const Node &node, uint32_t id);
  /// Attributes of a node inside a fused op's subgraph; errors name both.
  template <typename T>
  FailureOr<T> innerAttr(uint32_t id, const Node &inner, llvm::StringRef key,
                         llvm::Expected<T> (*parse)(llvm::StringRef),
                         std::optional<T> dflt) {
    std::optional<llvm::StringRef> text = inner.getAttr(key);
    if (!text) {
      if (dflt)
        return *dflt;
      return nodeError(id) << "inner node '" << inner.name
                           << "' lacks attribute '" << key << "'",
             failure();
    }
    llvm::Expected<T> value = parse(*text);
    if (!value)
      return nodeError(id) << "inner node '" << inner.name << "' attribute '"
                           << key << "': " << llvm::toString(value.takeError()),
             failure();
    return *value;
  }
  Type quantizedType(bool isUnsigned, unsigned width,
                     std::optional<std::pair<double, double>> range);

  const Graph &graph;
  const MXNetImportOptions &options;
  MLIRContext *context;
  OpBuilder builder;
  Location fileLoc;
  ModuleOp module;
  func::FuncOp function;
  llvm::StringMap<Handler> handlers;
  llvm::DenseMap<uint64_t, Value> values;
  llvm::DenseSet<uint64_t> rangeOutputs;
  /// Per variable node: its role and (for parameters) the value once made.
  std::vector<SlotKind> variableRole;
  llvm::DenseMap<uint32_t, Value> paramValues;
  llvm::StringMap<Value> namedParams;
  llvm::StringSet<> usedParamNames;
  llvm::StringMap<const fmt::NDArray *> paramsByName;
  const Node *innerNode = nullptr;
  /// Constants go to the top of the function, in the order they are met.
  Operation *lastConstant = nullptr;
  void setConstantInsertionPoint() {
    if (lastConstant)
      builder.setInsertionPointAfter(lastConstant);
    else
      builder.setInsertionPointToStart(&function.getBody().front());
  }
};

} // namespace

//===----------------------------------------------------------------------===//
// Variables: data inputs, parameters, labels
//===----------------------------------------------------------------------===//

SlotKind Importer::slotKind(const Node &node, unsigned slot) {
  llvm::StringRef op = node.op;
  if (slot == 0)
    return SlotKind::Data;
  if (isAnyOf(op, {"Convolution", "Deconvolution", "FullyConnected",
                   "BatchNorm", "LeakyReLU"}))
    return SlotKind::Param;
  if (isAnyOf(op, {"SoftmaxOutput", "Softmax", "LinearRegressionOutput",
                   "LogisticRegressionOutput", "MAERegressionOutput"}))
    return SlotKind::Label;
  if (isAnyOf(op, {"_contrib_requantize", "_contrib_dequantize",
                   "_contrib_quantized_pooling", "_contrib_quantized_flatten",
                   "_contrib_quantized_act", "_contrib_quantized_reshape"}))
    return SlotKind::Range;
  if (op == "_contrib_quantized_elemwise_add")
    return slot < 2 ? SlotKind::Data : SlotKind::Range;
  if (op == "_contrib_quantized_concat") {
    auto n = fmt::parseInt(node.getAttr("num_args").value_or(""));
    int64_t numArgs = n ? *n : (consumeError(n.takeError()), 0);
    return slot < numArgs ? SlotKind::Data : SlotKind::Range;
  }
  if (isFusedConv(op) || isFusedFC(op)) {
    // Parameters are the variables among weight/bias/bn; data is data and
    // sum; anything a quantized op reads for ranges is a range.
    return SlotKind::Param;
  }
  return SlotKind::Data;
}

LogicalResult Importer::classifyVariables() {
  variableRole.assign(graph.nodes.size(), SlotKind::Label);
  std::vector<bool> used(graph.nodes.size(), false);
  for (const Node &node : graph.nodes) {
    if (node.isVariable())
      continue;
    for (auto [slot, entry] : llvm::enumerate(node.inputs)) {
      const Node &source = graph.nodes[entry.node];
      if (!source.isVariable())
        continue;
      SlotKind kind = slotKind(node, slot);
      // The fused ops' data and sum inputs come from ops, never variables,
      // except in tests that feed a variable as the residual: treat a
      // variable that has no parameter in the file as data there.
      if ((isFusedConv(node.op) || isFusedFC(node.op)) && options.params &&
          !lookupParam(source.name) && slot != 0)
        kind = SlotKind::Data;
      SlotKind &role = variableRole[entry.node];
      if (!used[entry.node] || kind == SlotKind::Data ||
          (kind == SlotKind::Param && role == SlotKind::Label) ||
          (kind == SlotKind::Range && role == SlotKind::Label))
        role = kind;
      used[entry.node] = true;
    }
  }
  // Heads that are variables are data passed straight through.
  for (const NodeEntry &head : graph.heads)
    if (graph.nodes[head.node].isVariable())
      variableRole[head.node] = SlotKind::Data;
  // A variable with a stored value is a constant, whatever reads it.
  for (auto [id, node] : llvm::enumerate(graph.nodes))
    if (node.isVariable() && variableRole[id] == SlotKind::Data &&
        options.params && lookupParam(node.name) &&
        !options.inputShapes.count(node.name))
      variableRole[id] = SlotKind::Param;
  for (auto [id, node] : llvm::enumerate(graph.nodes))
    if (node.isVariable() && !used[id] && variableRole[id] != SlotKind::Data)
      variableRole[id] = SlotKind::Label;
  return success();
}

const fmt::NDArray *Importer::lookupParam(llvm::StringRef name) {
  if (!options.params)
    return nullptr;
  if (paramsByName.empty())
    for (const auto &[stored, array] : options.params->arrays)
      paramsByName.try_emplace(fmt::splitParamName(stored).second, &array);
  auto it = paramsByName.find(name);
  return it == paramsByName.end() ? nullptr : it->second;
}

LogicalResult Importer::createFunction() {
  if (failed(checkInputShapeNames()))
    return failure();
  SmallVector<Type> argTypes;
  SmallVector<Attribute> argAttrs;
  for (auto [id, node] : llvm::enumerate(graph.nodes)) {
    if (!node.isVariable() || variableRole[id] != SlotKind::Data)
      continue;
    SmallVector<int64_t> shape;
    auto given = options.inputShapes.find(node.name);
    if (given != options.inputShapes.end()) {
      shape = given->second;
    } else if (auto text = node.getAttr("__shape__")) {
      auto parsed = fmt::parseIntTuple(*text);
      if (!parsed)
        return error() << "input '" << node.name << "': attribute __shape__: "
                       << llvm::toString(parsed.takeError());
      shape.assign(parsed->begin(), parsed->end());
    }
    if (shape.empty() || llvm::any_of(shape, [](int64_t d) { return d < 1; }))
      return error() << "input '" << node.name << "' has no shape; pass "
                     << options.flags.inputShape << "=" << node.name
                     << ":N,C,H,W";
    Type element = builder.getF32Type();
    if (auto dtype = node.getAttr("__dtype__")) {
      auto code = fmt::parseInt(*dtype);
      if (!code)
        return error() << "input '" << node.name << "': attribute __dtype__: "
                       << llvm::toString(code.takeError());
      if (*code == int64_t(DType::U8))
        element = IntegerType::get(context, 8, IntegerType::Unsigned);
      else if (*code == int64_t(DType::I8))
        element = builder.getIntegerType(8);
      else if (*code != int64_t(DType::F32))
        return error() << "input '" << node.name << "' has __dtype__ " << *code
                       << "; q takes float32, uint8 or int8 inputs";
    }
    argTypes.push_back(RankedTensorType::get(shape, element));
    argAttrs.push_back(builder.getDictionaryAttr(
        builder.getNamedAttr("q.name", builder.getStringAttr(node.name))));
  }
  builder.setInsertionPointToEnd(module.getBody());
  function = func::FuncOp::create(builder, fileLoc, "main",
                                  builder.getFunctionType(argTypes, {}));
  function.setAllArgAttrs(argAttrs);
  Block *entry = function.addEntryBlock();
  unsigned next = 0;
  for (auto [id, node] : llvm::enumerate(graph.nodes))
    if (node.isVariable() && variableRole[id] == SlotKind::Data) {
      entry->getArgument(next).setLoc(
          NameLoc::get(builder.getStringAttr(node.name)));
      values[key(id, 0)] = entry->getArgument(next++);
    }
  builder.setInsertionPointToEnd(entry);
  return success();
}

LogicalResult Importer::checkInputShapeNames() {
  llvm::StringSet<> variables;
  std::vector<llvm::StringRef> inputs;
  for (auto [id, node] : llvm::enumerate(graph.nodes)) {
    if (!node.isVariable())
      continue;
    variables.insert(node.name);
    if (variableRole[id] == SlotKind::Data)
      inputs.push_back(node.name);
  }
  // Sorted, so that the first unknown name reported does not depend on
  // the hash order of the map.
  std::vector<llvm::StringRef> given;
  for (const auto &entry : options.inputShapes)
    given.push_back(entry.getKey());
  llvm::sort(given);
  for (llvm::StringRef name : given) {
    if (variables.contains(name))
      continue;
    auto diag = error() << options.flags.inputShape << " names '" << name
                        << "', which is not an input of the graph";
    llvm::StringRef closest;
    unsigned best = std::max<size_t>(2, name.size() / 3) + 1;
    for (llvm::StringRef input : inputs) {
      unsigned distance = name.edit_distance(input);
      if (distance < best) {
        best = distance;
        closest = input;
      }
    }
    if (!closest.empty())
      diag << "; did you mean '" << closest << "'?";
    diag << (closest.empty() ? "; " : " ") << "its inputs: ";
    if (inputs.empty())
      diag << "none";
    llvm::interleaveComma(inputs, diag);
    return failure();
  }
  return success();
}

LogicalResult Importer::checkOps() {
  std::vector<uint32_t> unknown;
  for (auto [id, node] : llvm::enumerate(graph.nodes))
    if (!node.isVariable() && !handlers.count(node.op))
      unknown.push_back(id);
  if (unknown.empty())
    return success();
  uint32_t id = unknown.front();
  const Node &node = graph.nodes[id];
  // Ops of MXNet forks, which a user may take for MXNet's own.
  static const std::pair<const char *, const char *> kForkOps[] = {
      {"QConvolution", "BMXNet"},
      {"QFullyConnected", "BMXNet"},
      {"QActivation", "BMXNet"},
      {"det_sign", "BMXNet"},
      {"round_ste", "BMXNet"}};
  for (auto [op, fork] : kForkOps)
    if (node.op == op)
      return nodeError(id) << "'" << node.op << "' is an op of " << fork
                           << ", a fork of MXNet, not of MXNet itself; q "
                              "imports MXNet's own ops only";
  auto diag = nodeError(id);
  if (node.op == "Custom")
    diag << "a Python custom op (op_type '"
         << node.getAttr("op_type").value_or("?")
         << "'): its code lives in the Python program, not in the model "
            "files, so q cannot compile it";
  else
    diag << "unknown op '" << node.op << "'";
  llvm::SetVector<llvm::StringRef> others;
  for (uint32_t other : unknown)
    if (graph.nodes[other].op != node.op)
      others.insert(graph.nodes[other].op);
  if (!others.empty()) {
    diag << " (the graph also uses ";
    llvm::interleaveComma(
        others, diag, [&](llvm::StringRef op) { diag << "'" << op << "'"; });
    diag << ")";
  }
  diag << "; supported ops: ";
  llvm::interleaveComma(opNames(), diag);
  return failure();
}

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
  int64_t hi = isUnsigned ? (int64_t(1) << width) - 1
                          : (int64_t(1) << (width - 1)) - 1;
  if (!range || width != 8)
    return quant::AnyQuantizedType::get(flags, storage, builder.getF32Type(),
                                        lo, hi);
  double step = quantizedStepFromRange(isUnsigned, range->first, range->second);
  if (!(step > 0))
    return {};
  return quant::UniformQuantizedType::get(flags, storage, builder.getF32Type(),
                                          step, 0, lo, hi);
}

//===----------------------------------------------------------------------===//
// fp32 ops
//===----------------------------------------------------------------------===//

/// Spatial attributes shared by Convolution and Pooling.
/// An empty attribute array stands for the default (all 1s or all 0s), so
/// imported IR reads like hand-written IR and round-trips exactly.
struct Window {
  std::vector<int64_t> kernel, stride, dilate, pad;
  static SmallVector<int64_t> unlessAll(llvm::ArrayRef<int64_t> values,
                                        int64_t dflt) {
    if (llvm::all_of(values, [&](int64_t v) { return v == dflt; }))
      return {};
    return SmallVector<int64_t>(values);
  }
  SmallVector<int64_t> strides() const { return unlessAll(stride, 1); }
  SmallVector<int64_t> dilations() const { return unlessAll(dilate, 1); }
  SmallVector<int64_t> pads() const {
    SmallVector<int64_t> both(pad.begin(), pad.end());
    both.append(pad.begin(), pad.end());
    return unlessAll(both, 0);
  }
};

static bool checkArity(std::vector<int64_t> &values, size_t rank,
                       int64_t dflt) {
  if (values.empty())
    values.assign(rank, dflt);
  return values.size() == rank;
}

LogicalResult Importer::importConvolution(uint32_t id) {
  auto kernel = tupleAttr(id, "kernel");
  auto numFilter = intAttr(id, "num_filter");
  auto numGroup = intAttr(id, "num_group", 1);
  auto noBias = boolAttr(id, "no_bias", false);
  auto stride = tupleAttr(id, "stride", std::vector<int64_t>{});
  auto dilate = tupleAttr(id, "dilate", std::vector<int64_t>{});
  auto pad = tupleAttr(id, "pad", std::vector<int64_t>{});
  auto layout = choiceAttr(id, "layout", {"None", "NCW", "NCHW", "NCDHW"},
                           llvm::StringRef("None"));
  if (failed(kernel) || failed(numFilter) || failed(numGroup) ||
      failed(noBias) || failed(stride) || failed(dilate) || failed(pad) ||
      failed(layout))
    return failure();
  size_t rank = kernel->size();
  if (rank < 1 || rank > 3)
    return nodeError(id) << "kernel " << joined(*kernel)
                         << " must have 1 to 3 dims";
  if (!checkArity(*stride, rank, 1) || !checkArity(*dilate, rank, 1) ||
      !checkArity(*pad, rank, 0))
    return nodeError(id) << "stride, dilate and pad need " << rank
                         << " entries like kernel " << joined(*kernel);
  if (failed(needInputs(id, *noBias ? 2 : 3, 3)))
    return failure();
  auto data = input(id, 0);
  if (failed(data))
    return failure();
  auto dataShape = shapeOf(*data);
  if (dataShape.size() != rank + 2)
    return nodeError(id) << "input shape " << joined(dataShape) << " needs "
                         << rank + 2 << " dims for a " << rank
                         << "-D kernel";
  if (*numGroup < 1 || dataShape[1] % *numGroup != 0 || *numFilter < 1)
    return nodeError(id) << "num_group " << *numGroup
                         << " must divide the input channels ("
                         << dataShape[1] << ") and num_filter must be "
                         << "positive";
  SmallVector<int64_t> weightShape{*numFilter, dataShape[1] / *numGroup};
  weightShape.append(kernel->begin(), kernel->end());
  auto weight = param(id, 1, weightShape);
  if (failed(weight))
    return failure();
  Value bias;
  if (!*noBias) {
    auto b = param(id, 2, {*numFilter});
    if (failed(b))
      return failure();
    bias = *b;
  }
  Window w{*kernel, *stride, *dilate, *pad};
  auto conv = createInferred<ConvolutionOp>(
      id, *data, *weight, bias, optionalArray(w.strides()),
      optionalArray(w.dilations()), optionalArray(w.pads()),
      *numGroup == 1 ? IntegerAttr() : builder.getI64IntegerAttr(*numGroup));
  if (failed(conv))
    return failure();
  define(id, *conv);
  return success();
}

LogicalResult Importer::importBatchNorm(uint32_t id) {
  const Node &node = graph.nodes[id];
  auto eps = floatAttr(id, "eps", 1e-3);
  auto fixGamma = boolAttr(id, "fix_gamma", true);
  auto axis = intAttr(id, "axis", 1);
  if (failed(eps) || failed(fixGamma) || failed(axis) ||
      failed(needInputs(id, 3, 5)))
    return failure();
  auto data = input(id, 0);
  if (failed(data))
    return failure();
  auto normAxis = shape::normalizeAxis(*axis, shapeOf(*data).size());
  if (!normAxis)
    return nodeError(id) << llvm::toString(normAxis.takeError());
  SmallVector<int64_t> paramShape{shapeOf(*data)[*normAxis]};
  SmallVector<Value, 4> params;
  for (unsigned slot = 1; slot < 5; ++slot) {
    FailureOr<Value> p =
        slot < numInputs(id)
            ? param(id, slot, paramShape)
            // MXNet 0.8 listed only data, gamma, beta; the moving statistics
            // were implicit aux states named after the node.
            : paramNamed(id,
                         node.name +
                             (slot == 3 ? "_moving_mean" : "_moving_var"),
                         paramShape, std::nullopt);
    if (failed(p))
      return failure();
    params.push_back(*p);
  }
  auto bn = createInferred<BatchNormOp>(
      id, *data, params[0], params[1], params[2], params[3],
      builder.getF64FloatAttr(*eps), builder.getBoolAttr(*fixGamma),
      *axis == 1 ? IntegerAttr() : builder.getI64IntegerAttr(*axis));
  if (failed(bn))
    return failure();
  define(id, *bn);
  return success();
}

/// The K of an FC weight [num_hidden, K] for this input (MXNet's rule:
/// everything but the batch when flattening, else the last axis).
static int64_t fcFeatures(llvm::ArrayRef<int64_t> input, bool flatten) {
  if (!flatten)
    return input.back();
  int64_t k = 1;
  for (int64_t d : input.drop_front(input.size() > 1 ? 1 : 0))
    k *= d;
  return k;
}

LogicalResult Importer::importFullyConnected(uint32_t id) {
  auto numHidden = intAttr(id, "num_hidden");
  auto noBias = boolAttr(id, "no_bias", false);
  auto flatten = boolAttr(id, "flatten", true);
  if (failed(numHidden) || failed(noBias) || failed(flatten) ||
      failed(needInputs(id, *noBias ? 2 : 3, 3)))
    return failure();
  auto data = input(id, 0);
  if (failed(data))
    return failure();
  auto dataShape = shapeOf(*data);
  int64_t k = fcFeatures(dataShape, *flatten);
  auto weight = param(id, 1, {*numHidden, k});
  if (failed(weight))
    return failure();
  Value bias;
  if (!*noBias) {
    auto b = param(id, 2, {*numHidden});
    if (failed(b))
      return failure();
    bias = *b;
  }
  auto fc = createInferred<FullyConnectedOp>(id, *data, *weight, bias,
                                             builder.getBoolAttr(*flatten));
  if (failed(fc))
    return failure();
  define(id, *fc);
  return success();
}

LogicalResult Importer::importPooling(uint32_t id, bool quantized) {
  auto global = boolAttr(id, "global_pool", false);
  auto kernel = tupleAttr(id, "kernel", std::vector<int64_t>{});
  auto stride = tupleAttr(id, "stride", std::vector<int64_t>{});
  auto pad = tupleAttr(id, "pad", std::vector<int64_t>{});
  auto poolType = choiceAttr(id, "pool_type", {"max", "avg", "sum"},
                             llvm::StringRef("max"));
  auto convention = choiceAttr(id, "pooling_convention",
                               {"valid", "full", "same"},
                               llvm::StringRef("valid"));
  auto countIncludePad = boolAttr(id, "count_include_pad", true);
  auto layout = choiceAttr(id, "layout", {"None", "NCW", "NCHW", "NCDHW"},
                           llvm::StringRef("None"));
  if (failed(global) || failed(kernel) || failed(stride) || failed(pad) ||
      failed(poolType) || failed(convention) || failed(countIncludePad) ||
      failed(layout) || failed(needInputs(id, quantized ? 3 : 1,
                                          quantized ? 3 : 1)))
    return failure();
  auto data = input(id, 0);
  if (failed(data))
    return failure();
  size_t rank = shapeOf(*data).size() - 2;
  if (*global) {
    kernel->clear();
    stride->clear();
    pad->clear();
  } else if (!checkArity(*stride, kernel->size(), 1) ||
             !checkArity(*pad, kernel->size(), 0) ||
             kernel->size() != rank) {
    return nodeError(id) << "kernel " << joined(*kernel)
                         << ", stride and pad need one entry per spatial "
                            "dim of the input "
                         << joined(shapeOf(*data));
  }
  Window w{*kernel, *stride, {}, *pad};
  PoolConvention rule = *symbolizePoolConvention(*convention);
  auto pool = createInferred<PoolingOp>(
      id, *data, PoolKindAttr::get(context, *symbolizePoolKind(*poolType)),
      optionalArray(w.kernel), optionalArray(w.strides()),
      optionalArray(w.pads()), *global ? builder.getBoolAttr(true) : BoolAttr(),
      rule == PoolConvention::valid ? PoolConventionAttr()
                                    : PoolConventionAttr::get(context, rule),
      *countIncludePad ? BoolAttr() : builder.getBoolAttr(false));
  if (failed(pool))
    return failure();
  quantized ? defineQuantized(id, *pool) : define(id, *pool);
  return success();
}

FailureOr<EltwiseAttr> Importer::eltwiseOf(const Node &node, uint32_t id) {
  // Attributes come from `node`, which may sit inside a fused op.
  llvm::SaveAndRestore<const Node *> source(
      innerNode, &node == &graph.nodes[id] ? nullptr : &node);
  auto make = [&](EltwiseKind kind, double alpha = 0, double beta = 0) {
    return EltwiseAttr::get(context, kind, alpha, beta);
  };
  if (node.op == "Activation" || node.op == "_contrib_quantized_act") {
    auto act = choiceAttr(id, "act_type",
                          {"relu", "sigmoid", "tanh", "softrelu", "softsign"},
                          std::nullopt);
    if (failed(act))
      return failure();
    return make(*symbolizeEltwiseKind(*act));
  }
  if (node.op == "LeakyReLU") {
    auto act = choiceAttr(id, "act_type",
                          {"leaky", "elu", "selu", "gelu", "rrelu", "prelu"},
                          llvm::StringRef("leaky"));
    auto slope = floatAttr(id, "slope", 0.25);
    auto lower = floatAttr(id, "lower_bound", 0.125);
    auto upper = floatAttr(id, "upper_bound", 0.334);
    if (failed(act) || failed(slope) || failed(lower) || failed(upper))
      return failure();
    if (*act == "leaky")
      return make(EltwiseKind::leaky, *slope);
    if (*act == "elu")
      return make(EltwiseKind::elu, *slope);
    if (*act == "selu")
      return make(EltwiseKind::selu);
    if (*act == "gelu")
      return make(EltwiseKind::gelu);
    if (*act == "rrelu") // Inference uses the mean of the random slopes.
      return make(EltwiseKind::leaky, (*lower + *upper) / 2);
    return nodeError(id) << "prelu has a learned slope and is no element-wise "
                            "function",
           failure();
  }
  if (node.op == "clip") {
    auto lo = floatAttr(id, "a_min"), hi = floatAttr(id, "a_max");
    if (failed(lo) || failed(hi))
      return failure();
    if (*lo > *hi)
      return nodeError(id) << "a_min " << fmt::formatFloatRepr(*lo)
                           << " > a_max " << fmt::formatFloatRepr(*hi),
             failure();
    return make(EltwiseKind::clip, *lo, *hi);
  }
  static const llvm::StringMap<EltwiseKind> math = {
      {"sqrt", EltwiseKind::sqrt}, {"square", EltwiseKind::square},
      {"exp", EltwiseKind::exp},   {"abs", EltwiseKind::abs},
      {"relu", EltwiseKind::relu}, {"sigmoid", EltwiseKind::sigmoid},
      {"tanh", EltwiseKind::tanh}};
  auto it = math.find(node.op);
  if (it != math.end())
    return make(it->second);
  return nodeError(id) << "is not an element-wise function", failure();
}

LogicalResult Importer::importActivation(uint32_t id) {
  if (failed(needInputs(id, 1, 1)))
    return failure();
  auto data = input(id, 0);
  auto act = eltwiseOf(graph.nodes[id], id);
  if (failed(data) || failed(act))
    return failure();
  auto op = createInferred<ActivationOp>(id, *data, *act);
  if (failed(op))
    return failure();
  define(id, *op);
  return success();
}

LogicalResult Importer::importLeakyReLU(uint32_t id) {
  auto act = choiceAttr(id, "act_type",
                        {"leaky", "elu", "selu", "gelu", "rrelu", "prelu"},
                        llvm::StringRef("leaky"));
  if (failed(act))
    return failure();
  if (*act != "prelu")
    return importActivation(id);
  if (failed(needInputs(id, 2, 2)))
    return failure();
  auto data = input(id, 0);
  if (failed(data))
    return failure();
  auto dataShape = shapeOf(*data);
  auto slope = param(id, 1, {dataShape.size() > 1 ? dataShape[1] : 1});
  if (failed(slope))
    return failure();
  auto op = createInferred<PReluOp>(id, *data, *slope);
  if (failed(op))
    return failure();
  define(id, *op);
  return success();
}

LogicalResult Importer::importSoftmax(uint32_t id, llvm::StringRef flavour) {
  const Node &node = graph.nodes[id];
  int64_t axis = -1;
  std::optional<double> temperature;
  bool flattenFirst = false;
  if (flavour == "softmax" || flavour == "log_softmax") {
    auto a = intAttr(id, "axis", -1);
    if (failed(a))
      return failure();
    axis = *a;
    if (auto t = node.getAttr("temperature"); t && t->trim() != "None") {
      auto value = floatAttr(id, "temperature");
      if (failed(value))
        return failure();
      temperature = *value;
    }
  } else if (flavour == "SoftmaxActivation") {
    auto mode = choiceAttr(id, "mode", {"instance", "channel"},
                           llvm::StringRef("instance"));
    if (failed(mode))
      return failure();
    axis = *mode == "channel" ? 1 : -1;
    flattenFirst = *mode == "instance";
  } else { // SoftmaxOutput: the label input is for training only.
    auto multi = boolAttr(id, "multi_output", false);
    auto preserve = boolAttr(id, "preserve_shape", false);
    if (failed(multi) || failed(preserve))
      return failure();
    axis = *multi ? 1 : -1;
    flattenFirst = !*multi && !*preserve;
  }
  auto data = input(id, 0);
  if (failed(data))
    return failure();
  Value x = *data;
  SmallVector<int64_t> original(shapeOf(x));
  // MXNet applies instance softmax to the data viewed as [N, rest].
  flattenFirst &= original.size() > 2;
  if (flattenFirst) {
    auto flat = createInferred<FlattenOp>(id, x);
    if (failed(flat))
      return failure();
    x = *flat;
  }
  auto op = createInferred<SoftmaxOp>(
      id, x, builder.getI64IntegerAttr(axis),
      temperature ? builder.getF64FloatAttr(*temperature) : FloatAttr(),
      builder.getBoolAttr(flavour == "log_softmax"));
  if (failed(op))
    return failure();
  Value result = *op;
  if (flattenFirst) {
    auto back = createInferred<ReshapeOp>(
        id, result, builder.getDenseI64ArrayAttr(original),
        builder.getBoolAttr(false));
    if (failed(back))
      return failure();
    result = *back;
  }
  define(id, result);
  return success();
}

LogicalResult Importer::importConcat(uint32_t id, bool quantized) {
  auto dim = intAttr(id, "dim", 1);
  auto numArgs = intAttr(id, "num_args", int64_t(numInputs(id)));
  if (failed(dim) || failed(numArgs))
    return failure();
  unsigned expected = quantized ? 3 * *numArgs : *numArgs;
  if (*numArgs < 1 || numInputs(id) != expected)
    return nodeError(id) << "has " << numInputs(id) << " inputs but num_args "
                         << *numArgs << " needs " << expected;
  SmallVector<Value> inputs;
  for (unsigned i = 0; i < *numArgs; ++i) {
    auto v = input(id, i);
    if (failed(v))
      return failure();
    inputs.push_back(*v);
  }
  if (quantized) {
    // MXNet rescales every input to the union of their ranges; q makes the
    // rescaling explicit where the scales differ.
    Type common = elementOf(inputs[0]);
    bool allSame = llvm::all_of(
        inputs, [&](Value v) { return elementOf(v) == common; });
    if (!allSame) {
      double lo = 0, hi = 0;
      bool allUnsigned = true;
      for (Value v : inputs) {
        auto uniform =
            llvm::dyn_cast<quant::UniformQuantizedType>(elementOf(v));
        if (!uniform)
          return nodeError(id) << "concatenates tensors of different types "
                                  "without calibrated ranges";
        double range = uniform.getScale() *
                       (uniform.isSigned() ? kInt8Range : kUint8Range);
        hi = std::max(hi, range);
        if (uniform.isSigned())
          lo = std::min(lo, -range);
        allUnsigned &= !uniform.isSigned();
      }
      Type target = quantizedType(allUnsigned, 8, std::make_pair(lo, hi));
      for (Value &v : inputs) {
        if (elementOf(v) == target)
          continue;
        auto fp = createInferred<DequantizeOp>(id, v);
        if (failed(fp))
          return failure();
        auto q = QuantizeOp::create(
            builder, nodeLoc(id),
            RankedTensorType::get(shapeOf(v), target), *fp,
            QuantDTypeAttr::get(context, allUnsigned ? QuantDType::uint8
                                                     : QuantDType::int8),
            FloatAttr(), FloatAttr());
        setCalibAttrs(q, std::make_pair(lo, hi));
        v = q;
      }
    }
  }
  auto op = createInferred<ConcatOp>(id, inputs, builder.getI64IntegerAttr(*dim));
  if (failed(op))
    return failure();
  quantized ? defineQuantized(id, *op) : define(id, *op);
  return success();
}

LogicalResult Importer::importReshape(uint32_t id, bool quantized) {
  const Node &node = graph.nodes[id];
  if (node.getAttr("target_shape") && !node.getAttr("shape"))
    return nodeError(id) << "uses the pre-0.9 'target_shape' attribute; "
                            "re-save the model with 'shape'";
  auto shapeCodes = tupleAttr(id, "shape");
  auto reverse = boolAttr(id, "reverse", false);
  unsigned arity = quantized ? 3 : 1;
  if (failed(shapeCodes) || failed(reverse) ||
      failed(needInputs(id, arity, arity)))
    return failure();
  auto data = input(id, 0);
  if (failed(data))
    return failure();
  auto op = createInferred<ReshapeOp>(id, *data,
                                      builder.getDenseI64ArrayAttr(*shapeCodes),
                                      builder.getBoolAttr(*reverse));
  if (failed(op))
    return failure();
  quantized ? defineQuantized(id, *op) : define(id, *op);
  return success();
}

LogicalResult Importer::importSlice(uint32_t id) {
  auto begin = attr<std::vector<std::optional<int64_t>>>(
      id, "begin", fmt::parseOptIntTuple, std::nullopt);
  auto end = attr<std::vector<std::optional<int64_t>>>(
      id, "end", fmt::parseOptIntTuple, std::nullopt);
  auto step = attr<std::vector<std::optional<int64_t>>>(
      id, "step", fmt::parseOptIntTuple,
      std::vector<std::optional<int64_t>>{});
  if (failed(begin) || failed(end) || failed(step) ||
      failed(needInputs(id, 1, 1)))
    return failure();
  auto data = input(id, 0);
  if (failed(data))
    return failure();
  auto dataShape = shapeOf(*data);
  if (begin->size() != end->size() || begin->size() > dataShape.size() ||
      (!step->empty() && step->size() != begin->size()))
    return nodeError(id) << "begin, end and step must have one entry per "
                            "sliced axis";
  SmallVector<int64_t> b, e, s;
  for (size_t i = 0; i < begin->size(); ++i) {
    int64_t st = step->empty() ? 1 : (*step)[i].value_or(1);
    if (st < 1)
      return nodeError(id) << "negative or zero slice steps are not "
                              "supported";
    b.push_back((*begin)[i].value_or(0));
    e.push_back((*end)[i].value_or(dataShape[i]));
    s.push_back(st);
  }
  auto op = createInferred<SliceOp>(id, *data, builder.getDenseI64ArrayAttr(b),
                                    builder.getDenseI64ArrayAttr(e),
                                    builder.getDenseI64ArrayAttr(s));
  if (failed(op))
    return failure();
  define(id, *op);
  return success();
}

LogicalResult Importer::importSliceAxis(uint32_t id) {
  auto axis = intAttr(id, "axis");
  auto begin = intAttr(id, "begin");
  auto end = attr<std::optional<int64_t>>(id, "end", fmt::parseOptInt,
                                          std::optional<int64_t>());
  if (failed(axis) || failed(begin) || failed(end) ||
      failed(needInputs(id, 1, 1)))
    return failure();
  auto data = input(id, 0);
  if (failed(data))
    return failure();
  auto dataShape = shapeOf(*data);
  auto normAxis = shape::normalizeAxis(*axis, dataShape.size());
  if (!normAxis)
    return nodeError(id) << llvm::toString(normAxis.takeError());
  SmallVector<int64_t> b(*normAxis + 1, 0), e(dataShape.begin(),
                                              dataShape.begin() + *normAxis + 1);
  b.back() = *begin;
  e.back() = end->value_or(dataShape[*normAxis]);
  auto op = createInferred<SliceOp>(id, *data, builder.getDenseI64ArrayAttr(b),
                                    builder.getDenseI64ArrayAttr(e),
                                    builder.getDenseI64ArrayAttr({}));
  if (failed(op))
    return failure();
  define(id, *op);
  return success();
}

LogicalResult Importer::importCrop(uint32_t id) {
  auto numArgs = intAttr(id, "num_args", 1);
  auto offset = tupleAttr(id, "offset", std::vector<int64_t>{0, 0});
  auto hw = tupleAttr(id, "h_w", std::vector<int64_t>{0, 0});
  auto center = boolAttr(id, "center_crop", false);
  if (failed(numArgs) || failed(offset) || failed(hw) || failed(center) ||
      failed(needInputs(id, *numArgs, *numArgs)))
    return failure();
  auto data = input(id, 0);
  if (failed(data))
    return failure();
  auto dataShape = shapeOf(*data);
  if (dataShape.size() != 4 || offset->size() != 2 || hw->size() != 2)
    return nodeError(id) << "crops 4-D NCHW data with 2-entry offset and h_w";
  SmallVector<int64_t> sizes(hw->begin(), hw->end());
  if (*numArgs == 2) {
    auto like = input(id, 1);
    if (failed(like))
      return failure();
    auto likeShape = shapeOf(*like);
    if (likeShape.size() != 4)
      return nodeError(id) << "crop reference must be 4-D";
    sizes = {likeShape[2], likeShape[3]};
  }
  SmallVector<int64_t> offsets(offset->begin(), offset->end());
  if (*center)
    offsets = {(dataShape[2] - sizes[0]) / 2, (dataShape[3] - sizes[1]) / 2};
  auto op = createInferred<CropOp>(id, *data,
                                   builder.getDenseI64ArrayAttr(offsets),
                                   builder.getDenseI64ArrayAttr(sizes));
  if (failed(op))
    return failure();
  define(id, *op);
  return success();
}

LogicalResult Importer::importUpSampling(uint32_t id) {
  auto scale = intAttr(id, "scale");
  auto type = choiceAttr(id, "sample_type", {"nearest"},
                         llvm::StringRef("nearest"));
  auto numArgs = intAttr(id, "num_args", 1);
  if (failed(scale) || failed(type) || failed(numArgs))
    return failure();
  if (*numArgs != 1 || failed(needInputs(id, 1, 1)))
    return nodeError(id) << "nearest upsampling of more than one input is "
                            "not supported";
  auto data = input(id, 0);
  if (failed(data))
    return failure();
  auto op = createInferred<UpSamplingOp>(id, *data,
                                         builder.getI64IntegerAttr(*scale));
  if (failed(op))
    return failure();
  define(id, *op);
  return success();
}

LogicalResult Importer::importTranspose(uint32_t id) {
  auto axes = tupleAttr(id, "axes", std::vector<int64_t>{});
  if (failed(axes) || failed(needInputs(id, 1, 1)))
    return failure();
  auto data = input(id, 0);
  if (failed(data))
    return failure();
  auto op = createInferred<TransposeOp>(id, *data,
                                        builder.getDenseI64ArrayAttr(*axes));
  if (failed(op))
    return failure();
  define(id, *op);
  return success();
}

template <typename OpT> LogicalResult Importer::importBinary(uint32_t id) {
  if (failed(needInputs(id, 2, 2)))
    return failure();
  auto lhs = input(id, 0), rhs = input(id, 1);
  if (failed(lhs) || failed(rhs))
    return failure();
  auto op = createInferred<OpT>(id, *lhs, *rhs);
  if (failed(op))
    return failure();
  define(id, *op);
  return success();
}

LogicalResult Importer::importAddN(uint32_t id) {
  if (numInputs(id) < 1)
    return nodeError(id) << "needs at least one input";
  auto sum = input(id, 0);
  if (failed(sum))
    return failure();
  Value acc = *sum;
  for (unsigned i = 1; i < numInputs(id); ++i) {
    auto next = input(id, i);
    if (failed(next))
      return failure();
    auto add = createInferred<AddOp>(id, acc, *next);
    if (failed(add))
      return failure();
    acc = *add;
  }
  define(id, acc);
  return success();
}

LogicalResult Importer::importScalar(uint32_t id, ScalarKind kind) {
  auto scalar = floatAttr(id, "scalar", 1.0);
  if (failed(scalar) || failed(needInputs(id, 1, 1)))
    return failure();
  auto data = input(id, 0);
  if (failed(data))
    return failure();
  auto op = createInferred<ScalarOp>(id, *data,
                                     ScalarKindAttr::get(context, kind),
                                     builder.getF64FloatAttr(*scalar));
  if (failed(op))
    return failure();
  define(id, *op);
  return success();
}

//===----------------------------------------------------------------------===//
// Quantized ops
//===----------------------------------------------------------------------===//

/// quantize_v2 (one input) and requantize (data, min, max) share their
/// attributes and the rule for their result type.
template <typename OpT>
LogicalResult Importer::importQuantizeLike(uint32_t id, unsigned numInputs) {
  auto outType = choiceAttr(id, "out_type", {"int8", "uint8", "auto"},
                            llvm::StringRef("int8"));
  std::optional<std::pair<double, double>> range;
  if (failed(outType) || failed(calibRange(id, range)) ||
      failed(needInputs(id, numInputs, numInputs)))
    return failure();
  auto data = input(id, 0);
  if (failed(data))
    return failure();
  QuantDType dtype = *symbolizeQuantDType(*outType);
  Type element;
  if (auto integer = llvm::dyn_cast<IntegerType>(elementOf(*data))) {
    // int8/uint8 data passes through; its range is the calibration range or
    // the whole storage range (MXNet's ±127.5 / [0, 255.5]).
    bool isUnsigned = integer.isUnsigned();
    element = quantizedType(
        isUnsigned, 8,
        range ? range
              : std::make_pair(isUnsigned ? 0.0 : -kInt8Range,
                               isUnsigned ? kUint8Range : kInt8Range));
  } else {
    std::optional<double> lo;
    if (range)
      lo = range->first;
    element = quantizedType(resolvesToUnsigned(dtype, lo), 8, range);
  }
  if (!element)
    return nodeError(id) << "calibration range ["
                         << fmt::formatFloatRepr(range->first) << ", "
                         << fmt::formatFloatRepr(range->second)
                         << "] is empty";
  auto op = OpT::create(builder, nodeLoc(id),
                        RankedTensorType::get(shapeOf(*data), element), *data,
                        QuantDTypeAttr::get(context, dtype), FloatAttr(),
                        FloatAttr());
  setCalibAttrs(op, range);
  defineQuantized(id, op);
  return success();
}

LogicalResult Importer::importDequantize(uint32_t id) {
  if (failed(needInputs(id, 3, 3)))
    return failure();
  auto data = input(id, 0);
  if (failed(data))
    return failure();
  auto op = createInferred<DequantizeOp>(id, *data);
  if (failed(op))
    return failure();
  define(id, *op);
  return success();
}

LogicalResult Importer::importQuantizedAdd(uint32_t id) {
  std::optional<std::pair<double, double>> range;
  auto floatOutput = boolAttr(id, "enable_float_output", false);
  if (failed(floatOutput) || failed(calibRange(id, range)) ||
      failed(needInputs(id, 6, 6)))
    return failure();
  auto lhs = input(id, 0), rhs = input(id, 1);
  if (failed(lhs) || failed(rhs))
    return failure();
  bool bothUnsigned =
      !llvm::cast<quant::QuantizedType>(elementOf(*lhs)).isSigned() &&
      !llvm::cast<quant::QuantizedType>(elementOf(*rhs)).isSigned();
  // enable_float_output: a folded dequantize, the sum is written as f32.
  Type element = *floatOutput ? builder.getF32Type()
                 : range      ? quantizedType(bothUnsigned, 8, range)
                              : quantizedType(false, 32, std::nullopt);
  if (!element)
    return nodeError(id) << "calibration range is empty";
  auto op = QuantizedAddOp::create(
      builder, nodeLoc(id), RankedTensorType::get(shapeOf(*lhs), element), *lhs,
      *rhs, FloatAttr(), FloatAttr());
  setCalibAttrs(op, range);
  *floatOutput ? define(id, op) : defineQuantized(id, op);
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

LogicalResult Importer::importFusedConv(uint32_t id) {
  const Node &node = graph.nodes[id];
  auto quantized = boolAttr(id, "quantized", false);
  auto withBn = boolAttr(id, "with_bn", false);
  auto withAct = boolAttr(
      id, node.getAttr("with_relu") ? "with_relu" : "with_act", false);
  auto withSum = boolAttr(id, "with_sum", false);
  auto withPostsumAct = boolAttr(
      id, node.getAttr("with_postsum_relu") ? "with_postsum_relu"
                                            : "with_postsum_act",
      false);
  auto int8Weights = boolAttr(id, "q_int8_weights", false);
  auto floatOutput = boolAttr(id, "enable_float_output", false);
  std::optional<std::pair<double, double>> range;
  if (failed(quantized) || failed(withBn) || failed(withAct) ||
      failed(withSum) || failed(withPostsumAct) || failed(int8Weights) ||
      failed(floatOutput) || failed(calibRange(id, range)))
    return failure();
  if (*int8Weights && !*quantized)
    return nodeError(id) << "has q_int8_weights but is not quantized";
  if (node.subgraphs.size() != 1)
    return nodeError(id) << "must carry its fp32 graph in 'subgraphs'";
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
      return nodeError(id) << "inner op '" << n.op
                           << "' cannot be part of a fused convolution";
  }
  if (!parts.main || (*withBn && !parts.bn) || (*withSum && !parts.hasSum) ||
      (*withAct && !parts.act) || (*withPostsumAct && !parts.postsumAct))
    return nodeError(id) << "its inner graph does not contain the "
                            "convolution and post-ops its with_* attributes "
                            "announce";
  auto tuple = [&](const Node &n, llvm::StringRef key) {
    return innerAttr<std::vector<int64_t>>(id, n, key, fmt::parseIntTuple,
                                           std::vector<int64_t>{});
  };
  auto number = [&](const Node &n, llvm::StringRef key,
                    std::optional<int64_t> dflt) {
    return innerAttr<int64_t>(id, n, key, fmt::parseInt, dflt);
  };
  auto flag = [&](const Node &n, llvm::StringRef key, bool dflt) {
    return innerAttr<bool>(id, n, key, fmt::parseBool, dflt);
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
    return nodeError(id) << "inner convolution '" << conv.name
                         << "' has inconsistent kernel/stride/pad/num_filter";

  // Outer inputs: data, weight, [bias], [gamma, beta, mean, var], [sum],
  // then for quantized ops the ranges of data (and sum).
  unsigned slot = 0;
  auto data = input(id, slot++);
  if (failed(data))
    return failure();
  auto dataShape = shapeOf(*data);
  if (dataShape.size() != rank + 2 ||
      dataShape[1] % int64_t(*numGroup) != 0)
    return nodeError(id) << "input shape " << joined(dataShape)
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
    numSteps = numInputs(id) - std::min(numInputs(id), mxnetInputs);
    if (numSteps != 1 && numSteps != 2)
      return nodeError(id) << "has " << numInputs(id) << " inputs, expected "
                           << mxnetInputs + 1 << " (a step array) or "
                           << mxnetInputs + 2
                           << " (a min/max pair) for its with_* "
                              "attributes and q_int8_weights";
  }
  auto weight = *int8Weights
                    ? int8Weight(id, slot, mxnetInputs, numSteps, weightShape)
                    : param(id, slot, weightShape);
  ++slot;
  if (failed(weight))
    return failure();
  Value bias;
  if (!*noBias) {
    auto b = *int8Weights
                 ? int8WeightsBias(id, slot, *data, *weight, outChannels)
                 : param(id, slot, {outChannels});
    ++slot;
    if (failed(b))
      return failure();
    bias = *b;
  }
  SmallVector<Value, 4> bn;
  double eps = 1e-3;
  bool fixGamma = true;
  if (*withBn) {
    auto e = innerAttr<double>(
        id, *parts.bn, "eps",
        [](llvm::StringRef t) { return fmt::parseFloat(t); }, 1e-3);
    auto fg = flag(*parts.bn, "fix_gamma", true);
    if (failed(e) || failed(fg))
      return failure();
    eps = *e;
    fixGamma = *fg;
    for (int i = 0; i < 4; ++i) {
      auto p = param(id, slot++, {outChannels});
      if (failed(p))
        return failure();
      bn.push_back(*p);
    }
  }
  Value sum;
  if (*withSum) {
    auto s = input(id, slot++);
    if (failed(s))
      return failure();
    sum = *s;
  }
  unsigned expected = slot + (*quantized ? (*withSum ? 4 : 2) : 0) + numSteps;
  if (numInputs(id) != expected)
    return nodeError(id) << "has " << numInputs(id) << " inputs, expected "
                         << expected << " for its with_* attributes";

  EltwiseAttr act, postsumAct;
  if (*withAct) {
    auto a = eltwiseOf(*parts.act, id);
    if (failed(a))
      return failure();
    act = *a;
  }
  if (*withPostsumAct) {
    auto a = eltwiseOf(*parts.postsumAct, id);
    if (failed(a))
      return failure();
    postsumAct = *a;
  }
  Window w{*kernel, *stride, *dilate, *pad};
  auto geometry = shape::expandWindowGeometry(rank, w.stride, w.dilate,
                                              w.pads());
  if (!geometry)
    return nodeError(id) << llvm::toString(geometry.takeError());
  auto outShape = shape::convolution(dataShape, weightShape, *geometry,
                                     int64_t(*numGroup));
  if (!outShape)
    return nodeError(id) << llvm::toString(outShape.takeError());

  Type resultElement = builder.getF32Type();
  if (*quantized && !*floatOutput) {
    // MXNet's IsOutputUInt8: a non-negative activation decides unsigned.
    auto nonNegative = [](EltwiseAttr a) {
      return a && (a.getKind() == EltwiseKind::relu ||
                   a.getKind() == EltwiseKind::sigmoid ||
                   a.getKind() == EltwiseKind::softrelu ||
                   (a.getKind() == EltwiseKind::clip && a.getAlphaValue() >= 0));
    };
    bool isUnsigned = *withSum ? nonNegative(postsumAct) : nonNegative(act);
    resultElement = range ? quantizedType(isUnsigned, 8, range)
                          : quantizedType(false, 32, std::nullopt);
    if (!resultElement)
      return nodeError(id) << "calibration range is empty";
  }
  auto op = FusedConvOp::create(
      builder, nodeLoc(id), RankedTensorType::get(*outShape, resultElement),
      *data, *weight, bias, bn, sum, optionalArray(w.strides()),
      optionalArray(w.dilations()), optionalArray(w.pads()),
      *numGroup == 1 ? IntegerAttr() : builder.getI64IntegerAttr(*numGroup),
      *withBn ? builder.getF64FloatAttr(eps) : FloatAttr(),
      *withBn ? builder.getBoolAttr(fixGamma) : BoolAttr(), act, FloatAttr(),
      postsumAct, FloatAttr(), FloatAttr());
  setCalibAttrs(op, range);
  (*quantized && !*floatOutput) ? defineQuantized(id, op) : define(id, op);
  return success();
}

LogicalResult Importer::importFusedFC(uint32_t id) {
  const Node &node = graph.nodes[id];
  auto quantized = boolAttr(id, "quantized", false);
  auto withEltwise = boolAttr(
      id, node.getAttr("with_relu") ? "with_relu" : "with_eltwise", false);
  auto floatOutput = boolAttr(id, "enable_float_output", false);
  auto channelWise = boolAttr(id, "channel_wise_quantize", false);
  auto int8Weights = boolAttr(id, "q_int8_weights", false);
  std::optional<std::pair<double, double>> range;
  if (failed(quantized) || failed(withEltwise) || failed(floatOutput) ||
      failed(channelWise) || failed(int8Weights) ||
      failed(calibRange(id, range)))
    return failure();
  if (*int8Weights && (!*quantized || *channelWise))
    return nodeError(id) << "has q_int8_weights, which go with quantized "
                            "and without channel_wise_quantize";
  if (node.subgraphs.size() != 1)
    return nodeError(id) << "must carry its fp32 graph in 'subgraphs'";
  const Node *fc = nullptr, *act = nullptr;
  for (const Node &n : node.subgraphs.front().nodes) {
    if (n.isVariable())
      continue;
    if (n.op == "FullyConnected")
      fc = &n;
    else if (isActivationNode(n))
      act = &n;
    else
      return nodeError(id) << "inner op '" << n.op
                           << "' cannot be part of a fused fully connected";
  }
  if (!fc || (*withEltwise && !act))
    return nodeError(id) << "its inner graph does not contain the fully "
                            "connected op and post-op it announces";
  auto numHidden =
      innerAttr<int64_t>(id, *fc, "num_hidden", fmt::parseInt, std::nullopt);
  auto noBias = innerAttr<bool>(id, *fc, "no_bias", fmt::parseBool, false);
  auto flatten = innerAttr<bool>(id, *fc, "flatten", fmt::parseBool, true);
  if (failed(numHidden) || failed(noBias) || failed(flatten))
    return failure();
  auto data = input(id, 0);
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
    if (numInputs(id) != expected + 1 && numInputs(id) != expected + 2)
      return nodeError(id) << "has " << numInputs(id) << " inputs, expected "
                           << expected + 1 << " (a step array) or "
                           << expected + 2
                           << " (a min/max pair) for q_int8_weights";
  } else if (numInputs(id) != expected) {
    return nodeError(id) << "has " << numInputs(id) << " inputs, expected "
                         << expected;
  }
  FailureOr<Value> weight =
      *int8Weights
          ? int8Weight(id, 1, expected, numInputs(id) - expected, weightShape)
      : offlineWeights ? quantizedWeight(id, 1, base + 2, weightShape)
                       : param(id, 1, weightShape);
  if (failed(weight))
    return failure();
  Value bias;
  if (!*noBias) {
    auto b = *int8Weights ? int8WeightsBias(id, 2, *data, *weight, *numHidden)
             : offlineWeights ? quantizedWeight(id, 2, base + 4, {*numHidden})
                              : param(id, 2, {*numHidden});
    if (failed(b))
      return failure();
    bias = *b;
  }
  EltwiseAttr eltwise;
  if (*withEltwise) {
    auto a = eltwiseOf(*act, id);
    if (failed(a))
      return failure();
    eltwise = *a;
  }
  auto outShape = shape::fullyConnected(dataShape, weightShape, *flatten);
  if (!outShape)
    return nodeError(id) << llvm::toString(outShape.takeError());
  Type resultElement = builder.getF32Type();
  if (*quantized && !*floatOutput) {
    bool isUnsigned =
        eltwise && llvm::is_contained(
                       {EltwiseKind::relu, EltwiseKind::sigmoid,
                        EltwiseKind::softrelu, EltwiseKind::square,
                        EltwiseKind::sqrt, EltwiseKind::exp, EltwiseKind::abs},
                       eltwise.getKind());
    resultElement = range ? quantizedType(isUnsigned, 8, range)
                          : quantizedType(false, 32, std::nullopt);
    if (!resultElement)
      return nodeError(id) << "calibration range is empty";
  }
  auto op = FusedFullyConnectedOp::create(
      builder, nodeLoc(id), RankedTensorType::get(*outShape, resultElement),
      *data, *weight, bias, builder.getBoolAttr(*flatten), eltwise,
      FloatAttr(), FloatAttr());
  setCalibAttrs(op, range);
  (*quantized && !*floatOutput) ? defineQuantized(id, op) : define(id, op);
  return success();
}

//===----------------------------------------------------------------------===//
// Driver
//===----------------------------------------------------------------------===//

void Importer::registerHandlers() {
  auto add = [&](std::initializer_list<llvm::StringRef> names, Handler h) {
    for (llvm::StringRef name : names)
      handlers[name] = h;
  };
  add({"Convolution"}, [this](uint32_t id) { return importConvolution(id); });
  add({"BatchNorm"}, [this](uint32_t id) { return importBatchNorm(id); });
  add({"FullyConnected"},
      [this](uint32_t id) { return importFullyConnected(id); });
  add({"Pooling"}, [this](uint32_t id) { return importPooling(id, false); });
  add({"Activation", "clip", "sqrt", "square", "exp", "abs", "relu",
       "sigmoid", "tanh"},
      [this](uint32_t id) { return importActivation(id); });
  add({"LeakyReLU"}, [this](uint32_t id) { return importLeakyReLU(id); });
  for (llvm::StringRef flavour : {"softmax", "log_softmax",
                                  "SoftmaxActivation", "SoftmaxOutput"})
    add({flavour}, [this, flavour](uint32_t id) {
      return importSoftmax(id, flavour);
    });
  add({"Softmax"}, [this](uint32_t id) {
    return importSoftmax(id, "SoftmaxOutput");
  });
  add({"Concat", "concat"},
      [this](uint32_t id) { return importConcat(id, false); });
  add({"Flatten", "flatten"}, [this](uint32_t id) -> LogicalResult {
    if (failed(needInputs(id, 1, 1)))
      return failure();
    auto data = input(id, 0);
    if (failed(data))
      return failure();
    auto op = createInferred<FlattenOp>(id, *data);
    if (failed(op))
      return failure();
    define(id, *op);
    return success();
  });
  add({"Reshape", "reshape"},
      [this](uint32_t id) { return importReshape(id); });
  add({"slice", "crop"}, [this](uint32_t id) { return importSlice(id); });
  add({"slice_axis"}, [this](uint32_t id) { return importSliceAxis(id); });
  add({"Crop"}, [this](uint32_t id) { return importCrop(id); });
  add({"UpSampling"}, [this](uint32_t id) { return importUpSampling(id); });
  add({"transpose"}, [this](uint32_t id) { return importTranspose(id); });
  add({"Dropout"}, [this](uint32_t id) -> LogicalResult {
    auto p = floatAttr(id, "p", 0.5);
    if (failed(p) || failed(needInputs(id, 1, 1)))
      return failure();
    auto data = input(id, 0);
    if (failed(data))
      return failure();
    auto op = createInferred<DropoutOp>(id, *data, builder.getF64FloatAttr(*p));
    if (failed(op))
      return failure();
    define(id, *op);
    return success();
  });
  add({"_copy", "identity", "BlockGrad", "stop_gradient"},
      [this](uint32_t id) -> LogicalResult {
        if (failed(needInputs(id, 1, 1)))
          return failure();
        auto data = input(id, 0);
        if (failed(data))
          return failure();
        define(id, *data);
        return success();
      });
  add({"elemwise_add", "_Plus", "_plus", "_add", "broadcast_add",
       "broadcast_plus"},
      [this](uint32_t id) { return importBinary<AddOp>(id); });
  add({"elemwise_sub", "_Minus", "_minus", "_sub", "broadcast_sub",
       "broadcast_minus"},
      [this](uint32_t id) { return importBinary<SubOp>(id); });
  add({"elemwise_mul", "_Mul", "_mul", "broadcast_mul"},
      [this](uint32_t id) { return importBinary<MulOp>(id); });
  add({"elemwise_div", "_Div", "_div", "broadcast_div"},
      [this](uint32_t id) { return importBinary<DivOp>(id); });
  add({"ElementWiseSum", "add_n"},
      [this](uint32_t id) { return importAddN(id); });
  auto addScalar = [&](std::initializer_list<llvm::StringRef> names,
                       ScalarKind kind) {
    add(names, [this, kind](uint32_t id) { return importScalar(id, kind); });
  };
  addScalar({"_plus_scalar", "_PlusScalar"}, ScalarKind::add);
  addScalar({"_minus_scalar", "_MinusScalar"}, ScalarKind::sub);
  addScalar({"_rminus_scalar", "_RMinusScalar"}, ScalarKind::rsub);
  addScalar({"_mul_scalar", "_MulScalar"}, ScalarKind::mul);
  addScalar({"_div_scalar", "_DivScalar"}, ScalarKind::div);
  addScalar({"_rdiv_scalar", "_RDivScalar"}, ScalarKind::rdiv);
  addScalar({"_power_scalar", "_PowerScalar"}, ScalarKind::pow);
  addScalar({"_rpower_scalar", "_RPowerScalar"}, ScalarKind::rpow);
  addScalar({"_maximum_scalar", "_MaximumScalar"}, ScalarKind::max);
  addScalar({"_minimum_scalar", "_MinimumScalar"}, ScalarKind::min);
  add({"_contrib_quantize_v2"},
      [this](uint32_t id) { return importQuantizeLike<QuantizeOp>(id, 1); });
  add({"_contrib_requantize"}, [this](uint32_t id) {
    return importQuantizeLike<RequantizeOp>(id, 3);
  });
  add({"_contrib_dequantize"},
      [this](uint32_t id) { return importDequantize(id); });
  add({"_sg_mkldnn_conv", "_sg_onednn_conv"},
      [this](uint32_t id) { return importFusedConv(id); });
  add({"_sg_mkldnn_fully_connected", "_sg_onednn_fully_connected"},
      [this](uint32_t id) { return importFusedFC(id); });
  add({"_contrib_quantized_pooling"},
      [this](uint32_t id) { return importPooling(id, true); });
  add({"_contrib_quantized_concat"},
      [this](uint32_t id) { return importConcat(id, true); });
  add({"_contrib_quantized_elemwise_add"},
      [this](uint32_t id) { return importQuantizedAdd(id); });
  add({"_contrib_quantized_reshape"},
      [this](uint32_t id) { return importReshape(id, true); });
  add({"_contrib_quantized_flatten"}, [this](uint32_t id) -> LogicalResult {
    if (failed(needInputs(id, 3, 3)))
      return failure();
    auto data = input(id, 0);
    if (failed(data))
      return failure();
    auto op = createInferred<FlattenOp>(id, *data);
    if (failed(op))
      return failure();
    defineQuantized(id, *op);
    return success();
  });
  add({"_contrib_quantized_act"}, [this](uint32_t id) -> LogicalResult {
    if (failed(needInputs(id, 3, 3)))
      return failure();
    auto data = input(id, 0);
    auto act = eltwiseOf(graph.nodes[id], id);
    if (failed(data) || failed(act))
      return failure();
    auto op = createInferred<ActivationOp>(id, *data, *act);
    if (failed(op))
      return failure();
    defineQuantized(id, *op);
    return success();
  });
}

OwningOpRef<ModuleOp> Importer::run() {
  context->loadDialect<QDialect, func::FuncDialect, arith::ArithDialect,
                       quant::QuantDialect>();
  OwningOpRef<ModuleOp> owned = ModuleOp::create(fileLoc);
  module = *owned;
  registerHandlers();
  if (failed(checkOps()) || failed(classifyVariables()) ||
      failed(createFunction()))
    return {};

  for (auto [id, node] : llvm::enumerate(graph.nodes))
    if (!node.isVariable() && failed(handlers.find(node.op)->second(id)))
      return {};

  SmallVector<Value> results;
  SmallVector<Attribute> resultAttrs;
  for (const NodeEntry &head : graph.heads) {
    const Node &source = graph.nodes[head.node];
    auto it = values.find(key(head.node, head.index));
    if (it == values.end() || !it->second)
      return error() << "graph output " << results.size() << " is output "
                     << head.index << " of '" << source.name
                     << "', which inference does not compute",
             nullptr;
    results.push_back(it->second);
    std::string name = source.isVariable() ? source.name
                                           : source.name + "_output";
    resultAttrs.push_back(builder.getDictionaryAttr(
        builder.getNamedAttr("q.name", builder.getStringAttr(name))));
  }
  func::ReturnOp::create(builder, fileLoc, results);
  function.setFunctionType(builder.getFunctionType(
      function.getArgumentTypes(), ValueRange(results).getTypes()));
  function.setAllResultAttrs(resultAttrs);

  if (options.params && !options.allowExtraParams) {
    std::vector<std::string> extra;
    for (const auto &[stored, array] : options.params->arrays) {
      llvm::StringRef name = fmt::splitParamName(stored).second;
      if (!usedParamNames.contains(name))
        extra.push_back(name.str());
    }
    if (!extra.empty()) {
      auto diag = error() << options.paramsFile << " holds " << extra.size()
                          << " parameter(s) the graph does not use: ";
      llvm::interleaveComma(extra, diag);
      diag << " (pass " << options.flags.allowExtraParams << " to ignore them)";
      return {};
    }
  }
  if (failed(verify(module)))
    return {};
  return owned;
}

std::vector<std::string> mlir::q::supportedMXNetOps() {
  MLIRContext context;
  Graph empty;
  MXNetImportOptions options;
  return Importer(empty, options, &context).opNames();
}

OwningOpRef<ModuleOp> mlir::q::importMXNet(const Graph &graph,
                                           const MXNetImportOptions &options,
                                           MLIRContext *context) {
  // Verifier errors point at an op's NameLoc; say which file and node.
  Location fileLoc = FileLineColLoc::get(context, options.symbolFile, 0, 0);
  ScopedDiagnosticHandler rename(context, [&](Diagnostic &diag) {
    auto name = llvm::dyn_cast<NameLoc>(diag.getLocation());
    if (!name || diag.getSeverity() != DiagnosticSeverity::Error)
      return failure();
    emitError(fileLoc) << "node '" << name.getName().strref()
                       << "': " << diag.str();
    return success();
  });
  // Tensors are named after nodes: two nodes of one name would share a
  // calibration range.
  Graph unique = graph;
  std::vector<fmt::RenamedNode> renamed = fmt::makeNodeNamesUnique(unique);
  if (!renamed.empty() && options.warnRenamedNodes) {
    auto diag = emitWarning(fileLoc)
                << renamed.size() << " node(s) repeat an earlier node's name "
                << "and were renamed (tensor names must be unique): ";
    constexpr size_t kShown = 4;
    for (size_t i = 0; i < std::min(renamed.size(), kShown); ++i)
      diag << (i ? ", '" : "'") << renamed[i].oldName << "' (#" << renamed[i].id
           << ") -> '" << renamed[i].newName << "'";
    if (renamed.size() > kShown)
      diag << ", and " << renamed.size() - kShown << " more";
  }
  Importer importer(unique, options, context);
  return importer.run();
}
