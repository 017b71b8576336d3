//===- Model.cpp - C API of a compiled model (include/q/model.h) ----------===//
//
// The glue between a model's generated code and its users: parses the
// embedded manifest, loads the weights (embedded or from a .params file),
// lets the generated init create every op's primitives in libqrt, and runs
// inferences, each on a (qrt_exec, arena) pair taken from a pool so that
// concurrent callers never share mutable state.
//
//===----------------------------------------------------------------------===//

#include "q/model.h"

#include "Error.h"
#include "Manifest.h"
#include "Params.h"

#include "qrt/qrt.h"

#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <mutex>
#include <new>
#include <string>
#include <vector>

// Defined by the compiler's generated code in the same shared library.
// Hidden: a model must never bind to another loaded model's symbols, and a
// missing __q_weights (external weights) must resolve to NULL at link time.
#define Q_GENERATED __attribute__((visibility("hidden")))
extern "C" {
Q_GENERATED int32_t __q_generated_init(qrt_model *model,
                                       const void *const *weights);
Q_GENERATED int32_t __q_generated_run(qrt_model *model, qrt_exec *exec,
                                      const void *const *inputs,
                                      void *const *outputs, void *arena);
Q_GENERATED extern const char __q_generated_manifest[];
Q_GENERATED extern const unsigned char __q_weights[] __attribute__((weak));
}

using namespace q::model;

namespace {

/// A run context: everything one inference mutates.
struct Context {
  qrt_exec *exec = nullptr;
  void *arena = nullptr;
};

void destroyContext(Context &context) {
  qrt_exec_destroy(context.exec);
  std::free(context.arena);
  context = Context();
}

struct FreeDeleter {
  void operator()(void *pointer) const { std::free(pointer); }
};
using AlignedBuffer = std::unique_ptr<void, FreeDeleter>;

constexpr size_t kAlignment = 64;

size_t roundUp(size_t bytes) {
  return (bytes + kAlignment - 1) / kAlignment * kAlignment;
}

AlignedBuffer allocateAligned(size_t bytes) {
  // aligned_alloc wants a nonzero multiple of the alignment.
  void *pointer = std::aligned_alloc(kAlignment, roundUp(bytes ? bytes : 1));
  if (!pointer)
    throw std::bad_alloc();
  return AlignedBuffer(pointer);
}

q_status fromQrt(int32_t status) {
  switch (status) {
  case QRT_ERR_OUT_OF_MEMORY:
    return Q_ERR_OUT_OF_MEMORY;
  case QRT_ERR_UNSUPPORTED:
    return Q_ERR_UNSUPPORTED;
  default:
    return Q_ERR_RUNTIME;
  }
}

thread_local std::string lastError;

q_status setError(q_status status, const char *function,
                  const std::string &message) noexcept {
  try {
    lastError = std::string(function) + ": " + message;
  } catch (...) {
    lastError.clear(); // no memory left for the message
  }
  return status;
}

/// Runs `body` (returning a q_status) and turns every exception into a
/// status and message: nothing escapes the C API.
template <typename Body>
q_status guarded(const char *function, Body &&body) noexcept {
  try {
    q_status status = body();
    if (status == Q_OK)
      lastError.clear();
    return status;
  } catch (const Error &e) {
    return setError(e.status, function, e.message);
  } catch (const std::bad_alloc &) {
    return setError(Q_ERR_OUT_OF_MEMORY, function, "out of memory");
  } catch (const std::exception &e) {
    return setError(Q_ERR_INTERNAL, function, e.what());
  } catch (...) {
    return setError(Q_ERR_INTERNAL, function, "unknown exception");
  }
}

void requireNonNull(const void *pointer, const char *what) {
  if (!pointer)
    fail(Q_ERR_INVALID_ARGUMENT, what, " is NULL");
}

} // namespace

struct q_model {
  Manifest manifest;
  std::map<std::string, std::string> info; // q_model_info

  qrt_model *runtime = nullptr;
  std::mutex poolMutex;
  std::vector<Context> idle; // guarded by poolMutex

  ~q_model() {
    for (Context &context : idle)
      destroyContext(context);
    qrt_model_destroy(runtime);
  }

  Context createContext() {
    Context context;
    context.exec = qrt_exec_create(runtime);
    if (!context.exec)
      fail(Q_ERR_RUNTIME, "cannot create a run context: ", qrt_last_error());
    try {
      context.arena = allocateAligned(manifest.arenaBytes).release();
    } catch (...) {
      destroyContext(context);
      throw;
    }
    return context;
  }

  const TensorSpec &tensor(bool input, int32_t index) const {
    const std::vector<TensorSpec> &list =
        input ? manifest.inputs : manifest.outputs;
    if (index < 0 || size_t(index) >= list.size())
      fail(Q_ERR_INVALID_ARGUMENT, input ? "input" : "output", " index ", index,
           " is out of range (the model has ", list.size(),
           input ? " input" : " output", list.size() == 1 ? "" : "s", ")");
    return list[index];
  }
};

namespace {

/// Takes a context from the pool (or makes one) for one run and gives it
/// back afterwards, whatever happens.
class Lease {
public:
  explicit Lease(q_model &model) : model(model) {
    {
      std::lock_guard<std::mutex> lock(model.poolMutex);
      if (!model.idle.empty()) {
        context = model.idle.back();
        model.idle.pop_back();
        return;
      }
    }
    context = model.createContext(); // outside the lock: it allocates
  }
  ~Lease() {
    try {
      std::lock_guard<std::mutex> lock(model.poolMutex);
      model.idle.push_back(context);
    } catch (...) {
      destroyContext(context);
    }
  }
  Lease(const Lease &) = delete;
  Lease &operator=(const Lease &) = delete;
  const Context &get() const { return context; }

private:
  q_model &model;
  Context context;
};

std::string describe(const TensorSpec &tensor) {
  return std::string(q_dtype_name(tensor.dtype)) + " " +
         shapeString(tensor.shape);
}

/// Checks every buffer pointer and, when given, every buffer size.
void checkBuffers(const q_model &model, const void *const *pointers,
                  const size_t *sizes, bool input) {
  const std::vector<TensorSpec> &list =
      input ? model.manifest.inputs : model.manifest.outputs;
  const char *kind = input ? "input" : "output";
  if (list.empty())
    return;
  if (!pointers)
    fail(Q_ERR_INVALID_ARGUMENT, kind, "s is NULL");
  for (size_t i = 0; i < list.size(); ++i) {
    const TensorSpec &tensor = list[i];
    if (!pointers[i] && tensor.bytes)
      fail(Q_ERR_INVALID_ARGUMENT, kind, " ", i, " ('", tensor.name,
           "') is NULL");
    if (sizes && sizes[i] != tensor.bytes)
      fail(Q_ERR_INVALID_ARGUMENT, kind, " ", i, " ('", tensor.name,
           "'): the buffer has ", sizes[i], " bytes, the model needs ",
           tensor.bytes, " (", describe(tensor), ")");
  }
}

q_status run(const char *function, q_model *model, const void *const *inputs,
             const size_t *inputBytes, void *const *outputs,
             const size_t *outputBytes, bool checked) {
  return guarded(function, [&] {
    requireNonNull(model, "model");
    if (checked) {
      if (!model->manifest.inputs.empty())
        requireNonNull(inputBytes, "input_bytes");
      if (!model->manifest.outputs.empty())
        requireNonNull(outputBytes, "output_bytes");
    }
    checkBuffers(*model, inputs, inputBytes, /*input=*/true);
    checkBuffers(*model, const_cast<const void *const *>(outputs), outputBytes,
                 /*input=*/false);
    Lease lease(*model);
    const int32_t status = __q_generated_run(
        model->runtime, lease.get().exec, inputs, outputs, lease.get().arena);
    if (status != QRT_OK)
      fail(fromQrt(status), "model '", model->manifest.model,
           "' failed: ", qrt_last_error());
    return Q_OK;
  });
}

/// A query of input or output `index`: checks the arguments, then `body`
/// reads the tensor.
template <typename T, typename Body>
q_status queryTensor(const char *function, const q_model *model, bool input,
                     int32_t index, T *out, Body &&body) {
  return guarded(function, [&] {
    requireNonNull(model, "model");
    requireNonNull(out, "the result pointer");
    *out = body(model->tensor(input, index));
    return Q_OK;
  });
}

q_status tensorDims(const char *function, const q_model *model, bool input,
                    int32_t index, int64_t *dims, int32_t capacity) {
  return guarded(function, [&] {
    requireNonNull(model, "model");
    const TensorSpec &tensor = model->tensor(input, index);
    const size_t rank = tensor.shape.size();
    if (capacity < 0 || size_t(capacity) < rank)
      fail(Q_ERR_INVALID_ARGUMENT, "capacity ", capacity, " is less than the ",
           "rank ", rank, " of ", input ? "input" : "output", " ", index, " ('",
           tensor.name, "')");
    if (rank)
      requireNonNull(dims, "dims");
    for (size_t i = 0; i < rank; ++i)
      dims[i] = tensor.shape[i];
    return Q_OK;
  });
}

q_status findTensor(const char *function, const q_model *model, bool input,
                    const char *name, int32_t *index) {
  return guarded(function, [&] {
    requireNonNull(model, "model");
    requireNonNull(name, "name");
    requireNonNull(index, "index");
    const std::vector<TensorSpec> &list =
        input ? model->manifest.inputs : model->manifest.outputs;
    std::string names;
    for (size_t i = 0; i < list.size(); ++i) {
      if (list[i].name == name) {
        *index = int32_t(i);
        return Q_OK;
      }
      names += (i ? ", '" : "'") + list[i].name + "'";
    }
    fail(Q_ERR_INVALID_ARGUMENT, "the model has no ",
         input ? "input" : "output", " named '", name, "' (it has ",
         names.empty() ? std::string("none") : names, ")");
  });
}

} // namespace

//===----------------------------------------------------------------------===//
// Helpers
//===----------------------------------------------------------------------===//

extern "C" int32_t q_model_api_version(void) { return Q_MODEL_API_VERSION; }

extern "C" const char *q_last_error(void) { return lastError.c_str(); }

extern "C" const char *q_status_name(q_status status) {
  switch (status) {
  case Q_OK:
    return "OK";
  case Q_ERR_INVALID_ARGUMENT:
    return "INVALID_ARGUMENT";
  case Q_ERR_IO:
    return "IO";
  case Q_ERR_FORMAT:
    return "FORMAT";
  case Q_ERR_MISMATCH:
    return "MISMATCH";
  case Q_ERR_RUNTIME:
    return "RUNTIME";
  case Q_ERR_OUT_OF_MEMORY:
    return "OUT_OF_MEMORY";
  case Q_ERR_UNSUPPORTED:
    return "UNSUPPORTED";
  case Q_ERR_INTERNAL:
    return "INTERNAL";
  }
  return "UNKNOWN";
}

extern "C" const char *q_dtype_name(q_dtype dtype) {
  switch (dtype) {
  case Q_DTYPE_F32:
    return "f32";
  case Q_DTYPE_S8:
    return "s8";
  case Q_DTYPE_U8:
    return "u8";
  case Q_DTYPE_S32:
    return "s32";
  }
  return nullptr;
}

extern "C" const char *q_layout_name(q_layout layout) {
  switch (layout) {
  case Q_LAYOUT_NCHW:
    return "nchw";
  case Q_LAYOUT_NHWC:
    return "nhwc";
  }
  return nullptr;
}

extern "C" size_t q_dtype_size(q_dtype dtype) {
  switch (dtype) {
  case Q_DTYPE_F32:
  case Q_DTYPE_S32:
    return 4;
  case Q_DTYPE_S8:
  case Q_DTYPE_U8:
    return 1;
  }
  return 0;
}

extern "C" void q_model_options_init(q_model_options *opts) {
  if (!opts)
    return;
  std::memset(opts, 0, sizeof(*opts));
  opts->struct_size = sizeof(q_model_options);
}

//===----------------------------------------------------------------------===//
// Lifetime
//===----------------------------------------------------------------------===//

extern "C" q_status q_model_create(q_model **out, const q_model_options *opts) {
  return guarded("q_model_create", [&] {
    requireNonNull(out, "out");
    *out = nullptr;
    q_model_options options;
    q_model_options_init(&options);
    if (opts) {
      if (opts->struct_size != sizeof(q_model_options))
        fail(Q_ERR_INVALID_ARGUMENT, "q_model_options.struct_size is ",
             opts->struct_size, ", this library expects ",
             sizeof(q_model_options), " (call q_model_options_init first)");
      options = *opts;
    }
    if (options.num_threads < 0)
      fail(Q_ERR_INVALID_ARGUMENT, "num_threads must be >= 0, got ",
           options.num_threads);

    auto model = std::make_unique<q_model>();
    model->manifest = parseManifest(__q_generated_manifest);
    const Manifest &manifest = model->manifest;
    model->info = describeBuild(manifest);

    // Weight pointers in manifest order, from the embedded blob or from a
    // buffer filled from the .params file (freed once init has packed them).
    std::vector<const void *> weights(manifest.weights.size());
    AlignedBuffer storage;
    if (options.params_path) {
      size_t total = 0;
      for (const WeightSpec &weight : manifest.weights)
        total += roundUp(weight.bytes);
      storage = allocateAligned(total);
      std::vector<void *> destinations;
      char *next = static_cast<char *>(storage.get());
      for (const WeightSpec &weight : manifest.weights) {
        destinations.push_back(next);
        next += roundUp(weight.bytes);
      }
      loadWeights(options.params_path, manifest.weights, destinations);
      weights.assign(destinations.begin(), destinations.end());
    } else if (!manifest.weights.empty()) {
      if (!__q_weights)
        fail(Q_ERR_INVALID_ARGUMENT, "model '", manifest.model,
             "' was compiled without embedded weights: set "
             "q_model_options.params_path to its .params file");
      for (size_t i = 0; i < weights.size(); ++i)
        weights[i] = __q_weights + manifest.weights[i].offset;
    }

    const int32_t threads =
        options.num_threads ? options.num_threads : manifest.numThreads;
    model->runtime = qrt_model_create(manifest.numOps, threads);
    if (!model->runtime)
      fail(Q_ERR_RUNTIME,
           "cannot create the runtime model: ", qrt_last_error());
    const int32_t status = __q_generated_init(model->runtime, weights.data());
    if (status != QRT_OK)
      fail(fromQrt(status), "model '", manifest.model,
           "' failed to initialise: ", qrt_last_error());
    storage.reset();
    // One context up front: its errors show here, and the first run is fast.
    model->idle.push_back(model->createContext());
    *out = model.release();
    return Q_OK;
  });
}

extern "C" void q_model_destroy(q_model *model) { delete model; }

//===----------------------------------------------------------------------===//
// Queries
//===----------------------------------------------------------------------===//

extern "C" q_status q_model_name(const q_model *model, const char **name) {
  return guarded("q_model_name", [&] {
    requireNonNull(model, "model");
    requireNonNull(name, "name");
    *name = model->manifest.model.c_str();
    return Q_OK;
  });
}

extern "C" q_status q_model_info(const q_model *model, const char *key,
                                 const char **value) {
  return guarded("q_model_info", [&] {
    requireNonNull(model, "model");
    requireNonNull(key, "key");
    requireNonNull(value, "value");
    auto it = model->info.find(key);
    if (it == model->info.end()) {
      std::string keys;
      for (const auto &entry : model->info)
        keys += (keys.empty() ? "" : ", ") + entry.first;
      fail(Q_ERR_INVALID_ARGUMENT, "unknown key '", key, "' (keys: ", keys,
           ")");
    }
    *value = it->second.c_str();
    return Q_OK;
  });
}

extern "C" q_status q_model_num_inputs(const q_model *model, int32_t *count) {
  return guarded("q_model_num_inputs", [&] {
    requireNonNull(model, "model");
    requireNonNull(count, "count");
    *count = int32_t(model->manifest.inputs.size());
    return Q_OK;
  });
}

extern "C" q_status q_model_num_outputs(const q_model *model, int32_t *count) {
  return guarded("q_model_num_outputs", [&] {
    requireNonNull(model, "model");
    requireNonNull(count, "count");
    *count = int32_t(model->manifest.outputs.size());
    return Q_OK;
  });
}

extern "C" q_status q_model_find_input(const q_model *model, const char *name,
                                       int32_t *index) {
  return findTensor("q_model_find_input", model, true, name, index);
}

extern "C" q_status q_model_find_output(const q_model *model, const char *name,
                                        int32_t *index) {
  return findTensor("q_model_find_output", model, false, name, index);
}

extern "C" q_status q_model_input_name(const q_model *model, int32_t index,
                                       const char **name) {
  return queryTensor("q_model_input_name", model, true, index, name,
                     [](const TensorSpec &t) { return t.name.c_str(); });
}

extern "C" q_status q_model_input_dtype(const q_model *model, int32_t index,
                                        q_dtype *dtype) {
  return queryTensor("q_model_input_dtype", model, true, index, dtype,
                     [](const TensorSpec &t) { return t.dtype; });
}

extern "C" q_status q_model_input_layout(const q_model *model, int32_t index,
                                         q_layout *layout) {
  return queryTensor("q_model_input_layout", model, true, index, layout,
                     [](const TensorSpec &t) { return t.layout; });
}

extern "C" q_status q_model_input_rank(const q_model *model, int32_t index,
                                       int32_t *rank) {
  return queryTensor(
      "q_model_input_rank", model, true, index, rank,
      [](const TensorSpec &t) { return int32_t(t.shape.size()); });
}

extern "C" q_status q_model_input_dims(const q_model *model, int32_t index,
                                       int64_t *dims, int32_t capacity) {
  return tensorDims("q_model_input_dims", model, true, index, dims, capacity);
}

extern "C" q_status q_model_input_num_elements(const q_model *model,
                                               int32_t index, int64_t *count) {
  return queryTensor("q_model_input_num_elements", model, true, index, count,
                     [](const TensorSpec &t) { return t.numElements; });
}

extern "C" q_status q_model_input_bytes(const q_model *model, int32_t index,
                                        size_t *bytes) {
  return queryTensor("q_model_input_bytes", model, true, index, bytes,
                     [](const TensorSpec &t) { return t.bytes; });
}

extern "C" q_status q_model_output_name(const q_model *model, int32_t index,
                                        const char **name) {
  return queryTensor("q_model_output_name", model, false, index, name,
                     [](const TensorSpec &t) { return t.name.c_str(); });
}

extern "C" q_status q_model_output_dtype(const q_model *model, int32_t index,
                                         q_dtype *dtype) {
  return queryTensor("q_model_output_dtype", model, false, index, dtype,
                     [](const TensorSpec &t) { return t.dtype; });
}

extern "C" q_status q_model_output_rank(const q_model *model, int32_t index,
                                        int32_t *rank) {
  return queryTensor(
      "q_model_output_rank", model, false, index, rank,
      [](const TensorSpec &t) { return int32_t(t.shape.size()); });
}

extern "C" q_status q_model_output_dims(const q_model *model, int32_t index,
                                        int64_t *dims, int32_t capacity) {
  return tensorDims("q_model_output_dims", model, false, index, dims, capacity);
}

extern "C" q_status q_model_output_num_elements(const q_model *model,
                                                int32_t index, int64_t *count) {
  return queryTensor("q_model_output_num_elements", model, false, index, count,
                     [](const TensorSpec &t) { return t.numElements; });
}

extern "C" q_status q_model_output_bytes(const q_model *model, int32_t index,
                                         size_t *bytes) {
  return queryTensor("q_model_output_bytes", model, false, index, bytes,
                     [](const TensorSpec &t) { return t.bytes; });
}

//===----------------------------------------------------------------------===//
// Inference
//===----------------------------------------------------------------------===//

extern "C" q_status q_model_run(q_model *model, const void *const *inputs,
                                void *const *outputs) {
  return run("q_model_run", model, inputs, nullptr, outputs, nullptr,
             /*checked=*/false);
}

extern "C" q_status q_model_run_checked(q_model *model,
                                        const void *const *inputs,
                                        const size_t *input_bytes,
                                        void *const *outputs,
                                        const size_t *output_bytes) {
  return run("q_model_run_checked", model, inputs, input_bytes, outputs,
             output_bytes, /*checked=*/true);
}
