//===- Manifest.cpp - Parse the compiled model's manifest -----------------===//

#include "Manifest.h"
#include "Error.h"

#include <nlohmann/json.hpp>

#include <limits>

namespace q {
namespace model {

using nlohmann::json;

bool parseDtype(const std::string &text, q_dtype &dtype) {
  if (text == "f32")
    dtype = Q_DTYPE_F32;
  else if (text == "s8")
    dtype = Q_DTYPE_S8;
  else if (text == "u8")
    dtype = Q_DTYPE_U8;
  else if (text == "s32")
    dtype = Q_DTYPE_S32;
  else
    return false;
  return true;
}

namespace {

[[noreturn]] void bad(const std::string &where, const std::string &what) {
  fail(Q_ERR_FORMAT, "model manifest: ", where, ": ", what);
}

const json &field(const json &object, const std::string &where,
                  const char *key) {
  auto it = object.find(key);
  if (it == object.end())
    bad(where, std::string("missing field '") + key + "'");
  return *it;
}

int64_t integer(const json &object, const std::string &where, const char *key,
                int64_t max = std::numeric_limits<int64_t>::max()) {
  const json &value = field(object, where, key);
  if (!value.is_number_integer() || value.get<int64_t>() < 0 ||
      value.get<int64_t>() > max)
    bad(where + "." + key, "expected an integer in [0, " + std::to_string(max) +
                               "], got " + value.dump());
  return value.get<int64_t>();
}

std::string string(const json &object, const std::string &where,
                   const char *key) {
  const json &value = field(object, where, key);
  if (!value.is_string())
    bad(where + "." + key, "expected a string, got " + value.dump());
  return value.get<std::string>();
}

void parseTensor(const json &object, const std::string &where,
                 TensorSpec &tensor) {
  if (!object.is_object())
    bad(where, "expected an object");
  tensor.name = string(object, where, "name");
  const std::string dtype = string(object, where, "dtype");
  if (!parseDtype(dtype, tensor.dtype))
    bad(where + ".dtype", "unknown dtype '" + dtype + "'");
  if (object.contains("layout")) {
    const std::string layout = string(object, where, "layout");
    if (layout == "nhwc")
      tensor.layout = Q_LAYOUT_NHWC;
    else if (layout != "nchw")
      bad(where + ".layout", "unknown layout '" + layout + "'");
  }
  const json &shape = field(object, where, "shape");
  if (!shape.is_array() || shape.size() > Q_MAX_RANK)
    bad(where + ".shape",
        "expected an array of at most " + std::to_string(Q_MAX_RANK) + " dims");
  // Sizes are bounded so that products and byte counts cannot overflow.
  const int64_t limit = int64_t(1) << 48;
  tensor.numElements = 1;
  for (const json &dim : shape) {
    if (!dim.is_number_integer() || dim.get<int64_t>() < 0 ||
        dim.get<int64_t>() > limit)
      bad(where + ".shape", "bad dim " + dim.dump());
    tensor.shape.push_back(dim.get<int64_t>());
    tensor.numElements *= tensor.shape.back();
    if (tensor.numElements > limit)
      bad(where + ".shape", "too many elements");
  }
  tensor.bytes = size_t(tensor.numElements) * q_dtype_size(tensor.dtype);
}

void parseTensors(const json &root, const char *key,
                  std::vector<TensorSpec> &tensors) {
  const json &list = field(root, "top level", key);
  if (!list.is_array())
    bad(key, "expected an array");
  for (size_t i = 0; i < list.size(); ++i) {
    tensors.emplace_back();
    parseTensor(list[i], std::string(key) + "[" + std::to_string(i) + "]",
                tensors.back());
  }
}

void parseBuild(const json &root, BuildInfo &build) {
  auto it = root.find("build");
  if (it == root.end())
    return;
  const json &object = *it;
  if (!object.is_object())
    bad("build", "expected an object");
  build.qVersion = string(object, "build", "q_version");
  build.dtype = string(object, "build", "dtype");
  build.backend = string(object, "build", "backend");
  build.loopsLayers = integer(object, "build", "loops_layers");
  build.onednnLayers = integer(object, "build", "onednn_layers");
  const json &isas = field(object, "build", "kernel_isas");
  if (!isas.is_array())
    bad("build.kernel_isas", "expected an array");
  for (const json &isa : isas) {
    if (!isa.is_string())
      bad("build.kernel_isas", "expected strings, got " + isa.dump());
    build.kernelIsas.push_back(isa.get<std::string>());
  }
}

} // namespace

Manifest parseManifest(const char *text) {
  if (!text)
    fail(Q_ERR_FORMAT, "model manifest: missing");
  json root;
  try {
    root = json::parse(text);
  } catch (const json::exception &e) {
    fail(Q_ERR_FORMAT, "model manifest: not valid JSON: ", e.what());
  }
  if (!root.is_object())
    bad("top level", "expected an object");

  Manifest manifest;
  manifest.version = integer(root, "top level", "version");
  if (manifest.version != 1)
    bad("version", "this library reads version 1, the model has version " +
                       std::to_string(manifest.version));
  manifest.model = string(root, "top level", "model");
  const int64_t int32Max = std::numeric_limits<int32_t>::max();
  manifest.numOps = int32_t(integer(root, "top level", "num_ops", int32Max));
  manifest.numThreads =
      int32_t(integer(root, "top level", "num_threads", int32Max));
  manifest.arenaBytes = integer(root, "top level", "arena_bytes");
  parseBuild(root, manifest.build);
  parseTensors(root, "inputs", manifest.inputs);
  parseTensors(root, "outputs", manifest.outputs);

  const json &weights = field(root, "top level", "weights");
  if (!weights.is_array())
    bad("weights", "expected an array");
  for (size_t i = 0; i < weights.size(); ++i) {
    const std::string where = "weights[" + std::to_string(i) + "]";
    WeightSpec weight;
    parseTensor(weights[i], where, weight);
    weight.offset = integer(weights[i], where, "offset");
    if (uint64_t(integer(weights[i], where, "bytes")) != weight.bytes)
      bad(where + ".bytes", "does not match the dtype and shape (" +
                                std::to_string(weight.bytes) + " bytes)");
    manifest.weights.push_back(std::move(weight));
  }
  return manifest;
}

} // namespace model
} // namespace q
