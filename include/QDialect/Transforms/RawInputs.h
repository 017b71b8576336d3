//===- RawInputs.h - Raw uint8/int8 graph inputs ----------------*- C++ -*-===//
//
// What `--input-type=data:u8,nhwc` (q-compile) and `--q-raw-inputs` (q-opt)
// ask for, parsed once: the input's name, its integer type, layout and the
// real value of one integer step. insertInputLookup() rewrites @main so
// that the input has that type and is read through a q.input_lookup (the
// pass then folds the ops that follow into the lookup's table).
//
//===----------------------------------------------------------------------===//

#ifndef QDIALECT_TRANSFORMS_RAWINPUTS_H
#define QDIALECT_TRANSFORMS_RAWINPUTS_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/Support/Error.h"

#include <optional>
#include <string>

namespace mlir::q {

struct RawInputSpec {
  std::string name;
  bool isSigned = false; ///< i8 (else u8)
  bool nhwc = false;     ///< [N, H, W, C] data (else the graph's layout)
  /// Real value of one integer step; u8 defaults to 1 (raw pixel values).
  std::optional<double> step;

  /// The real value of integer 1.
  double stepOr1() const { return step.value_or(1.0); }
};

/// Parses `NAME:u8|i8[,nhwc|nchw][,step=S]`; `:` may replace the commas.
/// Errors say what is wrong with `text` (without naming the flag).
llvm::Expected<RawInputSpec> parseRawInputSpec(llvm::StringRef text);

/// Checks `spec` against the function's inputs (by `q.name`): the input
/// must exist (the message lists the inputs), be f32, and be 4-D for nhwc.
llvm::Error checkRawInput(func::FuncOp fn, const RawInputSpec &spec);

/// Makes input `spec.name` of `fn` raw integer data read through an
/// identity q.input_lookup; the argument gets `q.layout = "nhwc"` for NHWC
/// data. Fails as checkRawInput does.
llvm::Error insertInputLookup(func::FuncOp fn, const RawInputSpec &spec);

} // namespace mlir::q

#endif // QDIALECT_TRANSFORMS_RAWINPUTS_H
