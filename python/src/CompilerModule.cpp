//===- CompilerModule.cpp - q._compiler: q-compile and q-calibrate in process //
//
// The native half of q.compile and q.calibrate: the steps of q-compile's and
// q-calibrate's main() (lib/Driver: import, calibrate, graph passes, backend
// selection, lowering, link), run in the Python process on options that
// q/_compile.py has put in a dict. Calibration data comes from files (the
// tools' --data) or from numpy arrays handed over in memory
// (Dataset::fromArrays), so a Python generator feeds the calibrator without
// touching the disk.
//
// Errors: the MLIR diagnostics of a call are collected (formatted as the
// tools print them) and raised with the driver's message as a q.Error
// subclass (q/_errors.py). Warnings come back in the result for Python's
// warnings module. The GIL is released while the compiler works; the
// progress callback takes it back.
//
//===----------------------------------------------------------------------===//

#include "QDialect/Calibration/Statistics.h"
#include "QDialect/Calibration/Table.h"
#include "QDialect/Conversion/BackendSelect.h"
#include "QDialect/Driver/Calibrate.h"
#include "QDialect/Driver/Dataset.h"
#include "QDialect/Driver/Driver.h"
#include "QDialect/Support/Version.h"
#include "QDialect/Tools/ToolDefaults.h"
#include "QDialect/Transforms/QuantizeOptions.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "llvm/Support/raw_ostream.h"

#include <pybind11/functional.h>
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace py = pybind11;
using namespace mlir;
using namespace mlir::q;
namespace driver = mlir::q::driver;
namespace calib = ::q::calibrate;

namespace {

[[noreturn]] void raise(const char *cls, const std::string &message) {
  py::object type = py::module_::import("q._errors").attr(cls);
  PyErr_SetString(type.ptr(), message.c_str());
  throw py::error_already_set();
}

/// What a call's MLIR diagnostics said.
struct Diagnostics {
  std::string errors;
  std::vector<std::string> warnings;
};

std::string format(Diagnostic &d) { return formatDiagnostic(d); }

/// A context with the driver's dialects whose diagnostics go to `diags`.
std::unique_ptr<MLIRContext> makeContext(Diagnostics &diags) {
  DialectRegistry registry;
  driver::registerDriverDialects(registry);
  auto context = std::make_unique<MLIRContext>(registry);
  context->printOpOnDiagnostic(false);
  context->printStackTraceOnDiagnostic(false);
  context->loadAllAvailableDialects();
  context->getDiagEngine().registerHandler([&diags](Diagnostic &diag) {
    std::string text = format(diag);
    for (Diagnostic &note : diag.getNotes())
      text += "\n" + format(note);
    if (diag.getSeverity() == DiagnosticSeverity::Warning) {
      if (std::find(diags.warnings.begin(), diags.warnings.end(), text) ==
          diags.warnings.end())
        diags.warnings.push_back(text);
    } else if (diag.getSeverity() == DiagnosticSeverity::Error) {
      diags.errors += (diags.errors.empty() ? "" : "\n") + text;
    }
    return success();
  });
  return context;
}

/// The message of a failed step: the diagnostics, then the driver's text.
std::string message(llvm::Error error, const Diagnostics &diags) {
  std::string text = llvm::toString(std::move(error));
  if (diags.errors.empty())
    return text.empty() ? "failed (no message)" : text;
  return text.empty() ? diags.errors : diags.errors + "\n" + text;
}

/// A failure to raise once the GIL is back.
struct Failure {
  const char *cls = nullptr;
  std::string message;
};

template <typename T> T get(const py::dict &d, const char *key, T fallback) {
  if (!d.contains(key) || d[key].is_none())
    return fallback;
  return d[key].cast<T>();
}

/// The calibration data handed over from Python: per item, the arrays by
/// input name ("" : the model's only input).
using Items = std::vector<std::vector<std::pair<std::string, npy::Array>>>;

npy::Array toNpy(const py::array &a) {
  npy::Array out;
  std::string dtype = py::str(a.dtype()).cast<std::string>();
  if (dtype == "float32")
    out.dtype = npy::DType::F32;
  else if (dtype == "int8")
    out.dtype = npy::DType::S8;
  else if (dtype == "uint8")
    out.dtype = npy::DType::U8;
  else if (dtype == "int32")
    out.dtype = npy::DType::S32;
  else
    raise("CalibrationError", "calibration data of dtype " + dtype +
                                  ": expected float32, int8, uint8 or int32");
  if (!(a.flags() & py::array::c_style))
    raise("CalibrationError", "calibration arrays must be C-contiguous");
  for (py::ssize_t i = 0; i < a.ndim(); ++i)
    out.shape.push_back(int64_t(a.shape(i)));
  const auto *bytes = static_cast<const unsigned char *>(a.data());
  out.data.assign(bytes, bytes + a.nbytes());
  return out;
}

Items toItems(const py::list &items) {
  Items out;
  for (const py::handle &item : items) {
    auto &arrays = out.emplace_back();
    if (py::isinstance<py::dict>(item)) {
      for (auto [key, value] : item.cast<py::dict>())
        arrays.emplace_back(key.cast<std::string>(),
                            toNpy(value.cast<py::array>()));
    } else {
      arrays.emplace_back("", toNpy(item.cast<py::array>()));
    }
  }
  return out;
}

/// The items as Dataset::fromArrays takes them, checked against the inputs.
llvm::Expected<std::unique_ptr<calib::Dataset>>
memoryDataset(Items items, const std::vector<::q::driver::TensorInfo> &inputs) {
  auto fail = [](const std::string &text) {
    return llvm::createStringError(llvm::inconvertibleErrorCode(), text);
  };
  std::string names;
  for (const auto &t : inputs)
    names += (names.empty() ? "'" : ", '") + t.name + "'";
  std::vector<std::vector<npy::Array>> arrays(inputs.size());
  for (size_t k = 0; k < items.size(); ++k) {
    std::vector<bool> seen(inputs.size());
    for (auto &[name, array] : items[k]) {
      size_t index = inputs.size();
      if (name.empty() && inputs.size() == 1)
        index = 0;
      for (size_t i = 0; i < inputs.size() && !name.empty(); ++i)
        if (inputs[i].name == name)
          index = i;
      if (index == inputs.size())
        return fail(
            name.empty()
                ? "calibration item " + std::to_string(k) + ": the model has " +
                      std::to_string(inputs.size()) +
                      " inputs; give a dict name -> array (inputs: " + names +
                      ")"
                : "calibration item " + std::to_string(k) +
                      ": the model has no input '" + name +
                      "' (inputs: " + names + ")");
      seen[index] = true;
      arrays[index].push_back(std::move(array));
    }
    for (size_t i = 0; i < inputs.size(); ++i)
      if (!seen[i])
        return fail("calibration item " + std::to_string(k) +
                    ": no array for input '" + inputs[i].name + "'");
  }
  return calib::Dataset::fromArrays(std::move(arrays), inputs,
                                    "calibration item");
}

/// The calibration batch: the option, else the first item's batch (an
/// item that stacks samples), else the driver's default.
size_t calibrationBatch(size_t option, const Items &items,
                        const std::vector<::q::driver::TensorInfo> &inputs) {
  if (option || items.empty() || items[0].empty())
    return option;
  const npy::Array &first = items[0][0].second;
  if (first.shape.size() == inputs[0].shape.size() && !first.shape.empty())
    return size_t(first.shape[0]);
  return 0;
}

/// Everything a compile or calibrate call needs, read from the dict with
/// the GIL held.
struct Request {
  driver::ImportOptions import;
  std::string dtype = "float32";
  QuantizeOptions quantize;
  std::string calibMode = "entropy";
  double percentile = 99.99;
  std::vector<std::string> calibPaths;
  std::optional<Items> calibItems;
  std::string calibTableText;
  size_t calibBatchSize = 0, calibBatches = 0;
  /// The calibration batch is the first item's (an iterable's batches).
  bool batchFromItems = false;
  std::string backend = "onednn", isa = "auto", output, modelName;
  bool planLayouts = true;
  int numThreads = 0;
  std::function<void(const std::string &, size_t, size_t)> progress;
};

Request readRequest(const py::dict &d, const py::object &progress) {
  Request r;
  r.import.inputFile = get<std::string>(d, "symbol", "");
  r.import.paramsFile = get<std::string>(d, "params", "");
  if (d.contains("random_params") && !d["random_params"].is_none())
    r.import.randomParamsSeed = d["random_params"].cast<unsigned>();
  r.import.inputShapes = get<std::vector<std::string>>(d, "input_shapes", {});
  r.import.inputMeans = get<std::vector<std::string>>(d, "input_means", {});
  r.import.inputStds = get<std::vector<std::string>>(d, "input_stds", {});
  r.dtype = get<std::string>(d, "dtype", "float32");
  r.quantize.exclude = get<std::vector<std::string>>(d, "exclude", {});
  r.quantize.excludeOps = get<std::vector<std::string>>(d, "exclude_ops", {});
  r.quantize.weightBits = get<int>(d, "weight_bits", 8);
  r.calibMode = get<std::string>(d, "calib_mode", "entropy");
  r.percentile = get<double>(d, "percentile", 99.99);
  r.calibPaths = get<std::vector<std::string>>(d, "calib_paths", {});
  if (d.contains("calib_items") && !d["calib_items"].is_none())
    r.calibItems = toItems(d["calib_items"].cast<py::list>());
  r.calibTableText = get<std::string>(d, "calib_table", "");
  r.calibBatchSize = get<size_t>(d, "calib_batch_size", 0);
  r.calibBatches = get<size_t>(d, "calib_batches", 0);
  r.batchFromItems = get<bool>(d, "batch_from_items", false);
  r.backend = get<std::string>(d, "backend", "onednn");
  r.isa = get<std::string>(d, "isa", "auto");
  r.output = get<std::string>(d, "output", "");
  r.modelName = get<std::string>(d, "model_name", "");
  r.planLayouts = get<bool>(d, "plan_layouts", true);
  r.numThreads = get<int>(d, "num_threads", 0);
  if (!progress.is_none())
    r.progress = [progress](const std::string &step, size_t done,
                            size_t total) {
      py::gil_scoped_acquire gil;
      try {
        progress(step, done, total);
      } catch (py::error_already_set &e) {
        // A broken progress callback must not abort the compile.
        e.discard_as_unraisable("q progress callback");
      }
    };
  return r;
}

llvm::Error makeError(const std::string &text) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), text);
}

/// The quantize options of the request's dtype and flags.
llvm::Error quantizeOptions(Request &r) {
  auto dtype = parseQuantDType(r.dtype, "dtype");
  if (!dtype)
    return makeError("dtype=" + r.dtype +
                     " is not valid; expected float32, int8, uint8 or auto");
  r.quantize.dtype = *dtype;
  if (auto err = checkWeightBits(r.quantize.weightBits, "weight_bits"))
    return err;
  return checkOpKinds(r.quantize.excludeOps, "exclude_ops");
}

/// Calibrates `module` on the request's data (files or memory).
llvm::Expected<driver::CalibrationResult> runCalibration(ModuleOp module,
                                                         Request &r) {
  auto mode = calib::parseMode(r.calibMode, "calib_mode");
  if (!mode)
    return mode.takeError();
  if (!(r.percentile > 0 && r.percentile <= 100))
    return makeError("percentile must be in (0, 100]");
  auto inputs = driver::moduleInputs(module);
  if (!inputs)
    return inputs.takeError();
  std::unique_ptr<calib::Dataset> data;
  size_t batch = r.calibBatchSize;
  if (r.calibItems) {
    if (r.batchFromItems)
      batch = calibrationBatch(batch, *r.calibItems, *inputs);
    auto made = memoryDataset(std::move(*r.calibItems), *inputs);
    if (!made)
      return made.takeError();
    data = std::move(*made);
  } else {
    calib::ImageOptions images;
    images.rawIdx = !r.import.inputMeans.empty() || !r.import.inputStds.empty();
    auto opened = calib::Dataset::open(r.calibPaths, *inputs, images);
    if (!opened)
      return opened.takeError();
    data = std::move(*opened);
  }
  driver::CalibrateOptions options;
  options.tool = "q.calibrate";
  options.batchesFlag = "calib_batches";
  options.collect.mode = *mode;
  options.collect.percentile = r.percentile;
  options.collect.type =
      r.quantize.dtype == QuantDType::int8    ? qcalib::QuantizedType::Int8
      : r.quantize.dtype == QuantDType::uint8 ? qcalib::QuantizedType::UInt8
                                              : qcalib::QuantizedType::Auto;
  options.quantize = r.quantize;
  options.batchSize = batch;
  options.maxBatches = r.calibBatches;
  options.numThreads = r.numThreads;
  if (r.progress)
    options.progress = [&](size_t done, size_t total) {
      r.progress("calibrate", done, total);
    };
  return driver::calibrate(module, *data, options);
}

std::string tableText(const qcalib::CalibrationTable &table) {
  std::string text;
  llvm::raw_string_ostream os(text);
  qcalib::printCalibrationTable(table, os);
  return text;
}

struct CompileResult {
  std::string table, backendReport, summary;
};

/// q-compile's main() on a request.
llvm::Error compileRequest(MLIRContext &context, Request &r, CompileResult &out,
                           const char *&errorClass) {
  auto step = [&](const char *name) {
    if (r.progress)
      r.progress(name, 0, 0);
  };
  driver::CompileOptions options;
  options.modelName =
      r.modelName.empty() ? driver::modelNameFor(r.output) : r.modelName;
  options.numThreads = r.numThreads;
  options.planLayouts = r.planLayouts;
  options.backend = r.backend;
  options.isa = r.isa;
  options.int8 = r.dtype != "float32";
  if (options.int8) {
    if (auto err = quantizeOptions(r))
      return err;
    options.quantize = r.quantize;
  } else if (r.backend != "onednn" || !r.quantize.exclude.empty() ||
             r.calibItems || !r.calibPaths.empty() ||
             !r.calibTableText.empty()) {
    return makeError("calibration, exclude and backend=" + r.backend +
                     " need an int8 dtype (int8, uint8 or auto)");
  }
  if (r.backend != "onednn" && r.backend != "loops" && r.backend != "auto")
    return makeError("backend=" + r.backend +
                     ": expected onednn, loops or auto");

  step("import");
  auto module = driver::importModel(context, r.import);
  if (!module)
    return module.takeError();
  if (auto err = checkNodeNames(**module, r.quantize.exclude, "exclude"))
    return err;
  if (options.int8 && (r.calibItems || !r.calibPaths.empty())) {
    step("calibrate");
    auto result = runCalibration(**module, r);
    if (!result) {
      errorClass = "CalibrationError";
      return result.takeError();
    }
    out.table = tableText(result->table);
    options.calibration = std::move(result->table);
  } else if (options.int8 && !r.calibTableText.empty()) {
    auto table =
        qcalib::parseCalibrationTable(r.calibTableText, "calibration table");
    if (!table) {
      errorClass = "CalibrationError";
      return table.takeError();
    }
    options.calibration = std::move(*table);
  }

  step("graph passes");
  if (auto err = driver::runPasses(
          **module,
          [&](PassManager &pm) { driver::addGraphPasses(pm, options); },
          "q.compile"))
    return err;
  if (r.backend == "auto") {
    step("backend selection");
    BackendSelectOptions select;
    select.isa = r.isa;
    select.threads = r.numThreads;
    auto choices = selectBackends(**module, select);
    if (!choices)
      return choices.takeError();
    out.backendReport = formatBackendReport(*choices);
  }
  step("lowering");
  if (auto err = driver::runPasses(
          **module,
          [&](PassManager &pm) { driver::addLoweringPasses(pm, options); },
          "q.compile"))
    return err;
  step("codegen");
  driver::LinkOptions link;
  link.outputFile = r.output;
  link.tool = "q.compile";
  auto linked = driver::emitLibrary(**module, options, link);
  if (!linked)
    return linked.takeError();
  std::string line;
  llvm::raw_string_ostream os(line);
  os << "wrote " << r.output << " (" << linked->numWeights << " weights, "
     << linked->weightBytes / 1024 << " KiB; arena "
     << linked->arenaBytes / 1024 << " KiB)";
  out.summary = line;
  return llvm::Error::success();
}

py::list warningsOf(const Diagnostics &diags) {
  py::list list;
  for (const std::string &w : diags.warnings)
    list.append(w);
  return list;
}

py::dict compile(const py::dict &options, const py::object &progress) {
  Request r = readRequest(options, progress);
  if (r.output.empty())
    raise("CompileError", "no output path");
  Diagnostics diags;
  CompileResult result;
  std::optional<Failure> failure;
  {
    py::gil_scoped_release release;
    auto context = makeContext(diags);
    const char *errorClass = "CompileError";
    if (auto err = compileRequest(*context, r, result, errorClass))
      failure = Failure{errorClass, message(std::move(err), diags)};
  }
  if (failure)
    raise(failure->cls, failure->message);
  py::dict d;
  d["output"] = r.output;
  d["table"] = result.table.empty() ? py::object(py::none())
                                    : py::object(py::str(result.table));
  d["backend_report"] = result.backendReport;
  d["summary"] = result.summary;
  d["warnings"] = warningsOf(diags);
  return d;
}

/// q-calibrate's main(): the table (JSON text) and the summary.
py::dict calibrateModel(const py::dict &options, const py::object &progress) {
  Request r = readRequest(options, progress);
  Diagnostics diags;
  std::optional<Failure> failure;
  std::optional<driver::CalibrationResult> result;
  {
    py::gil_scoped_release release;
    auto context = makeContext(diags);
    auto run = [&]() -> llvm::Error {
      if (auto err = quantizeOptions(r))
        return err;
      if (r.progress)
        r.progress("import", 0, 0);
      auto module = driver::importModel(*context, r.import);
      if (!module)
        return module.takeError();
      if (r.progress)
        r.progress("calibrate", 0, 0);
      auto calibrated = runCalibration(**module, r);
      if (!calibrated)
        return calibrated.takeError();
      result = std::move(*calibrated);
      return llvm::Error::success();
    };
    if (auto err = run())
      failure = Failure{"CalibrationError", message(std::move(err), diags)};
  }
  if (failure)
    raise(failure->cls, failure->message);
  std::string summary;
  llvm::raw_string_ostream os(summary);
  calib::printSummary(result->summaries, os);
  py::dict d;
  d["table"] = tableText(result->table);
  d["summary"] = summary;
  d["batches"] = result->batches;
  d["batch_size"] = result->batchSize;
  d["samples_used"] = result->samplesUsed;
  d["warnings"] = warningsOf(diags);
  return d;
}

/// Parses a table (checking it as q-compile does) and prints it back in
/// q-calibrate's format.
std::string normalizeTable(const std::string &text, const std::string &name) {
  auto table = qcalib::parseCalibrationTable(text, name);
  if (!table)
    raise("CalibrationError", llvm::toString(table.takeError()));
  return tableText(*table);
}

} // namespace

PYBIND11_MODULE(_compiler, m) {
  m.doc() = "q's compiler driver (native part of q.compile / q.calibrate)";
  m.def("compile", &compile, py::arg("options"), py::arg("progress"));
  m.def("calibrate", &calibrateModel, py::arg("options"), py::arg("progress"));
  m.def("normalize_table", &normalizeTable, py::arg("text"), py::arg("name"));
  m.def("version", []() { return std::string(::q::version()); });
}
