//===- MXNetSymbol.cpp - MXNet symbol JSON reader and writer --------------===//
//
// Reads every layout NNVM's LoadJSON (plus MXNet's legacy upgraders) accepts
// and writes the layout MXNet 1.9's SaveJSON produces, byte for byte.
//
//===----------------------------------------------------------------------===//

#include "QDialect/Translate/MXNetFormat.h"

#include <cmath>
#include <functional>

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/Twine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/raw_ostream.h"

#include <limits>
#include <set>

using namespace llvm;
using namespace mxnet;

//===----------------------------------------------------------------------===//
// Data model helpers
//===----------------------------------------------------------------------===//

std::optional<StringRef> Node::getAttr(StringRef key) const {
  auto it = attrs.find(key.str());
  if (it == attrs.end())
    return std::nullopt;
  return StringRef(it->second);
}

std::optional<uint32_t> Graph::numOutputs(uint32_t id) const {
  if (nodeRowPtr.size() != nodes.size() + 1 || id >= nodes.size() ||
      nodeRowPtr[id + 1] < nodeRowPtr[id])
    return std::nullopt;
  return nodeRowPtr[id + 1] - nodeRowPtr[id];
}

bool mxnet::operator==(const Node &a, const Node &b) {
  return a.op == b.op && a.name == b.name && a.attrs == b.attrs &&
         a.inputs == b.inputs && a.controlDeps == b.controlDeps &&
         a.subgraphs == b.subgraphs;
}

bool mxnet::operator==(const Graph &a, const Graph &b) {
  return a.nodes == b.nodes && a.argNodes == b.argNodes &&
         a.nodeRowPtr == b.nodeRowPtr && a.heads == b.heads &&
         a.attrs == b.attrs && a.mxnetVersion == b.mxnetVersion;
}

//===----------------------------------------------------------------------===//
// Reader
//===----------------------------------------------------------------------===//

namespace {

const char *kindName(const json::Value &v) {
  switch (v.kind()) {
  case json::Value::Null:
    return "null";
  case json::Value::Boolean:
    return "a boolean";
  case json::Value::Number:
    return "a number";
  case json::Value::String:
    return "a string";
  case json::Value::Array:
    return "an array";
  case json::Value::Object:
    return "an object";
  }
  return "a value";
}

std::string describeNode(uint32_t id, StringRef name) {
  if (name.empty())
    return ("node #" + Twine(id)).str();
  return ("node '" + name + "' (#" + Twine(id) + ")").str();
}

// Keys that MXNet before 0.9 wrote without the `__` decoration.
const char *const kHiddenKeys[] = {"ctx_group", "lr_mult", "wd_mult",
                                   "force_mirroring", "mirror_stage"};

class SymbolReader {
public:
  explicit SymbolReader(StringRef fileName) : fileName(fileName) {}

  Expected<Graph> readGraph(const json::Value &value, const std::string &where,
                            std::optional<int> inheritedVersion);

private:
  Error fail(const std::string &where, const Twine &msg) {
    std::string text = fileName.str() + ": ";
    if (!where.empty())
      text += where + ": ";
    return createStringError(inconvertibleErrorCode(), text + msg.str());
  }

  Expected<uint32_t> readIndex(const json::Value &v, const std::string &where,
                               const Twine &what);
  Expected<NodeEntry> readEntry(const json::Value &v, const std::string &where,
                                const Twine &what);
  Error readStringMap(const json::Value &v, const std::string &where,
                      StringRef key, std::map<std::string, std::string> &out);
  Error readNode(const json::Value &v, uint32_t id, const std::string &prefix,
                 int version, Node &node);

  StringRef fileName;
};

} // namespace

Expected<uint32_t> SymbolReader::readIndex(const json::Value &v,
                                           const std::string &where,
                                           const Twine &what) {
  std::optional<int64_t> i = v.getAsInteger();
  if (!i)
    return fail(where, what + " must be an integer, got " + kindName(v));
  if (*i < 0 || *i > std::numeric_limits<uint32_t>::max())
    return fail(where, what + " is out of range: " + Twine(*i));
  return static_cast<uint32_t>(*i);
}

Expected<NodeEntry> SymbolReader::readEntry(const json::Value &v,
                                            const std::string &where,
                                            const Twine &what) {
  const json::Array *arr = v.getAsArray();
  if (!arr || (arr->size() != 2 && arr->size() != 3))
    return fail(where, what +
                           " must be [node, index] or [node, index, version]"
                           ", got " +
                           (arr ? Twine(arr->size()) + " elements"
                                : Twine(kindName(v))));
  NodeEntry e;
  auto node = readIndex((*arr)[0], where, what + " node id");
  if (!node)
    return node.takeError();
  auto index = readIndex((*arr)[1], where, what + " output index");
  if (!index)
    return index.takeError();
  e.node = *node;
  e.index = *index;
  if (arr->size() == 3) {
    auto version = readIndex((*arr)[2], where, what + " version");
    if (!version)
      return version.takeError();
    e.version = *version;
  }
  return e;
}

Error SymbolReader::readStringMap(const json::Value &v,
                                  const std::string &where, StringRef key,
                                  std::map<std::string, std::string> &out) {
  const json::Object *obj = v.getAsObject();
  if (!obj)
    return fail(where, "'" + key + "' must be an object, got " + kindName(v));
  // Sorted for deterministic error messages (json::Object is a hash map).
  std::vector<std::pair<std::string, const json::Value *>> items;
  for (const auto &kv : *obj)
    items.emplace_back(kv.first.str(), &kv.second);
  llvm::sort(items,
             [](const auto &a, const auto &b) { return a.first < b.first; });
  for (const auto &[k, val] : items) {
    std::optional<StringRef> s = val->getAsString();
    if (!s)
      return fail(where, "attribute '" + k + "' in '" + key +
                             "' must be a string, got " + kindName(*val));
    // Earlier sources win: attrs, then attr, then param (NNVM's insert()).
    out.emplace(k, s->str());
  }
  return Error::success();
}

Error SymbolReader::readNode(const json::Value &v, uint32_t id,
                             const std::string &prefix, int version,
                             Node &node) {
  std::string where = prefix + describeNode(id, "");
  const json::Object *obj = v.getAsObject();
  if (!obj)
    return fail(where, Twine("must be an object, got ") + kindName(v));

  // Name first so later messages can use it.
  const json::Value *nameV = obj->get("name");
  if (!nameV)
    return fail(where, "missing required key 'name'");
  if (!nameV->getAsString())
    return fail(where,
                Twine("'name' must be a string, got ") + kindName(*nameV));
  node.name = nameV->getAsString()->str();
  where = prefix + describeNode(id, node.name);

  for (const auto &kv : *obj) {
    StringRef key = kv.first;
    if (!is_contained(ArrayRef<StringRef>{"op", "name", "inputs", "attrs",
                                          "attr", "param", "control_deps",
                                          "subgraphs", "backward_source_id"},
                      key))
      return fail(where, "unknown key '" + key +
                             "' (expected op, name, inputs, attrs, attr, "
                             "param, control_deps, subgraphs)");
  }

  const json::Value *opV = obj->get("op");
  if (!opV)
    return fail(where, "missing required key 'op'");
  if (!opV->getAsString())
    return fail(where, Twine("'op' must be a string, got ") + kindName(*opV));
  node.op = opV->getAsString()->str();
  if (node.op.empty())
    return fail(where, "'op' is empty (variables use \"null\")");

  for (StringRef key : {"attrs", "attr", "param"})
    if (const json::Value *a = obj->get(key))
      if (Error e = readStringMap(*a, where, key, node.attrs))
        return e;

  // Only its type is checked: NNVM reads it as an int and drops it.
  if (const json::Value *b = obj->get("backward_source_id"))
    if (!b->getAsInteger())
      return fail(where,
                  Twine("'backward_source_id' must be an integer, got ") +
                      kindName(*b));

  const json::Value *inputsV = obj->get("inputs");
  if (!inputsV)
    return fail(where, "missing required key 'inputs'");
  const json::Array *inputs = inputsV->getAsArray();
  if (!inputs)
    return fail(where,
                Twine("'inputs' must be an array, got ") + kindName(*inputsV));
  for (auto [i, in] : llvm::enumerate(*inputs)) {
    auto e = readEntry(in, where, "input " + Twine(i));
    if (!e)
      return e.takeError();
    node.inputs.push_back(*e);
  }

  if (const json::Value *c = obj->get("control_deps")) {
    const json::Array *deps = c->getAsArray();
    if (!deps)
      return fail(where, Twine("'control_deps' must be an array, got ") +
                             kindName(*c));
    for (auto [i, d] : llvm::enumerate(*deps)) {
      auto dep = readIndex(d, where, "control dependency " + Twine(i));
      if (!dep)
        return dep.takeError();
      node.controlDeps.push_back(*dep);
    }
  }

  if (const json::Value *s = obj->get("subgraphs")) {
    const json::Array *subs = s->getAsArray();
    if (!subs)
      return fail(where,
                  Twine("'subgraphs' must be an array, got ") + kindName(*s));
    for (auto [i, sub] : llvm::enumerate(*subs)) {
      std::string subWhere = where + ": subgraph " + std::to_string(i);
      auto g = readGraph(sub, subWhere, version);
      if (!g)
        return g.takeError();
      node.subgraphs.push_back(std::move(*g));
    }
  }
  return Error::success();
}

// MXNet's UpgradeJSON_FixParsing: keys like `ctx_group` become
// `__ctx_group__`, and `<arg>_lr_mult` on an op moves to its input variable.
// MXNet finds that input through the op's argument names; without an op
// registry we look for the variable NNVM would have created for it,
// `<op name>_<arg>`, and otherwise keep the key where it is (as MXNet does
// for ops it cannot resolve).
static void fixHiddenKeys(Graph &g) {
  for (Node &n : g.nodes) {
    std::vector<std::pair<std::string, std::string>> hidden;
    for (auto it = n.attrs.begin(); it != n.attrs.end();) {
      StringRef k = it->first;
      bool isHidden = any_of(kHiddenKeys, [&](StringRef key) {
        size_t pos = k.rfind(key);
        return pos == 0 ||
               (pos != StringRef::npos && pos == k.size() - key.size());
      });
      if (!isHidden) {
        ++it;
        continue;
      }
      hidden.emplace_back(it->first, it->second);
      it = n.attrs.erase(it);
    }
    for (auto &[k, v] : hidden) {
      bool placed = false;
      for (StringRef key : kHiddenKeys) {
        size_t pos = StringRef(k).rfind(key);
        if (pos == 0 && key.size() == k.size()) {
          n.attrs["__" + key.str() + "__"] = v;
          placed = true;
          break;
        }
        if (pos != StringRef::npos && pos > 1 && pos == k.size() - key.size()) {
          if (n.isVariable())
            break;
          std::string varName = n.name + "_" + k.substr(0, pos - 1);
          for (const NodeEntry &in : n.inputs) {
            Node &src = g.nodes[in.node];
            if (src.isVariable() && src.name == varName) {
              src.attrs["__" + key.str() + "__"] = v;
              placed = true;
              break;
            }
          }
          break;
        }
      }
      if (!placed)
        n.attrs[k] = v;
    }
  }
}

static void applyUpgrades(Graph &g) {
  if (g.mxnetVersion < kWrittenMXNetVersion)
    fixHiddenKeys(g);
  // 0.9.5 made argmin/argmax's axis optional; -1 used to mean "all".
  if (g.mxnetVersion < 905)
    for (Node &n : g.nodes)
      if ((n.op == "argmax" || n.op == "argmin") && n.getAttr("axis") == "-1")
        n.attrs.erase("axis");
}

Expected<Graph> SymbolReader::readGraph(const json::Value &value,
                                        const std::string &where,
                                        std::optional<int> inheritedVersion) {
  const json::Object *obj = value.getAsObject();
  if (!obj)
    return fail(where, Twine("the graph must be a JSON object, got ") +
                           kindName(value));
  for (const auto &kv : *obj) {
    StringRef key = kv.first;
    if (!is_contained(ArrayRef<StringRef>{"nodes", "arg_nodes", "node_row_ptr",
                                          "heads", "attrs"},
                      key))
      return fail(where, "unknown top-level key '" + key +
                             "' (expected nodes, arg_nodes, node_row_ptr, "
                             "heads, attrs)");
  }

  Graph g;
  g.mxnetVersion = inheritedVersion.value_or(kLegacyMXNetVersion);
  if (const json::Value *a = obj->get("attrs")) {
    const json::Object *attrs = a->getAsObject();
    if (!attrs)
      return fail(where, Twine("graph 'attrs' must be an object, got ") +
                             kindName(*a));
    for (const auto &kv : *attrs) {
      const json::Array *pair = kv.second.getAsArray();
      if (!pair || pair->size() != 2 || !(*pair)[0].getAsString())
        return fail(where, "graph attribute '" + kv.first.str() +
                               "' must be [\"type\", value]");
      if (kv.first == "mxnet_version") {
        std::optional<int64_t> ver = (*pair)[1].getAsInteger();
        if ((*pair)[0].getAsString() != "int" || !ver || *ver < 0 ||
            *ver > std::numeric_limits<int>::max())
          return fail(where, "graph attribute 'mxnet_version' must be "
                             "[\"int\", <version>]");
        g.mxnetVersion = static_cast<int>(*ver);
        continue;
      }
      // The writer could not print inf or nan back as JSON.
      std::function<bool(const json::Value &)> finite =
          [&](const json::Value &v) {
            if (auto d = v.getAsNumber())
              return std::isfinite(*d);
            if (const json::Array *items = v.getAsArray())
              return llvm::all_of(*items, finite);
            if (const json::Object *fields = v.getAsObject())
              return llvm::all_of(*fields, [&](const auto &field) {
                return finite(field.second);
              });
            return true;
          };
      if (!finite(kv.second))
        return fail(where, "graph attribute '" + kv.first.str() +
                               "' holds a non-finite number");
      g.attrs.emplace(kv.first.str(), kv.second);
    }
  }

  const json::Value *nodesV = obj->get("nodes");
  if (!nodesV)
    return fail(where, "missing required key 'nodes'");
  const json::Array *nodes = nodesV->getAsArray();
  if (!nodes)
    return fail(where,
                Twine("'nodes' must be an array, got ") + kindName(*nodesV));
  std::string nodePrefix = where.empty() ? "" : where + ": ";
  g.nodes.resize(nodes->size());
  for (auto [i, n] : llvm::enumerate(*nodes))
    if (Error e = readNode(n, i, nodePrefix, g.mxnetVersion, g.nodes[i]))
      return std::move(e);

  auto readIds = [&](StringRef key, std::vector<uint32_t> &out,
                     bool required) -> Error {
    const json::Value *v = obj->get(key);
    if (!v)
      return required ? fail(where, "missing required key '" + key + "'")
                      : Error::success();
    const json::Array *arr = v->getAsArray();
    if (!arr)
      return fail(where, "'" + key + "' must be an array, got " + kindName(*v));
    for (auto [i, x] : llvm::enumerate(*arr)) {
      auto id = readIndex(x, where, key + "[" + Twine(i) + "]");
      if (!id)
        return id.takeError();
      out.push_back(*id);
    }
    return Error::success();
  };
  if (Error e = readIds("arg_nodes", g.argNodes, /*required=*/true))
    return std::move(e);
  if (Error e = readIds("node_row_ptr", g.nodeRowPtr, /*required=*/false))
    return std::move(e);

  const json::Value *headsV = obj->get("heads");
  if (!headsV)
    return fail(where, "missing required key 'heads'");
  const json::Array *heads = headsV->getAsArray();
  if (!heads)
    return fail(where,
                Twine("'heads' must be an array, got ") + kindName(*headsV));
  for (auto [i, h] : llvm::enumerate(*heads)) {
    auto e = readEntry(h, where, "heads[" + Twine(i) + "]");
    if (!e)
      return e.takeError();
    g.heads.push_back(*e);
  }

  if (Error e =
          verifyGraph(g, fileName.str() + (where.empty() ? "" : ": " + where)))
    return std::move(e);
  applyUpgrades(g);
  return g;
}

//===----------------------------------------------------------------------===//
// Verification
//===----------------------------------------------------------------------===//

static Error verifyGraphImpl(const Graph &g, const std::string &prefix) {
  auto fail = [&](const Twine &msg) {
    return createStringError(inconvertibleErrorCode(), prefix + msg.str());
  };
  size_t n = g.nodes.size();

  bool haveRowPtr = !g.nodeRowPtr.empty();
  if (haveRowPtr) {
    if (g.nodeRowPtr.size() != n + 1)
      return fail("'node_row_ptr' has " + Twine(g.nodeRowPtr.size()) +
                  " values, expected " + Twine(n + 1) +
                  " (number of nodes + 1)");
    if (g.nodeRowPtr[0] != 0)
      return fail("'node_row_ptr' must start at 0, got " +
                  Twine(g.nodeRowPtr[0]));
    for (size_t i = 0; i < n; ++i)
      if (g.nodeRowPtr[i + 1] < g.nodeRowPtr[i])
        return fail("'node_row_ptr' decreases at " +
                    describeNode(i, g.nodes[i].name));
  }

  // Where a node's output count is known, an entry must name a real output.
  // `who` is "" for graph heads.
  auto checkEntry = [&](const NodeEntry &e, const std::string &what,
                        const std::string &who, uint32_t limit,
                        bool isInput) -> Error {
    std::string lead = who.empty() ? what : who + ": " + what;
    if (e.node >= n)
      return fail(lead + " refers to node #" + Twine(e.node) +
                  ", but the graph has only " + Twine(n) +
                  " nodes (dangling reference)");
    if (e.node >= limit)
      return fail(lead + " refers to node #" + Twine(e.node) + " '" +
                  g.nodes[e.node].name + "'" +
                  (isInput ? ", which does not come before it (nodes must be "
                             "topologically sorted; forward reference or "
                             "cycle)"
                           : ""));
    if (std::optional<uint32_t> outs = g.numOutputs(e.node))
      if (e.index >= *outs)
        return fail(lead + " reads output " + Twine(e.index) + " of " +
                    describeNode(e.node, g.nodes[e.node].name) +
                    ", which has " + Twine(*outs) +
                    " outputs according to node_row_ptr");
    return Error::success();
  };

  for (uint32_t id = 0; id < n; ++id) {
    const Node &node = g.nodes[id];
    std::string who = describeNode(id, node.name);
    if (node.isVariable() && !node.inputs.empty())
      return fail(who + ": variable (op \"null\") has " +
                  Twine(node.inputs.size()) + " inputs");
    for (auto [i, in] : llvm::enumerate(node.inputs))
      if (Error e = checkEntry(in, "input " + std::to_string(i), who, id,
                               /*isInput=*/true))
        return e;
    for (auto [i, dep] : llvm::enumerate(node.controlDeps)) {
      if (dep >= n)
        return fail(who + ": control dependency " + Twine(i) +
                    " refers to node #" + Twine(dep) +
                    ", but the graph has only " + Twine(n) +
                    " nodes (dangling reference)");
      if (dep >= id)
        return fail(who + ": control dependency " + Twine(i) +
                    " refers to node #" + Twine(dep) +
                    ", which does not come before it (nodes must be "
                    "topologically sorted; forward reference or cycle)");
    }
    for (auto [i, sub] : llvm::enumerate(node.subgraphs))
      if (Error e = verifyGraphImpl(sub, prefix + who + ": subgraph " +
                                             std::to_string(i) + ": "))
        return e;
  }

  for (auto [i, h] : llvm::enumerate(g.heads))
    if (Error e = checkEntry(h, "heads[" + std::to_string(i) + "]", "", n,
                             /*isInput=*/false))
      return e;

  for (auto [i, id] : llvm::enumerate(g.argNodes)) {
    if (id >= n)
      return fail("arg_nodes[" + Twine(i) + "] = " + Twine(id) +
                  " is out of range (the graph has " + Twine(n) + " nodes)");
    if (!g.nodes[id].isVariable())
      return fail("arg_nodes[" + Twine(i) + "] = " + Twine(id) + " names " +
                  describeNode(id, g.nodes[id].name) + " with op '" +
                  g.nodes[id].op + "', which is not a variable");
  }
  return Error::success();
}

Error mxnet::verifyGraph(const Graph &graph, StringRef fileName) {
  return verifyGraphImpl(graph, fileName.empty() ? "" : fileName.str() + ": ");
}

std::vector<RenamedNode> mxnet::makeNodeNamesUnique(Graph &graph) {
  std::set<std::string> taken, seenOps;
  for (const Node &node : graph.nodes)
    taken.insert(node.name);
  // Next suffix to try per base name, so that many duplicates stay linear.
  std::map<std::string, unsigned> nextSuffix;
  std::vector<RenamedNode> renamed;
  for (auto [id, node] : llvm::enumerate(graph.nodes)) {
    if (node.isVariable() || seenOps.insert(node.name).second)
      continue;
    unsigned &k = nextSuffix.try_emplace(node.name, 1).first->second;
    std::string name;
    do
      name = node.name + "#" + std::to_string(k++);
    while (taken.count(name));
    taken.insert(name);
    seenOps.insert(name);
    renamed.push_back({uint32_t(id), node.name, name});
    node.name = name;
  }
  return renamed;
}

// Turns json::ParseError's "[line:col, byte=N]: msg" into the usual
// "file:line:col: ..." form.
static Error jsonSyntaxError(Error err, StringRef fileName) {
  std::string text = toString(std::move(err));
  StringRef rest = text;
  std::string pos, msg = text;
  if (rest.consume_front("[")) {
    auto [loc, tail] = rest.split("]: ");
    auto [lineCol, byte] = loc.split(", ");
    auto [line, col] = lineCol.split(':');
    // At end of input the parser reports column 0; columns start at 1.
    pos = (line + ":" + (col == "0" ? "1" : col)).str();
    msg = (tail + " (" + byte + ")").str();
  }
  return createStringError(inconvertibleErrorCode(),
                           fileName + ":" + (pos.empty() ? "" : pos + ":") +
                               " malformed JSON: " + msg);
}

// llvm::json and the graph reader recurse per nesting level; a hostile file
// of a million '[' would exhaust the stack. Real graphs nest about 8 deep
// (subgraph > nodes > node > inputs > entry).
static Error checkNesting(StringRef text, StringRef fileName) {
  constexpr unsigned kMaxDepth = 256;
  unsigned depth = 0, line = 1;
  size_t lineStart = 0;
  bool inString = false, escaped = false;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '\n') {
      ++line;
      lineStart = i + 1;
    }
    if (inString) {
      if (escaped)
        escaped = false;
      else if (c == '\\')
        escaped = true;
      else if (c == '"')
        inString = false;
      continue;
    }
    if (c == '"') {
      inString = true;
    } else if (c == '[' || c == '{') {
      if (++depth > kMaxDepth)
        return createStringError(inconvertibleErrorCode(),
                                 fileName + ":" + Twine(line) + ":" +
                                     Twine(i - lineStart + 1) +
                                     ": malformed JSON: nesting deeper than " +
                                     Twine(kMaxDepth) + " levels");
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return Error::success();
}

Expected<Graph> mxnet::parseSymbolJSON(StringRef text, StringRef fileName) {
  if (Error e = checkNesting(text, fileName))
    return std::move(e);
  Expected<json::Value> doc = json::parse(text);
  if (!doc)
    return jsonSyntaxError(doc.takeError(), fileName);
  return SymbolReader(fileName).readGraph(*doc, "", std::nullopt);
}

Expected<Graph> mxnet::readSymbolFile(StringRef path) {
  ErrorOr<std::unique_ptr<MemoryBuffer>> buf =
      MemoryBuffer::getFile(path, /*IsText=*/false,
                            /*RequiresNullTerminator=*/false);
  if (!buf)
    return createStringError(buf.getError(), "%s: cannot read: %s",
                             path.str().c_str(),
                             buf.getError().message().c_str());
  return parseSymbolJSON((*buf)->getBuffer(), path);
}

//===----------------------------------------------------------------------===//
// Writer
//===----------------------------------------------------------------------===//

namespace {

// Mirrors dmlc::JSONWriter so the output matches MXNet's files: ", " between
// items, a newline plus two spaces per open scope in multi-line scopes.
class DmlcJSONWriter {
public:
  explicit DmlcJSONWriter(std::string &out) : out(out) {}

  void beginObject(bool multiLine = true) { open('{', multiLine); }
  void endObject() { close('}'); }
  void beginArray(bool multiLine) { open('[', multiLine); }
  void endArray() { close(']'); }

  void key(StringRef k) {
    if (counts.back() > 0)
      out += ", ";
    separator();
    string(k);
    out += ": ";
    ++counts.back();
  }
  void item() {
    if (counts.back() != 0)
      out += ", ";
    ++counts.back();
    separator();
  }

  void string(StringRef s) {
    out += '"';
    for (unsigned char c : s) {
      switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        // dmlc writes other control bytes raw, which is not valid JSON.
        if (c < 0x20) {
          char buf[8];
          snprintf(buf, sizeof(buf), "\\u%04x", c);
          out += buf;
        } else {
          out += static_cast<char>(c);
        }
      }
    }
    out += '"';
  }
  void number(uint64_t v) { out += std::to_string(v); }

  void entry(const NodeEntry &e) {
    beginArray(false);
    item();
    number(e.node);
    item();
    number(e.index);
    item();
    number(e.version);
    endArray();
  }

  // dmlc writes arrays of plain values on one line up to 10 elements.
  void ids(ArrayRef<uint32_t> v) {
    beginArray(v.size() > 10);
    for (uint32_t x : v) {
      item();
      number(x);
    }
    endArray();
  }
  void entries(ArrayRef<NodeEntry> v) {
    beginArray(v.size() > 10);
    for (const NodeEntry &e : v) {
      item();
      entry(e);
    }
    endArray();
  }

  void value(const json::Value &v) {
    switch (v.kind()) {
    case json::Value::Array: {
      const json::Array &a = *v.getAsArray();
      bool nested = any_of(a, [](const json::Value &x) {
        return x.kind() == json::Value::Array ||
               x.kind() == json::Value::Object;
      });
      beginArray(a.size() > 10 || nested);
      for (const json::Value &x : a) {
        item();
        value(x);
      }
      endArray();
      break;
    }
    case json::Value::Object: {
      const json::Object &o = *v.getAsObject();
      std::vector<StringRef> keys;
      for (const auto &kv : o)
        keys.push_back(kv.first);
      llvm::sort(keys);
      beginObject(o.size() > 1);
      for (StringRef k : keys) {
        key(k);
        value(*o.get(k));
      }
      endObject();
      break;
    }
    case json::Value::String:
      string(*v.getAsString());
      break;
    default: {
      raw_string_ostream os(out);
      os << v;
      break;
    }
    }
  }

  // A graph attribute: dmlc::any as an inline ["type", value] pair.
  void anyValue(const json::Value &v) {
    const json::Array *a = v.getAsArray();
    if (!a || a->size() != 2) {
      value(v);
      return;
    }
    beginArray(false);
    for (const json::Value &x : *a) {
      item();
      value(x);
    }
    endArray();
  }

  void graph(const Graph &g, bool top);

private:
  void open(char c, bool multiLine) {
    out += c;
    multi.push_back(multiLine);
    counts.push_back(0);
  }
  void close(char c) {
    bool newline = multi.back();
    size_t n = counts.back();
    multi.pop_back();
    counts.pop_back();
    if (newline && n != 0)
      separator();
    out += c;
  }
  void separator() {
    if (multi.empty() || multi.back()) {
      out += '\n';
      out.append(multi.size() * 2, ' ');
    }
  }

  std::string &out;
  std::vector<bool> multi;
  std::vector<size_t> counts;
};

} // namespace

void DmlcJSONWriter::graph(const Graph &g, bool top) {
  beginObject();
  key("nodes");
  beginArray(true);
  for (const Node &n : g.nodes) {
    item();
    beginObject();
    key("op");
    string(n.op);
    key("name");
    string(n.name);
    if (!n.attrs.empty()) {
      key("attrs");
      beginObject(n.attrs.size() > 1);
      for (const auto &[k, v] : n.attrs) {
        key(k);
        string(v);
      }
      endObject();
    }
    key("inputs");
    entries(n.inputs);
    if (!n.controlDeps.empty()) {
      key("control_deps");
      ids(n.controlDeps);
    }
    if (!n.subgraphs.empty()) {
      key("subgraphs");
      beginArray(true);
      for (const Graph &sub : n.subgraphs) {
        item();
        graph(sub, /*top=*/false);
      }
      endArray();
    }
    endObject();
  }
  endArray();

  key("arg_nodes");
  ids(g.argNodes);

  key("node_row_ptr");
  if (g.nodeRowPtr.size() == g.nodes.size() + 1) {
    ids(g.nodeRowPtr);
  } else {
    // Without a recorded count, a node has as many outputs as are read.
    std::vector<uint32_t> outputs(g.nodes.size(), 1);
    auto note = [&](const NodeEntry &e) {
      if (e.node < outputs.size())
        outputs[e.node] = std::max(outputs[e.node], e.index + 1);
    };
    for (const Node &n : g.nodes)
      llvm::for_each(n.inputs, note);
    llvm::for_each(g.heads, note);
    std::vector<uint32_t> rowPtr(g.nodes.size() + 1, 0);
    for (size_t i = 0; i < g.nodes.size(); ++i)
      rowPtr[i + 1] = rowPtr[i] + outputs[i];
    ids(rowPtr);
  }

  key("heads");
  entries(g.heads);

  std::map<std::string, const json::Value *> attrs;
  for (const auto &[k, v] : g.attrs)
    attrs[k] = &v;
  json::Value version = json::Array{"int", kWrittenMXNetVersion};
  if (top)
    attrs["mxnet_version"] = &version;
  if (!attrs.empty()) {
    key("attrs");
    beginObject(attrs.size() > 1);
    for (const auto &[k, v] : attrs) {
      key(k);
      anyValue(*v);
    }
    endObject();
  }
  endObject();
}

std::string mxnet::writeSymbolJSON(const Graph &graph) {
  std::string out;
  DmlcJSONWriter(out).graph(graph, /*top=*/true);
  return out;
}

Error mxnet::writeSymbolFile(const Graph &graph, StringRef path) {
  std::string text = writeSymbolJSON(graph);
  return writeToOutput(path, [&](raw_ostream &os) {
    os << text;
    return Error::success();
  });
}
