//===- Params.h - Load a model's weights from an MXNet .params --*- C++ -*-===//
//
// A compact reader of MXNet's NDArray list format (the .params files of
// model checkpoints and Gluon), kept free of LLVM so that it can live in
// every compiled model. It indexes the file first (record headers and
// names, skipping the data), then reads just the arrays the model needs
// straight into their destination.
//
//===----------------------------------------------------------------------===//

#ifndef Q_RUNTIME_MODEL_PARAMS_H
#define Q_RUNTIME_MODEL_PARAMS_H

#include "Manifest.h"

#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

namespace q {
namespace model {

/// One record of the file, without its data.
struct ParamsArray {
  std::string name;     // as stored, e.g. "arg:conv0_weight"
  std::string key;      // without an "arg:" / "aux:" prefix
  bool none = false;    // MXNet's empty NDArray()
  int32_t stype = 0;    // 0 dense, 1 row_sparse, 2 csr
  int32_t typeFlag = 0; // mshadow type flag: 0 f32, 4 s32, 5 s8, ...
  std::vector<int64_t> shape;
  uint64_t headerOffset = 0; // where the record starts, for messages
  uint64_t dataOffset = 0;
  uint64_t dataBytes = 0;
};

class ParamsFile {
public:
  /// Opens and indexes `path`. Throws Error: Q_ERR_IO if it cannot be read,
  /// Q_ERR_FORMAT naming the byte offset if it is malformed or truncated.
  explicit ParamsFile(const std::string &path);
  ~ParamsFile();
  ParamsFile(const ParamsFile &) = delete;
  ParamsFile &operator=(const ParamsFile &) = delete;

  const std::string &path() const { return filePath; }
  const std::vector<ParamsArray> &arrays() const { return records; }
  /// Reads the data of a dense array into dst (array.dataBytes bytes).
  void read(const ParamsArray &array, void *dst);

private:
  void readBytes(void *dst, uint64_t bytes, const char *what);
  template <typename T> T readScalar(const char *what) {
    T value;
    readBytes(&value, sizeof(T), what);
    return value;
  }
  std::vector<int64_t> readShape(uint32_t magic, size_t index, bool &none);
  void skip(uint64_t bytes, const char *what);
  void index();

  std::string filePath;
  std::FILE *file = nullptr;
  uint64_t size = 0;
  uint64_t offset = 0;
  std::vector<ParamsArray> records;
};

/// "f32", "s8", ... for a type flag; "type <n>" for unknown ones.
std::string paramsTypeName(int32_t typeFlag);

/// Reads every manifest weight from the .params file at `path` into
/// destinations[i] (weights[i].bytes bytes each). Throws Error naming the
/// file and each weight that is missing or has the wrong dtype or shape
/// (Q_ERR_MISMATCH), or what is wrong with the file.
void loadWeights(const std::string &path,
                 const std::vector<WeightSpec> &weights,
                 const std::vector<void *> &destinations);

} // namespace model
} // namespace q

#endif // Q_RUNTIME_MODEL_PARAMS_H
