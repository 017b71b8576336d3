//===- MXNetTranslateTest.cpp - import/export through the C++ API ---------===//

#include "MXNetParamsHelper.h"

#include "QDialect/IR/QDialect.h"

#include "mlir/IR/MLIRContext.h"
#include "gtest/gtest.h"

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

} // namespace
