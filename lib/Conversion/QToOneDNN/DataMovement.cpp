//===- DataMovement.cpp - oneDNN lowering of datamovement ops
//----------------===//
//
// Part of q-lower-to-onednn (Steps.h): the runtime calls of concat, transpose,
// layout reorders, slice, upsampling and crop (qrt_concat, qrt_transpose,
// qrt_slice, qrt_upsampling, qrt_crop).
//
//===----------------------------------------------------------------------===//

#include "Layouts.h"
#include "Steps.h"

#include "QDialect/IR/ShapeInference.h"

#include <algorithm>

#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace mlir::q;

namespace {

LogicalResult describeConcat(Operation *op, StepBuilder &b) {
  auto concat = cast<ConcatOp>(op);
  qrt_concat_desc d{};
  d.abi_version = QRT_ABI_VERSION;
  int64_t rank = concat.getType().getRank();
  auto axis = shape::normalizeAxis(concat.getAxis(), rank);
  if (!axis)
    return op->emitOpError(llvm::toString(axis.takeError()));
  d.axis = *axis;
  d.num_inputs = concat.getInputs().size();
  d.dtype = qrtDtypeOf(concat.getResult());
  d.output = shapeOf(concat.getResult());
  d.layout = qrtLayoutOfOp(op);
  b.step.name = "concat";
  b.step.inputsAsArray = true;
  std::vector<int64_t> sizes;
  std::vector<int32_t> dtypes;
  std::vector<qrt_qparam> steps;
  for (Value v : concat.getInputs()) {
    sizes.push_back(llvm::cast<ShapedType>(v.getType()).getDimSize(*axis));
    if (isQuantized8(v)) {
      dtypes.push_back(qrtDtypeOf(v));
      steps.push_back(b.qparamOf(v));
    }
    if (failed(b.data(v)))
      return failure();
  }
  b.step.initArgs.push_back({Value(), arrayBytes<int64_t>(sizes)});
  if (isQuantized8(concat.getResult())) {
    d.dst_q = b.defineQParam(concat.getResult());
    b.step.initName = "concat_quantized";
    b.step.initArgs.push_back({Value(), arrayBytes<int32_t>(dtypes)});
    b.step.initArgs.push_back({Value(), arrayBytes<qrt_qparam>(steps)});
  }
  b.step.desc = bytesOf(d);
  return success();
}

LogicalResult describeTranspose(Operation *op, StepBuilder &b) {
  auto transpose = cast<TransposeOp>(op);
  qrt_transpose_desc d{};
  d.abi_version = QRT_ABI_VERSION;
  d.dtype = qrtDtypeOf(transpose.getInput());
  b.passScale(transpose.getInput(), transpose.getResult());
  d.input = shapeOf(transpose.getInput());
  ArrayRef<int64_t> perm = transpose.getPermutation();
  d.perm_size = perm.size();
  for (auto [i, p] : llvm::enumerate(perm))
    d.perm[i] = p;
  b.step.name = "transpose";
  b.step.desc = bytesOf(d);
  return b.data(transpose.getInput());
}

LogicalResult describeReorder(Operation *op, StepBuilder &b) {
  auto reorder = cast<ReorderOp>(op);
  // A layout change is a transpose of the stored dims.
  b.step.name = "transpose";
  b.step.desc =
      bytesOf(reorderAsTranspose(reorder, qrtDtypeOf(reorder.getInput())));
  b.passScale(reorder.getInput(), reorder.getResult());
  return b.data(reorder.getInput());
}

LogicalResult describeSlice(Operation *op, StepBuilder &b) {
  auto slice = cast<SliceOp>(op);
  qrt_slice_desc d{};
  d.abi_version = QRT_ABI_VERSION;
  d.dtype = qrtDtypeOf(slice.getInput());
  b.passScale(slice.getInput(), slice.getResult());
  d.input = shapeOf(slice.getInput());
  d.num_axes = slice.getBegin().size();
  auto in = slice.getInput().getType();
  for (int32_t i = 0; i < d.num_axes; ++i) {
    int64_t dim = in.getDimSize(i);
    auto clampIndex = [&](int64_t v) {
      if (v < 0)
        v += dim;
      return std::clamp<int64_t>(v, 0, dim);
    };
    d.begin[i] = clampIndex(slice.getBegin()[i]);
    d.end[i] = clampIndex(slice.getEnd()[i]);
    d.step[i] = slice.getStep().empty() ? 1 : slice.getStep()[i];
  }
  b.step.name = "slice";
  b.step.desc = bytesOf(d);
  return b.data(slice.getInput());
}

LogicalResult describeUpSampling(Operation *op, StepBuilder &b) {
  auto up = cast<UpSamplingOp>(op);
  qrt_upsampling_desc d{};
  d.abi_version = QRT_ABI_VERSION;
  d.dtype = qrtDtypeOf(up.getInput());
  b.passScale(up.getInput(), up.getResult());
  d.input = shapeOf(up.getInput());
  d.scale = up.getScale();
  b.step.name = "upsampling";
  b.step.desc = bytesOf(d);
  return b.data(up.getInput());
}

LogicalResult describeCrop(Operation *op, StepBuilder &b) {
  auto crop = cast<CropOp>(op);
  qrt_crop_desc d{};
  d.abi_version = QRT_ABI_VERSION;
  d.dtype = qrtDtypeOf(crop.getInput());
  b.passScale(crop.getInput(), crop.getResult());
  d.input = shapeOf(crop.getInput());
  for (auto [i, v] : llvm::enumerate(crop.getOffsets()))
    d.offsets[i] = v;
  for (auto [i, v] : llvm::enumerate(crop.getSizes()))
    d.sizes[i] = v;
  b.step.name = "crop";
  b.step.desc = bytesOf(d);
  return b.data(crop.getInput());
}

} // namespace

void mlir::q::registerDataMovementSteps(StepTable &table) {
  table.on<ConcatOp>(describeConcat);
  table.on<TransposeOp>(describeTranspose);
  table.on<ReorderOp>(describeReorder);
  table.on<SliceOp>(describeSlice);
  table.on<UpSamplingOp>(describeUpSampling);
  table.on<CropOp>(describeCrop);
}
