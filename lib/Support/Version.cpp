//===- Version.cpp - q's version, for --version and compiled models -------===//
//
// Q_VERSION_STRING comes from Version.inc, which GenerateVersion.cmake
// rewrites at build time when `git describe` changes.
//
//===----------------------------------------------------------------------===//

#include "QDialect/Support/Version.h"

#include "Version.inc"

#include "llvm/Config/llvm-config.h"

#include <oneapi/dnnl/dnnl.h>

const char *q::version() { return Q_VERSION_STRING; }

std::string q::onednnVersion() {
  const dnnl_version_t *v = dnnl_version();
  std::string text = std::to_string(v->major) + "." + std::to_string(v->minor) +
                     "." + std::to_string(v->patch);
  if (v->hash && *v->hash && std::string(v->hash) != "N/A")
    text += " (" + std::string(v->hash) + ")";
  return text;
}

std::string q::versionText(const std::string &tool) {
  return tool + " (q) " + version() +
         "\n  LLVM/MLIR " LLVM_VERSION_STRING "\n  oneDNN " + onednnVersion() +
         "\n";
}
