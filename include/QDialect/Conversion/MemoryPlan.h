//===- MemoryPlan.h - static placement of tensors in one arena ---*- C++ -*-===//

#ifndef QDIALECT_CONVERSION_MEMORYPLAN_H
#define QDIALECT_CONVERSION_MEMORYPLAN_H

#include "llvm/ADT/ArrayRef.h"

#include <cstdint>
#include <vector>

namespace mlir::q {

/// A tensor that needs arena memory from step `first` to step `last`
/// (inclusive; steps are op positions).
struct BufferRequest {
  int64_t bytes;
  int64_t first;
  int64_t last;
};

struct MemoryPlan {
  std::vector<int64_t> offsets; ///< One per request, `alignment`-aligned.
  int64_t arenaBytes = 0;
  /// No placement can use less: the most bytes alive at any one step.
  int64_t lowerBound = 0;
};

/// Places the largest tensors first, each at the lowest offset that does not
/// overlap a tensor alive at the same time (greedy by size, best known
/// simple heuristic for inference graphs).
MemoryPlan planMemory(llvm::ArrayRef<BufferRequest> requests,
                      int64_t alignment);

} // namespace mlir::q

#endif // QDIALECT_CONVERSION_MEMORYPLAN_H
