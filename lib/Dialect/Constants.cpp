//===- Constants.cpp - Reading and making weight constants ----------------===//

#include "QDialect/IR/Constants.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Quant/IR/Quant.h"
#include "mlir/IR/AsmState.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectResourceBlobManager.h"

#include <cstring>

using namespace mlir;

template <typename T>
std::optional<std::vector<T>> mlir::q::readConstant(Value value) {
  if (!value)
    return std::nullopt;
  if (auto cast = value.getDefiningOp<quant::StorageCastOp>())
    value = cast.getInput();
  auto constant = value.getDefiningOp<arith::ConstantOp>();
  if (!constant)
    return std::nullopt;
  auto type = llvm::cast<ShapedType>(constant.getType());
  Type element = type.getElementType();
  bool matches = std::is_floating_point_v<T>
                     ? element.isF32()
                     : element.isInteger(8 * sizeof(T));
  if (!matches)
    return std::nullopt;
  int64_t count = type.getNumElements();
  std::vector<T> out(count);
  Attribute attr = constant.getValue();
  if (auto resource = llvm::dyn_cast<DenseResourceElementsAttr>(attr)) {
    AsmResourceBlob *blob = resource.getRawHandle().getBlob();
    if (!blob || blob->getData().size() != size_t(count) * sizeof(T))
      return std::nullopt;
    std::memcpy(out.data(), blob->getData().data(), count * sizeof(T));
    return out;
  }
  auto dense = llvm::dyn_cast<DenseElementsAttr>(attr);
  if (!dense)
    return std::nullopt;
  if constexpr (std::is_floating_point_v<T>) {
    auto values = dense.getValues<float>();
    std::copy(values.begin(), values.end(), out.begin());
  } else {
    int64_t i = 0;
    for (const APInt &v : dense.getValues<APInt>())
      out[i++] = static_cast<T>(v.getSExtValue());
  }
  return out;
}

template <typename T>
Value mlir::q::makeConstant(OpBuilder &builder, RankedTensorType type,
                            llvm::ArrayRef<T> values, llvm::StringRef name) {
  auto blob = HeapAsmResourceBlob::allocateAndCopyInferAlign<T>(values);
  auto attr = DenseResourceElementsAttr::get(type, name, std::move(blob));
  return arith::ConstantOp::create(
      builder, NameLoc::get(builder.getStringAttr(name)), attr);
}

namespace mlir::q {
template std::optional<std::vector<float>> readConstant(Value);
template std::optional<std::vector<int8_t>> readConstant(Value);
template std::optional<std::vector<int32_t>> readConstant(Value);
template Value makeConstant(OpBuilder &, RankedTensorType,
                            llvm::ArrayRef<float>, llvm::StringRef);
template Value makeConstant(OpBuilder &, RankedTensorType,
                            llvm::ArrayRef<int8_t>, llvm::StringRef);
template Value makeConstant(OpBuilder &, RankedTensorType,
                            llvm::ArrayRef<int32_t>, llvm::StringRef);
} // namespace mlir::q
