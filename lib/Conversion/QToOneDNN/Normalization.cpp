//===- Normalization.cpp - oneDNN lowering of normalization ops
//--------------===//
//
// Part of q-lower-to-onednn (Steps.h): the runtime calls of batch norm and
// softmax (qrt_batch_norm, qrt_softmax).
//
//===----------------------------------------------------------------------===//

#include "Layouts.h"
#include "Steps.h"

#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace mlir::q;

namespace {

LogicalResult describeBatchNorm(Operation *op, StepBuilder &b) {
  auto bn = cast<BatchNormOp>(op);
  qrt_batch_norm_desc d{};
  d.abi_version = QRT_ABI_VERSION;
  d.axis = bn.getAxis();
  d.input = shapeOf(bn.getInput());
  d.epsilon = bn.getEps().convertToDouble();
  d.fix_gamma = bn.getFixGamma();
  d.dtype = QRT_F32;
  d.layout = qrtLayoutOfOp(op);
  b.step.name = "batch_norm";
  b.step.desc = bytesOf(d);
  for (auto [v, what] : {std::make_pair(bn.getGamma(), "gamma"),
                         std::make_pair(bn.getBeta(), "beta"),
                         std::make_pair(bn.getMean(), "the moving mean"),
                         std::make_pair(bn.getVar(), "the moving variance")})
    if (failed(b.weight(v, what)))
      return failure();
  return b.data(bn.getInput());
}

LogicalResult describeSoftmax(Operation *op, StepBuilder &b) {
  auto softmax = cast<SoftmaxOp>(op);
  qrt_softmax_desc d{};
  d.abi_version = QRT_ABI_VERSION;
  d.axis = softmax.getAxis();
  d.input = shapeOf(softmax.getInput());
  d.temperature = softmax.getTemperature()
                      ? softmax.getTemperature()->convertToDouble()
                      : 1.0;
  d.log = softmax.getLog();
  d.dtype = QRT_F32;
  b.step.name = "softmax";
  b.step.desc = bytesOf(d);
  return b.data(softmax.getInput());
}

} // namespace

void mlir::q::registerNormalizationSteps(StepTable &table) {
  table.on<BatchNormOp>(describeBatchNorm);
  table.on<SoftmaxOp>(describeSoftmax);
}
