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

struct Manifest {
  int64_t version = 0;
  std::string model;
  int32_t numOps = 0;
  int32_t numThreads = 0;
  uint64_t arenaBytes = 0;
  std::vector<TensorSpec> inputs, outputs;
  std::vector<WeightSpec> weights;
};

/// Parses and checks the manifest; throws Error (Q_ERR_FORMAT) naming the
/// offending field.
Manifest parseManifest(const char *json);

/// Parses "f32", "s8", "u8", "s32"; false for anything else.
bool parseDtype(const std::string &text, q_dtype &dtype);

} // namespace model
} // namespace q

#endif // Q_RUNTIME_MODEL_MANIFEST_H
