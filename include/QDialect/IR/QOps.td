//===- QOps.td - ops of the q dialect ------------------------*- tablegen -*-===//

#ifndef Q_OPS_TD
#define Q_OPS_TD

include "QDialect/IR/QDialect.td"
include "QDialect/IR/QAttrs.td"
include "QDialect/IR/QInterfaces.td"
include "mlir/Interfaces/InferTypeOpInterface.td"
include "mlir/Interfaces/SideEffectInterfaces.td"
include "mlir/IR/CommonAttrConstraints.td"

//===----------------------------------------------------------------------===//
// Type constraints
//===----------------------------------------------------------------------===//

def Q_QuantizedElement : Type<
    CPred<"::llvm::isa<::mlir::quant::QuantizedType>($_self)">,
    "quantized type">;

// fp32 graph tensors.
def Q_F32Tensor : StaticShapeTensorOf<[F32]>;
// Tensors whose values have a scale (static or run-time).
def Q_QuantTensor : StaticShapeTensorOf<[Q_QuantizedElement]>;
// What data-movement ops (pooling, flatten, concat, ...) accept: fp32,
// quantized, or raw 8-bit integers fed straight into a graph.
def Q_Tensor : StaticShapeTensorOf<[F32, Q_QuantizedElement, I8, UI8]>;
// What quantize accepts: fp32, or int8/uint8 data that is already quantized.
def Q_QuantizeInput : StaticShapeTensorOf<[F32, I8, UI8]>;

// Spatial-geometry attributes shared by convolution and pooling; an empty
// array means the default (1 for strides and dilations, 0 for pads). `pads`
// holds the begin paddings of every spatial dim, then the end paddings.
defvar Q_StridesAttr = DefaultValuedOptionalAttr<DenseI64ArrayAttr, "{}">;
defvar Q_PadsAttr = DefaultValuedOptionalAttr<DenseI64ArrayAttr, "{}">;

// Layout planning (QInterfaces.td): runs channels last as well as NCHW;
// the Q_ConvLayout form also reads its input in a layout of its own.
defvar Q_AnyLayout = Q_LayoutPlanningOpInterface;
defvar Q_CheckedLayout = DeclareOpInterfaceMethods<Q_LayoutPlanningOpInterface,
                                                   ["canRunChannelsLast"]>;
defvar Q_ConvLayout = DeclareOpInterfaceMethods<Q_LayoutPlanningOpInterface,
    ["canRunChannelsLast", "hasIndependentLayout"]>;

defvar Q_CalibAttrs = (ins OptionalAttr<F32Attr>:$min_calib_range,
                          OptionalAttr<F32Attr>:$max_calib_range);

//===----------------------------------------------------------------------===//
// Convolution and fully connected
//===----------------------------------------------------------------------===//

def Q_ConvolutionOp : Q_Op<"convolution", [Q_ConvLayout, Pure, InferTypeOpAdaptor]> {
  let summary = "N-d convolution (1-D, 2-D or 3-D), NC[D]HW layout";
  let description = [{
    MXNet's `Convolution`. The weight is `[O, C/groups, k...]`; the kernel
    size comes from the weight shape. The bias, when present, is `[O]`.

    ```mlir
    %y = q.convolution %x, %w, %b {pads = array<i64: 1, 1, 1, 1>}
        : tensor<1x3x32x32xf32>, tensor<16x3x3x3xf32>, tensor<16xf32>
    ```
  }];
  let arguments = (ins Q_F32Tensor:$input, Q_F32Tensor:$weight,
                       Optional<Q_F32Tensor>:$bias,
                       Q_StridesAttr:$strides, Q_StridesAttr:$dilations,
                       Q_PadsAttr:$pads,
                       DefaultValuedOptionalAttr<I64Attr, "1">:$groups);
  let results = (outs Q_F32Tensor:$output);
  let assemblyFormat = [{
    $input `,` $weight (`,` $bias^)? prop-dict attr-dict `:` type($input) `,`
    type($weight) (`,` type($bias)^)?
  }];
}

def Q_FusedConvOp : Q_Op<"fused_conv", [Q_ConvLayout, Pure, AttrSizedOperandSegments]> {
  let summary = "convolution with folded batch norm and a post-op chain";
  let description = [{
    Computes, per output element,
    `postsum_act(act(conv(input, weight) + bias) + sum_scale * sum)`
    where `act`, `sum` and `postsum_act` are optional. While the four `bn`
    operands (gamma, beta, moving mean, moving variance) are present the
    batch norm is applied after the bias; `q-fuse` folds constant ones into
    the weight and bias.

    Valid in fp32 (all operands f32) and in int8: a quantized input
    (`i8`/`u8` storage), int8 weights (static per-channel or per-tensor
    scales, or f32 weights quantized at load), an f32 or i32 bias, and a
    quantized (`i8`/`u8`/`i32`) or f32 (float output) result. The optional
    calibration range is the one MXNet stores on `_sg_mkldnn_conv`.
  }];
  let arguments = !con((ins Q_Tensor:$input, Q_Tensor:$weight,
                            Optional<StaticShapeTensorOf<[F32, Q_QuantizedElement]>>:$bias,
                            Variadic<Q_F32Tensor>:$bn,
                            Optional<Q_Tensor>:$sum,
                            Q_StridesAttr:$strides, Q_StridesAttr:$dilations,
                            Q_PadsAttr:$pads,
                            DefaultValuedOptionalAttr<I64Attr, "1">:$groups,
                            DefaultValuedOptionalAttr<F64Attr, "1e-3">:$bn_eps,
                            DefaultValuedOptionalAttr<BoolAttr, "false">:$bn_fix_gamma,
                            OptionalAttr<Q_EltwiseAttr>:$act,
                            DefaultValuedOptionalAttr<F64Attr, "1.0">:$sum_scale,
                            OptionalAttr<Q_EltwiseAttr>:$postsum_act),
                       Q_CalibAttrs);
  let results = (outs StaticShapeTensorOf<[F32, Q_QuantizedElement]>:$output);
  let assemblyFormat = [{
    $input `,` $weight (`bias` `(` $bias^ `)`)? (`bn` `(` $bn^ `)`)?
    (`sum` `(` $sum^ `)`)? prop-dict attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Q_FullyConnectedOp : Q_Op<"fully_connected", [Pure, InferTypeOpAdaptor]> {
  let summary = "inner product (MXNet FullyConnected)";
  let description = [{
    With `flatten` (the default) the input is read as `[N, prod(rest)]` and
    the result is `[N, O]`; without it the product runs over the last axis
    and the leading axes are kept. The weight is `[O, K]`, the bias `[O]`.
  }];
  let arguments = (ins Q_F32Tensor:$input, Q_F32Tensor:$weight,
                       Optional<Q_F32Tensor>:$bias,
                       DefaultValuedOptionalAttr<BoolAttr, "true">:$flatten);
  let results = (outs Q_F32Tensor:$output);
  let assemblyFormat = [{
    $input `,` $weight (`,` $bias^)? prop-dict attr-dict `:` type($input) `,`
    type($weight) (`,` type($bias)^)?
  }];
}

def Q_FusedFullyConnectedOp : Q_Op<"fused_fc", [Pure]> {
  let summary = "inner product with an element-wise post-op, fp32 or int8";
  let description = [{
    `act(fully_connected(input, weight) + bias)`. In int8 the result is
    quantized, or f32 when a dequantize was folded in (MXNet's
    `enable_float_output`).
  }];
  let arguments = !con((ins Q_Tensor:$input, Q_Tensor:$weight,
                            Optional<StaticShapeTensorOf<[F32, Q_QuantizedElement]>>:$bias,
                            DefaultValuedOptionalAttr<BoolAttr, "true">:$flatten,
                            OptionalAttr<Q_EltwiseAttr>:$act),
                       Q_CalibAttrs);
  let results = (outs StaticShapeTensorOf<[F32, Q_QuantizedElement]>:$output);
  let assemblyFormat = [{
    $input `,` $weight (`bias` `(` $bias^ `)`)? prop-dict attr-dict `:`
    functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Normalization and element-wise functions
//===----------------------------------------------------------------------===//

def Q_BatchNormOp : Q_Op<"batch_norm", [Q_CheckedLayout, Pure, InferTypeOpAdaptor,
    AllTypesMatch<["gamma", "beta", "mean", "var"]>]> {
  let summary = "batch normalization in inference mode";
  let description = [{
    `gamma * (x - mean) / sqrt(var + eps) + beta` along `axis`; with
    `fix_gamma` the stored gamma is ignored and 1 is used, as MXNet does.
  }];
  let arguments = (ins Q_F32Tensor:$input, Q_F32Tensor:$gamma,
                       Q_F32Tensor:$beta, Q_F32Tensor:$mean, Q_F32Tensor:$var,
                       DefaultValuedOptionalAttr<F64Attr, "1e-3">:$eps,
                       DefaultValuedOptionalAttr<BoolAttr, "false">:$fix_gamma,
                       DefaultValuedOptionalAttr<I64Attr, "1">:$axis);
  let results = (outs Q_F32Tensor:$output);
  let assemblyFormat = [{
    $input `,` $gamma `,` $beta `,` $mean `,` $var prop-dict attr-dict `:`
    type($input) `,` type($gamma)
  }];
}

def Q_ActivationOp : Q_Op<"activation", [Q_AnyLayout, Pure, InferTypeOpAdaptor]> {
  let summary = "element-wise activation (Activation, LeakyReLU, clip)";
  let description = [{
    ```mlir
    %y = q.activation <clip, 0.0, 6.0> %x : tensor<1x32x8x8xf32>
    ```
    fp32, or relu/clip on a quantized tensor (the result keeps its type).
  }];
  let arguments = (ins Q_Tensor:$input, Q_EltwiseAttr:$act);
  let results = (outs Q_Tensor:$output);
  let assemblyFormat = "$act $input prop-dict attr-dict `:` type($input)";
  let hasVerifier = 1;
}

def Q_PReluOp : Q_Op<"prelu", [Q_CheckedLayout, Pure, InferTypeOpAdaptor]> {
  let summary = "leaky relu with a learned per-channel slope";
  let arguments = (ins Q_F32Tensor:$input, Q_F32Tensor:$slope);
  let results = (outs Q_F32Tensor:$output);
  let assemblyFormat = [{
    $input `,` $slope prop-dict attr-dict `:` type($input) `,` type($slope)
  }];
}

def Q_SoftmaxOp : Q_Op<"softmax", [Pure, InferTypeOpAdaptor]> {
  let summary = "softmax (or log-softmax) along one axis";
  let arguments = (ins Q_F32Tensor:$input,
                       DefaultValuedOptionalAttr<I64Attr, "-1">:$axis,
                       OptionalAttr<F64Attr>:$temperature,
                       DefaultValuedOptionalAttr<BoolAttr, "false">:$log);
  let results = (outs Q_F32Tensor:$output);
  let assemblyFormat = "$input prop-dict attr-dict `:` type($input)";
}

def Q_DropoutOp : Q_Op<"dropout", [Q_AnyLayout, Pure, InferTypeOpAdaptor]> {
  let summary = "dropout: the identity at inference, folded away";
  let arguments = (ins Q_Tensor:$input,
                       DefaultValuedOptionalAttr<F64Attr, "0.5">:$p);
  let results = (outs Q_Tensor:$output);
  let assemblyFormat = "$input prop-dict attr-dict `:` type($input)";
  let hasFolder = 1;
}

//===----------------------------------------------------------------------===//
// Arithmetic
//===----------------------------------------------------------------------===//

class Q_BinaryOp<string mnemonic, string what>
    : Q_Op<mnemonic, [Q_CheckedLayout, Pure, InferTypeOpAdaptor]> {
  let summary = "element-wise " # what # " with numpy-style broadcasting";
  let arguments = (ins Q_F32Tensor:$lhs, Q_F32Tensor:$rhs);
  let results = (outs Q_F32Tensor:$output);
  let assemblyFormat = [{
    $lhs `,` $rhs prop-dict attr-dict `:` type($lhs) `,` type($rhs)
  }];
}

def Q_AddOp : Q_BinaryOp<"add", "sum"> {
  let description = [{
    MXNet's `elemwise_add`, `_Plus`, `_add` and `broadcast_add`.
  }];
}
def Q_SubOp : Q_BinaryOp<"sub", "difference">;
def Q_MulOp : Q_BinaryOp<"mul", "product">;
def Q_DivOp : Q_BinaryOp<"div", "quotient">;

def Q_ScalarOp : Q_Op<"scalar", [Q_AnyLayout, Pure, InferTypeOpAdaptor]> {
  let summary = "arithmetic with a scalar constant (MXNet `_*_scalar`)";
  let description = [{
    `rsub`, `rdiv` and `rpow` put the scalar on the left: `s - x`.

    ```mlir
    %y = q.scalar mul %x {scalar = 2.0 : f64} : tensor<4xf32>
    ```
  }];
  let arguments = (ins Q_F32Tensor:$input, Q_ScalarKind:$kind,
                       F64Attr:$scalar);
  let results = (outs Q_F32Tensor:$output);
  let assemblyFormat = "$kind $input prop-dict attr-dict `:` type($input)";
}

def Q_QuantizedAddOp : Q_Op<"quantized_add", [Q_AnyLayout, Pure]> {
  let summary = "sum of two quantized tensors of one shape";
  let description = [{
    MXNet's `_contrib_quantized_elemwise_add`. Without a calibration range
    the result holds i32 values, or f32 real values once a dequantize was
    folded in; with one it is 8-bit with the range's scale (uint8 only
    when the range is non-negative).
  }];
  let arguments = !con((ins Q_QuantTensor:$lhs, Q_QuantTensor:$rhs),
                       Q_CalibAttrs);
  let results = (outs StaticShapeTensorOf<[F32, Q_QuantizedElement]>:$output);
  let assemblyFormat = [{
    $lhs `,` $rhs prop-dict attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Pooling and data movement
//===----------------------------------------------------------------------===//

def Q_PoolingOp : Q_Op<"pooling", [Q_CheckedLayout, Pure, InferTypeOpAdaptor]> {
  let summary = "max/avg/sum pooling, windowed or global";
  let description = [{
    MXNet's `Pooling`. `kernel` may be empty only for global pooling.
    `convention` chooses MXNet's output-size rule: `valid` floors,
    `full` ceils, `same` gives `ceil(in / stride)`. `count_include_pad`
    makes average pooling divide by the full window size.
  }];
  let arguments = (ins Q_Tensor:$input, Q_PoolKind:$kind,
                       DefaultValuedOptionalAttr<DenseI64ArrayAttr, "{}">:$kernel,
                       Q_StridesAttr:$strides, Q_PadsAttr:$pads,
                       DefaultValuedOptionalAttr<BoolAttr, "false">:$global_pool,
                       DefaultValuedOptionalAttr<Q_PoolConventionAttr,
                           "::mlir::q::PoolConvention::valid">:$convention,
                       DefaultValuedOptionalAttr<BoolAttr, "true">:$count_include_pad);
  let results = (outs Q_Tensor:$output);
  let assemblyFormat = "$kind $input prop-dict attr-dict `:` type($input)";
}

def Q_FlattenOp : Q_Op<"flatten", [Pure, InferTypeOpAdaptor]> {
  let summary = "collapse all axes but the first";
  let arguments = (ins Q_Tensor:$input);
  let results = (outs Q_Tensor:$output);
  let assemblyFormat = "$input prop-dict attr-dict `:` type($input)";
  let hasFolder = 1;
}

def Q_ReshapeOp : Q_Op<"reshape", [Pure, InferTypeOpAdaptor]> {
  let summary = "reshape with MXNet's special codes";
  let description = [{
    `shape` uses MXNet's codes: `0` copies an input dim, `-1` infers one dim,
    `-2` copies all remaining dims, `-3` merges two consecutive dims, `-4`
    splits one dim into the two values that follow (one may be -1).
    `reverse` applies the codes right to left.
  }];
  let arguments = (ins Q_Tensor:$input, DenseI64ArrayAttr:$shape,
                       DefaultValuedOptionalAttr<BoolAttr, "false">:$reverse);
  let results = (outs Q_Tensor:$output);
  let assemblyFormat = "$input prop-dict attr-dict `:` type($input)";
  let hasFolder = 1;
}

def Q_ConcatOp : Q_Op<"concat", [Q_CheckedLayout, Pure, InferTypeOpAdaptor]> {
  let summary = "concatenate along one axis";
  let arguments = (ins Variadic<Q_Tensor>:$inputs,
                       DefaultValuedOptionalAttr<I64Attr, "1">:$axis);
  let results = (outs Q_Tensor:$output);
  let assemblyFormat = "$inputs prop-dict attr-dict `:` type($inputs)";
  let hasFolder = 1;
}

def Q_TransposeOp : Q_Op<"transpose", [Pure, InferTypeOpAdaptor]> {
  let summary = "permute axes; an empty permutation reverses them";
  let arguments = (ins Q_Tensor:$input,
                       DefaultValuedOptionalAttr<DenseI64ArrayAttr, "{}">:$permutation);
  let results = (outs Q_Tensor:$output);
  let assemblyFormat = "$input prop-dict attr-dict `:` type($input)";
  let hasFolder = 1;
}

def Q_SliceOp : Q_Op<"slice", [Pure, InferTypeOpAdaptor]> {
  let summary = "strided slice of the leading axes (python semantics)";
  let description = [{
    `begin`/`end` may be negative (counted from the end) and are clamped to
    the axis as in python; `step` (default 1 everywhere) must be positive.
    Axes beyond the length of `begin` are kept whole.
  }];
  let arguments = (ins Q_Tensor:$input, DenseI64ArrayAttr:$begin,
                       DenseI64ArrayAttr:$end,
                       DefaultValuedOptionalAttr<DenseI64ArrayAttr, "{}">:$step);
  let results = (outs Q_Tensor:$output);
  let assemblyFormat = "$input prop-dict attr-dict `:` type($input)";
}

def Q_UpSamplingOp : Q_Op<"upsampling", [Pure, InferTypeOpAdaptor]> {
  let summary = "nearest-neighbour upsampling of the spatial axes";
  let arguments = (ins Q_Tensor:$input, I64Attr:$scale);
  let results = (outs Q_Tensor:$output);
  let assemblyFormat = "$input prop-dict attr-dict `:` type($input)";
}

def Q_CropOp : Q_Op<"crop", [Pure, InferTypeOpAdaptor]> {
  let summary = "crop the spatial axes to `sizes` starting at `offsets`";
  let arguments = (ins Q_Tensor:$input, DenseI64ArrayAttr:$offsets,
                       DenseI64ArrayAttr:$sizes);
  let results = (outs Q_Tensor:$output);
  let assemblyFormat = "$input prop-dict attr-dict `:` type($input)";
}

//===----------------------------------------------------------------------===//
// Quantization
//===----------------------------------------------------------------------===//

def Q_QuantizeOp : Q_Op<"quantize", [Q_AnyLayout, Pure]> {
  let summary = "fp32 to int8/uint8 (MXNet quantize_v2)";
  let description = [{
    With a calibration range the result has the static scale
    `max(|min|, |max|) / R` (R = 127.5 for int8, 255.5 for uint8) as a
    `!quant.uniform` type; without one the scale is computed at run time
    and the result is `!quant.any`. `out_type = auto` gives uint8 when the
    calibrated minimum is non-negative and int8 otherwise. Quantizing data
    that is already `i8`/`ui8` is the identity on the stored values.

    ```mlir
    %q = q.quantize %x {min_calib_range = 0.0 : f32, max_calib_range = 2.555 : f32,
                        out_type = #q<quant_dtype uint8>}
        : tensor<1x3x8x8xf32> -> tensor<1x3x8x8x!quant.uniform<u8:f32, 0.01>>
    ```
  }];
  let arguments = !con((ins Q_QuantizeInput:$input,
                            DefaultValuedOptionalAttr<Q_QuantDTypeAttr,
                                "::mlir::q::QuantDType::int8">:$out_type),
                       Q_CalibAttrs);
  let results = (outs Q_QuantTensor:$output);
  let assemblyFormat = "$input prop-dict attr-dict `:` type($input) `->` type($output)";
  let hasVerifier = 1;
  let hasFolder = 1;
}

def Q_DequantizeOp : Q_Op<"dequantize", [Q_AnyLayout, Pure, InferTypeOpAdaptor]> {
  let summary = "quantized to fp32 (MXNet dequantize)";
  let arguments = (ins Q_QuantTensor:$input);
  let results = (outs Q_F32Tensor:$output);
  let assemblyFormat = "$input prop-dict attr-dict `:` type($input)";
}

def Q_RequantizeOp : Q_Op<"requantize", [Q_AnyLayout, Pure]> {
  let summary = "int32 accumulators to int8/uint8 (MXNet requantize)";
  let description = [{
    Rescales an `i32`-storage quantized tensor to 8 bits. With a
    calibration range the result scale is static; without one it is found
    at run time from the data.
  }];
  let arguments = !con((ins Q_QuantTensor:$input,
                            DefaultValuedOptionalAttr<Q_QuantDTypeAttr,
                                "::mlir::q::QuantDType::int8">:$out_type),
                       Q_CalibAttrs);
  let results = (outs Q_QuantTensor:$output);
  let assemblyFormat = "$input prop-dict attr-dict `:` type($input) `->` type($output)";
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Layouts
//===----------------------------------------------------------------------===//

def Q_ReorderOp : Q_Op<"reorder", [Pure, SameOperandsAndResultType]> {
  let summary = "change of an activation's physical layout";
  let description = [{
    The same logical tensor `[N, C, S...]`, read in layout `from` (the
    layout its producer wrote) and written in layout `to`. Left by
    `q-assign-layouts` where a value planned channels last meets an op that
    reads NCHW only (or the reverse); the value's type does not change.
    An op's result layout is its `q.layout` attribute (absent: `nchw`);
    a reorder's result is in `to`. Two reorders that undo each other fold
    away.

    ```mlir
    %y = q.reorder %x nhwc to nchw : tensor<1x64x56x56xf32>
    ```
  }];
  let arguments = (ins Q_Tensor:$input, Q_LayoutAttr:$from,
                       Q_LayoutAttr:$to);
  let results = (outs Q_Tensor:$output);
  let assemblyFormat = [{
    $input custom<LayoutName>($from) `to` custom<LayoutName>($to) attr-dict
    `:` type($input)
  }];
  let hasVerifier = 1;
  let hasFolder = 1;
}

//===----------------------------------------------------------------------===//
// Raw inputs
//===----------------------------------------------------------------------===//

def Q_InputLookupOp : Q_Op<"input_lookup", [Pure]> {
  let summary = "raw 8-bit input to graph values through a per-channel table";
  let description = [{
    Maps each 8-bit element of a raw input (uint8 pixels, or int8 data) to
    `table[c][i]`, where `c` is its channel (row 0 when the table has one
    row) and `i` the byte as an index: `x` for `ui8`, `x + 128` for `i8`.
    With `layout = nhwc` the input is `[N, H, W, C]` and the result
    `[N, C, H, W]`; with `nchw` (the default) the result has the input's
    shape and the channel is axis 1. The table is `[1 or C, 256]`: f32
    values for an f32 result, or the stored integers (`i8`/`ui8`) of a
    static 8-bit quantized result.

    `q-raw-inputs` puts one at a graph input with the identity table; its
    canonicalization patterns then fold the per-element ops that follow
    (scalar arithmetic, a batch norm or a per-channel binary op with
    constant operands, a static quantize) into the table, evaluating them
    exactly as the runtime does, so the result is bit-identical to running
    those ops.

    ```mlir
    %y = q.input_lookup %x <{layout = #q<layout nhwc>,
                             table = dense<...> : tensor<3x256xf32>}>
        : tensor<1x8x8x3xui8> -> tensor<1x3x8x8xf32>
    ```
  }];
  let arguments = (ins StaticShapeTensorOf<[I8, UI8]>:$input,
                       ElementsAttr:$table,
                       DefaultValuedOptionalAttr<Q_LayoutAttr,
                           "::mlir::q::Layout::nchw">:$layout);
  let results = (outs StaticShapeTensorOf<[F32, Q_QuantizedElement]>:$output);
  let assemblyFormat = [{
    $input prop-dict attr-dict `:` type($input) `->` type($output)
  }];
  let hasVerifier = 1;
  let hasCanonicalizer = 1;
  let extraClassDeclaration = [{
    /// Rows of the table (1, or the channel count).
    int64_t getNumRows() {
      return ::llvm::cast<::mlir::ShapedType>(getTable().getType())
          .getDimSize(0);
    }
    /// Channels of the result (axis 1), 1 below rank 2.
    int64_t getNumChannels();
  }];
}

//===----------------------------------------------------------------------===//
// Generated kernels
//===----------------------------------------------------------------------===//

def Q_KernelCallOp : Q_Op<"kernel_call", [DeclareOpInterfaceMethods<
    Q_LayoutPlanningOpInterface, ["canRunChannelsLast", "requiredLayout"]>]> {
  let summary = "an op computed by a kernel that q generated itself";
  let description = [{
    Left by `q-lower-to-loops` in place of a quantized conv or fc. `callee`
    names an `llvm.func` of the module taking `(!llvm.ptr args, i64 begin,
    i64 end)`: `args` points to an array holding the data pointer of each
    operand in order and then of the result, and the call computes output
    tiles [begin, end) of `num_tiles`. `q-lower-to-onednn` runs the tiles on
    the runtime's threads (include/qrt/parallel.h).

    With `channels_last` the kernel reads and writes its activations (its
    4-D operands and result) NHWC only: `q-assign-layouts` plans them so.
    Without it they are NCHW.
  }];
  let arguments = (ins FlatSymbolRefAttr:$callee,
                       Variadic<Q_Tensor>:$args,
                       I64Attr:$num_tiles,
                       UnitAttr:$channels_last);
  let results = (outs Q_Tensor:$output);
  let assemblyFormat = [{
    $callee `(` $args `)` prop-dict attr-dict `:` functional-type($args, $output)
  }];
}

#endif // Q_OPS_TD
