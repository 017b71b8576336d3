//===- DotExport.cpp - q modules as Graphviz pictures ---------------------===//
//
// `q-translate --export-dot` draws the function @main: one box per op, with
// its MXNet name, its fused post-ops and, for quantized results, the storage
// type and calibrated range, so a residual block can be looked at before
// and after fusion and quantization. Constants (weights) are left out.
//
//===----------------------------------------------------------------------===//

#include "QDialect/IR/QDialect.h"
#include "QDialect/Translate/MXNet.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Quant/IR/Quant.h"
#include "mlir/Tools/mlir-translate/Translation.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;
using namespace mlir::q;

namespace {

/// A DOT string body: quotes and backslashes escaped, newlines as \n.
std::string escape(llvm::StringRef text) {
  std::string out;
  for (char c : text) {
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    if (c == '"' || c == '\\')
      out += '\\';
    out += c;
  }
  return out;
}

std::string nameOf(Location loc) {
  if (auto name = llvm::dyn_cast<NameLoc>(loc))
    return name.getName().str();
  if (auto fused = llvm::dyn_cast<FusedLoc>(loc)) {
    std::string joined;
    for (Location inner : fused.getLocations()) {
      std::string part = nameOf(inner);
      if (!part.empty())
        joined += (joined.empty() ? "" : "+") + part;
    }
    return joined;
  }
  return "";
}

/// "1x64x56x56 f32", "... u8 [0, 3.56]" for a static scale, "... s8 (dynamic)".
std::string describe(Type type) {
  auto shaped = llvm::cast<ShapedType>(type);
  std::string text;
  llvm::raw_string_ostream os(text);
  llvm::interleave(shaped.getShape(), os, "x");
  Type element = shaped.getElementType();
  if (auto quantized = llvm::dyn_cast<quant::QuantizedType>(element)) {
    os << " " << (quantized.isSigned() ? "s" : "u")
       << quantized.getStorageTypeIntegralWidth();
    if (auto uniform = llvm::dyn_cast<quant::UniformQuantizedType>(element)) {
      double range =
          uniform.getScale() * (uniform.isSigned() ? kInt8Range : kUint8Range);
      if (uniform.isSigned())
        os << llvm::format(" [-%g, %g]", range, range);
      else
        os << llvm::format(" [0, %g]", range);
    } else if (llvm::isa<quant::AnyQuantizedType>(element)) {
      os << " (range at run time)";
    }
  } else {
    os << " " << element;
  }
  return text;
}

std::string eltwise(EltwiseAttr act) {
  std::string text = stringifyEltwiseKind(act.getKind()).str();
  if (act.getKind() == EltwiseKind::clip)
    text += llvm::formatv("({0}, {1})", llvm::format("%g", act.getAlphaValue()),
                          llvm::format("%g", act.getBetaValue()))
                .str();
  return text;
}

/// The op's post-op chain and window, in MXNet's words.
std::string details(Operation *op) {
  std::string text;
  auto add = [&](const std::string &part) {
    text += (text.empty() ? "" : "\n") + part;
  };
  auto window = [&](ArrayRef<int64_t> kernel, ArrayRef<int64_t> strides) {
    std::string part = "kernel ";
    llvm::raw_string_ostream os(part);
    llvm::interleave(kernel, os, "x");
    if (!strides.empty() && llvm::any_of(strides, [](int64_t s) {
          return s != 1;
        })) {
      os << " stride ";
      llvm::interleave(strides, os, "x");
    }
    add(part);
  };
  if (auto conv = llvm::dyn_cast<FusedConvOp>(op)) {
    window(conv.getWeight().getType().getShape().drop_front(2),
           conv.getStrides());
    if (conv.getGroups() != 1)
      add("groups " + std::to_string(conv.getGroups()));
    std::string chain;
    if (conv.getBias())
      chain += "+bias ";
    if (!conv.getBn().empty())
      chain += "+bn ";
    if (auto act = conv.getAct())
      chain += "+" + eltwise(*act) + " ";
    if (conv.getSum())
      chain += "+sum ";
    if (auto act = conv.getPostsumAct())
      chain += "+" + eltwise(*act);
    if (!chain.empty())
      add(chain);
  } else if (auto conv = llvm::dyn_cast<ConvolutionOp>(op)) {
    window(conv.getWeight().getType().getShape().drop_front(2),
           conv.getStrides());
  } else if (auto fc = llvm::dyn_cast<FusedFullyConnectedOp>(op)) {
    if (auto act = fc.getAct())
      add("+" + eltwise(*act));
  } else if (auto act = llvm::dyn_cast<ActivationOp>(op)) {
    add(eltwise(act.getAct()));
  } else if (auto pool = llvm::dyn_cast<PoolingOp>(op)) {
    add(stringifyPoolKind(pool.getKind()).str() +
        (pool.getGlobalPool() ? " global" : ""));
    if (!pool.getGlobalPool())
      window(pool.getKernel(), pool.getStrides());
  }
  if (auto lo = op->getAttrOfType<FloatAttr>("min_calib_range"))
    if (auto hi = op->getAttrOfType<FloatAttr>("max_calib_range"))
      add(llvm::formatv("calib [{0}, {1}]",
                        llvm::format("%g", lo.getValueAsDouble()),
                        llvm::format("%g", hi.getValueAsDouble()))
              .str());
  return text;
}

const char *colorOf(Operation *op) {
  if (llvm::isa<QuantizeOp, DequantizeOp, RequantizeOp>(op))
    return "#fff2b3";
  bool quantized = llvm::any_of(op->getResultTypes(), [](Type t) {
    return llvm::isa<quant::QuantizedType>(
        llvm::cast<ShapedType>(t).getElementType());
  });
  if (llvm::isa<FusedConvOp, FusedFullyConnectedOp>(op))
    return quantized ? "#ffc58f" : "#c9e2ff";
  return quantized ? "#ffe0c2" : "#ffffff";
}

LogicalResult exportDot(Operation *op, llvm::raw_ostream &os) {
  auto module = llvm::dyn_cast<ModuleOp>(op);
  func::FuncOp fn = module ? module.lookupSymbol<func::FuncOp>("main") : nullptr;
  if (!fn && module) {
    auto funcs = module.getOps<func::FuncOp>();
    if (!funcs.empty())
      fn = *funcs.begin();
  }
  if (!fn)
    return op->emitError("--export-dot needs a module with a function");
  llvm::DenseMap<Value, std::string> ids;
  os << "digraph \"" << escape(fn.getName()) << "\" {\n"
     << "  rankdir=TB;\n"
     << "  node [shape=box, style=\"rounded,filled\", fillcolor=\"#ffffff\", "
        "fontname=\"Helvetica\", fontsize=10];\n"
     << "  edge [fontname=\"Helvetica\", fontsize=9];\n";
  for (BlockArgument arg : fn.getArguments()) {
    if (fn.getArgAttr(arg.getArgNumber(), "q.param"))
      continue;
    std::string id = "a" + std::to_string(arg.getArgNumber());
    ids[arg] = id;
    auto name = fn.getArgAttrOfType<StringAttr>(arg.getArgNumber(), "q.name");
    os << "  " << id << " [shape=ellipse, label=\""
       << escape((name ? name.getValue().str() : std::string("input")) +
                 "\n" + describe(arg.getType()))
       << "\"];\n";
  }
  unsigned counter = 0;
  for (Operation &inner : fn.getBody().front()) {
    if (llvm::isa<arith::ConstantOp, quant::StorageCastOp>(inner))
      continue;
    std::string id = "n" + std::to_string(counter++);
    if (auto ret = llvm::dyn_cast<func::ReturnOp>(inner)) {
      for (auto [i, v] : llvm::enumerate(ret.getOperands())) {
        std::string out = id + "_" + std::to_string(i);
        os << "  " << out << " [shape=ellipse, label=\""
           << escape("output " + std::to_string(i) + "\n" +
                     describe(v.getType()))
           << "\"];\n";
        if (ids.count(v))
          os << "  " << ids[v] << " -> " << out << ";\n";
      }
      continue;
    }
    std::string name = nameOf(inner.getLoc());
    std::string label = (name.empty() ? "" : name + "\n") +
                        inner.getName().getStringRef().str();
    std::string more = details(&inner);
    if (!more.empty())
      label += "\n" + more;
    if (inner.getNumResults())
      label += "\n-> " + describe(inner.getResult(0).getType());
    os << "  " << id << " [label=\"" << escape(label) << "\", fillcolor=\""
       << colorOf(&inner) << "\"];\n";
    // The residual input of a fused conv is drawn dashed.
    int64_t sumIndex = -1;
    if (auto conv = llvm::dyn_cast<FusedConvOp>(inner))
      if (conv.getSum())
        sumIndex = conv.getODSOperandIndexAndLength(4).first;
    for (auto [i, operand] : llvm::enumerate(inner.getOperands()))
      if (ids.count(operand))
        os << "  " << ids[operand] << " -> " << id
           << (int64_t(i) == sumIndex ? " [style=dashed, label=\"sum\"]" : "")
           << ";\n";
    for (Value result : inner.getResults())
      ids[result] = id;
  }
  os << "}\n";
  return success();
}

} // namespace

void mlir::q::registerDotExport() {
  static TranslateFromMLIRRegistration registration(
      "export-dot",
      "draw a q module as a Graphviz graph (fused post-ops, quantized types "
      "and calibration ranges on the boxes)",
      exportDot, [](DialectRegistry &registry) {
        registry.insert<QDialect, func::FuncDialect, arith::ArithDialect,
                        quant::QuantDialect>();
      });
}
