//===- Constants.h - Reading and making weight constants --------*- C++ -*-===//
//
// Weights live in `arith.constant`s holding `dense_resource` blobs (named
// after the MXNet parameter, so export writes them back under that name)
// or, in small tests, `dense` attributes. Passes that fold or quantize
// weights read and write them through these helpers.
//
//===----------------------------------------------------------------------===//

#ifndef QDIALECT_IR_CONSTANTS_H
#define QDIALECT_IR_CONSTANTS_H

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Value.h"

#include <cstdint>
#include <optional>
#include <vector>

namespace mlir::q {

/// The elements of a constant tensor whose element type has T's width
/// (f32 for float, i8 for int8_t, i32 for int32_t), looking through
/// `quant.scast`; none when `value` is not such a constant.
template <typename T> std::optional<std::vector<T>> readConstant(Value value);

extern template std::optional<std::vector<float>> readConstant(Value);
extern template std::optional<std::vector<int8_t>> readConstant(Value);
extern template std::optional<std::vector<int32_t>> readConstant(Value);

/// An `arith.constant` of `type` holding `values` as a dense_resource blob
/// named `name` (also used as its location).
template <typename T>
Value makeConstant(OpBuilder &builder, RankedTensorType type,
                   llvm::ArrayRef<T> values, llvm::StringRef name);

extern template Value makeConstant(OpBuilder &, RankedTensorType,
                                   llvm::ArrayRef<float>, llvm::StringRef);
extern template Value makeConstant(OpBuilder &, RankedTensorType,
                                   llvm::ArrayRef<int8_t>, llvm::StringRef);
extern template Value makeConstant(OpBuilder &, RankedTensorType,
                                   llvm::ArrayRef<int32_t>, llvm::StringRef);

} // namespace mlir::q

#endif // QDIALECT_IR_CONSTANTS_H
