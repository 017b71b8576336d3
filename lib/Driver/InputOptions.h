//===- InputOptions.h - Input preprocessing of the tools -------*- C++ -*-===//
//
// Private to QDriver: --input-mean/--input-std applied to an imported
// module, and the q-raw-inputs pass that --input-type adds to the pipeline.
//
//===----------------------------------------------------------------------===//

#ifndef QDIALECT_LIB_DRIVER_INPUTOPTIONS_H
#define QDIALECT_LIB_DRIVER_INPUTOPTIONS_H

#include "QDialect/Driver/Driver.h"

namespace mlir::q::driver {

/// Starts @main with (x - mean) / std on the inputs that `options` names
/// (--input-mean / --input-std); errors name the flag.
llvm::Error normalizeInputs(ModuleOp module, const ImportOptions &options);

/// Appends q-raw-inputs for `options` (nothing when empty).
void addRawInputPass(PassManager &pm, const InputTypeOptions &options);

} // namespace mlir::q::driver

#endif // QDIALECT_LIB_DRIVER_INPUTOPTIONS_H
