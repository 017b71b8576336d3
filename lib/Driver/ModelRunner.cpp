//===- ModelRunner.cpp - Load a compiled model and run it -----------------===//

#include "QDialect/Driver/ModelRunner.h"

#include <dlfcn.h>

using namespace q::driver;

int64_t TensorInfo::numElements() const {
  int64_t n = 1;
  for (int64_t d : shape)
    n *= d;
  return n;
}

size_t TensorInfo::numBytes() const {
  size_t width = dtype == Q_DTYPE_F32 || dtype == Q_DTYPE_S32 ? 4 : 1;
  return size_t(numElements()) * width;
}

const char *q::driver::dtypeName(q_dtype dtype) {
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
  return "unknown";
}

std::string CompiledModel::info(const char *key) const {
  const char *value = nullptr;
  if (!api_.info || api_.info(model_, key, &value) != Q_OK || !value)
    return "";
  return value;
}

namespace {
template <typename F>
bool resolve(void *library, F &function, const char *symbol,
             const std::string &path, std::string &error) {
  function = reinterpret_cast<F>(dlsym(library, symbol));
  if (!function)
    error = path + ": not a model compiled by q (it lacks " + symbol + ")";
  return function != nullptr;
}
} // namespace

std::unique_ptr<CompiledModel> CompiledModel::load(const std::string &path,
                                                   const LoadOptions &options,
                                                   std::string &error) {
  std::unique_ptr<CompiledModel> model(new CompiledModel());
  model->path_ = path;
  // dlopen searches the library path for names without a slash.
  const std::string file =
      path.find('/') == std::string::npos ? "./" + path : path;
  model->library_ = dlopen(file.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!model->library_) {
    error = path + ": cannot load: " + dlerror();
    return nullptr;
  }
  ModelApi &api = model->api_;
  void *lib = model->library_;
  if (!resolve(lib, api.apiVersion, "q_model_api_version", path, error) ||
      !resolve(lib, api.lastError, "q_last_error", path, error) ||
      !resolve(lib, api.statusName, "q_status_name", path, error) ||
      !resolve(lib, api.optionsInit, "q_model_options_init", path, error) ||
      !resolve(lib, api.create, "q_model_create", path, error) ||
      !resolve(lib, api.destroy, "q_model_destroy", path, error) ||
      !resolve(lib, api.name, "q_model_name", path, error) ||
      !resolve(lib, api.numInputs, "q_model_num_inputs", path, error) ||
      !resolve(lib, api.numOutputs, "q_model_num_outputs", path, error) ||
      !resolve(lib, api.inputName, "q_model_input_name", path, error) ||
      !resolve(lib, api.inputDtype, "q_model_input_dtype", path, error) ||
      !resolve(lib, api.inputRank, "q_model_input_rank", path, error) ||
      !resolve(lib, api.inputDims, "q_model_input_dims", path, error) ||
      !resolve(lib, api.outputName, "q_model_output_name", path, error) ||
      !resolve(lib, api.outputDtype, "q_model_output_dtype", path, error) ||
      !resolve(lib, api.outputRank, "q_model_output_rank", path, error) ||
      !resolve(lib, api.outputDims, "q_model_output_dims", path, error) ||
      !resolve(lib, api.run, "q_model_run", path, error) ||
      !resolve(lib, api.runChecked, "q_model_run_checked", path, error))
    return nullptr;
  // Optional: libraries of API version 1 lack q_model_info.
  api.info = reinterpret_cast<decltype(api.info)>(dlsym(lib, "q_model_info"));
  // Version 2 only added functions: version 1 libraries load too.
  if (api.apiVersion() < 1 || api.apiVersion() > Q_MODEL_API_VERSION) {
    error = path + ": model API version " + std::to_string(api.apiVersion()) +
            ", this " + options.tool + " supports " +
            std::to_string(Q_MODEL_API_VERSION);
    return nullptr;
  }

  api.inputLayout = nullptr;
  if (api.apiVersion() >= 2 &&
      !resolve(lib, api.inputLayout, "q_model_input_layout", path, error))
    return nullptr;

  q_model_options opts;
  api.optionsInit(&opts);
  opts.num_threads = options.numThreads;
  opts.params_path =
      options.paramsPath.empty() ? nullptr : options.paramsPath.c_str();
  if (!model->check(api.create(&model->model_, &opts), error))
    return nullptr;

  int32_t count = 0;
  if (!model->check(api.numInputs(model->model_, &count), error))
    return nullptr;
  model->inputs_.resize(count);
  for (int32_t i = 0; i < count; ++i)
    if (!model->describe(i, true, model->inputs_[i], error))
      return nullptr;
  if (!model->check(api.numOutputs(model->model_, &count), error))
    return nullptr;
  model->outputs_.resize(count);
  for (int32_t i = 0; i < count; ++i)
    if (!model->describe(i, false, model->outputs_[i], error))
      return nullptr;
  const char *text = nullptr;
  if (!model->check(api.name(model->model_, &text), error))
    return nullptr;
  model->name_ = text;
  for (const TensorInfo &t : model->inputs_)
    model->inputBytes_.push_back(t.numBytes());
  for (const TensorInfo &t : model->outputs_)
    model->outputBytes_.push_back(t.numBytes());
  return model;
}

CompiledModel::~CompiledModel() {
  if (model_)
    api_.destroy(model_);
}

bool CompiledModel::check(q_status status, std::string &error) const {
  if (status == Q_OK)
    return true;
  error = path_ + ": " + api_.statusName(status) + ": " + api_.lastError();
  return false;
}

bool CompiledModel::describe(int32_t index, bool input, TensorInfo &tensor,
                             std::string &error) {
  const char *text = nullptr;
  int32_t rank = 0;
  int64_t dims[Q_MAX_RANK];
  if (input) {
    if (!check(api_.inputName(model_, index, &text), error) ||
        !check(api_.inputDtype(model_, index, &tensor.dtype), error) ||
        !check(api_.inputRank(model_, index, &rank), error) ||
        !check(api_.inputDims(model_, index, dims, Q_MAX_RANK), error))
      return false;
    if (api_.inputLayout &&
        !check(api_.inputLayout(model_, index, &tensor.layout), error))
      return false;
  } else {
    if (!check(api_.outputName(model_, index, &text), error) ||
        !check(api_.outputDtype(model_, index, &tensor.dtype), error) ||
        !check(api_.outputRank(model_, index, &rank), error) ||
        !check(api_.outputDims(model_, index, dims, Q_MAX_RANK), error))
      return false;
  }
  tensor.name = text;
  tensor.shape.assign(dims, dims + rank);
  return true;
}

bool CompiledModel::run(const void *const *inputs, const size_t *inputBytes,
                        void *const *outputs, const size_t *outputBytes,
                        std::string &error) const {
  q_status status =
      api_.runChecked(model_, inputs, inputBytes, outputs, outputBytes);
  if (status == Q_OK)
    return true;
  error = std::string(api_.statusName(status)) + ": " + api_.lastError();
  return false;
}

bool CompiledModel::run(const void *const *inputs, void *const *outputs,
                        std::string &error) const {
  return run(inputs, inputBytes_.data(), outputs, outputBytes_.data(), error);
}
