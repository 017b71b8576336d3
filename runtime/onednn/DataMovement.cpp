//===- DataMovement.cpp - Concat, transpose, slice, crop, upsampling ------===//
//
// Concat and transpose use oneDNN (concat, and reorder between a permuted
// strided view and a dense layout). Slice, crop and upsampling are strided
// copies done by our own loops, for every element size.
//
//===----------------------------------------------------------------------===//

#include "../Runtime.h"

#include <algorithm>
#include <cstring>

using namespace qrt;

namespace {

template <size_t N> void checkReserved(const int64_t (&reserved)[N]) {
  for (int64_t r : reserved)
    require(r == 0, "reserved fields must be zero");
}

Dims stridesOf(const Dims &dims) {
  Dims strides(dims.size(), 1);
  for (int64_t i = static_cast<int64_t>(dims.size()) - 2; i >= 0; --i)
    strides[i] = strides[i + 1] * dims[i + 1];
  return strides;
}

//===----------------------------------------------------------------------===//
// Strided copy: dst (dense, `dims`) = src[offset + sum_i c_i * strides_i]
//===----------------------------------------------------------------------===//

struct StridedCopy {
  static constexpr int R = QRT_MAX_RANK;
  int64_t dims[R];
  int64_t strides[R]; // in elements; negative for reversed slices
  int64_t offset = 0;
  size_t elementSize = 4;
  int64_t n = 0;

  /// `d` and `s` have equal rank <= R; padded with leading unit dims.
  void init(const Dims &d, const Dims &s, int64_t start, size_t size) {
    const size_t lead = R - d.size();
    for (int i = 0; i < R; ++i) {
      dims[i] = i < int(lead) ? 1 : d[i - lead];
      strides[i] = i < int(lead) ? 0 : s[i - lead];
    }
    offset = start;
    elementSize = size;
    n = product(d);
  }

  template <typename T> void copyRows(const T *src, T *dst) const {
    const int64_t inner = dims[R - 1];
    const int64_t rows = inner ? n / inner : 0;
    const int64_t step = strides[R - 1];
#pragma omp parallel for num_threads(loopThreads(n)) schedule(static)
    for (int64_t row = 0; row < rows; ++row) {
      int64_t rest = row, from = offset;
      for (int d = R - 2; d >= 0; --d) {
        from += (rest % dims[d]) * strides[d];
        rest /= dims[d];
      }
      const T *x = src + from;
      T *y = dst + row * inner;
      if (step == 1) {
        std::memcpy(y, x, inner * sizeof(T));
      } else {
        for (int64_t i = 0; i < inner; ++i)
          y[i] = x[i * step];
      }
    }
  }

  void run(const void *src, void *dst) const {
    if (!n)
      return;
    switch (elementSize) {
    case 1:
      return copyRows(static_cast<const uint8_t *>(src),
                      static_cast<uint8_t *>(dst));
    default:
      return copyRows(static_cast<const uint32_t *>(src),
                      static_cast<uint32_t *>(dst));
    }
  }
};

//===----------------------------------------------------------------------===//
// Ops
//===----------------------------------------------------------------------===//

struct ConcatOp : Op {
  static constexpr OpKind Kind = OpKind::Concat;
  ConcatOp() : Op(Kind) {}
  dnnl::concat primitive;
  std::vector<dnnl::memory::desc> srcDescs;
  std::vector<int> inputs; // caller's index of each non-empty input
  dnnl::memory::desc dstDesc, scratchDesc;
  int32_t numInputs = 0;
  // qrt_concat_quantized_init: our loop, rescaling by steps.
  bool quantized = false;
  int32_t dstType = QRT_S8;
  qrt_qparam dstQ{};
  std::vector<int32_t> srcTypes;
  std::vector<qrt_qparam> srcQ;
  std::vector<int64_t> sizes; // along the axis
  int64_t outer = 0, inner = 0, total = 0;
};

/// dst[i] = sat(rne(src[i] * srcStep / dstStep)) in double.
template <typename S, typename D>
void rescale(const S *src, D *dst, int64_t n, double srcStep, double dstStep) {
  for (int64_t i = 0; i < n; ++i)
    dst[i] = saturateRound<D>(double(src[i]) * srcStep / dstStep);
}

template <typename D>
void rescaleFrom(int32_t srcType, const void *src, D *dst, int64_t n,
                 double srcStep, double dstStep) {
  if (srcType == QRT_U8)
    rescale(static_cast<const uint8_t *>(src), dst, n, srcStep, dstStep);
  else
    rescale(static_cast<const int8_t *>(src), dst, n, srcStep, dstStep);
}

void runQuantizedConcat(const ConcatOp &op, qrt_exec *exec,
                        const void *const *srcs, void *dst) {
  const size_t count = op.srcQ.size();
  float maxStep = 0;
  float *steps = reinterpret_cast<float *>(workspaceOf(exec, op));
  for (size_t i = 0; i < count; ++i) {
    steps[i] = stepOf(exec, op.srcQ[i], "src_q");
    maxStep = std::max(maxStep, steps[i]);
  }
  float dstStep;
  if (isStatic(op.dstQ)) {
    dstStep = op.dstQ.step;
  } else {
    dstStep = maxStep;
    writeStep(exec, op.dstQ.slot, dstStep);
  }
  if (op.outer * op.inner * op.total == 0)
    return;
  for (size_t i = 0; i < count; ++i)
    if (op.sizes[i] && !srcs[i])
      fail(QRT_ERR_NULL_POINTER, "input ", i, " is NULL");
  const int64_t rowBytes = op.total * op.inner;
#pragma omp parallel for num_threads(loopThreads(op.outer *rowBytes))          \
    schedule(static)
  for (int64_t o = 0; o < op.outer; ++o) {
    int64_t offset = o * rowBytes;
    for (size_t i = 0; i < count; ++i) {
      const int64_t n = op.sizes[i] * op.inner;
      if (!n)
        continue;
      const char *from = static_cast<const char *>(srcs[i]) + o * n;
      char *to = static_cast<char *>(dst) + offset;
      offset += n;
      if (op.srcTypes[i] == op.dstType && steps[i] == dstStep)
        std::memcpy(to, from, n);
      else if (op.dstType == QRT_U8)
        rescaleFrom(op.srcTypes[i], from, reinterpret_cast<uint8_t *>(to), n,
                    steps[i], dstStep);
      else
        rescaleFrom(op.srcTypes[i], from, reinterpret_cast<int8_t *>(to), n,
                    steps[i], dstStep);
    }
  }
}

struct TransposeOp : Op {
  static constexpr OpKind Kind = OpKind::Transpose;
  TransposeOp() : Op(Kind) {}
  bool empty = false;
  Reorder reorder;
};

struct CopyOp : Op {
  static constexpr OpKind Kind = OpKind::Slice;
  explicit CopyOp(OpKind kind) : Op(kind) {}
  StridedCopy copy;
};

struct UpsamplingOp : Op {
  static constexpr OpKind Kind = OpKind::Upsampling;
  UpsamplingOp() : Op(Kind) {}
  // [planes, 4 spatial dims (leading 1s)] of the input.
  int64_t planes = 0, in[4] = {1, 1, 1, 1};
  int64_t dimScale[4] = {1, 1, 1, 1};
  size_t elementSize = 4;
};

template <typename T>
void upsample(const UpsamplingOp &op, const T *src, T *dst) {
  // Padded leading dims are not scaled.
  const int64_t *sc = op.dimScale;
  const int64_t out[4] = {op.in[0] * sc[0], op.in[1] * sc[1], op.in[2] * sc[2],
                          op.in[3] * sc[3]};
  const int64_t inPlane = op.in[0] * op.in[1] * op.in[2] * op.in[3];
  const int64_t outRows = out[0] * out[1] * out[2];
  const int64_t rows = op.planes * outRows;
  const int64_t s = sc[3];
#pragma omp parallel for num_threads(loopThreads(rows *out[3])) schedule(static)
  for (int64_t row = 0; row < rows; ++row) {
    const int64_t plane = row / outRows;
    int64_t rest = row % outRows;
    const int64_t o2 = rest % out[2];
    rest /= out[2];
    const int64_t o1 = rest % out[1], o0 = rest / out[1];
    const T *x =
        src + plane * inPlane +
        ((o0 / sc[0] * op.in[1] + o1 / sc[1]) * op.in[2] + o2 / sc[2]) *
            op.in[3];
    T *y = dst + row * out[3];
    for (int64_t i = 0; i < op.in[3]; ++i)
      std::fill_n(y + i * s, s, x[i]);
  }
}

} // namespace

//===----------------------------------------------------------------------===//
// Concat
//===----------------------------------------------------------------------===//

/// Both concat inits; srcQ is NULL for the byte-moving one.
static int32_t initConcat(qrt_model *model, int32_t opId,
                          const qrt_concat_desc *desc, const int64_t *axisSizes,
                          const int32_t *srcTypes, const qrt_qparam *srcQ,
                          bool quantized) {
  return guarded(opId, "concat", [&] {
    checkInit(model, opId, desc, desc ? desc->abi_version : 0);
    const qrt_concat_desc &d = *desc;
    const size_t elementSize = dtypeSize(d.dtype, "concat");
    (void)elementSize;
    const Dims logical = shapeDims(d.output, "output", 1);
    const int64_t logicalAxis = resolveAxis(d.axis, logical.size(), "axis");
    require(d.num_inputs >= 1, "needs at least one input, got ", d.num_inputs);
    require(d.reserved0 == 0, "reserved fields must be zero");
    checkLayout(d.layout, "layout", logical.size());
    // Inputs differ from the output only along the axis, so a channels-
    // last concat is the plain one of the stored dims [N, S..., C].
    const Dims out = storageDims(logical, d.layout);
    const int64_t axis = storageAxis(logicalAxis, logical.size(), d.layout);
    requireNonNull(axisSizes, "axis_sizes");
    int64_t total = 0;
    for (int32_t i = 0; i < d.num_inputs; ++i) {
      require(axisSizes[i] >= 0, "input ", i, " has negative size ",
              axisSizes[i], " along the axis");
      total += axisSizes[i];
    }
    require(total == out[axis], "input sizes along axis ", logicalAxis,
            " add up to ", total, " but the output has ", out[axis]);
    ThreadScope threads(model->numThreads);
    auto op = std::make_unique<ConcatOp>();
    op->numInputs = d.num_inputs;
    const int64_t outer = product(Dims(out.begin(), out.begin() + axis));
    const int64_t inner = product(Dims(out.begin() + axis + 1, out.end()));
    if (quantized) {
      requireDtype(d.dtype, "quantized concat", {QRT_S8, QRT_U8});
      requireNonNull(srcQ, "src_q");
      op->quantized = true;
      op->dstType = d.dtype;
      checkQParam(d.dst_q, "dst_q", *op);
      op->dstQ = d.dst_q;
      for (int32_t i = 0; i < d.num_inputs; ++i) {
        const int32_t type = srcTypes ? srcTypes[i] : d.dtype;
        requireDtype(type, "quantized concat input", {QRT_S8, QRT_U8});
        const std::string what = "src_q[" + std::to_string(i) + "]";
        checkQParam(srcQ[i], what.c_str(), *op);
        op->srcTypes.push_back(type);
        op->srcQ.push_back(srcQ[i]);
        op->sizes.push_back(axisSizes[i]);
      }
      op->outer = outer;
      op->inner = inner;
      op->total = total;
      op->workspaceBytes = d.num_inputs * sizeof(float); // resolved steps
      op->info = d.layout == QRT_LAYOUT_NHWC ? "loop nhwc (copy or rescale)"
                                             : "loop (copy or rescale)";
      install(model, opId, std::move(op));
      return;
    }
    if (outer * inner * total == 0) {
      op->info = "empty";
      install(model, opId, std::move(op));
      return;
    }
    const auto type = dnnlType(d.dtype);
    for (int32_t i = 0; i < d.num_inputs; ++i)
      if (axisSizes[i]) {
        op->srcDescs.push_back(plainDesc({outer, axisSizes[i], inner}, type));
        op->inputs.push_back(i);
      }
    op->dstDesc = plainDesc({outer, total, inner}, type);
    dnnl::concat::primitive_desc pd(op->dstDesc, 1, op->srcDescs, model->engine,
                                    userScratchpad());
    op->primitive = dnnl::concat(pd);
    op->scratchDesc = pd.scratchpad_desc();
    op->workspaceBytes = op->scratchDesc.get_size();
    op->info = implName(pd) + (d.layout == QRT_LAYOUT_NHWC ? " nhwc" : "");
    install(model, opId, std::move(op));
  });
}

extern "C" int32_t qrt_concat_init(qrt_model *model, int32_t opId,
                                   const qrt_concat_desc *desc,
                                   const int64_t *axisSizes) {
  return initConcat(model, opId, desc, axisSizes, nullptr, nullptr, false);
}

extern "C" int32_t qrt_concat_quantized_init(qrt_model *model, int32_t opId,
                                             const qrt_concat_desc *desc,
                                             const int64_t *axisSizes,
                                             const int32_t *srcTypes,
                                             const qrt_qparam *srcQ) {
  return initConcat(model, opId, desc, axisSizes, srcTypes, srcQ, true);
}

extern "C" int32_t qrt_concat_run(qrt_model *model, qrt_exec *exec,
                                  int32_t opId, const void *const *srcs,
                                  void *dst) {
  return guarded(opId, "concat", [&] {
    const ConcatOp &op = lookupAs<ConcatOp>(model, exec, opId);
    if (op.quantized) {
      if (op.outer * op.inner * op.total != 0) {
        requireNonNull(srcs, "srcs");
        requireNonNull(dst, "dst");
      }
      ThreadScope threads(model->numThreads);
      return runQuantizedConcat(op, exec, srcs, dst);
    }
    if (!op.primitive)
      return;
    requireNonNull(srcs, "srcs");
    requireNonNull(dst, "dst");
    ThreadScope threads(model->numThreads);
    const dnnl::engine &engine = model->engine;
    std::unordered_map<int, dnnl::memory> args = {
        {DNNL_ARG_DST, wrap(op.dstDesc, engine, dst)}};
    for (size_t i = 0; i < op.inputs.size(); ++i) {
      const void *src = srcs[op.inputs[i]];
      if (!src)
        fail(QRT_ERR_NULL_POINTER, "input ", op.inputs[i], " is NULL");
      args[DNNL_ARG_MULTIPLE_SRC + static_cast<int>(i)] =
          wrap(op.srcDescs[i], engine, src);
    }
    if (op.scratchDesc.get_size())
      args[DNNL_ARG_SCRATCHPAD] =
          wrap(op.scratchDesc, engine, workspaceOf(exec, op));
    op.primitive.execute(exec->stream, args);
    exec->stream.wait();
  });
}

//===----------------------------------------------------------------------===//
// Transpose
//===----------------------------------------------------------------------===//

extern "C" int32_t qrt_transpose_init(qrt_model *model, int32_t opId,
                                      const qrt_transpose_desc *desc) {
  return guarded(opId, "transpose", [&] {
    checkInit(model, opId, desc, desc ? desc->abi_version : 0);
    const qrt_transpose_desc &d = *desc;
    dtypeSize(d.dtype, "transpose");
    const Dims in = shapeDims(d.input, "input");
    const int64_t rank = in.size();
    require(d.perm_size == 0 || d.perm_size == rank, "perm_size must be 0 or ",
            "the rank ", rank, ", got ", d.perm_size);
    checkReserved(d.reserved);
    std::vector<int64_t> perm(rank);
    std::vector<bool> seen(rank, false);
    for (int64_t i = 0; i < rank; ++i) {
      const int64_t axis = d.perm_size
                               ? resolveAxis(d.perm[i], rank, "perm axis")
                               : rank - 1 - i;
      require(!seen[axis], "axis ", axis, " appears twice in perm");
      seen[axis] = true;
      perm[i] = axis;
    }
    ThreadScope threads(model->numThreads);
    auto op = std::make_unique<TransposeOp>();
    const Dims inStrides = stridesOf(in);
    Dims out(rank), viewStrides(rank);
    for (int64_t i = 0; i < rank; ++i) {
      out[i] = in[perm[i]];
      viewStrides[i] = inStrides[perm[i]];
    }
    op->empty = product(in) == 0;
    if (op->empty) {
      op->info = "empty";
    } else {
      if (!rank) { // a scalar: a 1-element copy
        out = viewStrides = {1};
      }
      const auto type = dnnlType(d.dtype);
      WorkspacePlan plan;
      op->reorder.create(model->engine,
                         dnnl::memory::desc(out, type, viewStrides),
                         plainDesc(out, type), plan);
      op->workspaceBytes = plan.size();
      op->info = "reorder";
    }
    install(model, opId, std::move(op));
  });
}

extern "C" int32_t qrt_transpose_run(qrt_model *model, qrt_exec *exec,
                                     int32_t opId, const void *src, void *dst) {
  return guarded(opId, "transpose", [&] {
    const TransposeOp &op = lookupAs<TransposeOp>(model, exec, opId);
    if (op.empty)
      return;
    requireNonNull(src, "src");
    requireNonNull(dst, "dst");
    ThreadScope threads(model->numThreads);
    op.reorder.execute(exec, workspaceOf(exec, op), src, dst);
    exec->stream.wait();
  });
}

//===----------------------------------------------------------------------===//
// Slice and crop
//===----------------------------------------------------------------------===//

extern "C" int32_t qrt_slice_init(qrt_model *model, int32_t opId,
                                  const qrt_slice_desc *desc) {
  return guarded(opId, "slice", [&] {
    checkInit(model, opId, desc, desc ? desc->abi_version : 0);
    const qrt_slice_desc &d = *desc;
    const size_t elementSize = dtypeSize(d.dtype, "slice");
    const Dims in = shapeDims(d.input, "input");
    const int64_t rank = in.size();
    require(d.num_axes >= 0 && d.num_axes <= rank, "num_axes must be in [0, ",
            rank, "], got ", d.num_axes);
    checkReserved(d.reserved);
    const Dims inStrides = stridesOf(in);
    Dims out(rank), strides(rank);
    int64_t offset = 0;
    for (int64_t a = 0; a < rank; ++a) {
      const int64_t dim = in[a];
      if (a >= d.num_axes) {
        out[a] = dim;
        strides[a] = inStrides[a];
        continue;
      }
      const int64_t begin = d.begin[a], end = d.end[a], step = d.step[a];
      int64_t count = 0;
      if (step > 0) {
        require(begin >= 0 && begin <= dim && end >= 0 && end <= dim, "axis ",
                a, " needs 0 <= begin, end <= ", dim,
                " for a positive step, got ", begin, ":", end);
        count = end > begin ? (end - begin + step - 1) / step : 0;
      } else {
        require(step != 0, "axis ", a, " has step 0");
        require(begin >= -1 && begin < dim && end >= -1 && end < dim, "axis ",
                a, " needs -1 <= begin, end < ", dim,
                " for a negative step, got ", begin, ":", end);
        count = begin > end ? (begin - end - step - 1) / -step : 0;
      }
      out[a] = count;
      strides[a] = step * inStrides[a];
      if (count)
        offset += begin * inStrides[a];
    }
    auto op = std::make_unique<CopyOp>(OpKind::Slice);
    if (rank)
      op->copy.init(out, strides, offset, elementSize);
    else
      op->copy.init({1}, {1}, 0, elementSize);
    op->info = "loop";
    install(model, opId, std::move(op));
  });
}

extern "C" int32_t qrt_slice_run(qrt_model *model, qrt_exec *exec, int32_t opId,
                                 const void *src, void *dst) {
  return guarded(opId, "slice", [&] {
    const CopyOp &op =
        static_cast<const CopyOp &>(lookup(model, exec, opId, OpKind::Slice));
    if (!op.copy.n)
      return;
    requireNonNull(src, "src");
    requireNonNull(dst, "dst");
    ThreadScope threads(model->numThreads);
    op.copy.run(src, dst);
  });
}

extern "C" int32_t qrt_crop_init(qrt_model *model, int32_t opId,
                                 const qrt_crop_desc *desc) {
  return guarded(opId, "crop", [&] {
    checkInit(model, opId, desc, desc ? desc->abi_version : 0);
    const qrt_crop_desc &d = *desc;
    const size_t elementSize = dtypeSize(d.dtype, "crop");
    const Dims in = shapeDims(d.input, "input", 3);
    require(in.size() <= 2 + QRT_MAX_SPATIAL,
            "input rank must be 3 to 5, "
            "got ",
            in.size());
    checkReserved(d.reserved);
    const Dims inStrides = stridesOf(in);
    Dims out = {in[0], in[1]};
    int64_t offset = 0;
    for (size_t i = 0; i + 2 < in.size(); ++i) {
      const int64_t o = d.offsets[i], s = d.sizes[i], dim = in[2 + i];
      require(o >= 0 && s >= 0 && o + s <= dim, "window ", o, "+", s,
              " does not fit spatial dim ", i, " of size ", dim);
      out.push_back(s);
      offset += o * inStrides[2 + i];
    }
    auto op = std::make_unique<CopyOp>(OpKind::Crop);
    op->copy.init(out, inStrides, offset, elementSize);
    op->info = "loop";
    install(model, opId, std::move(op));
  });
}

extern "C" int32_t qrt_crop_run(qrt_model *model, qrt_exec *exec, int32_t opId,
                                const void *src, void *dst) {
  return guarded(opId, "crop", [&] {
    const CopyOp &op =
        static_cast<const CopyOp &>(lookup(model, exec, opId, OpKind::Crop));
    if (!op.copy.n)
      return;
    requireNonNull(src, "src");
    requireNonNull(dst, "dst");
    ThreadScope threads(model->numThreads);
    op.copy.run(src, dst);
  });
}

//===----------------------------------------------------------------------===//
// Upsampling
//===----------------------------------------------------------------------===//

extern "C" int32_t qrt_upsampling_init(qrt_model *model, int32_t opId,
                                       const qrt_upsampling_desc *desc) {
  return guarded(opId, "upsampling", [&] {
    checkInit(model, opId, desc, desc ? desc->abi_version : 0);
    const qrt_upsampling_desc &d = *desc;
    const size_t elementSize = dtypeSize(d.dtype, "upsampling");
    const Dims in = shapeDims(d.input, "input", 3);
    require(d.scale >= 1, "scale must be >= 1, got ", d.scale);
    checkReserved(d.reserved);
    auto op = std::make_unique<UpsamplingOp>();
    op->planes = in[0] * in[1];
    const size_t lead = 4 - (in.size() - 2);
    for (size_t i = 2; i < in.size(); ++i) {
      op->in[lead + i - 2] = in[i];
      op->dimScale[lead + i - 2] = d.scale;
    }
    op->elementSize = elementSize;
    // Output size must not overflow.
    Dims out = in;
    for (size_t i = 2; i < out.size(); ++i) {
      require(out[i] <= INT64_MAX / d.scale, "output too large");
      out[i] *= d.scale;
    }
    product(out);
    op->info = "loop";
    install(model, opId, std::move(op));
  });
}

extern "C" int32_t qrt_upsampling_run(qrt_model *model, qrt_exec *exec,
                                      int32_t opId, const void *src,
                                      void *dst) {
  return guarded(opId, "upsampling", [&] {
    const UpsamplingOp &op = lookupAs<UpsamplingOp>(model, exec, opId);
    if (!op.planes || !op.in[0] || !op.in[1] || !op.in[2] || !op.in[3])
      return;
    requireNonNull(src, "src");
    requireNonNull(dst, "dst");
    ThreadScope threads(model->numThreads);
    if (op.elementSize == 1)
      upsample(op, static_cast<const uint8_t *>(src),
               static_cast<uint8_t *>(dst));
    else
      upsample(op, static_cast<const uint32_t *>(src),
               static_cast<uint32_t *>(dst));
  });
}
