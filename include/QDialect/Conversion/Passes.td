//===- Passes.td - lowerings of the q dialect ---------------*- tablegen -*-===//

#ifndef Q_CONVERSION_PASSES_TD
#define Q_CONVERSION_PASSES_TD

include "mlir/Pass/PassBase.td"

def QLowerToOneDNN : Pass<"q-lower-to-onednn", "::mlir::ModuleOp"> {
  let summary = "Lower q ops to calls into the oneDNN-backed runtime (libqrt)";
  let description = [{
    Turns the function `@main` into the three symbols a compiled model
    exports to the runtime (include/qrt/qrt.h, runtime/model):

    - `__q_generated_init(model, weights)`: one `qrt_<op>_init` call per op
      with a descriptor constant and the op's weights;
    - `__q_generated_run(model, exec, inputs, outputs, arena)`: one
      `qrt_<op>_run` call per op on buffers in a single activation arena;
    - `__q_generated_manifest`: JSON naming the inputs, outputs, weights
      and the arena size.

    Memory is planned statically: every intermediate tensor gets an offset
    in the arena, chosen by liveness so that tensors alive at the same time
    never overlap; reshapes, flattens and dropouts alias their input. The
    weights stay in the module as the `q.weights` attribute for the driver
    to embed or to look up in a .params file.
  }];
  let dependentDialects = ["::mlir::LLVM::LLVMDialect"];
  let options = [
    Option<"modelName", "model-name", "std::string", "\"model\"",
           "Name recorded in the manifest">,
    Option<"numThreads", "num-threads", "int", "0",
           "Threads per run recorded in the manifest (0 = OpenMP default)">,
    Option<"reportMemory", "report-memory", "bool", "false",
           "Emit a remark with the arena size and its liveness lower bound">,
  ];
}

#endif // Q_CONVERSION_PASSES_TD
