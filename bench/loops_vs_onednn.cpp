//===- loops_vs_onednn.cpp - generated int8 conv vs oneDNN, per layer -----===//
//
// For every distinct conv shape of resnet50_v1, resnet-152 and
// mobilenetv2_1.0 (224x224, batch 1): GOPS of the q-lower-to-loops kernel
// (pack + compute, NCHW in and out) and of oneDNN's int8 convolution
// primitive (u8 src, s8 weights, s32 bias, per-channel output scales, relu,
// u8 dst, layouts of its choice, reorders not timed), measured side by side
// in one run with the same OpenMP threads; their ratio; and the percentage
// of the int8 peak (measured with register-only loops at start-up); and
// the share of the loops time spent in the pack kernel. "in-q dnn" is
// oneDNN as a q model runs it (plus the reorders from and to NCHW that the
// runtime does around the primitive), "in-q" the loops' ratio to that:
// what q-compile --backend=auto compares.
//
//   q-bench-loops --isa=avx2        (run with DNNL_MAX_CPU_ISA=AVX2)
//   q-bench-loops --isa=avx512vnni
//   options: --reps=N --rounds=N --filter=SUBSTRING --threads=N
//            --weight-bits=7 (7-bit weights: avx2 then proves vpmaddubsw
//            exact and uses it; oneDNN gets the same weights)
//            --tile-p=N --tile-o=N (register tile instead of the default)
//            --channels-last (also time the channels-last kernel, NHWC in
//            and out, no pack, where it takes the layer: column "nhwc");
//            --nhwc-tile=PxO its register tile (pixels x channel vectors)
//   Times are the fastest of `reps` calls, best of `rounds` interleaved
//   rounds. Q_LOOPS_DUMP=k.o writes the JIT's object for objdump.
//
//===----------------------------------------------------------------------===//

#include "LoopsHarness.h"
#include "OneDnnLayer.h"
#include "Timing.h"

#include "qrt/parallel.h"


#include <immintrin.h>
#include <omp.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>

using namespace qloops;

namespace {


//===----------------------------------------------------------------------===//
// Peak: independent dot-product chains, registers only
//===----------------------------------------------------------------------===//

// 12 independent accumulators, each updated once per iteration, named
// (not an array: an array of vectors ends up on the stack and every update
// becomes a load-op-store chain). The empty asm after each round keeps the
// compiler from folding the constant operands or merging the chains. On
// avx2 the multiply reads the accumulator itself (12 chains of latency
// 4-7 cycles: still throughput-bound), so no two products are the same.
#define Q_ACC12(X) X(0) X(1) X(2) X(3) X(4) X(5) X(6) X(7) X(8) X(9) X(10) X(11)

__attribute__((target("avx512f,avx512bw,avx512vnni"), noinline)) double
peakVnniOnce(int64_t iters) {
#define DECL(i) __m512i a##i = _mm512_set1_epi32(i);
  Q_ACC12(DECL)
#undef DECL
  __m512i x = _mm512_set1_epi8(3), w = _mm512_set1_epi8(-2);
  for (int64_t i = 0; i < iters; ++i) {
#define STEP(i) a##i = _mm512_dpbusd_epi32(a##i, x, w);
    Q_ACC12(STEP)
#undef STEP
    asm volatile("" : "+v"(a0), "+v"(a1), "+v"(a2), "+v"(a3), "+v"(a4),
                 "+v"(a5), "+v"(a6), "+v"(a7), "+v"(a8), "+v"(a9), "+v"(a10),
                 "+v"(a11));
  }
  __m512i sum = a0;
#define ADD(i) sum = _mm512_add_epi32(sum, a##i);
  Q_ACC12(ADD)
#undef ADD
  return _mm512_reduce_add_epi32(sum) ? 12.0 * 64 * iters : 0;
}

/// The generated avx2 kernels' exact sequence: vpmaddwd on 16-bit values +
/// vpaddd (16 MAC per vpmaddwd). `ubsw` selects oneDNN's sequence instead:
/// vpmaddubsw + vpmaddwd(ones) + vpaddd (32 MAC per vpmaddubsw).
__attribute__((target("avx2"), noinline)) double peakAvx2Once(int64_t iters,
                                                              bool ubsw) {
#define DECL(i) __m256i a##i = _mm256_set1_epi32(i);
  Q_ACC12(DECL)
#undef DECL
  __m256i w = _mm256_set1_epi8(-2), one = _mm256_set1_epi16(1);
  if (ubsw) {
    for (int64_t i = 0; i < iters; ++i) {
#define STEP(i)                                                                \
  a##i = _mm256_add_epi32(                                                     \
      a##i, _mm256_madd_epi16(_mm256_maddubs_epi16(a##i, w), one));
      Q_ACC12(STEP)
#undef STEP
      asm volatile("" : "+x"(a0), "+x"(a1), "+x"(a2), "+x"(a3), "+x"(a4),
                   "+x"(a5), "+x"(a6), "+x"(a7), "+x"(a8), "+x"(a9),
                   "+x"(a10), "+x"(a11), "+x"(w));
    }
  } else {
    for (int64_t i = 0; i < iters; ++i) {
#define STEP(i) a##i = _mm256_add_epi32(a##i, _mm256_madd_epi16(a##i, w));
      Q_ACC12(STEP)
#undef STEP
      asm volatile("" : "+x"(a0), "+x"(a1), "+x"(a2), "+x"(a3), "+x"(a4),
                   "+x"(a5), "+x"(a6), "+x"(a7), "+x"(a8), "+x"(a9),
                   "+x"(a10), "+x"(a11), "+x"(w));
    }
  }
  __m256i sum = a0;
#define ADD(i) sum = _mm256_add_epi32(sum, a##i);
  Q_ACC12(ADD)
#undef ADD
  return _mm256_extract_epi32(sum, 0) ? 12.0 * (ubsw ? 32 : 16) * iters : 0;
}

/// Peak int8 GOPS over `threads` threads, measured: the best of 10 short
/// runs of the register-only loops above (the machine is shared; a run that
/// was preempted reads low). cpuGhz() is the nominal clock /proc/cpuinfo
/// reports, for the MAC/cycle figure (the VM boosts above it).
double cpuGhz() {
  FILE *f = fopen("/proc/cpuinfo", "r");
  double mhz = 0;
  char line[256];
  while (f && fgets(line, sizeof line, f))
    if (sscanf(line, "cpu MHz : %lf", &mhz) == 1)
      break;
  if (f)
    fclose(f);
  return mhz > 0 ? mhz / 1000 : 3.0;
}

/// kind 0: vpdpbusd zmm; 1: vpmaddwd+vpaddd ymm; 2: vpmaddubsw sequence.
double measureOne(int threads, int kind) {
  const int64_t iters = 2000000;
  double best = 0;
  for (int trial = 0; trial < 10; ++trial) {
    double macs = 0, start = nowSeconds();
#pragma omp parallel num_threads(threads) reduction(+ : macs)
    macs += kind == 0 ? peakVnniOnce(iters) : peakAvx2Once(iters, kind == 2);
    best = std::max(best, 2 * macs / (nowSeconds() - start) * 1e-9);
  }
  return best;
}

} // namespace

int main(int argc, char **argv) {
  std::string isaArg = "avx512vnni", filter;
  int reps = 20, rounds = 3, threads = omp_get_max_threads();
  int weightBits = 8;
  bool channelsLast = false;
  TileOptions tiles, nhwcTiles;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a.rfind("--isa=", 0) == 0)
      isaArg = a.substr(6);
    else if (a.rfind("--reps=", 0) == 0)
      reps = std::stoi(a.substr(7));
    else if (a.rfind("--filter=", 0) == 0)
      filter = a.substr(9);
    else if (a.rfind("--rounds=", 0) == 0)
      rounds = std::stoi(a.substr(9));
    else if (a.rfind("--threads=", 0) == 0)
      threads = std::stoi(a.substr(10));
    else if (a.rfind("--tile-p=", 0) == 0)
      tiles.p = std::stoi(a.substr(9));
    else if (a.rfind("--tile-o=", 0) == 0)
      tiles.o = std::stoi(a.substr(9));
    else if (a.rfind("--weight-bits=", 0) == 0)
      weightBits = std::stoi(a.substr(14));
    else if (a == "--channels-last")
      channelsLast = true;
    else if (a.rfind("--nhwc-tile=", 0) == 0) // PxO, e.g. 6x2
      std::sscanf(a.c_str() + 12, "%ldx%ld", &nhwcTiles.p, &nhwcTiles.o);
    else {
      fprintf(stderr, "usage: %s [--isa=avx2|avx512vnni|generic] [--reps=N] "
                      "[--filter=S] [--threads=N] [--weight-bits=7|8] [--tile-p=N --tile-o=N] [--channels-last [--nhwc-tile=PxO]]\n", argv[0]);
      return 2;
    }
  }
  auto isa = parseIsa(isaArg);
  if (!isa) {
    fprintf(stderr, "unknown isa %s\n", isaArg.c_str());
    return 2;
  }
  omp_set_num_threads(threads);
  bool vnni = *isa == Isa::Avx512Vnni;
  double peak, peakAlt = 0;
  if (vnni) {
    peak = measureOne(threads, 0);
  } else {
    peak = measureOne(threads, 1);    // vpmaddwd + vpaddd (ours)
    peakAlt = measureOne(threads, 2); // vpmaddubsw + vpmaddwd + vpaddd
  }
  const char *dnnlIsa = std::getenv("DNNL_MAX_CPU_ISA");
  if (weightBits < 2 || weightBits > 8) {
    fprintf(stderr, "--weight-bits must be 2..8\n");
    return 2;
  }
  printf("# isa=%s threads=%d DNNL_MAX_CPU_ISA=%s weight-bits=%d\n",
         isaArg.c_str(), threads, dnnlIsa ? dnnlIsa : "(unset)", weightBits);
  double ghz = cpuGhz();
  if (vnni)
    printf("# int8 peak measured: %.1f GOPS (vpdpbusd zmm register loop, "
           "%d threads; %.1f MAC/cycle/thread at the nominal %.2f GHz)\n",
           peak, threads, peak / 2 / ghz / threads, ghz);
  else
    printf("# int8 peak measured: %.1f GOPS (vpmaddwd+vpaddd ymm, exact; "
           "vpmaddubsw+vpmaddwd+vpaddd: %.1f GOPS; %d threads; %.1f / %.1f "
           "MAC/cycle/thread at the nominal %.2f GHz); %%peak uses the "
           "larger\n",
           peak, peakAlt, threads, peak / 2 / ghz / threads,
           peakAlt / 2 / ghz / threads, ghz);
  peak = std::max(peak, peakAlt);
  printf("%-12s %-26s %9s %9s %9s %7s %6s %6s %9s %7s %9s  %s\n", "model",
         "shape", "MOPs", "loops", "onednn", "ratio", "%peak", "pack",
         "in-q dnn", "in-q", channelsLast ? "nhwc" : "", "onednn impl");

  std::mt19937 rng(2024);
  double logSum = 0, worst = 1e9, logSumInQ = 0;
  int count = 0;
  std::string worstName;
  for (const Shape &s : kModelShapes) {
    char name[64];
    snprintf(name, sizeof name, "%ldx%ldx%ld->%ld k%ld s%ld%s", (long)s.c,
             (long)s.h, (long)s.w, (long)s.oc, (long)s.k, (long)s.s,
             s.groups > 1 ? " dw" : "");
    if (!filter.empty() && std::string(name).find(filter) == std::string::npos)
      continue;
    ConvSpec spec = randomConv(s, false, rng, 0, weightBits); // u8->relu->u8
    double ops = 2.0 * spec.oc * spec.oh() * spec.ow() * (spec.c / spec.groups) *
                 spec.kh * spec.kw;
    auto compiled = compileConv(spec, {*isa}, tiles);
    if (!compiled->ok()) {
      printf("%-12s %-26s compile failed: %s\n", s.model, name,
             compiled->error.c_str());
      continue;
    }
    // 64-byte aligned buffers, as a compiled model's arena gives: with
    // malloc's alignment the times of a layer varied by up to 1.5x from
    // run to run.
    auto buffer = [](size_t bytes) {
      return std::unique_ptr<uint8_t, decltype(&std::free)>(
          static_cast<uint8_t *>(std::aligned_alloc(64, (bytes + 63) / 64 * 64)),
          &std::free);
    };
    auto random = randomBytes(spec.c * spec.h * spec.w, rng);
    auto input = buffer(random.size());
    std::memcpy(input.get(), random.data(), random.size());
    auto out = buffer(spec.oc * spec.oh() * spec.ow());
    auto scratch = buffer(compiled->scratch.size());
    void *packArgs[2] = {input.get(), scratch.get()};
    void *args[2] = {scratch.get(), out.get()};
    auto loops = [&] {
      qrt_parallel_for(compiled->pack, packArgs, compiled->info.packTiles,
                       threads);
      qrt_parallel_for(compiled->kernel, args, compiled->info.kernelTiles,
                       threads);
    };
    auto packOnly = [&] {
      qrt_parallel_for(compiled->pack, packArgs, compiled->info.packTiles,
                       threads);
    };
    auto dnn = OneDnnLayer::create(spec);
    // The channels-last kernel reads the same bytes as an NHWC image.
    ConvSpec nhwcSpec = spec;
    nhwcSpec.channelsLast = true;
    std::unique_ptr<Compiled> nhwc;
    if (channelsLast && checkChannelsLast(nhwcSpec).empty())
      nhwc = compileConv(nhwcSpec, {*isa}, nhwcTiles);
    void *nhwcArgs[2] = {input.get(), out.get()};
    auto nhwcRun = [&] {
      qrt_parallel_for(nhwc->kernel, nhwcArgs, nhwc->info.kernelTiles,
                       threads);
    };
    // Interleave to share the machine's noise.
    double tl = 1e9, td = 1e9, tp = 1e9, tq = 1e9, tn = 1e9;
    for (int round = 0; round < rounds; ++round) {
      if (nhwc && nhwc->ok())
        tn = std::min(tn, fastestCall(nhwcRun, reps));
      tl = std::min(tl, fastestCall(loops, reps));
      td = std::min(td, fastestCall([&] { dnn->runPrimitive(); }, reps));
      tp = std::min(tp, fastestCall(packOnly, reps));
      tq = std::min(tq, fastestCall([&] { dnn->runWithReorders(); }, reps));
    }
    double gl = ops / tl * 1e-9, gd = ops / td * 1e-9, gq = ops / tq * 1e-9;
    double ratio = gl / gd;
    char nhwcCol[16] = "";
    if (tn < 1e9)
      snprintf(nhwcCol, sizeof nhwcCol, "%9.1f", ops / tn * 1e-9);
    printf("%-12s %-26s %9.1f %9.1f %9.1f %7.2f %5.0f%% %5.0f%% %9.1f %7.2f "
           "%9s  %s\n",
           s.model, name, ops * 1e-6, gl, gd, ratio, 100 * gl / peak,
           100 * std::min(1.0, tp / tl), gq, gl / gq, nhwcCol,
           dnn->implementation().c_str());
    fflush(stdout);
    logSum += std::log(ratio);
    logSumInQ += std::log(gl / gq);
    ++count;
    if (ratio < worst) {
      worst = ratio;
      worstName = name;
    }
  }
  if (count)
    printf("# geomean ratio loops/onednn: %.3f over %d layers; worst %.2f "
           "(%s)\n",
           std::exp(logSum / count), count, worst, worstName.c_str());
  if (count)
    printf("# geomean ratio loops/onednn with the NCHW reorders a q model "
           "does around oneDNN (in-q): %.3f\n",
           std::exp(logSumInQ / count));
  return 0;
}
