//===- import_bench.cpp - how long importing a large model takes ----------===//
//
// Imports resnet-152 (symbol from ../shared, parameters of the right shapes
// generated here and written to a temporary .params file) the way
// `q-translate --import-mxnet` does: read and parse both files, build and
// verify the module. Prints the minimum and median of several runs.
//
//===----------------------------------------------------------------------===//

#include "../unittests/Translate/MXNetParamsHelper.h"

#include "QDialect/IR/QDialect.h"

#include "mlir/IR/MLIRContext.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <chrono>

using namespace mlir;

int main(int argc, char **argv) {
  std::string shared = argc > 1 ? argv[1] : Q_SHARED_DIR;
  std::string symbol = shared + "/models/resnet-152/resnet-152-symbol.json";
  auto graph = mxnet::readSymbolFile(symbol);
  if (!graph) {
    llvm::errs() << llvm::toString(graph.takeError()) << "\n";
    return 1;
  }
  q::MXNetImportOptions options;
  options.symbolFile = symbol;
  options.inputShapes["data"] = {1, 3, 224, 224};
  MLIRContext bareContext;
  auto bare = q::importMXNet(*graph, options, &bareContext);
  if (!bare)
    return 1;
  mxnet::ParamsFile params = q::testing::makeParams(*bare);
  llvm::SmallString<128> paramsPath;
  if (llvm::sys::fs::createTemporaryFile("resnet-152", "params", paramsPath))
    return 1;
  if (auto err = mxnet::writeParamsFile(params, paramsPath)) {
    llvm::errs() << llvm::toString(std::move(err)) << "\n";
    return 1;
  }
  uint64_t bytes = 0;
  for (auto &[name, array] : params.arrays)
    bytes += array.data.size();

  std::vector<double> seconds;
  for (int run = 0; run < 5; ++run) {
    auto start = std::chrono::steady_clock::now();
    MLIRContext context;
    auto g = mxnet::readSymbolFile(symbol);
    auto p = mxnet::readParamsFile(paramsPath);
    if (!g || !p) {
      llvm::errs() << "reading failed\n";
      return 1;
    }
    q::MXNetImportOptions timed = options;
    timed.params = &*p;
    auto module = q::importMXNet(*g, timed, &context);
    if (!module)
      return 1;
    seconds.push_back(std::chrono::duration<double>(
                          std::chrono::steady_clock::now() - start)
                          .count());
  }
  llvm::sys::fs::remove(paramsPath);
  std::sort(seconds.begin(), seconds.end());
  llvm::outs() << llvm::format(
      "import resnet-152 (%zu params, %.1f MB): min %.3f s, median %.3f s "
      "(target < 1 s)\n",
      params.arrays.size(), bytes / 1e6, seconds.front(), seconds[2]);
  return 0;
}
