//===- Pooling.cpp - oneDNN lowering of pooling ops
//--------------------------===//
//
// Part of q-lower-to-onednn (Steps.h): the runtime calls of pooling
// (qrt_pooling).
//
//===----------------------------------------------------------------------===//

#include "Layouts.h"
#include "Steps.h"

#include "QDialect/IR/ShapeInference.h"

#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace mlir::q;

namespace {

LogicalResult describePooling(Operation *op, StepBuilder &b) {
  auto pool = cast<PoolingOp>(op);
  if (pool.getConvention() == PoolConvention::same)
    return op->emitOpError("'same' pooling is not lowered yet");
  qrt_pooling_desc d{};
  d.abi_version = QRT_ABI_VERSION;
  auto in = pool.getInput().getType();
  unsigned rank = in.getRank() - 2;
  auto geometry =
      shape::expandWindowGeometry(rank, pool.getStrides(), {}, pool.getPads());
  if (!geometry)
    return op->emitOpError(llvm::toString(geometry.takeError()));
  d.kind = static_cast<int32_t>(pool.getKind());
  d.convention = pool.getConvention() == PoolConvention::full ? QRT_POOL_FULL
                                                              : QRT_POOL_VALID;
  d.count_include_pad = pool.getCountIncludePad();
  d.global_pool = pool.getGlobalPool();
  d.num_spatial = rank;
  d.dtype = qrtDtypeOf(pool.getInput());
  d.layout = qrtLayoutOfOp(op);
  d.batch = in.getDimSize(0);
  d.channels = in.getDimSize(1);
  auto out = pool.getType();
  for (unsigned s = 0; s < rank; ++s) {
    d.in_spatial[s] = in.getDimSize(s + 2);
    d.kernel[s] =
        pool.getGlobalPool() ? in.getDimSize(s + 2) : pool.getKernel()[s];
    d.strides[s] = geometry->strides[s];
    d.pad_begin[s] = geometry->padBegin[s];
    d.pad_end[s] = geometry->padEnd[s];
    d.out_spatial[s] = out.getDimSize(s + 2);
  }
  b.step.name = "pooling";
  b.step.desc = bytesOf(d);
  if (isQuantized8(pool.getInput()))
    b.setStep(pool.getResult(), b.qparamOf(pool.getInput()));
  return b.data(pool.getInput());
}

} // namespace

void mlir::q::registerPoolingSteps(StepTable &table) {
  table.on<PoolingOp>(describePooling);
}
