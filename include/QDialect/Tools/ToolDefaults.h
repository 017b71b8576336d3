//===- ToolDefaults.h - defaults shared by the q command-line tools -*- C++
//-*-===//

#ifndef QDIALECT_TOOLS_TOOLDEFAULTS_H
#define QDIALECT_TOOLS_TOOLDEFAULTS_H

#include "QDialect/Support/Version.h"

#include "mlir/IR/AsmState.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/Location.h"
#include "mlir/IR/MLIRContext.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/raw_ostream.h"

#include <memory>
#include <set>
#include <string>

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

/// For tools that make their own context: diagnostics go to stderr as
/// `<location>: <severity>: <message>` (a file location as `file:line:col`),
/// notes after them. MLIR's default prints errors only, so the importer's
/// warnings would be lost; a warning repeated word for word (the same model
/// imported again) is printed once; `warnings` false drops them (for a tool
/// run quietly by another that prints them itself). The op a diagnostic is
/// about, which for a verifier error on a module is the whole model, is not
/// printed.
/// `file:line:col: severity: message` (the location part only when known),
/// as the tools print a diagnostic.
inline std::string formatDiagnostic(Diagnostic &d) {
  std::string text;
  llvm::raw_string_ostream os(text);
  if (auto file = llvm::dyn_cast<FileLineColLoc>(d.getLocation()))
    os << file.getFilename().strref() << ":" << file.getLine() << ":"
       << file.getColumn() << ": ";
  else if (!llvm::isa<UnknownLoc>(d.getLocation()))
    os << d.getLocation() << ": ";
  switch (d.getSeverity()) {
  case DiagnosticSeverity::Error:
    os << "error: ";
    break;
  case DiagnosticSeverity::Warning:
    os << "warning: ";
    break;
  case DiagnosticSeverity::Remark:
    os << "remark: ";
    break;
  case DiagnosticSeverity::Note:
    os << "note: ";
    break;
  }
  os << d;
  return text;
}

inline void setUpDiagnostics(MLIRContext &context, bool warnings = true) {
  context.printOpOnDiagnostic(false);
  context.printStackTraceOnDiagnostic(false);
  auto printed = std::make_shared<std::set<std::string>>();
  context.getDiagEngine().registerHandler(
      [printed, warnings](Diagnostic &diag) {
        auto format = [](Diagnostic &d) { return formatDiagnostic(d) + "\n"; };
        std::string text = format(diag);
        if (diag.getSeverity() == DiagnosticSeverity::Warning &&
            (!warnings || !printed->insert(text).second))
          return success();
        for (Diagnostic &note : diag.getNotes())
          text += format(note);
        llvm::errs() << text;
        llvm::errs().flush();
        return success();
      });
}

/// quietDiagnostics as the default of q-opt and q-translate, whose context
/// MLIR's main functions make: `--mlir-print-op-on-diagnostic` (off by
/// default here) still prints the op. Call before the command line is
/// parsed.
inline void quietDiagnosticsByDefault() {
  registerMLIRContextCLOptions();
  auto &options = llvm::cl::getRegisteredOptions();
  auto it = options.find("mlir-print-op-on-diagnostic");
  if (it != options.end())
    if (auto *flag = static_cast<llvm::cl::opt<bool> *>(it->second))
      flag->setInitialValue(false);
}

/// `--version` prints q's version and those of LLVM and oneDNN
/// (q::versionText). Call before the command line is parsed.
inline void setVersionPrinter(const char *tool) {
  llvm::cl::SetVersionPrinter(
      [tool](llvm::raw_ostream &os) { os << ::q::versionText(tool); });
}

} // namespace mlir::q

#endif // QDIALECT_TOOLS_TOOLDEFAULTS_H
