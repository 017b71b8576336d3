//===- MemoryPlanTest.cpp - static arena placement ------------------------===//

#include "QDialect/Conversion/MemoryPlan.h"

#include "gtest/gtest.h"

#include <random>

using namespace mlir::q;

namespace {

/// No two tensors alive at the same step may share bytes.
void expectNoOverlap(llvm::ArrayRef<BufferRequest> requests,
                     const MemoryPlan &plan, int64_t alignment) {
  auto size = [&](const BufferRequest &r) {
    return (std::max<int64_t>(r.bytes, 1) + alignment - 1) / alignment *
           alignment;
  };
  for (size_t i = 0; i < requests.size(); ++i) {
    EXPECT_EQ(plan.offsets[i] % alignment, 0);
    EXPECT_LE(plan.offsets[i] + size(requests[i]), plan.arenaBytes);
    for (size_t j = i + 1; j < requests.size(); ++j) {
      bool together = !(requests[i].last < requests[j].first ||
                        requests[j].last < requests[i].first);
      bool overlap = plan.offsets[i] < plan.offsets[j] + size(requests[j]) &&
                     plan.offsets[j] < plan.offsets[i] + size(requests[i]);
      EXPECT_FALSE(together && overlap) << "tensors " << i << " and " << j;
    }
  }
}

TEST(MemoryPlan, ChainReusesMemory) {
  // a -> b -> c -> d: only neighbours are alive together.
  std::vector<BufferRequest> chain = {
      {1000, 1, 2}, {1000, 2, 3}, {1000, 3, 4}, {1000, 4, 5}};
  MemoryPlan plan = planMemory(chain, 64);
  expectNoOverlap(chain, plan, 64);
  EXPECT_EQ(plan.lowerBound, 2 * 1024);
  EXPECT_EQ(plan.arenaBytes, 2 * 1024);
}

TEST(MemoryPlan, ResidualBranchStaysAlive) {
  // x is read again by the add at step 4 (a residual block).
  std::vector<BufferRequest> block = {
      {4096, 1, 4}, {4096, 2, 3}, {4096, 3, 4}, {4096, 4, 5}};
  MemoryPlan plan = planMemory(block, 64);
  expectNoOverlap(block, plan, 64);
  EXPECT_EQ(plan.lowerBound, 3 * 4096);
  EXPECT_LE(plan.arenaBytes, plan.lowerBound * 13 / 10);
}

TEST(MemoryPlan, RandomGraphsStayCloseToTheBound) {
  std::mt19937 rng(7);
  for (int trial = 0; trial < 50; ++trial) {
    std::vector<BufferRequest> requests;
    for (int step = 1; step <= 60; ++step) {
      int64_t bytes = 64 << (rng() % 8);
      int64_t life = 1 + rng() % 4;
      requests.push_back({bytes, step, step + life});
    }
    MemoryPlan plan = planMemory(requests, 64);
    expectNoOverlap(requests, plan, 64);
    EXPECT_GE(plan.arenaBytes, plan.lowerBound);
    EXPECT_LE(plan.arenaBytes, plan.lowerBound * 13 / 10) << "trial " << trial;
  }
}

} // namespace
