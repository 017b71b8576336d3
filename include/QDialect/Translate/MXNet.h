//===- MXNet.h - MXNet import and export --------------------------*- C++ -*-===//
//
// Translations between MXNet model files and the q dialect. The importer
// builds one function, `@main`, whose arguments are the data inputs (then,
// when no .params file is given, the parameters) and whose results are the
// graph heads; parameters from a .params file become `arith.constant`s
// holding `dense_resource` blobs. MXNet names travel as `NameLoc`s on ops and
// constants, and as `q.name` attributes on arguments and results.
//
//===----------------------------------------------------------------------===//

#ifndef QDIALECT_TRANSLATE_MXNET_H
#define QDIALECT_TRANSLATE_MXNET_H

#include "QDialect/Translate/MXNetFormat.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringMap.h"

namespace mlir::q {

struct MXNetImportOptions {
  /// Used in messages and locations.
  std::string symbolFile = "<symbol>";
  /// Parameters; null imports them as function arguments instead.
  const ::mxnet::ParamsFile *params = nullptr;
  std::string paramsFile = "<params>";
  /// Data input shapes ("data" -> {1, 3, 224, 224}); inputs without one
  /// fall back to their `__shape__` attribute.
  llvm::StringMap<llvm::SmallVector<int64_t>> inputShapes;
  /// Parameters in the file that the graph does not use are an error unless
  /// this is set (MXNet's allow_extra).
  bool allowExtraParams = false;
  /// Warn once when duplicate node names are made unique (off for an
  /// import whose module is thrown away, so the warning is not repeated).
  bool warnRenamedNodes = true;
  /// The calling tool's spelling of its flags, for messages.
  struct Flags {
    std::string inputShape = "--mxnet-input-shape";
    std::string allowExtraParams = "--mxnet-allow-extra-params";
    std::string params = "--mxnet-params";
  } flags;
};

/// Parses `--mxnet-input-shape` text: `data:1,3,224,224`, several separated
/// by `;` or spaces.
llvm::Expected<llvm::StringMap<llvm::SmallVector<int64_t>>>
parseInputShapes(llvm::StringRef text);

/// Imports an MXNet graph. Errors name the symbol file and the node (name,
/// index and op) or the parameter, and are reported through `context`'s
/// diagnostic handler. Every op is checked before any shape is needed, so
/// an unsupported op is the first error. Op nodes that repeat an earlier
/// node's name are renamed (`_plus0#1`, see mxnet::makeNodeNamesUnique)
/// with one warning, so that tensor names are unique.
OwningOpRef<ModuleOp> importMXNet(const ::mxnet::Graph &graph,
                                  const MXNetImportOptions &options,
                                  MLIRContext *context);

/// Names of the MXNet ops the importer understands, sorted.
std::vector<std::string> supportedMXNetOps();

/// An MXNet op the importer refuses with a reason of its own: an op of a
/// fork of MXNet (`reason` names the fork), or one q does not import yet.
struct RefusedOp {
  const char *name;
  const char *reason;
  bool fork;
};
llvm::ArrayRef<RefusedOp> refusedMXNetOps();

/// docs/MXNET-OPS.md: every accepted MXNet op name by family, with the q
/// ops it becomes and its int8 support, and the ops refused on purpose.
std::string mxnetOpCoverageMarkdown();

/// Exports a module produced by importMXNet (and transformed by q's passes)
/// back to MXNet 1.9's format. Parameters held as constants go to `params`
/// (`arg:`/`aux:` names). int8 weights are written as offline int8
/// parameters: MXNet's tensor-wise FC form where it holds them exactly, else
/// q's form (attribute `q_int8_weights`, steps as extra inputs; see
/// docs/MXNET.md, "int8 weights").
LogicalResult exportMXNet(ModuleOp module, ::mxnet::Graph &graph,
                          ::mxnet::ParamsFile &params);

/// Parameters of the right shapes for a module imported without .params:
/// one array per `q.param` argument, named `arg:`/`aux:` as MXNet's
/// checkpoints do, filled with a fixed pseudo-random sequence scaled by
/// 1/sqrt(fan-in) (variances positive). For tests and benchmarks of models
/// published without weights.
::mxnet::ParamsFile makeRandomParams(ModuleOp module, uint32_t seed = 1);

/// Registers `--import-mxnet` and `--export-mxnet` with mlir-translate.
void registerMXNetTranslations();

/// Registers `--export-dot`: the function as a Graphviz graph.
void registerDotExport();

} // namespace mlir::q

#endif // QDIALECT_TRANSLATE_MXNET_H
