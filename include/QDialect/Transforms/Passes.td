//===- Passes.td - graph passes of the q dialect ------------*- tablegen -*-===//

#ifndef Q_TRANSFORMS_PASSES_TD
#define Q_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

def QFuse : Pass<"q-fuse", "::mlir::func::FuncOp"> {
  let summary = "Fuse conv [+bn] [+sum] [+act] and fc [+act] (MXNet's rules)";
  let description = [{
    Rewrites `q.convolution` into `q.fused_conv` and `q.fully_connected`
    into `q.fused_fc`, then grows them along single-use chains the way
    MXNet's subgraph backends do (reference section 4.2/4.3):
    conv [+ batch_norm] [+ add] [+ activation] and fc [+ element-wise].
    A batch norm with constant parameters is folded into the weights and
    bias. A value that has another consumer ends the chain. `mode=int8`
    restricts the activations to those MXNet fuses when quantizing.
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect"];
  let options = [
    Option<"mode", "mode", "std::string", "\"fp32\"",
           "Fusion rules: fp32 or int8">,
  ];
}

#endif // Q_TRANSFORMS_PASSES_TD
