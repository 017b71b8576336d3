//===- ShapeInference.h - result shapes of q ops -----------------*- C++ -*-===//
//
// Shape rules of the MXNet operators, shared by the ops' type inference and
// by anything else (importer, runtime planner) that needs them. Each returns
// the result shape or an error that says which rule was broken.
//
//===----------------------------------------------------------------------===//

#ifndef QDIALECT_IR_SHAPEINFERENCE_H
#define QDIALECT_IR_SHAPEINFERENCE_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/Support/Error.h"

namespace mlir::q::shape {

using Shape = llvm::SmallVector<int64_t, 5>;

/// Strides/dilations/pads as given on an op (empty = defaults), expanded to
/// one entry per spatial dim (pads: begins then ends).
struct WindowGeometry {
  llvm::SmallVector<int64_t, 3> strides, dilations, padBegin, padEnd;
};
llvm::Expected<WindowGeometry>
expandWindowGeometry(unsigned spatialRank, llvm::ArrayRef<int64_t> strides,
                     llvm::ArrayRef<int64_t> dilations,
                     llvm::ArrayRef<int64_t> pads);

llvm::Expected<Shape> convolution(llvm::ArrayRef<int64_t> input,
                                  llvm::ArrayRef<int64_t> weight,
                                  const WindowGeometry &geometry,
                                  int64_t groups);

enum class PoolRounding { Floor, Ceil, Same };
llvm::Expected<Shape> pooling(llvm::ArrayRef<int64_t> input,
                              llvm::ArrayRef<int64_t> kernel,
                              const WindowGeometry &geometry, bool global,
                              PoolRounding rounding);

llvm::Expected<Shape> fullyConnected(llvm::ArrayRef<int64_t> input,
                                     llvm::ArrayRef<int64_t> weight,
                                     bool flatten);

llvm::Expected<Shape> broadcast(llvm::ArrayRef<int64_t> lhs,
                                llvm::ArrayRef<int64_t> rhs);

llvm::Expected<Shape> flatten(llvm::ArrayRef<int64_t> input);

/// MXNet Reshape with special codes 0, -1, -2, -3, -4.
llvm::Expected<Shape> reshape(llvm::ArrayRef<int64_t> input,
                              llvm::ArrayRef<int64_t> codes, bool reverse);

llvm::Expected<Shape> concat(llvm::ArrayRef<llvm::ArrayRef<int64_t>> inputs,
                             int64_t axis);

llvm::Expected<Shape> transpose(llvm::ArrayRef<int64_t> input,
                                llvm::ArrayRef<int64_t> permutation);

llvm::Expected<Shape> slice(llvm::ArrayRef<int64_t> input,
                            llvm::ArrayRef<int64_t> begin,
                            llvm::ArrayRef<int64_t> end,
                            llvm::ArrayRef<int64_t> step);

llvm::Expected<Shape> upsampling(llvm::ArrayRef<int64_t> input, int64_t scale);

llvm::Expected<Shape> crop(llvm::ArrayRef<int64_t> input,
                           llvm::ArrayRef<int64_t> offsets,
                           llvm::ArrayRef<int64_t> sizes);

/// Maps a possibly negative axis into [0, rank); fails when out of range.
llvm::Expected<int64_t> normalizeAxis(int64_t axis, int64_t rank);

} // namespace mlir::q::shape

#endif // QDIALECT_IR_SHAPEINFERENCE_H
