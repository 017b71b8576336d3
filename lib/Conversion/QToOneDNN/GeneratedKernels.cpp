//===- GeneratedKernels.cpp - oneDNN lowering of generatedkernels ops
//--------===//
//
// Part of q-lower-to-onednn (Steps.h): the runtime calls of kernels q generated
// (q.kernel_call: qrt_model_parallel_for) and raw-input lookups
// (qrt_input_lookup).
//
//===----------------------------------------------------------------------===//

#include "InputLookup.h"
#include "Steps.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"

#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace mlir::q;

namespace {

LogicalResult describeKernelCall(Operation *op, StepBuilder &b) {
  auto call = cast<KernelCallOp>(op);
  auto callee = b.module().lookupSymbol<LLVM::LLVMFuncOp>(call.getCallee());
  if (!callee)
    return op->emitOpError("calls '")
           << call.getCallee()
           << "', which is not an llvm.func of the module (run "
              "q-lower-to-loops with lower-to-llvm=true)";
  b.step.kernel = call.getCallee().str();
  b.step.numTiles = call.getNumTiles();
  for (Value v : call.getArgs())
    if (failed(b.data(v)))
      return failure();
  return success();
}

LogicalResult describeLookup(Operation *op, StepBuilder &b) {
  auto lookup = cast<InputLookupOp>(op);
  auto parts = describeInputLookup(lookup);
  if (failed(parts))
    return failure();
  b.step.name = "input_lookup";
  b.step.desc = std::move(parts->desc);
  b.step.initArgs.push_back({Value(), std::move(parts->table)});
  return b.data(lookup.getInput());
}

} // namespace

void mlir::q::registerGeneratedKernelsSteps(StepTable &table) {
  table.on<KernelCallOp>(describeKernelCall);
  table.on<InputLookupOp>(describeLookup);
}
