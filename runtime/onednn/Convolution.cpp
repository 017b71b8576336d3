//===- Convolution.cpp - Convolution and inner product via oneDNN ---------===//
//
// qrt_conv_* and qrt_fc_*: oneDNN primitives created at init on the
// caller's layouts (NCHW or NHWC, docs/RUNTIME.md "Layouts") or on
// oneDNN's preferred ones with reorders around them, weights packed once;
// fp32 post-ops oneDNN cannot express, and the int8 epilogue
// (Int8Epilogue.h), run as our loops after the primitive.
//
//===----------------------------------------------------------------------===//

#include "Int8Epilogue.h"

#include <array>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <type_traits>

using namespace qrt;
using dt = dnnl::memory::data_type;
using tag = dnnl::memory::format_tag;

namespace {

/// How convolution activations are laid out for oneDNN: plain NC[D]HW as
/// the caller has them, or oneDNN's choice (blocked nChw8c on AVX2) with
/// reorders in and out.
enum class LayoutPolicy { Auto, Plain, Blocked };

LayoutPolicy layoutPolicy() {
  // QRT_CONV_LAYOUT=plain|blocked forces a layout, for benchmarks.
  const char *value = std::getenv("QRT_CONV_LAYOUT");
  if (!value)
    return LayoutPolicy::Auto;
  if (!std::strcmp(value, "plain"))
    return LayoutPolicy::Plain;
  if (!std::strcmp(value, "blocked"))
    return LayoutPolicy::Blocked;
  return LayoutPolicy::Auto;
}

/// Rough speed class of a oneDNN implementation: reference loops, gemm
/// (im2col), or a direct jit/brgemm kernel.
int implRank(const std::string &name) {
  if (name.find("ref") != std::string::npos)
    return 0;
  if (name.find("gemm") != std::string::npos &&
      name.find("brg") == std::string::npos)
    return 1;
  return 2;
}

/// Shared by conv and FC: checks the dtype combination.
void checkDtypes(int32_t src, int32_t weight, int32_t bias, int32_t dst,
                 bool hasBias, int32_t numWeightSteps) {
  requireDtype(src, "src", {QRT_F32, QRT_U8, QRT_S8});
  if (src == QRT_F32) {
    requireDtype(weight, "weight", {QRT_F32});
    if (hasBias)
      requireDtype(bias, "bias", {QRT_F32});
    requireDtype(dst, "dst", {QRT_F32});
    require(numWeightSteps == 0, "fp32 takes no weight steps, got ",
            numWeightSteps);
    return;
  }
  requireDtype(weight, "int8 weight", {QRT_S8});
  if (hasBias)
    requireDtype(bias, "int8 bias (real values)", {QRT_F32});
  requireDtype(dst, "int8 dst", {QRT_F32, QRT_S8, QRT_U8});
}

//===----------------------------------------------------------------------===//
// Convolution
//===----------------------------------------------------------------------===//

struct ConvOp : Op {
  static constexpr OpKind Kind = OpKind::Conv;
  ConvOp() : Op(Kind) {}

  dnnl::convolution_forward primitive;
  dnnl::memory weights, bias;
  dnnl::memory::desc srcDesc, dstDesc, scratchDesc;
  size_t scratchOffset = 0, srcOffset = 0, dstOffset = 0;
  // Manual post-ops with a sum: where the plain convolution result lands.
  size_t plainOffset = 0;
  // Layout conversions: user src -> srcDesc, user sum -> dstDesc,
  // dstDesc -> user dst (or the manual post-op buffer).
  Reorder srcIn, sumIn, dstOut;
  bool hasSum = false;
  // Post-ops oneDNN cannot express run as our loop after the convolution.
  bool manualPostOps = false;
  bool dstInternal = false;
  qrt_eltwise act{}, postsumAct{};
  float sumScale = 1;
  int64_t dstElements = 0;
  size_t dstBytes = 0;
  // int8; with int8.epilogue the primitive's dst is s32, reordered (if
  // needed) into plain accumulators at accOffset.
  bool int8 = false;
  Int8Plan q;
  size_t accOffset = 0;
};

void checkConvDesc(const qrt_conv_desc &d, Dims &src, Dims &weight, Dims &dst) {
  require(d.num_spatial >= 1 && d.num_spatial <= QRT_MAX_SPATIAL,
          "num_spatial must be 1 to 3, got ", d.num_spatial);
  require(d.batch >= 1 && d.in_channels >= 1 && d.out_channels >= 1,
          "batch and channel counts must be positive");
  require(d.groups >= 1 && d.in_channels % d.groups == 0 &&
              d.out_channels % d.groups == 0,
          "groups ", d.groups, " must divide in_channels ", d.in_channels,
          " and out_channels ", d.out_channels);
  src = {d.batch, d.in_channels};
  dst = {d.batch, d.out_channels};
  weight = {d.out_channels, d.in_channels / d.groups};
  for (int i = 0; i < d.num_spatial; ++i) {
    const int64_t in = d.in_spatial[i], k = d.kernel[i];
    const int64_t s = d.strides[i], dil = d.dilations[i];
    const int64_t pb = d.pad_begin[i], pe = d.pad_end[i];
    require(in >= 1 && k >= 1, "spatial dim ", i,
            ": input and kernel must be positive, got ", in, " and ", k);
    require(s >= 1 && dil >= 1 && pb >= 0 && pe >= 0, "spatial dim ", i,
            ": needs stride >= 1, dilation >= 1, pads >= 0 (got ", s, ", ", dil,
            ", ", pb, "/", pe, ")");
    const int64_t span = dil * (k - 1) + 1, padded = in + pb + pe;
    require(span <= padded, "spatial dim ", i, ": dilated kernel extent ", span,
            " exceeds the padded input extent ", padded);
    const int64_t out = (padded - span) / s + 1;
    require(out == d.out_spatial[i], "spatial dim ", i, ": output size is ",
            out, " but the descriptor says ", d.out_spatial[i]);
    src.push_back(in);
    weight.push_back(k);
    dst.push_back(out);
  }
  checkDtypes(d.src_dtype, d.weight_dtype, d.bias_dtype, d.dst_dtype,
              d.has_bias, d.num_weight_steps);
  checkEltwise(d.act, "act");
  checkEltwise(d.postsum_act, "postsum_act");
  if (d.has_sum) {
    require(std::isfinite(d.sum_scale), "sum_scale must be finite");
    if (d.dst_dtype == QRT_F32)
      requireDtype(d.sum_dtype, "sum (f32 dst)", {QRT_F32});
    else
      requireDtype(d.sum_dtype, "sum (s8/u8 dst)", {QRT_S8, QRT_U8});
  }
  const int64_t rank = 2 + d.num_spatial;
  checkLayout(d.src_layout, "src_layout", rank);
  checkLayout(d.dst_layout, "dst_layout", rank);
  require(d.reserved0 == 0, "reserved fields must be zero");
  for (int64_t r : d.reserved)
    require(r == 0, "reserved fields must be zero");
}

/// Whether some output's window has every tap in the padding.
bool hasPaddingOnlyWindow(const qrt_conv_desc &d) {
  for (int i = 0; i < d.num_spatial; ++i)
    for (int64_t o = 0; o < d.out_spatial[i]; ++o) {
      bool inside = false;
      for (int64_t j = 0; j < d.kernel[i] && !inside; ++j) {
        const int64_t p =
            o * d.strides[i] - d.pad_begin[i] + j * d.dilations[i];
        inside = p >= 0 && p < d.in_spatial[i];
      }
      if (!inside)
        return true;
    }
  return false;
}

using ConvPd = dnnl::convolution_forward::primitive_desc;

/// Without AVX-512, oneDNN 2.6's fp32 kernels for dense convolutions with
/// a window are much faster on its blocked layout than on nhwc (a 3x3
/// 256->256 at 14x14 in resnet-152: 3.3 ms blocked against 4.7 ms nhwc,
/// where the two reorders cost ~0.1 ms): such a convolution keeps oneDNN's
/// choice and reorders from and to the caller's channels-last buffers.
/// Depthwise and 1x1 convolutions, int8, and AVX-512 (brgconv, native on
/// nhwc) run on nhwc directly.
bool prefersBlockedFp32(const qrt_conv_desc &d) {
  if (d.src_dtype != QRT_F32 || d.groups == d.in_channels)
    return false;
  bool window = false;
  for (int i = 0; i < d.num_spatial; ++i)
    window = window || d.kernel[i] > 1;
  const auto isa = static_cast<unsigned>(dnnl::get_effective_cpu_isa());
  const auto avx512 = static_cast<unsigned>(dnnl::cpu_isa::avx512_core);
  return window && (isa & avx512) != avx512;
}

/// The primitive for the caller's layouts (docs/RUNTIME.md, "Convolution
/// layouts" and "Layouts"); makePd(src, dst) creates one for two memory
/// descriptors.
template <typename MakePd>
ConvPd chooseConvPd(const qrt_conv_desc &d, const dnnl::memory::desc &userSrc,
                    const dnnl::memory::desc &userDst, MakePd makePd) {
  auto anyOf = [](const dnnl::memory::desc &user) {
    return dnnl::memory::desc(user.dims(), user.data_type(), tag::any);
  };
  ConvPd pd;
  const LayoutPolicy policy = layoutPolicy();
  const bool srcNhwc = d.src_layout == QRT_LAYOUT_NHWC;
  const bool dstNhwc = d.dst_layout == QRT_LAYOUT_NHWC;
  if (policy == LayoutPolicy::Plain) {
    pd = makePd(userSrc, userDst);
  } else if (srcNhwc || dstNhwc) {
    // Channels last requested (QRT_CONV_LAYOUT=blocked keeps `any`): run
    // on the caller's formats when oneDNN has a real kernel for them, no
    // slower in kind than its own choice (nhwc on both sides: anything
    // but the reference loops), else reorder around `any`.
    pd = makePd(anyOf(userSrc), anyOf(userDst));
    if (policy == LayoutPolicy::Auto &&
        (pd.src_desc() != userSrc || pd.dst_desc() != userDst) &&
        !prefersBlockedFp32(d)) {
      try {
        auto direct = makePd(userSrc, userDst);
        const int rank = implRank(implName(direct));
        if (rank > 0 &&
            ((srcNhwc && dstNhwc) || rank >= implRank(implName(pd))))
          pd = direct;
      } catch (const dnnl::error &) {
      } catch (const Error &) { // the brgconv hazard left no kernel
      }
    }
  } else {
    pd = makePd(anyOf(userSrc), anyOf(userDst));
    const bool blocked = pd.src_desc() != userSrc || pd.dst_desc() != userDst;
    if (blocked && policy == LayoutPolicy::Auto) {
      // Keep the caller's layout when oneDNN has as good a kernel for it:
      // the reorders in and out cost ~5-10% of a 3x3 convolution, while
      // gemm on plain layouts is ~40% slower than jit on blocked ones (8x
      // for depthwise).
      // A pointwise convolution on plain layouts is one GEMM without
      // im2col: as fast as the blocked kernels plus their reorders
      // (resnet-152's pre-activation 1x1s), but only without post-ops,
      // which oneDNN 2.6 then applies in a slow separate pass (6.3 vs
      // 1.0 ms for a 64->256 1x1 at 56x56 with sum + relu).
      bool pointwise = !d.has_sum && d.act.kind == QRT_ELTWISE_NONE &&
                       d.postsum_act.kind == QRT_ELTWISE_NONE;
      for (int i = 0; i < d.num_spatial; ++i)
        pointwise = pointwise && d.kernel[i] == 1 && d.strides[i] == 1 &&
                    d.pad_begin[i] == 0 && d.pad_end[i] == 0;
      try {
        auto plainPd = makePd(userSrc, userDst);
        const int plainRank = implRank(implName(plainPd));
        if ((pointwise && plainRank == 1 ? 2 : plainRank) >=
            implRank(implName(pd)))
          pd = plainPd;
      } catch (const dnnl::error &) {
      } catch (const Error &) { // the brgconv hazard left no kernel
      }
    }
  }
  return pd;
}

} // namespace

extern "C" int32_t qrt_conv_init(qrt_model *model, int32_t opId,
                                 const qrt_conv_desc *desc, const void *weight,
                                 const void *bias, const float *weightSteps) {
  return guarded(opId, "convolution", [&] {
    checkInit(model, opId, desc, desc ? desc->abi_version : 0);
    const qrt_conv_desc &d = *desc;
    Dims srcDims, weightDims, dstDims;
    checkConvDesc(d, srcDims, weightDims, dstDims);
    requireNonNull(weight, "weight");
    if (d.has_bias)
      requireNonNull(bias, "bias");
    ThreadScope threads(model->numThreads);
    const dnnl::engine &engine = model->engine;
    auto op = std::make_unique<ConvOp>();
    op->int8 = d.src_dtype != QRT_F32;
    Int8Plan &q = op->q;
    if (op->int8) {
      readInt8Plan(q, *op, d.out_channels, d.num_weight_steps, weightSteps,
                   d.has_bias, bias, d.src_q, d.dst_dtype, d.dst_q);
      q.inner = product(Dims(dstDims.begin() + 2, dstDims.end()));
      q.channelsLast = d.dst_layout == QRT_LAYOUT_NHWC;
      q.hasSum = d.has_sum;
      q.sumType = d.sum_dtype;
      q.sumScale = d.sum_scale;
      q.act = d.act;
      q.postsumAct = d.postsum_act;
      if (d.has_sum && d.sum_dtype != QRT_F32) {
        checkQParam(d.sum_q, "sum_q", *op);
        q.sumQ = d.sum_q;
      }
      q.epilogue =
          forceEpilogue() || !isStatic(d.src_q) ||
          (d.has_sum && d.sum_dtype != QRT_F32 && !isStatic(d.sum_q)) ||
          !expressible(d.act) || !expressible(d.postsum_act);
    }

    // Weights as oneDNN sees groups: [G, OC/G, IC/G, k...].
    Dims groupedDims = weightDims;
    if (d.groups > 1) {
      groupedDims[0] = d.out_channels / d.groups;
      groupedDims.insert(groupedDims.begin(), d.groups);
    }
    // Post-ops: act, sum, postsum_act, or all of them by hand.
    dnnl::primitive_attr attr = userScratchpad();
    if (op->int8) {
      if (!q.epilogue) {
        setInt8Attr(attr, q);
        if (aliasedEltwises(attr.get_post_ops())) {
          q.epilogue = true;
          attr = userScratchpad();
        }
      }
    } else {
      dnnl::post_ops ops;
      bool expressible = appendEltwise(ops, d.act);
      if (d.has_sum)
        ops.append_sum(d.sum_scale, dnnlType(d.sum_dtype));
      expressible = expressible && appendEltwise(ops, d.postsum_act);
      if (expressible && !aliasedEltwises(ops))
        attr.set_post_ops(ops);
      else
        op->manualPostOps = true;
    }
    // The epilogue path gets bare s32 accumulators: no bias, scales or
    // post-ops.
    const bool epilogue = op->int8 && q.epilogue;
    const bool withBias = d.has_bias && !epilogue;
    const dt srcType = dnnlType(d.src_dtype);
    const dt dstType = epilogue ? dt::s32 : dnnlType(d.dst_dtype);
    const dt weightType = dnnlType(d.weight_dtype);
    const dt biasType = op->int8 ? dt::s32 : dt::f32;
    // The caller's layouts (plain NC[D]HW or channels last).
    const auto userSrc = layoutDesc(srcDims, srcType, d.src_layout);
    const auto userDst = layoutDesc(dstDims, dstType, d.dst_layout);
    const auto plainWeights = plainDesc(groupedDims, weightType);
    const dnnl::memory::desc biasDesc =
        withBias ? plainDesc({d.out_channels}, biasType) : dnnl::memory::desc();

    Dims strides, dilations, padBegin, padEnd;
    for (int i = 0; i < d.num_spatial; ++i) {
      strides.push_back(d.strides[i]);
      dilations.push_back(d.dilations[i] - 1); // oneDNN counts the gaps
      padBegin.push_back(d.pad_begin[i]);
      padEnd.push_back(d.pad_end[i]);
    }

    const bool brgconvHazard = d.has_sum && !op->manualPostOps && !epilogue &&
                               (d.act.kind != QRT_ELTWISE_NONE ||
                                d.postsum_act.kind != QRT_ELTWISE_NONE) &&
                               hasPaddingOnlyWindow(d);
    auto makePd = [&](const dnnl::memory::desc &src,
                      const dnnl::memory::desc &dst) {
      const auto weights =
          dnnl::memory::desc(groupedDims, weightType, tag::any);
      auto cd = withBias
                    ? dnnl::convolution_forward::desc(
                          dnnl::prop_kind::forward_inference,
                          dnnl::algorithm::convolution_direct, src, weights,
                          biasDesc, dst, strides, dilations, padBegin, padEnd)
                    : dnnl::convolution_forward::desc(
                          dnnl::prop_kind::forward_inference,
                          dnnl::algorithm::convolution_direct, src, weights,
                          dst, strides, dilations, padBegin, padEnd);
      dnnl::convolution_forward::primitive_desc pd(cd, attr, engine);
      // oneDNN 2.6.3's brgconv kernels (AVX-512) crash on a sum combined
      // with an eltwise post-op when some window lies wholly in the
      // padding: take oneDNN's next implementation instead. (Iterate here:
      // the iterator points into `cd`.)
      if (brgconvHazard)
        while (implName(pd).find("brg") != std::string::npos)
          if (!pd.next_impl())
            fail(QRT_ERR_UNSUPPORTED, "no oneDNN convolution without the "
                                      "brgconv padding bug for this geometry");
      return pd;
    };
    const ConvPd pd = chooseConvPd(d, userSrc, userDst, makePd);
    const bool srcNhwc = d.src_layout == QRT_LAYOUT_NHWC;
    const bool dstNhwc = d.dst_layout == QRT_LAYOUT_NHWC;

    WorkspacePlan plan;
    op->scratchDesc = pd.scratchpad_desc();
    op->scratchOffset = plan.reserve(op->scratchDesc.get_size());
    op->srcDesc = pd.src_desc();
    op->dstDesc = pd.dst_desc();
    std::string info = implName(pd);
    if (srcNhwc)
      info += " src:nhwc";
    if (dstNhwc)
      info += " dst:nhwc";
    if (op->srcDesc != userSrc) {
      op->srcIn.create(engine, userSrc, op->srcDesc, plan);
      op->srcOffset = plan.reserve(op->srcDesc.get_size());
      info += " +src reorder";
    }
    op->hasSum = d.has_sum;
    op->act = d.act;
    op->postsumAct = d.postsum_act;
    op->sumScale = d.sum_scale;
    op->dstElements = product(dstDims);
    op->dstBytes = op->dstElements * dtypeSize(d.dst_dtype, "dst");
    if (epilogue) {
      // Accumulators: oneDNN's layout -> plain s32 -> our loop -> dst.
      op->accOffset = plan.reserve(op->dstElements * sizeof(int32_t));
      if (op->dstDesc != userDst) {
        op->dstInternal = true;
        op->dstOffset = plan.reserve(op->dstDesc.get_size());
        op->dstOut.create(engine, op->dstDesc, userDst, plan);
        info += " +dst reorder";
      }
      reserveEpilogue(q, plan);
      info += " +loop int8 epilogue";
    } else {
      op->dstInternal =
          op->dstDesc != userDst || (op->manualPostOps && op->hasSum);
    }
    if (op->dstInternal && !epilogue) {
      op->dstOffset = plan.reserve(op->dstDesc.get_size());
      op->plainOffset = op->dstOffset;
      if (op->dstDesc != userDst) {
        op->dstOut.create(engine, op->dstDesc, userDst, plan);
        info += " +dst reorder";
        if (op->hasSum && !op->manualPostOps) {
          // The sum's bytes go to the dst buffer unconverted: oneDNN reads
          // them as sum_dtype (which may differ from dst's s8/u8).
          dnnl::memory::desc sumDesc = op->dstDesc;
          sumDesc.data.data_type =
              static_cast<dnnl_data_type_t>(dnnlType(d.sum_dtype));
          op->sumIn.create(
              engine, layoutDesc(dstDims, dnnlType(d.sum_dtype), d.dst_layout),
              sumDesc, plan);
        }
        if (op->hasSum && op->manualPostOps)
          op->plainOffset = plan.reserve(op->dstBytes);
      }
    }
    if (op->manualPostOps)
      info += " +loop post-ops";
    op->workspaceBytes = plan.size();
    op->info = info;

    op->primitive = dnnl::convolution_forward(pd);
    op->weights = packConstant(engine, plainWeights, pd.weights_desc(), weight);
    if (withBias)
      op->bias = packConstant(
          engine, biasDesc, biasDesc,
          op->int8 ? static_cast<const void *>(q.biasQ.data()) : bias);
    install(model, opId, std::move(op));
  });
}

extern "C" int32_t qrt_conv_run(qrt_model *model, qrt_exec *exec, int32_t opId,
                                const void *src, const void *sum, void *dst) {
  return guarded(opId, "convolution", [&] {
    const ConvOp &op = lookupAs<ConvOp>(model, exec, opId);
    requireNonNull(src, "src");
    requireNonNull(dst, "dst");
    if (op.hasSum)
      requireNonNull(sum, "sum");
    ThreadScope threads(model->numThreads);
    const dnnl::engine &engine = model->engine;
    char *ws = workspaceOf(exec, op);

    const void *convSrc = src;
    if (op.srcIn) {
      convSrc = ws + op.srcOffset;
      op.srcIn.execute(exec, ws, src, const_cast<void *>(convSrc));
    }
    const bool epilogue = op.int8 && op.q.epilogue;
    void *convDst = op.dstInternal ? ws + op.dstOffset
                    : epilogue     ? ws + op.accOffset
                                   : dst;
    if (op.hasSum && !op.manualPostOps && !epilogue) {
      // oneDNN's sum post-op accumulates into the destination.
      if (op.sumIn)
        op.sumIn.execute(exec, ws, sum, convDst);
      else if (sum != convDst)
        std::memcpy(convDst, sum, op.dstBytes);
    }
    std::unordered_map<int, dnnl::memory> args = {
        {DNNL_ARG_SRC, wrap(op.srcDesc, engine, convSrc)},
        {DNNL_ARG_WEIGHTS, op.weights},
        {DNNL_ARG_DST, wrap(op.dstDesc, engine, convDst)}};
    if (op.bias)
      args[DNNL_ARG_BIAS] = op.bias;
    if (op.scratchDesc.get_size())
      args[DNNL_ARG_SCRATCHPAD] =
          wrap(op.scratchDesc, engine, ws + op.scratchOffset);
    op.primitive.execute(exec->stream, args);

    if (epilogue) {
      int32_t *acc = reinterpret_cast<int32_t *>(ws + op.accOffset);
      if (op.dstOut)
        op.dstOut.execute(exec, ws, convDst, acc);
      exec->stream.wait();
      runEpilogue(op.q, exec, ws, op.dstElements, acc, sum, dst);
      return;
    }
    if (!op.manualPostOps) {
      if (op.dstOut)
        op.dstOut.execute(exec, ws, convDst, dst);
      exec->stream.wait();
      return;
    }
    // Manual post-ops (f32 only). The plain convolution result goes to dst,
    // or, when a sum (which may alias dst) follows, to a separate buffer.
    float *out = static_cast<float *>(dst);
    float *result =
        op.hasSum ? reinterpret_cast<float *>(ws + op.plainOffset) : out;
    if (op.dstOut)
      op.dstOut.execute(exec, ws, convDst, result);
    exec->stream.wait();
    if (!op.hasSum) {
      applyEltwise(op.act, out, op.dstElements);
      applyEltwise(op.postsumAct, out, op.dstElements);
      return;
    }
    applyEltwise(op.act, result, op.dstElements);
    const float *addend = static_cast<const float *>(sum);
    const float scale = op.sumScale;
    const int64_t n = op.dstElements;
#pragma omp parallel for num_threads(loopThreads(n)) schedule(static)
    for (int64_t i = 0; i < n; ++i)
      out[i] = result[i] + scale * addend[i];
    applyEltwise(op.postsumAct, out, n);
  });
}

//===----------------------------------------------------------------------===//
// Fully connected
//===----------------------------------------------------------------------===//

namespace {
struct FcOp : Op {
  static constexpr OpKind Kind = OpKind::Fc;
  FcOp() : Op(Kind) {}

  dnnl::inner_product_forward primitive;
  dnnl::memory weights, bias;
  dnnl::memory::desc srcDesc, dstDesc, scratchDesc;
  qrt_eltwise manualAct{}; // applied by our loop when oneDNN cannot
  int64_t dstElements = 0;
  bool int8 = false;
  Int8Plan q;
  size_t accOffset = 0; // int8 epilogue: s32 accumulators
};
} // namespace

extern "C" int32_t qrt_fc_init(qrt_model *model, int32_t opId,
                               const qrt_fc_desc *desc, const void *weight,
                               const void *bias, const float *weightSteps) {
  return guarded(opId, "fully_connected", [&] {
    checkInit(model, opId, desc, desc ? desc->abi_version : 0);
    const qrt_fc_desc &d = *desc;
    const Dims input = shapeDims(d.input, "input", 1);
    require(d.num_hidden >= 1, "num_hidden must be positive, got ",
            d.num_hidden);
    checkDtypes(d.src_dtype, d.weight_dtype, d.bias_dtype, d.dst_dtype,
                d.has_bias, d.num_weight_steps);
    checkEltwise(d.act, "act");
    for (int64_t r : d.reserved)
      require(r == 0, "reserved fields must be zero");
    int64_t rows, depth;
    if (d.flatten) {
      rows = input[0];
      depth = product(Dims(input.begin() + 1, input.end()));
    } else {
      depth = input.back();
      rows = product(Dims(input.begin(), input.end() - 1));
    }
    require(rows >= 1 && depth >= 1, "input ", dimsToString(input),
            " gives an empty ", rows, "x", depth, " matrix");
    requireNonNull(weight, "weight");
    if (d.has_bias)
      requireNonNull(bias, "bias");
    ThreadScope threads(model->numThreads);
    const dnnl::engine &engine = model->engine;
    auto op = std::make_unique<FcOp>();
    op->int8 = d.src_dtype != QRT_F32;
    Int8Plan &q = op->q;
    if (op->int8) {
      readInt8Plan(q, *op, d.num_hidden, d.num_weight_steps, weightSteps,
                   d.has_bias, bias, d.src_q, d.dst_dtype, d.dst_q);
      q.inner = 1;
      q.channelsLast = true; // [rows, hidden]: the channel is i % hidden
      q.act = d.act;
      q.epilogue = forceEpilogue() || !isStatic(d.src_q) || !expressible(d.act);
    }
    const bool epilogue = op->int8 && q.epilogue;
    const bool withBias = d.has_bias && !epilogue;

    dnnl::primitive_attr attr = userScratchpad();
    if (op->int8) {
      if (!epilogue)
        setInt8Attr(attr, q);
    } else {
      dnnl::post_ops ops;
      if (appendEltwise(ops, d.act))
        attr.set_post_ops(ops);
      else
        op->manualAct = d.act;
    }
    const Dims weightDims = {d.num_hidden, depth};
    const auto plainWeights = plainDesc(weightDims, dnnlType(d.weight_dtype));
    const auto biasDesc =
        withBias ? plainDesc({d.num_hidden}, op->int8 ? dt::s32 : dt::f32)
                 : dnnl::memory::desc();
    op->srcDesc = plainDesc({rows, depth}, dnnlType(d.src_dtype));
    op->dstDesc = plainDesc({rows, d.num_hidden},
                            epilogue ? dt::s32 : dnnlType(d.dst_dtype));
    const auto weightsAny =
        dnnl::memory::desc(weightDims, dnnlType(d.weight_dtype), tag::any);
    auto ipd = withBias ? dnnl::inner_product_forward::desc(
                              dnnl::prop_kind::forward_inference, op->srcDesc,
                              weightsAny, biasDesc, op->dstDesc)
                        : dnnl::inner_product_forward::desc(
                              dnnl::prop_kind::forward_inference, op->srcDesc,
                              weightsAny, op->dstDesc);
    dnnl::inner_product_forward::primitive_desc pd(ipd, attr, engine);
    WorkspacePlan plan;
    op->scratchDesc = pd.scratchpad_desc();
    plan.reserve(op->scratchDesc.get_size()); // at offset 0
    op->dstElements = rows * d.num_hidden;
    op->info = implName(pd) + (op->manualAct.kind ? " +loop post-op" : "");
    if (epilogue) {
      op->accOffset = plan.reserve(op->dstElements * sizeof(int32_t));
      reserveEpilogue(q, plan);
      op->info += " +loop int8 epilogue";
    }
    op->workspaceBytes = plan.size();
    op->primitive = dnnl::inner_product_forward(pd);
    op->weights = packConstant(engine, plainWeights, pd.weights_desc(), weight);
    if (withBias)
      op->bias = packConstant(
          engine, biasDesc, biasDesc,
          op->int8 ? static_cast<const void *>(q.biasQ.data()) : bias);
    install(model, opId, std::move(op));
  });
}

extern "C" int32_t qrt_fc_run(qrt_model *model, qrt_exec *exec, int32_t opId,
                              const void *src, void *dst) {
  return guarded(opId, "fully_connected", [&] {
    const FcOp &op = lookupAs<FcOp>(model, exec, opId);
    requireNonNull(src, "src");
    requireNonNull(dst, "dst");
    ThreadScope threads(model->numThreads);
    const dnnl::engine &engine = model->engine;
    char *ws = workspaceOf(exec, op);
    const bool epilogue = op.int8 && op.q.epilogue;
    void *ipDst = epilogue ? ws + op.accOffset : dst;
    std::unordered_map<int, dnnl::memory> args = {
        {DNNL_ARG_SRC, wrap(op.srcDesc, engine, src)},
        {DNNL_ARG_WEIGHTS, op.weights},
        {DNNL_ARG_DST, wrap(op.dstDesc, engine, ipDst)}};
    if (op.bias)
      args[DNNL_ARG_BIAS] = op.bias;
    if (op.scratchDesc.get_size())
      args[DNNL_ARG_SCRATCHPAD] = wrap(op.scratchDesc, engine, ws);
    op.primitive.execute(exec->stream, args);
    exec->stream.wait();
    if (epilogue)
      runEpilogue(op.q, exec, ws, op.dstElements,
                  reinterpret_cast<const int32_t *>(ipDst), nullptr, dst);
    else
      applyEltwise(op.manualAct, static_cast<float *>(dst), op.dstElements);
  });
}
