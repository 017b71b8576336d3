//===- QrtLayoutTest.cpp - Channels-last (NHWC) activations in libqrt -----===//
//
// Every op with a qrt_layout field runs the same random data once in NCHW
// and once in NHWC (the inputs transposed here, the output transposed
// back): the results must agree, bit for bit for int8 (and for f32 where
// the same arithmetic runs), else within 1e-5 * max(1, |ref|), and match
// the reference oracles. Also: layout validation, and convolutions on
// NHWC buffers that need no reorder.
//
//===----------------------------------------------------------------------===//

#include "QrtInt8TestUtils.h"

#include <cstdlib>
#include <cstring>
#include <functional>

using namespace qrt::test;
namespace ref = qrt::ref;

namespace {

constexpr int32_t NCHW = QRT_LAYOUT_NCHW, NHWC = QRT_LAYOUT_NHWC;

/// [N, C, S...] <-> [N, S..., C] of any element size (rank >= 3).
QBuffer relayout(const QBuffer &b, bool toNhwc) {
  QBuffer r = b;
  if (b.shape.size() < 3)
    return r;
  const int64_t n = b.shape[0], c = b.shape[1], s = b.size() / (n * c);
  const size_t e = elementSize(b.dtype);
  for (int64_t ni = 0; ni < n; ++ni)
    for (int64_t ci = 0; ci < c; ++ci)
      for (int64_t si = 0; si < s; ++si) {
        const int64_t planar = (ni * c + ci) * s + si;
        const int64_t last = (ni * s + si) * c + ci;
        std::memcpy(&r.bytes[(toNhwc ? last : planar) * e],
                    &b.bytes[(toNhwc ? planar : last) * e], e);
      }
  return r;
}
QBuffer toLayout(const QBuffer &b, int32_t layout) {
  return layout == NHWC ? relayout(b, true) : b;
}
QBuffer fromLayout(const QBuffer &b, int32_t layout) {
  return layout == NHWC ? relayout(b, false) : b;
}

QBuffer randomBuffer(int32_t dtype, Shape shape, double lo, double hi,
                     float step = 1) {
  QBuffer b(dtype, shape, step);
  fillRandom(b, lo, hi);
  return b;
}

ref::ConstF32 f32(const QBuffer &b) {
  return {reinterpret_cast<const float *>(b.data()), b.shape};
}
ref::F32 f32(QBuffer &b) {
  return {reinterpret_cast<float *>(b.data()), b.shape};
}

/// Bit-identical element values (f32 NaNs match NaNs).
void expectSame(const QBuffer &actual, const QBuffer &expected,
                const std::string &what) {
  ASSERT_EQ(actual.size(), expected.size()) << what;
  int64_t bad = 0, first = -1;
  for (int64_t i = 0; i < actual.size(); ++i) {
    const double a = actual.at(i), e = expected.at(i);
    if (!(a == e || (std::isnan(a) && std::isnan(e)))) {
      first = bad++ ? first : i;
    }
  }
  EXPECT_EQ(bad, 0) << what << ": first mismatch at " << first << ": "
                    << (first >= 0 ? actual.at(first) : 0) << " vs "
                    << (first >= 0 ? expected.at(first) : 0);
}

/// |a - e| <= 1e-5 * max(1, |e|) for every element.
void expectNear(const QBuffer &actual, const QBuffer &expected,
                const std::string &what, double tolerance = 1e-5) {
  ASSERT_EQ(actual.size(), expected.size()) << what;
  int64_t bad = 0, first = -1;
  for (int64_t i = 0; i < actual.size(); ++i) {
    const double a = actual.at(i), e = expected.at(i);
    if (std::isnan(a) || std::isnan(e)) {
      if (std::isnan(a) != std::isnan(e))
        first = bad++ ? first : i;
      continue;
    }
    if (std::fabs(a - e) > tolerance * std::max(1.0, std::fabs(e)))
      first = bad++ ? first : i;
  }
  EXPECT_EQ(bad, 0) << what << ": first mismatch at " << first << ": "
                    << (first >= 0 ? actual.at(first) : 0) << " vs "
                    << (first >= 0 ? expected.at(first) : 0);
}

/// Sets QRT_INT8_EPILOGUE for the scope (read by the conv init).
struct ForceEpilogue {
  ForceEpilogue() { setenv("QRT_INT8_EPILOGUE", "1", 1); }
  ~ForceEpilogue() { unsetenv("QRT_INT8_EPILOGUE"); }
};

//===----------------------------------------------------------------------===//
// Convolution
//===----------------------------------------------------------------------===//

struct ConvSpec {
  std::string name;
  int64_t batch = 2, inChannels = 16, outChannels = 16, groups = 1;
  int64_t h = 9, w = 7, k = 3, stride = 1, pad = 1;
  int32_t src = QRT_F32, dst = QRT_F32, sumType = QRT_F32;
  bool sum = false, sumAliasesDst = false, dynamicSrc = false;
  qrt_eltwise act{}, post{};
  float srcStep = 0.02f, dstStep = 0.05f, sumStep = 0.04f, sumScale = 1;
};

struct ConvData {
  QBuffer src, weight, bias, sum;
  std::vector<float> weightSteps;
  Shape outShape;
};

int64_t outSize(const ConvSpec &c, int64_t in) {
  return (in + 2 * c.pad - c.k) / c.stride + 1;
}

ConvData makeConvData(const ConvSpec &c) {
  ConvData data;
  const bool int8 = c.src != QRT_F32;
  data.outShape = {c.batch, c.outChannels, outSize(c, c.h), outSize(c, c.w)};
  // 7-bit u8 and even s8 weights: exact in oneDNN's AVX2 int8 kernels too.
  data.src =
      int8 ? randomBuffer(c.src, {c.batch, c.inChannels, c.h, c.w},
                          c.src == QRT_U8 ? 0 : -64, c.src == QRT_U8 ? 127 : 63,
                          c.srcStep)
           : randomBuffer(QRT_F32, {c.batch, c.inChannels, c.h, c.w}, -1, 1);
  const Shape wShape = {c.outChannels, c.inChannels / c.groups, c.k, c.k};
  data.weight = int8 ? randomBuffer(QRT_S8, wShape, -16, 15)
                     : randomBuffer(QRT_F32, wShape, -1, 1);
  if (int8)
    for (uint8_t &b : data.weight.bytes)
      b = static_cast<uint8_t>(static_cast<int8_t>(b) * 2);
  data.bias = randomBuffer(QRT_F32, {c.outChannels}, -1, 1);
  for (int64_t oc = 0; oc < c.outChannels; ++oc)
    data.weightSteps.push_back(float(0.001 * (1 + oc % 5)));
  if (c.sum)
    data.sum = c.sumType == QRT_F32
                   ? randomBuffer(QRT_F32, data.outShape, -1, 1)
                   : randomBuffer(c.sumType, data.outShape,
                                  c.sumType == QRT_U8 ? 0 : -128,
                                  c.sumType == QRT_U8 ? 255 : 127, c.sumStep);
  return data;
}

qrt_conv_desc convDesc(const ConvSpec &c, int32_t srcLayout,
                       int32_t dstLayout) {
  qrt_conv_desc d{};
  d.abi_version = QRT_ABI_VERSION;
  d.num_spatial = 2;
  d.batch = c.batch;
  d.in_channels = c.inChannels;
  d.out_channels = c.outChannels;
  d.groups = c.groups;
  const int64_t in[2] = {c.h, c.w};
  for (int i = 0; i < 2; ++i) {
    d.in_spatial[i] = in[i];
    d.kernel[i] = c.k;
    d.out_spatial[i] = outSize(c, in[i]);
    d.strides[i] = c.stride;
    d.dilations[i] = 1;
    d.pad_begin[i] = d.pad_end[i] = c.pad;
  }
  const bool int8 = c.src != QRT_F32;
  d.src_dtype = c.src;
  d.weight_dtype = int8 ? QRT_S8 : QRT_F32;
  d.bias_dtype = QRT_F32;
  d.dst_dtype = c.dst;
  d.sum_dtype = c.sumType;
  d.has_bias = 1;
  d.has_sum = c.sum;
  d.sum_scale = c.sumScale;
  d.act = c.act;
  d.postsum_act = c.post;
  d.num_weight_steps = int8 ? int32_t(c.outChannels) : 0;
  d.src_q = c.dynamicSrc ? qrt_qparam{0, 0} : qrt_qparam{c.srcStep, 0};
  d.dst_q = {c.dstStep, 0};
  d.sum_q = {c.sumStep, 0};
  d.src_layout = srcLayout;
  d.dst_layout = dstLayout;
  return d;
}

struct ConvResult {
  QBuffer dst; // NCHW
  std::string info;
};

ConvResult runConv(const ConvSpec &c, const ConvData &data, int32_t srcLayout,
                   int32_t dstLayout) {
  ConvResult result;
  const qrt_conv_desc d = convDesc(c, srcLayout, dstLayout);
  ModelPtr model = makeModel(1);
  const int32_t status =
      qrt_conv_init(model.get(), 0, &d, data.weight.data(), data.bias.data(),
                    c.src == QRT_F32 ? nullptr : data.weightSteps.data());
  EXPECT_EQ(status, QRT_OK) << qrt_last_error();
  if (status != QRT_OK)
    return result;
  result.info = qrt_op_info(model.get(), 0);
  ExecPtr exec = makeExec(model.get());
  if (c.dynamicSrc) {
    EXPECT_EQ(qrt_exec_set_step(exec.get(), 0, c.srcStep), QRT_OK);
  }
  const QBuffer src = toLayout(data.src, srcLayout);
  QBuffer sum = c.sum ? toLayout(data.sum, dstLayout) : QBuffer();
  QBuffer dst(c.dst, data.outShape, c.dstStep);
  if (c.sumAliasesDst)
    dst.bytes = sum.bytes; // accumulate in place
  const void *sumPointer = !c.sum            ? nullptr
                           : c.sumAliasesDst ? dst.data()
                                             : sum.data();
  EXPECT_EQ(qrt_conv_run(model.get(), exec.get(), 0, src.data(), sumPointer,
                         dst.data()),
            QRT_OK)
      << qrt_last_error();
  result.dst = fromLayout(dst, dstLayout);
  return result;
}

/// The oracle of an int8 conv (exactly what the epilogue path computes).
QBuffer int8Oracle(const ConvSpec &c, const ConvData &data) {
  ref::Int8ConvParams p;
  p.conv.strides = {c.stride, c.stride};
  p.conv.padBegin = p.conv.padEnd = {c.pad, c.pad};
  p.conv.groups = c.groups;
  p.weightSteps = data.weightSteps;
  p.act = toRef(c.act);
  p.postsumAct = toRef(c.post);
  p.sumScale = c.sumScale;
  QBuffer out(c.dst, data.outShape, c.dstStep);
  const ref::QTensor sum = c.sum ? data.sum.view() : ref::QTensor{};
  const ref::TensorRef<const int8_t> weight = {
      reinterpret_cast<const int8_t *>(data.weight.data()), data.weight.shape};
  EXPECT_TRUE(
      ref::int8Conv(data.src.view(), weight, f32(data.bias), p, sum, out.out())
          .ok());
  return out;
}

qrt_eltwise relu() { return {QRT_ELTWISE_RELU, 0, 0, 0}; }

const int32_t kMixed[3][2] = {{NHWC, NHWC}, {NCHW, NHWC}, {NHWC, NCHW}};

std::string layoutsName(const int32_t (&l)[2]) {
  return std::string(l[0] == NHWC ? "nhwc" : "nchw") + "->" +
         (l[1] == NHWC ? "nhwc" : "nchw");
}

TEST(QrtLayout, Fp32ConvMatchesNchwInEveryLayoutPair) {
  seed(1401);
  std::vector<ConvSpec> specs;
  ConvSpec c;
  c.name = "3x3 pad 1 bias relu";
  c.act = relu();
  specs.push_back(c);
  c.name = "3x3 sum relu (sum aliases dst)";
  c.act = {};
  c.sum = c.sumAliasesDst = true;
  c.post = relu();
  specs.push_back(c);
  c.name = "3x3 stride 2 sum (separate)";
  c.sumAliasesDst = false;
  c.stride = 2;
  specs.push_back(c);
  c = ConvSpec();
  c.name = "depthwise";
  c.groups = c.inChannels = c.outChannels = 24;
  c.act = relu();
  specs.push_back(c);
  c = ConvSpec();
  c.name = "1x1";
  c.k = 1;
  c.pad = 0;
  c.outChannels = 32;
  specs.push_back(c);
  c = ConvSpec();
  c.name = "first conv, 3 channels";
  c.inChannels = 3;
  c.h = c.w = 15;
  c.act = relu();
  specs.push_back(c);
  for (const ConvSpec &spec : specs) {
    const ConvData data = makeConvData(spec);
    const ConvResult nchw = runConv(spec, data, NCHW, NCHW);
    if (!spec.sum && spec.act.kind == QRT_ELTWISE_NONE) {
      QBuffer expected(QRT_F32, data.outShape);
      ref::ConvParams p;
      p.strides = {spec.stride, spec.stride};
      p.padBegin = p.padEnd = {spec.pad, spec.pad};
      p.groups = spec.groups;
      ASSERT_TRUE(ref::conv(f32(data.src), f32(data.weight), f32(data.bias), p,
                            f32(expected))
                      .ok());
      expectNear(nchw.dst, expected, spec.name + " vs the reference", 1e-5);
    }
    for (const auto &layouts : kMixed) {
      const ConvResult r = runConv(spec, data, layouts[0], layouts[1]);
      const std::string what =
          spec.name + " " + layoutsName(layouts) + " (" + r.info + ")";
      expectNear(r.dst, nchw.dst, what);
      EXPECT_NE(r.info.find(layouts[0] == NHWC ? "src:nhwc" : ""),
                std::string::npos)
          << what;
      EXPECT_NE(r.info.find(layouts[1] == NHWC ? "dst:nhwc" : ""),
                std::string::npos)
          << what;
    }
  }
}

TEST(QrtLayout, Int8ConvStaticStepsMatchesNchw) {
  seed(1402);
  ConvSpec c;
  c.name = "u8 -> u8 relu";
  c.src = c.dst = QRT_U8;
  c.act = relu();
  std::vector<ConvSpec> specs = {c};
  c.name = "u8 -> u8 s8 sum relu";
  c.act = {};
  c.sum = true;
  c.sumType = QRT_S8;
  c.post = relu();
  specs.push_back(c);
  c.name = "u8 -> s8 depthwise stride 2";
  c.sum = false;
  c.post = {};
  c.dst = QRT_S8;
  c.sumType = QRT_F32;
  c.groups = c.inChannels = c.outChannels = 32;
  c.stride = 2;
  specs.push_back(c);
  for (const ConvSpec &spec : specs) {
    const ConvData data = makeConvData(spec);
    const ConvResult nchw = runConv(spec, data, NCHW, NCHW);
    for (const auto &layouts : kMixed) {
      const ConvResult r = runConv(spec, data, layouts[0], layouts[1]);
      expectSame(r.dst, nchw.dst,
                 spec.name + " " + layoutsName(layouts) + " (" + r.info + ")");
    }
  }
}

TEST(QrtLayout, Int8ConvEpilogueIsChannelAware) {
  seed(1403);
  ConvSpec c;
  c.name = "u8 -> u8 s8 sum relu, forced epilogue";
  c.src = c.dst = QRT_U8;
  c.sum = true;
  c.sumType = QRT_S8;
  c.post = relu();
  c.outChannels = 24; // not a multiple of the block: channels at odd offsets
  std::vector<std::pair<ConvSpec, bool>> specs = {{c, true}};
  c.name = "u8 -> s8 dynamic src step, s8 sum in place";
  c.dst = QRT_S8;
  c.dynamicSrc = true;
  c.sumAliasesDst = true;
  c.post = {};
  c.act = relu();
  specs.push_back({c, false});
  c.name = "u8 -> f32 dynamic src step";
  c.dst = QRT_F32;
  c.sum = c.sumAliasesDst = false;
  c.sumType = QRT_F32;
  specs.push_back({c, false});
  for (const auto &[spec, force] : specs) {
    const ConvData data = makeConvData(spec);
    std::unique_ptr<ForceEpilogue> scope(force ? new ForceEpilogue : nullptr);
    const QBuffer expected = int8Oracle(spec, data);
    const int32_t all[4][2] = {
        {NHWC, NHWC}, {NCHW, NHWC}, {NHWC, NCHW}, {NCHW, NCHW}};
    for (const auto &layouts : all) {
      const ConvResult r = runConv(spec, data, layouts[0], layouts[1]);
      const std::string what =
          spec.name + " " + layoutsName(layouts) + " (" + r.info + ")";
      EXPECT_NE(r.info.find("+loop int8 epilogue"), std::string::npos) << what;
      if (spec.dst == QRT_F32)
        expectNear(r.dst, expected, what);
      else
        expectSame(r.dst, expected, what);
    }
  }
}

TEST(QrtLayout, NhwcConvNeedsNoReorder) {
  seed(1404);
  // A 3x3 int8 conv and an fp32 1x1 one run on nhwc directly on every ISA
  // (a dense fp32 conv with a window goes blocked without AVX-512:
  // prefersBlockedFp32 in runtime/onednn/Convolution.cpp).
  for (int32_t type : {QRT_F32, QRT_U8}) {
    ConvSpec c;
    c.inChannels = c.outChannels = 32;
    c.src = c.dst = type;
    if (type == QRT_F32)
      c.k = 1, c.pad = 0;
    c.act = relu();
    const ConvData data = makeConvData(c);
    const ConvResult r = runConv(c, data, NHWC, NHWC);
    EXPECT_EQ(r.info.find("reorder"), std::string::npos)
        << dtypeName(type) << ": " << r.info;
    EXPECT_NE(r.info.find("src:nhwc dst:nhwc"), std::string::npos) << r.info;
    EXPECT_EQ(r.info.find("ref"), std::string::npos) << r.info;
  }
}

//===----------------------------------------------------------------------===//
// Pooling
//===----------------------------------------------------------------------===//

struct PoolSpec {
  std::string name;
  int32_t kind = QRT_POOL_MAX, convention = QRT_POOL_VALID;
  bool countIncludePad = true, global = false;
  int64_t k = 3, stride = 2, padBegin = 1, padEnd = 1;
};

TEST(QrtLayout, PoolingMatchesNchwAndTheReference) {
  seed(1405);
  std::vector<PoolSpec> specs;
  PoolSpec p;
  p.name = "max 3x3 s2 p1";
  specs.push_back(p);
  p.name = "avg include pad";
  p.kind = QRT_POOL_AVG;
  specs.push_back(p);
  p.name = "avg exclude pad";
  p.countIncludePad = false;
  specs.push_back(p);
  p.name = "avg include pad, full, overhanging (loop for int8)";
  p.countIncludePad = true;
  p.convention = QRT_POOL_FULL;
  p.padBegin = p.padEnd = 0;
  specs.push_back(p);
  p = PoolSpec();
  p.name = "max with empty windows (loop)";
  p.k = 2;
  p.stride = 2;
  p.padBegin = p.padEnd = 2;
  specs.push_back(p);
  p = PoolSpec();
  p.name = "global avg";
  p.kind = QRT_POOL_AVG;
  p.global = true;
  specs.push_back(p);
  const Shape inShape = {2, 19, 10, 9};
  for (const PoolSpec &spec : specs)
    for (int32_t type : {QRT_F32, QRT_S8, QRT_U8}) {
      ref::PoolParams rp;
      rp.kind =
          spec.kind == QRT_POOL_MAX ? ref::PoolKind::Max : ref::PoolKind::Avg;
      rp.kernel = {spec.k, spec.k};
      rp.strides = {spec.stride, spec.stride};
      rp.padBegin = {spec.padBegin, spec.padBegin};
      rp.padEnd = {spec.padEnd, spec.padEnd};
      rp.convention = spec.convention == QRT_POOL_FULL
                          ? ref::PoolConvention::Full
                          : ref::PoolConvention::Valid;
      rp.countIncludePad = spec.countIncludePad;
      rp.global = spec.global;
      Shape outShape;
      ASSERT_TRUE(ref::poolOutputShape(inShape, rp, outShape).ok());
      const QBuffer src =
          type == QRT_F32
              ? randomBuffer(type, inShape, -1, 1)
              : randomBuffer(type, inShape, type == QRT_U8 ? 0 : -128,
                             type == QRT_U8 ? 255 : 127);
      QBuffer expected(type, outShape);
      if (type == QRT_F32)
        ASSERT_TRUE(ref::pool(f32(src), rp, f32(expected)).ok());
      else
        ASSERT_TRUE(ref::int8Pool(src.view(), rp, expected.out()).ok());
      for (int32_t layout : {NCHW, NHWC}) {
        qrt_pooling_desc d{};
        d.abi_version = QRT_ABI_VERSION;
        d.kind = spec.kind;
        d.convention = spec.convention;
        d.count_include_pad = spec.countIncludePad;
        d.global_pool = spec.global;
        d.num_spatial = 2;
        d.dtype = type;
        d.batch = inShape[0];
        d.channels = inShape[1];
        for (int i = 0; i < 2; ++i) {
          d.in_spatial[i] = inShape[2 + i];
          d.kernel[i] = spec.k;
          d.strides[i] = spec.stride;
          d.pad_begin[i] = spec.padBegin;
          d.pad_end[i] = spec.padEnd;
          d.out_spatial[i] = outShape[2 + i];
        }
        d.layout = layout;
        ModelPtr model = makeModel(1);
        ASSERT_QRT(qrt_pooling_init(model.get(), 0, &d));
        const std::string what = spec.name + " " + dtypeName(type) +
                                 (layout == NHWC ? " nhwc (" : " nchw (") +
                                 qrt_op_info(model.get(), 0) + ")";
        ExecPtr exec = makeExec(model.get());
        const QBuffer in = toLayout(src, layout);
        QBuffer out(type, outShape);
        ASSERT_QRT(
            qrt_pooling_run(model.get(), exec.get(), 0, in.data(), out.data()));
        const QBuffer result = fromLayout(out, layout);
        if (type == QRT_F32)
          expectNear(result, expected, what);
        else
          expectSame(result, expected, what);
        if (layout == NHWC) {
          EXPECT_NE(std::string(qrt_op_info(model.get(), 0)).find("nhwc"),
                    std::string::npos)
              << what;
        }
      }
    }
}

//===----------------------------------------------------------------------===//
// Batch norm, PReLU, binary
//===----------------------------------------------------------------------===//

/// Runs a one-op model in both layouts; `run` gets the model, the layout
/// and returns the output (NCHW order); the NHWC one must equal NCHW's.
void expectLayoutsAgree(
    const std::string &name,
    const std::function<QBuffer(int32_t layout, std::string &info)> &run,
    bool exact) {
  std::string nchwInfo, nhwcInfo;
  const QBuffer nchw = run(NCHW, nchwInfo);
  const QBuffer nhwc = run(NHWC, nhwcInfo);
  const std::string what = name + " (" + nchwInfo + " / " + nhwcInfo + ")";
  if (exact)
    expectSame(nhwc, nchw, what);
  else
    expectNear(nhwc, nchw, what);
  EXPECT_NE(nhwcInfo.find("nhwc"), std::string::npos) << what;
}

TEST(QrtLayout, BatchNormAndPreluMatchNchw) {
  seed(1406);
  for (const Shape &shape :
       {Shape{2, 24, 7, 5}, Shape{2, 8, 11}, Shape{1, 16, 3, 4, 5}}) {
    const int64_t channels = shape[1];
    const QBuffer src = randomBuffer(QRT_F32, shape, -2, 2);
    const QBuffer gamma = randomBuffer(QRT_F32, {channels}, 0.5, 2);
    const QBuffer beta = randomBuffer(QRT_F32, {channels}, -1, 1);
    const QBuffer mean = randomBuffer(QRT_F32, {channels}, -1, 1);
    const QBuffer var = randomBuffer(QRT_F32, {channels}, 0.1, 2);
    QBuffer expected(QRT_F32, shape);
    ref::BatchNormParams bp;
    bp.fixGamma = false;
    ASSERT_TRUE(ref::batchNorm(f32(src), f32(gamma), f32(beta), f32(mean),
                               f32(var), bp, f32(expected))
                    .ok());
    auto batchNorm = [&](int32_t layout, std::string &info) {
      qrt_batch_norm_desc d{};
      d.abi_version = QRT_ABI_VERSION;
      d.axis = 1;
      d.input = toQrtShape(shape);
      d.epsilon = bp.epsilon;
      d.dtype = QRT_F32;
      d.layout = layout;
      ModelPtr model = makeModel(1);
      QBuffer out(QRT_F32, shape);
      EXPECT_EQ(qrt_batch_norm_init(model.get(), 0, &d, f32(gamma).data,
                                    f32(beta).data, f32(mean).data,
                                    f32(var).data),
                QRT_OK)
          << qrt_last_error();
      info = qrt_op_info(model.get(), 0);
      ExecPtr exec = makeExec(model.get());
      const QBuffer in = toLayout(src, layout);
      EXPECT_EQ(
          qrt_batch_norm_run(model.get(), exec.get(), 0, in.data(), out.data()),
          QRT_OK);
      return fromLayout(out, layout);
    };
    std::string info;
    expectNear(batchNorm(NHWC, info), expected, "batch_norm vs reference");
    // oneDNN's nhwc kernel folds the statistics in another order than its
    // plain one: equal within f32 rounding, not bit for bit.
    expectLayoutsAgree("batch_norm " + ref::shapeToString(shape), batchNorm,
                       false);

    for (int64_t numSlopes : {channels, int64_t(1)}) {
      const QBuffer slope = randomBuffer(QRT_F32, {numSlopes}, -0.5, 0.5);
      auto prelu = [&](int32_t layout, std::string &info) {
        qrt_prelu_desc d{};
        d.abi_version = QRT_ABI_VERSION;
        d.dtype = QRT_F32;
        d.input = toQrtShape(shape);
        d.num_slopes = numSlopes;
        d.layout = layout;
        ModelPtr model = makeModel(1);
        QBuffer out(QRT_F32, shape);
        EXPECT_EQ(qrt_prelu_init(model.get(), 0, &d, f32(slope).data), QRT_OK)
            << qrt_last_error();
        info = qrt_op_info(model.get(), 0);
        ExecPtr exec = makeExec(model.get());
        const QBuffer in = toLayout(src, layout);
        EXPECT_EQ(
            qrt_prelu_run(model.get(), exec.get(), 0, in.data(), out.data()),
            QRT_OK);
        return fromLayout(out, layout);
      };
      QBuffer preluRef(QRT_F32, shape);
      ASSERT_TRUE(ref::prelu(f32(src), f32(slope), f32(preluRef)).ok());
      expectNear(prelu(NHWC, info), preluRef, "prelu vs reference");
      expectLayoutsAgree("prelu " + ref::shapeToString(shape) + " slopes " +
                             std::to_string(numSlopes),
                         prelu, true);
    }
  }
}

TEST(QrtLayout, BinaryMatchesNchwWithBroadcasts) {
  seed(1407);
  const Shape full = {2, 16, 5, 7};
  struct Case {
    const char *name;
    int32_t op;
    Shape lhs, rhs;
    bool constRhs;
  };
  const Case cases[] = {
      {"add same shape", QRT_BINARY_ADD, full, full, false},
      {"add [1,C,1,1]", QRT_BINARY_ADD, full, {1, 16, 1, 1}, false},
      {"add [N,C,1,1]", QRT_BINARY_ADD, full, {2, 16, 1, 1}, false},
      {"mul [N,C,1,1] on the left", QRT_BINARY_MUL, {2, 16, 1, 1}, full, false},
      {"mul same shape", QRT_BINARY_MUL, full, full, false},
      {"sub [1,C,1,1] constant", QRT_BINARY_SUB, full, {1, 16, 1, 1}, true},
      {"div [1,1,H,W] (loop)", QRT_BINARY_DIV, {1, 1, 5, 7}, full, false},
      {"max 3-D [N,C,W] with [C,1]",
       QRT_BINARY_MAX,
       {2, 16, 9},
       {16, 1},
       false},
  };
  for (const Case &c : cases) {
    const QBuffer lhs = randomBuffer(QRT_F32, c.lhs, -1, 1);
    const QBuffer rhs = randomBuffer(QRT_F32, c.rhs, 0.5, 1.5);
    Shape outShape;
    ASSERT_TRUE(ref::broadcastShape(c.lhs, c.rhs, outShape).ok());
    QBuffer expected(QRT_F32, outShape);
    const ref::BinaryOp refOps[] = {ref::BinaryOp::Add, ref::BinaryOp::Sub,
                                    ref::BinaryOp::Mul, ref::BinaryOp::Div,
                                    ref::BinaryOp::Max, ref::BinaryOp::Min};
    ASSERT_TRUE(
        ref::binary(refOps[c.op], f32(lhs), f32(rhs), f32(expected)).ok());
    auto binary = [&](int32_t layout, std::string &info) {
      qrt_binary_desc d{};
      d.abi_version = QRT_ABI_VERSION;
      d.op = c.op;
      d.lhs = toQrtShape(c.lhs);
      d.rhs = toQrtShape(c.rhs);
      d.dtype = QRT_F32;
      d.layout = layout;
      d.act = relu();
      ModelPtr model = makeModel(1);
      const QBuffer a = toLayout(lhs, layout), b = toLayout(rhs, layout);
      EXPECT_EQ(qrt_binary_const_init(model.get(), 0, &d, nullptr,
                                      c.constRhs ? f32(b).data : nullptr),
                QRT_OK)
          << qrt_last_error();
      info = qrt_op_info(model.get(), 0);
      ExecPtr exec = makeExec(model.get());
      QBuffer out(QRT_F32, outShape);
      EXPECT_EQ(qrt_binary_run(model.get(), exec.get(), 0, a.data(),
                               c.constRhs ? nullptr : b.data(), out.data()),
                QRT_OK)
          << qrt_last_error();
      return fromLayout(out, layout);
    };
    std::string info;
    QBuffer relued = expected;
    for (int64_t i = 0; i < relued.size(); ++i)
      relued.set(i, std::max(0.0, expected.at(i)));
    expectNear(binary(NHWC, info), relued,
               std::string(c.name) + " vs reference (" + info + ")");
    expectLayoutsAgree(c.name, binary, true);
  }
}

//===----------------------------------------------------------------------===//
// Concat
//===----------------------------------------------------------------------===//

TEST(QrtLayout, ConcatAlongChannelsMatchesNchw) {
  seed(1408);
  const Shape base = {2, 0, 6, 5};
  const int64_t sizes[] = {8, 3, 16};
  const int32_t types[] = {QRT_S8, QRT_U8, QRT_S8};
  const float steps[] = {0.02f, 0.01f, 0.05f};
  for (bool quantized : {false, true}) {
    std::vector<QBuffer> inputs;
    std::vector<ref::QTensor> views;
    std::vector<ref::ConstF32> floats;
    for (int i = 0; i < 3; ++i) {
      Shape shape = base;
      shape[1] = sizes[i];
      const int32_t type = quantized ? types[i] : QRT_F32;
      inputs.push_back(
          quantized ? randomBuffer(type, shape, type == QRT_U8 ? 0 : -128,
                                   type == QRT_U8 ? 255 : 127, steps[i])
                    : randomBuffer(QRT_F32, shape, -1, 1));
    }
    for (const QBuffer &b : inputs) {
      views.push_back(b.view());
      floats.push_back(f32(b));
    }
    Shape outShape = base;
    outShape[1] = sizes[0] + sizes[1] + sizes[2];
    const int32_t outType = quantized ? QRT_S8 : QRT_F32;
    QBuffer expected(outType, outShape, 0.03f);
    if (quantized)
      ASSERT_TRUE(ref::int8Concat(views, 1, expected.out()).ok());
    else
      ASSERT_TRUE(ref::concat(floats, 1, f32(expected)).ok());
    auto concat = [&](int32_t layout, std::string &info) {
      qrt_concat_desc d{};
      d.abi_version = QRT_ABI_VERSION;
      d.axis = 1;
      d.num_inputs = 3;
      d.dtype = outType;
      d.output = toQrtShape(outShape);
      d.dst_q = {0.03f, 0};
      d.layout = layout;
      ModelPtr model = makeModel(1);
      const qrt_qparam srcQ[] = {{steps[0], 0}, {steps[1], 0}, {steps[2], 0}};
      EXPECT_EQ(quantized ? qrt_concat_quantized_init(model.get(), 0, &d, sizes,
                                                      types, srcQ)
                          : qrt_concat_init(model.get(), 0, &d, sizes),
                QRT_OK)
          << qrt_last_error();
      info = qrt_op_info(model.get(), 0);
      ExecPtr exec = makeExec(model.get());
      std::vector<QBuffer> in;
      std::vector<const void *> pointers;
      for (const QBuffer &b : inputs)
        in.push_back(toLayout(b, layout));
      for (const QBuffer &b : in)
        pointers.push_back(b.data());
      QBuffer out(outType, outShape, 0.03f);
      EXPECT_EQ(qrt_concat_run(model.get(), exec.get(), 0, pointers.data(),
                               out.data()),
                QRT_OK)
          << qrt_last_error();
      return fromLayout(out, layout);
    };
    std::string info;
    expectSame(concat(NHWC, info), expected,
               std::string(quantized ? "quantized" : "f32") +
                   " concat vs reference (" + info + ")");
    expectLayoutsAgree(quantized ? "quantized concat" : "f32 concat", concat,
                       true);
  }
}

//===----------------------------------------------------------------------===//
// Validation
//===----------------------------------------------------------------------===//

TEST(QrtLayout, InvalidLayoutsAreRejected) {
  ModelPtr model = makeModel(8);
  ConvSpec c;
  const ConvData data = makeConvData(c);
  qrt_conv_desc conv = convDesc(c, 2, NCHW);
  EXPECT_QRT_ERROR(qrt_conv_init(model.get(), 0, &conv, data.weight.data(),
                                 data.bias.data(), nullptr),
                   QRT_ERR_INVALID_ARGUMENT, "src_layout must be 0");
  conv = convDesc(c, NCHW, -1);
  EXPECT_QRT_ERROR(qrt_conv_init(model.get(), 0, &conv, data.weight.data(),
                                 data.bias.data(), nullptr),
                   QRT_ERR_INVALID_ARGUMENT, "dst_layout must be 0");

  qrt_pooling_desc pool{};
  pool.abi_version = QRT_ABI_VERSION;
  pool.num_spatial = 1;
  pool.dtype = QRT_F32;
  pool.batch = pool.channels = 1;
  pool.in_spatial[0] = pool.kernel[0] = pool.strides[0] = 1;
  pool.out_spatial[0] = 1;
  pool.layout = 7;
  EXPECT_QRT_ERROR(qrt_pooling_init(model.get(), 1, &pool),
                   QRT_ERR_INVALID_ARGUMENT, "layout must be 0");

  const float ones[4] = {1, 1, 1, 1};
  qrt_batch_norm_desc bn{};
  bn.abi_version = QRT_ABI_VERSION;
  bn.axis = 1;
  bn.input = toQrtShape({2, 4});
  bn.dtype = QRT_F32;
  bn.layout = NHWC;
  EXPECT_QRT_ERROR(
      qrt_batch_norm_init(model.get(), 2, &bn, ones, ones, ones, ones),
      QRT_ERR_INVALID_ARGUMENT, "rank 3 to 5");
  bn.input = toQrtShape({2, 4, 3});
  bn.axis = 2;
  EXPECT_QRT_ERROR(
      qrt_batch_norm_init(model.get(), 2, &bn, ones, ones, ones, ones),
      QRT_ERR_INVALID_ARGUMENT, "channel axis 1");

  qrt_prelu_desc prelu{};
  prelu.abi_version = QRT_ABI_VERSION;
  prelu.dtype = QRT_F32;
  prelu.input = toQrtShape({2, 4});
  prelu.num_slopes = 1;
  prelu.layout = NHWC;
  EXPECT_QRT_ERROR(qrt_prelu_init(model.get(), 3, &prelu, ones),
                   QRT_ERR_INVALID_ARGUMENT, "rank 3 to 5");

  qrt_binary_desc binary{};
  binary.abi_version = QRT_ABI_VERSION;
  binary.dtype = QRT_F32;
  binary.lhs = binary.rhs = toQrtShape({2, 4});
  binary.layout = NHWC;
  EXPECT_QRT_ERROR(qrt_binary_init(model.get(), 4, &binary),
                   QRT_ERR_INVALID_ARGUMENT, "rank 3 to 5");
  binary.layout = 2;
  EXPECT_QRT_ERROR(qrt_binary_init(model.get(), 4, &binary),
                   QRT_ERR_INVALID_ARGUMENT, "layout must be 0");

  qrt_concat_desc concat{};
  concat.abi_version = QRT_ABI_VERSION;
  concat.axis = 1;
  concat.num_inputs = 1;
  concat.dtype = QRT_F32;
  concat.output = toQrtShape({2, 4});
  concat.layout = NHWC;
  const int64_t sizes[] = {4};
  EXPECT_QRT_ERROR(qrt_concat_init(model.get(), 5, &concat, sizes),
                   QRT_ERR_INVALID_ARGUMENT, "rank 3 to 5");
  concat.layout = NCHW;
  concat.reserved0 = 1;
  EXPECT_QRT_ERROR(qrt_concat_init(model.get(), 5, &concat, sizes),
                   QRT_ERR_INVALID_ARGUMENT, "reserved");
  // A failed init leaves the id free.
  concat.reserved0 = 0;
  ASSERT_QRT(qrt_concat_init(model.get(), 5, &concat, sizes));
}

} // namespace
