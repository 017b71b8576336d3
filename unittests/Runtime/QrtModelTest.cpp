//===- QrtModelTest.cpp - Model lifecycle, concurrency, ABI layout --------===//

#include "QrtTestUtils.h"

#include <cstring>
#include <atomic>
#include <thread>

using namespace qrt::test;
namespace ref = qrt::ref;

namespace {

/// A small network over most op kinds, the way generated code drives it:
///   x[1,8,12,12] -> conv3x3(16)+relu -> maxpool2 (full) -> conv1x1(16)
///   +sum(pooled)+relu -> batch_norm -> concat(.., pooled) -> avgpool global
///   -> fc(10) -> softmax
struct TinyNet {
  enum { Conv1, Pool, Conv2, Bn, Concat, Gap, Fc, Softmax, NumOps };
  ModelPtr model;
  std::vector<float> input;

  explicit TinyNet(int32_t threads) : model(makeModel(NumOps, threads)) {
    std::mt19937 g(7);
    auto random = [&](int64_t n) {
      std::vector<float> v(n);
      std::uniform_real_distribution<float> dist(-1.f, 1.f);
      for (float &x : v)
        x = dist(g);
      return v;
    };
    input = random(8 * 12 * 12);
    qrt_model *m = model.get();

    qrt_conv_desc c1{};
    c1.abi_version = QRT_ABI_VERSION;
    c1.num_spatial = 2;
    c1.batch = 1;
    c1.in_channels = 8;
    c1.out_channels = 16;
    c1.groups = 1;
    for (int i = 0; i < 2; ++i) {
      c1.in_spatial[i] = 12;
      c1.kernel[i] = 3;
      c1.out_spatial[i] = 12;
      c1.strides[i] = c1.dilations[i] = 1;
      c1.pad_begin[i] = c1.pad_end[i] = 1;
    }
    c1.has_bias = 1;
    c1.act.kind = QRT_ELTWISE_RELU;
    EXPECT_EQ(qrt_conv_init(m, Conv1, &c1, random(16 * 8 * 9).data(),
                            random(16).data(), nullptr),
              QRT_OK)
        << qrt_last_error();

    qrt_pooling_desc p{};
    p.abi_version = QRT_ABI_VERSION;
    p.kind = QRT_POOL_MAX;
    p.convention = QRT_POOL_FULL;
    p.num_spatial = 2;
    p.batch = 1;
    p.channels = 16;
    for (int i = 0; i < 2; ++i) {
      p.in_spatial[i] = 12;
      p.kernel[i] = 3;
      p.strides[i] = 2;
      p.out_spatial[i] = 6; // 1 + ceil((12 - 3) / 2)
    }
    EXPECT_EQ(qrt_pooling_init(m, Pool, &p), QRT_OK) << qrt_last_error();

    qrt_conv_desc c2 = c1;
    c2.in_channels = 16;
    for (int i = 0; i < 2; ++i) {
      c2.in_spatial[i] = c2.out_spatial[i] = 6;
      c2.kernel[i] = 1;
      c2.pad_begin[i] = c2.pad_end[i] = 0;
    }
    c2.act.kind = QRT_ELTWISE_NONE;
    c2.has_sum = 1;
    c2.sum_scale = 1;
    c2.postsum_act.kind = QRT_ELTWISE_RELU;
    EXPECT_EQ(qrt_conv_init(m, Conv2, &c2, random(16 * 16).data(),
                            random(16).data(), nullptr),
              QRT_OK)
        << qrt_last_error();

    qrt_batch_norm_desc bn{};
    bn.abi_version = QRT_ABI_VERSION;
    bn.axis = 1;
    bn.input = toQrtShape({1, 16, 6, 6});
    bn.epsilon = 1e-3f;
    std::vector<float> var = random(16);
    for (float &v : var)
      v = v * v + 0.1f;
    EXPECT_EQ(qrt_batch_norm_init(m, Bn, &bn, random(16).data(),
                                  random(16).data(), random(16).data(),
                                  var.data()),
              QRT_OK)
        << qrt_last_error();

    qrt_concat_desc cat{};
    cat.abi_version = QRT_ABI_VERSION;
    cat.axis = 1;
    cat.num_inputs = 2;
    cat.output = toQrtShape({1, 32, 6, 6});
    const int64_t sizes[] = {16, 16};
    EXPECT_EQ(qrt_concat_init(m, Concat, &cat, sizes), QRT_OK)
        << qrt_last_error();

    qrt_pooling_desc gap{};
    gap.abi_version = QRT_ABI_VERSION;
    gap.kind = QRT_POOL_AVG;
    gap.global_pool = 1;
    gap.count_include_pad = 1;
    gap.num_spatial = 2;
    gap.batch = 1;
    gap.channels = 32;
    gap.in_spatial[0] = gap.in_spatial[1] = 6;
    gap.out_spatial[0] = gap.out_spatial[1] = 1;
    EXPECT_EQ(qrt_pooling_init(m, Gap, &gap), QRT_OK) << qrt_last_error();

    qrt_fc_desc fc{};
    fc.abi_version = QRT_ABI_VERSION;
    fc.flatten = 1;
    fc.input = toQrtShape({1, 32, 1, 1});
    fc.num_hidden = 10;
    fc.has_bias = 1;
    EXPECT_EQ(qrt_fc_init(m, Fc, &fc, random(10 * 32).data(), random(10).data(),
                          nullptr),
              QRT_OK)
        << qrt_last_error();

    qrt_softmax_desc sm{};
    sm.abi_version = QRT_ABI_VERSION;
    sm.axis = -1;
    sm.input = toQrtShape({1, 10});
    sm.temperature = 1;
    EXPECT_EQ(qrt_softmax_init(m, Softmax, &sm), QRT_OK) << qrt_last_error();
  }

  /// One inference; returns every intermediate, concatenated.
  std::vector<float> run(qrt_exec *exec) const {
    qrt_model *m = model.get();
    // The activation arena: one buffer, ops at fixed offsets.
    std::vector<float> arena(16 * 144 + 2 * 16 * 36 + 32 * 36 + 32 + 20);
    float *a = arena.data();
    float *conv1 = a, *pool = conv1 + 16 * 144, *conv2 = pool + 16 * 36;
    float *concat = conv2 + 16 * 36, *gap = concat + 32 * 36;
    float *fc = gap + 32, *prob = fc + 10;
    EXPECT_EQ(qrt_conv_run(m, exec, Conv1, input.data(), nullptr, conv1), 0);
    EXPECT_EQ(qrt_pooling_run(m, exec, Pool, conv1, pool), 0);
    EXPECT_EQ(qrt_conv_run(m, exec, Conv2, pool, pool, conv2), 0);
    EXPECT_EQ(qrt_batch_norm_run(m, exec, Bn, conv2, conv2), 0); // in place
    const void *parts[] = {conv2, pool};
    EXPECT_EQ(qrt_concat_run(m, exec, Concat, parts, concat), 0);
    EXPECT_EQ(qrt_pooling_run(m, exec, Gap, concat, gap), 0);
    EXPECT_EQ(qrt_fc_run(m, exec, Fc, gap, fc), 0);
    EXPECT_EQ(qrt_softmax_run(m, exec, Softmax, fc, prob), 0)
        << qrt_last_error();
    return arena;
  }
};

bool bitIdentical(const std::vector<float> &a, const std::vector<float> &b) {
  return a.size() == b.size() &&
         std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
}

} // namespace

TEST(QrtModel, ConcurrentRunsAreBitIdentical) {
  for (int32_t threads : {1, 2}) {
    SCOPED_TRACE("num_threads " + std::to_string(threads));
    TinyNet net(threads);
    ExecPtr exec = makeExec(net.model.get());
    const std::vector<float> expected = net.run(exec.get());
    float sum = 0;
    for (int i = 0; i < 10; ++i)
      sum += expected[expected.size() - 10 + i];
    EXPECT_NEAR(sum, 1.f, 1e-5f); // a softmax came out

    constexpr int numCallers = 4, runsPerCaller = 25;
    std::vector<int> mismatches(numCallers, 0);
    std::vector<std::thread> callers;
    for (int t = 0; t < numCallers; ++t)
      callers.emplace_back([&, t] {
        qrt_exec *own = qrt_exec_create(net.model.get());
        for (int r = 0; r < runsPerCaller; ++r)
          mismatches[t] += !bitIdentical(net.run(own), expected);
        qrt_exec_destroy(own);
      });
    for (std::thread &caller : callers)
      caller.join();
    for (int t = 0; t < numCallers; ++t)
      EXPECT_EQ(mismatches[t], 0) << "caller " << t;
  }
}

TEST(QrtModel, CreateInitRunDestroyHundredTimes) {
  std::vector<float> first;
  for (int i = 0; i < 100; ++i) {
    TinyNet net(1 + i % 2);
    qrt_exec *exec = qrt_exec_create(net.model.get());
    ASSERT_NE(exec, nullptr) << qrt_last_error();
    const std::vector<float> out = net.run(exec);
    qrt_exec_destroy(exec);
    if (i == 0) {
      first = out;
    } else if (i % 2 == 0) {
      ASSERT_TRUE(bitIdentical(out, first)) << "iteration " << i;
    }
  }
}

TEST(QrtModel, ExecCreatedBeforeInitGrowsItsWorkspace) {
  ModelPtr model = makeModel(1);
  ExecPtr exec = makeExec(model.get());
  EXPECT_EQ(qrt_model_scratch_size(model.get()), 0);
  qrt_softmax_desc d{};
  d.abi_version = QRT_ABI_VERSION;
  d.axis = 1;
  d.input = toQrtShape({3, 50});
  d.temperature = 2; // needs a workspace for x / T
  ASSERT_QRT(qrt_softmax_init(model.get(), 0, &d));
  EXPECT_GE(qrt_model_scratch_size(model.get()), 150 * 4);
  std::vector<float> in(150, 1.f), out(150);
  ASSERT_QRT(
      qrt_softmax_run(model.get(), exec.get(), 0, in.data(), out.data()));
  EXPECT_FLOAT_EQ(out[0], 1.f / 50);
}

TEST(QrtModel, CreateErrors) {
  EXPECT_EQ(qrt_model_create(-1, 0), nullptr);
  EXPECT_NE(std::string(qrt_last_error()).find("num_ops must be >= 0"),
            std::string::npos)
      << qrt_last_error();
  EXPECT_EQ(qrt_model_create(3, -2), nullptr);
  EXPECT_NE(std::string(qrt_last_error()).find("num_threads"),
            std::string::npos);
  EXPECT_EQ(qrt_exec_create(nullptr), nullptr);
  EXPECT_NE(std::string(qrt_last_error()).find("model is NULL"),
            std::string::npos);
  qrt_model_destroy(nullptr);
  qrt_exec_destroy(nullptr);
  ModelPtr model = makeModel(0);
  ASSERT_NE(model, nullptr);
  EXPECT_EQ(qrt_op_info(model.get(), 0), nullptr);
}

TEST(QrtModel, LastErrorIsPerThread) {
  ModelPtr model = makeModel(1);
  qrt_scalar_desc d{};
  d.abi_version = 0;
  EXPECT_EQ(qrt_scalar_init(model.get(), 0, &d), QRT_ERR_ABI_VERSION);
  const std::string mine = qrt_last_error();
  EXPECT_NE(mine.find("op 0 (scalar): descriptor has abi_version 0"),
            std::string::npos)
      << mine;
  std::string theirs = "unset";
  std::thread([&] { theirs = qrt_last_error(); }).join();
  EXPECT_EQ(theirs, "");
  EXPECT_EQ(qrt_last_error(), mine);
}

TEST(QrtModel, Copy) {
  const char src[] = "generated";
  char dst[sizeof(src)] = {};
  ASSERT_QRT(qrt_copy(src, dst, sizeof(src)));
  EXPECT_STREQ(dst, src);
  EXPECT_QRT_ERROR(qrt_copy(nullptr, dst, 4), QRT_ERR_NULL_POINTER,
                   "src is NULL");
  EXPECT_QRT_ERROR(qrt_copy(src, dst, -1), QRT_ERR_INVALID_ARGUMENT,
                   "negative byte count");
  ASSERT_QRT(qrt_copy(nullptr, nullptr, 0));
}

TEST(QrtModel, DescriptorLayoutIsPinned) {
  // The compiler embeds descriptor bytes; a layout change must bump the
  // version. (The header pins these with static asserts too.)
  EXPECT_EQ(QRT_ABI_VERSION, 3u);
  EXPECT_EQ(sizeof(qrt_qparam), 8u);
  EXPECT_EQ(sizeof(qrt_conv_desc), 320u);
  EXPECT_EQ(sizeof(qrt_fc_desc), 144u);
  EXPECT_EQ(sizeof(qrt_pooling_desc), 208u);
  EXPECT_EQ(sizeof(qrt_batch_norm_desc), 96u);
  EXPECT_EQ(sizeof(qrt_activation_desc), 48u);
  EXPECT_EQ(sizeof(qrt_prelu_desc), 88u);
  EXPECT_EQ(sizeof(qrt_binary_desc), 160u);
  EXPECT_EQ(sizeof(qrt_scalar_desc), 40u);
  EXPECT_EQ(sizeof(qrt_softmax_desc), 96u);
  EXPECT_EQ(sizeof(qrt_concat_desc), 88u);
  EXPECT_EQ(sizeof(qrt_transpose_desc), 112u);
  EXPECT_EQ(sizeof(qrt_slice_desc), 232u);
  EXPECT_EQ(sizeof(qrt_upsampling_desc), 88u);
  EXPECT_EQ(sizeof(qrt_crop_desc), 128u);
  EXPECT_EQ(sizeof(qrt_quantize_desc), 56u);
  EXPECT_EQ(sizeof(qrt_quantized_add_desc), 80u);
  // Descriptors are read from (possibly unaligned-to-64) constant bytes.
  alignas(8) unsigned char bytes[sizeof(qrt_scalar_desc)] = {};
  qrt_scalar_desc d{};
  d.abi_version = QRT_ABI_VERSION;
  d.op = QRT_SCALAR_MUL;
  d.num_elements = 4;
  d.scalar = 3;
  std::memcpy(bytes, &d, sizeof(d));
  ModelPtr model = makeModel(1);
  ASSERT_QRT(qrt_scalar_init(model.get(), 0,
                             reinterpret_cast<const qrt_scalar_desc *>(bytes)));
  ExecPtr exec = makeExec(model.get());
  float in[4] = {1, 2, 3, 4}, out[4];
  ASSERT_QRT(qrt_scalar_run(model.get(), exec.get(), 0, in, out));
  EXPECT_EQ(out[3], 12.f);
}

namespace {
std::atomic<int> kernelCalls{0};
std::atomic<int64_t> tilesRun{0};
void countingKernel(void **, int64_t begin, int64_t end) {
  ++kernelCalls;
  tilesRun += end - begin;
}
} // namespace

// Generated kernels run on the model's thread count (what
// q_model_options.num_threads sets at load), one contiguous tile range per
// thread, not on a count fixed when the model was compiled.
TEST(QrtModel, ParallelForUsesTheModelsThreads) {
  for (int32_t threads : {1, 2}) {
    ModelPtr model = makeModel(1, threads);
    kernelCalls = 0;
    tilesRun = 0;
    ASSERT_QRT(qrt_model_parallel_for(model.get(), countingKernel, nullptr, 10));
    EXPECT_EQ(tilesRun.load(), 10);
    EXPECT_EQ(kernelCalls.load(), threads);
  }
  EXPECT_NE(qrt_model_parallel_for(nullptr, countingKernel, nullptr, 10), 0);
  ModelPtr model = makeModel(1, 1);
  EXPECT_NE(qrt_model_parallel_for(model.get(), nullptr, nullptr, 10), 0);
  EXPECT_NE(qrt_model_parallel_for(model.get(), countingKernel, nullptr, -1), 0);
}
