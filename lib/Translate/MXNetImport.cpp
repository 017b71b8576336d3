//===- MXNetImport.cpp - MXNet symbol JSON + .params to the q dialect -----===//
//
// The driver of the importer: walks the (topologically sorted) MXNet graph
// once, turning each node into q ops through the handler that the op table
// (MXNetImporter.h; one file per op family) holds for its op name. Parameter
// shapes are derived from the consuming op, as MXNet's shape inference does, so
// models without .params import too (their parameters become function
// arguments) and every stored parameter is checked against the shape its op
// needs.
//
//===----------------------------------------------------------------------===//

#include "MXNetImporter.h"

#include "mlir/IR/Verifier.h"
#include "llvm/ADT/SetVector.h"

#include <map>
#include <mutex>

using namespace mlir;
using namespace mlir::q;
using namespace mlir::q::mxnet_import;

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

//===----------------------------------------------------------------------===//
// The op table
//===----------------------------------------------------------------------===//

SlotKind mlir::q::mxnet_import::paramSlots(const Node &, unsigned) {
  return SlotKind::Param;
}
SlotKind mlir::q::mxnet_import::labelSlots(const Node &, unsigned) {
  return SlotKind::Label;
}
SlotKind mlir::q::mxnet_import::rangeSlots(const Node &, unsigned) {
  return SlotKind::Range;
}

OpTable::Doc OpTable::on(std::initializer_list<llvm::StringRef> names,
                         OpHandler handler, SlotRule slots) {
  assert(names.size() > 0 && "an op needs a name");
  std::vector<std::string> registered;
  for (llvm::StringRef name : names) {
    OpEntry entry{handler, slots, names.begin()->str(), family};
    bool added = ops.try_emplace(name, std::move(entry)).second;
    assert(added && "MXNet op name registered twice");
    (void)added;
    registered.push_back(name.str());
  }
  return Doc(*this, std::move(registered));
}

OpTable::Doc &OpTable::Doc::becomes(llvm::StringRef text) {
  for (const std::string &name : names)
    table.ops[name].becomes = text.str();
  return *this;
}

OpTable::Doc &OpTable::Doc::int8(llvm::StringRef text) {
  for (const std::string &name : names)
    table.ops[name].int8 = text.str();
  return *this;
}

const OpEntry *OpTable::lookup(llvm::StringRef name) const {
  auto it = ops.find(name);
  return it == ops.end() ? nullptr : &it->second;
}

std::vector<std::string> OpTable::names() const {
  std::vector<std::string> result;
  for (const auto &entry : ops)
    result.push_back(entry.getKey().str());
  llvm::sort(result);
  return result;
}

const OpTable &mlir::q::mxnet_import::opTable() {
  static OpTable table;
  static std::once_flag filled;
  std::call_once(filled, [] {
    std::pair<const char *, void (*)(OpTable &)> families[] = {
        {"nn", registerNNOps},
        {"elementwise", registerElementwiseOps},
        {"shape", registerShapeOps},
        {"reduce", registerReduceOps},
        {"init", registerInitOps},
        {"copy", registerCopyOps},
        {"quantized", registerQuantizedOps}};
    for (auto [family, fill] : families) {
      table.family = family;
      fill(table);
    }
  });
  return table;
}

//===----------------------------------------------------------------------===//
// Ops refused on purpose, and the coverage table of docs/MXNET-OPS.md
//===----------------------------------------------------------------------===//

llvm::ArrayRef<RefusedOp> mlir::q::refusedMXNetOps() {
  static const RefusedOp kRefused[] = {
      // Ops of MXNet forks, which a user may take for MXNet's own.
      {"QConvolution", "BMXNet", true},
      {"QFullyConnected", "BMXNet", true},
      {"QActivation", "BMXNet", true},
      {"det_sign", "BMXNet", true},
      {"round_ste", "BMXNet", true},
      // MXNet ops real model zoos use that q does not import yet (#15).
      {"RNN",
       "fused RNN (lstm, gru, rnn_tanh, rnn_relu) needs a runtime "
       "kernel over oneDNN's RNN primitives",
       false},
      {"Deconvolution", "needs a q op, its shape rules and a runtime kernel",
       false},
      {"Embedding", "needs a gather kernel", false},
      {"one_hot", "needs a kernel", false},
      {"_contrib_box_nms", "detection post-processing, not yet", false},
      {"_contrib_box_decode", "detection post-processing, not yet", false},
      {"MultiBoxPrior", "detection post-processing, not yet", false},
      {"MultiBoxDetection", "detection post-processing, not yet", false},
      {"prod", "no exact form in q's ops; needs a reduction kernel", false},
      {"where", "needs a select kernel", false},
      {"_equal", "comparisons need a kernel", false},
      {"_not_equal", "comparisons need a kernel", false},
      {"_greater", "comparisons need a kernel", false},
      {"_lesser", "comparisons need a kernel", false},
      {"_greater_scalar", "comparisons need a kernel", false},
      {"_lesser_scalar", "comparisons need a kernel", false},
      {"_equal_scalar", "comparisons need a kernel", false},
      {"broadcast_equal", "comparisons need a kernel", false},
      {"broadcast_not_equal", "comparisons need a kernel", false},
      {"broadcast_greater", "comparisons need a kernel", false},
      {"broadcast_lesser", "comparisons need a kernel", false},
      {"log", "needs an element-wise kind in q.activation and libqrt", false},
      {"erf", "needs an element-wise kind in q.activation and libqrt", false},
      {"batch_dot", "needs a batched matmul kernel", false},
      {"dot", "needs a matmul kernel", false},
      {"InstanceNorm", "needs a normalization kernel", false},
      {"L2Normalization", "needs a normalization kernel", false},
      {"LayerNorm", "needs a normalization kernel", false},
      {"LRN", "needs oneDNN's LRN primitive", false},
      {"SequenceLast", "sequence ops need kernels", false},
      {"SequenceMask", "sequence ops need kernels", false},
      {"SequenceReverse", "sequence ops need kernels", false},
      {"WarpCTC", "CTC training head, not yet", false},
      {"_arange", "not yet", false},
      {"_contrib_BilinearResize2D", "needs a bilinear resize kernel", false},
  };
  return kRefused;
}

const RefusedOp *mlir::q::mxnet_import::findRefused(llvm::StringRef name) {
  for (const RefusedOp &refused : refusedMXNetOps())
    if (name == refused.name)
      return &refused;
  return nullptr;
}

std::string mlir::q::mxnetOpCoverageMarkdown() {
  const OpTable &table = opTable();
  // Canonical op -> its aliases, per family, in registration-independent
  // (sorted) order.
  std::map<std::string, std::map<std::string, std::vector<std::string>>>
      families;
  for (const auto &entry : table.entries()) {
    const OpEntry &op = entry.getValue();
    auto &aliases = families[op.family][op.canonical];
    if (entry.getKey() != op.canonical)
      aliases.push_back(entry.getKey().str());
  }
  std::string text;
  llvm::raw_string_ostream os(text);
  os << "# MXNet op coverage\n\n"
     << "Generated from the importer's op table (`lib/Translate/"
        "MXNetImport*.cpp`) by\n`scripts/gen-mxnet-ops.sh`; do not edit "
        "(`QMXNetTranslateTests` fails when\nthis file is stale). "
     << table.entries().size()
     << " MXNet op names are accepted. \"int8\" says how the op\n"
        "runs in an int8 graph: quantized by `q-quantize` (fused conv/fc, "
        "support ops\nthat pass a scale through), part of MXNet's own "
        "quantized graphs (\"int8\ngraph\"), removed at import, or in "
        "fp32 between dequantize and quantize.\n";
  for (auto &[family, ops] : families) {
    os << "\n## " << family << "\n\n| MXNet op | aliases | q | int8 |\n"
       << "|---|---|---|---|\n";
    for (auto &[name, aliases] : ops) {
      llvm::sort(aliases);
      const OpEntry *op = table.lookup(name);
      os << "| `" << name << "` | ";
      llvm::interleave(
          aliases, os, [&](const std::string &a) { os << "`" << a << "`"; },
          ", ");
      os << " | " << op->becomes << " | " << op->int8 << " |\n";
    }
  }
  os << "\n## Refused on purpose\n\n| MXNet op | why |\n|---|---|\n"
     << "| `Custom` | a Python custom op: its code is not in the model files "
        "|\n";
  for (const RefusedOp &refused : refusedMXNetOps())
    os << "| `" << refused.name << "` | "
       << (refused.fork
               ? "an op of " + std::string(refused.reason) + ", a fork of MXNet"
               : std::string("not yet: ") + refused.reason)
       << " |\n";
  return text;
}

//===----------------------------------------------------------------------===//
// Variables: data inputs, parameters, labels
//===----------------------------------------------------------------------===//

SlotKind Importer::slotKind(const Node &node, unsigned slot) {
  if (slot == 0)
    return SlotKind::Data;
  const OpEntry *entry = opTable().lookup(node.op);
  return entry && entry->slots ? entry->slots(node, slot) : SlotKind::Data;
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
    if (!node.isVariable() && !opTable().lookup(node.op))
      unknown.push_back(id);
  if (unknown.empty())
    return success();
  uint32_t id = unknown.front();
  const Node &node = graph.nodes[id];
  for (const RefusedOp &refused : refusedMXNetOps())
    if (refused.fork && node.op == refused.name)
      return nodeError(id) << "'" << node.op << "' is an op of "
                           << refused.reason
                           << ", a fork of MXNet, not of MXNet itself; q "
                              "imports MXNet's own ops only";
  auto diag = nodeError(id);
  if (node.op == "Custom")
    diag << "a Python custom op (op_type '"
         << node.getAttr("op_type").value_or("?")
         << "'): its code lives in the Python program, not in the model "
            "files, so q cannot compile it";
  else if (const RefusedOp *refused = findRefused(node.op))
    diag << "'" << node.op << "' is not supported by q yet (" << refused->reason
         << ")";
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
  llvm::interleaveComma(opTable().names(), diag);
  return failure();
}

OwningOpRef<ModuleOp> Importer::run() {
  context->loadDialect<QDialect, func::FuncDialect, arith::ArithDialect,
                       quant::QuantDialect>();
  OwningOpRef<ModuleOp> owned = ModuleOp::create(fileLoc);
  module = *owned;
  if (failed(checkOps()) || failed(classifyVariables()) ||
      failed(createFunction()))
    return {};

  for (auto [id, node] : llvm::enumerate(graph.nodes))
    if (!node.isVariable() &&
        failed(opTable().lookup(node.op)->handler(*this, id)))
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
    std::string name =
        source.isVariable() ? source.name : source.name + "_output";
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
  return opTable().names();
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
