//===- LowerToLoops.cpp - quantized conv/fc to generated kernels ----------===//
//
// Reads statically quantized q.fused_conv / q.fused_fc ops into plain specs
// (KernelSpec.h), generates their kernels and replaces each op with
//
//   %s = q.kernel_call @q_kernel_<N>_pack(%input) : (...) -> tensor<Bxi8>
//   %y = q.kernel_call @q_kernel_<N>(%s[, %sum])  : (...) -> type(%y)
//
// or, for a convolution generated channels last (channels-last=true),
//
//   %y = q.kernel_call @q_kernel_<N>(%input[, %sum]) <{channels_last}>
//
// Anything else is left for q-lower-to-onednn.
//
//===----------------------------------------------------------------------===//

#include "KernelSpec.h"

#include "QDialect/Conversion/Passes.h"
#include "QDialect/IR/Constants.h"
#include "QDialect/IR/QDialect.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/ControlFlow/IR/ControlFlowOps.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Quant/IR/Quant.h"
#include "mlir/Dialect/Quant/IR/QuantTypes.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/Matchers.h"

#include <cmath>

namespace mlir::q {
#define GEN_PASS_DEF_QLOWERTOLOOPS
#include "QDialect/Conversion/Passes.h.inc"
} // namespace mlir::q

using namespace mlir;
using namespace mlir::q;
using namespace mlir::q::loops;

namespace {

/// Static scale of an 8-bit, zero-point-0 quantized type, or failure.
FailureOr<quant::UniformQuantizedType> activationType(Type type) {
  auto shaped = llvm::dyn_cast<ShapedType>(type);
  if (!shaped)
    return failure();
  auto q = llvm::dyn_cast<quant::UniformQuantizedType>(shaped.getElementType());
  if (!q || q.getStorageTypeIntegralWidth() != 8 || q.getZeroPoint() != 0 ||
      q.getScale() <= 0)
    return failure();
  return q;
}

/// Per-channel steps of a constant quantized tensor (`quant.scast` of an
/// `arith.constant`) and its integer values.
struct ConstQuant {
  DenseIntElementsAttr values;
  std::vector<double> steps; // one per slice of axis 0, or one
};

FailureOr<ConstQuant> constQuant(Value v, unsigned width) {
  auto cast = v.getDefiningOp<quant::StorageCastOp>();
  if (!cast)
    return failure();
  ConstQuant out;
  if (!matchPattern(cast.getInput(), m_Constant(&out.values))) {
    // Imported weights are dense_resource blobs: read them as dense.
    auto type = llvm::cast<RankedTensorType>(cast.getInput().getType());
    if (width == 8) {
      if (auto bytes = readConstant<int8_t>(cast.getInput()))
        out.values = llvm::cast<DenseIntElementsAttr>(
            DenseElementsAttr::get(type, llvm::ArrayRef(*bytes)));
    } else if (width == 32) {
      if (auto words = readConstant<int32_t>(cast.getInput()))
        out.values = llvm::cast<DenseIntElementsAttr>(
            DenseElementsAttr::get(type, llvm::ArrayRef(*words)));
    }
    if (!out.values)
      return failure();
  }
  if (out.values.getElementType().getIntOrFloatBitWidth() != width)
    return failure();
  Type element = llvm::cast<ShapedType>(v.getType()).getElementType();
  if (auto u = llvm::dyn_cast<quant::UniformQuantizedType>(element)) {
    if (u.getZeroPoint() != 0)
      return failure();
    out.steps = {u.getScale()};
  } else if (auto p =
                 llvm::dyn_cast<quant::UniformQuantizedPerAxisType>(element)) {
    if (p.getQuantizedDimension() != 0 ||
        llvm::any_of(p.getZeroPoints(), [](int64_t z) { return z != 0; }))
      return failure();
    out.steps.assign(p.getScales().begin(), p.getScales().end());
  } else {
    return failure();
  }
  return out;
}

class Reader {
public:
  explicit Reader(std::string &why) : why(why) {}

  LogicalResult fail(const llvm::Twine &reason) {
    why = reason.str();
    return failure();
  }

  LogicalResult postOp(std::optional<EltwiseAttr> attr, double outStep,
                       PostOp &op) {
    if (!attr || !*attr)
      return success();
    switch (attr->getKind()) {
    case EltwiseKind::relu:
      op.kind = ActKind::Relu;
      return success();
    case EltwiseKind::clip:
      op.kind = ActKind::Clip;
      op.alpha = static_cast<float>(attr->getAlphaValue() / outStep);
      op.beta = static_cast<float>(attr->getBetaValue() / outStep);
      return success();
    case EltwiseKind::leaky:
      op.kind = ActKind::Leaky;
      op.alpha = static_cast<float>(attr->getAlphaValue());
      return success();
    default:
      return fail("post-op " + stringifyEltwiseKind(attr->getKind()) +
                  " is not generated");
    }
  }

  /// Input, weight, bias and result type: everything but the post-ops.
  LogicalResult common(Value input, Value weight, Value bias, Type result,
                       int64_t outChannels, bool &srcSigned,
                       std::vector<int8_t> &w, Epilogue &epi,
                       double &outStep) {
    auto in = activationType(input.getType());
    if (failed(in))
      return fail("input is not a static-scale 8-bit quantized tensor");
    srcSigned = in->isSigned();
    auto wq = constQuant(weight, 8);
    if (failed(wq))
      return fail("weight is not a constant int8 tensor with static scales");
    if (wq->steps.size() != 1 && (int64_t)wq->steps.size() != outChannels)
      return fail("weight scales are neither per-tensor nor per-channel");
    for (const APInt &v : wq->values.getValues<APInt>())
      w.push_back(static_cast<int8_t>(v.getSExtValue()));
    auto resType = llvm::cast<ShapedType>(result).getElementType();
    outStep = 1.0;
    if (resType.isF32()) {
      epi.out = OutType::F32;
    } else {
      auto out = activationType(result);
      if (failed(out))
        return fail("result is neither f32 nor a static-scale 8-bit tensor");
      epi.out = out->isSigned() ? OutType::S8 : OutType::U8;
      outStep = out->getScale();
    }
    auto wStep = [&](int64_t c) {
      return wq->steps.size() == 1 ? wq->steps[0] : wq->steps[c];
    };
    for (int64_t c = 0; c < outChannels; ++c)
      epi.scale.push_back(
          static_cast<float>(in->getScale() * wStep(c) / outStep));
    if (!bias)
      return success();
    // The bias becomes an integer in accumulator units (in_step * w_step).
    epi.bias.assign(outChannels, 0);
    auto accStep = [&](int64_t c) { return in->getScale() * wStep(c); };
    if (auto bq = constQuant(bias, 32); succeeded(bq)) {
      auto values = llvm::to_vector(bq->values.getValues<APInt>());
      if ((int64_t)values.size() != outChannels ||
          (bq->steps.size() != 1 && (int64_t)bq->steps.size() != outChannels))
        return fail("bias shape does not match the output channels");
      for (int64_t c = 0; c < outChannels; ++c) {
        double step = bq->steps.size() == 1 ? bq->steps[0] : bq->steps[c];
        double v = values[c].getSExtValue();
        if (std::abs(step - accStep(c)) > 1e-6 * accStep(c))
          v = std::nearbyint(v * step / accStep(c));
        if (std::abs(v) > 2147483647.0)
          return fail("bias does not fit int32 accumulator units");
        epi.bias[c] = static_cast<int32_t>(v);
      }
      return success();
    }
    DenseFPElementsAttr fb;
    if (matchPattern(bias, m_Constant(&fb)) &&
        fb.getNumElements() == outChannels) {
      int64_t c = 0;
      for (const APFloat &v : fb.getValues<APFloat>()) {
        double q = std::nearbyint(v.convertToDouble() / accStep(c));
        if (std::abs(q) > 2147483647.0)
          return fail("bias does not fit int32 accumulator units");
        epi.bias[c++] = static_cast<int32_t>(q);
      }
      return success();
    }
    return fail("bias is not a constant");
  }

  FailureOr<ConvSpec> conv(FusedConvOp op) {
    ConvSpec s;
    auto in = llvm::cast<RankedTensorType>(op.getInput().getType());
    auto w = llvm::cast<RankedTensorType>(op.getWeight().getType());
    if (in.getRank() != 4 || w.getRank() != 4)
      return (void)fail("only 2-D convolutions are generated"), failure();
    if (!op.getBn().empty())
      return (void)fail("batch norm is not folded"), failure();
    s.n = in.getDimSize(0);
    s.c = in.getDimSize(1);
    s.h = in.getDimSize(2);
    s.w = in.getDimSize(3);
    s.oc = w.getDimSize(0);
    s.kh = w.getDimSize(2);
    s.kw = w.getDimSize(3);
    s.groups = op.getGroups();
    auto strides = op.getStrides(), dil = op.getDilations(),
         pads = op.getPads();
    if (!strides.empty()) {
      if (strides.size() != 2)
        return (void)fail("bad strides"), failure();
      s.sh = strides[0];
      s.sw = strides[1];
    }
    if (!dil.empty()) {
      if (dil.size() != 2)
        return (void)fail("bad dilations"), failure();
      s.dh = dil[0];
      s.dw = dil[1];
    }
    if (!pads.empty()) {
      if (pads.size() != 4)
        return (void)fail("bad pads"), failure();
      s.pt = pads[0];
      s.pl = pads[1];
      s.pb = pads[2];
      s.pr = pads[3];
    }
    double outStep;
    if (failed(common(op.getInput(), op.getWeight(), op.getBias(),
                      op.getType(), s.oc, s.srcSigned, s.weight, s.epi,
                      outStep)))
      return failure();
    if (failed(postOp(op.getAct(), outStep, s.epi.act)) ||
        failed(postOp(op.getPostsumAct(), outStep, s.epi.postAct)))
      return failure();
    if (Value sum = op.getSum()) {
      auto sq = activationType(sum.getType());
      if (failed(sq))
        return (void)fail("sum is not a static-scale 8-bit tensor"), failure();
      if (sum.getType() != op.getType() &&
          llvm::cast<ShapedType>(sum.getType()).getShape() !=
              llvm::cast<ShapedType>(op.getType()).getShape())
        return (void)fail("sum shape differs from the result"), failure();
      s.epi.hasSum = true;
      s.epi.sumSigned = sq->isSigned();
      s.epi.sumScale = static_cast<float>(
          op.getSumScale().convertToDouble() * sq->getScale() / outStep);
    }
    auto outShape = llvm::cast<ShapedType>(op.getType()).getShape();
    if (outShape.size() != 4 || outShape[2] != s.oh() || outShape[3] != s.ow())
      return (void)fail("result shape does not match the geometry"), failure();
    std::string bad = checkSpec(s);
    if (!bad.empty())
      return (void)fail(bad), failure();
    return s;
  }

  FailureOr<FcSpec> fc(FusedFullyConnectedOp op) {
    FcSpec s;
    auto in = llvm::cast<RankedTensorType>(op.getInput().getType());
    auto w = llvm::cast<RankedTensorType>(op.getWeight().getType());
    if (w.getRank() != 2 || in.getRank() < 1)
      return (void)fail("weight must be [out, in]"), failure();
    s.o = w.getDimSize(0);
    s.k = w.getDimSize(1);
    if (op.getFlatten()) {
      s.n = in.getDimSize(0);
    } else {
      s.n = 1;
      for (int64_t i = 0; i + 1 < in.getRank(); ++i)
        s.n *= in.getDimSize(i);
    }
    if (s.n * s.k != in.getNumElements())
      return (void)fail("input size does not match the weight"), failure();
    double outStep;
    if (failed(common(op.getInput(), op.getWeight(), op.getBias(),
                      op.getType(), s.o, s.srcSigned, s.weight, s.epi,
                      outStep)) ||
        failed(postOp(op.getAct(), outStep, s.epi.act)))
      return failure();
    return s;
  }

private:
  std::string &why;
};

/// A 1x1 convolution over a 1x1 image is an inner product; lanes over
/// output channels suit it far better than lanes over one pixel.
std::optional<FcSpec> asInnerProduct(const ConvSpec &s) {
  if (s.h != 1 || s.w != 1 || s.kh != 1 || s.kw != 1 || s.groups != 1 ||
      s.pt || s.pl || s.pb || s.pr || s.epi.hasSum)
    return std::nullopt;
  FcSpec f;
  f.n = s.n;
  f.k = s.c;
  f.o = s.oc;
  f.srcSigned = s.srcSigned;
  f.weight = s.weight;
  f.epi = s.epi;
  return f;
}

} // namespace

LogicalResult mlir::q::loops::readKernelSpec(Operation *op,
                                             std::optional<ConvSpec> &conv,
                                             std::optional<FcSpec> &fc,
                                             std::string &why) {
  conv.reset();
  fc.reset();
  Reader reader(why);
  if (auto c = llvm::dyn_cast<FusedConvOp>(op)) {
    auto spec = reader.conv(c);
    if (failed(spec))
      return failure();
    if (auto f = asInnerProduct(*spec))
      fc = std::move(*f);
    else
      conv = std::move(*spec);
    return success();
  }
  if (auto f = llvm::dyn_cast<FusedFullyConnectedOp>(op)) {
    auto spec = reader.fc(f);
    if (failed(spec))
      return failure();
    fc = std::move(*spec);
    return success();
  }
  why = "not a fused conv or fc";
  return failure();
}

namespace {

struct LowerToLoopsPass
    : public q::impl::QLowerToLoopsBase<LowerToLoopsPass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<Isa> isas;
    if (isa == "auto") {
      isas = {Isa::Avx512Vnni, Isa::AvxVnni, Isa::Avx2, Isa::Generic};
    } else {
      for (llvm::StringRef name : llvm::split(llvm::StringRef(isa), ',')) {
        auto parsed = parseIsa(name.trim());
        if (!parsed) {
          module.emitError() << "q-lower-to-loops: unknown isa '" << name
                             << "' (avx512vnni, avxvnni, avx2, generic, auto)";
          return signalPassFailure();
        }
        isas.push_back(*parsed);
      }
    }
    if (!lowerToLLVM && isas.size() > 1) {
      module.emitError("q-lower-to-loops: lower-to-llvm=false needs one isa");
      return signalPassFailure();
    }
    TileOptions tiles{tileP, tileO};

    SmallVector<Operation *> ops;
    module.walk([&](Operation *op) {
      if (llvm::isa<FusedConvOp, FusedFullyConnectedOp>(op))
        ops.push_back(op);
    });
    unsigned counter = 0;
    bool built = false;
    for (Operation *op : ops) {
      // q-compile --backend=auto marks the ops oneDNN runs faster.
      if (auto chosen = op->getAttrOfType<StringAttr>(kBackendAttr)) {
        if (chosen.getValue() == "onednn") {
          if (report)
            op->emitRemark("left for q-lower-to-onednn: ")
                << kBackendAttr << " = \"onednn\"";
          continue;
        }
      }
      std::string why;
      std::optional<ConvSpec> conv;
      std::optional<FcSpec> fc;
      if (failed(readKernelSpec(op, conv, fc, why))) {
        if (report)
          op->emitRemark() << "left for q-lower-to-onednn: " << why;
        continue;
      }
      std::string whyNchw;
      if (conv && channelsLast) {
        whyNchw = checkChannelsLast(*conv);
        conv->channelsLast = whyNchw.empty();
      }
      std::string name;
      do {
        name = "q_kernel_" + std::to_string(counter++);
      } while (module.lookupSymbol(name) || module.lookupSymbol(name + "_pack"));
      FailureOr<KernelInfo> info =
          conv ? buildConvKernels(module, name, *conv, isas, tiles, lowerToLLVM)
               : buildFcKernels(module, name, *fc, isas, tiles, lowerToLLVM);
      if (failed(info)) {
        op->emitError("q-lower-to-loops: kernel generation failed");
        return signalPassFailure();
      }
      OpBuilder b(op);
      MLIRContext *ctx = op->getContext();
      const bool nhwc = conv && conv->channelsLast;
      SmallVector<Value> args{op->getOperand(0)};
      if (!nhwc) {
        auto scratchType =
            RankedTensorType::get({info->scratchBytes}, b.getI8Type());
        args[0] = KernelCallOp::create(b, op->getLoc(), scratchType,
                                       SymbolRefAttr::get(ctx, info->pack),
                                       ValueRange{args[0]},
                                       b.getI64IntegerAttr(info->packTiles))
                      .getResult();
      }
      if (auto c = llvm::dyn_cast<FusedConvOp>(op); c && c.getSum())
        args.push_back(c.getSum());
      auto call = KernelCallOp::create(
          b, op->getLoc(), op->getResult(0).getType(),
          SymbolRefAttr::get(ctx, info->kernel), args,
          b.getI64IntegerAttr(info->kernelTiles),
          nhwc ? b.getUnitAttr() : UnitAttr());
      if (report) {
        auto remark = op->emitRemark();
        remark << "generated @" << info->kernel << " ("
               << (conv ? "conv" : "inner product") << ", "
               << info->kernelTiles << " tiles, ";
        if (nhwc)
          remark << "channels last)";
        else
          remark << "scratch " << info->scratchBytes << " bytes"
                 << (whyNchw.empty() ? "" : ", nchw: " + whyNchw) << ")";
      }
      op->getResult(0).replaceAllUsesWith(call.getResult());
      op->erase();
      built = true;
    }
    // The variants every kernel has, best first: the manifest records them
    // so that a model can tell which one cpuid picked (q_model_info "isa").
    if (built) {
      SmallVector<Isa> sorted(isas);
      llvm::sort(sorted, [](Isa a, Isa b) { return int(a) > int(b); });
      sorted.erase(std::unique(sorted.begin(), sorted.end()), sorted.end());
      SmallVector<Attribute> names;
      for (Isa variant : sorted)
        names.push_back(StringAttr::get(module.getContext(), isaName(variant)));
      module->setAttr("q.kernel_isas",
                      ArrayAttr::get(module.getContext(), names));
    }
  }
};

} // namespace
