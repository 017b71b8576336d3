//===- q-run.cpp - Run a compiled model on .npy inputs --------------------===//
//
//   q-run lib.so --input=data:x.npy [--input=...] -o out.npy
//         [--output-dir=DIR] [--bench=N] [--threads=T] [--params=F.params]
//
// Loads a model compiled by q-compile with dlopen and drives it through its
// C API (include/q/model.h). Inputs whose first dim is a multiple of the
// model's batch run in chunks whose outputs are concatenated, so a file of
// 10000 images runs through a batch-1 model.
//
//===----------------------------------------------------------------------===//

#include "QDialect/Driver/ModelRunner.h"
#include "QDialect/Support/Version.h"
#include "q/model.h"
#include "q/npy.h"

#include "q/idx.h"
#include "q/image.h"
#include <algorithm>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <stdexcept>

#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmath>

#include <string>
#include <sys/stat.h>
#include <vector>

extern char **environ;

namespace {

const char *const kUsage =
    R"(usage: q-run MODEL --input=[NAME:]FILE.npy ... -o OUT.npy [options]

Runs a model compiled by q-compile (a shared library) on .npy inputs and
writes its outputs as .npy files. An input may also be an IDX file of
MNIST-style images (FILE ending in -ubyte or -ubyte.gz): for an f32 model
input the bytes are scaled to [0, 1] (x / 255), the preprocessing the
bundled Fashion-MNIST model and the shared MNIST models were trained with.
Or a PNG/JPEG image of the input's height and width (1 or 3 channels):
its pixels as they are, HWC for an NHWC input (q-compile
--input-type=NAME:u8,nhwc), CHW otherwise, 0..255 floats for an f32 input.
--info tells each input's dtype, shape and, for 4-D inputs, layout.

  MODEL               the compiled model (lib.so), or a q module (.mlir, as
                      q-translate --import-mxnet writes it), which q-run
                      compiles with q-compile into a temporary library
  --input=NAME:FILE   .npy data of the model input NAME; NAME: may be left out
                      when the model has one input. Give every input once.
                      The dtype must be the input's; the shape the input's, or
                      the input's with a first dim that is a multiple of the
                      model's batch: the data then runs in batches and the
                      outputs are concatenated along their first dim.
  -o, --output=FILE   where to write the output, for a model with one output
  --output-dir=DIR    write each output to DIR/NAME.npy (created if missing);
                      needed when the model has several outputs
  --params=FILE       load the weights from this MXNet .params file instead of
                      those embedded in the library (needed for a model
                      compiled with external weights)
  --threads=T         threads per run (default: the model's setting)
  --bench=N           after the run, time N more runs (after 2 warm-ups) and
                      print the min/median/max latency of one run in ms;
                      without -o/--output-dir only the timing is done
  --labels=FILE       class labels (.npy of integers, or an IDX file such as
                      t10k-labels-idx1-ubyte.gz): print the top-1 accuracy of
                      the first output (argmax over its last axis)
  --compare=FILE      predicted classes of another implementation (.npy of
                      integers): print how often the top-1 classes agree
  --reference=FILE    expected values of the first output (.npy f32): print the
                      largest difference; with --tolerance=T exit 1 unless
                      |out - ref| <= T * max(1, max |ref|) everywhere
  --min-cosine=C      with --reference: exit 1 if the cosine similarity of
                      the output and the reference (as flat vectors) is below
                      C (e.g. 0.99 for int8 against fp32 logits)
  --random-inputs=S   instead of --input, feed every input pseudo-random data
                      (uniform in [-1, 1), or 0..255 for 8-bit inputs) from
                      seed S, one model batch
  --min-accuracy=P    exit 1 if the top-1 accuracy is below P percent
  --min-agreement=P   exit 1 if the agreement is below P percent
  --info              print how the model was compiled (dtype, backend, the
                      kernel variant picked at load, q version) and its
                      inputs and outputs, then exit
  --version           print the versions of q, LLVM and oneDNN
  -h, --help          print this help

Outputs are written through a temporary file and renamed, so a failed run
leaves no partial file. Exit status: 0 on success, 1 on any error.
)";

/// Every failure: main() prints it and exits with 1.
struct ToolError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

[[noreturn]] void fail(const std::string &message) { throw ToolError(message); }

/// A --min-accuracy/--min-agreement check failed (already reported).
struct ThresholdMissed {};

struct Options {
  std::string model;
  std::vector<std::string> inputs; // "[NAME:]FILE" as given
  std::string output;
  std::string outputDir;
  std::string params;
  std::string labels;
  std::string compare;
  std::string reference;
  double tolerance = -1;
  double minCosine = -2;
  int randomSeed = -1;
  double minAccuracy = -1;
  double minAgreement = -1;
  int threads = 0;
  int bench = 0;
  bool info = false;
};

double parsePercent(const std::string &flag, const std::string &value) {
  char *end = nullptr;
  const double number = std::strtod(value.c_str(), &end);
  if (value.empty() || *end || !(number >= 0 && number <= 100))
    fail(flag + ": expected a percentage between 0 and 100, got '" + value +
         "'");
  return number;
}

int parseCount(const std::string &flag, const std::string &value, int min) {
  char *end = nullptr;
  errno = 0;
  const long number = std::strtol(value.c_str(), &end, 10);
  if (value.empty() || *end || errno || number < min || number > 1000000000)
    fail(flag + ": expected an integer >= " + std::to_string(min) + ", got '" +
         value + "'");
  return int(number);
}

Options parseArguments(int argc, char **argv) {
  Options options;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "-h" || arg == "--help") {
      std::fputs(kUsage, stdout);
      std::exit(0);
    }
    if (arg == "--version") {
      std::fputs(q::versionText("q-run").c_str(), stdout);
      std::exit(0);
    }
    if (arg == "--info") {
      options.info = true;
      continue;
    }
    // --flag=value, --flag value, -o value, -ovalue.
    std::string flag = arg, value;
    bool hasValue = false;
    if (arg.compare(0, 2, "--") == 0 && arg.find('=') != std::string::npos) {
      flag = arg.substr(0, arg.find('='));
      value = arg.substr(arg.find('=') + 1);
      hasValue = true;
    } else if (arg.compare(0, 2, "-o") == 0 && arg.size() > 2 &&
               arg[2] != '-') {
      flag = "-o";
      value = arg.substr(2);
      hasValue = true;
    }
    static const char *const valueFlags[] = {
        "--input",  "-o",        "--output",  "--output-dir",
        "--params", "--threads", "--bench",   "--labels",
        "--compare", "--min-accuracy", "--min-agreement", "--reference",
        "--tolerance", "--random-inputs", "--min-cosine"};
    const bool known = std::find(std::begin(valueFlags), std::end(valueFlags),
                                 flag) != std::end(valueFlags);
    if (!known) {
      if (!arg.empty() && arg[0] == '-')
        fail("unknown option '" + arg + "' (see --help)");
      if (!options.model.empty())
        fail("more than one model given ('" + options.model + "' and '" + arg +
             "')");
      options.model = arg;
      continue;
    }
    if (!hasValue) {
      if (i + 1 >= argc)
        fail(flag + " needs a value (see --help)");
      value = argv[++i];
    }
    if (value.empty())
      fail(flag + " needs a non-empty value");
    if (flag == "--input")
      options.inputs.push_back(value);
    else if (flag == "-o" || flag == "--output")
      options.output = value;
    else if (flag == "--output-dir")
      options.outputDir = value;
    else if (flag == "--labels")
      options.labels = value;
    else if (flag == "--compare")
      options.compare = value;
    else if (flag == "--reference")
      options.reference = value;
    else if (flag == "--tolerance") {
      char *end = nullptr;
      options.tolerance = std::strtod(value.c_str(), &end);
      if (*end || !(options.tolerance >= 0))
        fail("--tolerance: expected a non-negative number, got '" + value +
             "'");
    } else if (flag == "--min-cosine") {
      char *end = nullptr;
      options.minCosine = std::strtod(value.c_str(), &end);
      if (*end || !(options.minCosine >= -1 && options.minCosine <= 1))
        fail("--min-cosine: expected a number in [-1, 1], got '" + value +
             "'");
    } else if (flag == "--random-inputs")
      options.randomSeed = parseCount(flag, value, 0);
    else if (flag == "--min-accuracy")
      options.minAccuracy = parsePercent(flag, value);
    else if (flag == "--min-agreement")
      options.minAgreement = parsePercent(flag, value);
    else if (flag == "--params")
      options.params = value;
    else if (flag == "--threads")
      options.threads = parseCount(flag, value, 0);
    else if (flag == "--bench")
      options.bench = parseCount(flag, value, 1);
  }
  if (options.model.empty())
    fail("no model given (see --help)");
  if (!options.output.empty() && !options.outputDir.empty())
    fail("give -o or --output-dir, not both");
  return options;
}

//===----------------------------------------------------------------------===//
// The model, loaded through the driver library's CompiledModel
//===----------------------------------------------------------------------===//

/// A compiled model: the library, its API and one q_model.
class LoadedModel {
public:
  LoadedModel(const std::string &path, const Options &options) {
    q::driver::LoadOptions loadOptions;
    loadOptions.numThreads = options.threads;
    loadOptions.paramsPath = options.params;
    std::string error;
    compiled = q::driver::CompiledModel::load(path, loadOptions, error);
    if (!compiled)
      fail(error);
    modelName = compiled->name();
    api = compiled->api();
    model = compiled->handle();
    inputs = compiled->inputs();
    outputs = compiled->outputs();
  }

  using Tensor = q::driver::TensorInfo;

  std::string modelName;
  q::driver::ModelApi api{};
  q_model *model = nullptr;
  std::vector<Tensor> inputs, outputs;

  /// q_model_info(key), "" for a library without it.
  std::string info(const char *key) const { return compiled->info(key); }

private:
  std::unique_ptr<q::driver::CompiledModel> compiled;
};

npy::DType npyType(q_dtype dtype) {
  switch (dtype) {
  case Q_DTYPE_F32:
    return npy::DType::F32;
  case Q_DTYPE_S8:
    return npy::DType::S8;
  case Q_DTYPE_U8:
    return npy::DType::U8;
  case Q_DTYPE_S32:
    return npy::DType::S32;
  }
  fail("unknown model dtype " + std::to_string(int(dtype)));
}

std::string describe(const LoadedModel::Tensor &tensor) {
  return "'" + tensor.name + "' (" + npy::name(npyType(tensor.dtype)) + " " +
         npy::shapeString(tensor.shape) + ")";
}

std::string list(const std::vector<LoadedModel::Tensor> &tensors) {
  std::string text;
  for (size_t i = 0; i < tensors.size(); ++i)
    text += (i ? ", " : "") + describe(tensors[i]);
  return text.empty() ? "none" : text;
}

bool fileExists(const std::string &path) {
  struct stat info;
  return ::stat(path.c_str(), &info) == 0;
}

bool isIdx(const std::string &file) {
  return file.find("-ubyte") != std::string::npos;
}

/// MNIST-style images for a model input: [N, rows, cols] bytes become
/// [N, ...input shape without its batch dim], scaled to [0, 1] for f32.
npy::Array readIdxInput(const std::string &file,
                        const LoadedModel::Tensor &input) {
  q::data::IdxArray idx;
  std::string error;
  if (!q::data::readIdx(file, idx, error))
    fail(error);
  int64_t perSample = 1;
  for (size_t i = 1; i < input.shape.size(); ++i)
    perSample *= input.shape[i];
  const int64_t samples = idx.shape[0];
  if (input.shape.empty() || samples * perSample != int64_t(idx.data.size()))
    fail("input '" + input.name + "': " + file + " holds " +
         std::to_string(samples) + " samples of " +
         std::to_string(idx.data.size() / std::max<int64_t>(samples, 1)) +
         " bytes, the model takes samples of " + std::to_string(perSample) +
         " elements");
  std::vector<int64_t> shape = input.shape;
  shape[0] = samples;
  if (input.dtype == Q_DTYPE_U8) {
    npy::Array array = npy::makeArray(npy::DType::U8, shape);
    std::memcpy(array.data.data(), idx.data.data(), idx.data.size());
    return array;
  }
  if (input.dtype != Q_DTYPE_F32)
    fail("input '" + input.name + "': IDX images feed f32 or u8 inputs only");
  npy::Array array = npy::makeArray(npy::DType::F32, shape);
  auto *values = reinterpret_cast<float *>(array.data.data());
  for (size_t i = 0; i < idx.data.size(); ++i)
    values[i] = float(idx.data[i]) / 255.0f;
  return array;
}

/// One PNG/JPEG image for a 4-D input of 1 or 3 channels: its pixels as
/// they are (no resize, no scaling), HWC for an NHWC input, CHW otherwise;
/// 0..255 floats for an f32 input.
npy::Array readImageInput(const std::string &file,
                          const LoadedModel::Tensor &input) {
  const bool nhwc = input.layout == Q_LAYOUT_NHWC;
  const auto &shape = input.shape;
  const int64_t channels = shape.size() == 4 ? shape[nhwc ? 3 : 1] : 0;
  if (channels != 1 && channels != 3)
    fail("input '" + input.name + "': " + file +
         ": images feed 4-D inputs of 1 or 3 channels; the input is " +
         describe(input));
  if (input.dtype != Q_DTYPE_U8 && input.dtype != Q_DTYPE_F32)
    fail("input '" + input.name + "': " + file +
         ": images feed u8 or f32 inputs; the input is " + describe(input));
  q::data::Image image;
  std::string error;
  if (!q::data::readImage(file, int(channels), image, error))
    fail(error);
  const int64_t height = shape[nhwc ? 1 : 2], width = shape[nhwc ? 2 : 3];
  if (image.height != height || image.width != width)
    fail(file + ": is " + std::to_string(image.height) + "x" +
         std::to_string(image.width) + ", input '" + input.name + "' takes " +
         std::to_string(height) + "x" + std::to_string(width) +
         " (q-run does not resize)");
  std::vector<int64_t> one = shape;
  one[0] = 1;
  npy::Array array = npy::makeArray(npyType(input.dtype), one);
  const int64_t plane = height * width;
  for (int64_t i = 0; i < plane; ++i)
    for (int64_t c = 0; c < channels; ++c) {
      const uint8_t v = image.pixels[i * channels + c];
      const int64_t at = nhwc ? i * channels + c : c * plane + i;
      if (input.dtype == Q_DTYPE_U8)
        array.data[at] = v;
      else
        reinterpret_cast<float *>(array.data.data())[at] = float(v);
    }
  return array;
}

/// Integer class labels from .npy (any integer dtype) or IDX.
std::vector<int64_t> readClasses(const std::string &file) {
  std::vector<int64_t> classes;
  std::string error;
  if (isIdx(file)) {
    q::data::IdxArray idx;
    if (!q::data::readIdx(file, idx, error))
      fail(error);
    classes.assign(idx.data.begin(), idx.data.end());
    return classes;
  }
  npy::Array array;
  if (!npy::read(file, array, &error))
    fail(error);
  const size_t n = array.numElements();
  for (size_t i = 0; i < n; ++i) {
    const uint8_t *p = array.data.data();
    switch (array.dtype) {
    case npy::DType::U8:
      classes.push_back(p[i]);
      break;
    case npy::DType::S8:
      classes.push_back(int8_t(p[i]));
      break;
    case npy::DType::S32:
      classes.push_back(reinterpret_cast<const int32_t *>(p)[i]);
      break;
    case npy::DType::S64:
      classes.push_back(reinterpret_cast<const int64_t *>(p)[i]);
      break;
    default:
      fail(file + ": class labels must be integers, not " +
           npy::name(array.dtype));
    }
  }
  return classes;
}

/// Top-1 classes of an f32 output: argmax over its last axis.
std::vector<int64_t> topClasses(const npy::Array &output) {
  if (output.dtype != npy::DType::F32 || output.shape.empty())
    fail("--labels/--compare need an f32 output of scores");
  const int64_t classes = output.shape.back();
  const auto *scores = reinterpret_cast<const float *>(output.data.data());
  std::vector<int64_t> top;
  for (int64_t row = 0; row * classes < output.numElements(); ++row) {
    const float *r = scores + row * classes;
    top.push_back(std::max_element(r, r + classes) - r);
  }
  return top;
}

/// Prints how often `predicted` matches `expected`; false if below `min`.
bool reportMatch(const char *what, const std::vector<int64_t> &predicted,
                 const std::vector<int64_t> &expected,
                 const std::string &file, double min) {
  if (expected.size() != predicted.size())
    fail(file + " holds " + std::to_string(expected.size()) +
         " classes, the model produced " + std::to_string(predicted.size()));
  size_t same = 0;
  for (size_t i = 0; i < predicted.size(); ++i)
    same += predicted[i] == expected[i];
  const double percent = predicted.empty() ? 0 : 100.0 * same / predicted.size();
  std::printf("%s: %zu/%zu (%.2f%%) against %s\n", what, same,
              predicted.size(), percent, file.c_str());
  if (min >= 0 && percent < min) {
    std::fprintf(stderr, "q-run: error: %s %.2f%% is below %.2f%%\n", what,
                 percent, min);
    return false;
  }
  return true;
}

/// Compares an output with expected values; false if beyond `tolerance`.
bool reportDifference(const npy::Array &output, const std::string &file,
                      double tolerance, double minCosine) {
  npy::Array expected;
  std::string error;
  if (!npy::read(file, expected, &error))
    fail(error);
  if (expected.dtype != npy::DType::F32 || expected.shape != output.shape ||
      output.dtype != npy::DType::F32)
    fail(file + ": holds " + npy::name(expected.dtype) + " " +
         npy::shapeString(expected.shape) + ", the output is " +
         npy::name(output.dtype) + " " + npy::shapeString(output.shape));
  const auto *a = reinterpret_cast<const float *>(output.data.data());
  const auto *b = reinterpret_cast<const float *>(expected.data.data());
  double maxDiff = 0, maxRef = 0, dot = 0, normA = 0, normB = 0;
  for (size_t i = 0; i < size_t(output.numElements()); ++i) {
    maxDiff = std::max(maxDiff, double(std::fabs(a[i] - b[i])));
    maxRef = std::max(maxRef, double(std::fabs(b[i])));
    dot += double(a[i]) * b[i];
    normA += double(a[i]) * a[i];
    normB += double(b[i]) * b[i];
  }
  const double scale = std::max(1.0, maxRef);
  const double cosine =
      normA > 0 && normB > 0 ? dot / std::sqrt(normA * normB) : 0.0;
  std::printf("max |difference| %.3g against %s (max |reference| %.3g, "
              "relative %.3g); cosine %.6f\n",
              maxDiff, file.c_str(), maxRef, maxDiff / scale, cosine);
  if (minCosine > -2 && !(cosine >= minCosine)) {
    std::fprintf(stderr, "q-run: error: cosine %.6f is below %.6f\n", cosine,
                 minCosine);
    return false;
  }
  if (tolerance >= 0 && !(maxDiff <= tolerance * scale)) {
    std::fprintf(stderr, "q-run: error: difference %.3g exceeds %.3g\n",
                 maxDiff, tolerance * scale);
    return false;
  }
  return true;
}

/// Which model input each --input names, and its data; files[i] is the
/// file of input i.
std::vector<npy::Array> readInputs(const LoadedModel &model,
                                   const Options &options,
                                   std::vector<std::string> &files) {
  const auto &inputs = model.inputs;
  std::vector<npy::Array> arrays(inputs.size());
  files.assign(inputs.size(), "");
  if (options.randomSeed >= 0) {
    if (!options.inputs.empty())
      fail("give either --input or --random-inputs");
    uint32_t state = uint32_t(options.randomSeed) * 2654435761u + 1;
    for (size_t i = 0; i < inputs.size(); ++i) {
      files[i] = "<random>";
      arrays[i] = npy::makeArray(npyType(inputs[i].dtype), inputs[i].shape);
      for (size_t k = 0; k < size_t(arrays[i].numElements()); ++k) {
        state = state * 1664525u + 1013904223u;
        if (arrays[i].dtype == npy::DType::F32)
          reinterpret_cast<float *>(arrays[i].data.data())[k] =
              float(state >> 8) / float(1u << 23) - 1.0f;
        else
          arrays[i].data[k] = uint8_t(state >> 24);
      }
    }
    return arrays;
  }
  for (const std::string &spec : options.inputs) {
    // NAME:FILE when NAME is an input; a bare FILE for a one-input model.
    size_t index = inputs.size();
    std::string file = spec;
    const size_t colon = spec.find(':');
    if (colon != std::string::npos) {
      for (size_t i = 0; i < inputs.size(); ++i)
        if (inputs[i].name == spec.substr(0, colon))
          index = i;
      if (index < inputs.size())
        file = spec.substr(colon + 1);
      else if (!fileExists(spec))
        fail("--input=" + spec + ": the model has no input named '" +
             spec.substr(0, colon) + "'; its inputs: " + list(inputs));
    }
    if (index == inputs.size()) {
      if (inputs.size() != 1)
        fail("--input=" + spec + ": the model has " +
             std::to_string(inputs.size()) +
             " inputs, name the one this file is for (--input=NAME:FILE); "
             "its inputs: " +
             list(inputs));
      index = 0;
    }
    if (!files[index].empty())
      fail("input '" + inputs[index].name + "' is given twice ('" +
           files[index] + "' and '" + file + "')");
    files[index] = file;
    std::string error;
    if (isIdx(file))
      arrays[index] = readIdxInput(file, inputs[index]);
    else if (q::data::isImageFile(file))
      arrays[index] = readImageInput(file, inputs[index]);
    else if (!npy::read(file, arrays[index], &error))
      fail(error);
  }
  for (size_t i = 0; i < inputs.size(); ++i)
    if (files[i].empty())
      fail("input " + describe(inputs[i]) +
           " is not given: pass --input=" + inputs[i].name + ":FILE.npy");

  for (size_t i = 0; i < inputs.size(); ++i) {
    const npy::DType expected = npyType(inputs[i].dtype);
    if (arrays[i].dtype != expected)
      fail("input '" + inputs[i].name + "': " + files[i] + " holds " +
           npy::name(arrays[i].dtype) + ", the model needs " +
           npy::name(expected) + " (convert with x.astype(np." +
           npy::name(expected) + "))");
  }
  return arrays;
}

/// How many model-sized batches `array` holds for `input`.
int64_t countBatches(const LoadedModel::Tensor &input, const npy::Array &array,
                     const std::string &file) {
  const std::vector<int64_t> &want = input.shape;
  const std::vector<int64_t> &have = array.shape;
  if (have == want)
    return 1;
  const bool splittable =
      !want.empty() && have.size() == want.size() && want[0] > 0 &&
      have[0] > 0 && have[0] % want[0] == 0 &&
      std::equal(want.begin() + 1, want.end(), have.begin() + 1);
  if (!splittable) {
    std::string batched;
    if (!want.empty() && want[0] > 0) {
      std::vector<int64_t> example = want;
      example[0] = want[0] * 10;
      batched = ", or its shape with a multiple of the batch " +
                std::to_string(want[0]) + " as first dim, e.g. " +
                npy::shapeString(example);
    }
    fail("input '" + input.name + "': " + file + " has shape " +
         npy::shapeString(have) + ", the model needs " +
         npy::shapeString(want) + batched);
  }
  return have[0] / want[0];
}

std::string outputPath(const Options &options, const std::string &name) {
  std::string file;
  for (char c : name)
    file += std::isalnum(static_cast<unsigned char>(c)) || c == '_' ||
                    c == '-' || c == '.'
                ? c
                : '_';
  return options.outputDir + "/" + file + ".npy";
}

double milliseconds(std::chrono::steady_clock::duration duration) {
  return std::chrono::duration<double, std::milli>(duration).count();
}

/// How the library was compiled and what it picked at load (q_model_info).
void printBuildInfo(const LoadedModel &model) {
  const std::string dtype = model.info("dtype");
  if (dtype.empty() || dtype == "unknown") {
    std::printf("build   not recorded (compiled by an older q)\n");
    return;
  }
  std::printf("dtype   %s\n", dtype.c_str());
  std::printf("backend %s (conv/fc layers: %s on generated loops, %s on "
              "oneDNN)\n",
              model.info("backend").c_str(), model.info("loops_layers").c_str(),
              model.info("onednn_layers").c_str());
  const std::string variants = model.info("kernel_isas");
  if (variants.empty())
    std::printf("isa     none (no generated kernels)\n");
  else
    std::printf("isa     %s (picked by cpuid at load from %s)\n",
                model.info("isa").c_str(), variants.c_str());
  std::printf("onednn  %s\n", model.info("onednn_isa").c_str());
  std::printf("q       %s\n", model.info("q_version").c_str());
}

/// Runs a compiled model (.so) as the options say; throws ToolError.
void runSharedLibrary(const Options &options) {
  LoadedModel model(options.model, options);
  if (options.info) {
    std::printf("model '%s'\n", model.modelName.c_str());
    printBuildInfo(model);
    // 4-D inputs also say their layout: nhwc for raw images compiled so.
    for (const auto &input : model.inputs)
      std::printf("input  %s%s\n", describe(input).c_str(),
                  input.layout == Q_LAYOUT_NHWC ? " nhwc"
                  : input.shape.size() == 4     ? " nchw"
                                                : "");
    for (const auto &output : model.outputs)
      std::printf("output %s\n", describe(output).c_str());
    return;
  }
  const bool scoring = !options.labels.empty() || !options.compare.empty() ||
                       !options.reference.empty();
  const bool writeOutputs =
      !options.output.empty() || !options.outputDir.empty() || scoring;
  if (!writeOutputs && !options.bench)
    fail("nothing to do: give -o FILE, --output-dir=DIR or --bench=N");
  if (!options.output.empty() && model.outputs.size() != 1)
    fail("-o: the model has " + std::to_string(model.outputs.size()) +
         " outputs (" + list(model.outputs) + "): use --output-dir=DIR");

  std::vector<std::string> files;
  const std::vector<npy::Array> inputs = readInputs(model, options, files);
  int64_t batches = 1;
  for (size_t i = 0; i < inputs.size(); ++i) {
    const int64_t n = countBatches(model.inputs[i], inputs[i], files[i]);
    if (i && n != batches)
      fail("the inputs hold different numbers of batches (" +
           std::to_string(batches) + " for '" + model.inputs[0].name + "', " +
           std::to_string(n) + " for '" + model.inputs[i].name + "')");
    batches = n;
  }

  // Outputs of all batches, concatenated along the first dim.
  std::vector<npy::Array> outputs;
  std::vector<size_t> outputBytes, inputBytes;
  for (const auto &output : model.outputs) {
    std::vector<int64_t> shape = output.shape;
    if (batches > 1) {
      if (shape.empty())
        fail("output '" + output.name +
             "' is a scalar: cannot concatenate the outputs of " +
             std::to_string(batches) + " batches");
      shape[0] *= batches;
    }
    outputs.push_back(npy::makeArray(npyType(output.dtype), shape));
    outputBytes.push_back(outputs.back().data.size() / size_t(batches));
  }
  for (const npy::Array &input : inputs)
    inputBytes.push_back(input.data.size() / size_t(batches));

  std::vector<const void *> in(inputs.size());
  std::vector<void *> out(outputs.size());
  auto runBatch = [&](int64_t b, std::vector<void *> &destinations) {
    for (size_t i = 0; i < inputs.size(); ++i)
      in[i] = inputs[i].data.data() + size_t(b) * inputBytes[i];
    for (size_t i = 0; i < outputs.size(); ++i)
      destinations[i] = outputs[i].data.data() + size_t(b) * outputBytes[i];
    const q_status status =
        model.api.runChecked(model.model, in.data(), inputBytes.data(),
                             destinations.data(), outputBytes.data());
    if (status != Q_OK)
      fail(options.model + ": batch " + std::to_string(b) + ": " +
           model.api.statusName(status) + ": " + model.api.lastError());
  };

  if (writeOutputs) {
    for (int64_t b = 0; b < batches; ++b)
      runBatch(b, out);
    if (scoring) {
      bool ok = true;
      if (!options.reference.empty())
        ok &= reportDifference(outputs[0], options.reference,
                               options.tolerance, options.minCosine);
      const bool classes =
          !options.labels.empty() || !options.compare.empty();
      const std::vector<int64_t> top =
          classes ? topClasses(outputs[0]) : std::vector<int64_t>();
      if (!options.labels.empty())
        ok &= reportMatch("top-1 accuracy", top, readClasses(options.labels),
                          options.labels, options.minAccuracy);
      if (!options.compare.empty())
        ok &= reportMatch("top-1 agreement", top, readClasses(options.compare),
                          options.compare, options.minAgreement);
      if (!ok)
        throw ThresholdMissed();
    }
    if (!options.output.empty()) {
      std::string error;
      if (!npy::write(options.output, outputs[0], &error))
        fail(error);
    } else if (!options.outputDir.empty()) {
      if (::mkdir(options.outputDir.c_str(), 0777) != 0 && errno != EEXIST)
        fail(options.outputDir + ": cannot create: " + std::strerror(errno));
      for (size_t i = 0; i < outputs.size(); ++i) {
        std::string error;
        if (!npy::write(outputPath(options, model.outputs[i].name), outputs[i],
                        &error))
          fail(error);
      }
    }
  }

  if (options.bench) {
    // Timed runs cycle through the batches; results go to the same buffers.
    for (int warmup = 0; warmup < 2; ++warmup)
      runBatch(warmup % batches, out);
    std::vector<double> times;
    for (int r = 0; r < options.bench; ++r) {
      const auto start = std::chrono::steady_clock::now();
      runBatch(r % batches, out);
      times.push_back(milliseconds(std::chrono::steady_clock::now() - start));
    }
    std::sort(times.begin(), times.end());
    const size_t n = times.size();
    const double median =
        n % 2 ? times[n / 2] : (times[n / 2 - 1] + times[n / 2]) / 2;
    std::printf("%s: model '%s', %d runs (batch %lld): min %.3f ms, median "
                "%.3f ms, max %.3f ms\n",
                options.model.c_str(), model.modelName.c_str(), options.bench,
                static_cast<long long>(model.inputs.empty() ||
                                               model.inputs[0].shape.empty()
                                           ? 1
                                           : model.inputs[0].shape[0]),
                times.front(), median, times.back());
  }
}

/// Runs a q module (.mlir): compiles it with the q-compile next to this
/// tool into a temporary library, runs that, and removes it.
void runModule(Options options) {
  char self[4096];
  const ssize_t length = ::readlink("/proc/self/exe", self, sizeof self - 1);
  if (length <= 0)
    fail("cannot locate q-compile next to q-run");
  self[length] = 0;
  std::string dir = self;
  dir = dir.substr(0, dir.rfind('/'));
  char folder[] = "/tmp/q-run-XXXXXX";
  if (!::mkdtemp(folder))
    fail(std::string("cannot create a temporary folder: ") +
         std::strerror(errno));
  const std::string library = std::string(folder) + "/module.so";
  const std::string compiler = dir + "/q-compile";
  std::vector<std::string> args{compiler, options.model, "-o", library};
  std::vector<char *> argv;
  for (std::string &a : args)
    argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid;
  int status = 0;
  const int spawned =
      ::posix_spawn(&pid, compiler.c_str(), nullptr, nullptr, argv.data(),
                    environ);
  const bool compiled = spawned == 0 && ::waitpid(pid, &status, 0) == pid &&
                        WIFEXITED(status) && WEXITSTATUS(status) == 0;
  auto cleanup = [&] {
    ::unlink(library.c_str());
    ::rmdir(folder);
  };
  if (!compiled) {
    cleanup();
    fail(options.model + ": q-compile failed" +
         (spawned ? std::string(": ") + std::strerror(spawned) : ""));
  }
  options.model = library;
  try {
    runSharedLibrary(options);
  } catch (...) {
    cleanup();
    throw;
  }
  cleanup();
}

bool endsWith(const std::string &text, const std::string &suffix) {
  return text.size() >= suffix.size() &&
         text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

} // namespace

int main(int argc, char **argv) {
  try {
    const Options options = parseArguments(argc, argv);
    if (endsWith(options.model, ".mlir")) {
      runModule(options);
      return 0;
    }
    runSharedLibrary(options);
    return 0;
  } catch (const ThresholdMissed &) {
  } catch (const ToolError &e) {
    std::fprintf(stderr, "q-run: error: %s\n", e.what());
  } catch (const std::bad_alloc &) {
    std::fprintf(stderr, "q-run: error: out of memory\n");
  } catch (const std::exception &e) {
    std::fprintf(stderr, "q-run: error: %s\n", e.what());
  }
  return 1;
}
