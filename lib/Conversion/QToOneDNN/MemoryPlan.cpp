//===- MemoryPlan.cpp - static placement of tensors in one arena ----------===//

#include "QDialect/Conversion/MemoryPlan.h"

#include "llvm/ADT/STLExtras.h"

#include <algorithm>
#include <map>
#include <numeric>

using namespace mlir::q;

static int64_t alignUp(int64_t value, int64_t alignment) {
  return (value + alignment - 1) / alignment * alignment;
}

MemoryPlan mlir::q::planMemory(llvm::ArrayRef<BufferRequest> requests,
                               int64_t alignment) {
  MemoryPlan plan;
  plan.offsets.assign(requests.size(), 0);
  std::vector<size_t> order(requests.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    if (requests[a].bytes != requests[b].bytes)
      return requests[a].bytes > requests[b].bytes;
    return requests[a].first < requests[b].first;
  });

  std::vector<size_t> placed;
  for (size_t index : order) {
    const BufferRequest &request = requests[index];
    int64_t size = alignUp(std::max<int64_t>(request.bytes, 1), alignment);
    // Occupied ranges of tensors alive at the same time, by offset.
    std::vector<std::pair<int64_t, int64_t>> busy;
    for (size_t other : placed) {
      const BufferRequest &o = requests[other];
      if (o.last < request.first || request.last < o.first)
        continue;
      busy.emplace_back(plan.offsets[other],
                        plan.offsets[other] +
                            alignUp(std::max<int64_t>(o.bytes, 1), alignment));
    }
    llvm::sort(busy);
    int64_t offset = 0;
    for (auto [begin, end] : busy) {
      if (offset + size <= begin)
        break;
      offset = std::max(offset, end);
    }
    plan.offsets[index] = offset;
    plan.arenaBytes = std::max(plan.arenaBytes, offset + size);
    placed.push_back(index);
  }

  // Bytes alive at each step; the maximum bounds every placement.
  std::map<int64_t, int64_t> delta;
  for (const BufferRequest &r : requests) {
    int64_t size = alignUp(std::max<int64_t>(r.bytes, 1), alignment);
    delta[r.first] += size;
    delta[r.last + 1] -= size;
  }
  int64_t alive = 0;
  for (auto [step, change] : delta) {
    alive += change;
    plan.lowerBound = std::max(plan.lowerBound, alive);
  }
  return plan;
}
