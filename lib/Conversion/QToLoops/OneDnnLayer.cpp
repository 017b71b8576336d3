//===- OneDnnLayer.cpp - oneDNN's int8 primitive for a kernel spec --------===//

#include "OneDnnLayer.h"

#include <oneapi/dnnl/dnnl.hpp>

#include <random>

using namespace mlir::q::loops;

namespace {

dnnl::memory::data_type dnnlType(OutType t) {
  switch (t) {
  case OutType::U8:
    return dnnl::memory::data_type::u8;
  case OutType::S8:
    return dnnl::memory::data_type::s8;
  case OutType::F32:
    return dnnl::memory::data_type::f32;
  }
  return dnnl::memory::data_type::u8;
}

void appendEltwise(dnnl::post_ops &ops, const PostOp &p) {
  switch (p.kind) {
  case ActKind::None:
    return;
  case ActKind::Relu:
    ops.append_eltwise(1.f, dnnl::algorithm::eltwise_relu, 0.f, 0.f);
    return;
  case ActKind::Leaky:
    ops.append_eltwise(1.f, dnnl::algorithm::eltwise_relu, p.alpha, 0.f);
    return;
  case ActKind::Clip:
    ops.append_eltwise(1.f, dnnl::algorithm::eltwise_clip, p.alpha, p.beta);
    return;
  }
}

dnnl::primitive_attr epilogueAttr(const Epilogue &e) {
  dnnl::primitive_attr attr;
  attr.set_output_scales(1 << 1, e.scale);
  dnnl::post_ops ops;
  appendEltwise(ops, e.act);
  if (e.hasSum) {
    ops.append_sum(e.sumScale);
    appendEltwise(ops, e.postAct);
  }
  attr.set_post_ops(ops);
  return attr;
}

} // namespace

/// The primitive, its memories on oneDNN's layouts, and the user-side NCHW
/// (or NC) memories with the reorders between them.
class OneDnnLayer::Impl {
public:
  dnnl::engine engine{dnnl::engine::kind::cpu, 0};
  dnnl::stream stream{engine};
  dnnl::primitive prim;
  dnnl::memory userSrc, userDst, src, wei, bias, dst;
  bool reorderSrc = false, reorderDst = false, sum = false;
  std::string impl;

  void setUp(const dnnl::memory::desc &userSrcMd,
             const dnnl::memory::desc &userDstMd, const dnnl::memory::desc &s,
             const dnnl::memory::desc &w, const dnnl::memory::desc &b,
             const dnnl::memory::desc &d) {
    userSrc = dnnl::memory(userSrcMd, engine);
    userDst = dnnl::memory(userDstMd, engine);
    reorderSrc = s != userSrcMd;
    reorderDst = d != userDstMd;
    src = reorderSrc ? dnnl::memory(s, engine) : userSrc;
    dst = reorderDst ? dnnl::memory(d, engine) : userDst;
    wei = dnnl::memory(w, engine);
    bias = dnnl::memory(b, engine);
    std::mt19937 rng(3);
    for (dnnl::memory *m : {&userSrc, &userDst, &src, &dst, &wei, &bias}) {
      auto *p = static_cast<uint8_t *>(m->get_data_handle());
      size_t size = m->get_desc().get_size();
      for (size_t i = 0; i < size; ++i)
        p[i] = static_cast<uint8_t>(rng() % 64);
    }
  }

  void runPrimitive() {
    prim.execute(stream, {{DNNL_ARG_SRC, src},
                          {DNNL_ARG_WEIGHTS, wei},
                          {DNNL_ARG_BIAS, bias},
                          {DNNL_ARG_DST, dst}});
    stream.wait();
  }

  void runWithReorders() {
    if (reorderSrc)
      dnnl::reorder(userSrc, src).execute(stream, userSrc, src);
    // The sum operand arrives in NCHW too.
    if (sum && reorderDst)
      dnnl::reorder(userDst, dst).execute(stream, userDst, dst);
    runPrimitive();
    if (reorderDst) {
      dnnl::reorder(dst, userDst).execute(stream, dst, userDst);
      stream.wait();
    }
  }
};

OneDnnLayer::OneDnnLayer(std::unique_ptr<Impl> impl) : impl(std::move(impl)) {}
OneDnnLayer::~OneDnnLayer() = default;
void OneDnnLayer::runPrimitive() { impl->runPrimitive(); }
void OneDnnLayer::runWithReorders() { impl->runWithReorders(); }
const std::string &OneDnnLayer::implementation() const { return impl->impl; }
bool OneDnnLayer::reorders() const {
  return impl->reorderSrc || impl->reorderDst;
}

std::unique_ptr<OneDnnLayer> OneDnnLayer::create(const ConvSpec &c) {
  using dt = dnnl::memory::data_type;
  using tag = dnnl::memory::format_tag;
  auto run = std::make_unique<Impl>();
  dt srcType = c.srcSigned ? dt::s8 : dt::u8, dstType = dnnlType(c.epi.out);
  dnnl::memory::dims srcDims{c.n, c.c, c.h, c.w};
  dnnl::memory::dims weiDims =
      c.groups > 1 ? dnnl::memory::dims{c.groups, c.oc / c.groups,
                                        c.c / c.groups, c.kh, c.kw}
                   : dnnl::memory::dims{c.oc, c.c, c.kh, c.kw};
  dnnl::memory::dims dstDims{c.n, c.oc, c.oh(), c.ow()};
  dnnl::convolution_forward::desc desc(
      dnnl::prop_kind::forward_inference, dnnl::algorithm::convolution_direct,
      dnnl::memory::desc(srcDims, srcType, tag::any),
      dnnl::memory::desc(weiDims, dt::s8, tag::any),
      dnnl::memory::desc({c.oc}, dt::s32, tag::x),
      dnnl::memory::desc(dstDims, dstType, tag::any), {c.sh, c.sw},
      {c.dh - 1, c.dw - 1}, {c.pt, c.pl}, {c.pb, c.pr});
  dnnl::convolution_forward::primitive_desc pd(desc, epilogueAttr(c.epi),
                                               run->engine);
  run->prim = dnnl::convolution_forward(pd);
  run->impl = pd.impl_info_str();
  run->sum = c.epi.hasSum;
  run->setUp(dnnl::memory::desc(srcDims, srcType, tag::nchw),
             dnnl::memory::desc(dstDims, dstType, tag::nchw), pd.src_desc(),
             pd.weights_desc(), pd.bias_desc(), pd.dst_desc());
  return std::unique_ptr<OneDnnLayer>(new OneDnnLayer(std::move(run)));
}

std::unique_ptr<OneDnnLayer> OneDnnLayer::create(const FcSpec &f) {
  using dt = dnnl::memory::data_type;
  using tag = dnnl::memory::format_tag;
  auto run = std::make_unique<Impl>();
  dt srcType = f.srcSigned ? dt::s8 : dt::u8, dstType = dnnlType(f.epi.out);
  dnnl::inner_product_forward::desc desc(
      dnnl::prop_kind::forward_inference,
      dnnl::memory::desc({f.n, f.k}, srcType, tag::any),
      dnnl::memory::desc({f.o, f.k}, dt::s8, tag::any),
      dnnl::memory::desc({f.o}, dt::s32, tag::x),
      dnnl::memory::desc({f.n, f.o}, dstType, tag::any));
  dnnl::inner_product_forward::primitive_desc pd(desc, epilogueAttr(f.epi),
                                                 run->engine);
  run->prim = dnnl::inner_product_forward(pd);
  run->impl = pd.impl_info_str();
  run->setUp(dnnl::memory::desc({f.n, f.k}, srcType, tag::nc),
             dnnl::memory::desc({f.n, f.o}, dstType, tag::nc), pd.src_desc(),
             pd.weights_desc(), pd.bias_desc(), pd.dst_desc());
  return std::unique_ptr<OneDnnLayer>(new OneDnnLayer(std::move(run)));
}
