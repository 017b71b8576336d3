//===- Runtime.h - Internals shared by the libqrt ops -----------*- C++ -*-===//
//
// The model (ops indexed by id), the per-run execution context, error
// reporting across the C ABI, and helpers for oneDNN memory descriptors.
// Nothing here is visible to generated code; qrt.h is the interface.
//
//===----------------------------------------------------------------------===//

#ifndef QRT_RUNTIME_H
#define QRT_RUNTIME_H

#include "qrt/qrt.h"

#include "oneapi/dnnl/dnnl.hpp"

#include <cmath>
#include <cstddef>
#include <cstdlib>
#include <limits>
#include <memory>
#include <new>
#include <sstream>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

namespace qrt {

//===----------------------------------------------------------------------===//
// Errors
//===----------------------------------------------------------------------===//

/// Thrown inside the library and turned into a status code plus message at
/// the ABI boundary (see guarded()).
struct Error {
  int32_t status;
  std::string message;
};

template <typename... Args>
[[noreturn]] void fail(int32_t status, const Args &...args) {
  std::ostringstream stream;
  (stream << ... << args);
  throw Error{status, stream.str()};
}

template <typename... Args> void require(bool condition, const Args &...args) {
  if (!condition)
    fail(QRT_ERR_INVALID_ARGUMENT, args...);
}

/// Records the message for qrt_last_error() and returns `status`.
int32_t setLastError(int32_t status, std::string message);
void clearLastError();

/// Runs `body` (returning void) and maps every exception to a status, with
/// the message prefixed by "op <id> (<kind>): ".
template <typename Body>
int32_t guarded(int32_t opId, const char *kind, Body &&body) noexcept {
  auto prefix = [&] {
    return "op " + std::to_string(opId) + " (" + kind + "): ";
  };
  try {
    body();
    return QRT_OK;
  } catch (const Error &e) {
    return setLastError(e.status, prefix() + e.message);
  } catch (const dnnl::error &e) {
    return setLastError(e.status == dnnl_out_of_memory ? QRT_ERR_OUT_OF_MEMORY
                                                       : QRT_ERR_ONEDNN,
                        prefix() + "oneDNN: " + e.what());
  } catch (const std::bad_alloc &) {
    return setLastError(QRT_ERR_OUT_OF_MEMORY, prefix() + "out of memory");
  } catch (const std::exception &e) {
    return setLastError(QRT_ERR_INTERNAL, prefix() + e.what());
  } catch (...) {
    return setLastError(QRT_ERR_INTERNAL, prefix() + "unknown exception");
  }
}

//===----------------------------------------------------------------------===//
// Threads
//===----------------------------------------------------------------------===//

/// Sets the calling thread's OpenMP team size for the scope (0 keeps it).
/// OpenMP's nthreads-var is per thread, so concurrent runs on other threads
/// are not affected. oneDNN bakes the thread count into primitives at
/// creation, so inits run under the same scope as runs.
class ThreadScope {
public:
  explicit ThreadScope(int threads);
  ~ThreadScope();
  ThreadScope(const ThreadScope &) = delete;
  ThreadScope &operator=(const ThreadScope &) = delete;

private:
  int saved = 0;
};

/// The team size to use in our own loops for `work` elements.
int loopThreads(int64_t work);

//===----------------------------------------------------------------------===//
// Ops, model, execution context
//===----------------------------------------------------------------------===//

enum class OpKind {
  Conv,
  Fc,
  Pooling,
  BatchNorm,
  Activation,
  Prelu,
  Binary,
  Scalar,
  Softmax,
  Concat,
  Transpose,
  Slice,
  Upsampling,
  Crop,
  Quantize,
  QuantizedAdd,
  InputLookup,
};

const char *opKindName(OpKind kind);

/// Plans the per-exec workspace of one op: regions at 64-byte alignment.
class WorkspacePlan {
public:
  /// Returns the offset of a new region of `bytes` bytes.
  size_t reserve(size_t bytes) {
    const size_t offset = total;
    total += (bytes + 63) / 64 * 64;
    return offset;
  }
  size_t size() const { return total; }

private:
  size_t total = 0;
};

struct Op {
  explicit Op(OpKind kind) : kind(kind) {}
  virtual ~Op() = default;
  const OpKind kind;
  /// Bytes of per-exec workspace this op needs.
  size_t workspaceBytes = 0;
  /// For qrt_op_info().
  std::string info;
  /// Largest step slot the op reads or writes (-1: none).
  int32_t maxSlot = -1;
};

} // namespace qrt

struct qrt_model {
  int32_t numThreads = 0;
  /// Step slots of the installed ops (max slot + 1).
  int32_t numSlots = 0;
  dnnl::engine engine;
  std::vector<std::unique_ptr<qrt::Op>> ops;
  size_t maxWorkspace = 0;
};

namespace qrt {
struct FreeDeleter {
  void operator()(char *p) const { std::free(p); }
};
} // namespace qrt

// Only inline members: the type is visible (qrt.h), its code stays hidden.
struct qrt_exec {
  qrt_model *model = nullptr;
  dnnl::stream stream;
  std::unique_ptr<char, qrt::FreeDeleter> workspace;
  size_t workspaceSize = 0;
  /// Dynamic steps (qrt_qparam slots) of this exec's runs; 0 = unwritten.
  std::vector<float> steps;
};

namespace qrt {

/// The exec's workspace, grown to at least `bytes` (64-byte aligned).
char *reserveWorkspace(qrt_exec *exec, size_t bytes);

/// Checks model/id for an init and returns the engine.
void checkInit(qrt_model *model, int32_t opId, const void *desc,
               uint32_t abiVersion);
/// Stores an initialised op under its id.
void install(qrt_model *model, int32_t opId, std::unique_ptr<Op> op);

/// Looks up an initialised op of the expected kind for a run.
Op &lookup(qrt_model *model, qrt_exec *exec, int32_t opId, OpKind kind);
template <typename T>
T &lookupAs(qrt_model *model, qrt_exec *exec, int32_t opId) {
  return static_cast<T &>(lookup(model, exec, opId, T::Kind));
}

/// The workspace of `op` in `exec`.
inline char *workspaceOf(qrt_exec *exec, const Op &op) {
  return op.workspaceBytes ? reserveWorkspace(exec, op.workspaceBytes)
                           : nullptr;
}

//===----------------------------------------------------------------------===//
// Descriptor checks
//===----------------------------------------------------------------------===//

using Dims = std::vector<int64_t>;

/// Dims of a qrt_shape; rank in [minRank, QRT_MAX_RANK], dims >= 0.
Dims shapeDims(const qrt_shape &shape, const char *what, int minRank = 0);
int64_t product(const Dims &dims);
std::string dimsToString(const Dims &dims);
/// Resolves a negative axis.
int64_t resolveAxis(int64_t axis, int64_t rank, const char *what);
/// Element size of a qrt_dtype, failing on unknown values.
size_t dtypeSize(int32_t dtype, const char *what);
const char *dtypeName(int32_t dtype);
dnnl::memory::data_type dnnlType(int32_t dtype);
/// Requires `dtype` to be one of the listed ones.
void requireDtype(int32_t dtype, const char *what,
                  std::initializer_list<int32_t> allowed);
template <typename T> void requireNonNull(const T *pointer, const char *what) {
  if (!pointer)
    fail(QRT_ERR_NULL_POINTER, what, " is NULL");
}

//===----------------------------------------------------------------------===//
// int8: steps, rounding, saturation
//===----------------------------------------------------------------------===//

/// Whether a qparam holds a static step.
inline bool isStatic(const qrt_qparam &q) {
  return q.step > 0 && q.step <= std::numeric_limits<float>::max();
}
/// Validates `q` for an init and records a dynamic slot in `op`.
void checkQParam(const qrt_qparam &q, const char *what, Op &op);
/// Requires `q` to be static.
void requireStaticStep(const qrt_qparam &q, const char *what);
/// The step of `q` in this run: static, or the slot's (which must hold a
/// finite value > 0).
float stepOf(qrt_exec *exec, const qrt_qparam &q, const char *what);
/// Stores a dynamic step.
void writeStep(qrt_exec *exec, int32_t slot, float step);
/// R of the dynamic step absmax / R: 127.5 (s8), 255.5 (u8).
double quantRange(int32_t dtype);
/// absmax / R rounded to float; 1 / R when absmax is 0 or the step
/// underflows.
float dynamicStep(double absmax, int32_t dtype);

/// Round half to even (default rounding mode) and saturate into T; NaN
/// gives 0.
template <typename T> inline T saturateRound(double value) {
  constexpr double lo = static_cast<double>(std::numeric_limits<T>::min());
  constexpr double hi = static_cast<double>(std::numeric_limits<T>::max());
  if (!(value == value))
    return 0;
  // The bounds are integers, so clamping first rounds the same. Adding and
  // subtracting 1.5 * 2^52 rounds |value| < 2^51 to nearest even in the
  // default rounding mode, and unlike nearbyint() it vectorizes.
  value = value < lo ? lo : value > hi ? hi : value;
  constexpr double magic = 6755399441055744.0;
  return static_cast<T>((value + magic) - magic);
}

/// Real-valued element-wise function in double precision (the int8 loops;
/// the same formulas as qrt::ref::activateDouble).
double evalEltwise(const qrt_eltwise &eltwise, double x);

//===----------------------------------------------------------------------===//
// Element-wise functions
//===----------------------------------------------------------------------===//

/// Validates kind and parameters (clip needs alpha <= beta).
void checkEltwise(const qrt_eltwise &eltwise, const char *what);
/// The oneDNN post-op/primitive form of an element-wise function, if any.
struct DnnlEltwise {
  dnnl::algorithm algorithm;
  float alpha, beta, scale;
};
bool toDnnl(const qrt_eltwise &eltwise, DnnlEltwise &result);
/// Appends `eltwise` to post-ops; false if oneDNN cannot express it.
bool appendEltwise(dnnl::post_ops &ops, const qrt_eltwise &eltwise);
/// Applies `eltwise` to n floats in place (accurate scalar loop).
void applyEltwise(const qrt_eltwise &eltwise, float *data, int64_t n);
const char *eltwiseName(int32_t kind);

//===----------------------------------------------------------------------===//
// oneDNN helpers
//===----------------------------------------------------------------------===//

/// Plain row-major descriptor of `dims` (rank >= 1).
dnnl::memory::desc plainDesc(const Dims &dims, dnnl::memory::data_type type);

//===----------------------------------------------------------------------===//
// Layouts (qrt_layout)
//===----------------------------------------------------------------------===//

/// Validates a descriptor's layout field for an activation of `rank`:
/// 0 (NCHW) or 1 (NHWC), and NHWC only for ranks 3 to 5. `what` names the
/// field ("layout", "src_layout", ...).
void checkLayout(int32_t layout, const char *what, int64_t rank);
/// Descriptor of an activation with logical dims [N, C, S...] in `layout`
/// (NHWC: oneDNN's nwc/nhwc/ndhwc).
dnnl::memory::desc layoutDesc(const Dims &dims, dnnl::memory::data_type type,
                              int32_t layout);
/// Element strides of each logical dim of [N, C, S...] stored in `layout`.
Dims layoutStrides(const Dims &dims, int32_t layout);
/// The logical dims in storage order: [N, S..., C] for NHWC.
Dims storageDims(const Dims &dims, int32_t layout);
/// Storage position of logical axis `axis` (NHWC: C last, S shifted left).
int64_t storageAxis(int64_t axis, int64_t rank, int32_t layout);
/// A memory over a caller's buffer.
inline dnnl::memory wrap(const dnnl::memory::desc &desc,
                         const dnnl::engine &engine, const void *data) {
  return dnnl::memory(desc, engine, const_cast<void *>(data));
}
/// Primitive attributes with a user-managed scratchpad.
dnnl::primitive_attr userScratchpad();
/// "jit:avx2"-style name of a primitive descriptor's implementation.
std::string implName(const dnnl::primitive_desc_base &pd);

/// A reorder from `src` to `dst` layouts with its scratchpad planned in the
/// op's workspace (reorder scratchpads are usually empty).
struct Reorder {
  dnnl::reorder primitive;
  dnnl::memory::desc src, dst;
  size_t scratchOffset = 0;
  dnnl::memory::desc scratchDesc;

  void create(const dnnl::engine &engine, const dnnl::memory::desc &from,
              const dnnl::memory::desc &to, WorkspacePlan &plan);
  explicit operator bool() const { return static_cast<bool>(primitive); }
  void execute(qrt_exec *exec, char *workspace, const void *from,
               void *to) const;
};

/// Copies `bytes` from `src` into a new owned, engine-allocated memory of
/// layout `desc` reordered from `plain` (weights packing at init).
dnnl::memory packConstant(const dnnl::engine &engine,
                          const dnnl::memory::desc &plain,
                          const dnnl::memory::desc &packed, const void *src);

} // namespace qrt

#endif // QRT_RUNTIME_H
