//===- ModelTestUtils.h - Helpers for the model API tests -------*- C++ -*-===//

#ifndef Q_UNITTESTS_MODEL_MODELTESTUTILS_H
#define Q_UNITTESTS_MODEL_MODELTESTUTILS_H

#include "FakeModel.h"

#include "q/model.h"

#include "gtest/gtest.h"

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <dlfcn.h>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace qtest {

// Every function of include/q/model.h.
#define Q_MODEL_FUNCTIONS(X)                                                   \
  X(q_model_api_version)                                                       \
  X(q_last_error)                                                              \
  X(q_status_name)                                                             \
  X(q_dtype_name)                                                              \
  X(q_dtype_size)                                                              \
  X(q_model_options_init)                                                      \
  X(q_model_create)                                                            \
  X(q_model_destroy)                                                           \
  X(q_model_name)                                                              \
  X(q_model_info)                                                              \
  X(q_model_num_inputs)                                                        \
  X(q_model_num_outputs)                                                       \
  X(q_model_find_input)                                                        \
  X(q_model_find_output)                                                       \
  X(q_model_input_name)                                                        \
  X(q_model_input_dtype)                                                       \
  X(q_model_input_layout)                                                      \
  X(q_layout_name)                                                             \
  X(q_model_input_rank)                                                        \
  X(q_model_input_dims)                                                        \
  X(q_model_input_num_elements)                                                \
  X(q_model_input_bytes)                                                       \
  X(q_model_output_name)                                                       \
  X(q_model_output_dtype)                                                      \
  X(q_model_output_rank)                                                       \
  X(q_model_output_dims)                                                       \
  X(q_model_output_num_elements)                                               \
  X(q_model_output_bytes)                                                      \
  X(q_model_run)                                                               \
  X(q_model_run_checked)

/// A fake compiled model loaded with dlopen, as users load real ones; the
/// members are the API's functions. Libraries stay loaded for the process.
struct ModelLibrary {
#define Q_DECLARE(name) decltype(&::name) name = nullptr;
  Q_MODEL_FUNCTIONS(Q_DECLARE)
#undef Q_DECLARE
  std::string error; // why loading failed

  static const ModelLibrary &get(const std::string &path) {
    static std::map<std::string, std::unique_ptr<ModelLibrary>> loaded;
    auto &library = loaded[path];
    if (!library) {
      library.reset(new ModelLibrary);
      void *handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
      if (!handle) {
        library->error = dlerror();
        return *library;
      }
#define Q_RESOLVE(name)                                                        \
  library->name = reinterpret_cast<decltype(&::name)>(dlsym(handle, #name));   \
  if (!library->name)                                                          \
    library->error += "missing " #name "; ";
      Q_MODEL_FUNCTIONS(Q_RESOLVE)
#undef Q_RESOLVE
    }
    return *library;
  }
};

/// The default fake model (embedded weights, two outputs).
inline const ModelLibrary &fakeModel() {
  return ModelLibrary::get(Q_FAKE_MODEL);
}

/// Owns a q_model.
struct ModelPtr {
  const ModelLibrary *library = nullptr;
  q_model *model = nullptr;
  ModelPtr() = default;
  ModelPtr(const ModelPtr &) = delete;
  ModelPtr &operator=(const ModelPtr &) = delete;
  ~ModelPtr() {
    if (model)
      library->q_model_destroy(model);
  }
  q_model *get() const { return model; }
};

/// Creates a model of `library`; returns the status (and the message in
/// `error`).
inline q_status createModel(const ModelLibrary &library, ModelPtr &model,
                            const char *paramsPath = nullptr,
                            int32_t threads = 0, std::string *error = nullptr) {
  q_model_options options;
  library.q_model_options_init(&options);
  options.params_path = paramsPath;
  options.num_threads = threads;
  model.library = &library;
  const q_status status = library.q_model_create(&model.model, &options);
  if (error)
    *error = library.q_last_error();
  return status;
}

/// An input image: 16 values with mixed signs, varying with `seed`.
inline std::vector<float> image(int seed) {
  std::vector<float> values(16);
  for (int i = 0; i < 16; ++i)
    values[i] = float((i * 3 + seed * 5) % 13 - 6) / 4;
  return values;
}

/// Outputs of one run of the two-output fake model.
struct Result {
  std::vector<float> fc = std::vector<float>(fake::kHidden);
  std::vector<float> relu = std::vector<float>(fake::kFcInputs);
};

inline q_status runFake(const ModelLibrary &library, q_model *model,
                        const std::vector<float> &input, Result &result) {
  const void *inputs[] = {input.data()};
  void *outputs[] = {result.fc.data(), result.relu.data()};
  return library.q_model_run(model, inputs, outputs);
}

inline void expectNear(const std::vector<float> &actual,
                       const std::vector<float> &expected, const char *what) {
  ASSERT_EQ(actual.size(), expected.size()) << what;
  for (size_t i = 0; i < actual.size(); ++i)
    EXPECT_NEAR(actual[i], expected[i], 1e-5f) << what << " [" << i << "]";
}

/// A fresh folder under the test temp dir, removed at the end of the test.
class TempDir {
public:
  TempDir() {
    std::string pattern = ::testing::TempDir() + "q-model-test-XXXXXX";
    if (!mkdtemp(&pattern[0]))
      ADD_FAILURE() << "mkdtemp failed";
    dir = pattern;
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(dir, ignored);
  }
  std::string path(const std::string &name) const { return dir + "/" + name; }
  /// Names of the files in the folder, sorted.
  std::vector<std::string> files() const {
    std::vector<std::string> names;
    for (const auto &entry : std::filesystem::directory_iterator(dir))
      names.push_back(entry.path().filename().string());
    std::sort(names.begin(), names.end());
    return names;
  }

private:
  std::string dir;
};

//===----------------------------------------------------------------------===//
// MXNet .params files
//===----------------------------------------------------------------------===//

constexpr uint32_t kMagicV1 = 0xF993FAC8, kMagicV2 = 0xF993FAC9,
                   kMagicV3 = 0xF993FACA;

struct ParamsRecord {
  std::string name;
  int32_t typeFlag = 0; // 0 f32, 4 s32, 5 s8
  std::vector<int64_t> shape;
  std::vector<unsigned char> data;
  uint32_t magic = kMagicV2;
  bool none = false;      // an empty NDArray()
  bool rowSparse = false; // a row_sparse array (data = rows x shape[1..])
};

inline ParamsRecord floatRecord(const std::string &name,
                                std::vector<int64_t> shape,
                                const std::vector<float> &values) {
  ParamsRecord record;
  record.name = name;
  record.shape = std::move(shape);
  record.data.resize(values.size() * 4);
  std::memcpy(record.data.data(), values.data(), record.data.size());
  return record;
}

class ByteWriter {
public:
  template <typename T> void put(T value) {
    const auto *bytes = reinterpret_cast<const unsigned char *>(&value);
    out.insert(out.end(), bytes, bytes + sizeof(T));
  }
  void put(const std::vector<unsigned char> &bytes) {
    out.insert(out.end(), bytes.begin(), bytes.end());
  }
  void shape(const std::vector<int64_t> &dims) {
    put<int32_t>(int32_t(dims.size()));
    for (int64_t dim : dims)
      put<int64_t>(dim);
  }
  std::vector<unsigned char> out;
};

/// The bytes of a .params file holding `records`, named (or not).
inline std::vector<unsigned char>
paramsBytes(const std::vector<ParamsRecord> &records, bool named = true) {
  ByteWriter w;
  w.put<uint64_t>(0x112);
  w.put<uint64_t>(0);
  w.put<uint64_t>(records.size());
  for (const ParamsRecord &r : records) {
    w.put<uint32_t>(r.magic);
    if (r.magic != kMagicV1)
      w.put<int32_t>(r.rowSparse ? 1 : 0);
    if (r.none) {
      w.put<int32_t>(r.magic == kMagicV3 ? -1 : 0);
      continue;
    }
    const int64_t rows =
        r.rowSparse ? int64_t(r.data.size()) / 4 / (r.shape[1]) : 0;
    if (r.rowSparse)
      w.shape({rows, r.shape[1]}); // storage shape
    w.shape(r.shape);
    w.put<int32_t>(1); // cpu
    w.put<int32_t>(0);
    w.put<int32_t>(r.typeFlag);
    if (r.rowSparse) {
      w.put<int32_t>(6); // s64 row indices
      w.shape({rows});
    }
    w.put(r.data);
    for (int64_t i = 0; i < rows; ++i)
      w.put<int64_t>(i);
  }
  w.put<uint64_t>(named ? records.size() : 0);
  if (named)
    for (const ParamsRecord &r : records) {
      w.put<uint64_t>(r.name.size());
      w.put(std::vector<unsigned char>(r.name.begin(), r.name.end()));
    }
  return w.out;
}

inline void writeFile(const std::string &path,
                      const std::vector<unsigned char> &bytes) {
  std::FILE *file = std::fopen(path.c_str(), "wb");
  ASSERT_NE(file, nullptr) << path;
  ASSERT_EQ(std::fwrite(bytes.data(), 1, bytes.size(), file), bytes.size());
  ASSERT_EQ(std::fclose(file), 0);
}

/// The fake model's four weights as checkpoint records ("arg:" names).
inline std::vector<ParamsRecord> fakeRecords(const fake::Weights &w) {
  return {floatRecord("arg:conv0_weight", {2, 1, 3, 3}, w.convWeight),
          floatRecord("arg:conv0_bias", {2}, w.convBias),
          floatRecord("arg:fc0_weight", {3, 32}, w.fcWeight),
          floatRecord("arg:fc0_bias", {3}, w.fcBias)};
}

/// Weights unlike the embedded ones, to tell which were used.
inline fake::Weights otherWeights() {
  fake::Weights w = fake::defaultWeights();
  for (float &v : w.convWeight)
    v = -v / 2;
  for (float &v : w.fcWeight)
    v *= 3;
  w.convBias = {0.5f, 0.25f};
  w.fcBias = {2, -3, 0.5f};
  return w;
}

} // namespace qtest

#endif // Q_UNITTESTS_MODEL_MODELTESTUTILS_H
