//===- BackendSelect.h - per-layer choice between loops and oneDNN -*- C++ -*-===//
//
// q-compile --backend=auto: every statically quantized q.fused_conv /
// q.fused_fc that q-lower-to-loops can generate is timed both ways on this
// machine (the generated kernels, JIT-compiled for the ISA the library will
// dispatch to here; oneDNN's int8 primitive, with the NCHW reorders the
// runtime does around it when layouts are not planned), and gets the attribute
// `q.backend = "loops" | "onednn"` for the faster. Timings can be kept in
// a cost file, keyed by everything that decides the time (shape, types,
// post-ops, ISA, threads), so that a recompile measures nothing and a
// table measured on the target machine can be used elsewhere.
//
//===----------------------------------------------------------------------===//

#ifndef QDIALECT_CONVERSION_BACKENDSELECT_H
#define QDIALECT_CONVERSION_BACKENDSELECT_H

#include "mlir/IR/BuiltinOps.h"
#include "llvm/Support/Error.h"

#include <string>
#include <vector>

namespace mlir::q {

struct BackendSelectOptions {
  /// The isa option of q-lower-to-loops (auto, one ISA, or a list); the
  /// variant timed is the one this machine would run.
  std::string isa = "auto";
  /// Threads per run (0: OpenMP's default), as the library will use.
  int threads = 0;
  /// A JSON cost file: read when it exists, written back with any new
  /// measurements. Empty: none.
  std::string costFile;
  /// false: use only the cost file; layers missing from it go to oneDNN.
  bool measure = true;
  /// Layouts are planned (q-compile --plan-layouts): convolutions the
  /// channels-last kernels take are timed that way (no pack), against
  /// oneDNN's primitive alone (no reorders around it).
  bool channelsLast = false;
};

/// What happened to one conv / fc.
struct BackendChoice {
  std::string layer;   ///< the op's result tensor name
  std::string shape;   ///< e.g. "conv 64x56x56->64 k3 s1 p1 u8->u8"
  std::string backend; ///< "loops" or "onednn"
  /// "measured", "same as above" (a layer of the same key timed earlier
  /// in this call), "cost file", "not in the cost file", or why the loops
  /// cannot take it.
  std::string source;
  double loopsUs = -1, onednnUs = -1; ///< -1: not known
};

/// Sets `q.backend` on every q.fused_conv / q.fused_fc of `module` and
/// returns one entry per op, in program order.
llvm::Expected<std::vector<BackendChoice>>
selectBackends(ModuleOp module, const BackendSelectOptions &options);

/// The choices as an aligned table with a summary line.
std::string formatBackendReport(const std::vector<BackendChoice> &choices);

} // namespace mlir::q

#endif // QDIALECT_CONVERSION_BACKENDSELECT_H
