//===- Runtime.cpp - Model, execution context, errors, helpers ------------===//

#include "Runtime.h"

#include "qrt/parallel.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <omp.h>

using namespace qrt;

//===----------------------------------------------------------------------===//
// Errors
//===----------------------------------------------------------------------===//

static thread_local std::string lastError;

int32_t qrt::setLastError(int32_t status, std::string message) {
  try {
    lastError = std::move(message);
  } catch (...) {
    // Keep the status even if the message cannot be stored.
  }
  return status;
}

void qrt::clearLastError() { lastError.clear(); }

extern "C" const char *qrt_last_error(void) { return lastError.c_str(); }

//===----------------------------------------------------------------------===//
// Threads
//===----------------------------------------------------------------------===//

ThreadScope::ThreadScope(int threads) {
  if (threads <= 0)
    return;
  const int current = omp_get_max_threads();
  if (current != threads) {
    saved = current;
    omp_set_num_threads(threads);
  }
}

ThreadScope::~ThreadScope() {
  if (saved > 0)
    omp_set_num_threads(saved);
}

int qrt::loopThreads(int64_t work) {
  // Below ~64K elements a parallel region costs more than it saves.
  constexpr int64_t grain = 1 << 16;
  const int64_t wanted = std::max<int64_t>(1, work / grain);
  return static_cast<int>(
      std::min<int64_t>(wanted, std::max(1, omp_get_max_threads())));
}

//===----------------------------------------------------------------------===//
// Model and execution context
//===----------------------------------------------------------------------===//

const char *qrt::opKindName(OpKind kind) {
  switch (kind) {
  case OpKind::Conv:
    return "convolution";
  case OpKind::Fc:
    return "fully_connected";
  case OpKind::Pooling:
    return "pooling";
  case OpKind::BatchNorm:
    return "batch_norm";
  case OpKind::Activation:
    return "activation";
  case OpKind::Prelu:
    return "prelu";
  case OpKind::Binary:
    return "binary";
  case OpKind::Scalar:
    return "scalar";
  case OpKind::Softmax:
    return "softmax";
  case OpKind::Concat:
    return "concat";
  case OpKind::Transpose:
    return "transpose";
  case OpKind::Slice:
    return "slice";
  case OpKind::Upsampling:
    return "upsampling";
  case OpKind::Crop:
    return "crop";
  case OpKind::Quantize:
    return "quantize";
  case OpKind::QuantizedAdd:
    return "quantized_add";
  case OpKind::InputLookup:
    return "input_lookup";
  }
  return "?";
}

extern "C" qrt_model *qrt_model_create(int32_t numOps, int32_t numThreads) {
  qrt_model *result = nullptr;
  const int32_t status = guarded(-1, "model", [&] {
    require(numOps >= 0, "num_ops must be >= 0, got ", numOps);
    require(numThreads >= 0, "num_threads must be >= 0, got ", numThreads);
    auto model = std::make_unique<qrt_model>();
    model->numThreads = numThreads;
    model->engine = dnnl::engine(dnnl::engine::kind::cpu, 0);
    model->ops.resize(numOps);
    result = model.release();
  });
  if (status == QRT_OK)
    clearLastError();
  return result;
}

extern "C" void qrt_model_destroy(qrt_model *model) { delete model; }

extern "C" int32_t qrt_model_parallel_for(const qrt_model *model,
                                          qrt_kernel_fn fn, void **args,
                                          int64_t num_tiles) {
  int32_t threads = 0;
  int32_t status = guarded(-1, "parallel_for", [&] {
    requireNonNull(model, "model");
    requireNonNull(reinterpret_cast<const void *>(fn), "fn");
    require(num_tiles >= 0, "negative tile count ", num_tiles);
    threads = model->numThreads;
  });
  if (status != QRT_OK)
    return status;
  return qrt_parallel_for(fn, args, num_tiles, threads);
}

extern "C" int64_t qrt_model_scratch_size(const qrt_model *model) {
  return model ? static_cast<int64_t>(model->maxWorkspace) : 0;
}

extern "C" const char *qrt_op_info(const qrt_model *model, int32_t opId) {
  if (!model || opId < 0 || opId >= static_cast<int32_t>(model->ops.size()) ||
      !model->ops[opId])
    return nullptr;
  return model->ops[opId]->info.c_str();
}

char *qrt::reserveWorkspace(qrt_exec *exec, size_t bytes) {
  if (bytes > exec->workspaceSize) {
    // Only when an op was initialised after qrt_exec_create().
    const size_t rounded = (bytes + 63) / 64 * 64;
    char *grown = static_cast<char *>(std::aligned_alloc(64, rounded));
    if (!grown)
      throw std::bad_alloc();
    exec->workspace.reset(grown);
    exec->workspaceSize = rounded;
  }
  return exec->workspace.get();
}

extern "C" qrt_exec *qrt_exec_create(qrt_model *model) {
  qrt_exec *result = nullptr;
  const int32_t status = guarded(-1, "exec", [&] {
    requireNonNull(model, "model");
    auto exec = std::make_unique<qrt_exec>();
    exec->model = model;
    exec->stream = dnnl::stream(model->engine);
    if (model->maxWorkspace)
      reserveWorkspace(exec.get(), model->maxWorkspace);
    exec->steps.assign(model->numSlots, 0.f);
    result = exec.release();
  });
  if (status == QRT_OK)
    clearLastError();
  return result;
}

extern "C" void qrt_exec_destroy(qrt_exec *exec) { delete exec; }

extern "C" int32_t qrt_copy(const void *src, void *dst, int64_t numBytes) {
  return guarded(-1, "copy", [&] {
    require(numBytes >= 0, "negative byte count ", numBytes);
    if (!numBytes)
      return;
    requireNonNull(src, "src");
    requireNonNull(dst, "dst");
    if (src != dst)
      std::memmove(dst, src, static_cast<size_t>(numBytes));
  });
}

void qrt::checkInit(qrt_model *model, int32_t opId, const void *desc,
                    uint32_t abiVersion) {
  requireNonNull(model, "model");
  requireNonNull(desc, "descriptor");
  if (opId < 0 || opId >= static_cast<int32_t>(model->ops.size()))
    fail(QRT_ERR_BAD_OP_ID, "op id out of range [0, ", model->ops.size(), ")");
  if (model->ops[opId])
    fail(QRT_ERR_BAD_OP_ID, "op id already initialised");
  if (abiVersion != QRT_ABI_VERSION)
    fail(QRT_ERR_ABI_VERSION, "descriptor has abi_version ", abiVersion,
         ", the runtime implements ", QRT_ABI_VERSION);
}

void qrt::install(qrt_model *model, int32_t opId, std::unique_ptr<Op> op) {
  model->maxWorkspace = std::max(model->maxWorkspace, op->workspaceBytes);
  model->numSlots = std::max(model->numSlots, op->maxSlot + 1);
  model->ops[opId] = std::move(op);
}

Op &qrt::lookup(qrt_model *model, qrt_exec *exec, int32_t opId, OpKind kind) {
  requireNonNull(model, "model");
  requireNonNull(exec, "exec");
  if (exec->model != model)
    fail(QRT_ERR_INVALID_ARGUMENT, "exec was created for another model");
  if (opId < 0 || opId >= static_cast<int32_t>(model->ops.size()))
    fail(QRT_ERR_BAD_OP_ID, "op id out of range [0, ", model->ops.size(), ")");
  Op *op = model->ops[opId].get();
  if (!op)
    fail(QRT_ERR_BAD_OP_ID, "op was not initialised");
  if (op->kind != kind)
    fail(QRT_ERR_BAD_OP_ID, "op was initialised as ", opKindName(op->kind));
  return *op;
}

//===----------------------------------------------------------------------===//
// Descriptor checks
//===----------------------------------------------------------------------===//

Dims qrt::shapeDims(const qrt_shape &shape, const char *what, int minRank) {
  require(shape.rank >= minRank && shape.rank <= QRT_MAX_RANK, what, " rank ",
          shape.rank, " outside [", minRank, ", ", QRT_MAX_RANK, "]");
  Dims dims(shape.dims, shape.dims + shape.rank);
  for (int64_t dim : dims)
    require(dim >= 0, what, " has a negative dim: ", dimsToString(dims));
  return dims;
}

int64_t qrt::product(const Dims &dims) {
  int64_t count = 1;
  for (int64_t dim : dims) {
    if (dim && count > std::numeric_limits<int64_t>::max() / dim)
      fail(QRT_ERR_INVALID_ARGUMENT, "shape ", dimsToString(dims),
           " is too large");
    count *= dim;
  }
  return count;
}

std::string qrt::dimsToString(const Dims &dims) {
  std::string text = "[";
  for (size_t i = 0; i < dims.size(); ++i)
    text += (i ? ", " : "") + std::to_string(dims[i]);
  return text + "]";
}

int64_t qrt::resolveAxis(int64_t axis, int64_t rank, const char *what) {
  require(axis >= -rank && axis < rank, what, " ", axis,
          " out of range for rank ", rank);
  return axis < 0 ? axis + rank : axis;
}

size_t qrt::dtypeSize(int32_t dtype, const char *what) {
  switch (dtype) {
  case QRT_F32:
  case QRT_S32:
    return 4;
  case QRT_S8:
  case QRT_U8:
    return 1;
  }
  fail(QRT_ERR_INVALID_ARGUMENT, what, " has unknown dtype ", dtype);
}

const char *qrt::dtypeName(int32_t dtype) {
  switch (dtype) {
  case QRT_F32:
    return "f32";
  case QRT_S8:
    return "s8";
  case QRT_U8:
    return "u8";
  case QRT_S32:
    return "s32";
  }
  return "?";
}

dnnl::memory::data_type qrt::dnnlType(int32_t dtype) {
  using dt = dnnl::memory::data_type;
  switch (dtype) {
  case QRT_S8:
    return dt::s8;
  case QRT_U8:
    return dt::u8;
  case QRT_S32:
    return dt::s32;
  default:
    return dt::f32;
  }
}

void qrt::requireDtype(int32_t dtype, const char *what,
                       std::initializer_list<int32_t> allowed) {
  dtypeSize(dtype, what);
  if (std::find(allowed.begin(), allowed.end(), dtype) != allowed.end())
    return;
  std::string names;
  for (int32_t a : allowed)
    names += std::string(names.empty() ? "" : ", ") + dtypeName(a);
  fail(QRT_ERR_UNSUPPORTED, what, " dtype ", dtypeName(dtype),
       " is not supported (supported: ", names, ")");
}

//===----------------------------------------------------------------------===//
// int8: steps
//===----------------------------------------------------------------------===//

// Far more slots than any graph has tensors; catches garbage slot numbers
// before they size an allocation.
static constexpr int32_t kMaxSlots = 1 << 24;

void qrt::checkQParam(const qrt_qparam &q, const char *what, Op &op) {
  if (isStatic(q))
    return;
  require(q.step == 0, what, ": step ", q.step,
          " must be finite and > 0 (static) or 0 (dynamic, in a slot)");
  require(q.slot >= 0 && q.slot < kMaxSlots, what, ": dynamic step slot ",
          q.slot, " outside [0, ", kMaxSlots, ")");
  op.maxSlot = std::max(op.maxSlot, q.slot);
}

void qrt::requireStaticStep(const qrt_qparam &q, const char *what) {
  if (!isStatic(q))
    fail(q.step == 0 ? QRT_ERR_UNSUPPORTED : QRT_ERR_INVALID_ARGUMENT, what,
         " needs a static step (finite, > 0), got step ", q.step, " slot ",
         q.slot);
}

/// The exec's slots, grown to the model's count (an exec made before some
/// inits).
static std::vector<float> &slotsOf(qrt_exec *exec) {
  if (exec->steps.size() < static_cast<size_t>(exec->model->numSlots))
    exec->steps.resize(exec->model->numSlots, 0.f);
  return exec->steps;
}

float qrt::stepOf(qrt_exec *exec, const qrt_qparam &q, const char *what) {
  if (isStatic(q))
    return q.step;
  std::vector<float> &slots = slotsOf(exec);
  const float step = q.slot >= 0 && static_cast<size_t>(q.slot) < slots.size()
                         ? slots[q.slot]
                         : 0.f;
  if (!(step > 0 && step <= std::numeric_limits<float>::max()))
    fail(QRT_ERR_INVALID_ARGUMENT, what, ": dynamic step slot ", q.slot,
         " holds ", step, " (not written by an earlier op of this run?)");
  return step;
}

void qrt::writeStep(qrt_exec *exec, int32_t slot, float step) {
  std::vector<float> &slots = slotsOf(exec);
  if (slot < 0 || static_cast<size_t>(slot) >= slots.size())
    fail(QRT_ERR_INTERNAL, "step slot ", slot, " was not planned");
  slots[slot] = step;
}

double qrt::quantRange(int32_t dtype) {
  return dtype == QRT_U8 ? 255.5 : 127.5;
}

float qrt::dynamicStep(double absmax, int32_t dtype) {
  const double range = quantRange(dtype);
  const float step = static_cast<float>(absmax / range);
  return step > 0 && step <= std::numeric_limits<float>::max()
             ? step
             : static_cast<float>(1 / range);
}

extern "C" int32_t qrt_model_num_step_slots(const qrt_model *model) {
  return model ? model->numSlots : 0;
}

extern "C" int32_t qrt_exec_set_step(qrt_exec *exec, int32_t slot, float step) {
  return guarded(-1, "exec", [&] {
    requireNonNull(exec, "exec");
    require(slot >= 0 && slot < exec->model->numSlots, "step slot ", slot,
            " outside [0, ", exec->model->numSlots, ")");
    require(step > 0 && step <= std::numeric_limits<float>::max(), "step ",
            step, " must be finite and > 0");
    slotsOf(exec)[slot] = step;
  });
}

extern "C" int32_t qrt_exec_get_step(qrt_exec *exec, int32_t slot,
                                     float *step) {
  return guarded(-1, "exec", [&] {
    requireNonNull(exec, "exec");
    requireNonNull(step, "step");
    require(slot >= 0 && slot < exec->model->numSlots, "step slot ", slot,
            " outside [0, ", exec->model->numSlots, ")");
    *step = slotsOf(exec)[slot];
  });
}

//===----------------------------------------------------------------------===//
// Element-wise functions
//===----------------------------------------------------------------------===//

// Constants of Klambauer et al. 2017, as MXNet uses them.
static constexpr double seluLambda = 1.0507009873554804934193349852946;
static constexpr double seluAlpha = 1.6732632423543772848170429916717;

const char *qrt::eltwiseName(int32_t kind) {
  static const char *names[] = {"none",     "relu",     "sigmoid", "tanh",
                                "softrelu", "softsign", "leaky",   "elu",
                                "selu",     "gelu",     "clip",    "square",
                                "sqrt",     "exp",      "abs"};
  return kind >= 0 && kind <= QRT_ELTWISE_ABS ? names[kind] : "?";
}

void qrt::checkEltwise(const qrt_eltwise &e, const char *what) {
  require(e.kind >= QRT_ELTWISE_NONE && e.kind <= QRT_ELTWISE_ABS, what,
          ": unknown element-wise kind ", e.kind);
  require(std::isfinite(e.alpha) && std::isfinite(e.beta), what,
          ": alpha and beta must be finite");
  require(e.kind != QRT_ELTWISE_CLIP || e.alpha <= e.beta, what,
          ": clip needs min <= max, got ", e.alpha, " > ", e.beta);
}

bool qrt::toDnnl(const qrt_eltwise &e, DnnlEltwise &r) {
  using alg = dnnl::algorithm;
  r = {alg::eltwise_linear, 1.f, 0.f, 1.f};
  switch (e.kind) {
  case QRT_ELTWISE_NONE:
    return true;
  case QRT_ELTWISE_RELU:
    r.algorithm = alg::eltwise_relu, r.alpha = 0;
    return true;
  case QRT_ELTWISE_SIGMOID:
    r.algorithm = alg::eltwise_logistic;
    return true;
  case QRT_ELTWISE_TANH:
    r.algorithm = alg::eltwise_tanh;
    return true;
  case QRT_ELTWISE_SOFTRELU:
    r.algorithm = alg::eltwise_soft_relu;
    return true;
  case QRT_ELTWISE_LEAKY:
    r.algorithm = alg::eltwise_relu, r.alpha = e.alpha;
    return true;
  case QRT_ELTWISE_ELU:
    r.algorithm = alg::eltwise_elu, r.alpha = e.alpha;
    return true;
  case QRT_ELTWISE_SELU:
    // The post-op scale supplies lambda; eltwise primitives cannot use it.
    r.algorithm = alg::eltwise_elu, r.alpha = float(seluAlpha);
    r.scale = float(seluLambda);
    return true;
  case QRT_ELTWISE_GELU:
    r.algorithm = alg::eltwise_gelu_erf;
    return true;
  case QRT_ELTWISE_CLIP:
    r.algorithm = alg::eltwise_clip, r.alpha = e.alpha, r.beta = e.beta;
    return true;
  case QRT_ELTWISE_SQUARE:
    r.algorithm = alg::eltwise_square;
    return true;
  case QRT_ELTWISE_SQRT:
    r.algorithm = alg::eltwise_sqrt;
    return true;
  case QRT_ELTWISE_EXP:
    r.algorithm = alg::eltwise_exp;
    return true;
  case QRT_ELTWISE_ABS:
    r.algorithm = alg::eltwise_abs;
    return true;
  default: // softsign has no oneDNN form
    return false;
  }
}

bool qrt::appendEltwise(dnnl::post_ops &ops, const qrt_eltwise &e) {
  if (e.kind == QRT_ELTWISE_NONE)
    return true;
  DnnlEltwise d;
  if (!toDnnl(e, d))
    return false;
  ops.append_eltwise(d.scale, d.algorithm, d.alpha, d.beta);
  return true;
}

double qrt::evalEltwise(const qrt_eltwise &e, double x) {
  const double alpha = e.alpha;
  switch (e.kind) {
  case QRT_ELTWISE_RELU:
    return x > 0 ? x : 0.0;
  case QRT_ELTWISE_SIGMOID:
    return 1.0 / (1.0 + std::exp(-x));
  case QRT_ELTWISE_TANH:
    return std::tanh(x);
  case QRT_ELTWISE_SOFTRELU:
    return std::max(x, 0.0) + std::log1p(std::exp(-std::fabs(x)));
  case QRT_ELTWISE_SOFTSIGN:
    return x / (1.0 + std::fabs(x));
  case QRT_ELTWISE_LEAKY:
    return x > 0 ? x : alpha * x;
  case QRT_ELTWISE_ELU:
    return x > 0 ? x : alpha * std::expm1(x);
  case QRT_ELTWISE_SELU:
    return seluLambda * (x > 0 ? x : seluAlpha * std::expm1(x));
  case QRT_ELTWISE_GELU:
    return 0.5 * x * (1.0 + std::erf(x / std::sqrt(2.0)));
  case QRT_ELTWISE_CLIP:
    return std::min(std::max(x, alpha), double(e.beta));
  case QRT_ELTWISE_SQUARE:
    return x * x;
  case QRT_ELTWISE_SQRT:
    return std::sqrt(x);
  case QRT_ELTWISE_EXP:
    return std::exp(x);
  case QRT_ELTWISE_ABS:
    return std::fabs(x);
  default:
    return x;
  }
}

template <typename Fn> static void mapFloats(float *data, int64_t n, Fn fn) {
#pragma omp parallel for num_threads(loopThreads(n)) schedule(static)
  for (int64_t i = 0; i < n; ++i)
    data[i] = fn(data[i]);
}

void qrt::applyEltwise(const qrt_eltwise &e, float *data, int64_t n) {
  const float alpha = e.alpha, beta = e.beta;
  switch (e.kind) {
  case QRT_ELTWISE_NONE:
    return;
  case QRT_ELTWISE_RELU:
    return mapFloats(data, n, [](float x) { return x > 0 ? x : 0.f; });
  case QRT_ELTWISE_SIGMOID:
    return mapFloats(data, n,
                     [](float x) { return 1.f / (1.f + std::exp(-x)); });
  case QRT_ELTWISE_TANH:
    return mapFloats(data, n, [](float x) { return std::tanh(x); });
  case QRT_ELTWISE_SOFTRELU:
    return mapFloats(data, n, [](float x) {
      return std::max(x, 0.f) + std::log1p(std::exp(-std::fabs(x)));
    });
  case QRT_ELTWISE_SOFTSIGN:
    return mapFloats(data, n, [](float x) { return x / (1.f + std::fabs(x)); });
  case QRT_ELTWISE_LEAKY:
    return mapFloats(data, n, [=](float x) { return x > 0 ? x : alpha * x; });
  case QRT_ELTWISE_ELU:
    return mapFloats(
        data, n, [=](float x) { return x > 0 ? x : alpha * std::expm1(x); });
  case QRT_ELTWISE_SELU:
    return mapFloats(data, n, [](float x) {
      return float(seluLambda) * (x > 0 ? x : float(seluAlpha) * std::expm1(x));
    });
  case QRT_ELTWISE_GELU:
    return mapFloats(data, n, [](float x) {
      return 0.5f * x * (1.f + std::erf(x * float(M_SQRT1_2)));
    });
  case QRT_ELTWISE_CLIP:
    return mapFloats(
        data, n, [=](float x) { return std::min(std::max(x, alpha), beta); });
  case QRT_ELTWISE_SQUARE:
    return mapFloats(data, n, [](float x) { return x * x; });
  case QRT_ELTWISE_SQRT:
    return mapFloats(data, n, [](float x) { return std::sqrt(x); });
  case QRT_ELTWISE_EXP:
    return mapFloats(data, n, [](float x) { return std::exp(x); });
  case QRT_ELTWISE_ABS:
    return mapFloats(data, n, [](float x) { return std::fabs(x); });
  }
}

//===----------------------------------------------------------------------===//
// oneDNN helpers
//===----------------------------------------------------------------------===//

dnnl::memory::desc qrt::plainDesc(const Dims &dims,
                                  dnnl::memory::data_type type) {
  Dims strides(dims.size(), 1);
  for (int64_t i = static_cast<int64_t>(dims.size()) - 2; i >= 0; --i)
    strides[i] = strides[i + 1] * std::max<int64_t>(dims[i + 1], 1);
  return dnnl::memory::desc(dims, type, strides);
}

void qrt::checkLayout(int32_t layout, const char *what, int64_t rank) {
  require(layout == QRT_LAYOUT_NCHW || layout == QRT_LAYOUT_NHWC, what,
          " must be 0 (NCHW) or 1 (NHWC), got ", layout);
  require(layout == QRT_LAYOUT_NCHW || (rank >= 3 && rank <= 5), what,
          " NHWC needs a tensor of rank 3 to 5 ([N, C, S...]), got rank ",
          rank);
}

Dims qrt::storageDims(const Dims &dims, int32_t layout) {
  if (layout != QRT_LAYOUT_NHWC)
    return dims;
  Dims result = {dims[0]};
  result.insert(result.end(), dims.begin() + 2, dims.end());
  result.push_back(dims[1]);
  return result;
}

int64_t qrt::storageAxis(int64_t axis, int64_t rank, int32_t layout) {
  if (layout != QRT_LAYOUT_NHWC || axis == 0)
    return axis;
  return axis == 1 ? rank - 1 : axis - 1;
}

Dims qrt::layoutStrides(const Dims &dims, int32_t layout) {
  const Dims stored = storageDims(dims, layout);
  const int64_t rank = static_cast<int64_t>(dims.size());
  Dims storedStrides(rank, 1);
  for (int64_t i = rank - 2; i >= 0; --i)
    storedStrides[i] =
        storedStrides[i + 1] * std::max<int64_t>(stored[i + 1], 1);
  Dims strides(rank);
  for (int64_t i = 0; i < rank; ++i)
    strides[i] = storedStrides[storageAxis(i, rank, layout)];
  return strides;
}

dnnl::memory::desc qrt::layoutDesc(const Dims &dims,
                                   dnnl::memory::data_type type,
                                   int32_t layout) {
  if (layout != QRT_LAYOUT_NHWC)
    return plainDesc(dims, type);
  return dnnl::memory::desc(dims, type, layoutStrides(dims, layout));
}

dnnl::primitive_attr qrt::userScratchpad() {
  dnnl::primitive_attr attr;
  attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);
  return attr;
}

std::string qrt::implName(const dnnl::primitive_desc_base &pd) {
  const char *name = pd.impl_info_str();
  return name ? name : "?";
}

void Reorder::create(const dnnl::engine &engine, const dnnl::memory::desc &from,
                     const dnnl::memory::desc &to, WorkspacePlan &plan) {
  dnnl::reorder::primitive_desc pd(engine, from, engine, to, userScratchpad());
  primitive = dnnl::reorder(pd);
  src = from;
  dst = to;
  scratchDesc = pd.scratchpad_desc();
  scratchOffset = plan.reserve(scratchDesc.get_size());
}

void Reorder::execute(qrt_exec *exec, char *workspace, const void *from,
                      void *to) const {
  const dnnl::engine &engine = exec->model->engine;
  std::unordered_map<int, dnnl::memory> args = {
      {DNNL_ARG_FROM, wrap(src, engine, from)},
      {DNNL_ARG_TO, wrap(dst, engine, to)}};
  if (scratchDesc.get_size())
    args[DNNL_ARG_SCRATCHPAD] =
        wrap(scratchDesc, engine, workspace + scratchOffset);
  primitive.execute(exec->stream, args);
}

dnnl::memory qrt::packConstant(const dnnl::engine &engine,
                               const dnnl::memory::desc &plain,
                               const dnnl::memory::desc &packed,
                               const void *src) {
  dnnl::memory result(packed, engine);
  dnnl::stream stream(engine);
  dnnl::memory source = wrap(plain, engine, src);
  dnnl::reorder(source, result).execute(stream, source, result);
  stream.wait();
  return result;
}
