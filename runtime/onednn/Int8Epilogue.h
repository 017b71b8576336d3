//===- Int8Epilogue.h - int8 conv/FC numerics shared by both ----*- C++ -*-===//
//
// The int8 convolution and inner product (qrt.h has the formulas) run
// either as oneDNN's int8 primitive with output scales and post-ops (all
// steps static) or as oneDNN's bare s32 accumulators plus our double-
// precision epilogue loop, which matches the reference exactly. This is
// what both ops share; Convolution.cpp uses it.
//
//===----------------------------------------------------------------------===//

#ifndef QRT_ONEDNN_INT8EPILOGUE_H
#define QRT_ONEDNN_INT8EPILOGUE_H

#include "../Runtime.h"

namespace qrt {

/// Everything an int8 conv/FC needs besides the primitive (qrt.h has the
/// formulas). Channel c of flat element i is (i / inner) % channels, or
/// i % channels with channelsLast (an NHWC dst, or FC's [rows, hidden]).
struct Int8Plan {
  int64_t channels = 0, inner = 1;
  bool channelsLast = false;
  std::vector<float> weightSteps; // one per channel
  std::vector<float> bias;        // real values; empty without bias
  std::vector<int32_t> biasQ;     // static src step: quantized at init
  qrt_qparam srcQ{}, dstQ{}, sumQ{};
  int32_t dstType = QRT_F32, sumType = QRT_F32;
  bool hasSum = false;
  float sumScale = 1;
  qrt_eltwise act{}, postsumAct{};
  /// true: oneDNN produces s32 accumulators and runEpilogue does the rest.
  bool epilogue = false;
  /// Workspace of runEpilogue's per-channel factors and biases.
  size_t factorsOffset = 0, biasOffset = 0;
};

/// The s32 bias in accumulator units: clamp(rne(b / (sx * sw)),
/// +-(2^31-1)/2), in double.
int32_t quantizeBias(float bias, float srcStep, float weightStep);
/// Fills the plan's channels, steps and bias from an init's arguments.
void readInt8Plan(Int8Plan &p, Op &op, int64_t channels, int32_t numSteps,
                  const float *steps, bool hasBias, const void *bias,
                  const qrt_qparam &srcQ, int32_t dstType,
                  const qrt_qparam &dstQ);
/// Whether oneDNN can express `e` as a post-op.
bool expressible(const qrt_eltwise &e);
/// Output scales and post-ops of the all-static path.
void setInt8Attr(dnnl::primitive_attr &attr, const Int8Plan &p);
/// Plans runEpilogue's workspace.
void reserveEpilogue(Int8Plan &p, WorkspacePlan &plan);
/// dst (and the sum, which may alias dst) from s32 accumulators without
/// bias, in dst's layout: exactly the reference's double-precision formulas.
void runEpilogue(const Int8Plan &p, qrt_exec *exec, char *ws, int64_t n,
                 const int32_t *acc, const void *sum, void *dst);
/// Whether two eltwise post-ops share an algorithm but not its parameters
/// (oneDNN 2.6.3 AVX-512 bug; such chains run without oneDNN post-ops).
bool aliasedEltwises(const dnnl::post_ops &ops);
/// QRT_INT8_EPILOGUE=1: every int8 conv/FC through the s32 epilogue.
bool forceEpilogue();

} // namespace qrt

#endif // QRT_ONEDNN_INT8EPILOGUE_H
