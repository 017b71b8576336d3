//===- Convolution.cpp - oneDNN lowering of convolution ops
//------------------===//
//
// Part of q-lower-to-onednn (Steps.h): the runtime calls of convolutions and
// fully connected layers (qrt_conv, qrt_fc).
//
//===----------------------------------------------------------------------===//

#include "Layouts.h"
#include "Steps.h"

#include "QDialect/IR/ShapeInference.h"

#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace mlir::q;

namespace {

/// A depthwise convolution whose input has one step per channel
/// (`!quant.uniform<i8:f32:1, {...}>`): channels never mix, so output
/// channel o's scale is input step[o / multiplier] * weight step[o]. The
/// runtime gets input step 1 and those products as weight steps, each
/// rounded to float: float(double(in) * double(w)) (the reference's
/// per-channel rule, qrt/reference.h int8Conv).
void foldChannelSteps(Value input, qrt_conv_desc &d,
                      std::vector<float> &weightSteps) {
  auto perAxis = llvm::dyn_cast<quant::UniformQuantizedPerAxisType>(
      llvm::cast<ShapedType>(input.getType()).getElementType());
  if (!perAxis)
    return;
  ArrayRef<double> inSteps = perAxis.getScales();
  int64_t out = d.out_channels;
  int64_t multiplier = std::max<int64_t>(1, out / int64_t(inSteps.size()));
  std::vector<float> folded(out);
  for (int64_t o = 0; o < out; ++o) {
    float w = weightSteps.size() == 1 ? weightSteps[0] : weightSteps[o];
    float in = float(inSteps[o / multiplier]);
    folded[o] = float(double(in) * double(w));
  }
  weightSteps = std::move(folded);
  d.src_q = {1.0f, 0};
}

template <typename OpT>
LogicalResult describeConv(Operation *op, StepBuilder &b) {
  auto conv = cast<OpT>(op);
  qrt_conv_desc d{};
  d.abi_version = QRT_ABI_VERSION;
  auto in = llvm::cast<RankedTensorType>(conv.getInput().getType());
  auto w = llvm::cast<RankedTensorType>(conv.getWeight().getType());
  auto out = llvm::cast<RankedTensorType>(conv.getType());
  unsigned rank = in.getRank() - 2;
  auto geometry = shape::expandWindowGeometry(
      rank, conv.getStrides(), conv.getDilations(), conv.getPads());
  if (!geometry)
    return op->emitOpError(llvm::toString(geometry.takeError()));
  d.num_spatial = rank;
  d.batch = in.getDimSize(0);
  d.in_channels = in.getDimSize(1);
  d.out_channels = w.getDimSize(0);
  d.groups = conv.getGroups();
  for (unsigned s = 0; s < rank; ++s) {
    d.in_spatial[s] = in.getDimSize(s + 2);
    d.kernel[s] = w.getDimSize(s + 2);
    d.out_spatial[s] = out.getDimSize(s + 2);
    d.strides[s] = geometry->strides[s];
    d.dilations[s] = geometry->dilations[s];
    d.pad_begin[s] = geometry->padBegin[s];
    d.pad_end[s] = geometry->padEnd[s];
  }
  d.src_dtype = d.weight_dtype = d.bias_dtype = d.dst_dtype = d.sum_dtype =
      QRT_F32;
  d.has_bias = conv.getBias() != nullptr;
  d.sum_scale = 1.0f;
  d.src_layout = qrtLayoutOf(conv.getInput());
  d.dst_layout = qrtLayoutOf(conv.getResult());
  Value sum;
  if constexpr (std::is_same_v<decltype(conv), FusedConvOp>) {
    if (!conv.getBn().empty())
      return op->emitOpError("still carries a batch norm; run q-fuse "
                             "to fold it into the weights");
    d.has_sum = conv.getSum() != nullptr;
    d.sum_scale = conv.getSumScale().convertToDouble();
    d.act = eltwiseOf(conv.getAct());
    d.postsum_act = eltwiseOf(conv.getPostsumAct());
    sum = conv.getSum();
  }
  std::vector<float> weightSteps;
  if (isQuantized8(conv.getInput())) {
    d.src_dtype = qrtDtypeOf(conv.getInput());
    d.src_q = b.qparamOf(conv.getInput());
    d.weight_dtype = QRT_S8;
    weightSteps = weightStepsOf(conv.getWeight());
    foldChannelSteps(conv.getInput(), d, weightSteps);
    d.num_weight_steps = weightSteps.size();
    d.dst_dtype = qrtDtypeOf(conv.getResult());
    if (d.dst_dtype != QRT_F32)
      d.dst_q = b.defineQParam(conv.getResult());
    if (sum) {
      d.sum_dtype = qrtDtypeOf(sum);
      if (d.sum_dtype != QRT_F32)
        d.sum_q = b.qparamOf(sum);
    }
  }
  b.step.name = "conv";
  b.step.desc = bytesOf(d);
  if (failed(b.weight(conv.getWeight(), "the weight")) ||
      failed(b.weight(conv.getBias(), "the bias")) ||
      failed(b.data(conv.getInput())))
    return failure();
  b.step.initArgs.push_back({Value(), arrayBytes<float>(weightSteps)});
  if (sum && failed(b.requireRuntimeValue(sum)))
    return failure();
  b.step.runInputs.push_back(sum);
  return success();
}

template <typename OpT>
LogicalResult describeFc(Operation *op, StepBuilder &b) {
  auto fc = cast<OpT>(op);
  qrt_fc_desc d{};
  d.abi_version = QRT_ABI_VERSION;
  d.flatten = fc.getFlatten();
  d.input = shapeOf(fc.getInput());
  d.num_hidden = llvm::cast<ShapedType>(fc.getWeight().getType()).getDimSize(0);
  d.src_dtype = d.weight_dtype = d.bias_dtype = d.dst_dtype = QRT_F32;
  d.has_bias = fc.getBias() != nullptr;
  if constexpr (std::is_same_v<decltype(fc), FusedFullyConnectedOp>)
    d.act = eltwiseOf(fc.getAct());
  std::vector<float> weightSteps;
  if (isQuantized8(fc.getInput())) {
    d.src_dtype = qrtDtypeOf(fc.getInput());
    d.src_q = b.qparamOf(fc.getInput());
    d.weight_dtype = QRT_S8;
    weightSteps = weightStepsOf(fc.getWeight());
    d.num_weight_steps = weightSteps.size();
    d.dst_dtype = qrtDtypeOf(fc.getResult());
    if (d.dst_dtype != QRT_F32)
      d.dst_q = b.defineQParam(fc.getResult());
  }
  b.step.name = "fc";
  b.step.desc = bytesOf(d);
  if (failed(b.weight(fc.getWeight(), "the weight")) ||
      failed(b.weight(fc.getBias(), "the bias")))
    return failure();
  b.step.initArgs.push_back({Value(), arrayBytes<float>(weightSteps)});
  return b.data(fc.getInput());
}

} // namespace

void mlir::q::registerConvolutionSteps(StepTable &table) {
  table.on<ConvolutionOp>(describeConv<ConvolutionOp>);
  table.on<FusedConvOp>(describeConv<FusedConvOp>);
  table.on<FullyConnectedOp>(describeFc<FullyConnectedOp>);
  table.on<FusedFullyConnectedOp>(describeFc<FusedFullyConnectedOp>);
}
