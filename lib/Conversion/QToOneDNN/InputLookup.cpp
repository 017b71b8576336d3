//===- InputLookup.cpp - q.input_lookup to qrt_input_lookup ---------------===//
//
// The lookup of a raw 8-bit input becomes one qrt_input_lookup step: its
// descriptor and its table (f32 values, or the stored integers of a static
// 8-bit result, whose step the consumers read from the result type) are
// constant bytes handed to the init.
//
//===----------------------------------------------------------------------===//

#include "InputLookup.h"

#include "qrt/qrt.h"

#include <cstring>

using namespace mlir;
using namespace mlir::q;

FailureOr<InputLookupParts> mlir::q::describeInputLookup(InputLookupOp op) {
  auto in = llvm::cast<RankedTensorType>(op.getInput().getType());
  if (in.getRank() > QRT_MAX_RANK)
    return op.emitOpError("input rank ")
           << in.getRank() << " exceeds the runtime's " << QRT_MAX_RANK;
  qrt_input_lookup_desc d{};
  d.abi_version = QRT_ABI_VERSION;
  d.src_dtype = in.getElementType().isUnsignedInteger() ? QRT_U8 : QRT_S8;
  Type element = op.getOutput().getType().getElementType();
  if (element.isF32())
    d.dst_dtype = QRT_F32;
  else
    d.dst_dtype =
        llvm::cast<quant::QuantizedType>(element).isSigned() ? QRT_S8 : QRT_U8;
  d.layout = op.getLayout() == Layout::nhwc ? QRT_LAYOUT_NHWC : QRT_LAYOUT_NCHW;
  d.input.rank = in.getRank();
  for (int64_t i = 0; i < in.getRank(); ++i)
    d.input.dims[i] = in.getDimSize(i);
  d.table_rows = op.getNumRows();

  InputLookupParts parts;
  parts.desc.resize(sizeof d);
  std::memcpy(parts.desc.data(), &d, sizeof d);
  auto table = llvm::cast<DenseElementsAttr>(op.getTable());
  if (d.dst_dtype == QRT_F32) {
    for (APFloat v : table.getValues<APFloat>()) {
      float f = v.convertToFloat();
      const auto *bytes = reinterpret_cast<const uint8_t *>(&f);
      parts.table.insert(parts.table.end(), bytes, bytes + sizeof f);
    }
  } else {
    for (APInt v : table.getValues<APInt>())
      parts.table.push_back(uint8_t(v.getZExtValue()));
  }
  return parts;
}
