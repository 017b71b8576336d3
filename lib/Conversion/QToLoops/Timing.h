//===- Timing.h - fastest-call timing for kernels ---------------*- C++ -*-===//
//
// Shared by q-compile --backend=auto and bench/loops_vs_onednn: on a shared
// machine a slower call was preempted or had its caches flushed by another
// job, so the fastest call is the figure.
//
//===----------------------------------------------------------------------===//

#ifndef QTOLOOPS_TIMING_H
#define QTOLOOPS_TIMING_H

#include <algorithm>
#include <chrono>

namespace mlir::q::loops {

inline double nowSeconds() {
  return std::chrono::duration<double>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

/// Seconds of the fastest of `reps` calls of `f`, after one warm-up call.
template <typename F> double fastestCall(F &&f, int reps) {
  f();
  double best = 1e30;
  for (int i = 0; i < reps; ++i) {
    double start = nowSeconds();
    f();
    best = std::min(best, nowSeconds() - start);
  }
  return best;
}

} // namespace mlir::q::loops

#endif // QTOLOOPS_TIMING_H
