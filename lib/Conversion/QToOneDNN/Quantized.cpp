//===- Quantized.cpp - oneDNN lowering of quantized ops
//----------------------===//
//
// Part of q-lower-to-onednn (Steps.h): the runtime calls of quantize,
// requantize, dequantize and the quantized add (qrt_quantize,
// qrt_quantized_add).
//
//===----------------------------------------------------------------------===//

#include "Layouts.h"
#include "Steps.h"

#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace mlir::q;

namespace {

LogicalResult describeQuantize(Operation *op, StepBuilder &b) {
  Operation *reorder = op;
  // One element-wise reorder by real value (qrt_quantize).
  Value input = reorder->getOperand(0);
  Value result = reorder->getResult(0);
  qrt_quantize_desc d{};
  d.abi_version = QRT_ABI_VERSION;
  d.src_dtype = qrtDtypeOf(input);
  d.dst_dtype = qrtDtypeOf(result);
  d.num_elements = llvm::cast<ShapedType>(result.getType()).getNumElements();
  auto perAxisOf = [](Value v) {
    return llvm::dyn_cast<quant::UniformQuantizedPerAxisType>(
        llvm::cast<ShapedType>(v.getType()).getElementType());
  };
  // One step per channel (axis 1), for a depthwise convolution's input:
  // quantized from f32, or dequantized to f32 (q-report observes it):
  // qrt_quantize_channels_init with the steps; src_q/dst_q are unused.
  auto perAxis = perAxisOf(result) ? perAxisOf(result) : perAxisOf(input);
  if (d.src_dtype != QRT_F32 && !perAxis)
    d.src_q = b.qparamOf(input);
  if (perAxis) {
    auto type = llvm::cast<RankedTensorType>(result.getType());
    if ((d.src_dtype == QRT_F32) == (d.dst_dtype == QRT_F32) ||
        perAxis.getQuantizedDimension() != 1)
      return op->emitOpError("per-channel steps are only lowered for "
                             "quantizing f32 data or dequantizing to f32, "
                             "along axis 1");
    d.src_q = d.dst_q = {1.0f, 0};
    d.layout = qrtLayoutOf(result);
    d.channels = type.getDimSize(1);
    d.inner = 1;
    for (int64_t i = 2; i < type.getRank(); ++i)
      d.inner *= type.getDimSize(i);
    std::vector<float> steps(perAxis.getScales().begin(),
                             perAxis.getScales().end());
    b.step.initName = "quantize_channels";
    b.step.initArgs.push_back({Value(), arrayBytes<float>(steps)});
  } else if (d.dst_dtype != QRT_F32) {
    d.dst_q = b.defineQParam(result);
  }
  b.step.name = "quantize";
  b.step.desc = bytesOf(d);
  return b.data(input);
}

LogicalResult describeQuantizedAdd(Operation *op, StepBuilder &b) {
  auto add = cast<QuantizedAddOp>(op);
  qrt_quantized_add_desc d{};
  d.abi_version = QRT_ABI_VERSION;
  d.lhs_dtype = qrtDtypeOf(add.getLhs());
  d.rhs_dtype = qrtDtypeOf(add.getRhs());
  d.dst_dtype = qrtDtypeOf(add.getResult());
  d.num_elements = add.getType().getNumElements();
  d.lhs_q = b.qparamOf(add.getLhs());
  d.rhs_q = b.qparamOf(add.getRhs());
  if (d.dst_dtype != QRT_F32)
    d.dst_q = b.defineQParam(add.getResult());
  b.step.name = "quantized_add";
  b.step.desc = bytesOf(d);
  return success(succeeded(b.data(add.getLhs())) &&
                 succeeded(b.data(add.getRhs())));
}

} // namespace

void mlir::q::registerQuantizedSteps(StepTable &table) {
  table.on<QuantizeOp, RequantizeOp, DequantizeOp>(describeQuantize);
  table.on<QuantizedAddOp>(describeQuantizedAdd);
}
