//===- QDialect.td - the q dialect ---------------------------*- tablegen -*-===//
//
// Graph-level dialect for MXNet models: ops on tensors with value semantics,
// fused conv/fc ops carrying their post-op chain, and quantization ops whose
// static scales are MLIR `quant` types.
//
//===----------------------------------------------------------------------===//

#ifndef Q_DIALECT_TD
#define Q_DIALECT_TD

include "mlir/IR/OpBase.td"
include "mlir/IR/AttrTypeBase.td"

def Q_Dialect : Dialect {
  let name = "q";
  let summary = "Graph ops of MXNet models, fused and quantized";
  let description = [{
    The `q` dialect mirrors the MXNet operators that q imports. Ops work on
    ranked tensors with static shapes and NCHW layout; every op infers its
    result type from its operands and attributes where that is possible.
    Node names from MXNet travel as `NameLoc` locations.

    Element types: `f32` for fp32 graphs; `!quant.uniform<...>` for tensors
    with static scales (per-axis for weights); `!quant.any<...>` for tensors
    whose scale is computed at run time (no calibration); `i8`/`ui8` for raw
    integer graph inputs.
  }];
  let cppNamespace = "::mlir::q";
  let dependentDialects = ["::mlir::quant::QuantDialect"];
  let useDefaultAttributePrinterParser = 1;
  let hasCanonicalizer = 0;
}

class Q_Op<string mnemonic, list<Trait> traits = []>
    : Op<Q_Dialect, mnemonic, traits>;

#endif // Q_DIALECT_TD
