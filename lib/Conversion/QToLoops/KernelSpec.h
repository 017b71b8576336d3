//===- KernelSpec.h - int8 conv/fc kernel generator -------------*- C++ -*-===//
//
// What q-lower-to-loops knows about a quantized conv or fc once it has read
// the op: plain shapes, integer weights and the epilogue in f32 terms. The
// generator builds kernels from this alone, so tests and benchmarks can
// drive it without q ops.
//
// Numerics (also in docs/passes.md). With acc the exact int32 sum of x*w
// plus the bias integer, every output element is, in this order and in f32:
//   t = (float)acc * scale[oc]          scale = in_step*w_step[oc]/out_step
//   t = act(t)                          relu / clip / leaky, output units
//   t = t + sumScale * (float)sum_q     sumScale = sum_scale*sum_step/out_step
//   t = postAct(t)
//   out = F32 ? t : saturate(roundeven(t))
// (out_step is 1 for an f32 result.) No fused multiply-add is used.
//
//===----------------------------------------------------------------------===//

#ifndef QTOLOOPS_KERNELSPEC_H
#define QTOLOOPS_KERNELSPEC_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Support/LLVM.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace mlir::q::loops {

/// Instruction sets a kernel can be generated for. The values are those of
/// qrt_cpu_isa() (include/qrt/parallel.h).
enum class Isa { Generic = 0, Avx2 = 1, AvxVnni = 2, Avx512Vnni = 3 };

std::optional<Isa> parseIsa(llvm::StringRef name);
llvm::StringRef isaName(Isa isa);

enum class ActKind { None, Relu, Clip, Leaky };

/// An element-wise post-op with parameters in output units.
struct PostOp {
  ActKind kind = ActKind::None;
  float alpha = 0; ///< leaky slope, clip lower bound
  float beta = 0;  ///< clip upper bound
};

enum class OutType { U8, S8, F32 };

struct Epilogue {
  std::vector<int32_t> bias; ///< per output channel, or empty
  std::vector<float> scale;  ///< per output channel
  PostOp act;
  bool hasSum = false;
  bool sumSigned = false;
  float sumScale = 1;
  PostOp postAct;
  OutType out = OutType::U8;
};

/// A 2-D convolution: input [n, c, h, w] (u8 or s8), weight
/// [oc, c/groups, kh, kw] (s8), output (and sum) [n, oc, oh, ow]; with
/// `channelsLast` the input, sum and output are stored NHWC instead
/// ([n, h, w, c]), and the kernel reads the input directly (no pack).
struct ConvSpec {
  int64_t n = 1, c = 0, h = 0, w = 0, oc = 0, kh = 1, kw = 1;
  int64_t sh = 1, sw = 1, dh = 1, dw = 1;
  int64_t pt = 0, pl = 0, pb = 0, pr = 0;
  int64_t groups = 1;
  bool srcSigned = false;
  bool channelsLast = false;
  std::vector<int8_t> weight;
  Epilogue epi;

  int64_t oh() const { return (h + pt + pb - dh * (kh - 1) - 1) / sh + 1; }
  int64_t ow() const { return (w + pl + pr - dw * (kw - 1) - 1) / sw + 1; }
};

/// Inner product: input [n, k], weight [o, k], output [n, o].
struct FcSpec {
  int64_t n = 1, k = 0, o = 0;
  bool srcSigned = false;
  std::vector<int8_t> weight;
  Epilogue epi;
};

struct TileOptions {
  int64_t p = 0; ///< pixel vectors per tile (0: default for the ISA)
  int64_t o = 0; ///< output channels per tile (0: default)
  /// Use the pixel-tile kernel (lanes over output channels) wherever it
  /// applies, not only where it saves the padding columns (for tests).
  bool forcePixelTiles = false;
};

/// The two kernels of one op: `pack` fills the scratch from the op's first
/// operand, `kernel` reads the scratch (and the sum) and writes the result.
/// Channels-last convolutions have no pack (`pack` empty, no scratch): the
/// kernel reads the op's input itself.
struct KernelInfo {
  std::string pack, kernel;
  int64_t packTiles = 0, kernelTiles = 0;
  int64_t scratchBytes = 0; ///< largest over the generated ISAs
};

/// Adds `<name>` and `<name>_pack` (LLVM dialect unless !lowerToLLVM) with
/// their constant globals to `module`. One ISA gives one function each;
/// several give one variant per ISA (`<name>_<isa>`) and a dispatcher that
/// asks qrt_cpu_isa() once per call.
FailureOr<KernelInfo> buildConvKernels(ModuleOp module, llvm::StringRef name,
                                       const ConvSpec &spec,
                                       llvm::ArrayRef<Isa> isas,
                                       TileOptions tiles, bool lowerToLLVM);
FailureOr<KernelInfo> buildFcKernels(ModuleOp module, llvm::StringRef name,
                                     const FcSpec &spec,
                                     llvm::ArrayRef<Isa> isas,
                                     TileOptions tiles, bool lowerToLLVM);

/// Whether vpmaddubsw's 16-bit pair sums are exact for every u8 input:
/// weights laid out [rows][k][inner], pairs (k, k+1) for even k (the pairs
/// the packed layouts form), each pair's positive and negative parts at
/// most 128 in magnitude (255 * 128 <= 32767, 255 * -128 >= -32768).
/// Always true for 7-bit weights (--weight-bits=7).
bool weightPairsFitInt16(llvm::ArrayRef<int8_t> weight, int64_t rows,
                         int64_t k, int64_t inner);

/// The attribute q-compile --backend=auto sets on each conv / fc: "loops"
/// or "onednn". q-lower-to-loops leaves "onednn" ops alone.
inline constexpr llvm::StringLiteral kBackendAttr = "q.backend";

/// Reads a statically quantized q.fused_conv / q.fused_fc into a spec (a
/// 1x1 conv over a 1x1 image becomes an inner product). On failure `why`
/// says what the generator does not handle.
LogicalResult readKernelSpec(Operation *op, std::optional<ConvSpec> &conv,
                             std::optional<FcSpec> &fc, std::string &why);

/// Why a spec cannot be generated (empty if it can).
std::string checkSpec(const ConvSpec &spec);

/// Why a spec cannot be generated channels last (empty if it can; see
/// NhwcConvKernels.cpp).
std::string checkChannelsLast(const ConvSpec &spec);

/// Lowers the scf/arith/vector/math/func ops of `module` to LLVM.
LogicalResult lowerKernelsToLLVM(ModuleOp module);

} // namespace mlir::q::loops

#endif // QTOLOOPS_KERNELSPEC_H
