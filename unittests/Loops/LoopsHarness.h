//===- LoopsHarness.h - run generated kernels against the reference -------===//
//
// Shared by the unit tests and bench/loops_vs_onednn: random specs, the
// integer reference with the epilogue in the generator's exact f32 order,
// and running a JIT-compiled kernel pair over its tiles.
//
//===----------------------------------------------------------------------===//

#ifndef Q_UNITTESTS_LOOPS_HARNESS_H
#define Q_UNITTESTS_LOOPS_HARNESS_H

#include "KernelJit.h"
#include "KernelSpec.h"

#include "qrt/reference.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/ControlFlow/IR/ControlFlowOps.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/MLIRContext.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>

namespace qloops {

using namespace mlir::q::loops;

/// One distinct conv shape of the models (224x224 input, batch 1).
struct Shape {
  const char *model;
  int64_t c, h, w, oc, k, s, p, groups;
};

inline mlir::MLIRContext &context() {
  static mlir::MLIRContext *ctx = [] {
    mlir::DialectRegistry registry;
    KernelJit::registerDialects(registry);
    auto *c = new mlir::MLIRContext(registry);
    c->loadDialect<mlir::LLVM::LLVMDialect, mlir::func::FuncDialect,
                   mlir::arith::ArithDialect, mlir::scf::SCFDialect,
                   mlir::vector::VectorDialect, mlir::math::MathDialect,
                   mlir::cf::ControlFlowDialect>();
    return c;
  }();
  return *ctx;
}

inline int32_t forcedIsa = 3;
inline int32_t forcedIsaFn() { return forcedIsa; }

/// Random weights (full `weightBits`-bit range), bias and scales that
/// spread outputs over the 8-bit range (so rounding and saturation both
/// happen).
inline ConvSpec randomConv(const Shape &s, bool srcSigned, std::mt19937 &rng,
                           int variant, int weightBits = 8) {
  ConvSpec c;
  c.c = s.c;
  c.h = s.h;
  c.w = s.w;
  c.oc = s.oc;
  c.kh = c.kw = s.k;
  c.sh = c.sw = s.s;
  c.pt = c.pl = c.pb = c.pr = s.p;
  c.groups = s.groups;
  c.srcSigned = srcSigned;
  int64_t k = (s.c / s.groups) * s.k * s.k;
  const int wMax = (1 << (weightBits - 1)) - 1;
  std::uniform_int_distribution<int> w8(-wMax - 1, wMax);
  c.weight.resize(s.oc * k);
  for (auto &v : c.weight)
    v = static_cast<int8_t>(w8(rng));
  std::uniform_real_distribution<float> u(0.5f, 1.5f);
  double spread = std::sqrt((double)k) * 74.0 * 128.0 / 64.0;
  std::uniform_int_distribution<int> bias(-200000, 200000);
  c.epi.bias.resize(s.oc);
  for (int64_t o = 0; o < s.oc; ++o) {
    c.epi.scale.push_back(static_cast<float>(u(rng) / spread));
    c.epi.bias[o] = bias(rng);
  }
  // Rotate through post-op chains and output types.
  switch (variant % 4) {
  case 0:
    c.epi.act.kind = ActKind::Relu;
    c.epi.out = OutType::U8;
    break;
  case 1:
    c.epi.hasSum = true;
    c.epi.sumSigned = variant % 8 == 1;
    c.epi.sumScale = 0.75f;
    c.epi.postAct.kind = ActKind::Relu;
    c.epi.out = OutType::U8;
    break;
  case 2:
    c.epi.act = {ActKind::Clip, 0.f, 90.5f};
    c.epi.out = OutType::S8;
    break;
  case 3:
    c.epi.act = {ActKind::Leaky, 0.125f, 0.f};
    c.epi.out = variant % 8 == 3 ? OutType::F32 : OutType::S8;
    break;
  }
  return c;
}

inline float postOp(const PostOp &op, float t) {
  switch (op.kind) {
  case ActKind::None:
    return t;
  case ActKind::Relu:
    return t > 0.f ? t : 0.f;
  case ActKind::Clip:
    t = t < op.alpha ? op.alpha : t;
    return t > op.beta ? op.beta : t;
  case ActKind::Leaky:
    return t < 0.f ? t * op.alpha : t;
  }
  return t;
}

/// The epilogue, in the order KernelSpec.h defines (no contraction: each
/// step is its own statement on a volatile-free float).
inline void epilogue(const Epilogue &e, int32_t acc, int64_t oc,
                     const void *sum, int64_t i, void *out) {
  float t = static_cast<float>(acc);
  t = t * e.scale[oc];
  t = postOp(e.act, t);
  if (e.hasSum) {
    float s = e.sumSigned ? static_cast<float>(((const int8_t *)sum)[i])
                          : static_cast<float>(((const uint8_t *)sum)[i]);
    float scaled = s * e.sumScale;
    t = t + scaled;
  }
  t = postOp(e.postAct, t);
  if (e.out == OutType::F32) {
    ((float *)out)[i] = t;
    return;
  }
  float r = std::nearbyint(t);
  float lo = e.out == OutType::U8 ? 0.f : -128.f;
  float hi = e.out == OutType::U8 ? 255.f : 127.f;
  r = r < lo ? lo : r;
  r = r > hi ? hi : r;
  if (e.out == OutType::U8)
    ((uint8_t *)out)[i] = static_cast<uint8_t>(r);
  else
    ((int8_t *)out)[i] = static_cast<int8_t>(r);
}

inline int64_t outBytes(const Epilogue &e) {
  return e.out == OutType::F32 ? 4 : 1;
}

/// Reference result of `spec` on `input` (and `sum`).
inline std::vector<uint8_t> referenceConv(const ConvSpec &c,
                                          const std::vector<uint8_t> &input,
                                          const std::vector<uint8_t> &sum) {
  qrt::ref::Shape in{c.n, c.c, c.h, c.w};
  qrt::ref::Shape w{c.oc, c.c / c.groups, c.kh, c.kw};
  qrt::ref::Shape out{c.n, c.oc, c.oh(), c.ow()};
  qrt::ref::ConvParams p;
  p.strides = {c.sh, c.sw};
  p.dilations = {c.dh, c.dw};
  p.padBegin = {c.pt, c.pl};
  p.padEnd = {c.pb, c.pr};
  p.groups = c.groups;
  std::vector<int32_t> acc(qrt::ref::numElements(out));
  qrt::ref::TensorRef<const int8_t> wref(c.weight.data(), w);
  qrt::ref::TensorRef<const int32_t> bref(
      c.epi.bias.empty() ? nullptr : c.epi.bias.data(), {c.oc});
  qrt::ref::TensorRef<int32_t> oref(acc.data(), out);
  qrt::ref::Status st =
      c.srcSigned
          ? qrt::ref::quantizedConv(
                {reinterpret_cast<const int8_t *>(input.data()), in}, wref,
                bref, p, oref)
          : qrt::ref::quantizedConv({input.data(), in}, wref, bref, p, oref);
  if (!st.ok())
    return {};
  std::vector<uint8_t> result(acc.size() * outBytes(c.epi));
  int64_t plane = c.oh() * c.ow();
  for (int64_t i = 0; i < (int64_t)acc.size(); ++i)
    epilogue(c.epi, acc[i], (i / plane) % c.oc, sum.data(), i, result.data());
  return result;
}

inline std::vector<uint8_t> referenceFc(const FcSpec &f,
                                        const std::vector<uint8_t> &input) {
  std::vector<uint8_t> result(f.n * f.o * outBytes(f.epi));
  for (int64_t n = 0; n < f.n; ++n)
    for (int64_t o = 0; o < f.o; ++o) {
      int64_t acc = f.epi.bias.empty() ? 0 : f.epi.bias[o];
      for (int64_t k = 0; k < f.k; ++k) {
        int64_t x = f.srcSigned ? (int8_t)input[n * f.k + k]
                                : (int64_t)input[n * f.k + k];
        acc += x * f.weight[o * f.k + k];
      }
      epilogue(f.epi, static_cast<int32_t>(acc), o, nullptr, n * f.o + o,
               result.data());
    }
  return result;
}

/// A compiled kernel pair with its buffers.
struct Compiled {
  std::unique_ptr<KernelJit> jit;
  KernelInfo info;
  KernelFn pack = nullptr, kernel = nullptr;
  std::vector<uint8_t> scratch;
  std::string error;

  bool ok() const { return kernel && (pack || info.pack.empty()); }

  /// Runs pack then kernel, each over its tiles split in `chunks` calls
  /// (channels-last kernels have no pack: the kernel reads the input).
  void run(const void *input, const void *sum, void *out, int chunks = 1) {
    void *packArgs[2] = {const_cast<void *>(input), scratch.data()};
    void *args[3];
    int n = 0;
    args[n++] = pack ? scratch.data() : const_cast<void *>(input);
    if (sum)
      args[n++] = const_cast<void *>(sum);
    args[n++] = out;
    auto split = [&](KernelFn fn, void **a, int64_t tiles) {
      for (int i = 0; i < chunks; ++i)
        fn(a, tiles * i / chunks, tiles * (i + 1) / chunks);
    };
    if (pack)
      split(pack, packArgs, info.packTiles);
    split(kernel, args, info.kernelTiles);
  }
};

template <typename Spec, typename Build>
inline std::unique_ptr<Compiled> compileWith(const Spec &spec,
                                             llvm::ArrayRef<Isa> isas,
                                             TileOptions tiles, Build build) {
  auto result = std::make_unique<Compiled>();
  mlir::MLIRContext &ctx = context();
  mlir::OwningOpRef<mlir::ModuleOp> module =
      mlir::ModuleOp::create(mlir::UnknownLoc::get(&ctx));
  auto info = build(*module, "k", spec, isas, tiles, true);
  if (mlir::failed(info)) {
    result->error = "generation failed";
    return result;
  }
  result->info = *info;
  result->jit = KernelJit::create(*module, forcedIsaFn, result->error);
  if (!result->jit)
    return result;
  if (!info->pack.empty())
    result->pack = result->jit->lookup(info->pack);
  result->kernel = result->jit->lookup(info->kernel);
  result->scratch.assign(info->scratchBytes, 0xcd); // garbage, not zeros
  return result;
}

inline std::unique_ptr<Compiled> compileConv(const ConvSpec &spec,
                                             llvm::ArrayRef<Isa> isas,
                                             TileOptions tiles = {}) {
  return compileWith(spec, isas, tiles, buildConvKernels);
}
inline std::unique_ptr<Compiled> compileFc(const FcSpec &spec,
                                           llvm::ArrayRef<Isa> isas,
                                           TileOptions tiles = {}) {
  return compileWith(spec, isas, tiles, buildFcKernels);
}

inline std::vector<uint8_t> randomBytes(int64_t n, std::mt19937 &rng) {
  std::vector<uint8_t> v(n);
  std::uniform_int_distribution<int> d(0, 255);
  for (auto &x : v)
    x = static_cast<uint8_t>(d(rng));
  return v;
}

/// [n, c, h, w] <-> [n, h, w, c] copies of elements of `elemBytes` bytes.
inline std::vector<uint8_t> transposeImage(const std::vector<uint8_t> &src,
                                           int64_t n, int64_t c, int64_t h,
                                           int64_t w, int64_t elemBytes,
                                           bool toNhwc) {
  std::vector<uint8_t> dst(src.size());
  if (src.empty())
    return dst;
  for (int64_t i = 0; i < n; ++i)
    for (int64_t ch = 0; ch < c; ++ch)
      for (int64_t p = 0; p < h * w; ++p) {
        int64_t nchw = (i * c + ch) * h * w + p;
        int64_t nhwc = (i * h * w + p) * c + ch;
        int64_t from = toNhwc ? nchw : nhwc, to = toNhwc ? nhwc : nchw;
        std::memcpy(&dst[to * elemBytes], &src[from * elemBytes], elemBytes);
      }
  return dst;
}

/// Number of differing output elements (bitwise).
inline int64_t countDiffs(const std::vector<uint8_t> &a,
                          const std::vector<uint8_t> &b, int64_t elemBytes) {
  if (a.size() != b.size())
    return -1;
  int64_t diffs = 0;
  bool verbose = std::getenv("Q_LOOPS_VERBOSE");
  for (size_t i = 0; i < a.size(); i += elemBytes) {
    bool differ = std::memcmp(&a[i], &b[i], elemBytes) != 0;
    if (differ && verbose && diffs < 80)
      fprintf(stderr, "  element %zu: got %d expected %d\n", i / elemBytes,
              (int)(int8_t)a[i], (int)(int8_t)b[i]);
    diffs += differ;
  }
  return diffs;
}

// clang-format off
/// Every distinct conv shape of resnet50_v1, resnet-152 and mobilenetv2_1.0
/// at 224x224 (from their -symbol.json); the 1x1-on-1x1 classifier of
/// mobilenetv2 becomes an inner product.
inline const Shape kModelShapes[] = {
  {"resnet", 3, 224, 224, 64, 7, 2, 3, 1},
  {"resnet", 64, 56, 56, 64, 1, 1, 0, 1},
  {"resnet", 64, 56, 56, 64, 3, 1, 1, 1},
  {"resnet", 64, 56, 56, 256, 1, 1, 0, 1},
  {"resnet", 256, 56, 56, 64, 1, 1, 0, 1},
  {"resnet", 256, 56, 56, 128, 1, 1, 0, 1},
  {"resnet", 256, 56, 56, 128, 1, 2, 0, 1},
  {"resnet", 256, 56, 56, 512, 1, 2, 0, 1},
  {"resnet", 128, 56, 56, 128, 3, 2, 1, 1},
  {"resnet", 128, 28, 28, 128, 3, 1, 1, 1},
  {"resnet", 128, 28, 28, 512, 1, 1, 0, 1},
  {"resnet", 512, 28, 28, 128, 1, 1, 0, 1},
  {"resnet", 512, 28, 28, 256, 1, 1, 0, 1},
  {"resnet", 512, 28, 28, 256, 1, 2, 0, 1},
  {"resnet", 512, 28, 28, 1024, 1, 2, 0, 1},
  {"resnet", 256, 28, 28, 256, 3, 2, 1, 1},
  {"resnet", 256, 14, 14, 256, 3, 1, 1, 1},
  {"resnet", 256, 14, 14, 1024, 1, 1, 0, 1},
  {"resnet", 1024, 14, 14, 256, 1, 1, 0, 1},
  {"resnet", 1024, 14, 14, 512, 1, 1, 0, 1},
  {"resnet", 1024, 14, 14, 512, 1, 2, 0, 1},
  {"resnet", 1024, 14, 14, 2048, 1, 2, 0, 1},
  {"resnet", 512, 14, 14, 512, 3, 2, 1, 1},
  {"resnet", 512, 7, 7, 512, 3, 1, 1, 1},
  {"resnet", 512, 7, 7, 2048, 1, 1, 0, 1},
  {"resnet", 2048, 7, 7, 512, 1, 1, 0, 1},
  {"mobilenetv2", 3, 224, 224, 32, 3, 2, 1, 1},
  {"mobilenetv2", 32, 112, 112, 32, 1, 1, 0, 1},
  {"mobilenetv2", 32, 112, 112, 32, 3, 1, 1, 32},
  {"mobilenetv2", 32, 112, 112, 16, 1, 1, 0, 1},
  {"mobilenetv2", 16, 112, 112, 96, 1, 1, 0, 1},
  {"mobilenetv2", 96, 112, 112, 96, 3, 2, 1, 96},
  {"mobilenetv2", 96, 56, 56, 24, 1, 1, 0, 1},
  {"mobilenetv2", 24, 56, 56, 144, 1, 1, 0, 1},
  {"mobilenetv2", 144, 56, 56, 144, 3, 1, 1, 144},
  {"mobilenetv2", 144, 56, 56, 24, 1, 1, 0, 1},
  {"mobilenetv2", 144, 56, 56, 144, 3, 2, 1, 144},
  {"mobilenetv2", 144, 28, 28, 32, 1, 1, 0, 1},
  {"mobilenetv2", 32, 28, 28, 192, 1, 1, 0, 1},
  {"mobilenetv2", 192, 28, 28, 192, 3, 1, 1, 192},
  {"mobilenetv2", 192, 28, 28, 32, 1, 1, 0, 1},
  {"mobilenetv2", 192, 28, 28, 192, 3, 2, 1, 192},
  {"mobilenetv2", 192, 14, 14, 64, 1, 1, 0, 1},
  {"mobilenetv2", 64, 14, 14, 384, 1, 1, 0, 1},
  {"mobilenetv2", 384, 14, 14, 384, 3, 1, 1, 384},
  {"mobilenetv2", 384, 14, 14, 64, 1, 1, 0, 1},
  {"mobilenetv2", 384, 14, 14, 96, 1, 1, 0, 1},
  {"mobilenetv2", 96, 14, 14, 576, 1, 1, 0, 1},
  {"mobilenetv2", 576, 14, 14, 576, 3, 1, 1, 576},
  {"mobilenetv2", 576, 14, 14, 96, 1, 1, 0, 1},
  {"mobilenetv2", 576, 14, 14, 576, 3, 2, 1, 576},
  {"mobilenetv2", 576, 7, 7, 160, 1, 1, 0, 1},
  {"mobilenetv2", 160, 7, 7, 960, 1, 1, 0, 1},
  {"mobilenetv2", 960, 7, 7, 960, 3, 1, 1, 960},
  {"mobilenetv2", 960, 7, 7, 160, 1, 1, 0, 1},
  {"mobilenetv2", 960, 7, 7, 320, 1, 1, 0, 1},
  {"mobilenetv2", 320, 7, 7, 1280, 1, 1, 0, 1},
};
// clang-format on

} // namespace qloops

#endif // Q_UNITTESTS_LOOPS_HARNESS_H
