//===- q-translate.cpp - translations in and out of the q dialect ---------===//
//
// mlir-translate with the upstream translations (MLIR -> LLVM IR among them)
// and q's own: MXNet import and export.
//
//===----------------------------------------------------------------------===//

#include "QDialect/IR/QDialect.h"
#include "QDialect/Tools/ToolDefaults.h"
#include "QDialect/Translate/MXNet.h"

#include "mlir/InitAllTranslations.h"
#include "mlir/Tools/mlir-translate/MlirTranslateMain.h"

int main(int argc, char **argv) {
  mlir::registerAllTranslations();
  mlir::q::printLocationsByDefault();
  mlir::q::quietDiagnosticsByDefault();
  mlir::q::setVersionPrinter("q-translate");
  mlir::q::registerMXNetTranslations();
  mlir::q::registerDotExport();
  return mlir::failed(mlir::mlirTranslateMain(
      argc, argv, "q translator: MXNet <-> q dialect, MLIR -> LLVM IR\n"));
}
