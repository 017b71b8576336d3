//===- ModelRunner.h - Load a compiled model and run it ---------*- C++ -*-===//
//
// A shared library that q-compile produced, opened with dlopen and driven
// through its C API (include/q/model.h): q-run and q-calibrate use it. Plain
// C++ with no LLVM and no exceptions: failures return false / null and set
// a message that names the library.
//
//===----------------------------------------------------------------------===//

#ifndef QDIALECT_DRIVER_MODELRUNNER_H
#define QDIALECT_DRIVER_MODELRUNNER_H

#include "q/model.h"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace q::driver {

/// The model's C API, resolved with dlsym.
struct ModelApi {
  decltype(&q_model_api_version) apiVersion;
  decltype(&q_last_error) lastError;
  decltype(&q_status_name) statusName;
  decltype(&q_model_options_init) optionsInit;
  decltype(&q_model_create) create;
  decltype(&q_model_destroy) destroy;
  decltype(&q_model_name) name;
  decltype(&q_model_num_inputs) numInputs;
  decltype(&q_model_num_outputs) numOutputs;
  decltype(&q_model_input_name) inputName;
  decltype(&q_model_input_dtype) inputDtype;
  decltype(&q_model_input_rank) inputRank;
  decltype(&q_model_input_dims) inputDims;
  /// Null in libraries of API version 1 (every input NCHW then).
  decltype(&q_model_input_layout) inputLayout;
  decltype(&q_model_output_name) outputName;
  decltype(&q_model_output_dtype) outputDtype;
  decltype(&q_model_output_rank) outputRank;
  decltype(&q_model_output_dims) outputDims;
  decltype(&q_model_run) run;
  decltype(&q_model_run_checked) runChecked;
  /// Null for libraries compiled before q_model_info existed.
  decltype(&q_model_info) info;
};

/// An input or output of a model.
struct TensorInfo {
  std::string name;
  q_dtype dtype = Q_DTYPE_F32;
  /// Inputs: NHWC for raw images compiled so (shape is then N, H, W, C).
  q_layout layout = Q_LAYOUT_NCHW;
  std::vector<int64_t> shape;

  int64_t numElements() const;
  size_t numBytes() const;
};

/// "f32", "s8", "u8", "s32".
const char *dtypeName(q_dtype dtype);

struct LoadOptions {
  /// Threads per run; 0: the model's setting.
  int numThreads = 0;
  /// An MXNet .params file to load the weights from ("" : embedded).
  std::string paramsPath;
  /// Names the tool in the API version message ("this q-run supports").
  std::string tool = "q-run";
};

/// A loaded library and one q_model created from it.
class CompiledModel {
public:
  /// Opens `path` and creates the model; null with `error` set on failure.
  static std::unique_ptr<CompiledModel>
  load(const std::string &path, const LoadOptions &options, std::string &error);
  /// Destroys the model. The library stays loaded: unloading oneDNN/OpenMP
  /// state gains nothing and has crashed on some systems.
  ~CompiledModel();
  CompiledModel(const CompiledModel &) = delete;
  CompiledModel &operator=(const CompiledModel &) = delete;

  const std::string &path() const { return path_; }
  /// The name the model was compiled under.
  const std::string &name() const { return name_; }
  const std::vector<TensorInfo> &inputs() const { return inputs_; }
  const std::vector<TensorInfo> &outputs() const { return outputs_; }
  const ModelApi &api() const { return api_; }
  q_model *handle() const { return model_; }
  /// q_model_info(key); "" when the library does not have it.
  std::string info(const char *key) const;

  /// One inference with buffer sizes checked (q_model_run_checked); on
  /// failure `error` is "<STATUS>: <message>". Thread-safe.
  bool run(const void *const *inputs, const size_t *inputBytes,
           void *const *outputs, const size_t *outputBytes,
           std::string &error) const;
  /// Runs with buffers of exactly the model's sizes.
  bool run(const void *const *inputs, void *const *outputs,
           std::string &error) const;

private:
  CompiledModel() = default;
  bool check(q_status status, std::string &error) const;
  bool describe(int32_t index, bool input, TensorInfo &tensor,
                std::string &error);

  std::string path_, name_;
  ModelApi api_{};
  void *library_ = nullptr;
  q_model *model_ = nullptr;
  std::vector<TensorInfo> inputs_, outputs_;
  std::vector<size_t> inputBytes_, outputBytes_;
};

} // namespace q::driver

#endif // QDIALECT_DRIVER_MODELRUNNER_H
