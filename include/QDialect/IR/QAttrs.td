//===- QAttrs.td - enums and attributes of the q dialect -----*- tablegen -*-===//

#ifndef Q_ATTRS_TD
#define Q_ATTRS_TD

include "QDialect/IR/QDialect.td"
include "mlir/IR/EnumAttr.td"

// Unary element-wise functions: MXNet's Activation, LeakyReLU (but prelu,
// which has a learned slope operand), clip, and the FC-fusable math ops.
def Q_EltwiseKind : I32EnumAttr<"EltwiseKind", "element-wise function", [
    I32EnumAttrCase<"relu", 0>, I32EnumAttrCase<"sigmoid", 1>,
    I32EnumAttrCase<"tanh", 2>, I32EnumAttrCase<"softrelu", 3>,
    I32EnumAttrCase<"softsign", 4>, I32EnumAttrCase<"leaky", 5>,
    I32EnumAttrCase<"elu", 6>, I32EnumAttrCase<"selu", 7>,
    I32EnumAttrCase<"gelu", 8>, I32EnumAttrCase<"clip", 9>,
    I32EnumAttrCase<"square", 10>, I32EnumAttrCase<"sqrt", 11>,
    I32EnumAttrCase<"exp", 12>, I32EnumAttrCase<"abs", 13>]> {
  let cppNamespace = "::mlir::q";
  let genSpecializedAttr = 0;
}

def Q_PoolKind : I32EnumAttr<"PoolKind", "pooling reduction", [
    I32EnumAttrCase<"max", 0>, I32EnumAttrCase<"avg", 1>,
    I32EnumAttrCase<"sum", 2>]> {
  let cppNamespace = "::mlir::q";
  let genSpecializedAttr = 1;
}

// MXNet's output-size rule: valid floors, full ceils, same keeps ceil(in/s).
def Q_PoolConvention : I32EnumAttr<"PoolConvention", "pooling output-size rule", [
    I32EnumAttrCase<"valid", 0>, I32EnumAttrCase<"full", 1>,
    I32EnumAttrCase<"same", 2>]> {
  let cppNamespace = "::mlir::q";
  let genSpecializedAttr = 0;
}
def Q_PoolConventionAttr
    : EnumAttr<Q_Dialect, Q_PoolConvention, "pool_convention">;

// The `out_type` of MXNet's quantize_v2/requantize: auto becomes uint8 when
// the calibrated minimum is non-negative, int8 otherwise.
def Q_QuantDType : I32EnumAttr<"QuantDType", "quantized storage type", [
    I32EnumAttrCase<"int8", 0>, I32EnumAttrCase<"uint8", 1>,
    I32EnumAttrCase<"auto_", 2, "auto">]> {
  let cppNamespace = "::mlir::q";
  let genSpecializedAttr = 0;
}
def Q_QuantDTypeAttr : EnumAttr<Q_Dialect, Q_QuantDType, "quant_dtype">;

// Physical layout of an activation [N, C, S...]: the graph's own NCHW
// (dense, row-major), or NHWC (channels last, [N, S..., C]) as cameras and
// image decoders produce it (q.input_lookup) and as q-assign-layouts plans
// it between convolutions (the `q.layout` attribute of an op's result,
// q.reorder between layouts; qrt_layout in the runtime).
def Q_Layout : I32EnumAttr<"Layout", "physical layout of an activation", [
    I32EnumAttrCase<"nchw", 0>, I32EnumAttrCase<"nhwc", 1>]> {
  let cppNamespace = "::mlir::q";
  let genSpecializedAttr = 0;
}
def Q_LayoutAttr : EnumAttr<Q_Dialect, Q_Layout, "layout">;

// MXNet's `_*_scalar` family: `x op s`, and reversed forms `s op x`.
def Q_ScalarKind : I32EnumAttr<"ScalarKind", "scalar arithmetic", [
    I32EnumAttrCase<"add", 0>, I32EnumAttrCase<"sub", 1>,
    I32EnumAttrCase<"rsub", 2>, I32EnumAttrCase<"mul", 3>,
    I32EnumAttrCase<"div", 4>, I32EnumAttrCase<"rdiv", 5>,
    I32EnumAttrCase<"pow", 6>, I32EnumAttrCase<"rpow", 7>,
    I32EnumAttrCase<"max", 8>, I32EnumAttrCase<"min", 9>]> {
  let cppNamespace = "::mlir::q";
  let genSpecializedAttr = 1;
}

// One element-wise function with its parameters: `<relu>`, `<leaky, 0.25>`,
// `<clip, 0.0, 6.0>`. Used by q.activation and as fused post-ops.
def Q_EltwiseAttr : AttrDef<Q_Dialect, "Eltwise"> {
  let mnemonic = "eltwise";
  let summary = "element-wise function and its parameters";
  let description = [{
    `alpha` is the slope of leaky/elu/selu-scale, the lower bound of clip;
    `beta` is the upper bound of clip. Unused parameters are 0.
  }];
  let parameters = (ins "EltwiseKind":$kind,
                        APFloatParameter<"first parameter">:$alpha,
                        APFloatParameter<"second parameter">:$beta);
  let builders = [
    AttrBuilder<(ins "EltwiseKind":$kind, CArg<"double", "0.0">:$alpha,
                     CArg<"double", "0.0">:$beta), [{
      return $_get($_ctxt, kind, ::llvm::APFloat(alpha), ::llvm::APFloat(beta));
    }]>
  ];
  let extraClassDeclaration = [{
    double getAlphaValue() const { return getAlpha().convertToDouble(); }
    double getBetaValue() const { return getBeta().convertToDouble(); }
  }];
  let hasCustomAssemblyFormat = 1;
  let genVerifyDecl = 1;
}

#endif // Q_ATTRS_TD
