//===- MXNetImporter.h - shared state of the MXNet importer -----*- C++ -*-===//
//
// Private to lib/Translate. The importer walks the MXNet graph once; each
// MXNet op name is looked up in one table (OpTable) that the op-family
// files (MXNetImport<Family>.cpp) fill, each with its own `register*Ops`.
// A handler reads its node's attributes and inputs through the Importer's
// helpers (attribute parsing, parameters with their shapes, inferred result
// types, errors naming the node) and defines the node's outputs. Adding an
// op = one `table.on(...)` entry and its handler in the family's file.
//
//===----------------------------------------------------------------------===//

#ifndef Q_LIB_TRANSLATE_MXNETIMPORTER_H
#define Q_LIB_TRANSLATE_MXNETIMPORTER_H

#include "QDialect/Translate/MXNet.h"

#include "QDialect/IR/QDialect.h"
#include "QDialect/IR/ShapeInference.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Quant/IR/Quant.h"
#include "mlir/IR/AsmState.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/SaveAndRestore.h"

#include <functional>
#include <optional>

namespace mlir::q::mxnet_import {

using ::mxnet::DType;
using ::mxnet::Graph;
using ::mxnet::NDArray;
using ::mxnet::Node;
using ::mxnet::NodeEntry;
namespace fmt = ::mxnet;

/// What an op does with one of its inputs; decides whether a variable
/// feeding it is a data input, a parameter, or an unused training label.
enum class SlotKind { Data, Param, Label, Range };

/// A node output that holds the min or max of a quantized tensor (MXNet's
/// (data, min, max) triples); q keeps the range in the tensor's type.
inline constexpr uint32_t kRangeMarker = ~0u;

inline std::string joined(llvm::ArrayRef<int64_t> dims) {
  std::string s = "[";
  for (size_t i = 0; i < dims.size(); ++i)
    s += (i ? ", " : "") + std::to_string(dims[i]);
  return s + "]";
}

inline bool isAnyOf(llvm::StringRef op,
                    std::initializer_list<llvm::StringRef> names) {
  return llvm::is_contained(names, op);
}

inline bool isFusedConv(llvm::StringRef op) {
  return op == "_sg_mkldnn_conv" || op == "_sg_onednn_conv";
}
inline bool isFusedFC(llvm::StringRef op) {
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

  // Everything below is public: the op-family files (Import*.cpp) build
  // their ops with these helpers.

  //===--- Diagnostics ---------------------------------------------------===//

  InFlightDiagnostic error() { return emitError(fileLoc); }
  InFlightDiagnostic nodeError(uint32_t id) {
    const Node &node = graph.nodes[id];
    return emitError(fileLoc)
           << "node '" << node.name << "' (#" << id << ", " << node.op << "): ";
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
  FailureOr<std::string>
  choiceAttr(uint32_t id, llvm::StringRef key,
             std::initializer_list<llvm::StringRef> allowed,
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
  FailureOr<Value> quantizedWeight(uint32_t id, unsigned slot, unsigned minSlot,
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
                           << (lo == hi
                                   ? std::to_string(lo)
                                   : llvm::formatv("{0} to {1}", lo, hi).str());
    return success();
  }
  void define(uint32_t id, Value value) { values[key(id, 0)] = value; }
  /// Output `index` of a node with several (SliceChannel).
  void defineOutput(uint32_t id, unsigned index, Value value) {
    values[key(id, index)] = value;
  }
  /// An f32 constant of `shape` filled with `fill`, named after node `id`
  /// plus `suffix` (MXNet's _zeros, ones_like, ...: their shapes are static
  /// in q).
  Value splatConstant(uint32_t id, llvm::ArrayRef<int64_t> shape, float fill,
                      llvm::StringRef suffix = "");
  /// `value`, or for a constant a computed copy (`<node>/<step>`: the
  /// constant plus a one-element zero, exact): the runtime reads constants
  /// as data only in binary arithmetic, so ops such as q.concat need this.
  FailureOr<Value> asData(uint32_t id, Value value, llvm::StringRef step);
  /// Outputs 1 and 2 of a quantized op: the range of output 0.
  void defineQuantized(uint32_t id, Value value) {
    define(id, value);
    values[key(id, 1)] = Value();
    values[key(id, 2)] = Value();
    rangeOutputs.insert(key(id, 1));
    rangeOutputs.insert(key(id, 2));
  }
  const fmt::NDArray *lookupParam(llvm::StringRef name);

  /// Builds an op whose result type is inferred, reporting a failed shape
  /// rule as an error at the node instead of aborting.
  template <typename OpT, typename... Args>
  FailureOr<Value> createInferred(uint32_t id, Args &&...args) {
    OperationState state(stepName.empty() ? nodeLoc(id) : stepLoc(id, stepName),
                         OpT::getOperationName());
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
      inferred =
          OpT::inferReturnTypes(context, state.location, state.operands,
                                state.attributes.getDictionary(context),
                                state.getRawProperties(), state.regions, types);
    }
    if (failed(inferred))
      return nodeError(id) << why, failure();
    state.types.assign(types.begin(), types.end());
    return builder.create(state)->getResult(0);
  }

  /// An intermediate op of a node that q builds from several ops: named
  /// `<node>/<step>`, so that every tensor keeps a name of its own
  /// (calibration tables, --exclude) and an exported graph re-imports with
  /// the same names. The node's final op is built with createInferred.
  template <typename OpT, typename... Args>
  FailureOr<Value> createStep(uint32_t id, llvm::StringRef step,
                              Args &&...args) {
    llvm::SaveAndRestore<std::string> scope(stepName, step.str());
    return createInferred<OpT>(id, std::forward<Args>(args)...);
  }
  Location stepLoc(uint32_t id, llvm::StringRef step) {
    return NameLoc::get(
        builder.getStringAttr(graph.nodes[id].name + "/" + step.str()));
  }
  std::string stepName;

  DenseI64ArrayAttr optionalArray(llvm::ArrayRef<int64_t> values) {
    return values.empty() ? DenseI64ArrayAttr()
                          : builder.getDenseI64ArrayAttr(values);
  }

  //===--- Ops -----------------------------------------------------------===//

  SlotKind slotKind(const Node &node, unsigned slot);
  LogicalResult classifyVariables();
  LogicalResult createFunction();
  /// Every shape given is for a variable of the graph.
  LogicalResult checkInputShapeNames();
  /// Every op has a handler: run before anything needs a shape.
  LogicalResult checkOps();

  /// The element-wise function of an activation node (or an inner node of
  /// a fused op).
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

inline llvm::ArrayRef<int64_t> shapeOf(Value v) {
  return llvm::cast<RankedTensorType>(v.getType()).getShape();
}
inline Type elementOf(Value v) {
  return llvm::cast<RankedTensorType>(v.getType()).getElementType();
}

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

/// Fills an absent per-dim attribute with `dflt`; false if its arity is
/// not `rank`.
inline bool checkArity(std::vector<int64_t> &values, size_t rank,
                       int64_t dflt) {
  if (values.empty())
    values.assign(rank, dflt);
  return values.size() == rank;
}

/// The K of an FC weight [num_hidden, K] for this input (MXNet's rule:
/// everything but the batch when flattening, else the last axis).
inline int64_t fcFeatures(llvm::ArrayRef<int64_t> input, bool flatten) {
  if (!flatten)
    return input.back();
  int64_t k = 1;
  for (int64_t d : input.drop_front(input.size() > 1 ? 1 : 0))
    k *= d;
  return k;
}

//===----------------------------------------------------------------------===//
// The op table
//===----------------------------------------------------------------------===//

/// Imports node `id` (an op node) and defines its outputs.
using OpHandler = std::function<LogicalResult(Importer &, uint32_t)>;
/// The role of a node's input `slot` (> 0; input 0 is always data) when a
/// variable feeds it.
using SlotRule = SlotKind (*)(const Node &node, unsigned slot);

/// Inputs after the data are parameters (weights, bias, BN statistics).
SlotKind paramSlots(const Node &, unsigned);
/// Inputs after the data are training labels: never given, never needed.
SlotKind labelSlots(const Node &, unsigned);
/// Inputs after the data are MXNet's (min, max) ranges of quantized data.
SlotKind rangeSlots(const Node &, unsigned);

struct OpEntry {
  OpHandler handler;
  SlotRule slots = nullptr; // null: every input is data
  /// The first name given to `on`: the op's canonical MXNet name.
  std::string canonical;
  /// The op family (the file that registered it), for the docs table.
  std::string family;
  /// What the op becomes in q, and how it runs in int8 (docs/MXNET-OPS.md).
  std::string becomes, int8 = "fp32";
};

class OpTable {
public:
  /// Sets the coverage-table text of the names one `on` registered.
  class Doc {
  public:
    Doc(OpTable &table, std::vector<std::string> names)
        : table(table), names(std::move(names)) {}
    /// The q op(s) the MXNet op becomes.
    Doc &becomes(llvm::StringRef text);
    /// How it runs in an int8 graph (default "fp32").
    Doc &int8(llvm::StringRef text);

  private:
    OpTable &table;
    std::vector<std::string> names;
  };

  /// Registers `handler` for MXNet op `names` (the first is the canonical
  /// name, the others are MXNet's aliases and legacy names).
  Doc on(std::initializer_list<llvm::StringRef> names, OpHandler handler,
         SlotRule slots = nullptr);
  const OpEntry *lookup(llvm::StringRef name) const;
  /// Every accepted name, sorted.
  std::vector<std::string> names() const;
  const llvm::StringMap<OpEntry> &entries() const { return ops; }
  /// The family the following `on` calls register (set by the table).
  std::string family;

private:
  llvm::StringMap<OpEntry> ops;
};

/// The table every import uses, filled once by the families below.
const OpTable &opTable();
/// The entry of refusedMXNetOps() for `name`, if any.
const RefusedOp *findRefused(llvm::StringRef name);

void registerNNOps(OpTable &table);          // conv, FC, BN, pooling
void registerElementwiseOps(OpTable &table); // activations, arithmetic
void registerShapeOps(OpTable &table);       // reshape, slice, concat, ...
void registerReduceOps(OpTable &table);      // sum, mean, max, min
void registerInitOps(OpTable &table);        // _zeros, ones_like, ...
void registerCopyOps(OpTable &table); // broadcast_to, repeat, Pad, ...
void registerQuantizedOps(OpTable &table);   // MXNet's int8 graph ops

// Handlers one family shares with another (the quantized forms).
LogicalResult importPooling(Importer &im, uint32_t id, bool quantized);
LogicalResult importConcat(Importer &im, uint32_t id, bool quantized);
LogicalResult importReshape(Importer &im, uint32_t id, bool quantized);
LogicalResult importFlatten(Importer &im, uint32_t id, bool quantized);

} // namespace mlir::q::mxnet_import

#endif // Q_LIB_TRANSLATE_MXNETIMPORTER_H
