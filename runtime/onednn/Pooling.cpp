//===- Pooling.cpp - MXNet pooling via oneDNN, with a loop fallback -------===//
//
// oneDNN's pooling matches MXNet's windows once the 'full' convention's
// extra trailing windows are covered by extra right padding. Two gaps are
// closed here:
//  * avg with count_include_pad: oneDNN divides every window by the kernel
//    volume, MXNet divides a trailing 'full' window that hangs over the
//    padded input by the part inside it; those border outputs are rescaled.
//  * sum: avg-include-padding times the kernel volume.
// Windows with no input element at all (pads >= kernel, or a 'full' window
// past the padded end) go to our own loop, which has MXNet's values there.
//
//===----------------------------------------------------------------------===//

#include "../Runtime.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <type_traits>

using namespace qrt;

namespace {

constexpr int kDims = QRT_MAX_SPATIAL;

/// Pooling geometry normalized to three spatial dims (leading ones 1).
struct PoolGeometry {
  int64_t planes = 0; // batch * channels
  int64_t channels = 1;
  /// NHWC: plane (n, c) starts at n * inSize * C + c and its elements are
  /// C apart; NCHW: at plane * inSize, contiguous.
  bool channelsLast = false;
  int64_t in[kDims], kernel[kDims], stride[kDims], padBegin[kDims],
      padEnd[kDims], out[kDims];
  int64_t inSize() const { return in[0] * in[1] * in[2]; }
  int64_t outSize() const { return out[0] * out[1] * out[2]; }
};

struct PoolOp : Op {
  static constexpr OpKind Kind = OpKind::Pooling;
  PoolOp() : Op(Kind) {}

  PoolGeometry g;
  int32_t poolKind = QRT_POOL_MAX;
  int32_t dtype = QRT_F32;
  bool countIncludePad = true;
  bool useLoop = false;
  dnnl::pooling_v2_forward primitive;
  dnnl::memory::desc srcDesc, dstDesc, scratchDesc;
  // Layout conversions when oneDNN runs on blocked data.
  Reorder srcIn, dstOut;
  size_t scratchOffset = 0, srcOffset = 0, dstOffset = 0;
  /// Sum pooling when oneDNN cannot scale by the kernel volume itself.
  float manualScale = 1;
  /// Avg with count_include_pad: factor of the last output of each dim
  /// (1 where nothing hangs over the padded input).
  double lastFactor[kDims] = {1, 1, 1};
  bool rescaleBorder = false;
};

/// The positions of window `o` of dim `d` inside the input, [begin, end),
/// and inside the padded input (count).
struct Window {
  int64_t begin, end, paddedCount;
};

Window window(const PoolGeometry &g, int d, int64_t o) {
  const int64_t start = o * g.stride[d] - g.padBegin[d];
  const int64_t end = start + g.kernel[d];
  const int64_t paddedEnd = std::min(end, g.in[d] + g.padEnd[d]);
  return {std::max<int64_t>(start, 0), std::min(end, g.in[d]),
          std::max<int64_t>(paddedEnd - start, 0)};
}

/// Offset of plane (n, c) in a tensor of `size` positions per plane, and
/// the element stride within the plane (layout of the geometry).
inline int64_t planeOffset(const PoolGeometry &g, int64_t plane, int64_t size) {
  if (!g.channelsLast)
    return plane * size;
  return plane / g.channels * size * g.channels + plane % g.channels;
}

/// MXNet's pooling, one parallel loop over planes (either layout: position
/// p of a plane is element p * step).
template <typename T> void poolLoop(const PoolOp &op, const T *src, T *dst) {
  const PoolGeometry &g = op.g;
  const int64_t inSize = g.inSize(), outSize = g.outSize();
  const int64_t step = g.channelsLast ? g.channels : 1;
#pragma omp parallel for num_threads(loopThreads(g.planes *inSize))            \
    schedule(static)
  for (int64_t plane = 0; plane < g.planes; ++plane) {
    const T *x = src + planeOffset(g, plane, inSize);
    T *y = dst + planeOffset(g, plane, outSize);
    int64_t index = 0;
    for (int64_t od = 0; od < g.out[0]; ++od) {
      const Window wd = window(g, 0, od);
      for (int64_t oh = 0; oh < g.out[1]; ++oh) {
        const Window wh = window(g, 1, oh);
        for (int64_t ow = 0; ow < g.out[2]; ++ow, ++index) {
          const Window ww = window(g, 2, ow);
          double sum = 0;
          T maximum = std::numeric_limits<T>::lowest();
          for (int64_t id = wd.begin; id < wd.end; ++id)
            for (int64_t ih = wh.begin; ih < wh.end; ++ih) {
              const T *row = x + (id * g.in[1] + ih) * g.in[2] * step;
              for (int64_t iw = ww.begin; iw < ww.end; ++iw) {
                sum += row[iw * step];
                maximum = std::max(maximum, row[iw * step]);
              }
            }
          T &out = y[index * step];
          if (op.poolKind == QRT_POOL_MAX) {
            out = maximum;
          } else if (op.poolKind == QRT_POOL_SUM) {
            out = static_cast<T>(sum);
          } else {
            const int64_t count =
                op.countIncludePad
                    ? wd.paddedCount * wh.paddedCount * ww.paddedCount
                    : std::max<int64_t>(wd.end - wd.begin, 0) *
                          std::max<int64_t>(wh.end - wh.begin, 0) *
                          std::max<int64_t>(ww.end - ww.begin, 0);
            if constexpr (std::is_floating_point_v<T>)
              out = count ? static_cast<T>(sum / count)
                          : std::numeric_limits<T>::quiet_NaN();
            else // the step is unchanged; 0 stands for NaN
              out = count ? saturateRound<T>(sum / count) : 0;
          }
        }
      }
    }
  }
}

/// Multiplies the outputs whose window hangs over the padded end by the
/// kernel volume over the padded count (oneDNN divided by the volume).
void rescaleBorder(const PoolOp &op, float *dst) {
  const PoolGeometry &g = op.g;
  const int64_t outSize = g.outSize();
  const int64_t step = g.channelsLast ? g.channels : 1;
#pragma omp parallel for num_threads(loopThreads(g.planes *outSize))           \
    schedule(static)
  for (int64_t plane = 0; plane < g.planes; ++plane) {
    float *y = dst + planeOffset(g, plane, outSize);
    for (int64_t od = 0; od < g.out[0]; ++od) {
      const double fd = od == g.out[0] - 1 ? op.lastFactor[0] : 1;
      for (int64_t oh = 0; oh < g.out[1]; ++oh) {
        const double fdh = fd * (oh == g.out[1] - 1 ? op.lastFactor[1] : 1);
        float *row = y + (od * g.out[1] + oh) * g.out[2] * step;
        const int64_t last = (g.out[2] - 1) * step;
        if (fdh != 1) {
          for (int64_t ow = 0; ow < g.out[2]; ++ow)
            row[ow * step] =
                static_cast<float>(row[ow * step] * fdh *
                                   (ow == g.out[2] - 1 ? op.lastFactor[2] : 1));
        } else if (op.lastFactor[2] != 1) {
          row[last] = static_cast<float>(row[last] * op.lastFactor[2]);
        }
      }
    }
  }
}

void checkPoolDesc(const qrt_pooling_desc &d, PoolGeometry &g) {
  require(d.kind >= QRT_POOL_MAX && d.kind <= QRT_POOL_SUM,
          "unknown pooling kind ", d.kind);
  if (d.convention == QRT_POOL_SAME)
    fail(QRT_ERR_UNSUPPORTED,
         "the 'same' convention is not supported; lower it to 'valid' with "
         "explicit pads");
  require(d.convention == QRT_POOL_VALID || d.convention == QRT_POOL_FULL,
          "unknown pooling convention ", d.convention);
  require(d.num_spatial >= 1 && d.num_spatial <= kDims,
          "num_spatial must be 1 to 3, got ", d.num_spatial);
  require(d.batch >= 1 && d.channels >= 1,
          "batch and channels must be positive, got ", d.batch, " and ",
          d.channels);
  if (d.kind == QRT_POOL_SUM)
    requireDtype(d.dtype, "sum pooling", {QRT_F32});
  else
    requireDtype(d.dtype, "max/avg pooling", {QRT_F32, QRT_S8, QRT_U8});
  require(d.reserved0 == 0 && d.reserved1 == 0, "reserved fields must be zero");
  for (int64_t r : d.reserved)
    require(r == 0, "reserved fields must be zero");
  checkLayout(d.layout, "layout", 2 + d.num_spatial);
  g.planes = d.batch * d.channels;
  g.channels = d.channels;
  g.channelsLast = d.layout == QRT_LAYOUT_NHWC;
  const int offset = kDims - d.num_spatial;
  for (int i = 0; i < kDims; ++i) {
    g.in[i] = g.kernel[i] = g.stride[i] = g.out[i] = 1;
    g.padBegin[i] = g.padEnd[i] = 0;
  }
  for (int i = 0; i < d.num_spatial; ++i) {
    const int64_t in = d.in_spatial[i];
    int64_t k = in, s = 1, pb = 0, pe = 0;
    if (!d.global_pool) {
      k = d.kernel[i];
      s = d.strides[i];
      pb = d.pad_begin[i];
      pe = d.pad_end[i];
    }
    require(in >= 1, "spatial dim ", i, ": input must be positive, got ", in);
    require(k >= 1 && s >= 1 && pb >= 0 && pe >= 0, "spatial dim ", i,
            ": needs kernel >= 1, stride >= 1 and pads >= 0 (kernel ", k,
            ", stride ", s, ", pads ", pb, "/", pe, ")");
    const int64_t slack = in + pb + pe - k;
    require(slack >= 0, "spatial dim ", i, ": kernel ", k,
            " exceeds the padded input ", in + pb + pe);
    const int64_t out = d.convention == QRT_POOL_VALID
                            ? 1 + slack / s
                            : 1 + (slack + s - 1) / s;
    require(out == d.out_spatial[i], "spatial dim ", i, ": output size is ",
            out, " but the descriptor says ", d.out_spatial[i]);
    g.in[offset + i] = in;
    g.kernel[offset + i] = k;
    g.stride[offset + i] = s;
    g.padBegin[offset + i] = pb;
    g.padEnd[offset + i] = pe;
    g.out[offset + i] = out;
  }
}

/// Whether some window has no element inside the input. Windows move
/// monotonically, so only the first and last of each dim can be empty.
bool hasEmptyWindow(const PoolGeometry &g) {
  for (int d = 0; d < kDims; ++d) {
    const Window first = window(g, d, 0), last = window(g, d, g.out[d] - 1);
    if (first.begin >= first.end || last.begin >= last.end)
      return true;
  }
  return false;
}

} // namespace

extern "C" int32_t qrt_pooling_init(qrt_model *model, int32_t opId,
                                    const qrt_pooling_desc *desc) {
  return guarded(opId, "pooling", [&] {
    checkInit(model, opId, desc, desc ? desc->abi_version : 0);
    const qrt_pooling_desc &d = *desc;
    auto op = std::make_unique<PoolOp>();
    PoolGeometry &g = op->g;
    checkPoolDesc(d, g);
    op->poolKind = d.kind;
    op->dtype = d.dtype;
    op->countIncludePad = d.count_include_pad;
    ThreadScope threads(model->numThreads);

    // s8/u8 avg with count_include_pad and a 'full' window hanging over
    // the padded end: rescaling oneDNN's rounded integers would round
    // twice, so our loop computes those.
    bool overhang = false;
    for (int i = 0; i < kDims; ++i)
      overhang = overhang || (g.out[i] - 1) * g.stride[i] + g.kernel[i] >
                                 g.in[i] + g.padBegin[i] + g.padEnd[i];
    op->useLoop =
        hasEmptyWindow(g) || (d.dtype != QRT_F32 && d.kind == QRT_POOL_AVG &&
                              d.count_include_pad && overhang);
    if (!op->useLoop) {
      const int offset = kDims - d.num_spatial;
      Dims src = {d.batch, d.channels}, dst = src;
      Dims kernel, strides, dilation, padL, padR;
      double volume = 1;
      for (int i = offset; i < kDims; ++i) {
        src.push_back(g.in[i]);
        dst.push_back(g.out[i]);
        kernel.push_back(g.kernel[i]);
        strides.push_back(g.stride[i]);
        dilation.push_back(0);
        padL.push_back(g.padBegin[i]);
        // 'full' windows past the padded end: pad oneDNN's input further.
        const int64_t extra = (g.out[i] - 1) * g.stride[i] + g.kernel[i] -
                              (g.in[i] + g.padBegin[i] + g.padEnd[i]);
        padR.push_back(g.padEnd[i] + std::max<int64_t>(extra, 0));
        volume *= g.kernel[i];
        if (extra > 0)
          op->lastFactor[i] = double(g.kernel[i]) / (g.kernel[i] - extra);
      }
      using alg = dnnl::algorithm;
      const alg algorithm = d.kind == QRT_POOL_MAX ? alg::pooling_max
                            : d.kind == QRT_POOL_AVG && !d.count_include_pad
                                ? alg::pooling_avg_exclude_padding
                                : alg::pooling_avg_include_padding;
      op->rescaleBorder = d.kind == QRT_POOL_AVG && d.count_include_pad &&
                          (op->lastFactor[0] != 1 || op->lastFactor[1] != 1 ||
                           op->lastFactor[2] != 1);
      const auto type = dnnlType(d.dtype);
      // The caller's layout; "plain" below means this one.
      const auto plainSrc = layoutDesc(src, type, d.layout);
      const auto plainDst = layoutDesc(dst, type, d.layout);
      // Sum = average over the whole kernel volume, times the volume.
      dnnl::primitive_attr sumAttr = userScratchpad();
      if (d.kind == QRT_POOL_SUM) {
        dnnl::post_ops ops;
        ops.append_eltwise(1.f, alg::eltwise_linear, float(volume), 0.f);
        sumAttr.set_post_ops(ops);
      }
      auto makePd = [&](const dnnl::memory::desc &srcDesc,
                        const dnnl::memory::desc &dstDesc) {
        dnnl::pooling_v2_forward::desc pooling(
            dnnl::prop_kind::forward_inference, algorithm, srcDesc, dstDesc,
            strides, kernel, dilation, padL, padR);
        if (d.kind == QRT_POOL_SUM) {
          try {
            op->manualScale = 1;
            return dnnl::pooling_v2_forward::primitive_desc(pooling, sumAttr,
                                                            model->engine);
          } catch (const dnnl::error &) {
            op->manualScale = float(volume);
          }
        }
        return dnnl::pooling_v2_forward::primitive_desc(
            pooling, userScratchpad(), model->engine);
      };
      // oneDNN's jit pooling needs blocked or channels-last data on AVX2
      // (plain NCHW gets a C++ loop ~20x slower than reorders plus jit), so
      // try those layouts when the plain one has no jit kernel.
      using tag = dnnl::memory::format_tag;
      const int ndims = static_cast<int>(src.size());
      const std::vector<tag> layouts =
          ndims == 3 ? std::vector<tag>{tag::aBc16b, tag::aBc8b, tag::acb}
          : ndims == 4
              ? std::vector<tag>{tag::aBcd16b, tag::aBcd8b, tag::acdb}
              : std::vector<tag>{tag::aBcde16b, tag::aBcde8b, tag::acdeb};
      try {
        dnnl::pooling_v2_forward::primitive_desc pd =
            makePd(plainSrc, plainDst);
        float plainScale = op->manualScale;
        if (implName(pd).find("jit") == std::string::npos) {
          for (tag layout : layouts) {
            try {
              auto blocked = makePd(dnnl::memory::desc(src, type, layout),
                                    dnnl::memory::desc(dst, type, tag::any));
              if (implName(blocked).find("jit") != std::string::npos) {
                pd = blocked;
                plainScale = op->manualScale;
                break;
              }
            } catch (const dnnl::error &) {
            }
          }
        }
        op->manualScale = plainScale;
        WorkspacePlan plan;
        op->scratchDesc = pd.scratchpad_desc();
        op->scratchOffset = plan.reserve(op->scratchDesc.get_size());
        op->srcDesc = pd.src_desc();
        op->dstDesc = pd.dst_desc();
        op->info = implName(pd);
        if (d.layout == QRT_LAYOUT_NHWC)
          op->info += " nhwc";
        if (op->srcDesc != plainSrc) {
          op->srcIn.create(model->engine, plainSrc, op->srcDesc, plan);
          op->srcOffset = plan.reserve(op->srcDesc.get_size());
          op->info += " +src reorder";
        }
        if (op->dstDesc != plainDst) {
          op->dstOut.create(model->engine, op->dstDesc, plainDst, plan);
          op->dstOffset = plan.reserve(op->dstDesc.get_size());
          op->info += " +dst reorder";
        }
        op->workspaceBytes = plan.size();
        op->primitive = dnnl::pooling_v2_forward(pd);
        if (op->rescaleBorder)
          op->info += " +loop border rescale";
        if (op->manualScale != 1)
          op->info += " +loop scale";
      } catch (const dnnl::error &) {
        op->useLoop = true; // a geometry oneDNN refuses
      }
    }
    if (op->useLoop)
      op->info = d.layout == QRT_LAYOUT_NHWC ? "loop nhwc" : "loop";
    install(model, opId, std::move(op));
  });
}

extern "C" int32_t qrt_pooling_run(qrt_model *model, qrt_exec *exec,
                                   int32_t opId, const void *src, void *dst) {
  return guarded(opId, "pooling", [&] {
    const PoolOp &op = lookupAs<PoolOp>(model, exec, opId);
    requireNonNull(src, "src");
    requireNonNull(dst, "dst");
    ThreadScope threads(model->numThreads);
    if (op.useLoop) {
      switch (op.dtype) {
      case QRT_S8:
        return poolLoop(op, static_cast<const int8_t *>(src),
                        static_cast<int8_t *>(dst));
      case QRT_U8:
        return poolLoop(op, static_cast<const uint8_t *>(src),
                        static_cast<uint8_t *>(dst));
      default:
        return poolLoop(op, static_cast<const float *>(src),
                        static_cast<float *>(dst));
      }
    }
    const dnnl::engine &engine = model->engine;
    char *ws = workspaceOf(exec, op);
    const void *poolSrc = src;
    if (op.srcIn) {
      poolSrc = ws + op.srcOffset;
      op.srcIn.execute(exec, ws, src, ws + op.srcOffset);
    }
    void *poolDst = op.dstOut ? ws + op.dstOffset : dst;
    std::unordered_map<int, dnnl::memory> args = {
        {DNNL_ARG_SRC, wrap(op.srcDesc, engine, poolSrc)},
        {DNNL_ARG_DST, wrap(op.dstDesc, engine, poolDst)}};
    if (op.scratchDesc.get_size())
      args[DNNL_ARG_SCRATCHPAD] =
          wrap(op.scratchDesc, engine, ws + op.scratchOffset);
    op.primitive.execute(exec->stream, args);
    if (op.dstOut)
      op.dstOut.execute(exec, ws, poolDst, dst);
    exec->stream.wait();
    float *out = static_cast<float *>(dst);
    if (op.rescaleBorder)
      rescaleBorder(op, out);
    if (op.manualScale != 1) {
      const int64_t n = op.g.planes * op.g.outSize();
      const float scale = op.manualScale;
#pragma omp parallel for num_threads(loopThreads(n)) schedule(static)
      for (int64_t i = 0; i < n; ++i)
        out[i] *= scale;
    }
  });
}
