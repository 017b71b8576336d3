//===- LowerToOneDNN.cpp - q ops to libqrt calls --------------------------===//
//
// Lowers the function `@main` of a q module to the symbols a compiled model
// exports (see Passes.td): descriptors are filled at compile time with the
// very structs of include/qrt/qrt.h and embedded as byte constants; tensors
// get offsets in one arena from a liveness-based plan.
//
//===----------------------------------------------------------------------===//

#include "InputLookup.h"
#include "Layouts.h"

#include "QDialect/Conversion/MemoryPlan.h"
#include "QDialect/Conversion/Passes.h"
#include "QDialect/IR/Constants.h"
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

/// The runtime dtype of a tensor element: quantized tensors by their
/// storage, except that i32 accumulators are held as f32 real values (the
/// runtime never materialises an int32 tensor of unknown scale).
int32_t qrtDtype(Type element) {
  if (auto quantized = llvm::dyn_cast<quant::QuantizedType>(element)) {
    if (quantized.getStorageTypeIntegralWidth() == 32)
      return QRT_F32;
    return quantized.isSigned() ? QRT_S8 : QRT_U8;
  }
  if (element.isInteger(8))
    return element.isUnsignedInteger() ? QRT_U8 : QRT_S8;
  if (element.isInteger(32))
    return QRT_S32;
  return QRT_F32;
}

int32_t qrtDtypeOf(Value value) {
  return qrtDtype(llvm::cast<ShapedType>(value.getType()).getElementType());
}

/// Whether a tensor holds 8-bit quantized values.
bool isQuantized8(Value value) {
  Type element = llvm::cast<ShapedType>(value.getType()).getElementType();
  auto quantized = llvm::dyn_cast<quant::QuantizedType>(element);
  return quantized && quantized.getStorageTypeIntegralWidth() == 8;
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

qrt_shape shapeOf(Value value) {
  qrt_shape shape{};
  auto type = llvm::cast<ShapedType>(value.getType());
  shape.rank = type.getRank();
  for (int64_t i = 0; i < type.getRank() && i < QRT_MAX_RANK; ++i)
    shape.dims[i] = type.getDimSize(i);
  return shape;
}

qrt_eltwise eltwiseOf(std::optional<EltwiseAttr> act) {
  qrt_eltwise out{};
  if (!act || !*act)
    return out;
  out.kind = static_cast<int32_t>(act->getKind()) + 1;
  out.alpha = act->getAlphaValue();
  out.beta = act->getBetaValue();
  return out;
}

class Lowering {
public:
  Lowering(ModuleOp module, const QLowerToOneDNNOptions &options)
      : module(module), options(options), builder(module.getContext()) {}

  LogicalResult run();

private:
  LogicalResult analyze();
  LogicalResult describe(Operation *op, Step &step);
  FailureOr<Value> requireConstant(Operation *op, Value value,
                                   llvm::StringRef what);
  LogicalResult requireRuntimeValue(Operation *op, Value value);
  LogicalResult prepareInt8();
  qrt_qparam qparamOf(Value value);
  qrt_qparam defineQParam(Value result);
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

FailureOr<Value> Lowering::requireConstant(Operation *op, Value value,
                                           llvm::StringRef what) {
  if (!value)
    return Value();
  auto it = storage.find(value);
  if (it == storage.end() || it->second.kind != Storage::Weight)
    return op->emitOpError() << what
                             << " must be a constant; import the model with "
                                "its .params file",
           failure();
  return value;
}

LogicalResult Lowering::requireRuntimeValue(Operation *op, Value value) {
  auto it = storage.find(value);
  if (it == storage.end())
    return op->emitOpError("reads a value the lowering has not seen");
  if (it->second.kind == Storage::Weight)
    return op->emitOpError("reads a constant as data; only weights may be "
                           "constants for now");
  return success();
}

LogicalResult Lowering::describe(Operation *op, Step &step) {
  auto data = [&](Value v) -> LogicalResult {
    if (failed(requireRuntimeValue(op, v)))
      return failure();
    step.runInputs.push_back(v);
    return success();
  };
  auto weight = [&](Value v, llvm::StringRef what) -> LogicalResult {
    auto w = requireConstant(op, v, what);
    if (failed(w))
      return failure();
    step.initArgs.push_back({*w, {}});
    return success();
  };
  auto stepsOf = [&](Value weight) {
    // Per-channel (or one) weight steps from the quantized weight's type.
    Type element = llvm::cast<ShapedType>(weight.getType()).getElementType();
    std::vector<float> values;
    if (auto perAxis =
            llvm::dyn_cast<quant::UniformQuantizedPerAxisType>(element))
      for (double v : perAxis.getScales())
        values.push_back(v);
    else if (auto uniform = llvm::dyn_cast<quant::UniformQuantizedType>(element))
      values.push_back(uniform.getScale());
    return values;
  };

  auto passScale = [&](Value input, Value result) {
    if (isQuantized8(input))
      dynamicSteps[result] = qparamOf(input);
  };

  return llvm::TypeSwitch<Operation *, LogicalResult>(op)
      .Case<ConvolutionOp, FusedConvOp>([&](auto conv) -> LogicalResult {
        qrt_conv_desc d{};
        d.abi_version = QRT_ABI_VERSION;
        auto in = llvm::cast<RankedTensorType>(conv.getInput().getType());
        auto w = llvm::cast<RankedTensorType>(conv.getWeight().getType());
        auto out = llvm::cast<RankedTensorType>(conv.getType());
        unsigned rank = in.getRank() - 2;
        auto geometry = shape::expandWindowGeometry(
            rank, conv.getStrides(), conv.getDilations(), conv.getPads());
        if (!geometry)
          return op->emitOpError(llvm::toString(geometry.takeError()));
        d.num_spatial = rank;
        d.batch = in.getDimSize(0);
        d.in_channels = in.getDimSize(1);
        d.out_channels = w.getDimSize(0);
        d.groups = conv.getGroups();
        for (unsigned s = 0; s < rank; ++s) {
          d.in_spatial[s] = in.getDimSize(s + 2);
          d.kernel[s] = w.getDimSize(s + 2);
          d.out_spatial[s] = out.getDimSize(s + 2);
          d.strides[s] = geometry->strides[s];
          d.dilations[s] = geometry->dilations[s];
          d.pad_begin[s] = geometry->padBegin[s];
          d.pad_end[s] = geometry->padEnd[s];
        }
        d.src_dtype = d.weight_dtype = d.bias_dtype = d.dst_dtype =
            d.sum_dtype = QRT_F32;
        d.has_bias = conv.getBias() != nullptr;
        d.sum_scale = 1.0f;
        d.src_layout = qrtLayoutOf(conv.getInput());
        d.dst_layout = qrtLayoutOf(conv.getResult());
        Value sum;
        if constexpr (std::is_same_v<decltype(conv), FusedConvOp>) {
          if (!conv.getBn().empty())
            return op->emitOpError("still carries a batch norm; run q-fuse "
                                   "to fold it into the weights");
          d.has_sum = conv.getSum() != nullptr;
          d.sum_scale = conv.getSumScale().convertToDouble();
          d.act = eltwiseOf(conv.getAct());
          d.postsum_act = eltwiseOf(conv.getPostsumAct());
          sum = conv.getSum();
        }
        std::vector<float> weightSteps;
        if (isQuantized8(conv.getInput())) {
          d.src_dtype = qrtDtypeOf(conv.getInput());
          d.src_q = qparamOf(conv.getInput());
          d.weight_dtype = QRT_S8;
          weightSteps = stepsOf(conv.getWeight());
          d.num_weight_steps = weightSteps.size();
          d.dst_dtype = qrtDtypeOf(conv.getResult());
          if (d.dst_dtype != QRT_F32)
            d.dst_q = defineQParam(conv.getResult());
          if (sum) {
            d.sum_dtype = qrtDtypeOf(sum);
            if (d.sum_dtype != QRT_F32)
              d.sum_q = qparamOf(sum);
          }
        }
        step.name = "conv";
        step.desc = bytesOf(d);
        if (failed(weight(conv.getWeight(), "the weight")) ||
            failed(weight(conv.getBias(), "the bias")) ||
            failed(data(conv.getInput())))
          return failure();
        step.initArgs.push_back({Value(), arrayBytes<float>(weightSteps)});
        if (sum && failed(requireRuntimeValue(op, sum)))
          return failure();
        step.runInputs.push_back(sum);
        return success();
      })
      .Case<FullyConnectedOp, FusedFullyConnectedOp>(
          [&](auto fc) -> LogicalResult {
            qrt_fc_desc d{};
            d.abi_version = QRT_ABI_VERSION;
            d.flatten = fc.getFlatten();
            d.input = shapeOf(fc.getInput());
            d.num_hidden =
                llvm::cast<ShapedType>(fc.getWeight().getType()).getDimSize(0);
            d.src_dtype = d.weight_dtype = d.bias_dtype = d.dst_dtype =
                QRT_F32;
            d.has_bias = fc.getBias() != nullptr;
            if constexpr (std::is_same_v<decltype(fc), FusedFullyConnectedOp>)
              d.act = eltwiseOf(fc.getAct());
            std::vector<float> weightSteps;
            if (isQuantized8(fc.getInput())) {
              d.src_dtype = qrtDtypeOf(fc.getInput());
              d.src_q = qparamOf(fc.getInput());
              d.weight_dtype = QRT_S8;
              weightSteps = stepsOf(fc.getWeight());
              d.num_weight_steps = weightSteps.size();
              d.dst_dtype = qrtDtypeOf(fc.getResult());
              if (d.dst_dtype != QRT_F32)
                d.dst_q = defineQParam(fc.getResult());
            }
            step.name = "fc";
            step.desc = bytesOf(d);
            if (failed(weight(fc.getWeight(), "the weight")) ||
                failed(weight(fc.getBias(), "the bias")))
              return failure();
            step.initArgs.push_back({Value(), arrayBytes<float>(weightSteps)});
            return data(fc.getInput());
          })
      .Case([&](PoolingOp pool) -> LogicalResult {
        if (pool.getConvention() == PoolConvention::same)
          return op->emitOpError("'same' pooling is not lowered yet");
        qrt_pooling_desc d{};
        d.abi_version = QRT_ABI_VERSION;
        auto in = pool.getInput().getType();
        unsigned rank = in.getRank() - 2;
        auto geometry = shape::expandWindowGeometry(rank, pool.getStrides(),
                                                    {}, pool.getPads());
        if (!geometry)
          return op->emitOpError(llvm::toString(geometry.takeError()));
        d.kind = static_cast<int32_t>(pool.getKind());
        d.convention = pool.getConvention() == PoolConvention::full
                           ? QRT_POOL_FULL
                           : QRT_POOL_VALID;
        d.count_include_pad = pool.getCountIncludePad();
        d.global_pool = pool.getGlobalPool();
        d.num_spatial = rank;
        d.dtype = qrtDtypeOf(pool.getInput());
        d.layout = qrtLayoutOfOp(op);
        d.batch = in.getDimSize(0);
        d.channels = in.getDimSize(1);
        auto out = pool.getType();
        for (unsigned s = 0; s < rank; ++s) {
          d.in_spatial[s] = in.getDimSize(s + 2);
          d.kernel[s] = pool.getGlobalPool() ? in.getDimSize(s + 2)
                                             : pool.getKernel()[s];
          d.strides[s] = geometry->strides[s];
          d.pad_begin[s] = geometry->padBegin[s];
          d.pad_end[s] = geometry->padEnd[s];
          d.out_spatial[s] = out.getDimSize(s + 2);
        }
        step.name = "pooling";
        step.desc = bytesOf(d);
        if (isQuantized8(pool.getInput()))
          dynamicSteps[pool.getResult()] = qparamOf(pool.getInput());
        return data(pool.getInput());
      })
      .Case([&](BatchNormOp bn) -> LogicalResult {
        qrt_batch_norm_desc d{};
        d.abi_version = QRT_ABI_VERSION;
        d.axis = bn.getAxis();
        d.input = shapeOf(bn.getInput());
        d.epsilon = bn.getEps().convertToDouble();
        d.fix_gamma = bn.getFixGamma();
        d.dtype = QRT_F32;
        d.layout = qrtLayoutOfOp(op);
        step.name = "batch_norm";
        step.desc = bytesOf(d);
        for (auto [v, what] :
             {std::make_pair(bn.getGamma(), "gamma"),
              std::make_pair(bn.getBeta(), "beta"),
              std::make_pair(bn.getMean(), "the moving mean"),
              std::make_pair(bn.getVar(), "the moving variance")})
          if (failed(weight(v, what)))
            return failure();
        return data(bn.getInput());
      })
      .Case([&](ActivationOp act) -> LogicalResult {
        qrt_activation_desc d{};
        d.abi_version = QRT_ABI_VERSION;
        d.dtype = qrtDtypeOf(act.getInput());
        d.num_elements = act.getType().getNumElements();
        d.act = eltwiseOf(act.getAct());
        if (isQuantized8(act.getInput())) {
          d.q = qparamOf(act.getInput());
          dynamicSteps[act.getResult()] = d.q;
        }
        step.name = "activation";
        step.desc = bytesOf(d);
        return data(act.getInput());
      })
      .Case([&](PReluOp prelu) -> LogicalResult {
        qrt_prelu_desc d{};
        d.abi_version = QRT_ABI_VERSION;
        d.dtype = QRT_F32;
        d.input = shapeOf(prelu.getInput());
        d.num_slopes = prelu.getSlope().getType().getDimSize(0);
        d.layout = qrtLayoutOfOp(op);
        step.name = "prelu";
        step.desc = bytesOf(d);
        if (failed(weight(prelu.getSlope(), "the slope")))
          return failure();
        return data(prelu.getInput());
      })
      .Case<AddOp, SubOp, MulOp, DivOp>([&](Operation *binary) {
        qrt_binary_desc d{};
        d.abi_version = QRT_ABI_VERSION;
        d.op = llvm::TypeSwitch<Operation *, int32_t>(binary)
                   .Case<AddOp>([](auto) { return QRT_BINARY_ADD; })
                   .Case<SubOp>([](auto) { return QRT_BINARY_SUB; })
                   .Case<MulOp>([](auto) { return QRT_BINARY_MUL; })
                   .Default([](auto) { return QRT_BINARY_DIV; });
        d.lhs = shapeOf(binary->getOperand(0));
        d.rhs = shapeOf(binary->getOperand(1));
        d.dtype = QRT_F32;
        d.layout = qrtLayoutOfOp(binary);
        step.name = "binary";
        step.desc = bytesOf(d);
        // A constant operand (e.g. --input-mean) is copied at init.
        bool anyConstant = false;
        for (Value v : binary->getOperands()) {
          auto it = storage.find(v);
          bool constant =
              it != storage.end() && it->second.kind == Storage::Weight;
          anyConstant |= constant;
          step.initArgs.push_back({constant ? v : Value(), {}});
          if (constant)
            step.runInputs.push_back(Value());
          else if (failed(data(v)))
            return failure();
        }
        if (anyConstant)
          step.initName = "binary_const";
        else
          step.initArgs.clear();
        return success();
      })
      .Case([&](ScalarOp scalar) -> LogicalResult {
        qrt_scalar_desc d{};
        d.abi_version = QRT_ABI_VERSION;
        d.op = static_cast<int32_t>(scalar.getKind());
        d.num_elements = scalar.getType().getNumElements();
        d.scalar = scalar.getScalar().convertToDouble();
        d.dtype = QRT_F32;
        step.name = "scalar";
        step.desc = bytesOf(d);
        return data(scalar.getInput());
      })
      .Case([&](SoftmaxOp softmax) -> LogicalResult {
        qrt_softmax_desc d{};
        d.abi_version = QRT_ABI_VERSION;
        d.axis = softmax.getAxis();
        d.input = shapeOf(softmax.getInput());
        d.temperature = softmax.getTemperature()
                            ? softmax.getTemperature()->convertToDouble()
                            : 1.0;
        d.log = softmax.getLog();
        d.dtype = QRT_F32;
        step.name = "softmax";
        step.desc = bytesOf(d);
        return data(softmax.getInput());
      })
      .Case([&](ConcatOp concat) -> LogicalResult {
        qrt_concat_desc d{};
        d.abi_version = QRT_ABI_VERSION;
        int64_t rank = concat.getType().getRank();
        auto axis = shape::normalizeAxis(concat.getAxis(), rank);
        if (!axis)
          return op->emitOpError(llvm::toString(axis.takeError()));
        d.axis = *axis;
        d.num_inputs = concat.getInputs().size();
        d.dtype = qrtDtypeOf(concat.getResult());
        d.output = shapeOf(concat.getResult());
        d.layout = qrtLayoutOfOp(op);
        step.name = "concat";
        step.inputsAsArray = true;
        std::vector<int64_t> sizes;
        std::vector<int32_t> dtypes;
        std::vector<qrt_qparam> steps;
        for (Value v : concat.getInputs()) {
          sizes.push_back(
              llvm::cast<ShapedType>(v.getType()).getDimSize(*axis));
          if (isQuantized8(v)) {
            dtypes.push_back(qrtDtypeOf(v));
            steps.push_back(qparamOf(v));
          }
          if (failed(data(v)))
            return failure();
        }
        step.initArgs.push_back({Value(), arrayBytes<int64_t>(sizes)});
        if (isQuantized8(concat.getResult())) {
          d.dst_q = defineQParam(concat.getResult());
          step.initName = "concat_quantized";
          step.initArgs.push_back({Value(), arrayBytes<int32_t>(dtypes)});
          step.initArgs.push_back({Value(), arrayBytes<qrt_qparam>(steps)});
        }
        step.desc = bytesOf(d);
        return success();
      })
      .Case([&](TransposeOp transpose) -> LogicalResult {
        qrt_transpose_desc d{};
        d.abi_version = QRT_ABI_VERSION;
        d.dtype = qrtDtypeOf(transpose.getInput());
        passScale(transpose.getInput(), transpose.getResult());
        d.input = shapeOf(transpose.getInput());
        ArrayRef<int64_t> perm = transpose.getPermutation();
        d.perm_size = perm.size();
        for (auto [i, p] : llvm::enumerate(perm))
          d.perm[i] = p;
        step.name = "transpose";
        step.desc = bytesOf(d);
        return data(transpose.getInput());
      })
      .Case([&](ReorderOp reorder) -> LogicalResult {
        // A layout change is a transpose of the stored dims.
        step.name = "transpose";
        step.desc =
            bytesOf(describeReorder(reorder, qrtDtypeOf(reorder.getInput())));
        passScale(reorder.getInput(), reorder.getResult());
        return data(reorder.getInput());
      })
      .Case([&](SliceOp slice) -> LogicalResult {
        qrt_slice_desc d{};
        d.abi_version = QRT_ABI_VERSION;
        d.dtype = qrtDtypeOf(slice.getInput());
        passScale(slice.getInput(), slice.getResult());
        d.input = shapeOf(slice.getInput());
        d.num_axes = slice.getBegin().size();
        auto in = slice.getInput().getType();
        for (int32_t i = 0; i < d.num_axes; ++i) {
          int64_t dim = in.getDimSize(i);
          auto clampIndex = [&](int64_t v) {
            if (v < 0)
              v += dim;
            return std::clamp<int64_t>(v, 0, dim);
          };
          d.begin[i] = clampIndex(slice.getBegin()[i]);
          d.end[i] = clampIndex(slice.getEnd()[i]);
          d.step[i] = slice.getStep().empty() ? 1 : slice.getStep()[i];
        }
        step.name = "slice";
        step.desc = bytesOf(d);
        return data(slice.getInput());
      })
      .Case([&](UpSamplingOp up) -> LogicalResult {
        qrt_upsampling_desc d{};
        d.abi_version = QRT_ABI_VERSION;
        d.dtype = qrtDtypeOf(up.getInput());
        passScale(up.getInput(), up.getResult());
        d.input = shapeOf(up.getInput());
        d.scale = up.getScale();
        step.name = "upsampling";
        step.desc = bytesOf(d);
        return data(up.getInput());
      })
      .Case([&](CropOp crop) -> LogicalResult {
        qrt_crop_desc d{};
        d.abi_version = QRT_ABI_VERSION;
        d.dtype = qrtDtypeOf(crop.getInput());
        passScale(crop.getInput(), crop.getResult());
        d.input = shapeOf(crop.getInput());
        for (auto [i, v] : llvm::enumerate(crop.getOffsets()))
          d.offsets[i] = v;
        for (auto [i, v] : llvm::enumerate(crop.getSizes()))
          d.sizes[i] = v;
        step.name = "crop";
        step.desc = bytesOf(d);
        return data(crop.getInput());
      })
      .Case<QuantizeOp, RequantizeOp, DequantizeOp>(
          [&](Operation *reorder) -> LogicalResult {
            // One element-wise reorder by real value (qrt_quantize).
            Value input = reorder->getOperand(0);
            Value result = reorder->getResult(0);
            qrt_quantize_desc d{};
            d.abi_version = QRT_ABI_VERSION;
            d.src_dtype = qrtDtypeOf(input);
            d.dst_dtype = qrtDtypeOf(result);
            d.num_elements =
                llvm::cast<ShapedType>(result.getType()).getNumElements();
            if (d.src_dtype != QRT_F32)
              d.src_q = qparamOf(input);
            if (d.dst_dtype != QRT_F32)
              d.dst_q = defineQParam(result);
            step.name = "quantize";
            step.desc = bytesOf(d);
            return data(input);
          })
      .Case([&](QuantizedAddOp add) -> LogicalResult {
        qrt_quantized_add_desc d{};
        d.abi_version = QRT_ABI_VERSION;
        d.lhs_dtype = qrtDtypeOf(add.getLhs());
        d.rhs_dtype = qrtDtypeOf(add.getRhs());
        d.dst_dtype = qrtDtypeOf(add.getResult());
        d.num_elements = add.getType().getNumElements();
        d.lhs_q = qparamOf(add.getLhs());
        d.rhs_q = qparamOf(add.getRhs());
        if (d.dst_dtype != QRT_F32)
          d.dst_q = defineQParam(add.getResult());
        step.name = "quantized_add";
        step.desc = bytesOf(d);
        return success(succeeded(data(add.getLhs())) &&
                       succeeded(data(add.getRhs())));
      })
      .Case([&](InputLookupOp lookup) -> LogicalResult {
        auto parts = describeInputLookup(lookup);
        if (failed(parts))
          return failure();
        step.name = "input_lookup";
        step.desc = std::move(parts->desc);
        step.initArgs.push_back({Value(), std::move(parts->table)});
        return data(lookup.getInput());
      })
      .Case([&](KernelCallOp call) -> LogicalResult {
        auto callee = module.lookupSymbol<LLVM::LLVMFuncOp>(call.getCallee());
        if (!callee)
          return op->emitOpError("calls '")
                 << call.getCallee()
                 << "', which is not an llvm.func of the module (run "
                    "q-lower-to-loops with lower-to-llvm=true)";
        step.kernel = call.getCallee().str();
        step.numTiles = call.getNumTiles();
        for (Value v : call.getArgs())
          if (failed(data(v)))
            return failure();
        return success();
      })
      .Default([&](Operation *) {
        return op->emitOpError("has no lowering to the runtime");
      });
}

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
    std::string name =
        nodeName(cast.getInput().getLoc()).value_or("bias");
    bias.set(makeConstant<float>(
        b,
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
      if (conv.getBias() &&
          failed(realBiasOf(op, conv.getBiasMutable()[0])))
        return WalkResult::interrupt();
      Value sum = conv.getSum();
      if (sum && isQuantized8(sum) &&
          qrtDtypeOf(conv.getResult()) == QRT_F32) {
        b.setInsertionPoint(op);
        conv.getSumMutable().assign(
            DequantizeOp::create(b, conv.getLoc(), sum).getResult());
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
          dtypeName(llvm::cast<ShapedType>(constant.getType())
                        .getElementType())
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
      storage[op.getResult(0)] = storage[input];
      if (isQuantized8(input) && isQuantized8(op.getResult(0)))
        dynamicSteps[op.getResult(0)] = qparamOf(input);
      use(input);
      continue;
    }
    if (op.getDialect() != builder.getContext()->getLoadedDialect<QDialect>())
      return op.emitOpError("has no lowering to the runtime");
    Step step;
    step.op = &op;
    if (failed(describe(&op, step)))
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
      builder, module.getLoc(), LLVM::LLVMPointerType::get(builder.getContext()),
      global);
}

/// Calls `callee` and branches to `fail` with its status if non-zero.
Value Lowering::checkedCall(LLVM::LLVMFuncOp callee, ValueRange args,
                            Block *fail) {
  Location loc = module.getLoc();
  Value status = LLVM::CallOp::create(builder, loc, callee, args).getResult();
  Value zero = LLVM::ConstantOp::create(builder, loc, builder.getI32Type(), 0);
  Value failed = LLVM::ICmpOp::create(builder, loc, LLVM::ICmpPredicate::ne,
                                      status, zero);
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
    weightList.push_back(llvm::json::Object{
        {"name", name},
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
        Value array = LLVM::AllocaOp::create(builder, loc, ptr, arrayType,
                                             constI64(1));
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
        checkedCall(declare("qrt_model_parallel_for", i32,
                            {ptr, ptr, ptr, i64}),
                    {model, fnPtr, array, constI64(step.numTiles)}, fail);
        continue;
      }
      SmallVector<Value> args{model, exec, constI32(id)};
      SmallVector<Type> types{ptr, ptr, i32};
      if (step.inputsAsArray) {
        auto arrayType = LLVM::LLVMArrayType::get(ptr, step.runInputs.size());
        Value array = LLVM::AllocaOp::create(builder, loc, ptr, arrayType,
                                             constI64(1));
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
      checkedCall(declare("qrt_" + step.name + "_run", i32, types), args,
                  fail);
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
  if (failed(checkLayouts(fn)) || failed(prepareInt8()) || failed(analyze()))
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
