//===- QRunTest.cpp - q-run on a fake compiled model ----------------------===//

#include "ModelTestUtils.h"

#include "q/npy.h"

#include <limits>
#include <sys/wait.h>

using namespace qtest;

namespace {

struct ToolResult {
  int exitCode = -1;
  std::string output; // stdout and stderr
};

std::string quote(const std::string &arg) {
  std::string quoted = "'";
  for (char c : arg)
    quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return quoted + "'";
}

ToolResult runQRun(const std::vector<std::string> &args) {
  std::string command = quote(Q_RUN_PATH);
  for (const std::string &arg : args)
    command += " " + quote(arg);
  command += " 2>&1";
  ToolResult result;
  std::FILE *pipe = popen(command.c_str(), "r");
  if (!pipe) {
    ADD_FAILURE() << "popen failed: " << command;
    return result;
  }
  char buffer[4096];
  size_t n;
  while ((n = std::fread(buffer, 1, sizeof(buffer), pipe)) > 0)
    result.output.append(buffer, n);
  const int status = pclose(pipe);
  result.exitCode = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

/// Writes `count` images (image(0), image(1), ...) as one f32 .npy of
/// shape [count, 1, 4, 4].
std::string writeImages(const TempDir &dir, const std::string &name,
                        int count) {
  npy::Array array = npy::makeArray(npy::DType::F32, {count, 1, 4, 4});
  for (int i = 0; i < count; ++i) {
    const std::vector<float> values = image(i);
    std::copy(values.begin(), values.end(), array.as<float>() + i * 16);
  }
  const std::string path = dir.path(name);
  std::string error;
  EXPECT_TRUE(npy::write(path, array, &error)) << error;
  return path;
}

npy::Array readNpy(const std::string &path) {
  npy::Array array;
  std::string error;
  EXPECT_TRUE(npy::read(path, array, &error)) << error;
  return array;
}

/// Checks q-run's fc (and relu, when given) against the reference.
void expectOutputs(const npy::Array &fc, const npy::Array *relu, int count,
                   const fake::Weights &weights) {
  ASSERT_EQ(fc.shape, (std::vector<int64_t>{count, 3}));
  if (relu) {
    ASSERT_EQ(relu->shape, (std::vector<int64_t>{count, 2, 4, 4}));
  }
  for (int i = 0; i < count; ++i) {
    std::vector<float> expectedRelu, expectedFc;
    fake::reference(image(i).data(), weights, expectedRelu, expectedFc);
    expectNear(
        std::vector<float>(fc.as<float>() + i * 3, fc.as<float>() + i * 3 + 3),
        expectedFc, "fc");
    if (relu)
      expectNear(std::vector<float>(relu->as<float>() + i * 32,
                                    relu->as<float>() + i * 32 + 32),
                 expectedRelu, "relu");
  }
}

bool contains(const std::string &text, const std::string &fragment) {
  return text.find(fragment) != std::string::npos;
}

} // namespace

TEST(QRun, Help) {
  const ToolResult result = runQRun({"--help"});
  EXPECT_EQ(result.exitCode, 0);
  for (const char *flag : {"--input", "-o", "--output-dir", "--params",
                           "--threads", "--bench", "--info", "--help"})
    EXPECT_TRUE(contains(result.output, flag)) << flag;
}

TEST(QRun, RunsABatchFileThroughABatchOneModel) {
  TempDir dir;
  const std::string input = writeImages(dir, "x.npy", 5);
  const ToolResult result =
      runQRun({Q_FAKE_MODEL, "--input=data:" + input,
               "--output-dir=" + dir.path("out"), "--threads=1"});
  ASSERT_EQ(result.exitCode, 0) << result.output;
  const npy::Array fc = readNpy(dir.path("out/fc0_output.npy"));
  const npy::Array relu = readNpy(dir.path("out/relu0_output.npy"));
  expectOutputs(fc, &relu, 5, fake::defaultWeights());
}

TEST(QRun, SingleOutputWithoutInputName) {
  TempDir dir;
  const std::string input = writeImages(dir, "x.npy", 1);
  const ToolResult result = runQRun(
      {Q_FAKE_MODEL_SINGLE_OUTPUT, "--input", input, "-o", dir.path("y.npy")});
  ASSERT_EQ(result.exitCode, 0) << result.output;
  EXPECT_EQ(result.output, "");
  expectOutputs(readNpy(dir.path("y.npy")), nullptr, 1, fake::defaultWeights());
  EXPECT_EQ(dir.files(), (std::vector<std::string>{"x.npy", "y.npy"}));
}

TEST(QRun, ParamsFile) {
  TempDir dir;
  const std::string input = writeImages(dir, "x.npy", 2);
  const fake::Weights weights = otherWeights();
  const std::string params = dir.path("w.params");
  writeFile(params, paramsBytes(fakeRecords(weights)));
  const ToolResult result =
      runQRun({Q_FAKE_MODEL_EXTERNAL, "--input=data:" + input,
               "--params=" + params, "--output-dir", dir.path("out")});
  ASSERT_EQ(result.exitCode, 0) << result.output;
  const npy::Array relu = readNpy(dir.path("out/relu0_output.npy"));
  expectOutputs(readNpy(dir.path("out/fc0_output.npy")), &relu, 2, weights);

  // Without --params the model cannot be created.
  const ToolResult missing =
      runQRun({Q_FAKE_MODEL_EXTERNAL, "--input=data:" + input, "--output-dir",
               dir.path("out2")});
  EXPECT_EQ(missing.exitCode, 1);
  EXPECT_TRUE(contains(missing.output, "compiled without embedded weights"))
      << missing.output;
}

TEST(QRun, Bench) {
  TempDir dir;
  const std::string input = writeImages(dir, "x.npy", 3);
  const ToolResult result =
      runQRun({Q_FAKE_MODEL, "--input=data:" + input, "--bench=5"});
  ASSERT_EQ(result.exitCode, 0) << result.output;
  EXPECT_TRUE(contains(result.output, "5 runs (batch 1): min "))
      << result.output;
  EXPECT_TRUE(contains(result.output, " ms, median ")) << result.output;
  EXPECT_TRUE(contains(result.output, " ms, max ")) << result.output;
}

TEST(QRun, Info) {
  const ToolResult result = runQRun({Q_FAKE_MODEL, "--info"});
  ASSERT_EQ(result.exitCode, 0) << result.output;
  // The fake manifest has no "build" object, as libraries compiled before
  // q_model_info existed.
  EXPECT_EQ(result.output, "model 'fake'\n"
                           "build   not recorded (compiled by an older q)\n"
                           "input  'data' (float32 (1, 1, 4, 4)) nchw\n"
                           "output 'fc0_output' (float32 (1, 3))\n"
                           "output 'relu0_output' (float32 (1, 2, 4, 4))\n");
}

TEST(QRun, ErrorsLeaveNoOutput) {
  TempDir dir;
  const std::string good = writeImages(dir, "x.npy", 2);
  npy::Array wrongShape = npy::makeArray(npy::DType::F32, {3, 1, 5, 5});
  npy::Array wrongDtype = npy::makeArray(npy::DType::F64, {1, 1, 4, 4});
  npy::Array nan = npy::makeArray(npy::DType::F32, {1, 1, 4, 4});
  nan.as<float>()[0] = std::numeric_limits<float>::quiet_NaN();
  std::string error;
  ASSERT_TRUE(npy::write(dir.path("shape.npy"), wrongShape, &error));
  ASSERT_TRUE(npy::write(dir.path("dtype.npy"), wrongDtype, &error));
  ASSERT_TRUE(npy::write(dir.path("nan.npy"), nan, &error));
  const std::string out = dir.path("out.npy");
  const std::string single = Q_FAKE_MODEL_SINGLE_OUTPUT;

  struct Case {
    std::vector<std::string> args;
    std::string message;
  } cases[] = {
      {{single, "--input=data:" + dir.path("shape.npy"), "-o", out},
       "q-run: error: input 'data': " + dir.path("shape.npy") +
           " has shape (3, 1, 5, 5), the model needs (1, 1, 4, 4), or its "
           "shape with a multiple of the batch 1 as first dim, e.g. (10, 1, "
           "4, 4)\n"},
      {{single, "--input=data:" + dir.path("dtype.npy"), "-o", out},
       "q-run: error: input 'data': " + dir.path("dtype.npy") +
           " holds float64, the model needs float32 (convert with "
           "x.astype(np.float32))\n"},
      {{single, "--input=data:" + dir.path("nan.npy"), "-o", out},
       "q-run: error: " + single +
           ": batch 0: RUNTIME: q_model_run_checked: model 'fake' failed: "
           "op 99"},
      {{single, "--input=data:" + dir.path("missing.npy"), "-o", out},
       "q-run: error: " + dir.path("missing.npy") +
           ": cannot open: No such file or directory\n"},
      {{single, "--input=label:" + good, "-o", out},
       "q-run: error: --input=label:" + good +
           ": the model has no input named 'label'; its inputs: 'data' "
           "(float32 (1, 1, 4, 4))\n"},
      {{single, "-o", out},
       "q-run: error: input 'data' (float32 (1, 1, 4, 4)) is not given: "
       "pass --input=data:FILE.npy\n"},
      {{single, "--input=data:" + good, "--input=data:" + good, "-o", out},
       "q-run: error: input 'data' is given twice"},
      {{Q_FAKE_MODEL, "--input=data:" + good, "-o", out},
       "q-run: error: -o: the model has 2 outputs ('fc0_output' (float32 (1, "
       "3)), 'relu0_output' (float32 (1, 2, 4, 4))): use --output-dir=DIR\n"},
      {{single, "--input=data:" + good},
       "q-run: error: nothing to do: give -o FILE, --output-dir=DIR or "
       "--bench=N\n"},
      {{single, "--input=data:" + good, "-o", out, "--output-dir", out},
       "q-run: error: give -o or --output-dir, not both\n"},
      {{single, "--input=data:" + good, "--bench=0"},
       "q-run: error: --bench: expected an integer >= 1, got '0'\n"},
      {{single, "--input=data:" + good, "--threads=x", "-o", out},
       "q-run: error: --threads: expected an integer >= 0, got 'x'\n"},
      {{single, "--frobnicate"},
       "q-run: error: unknown option '--frobnicate' (see --help)\n"},
      {{single, "-o"}, "q-run: error: -o needs a value (see --help)\n"},
      {{}, "q-run: error: no model given (see --help)\n"},
      {{dir.path("nothing.so"), "-o", out},
       "q-run: error: " + dir.path("nothing.so") + ": cannot load: "},
      {{Q_NOT_A_MODEL, "-o", out},
       "q-run: error: " + std::string(Q_NOT_A_MODEL) +
           ": not a model compiled by q (it lacks q_model_api_version)\n"},
      {{"model.mlir", "-o", out},
       "error: could not open input file model.mlir\nq-run: error: "
       "model.mlir: q-compile failed"},
  };
  for (const Case &c : cases) {
    std::string line;
    for (const std::string &arg : c.args)
      line += arg + " ";
    SCOPED_TRACE(line);
    const ToolResult result = runQRun(c.args);
    EXPECT_EQ(result.exitCode, 1);
    EXPECT_EQ(result.output.find(c.message), 0u) << result.output;
  }
  EXPECT_EQ(dir.files(), (std::vector<std::string>{"dtype.npy", "nan.npy",
                                                   "shape.npy", "x.npy"}));
}
