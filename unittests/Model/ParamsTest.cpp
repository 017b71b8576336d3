//===- ParamsTest.cpp - Weights from an MXNet .params file ----------------===//

#include "ModelTestUtils.h"

using namespace qtest;

namespace {

class ParamsTest : public ::testing::Test {
protected:
  /// Writes `bytes` as model.params; creates the model from it.
  q_status create(const std::vector<unsigned char> &bytes,
                  const ModelLibrary &library = fakeModel()) {
    writeFile(file, bytes);
    model = std::make_unique<ModelPtr>();
    return createModel(library, *model, file.c_str(), 0, &error);
  }
  /// Runs the model and checks it against the reference with `weights`.
  void expectComputesWith(const fake::Weights &weights,
                          const ModelLibrary &library = fakeModel()) {
    ASSERT_NE(model->get(), nullptr);
    const std::vector<float> input = image(5);
    Result result;
    ASSERT_EQ(runFake(library, model->get(), input, result), Q_OK)
        << library.q_last_error();
    std::vector<float> relu, fc;
    fake::reference(input.data(), weights, relu, fc);
    expectNear(result.relu, relu, "relu");
    expectNear(result.fc, fc, "fc");
  }
  /// After a failed create: no model, and a message naming the file.
  void expectError(const std::string &fragment) {
    EXPECT_EQ(model->get(), nullptr);
    EXPECT_EQ(error.find("q_model_create: " + file + ": "), 0u) << error;
    EXPECT_NE(error.find(fragment), std::string::npos) << error;
  }

  TempDir dir;
  std::string file = dir.path("model.params");
  std::unique_ptr<ModelPtr> model;
  std::string error;
};

} // namespace

TEST_F(ParamsTest, LoadsWeightsByName) {
  const fake::Weights weights = otherWeights();
  std::vector<ParamsRecord> records = fakeRecords(weights);
  // Any order, aux: prefixes, and arrays the model does not use.
  std::swap(records[0], records[3]);
  records[1].name = "aux:conv0_bias";
  records.push_back(floatRecord("arg:unused", {2}, {1, 2}));
  ParamsRecord sparse = floatRecord("arg:embedding", {10, 2}, {1, 2, 3, 4});
  sparse.rowSparse = true;
  records.push_back(sparse);
  ParamsRecord none;
  none.name = "aux:nothing";
  none.none = true;
  records.push_back(none);
  ASSERT_EQ(create(paramsBytes(records)), Q_OK) << error;
  expectComputesWith(weights);
}

TEST_F(ParamsTest, GluonNamesAndOldAndNewRecordVersions) {
  const fake::Weights weights = otherWeights();
  std::vector<ParamsRecord> records = fakeRecords(weights);
  records[0].name = "conv0_weight"; // Gluon writes bare names
  records[0].magic = kMagicV1;
  records[1].magic = kMagicV3;
  ParamsRecord none;
  none.name = "none_v3";
  none.none = true;
  none.magic = kMagicV3;
  records.push_back(none);
  ASSERT_EQ(create(paramsBytes(records)), Q_OK) << error;
  expectComputesWith(weights);
}

TEST_F(ParamsTest, ExternalWeightsModelNeedsAParamsFile) {
  const ModelLibrary &external = ModelLibrary::get(Q_FAKE_MODEL_EXTERNAL);
  ASSERT_EQ(external.error, "");
  ModelPtr withoutParams;
  std::string message;
  EXPECT_EQ(createModel(external, withoutParams, nullptr, 0, &message),
            Q_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(message, "q_model_create: model 'fake' was compiled without "
                     "embedded weights: set q_model_options.params_path to "
                     "its .params file");

  const fake::Weights weights = fake::defaultWeights();
  ASSERT_EQ(create(paramsBytes(fakeRecords(weights)), external), Q_OK) << error;
  expectComputesWith(weights, external);
}

TEST_F(ParamsTest, MissingFile) {
  model = std::make_unique<ModelPtr>();
  const std::string missing = dir.path("missing.params");
  EXPECT_EQ(createModel(fakeModel(), *model, missing.c_str(), 0, &error),
            Q_ERR_IO);
  EXPECT_EQ(error, "q_model_create: " + missing +
                       ": cannot open: No such file or directory");
}

TEST_F(ParamsTest, MissingAndWrongWeightsAreAllNamed) {
  std::vector<ParamsRecord> records = fakeRecords(fake::defaultWeights());
  records.erase(records.begin() + 2); // no fc0_weight
  records[0].shape = {2, 1, 9};       // wrong shape
  records[2].typeFlag = 4;            // fc0_bias as s32
  EXPECT_EQ(create(paramsBytes(records)), Q_ERR_MISMATCH);
  EXPECT_EQ(model->get(), nullptr);
  EXPECT_EQ(error,
            "q_model_create: " + file +
                ": 3 weights do not match the model: 'arg:conv0_weight' is "
                "f32 [2, 1, 9], the model needs f32 [2, 1, 3, 3]; no array "
                "named 'fc0_weight' (the model needs f32 [3, 32]); "
                "'arg:fc0_bias' is s32 [3], the model needs f32 [3]");
}

TEST_F(ParamsTest, DuplicateNoneAndSparseWeights) {
  std::vector<ParamsRecord> records = fakeRecords(fake::defaultWeights());
  records.push_back(records[0]);
  records.back().name = "aux:conv0_weight";
  ParamsRecord none;
  none.name = "arg:conv0_bias";
  none.none = true;
  records[1] = none;
  records[3] = floatRecord("arg:fc0_bias", {3, 1}, {1, 2, 3});
  records[3].rowSparse = true;
  EXPECT_EQ(create(paramsBytes(records)), Q_ERR_MISMATCH);
  expectError("'conv0_weight' is stored twice (as "
              "'arg:conv0_weight' and 'aux:conv0_weight')");
  EXPECT_NE(error.find("'arg:conv0_bias' is an empty (none) array"),
            std::string::npos)
      << error;
  EXPECT_NE(error.find("'arg:fc0_bias' is sparse"), std::string::npos) << error;
}

TEST_F(ParamsTest, EveryTruncationIsAFormatError) {
  const std::vector<unsigned char> bytes =
      paramsBytes(fakeRecords(fake::defaultWeights()));
  // Every size through the first record, then a sample: each create
  // writes a file, which is slow on some file systems.
  for (size_t size = 0; size < bytes.size(); size += size < 160 ? 1 : 7) {
    SCOPED_TRACE("size " + std::to_string(size));
    EXPECT_EQ(
        create(std::vector<unsigned char>(bytes.begin(), bytes.begin() + size)),
        Q_ERR_FORMAT);
    expectError(size < 24 ? "truncated" : "");
  }
}

TEST_F(ParamsTest, TruncatedMessage) {
  std::vector<unsigned char> bytes =
      paramsBytes(fakeRecords(fake::defaultWeights()));
  // Cut inside the first array's data: it starts after the 24-byte list
  // header and 4 + 4 + 4 + 4 * 8 + 12 bytes of record header.
  bytes.resize(24 + 56 + 10);
  EXPECT_EQ(create(bytes), Q_ERR_FORMAT);
  EXPECT_EQ(error, "q_model_create: " + file +
                       ": truncated: an array's data at byte offset 80 needs "
                       "72 bytes, the file ends at 90");
}

TEST_F(ParamsTest, MalformedFiles) {
  const std::vector<unsigned char> good =
      paramsBytes(fakeRecords(fake::defaultWeights()));

  std::vector<unsigned char> bytes = good;
  bytes[0] = 0x13;
  EXPECT_EQ(create(bytes), Q_ERR_FORMAT);
  expectError("not an MXNet .params file (header 0x113, expected 0x112)");

  bytes = good;
  bytes[24] = 0x00; // the first record's magic
  EXPECT_EQ(create(bytes), Q_ERR_FORMAT);
  expectError("array #0 at byte offset 24: unknown magic "
              "0xf993fa00");

  bytes = good;
  bytes[16] = 0xff; // an absurd array count
  bytes[20] = 0xff;
  EXPECT_EQ(create(bytes), Q_ERR_FORMAT);
  expectError("does not fit in a file of");

  EXPECT_EQ(create(paramsBytes(fakeRecords(fake::defaultWeights()), false)),
            Q_ERR_FORMAT);
  expectError("has 4 arrays but 0 names (q needs the arrays' names)");

  bytes = good;
  bytes.push_back(0);
  EXPECT_EQ(create(bytes), Q_ERR_FORMAT);
  expectError("1 unexpected bytes after the names");

  // A negative dim.
  bytes = good;
  bytes[24 + 12 + 7] = 0xff; // high byte of the first dim
  EXPECT_EQ(create(bytes), Q_ERR_FORMAT);
  expectError("array #0: negative dim");

  // An unknown type flag.
  bytes = good;
  bytes[24 + 12 + 32 + 8] = 42;
  EXPECT_EQ(create(bytes), Q_ERR_FORMAT);
  expectError("array #0: unknown type flag 42");
}

TEST_F(ParamsTest, WrongDtype) {
  std::vector<ParamsRecord> records = fakeRecords(fake::defaultWeights());
  records[2].typeFlag = 5;
  records[2].data.resize(96);
  EXPECT_EQ(create(paramsBytes(records)), Q_ERR_MISMATCH);
  expectError("1 weight does not match the model: "
              "'arg:fc0_weight' is s8 [3, 32], the model "
              "needs f32 [3, 32]");
}
