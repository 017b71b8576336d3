//===- MXNetTranslateTest.cpp - import/export through the C++ API ---------===//

#include "MXNetParamsHelper.h"

#include "QDialect/IR/QDialect.h"

#include "mlir/Dialect/Quant/IR/Quant.h"
#include "mlir/IR/MLIRContext.h"
#include "gtest/gtest.h"

#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <map>

using namespace mlir;

namespace {

std::string modelPath(llvm::StringRef model, llvm::StringRef file) {
  return (llvm::Twine(Q_SHARED_DIR) + "/models/" + model + "/" + file).str();
}

struct Imported {
  MLIRContext context;
  OwningOpRef<ModuleOp> module;
};

std::unique_ptr<Imported> import(const mxnet::Graph &graph,
                                 const mxnet::ParamsFile *params,
                                 llvm::ArrayRef<int64_t> shape) {
  auto result = std::make_unique<Imported>();
  q::MXNetImportOptions options;
  options.params = params;
  options.inputShapes["data"] = llvm::SmallVector<int64_t>(shape);
  result->module = q::importMXNet(graph, options, &result->context);
  return result;
}

/// Data of every parameter by bare name.
std::map<std::string, std::vector<uint8_t>>
byName(const mxnet::ParamsFile &params) {
  std::map<std::string, std::vector<uint8_t>> out;
  for (const auto &[stored, array] : params.arrays)
    out[mxnet::splitParamName(stored).second.str()] = array.data;
  return out;
}

struct ModelCase {
  const char *model, *symbol, *params;
  std::vector<int64_t> shape;
};

class ParamsRoundTrip : public ::testing::TestWithParam<ModelCase> {};

TEST_P(ParamsRoundTrip, BitExact) {
  const ModelCase &c = GetParam();
  std::string symbolPath = c.model[0] == '/'
                               ? std::string(c.model) + "/" + c.symbol
                               : modelPath(c.model, c.symbol);
  std::string paramsPath = c.model[0] == '/'
                               ? std::string(c.model) + "/" + c.params
                               : modelPath(c.model, c.params);
  auto graph = mxnet::readSymbolFile(symbolPath);
  ASSERT_TRUE(bool(graph)) << llvm::toString(graph.takeError());
  auto params = mxnet::readParamsFile(paramsPath);
  ASSERT_TRUE(bool(params)) << llvm::toString(params.takeError());
  auto imported = import(*graph, &*params, c.shape);
  ASSERT_TRUE(imported->module);

  mxnet::Graph exported;
  mxnet::ParamsFile exportedParams;
  ASSERT_TRUE(succeeded(
      q::exportMXNet(*imported->module, exported, exportedParams)));
  EXPECT_EQ(byName(*params), byName(exportedParams));
  // Moving statistics stay aux states.
  for (const auto &[stored, array] : exportedParams.arrays) {
    llvm::StringRef name = mxnet::splitParamName(stored).second;
    bool aux = name.ends_with("moving_mean") || name.ends_with("moving_var") ||
               name.ends_with("running_mean") || name.ends_with("running_var");
    EXPECT_EQ(mxnet::splitParamName(stored).first, aux ? "aux" : "arg")
        << stored;
  }
}

INSTANTIATE_TEST_SUITE_P(
    Models, ParamsRoundTrip,
    ::testing::Values(
        ModelCase{"lenet", "lenet-symbol.json", "lenet-0001.params",
                  {1, 1, 28, 28}},
        ModelCase{"mnist-tanh-cnn", "mnist-tanh-cnn-symbol.json",
                  "mnist-tanh-cnn-0035.params", {1, 1, 28, 28}},
        ModelCase{"2-layer-mlp", "2-layer-mlp-symbol.json",
                  "2-layer-mlp-0000.params", {1, 3, 224, 224}},
        ModelCase{Q_SOURCE_DIR "/examples/fashion-mnist",
                  "fmnist-resnet-symbol.json", "fmnist-resnet-0000.params",
                  {1, 1, 28, 28}}));

TEST(GeneratedParams, ResNet152ImportsWithParamsOfTheRightShapes) {
  auto graph =
      mxnet::readSymbolFile(modelPath("resnet-152", "resnet-152-symbol.json"));
  ASSERT_TRUE(bool(graph)) << llvm::toString(graph.takeError());
  auto bare = import(*graph, nullptr, {1, 3, 224, 224});
  ASSERT_TRUE(bare->module);
  mxnet::ParamsFile params = q::testing::makeParams(*bare->module);
  EXPECT_GT(params.arrays.size(), 600u);
  auto full = import(*graph, &params, {1, 3, 224, 224});
  ASSERT_TRUE(full->module);
  auto fn = full->module->lookupSymbol<func::FuncOp>("main");
  EXPECT_EQ(fn.getNumArguments(), 1u);
}

TEST(ImportErrors, ReportedThroughTheContext) {
  auto graph = mxnet::parseSymbolJSON(
      R"({"nodes": [{"op": "null", "name": "data", "inputs": []},
                    {"op": "Swish", "name": "s", "inputs": [[0, 0, 0]]}],
          "arg_nodes": [0], "heads": [[1, 0, 0]]})",
      "swish.json");
  ASSERT_TRUE(bool(graph)) << llvm::toString(graph.takeError());
  MLIRContext context;
  std::string message;
  ScopedDiagnosticHandler handler(&context, [&](Diagnostic &diag) {
    message = diag.str();
    return success();
  });
  q::MXNetImportOptions options;
  options.inputShapes["data"] = {1, 4};
  EXPECT_FALSE(q::importMXNet(*graph, options, &context));
  EXPECT_NE(message.find("node 's' (#1, Swish): unknown op 'Swish'"),
            std::string::npos)
      << message;
  std::vector<std::string> ops = q::supportedMXNetOps();
  EXPECT_TRUE(std::is_sorted(ops.begin(), ops.end()));
  EXPECT_NE(std::find(ops.begin(), ops.end(), "_sg_mkldnn_conv"), ops.end());
}

//===----------------------------------------------------------------------===//
// q's int8 weights (q_int8_weights)
//===----------------------------------------------------------------------===//

template <typename T>
mxnet::NDArray makeArray(mxnet::DType dtype, std::vector<int64_t> shape,
                         std::vector<T> values) {
  mxnet::NDArray array;
  array.dtype = dtype;
  array.shape = std::move(shape);
  array.data.resize(values.size() * sizeof(T));
  std::memcpy(array.data.data(), values.data(), array.data.size());
  return array;
}

/// data -> quantize_v2 [-1, 1] -> quantized FC with q's int8 weights, their
/// steps read from `fc_weight_quantize_scale` (per channel) or from the
/// `_min`/`_max` pair (per tensor).
mxnet::Graph int8FCGraph(bool perChannel) {
  auto graph = mxnet::parseSymbolJSON(
      std::string(R"({"nodes": [
        {"op": "null", "name": "data", "inputs": []},
        {"op": "_contrib_quantize_v2", "name": "data_quantize",
         "attrs": {"min_calib_range": "-1.0", "max_calib_range": "1.0",
                   "out_type": "int8"}, "inputs": [[0, 0, 0]]},
        {"op": "null", "name": "fc_weight_quantize", "inputs": []},
        {"op": "null", "name": "fc_bias_quantize", "inputs": []},
        {"op": "null", "name": "fc_weight_quantize_min", "inputs": []},
        {"op": "null", "name": "fc_weight_quantize_max", "inputs": []},
        {"op": "null", "name": "fc_weight_quantize_scale", "inputs": []},
        {"op": "_sg_mkldnn_fully_connected", "name": "fc",
         "attrs": {"quantized": "True", "q_int8_weights": "True",
                   "enable_float_output": "True"},
         "inputs": [[1, 0, 0], [2, 0, 0], [3, 0, 0], [1, 1, 0], [1, 2, 0], )") +
          (perChannel ? "[6, 0, 0]" : "[4, 0, 0], [5, 0, 0]") + R"(],
         "subgraphs": [{"nodes": [
           {"op": "null", "name": "data0", "inputs": []},
           {"op": "null", "name": "weight0", "inputs": []},
           {"op": "null", "name": "bias0", "inputs": []},
           {"op": "FullyConnected", "name": "fc_fc",
            "attrs": {"num_hidden": "2"},
            "inputs": [[0, 0, 0], [1, 0, 0], [2, 0, 0]]}],
           "arg_nodes": [0, 1, 2], "heads": [[3, 0, 0]]}]}],
      "arg_nodes": [0, 2, 3, 4, 5, 6], "heads": [[7, 0, 0]]})",
      "int8-fc.json");
  EXPECT_TRUE(bool(graph)) << llvm::toString(graph.takeError());
  return std::move(*graph);
}

TEST(Int8Weights, PerChannelStepsRoundTripBitExact) {
  // Steps with all 53 bits in use: an f32 array could not hold them.
  std::vector<double> steps{0.1 / 3, 3.141592653589793e-3};
  mxnet::ParamsFile params;
  params.arrays.emplace_back(
      "arg:fc_weight_quantize",
      makeArray<int8_t>(mxnet::DType::I8, {2, 3}, {1, -2, 127, -128, 0, 5}));
  params.arrays.emplace_back(
      "arg:fc_bias_quantize",
      makeArray<int32_t>(mxnet::DType::I32, {2}, {-100000, 7}));
  params.arrays.emplace_back("arg:fc_weight_quantize_scale",
                             makeArray<double>(mxnet::DType::F64, {2}, steps));
  // Through the bytes of a file, as the tools do.
  auto reread = mxnet::parseParams(mxnet::writeParams(params), "int8.params");
  ASSERT_TRUE(bool(reread)) << llvm::toString(reread.takeError());

  auto imported = import(int8FCGraph(true), &*reread, {1, 3});
  ASSERT_TRUE(imported->module);
  auto fn = imported->module->lookupSymbol<func::FuncOp>("main");
  q::FusedFullyConnectedOp fc;
  fn.walk([&](q::FusedFullyConnectedOp op) { fc = op; });
  ASSERT_TRUE(fc);
  auto weight = llvm::cast<quant::UniformQuantizedPerAxisType>(
      llvm::cast<ShapedType>(fc.getWeight().getType()).getElementType());
  EXPECT_EQ(weight.getScales().vec(), steps);
  // The bias steps are re-derived: input step * weight step.
  auto bias = llvm::cast<quant::UniformQuantizedPerAxisType>(
      llvm::cast<ShapedType>(fc.getBias().getType()).getElementType());
  double inputStep = 1.0 / q::kInt8Range;
  EXPECT_EQ(bias.getScales().vec(),
            (std::vector<double>{inputStep * steps[0], inputStep * steps[1]}));
  EXPECT_EQ(bias.getStorageTypeIntegralWidth(), 32u);

  mxnet::Graph graph;
  mxnet::ParamsFile exported;
  ASSERT_TRUE(succeeded(q::exportMXNet(*imported->module, graph, exported)));
  EXPECT_EQ(byName(*reread), byName(exported));
  for (const auto &[stored, array] : exported.arrays)
    EXPECT_EQ(array.dtype, reread->lookup(stored)->dtype) << stored;
  EXPECT_EQ(graph.nodes.back().getAttr("q_int8_weights").value_or("").str(),
            "True");
}

TEST(Int8Weights, PerTensorRangeUsesTheInt8Rule) {
  mxnet::ParamsFile params;
  params.arrays.emplace_back(
      "arg:fc_weight_quantize",
      makeArray<int8_t>(mxnet::DType::I8, {2, 3}, {1, 2, 3, 4, 5, 6}));
  params.arrays.emplace_back("arg:fc_bias_quantize",
                             mxnet::makeF32({2}, {0.5f, -0.5f}));
  params.arrays.emplace_back("arg:fc_weight_quantize_min",
                             mxnet::makeF32({1}, {-0.75f}));
  params.arrays.emplace_back("arg:fc_weight_quantize_max",
                             mxnet::makeF32({1}, {0.5f}));
  auto imported = import(int8FCGraph(false), &params, {1, 3});
  ASSERT_TRUE(imported->module);
  auto fn = imported->module->lookupSymbol<func::FuncOp>("main");
  q::FusedFullyConnectedOp fc;
  fn.walk([&](q::FusedFullyConnectedOp op) { fc = op; });
  ASSERT_TRUE(fc);
  // max(|min|, |max|) / 127.5, not MXNet's offline 127; the f32 bias stays.
  auto weight = llvm::cast<quant::UniformQuantizedType>(
      llvm::cast<ShapedType>(fc.getWeight().getType()).getElementType());
  EXPECT_EQ(weight.getScale(), 0.75 / q::kInt8Range);
  EXPECT_TRUE(
      llvm::cast<ShapedType>(fc.getBias().getType()).getElementType().isF32());

  mxnet::Graph graph;
  mxnet::ParamsFile exported;
  ASSERT_TRUE(succeeded(q::exportMXNet(*imported->module, graph, exported)));
  auto names = byName(exported);
  // The range is written symmetric: it reads back to the same step.
  EXPECT_EQ(names.at("fc_weight_quantize_min"),
            mxnet::makeF32({1}, {-0.75f}).data);
  EXPECT_EQ(names.at("fc_weight_quantize_max"),
            mxnet::makeF32({1}, {0.75f}).data);
}

} // namespace

//===----------------------------------------------------------------------===//
// The op coverage table (docs/MXNET-OPS.md)
//===----------------------------------------------------------------------===//

// docs/MXNET-OPS.md is generated from the op table: it must be current.
// scripts/gen-mxnet-ops.sh rewrites it (this test with Q_WRITE_OPS_TABLE=1).
TEST(MXNetImport, CoverageTableIsCurrent) {
  std::string expected = q::mxnetOpCoverageMarkdown();
  std::string path = std::string(Q_SOURCE_DIR) + "/docs/MXNET-OPS.md";
  if (std::getenv("Q_WRITE_OPS_TABLE")) {
    std::ofstream out(path, std::ios::binary);
    out << expected;
    ASSERT_TRUE(out.good()) << path;
  }
  std::ifstream in(path, std::ios::binary);
  ASSERT_TRUE(in.good()) << path << " is missing; run scripts/gen-mxnet-ops.sh";
  std::string actual((std::istreambuf_iterator<char>(in)),
                     std::istreambuf_iterator<char>());
  EXPECT_EQ(actual, expected)
      << path << " is stale; run scripts/gen-mxnet-ops.sh";
  // Every accepted name is in the table, and no name is both accepted and
  // refused.
  for (const std::string &name : q::supportedMXNetOps()) {
    EXPECT_NE(expected.find("`" + name + "`"), std::string::npos) << name;
    for (const q::RefusedOp &refused : q::refusedMXNetOps())
      EXPECT_NE(name, refused.name);
  }
}
