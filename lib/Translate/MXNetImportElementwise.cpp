//===- MXNetImportElementwise.cpp - activation and arithmetic import -----===//
//
// The element-wise MXNet ops: activations (Activation, LeakyReLU, the math
// functions), softmax and its training heads, dropout, binary arithmetic
// with broadcasting, the `_*_scalar` family, and the ops that are the
// identity at inference.
//
//===----------------------------------------------------------------------===//

#include "MXNetImporter.h"

using namespace mlir;
using namespace mlir::q;

namespace mlir::q::mxnet_import {

FailureOr<EltwiseAttr> Importer::eltwiseOf(const Node &node, uint32_t id) {
  // Attributes come from `node`, which may sit inside a fused op.
  llvm::SaveAndRestore<const Node *> source(
      innerNode, &node == &graph.nodes[id] ? nullptr : &node);
  auto make = [&](EltwiseKind kind, double alpha = 0, double beta = 0) {
    return EltwiseAttr::get(context, kind, alpha, beta);
  };
  if (node.op == "Activation" || node.op == "_contrib_quantized_act") {
    auto act = choiceAttr(id, "act_type",
                          {"relu", "sigmoid", "tanh", "softrelu", "softsign"},
                          std::nullopt);
    if (failed(act))
      return failure();
    return make(*symbolizeEltwiseKind(*act));
  }
  if (node.op == "LeakyReLU") {
    auto act = choiceAttr(id, "act_type",
                          {"leaky", "elu", "selu", "gelu", "rrelu", "prelu"},
                          llvm::StringRef("leaky"));
    auto slope = floatAttr(id, "slope", 0.25);
    auto lower = floatAttr(id, "lower_bound", 0.125);
    auto upper = floatAttr(id, "upper_bound", 0.334);
    if (failed(act) || failed(slope) || failed(lower) || failed(upper))
      return failure();
    if (*act == "leaky")
      return make(EltwiseKind::leaky, *slope);
    if (*act == "elu")
      return make(EltwiseKind::elu, *slope);
    if (*act == "selu")
      return make(EltwiseKind::selu);
    if (*act == "gelu")
      return make(EltwiseKind::gelu);
    if (*act == "rrelu") // Inference uses the mean of the random slopes.
      return make(EltwiseKind::leaky, (*lower + *upper) / 2);
    return nodeError(id) << "prelu has a learned slope and is no element-wise "
                            "function",
           failure();
  }
  if (node.op == "clip") {
    auto lo = floatAttr(id, "a_min"), hi = floatAttr(id, "a_max");
    if (failed(lo) || failed(hi))
      return failure();
    if (*lo > *hi)
      return nodeError(id) << "a_min " << fmt::formatFloatRepr(*lo)
                           << " > a_max " << fmt::formatFloatRepr(*hi),
             failure();
    return make(EltwiseKind::clip, *lo, *hi);
  }
  static const llvm::StringMap<EltwiseKind> math = {
      {"sqrt", EltwiseKind::sqrt}, {"square", EltwiseKind::square},
      {"exp", EltwiseKind::exp},   {"abs", EltwiseKind::abs},
      {"relu", EltwiseKind::relu}, {"sigmoid", EltwiseKind::sigmoid},
      {"tanh", EltwiseKind::tanh}};
  auto it = math.find(node.op);
  if (it != math.end())
    return make(it->second);
  return nodeError(id) << "is not an element-wise function", failure();
}
static LogicalResult importActivation(Importer &im, uint32_t id) {
  if (failed(im.needInputs(id, 1, 1)))
    return failure();
  auto data = im.input(id, 0);
  auto act = im.eltwiseOf(im.graph.nodes[id], id);
  if (failed(data) || failed(act))
    return failure();
  auto op = im.createInferred<ActivationOp>(id, *data, *act);
  if (failed(op))
    return failure();
  im.define(id, *op);
  return success();
}

static LogicalResult importLeakyReLU(Importer &im, uint32_t id) {
  auto act = im.choiceAttr(id, "act_type",
                           {"leaky", "elu", "selu", "gelu", "rrelu", "prelu"},
                           llvm::StringRef("leaky"));
  if (failed(act))
    return failure();
  if (*act != "prelu")
    return importActivation(im, id);
  if (failed(im.needInputs(id, 2, 2)))
    return failure();
  auto data = im.input(id, 0);
  if (failed(data))
    return failure();
  auto dataShape = shapeOf(*data);
  auto slope = im.param(id, 1, {dataShape.size() > 1 ? dataShape[1] : 1});
  if (failed(slope))
    return failure();
  auto op = im.createInferred<PReluOp>(id, *data, *slope);
  if (failed(op))
    return failure();
  im.define(id, *op);
  return success();
}

static LogicalResult importSoftmax(Importer &im, uint32_t id,
                                   llvm::StringRef flavour) {
  const Node &node = im.graph.nodes[id];
  int64_t axis = -1;
  std::optional<double> temperature;
  bool flattenFirst = false;
  if (flavour == "softmax" || flavour == "log_softmax") {
    auto a = im.intAttr(id, "axis", -1);
    if (failed(a))
      return failure();
    axis = *a;
    if (auto t = node.getAttr("temperature"); t && t->trim() != "None") {
      auto value = im.floatAttr(id, "temperature");
      if (failed(value))
        return failure();
      temperature = *value;
    }
  } else if (flavour == "SoftmaxActivation") {
    auto mode = im.choiceAttr(id, "mode", {"instance", "channel"},
                              llvm::StringRef("instance"));
    if (failed(mode))
      return failure();
    axis = *mode == "channel" ? 1 : -1;
    flattenFirst = *mode == "instance";
  } else { // SoftmaxOutput: the label input is for training only.
    auto multi = im.boolAttr(id, "multi_output", false);
    auto preserve = im.boolAttr(id, "preserve_shape", false);
    if (failed(multi) || failed(preserve))
      return failure();
    axis = *multi ? 1 : -1;
    flattenFirst = !*multi && !*preserve;
  }
  auto data = im.input(id, 0);
  if (failed(data))
    return failure();
  Value x = *data;
  SmallVector<int64_t> original(shapeOf(x));
  // MXNet applies instance softmax to the data viewed as [N, rest].
  flattenFirst &= original.size() > 2;
  if (flattenFirst) {
    auto flat = im.createInferred<FlattenOp>(id, x);
    if (failed(flat))
      return failure();
    x = *flat;
  }
  auto op = im.createInferred<SoftmaxOp>(
      id, x, im.builder.getI64IntegerAttr(axis),
      temperature ? im.builder.getF64FloatAttr(*temperature) : FloatAttr(),
      im.builder.getBoolAttr(flavour == "log_softmax"));
  if (failed(op))
    return failure();
  Value result = *op;
  if (flattenFirst) {
    auto back = im.createInferred<ReshapeOp>(
        id, result, im.builder.getDenseI64ArrayAttr(original),
        im.builder.getBoolAttr(false));
    if (failed(back))
      return failure();
    result = *back;
  }
  im.define(id, result);
  return success();
}
template <typename OpT>
static LogicalResult importBinary(Importer &im, uint32_t id) {
  if (failed(im.needInputs(id, 2, 2)))
    return failure();
  auto lhs = im.input(id, 0), rhs = im.input(id, 1);
  if (failed(lhs) || failed(rhs))
    return failure();
  auto op = im.createInferred<OpT>(id, *lhs, *rhs);
  if (failed(op))
    return failure();
  im.define(id, *op);
  return success();
}

static LogicalResult importAddN(Importer &im, uint32_t id) {
  if (im.numInputs(id) < 1)
    return im.nodeError(id) << "needs at least one input";
  auto sum = im.input(id, 0);
  if (failed(sum))
    return failure();
  Value acc = *sum;
  for (unsigned i = 1; i < im.numInputs(id); ++i) {
    auto next = im.input(id, i);
    if (failed(next))
      return failure();
    auto add = im.createInferred<AddOp>(id, acc, *next);
    if (failed(add))
      return failure();
    acc = *add;
  }
  im.define(id, acc);
  return success();
}

static LogicalResult importScalar(Importer &im, uint32_t id, ScalarKind kind) {
  auto scalar = im.floatAttr(id, "scalar", 1.0);
  if (failed(scalar) || failed(im.needInputs(id, 1, 1)))
    return failure();
  auto data = im.input(id, 0);
  if (failed(data))
    return failure();
  auto op = im.createInferred<ScalarOp>(id, *data,
                                        ScalarKindAttr::get(im.context, kind),
                                        im.builder.getF64FloatAttr(*scalar));
  if (failed(op))
    return failure();
  im.define(id, *op);
  return success();
}

/// Ops that are the identity at inference.
static LogicalResult importIdentity(Importer &im, uint32_t id) {
  if (failed(im.needInputs(id, 1, 1)))
    return failure();
  auto data = im.input(id, 0);
  if (failed(data))
    return failure();
  im.define(id, *data);
  return success();
}

/// `x * -1`, exact: the intermediate op `<node>/<step>`.
static FailureOr<Value> negated(Importer &im, uint32_t id, Value x,
                                llvm::StringRef step) {
  return im.createStep<ScalarOp>(
      id, step, x, ScalarKindAttr::get(im.context, ScalarKind::mul),
      im.builder.getF64FloatAttr(-1.0));
}

/// _Maximum / _Minimum and their broadcast forms, exactly, from existing
/// ops: each operand broadcast to the result shape (adding a zero
/// constant, exact) and viewed as [1, P, 1, 1], both concatenated to
/// [1, P, 2, 1] and max-pooled globally; minimum = -max(-a, -b).
static LogicalResult importMinMax(Importer &im, uint32_t id, bool isMax) {
  if (failed(im.needInputs(id, 2, 2)))
    return failure();
  auto lhs = im.input(id, 0), rhs = im.input(id, 1);
  if (failed(lhs) || failed(rhs))
    return failure();
  auto shape = shape::broadcast(shapeOf(*lhs), shapeOf(*rhs));
  if (!shape)
    return im.nodeError(id) << llvm::toString(shape.takeError());
  int64_t numel = 1;
  for (int64_t d : *shape)
    numel *= d;
  SmallVector<int64_t> column{1, numel, 1, 1};
  SmallVector<Value> parts;
  for (auto [i, v] : llvm::enumerate(SmallVector<Value>{*lhs, *rhs})) {
    std::string index = std::to_string(i);
    if (shapeOf(v) == llvm::ArrayRef<int64_t>(*shape)) {
      auto d = im.asData(id, v, "data" + index);
      if (failed(d))
        return failure();
      v = *d;
    } else {
      auto b = im.createStep<AddOp>(
          id, "broadcast" + index, v,
          im.splatConstant(id, *shape, 0.0f, "/zeros" + index));
      if (failed(b))
        return failure();
      v = *b;
    }
    if (!isMax) {
      auto n = negated(im, id, v, "negate" + index);
      if (failed(n))
        return failure();
      v = *n;
    }
    auto r = im.createStep<ReshapeOp>(id, "view" + index, v,
                                      im.builder.getDenseI64ArrayAttr(column),
                                      im.builder.getBoolAttr(false));
    if (failed(r))
      return failure();
    parts.push_back(*r);
  }
  auto both = im.createStep<ConcatOp>(id, "concat", parts,
                                      im.builder.getI64IntegerAttr(2));
  if (failed(both))
    return failure();
  auto pooled = im.createStep<PoolingOp>(
      id, "pool", *both, PoolKindAttr::get(im.context, PoolKind::max),
      DenseI64ArrayAttr(), DenseI64ArrayAttr(), DenseI64ArrayAttr(),
      im.builder.getBoolAttr(true), PoolConventionAttr(), BoolAttr());
  if (failed(pooled))
    return failure();
  Value result = *pooled;
  if (!isMax) {
    auto n = negated(im, id, result, "min");
    if (failed(n))
      return failure();
    result = *n;
  }
  auto out = im.createInferred<ReshapeOp>(
      id, result, im.builder.getDenseI64ArrayAttr(*shape),
      im.builder.getBoolAttr(false));
  if (failed(out))
    return failure();
  im.define(id, *out);
  return success();
}

/// MXNet's regression heads at inference: the data itself, or for
/// LogisticRegressionOutput its sigmoid; the label input is dropped.
static LogicalResult importRegressionOutput(Importer &im, uint32_t id) {
  auto data = im.input(id, 0);
  if (failed(data))
    return failure();
  if (im.graph.nodes[id].op != "LogisticRegressionOutput") {
    im.define(id, *data);
    return success();
  }
  auto op = im.createInferred<ActivationOp>(
      id, *data, EltwiseAttr::get(im.context, EltwiseKind::sigmoid));
  if (failed(op))
    return failure();
  im.define(id, *op);
  return success();
}

/// Cast / amp_cast: q computes in float32, so a cast to float32 is the
/// identity. amp_cast (inserted by MXNet's mixed precision) to float16 or
/// bfloat16 is computed in float32 too; other casts are refused.
static LogicalResult importCast(Importer &im, uint32_t id) {
  bool amp = im.graph.nodes[id].op == "amp_cast";
  auto dtype =
      amp ? im.choiceAttr(id, "dtype", {"float32", "float16", "bfloat16"},
                          std::nullopt)
          : im.choiceAttr(id, "dtype", {"float32"}, std::nullopt);
  if (failed(dtype))
    return failure();
  return importIdentity(im, id);
}

/// amp_multicast: num_outputs inputs, each passed through (see importCast).
static LogicalResult importMulticast(Importer &im, uint32_t id) {
  auto n = im.intAttr(id, "num_outputs");
  if (failed(n) || failed(im.needInputs(id, *n, *n)))
    return failure();
  for (unsigned i = 0; i < *n; ++i) {
    auto v = im.input(id, i);
    if (failed(v))
      return failure();
    im.defineOutput(id, i, *v);
  }
  return success();
}

/// reciprocal = 1 / x, rsqrt = 1 / sqrt(x), as MXNet computes them.
static LogicalResult importReciprocal(Importer &im, uint32_t id) {
  if (failed(im.needInputs(id, 1, 1)))
    return failure();
  auto data = im.input(id, 0);
  if (failed(data))
    return failure();
  Value x = *data;
  if (im.graph.nodes[id].op == "rsqrt") {
    auto root = im.createStep<ActivationOp>(
        id, "sqrt", x, EltwiseAttr::get(im.context, EltwiseKind::sqrt));
    if (failed(root))
      return failure();
    x = *root;
  }
  auto op = im.createInferred<ScalarOp>(
      id, x, ScalarKindAttr::get(im.context, ScalarKind::rdiv),
      im.builder.getF64FloatAttr(1.0));
  if (failed(op))
    return failure();
  im.define(id, *op);
  return success();
}

/// hard_sigmoid: clip(alpha * x + beta, 0, 1) (alpha 0.2, beta 0.5), in
/// MXNet's order of operations.
static LogicalResult importHardSigmoid(Importer &im, uint32_t id) {
  auto alpha = im.floatAttr(id, "alpha", 0.2);
  auto beta = im.floatAttr(id, "beta", 0.5);
  if (failed(alpha) || failed(beta) || failed(im.needInputs(id, 1, 1)))
    return failure();
  auto data = im.input(id, 0);
  if (failed(data))
    return failure();
  auto scaled = im.createStep<ScalarOp>(
      id, "scale", *data, ScalarKindAttr::get(im.context, ScalarKind::mul),
      im.builder.getF64FloatAttr(*alpha));
  if (failed(scaled))
    return failure();
  auto shifted = im.createStep<ScalarOp>(
      id, "shift", *scaled, ScalarKindAttr::get(im.context, ScalarKind::add),
      im.builder.getF64FloatAttr(*beta));
  if (failed(shifted))
    return failure();
  auto op = im.createInferred<ActivationOp>(
      id, *shifted, EltwiseAttr::get(im.context, EltwiseKind::clip, 0.0, 1.0));
  if (failed(op))
    return failure();
  im.define(id, *op);
  return success();
}

/// softsign as an op of its own: q.activation <softsign>.
static LogicalResult importSoftsign(Importer &im, uint32_t id) {
  if (failed(im.needInputs(id, 1, 1)))
    return failure();
  auto data = im.input(id, 0);
  if (failed(data))
    return failure();
  auto op = im.createInferred<ActivationOp>(
      id, *data, EltwiseAttr::get(im.context, EltwiseKind::softsign));
  if (failed(op))
    return failure();
  im.define(id, *op);
  return success();
}

/// negative: -x = x * -1 (exact).
static LogicalResult importNegative(Importer &im, uint32_t id) {
  if (failed(im.needInputs(id, 1, 1)))
    return failure();
  auto data = im.input(id, 0);
  if (failed(data))
    return failure();
  auto op = im.createInferred<ScalarOp>(
      id, *data, ScalarKindAttr::get(im.context, ScalarKind::mul),
      im.builder.getF64FloatAttr(-1.0));
  if (failed(op))
    return failure();
  im.define(id, *op);
  return success();
}

void registerElementwiseOps(OpTable &table) {
  table.on({"Activation"}, importActivation)
      .becomes("q.activation (relu, sigmoid, tanh, softrelu, softsign)")
      .int8("int8 (relu); others fp32");
  for (llvm::StringRef name :
       {"clip", "sqrt", "square", "exp", "abs", "relu", "sigmoid", "tanh"})
    table.on({name}, importActivation)
        .becomes("q.activation <" + name.str() + ">")
        .int8(name == "relu" ? "int8" : "fp32");
  table.on({"LeakyReLU"}, importLeakyReLU, paramSlots)
      .becomes("q.activation (leaky, elu, selu, gelu, rrelu) or q.prelu");
  for (llvm::StringRef flavour :
       {"softmax", "log_softmax", "SoftmaxActivation"})
    table
        .on({flavour},
            [flavour](Importer &im, uint32_t id) {
              return importSoftmax(im, id, flavour);
            })
        .becomes(flavour == "log_softmax" ? "q.softmax {log}"
                 : flavour == "softmax"
                     ? "q.softmax"
                     : "q.softmax (mode instance: flattened first)");
  table
      .on(
          {"SoftmaxOutput", "Softmax"},
          [](Importer &im, uint32_t id) {
            return importSoftmax(im, id, "SoftmaxOutput");
          },
          labelSlots)
      .becomes("q.softmax; the label input is dropped");
  table
      .on({"Dropout"},
          [](Importer &im, uint32_t id) -> LogicalResult {
            auto p = im.floatAttr(id, "p", 0.5);
            if (failed(p) || failed(im.needInputs(id, 1, 1)))
              return failure();
            auto data = im.input(id, 0);
            if (failed(data))
              return failure();
            auto op = im.createInferred<DropoutOp>(
                id, *data, im.builder.getF64FloatAttr(*p));
            if (failed(op))
              return failure();
            im.define(id, *op);
            return success();
          })
      .becomes("q.dropout (the identity at inference)")
      .int8("removed");
  table.on({"_copy", "identity", "BlockGrad", "stop_gradient"}, importIdentity)
      .becomes("nothing (the identity)")
      .int8("removed");
  table
      .on({"elemwise_add", "_Plus", "_plus", "_add", "broadcast_add",
           "broadcast_plus"},
          importBinary<AddOp>)
      .becomes("q.add (numpy broadcasting)")
      .int8("int8 (same shapes)");
  table
      .on({"elemwise_sub", "_Minus", "_minus", "_sub", "broadcast_sub",
           "broadcast_minus"},
          importBinary<SubOp>)
      .becomes("q.sub");
  table
      .on({"elemwise_mul", "_Mul", "_mul", "broadcast_mul"},
          importBinary<MulOp>)
      .becomes("q.mul");
  table
      .on({"elemwise_div", "_Div", "_div", "broadcast_div"},
          importBinary<DivOp>)
      .becomes("q.div");
  table
      .on({"_Maximum", "_maximum", "maximum", "broadcast_maximum"},
          [](Importer &im, uint32_t id) { return importMinMax(im, id, true); })
      .becomes("q.reshape x2 + q.concat + global max q.pooling (exact; "
               "broadcast operands + zeros)");
  table
      .on({"_Minimum", "_minimum", "minimum", "broadcast_minimum"},
          [](Importer &im, uint32_t id) { return importMinMax(im, id, false); })
      .becomes("as _Maximum on negated operands, negated");
  table.on({"ElementWiseSum", "add_n"}, importAddN).becomes("a chain of q.add");
  table.on({"MakeLoss", "make_loss"}, importIdentity)
      .becomes("nothing (forward output is the data)")
      .int8("removed");
  for (llvm::StringRef name : {"LinearRegressionOutput", "MAERegressionOutput"})
    table.on({name}, importRegressionOutput, labelSlots)
        .becomes("the data; the label input is dropped")
        .int8("removed");
  table.on({"LogisticRegressionOutput"}, importRegressionOutput, labelSlots)
      .becomes("q.activation <sigmoid>; the label input is dropped");
  table.on({"Cast", "cast"}, importCast)
      .becomes("nothing (float32 only)")
      .int8("removed");
  table.on({"amp_cast"}, importCast)
      .becomes("nothing (float16/bfloat16 are computed in float32)")
      .int8("removed");
  table.on({"amp_multicast"}, importMulticast)
      .becomes("nothing (each input passed through)")
      .int8("removed");
  table.on({"reciprocal"}, importReciprocal).becomes("q.scalar rdiv 1");
  table.on({"hard_sigmoid"}, importHardSigmoid)
      .becomes("q.scalar mul alpha + q.scalar add beta + q.activation <clip, "
               "0, 1>");
  table.on({"softsign"}, importSoftsign).becomes("q.activation <softsign>");
  table.on({"negative"}, importNegative).becomes("q.scalar mul -1");
  table.on({"rsqrt"}, importReciprocal)
      .becomes("q.activation <sqrt> + q.scalar rdiv 1");
  auto scalar = [&](std::initializer_list<llvm::StringRef> names,
                    ScalarKind kind) {
    table
        .on(names, [kind](Importer &im,
                          uint32_t id) { return importScalar(im, id, kind); })
        .becomes("q.scalar " + stringifyScalarKind(kind).str());
  };
  scalar({"_plus_scalar", "_PlusScalar"}, ScalarKind::add);
  scalar({"_minus_scalar", "_MinusScalar"}, ScalarKind::sub);
  scalar({"_rminus_scalar", "_RMinusScalar"}, ScalarKind::rsub);
  scalar({"_mul_scalar", "_MulScalar"}, ScalarKind::mul);
  scalar({"_div_scalar", "_DivScalar"}, ScalarKind::div);
  scalar({"_rdiv_scalar", "_RDivScalar"}, ScalarKind::rdiv);
  scalar({"_power_scalar", "_PowerScalar"}, ScalarKind::pow);
  scalar({"_rpower_scalar", "_RPowerScalar"}, ScalarKind::rpow);
  scalar({"_maximum_scalar", "_MaximumScalar"}, ScalarKind::max);
  scalar({"_minimum_scalar", "_MinimumScalar"}, ScalarKind::min);
}

} // namespace mlir::q::mxnet_import
