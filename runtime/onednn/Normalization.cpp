//===- Normalization.cpp - Batch norm (inference) and softmax via oneDNN --===//

#include "../Runtime.h"

#include <cmath>
#include <cstring>

using namespace qrt;
using dt = dnnl::memory::data_type;

namespace {

void checkReserved(const int64_t (&reserved)[2]) {
  for (int64_t r : reserved)
    require(r == 0, "reserved fields must be zero");
}

/// [outer, dims[axis], inner]: any axis becomes axis 1 of a 3-D tensor.
Dims aroundAxis(const Dims &dims, int64_t axis) {
  return {product(Dims(dims.begin(), dims.begin() + axis)), dims[axis],
          product(Dims(dims.begin() + axis + 1, dims.end()))};
}

//===----------------------------------------------------------------------===//
// Batch norm
//===----------------------------------------------------------------------===//

struct BatchNormOp : Op {
  static constexpr OpKind Kind = OpKind::BatchNorm;
  BatchNormOp() : Op(Kind) {}
  bool empty = false;
  dnnl::batch_normalization_forward primitive;
  dnnl::memory::desc desc, scratchDesc;
  dnnl::memory mean, variance, scaleShift;
};

} // namespace

extern "C" int32_t qrt_batch_norm_init(qrt_model *model, int32_t opId,
                                       const qrt_batch_norm_desc *desc,
                                       const float *gamma, const float *beta,
                                       const float *mean,
                                       const float *variance) {
  return guarded(opId, "batch_norm", [&] {
    checkInit(model, opId, desc, desc ? desc->abi_version : 0);
    const qrt_batch_norm_desc &d = *desc;
    requireDtype(d.dtype, "batch_norm", {QRT_F32});
    const Dims dims = shapeDims(d.input, "input", 1);
    const int64_t axis = resolveAxis(d.axis, dims.size(), "axis");
    require(std::isfinite(d.epsilon) && d.epsilon >= 0,
            "epsilon must be finite and >= 0, got ", d.epsilon);
    checkReserved(d.reserved);
    checkLayout(d.layout, "layout", dims.size());
    const bool nhwc = d.layout == QRT_LAYOUT_NHWC;
    require(!nhwc || axis == 1, "layout NHWC needs the channel axis 1, got ",
            d.axis);
    if (!d.fix_gamma)
      requireNonNull(gamma, "gamma");
    requireNonNull(beta, "beta");
    requireNonNull(mean, "mean");
    requireNonNull(variance, "variance");
    ThreadScope threads(model->numThreads);
    auto op = std::make_unique<BatchNormOp>();
    // NHWC [N, S..., C] is [N, C, prod(S)] stored channels last.
    const Dims data =
        nhwc ? Dims{dims[0], dims[1],
                    product(dims) /
                        std::max<int64_t>(dims[0] * dims[1], 1)}
             : aroundAxis(dims, axis);
    const int64_t channels = data[1];
    op->empty = product(data) == 0;
    if (op->empty) {
      op->info = "empty";
      install(model, opId, std::move(op));
      return;
    }
    // 4-D, because oneDNN 2.6 has only its reference kernel for 3-D; NHWC
    // as oneDNN's nhwc tag, which its jit kernels take (measured on AVX2:
    // 0.4 ms for a 256x56x56 tensor against 2 ms for the same data as a
    // plain [N * S, C, 1]).
    op->desc = nhwc ? dnnl::memory::desc({data[0], data[1], data[2], 1},
                                         dt::f32,
                                         dnnl::memory::format_tag::nhwc)
                    : plainDesc({data[0], data[1], data[2], 1}, dt::f32);
    using flags = dnnl::normalization_flags;
    using bn = dnnl::batch_normalization_forward;
    bn::primitive_desc pd(
        bn::desc(dnnl::prop_kind::forward_inference, op->desc, d.epsilon,
                 flags::use_global_stats | flags::use_scale_shift),
        userScratchpad(), model->engine);
    op->primitive = bn(pd);
    op->scratchDesc = pd.scratchpad_desc();
    op->workspaceBytes = op->scratchDesc.get_size();
    op->info = implName(pd) + (nhwc ? " nhwc" : "");
    // Copies: the caller may free its arrays after init.
    const auto vector = plainDesc({channels}, dt::f32);
    op->mean = packConstant(model->engine, vector, pd.mean_desc(), mean);
    op->variance =
        packConstant(model->engine, vector, pd.variance_desc(), variance);
    std::vector<float> scaleShift(2 * channels);
    for (int64_t c = 0; c < channels; ++c) {
      scaleShift[c] = d.fix_gamma ? 1.f : gamma[c]; // MXNet ignores gamma
      scaleShift[channels + c] = beta[c];
    }
    op->scaleShift =
        packConstant(model->engine, plainDesc({2, channels}, dt::f32),
                     pd.weights_desc(), scaleShift.data());
    install(model, opId, std::move(op));
  });
}

extern "C" int32_t qrt_batch_norm_run(qrt_model *model, qrt_exec *exec,
                                      int32_t opId, const void *src,
                                      void *dst) {
  return guarded(opId, "batch_norm", [&] {
    const BatchNormOp &op = lookupAs<BatchNormOp>(model, exec, opId);
    if (op.empty)
      return;
    requireNonNull(src, "src");
    requireNonNull(dst, "dst");
    ThreadScope threads(model->numThreads);
    const dnnl::engine &engine = model->engine;
    std::unordered_map<int, dnnl::memory> args = {
        {DNNL_ARG_SRC, wrap(op.desc, engine, src)},
        {DNNL_ARG_MEAN, op.mean},
        {DNNL_ARG_VARIANCE, op.variance},
        {DNNL_ARG_SCALE_SHIFT, op.scaleShift},
        {DNNL_ARG_DST, wrap(op.desc, engine, dst)}};
    if (op.scratchDesc.get_size())
      args[DNNL_ARG_SCRATCHPAD] =
          wrap(op.scratchDesc, engine, workspaceOf(exec, op));
    op.primitive.execute(exec->stream, args);
    exec->stream.wait();
  });
}

//===----------------------------------------------------------------------===//
// Softmax
//===----------------------------------------------------------------------===//

namespace {
struct SoftmaxOp : Op {
  static constexpr OpKind Kind = OpKind::Softmax;
  SoftmaxOp() : Op(Kind) {}
  bool empty = false;
  dnnl::primitive primitive;
  dnnl::memory::desc desc, scratchDesc;
  size_t scratchOffset = 0;
  // A temperature other than 1 divides the input into this buffer first.
  float temperature = 1;
  size_t scaledOffset = 0;
  int64_t n = 0;
};
} // namespace

extern "C" int32_t qrt_softmax_init(qrt_model *model, int32_t opId,
                                    const qrt_softmax_desc *desc) {
  return guarded(opId, "softmax", [&] {
    checkInit(model, opId, desc, desc ? desc->abi_version : 0);
    const qrt_softmax_desc &d = *desc;
    requireDtype(d.dtype, "softmax", {QRT_F32});
    const Dims dims = shapeDims(d.input, "input", 1);
    const int64_t axis = resolveAxis(d.axis, dims.size(), "axis");
    require(std::isfinite(d.temperature) && d.temperature != 0,
            "temperature must be finite and nonzero, got ", d.temperature);
    checkReserved(d.reserved);
    ThreadScope threads(model->numThreads);
    auto op = std::make_unique<SoftmaxOp>();
    const Dims data = aroundAxis(dims, axis);
    op->n = product(data);
    op->empty = op->n == 0;
    if (op->empty) {
      op->info = "empty";
      install(model, opId, std::move(op));
      return;
    }
    op->desc = plainDesc(data, dt::f32);
    op->temperature = d.temperature;
    WorkspacePlan plan;
    const auto inference = dnnl::prop_kind::forward_inference;
    if (d.log) {
      dnnl::logsoftmax_forward::primitive_desc pd(
          dnnl::logsoftmax_forward::desc(inference, op->desc, 1),
          userScratchpad(), model->engine);
      op->primitive = dnnl::logsoftmax_forward(pd);
      op->scratchDesc = pd.scratchpad_desc();
      op->info = implName(pd);
    } else {
      dnnl::softmax_forward::primitive_desc pd(
          dnnl::softmax_forward::desc(inference, op->desc, 1), userScratchpad(),
          model->engine);
      op->primitive = dnnl::softmax_forward(pd);
      op->scratchDesc = pd.scratchpad_desc();
      op->info = implName(pd);
    }
    op->scratchOffset = plan.reserve(op->scratchDesc.get_size());
    if (op->temperature != 1) {
      op->scaledOffset = plan.reserve(op->n * sizeof(float));
      op->info += " +loop temperature";
    }
    op->workspaceBytes = plan.size();
    install(model, opId, std::move(op));
  });
}

extern "C" int32_t qrt_softmax_run(qrt_model *model, qrt_exec *exec,
                                   int32_t opId, const void *src, void *dst) {
  return guarded(opId, "softmax", [&] {
    const SoftmaxOp &op = lookupAs<SoftmaxOp>(model, exec, opId);
    if (op.empty)
      return;
    requireNonNull(src, "src");
    requireNonNull(dst, "dst");
    ThreadScope threads(model->numThreads);
    const dnnl::engine &engine = model->engine;
    char *ws = workspaceOf(exec, op);
    if (op.temperature != 1) {
      const float *x = static_cast<const float *>(src);
      float *scaled = reinterpret_cast<float *>(ws + op.scaledOffset);
      const float t = op.temperature;
      const int64_t n = op.n;
#pragma omp parallel for simd num_threads(loopThreads(n)) schedule(static)
      for (int64_t i = 0; i < n; ++i)
        scaled[i] = x[i] / t;
      src = scaled;
    }
    std::unordered_map<int, dnnl::memory> args = {
        {DNNL_ARG_SRC, wrap(op.desc, engine, src)},
        {DNNL_ARG_DST, wrap(op.desc, engine, dst)}};
    if (op.scratchDesc.get_size())
      args[DNNL_ARG_SCRATCHPAD] =
          wrap(op.scratchDesc, engine, ws + op.scratchOffset);
    op.primitive.execute(exec->stream, args);
    exec->stream.wait();
  });
}
