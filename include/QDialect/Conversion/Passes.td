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

def QLowerToLoops : Pass<"q-lower-to-loops", "::mlir::ModuleOp"> {
  let summary = "Generate int8 conv/fc kernels (VNNI, AVX2, generic)";
  let description = [{
    Replaces each statically quantized `q.fused_conv` / `q.fused_fc` it
    supports with `q.kernel_call`s of kernels generated in the module: a
    pack kernel (`@q_pack_<N>`) that copies the input into a zero-padded,
    phase-split, channel-blocked scratch, and the compute kernel
    (`@q_kernel_<N>`) whose register-tiled micro-kernel uses vpdpbusd
    (avx512vnni, avxvnni) or vpmaddwd on 16-bit values (avx2; exact, no
    vpmaddubsw saturation) or plain vector arithmetic (generic). Weights
    are packed at compile time into `llvm.mlir.global` constants. Both
    kernels take `(!llvm.ptr args, i64 begin, i64 end)` and compute tiles
    [begin, end). Ops it does not handle are left for q-lower-to-onednn;
    `report=true` says why.

    With `channels-last=true` a convolution the channels-last kernels take
    (dense or depthwise, see NhwcConvKernels.cpp) gets one
    `q.kernel_call ... <{channels_last}>` that reads its NHWC input directly
    (no pack, no scratch); run `q-assign-layouts` afterwards, which plans
    its activations NHWC.
  }];
  let dependentDialects = [
    "::mlir::LLVM::LLVMDialect", "::mlir::arith::ArithDialect",
    "::mlir::scf::SCFDialect", "::mlir::vector::VectorDialect",
    "::mlir::func::FuncDialect", "::mlir::math::MathDialect",
    "::mlir::cf::ControlFlowDialect"
  ];
  let options = [
    Option<"isa", "isa", "std::string", "\"auto\"",
           "avx512vnni | avxvnni | avx2 | generic | auto (all, picked by "
           "cpuid at run time)">,
    Option<"tileP", "tile-p", "int", "0",
           "Pixel vectors per micro-kernel tile (0 = per-ISA default)">,
    Option<"tileO", "tile-o", "int", "0",
           "Output channels per micro-kernel tile (0 = per-ISA default)">,
    Option<"lowerToLLVM", "lower-to-llvm", "bool", "true",
           "Lower the kernels to the LLVM dialect (false keeps scf/vector "
           "for reading)">,
    Option<"report", "report", "bool", "false",
           "Emit a remark per conv/fc: the kernel it got, or why it is "
           "left for q-lower-to-onednn">,
    Option<"channelsLast", "channels-last", "bool", "false",
           "Generate channels-last kernels (NHWC in and out, no pack) for "
           "the convolutions they take; q-assign-layouts must run after">,
  ];
}

#endif // Q_CONVERSION_PASSES_TD
