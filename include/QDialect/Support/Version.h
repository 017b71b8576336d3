//===- Version.h - q's version for --version --------------------*- C++ -*-===//
//
// Every tool answers `--version` with the same lines: q's version (`git
// describe` of the tree it was built from, or the project version in a
// tarball), the LLVM/MLIR it was built with and the oneDNN it runs with.
// Plain C++ (no LLVM libraries), so q-run can print it too; the LLVM tools
// install it with mlir::q::setVersionPrinter (QDialect/Tools/ToolDefaults.h).
//
//===----------------------------------------------------------------------===//

#ifndef QDIALECT_SUPPORT_VERSION_H
#define QDIALECT_SUPPORT_VERSION_H

#include <string>

namespace q {

/// "0.1.0-g1a2b3c4", "v0.2.0-3-g1a2b3c4-dirty", or "0.1.0".
const char *version();

/// "2.6.3": the version of the oneDNN library loaded at run time.
std::string onednnVersion();

/// What `<tool> --version` prints:
///   q-compile (q) 0.1.0-g1a2b3c4
///     LLVM/MLIR 22.1.0
///     oneDNN 2.6.3
std::string versionText(const std::string &tool);

} // namespace q

#endif // QDIALECT_SUPPORT_VERSION_H
