//===- Parallel.cpp - threads and CPU dispatch for generated kernels ------===//

#include "qrt/parallel.h"

#include <omp.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>

namespace {

int32_t detectIsa() {
  int32_t best = QRT_ISA_GENERIC;
#if defined(__x86_64__) || defined(__i386__)
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
    best = QRT_ISA_AVX2;
  if (best == QRT_ISA_AVX2 && __builtin_cpu_supports("avxvnni"))
    best = QRT_ISA_AVXVNNI;
  if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
      __builtin_cpu_supports("avx512vl") &&
      __builtin_cpu_supports("avx512vnni"))
    best = QRT_ISA_AVX512VNNI;
#endif
  if (const char *cap = std::getenv("QRT_MAX_ISA")) {
    int32_t limit = best;
    if (!std::strcmp(cap, "generic"))
      limit = QRT_ISA_GENERIC;
    else if (!std::strcmp(cap, "avx2"))
      limit = QRT_ISA_AVX2;
    else if (!std::strcmp(cap, "avxvnni"))
      limit = QRT_ISA_AVXVNNI;
    best = std::min(best, limit);
  }
  return best;
}

} // namespace

extern "C" int32_t qrt_cpu_isa(void) {
  static const int32_t isa = detectIsa();
  return isa;
}

extern "C" int32_t qrt_parallel_for(qrt_kernel_fn fn, void **args,
                                    int64_t num_tiles, int32_t num_threads) {
  if (!fn || num_tiles < 0)
    return 1;
  if (num_tiles == 0)
    return 0;
  int threads = num_threads > 0 ? num_threads : omp_get_max_threads();
  if (threads <= 1 || num_tiles == 1 || omp_in_parallel()) {
    fn(args, 0, num_tiles);
    return 0;
  }
  threads = static_cast<int>(std::min<int64_t>(threads, num_tiles));
#pragma omp parallel num_threads(threads)
  {
    // Contiguous, balanced ranges (sizes differ by at most one tile), so
    // neighbouring tiles that share weights stay on one thread.
    int64_t nthr = omp_get_num_threads(), ithr = omp_get_thread_num();
    int64_t base = num_tiles / nthr, extra = num_tiles % nthr;
    int64_t begin = ithr * base + std::min(ithr, extra);
    int64_t end = begin + base + (ithr < extra ? 1 : 0);
    if (begin < end)
      fn(args, begin, end);
  }
  return 0;
}
