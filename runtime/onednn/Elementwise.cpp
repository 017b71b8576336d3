//===- Elementwise.cpp - Activations, PReLU, binary and scalar ops --------===//

#include "../Runtime.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

using namespace qrt;

namespace {

template <size_t N> void checkReserved(const int64_t (&reserved)[N]) {
  for (int64_t r : reserved)
    require(r == 0, "reserved fields must be zero");
}

dnnl::memory::desc flatDesc(int64_t n) {
  return plainDesc({n}, dnnl::memory::data_type::f32);
}

/// Runs an eltwise primitive over caller buffers.
void runEltwise(const dnnl::eltwise_forward &primitive,
                const dnnl::memory::desc &desc, qrt_exec *exec, const void *src,
                void *dst) {
  const dnnl::engine &engine = exec->model->engine;
  primitive.execute(exec->stream, {{DNNL_ARG_SRC, wrap(desc, engine, src)},
                                   {DNNL_ARG_DST, wrap(desc, engine, dst)}});
}

//===----------------------------------------------------------------------===//
// Activation
//===----------------------------------------------------------------------===//

struct ActivationOp : Op {
  static constexpr OpKind Kind = OpKind::Activation;
  ActivationOp() : Op(Kind) {}
  qrt_eltwise act{};
  int64_t n = 0;
  dnnl::memory::desc desc;
  // `then` is selu's lambda scaling; eltwise primitives have no scale.
  dnnl::eltwise_forward primitive, then;
  bool useLoop = false;
  int32_t dtype = QRT_F32;
  qrt_qparam q{}; // s8/u8 clip: the step of the bounds
};

/// relu / leaky / clip on integers with an unchanged step (qrt.h).
template <typename T>
void int8Activation(const ActivationOp &op, qrt_exec *exec, const T *src,
                    T *dst) {
  const int64_t n = op.n;
  const qrt_eltwise e = op.act;
  int lo = std::numeric_limits<T>::min(), hi = std::numeric_limits<T>::max();
  if (e.kind == QRT_ELTWISE_RELU) {
    lo = std::max(lo, 0);
  } else if (e.kind == QRT_ELTWISE_CLIP) {
    const double step = stepOf(exec, op.q, "q");
    lo = saturateRound<T>(double(e.alpha) / step);
    hi = saturateRound<T>(double(e.beta) / step);
  } else if (e.kind == QRT_ELTWISE_LEAKY) {
    const double alpha = e.alpha;
#pragma omp parallel for num_threads(loopThreads(n)) schedule(static)
    for (int64_t i = 0; i < n; ++i)
      dst[i] = src[i] < 0 ? saturateRound<T>(alpha * double(src[i])) : src[i];
    return;
  }
#pragma omp parallel for num_threads(loopThreads(n)) schedule(static)
  for (int64_t i = 0; i < n; ++i)
    dst[i] = static_cast<T>(std::min<int>(std::max<int>(src[i], lo), hi));
}

} // namespace

extern "C" int32_t qrt_activation_init(qrt_model *model, int32_t opId,
                                       const qrt_activation_desc *desc) {
  return guarded(opId, "activation", [&] {
    checkInit(model, opId, desc, desc ? desc->abi_version : 0);
    const qrt_activation_desc &d = *desc;
    requireDtype(d.dtype, "activation", {QRT_F32, QRT_S8, QRT_U8});
    require(d.num_elements >= 0, "num_elements must be >= 0, got ",
            d.num_elements);
    checkEltwise(d.act, "act");
    checkReserved(d.reserved);
    ThreadScope threads(model->numThreads);
    auto op = std::make_unique<ActivationOp>();
    op->act = d.act;
    op->n = d.num_elements;
    op->dtype = d.dtype;
    DnnlEltwise e;
    if (d.dtype != QRT_F32) {
      const int32_t k = d.act.kind;
      if (k != QRT_ELTWISE_NONE && k != QRT_ELTWISE_RELU &&
          k != QRT_ELTWISE_LEAKY && k != QRT_ELTWISE_CLIP)
        fail(QRT_ERR_UNSUPPORTED, "act ", eltwiseName(k), " on ",
             dtypeName(d.dtype), " (only relu, leaky and clip keep the step)");
      if (k == QRT_ELTWISE_CLIP) {
        checkQParam(d.q, "q", *op);
        op->q = d.q;
      }
      op->useLoop = true;
      op->info = k == QRT_ELTWISE_NONE ? "copy" : "loop";
    } else if (d.act.kind == QRT_ELTWISE_NONE || op->n == 0) {
      op->info = "copy";
    } else if (!toDnnl(d.act, e)) {
      op->useLoop = true;
      op->info = "loop";
    } else {
      op->desc = flatDesc(op->n);
      using fwd = dnnl::eltwise_forward;
      auto make = [&](dnnl::algorithm algorithm, float alpha, float beta) {
        return fwd::primitive_desc(fwd::desc(dnnl::prop_kind::forward_inference,
                                             algorithm, op->desc, alpha, beta),
                                   model->engine);
      };
      fwd::primitive_desc pd = make(e.algorithm, e.alpha, e.beta);
      op->primitive = fwd(pd);
      op->info = implName(pd);
      if (e.scale != 1.f)
        op->then = fwd(make(dnnl::algorithm::eltwise_linear, e.scale, 0.f));
    }
    install(model, opId, std::move(op));
  });
}

extern "C" int32_t qrt_activation_run(qrt_model *model, qrt_exec *exec,
                                      int32_t opId, const void *src,
                                      void *dst) {
  return guarded(opId, "activation", [&] {
    const ActivationOp &op = lookupAs<ActivationOp>(model, exec, opId);
    if (!op.n)
      return;
    requireNonNull(src, "src");
    requireNonNull(dst, "dst");
    ThreadScope threads(model->numThreads);
    if (op.dtype == QRT_S8)
      return int8Activation(op, exec, static_cast<const int8_t *>(src),
                            static_cast<int8_t *>(dst));
    if (op.dtype == QRT_U8)
      return int8Activation(op, exec, static_cast<const uint8_t *>(src),
                            static_cast<uint8_t *>(dst));
    if (!op.primitive) {
      if (src != dst)
        std::memmove(dst, src, op.n * sizeof(float));
      applyEltwise(op.act, static_cast<float *>(dst), op.n);
      return;
    }
    runEltwise(op.primitive, op.desc, exec, src, dst);
    if (op.then)
      runEltwise(op.then, op.desc, exec, dst, dst);
    exec->stream.wait();
  });
}

//===----------------------------------------------------------------------===//
// PReLU
//===----------------------------------------------------------------------===//

namespace {
struct PreluOp : Op {
  static constexpr OpKind Kind = OpKind::Prelu;
  PreluOp() : Op(Kind) {}
  bool empty = false;
  dnnl::prelu_forward primitive;
  dnnl::memory::desc desc, scratchDesc;
  dnnl::memory slope;
};
} // namespace

extern "C" int32_t qrt_prelu_init(qrt_model *model, int32_t opId,
                                  const qrt_prelu_desc *desc,
                                  const float *slope) {
  return guarded(opId, "prelu", [&] {
    checkInit(model, opId, desc, desc ? desc->abi_version : 0);
    const qrt_prelu_desc &d = *desc;
    requireDtype(d.dtype, "prelu", {QRT_F32});
    const Dims dims = shapeDims(d.input, "input", 2);
    const int64_t channels = dims[1];
    require(d.num_slopes == channels || d.num_slopes == 1, "num_slopes must ",
            "be the channel count ", channels, " or 1, got ", d.num_slopes);
    checkReserved(d.reserved);
    require(d.reserved0 == 0, "reserved fields must be zero");
    checkLayout(d.layout, "layout", dims.size());
    const bool nhwc = d.layout == QRT_LAYOUT_NHWC;
    requireNonNull(slope, "slope");
    ThreadScope threads(model->numThreads);
    auto op = std::make_unique<PreluOp>();
    // [N, C, rest] covers every rank; the slope broadcasts over N and rest.
    // NHWC [N, rest, C] is [N * rest, C, 1].
    const int64_t rest = product(Dims(dims.begin() + 2, dims.end()));
    const Dims data = nhwc ? Dims{dims[0] * rest, channels, 1}
                           : Dims{dims[0], channels, rest};
    op->empty = product(data) == 0;
    if (op->empty) {
      op->info = "empty";
    } else {
      using dt = dnnl::memory::data_type;
      op->desc = plainDesc(data, dt::f32);
      const auto slopeDesc = plainDesc({1, d.num_slopes, 1}, dt::f32);
      dnnl::prelu_forward::primitive_desc pd(
          dnnl::prelu_forward::desc(dnnl::prop_kind::forward_inference,
                                    op->desc, slopeDesc),
          userScratchpad(), model->engine);
      op->primitive = dnnl::prelu_forward(pd);
      op->scratchDesc = pd.scratchpad_desc();
      op->workspaceBytes = op->scratchDesc.get_size();
      op->info = implName(pd) + (nhwc ? " nhwc" : "");
      op->slope =
          packConstant(model->engine, slopeDesc, pd.weights_desc(), slope);
    }
    install(model, opId, std::move(op));
  });
}

extern "C" int32_t qrt_prelu_run(qrt_model *model, qrt_exec *exec, int32_t opId,
                                 const void *src, void *dst) {
  return guarded(opId, "prelu", [&] {
    const PreluOp &op = lookupAs<PreluOp>(model, exec, opId);
    if (op.empty)
      return;
    requireNonNull(src, "src");
    requireNonNull(dst, "dst");
    ThreadScope threads(model->numThreads);
    const dnnl::engine &engine = model->engine;
    std::unordered_map<int, dnnl::memory> args = {
        {DNNL_ARG_SRC, wrap(op.desc, engine, src)},
        {DNNL_ARG_WEIGHTS, op.slope},
        {DNNL_ARG_DST, wrap(op.desc, engine, dst)}};
    if (op.scratchDesc.get_size())
      args[DNNL_ARG_SCRATCHPAD] =
          wrap(op.scratchDesc, engine, workspaceOf(exec, op));
    op.primitive.execute(exec->stream, args);
    exec->stream.wait();
  });
}

//===----------------------------------------------------------------------===//
// Binary with broadcasting
//===----------------------------------------------------------------------===//

namespace {

struct BinaryOp : Op {
  static constexpr OpKind Kind = OpKind::Binary;
  BinaryOp() : Op(Kind) {}
  enum class Mode { Empty, Dnnl, Swapped, Loop } mode = Mode::Empty;
  int32_t op = QRT_BINARY_ADD;
  dnnl::binary primitive;
  dnnl::memory::desc src0, src1, dst, scratchDesc;
  qrt_eltwise manualAct{};
  // Loop: the output dims (rank QRT_MAX_RANK, leading 1s) and each
  // operand's strides over them (0 where broadcast).
  int64_t outDims[QRT_MAX_RANK];
  int64_t lhsStrides[QRT_MAX_RANK], rhsStrides[QRT_MAX_RANK];
  int64_t n = 0;
  /// Constant operands copied at init (qrt_binary_const_init).
  std::vector<float> lhsConst, rhsConst;
};

template <typename Fn>
void broadcastLoop(const BinaryOp &op, const float *lhs, const float *rhs,
                   float *dst, Fn fn) {
  constexpr int R = QRT_MAX_RANK;
  const int64_t inner = op.outDims[R - 1];
  const int64_t rows = inner ? op.n / inner : 0;
  const int64_t ls = op.lhsStrides[R - 1], rs = op.rhsStrides[R - 1];
#pragma omp parallel for num_threads(loopThreads(op.n)) schedule(static)
  for (int64_t row = 0; row < rows; ++row) {
    // Offsets of this row in each operand, from its outer coordinates.
    int64_t rest = row, lo = 0, ro = 0;
    for (int d = R - 2; d >= 0; --d) {
      const int64_t coordinate = rest % op.outDims[d];
      rest /= op.outDims[d];
      lo += coordinate * op.lhsStrides[d];
      ro += coordinate * op.rhsStrides[d];
    }
    const float *a = lhs + lo, *b = rhs + ro;
    float *y = dst + row * inner;
    for (int64_t i = 0; i < inner; ++i)
      y[i] = fn(a[i * ls], b[i * rs]);
  }
}

void runBinaryLoop(const BinaryOp &op, const float *lhs, const float *rhs,
                   float *dst) {
  switch (op.op) {
  case QRT_BINARY_ADD:
    return broadcastLoop(op, lhs, rhs, dst,
                         [](float a, float b) { return a + b; });
  case QRT_BINARY_SUB:
    return broadcastLoop(op, lhs, rhs, dst,
                         [](float a, float b) { return a - b; });
  case QRT_BINARY_MUL:
    return broadcastLoop(op, lhs, rhs, dst,
                         [](float a, float b) { return a * b; });
  case QRT_BINARY_DIV:
    return broadcastLoop(op, lhs, rhs, dst,
                         [](float a, float b) { return a / b; });
  case QRT_BINARY_MAX:
    return broadcastLoop(op, lhs, rhs, dst,
                         [](float a, float b) { return std::max(a, b); });
  case QRT_BINARY_MIN:
    return broadcastLoop(op, lhs, rhs, dst,
                         [](float a, float b) { return std::min(a, b); });
  }
}

/// Element strides of an operand's dims right-aligned in QRT_MAX_RANK dims:
/// in `layout` when its rank is >= 3 (plain below), the leading padded dims
/// (size 1) strided by the operand's size.
Dims paddedStrides(const Dims &dims, int32_t layout) {
  constexpr int R = QRT_MAX_RANK;
  const int32_t own = dims.size() >= 3 ? layout : QRT_LAYOUT_NCHW;
  const Dims strides = layoutStrides(dims, own);
  Dims result(R, std::max<int64_t>(product(dims), 1));
  std::copy(strides.begin(), strides.end(), result.end() - strides.size());
  return result;
}

/// The trailing `rank` dims and strides as a oneDNN descriptor.
dnnl::memory::desc stridedDesc(const Dims &dims, const Dims &strides,
                               size_t rank) {
  return dnnl::memory::desc(Dims(dims.end() - rank, dims.end()),
                            dnnl::memory::data_type::f32,
                            Dims(strides.end() - rank, strides.end()));
}

dnnl::algorithm binaryAlgorithm(int32_t op) {
  using alg = dnnl::algorithm;
  switch (op) {
  case QRT_BINARY_ADD:
    return alg::binary_add;
  case QRT_BINARY_SUB:
    return alg::binary_sub;
  case QRT_BINARY_MUL:
    return alg::binary_mul;
  case QRT_BINARY_DIV:
    return alg::binary_div;
  case QRT_BINARY_MAX:
    return alg::binary_max;
  default:
    return alg::binary_min;
  }
}

} // namespace

extern "C" int32_t qrt_binary_init(qrt_model *model, int32_t opId,
                                   const qrt_binary_desc *desc) {
  return guarded(opId, "binary", [&] {
    checkInit(model, opId, desc, desc ? desc->abi_version : 0);
    const qrt_binary_desc &d = *desc;
    require(d.op >= QRT_BINARY_ADD && d.op <= QRT_BINARY_MIN,
            "unknown binary op ", d.op);
    requireDtype(d.dtype, "binary", {QRT_F32});
    checkEltwise(d.act, "act");
    checkReserved(d.reserved);
    const Dims lhs = shapeDims(d.lhs, "lhs"), rhs = shapeDims(d.rhs, "rhs");
    // NumPy broadcasting, right-aligned, padded to QRT_MAX_RANK.
    constexpr int R = QRT_MAX_RANK;
    Dims a(R, 1), b(R, 1), out(R, 1);
    std::copy(lhs.begin(), lhs.end(), a.end() - lhs.size());
    std::copy(rhs.begin(), rhs.end(), b.end() - rhs.size());
    for (int i = 0; i < R; ++i) {
      require(a[i] == b[i] || a[i] == 1 || b[i] == 1, "shapes ",
              dimsToString(lhs), " and ", dimsToString(rhs),
              " do not broadcast");
      out[i] = a[i] == 1 ? b[i] : a[i];
    }
    // Layouts: every operand of rank >= 3 in d.layout, the dst too.
    const int rank = static_cast<int>(std::max(lhs.size(), rhs.size()));
    checkLayout(d.layout, "layout", rank);
    const Dims aStrides = paddedStrides(lhs, d.layout);
    const Dims bStrides = paddedStrides(rhs, d.layout);
    const Dims outDims(out.end() - std::max(rank, 1), out.end());
    const Dims outStrides = paddedStrides(outDims, d.layout);
    ThreadScope threads(model->numThreads);
    auto op = std::make_unique<BinaryOp>();
    op->op = d.op;
    op->n = product(out);
    if (!op->n) {
      op->info = "empty";
      install(model, opId, std::move(op));
      return;
    }
    const bool commutative = d.op == QRT_BINARY_ADD || d.op == QRT_BINARY_MUL ||
                             d.op == QRT_BINARY_MAX || d.op == QRT_BINARY_MIN;
    // oneDNN broadcasts only its second source.
    using Mode = BinaryOp::Mode;
    Mode mode = a == out ? Mode::Dnnl
                : b == out && (commutative || d.op == QRT_BINARY_SUB)
                    ? Mode::Swapped
                    : Mode::Loop;
    if (mode != Mode::Loop) {
      // Drop the leading 1s that are not needed (oneDNN handles rank <= 12
      // but smaller ranks pick faster kernels).
      const size_t used = outDims.size();
      const bool direct = mode == Mode::Dnnl;
      op->src0 = stridedDesc(out, direct ? aStrides : bStrides, used);
      op->src1 =
          stridedDesc(direct ? b : a, direct ? bStrides : aStrides, used);
      op->dst = stridedDesc(out, outStrides, used);
      dnnl::primitive_attr attr = userScratchpad();
      dnnl::post_ops ops;
      if (mode == Mode::Swapped && d.op == QRT_BINARY_SUB)
        ops.append_eltwise(1.f, dnnl::algorithm::eltwise_linear, -1.f, 0.f);
      if (!appendEltwise(ops, d.act))
        op->manualAct = d.act;
      attr.set_post_ops(ops);
      try {
        dnnl::binary::primitive_desc pd(
            dnnl::binary::desc(binaryAlgorithm(d.op), op->src0, op->src1,
                               op->dst),
            attr, model->engine);
        // oneDNN's reference kernel (odd broadcasts) indexes every element
        // from scratch; our loop walks rows.
        if (implName(pd).find("ref") != std::string::npos)
          throw dnnl::error(dnnl_unimplemented, "reference binary");
        op->primitive = dnnl::binary(pd);
        op->scratchDesc = pd.scratchpad_desc();
        op->workspaceBytes = op->scratchDesc.get_size();
        op->info = implName(pd) + (mode == Mode::Swapped ? " (swapped)" : "");
        if (d.layout == QRT_LAYOUT_NHWC)
          op->info += " nhwc";
      } catch (const dnnl::error &) {
        mode = Mode::Loop; // a broadcast oneDNN has no fast kernel for
      }
    }
    op->mode = mode;
    if (mode == Mode::Loop) {
      op->manualAct = d.act;
      op->info = d.layout == QRT_LAYOUT_NHWC ? "loop nhwc" : "loop";
      // Walk the dst in its storage order: the leading padded dims, then
      // the dst's axes as stored ([N, S..., C] for NHWC).
      const int used = static_cast<int>(outDims.size()), lead = R - used;
      const int32_t layout = used >= 3 ? d.layout : QRT_LAYOUT_NCHW;
      int order[R];
      for (int i = 0; i < lead; ++i)
        order[i] = i;
      for (int axis = 0; axis < used; ++axis)
        order[lead + storageAxis(axis, used, layout)] = lead + axis;
      for (int i = 0; i < R; ++i) {
        const int axis = order[i];
        op->outDims[i] = out[axis];
        op->lhsStrides[i] = a[axis] == 1 ? 0 : aStrides[axis];
        op->rhsStrides[i] = b[axis] == 1 ? 0 : bStrides[axis];
      }
    }
    if (op->manualAct.kind != QRT_ELTWISE_NONE && mode != Mode::Loop)
      op->info += " +loop post-op";
    install(model, opId, std::move(op));
  });
}

extern "C" int32_t qrt_binary_const_init(qrt_model *model, int32_t opId,
                                         const qrt_binary_desc *desc,
                                         const float *lhs, const float *rhs) {
  const int32_t status = qrt_binary_init(model, opId, desc);
  if (status != QRT_OK)
    return status;
  return guarded(opId, "binary", [&] {
    auto &op = static_cast<BinaryOp &>(*model->ops[opId]);
    if (lhs)
      op.lhsConst.assign(lhs, lhs + product(shapeDims(desc->lhs, "lhs")));
    if (rhs)
      op.rhsConst.assign(rhs, rhs + product(shapeDims(desc->rhs, "rhs")));
    if (lhs || rhs)
      op.info += lhs ? " (constant lhs)" : " (constant rhs)";
  });
}

extern "C" int32_t qrt_binary_run(qrt_model *model, qrt_exec *exec,
                                  int32_t opId, const void *lhs,
                                  const void *rhs, void *dst) {
  return guarded(opId, "binary", [&] {
    const BinaryOp &op = lookupAs<BinaryOp>(model, exec, opId);
    using Mode = BinaryOp::Mode;
    if (op.mode == Mode::Empty)
      return;
    if (!op.lhsConst.empty())
      lhs = op.lhsConst.data();
    if (!op.rhsConst.empty())
      rhs = op.rhsConst.data();
    requireNonNull(lhs, "lhs");
    requireNonNull(rhs, "rhs");
    requireNonNull(dst, "dst");
    ThreadScope threads(model->numThreads);
    float *out = static_cast<float *>(dst);
    if (op.mode == Mode::Loop) {
      runBinaryLoop(op, static_cast<const float *>(lhs),
                    static_cast<const float *>(rhs), out);
    } else {
      const dnnl::engine &engine = model->engine;
      const bool swapped = op.mode == Mode::Swapped;
      std::unordered_map<int, dnnl::memory> args = {
          {DNNL_ARG_SRC_0, wrap(op.src0, engine, swapped ? rhs : lhs)},
          {DNNL_ARG_SRC_1, wrap(op.src1, engine, swapped ? lhs : rhs)},
          {DNNL_ARG_DST, wrap(op.dst, engine, dst)}};
      if (op.scratchDesc.get_size())
        args[DNNL_ARG_SCRATCHPAD] =
            wrap(op.scratchDesc, engine, workspaceOf(exec, op));
      op.primitive.execute(exec->stream, args);
      exec->stream.wait();
    }
    applyEltwise(op.manualAct, out, op.n);
  });
}

//===----------------------------------------------------------------------===//
// Scalar arithmetic (plain loops: exact, and as fast as a primitive)
//===----------------------------------------------------------------------===//

namespace {
struct ScalarOp : Op {
  static constexpr OpKind Kind = OpKind::Scalar;
  ScalarOp() : Op(Kind) {}
  int32_t op = QRT_SCALAR_ADD;
  float scalar = 0;
  int64_t n = 0;
};

template <typename Fn>
void mapScalar(const float *src, float *dst, int64_t n, Fn fn) {
#pragma omp parallel for simd num_threads(loopThreads(n)) schedule(static)
  for (int64_t i = 0; i < n; ++i)
    dst[i] = fn(src[i]);
}
} // namespace

extern "C" int32_t qrt_scalar_init(qrt_model *model, int32_t opId,
                                   const qrt_scalar_desc *desc) {
  return guarded(opId, "scalar", [&] {
    checkInit(model, opId, desc, desc ? desc->abi_version : 0);
    const qrt_scalar_desc &d = *desc;
    require(d.op >= QRT_SCALAR_ADD && d.op <= QRT_SCALAR_MIN,
            "unknown scalar op ", d.op);
    requireDtype(d.dtype, "scalar", {QRT_F32});
    require(d.num_elements >= 0, "num_elements must be >= 0, got ",
            d.num_elements);
    checkReserved(d.reserved);
    auto op = std::make_unique<ScalarOp>();
    op->op = d.op;
    op->scalar = d.scalar;
    op->n = d.num_elements;
    op->info = "loop";
    install(model, opId, std::move(op));
  });
}

extern "C" int32_t qrt_scalar_run(qrt_model *model, qrt_exec *exec,
                                  int32_t opId, const void *src, void *dst) {
  return guarded(opId, "scalar", [&] {
    const ScalarOp &op = lookupAs<ScalarOp>(model, exec, opId);
    if (!op.n)
      return;
    requireNonNull(src, "src");
    requireNonNull(dst, "dst");
    ThreadScope threads(model->numThreads);
    const float *x = static_cast<const float *>(src);
    float *y = static_cast<float *>(dst);
    const float s = op.scalar;
    const int64_t n = op.n;
    switch (op.op) {
    case QRT_SCALAR_ADD:
      return mapScalar(x, y, n, [s](float v) { return v + s; });
    case QRT_SCALAR_SUB:
      return mapScalar(x, y, n, [s](float v) { return v - s; });
    case QRT_SCALAR_RSUB:
      return mapScalar(x, y, n, [s](float v) { return s - v; });
    case QRT_SCALAR_MUL:
      return mapScalar(x, y, n, [s](float v) { return v * s; });
    case QRT_SCALAR_DIV:
      return mapScalar(x, y, n, [s](float v) { return v / s; });
    case QRT_SCALAR_RDIV:
      return mapScalar(x, y, n, [s](float v) { return s / v; });
    case QRT_SCALAR_MAX:
      return mapScalar(x, y, n, [s](float v) { return std::max(v, s); });
    case QRT_SCALAR_MIN:
      return mapScalar(x, y, n, [s](float v) { return std::min(v, s); });
    case QRT_SCALAR_POW:
      if (s == 2.f)
        return mapScalar(x, y, n, [](float v) { return v * v; });
      return mapScalar(x, y, n, [s](float v) {
        return static_cast<float>(std::pow(double(v), double(s)));
      });
    case QRT_SCALAR_RPOW:
      return mapScalar(x, y, n, [s](float v) {
        return static_cast<float>(std::pow(double(s), double(v)));
      });
    }
  });
}
