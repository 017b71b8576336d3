//===- ModelTest.cpp - The C API of a compiled model ----------------------===//
//
// Through a fake compiled model (FakeModel.cpp) loaded with dlopen.
//
//===----------------------------------------------------------------------===//

#include "ModelTestUtils.h"

#include <cmath>
#include <limits>
#include <thread>

using namespace qtest;

namespace {

const ModelLibrary &loaded(const char *path) {
  const ModelLibrary &library = ModelLibrary::get(path);
  EXPECT_EQ(library.error, "") << path;
  return library;
}

class ModelApiTest : public ::testing::Test {
protected:
  void SetUp() override {
    ASSERT_EQ(lib.error, "");
    ASSERT_EQ(createModel(lib, model), Q_OK) << lib.q_last_error();
    ASSERT_NE(model.get(), nullptr);
  }
  const ModelLibrary &lib = loaded(Q_FAKE_MODEL);
  ModelPtr model;
};

} // namespace

TEST_F(ModelApiTest, Version) {
  EXPECT_EQ(lib.q_model_api_version(), Q_MODEL_API_VERSION);
}

TEST_F(ModelApiTest, Queries) {
  const q_model *m = model.get();
  const char *name = nullptr;
  ASSERT_EQ(lib.q_model_name(m, &name), Q_OK);
  EXPECT_STREQ(name, "fake");
  EXPECT_STREQ(lib.q_last_error(), "");

  int32_t count = -1;
  ASSERT_EQ(lib.q_model_num_inputs(m, &count), Q_OK);
  EXPECT_EQ(count, 1);
  ASSERT_EQ(lib.q_model_num_outputs(m, &count), Q_OK);
  EXPECT_EQ(count, 2);

  ASSERT_EQ(lib.q_model_input_name(m, 0, &name), Q_OK);
  EXPECT_STREQ(name, "data");
  q_dtype dtype = Q_DTYPE_S32;
  ASSERT_EQ(lib.q_model_input_dtype(m, 0, &dtype), Q_OK);
  EXPECT_EQ(dtype, Q_DTYPE_F32);
  // A plain model input: the graph's own layout (API version 2).
  q_layout layout = Q_LAYOUT_NHWC;
  ASSERT_EQ(lib.q_model_input_layout(m, 0, &layout), Q_OK);
  EXPECT_EQ(layout, Q_LAYOUT_NCHW);
  EXPECT_EQ(lib.q_model_input_layout(m, 1, &layout), Q_ERR_INVALID_ARGUMENT);
  EXPECT_STREQ(lib.q_layout_name(Q_LAYOUT_NHWC), "nhwc");
  EXPECT_EQ(lib.q_layout_name(static_cast<q_layout>(7)), nullptr);
  int32_t rank = 0;
  ASSERT_EQ(lib.q_model_input_rank(m, 0, &rank), Q_OK);
  EXPECT_EQ(rank, 4);
  int64_t dims[Q_MAX_RANK] = {};
  ASSERT_EQ(lib.q_model_input_dims(m, 0, dims, Q_MAX_RANK), Q_OK);
  EXPECT_EQ(std::vector<int64_t>(dims, dims + 4),
            (std::vector<int64_t>{1, 1, 4, 4}));
  int64_t elements = 0;
  ASSERT_EQ(lib.q_model_input_num_elements(m, 0, &elements), Q_OK);
  EXPECT_EQ(elements, 16);
  size_t bytes = 0;
  ASSERT_EQ(lib.q_model_input_bytes(m, 0, &bytes), Q_OK);
  EXPECT_EQ(bytes, 64u);

  ASSERT_EQ(lib.q_model_output_name(m, 1, &name), Q_OK);
  EXPECT_STREQ(name, "relu0_output");
  ASSERT_EQ(lib.q_model_output_dtype(m, 1, &dtype), Q_OK);
  EXPECT_EQ(dtype, Q_DTYPE_F32);
  ASSERT_EQ(lib.q_model_output_rank(m, 0, &rank), Q_OK);
  EXPECT_EQ(rank, 2);
  ASSERT_EQ(lib.q_model_output_dims(m, 0, dims, 2), Q_OK); // exact capacity
  EXPECT_EQ(dims[0], 1);
  EXPECT_EQ(dims[1], 3);
  ASSERT_EQ(lib.q_model_output_num_elements(m, 1, &elements), Q_OK);
  EXPECT_EQ(elements, 32);
  ASSERT_EQ(lib.q_model_output_bytes(m, 0, &bytes), Q_OK);
  EXPECT_EQ(bytes, 12u);

  int32_t index = -1;
  ASSERT_EQ(lib.q_model_find_input(m, "data", &index), Q_OK);
  EXPECT_EQ(index, 0);
  ASSERT_EQ(lib.q_model_find_output(m, "relu0_output", &index), Q_OK);
  EXPECT_EQ(index, 1);
}

TEST_F(ModelApiTest, QueryErrors) {
  const q_model *m = model.get();
  int32_t count = 0;
  EXPECT_EQ(lib.q_model_num_inputs(nullptr, &count), Q_ERR_INVALID_ARGUMENT);
  EXPECT_NE(std::string(lib.q_last_error()).find("model is NULL"),
            std::string::npos)
      << lib.q_last_error();
  EXPECT_EQ(lib.q_model_num_outputs(m, nullptr), Q_ERR_INVALID_ARGUMENT);

  const char *name = nullptr;
  EXPECT_EQ(lib.q_model_input_name(m, 1, &name), Q_ERR_INVALID_ARGUMENT);
  EXPECT_STREQ(lib.q_last_error(), "q_model_input_name: input index 1 is out "
                                   "of range (the model has 1 input)");
  EXPECT_EQ(lib.q_model_output_name(m, -1, &name), Q_ERR_INVALID_ARGUMENT);
  EXPECT_STREQ(lib.q_last_error(), "q_model_output_name: output index -1 is "
                                   "out of range (the model has 2 outputs)");
  q_dtype dtype;
  EXPECT_EQ(lib.q_model_output_dtype(m, 2, &dtype), Q_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(lib.q_model_input_dtype(m, 0, nullptr), Q_ERR_INVALID_ARGUMENT);
  int32_t rank;
  EXPECT_EQ(lib.q_model_input_rank(m, 7, &rank), Q_ERR_INVALID_ARGUMENT);
  int64_t dims[Q_MAX_RANK];
  EXPECT_EQ(lib.q_model_input_dims(m, 0, dims, 3), Q_ERR_INVALID_ARGUMENT);
  EXPECT_NE(std::string(lib.q_last_error()).find("capacity 3"),
            std::string::npos);
  EXPECT_EQ(lib.q_model_input_dims(m, 0, nullptr, 4), Q_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(lib.q_model_output_dims(m, 5, dims, 8), Q_ERR_INVALID_ARGUMENT);
  int64_t elements;
  EXPECT_EQ(lib.q_model_output_num_elements(m, 2, &elements),
            Q_ERR_INVALID_ARGUMENT);
  size_t bytes;
  EXPECT_EQ(lib.q_model_input_bytes(nullptr, 0, &bytes),
            Q_ERR_INVALID_ARGUMENT);

  int32_t index;
  EXPECT_EQ(lib.q_model_find_input(m, "nope", &index), Q_ERR_INVALID_ARGUMENT);
  EXPECT_STREQ(lib.q_last_error(), "q_model_find_input: the model has no "
                                   "input named 'nope' (it has 'data')");
  EXPECT_EQ(lib.q_model_find_output(m, nullptr, &index),
            Q_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(lib.q_model_name(m, nullptr), Q_ERR_INVALID_ARGUMENT);

  // A success clears the message.
  EXPECT_EQ(lib.q_model_num_inputs(m, &count), Q_OK);
  EXPECT_STREQ(lib.q_last_error(), "");
}

TEST_F(ModelApiTest, Helpers) {
  EXPECT_STREQ(lib.q_status_name(Q_OK), "OK");
  EXPECT_STREQ(lib.q_status_name(Q_ERR_MISMATCH), "MISMATCH");
  EXPECT_STREQ(lib.q_status_name(static_cast<q_status>(99)), "UNKNOWN");
  EXPECT_STREQ(lib.q_dtype_name(Q_DTYPE_U8), "u8");
  EXPECT_EQ(lib.q_dtype_name(static_cast<q_dtype>(9)), nullptr);
  EXPECT_EQ(lib.q_dtype_size(Q_DTYPE_S32), 4u);
  EXPECT_EQ(lib.q_dtype_size(Q_DTYPE_S8), 1u);
  EXPECT_EQ(lib.q_dtype_size(static_cast<q_dtype>(9)), 0u);
  lib.q_model_options_init(nullptr); // no crash
}

TEST_F(ModelApiTest, RunMatchesReference) {
  const fake::Weights weights = fake::defaultWeights();
  for (int seed = 0; seed < 3; ++seed) {
    const std::vector<float> input = image(seed);
    Result result;
    ASSERT_EQ(runFake(lib, model.get(), input, result), Q_OK)
        << lib.q_last_error();
    std::vector<float> relu, fc;
    fake::reference(input.data(), weights, relu, fc);
    expectNear(result.relu, relu, "relu");
    expectNear(result.fc, fc, "fc");
  }
}

TEST_F(ModelApiTest, RunCheckedSizes) {
  const std::vector<float> input = image(1);
  Result result;
  const void *inputs[] = {input.data()};
  void *outputs[] = {result.fc.data(), result.relu.data()};
  size_t inputBytes[] = {64};
  size_t outputBytes[] = {12, 128};
  ASSERT_EQ(lib.q_model_run_checked(model.get(), inputs, inputBytes, outputs,
                                    outputBytes),
            Q_OK)
      << lib.q_last_error();

  inputBytes[0] = 60;
  EXPECT_EQ(lib.q_model_run_checked(model.get(), inputs, inputBytes, outputs,
                                    outputBytes),
            Q_ERR_INVALID_ARGUMENT);
  EXPECT_STREQ(lib.q_last_error(),
               "q_model_run_checked: input 0 ('data'): the buffer has 60 "
               "bytes, the model needs 64 (f32 [1, 1, 4, 4])");
  inputBytes[0] = 64;
  outputBytes[1] = 256;
  EXPECT_EQ(lib.q_model_run_checked(model.get(), inputs, inputBytes, outputs,
                                    outputBytes),
            Q_ERR_INVALID_ARGUMENT);
  EXPECT_NE(std::string(lib.q_last_error()).find("output 1 ('relu0_output')"),
            std::string::npos)
      << lib.q_last_error();
  EXPECT_EQ(lib.q_model_run_checked(model.get(), inputs, nullptr, outputs,
                                    outputBytes),
            Q_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(lib.q_model_run_checked(model.get(), inputs, inputBytes, outputs,
                                    nullptr),
            Q_ERR_INVALID_ARGUMENT);
}

TEST_F(ModelApiTest, RunNullPointers) {
  const std::vector<float> input = image(2);
  Result result;
  const void *inputs[] = {input.data()};
  void *outputs[] = {result.fc.data(), result.relu.data()};
  EXPECT_EQ(lib.q_model_run(nullptr, inputs, outputs), Q_ERR_INVALID_ARGUMENT);
  EXPECT_STREQ(lib.q_last_error(), "q_model_run: model is NULL");
  EXPECT_EQ(lib.q_model_run(model.get(), nullptr, outputs),
            Q_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(lib.q_model_run(model.get(), inputs, nullptr),
            Q_ERR_INVALID_ARGUMENT);
  const void *nullInput[] = {nullptr};
  EXPECT_EQ(lib.q_model_run(model.get(), nullInput, outputs),
            Q_ERR_INVALID_ARGUMENT);
  EXPECT_STREQ(lib.q_last_error(), "q_model_run: input 0 ('data') is NULL");
  void *nullOutput[] = {result.fc.data(), nullptr};
  EXPECT_EQ(lib.q_model_run(model.get(), inputs, nullOutput),
            Q_ERR_INVALID_ARGUMENT);
  EXPECT_STREQ(lib.q_last_error(),
               "q_model_run: output 1 ('relu0_output') is NULL");
  // The model still works afterwards.
  EXPECT_EQ(lib.q_model_run(model.get(), inputs, outputs), Q_OK);
}

TEST_F(ModelApiTest, RuntimeErrorComesBack) {
  // The fake calls a bad op id when the first input value is NaN.
  std::vector<float> input = image(0);
  input[0] = std::numeric_limits<float>::quiet_NaN();
  Result result;
  EXPECT_EQ(runFake(lib, model.get(), input, result), Q_ERR_RUNTIME);
  const std::string message = lib.q_last_error();
  EXPECT_EQ(message.find("q_model_run: model 'fake' failed: op 99"), 0u)
      << message;
  // The context went back to the pool and still works.
  EXPECT_EQ(runFake(lib, model.get(), image(0), result), Q_OK)
      << lib.q_last_error();
}

TEST_F(ModelApiTest, ConcurrentRunsMatchSerialOnes) {
  constexpr int numThreads = 4, runsPerThread = 50;
  // Each thread has its own input, so crossed buffers would show.
  std::vector<Result> expected(numThreads);
  for (int t = 0; t < numThreads; ++t)
    ASSERT_EQ(runFake(lib, model.get(), image(t), expected[t]), Q_OK);

  std::vector<int> mismatches(numThreads, 0), failures(numThreads, 0);
  std::vector<std::thread> threads;
  for (int t = 0; t < numThreads; ++t)
    threads.emplace_back([&, t] {
      const std::vector<float> input = image(t);
      for (int r = 0; r < runsPerThread; ++r) {
        Result result;
        if (runFake(lib, model.get(), input, result) != Q_OK) {
          ++failures[t];
          continue;
        }
        mismatches[t] +=
            result.fc != expected[t].fc || result.relu != expected[t].relu;
      }
    });
  for (std::thread &thread : threads)
    thread.join();
  for (int t = 0; t < numThreads; ++t) {
    EXPECT_EQ(failures[t], 0) << "thread " << t;
    EXPECT_EQ(mismatches[t], 0) << "thread " << t;
  }
}

TEST(ModelLifetime, CreateRunDestroyHundredTimes) {
  const ModelLibrary &lib = loaded(Q_FAKE_MODEL);
  const std::vector<float> input = image(3);
  Result first;
  for (int i = 0; i < 100; ++i) {
    ModelPtr model;
    ASSERT_EQ(createModel(lib, model, nullptr, i % 3), Q_OK)
        << lib.q_last_error();
    Result result;
    ASSERT_EQ(runFake(lib, model.get(), input, result), Q_OK);
    if (i == 0)
      first = result;
    ASSERT_EQ(result.fc, first.fc) << "iteration " << i;
  }
  lib.q_model_destroy(nullptr); // a no-op
}

TEST(ModelLifetime, CreateErrors) {
  const ModelLibrary &lib = loaded(Q_FAKE_MODEL);
  EXPECT_EQ(lib.q_model_create(nullptr, nullptr), Q_ERR_INVALID_ARGUMENT);
  EXPECT_STREQ(lib.q_last_error(), "q_model_create: out is NULL");

  q_model *model = reinterpret_cast<q_model *>(0x1);
  q_model_options options;
  lib.q_model_options_init(&options);
  options.struct_size = 8;
  EXPECT_EQ(lib.q_model_create(&model, &options), Q_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(model, nullptr);
  EXPECT_NE(std::string(lib.q_last_error()).find("struct_size is 8"),
            std::string::npos)
      << lib.q_last_error();

  lib.q_model_options_init(&options);
  options.num_threads = -2;
  EXPECT_EQ(lib.q_model_create(&model, &options), Q_ERR_INVALID_ARGUMENT);
  EXPECT_STREQ(lib.q_last_error(),
               "q_model_create: num_threads must be >= 0, got -2");

  // NULL options: embedded weights, the model's threads.
  ASSERT_EQ(lib.q_model_create(&model, nullptr), Q_OK);
  lib.q_model_destroy(model);
}

TEST(ModelLifetime, InitFailureComesBack) {
  const ModelLibrary &lib = loaded(Q_FAKE_MODEL_BAD_INIT);
  ModelPtr model;
  std::string error;
  EXPECT_EQ(createModel(lib, model, nullptr, 0, &error), Q_ERR_RUNTIME);
  EXPECT_EQ(model.get(), nullptr);
  EXPECT_EQ(error.find("q_model_create: model 'fake' failed to initialise: "
                       "op 0 "),
            0u)
      << error;
  EXPECT_NE(error.find("abi"), std::string::npos) << error;
}

TEST(ModelLifetime, SingleOutputModelRuns) {
  const ModelLibrary &lib = loaded(Q_FAKE_MODEL_SINGLE_OUTPUT);
  ModelPtr model;
  ASSERT_EQ(createModel(lib, model), Q_OK) << lib.q_last_error();
  int32_t count = 0;
  ASSERT_EQ(lib.q_model_num_outputs(model.get(), &count), Q_OK);
  EXPECT_EQ(count, 1);
  const std::vector<float> input = image(4);
  std::vector<float> fc(3);
  const void *inputs[] = {input.data()};
  void *outputs[] = {fc.data()};
  ASSERT_EQ(lib.q_model_run(model.get(), inputs, outputs), Q_OK)
      << lib.q_last_error();
  std::vector<float> relu, expected;
  fake::reference(input.data(), fake::defaultWeights(), relu, expected);
  expectNear(fc, expected, "fc");
}

// q_model_info: the fake manifest records no build, as libraries compiled
// before the "build" object; what the library picks at load is still known.
TEST_F(ModelApiTest, Info) {
  const q_model *m = model.get();
  const char *value = nullptr;
  ASSERT_EQ(lib.q_model_info(m, "dtype", &value), Q_OK);
  EXPECT_STREQ(value, "unknown");
  ASSERT_EQ(lib.q_model_info(m, "q_version", &value), Q_OK);
  EXPECT_STREQ(value, "unknown");
  ASSERT_EQ(lib.q_model_info(m, "kernel_isas", &value), Q_OK);
  EXPECT_STREQ(value, "");
  ASSERT_EQ(lib.q_model_info(m, "onednn_isa", &value), Q_OK);
  EXPECT_STRNE(value, "");
  EXPECT_EQ(lib.q_model_info(m, "colour", &value), Q_ERR_INVALID_ARGUMENT);
  EXPECT_NE(std::string(lib.q_last_error()).find("unknown key 'colour' (keys: "),
            std::string::npos)
      << lib.q_last_error();
  EXPECT_EQ(lib.q_model_info(m, nullptr, &value), Q_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(lib.q_model_info(m, "dtype", nullptr), Q_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(lib.q_model_info(nullptr, "dtype", &value),
            Q_ERR_INVALID_ARGUMENT);
}
