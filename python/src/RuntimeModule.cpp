//===- RuntimeModule.cpp - q._runtime: run a compiled model from Python ---===//
//
// The native half of q.Model and q.runtime: a library that q-compile (or
// q.compile) produced, loaded with the loader q-run uses (QModelRunner:
// dlopen + include/q/model.h) and run on numpy arrays. No LLVM, no MLIR: this
// module is all an install that only runs models needs.
//
// The Python side (q/_model.py) checks names, shapes and dtypes, splits and
// pads batches and gives the messages; this side checks again what could
// crash (buffer sizes, dtypes, contiguity, a closed model) and raises the
// q.Error subclasses of q/_errors.py. Runs release the GIL, so several
// Python threads run one model at once (q_model_run is thread-safe); a
// shared lock keeps close() from destroying a model that a run still uses.
//
//===----------------------------------------------------------------------===//

#include "QDialect/Driver/ModelRunner.h"

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <vector>

namespace py = pybind11;
using q::driver::CompiledModel;
using q::driver::TensorInfo;

namespace {

/// Raises q._errors.<cls>(message). Call with the GIL held.
[[noreturn]] void raise(const char *cls, const std::string &message) {
  py::object type = py::module_::import("q._errors").attr(cls);
  PyErr_SetString(type.ptr(), message.c_str());
  throw py::error_already_set();
}

/// The numpy dtype name of a model dtype.
const char *numpyName(q_dtype dtype) {
  switch (dtype) {
  case Q_DTYPE_F32:
    return "float32";
  case Q_DTYPE_S8:
    return "int8";
  case Q_DTYPE_U8:
    return "uint8";
  case Q_DTYPE_S32:
    return "int32";
  }
  return "?";
}

py::dict describe(const TensorInfo &t) {
  py::dict d;
  d["name"] = t.name;
  d["dtype"] = numpyName(t.dtype);
  d["shape"] = py::tuple(py::cast(t.shape));
  d["layout"] = t.layout == Q_LAYOUT_NHWC ? "nhwc" : "nchw";
  return d;
}

class Model {
public:
  Model(const std::string &path, int numThreads, const std::string &params)
      : path_(path) {
    q::driver::LoadOptions options;
    options.numThreads = numThreads;
    options.paramsPath = params;
    options.tool = "q (Python)";
    std::string error;
    {
      py::gil_scoped_release release;
      model_ = CompiledModel::load(path, options, error);
    }
    if (!model_)
      raise("LoadError", error);
    for (const TensorInfo &t : model_->inputs())
      inputs_.push_back(t);
    for (const TensorInfo &t : model_->outputs())
      outputs_.push_back(t);
  }

  py::list inputs() const { return list(inputs_); }
  py::list outputs() const { return list(outputs_); }
  const std::string &path() const { return path_; }
  std::string name() const {
    std::shared_lock lock(mutex_);
    return model_ ? model_->name() : std::string();
  }
  bool closed() const {
    std::shared_lock lock(mutex_);
    return !model_;
  }

  std::string info(const std::string &key) const {
    std::string value;
    {
      py::gil_scoped_release release;
      std::shared_lock lock(mutex_);
      if (model_)
        value = model_->info(key.c_str());
    }
    if (closed())
      raise("ClosedError", path_ + ": the model is closed");
    return value;
  }

  /// Waits for the runs in flight, then destroys the model.
  void close() {
    py::gil_scoped_release release;
    std::unique_lock lock(mutex_);
    model_.reset();
  }

  /// One run on exactly the model's buffers: `inputs` and `outputs` are
  /// C-contiguous arrays of the model's dtypes and sizes (outputs written).
  void run(const std::vector<py::array> &inputs,
           const std::vector<py::array> &outputs) const {
    std::vector<const void *> in;
    std::vector<void *> out;
    std::vector<size_t> inBytes, outBytes;
    check(inputs, inputs_, "input", in, nullptr, inBytes);
    check(outputs, outputs_, "output", in, &out, outBytes);
    std::string error;
    bool ok = true, wasClosed = false;
    {
      py::gil_scoped_release release;
      std::shared_lock lock(mutex_);
      if (!model_)
        wasClosed = true;
      else
        ok = model_->run(in.data(), inBytes.data(), out.data(), outBytes.data(),
                         error);
    }
    if (wasClosed)
      raise("ClosedError", path_ + ": the model is closed");
    if (!ok)
      raise("RunError", path_ + ": " + error);
  }

private:
  static py::list list(const std::vector<TensorInfo> &tensors) {
    py::list l;
    for (const TensorInfo &t : tensors)
      l.append(describe(t));
    return l;
  }

  /// Checks the arrays against `tensors` and collects their pointers.
  void check(const std::vector<py::array> &arrays,
             const std::vector<TensorInfo> &tensors, const char *what,
             std::vector<const void *> &in, std::vector<void *> *out,
             std::vector<size_t> &bytes) const {
    if (arrays.size() != tensors.size())
      raise("InputError", path_ + ": " + std::to_string(arrays.size()) + " " +
                              what + "s given, the model has " +
                              std::to_string(tensors.size()));
    for (size_t i = 0; i < arrays.size(); ++i) {
      const py::array &a = arrays[i];
      const TensorInfo &t = tensors[i];
      std::string label = std::string(what) + " '" + t.name + "'";
      if (!(a.flags() & py::array::c_style))
        raise("InputError", label + ": the array is not C-contiguous");
      if (py::str(a.dtype()).cast<std::string>() != numpyName(t.dtype))
        raise("InputError", label + " takes " + numpyName(t.dtype) + ", got " +
                                py::str(a.dtype()).cast<std::string>());
      if (size_t(a.nbytes()) != t.numBytes())
        raise("InputError", label + " takes " + std::to_string(t.numBytes()) +
                                " bytes, got " + std::to_string(a.nbytes()));
      bytes.push_back(size_t(a.nbytes()));
      if (out) {
        if (!a.writeable())
          raise("InputError", label + ": the array is read-only");
        out->push_back(const_cast<void *>(a.data()));
      } else {
        in.push_back(a.data());
      }
    }
  }

  std::string path_;
  std::unique_ptr<CompiledModel> model_;
  std::vector<TensorInfo> inputs_, outputs_;
  mutable std::shared_mutex mutex_;
};

} // namespace

PYBIND11_MODULE(_runtime, m) {
  m.doc() = "q's model runner (native part of q.Model / q.runtime)";
  m.attr("API_VERSION") = Q_MODEL_API_VERSION;
  py::class_<Model>(m, "Model")
      .def(py::init<const std::string &, int, const std::string &>(),
           py::arg("path"), py::arg("num_threads") = 0,
           py::arg("params") = std::string())
      .def_property_readonly("path", &Model::path)
      .def_property_readonly("name", &Model::name)
      .def_property_readonly("closed", &Model::closed)
      .def("inputs", &Model::inputs)
      .def("outputs", &Model::outputs)
      .def("info", &Model::info, py::arg("key"))
      .def("close", &Model::close)
      .def("run", &Model::run, py::arg("inputs"), py::arg("outputs"));
}
