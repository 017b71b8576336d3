//===- Int8Epilogue.cpp - int8 output scales, post-ops and epilogue -------===//
//
// Int8Epilogue.h says what this is for.
//
//===----------------------------------------------------------------------===//

#include "Int8Epilogue.h"

#include <array>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <type_traits>

namespace qrt {

/// bq = clamp(rne(b / (sx * sw)), +-(2^31-1)/2), in double.
int32_t quantizeBias(float bias, float srcStep, float weightStep) {
  constexpr double limit = 1073741823.0; // INT32_MAX / 2: MXNet's guard
  double value = double(bias) / (double(srcStep) * double(weightStep));
  value = value < -limit ? -limit : value > limit ? limit : value;
  return static_cast<int32_t>(std::nearbyint(value));
}

void readInt8Plan(Int8Plan &p, Op &op, int64_t channels, int32_t numSteps,
                  const float *steps, bool hasBias, const void *bias,
                  const qrt_qparam &srcQ, int32_t dstType,
                  const qrt_qparam &dstQ) {
  p.channels = channels;
  require(numSteps == 1 || numSteps == channels, "int8 needs 1 or ", channels,
          " weight steps, got ", numSteps);
  requireNonNull(steps, "weight_steps");
  for (int32_t c = 0; c < numSteps; ++c)
    require(steps[c] > 0 && steps[c] <= std::numeric_limits<float>::max(),
            "weight step ", c, " is ", steps[c],
            "; steps must be finite and > 0");
  p.weightSteps.assign(channels, steps[0]);
  if (numSteps == channels)
    p.weightSteps.assign(steps, steps + channels);
  checkQParam(srcQ, "src_q", op);
  p.srcQ = srcQ;
  p.dstType = dstType;
  if (dstType != QRT_F32) {
    requireStaticStep(dstQ, "an s8/u8 dst (dst_q; quantize an f32 output "
                            "for a dynamic step)");
    p.dstQ = dstQ;
  }
  if (hasBias) {
    const float *b = static_cast<const float *>(bias);
    p.bias.assign(b, b + channels);
    for (float v : p.bias)
      require(std::isfinite(v), "bias must be finite");
    if (isStatic(srcQ))
      for (int64_t c = 0; c < channels; ++c)
        p.biasQ.push_back(quantizeBias(p.bias[c], srcQ.step, p.weightSteps[c]));
  }
}

/// f(c x) = c f(x) for c > 0 (clip with its bounds scaled by c).
static bool homogeneous(const qrt_eltwise &e) {
  return e.kind == QRT_ELTWISE_NONE || e.kind == QRT_ELTWISE_RELU ||
         e.kind == QRT_ELTWISE_LEAKY || e.kind == QRT_ELTWISE_CLIP;
}

bool expressible(const qrt_eltwise &e) {
  DnnlEltwise unused;
  return toDnnl(e, unused);
}

/// Appends `e` computing outScale * e(x), with clip bounds times
/// boundScale.
static void appendScaled(dnnl::post_ops &ops, const qrt_eltwise &e,
                         double boundScale, double outScale) {
  DnnlEltwise d;
  toDnnl(e, d);
  if (e.kind == QRT_ELTWISE_CLIP) {
    d.alpha = float(d.alpha * boundScale);
    d.beta = float(d.beta * boundScale);
  }
  ops.append_eltwise(float(d.scale * outScale), d.algorithm, d.alpha, d.beta);
}

/// Output scales and post-ops of the all-static int8 path: oneDNN computes
/// os[c] * (acc + bq) and the post-ops in f32. Real values are divided by
/// the dst step at the end; when every function commutes with that
/// scaling (relu, leaky, clip) the division folds into the output scales
/// and the sum scale instead (MXNet's form, no extra post-op).
void setInt8Attr(dnnl::primitive_attr &attr, const Int8Plan &p) {
  const double srcStep = p.srcQ.step;
  const double k = p.dstType == QRT_F32 ? 1.0 : 1.0 / double(p.dstQ.step);
  const double sumStep =
      p.hasSum && p.sumType != QRT_F32 ? double(p.sumQ.step) : 1.0;
  const bool fold = homogeneous(p.act) && homogeneous(p.postsumAct);
  std::vector<float> scales(p.channels);
  for (int64_t c = 0; c < p.channels; ++c)
    scales[c] = float(srcStep * p.weightSteps[c] * (fold ? k : 1.0));
  attr.set_output_scales(1 << 1, scales);
  dnnl::post_ops ops;
  const bool hasAct = p.act.kind != QRT_ELTWISE_NONE;
  const bool hasPost = p.postsumAct.kind != QRT_ELTWISE_NONE;
  if (fold) {
    if (hasAct)
      appendScaled(ops, p.act, k, 1.0);
    if (p.hasSum)
      ops.append_sum(float(p.sumScale * sumStep * k), dnnlType(p.sumType));
    if (hasPost)
      appendScaled(ops, p.postsumAct, k, 1.0);
  } else {
    // Real values throughout; the last element-wise step scales by k.
    const bool actLast = !p.hasSum && !hasPost;
    if (hasAct)
      appendScaled(ops, p.act, 1.0, actLast ? k : 1.0);
    if (p.hasSum)
      ops.append_sum(float(p.sumScale * sumStep), dnnlType(p.sumType));
    if (hasPost)
      appendScaled(ops, p.postsumAct, 1.0, k);
    else if (!actLast && k != 1)
      ops.append_eltwise(1.f, dnnl::algorithm::eltwise_linear, float(k), 0.f);
  }
  attr.set_post_ops(ops);
}

void reserveEpilogue(Int8Plan &p, WorkspacePlan &plan) {
  p.factorsOffset = plan.reserve(p.channels * sizeof(double));
  p.biasOffset = plan.reserve(p.channels * sizeof(int64_t));
}

/// The real value of a sum element (S void: no sum).
template <typename S>
inline double sumReal(const void *sum, int64_t i, double sumStep) {
  if constexpr (std::is_same_v<S, float>)
    return double(static_cast<const float *>(sum)[i]);
  else
    return double(static_cast<const S *>(sum)[i]) * sumStep;
}

/// One instantiation per dst and sum type; Generic evaluates any act and
/// postsum_act out of line, otherwise they are identity or relu, inline
/// (so the loop vectorizes: ~4x faster). Plain layouts walk planes of
/// `inner` elements of one channel; channels-last ones (and FC) rows of
/// `channels` elements, one per channel.
template <typename D, typename S, bool Generic>
void epilogueLoop(const Int8Plan &p, int64_t n, const int32_t *acc,
                  const double *factor, const int64_t *biasQ, const void *sum,
                  double sumStep, double dstStep, D *dst) {
  const double sumScale = p.sumScale;
  const qrt_eltwise act = p.act, post = p.postsumAct;
  const bool actRelu = act.kind == QRT_ELTWISE_RELU;
  const bool postRelu = post.kind == QRT_ELTWISE_RELU;
  auto element = [&](int64_t i, double f, int64_t bias) {
    int64_t a = int64_t(acc[i]) + bias;
    a = a < INT32_MIN ? INT32_MIN : a > INT32_MAX ? INT32_MAX : a;
    double y = double(a) * f;
    if constexpr (Generic)
      y = act.kind ? evalEltwise(act, y) : y;
    else
      y = actRelu && !(y > 0) ? 0.0 : y;
    if constexpr (!std::is_void_v<S>)
      y += double(sumScale) * sumReal<S>(sum, i, sumStep);
    if constexpr (Generic)
      y = post.kind ? evalEltwise(post, y) : y;
    else
      y = postRelu && !(y > 0) ? 0.0 : y;
    if constexpr (std::is_same_v<D, float>)
      dst[i] = static_cast<float>(y);
    else
      dst[i] = saturateRound<D>(y / dstStep);
  };
  if (p.channelsLast) {
    const int64_t channels = p.channels, rows = n / channels;
#pragma omp parallel for num_threads(loopThreads(n)) schedule(static)
    for (int64_t row = 0; row < rows; ++row)
      for (int64_t c = 0; c < channels; ++c)
        element(row * channels + c, factor[c], biasQ[c]);
    return;
  }
  const int64_t planes = n / p.inner, inner = p.inner;
#pragma omp parallel for num_threads(loopThreads(n)) schedule(static)
  for (int64_t plane = 0; plane < planes; ++plane) {
    const int64_t c = plane % p.channels;
    const double f = factor[c];
    const int64_t bias = biasQ[c];
    const int64_t begin = plane * inner;
    for (int64_t i = begin; i < begin + inner; ++i)
      element(i, f, bias);
  }
}

template <typename D, typename S>
void epilogueFor(const Int8Plan &p, int64_t n, const int32_t *acc,
                 const double *factor, const int64_t *biasQ, const void *sum,
                 double sumStep, double dstStep, D *dst) {
  auto simple = [](const qrt_eltwise &e) {
    return e.kind == QRT_ELTWISE_NONE || e.kind == QRT_ELTWISE_RELU;
  };
  if (simple(p.act) && simple(p.postsumAct))
    epilogueLoop<D, S, false>(p, n, acc, factor, biasQ, sum, sumStep, dstStep,
                              dst);
  else
    epilogueLoop<D, S, true>(p, n, acc, factor, biasQ, sum, sumStep, dstStep,
                             dst);
}

template <typename D>
void epilogueForDst(const Int8Plan &p, int64_t n, const int32_t *acc,
                    const double *factor, const int64_t *biasQ, const void *sum,
                    double sumStep, double dstStep, D *dst) {
  const int32_t sumType = p.hasSum ? p.sumType : -1;
  switch (sumType) {
  case QRT_F32:
    return epilogueFor<D, float>(p, n, acc, factor, biasQ, sum, sumStep,
                                 dstStep, dst);
  case QRT_S8:
    return epilogueFor<D, int8_t>(p, n, acc, factor, biasQ, sum, sumStep,
                                  dstStep, dst);
  case QRT_U8:
    return epilogueFor<D, uint8_t>(p, n, acc, factor, biasQ, sum, sumStep,
                                   dstStep, dst);
  default:
    return epilogueFor<D, void>(p, n, acc, factor, biasQ, sum, sumStep, dstStep,
                                dst);
  }
}

/// dst (and the sum, which may alias dst) from plain s32 accumulators
/// without bias: exactly the reference's double-precision formulas.
void runEpilogue(const Int8Plan &p, qrt_exec *exec, char *ws, int64_t n,
                 const int32_t *acc, const void *sum, void *dst) {
  const float srcStep = stepOf(exec, p.srcQ, "src_q");
  double sumStep = 1;
  if (p.hasSum && p.sumType != QRT_F32)
    sumStep = stepOf(exec, p.sumQ, "sum_q");
  auto *factor = reinterpret_cast<double *>(ws + p.factorsOffset);
  auto *biasQ = reinterpret_cast<int64_t *>(ws + p.biasOffset);
  for (int64_t c = 0; c < p.channels; ++c) {
    factor[c] = double(srcStep) * double(p.weightSteps[c]);
    biasQ[c] = p.bias.empty() ? 0
               : p.biasQ.empty()
                   ? quantizeBias(p.bias[c], srcStep, p.weightSteps[c])
                   : p.biasQ[c];
  }
  const double dstStep = p.dstType == QRT_F32 ? 1.0 : double(p.dstQ.step);
  switch (p.dstType) {
  case QRT_S8:
    return epilogueForDst(p, n, acc, factor, biasQ, sum, sumStep, dstStep,
                          static_cast<int8_t *>(dst));
  case QRT_U8:
    return epilogueForDst(p, n, acc, factor, biasQ, sum, sumStep, dstStep,
                          static_cast<uint8_t *>(dst));
  default:
    return epilogueForDst(p, n, acc, factor, biasQ, sum, sumStep, dstStep,
                          static_cast<float *>(dst));
  }
}

/// oneDNN 2.6.3's AVX-512 kernels (brgconv f32/int8, jit_int8) compute
/// wrong results when two eltwise post-ops share an algorithm but not its
/// parameters (relu then leaky, selu then elu, two different clips around
/// a sum: the second one gets the first one's parameters; measured, 2-11%
/// errors). Such chains run without oneDNN post-ops.
bool aliasedEltwises(const dnnl::post_ops &ops) {
  std::vector<std::array<float, 3>> params;
  std::vector<dnnl::algorithm> algorithms;
  for (int i = 0; i < ops.len(); ++i) {
    if (ops.kind(i) != dnnl::primitive::kind::eltwise)
      continue;
    float scale, alpha, beta;
    dnnl::algorithm algorithm;
    ops.get_params_eltwise(i, scale, algorithm, alpha, beta);
    for (size_t j = 0; j < algorithms.size(); ++j)
      if (algorithms[j] == algorithm &&
          params[j] != std::array<float, 3>{scale, alpha, beta})
        return true;
    algorithms.push_back(algorithm);
    params.push_back({scale, alpha, beta});
  }
  return false;
}

/// QRT_INT8_EPILOGUE=1 sends every int8 conv/FC through the s32 epilogue
/// (for tests and comparisons).
bool forceEpilogue() {
  const char *value = std::getenv("QRT_INT8_EPILOGUE");
  return value && !std::strcmp(value, "1");
}

} // namespace qrt
