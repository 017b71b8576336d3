//===- LowerToOneDNN.cpp - q ops to libqrt calls --------------------------===//
//
// Lowers the function `@main` of a q module to the symbols a compiled model
// exports (see Passes.td): descriptors are filled at compile time with the
// very structs of include/qrt/qrt.h and embedded as byte constants; tensors
// get offsets in one arena from a liveness-based plan.
//
//===----------------------------------------------------------------------===//

#include "Layouts.h"
#include "Steps.h"

#include "QDialect/Conversion/MemoryPlan.h"
#include "QDialect/Conversion/Passes.h"
#include "QDialect/IR/Constants.h"
#include "QDialect/IR/Layouts.h"
#include "QDialect/IR/QDialect.h"
#include "QDialect/IR/ShapeInference.h"
#include "QDialect/IR/TensorNames.h"
#include "QDialect/Support/Version.h"

#include "qrt/qrt.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/IR/Builders.h"
#include "llvm/ADT/SetVector.h"
#include "llvm/ADT/TypeSwitch.h"
#include "llvm/Support/JSON.h"

#include <cstring>

namespace mlir::q {
#define GEN_PASS_DEF_QLOWERTOONEDNN
#include "QDialect/Conversion/Passes.h.inc"
} // namespace mlir::q

using namespace mlir;
using namespace mlir::q;

namespace {

/// Where a tensor lives while the model runs.
struct Storage {
  enum Kind { Input, Weight, Arena } kind;
  int64_t index; ///< input number, weight number, or buffer request
};

int64_t byteSize(Type type) {
  auto shaped = llvm::cast<ShapedType>(type);
  Type element = shaped.getElementType();
  int64_t width = 4;
  if (auto q = llvm::dyn_cast<quant::QuantizedType>(element))
    width = q.getStorageTypeIntegralWidth() / 8;
  else if (element.isIntOrFloat())
    width = std::max<int64_t>(1, element.getIntOrFloatBitWidth() / 8);
  return shaped.getNumElements() * width;
}

/// Manifest spelling of an element type, or empty if q cannot run it yet.
std::string dtypeName(Type element) {
  if (element.isF32())
    return "f32";
  if (element.isInteger(8))
    return element.isUnsignedInteger() ? "u8" : "s8";
  if (element.isInteger(32))
    return "s32";
  return "";
}

class Lowering : public StepContext {
public:
  Lowering(ModuleOp module, const QLowerToOneDNNOptions &options)
      : module(module), options(options), builder(module.getContext()) {}

  LogicalResult run();

private:
  LogicalResult analyze();
  LogicalResult prepareInt8();
  // StepContext
  bool isKnown(Value value) const override { return storage.count(value); }
  bool isWeight(Value value) const override {
    auto it = storage.find(value);
    return it != storage.end() && it->second.kind == Storage::Weight;
  }
  qrt_qparam qparamOf(Value value) override;
  qrt_qparam defineQParam(Value result) override;
  void setStep(Value value, qrt_qparam step) override {
    dynamicSteps[value] = step;
  }
  ModuleOp getModule() override { return module; }
  void emit(const MemoryPlan &plan);
  std::string manifest(const MemoryPlan &plan);
  llvm::json::Object buildInfo();

  LLVM::LLVMFuncOp declare(llvm::StringRef name, Type result,
                           ArrayRef<Type> args);
  Value pointerTo(llvm::StringRef global);
  LLVM::GlobalOp byteGlobal(llvm::StringRef name, llvm::ArrayRef<uint8_t> data,
                            bool external);
  Value checkedCall(LLVM::LLVMFuncOp callee, ValueRange args, Block *fail);

  ModuleOp module;
  const QLowerToOneDNNOptions &options;
  StepTable table = buildStepTable();
  OpBuilder builder;
  func::FuncOp fn;

  llvm::DenseMap<Value, Storage> storage;
  std::vector<BufferRequest> requests;
  SmallVector<Value> weights;
  std::vector<Step> steps;
  unsigned globalCounter = 0;
  /// Steps of dynamically scaled tensors: slots of the qrt_exec.
  llvm::DenseMap<Value, qrt_qparam> dynamicSteps;
  int32_t numSlots = 0;
};

} // namespace

//===----------------------------------------------------------------------===//
// Analysis: storage of every value, runtime steps, buffer lifetimes
//===----------------------------------------------------------------------===//

/// The step of an 8-bit tensor: static from its type, or the slot of the
/// op that computes it at run time.
qrt_qparam Lowering::qparamOf(Value value) {
  Type element = llvm::cast<ShapedType>(value.getType()).getElementType();
  if (auto step = staticStep(element))
    return {float(*step), 0};
  auto it = dynamicSteps.find(value);
  if (it != dynamicSteps.end())
    return it->second;
  // Raw 8-bit data: its integers are its values.
  return {1.0f, 0};
}

/// The step of a result: static from its type, or a new slot.
qrt_qparam Lowering::defineQParam(Value result) {
  Type element = llvm::cast<ShapedType>(result.getType()).getElementType();
  if (auto step = staticStep(element))
    return {float(*step), 0};
  qrt_qparam slot{0.0f, numSlots++};
  dynamicSteps[result] = slot;
  return slot;
}

/// Rewrites what the runtime's contract wants differently from the IR:
/// int32 biases become f32 real values (the runtime re-derives the same
/// integers, exactly while |bias| < 2^22 accumulator units), and an 8-bit
/// sum into a conv that writes f32 is dequantized first.
LogicalResult Lowering::prepareInt8() {
  OpBuilder b(module.getContext());
  auto realBias = [&](Operation *op, OpOperand &bias) -> LogicalResult {
    auto cast = bias.get().getDefiningOp<quant::StorageCastOp>();
    if (!cast)
      return success();
    auto values = readConstant<int32_t>(bias.get());
    auto perAxis = llvm::dyn_cast<quant::UniformQuantizedPerAxisType>(
        llvm::cast<ShapedType>(bias.get().getType()).getElementType());
    if (!values || !perAxis)
      return op->emitOpError("has a quantized bias that is not a per-channel "
                             "int32 constant");
    std::vector<float> real(values->size());
    for (size_t c = 0; c < real.size(); ++c)
      real[c] = float(double((*values)[c]) * perAxis.getScales()[c]);
    b.setInsertionPoint(op);
    std::string name = nodeName(cast.getInput().getLoc()).value_or("bias");
    bias.set(
        makeConstant<float>(b,
                            llvm::cast<RankedTensorType>(bias.get().getType())
                                .clone(b.getF32Type()),
                            real, name + "_real"));
    return success();
  };
  llvm::SetVector<Operation *> replaced;
  auto realBiasOf = [&](Operation *op, OpOperand &bias) {
    Operation *old = bias.get().getDefiningOp();
    if (failed(realBias(op, bias)))
      return failure();
    if (old)
      replaced.insert(old);
    return success();
  };
  WalkResult result = fn.walk([&](Operation *op) {
    if (auto conv = llvm::dyn_cast<FusedConvOp>(op)) {
      if (conv.getBias() && failed(realBiasOf(op, conv.getBiasMutable()[0])))
        return WalkResult::interrupt();
      Value sum = conv.getSum();
      if (sum && isQuantized8(sum) && qrtDtypeOf(conv.getResult()) == QRT_F32) {
        b.setInsertionPoint(op);
        auto dequantize = DequantizeOp::create(b, conv.getLoc(), sum);
        // Element-wise: the f32 copy keeps the sum's planned layout.
        setLayout(dequantize, getLayout(sum));
        conv.getSumMutable().assign(dequantize.getResult());
      }
    } else if (auto fc = llvm::dyn_cast<FusedFullyConnectedOp>(op)) {
      if (fc.getBias() && failed(realBiasOf(op, fc.getBiasMutable()[0])))
        return WalkResult::interrupt();
    }
    return WalkResult::advance();
  });
  // The int32 biases nobody reads any more.
  for (Operation *op : replaced)
    while (op && op->use_empty()) {
      Operation *input =
          op->getNumOperands() ? op->getOperand(0).getDefiningOp() : nullptr;
      op->erase();
      op = input;
    }
  return failure(result.wasInterrupted());
}

LogicalResult Lowering::analyze() {
  for (BlockArgument arg : fn.getArguments()) {
    if (fn.getArgAttr(arg.getArgNumber(), "q.param"))
      return fn.emitError("parameter '")
             << fn.getArgAttrOfType<StringAttr>(arg.getArgNumber(), "q.name")
                    .getValue()
             << "' is a function argument; import the model with its "
                ".params file so that weights are constants";
    if (dtypeName(llvm::cast<ShapedType>(arg.getType()).getElementType())
            .empty())
      return fn.emitError("input ")
             << arg.getArgNumber() << " has type " << arg.getType()
             << ", which the runtime cannot take";
    storage[arg] = {Storage::Input, arg.getArgNumber()};
  }
  for (auto [i, type] : llvm::enumerate(fn.getResultTypes()))
    if (dtypeName(llvm::cast<ShapedType>(type).getElementType()).empty())
      return fn.emitError("result ")
             << i << " has type " << type
             << "; a compiled model returns plain tensors, so dequantize "
                "it first (q-quantize does)";
  int64_t time = 0;
  auto use = [&](Value v) {
    auto it = storage.find(v);
    if (it != storage.end() && it->second.kind == Storage::Arena)
      requests[it->second.index].last =
          std::max(requests[it->second.index].last, time);
  };
  for (Operation &op : fn.getBody().front()) {
    ++time;
    if (auto constant = llvm::dyn_cast<arith::ConstantOp>(op)) {
      if (!llvm::isa<ElementsAttr>(constant.getValue()) ||
          dtypeName(llvm::cast<ShapedType>(constant.getType()).getElementType())
              .empty())
        return constant.emitOpError("is not a tensor constant the runtime "
                                    "can hold");
      storage[constant] = {Storage::Weight, int64_t(weights.size())};
      weights.push_back(constant);
      continue;
    }
    if (auto ret = llvm::dyn_cast<func::ReturnOp>(op)) {
      for (Value v : ret.getOperands()) {
        if (storage.count(v) && storage[v].kind == Storage::Weight)
          return ret.emitOpError("returns a constant, which is not supported");
        use(v);
      }
      continue;
    }
    // Ops that only reinterpret their input share its storage: reshapes,
    // the storage cast over a quantized weight, quantize of data that is
    // already 8-bit, and dequantize of int32 accumulators (held as f32).
    bool reinterprets =
        llvm::isa<FlattenOp, ReshapeOp, DropoutOp, quant::StorageCastOp>(op);
    if (auto quantize = llvm::dyn_cast<QuantizeOp>(op))
      reinterprets = !quantize.getInput().getType().getElementType().isF32();
    if (auto dequantize = llvm::dyn_cast<DequantizeOp>(op))
      reinterprets = qrtDtypeOf(dequantize.getInput()) == QRT_F32;
    if (reinterprets) {
      Value input = op.getOperand(0);
      if (!storage.count(input))
        return op.emitOpError("reads a value the lowering has not seen");
      // Copy first: inserting the result may grow the map and move the
      // input's entry (C++17 evaluates the right side of `=` first, so a
      // reference into the map would dangle).
      const Storage shared = storage[input];
      storage[op.getResult(0)] = shared;
      if (isQuantized8(input) && isQuantized8(op.getResult(0)))
        dynamicSteps[op.getResult(0)] = qparamOf(input);
      use(input);
      continue;
    }
    if (op.getDialect() != builder.getContext()->getLoadedDialect<QDialect>())
      return op.emitOpError("has no lowering to the runtime");
    Step step;
    step.op = &op;
    const StepHandler *handler = table.lookup(&op);
    if (!handler)
      return op.emitOpError("has no lowering to the runtime");
    StepBuilder describe{&op, step, *this};
    if (failed((*handler)(&op, describe)))
      return failure();
    for (Value v : step.runInputs)
      if (v)
        use(v);
    storage[op.getResult(0)] = {Storage::Arena, int64_t(requests.size())};
    requests.push_back({byteSize(op.getResult(0).getType()), time, time});
    steps.push_back(std::move(step));
  }
  // Outputs are copied out after the last op.
  for (Value v : fn.getBody().front().getTerminator()->getOperands()) {
    auto it = storage.find(v);
    if (it != storage.end() && it->second.kind == Storage::Arena)
      requests[it->second.index].last = time + 1;
  }
  return success();
}

//===----------------------------------------------------------------------===//
// Emission
//===----------------------------------------------------------------------===//

LLVM::LLVMFuncOp Lowering::declare(llvm::StringRef name, Type result,
                                   ArrayRef<Type> args) {
  if (auto existing = module.lookupSymbol<LLVM::LLVMFuncOp>(name))
    return existing;
  OpBuilder::InsertionGuard guard(builder);
  builder.setInsertionPointToStart(module.getBody());
  return LLVM::LLVMFuncOp::create(builder, module.getLoc(), name,
                                  LLVM::LLVMFunctionType::get(result, args));
}

LLVM::GlobalOp Lowering::byteGlobal(llvm::StringRef name,
                                    llvm::ArrayRef<uint8_t> data,
                                    bool external) {
  OpBuilder::InsertionGuard guard(builder);
  builder.setInsertionPointToStart(module.getBody());
  auto type = LLVM::LLVMArrayType::get(builder.getI8Type(), data.size());
  auto global = LLVM::GlobalOp::create(
      builder, module.getLoc(), type, /*isConstant=*/true,
      external ? LLVM::Linkage::External : LLVM::Linkage::Internal, name,
      builder.getStringAttr(llvm::StringRef(
          reinterpret_cast<const char *>(data.data()), data.size())),
      /*alignment=*/8);
  return global;
}

Value Lowering::pointerTo(llvm::StringRef global) {
  return LLVM::AddressOfOp::create(
      builder, module.getLoc(),
      LLVM::LLVMPointerType::get(builder.getContext()), global);
}

/// Calls `callee` and branches to `fail` with its status if non-zero.
Value Lowering::checkedCall(LLVM::LLVMFuncOp callee, ValueRange args,
                            Block *fail) {
  Location loc = module.getLoc();
  Value status = LLVM::CallOp::create(builder, loc, callee, args).getResult();
  Value zero = LLVM::ConstantOp::create(builder, loc, builder.getI32Type(), 0);
  Value failed =
      LLVM::ICmpOp::create(builder, loc, LLVM::ICmpPredicate::ne, status, zero);
  Block *current = builder.getInsertionBlock();
  Block *next = current->splitBlock(builder.getInsertionPoint());
  builder.setInsertionPointToEnd(current);
  LLVM::CondBrOp::create(builder, loc, failed, fail, ValueRange{status}, next,
                         ValueRange{});
  builder.setInsertionPointToStart(next);
  return status;
}

/// How the model computes, for q_model_info: the arithmetic of its conv
/// and fc layers (float32, int8 or mixed), who runs them (onednn, loops or
/// mixed) and the variants of the generated kernels (one is picked by
/// cpuid when the library loads).
llvm::json::Object Lowering::buildInfo() {
  int64_t int8Layers = 0, fp32Layers = 0, loopsLayers = 0, onednnLayers = 0;
  for (const Step &step : steps) {
    if (auto call = llvm::dyn_cast<KernelCallOp>(step.op)) {
      // A generated layer is a `<kernel>_pack` call feeding `<kernel>`.
      if (!call.getCallee().ends_with("_pack")) {
        ++loopsLayers;
        ++int8Layers;
      }
      continue;
    }
    if (!llvm::isa<ConvolutionOp, FusedConvOp, FullyConnectedOp,
                   FusedFullyConnectedOp>(step.op))
      continue;
    ++onednnLayers;
    ++(isQuantized8(step.op->getOperand(0)) ? int8Layers : fp32Layers);
  }
  auto mix = [](int64_t a, int64_t b, const char *onlyA, const char *onlyB,
                const char *none) {
    return a && b ? "mixed" : a ? onlyA : b ? onlyB : none;
  };
  llvm::json::Array isas;
  if (loopsLayers)
    if (auto names = module->getAttrOfType<ArrayAttr>("q.kernel_isas"))
      for (auto name : names.getAsValueRange<StringAttr>())
        isas.push_back(name.str());
  return llvm::json::Object{
      {"q_version", ::q::version()},
      {"dtype", mix(int8Layers, fp32Layers, "int8", "float32", "float32")},
      {"backend", mix(loopsLayers, onednnLayers, "loops", "onednn", "onednn")},
      {"loops_layers", loopsLayers},
      {"onednn_layers", onednnLayers},
      {"kernel_isas", std::move(isas)}};
}

std::string Lowering::manifest(const MemoryPlan &plan) {
  auto tensors = [&](ArrayRef<Type> types, ArrayAttr attrs,
                     llvm::StringRef fallback) {
    llvm::json::Array out;
    for (auto [i, type] : llvm::enumerate(types)) {
      auto shaped = llvm::cast<ShapedType>(type);
      std::string name = (fallback + llvm::Twine(i)).str();
      StringAttr layout; // raw NHWC inputs (q-raw-inputs)
      if (attrs)
        if (auto dict = llvm::dyn_cast_or_null<DictionaryAttr>(attrs[i])) {
          if (auto n = dict.getAs<StringAttr>("q.name"))
            name = n.str();
          layout = dict.getAs<StringAttr>("q.layout");
        }
      llvm::json::Object object{
          {"name", name},
          {"dtype", dtypeName(shaped.getElementType())},
          {"shape", llvm::json::Array(shaped.getShape())}};
      if (layout)
        object["layout"] = layout.str();
      out.push_back(std::move(object));
    }
    return out;
  };
  llvm::json::Array weightList;
  int64_t offset = 0;
  for (Value w : weights) {
    auto type = llvm::cast<ShapedType>(w.getType());
    std::string name = "weight" + std::to_string(weightList.size());
    if (auto loc = llvm::dyn_cast<NameLoc>(w.getLoc()))
      name = loc.getName().str();
    int64_t bytes = byteSize(type);
    weightList.push_back(
        llvm::json::Object{{"name", name},
                           {"dtype", dtypeName(type.getElementType())},
                           {"shape", llvm::json::Array(type.getShape())},
                           {"offset", offset},
                           {"bytes", bytes}});
    offset = (offset + bytes + kWeightAlignment - 1) / kWeightAlignment *
             kWeightAlignment;
  }
  llvm::json::Object root{
      {"version", 1},
      {"build", buildInfo()},
      {"model", options.modelName},
      {"num_ops", int64_t(steps.size())},
      {"num_threads", options.numThreads},
      {"arena_bytes", plan.arenaBytes},
      {"arena_lower_bound", plan.lowerBound},
      {"inputs", tensors(fn.getArgumentTypes(), fn.getAllArgAttrs(), "input")},
      {"outputs",
       tensors(fn.getResultTypes(), fn.getAllResultAttrs(), "output")},
      {"weights", std::move(weightList)}};
  std::string text;
  llvm::raw_string_ostream os(text);
  os << llvm::json::Value(std::move(root));
  return text;
}

void Lowering::emit(const MemoryPlan &plan) {
  MLIRContext *ctx = builder.getContext();
  Location loc = module.getLoc();
  Type ptr = LLVM::LLVMPointerType::get(ctx);
  Type i32 = builder.getI32Type(), i64 = builder.getI64Type();

  auto constI32 = [&](int64_t v) {
    return LLVM::ConstantOp::create(builder, loc, i32, v).getResult();
  };
  auto constI64 = [&](int64_t v) {
    return LLVM::ConstantOp::create(builder, loc, i64, v).getResult();
  };
  /// `base[index]` of an array of pointers.
  auto loadPointer = [&](Value base, int64_t index) {
    Value slot = LLVM::GEPOp::create(builder, loc, ptr, ptr, base,
                                     ArrayRef<LLVM::GEPArg>{int32_t(index)});
    return LLVM::LoadOp::create(builder, loc, ptr, slot).getResult();
  };
  auto makeFunction = [&](llvm::StringRef name, ArrayRef<Type> args) {
    builder.setInsertionPointToEnd(module.getBody());
    auto func = LLVM::LLVMFuncOp::create(
        builder, loc, name, LLVM::LLVMFunctionType::get(i32, args));
    Block *entry = func.addEntryBlock(builder);
    Block *fail = builder.createBlock(&func.getBody(), {}, {i32}, {loc});
    LLVM::ReturnOp::create(builder, loc, fail->getArgument(0));
    builder.setInsertionPointToStart(entry);
    return std::make_pair(func, fail);
  };

  // Descriptors and the concat axis sizes, as constant bytes.
  std::vector<std::string> descNames;
  for (auto [id, step] : llvm::enumerate(steps)) {
    descNames.push_back("__q_desc" + std::to_string(id));
    if (!step.kernel.empty())
      continue;
    byteGlobal(descNames.back(), step.desc, false);
    for (auto [i, arg] : llvm::enumerate(step.initArgs))
      if (!arg.bytes.empty())
        byteGlobal("__q_init" + std::to_string(id) + "_" + std::to_string(i),
                   arg.bytes, false);
  }

  // __q_generated_init(model, weights)
  {
    auto [func, fail] = makeFunction("__q_generated_init", {ptr, ptr});
    Value model = func.getArgument(0), table = func.getArgument(1);
    for (auto [id, step] : llvm::enumerate(steps)) {
      if (!step.kernel.empty())
        continue;
      SmallVector<Value> args{model, constI32(id), pointerTo(descNames[id])};
      SmallVector<Type> types{ptr, i32, ptr};
      for (auto [i, arg] : llvm::enumerate(step.initArgs)) {
        if (arg.weight)
          args.push_back(loadPointer(table, storage[arg.weight].index));
        else if (!arg.bytes.empty())
          args.push_back(pointerTo("__q_init" + std::to_string(id) + "_" +
                                   std::to_string(i)));
        else
          args.push_back(LLVM::ZeroOp::create(builder, loc, ptr).getResult());
        types.push_back(ptr);
      }
      std::string init = step.initName.empty() ? step.name : step.initName;
      checkedCall(declare("qrt_" + init + "_init", i32, types), args, fail);
    }
    LLVM::ReturnOp::create(builder, loc, constI32(0));
  }

  // __q_generated_run(model, exec, inputs, outputs, arena)
  {
    auto [func, fail] =
        makeFunction("__q_generated_run", {ptr, ptr, ptr, ptr, ptr});
    Value model = func.getArgument(0), exec = func.getArgument(1);
    Value inputs = func.getArgument(2), outputs = func.getArgument(3);
    Value arena = func.getArgument(4);
    auto bufferOf = [&](Value v) -> Value {
      if (!v)
        return LLVM::ZeroOp::create(builder, loc, ptr);
      const Storage &s = storage[v];
      if (s.kind == Storage::Input)
        return loadPointer(inputs, s.index);
      return LLVM::GEPOp::create(
          builder, loc, ptr, builder.getI8Type(), arena,
          ArrayRef<LLVM::GEPArg>{constI64(plan.offsets[s.index])});
    };
    for (auto [id, step] : llvm::enumerate(steps)) {
      if (!step.kernel.empty()) {
        // args = {operands..., result}; tiles on the runtime's threads.
        size_t count = step.runInputs.size() + 1;
        auto arrayType = LLVM::LLVMArrayType::get(ptr, count);
        Value array =
            LLVM::AllocaOp::create(builder, loc, ptr, arrayType, constI64(1));
        SmallVector<Value> buffers;
        for (Value v : step.runInputs)
          buffers.push_back(bufferOf(v));
        buffers.push_back(bufferOf(step.op->getResult(0)));
        for (auto [i, buffer] : llvm::enumerate(buffers)) {
          Value slot = LLVM::GEPOp::create(builder, loc, ptr, ptr, array,
                                           ArrayRef<LLVM::GEPArg>{int32_t(i)});
          LLVM::StoreOp::create(builder, loc, buffer, slot);
        }
        Value fnPtr = LLVM::AddressOfOp::create(builder, loc, ptr, step.kernel);
        // The model's threads (q_model_options.num_threads or the compiled
        // default), as the oneDNN ops use.
        checkedCall(
            declare("qrt_model_parallel_for", i32, {ptr, ptr, ptr, i64}),
            {model, fnPtr, array, constI64(step.numTiles)}, fail);
        continue;
      }
      SmallVector<Value> args{model, exec, constI32(id)};
      SmallVector<Type> types{ptr, ptr, i32};
      if (step.inputsAsArray) {
        auto arrayType = LLVM::LLVMArrayType::get(ptr, step.runInputs.size());
        Value array =
            LLVM::AllocaOp::create(builder, loc, ptr, arrayType, constI64(1));
        for (auto [i, v] : llvm::enumerate(step.runInputs)) {
          Value slot = LLVM::GEPOp::create(builder, loc, ptr, ptr, array,
                                           ArrayRef<LLVM::GEPArg>{int32_t(i)});
          LLVM::StoreOp::create(builder, loc, bufferOf(v), slot);
        }
        args.push_back(array);
        types.push_back(ptr);
      } else {
        for (Value v : step.runInputs) {
          args.push_back(bufferOf(v));
          types.push_back(ptr);
        }
      }
      args.push_back(bufferOf(step.op->getResult(0)));
      types.push_back(ptr);
      checkedCall(declare("qrt_" + step.name + "_run", i32, types), args, fail);
    }
    auto copy = declare("qrt_copy", i32, {ptr, ptr, i64});
    for (auto [i, v] :
         llvm::enumerate(fn.getBody().front().getTerminator()->getOperands()))
      checkedCall(copy,
                  {bufferOf(v), loadPointer(outputs, i),
                   constI64(byteSize(v.getType()))},
                  fail);
    LLVM::ReturnOp::create(builder, loc, constI32(0));
  }

  // The manifest, NUL-terminated, exported for runtime/model.
  std::string text = manifest(plan);
  std::vector<uint8_t> bytes(text.begin(), text.end());
  bytes.push_back(0);
  byteGlobal("__q_generated_manifest", bytes, /*external=*/true);

  // Weights stay with the module for the driver to embed or to match
  // against a .params file.
  SmallVector<Attribute> weightAttrs;
  for (Value w : weights) {
    auto constant = w.getDefiningOp<arith::ConstantOp>();
    std::string name = "weight" + std::to_string(weightAttrs.size());
    if (auto nameLoc = llvm::dyn_cast<NameLoc>(w.getLoc()))
      name = nameLoc.getName().str();
    weightAttrs.push_back(builder.getDictionaryAttr(
        {builder.getNamedAttr("name", builder.getStringAttr(name)),
         builder.getNamedAttr("value", constant.getValue())}));
  }
  module->setAttr("q.weights", builder.getArrayAttr(weightAttrs));
  module->setAttr("q.arena_bytes", builder.getI64IntegerAttr(plan.arenaBytes));
  module->setAttr("q.arena_lower_bound",
                  builder.getI64IntegerAttr(plan.lowerBound));
}

LogicalResult Lowering::run() {
  fn = module.lookupSymbol<func::FuncOp>("main");
  if (!fn)
    return module.emitError("q-lower-to-onednn needs a function @main");
  if (!fn.getBody().hasOneBlock())
    return fn.emitError("q-lower-to-onednn needs a function of one block");
  if (failed(prepareInt8()) || failed(checkLayouts(fn)) || failed(analyze()))
    return failure();
  MemoryPlan plan = planMemory(requests, kWeightAlignment);
  if (options.reportMemory)
    emitRemark(fn.getLoc())
        << "arena " << plan.arenaBytes << " bytes for " << requests.size()
        << " tensors; liveness lower bound " << plan.lowerBound << " bytes";
  emit(plan);
  fn.erase();
  return success();
}

namespace {
struct QLowerToOneDNNPass
    : mlir::q::impl::QLowerToOneDNNBase<QLowerToOneDNNPass> {
  using QLowerToOneDNNBase::QLowerToOneDNNBase;
  void runOnOperation() override {
    QLowerToOneDNNOptions opts{modelName, numThreads, reportMemory};
    if (failed(Lowering(getOperation(), opts).run()))
      signalPassFailure();
  }
};
} // namespace
