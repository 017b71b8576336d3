//===- ToolDefaults.h - defaults shared by the q command-line tools -*- C++ -*-===//

#ifndef QDIALECT_TOOLS_TOOLDEFAULTS_H
#define QDIALECT_TOOLS_TOOLDEFAULTS_H

#include "mlir/IR/AsmState.h"
#include "llvm/Support/CommandLine.h"

namespace mlir::q {

/// MXNet node names travel as NameLocs: calibration tables, exclude lists
/// and the exporter read them. Print locations by default so that a module
/// written to text and read back keeps them (`--mlir-print-debuginfo=false`
/// prints without). Not `--mlir-print-local-scope`: it drops the
/// dense_resource blobs that hold the weights.
inline void printLocationsByDefault() {
  registerAsmPrinterCLOptions();
  auto &options = llvm::cl::getRegisteredOptions();
  for (const char *name : {"mlir-print-debuginfo"}) {
    auto it = options.find(name);
    if (it != options.end())
      if (auto *flag = static_cast<llvm::cl::opt<bool> *>(it->second))
        flag->setInitialValue(true);
  }
}

} // namespace mlir::q

#endif // QDIALECT_TOOLS_TOOLDEFAULTS_H
