//===- Steps.h - One runtime call per q op: the lowering's op table -*- C++
//-*-===//
//
// Private to q-lower-to-onednn. Each q op becomes one Step: the qrt entry
// points it calls, its descriptor bytes (the very structs of qrt.h, filled
// at compile time) and its operands. The op families register their
// handlers in a StepTable (one file per family, matching runtime/onednn/),
// so adding an op touches its family's file only; LowerToOneDNN.cpp walks
// the graph, plans memory and emits the calls.
//
//===----------------------------------------------------------------------===//

#ifndef QDIALECT_CONVERSION_QTOONEDNN_STEPS_H
#define QDIALECT_CONVERSION_QTOONEDNN_STEPS_H

#include "QDialect/IR/QDialect.h"

#include "mlir/IR/BuiltinOps.h"

#include "qrt/qrt.h"

#include "llvm/ADT/DenseMap.h"

#include <cstring>
#include <functional>
#include <string>
#include <vector>

namespace mlir::q {

/// A constant argument of an init call: a weight of the model, bytes
/// made at compile time (steps, sizes), or NULL.
struct InitArg {
  Value weight;
  std::vector<uint8_t> bytes;
  bool isNull() const { return !weight && bytes.empty(); }
};

/// One runtime op: its qrt entry points, descriptor bytes and operands.
struct Step {
  Operation *op;
  std::string name;     ///< qrt_<name>_run (and _init unless initName)
  std::string initName; ///< qrt_<initName>_init when it differs
  std::vector<uint8_t> desc;
  SmallVector<InitArg> initArgs; ///< after (model, id, desc)
  SmallVector<Value> runInputs;  ///< null Value = NULL pointer
  bool inputsAsArray = false;    ///< concat: srcs passed as an array
  /// A kernel q generated (q.kernel_call): no init; the run goes through
  /// qrt_parallel_for with this llvm.func and the tile count.
  std::string kernel;
  int64_t numTiles = 0;
};

/// What the lowering knows about values while ops are described.
class StepContext {
public:
  virtual ~StepContext() = default;
  /// Whether the lowering has seen `value` (an input, weight or result).
  virtual bool isKnown(Value value) const = 0;
  /// Whether `value` is a constant the model holds (a weight).
  virtual bool isWeight(Value value) const = 0;
  /// The step of an 8-bit tensor: static from its type, or the slot of
  /// the op that computes it at run time.
  virtual qrt_qparam qparamOf(Value value) = 0;
  /// The step of a result: static from its type, or a new slot.
  virtual qrt_qparam defineQParam(Value result) = 0;
  /// Records the (dynamic) step of `value`.
  virtual void setStep(Value value, qrt_qparam step) = 0;
  virtual ModuleOp getModule() = 0;
};

/// The per-op helpers a handler fills its Step with.
struct StepBuilder {
  Operation *op;
  Step &step;
  StepContext &ctx;

  /// Fails (naming the op) unless `value` is data computed at run time.
  LogicalResult requireRuntimeValue(Value value);
  /// Appends `value` as a run-time operand.
  LogicalResult data(Value value);
  /// Appends `value` (a weight, or null for NULL) as an init argument.
  LogicalResult weight(Value value, llvm::StringRef what);
  /// `result` has the step of the 8-bit `input` (views, data movement).
  void passScale(Value input, Value result);
  bool isWeight(Value value) { return ctx.isWeight(value); }
  qrt_qparam qparamOf(Value value) { return ctx.qparamOf(value); }
  qrt_qparam defineQParam(Value result) { return ctx.defineQParam(result); }
  void setStep(Value value, qrt_qparam step) { ctx.setStep(value, step); }
  ModuleOp module() { return ctx.getModule(); }
};

using StepHandler = std::function<LogicalResult(Operation *, StepBuilder &)>;

/// Op name -> handler (torch-mlir's onOp style).
class StepTable {
public:
  template <typename... Ops> void on(StepHandler handler) {
    (handlers.try_emplace(TypeID::get<Ops>(), handler), ...);
  }
  const StepHandler *lookup(Operation *op) const {
    auto name = op->getRegisteredInfo();
    if (!name)
      return nullptr;
    auto it = handlers.find(name->getTypeID());
    return it == handlers.end() ? nullptr : &it->second;
  }

private:
  llvm::DenseMap<TypeID, StepHandler> handlers;
};

/// Every family's handlers.
StepTable buildStepTable();
void registerConvolutionSteps(StepTable &table);
void registerPoolingSteps(StepTable &table);
void registerNormalizationSteps(StepTable &table);
void registerElementwiseSteps(StepTable &table);
void registerDataMovementSteps(StepTable &table);
void registerQuantizedSteps(StepTable &table);
void registerGeneratedKernelsSteps(StepTable &table);

//===----------------------------------------------------------------------===//
// Descriptor helpers
//===----------------------------------------------------------------------===//

template <typename T> std::vector<uint8_t> arrayBytes(ArrayRef<T> values) {
  std::vector<uint8_t> bytes(values.size() * sizeof(T));
  if (!values.empty())
    std::memcpy(bytes.data(), values.data(), bytes.size());
  return bytes;
}

template <typename T> std::vector<uint8_t> bytesOf(const T &desc) {
  std::vector<uint8_t> bytes(sizeof(T));
  std::memcpy(bytes.data(), &desc, sizeof(T));
  return bytes;
}

/// The runtime dtype of a tensor element: quantized tensors by their
/// storage, except that i32 accumulators are held as f32 real values (the
/// runtime never materialises an int32 tensor of unknown scale).
int32_t qrtDtype(Type element);
int32_t qrtDtypeOf(Value value);
/// Whether a tensor holds 8-bit quantized values.
bool isQuantized8(Value value);
qrt_shape shapeOf(Value value);
qrt_eltwise eltwiseOf(std::optional<EltwiseAttr> act);
/// Per-channel (or one) weight steps from a quantized weight's type.
std::vector<float> weightStepsOf(Value weight);

} // namespace mlir::q

#endif // QDIALECT_CONVERSION_QTOONEDNN_STEPS_H
