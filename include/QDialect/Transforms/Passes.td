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

def QQuantize : Pass<"q-quantize", "::mlir::ModuleOp"> {
  let summary = "Quantize convolutions, fully connected layers and the ops "
                "between them (MXNet's QuantizeGraph pass)";
  let description = [{
    Rewrites fused convolutions and fully connected layers (run `q-fuse`
    first) to int8, and, per `mode`, the support ops around them (pooling,
    flatten, reshape, concat, relu, add). Inserts one `q.quantize` per fp32
    edge that enters the quantized region (reused by every consumer), a
    `q.requantize` after every op that produces int32 accumulators, and a
    `q.dequantize` before every fp32 consumer and function result. Weights
    become int8 constants with one scale per output channel (`channel`) or
    one per tensor (`tensor`); biases stay f32 until the input scale is
    known (`q-calibrate`). Without calibration every scale is found at run
    time (`!quant.any`). Graph inputs that are already i8/ui8 pass straight
    in. An `exclude` name that is no node of the module is an error that
    names the closest node names (a module pass, so that the names of every
    function count). See docs/passes.md.
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::quant::QuantDialect"];
  let options = [
    Option<"dtype", "dtype", "::mlir::q::QuantDType",
           "::mlir::q::QuantDType::auto_",
           "Quantized type of activations: int8, uint8 or auto (uint8 where "
           "the calibrated minimum is >= 0)">,
    ListOption<"exclude", "exclude", "std::string",
               "Node names to keep in fp32 (a fused op is excluded when any "
               "node it absorbed is named)">,
    ListOption<"excludeOps", "exclude-ops", "std::string",
               "Op kinds to keep in fp32: conv, fc, pooling, flatten, "
               "reshape, concat, act, add">,
    Option<"mode", "mode", "::mlir::q::QuantizeMode",
           "::mlir::q::QuantizeMode::smart",
           "smart: support ops only between quantized convs/fcs; full: "
           "every op that has an int8 form">,
    Option<"granularity", "granularity", "::mlir::q::WeightGranularity",
           "::mlir::q::WeightGranularity::channel",
           "Weight scales: channel (one per output channel) or tensor">,
    Option<"weightBits", "weight-bits", "int", "8",
           "Bits of the int8 weights: 8 ([-128, 127]) or fewer, e.g. 7 "
           "([-64, 63]: avx2 kernels then use vpmaddubsw exactly, and "
           "oneDNN's avx2 path no longer saturates)">,
  ];
}

def QCalibrate : Pass<"q-calibrate", "::mlir::ModuleOp"> {
  let summary = "Attach calibrated ranges from a table to quantize and "
                "requantize ops";
  let description = [{
    Reads the JSON table `q-calibrate` writes (docs/CALIBRATION.md), keyed by
    MXNet-style tensor names (`data`, `conv0_output`): each `q.quantize`
    looks up the name of its fp32 input, each `q.requantize` the name of the
    op that produced its int32 input. A found range becomes the op's
    min/max_calib_range and a static `!quant.uniform` result type (auto
    resolves to uint8 where min >= 0); the new types flow through the
    support ops that follow. Biases of ops whose input scale became static
    are quantized to int32. Tensors missing from the table stay dynamic.
    The table is checked against the module: a table that names none of the
    tensors the module needs is an error (another model's table); a partial
    one is a warning with the counts and the first names missing and the
    entries that name no tensor of the module, an error with `strict`.
    A tensor with a negative range that would be quantized to uint8
    (`dtype=uint8`) loses its negative values: an error naming the tensors
    and the fraction of their calibration values below zero, a warning with
    `allow-clipping`. Tensors that only depthwise convolutions read and
    whose table entry has `channel_min`/`channel_max` get one step per
    channel (`!quant.uniform<i8:f32:1, {...}>`).
  }];
  let dependentDialects = ["::mlir::quant::QuantDialect"];
  let options = [
    Option<"table", "table", "std::string", "\"\"",
           "The calibration table (JSON) to read">,
    Option<"strict", "strict", "bool", "false",
           "A table that lacks some tensor the module needs is an error">,
    Option<"allowClipping", "allow-clipping", "bool", "false",
           "A negative range quantized to uint8 (clipped) is a warning "
           "instead of an error">,
  ];
}

def QFoldRequantize : Pass<"q-fold-requantize", "::mlir::func::FuncOp"> {
  let summary = "Fold requantize/dequantize into the ops that produce their "
                "inputs";
  let description = [{
    MXNet's post-quantize fusion: a calibrated requantize whose input comes
    from a fused conv, fused fc or quantized add (and nothing else) becomes
    that op's output range; such a producer whose requantize only feeds
    dequantizes writes f32 directly (MXNet's enable_float_output);
    quantize(dequantize(x)) with equal types folds away. (Concat scale
    alignment happens in q-calibrate, where the ranges are set.)
  }];
}

//===----------------------------------------------------------------------===//
// Raw integer inputs (docs/passes.md, q-raw-inputs)
//===----------------------------------------------------------------------===//

def QRawInputs : Pass<"q-raw-inputs", "::mlir::ModuleOp"> {
  let summary = "Make graph inputs raw uint8/int8 tensors read through a "
                "per-channel lookup table";
  let description = [{
    For each `inputs` entry `NAME:u8` or `NAME:i8` (with `:nhwc` for
    `[N, H, W, C]` data and `:step=S` for the real value of one integer,
    needed for i8), changes the f32 input NAME of `@main` to that integer
    type and layout and reads it through a `q.input_lookup` whose table
    starts as the identity (`S * x`). The lookup's folding patterns then
    absorb the per-element ops that follow (scalar arithmetic, a batch norm
    or per-channel binary op with constant operands, a static quantize),
    computing what the runtime computes, so that the first layer gets the
    same bits and no float pass touches the input. Run it after the graph
    passes (q-fuse or the int8 pipeline).
  }];
  let dependentDialects = ["::mlir::quant::QuantDialect"];
  let options = [
    ListOption<"inputs", "inputs", "std::string",
               "NAME:u8|i8[:nhwc|nchw][:step=S], one per raw input">,
  ];
}

def QAssignLayouts : Pass<"q-assign-layouts", "::mlir::func::FuncOp"> {
  let summary = "Plan the physical layout (NCHW or channels last) of every "
                "activation for the whole graph";
  let description = [{
    Gives each activation the layout its producer and consumers run best
    in, so that chains of convolutions, pooling, adds, concats and
    activations run channels last (NHWC) with no conversion between them;
    NCHW remains at graph inputs and outputs and at ops that read only
    NCHW, where explicit `q.reorder` ops convert (a convolution reads its
    input in either layout, so a graph input feeds the first convolution
    directly). The layout of an op's result is its `q.layout` attribute
    (docs/passes.md, "q-assign-layouts"). Runs after q-lower-to-loops
    (its kernels read NCHW) and before q-lower-to-onednn.
  }];
  let statistics = [
    Statistic<"reordersInserted", "reorders",
              "q.reorder ops inserted">,
    Statistic<"valuesChannelsLast", "channels-last",
              "op results planned channels last">,
  ];
}

#endif // Q_TRANSFORMS_PASSES_TD
