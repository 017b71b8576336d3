//===- MXNetSymbolTest.cpp - symbol JSON reader/writer tests --------------===//

#include "QDialect/Translate/MXNetFormat.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

#include <string>

using namespace mxnet;
using ::testing::HasSubstr;

namespace {

std::string modelPath(llvm::StringRef dir) {
  return (llvm::Twine(Q_SHARED_DIR) + "/models/" + dir + "/" + dir +
          "-symbol.json")
      .str();
}

std::string readText(const std::string &path) {
  auto buf = llvm::MemoryBuffer::getFile(path);
  EXPECT_TRUE(bool(buf)) << path;
  return buf ? (*buf)->getBuffer().str() : std::string();
}

Graph load(llvm::StringRef dir) {
  auto g = readSymbolFile(modelPath(dir));
  if (!g) {
    ADD_FAILURE() << llvm::toString(g.takeError());
    return Graph();
  }
  return std::move(*g);
}

// The message of the error parsing `text` yields (the test fails if it
// parses).
std::string parseError(llvm::StringRef text) {
  auto g = parseSymbolJSON(text, "bad.json");
  if (g) {
    ADD_FAILURE() << "expected an error for: " << text.str();
    return "";
  }
  return llvm::toString(g.takeError());
}

// A small valid graph to break in the malformed-input tests.
std::string mlp(llvm::StringRef nodeExtra = "",
                llvm::StringRef fcInputs = "[[0, 0, 0], [1, 0, 0]]",
                llvm::StringRef tail = R"("arg_nodes": [0, 1],
  "heads": [[2, 0, 0]])") {
  return (R"({
  "nodes": [
    {"op": "null", "name": "data", "inputs": []},
    {"op": "null", "name": "fc_weight", "inputs": []},
    {"op": "FullyConnected", "name": "fc", "attrs": {"num_hidden": "4"},
     "inputs": )" +
          fcInputs + nodeExtra + R"(}
  ],
  )" + tail +
          "\n}")
      .str();
}

const NodeEntry E(uint32_t n, uint32_t i = 0, uint32_t v = 0) {
  return NodeEntry{n, i, v};
}

} // namespace

//===----------------------------------------------------------------------===//
// Real files
//===----------------------------------------------------------------------===//

struct ModelFacts {
  const char *dir;
  size_t nodes;
  size_t args;
  NodeEntry head;
  int version;
  size_t rowPtr;
};

TEST(MXNetSymbolRealFiles, ParseAll) {
  const ModelFacts facts[] = {
      {"2-layer-mlp", 8, 5, E(7), 1201, 9},
      {"lenet", 19, 9, E(18), 10401, 20},
      {"mnist-tanh-cnn", 19, 9, E(18), 10600, 20},
      {"mobilefacenet", 432, 285, E(431), 10000, 433},
      {"mobilenet_v2_bcast", 425, 269, E(424), 1100, 426},
      {"mobilenetv2_1.0", 422, 267, E(421), 10600, 423},
      {"mxnet-test-legacy-mlp", 17, 10, E(16), kLegacyMXNetVersion, 0},
      {"mxnet-test-mkldnn-model1", 73, 34, E(72), 10200, 74},
      {"resnet-152", 979, 464, E(978), kLegacyMXNetVersion, 0},
      {"resnet50_v1", 474, 300, E(473), 10901, 475},
      {"squeezenet-v1.1", 120, 53, E(119), kLegacyMXNetVersion, 0},
  };
  // Every shared model is covered.
  std::error_code ec;
  size_t dirs = 0;
  for (llvm::sys::fs::directory_iterator it(Q_SHARED_DIR "/models", ec), end;
       it != end && !ec; it.increment(ec))
    if (llvm::sys::fs::exists(it->path() + "/" +
                              llvm::sys::path::filename(it->path()) +
                              "-symbol.json"))
      ++dirs;
  EXPECT_EQ(dirs, std::size(facts));

  for (const ModelFacts &f : facts) {
    SCOPED_TRACE(f.dir);
    Graph g = load(f.dir);
    EXPECT_EQ(g.nodes.size(), f.nodes);
    EXPECT_EQ(g.argNodes.size(), f.args);
    ASSERT_EQ(g.heads.size(), 1u);
    EXPECT_EQ(g.heads[0], f.head);
    EXPECT_EQ(g.mxnetVersion, f.version);
    EXPECT_EQ(g.nodeRowPtr.size(), f.rowPtr);
    EXPECT_TRUE(g.attrs.empty());
    EXPECT_EQ(g.nodes[0].name, "data");
    EXPECT_TRUE(g.nodes[0].isVariable());
    for (uint32_t id : g.argNodes)
      EXPECT_TRUE(g.nodes[id].isVariable());
    EXPECT_FALSE(llvm::errorToBool(verifyGraph(g, f.dir)));
  }
}

TEST(MXNetSymbolRealFiles, LegacyParamKeys) {
  // resnet-152: v0.8 layout with "param", "backward_source_id", 2-element
  // entries and no node_row_ptr.
  Graph g = load("resnet-152");
  const Node &bn = g.nodes[3];
  EXPECT_EQ(bn.op, "BatchNorm");
  EXPECT_EQ(bn.name, "bn_data");
  EXPECT_EQ(bn.getAttr("eps"), "2e-05");
  EXPECT_EQ(bn.getAttr("fix_gamma"), "True");
  EXPECT_EQ(bn.getAttr("momentum"), "0.9");
  EXPECT_EQ(bn.attrs.size(), 4u);
  // v0.8 BatchNorm lists only data, gamma, beta (aux states are implicit).
  EXPECT_EQ(bn.inputs, (std::vector<NodeEntry>{E(0), E(1), E(2)}));
  EXPECT_EQ(g.nodes[5].op, "Convolution");
  EXPECT_EQ(g.nodes[5].name, "conv0");
  EXPECT_EQ(g.nodes[978].op, "softmax");
  EXPECT_TRUE(g.nodes[0].attrs.empty());
}

TEST(MXNetSymbolRealFiles, LegacyAttrKey) {
  Graph g = load("mobilenet_v2_bcast");
  const Node &conv = g.nodes[2];
  EXPECT_EQ(conv.op, "Convolution");
  EXPECT_EQ(conv.name, "conv1");
  EXPECT_EQ(conv.getAttr("kernel"), "(3, 3)");
  EXPECT_EQ(conv.getAttr("no_bias"), "True");
  EXPECT_EQ(conv.getAttr("stride"), "(2, 2)");
  EXPECT_EQ(conv.inputs, (std::vector<NodeEntry>{E(0), E(1)}));
  // The weight variable carries a copy of the op's attrs (old MXNet).
  EXPECT_EQ(g.nodes[1].getAttr("num_filter"), "32");
  size_t bcast = 0;
  for (const Node &n : g.nodes)
    bcast += n.op == "broadcast_add";
  EXPECT_GT(bcast, 0u);
}

TEST(MXNetSymbolRealFiles, HiddenKeysUpgraded) {
  Graph g = load("mxnet-test-legacy-mlp");
  using Attrs = std::map<std::string, std::string>;
  EXPECT_EQ(g.nodes[0].attrs,
            (Attrs{{"__ctx_group__", "stage1"}, {"__lr_mult__", "0.2"}}));
  // On a variable `weight_lr_mult` stays (MXNet cannot move it); fc1 moves
  // its own `weight_lr_mult` onto fc1_weight as `__lr_mult__`.
  EXPECT_EQ(g.nodes[1].name, "fc1_weight");
  EXPECT_EQ(g.nodes[1].attrs, (Attrs{{"__ctx_group__", "stage1"},
                                     {"__lr_mult__", "1.2"},
                                     {"__wd_mult__", "0.3"},
                                     {"weight_lr_mult", "1.2"}}));
  EXPECT_EQ(g.nodes[2].attrs, (Attrs{{"__ctx_group__", "stage1"},
                                     {"__wd_mult__", "0.3"},
                                     {"weight_lr_mult", "1.2"}}));
  EXPECT_EQ(g.nodes[3].name, "fc1");
  EXPECT_EQ(g.nodes[3].attrs, (Attrs{{"__ctx_group__", "stage1"},
                                     {"__wd_mult__", "0.3"},
                                     {"no_bias", "False"},
                                     {"num_hidden", "128"}}));
  EXPECT_EQ(g.nodes[5].attrs,
            (Attrs{{"__ctx_group__", "stage2"}, {"__lr_mult__", "0.01"}}));
  EXPECT_EQ(g.nodes[14].op, "BatchNorm");
  EXPECT_EQ(g.nodes[14].getAttr("eps"), "0.001");
  EXPECT_EQ(g.nodes[16].inputs, (std::vector<NodeEntry>{E(14), E(15)}));
  for (const Node &n : g.nodes) {
    EXPECT_FALSE(n.getAttr("ctx_group")) << n.name;
    EXPECT_FALSE(n.getAttr("lr_mult")) << n.name;
    EXPECT_FALSE(n.getAttr("wd_mult")) << n.name;
  }
}

TEST(MXNetSymbolRealFiles, GluonExportDetails) {
  Graph g = load("resnet50_v1");
  const Node &bn = g.nodes[7];
  EXPECT_EQ(bn.op, "BatchNorm");
  EXPECT_EQ(bn.name, "resnetv10_batchnorm0_fwd");
  // Mutated moving stats are read at version 2.
  EXPECT_EQ(bn.inputs,
            (std::vector<NodeEntry>{E(2), E(3), E(4), E(5, 0, 2), E(6, 0, 2)}));
  // BatchNorm declares 3 outputs in node_row_ptr, variables 1.
  EXPECT_EQ(g.numOutputs(7), 3u);
  EXPECT_EQ(g.numOutputs(6), 1u);
  EXPECT_EQ(g.nodes[3].getAttr("__shape__"), "(64,)");

  Graph lenet = load("lenet");
  EXPECT_EQ(lenet.nodes[3].op, "Convolution");
  EXPECT_EQ(lenet.nodes[3].name, "hybridsequential0_conv0_fwd");
  EXPECT_EQ(lenet.nodes[3].inputs, (std::vector<NodeEntry>{E(0), E(1), E(2)}));
  EXPECT_EQ(lenet.nodes[1].getAttr("__shape__"), "(5, 0, 5, 5)");
  EXPECT_EQ(lenet.nodes[18].op, "FullyConnected");
}

// writeSymbolJSON reproduces MXNet 1.9's own output byte for byte.
TEST(MXNetSymbolRealFiles, WriterMatchesMXNet19Bytes) {
  std::string text = readText(modelPath("resnet50_v1"));
  auto g = parseSymbolJSON(text, "resnet50_v1");
  ASSERT_TRUE(bool(g)) << llvm::toString(g.takeError());
  EXPECT_EQ(writeSymbolJSON(*g), text);

  // Files from 1.4 and 1.6 have the same layout, only the version differs.
  for (const char *dir : {"lenet", "mnist-tanh-cnn", "mobilenetv2_1.0"}) {
    SCOPED_TRACE(dir);
    std::string orig = readText(modelPath(dir));
    auto parsed = parseSymbolJSON(orig, dir);
    ASSERT_TRUE(bool(parsed)) << llvm::toString(parsed.takeError());
    std::string expected = orig;
    size_t at = expected.find("[\"int\", 10");
    ASSERT_NE(at, std::string::npos);
    expected.replace(at, 14, "[\"int\", 10901]");
    EXPECT_EQ(writeSymbolJSON(*parsed), expected);
  }
}

TEST(MXNetSymbolRealFiles, WriteParseRoundTrip) {
  for (const char *dir :
       {"2-layer-mlp", "lenet", "mnist-tanh-cnn", "mobilenet_v2_bcast",
        "mobilenetv2_1.0", "mxnet-test-legacy-mlp", "mxnet-test-mkldnn-model1",
        "resnet-152", "resnet50_v1", "squeezenet-v1.1"}) {
    SCOPED_TRACE(dir);
    Graph g = load(dir);
    std::string text = writeSymbolJSON(g);
    auto back = parseSymbolJSON(text, "roundtrip.json");
    ASSERT_TRUE(bool(back)) << llvm::toString(back.takeError());
    // The writer always states 1.9.1 and a node_row_ptr.
    Graph expected = g;
    expected.mxnetVersion = kWrittenMXNetVersion;
    if (expected.nodeRowPtr.empty())
      for (uint32_t i = 0; i <= expected.nodes.size(); ++i)
        expected.nodeRowPtr.push_back(i);
    EXPECT_TRUE(*back == expected);
    // Writing is a fixed point.
    EXPECT_EQ(writeSymbolJSON(*back), text);
  }
}

TEST(MXNetSymbolRealFiles, WriteFileAtomically) {
  Graph g = load("lenet");
  llvm::SmallString<128> path;
  ASSERT_FALSE(llvm::sys::fs::createTemporaryFile("q-sym", "json", path));
  ASSERT_FALSE(llvm::errorToBool(writeSymbolFile(g, path)));
  auto back = readSymbolFile(path);
  ASSERT_TRUE(bool(back)) << llvm::toString(back.takeError());
  EXPECT_EQ(back->nodes, g.nodes);
  llvm::sys::fs::remove(path);

  auto missing = readSymbolFile("/nonexistent/x-symbol.json");
  ASSERT_FALSE(bool(missing));
  EXPECT_THAT(llvm::toString(missing.takeError()),
              HasSubstr("/nonexistent/x-symbol.json: cannot read"));
}

//===----------------------------------------------------------------------===//
// Loader features on small inputs
//===----------------------------------------------------------------------===//

TEST(MXNetSymbol, MinimalGraph) {
  auto g = parseSymbolJSON(mlp(), "m.json");
  ASSERT_TRUE(bool(g)) << llvm::toString(g.takeError());
  EXPECT_EQ(g->nodes.size(), 3u);
  EXPECT_EQ(g->mxnetVersion, kLegacyMXNetVersion);
  EXPECT_EQ(g->nodes[2].getAttr("num_hidden"), "4");
  EXPECT_FALSE(g->nodes[2].getAttr("nope"));
}

TEST(MXNetSymbol, AttrSourcesMerge) {
  auto g = parseSymbolJSON(mlp(R"(, "attr": {"num_hidden": "8", "a": "attr"},
        "param": {"num_hidden": "9", "a": "param", "b": "param"},
        "backward_source_id": -1)"),
                           "m.json");
  ASSERT_TRUE(bool(g)) << llvm::toString(g.takeError());
  const Node &fc = g->nodes[2];
  EXPECT_EQ(fc.getAttr("num_hidden"), "4");
  EXPECT_EQ(fc.getAttr("a"), "attr");
  EXPECT_EQ(fc.getAttr("b"), "param");
}

TEST(MXNetSymbol, HiddenKeysOnlyBefore191) {
  std::string v08 = mlp(R"(, "attr": {"lr_mult": "2", "mirror_stage": "1",
                                      "lr_mult_x": "3"})");
  auto g = parseSymbolJSON(v08, "m.json");
  ASSERT_TRUE(bool(g)) << llvm::toString(g.takeError());
  EXPECT_EQ(g->nodes[2].getAttr("__lr_mult__"), "2");
  EXPECT_EQ(g->nodes[2].getAttr("__mirror_stage__"), "1");
  // Starts with a hidden key but is not one: kept as is.
  EXPECT_EQ(g->nodes[2].getAttr("lr_mult_x"), "3");
  EXPECT_FALSE(g->nodes[2].getAttr("lr_mult"));

  // 1.9.1 files are taken literally.
  std::string v19 = mlp(R"(, "attr": {"lr_mult": "2"})", "[[0, 0], [1, 0]]",
                        R"("arg_nodes": [0, 1], "heads": [[2, 0]],
  "attrs": {"mxnet_version": ["int", 10901]})");
  auto g19 = parseSymbolJSON(v19, "m.json");
  ASSERT_TRUE(bool(g19)) << llvm::toString(g19.takeError());
  EXPECT_EQ(g19->nodes[2].getAttr("lr_mult"), "2");
  EXPECT_EQ(g19->mxnetVersion, 10901);
}

TEST(MXNetSymbol, ArgmaxAxisUpgrade) {
  const char *text = R"({"nodes": [
    {"op": "null", "name": "x", "inputs": []},
    {"op": "argmax", "name": "a", "param": {"axis": "-1"}, "inputs": [[0, 0]]},
    {"op": "argmin", "name": "b", "param": {"axis": "1"}, "inputs": [[0, 0]]}],
  "arg_nodes": [0], "heads": [[1, 0], [2, 0]]})";
  auto g = parseSymbolJSON(text, "a.json");
  ASSERT_TRUE(bool(g)) << llvm::toString(g.takeError());
  EXPECT_FALSE(g->nodes[1].getAttr("axis"));
  EXPECT_EQ(g->nodes[2].getAttr("axis"), "1");
}

TEST(MXNetSymbol, GraphAttrsAndControlDeps) {
  const char *text = R"({"nodes": [
    {"op": "null", "name": "x", "inputs": []},
    {"op": "relu", "name": "r", "inputs": [[0, 0, 0]]},
    {"op": "relu", "name": "s", "inputs": [[0, 0, 0]], "control_deps": [1]}],
  "arg_nodes": [0], "node_row_ptr": [0, 1, 2, 3], "heads": [[2, 0, 0]],
  "attrs": {"is_np_shape": ["int", 1], "mxnet_version": ["int", 10901]}})";
  auto g = parseSymbolJSON(text, "a.json");
  ASSERT_TRUE(bool(g)) << llvm::toString(g.takeError());
  EXPECT_EQ(g->nodes[2].controlDeps, std::vector<uint32_t>{1});
  ASSERT_EQ(g->attrs.size(), 1u);
  EXPECT_EQ(g->attrs.at("is_np_shape"),
            llvm::json::Value(llvm::json::Array{"int", 1}));
  std::string out = writeSymbolJSON(*g);
  EXPECT_THAT(out, HasSubstr(R"("control_deps": [1])"));
  EXPECT_THAT(out, HasSubstr(R"("attrs": {
    "is_np_shape": ["int", 1], 
    "mxnet_version": ["int", 10901]
  })"));
  auto back = parseSymbolJSON(out, "b.json");
  ASSERT_TRUE(bool(back)) << llvm::toString(back.takeError());
  EXPECT_TRUE(*back == *g);
}

// A fused MKLDNN conv as MXNet 1.9 writes it after quantization: the nested
// fp32 graph sits in "subgraphs", without attrs.
TEST(MXNetSymbol, SubgraphsRoundTrip) {
  Graph inner;
  inner.nodes.push_back({"null", "data0", {}, {}, {}, {}});
  inner.nodes.push_back({"null", "w0", {}, {}, {}, {}});
  inner.nodes.push_back({"Convolution",
                         "conv0",
                         {{"kernel", "(3, 3)"}, {"num_filter", "8"}},
                         {E(0), E(1)},
                         {},
                         {}});
  inner.argNodes = {0, 1};
  inner.heads = {E(2)};

  Graph g;
  g.nodes.push_back({"null", "data", {}, {}, {}, {}});
  g.nodes.push_back({"null", "w", {}, {}, {}, {}});
  g.nodes.push_back({"_sg_mkldnn_conv",
                     "sg_mkldnn_conv_0",
                     {{"with_act", "true"}},
                     {E(0), E(1)},
                     {},
                     {inner}});
  g.argNodes = {0, 1};
  g.heads = {E(2)};
  std::string text = writeSymbolJSON(g);
  EXPECT_THAT(text, HasSubstr(R"("subgraphs": [
        {
          "nodes": [)"));
  auto back = parseSymbolJSON(text, "sg.json");
  ASSERT_TRUE(bool(back)) << llvm::toString(back.takeError());
  ASSERT_EQ(back->nodes[2].subgraphs.size(), 1u);
  const Graph &sub = back->nodes[2].subgraphs[0];
  EXPECT_EQ(sub.nodes[2].getAttr("kernel"), "(3, 3)");
  EXPECT_EQ(sub.mxnetVersion, kWrittenMXNetVersion);
  EXPECT_TRUE(sub.attrs.empty());
  // The writer emitted node_row_ptr for both graphs.
  g.nodeRowPtr = {0, 1, 2, 3};
  g.nodes[2].subgraphs[0].nodeRowPtr = {0, 1, 2, 3};
  EXPECT_TRUE(*back == g);
}

TEST(MXNetSymbol, WriterEscapesStrings) {
  Graph g;
  g.nodes.push_back({"null", "a\"b\\c\nd\x01", {}, {}, {}, {}});
  g.argNodes = {0};
  g.heads = {E(0)};
  std::string text = writeSymbolJSON(g);
  EXPECT_THAT(text, HasSubstr(R"("a\"b\\c\nd\u0001")"));
  auto back = parseSymbolJSON(text, "e.json");
  ASSERT_TRUE(bool(back)) << llvm::toString(back.takeError());
  EXPECT_EQ(back->nodes[0].name, g.nodes[0].name);
}

//===----------------------------------------------------------------------===//
// Malformed inputs: each error names the file and the node or position.
//===----------------------------------------------------------------------===//

TEST(MXNetSymbolErrors, SyntaxErrorHasLineAndColumn) {
  EXPECT_THAT(parseError("{\"nodes\": [}"),
              HasSubstr("bad.json:1:12: malformed JSON:"));
  std::string err = parseError("{\n  \"nodes\": [\n    {\"op\": \"null\",,}\n");
  EXPECT_THAT(err,
              HasSubstr("bad.json:3:19: malformed JSON: Expected object key"));
  EXPECT_THAT(err, HasSubstr("byte="));
  EXPECT_THAT(parseError(""), HasSubstr("bad.json:1:1: malformed JSON"));
}

TEST(MXNetSymbolErrors, DeepNestingRefused) {
  std::string deep = "{\"nodes\": " + std::string(100000, '[');
  EXPECT_EQ(parseError(deep), "bad.json:1:266: malformed JSON: nesting deeper "
                              "than 256 levels");
  // Brackets inside strings do not count.
  std::string quoted = "{\"nodes\": [], \"arg_nodes\": [], \"heads\": [], "
                       "\"attrs\": {\"x\": [\"str\", \"" +
                       std::string(1000, '[') + "\\\"\"]}}";
  auto g = parseSymbolJSON(quoted, "q.json");
  ASSERT_TRUE(bool(g)) << llvm::toString(g.takeError());
  EXPECT_EQ(g->attrs.size(), 1u);
}

// Random corruption of a real file never crashes and always reports.
TEST(MXNetSymbolErrors, FuzzedText) {
  std::string orig = readText(modelPath("lenet"));
  uint32_t seed = 11;
  const char alphabet[] = "[]{}\",:0123456789-ae \n";
  for (int iter = 0; iter < 1000; ++iter) {
    std::string text = orig;
    for (int k = 0; k < 2; ++k) {
      seed = seed * 1664525u + 1013904223u;
      text[(seed >> 8) % text.size()] =
          alphabet[(seed >> 24) % (sizeof(alphabet) - 1)];
    }
    auto g = parseSymbolJSON(text, "fuzz.json");
    if (!g) {
      EXPECT_THAT(llvm::toString(g.takeError()), HasSubstr("fuzz.json"));
    } else {
      EXPECT_FALSE(llvm::errorToBool(verifyGraph(*g)));
    }
  }
}

TEST(MXNetSymbolErrors, NotAnObject) {
  EXPECT_EQ(parseError("[1, 2]"),
            "bad.json: the graph must be a JSON object, got an array");
}

TEST(MXNetSymbolErrors, MissingNodes) {
  EXPECT_EQ(parseError(R"({"arg_nodes": [], "heads": []})"),
            "bad.json: missing required key 'nodes'");
}

TEST(MXNetSymbolErrors, NodesNotArray) {
  EXPECT_EQ(parseError(R"({"nodes": {}, "arg_nodes": [], "heads": []})"),
            "bad.json: 'nodes' must be an array, got an object");
}

TEST(MXNetSymbolErrors, MissingHeadsAndArgNodes) {
  EXPECT_EQ(
      parseError(mlp("", "[[0, 0, 0], [1, 0, 0]]", R"("arg_nodes": [0, 1])")),
      "bad.json: missing required key 'heads'");
  EXPECT_EQ(parseError(mlp("", "[[0, 0, 0], [1, 0, 0]]", R"("heads": [])")),
            "bad.json: missing required key 'arg_nodes'");
}

TEST(MXNetSymbolErrors, UnknownTopLevelKey) {
  EXPECT_THAT(parseError(mlp("", "[[0, 0, 0], [1, 0, 0]]",
                             R"("arg_nodes": [0, 1], "heads": [[2, 0, 0]],
                                "head": [])")),
              HasSubstr("bad.json: unknown top-level key 'head'"));
}

TEST(MXNetSymbolErrors, NodeMissingOp) {
  EXPECT_EQ(parseError(R"({"nodes": [{"name": "x", "inputs": []}],
                           "arg_nodes": [], "heads": []})"),
            "bad.json: node 'x' (#0): missing required key 'op'");
}

TEST(MXNetSymbolErrors, NodeOpWrongType) {
  EXPECT_EQ(parseError(R"({"nodes": [{"op": 3, "name": "x", "inputs": []}],
                           "arg_nodes": [], "heads": []})"),
            "bad.json: node 'x' (#0): 'op' must be a string, got a number");
}

TEST(MXNetSymbolErrors, NodeMissingName) {
  EXPECT_EQ(parseError(R"({"nodes": [{"op": "null", "inputs": []}],
                           "arg_nodes": [], "heads": []})"),
            "bad.json: node #0: missing required key 'name'");
  EXPECT_EQ(parseError(R"({"nodes": [7], "arg_nodes": [], "heads": []})"),
            "bad.json: node #0: must be an object, got a number");
}

TEST(MXNetSymbolErrors, UnknownNodeKey) {
  EXPECT_THAT(parseError(mlp(R"(, "input": [])")),
              HasSubstr("bad.json: node 'fc' (#2): unknown key 'input'"));
}

TEST(MXNetSymbolErrors, AttrValueNotString) {
  EXPECT_EQ(parseError(mlp(R"(, "attr": {"kernel": [3, 3]})")),
            "bad.json: node 'fc' (#2): attribute 'kernel' in 'attr' must be "
            "a string, got an array");
  EXPECT_EQ(parseError(mlp(R"(, "param": 5)")),
            "bad.json: node 'fc' (#2): 'param' must be an object, got a "
            "number");
}

TEST(MXNetSymbolErrors, BadEntryShape) {
  EXPECT_EQ(parseError(mlp("", "[[0, 0, 0, 0], [1, 0, 0]]")),
            "bad.json: node 'fc' (#2): input 0 must be [node, index] or "
            "[node, index, version], got 4 elements");
  EXPECT_EQ(parseError(mlp("", "[[0, -1], [1, 0, 0]]")),
            "bad.json: node 'fc' (#2): input 0 output index is out of range: "
            "-1");
  EXPECT_EQ(parseError(mlp("", "[[0, \"0\"], [1, 0, 0]]")),
            "bad.json: node 'fc' (#2): input 0 output index must be an "
            "integer, got a string");
  EXPECT_EQ(parseError(mlp("", "{}")),
            "bad.json: node 'fc' (#2): 'inputs' must be an array, got an "
            "object");
}

TEST(MXNetSymbolErrors, DanglingInput) {
  EXPECT_EQ(parseError(mlp("", "[[0, 0, 0], [9, 0, 0]]")),
            "bad.json: node 'fc' (#2): input 1 refers to node #9, but the "
            "graph has only 3 nodes (dangling reference)");
}

TEST(MXNetSymbolErrors, ForwardInputOrCycle) {
  EXPECT_THAT(parseError(mlp("", "[[0, 0, 0], [2, 0, 0]]")),
              HasSubstr("bad.json: node 'fc' (#2): input 1 refers to node #2 "
                        "'fc', which does not come before it (nodes must be "
                        "topologically sorted; forward reference or cycle)"));
  const char *forward = R"({"nodes": [
    {"op": "relu", "name": "r", "inputs": [[1, 0]]},
    {"op": "null", "name": "x", "inputs": []}],
    "arg_nodes": [1], "heads": [[0, 0]]})";
  EXPECT_THAT(parseError(forward),
              HasSubstr("node 'r' (#0): input 0 refers to node #1 'x', which "
                        "does not come before it"));
}

TEST(MXNetSymbolErrors, ControlDepForward) {
  EXPECT_THAT(parseError(mlp(R"(, "control_deps": [2])")),
              HasSubstr("node 'fc' (#2): control dependency 0 refers to node "
                        "#2, which does not come before it"));
}

TEST(MXNetSymbolErrors, HeadOutOfRange) {
  EXPECT_EQ(parseError(mlp("", "[[0, 0, 0], [1, 0, 0]]",
                           R"("arg_nodes": [0, 1], "heads": [[3, 0, 0]])")),
            "bad.json: heads[0] refers to node #3, but the graph has "
            "only 3 nodes (dangling reference)");
  EXPECT_EQ(parseError(mlp("", "[[0, 0, 0], [1, 0, 0]]",
                           R"("arg_nodes": [0, 1], "heads": [3])")),
            "bad.json: heads[0] must be [node, index] or [node, index, "
            "version], got a number");
}

TEST(MXNetSymbolErrors, ArgNodeNotVariable) {
  EXPECT_EQ(parseError(mlp("", "[[0, 0, 0], [1, 0, 0]]",
                           R"("arg_nodes": [0, 2], "heads": [[2, 0, 0]])")),
            "bad.json: arg_nodes[1] = 2 names node 'fc' (#2) with op "
            "'FullyConnected', which is not a variable");
  EXPECT_EQ(parseError(mlp("", "[[0, 0, 0], [1, 0, 0]]",
                           R"("arg_nodes": [0, 7], "heads": [[2, 0, 0]])")),
            "bad.json: arg_nodes[1] = 7 is out of range (the graph has 3 "
            "nodes)");
}

TEST(MXNetSymbolErrors, NodeRowPtr) {
  EXPECT_EQ(
      parseError(mlp("", "[[0, 0, 0], [1, 0, 0]]",
                     R"("arg_nodes": [0, 1], "node_row_ptr": [0, 1, 2],
                        "heads": [[2, 0, 0]])")),
      "bad.json: 'node_row_ptr' has 3 values, expected 4 (number of nodes + "
      "1)");
  EXPECT_EQ(
      parseError(mlp("", "[[0, 0, 0], [1, 1, 0]]",
                     R"("arg_nodes": [0, 1], "node_row_ptr": [0, 1, 2, 3],
                        "heads": [[2, 0, 0]])")),
      "bad.json: node 'fc' (#2): input 1 reads output 1 of node 'fc_weight' "
      "(#1), which has 1 outputs according to node_row_ptr");
}

TEST(MXNetSymbolErrors, VariableWithInputs) {
  const char *text = R"({"nodes": [
    {"op": "null", "name": "x", "inputs": []},
    {"op": "null", "name": "y", "inputs": [[0, 0]]}],
    "arg_nodes": [0, 1], "heads": [[1, 0]]})";
  EXPECT_EQ(parseError(text),
            "bad.json: node 'y' (#1): variable (op \"null\") has 1 inputs");
}

TEST(MXNetSymbolErrors, BadVersionAttr) {
  EXPECT_EQ(parseError(mlp("", "[[0, 0, 0], [1, 0, 0]]",
                           R"("arg_nodes": [0, 1], "heads": [[2, 0, 0]],
                              "attrs": {"mxnet_version": ["str", "1.9"]})")),
            "bad.json: graph attribute 'mxnet_version' must be [\"int\", "
            "<version>]");
  EXPECT_EQ(parseError(mlp("", "[[0, 0, 0], [1, 0, 0]]",
                           R"("arg_nodes": [0, 1], "heads": [[2, 0, 0]],
                              "attrs": {"x": 1})")),
            "bad.json: graph attribute 'x' must be [\"type\", value]");
}

TEST(MXNetSymbolErrors, ErrorInsideSubgraphNamesOuterNode) {
  const char *text = R"({"nodes": [
    {"op": "null", "name": "x", "inputs": []},
    {"op": "_sg_mkldnn_conv", "name": "sg0", "inputs": [[0, 0, 0]],
     "subgraphs": [{"nodes": [{"op": "null", "name": "x0", "inputs": []},
                              {"op": "relu", "name": "r", "inputs": [[5, 0]]}],
                    "arg_nodes": [0], "heads": [[1, 0, 0]]}]}],
    "arg_nodes": [0], "heads": [[1, 0, 0]]})";
  EXPECT_EQ(parseError(text),
            "bad.json: node 'sg0' (#1): subgraph 0: node 'r' (#1): input 0 "
            "refers to node #5, but the graph has only 2 nodes (dangling "
            "reference)");
}

TEST(MXNetSymbolErrors, VerifyHandBuiltGraph) {
  Graph g;
  g.nodes.push_back({"relu", "r", {}, {E(0)}, {}, {}});
  g.heads = {E(0)};
  EXPECT_EQ(llvm::toString(verifyGraph(g, "mem")),
            "mem: node 'r' (#0): input 0 refers to node #0 'r', which does "
            "not come before it (nodes must be topologically sorted; forward "
            "reference or cycle)");
}

// Duplicate op names get `#k` suffixes that no node has; variables and
// the first node of each name keep theirs.
TEST(MXNetSymbol, MakeNodeNamesUnique) {
  Graph g;
  g.nodes.push_back({"null", "x", {}, {}, {}, {}});
  g.nodes.push_back({"relu", "a", {}, {E(0)}, {}, {}});
  g.nodes.push_back({"relu", "a", {}, {E(1)}, {}, {}});
  g.nodes.push_back({"null", "a#2", {}, {}, {}, {}});
  g.nodes.push_back({"relu", "a#1", {}, {E(2)}, {}, {}});
  g.nodes.push_back({"relu", "a", {}, {E(4)}, {}, {}});
  g.nodes.push_back({"null", "x", {}, {}, {}, {}});
  std::vector<RenamedNode> renamed = makeNodeNamesUnique(g);
  std::vector<std::string> names;
  for (const Node &n : g.nodes)
    names.push_back(n.name);
  EXPECT_EQ(names, (std::vector<std::string>{"x", "a", "a#3", "a#2", "a#1",
                                             "a#4", "x"}));
  ASSERT_EQ(renamed.size(), 2u);
  EXPECT_EQ(renamed[0].id, 2u);
  EXPECT_EQ(renamed[0].oldName, "a");
  EXPECT_EQ(renamed[0].newName, "a#3");
  EXPECT_EQ(renamed[1].id, 5u);
  EXPECT_EQ(renamed[1].newName, "a#4");
  // Unique names: nothing to do, and running it again changes nothing.
  EXPECT_TRUE(makeNodeNamesUnique(g).empty());
}
