//===- Elementwise.cpp - oneDNN lowering of elementwise ops
//------------------===//
//
// Part of q-lower-to-onednn (Steps.h): the runtime calls of activations, prelu,
// binary and scalar arithmetic (qrt_activation, qrt_prelu, qrt_binary,
// qrt_scalar).
//
//===----------------------------------------------------------------------===//

#include "Layouts.h"
#include "Steps.h"

#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace mlir::q;

namespace {

LogicalResult describeActivation(Operation *op, StepBuilder &b) {
  auto act = cast<ActivationOp>(op);
  qrt_activation_desc d{};
  d.abi_version = QRT_ABI_VERSION;
  d.dtype = qrtDtypeOf(act.getInput());
  d.num_elements = act.getType().getNumElements();
  d.act = eltwiseOf(act.getAct());
  if (isQuantized8(act.getInput())) {
    d.q = b.qparamOf(act.getInput());
    b.setStep(act.getResult(), d.q);
  }
  b.step.name = "activation";
  b.step.desc = bytesOf(d);
  return b.data(act.getInput());
}

LogicalResult describePrelu(Operation *op, StepBuilder &b) {
  auto prelu = cast<PReluOp>(op);
  qrt_prelu_desc d{};
  d.abi_version = QRT_ABI_VERSION;
  d.dtype = QRT_F32;
  d.input = shapeOf(prelu.getInput());
  d.num_slopes = prelu.getSlope().getType().getDimSize(0);
  d.layout = qrtLayoutOfOp(op);
  b.step.name = "prelu";
  b.step.desc = bytesOf(d);
  if (failed(b.weight(prelu.getSlope(), "the slope")))
    return failure();
  return b.data(prelu.getInput());
}

LogicalResult describeBinary(Operation *op, StepBuilder &b) {
  Operation *binary = op;
  qrt_binary_desc d{};
  d.abi_version = QRT_ABI_VERSION;
  d.op = llvm::TypeSwitch<Operation *, int32_t>(binary)
             .Case<AddOp>([](auto) { return QRT_BINARY_ADD; })
             .Case<SubOp>([](auto) { return QRT_BINARY_SUB; })
             .Case<MulOp>([](auto) { return QRT_BINARY_MUL; })
             .Default([](auto) { return QRT_BINARY_DIV; });
  d.lhs = shapeOf(binary->getOperand(0));
  d.rhs = shapeOf(binary->getOperand(1));
  d.dtype = QRT_F32;
  d.layout = qrtLayoutOfOp(binary);
  b.step.name = "binary";
  b.step.desc = bytesOf(d);
  // A constant operand (e.g. --input-mean) is copied at init.
  bool anyConstant = false;
  for (Value v : binary->getOperands()) {
    bool constant = b.isWeight(v);
    anyConstant |= constant;
    b.step.initArgs.push_back({constant ? v : Value(), {}});
    if (constant)
      b.step.runInputs.push_back(Value());
    else if (failed(b.data(v)))
      return failure();
  }
  if (anyConstant)
    b.step.initName = "binary_const";
  else
    b.step.initArgs.clear();
  return success();
}

LogicalResult describeScalar(Operation *op, StepBuilder &b) {
  auto scalar = cast<ScalarOp>(op);
  qrt_scalar_desc d{};
  d.abi_version = QRT_ABI_VERSION;
  d.op = static_cast<int32_t>(scalar.getKind());
  d.num_elements = scalar.getType().getNumElements();
  d.scalar = scalar.getScalar().convertToDouble();
  d.dtype = QRT_F32;
  b.step.name = "scalar";
  b.step.desc = bytesOf(d);
  return b.data(scalar.getInput());
}

} // namespace

void mlir::q::registerElementwiseSteps(StepTable &table) {
  table.on<ActivationOp>(describeActivation);
  table.on<PReluOp>(describePrelu);
  table.on<AddOp, SubOp, MulOp, DivOp>(describeBinary);
  table.on<ScalarOp>(describeScalar);
}
