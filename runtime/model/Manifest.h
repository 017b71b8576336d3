//===- Manifest.h - The compiled model's self-description -------*- C++ -*-===//
//
// Generated code embeds a JSON manifest (__q_generated_manifest) naming the
// model's inputs, outputs and weights with their dtypes and shapes, the
// number of ops and the size of the activation arena. This parses and
// validates it.
//
//===----------------------------------------------------------------------===//

#ifndef Q_RUNTIME_MODEL_MANIFEST_H
#define Q_RUNTIME_MODEL_MANIFEST_H

#include "q/model.h"

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace q {
namespace model {

struct TensorSpec {
  std::string name;
  q_dtype dtype = Q_DTYPE_F32;
  /// Inputs: how the caller's buffer is laid out ("layout" in the
  /// manifest, absent for the graph's own layout).
  q_layout layout = Q_LAYOUT_NCHW;
  std::vector<int64_t> shape;
  int64_t numElements = 1;
  size_t bytes = 0;
};

struct WeightSpec : TensorSpec {
  uint64_t offset = 0; // in the embedded blob
};

/// How the model was compiled (the manifest's optional "build" object;
/// empty strings in manifests written before it existed).
struct BuildInfo {
  std::string qVersion;
  std::string dtype;   // float32, int8, mixed
  std::string backend; // onednn, loops, mixed
  int64_t loopsLayers = 0, onednnLayers = 0;
  /// Variants of the generated kernels, best first.
  std::vector<std::string> kernelIsas;
};

struct Manifest {
  int64_t version = 0;
  std::string model;
  int32_t numOps = 0;
  int32_t numThreads = 0;
  uint64_t arenaBytes = 0;
  std::vector<TensorSpec> inputs, outputs;
  std::vector<WeightSpec> weights;
  BuildInfo build;
};

/// Parses and checks the manifest; throws Error (Q_ERR_FORMAT) naming the
/// offending field.
Manifest parseManifest(const char *json);

/// What q_model_info answers, by key: the build info plus what the
/// library picked at load ("isa": the generated kernels' variant,
/// "onednn_isa": oneDNN's).
std::map<std::string, std::string> describeBuild(const Manifest &manifest);

/// Parses "f32", "s8", "u8", "s32"; false for anything else.
bool parseDtype(const std::string &text, q_dtype &dtype);

} // namespace model
} // namespace q

#endif // Q_RUNTIME_MODEL_MANIFEST_H
