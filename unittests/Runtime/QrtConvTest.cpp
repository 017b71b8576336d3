//===- QrtConvTest.cpp - Convolution and FC through the C ABI -------------===//

#include "QrtTestUtils.h"

#include <chrono>
#include <cstdlib>

using namespace qrt::test;
namespace ref = qrt::ref;

namespace {

struct ConvCase {
  int spatial = 2;
  int64_t batch = 1, inChannels = 1, outChannels = 1, groups = 1;
  Shape in, kernel, strides, dilations, padBegin, padEnd;
  bool bias = true;
};

ConvCase randomConv(int spatial) {
  std::mt19937 &g = rng();
  ConvCase c;
  c.spatial = spatial;
  c.batch = randomInt(g, 1, 2);
  switch (randomInt(g, 0, 3)) {
  case 0: // dense
    c.groups = 1;
    c.inChannels = randomInt(g, 1, 9);
    c.outChannels = randomInt(g, 1, 19);
    break;
  case 1: // grouped
    c.groups = randomInt(g, 2, 3);
    c.inChannels = c.groups * randomInt(g, 1, 4);
    c.outChannels = c.groups * randomInt(g, 1, 5);
    break;
  case 2: // depthwise
    c.inChannels = c.outChannels = c.groups = randomInt(g, 2, 17);
    break;
  default: // wide enough for blocked kernels
    c.groups = 1;
    c.inChannels = 8 * randomInt(g, 1, 3);
    c.outChannels = 8 * randomInt(g, 1, 3);
    break;
  }
  for (int i = 0; i < spatial; ++i) {
    const int64_t maxIn = spatial == 3 ? 7 : spatial == 2 ? 13 : 29;
    const int64_t in = randomInt(g, 1, maxIn);
    const int64_t k = randomInt(g, 1, 3);
    const int64_t dil = randomInt(g, 1, 2);
    const int64_t s = randomInt(g, 1, 3);
    int64_t pb = randomInt(g, 0, 2), pe = randomInt(g, 0, 2);
    // Keep the dilated kernel inside the padded input.
    const int64_t span = dil * (k - 1) + 1;
    if (span > in + pb + pe)
      pe += span - (in + pb + pe);
    c.in.push_back(in);
    c.kernel.push_back(k);
    c.dilations.push_back(dil);
    c.strides.push_back(s);
    c.padBegin.push_back(pb);
    c.padEnd.push_back(pe);
  }
  c.bias = randomInt(g, 0, 3) != 0;
  return c;
}

std::string describe(const ConvCase &c) {
  return "N" + std::to_string(c.batch) + " C" + std::to_string(c.inChannels) +
         " OC" + std::to_string(c.outChannels) + " g" +
         std::to_string(c.groups) + " in" + ref::shapeToString(c.in) + " k" +
         ref::shapeToString(c.kernel) + " s" + ref::shapeToString(c.strides) +
         " d" + ref::shapeToString(c.dilations) + " p" +
         ref::shapeToString(c.padBegin) + "/" + ref::shapeToString(c.padEnd);
}

qrt_conv_desc makeDesc(const ConvCase &c, const Shape &outShape) {
  qrt_conv_desc d{};
  d.abi_version = QRT_ABI_VERSION;
  d.num_spatial = c.spatial;
  d.batch = c.batch;
  d.in_channels = c.inChannels;
  d.out_channels = c.outChannels;
  d.groups = c.groups;
  for (int i = 0; i < c.spatial; ++i) {
    d.in_spatial[i] = c.in[i];
    d.kernel[i] = c.kernel[i];
    d.out_spatial[i] = outShape[2 + i];
    d.strides[i] = c.strides[i];
    d.dilations[i] = c.dilations[i];
    d.pad_begin[i] = c.padBegin[i];
    d.pad_end[i] = c.padEnd[i];
  }
  d.has_bias = c.bias;
  d.sum_scale = 1;
  return d;
}

struct ConvData {
  Floats input, weight, bias, expected;
  ref::ConvParams params;
};

ConvData referenceConv(const ConvCase &c) {
  ConvData data;
  Shape inShape = {c.batch, c.inChannels};
  Shape wShape = {c.outChannels, c.inChannels / c.groups};
  inShape.insert(inShape.end(), c.in.begin(), c.in.end());
  wShape.insert(wShape.end(), c.kernel.begin(), c.kernel.end());
  data.input = randomFloats(rng(), inShape);
  data.weight = randomFloats(rng(), wShape);
  data.bias = randomFloats(rng(), {c.outChannels});
  data.params.strides = c.strides;
  data.params.dilations = c.dilations;
  data.params.padBegin = c.padBegin;
  data.params.padEnd = c.padEnd;
  data.params.groups = c.groups;
  Shape outShape;
  EXPECT_TRUE(
      ref::convOutputShape(inShape, wShape, data.params, outShape).ok());
  data.expected = Floats(outShape);
  const ref::ConstF32 bias =
      c.bias ? data.bias.cref() : ref::ConstF32(nullptr, {});
  EXPECT_TRUE(ref::conv(data.input.cref(), data.weight.cref(), bias,
                        data.params, data.expected.ref())
                  .ok());
  return data;
}

/// Runs a conv case through the ABI (no post-ops) and compares.
void checkConv(const ConvCase &c) {
  SCOPED_TRACE(describe(c));
  ConvData data = referenceConv(c);
  const qrt_conv_desc desc = makeDesc(c, data.expected.shape);
  ModelPtr model = makeModel(1);
  ASSERT_TRUE(model) << qrt_last_error();
  ASSERT_QRT(qrt_conv_init(model.get(), 0, &desc, data.weight.values.data(),
                           c.bias ? data.bias.values.data() : nullptr,
                           nullptr));
  // Weights may be freed right after init.
  std::fill(data.weight.values.begin(), data.weight.values.end(), 0.f);
  ExecPtr exec = makeExec(model.get());
  Floats out(data.expected.shape);
  ASSERT_QRT(qrt_conv_run(model.get(), exec.get(), 0, data.input.values.data(),
                          nullptr, out.values.data()));
  EXPECT_CLOSE(out.values, data.expected.values)
      << "impl: " << qrt_op_info(model.get(), 0);
}

class LayoutScope {
public:
  explicit LayoutScope(const char *value) {
    if (value)
      setenv("QRT_CONV_LAYOUT", value, 1);
    else
      unsetenv("QRT_CONV_LAYOUT");
  }
  ~LayoutScope() { unsetenv("QRT_CONV_LAYOUT"); }
};

} // namespace

TEST(QrtConv, Random2D) {
  seed(1);
  for (int i = 0; i < 40; ++i)
    checkConv(randomConv(2));
}

TEST(QrtConv, Random1D) {
  seed(2);
  for (int i = 0; i < 25; ++i)
    checkConv(randomConv(1));
}

TEST(QrtConv, Random3D) {
  seed(3);
  for (int i = 0; i < 20; ++i)
    checkConv(randomConv(3));
}

TEST(QrtConv, EveryLayoutPolicy) {
  for (const char *policy : {"plain", "blocked"}) {
    SCOPED_TRACE(policy);
    LayoutScope scope(policy);
    seed(4);
    for (int i = 0; i < 15; ++i)
      checkConv(randomConv(static_cast<int>(randomInt(rng(), 1, 3))));
  }
}

TEST(QrtConv, FirstLayerAndStrided) {
  ConvCase c; // ResNet's stem: 7x7 stride 2, 3 input channels
  c.batch = 1;
  c.inChannels = 3;
  c.outChannels = 16;
  c.in = {31, 29};
  c.kernel = {7, 7};
  c.strides = {2, 2};
  c.dilations = {1, 1};
  c.padBegin = {3, 3};
  c.padEnd = {3, 3};
  seed(5);
  checkConv(c);
  c.inChannels = c.outChannels = c.groups = 32; // depthwise 3x3
  c.kernel = {3, 3};
  c.padBegin = {1, 0};
  c.padEnd = {0, 2};
  checkConv(c);
}

namespace {
/// The q.fused_conv oracle: postsum(act(conv + bias) + scale * sum).
void checkFused(const ConvCase &c, qrt_eltwise act, bool hasSum, float sumScale,
                qrt_eltwise postsum, bool sumInPlace) {
  SCOPED_TRACE(describe(c) + " act " + std::to_string(act.kind) + " postsum " +
               std::to_string(postsum.kind) + (sumInPlace ? " in place" : ""));
  ConvData data = referenceConv(c);
  Floats sum = randomFloats(rng(), data.expected.shape);
  auto toRef = [](qrt_eltwise e) {
    ref::ActivationParams p;
    p.kind = static_cast<ref::ActivationKind>(e.kind); // same order, 0 = id
    p.alpha = e.alpha;
    p.beta = e.beta;
    return p;
  };
  std::vector<float> expected = data.expected.values;
  for (size_t i = 0; i < expected.size(); ++i) {
    float y = ref::activate(toRef(act), expected[i]);
    if (hasSum)
      y += sumScale * sum.values[i];
    expected[i] = ref::activate(toRef(postsum), y);
  }
  qrt_conv_desc desc = makeDesc(c, data.expected.shape);
  desc.act = act;
  desc.postsum_act = postsum;
  desc.has_sum = hasSum;
  desc.sum_scale = sumScale;
  ModelPtr model = makeModel(1);
  ASSERT_QRT(qrt_conv_init(model.get(), 0, &desc, data.weight.values.data(),
                           c.bias ? data.bias.values.data() : nullptr,
                           nullptr));
  ExecPtr exec = makeExec(model.get());
  Floats out(data.expected.shape);
  const float *sumPtr = nullptr;
  if (hasSum) {
    if (sumInPlace)
      out.values = sum.values;
    sumPtr = sumInPlace ? out.values.data() : sum.values.data();
  }
  ASSERT_QRT(qrt_conv_run(model.get(), exec.get(), 0, data.input.values.data(),
                          sumPtr, out.values.data()));
  EXPECT_CLOSE(out.values, expected) << "impl: " << qrt_op_info(model.get(), 0);
}
} // namespace

TEST(QrtConv, FusedPostOps) {
  seed(6);
  const qrt_eltwise none{}, relu{QRT_ELTWISE_RELU, 0, 0, 0};
  const qrt_eltwise leaky{QRT_ELTWISE_LEAKY, 0.1f, 0, 0};
  const qrt_eltwise clip{QRT_ELTWISE_CLIP, -0.5f, 0.75f, 0};
  const qrt_eltwise softsign{QRT_ELTWISE_SOFTSIGN, 0, 0, 0};
  const qrt_eltwise selu{QRT_ELTWISE_SELU, 0, 0, 0};
  const qrt_eltwise gelu{QRT_ELTWISE_GELU, 0, 0, 0};
  for (const char *policy :
       {"plain", "blocked", static_cast<const char *>(0)}) {
    SCOPED_TRACE(policy ? policy : "auto");
    LayoutScope scope(policy);
    for (int i = 0; i < 3; ++i) {
      const ConvCase c = randomConv(2);
      checkFused(c, relu, false, 1, none, false);
      checkFused(c, none, true, 1, relu, false);
      checkFused(c, relu, true, 0.5f, none, true);
      checkFused(c, leaky, true, -2.f, clip, false);
      checkFused(c, selu, false, 1, gelu, false);
      checkFused(c, softsign, true, 0.25f, relu, true); // loop post-ops
      checkFused(c, softsign, true, 1.5f, none, false);
      checkFused(c, relu, false, 1, softsign, false);
    }
  }
}

TEST(QrtConv, SameAlgorithmAroundSum) {
  // oneDNN 2.6.3's AVX-512 brgconv gives the second of two eltwise post-ops
  // with one algorithm the first one's parameters (relu/leaky, selu/elu,
  // two clips: 2-11% errors); the runtime runs such chains as loops.
  seed(8);
  const qrt_eltwise relu{QRT_ELTWISE_RELU, 0, 0, 0};
  const qrt_eltwise leaky{QRT_ELTWISE_LEAKY, 0.2f, 0, 0};
  const qrt_eltwise selu{QRT_ELTWISE_SELU, 0, 0, 0};
  const qrt_eltwise elu{QRT_ELTWISE_ELU, 0.5f, 0, 0};
  const qrt_eltwise clipA{QRT_ELTWISE_CLIP, -1.f, 1.f, 0};
  const qrt_eltwise clipB{QRT_ELTWISE_CLIP, -0.5f, 0.25f, 0};
  const ConvCase c = randomConv(2);
  checkFused(c, leaky, true, 0.75f, relu, false);
  checkFused(c, relu, true, 0.75f, leaky, true);
  checkFused(c, selu, true, 0.75f, elu, false);
  checkFused(c, elu, true, 0.75f, selu, false);
  checkFused(c, clipA, true, 0.75f, clipB, false);
}

TEST(QrtConv, PaddingOnlyWindowsWithSumAndEltwise) {
  // Kernel 1 with pads 2: outputs whose window is all padding. oneDNN
  // 2.6.3's brgconv crashes here with sum + eltwise post-ops.
  ConvCase c;
  c.inChannels = 16;
  c.outChannels = 24;
  c.in = {8, 5};
  c.kernel = {1, 3};
  c.strides = {1, 1};
  c.dilations = {1, 1};
  c.padBegin = {2, 1};
  c.padEnd = {2, 1};
  seed(7);
  const qrt_eltwise none{}, relu{QRT_ELTWISE_RELU, 0, 0, 0};
  for (const char *policy : {"blocked", static_cast<const char *>(0)}) {
    LayoutScope scope(policy);
    checkFused(c, relu, true, 1, none, false);
    checkFused(c, none, true, 0.5f, relu, true);
    checkFused(c, relu, true, 1, relu, false);
  }
}

TEST(QrtConv, BadDescriptors) {
  ConvCase c;
  c.inChannels = 4;
  c.outChannels = 8;
  c.in = {5, 5};
  c.kernel = {3, 3};
  c.strides = {1, 1};
  c.dilations = {1, 1};
  c.padBegin = {0, 0};
  c.padEnd = {0, 0};
  const qrt_conv_desc good = makeDesc(c, {1, 8, 3, 3});
  std::vector<float> weight(8 * 4 * 9), bias(8);
  ModelPtr model = makeModel(2);
  qrt_model *m = model.get();

  qrt_conv_desc d = good;
  d.abi_version = 999;
  EXPECT_QRT_ERROR(qrt_conv_init(m, 0, &d, weight.data(), bias.data(), 0),
                   QRT_ERR_ABI_VERSION,
                   "op 0 (convolution): descriptor has "
                   "abi_version 999");
  d = good;
  d.in_spatial[0] = -3;
  EXPECT_QRT_ERROR(qrt_conv_init(m, 0, &d, weight.data(), bias.data(), 0),
                   QRT_ERR_INVALID_ARGUMENT, "must be positive");
  d = good;
  d.kernel[1] = 9;
  EXPECT_QRT_ERROR(qrt_conv_init(m, 1, &d, weight.data(), bias.data(), 0),
                   QRT_ERR_INVALID_ARGUMENT,
                   "op 1 (convolution): spatial dim 1: dilated kernel extent "
                   "9 exceeds the padded input extent 5");
  d = good;
  d.out_spatial[0] = 4;
  EXPECT_QRT_ERROR(qrt_conv_init(m, 0, &d, weight.data(), bias.data(), 0),
                   QRT_ERR_INVALID_ARGUMENT, "output size is 3");
  d = good;
  d.groups = 3;
  EXPECT_QRT_ERROR(qrt_conv_init(m, 0, &d, weight.data(), bias.data(), 0),
                   QRT_ERR_INVALID_ARGUMENT, "groups 3 must divide");
  d = good;
  d.num_spatial = 4;
  EXPECT_QRT_ERROR(qrt_conv_init(m, 0, &d, weight.data(), bias.data(), 0),
                   QRT_ERR_INVALID_ARGUMENT, "num_spatial");
  d = good;
  d.act.kind = 99;
  EXPECT_QRT_ERROR(qrt_conv_init(m, 0, &d, weight.data(), bias.data(), 0),
                   QRT_ERR_INVALID_ARGUMENT, "unknown element-wise kind 99");
  d = good;
  d.act = {QRT_ELTWISE_CLIP, 1.f, -1.f, 0};
  EXPECT_QRT_ERROR(qrt_conv_init(m, 0, &d, weight.data(), bias.data(), 0),
                   QRT_ERR_INVALID_ARGUMENT, "clip needs min <= max");
  d = good;
  d.src_dtype = 17;
  EXPECT_QRT_ERROR(qrt_conv_init(m, 0, &d, weight.data(), bias.data(), 0),
                   QRT_ERR_INVALID_ARGUMENT, "unknown dtype 17");
  d = good;
  d.dst_dtype = QRT_U8;
  EXPECT_QRT_ERROR(qrt_conv_init(m, 0, &d, weight.data(), bias.data(), 0),
                   QRT_ERR_UNSUPPORTED, "dst dtype u8 is not supported");
  EXPECT_QRT_ERROR(qrt_conv_init(m, 0, &good, nullptr, bias.data(), 0),
                   QRT_ERR_NULL_POINTER, "weight is NULL");
  EXPECT_QRT_ERROR(qrt_conv_init(m, 0, &good, weight.data(), nullptr, 0),
                   QRT_ERR_NULL_POINTER, "bias is NULL");
  EXPECT_QRT_ERROR(qrt_conv_init(m, 0, nullptr, weight.data(), nullptr, 0),
                   QRT_ERR_NULL_POINTER, "descriptor is NULL");
  EXPECT_QRT_ERROR(qrt_conv_init(nullptr, 0, &good, weight.data(), nullptr, 0),
                   QRT_ERR_NULL_POINTER, "model is NULL");
  EXPECT_QRT_ERROR(qrt_conv_init(m, 2, &good, weight.data(), bias.data(), 0),
                   QRT_ERR_BAD_OP_ID, "op 2 (convolution): op id out of range");
  EXPECT_QRT_ERROR(qrt_conv_init(m, -1, &good, weight.data(), bias.data(), 0),
                   QRT_ERR_BAD_OP_ID, "out of range");

  // Run-time misuse.
  ExecPtr exec = makeExec(m);
  std::vector<float> in(4 * 25), out(8 * 9);
  EXPECT_QRT_ERROR(qrt_conv_run(m, exec.get(), 0, in.data(), 0, out.data()),
                   QRT_ERR_BAD_OP_ID,
                   "op 0 (convolution): op was not "
                   "initialised");
  ASSERT_QRT(qrt_conv_init(m, 0, &good, weight.data(), bias.data(), 0));
  EXPECT_QRT_ERROR(qrt_conv_init(m, 0, &good, weight.data(), bias.data(), 0),
                   QRT_ERR_BAD_OP_ID, "already initialised");
  EXPECT_QRT_ERROR(qrt_conv_run(m, exec.get(), 0, nullptr, 0, out.data()),
                   QRT_ERR_NULL_POINTER, "src is NULL");
  EXPECT_QRT_ERROR(qrt_fc_run(m, exec.get(), 0, in.data(), out.data()),
                   QRT_ERR_BAD_OP_ID, "initialised as convolution");
  EXPECT_QRT_ERROR(qrt_conv_run(m, nullptr, 0, in.data(), 0, out.data()),
                   QRT_ERR_NULL_POINTER, "exec is NULL");
  ModelPtr other = makeModel(1);
  ExecPtr otherExec = makeExec(other.get());
  EXPECT_QRT_ERROR(
      qrt_conv_run(m, otherExec.get(), 0, in.data(), 0, out.data()),
      QRT_ERR_INVALID_ARGUMENT, "another model");
  ASSERT_QRT(qrt_conv_run(m, exec.get(), 0, in.data(), 0, out.data()));
}

//===----------------------------------------------------------------------===//
// Fully connected
//===----------------------------------------------------------------------===//

namespace {
void checkFc(const Shape &inShape, int64_t hidden, bool flatten, bool bias,
             qrt_eltwise act = {}) {
  SCOPED_TRACE(ref::shapeToString(inShape) + " hidden " +
               std::to_string(hidden) + (flatten ? " flatten" : ""));
  const int64_t depth =
      flatten ? ref::numElements(Shape(inShape.begin() + 1, inShape.end()))
              : inShape.back();
  Floats input = randomFloats(rng(), inShape);
  Floats weight = randomFloats(rng(), {hidden, depth});
  Floats biasValues = randomFloats(rng(), {hidden});
  ref::FullyConnectedParams params;
  params.flatten = flatten;
  Shape outShape;
  ASSERT_TRUE(
      ref::fullyConnectedOutputShape(inShape, weight.shape, params, outShape)
          .ok());
  Floats expected(outShape);
  ASSERT_TRUE(
      ref::fullyConnected(input.cref(), weight.cref(),
                          bias ? biasValues.cref() : ref::ConstF32(nullptr, {}),
                          params, expected.ref())
          .ok());
  ref::ActivationParams p;
  p.kind = static_cast<ref::ActivationKind>(act.kind);
  p.alpha = act.alpha;
  p.beta = act.beta;
  for (float &v : expected.values)
    v = ref::activate(p, v);

  qrt_fc_desc d{};
  d.abi_version = QRT_ABI_VERSION;
  d.flatten = flatten;
  d.input = toQrtShape(inShape);
  d.num_hidden = hidden;
  d.has_bias = bias;
  d.act = act;
  ModelPtr model = makeModel(1);
  ASSERT_QRT(qrt_fc_init(model.get(), 0, &d, weight.values.data(),
                         bias ? biasValues.values.data() : nullptr, nullptr));
  ExecPtr exec = makeExec(model.get());
  Floats out(outShape);
  ASSERT_QRT(qrt_fc_run(model.get(), exec.get(), 0, input.values.data(),
                        out.values.data()));
  EXPECT_CLOSE(out.values, expected.values);
}
} // namespace

TEST(QrtFc, Random) {
  seed(10);
  for (int i = 0; i < 30; ++i) {
    const int rank = static_cast<int>(randomInt(rng(), 1, 4));
    Shape shape;
    for (int d = 0; d < rank; ++d)
      shape.push_back(randomInt(rng(), 1, d == rank - 1 ? 37 : 5));
    const bool flatten = randomInt(rng(), 0, 1);
    if (flatten && rank == 1)
      continue; // [N] flattens to K = 1, also fine, but keep it rare
    checkFc(shape, randomInt(rng(), 1, 40), flatten, randomInt(rng(), 0, 1));
  }
  checkFc({4, 1}, 3, true, true);
}

TEST(QrtFc, FusedActivation) {
  seed(11);
  checkFc({3, 2, 5}, 7, true, true, {QRT_ELTWISE_RELU, 0, 0, 0});
  checkFc({3, 2, 5}, 7, false, true, {QRT_ELTWISE_TANH, 0, 0, 0});
  checkFc({2, 9}, 4, true, false, {QRT_ELTWISE_SOFTSIGN, 0, 0, 0});
  checkFc({2, 9}, 4, true, true, {QRT_ELTWISE_CLIP, -0.2f, 0.3f, 0});
}

TEST(QrtFc, BadDescriptors) {
  qrt_fc_desc d{};
  d.abi_version = QRT_ABI_VERSION;
  d.flatten = 1;
  d.input = toQrtShape({2, 0});
  d.num_hidden = 3;
  std::vector<float> weight(30);
  ModelPtr model = makeModel(1);
  EXPECT_QRT_ERROR(qrt_fc_init(model.get(), 0, &d, weight.data(), 0, 0),
                   QRT_ERR_INVALID_ARGUMENT, "empty 2x0 matrix");
  d.input = toQrtShape({2, -5});
  EXPECT_QRT_ERROR(qrt_fc_init(model.get(), 0, &d, weight.data(), 0, 0),
                   QRT_ERR_INVALID_ARGUMENT, "negative dim");
  d.input = toQrtShape({2, 5});
  d.input.rank = 7;
  EXPECT_QRT_ERROR(qrt_fc_init(model.get(), 0, &d, weight.data(), 0, 0),
                   QRT_ERR_INVALID_ARGUMENT, "rank 7");
  d.input = toQrtShape({2, 5});
  d.num_hidden = 0;
  EXPECT_QRT_ERROR(qrt_fc_init(model.get(), 0, &d, weight.data(), 0, 0),
                   QRT_ERR_INVALID_ARGUMENT, "num_hidden must be positive");
  d.num_hidden = 3;
  d.num_weight_steps = 3;
  EXPECT_QRT_ERROR(qrt_fc_init(model.get(), 0, &d, weight.data(), 0, 0),
                   QRT_ERR_INVALID_ARGUMENT, "fp32 takes no weight steps");
}

//===----------------------------------------------------------------------===//
// Speed (skipped unless QRT_BENCH is set; never a timed test)
//===----------------------------------------------------------------------===//

TEST(QrtConvBench, Resnet3x3) {
  if (!std::getenv("QRT_BENCH"))
    GTEST_SKIP() << "set QRT_BENCH=1 to time the 3x3 64->64 56x56 conv";
  const int threads = std::getenv("QRT_BENCH_THREADS")
                          ? std::atoi(std::getenv("QRT_BENCH_THREADS"))
                          : 1;
  ConvCase c;
  c.inChannels = c.outChannels = 64;
  c.in = {56, 56};
  c.kernel = {3, 3};
  c.strides = {1, 1};
  c.dilations = {1, 1};
  c.padBegin = c.padEnd = {1, 1};
  seed(12);
  using clock = std::chrono::steady_clock;
  auto ms = [](clock::duration d) {
    return std::chrono::duration<double, std::milli>(d).count();
  };
  const auto refStart = clock::now();
  ConvData data = referenceConv(c);
  const double refMs = ms(clock::now() - refStart);
  const qrt_conv_desc desc = makeDesc(c, data.expected.shape);
  const double macs = 64.0 * 64 * 9 * 56 * 56;
  for (const char *policy :
       {"plain", "blocked", static_cast<const char *>(0)}) {
    LayoutScope scope(policy);
    ModelPtr model = makeModel(1, threads);
    ASSERT_QRT(qrt_conv_init(model.get(), 0, &desc, data.weight.values.data(),
                             data.bias.values.data(), nullptr));
    ExecPtr exec = makeExec(model.get());
    Floats out(data.expected.shape);
    std::vector<double> times;
    for (int i = 0; i < 30; ++i) {
      const auto start = clock::now();
      ASSERT_QRT(qrt_conv_run(model.get(), exec.get(), 0,
                              data.input.values.data(), nullptr,
                              out.values.data()));
      times.push_back(ms(clock::now() - start));
    }
    EXPECT_CLOSE(out.values, data.expected.values);
    std::sort(times.begin(), times.end());
    const double median = times[times.size() / 2];
    std::printf("conv 3x3 64->64 56x56, %d thread(s), layout %s [%s]: "
                "median %.3f ms, min %.3f ms, %.1f GFLOP/s; reference %.1f ms "
                "(%.0fx)\n",
                threads, policy ? policy : "auto", qrt_op_info(model.get(), 0),
                median, times[0], 2 * macs / median * 1e-6, refMs,
                refMs / median);
  }
}
