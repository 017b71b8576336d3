//===- q-opt.cpp - the q optimizer driver ---------------------------------===//
//
// mlir-opt with the q dialect and its passes, plus the upstream dialects,
// passes and extensions that the lowerings and the AOT pipeline use.
//
//===----------------------------------------------------------------------===//

#include "QDialect/Conversion/Passes.h"
#include "QDialect/IR/QDialect.h"
#include "QDialect/Transforms/Passes.h"
#include "QDialect/Tools/ToolDefaults.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"

int main(int argc, char **argv) {
  mlir::registerAllPasses();
  mlir::q::registerQConversionPasses();
  mlir::q::registerQTransformsPasses();
  mlir::q::registerQPipelines();
  mlir::q::printLocationsByDefault();
  mlir::q::quietDiagnosticsByDefault();
  mlir::q::setVersionPrinter("q-opt");

  mlir::DialectRegistry registry;
  registry.insert<mlir::q::QDialect>();
  mlir::registerAllDialects(registry);
  mlir::registerAllExtensions(registry);

  return mlir::asMainReturnCode(mlir::MlirOptMain(
      argc, argv, "q optimizer: passes over the q dialect and MLIR\n",
      registry));
}
