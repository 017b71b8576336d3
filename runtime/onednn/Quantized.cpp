//===- Quantized.cpp - Quantize/dequantize/requantize, quantized add ------===//
//
// Element-wise int8 ops as OpenMP loops in double precision: the formulas
// of qrt.h, written exactly as the reference kernels write them, so results
// are bit-identical to the oracle. (oneDNN's reorders would scale in f32 by
// a reciprocal and differ by 1 LSB near ties; these ops are memory-bound.)
//
//===----------------------------------------------------------------------===//

#include "../Runtime.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <type_traits>
#include <vector>

using namespace qrt;

namespace {

template <size_t N> void checkReserved(const int64_t (&reserved)[N]) {
  for (int64_t r : reserved)
    require(r == 0, "reserved fields must be zero");
}

//===----------------------------------------------------------------------===//
// Quantize
//===----------------------------------------------------------------------===//

struct QuantizeOp : Op {
  static constexpr OpKind Kind = OpKind::Quantize;
  QuantizeOp() : Op(Kind) {}
  int32_t srcType = QRT_F32, dstType = QRT_S8;
  qrt_qparam srcQ{}, dstQ{};
  int64_t n = 0;
  /// Per-channel steps (f32 src only): layout, channel count, values per
  /// channel and sample, and one step per channel.
  int32_t layout = QRT_LAYOUT_NCHW;
  int64_t channels = 0, inner = 0;
  std::vector<double> channelSteps;
};

/// dst = sat(rne(src / step[c])) with c the element's channel (qrt.h), or
/// for an integer src the real value (float)(src * step[c]).
template <typename S, typename D> D convertOne(S value, double step) {
  if constexpr (std::is_same_v<D, float>)
    return static_cast<float>(double(value) * step);
  else
    return saturateRound<D>(double(value) / step);
}

template <typename S, typename D>
void convertChannels(const QuantizeOp &op, const S *src, D *dst) {
  const int64_t channels = op.channels;
  const double *steps = op.channelSteps.data();
  if (op.layout == QRT_LAYOUT_NHWC) {
    const int64_t pixels = op.n / channels;
#pragma omp parallel for num_threads(loopThreads(op.n)) schedule(static)
    for (int64_t p = 0; p < pixels; ++p)
      for (int64_t c = 0; c < channels; ++c)
        dst[p * channels + c] =
            convertOne<S, D>(src[p * channels + c], steps[c]);
    return;
  }
  const int64_t inner = op.inner, planes = op.n / inner;
#pragma omp parallel for num_threads(loopThreads(op.n)) schedule(static)
  for (int64_t plane = 0; plane < planes; ++plane) {
    const double step = steps[plane % channels];
    for (int64_t i = plane * inner, e = i + inner; i < e; ++i)
      dst[i] = convertOne<S, D>(src[i], step);
  }
}

/// Largest |real value| over the finite elements (NaN and inf compare
/// false), as a double.
template <typename S> double absmaxOf(const S *src, int64_t n, double step) {
  double result = 0;
#pragma omp parallel for num_threads(loopThreads(n)) schedule(static)          \
    reduction(max                                                              \
              : result)
  for (int64_t i = 0; i < n; ++i) {
    const double value = std::fabs(double(src[i]));
    if (value <= std::numeric_limits<double>::max() && value > result)
      result = value;
  }
  // For integer sources max |q| * step, rounded to float like an f32 max.
  return std::is_floating_point_v<S> ? result : double(float(result * step));
}

/// dst[i] = sat(rne(src[i] * srcStep / dstStep)), or src[i] / dstStep for
/// f32 sources; a float dst gets the real value.
template <typename S, typename D>
void convert(const S *src, D *dst, int64_t n, double srcStep, double dstStep) {
#pragma omp parallel for num_threads(loopThreads(n)) schedule(static)
  for (int64_t i = 0; i < n; ++i) {
    if constexpr (std::is_same_v<D, float>) {
      dst[i] = static_cast<float>(double(src[i]) * srcStep);
    } else if constexpr (std::is_same_v<S, float>) {
      dst[i] = saturateRound<D>(double(src[i]) / dstStep);
    } else {
      dst[i] = saturateRound<D>(double(src[i]) * srcStep / dstStep);
    }
  }
}

template <typename S>
void quantizeFrom(const QuantizeOp &op, qrt_exec *exec, const S *src,
                  void *dst) {
  if (op.channels) {
    if constexpr (std::is_same_v<S, float>) {
      if (op.dstType == QRT_U8)
        return convertChannels(op, src, static_cast<uint8_t *>(dst));
      return convertChannels(op, src, static_cast<int8_t *>(dst));
    } else if constexpr (sizeof(S) == 1) {
      return convertChannels(op, src, static_cast<float *>(dst));
    }
  }
  const double srcStep =
      std::is_floating_point_v<S> ? 1.0 : stepOf(exec, op.srcQ, "src_q");
  double dstStep = 1;
  if (op.dstType != QRT_F32) {
    if (isStatic(op.dstQ)) {
      dstStep = op.dstQ.step;
    } else {
      const float step = dynamicStep(absmaxOf(src, op.n, srcStep), op.dstType);
      writeStep(exec, op.dstQ.slot, step);
      dstStep = step;
    }
  }
  switch (op.dstType) {
  case QRT_S8:
    return convert(src, static_cast<int8_t *>(dst), op.n, srcStep, dstStep);
  case QRT_U8:
    return convert(src, static_cast<uint8_t *>(dst), op.n, srcStep, dstStep);
  default:
    return convert(src, static_cast<float *>(dst), op.n, srcStep, dstStep);
  }
}

//===----------------------------------------------------------------------===//
// Quantized add
//===----------------------------------------------------------------------===//

struct QuantizedAddOp : Op {
  static constexpr OpKind Kind = OpKind::QuantizedAdd;
  QuantizedAddOp() : Op(Kind) {}
  int32_t lhsType = QRT_S8, rhsType = QRT_S8, dstType = QRT_S8;
  qrt_qparam lhsQ{}, rhsQ{}, dstQ{};
  qrt_eltwise act{};
  int64_t n = 0;
};

template <typename A, typename B, typename D>
void addLoop(const QuantizedAddOp &op, const A *a, const B *b, D *dst,
             double stepA, double stepB, double dstStep) {
  const int64_t n = op.n;
  const qrt_eltwise act = op.act;
#pragma omp parallel for num_threads(loopThreads(n)) schedule(static)
  for (int64_t i = 0; i < n; ++i) {
    double y = double(a[i]) * stepA + double(b[i]) * stepB;
    if (act.kind)
      y = evalEltwise(act, y);
    if constexpr (std::is_same_v<D, float>)
      dst[i] = static_cast<float>(y);
    else
      dst[i] = saturateRound<D>(y / dstStep);
  }
}

template <typename A, typename B>
void addTyped(const QuantizedAddOp &op, const A *a, const B *b, void *dst,
              double stepA, double stepB, double dstStep) {
  switch (op.dstType) {
  case QRT_S8:
    return addLoop(op, a, b, static_cast<int8_t *>(dst), stepA, stepB, dstStep);
  case QRT_U8:
    return addLoop(op, a, b, static_cast<uint8_t *>(dst), stepA, stepB,
                   dstStep);
  default:
    return addLoop(op, a, b, static_cast<float *>(dst), stepA, stepB, dstStep);
  }
}

template <typename A>
void addWithRhs(const QuantizedAddOp &op, const A *a, const void *b, void *dst,
                double stepA, double stepB, double dstStep) {
  if (op.rhsType == QRT_U8)
    addTyped(op, a, static_cast<const uint8_t *>(b), dst, stepA, stepB,
             dstStep);
  else
    addTyped(op, a, static_cast<const int8_t *>(b), dst, stepA, stepB, dstStep);
}

} // namespace

namespace {

/// What both quantize inits check and set; `steps` non-null for
/// qrt_quantize_channels_init.
void initQuantize(qrt_model *model, int32_t opId, const qrt_quantize_desc *desc,
                  const float *steps, bool perChannel) {
  checkInit(model, opId, desc, desc ? desc->abi_version : 0);
  const qrt_quantize_desc &d = *desc;
  requireDtype(d.src_dtype, "src", {QRT_F32, QRT_S8, QRT_U8, QRT_S32});
  requireDtype(d.dst_dtype, "dst", {QRT_F32, QRT_S8, QRT_U8});
  require(d.src_dtype != QRT_F32 || d.dst_dtype != QRT_F32,
          "f32 -> f32 is no quantization (use qrt_copy)");
  require(d.num_elements >= 0, "num_elements must be >= 0, got ",
          d.num_elements);
  auto op = std::make_unique<QuantizeOp>();
  op->srcType = d.src_dtype;
  op->dstType = d.dst_dtype;
  op->n = d.num_elements;
  if (!perChannel) {
    require(d.layout == 0 && d.channels == 0 && d.inner == 0,
            "layout, channels and inner must be zero (per-channel steps "
            "go through qrt_quantize_channels_init)");
  } else {
    require((d.src_dtype == QRT_F32) != (d.dst_dtype == QRT_F32) &&
                d.src_dtype != QRT_S32,
            "per-channel steps quantize f32 to s8/u8 or dequantize s8/u8 "
            "to f32");
    require(d.layout == QRT_LAYOUT_NCHW || d.layout == QRT_LAYOUT_NHWC,
            "layout must be NCHW or NHWC, got ", d.layout);
    require(d.channels > 0 && d.inner > 0,
            "channels and inner must be > 0, got ", d.channels, " and ",
            d.inner);
    require(d.num_elements % (d.channels * d.inner) == 0, "num_elements (",
            d.num_elements, ") must be a multiple of channels * inner");
    requireNonNull(steps, "steps");
    for (int64_t c = 0; c < d.channels; ++c) {
      require(std::isfinite(steps[c]) && steps[c] > 0, "steps[", c,
              "] must be finite and > 0, got ", steps[c]);
      op->channelSteps.push_back(steps[c]);
    }
    op->layout = d.layout;
    op->channels = d.channels;
    op->inner = d.inner;
  }
  if (d.src_dtype != QRT_F32 && !perChannel) {
    checkQParam(d.src_q, "src_q", *op);
    op->srcQ = d.src_q;
  }
  if (d.dst_dtype != QRT_F32 && !perChannel) {
    checkQParam(d.dst_q, "dst_q", *op);
    op->dstQ = d.dst_q;
  }
  const char *names[] = {"dequantize", "quantize", "requantize"};
  op->info = std::string("loop ") +
             (d.dst_dtype == QRT_F32   ? names[0]
              : d.src_dtype == QRT_F32 ? names[1]
                                       : names[2]) +
             (perChannel                                     ? " (per channel)"
              : d.dst_dtype != QRT_F32 && !isStatic(d.dst_q) ? " (dynamic)"
                                                             : "");
  install(model, opId, std::move(op));
}

} // namespace

extern "C" int32_t qrt_quantize_init(qrt_model *model, int32_t opId,
                                     const qrt_quantize_desc *desc) {
  return guarded(opId, "quantize",
                 [&] { initQuantize(model, opId, desc, nullptr, false); });
}

extern "C" int32_t qrt_quantize_channels_init(qrt_model *model, int32_t opId,
                                              const qrt_quantize_desc *desc,
                                              const float *steps) {
  return guarded(opId, "quantize",
                 [&] { initQuantize(model, opId, desc, steps, true); });
}

extern "C" int32_t qrt_quantize_run(qrt_model *model, qrt_exec *exec,
                                    int32_t opId, const void *src, void *dst) {
  return guarded(opId, "quantize", [&] {
    const QuantizeOp &op = lookupAs<QuantizeOp>(model, exec, opId);
    if (op.n) {
      requireNonNull(src, "src");
      requireNonNull(dst, "dst");
    }
    // In place only between equally sized elements (checked: an aliased
    // wider src would be overwritten before it is read).
    if (src == dst && op.n)
      require(dtypeSize(op.srcType, "src") == dtypeSize(op.dstType, "dst"),
              "src and dst alias but have different element sizes");
    ThreadScope threads(model->numThreads);
    switch (op.srcType) {
    case QRT_S8:
      return quantizeFrom(op, exec, static_cast<const int8_t *>(src), dst);
    case QRT_U8:
      return quantizeFrom(op, exec, static_cast<const uint8_t *>(src), dst);
    case QRT_S32:
      return quantizeFrom(op, exec, static_cast<const int32_t *>(src), dst);
    default:
      return quantizeFrom(op, exec, static_cast<const float *>(src), dst);
    }
  });
}

extern "C" int32_t qrt_quantized_add_init(qrt_model *model, int32_t opId,
                                          const qrt_quantized_add_desc *desc) {
  return guarded(opId, "quantized_add", [&] {
    checkInit(model, opId, desc, desc ? desc->abi_version : 0);
    const qrt_quantized_add_desc &d = *desc;
    requireDtype(d.lhs_dtype, "lhs", {QRT_S8, QRT_U8});
    requireDtype(d.rhs_dtype, "rhs", {QRT_S8, QRT_U8});
    requireDtype(d.dst_dtype, "dst", {QRT_F32, QRT_S8, QRT_U8});
    require(d.num_elements >= 0, "num_elements must be >= 0, got ",
            d.num_elements);
    checkEltwise(d.act, "act");
    checkReserved(d.reserved);
    auto op = std::make_unique<QuantizedAddOp>();
    checkQParam(d.lhs_q, "lhs_q", *op);
    checkQParam(d.rhs_q, "rhs_q", *op);
    if (d.dst_dtype != QRT_F32) {
      requireStaticStep(d.dst_q, "an s8/u8 dst (dst_q)");
      op->dstQ = d.dst_q;
    }
    op->lhsType = d.lhs_dtype;
    op->rhsType = d.rhs_dtype;
    op->dstType = d.dst_dtype;
    op->lhsQ = d.lhs_q;
    op->rhsQ = d.rhs_q;
    op->act = d.act;
    op->n = d.num_elements;
    op->info = "loop";
    install(model, opId, std::move(op));
  });
}

extern "C" int32_t qrt_quantized_add_run(qrt_model *model, qrt_exec *exec,
                                         int32_t opId, const void *lhs,
                                         const void *rhs, void *dst) {
  return guarded(opId, "quantized_add", [&] {
    const QuantizedAddOp &op = lookupAs<QuantizedAddOp>(model, exec, opId);
    if (!op.n)
      return;
    requireNonNull(lhs, "lhs");
    requireNonNull(rhs, "rhs");
    requireNonNull(dst, "dst");
    const double stepA = stepOf(exec, op.lhsQ, "lhs_q");
    const double stepB = stepOf(exec, op.rhsQ, "rhs_q");
    const double dstStep = op.dstType == QRT_F32 ? 1.0 : op.dstQ.step;
    ThreadScope threads(model->numThreads);
    if (op.lhsType == QRT_U8)
      addWithRhs(op, static_cast<const uint8_t *>(lhs), rhs, dst, stepA, stepB,
                 dstStep);
    else
      addWithRhs(op, static_cast<const int8_t *>(lhs), rhs, dst, stepA, stepB,
                 dstStep);
  });
}
