//===- InputLookup.cpp - q.input_lookup: verifier and table folding -------===//
//
// A raw 8-bit graph input passes through one per-channel table of 256
// entries. The ops that follow it element by element (scalar arithmetic, a
// batch norm or per-channel binary op with constant operands, a static
// quantize) fold into that table, so a model whose input is uint8 pixels
// runs no float pass over the input: one lookup (which also transposes
// NHWC to NCHW) yields what the first quantized layer reads.
//
// Each fold evaluates the op on the 256 values of a row exactly as the
// runtime evaluates it (float arithmetic in the same order; a quantize
// rounds real / step in double, ties to even, then saturates), so the
// folded model computes the same bits as the unfolded one. The batch norm
// follows oneDNN's plain-layout kernel: scale = gamma / sqrt(var + eps),
// y = scale * (x - mean) + beta, in float (an ISA whose kernel rounds
// otherwise would differ by an ulp, and a quantized entry then by one step
// at a rounding tie).
//
//===----------------------------------------------------------------------===//

#include "QDialect/IR/Constants.h"
#include "QDialect/IR/QDialect.h"

#include "mlir/IR/PatternMatch.h"

#include <cmath>

using namespace mlir;
using namespace mlir::q;

//===----------------------------------------------------------------------===//
// Verifier
//===----------------------------------------------------------------------===//

int64_t InputLookupOp::getNumChannels() {
  auto type = llvm::cast<RankedTensorType>(getOutput().getType());
  return type.getRank() >= 2 ? type.getDimSize(1) : 1;
}

LogicalResult InputLookupOp::verify() {
  auto in = llvm::cast<RankedTensorType>(getInput().getType());
  auto out = llvm::cast<RankedTensorType>(getOutput().getType());
  SmallVector<int64_t> want(in.getShape());
  if (getLayout() == Layout::nhwc) {
    if (in.getRank() != 4)
      return emitOpError("layout nhwc needs a 4-D input, got rank ")
             << in.getRank();
    want = {in.getDimSize(0), in.getDimSize(3), in.getDimSize(1),
            in.getDimSize(2)};
  }
  if (out.getShape() != ArrayRef<int64_t>(want))
    return emitOpError("result shape must be ")
           << (getLayout() == Layout::nhwc ? "the NCHW form of "
                                                : "that of ")
           << "the input (" << RankedTensorType::get(want, out.getElementType())
           << "), got " << out;

  auto table = llvm::dyn_cast<DenseElementsAttr>(getTable());
  if (!table)
    return emitOpError("table must be a dense constant");
  auto tableType = llvm::cast<ShapedType>(table.getType());
  int64_t channels = getNumChannels();
  if (tableType.getRank() != 2 || tableType.getDimSize(1) != 256 ||
      (tableType.getDimSize(0) != 1 && tableType.getDimSize(0) != channels))
    return emitOpError("table must be [1, 256] or [")
           << channels << ", 256] (one row per channel), got "
           << tableType.getShape();

  Type element = out.getElementType();
  Type entry = tableType.getElementType();
  if (element.isF32()) {
    if (!entry.isF32())
      return emitOpError("an f32 result needs an f32 table, got ") << entry;
    return success();
  }
  auto uniform = llvm::dyn_cast<quant::UniformQuantizedType>(element);
  if (!uniform || uniform.getStorageTypeIntegralWidth() != 8 ||
      uniform.getZeroPoint() != 0 || !uniform.getExpressedType().isF32())
    return emitOpError("result must be f32 or 8-bit with a static scale "
                       "(!quant.uniform, zero point 0), got ")
           << element;
  auto integer = llvm::dyn_cast<IntegerType>(entry);
  if (!integer || integer.getWidth() != 8 ||
      integer.isUnsigned() == uniform.isSigned())
    return emitOpError("a ")
           << (uniform.isSigned() ? "i8" : "u8") << " result needs an "
           << (uniform.isSigned() ? "i8" : "ui8") << " table, got " << entry;
  return success();
}

//===----------------------------------------------------------------------===//
// Folding the ops that follow into the table
//===----------------------------------------------------------------------===//

namespace {

/// An f32 table, row-major [rows][256].
struct Table {
  int64_t rows = 1;
  std::vector<float> values;

  float &at(int64_t row, int64_t i) { return values[row * 256 + i]; }
  /// Repeats a single row for every channel.
  void expand(int64_t channels) {
    if (rows == channels)
      return;
    std::vector<float> out;
    out.reserve(channels * 256);
    for (int64_t c = 0; c < channels; ++c)
      out.insert(out.end(), values.begin(), values.begin() + 256);
    values = std::move(out);
    rows = channels;
  }
};

/// The lookup that produces `value` as f32 for this consumer alone.
InputLookupOp foldableLookup(Value value) {
  auto lookup = value.getDefiningOp<InputLookupOp>();
  if (!lookup || !lookup.getOutput().hasOneUse() ||
      !lookup.getOutput().getType().getElementType().isF32())
    return {};
  return lookup;
}

Table readTable(InputLookupOp lookup) {
  auto dense = llvm::cast<DenseElementsAttr>(lookup.getTable());
  Table table;
  table.rows = lookup.getNumRows();
  for (APFloat v : dense.getValues<APFloat>())
    table.values.push_back(v.convertToFloat());
  return table;
}

/// Replaces `user` by a lookup of the same input with `table`.
void replaceWithTable(PatternRewriter &rewriter, Operation *user,
                      InputLookupOp lookup, const Table &table) {
  auto type = RankedTensorType::get({table.rows, 256}, rewriter.getF32Type());
  auto attr = DenseElementsAttr::get(type, llvm::ArrayRef(table.values));
  auto folded = InputLookupOp::create(
      rewriter, user->getLoc(), user->getResult(0).getType(), lookup.getInput(),
      attr, lookup.getLayoutAttr());
  rewriter.replaceOp(user, folded.getResult());
  rewriter.eraseOp(lookup);
}

/// Applies `fn(row, value)` to every entry of the lookup's table (rows
/// expanded to `channels` first when fn depends on the channel).
template <typename Fn>
LogicalResult mapTable(PatternRewriter &rewriter, Operation *user,
                       InputLookupOp lookup, int64_t channels, Fn fn) {
  Table table = readTable(lookup);
  table.expand(channels);
  for (int64_t r = 0; r < table.rows; ++r)
    for (int64_t i = 0; i < 256; ++i)
      table.at(r, i) = fn(r, table.at(r, i));
  replaceWithTable(rewriter, user, lookup, table);
  return success();
}

/// `_plus_scalar`, `_minus_scalar`, `_mul_scalar`, ...: the runtime's
/// float lambdas of qrt_scalar_run.
struct FoldScalar : OpRewritePattern<ScalarOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ScalarOp op,
                                PatternRewriter &rewriter) const override {
    InputLookupOp lookup = foldableLookup(op.getInput());
    if (!lookup)
      return failure();
    const float s = float(op.getScalar().convertToDouble());
    float (*fn)(float, float) = nullptr;
    switch (op.getKind()) {
    case ScalarKind::add:
      fn = [](float v, float s) { return v + s; };
      break;
    case ScalarKind::sub:
      fn = [](float v, float s) { return v - s; };
      break;
    case ScalarKind::rsub:
      fn = [](float v, float s) { return s - v; };
      break;
    case ScalarKind::mul:
      fn = [](float v, float s) { return v * s; };
      break;
    case ScalarKind::div:
      fn = [](float v, float s) { return v / s; };
      break;
    case ScalarKind::rdiv:
      fn = [](float v, float s) { return s / v; };
      break;
    case ScalarKind::max:
      fn = [](float v, float s) { return std::max(v, s); };
      break;
    case ScalarKind::min:
      fn = [](float v, float s) { return std::min(v, s); };
      break;
    default:
      return failure(); // pow: libm results are not ours to promise
    }
    return mapTable(rewriter, op, lookup, lookup.getNumRows(),
                    [&](int64_t, float v) { return fn(v, s); });
  }
};

/// A batch norm along the channel axis with constant statistics.
struct FoldBatchNorm : OpRewritePattern<BatchNormOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(BatchNormOp op,
                                PatternRewriter &rewriter) const override {
    InputLookupOp lookup = foldableLookup(op.getInput());
    if (!lookup)
      return failure();
    int64_t rank = op.getInput().getType().getRank();
    int64_t axis = op.getAxis() < 0 ? op.getAxis() + rank : op.getAxis();
    if (rank < 2 || axis != 1)
      return failure();
    auto gamma = readConstant<float>(op.getGamma());
    auto beta = readConstant<float>(op.getBeta());
    auto mean = readConstant<float>(op.getMean());
    auto var = readConstant<float>(op.getVar());
    int64_t channels = lookup.getNumChannels();
    if (!gamma || !beta || !mean || !var || int64_t(beta->size()) != channels)
      return failure();
    const float eps = float(op.getEps().convertToDouble());
    const bool fixGamma = op.getFixGamma();
    // oneDNN's order (bit-identical on the runtime's plain-layout batch
    // norm, test/e2e/raw-input-batchnorm.test); q builds without -mfma, so
    // the compiler cannot contract the multiply-add.
    return mapTable(rewriter, op, lookup, channels, [&](int64_t c, float v) {
      const float scale =
          (fixGamma ? 1.0f : (*gamma)[c]) / std::sqrt((*var)[c] + eps);
      return scale * (v - (*mean)[c]) + (*beta)[c];
    });
  }
};

/// A binary op between the lookup and a constant that varies at most along
/// the channel axis (what --input-mean/--input-std insert).
template <typename OpT> struct FoldBinary : OpRewritePattern<OpT> {
  using OpRewritePattern<OpT>::OpRewritePattern;
  LogicalResult matchAndRewrite(OpT op,
                                PatternRewriter &rewriter) const override {
    bool lookupLeft = true;
    InputLookupOp lookup = foldableLookup(op.getLhs());
    Value other = op.getRhs();
    if (!lookup) {
      lookup = foldableLookup(op.getRhs());
      other = op.getLhs();
      lookupLeft = false;
    }
    if (!lookup || op.getType() != lookup.getOutput().getType())
      return failure();
    auto values = readConstant<float>(other);
    auto otherType = llvm::cast<RankedTensorType>(other.getType());
    int64_t rank = op.getType().getRank();
    if (!values || otherType.getRank() > rank)
      return failure();
    // Right-aligned dims of the constant: 1 everywhere but the channel.
    int64_t channels = lookup.getNumChannels();
    bool perChannel = false;
    for (int64_t i = 0; i < otherType.getRank(); ++i) {
      int64_t axis = rank - otherType.getRank() + i;
      int64_t dim = otherType.getDimSize(i);
      if (dim == 1)
        continue;
      if (axis != 1 || dim != channels)
        return failure();
      perChannel = true;
    }
    auto constantOf = [&](int64_t c) { return (*values)[perChannel ? c : 0]; };
    return mapTable(rewriter, op, lookup, perChannel ? channels : 1,
                    [&](int64_t c, float v) {
                      float a = lookupLeft ? v : constantOf(c);
                      float b = lookupLeft ? constantOf(c) : v;
                      if constexpr (std::is_same_v<OpT, AddOp>)
                        return a + b;
                      else if constexpr (std::is_same_v<OpT, SubOp>)
                        return a - b;
                      else if constexpr (std::is_same_v<OpT, MulOp>)
                        return a * b;
                      else
                        return a / b;
                    });
  }
};

/// Round half to even and saturate, as the runtime's quantize does.
int64_t saturateRound(double value, int64_t lo, int64_t hi) {
  if (std::isnan(value))
    return 0;
  value = std::clamp(value, double(lo), double(hi));
  return int64_t(std::nearbyint(value));
}

/// A quantize with a static scale: the table holds its integers.
struct FoldQuantize : OpRewritePattern<QuantizeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(QuantizeOp op,
                                PatternRewriter &rewriter) const override {
    InputLookupOp lookup = foldableLookup(op.getInput());
    if (!lookup)
      return failure();
    auto type = llvm::cast<RankedTensorType>(op.getOutput().getType());
    auto uniform =
        llvm::dyn_cast<quant::UniformQuantizedType>(type.getElementType());
    if (!uniform || uniform.getStorageTypeIntegralWidth() != 8 ||
        uniform.getZeroPoint() != 0)
      return failure();
    // The runtime's step is a float (qrt_qparam); divide in double.
    const double step = double(float(uniform.getScale()));
    const bool isSigned = uniform.isSigned();
    Table table = readTable(lookup);
    SmallVector<int8_t> signedValues;
    SmallVector<uint8_t> unsignedValues;
    for (float v : table.values) {
      if (isSigned)
        signedValues.push_back(
            int8_t(saturateRound(double(v) / step, -128, 127)));
      else
        unsignedValues.push_back(
            uint8_t(saturateRound(double(v) / step, 0, 255)));
    }
    Type entry = isSigned ? rewriter.getIntegerType(8)
                          : rewriter.getIntegerType(8, /*isSigned=*/false);
    auto tableType = RankedTensorType::get({table.rows, 256}, entry);
    DenseElementsAttr attr =
        isSigned
            ? DenseElementsAttr::get(tableType, llvm::ArrayRef(signedValues))
            : DenseElementsAttr::get(tableType, llvm::ArrayRef(unsignedValues));
    auto folded =
        InputLookupOp::create(rewriter, op.getLoc(), type, lookup.getInput(),
                              attr, lookup.getLayoutAttr());
    rewriter.replaceOp(op, folded.getResult());
    rewriter.eraseOp(lookup);
    return success();
  }
};

} // namespace

void InputLookupOp::getCanonicalizationPatterns(RewritePatternSet &patterns,
                                                MLIRContext *context) {
  patterns.add<FoldScalar, FoldBatchNorm, FoldBinary<AddOp>, FoldBinary<SubOp>,
               FoldBinary<MulOp>, FoldBinary<DivOp>, FoldQuantize>(context);
}
