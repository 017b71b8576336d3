//===- q-report.cpp - Layer-by-layer int8 vs fp32 report ------------------===//
//
//   q-report model-symbol.json --params=model-0000.params \
//            --input-shape=data:100,1,28,28 --dtype=auto \
//            --calib-data=train-images-idx3-ubyte.gz --calib-batches=5 \
//            --data=t10k-images-idx3-ubyte.gz --labels=t10k-labels.gz \
//            -o report.md
//
// Calibrates in process (driver::calibrate(), as q-compile does), compiles the
// fp32 graph and the int8 graph with every shared tensor returned as an extra
// result, runs both on the evaluation data and writes a Markdown report: the
// signal-to-quantization-noise ratio of every tensor, worst first, and what
// keeping each of the worst layers in fp32 does to the final output. A
// person reads it to choose q-compile's --exclude.
//
//===----------------------------------------------------------------------===//

#include "QDialect/Calibration/Table.h"
#include "QDialect/Driver/Calibrate.h"
#include "QDialect/Driver/Dataset.h"
#include "QDialect/Driver/Driver.h"
#include "QDialect/IR/QDialect.h"
#include "QDialect/IR/TensorNames.h"

#include "q/idx.h"
#include "q/npy.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Quant/IR/Quant.h"
#include "mlir/Dialect/Quant/IR/QuantTypes.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/MLIRContext.h"
#include "llvm/ADT/ScopeExit.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <cmath>
#include <limits>

using namespace mlir;
namespace driver = mlir::q::driver;
namespace cl = llvm::cl;
namespace calib = ::q::calibrate;
using ::q::driver::CompiledModel;

static cl::OptionCategory category("q-report options");
static driver::ModelOptions model(category);
static cl::opt<std::string>
    inputFile(cl::Positional, cl::Required,
              cl::desc("<model-symbol.json | module.mlir>"), cl::cat(category));
static cl::opt<std::string> outputFile("o", cl::Required,
                                       cl::desc("the Markdown report to write"),
                                       cl::value_desc("report.md"),
                                       cl::cat(category));
static cl::opt<std::string>
    dtype("dtype", cl::desc("int8, uint8 or auto, as q-compile's --dtype"),
          cl::init("auto"), cl::cat(category));
static cl::opt<std::string>
    calibData("calib-data",
              cl::desc("calibration data, as q-calibrate's --data"),
              cl::value_desc("FILE,..."), cl::cat(category));
static cl::opt<std::string> calibMode("calib-mode",
                                      cl::desc("naive, entropy or percentile"),
                                      cl::init("entropy"), cl::cat(category));
static cl::opt<unsigned>
    calibBatches("calib-batches",
                 cl::desc("calibration batches (default: all)"), cl::init(0),
                 cl::cat(category));
static cl::opt<unsigned> calibBatchSize(
    "calib-batch-size",
    cl::desc("samples per calibration batch (default: min(32, samples))"),
    cl::init(0), cl::cat(category));
static cl::opt<std::string> calibTable(
    "calib-table",
    cl::desc("with --calib-data: keep the table here; without: read the "
             "ranges from this table"),
    cl::value_desc("calib.json"), cl::cat(category));
static cl::opt<std::string>
    evalData("data",
             cl::desc("evaluation data, as q-calibrate's --data (default: "
                      "the calibration data)"),
             cl::value_desc("FILE,..."), cl::cat(category));
static cl::opt<unsigned>
    evalBatches("batches", cl::desc("evaluation batches (default: all)"),
                cl::init(0), cl::cat(category));
static cl::opt<std::string>
    labelsFile("labels",
               cl::desc("class labels of the evaluation data (.npy of "
                        "integers or IDX): report top-1 accuracy too"),
               cl::value_desc("FILE"), cl::cat(category));
static driver::QuantizeFlags quantizeFlags(category);
static cl::opt<unsigned>
    worst("worst", cl::desc("layers to try keeping in fp32, worst SQNR first"),
          cl::init(3), cl::cat(category));
static cl::opt<std::string> backend("backend",
                                    cl::desc("int8 kernels: onednn or loops"),
                                    cl::init("onednn"), cl::cat(category));
static cl::opt<int> numThreads("num-threads",
                               cl::desc("threads per run (0: OpenMP default)"),
                               cl::init(0), cl::cat(category));
static cl::opt<bool> verbose("v", cl::desc("print the steps on stderr"),
                             cl::init(false), cl::cat(category));

namespace {

llvm::Error makeError(const llvm::Twine &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), message);
}

int fail(const llvm::Twine &message) {
  llvm::errs() << "q-report: error: " << message << "\n";
  return 1;
}

void step(const llvm::Twine &message) {
  if (verbose)
    llvm::errs() << "q-report: " << message << "\n";
}

/// A tensor both builds compute: `name` (TensorNames.h), the int8 op that
/// produces it, and the node to exclude to keep that op in fp32 ("" when
/// it is no quantized layer).
struct Point {
  std::string name, kind, node;
};

/// Noise of one tensor over all batches.
struct Noise {
  double signal = 0, noise = 0, maxAbs = 0;
  void add(const float *ref, const float *q, size_t n) {
    for (size_t i = 0; i < n; ++i) {
      double r = ref[i], e = r - double(q[i]);
      signal += r * r;
      noise += e * e;
      maxAbs = std::max(maxAbs, std::abs(e));
    }
  }
  /// dB; +inf when int8 is exact.
  double sqnr() const {
    if (noise == 0)
      return std::numeric_limits<double>::infinity();
    if (signal == 0)
      return -std::numeric_limits<double>::infinity();
    return 10 * std::log10(signal / noise);
  }
};

/// How the int8 model's first output compares with fp32's.
struct OutputStats {
  Noise noise;
  double dot = 0, refNorm = 0, qNorm = 0;
  size_t rows = 0, agree = 0, correct = 0;
  double cosine() const {
    return refNorm > 0 && qNorm > 0 ? dot / std::sqrt(refNorm * qNorm) : 0;
  }
  double agreement() const { return rows ? 100.0 * agree / rows : 0; }
  double accuracy() const { return rows ? 100.0 * correct / rows : 0; }
};

size_t argmax(const float *row, size_t n) {
  return size_t(std::max_element(row, row + n) - row);
}

std::string dB(double value) {
  if (std::isinf(value))
    return value > 0 ? "inf" : "-inf";
  return llvm::formatv("{0:F1}", value).str();
}

std::string number(double value) {
  std::string text;
  llvm::raw_string_ostream os(text);
  os << llvm::format("%.4g", value);
  return text;
}

/// "+1.5", "-0.25"; a change that rounds to zero prints as "+0.0" (or
/// "+0.00"), never "-0.0".
std::string signedText(double value, int decimals) {
  double scale = std::pow(10.0, decimals);
  double rounded = std::round(value * scale) / scale;
  if (rounded == 0)
    rounded = 0;
  std::string text;
  llvm::raw_string_ostream os(text);
  os << (rounded >= 0 ? "+" : "")
     << llvm::format(decimals == 1 ? "%.1f" : "%.2f", rounded);
  return text;
}

/// The tensors of @main an int8 build can be compared with: arguments and
/// static f32 op results that are not constants.
llvm::StringSet<> fp32Names(ModuleOp module) {
  llvm::StringSet<> names;
  auto fn = module.lookupSymbol<func::FuncOp>("main");
  if (!fn)
    return names;
  for (BlockArgument arg : fn.getArguments())
    names.insert(mlir::q::tensorName(arg));
  fn.walk([&](Operation *op) {
    if (llvm::isa<arith::ConstantOp>(op) || op->getNumResults() != 1)
      return;
    auto type = llvm::dyn_cast<RankedTensorType>(op->getResult(0).getType());
    if (type && type.hasStaticShape() && type.getElementType().isF32())
      names.insert(mlir::q::tensorName(op->getResult(0)));
  });
  return names;
}

bool isQuantized(Type type) {
  auto shaped = llvm::dyn_cast<ShapedType>(type);
  return shaped && llvm::isa<quant::QuantizedType>(shaped.getElementType());
}

/// Returns from the int8 @main every 8-bit or f32 op result named after an
/// fp32 tensor (8-bit ones through a q.dequantize). A quantize or
/// requantize stands for its input: the value its consumers read. The last
/// op of a name wins, as it is what the graph goes on with. Fills `points`;
/// returns the number of results @main had.
llvm::Expected<unsigned> observeInt8(ModuleOp module,
                                     const llvm::StringSet<> &known,
                                     std::vector<Point> &points) {
  auto fn = module.lookupSymbol<func::FuncOp>("main");
  if (!fn || !fn.getBody().hasOneBlock())
    return makeError("the module has no function @main of one block");
  Block &body = fn.getBody().front();
  llvm::StringMap<size_t> index;
  std::vector<Value> values;
  points.clear();
  for (Operation &op : body) {
    if (op.getNumResults() != 1 ||
        llvm::isa<arith::ConstantOp, mlir::q::DequantizeOp,
                  quant::StorageCastOp>(op))
      continue;
    Value result = op.getResult(0);
    auto type = llvm::dyn_cast<RankedTensorType>(result.getType());
    if (!type || !type.hasStaticShape())
      continue;
    Type element = type.getElementType();
    auto quantized = llvm::dyn_cast<quant::QuantizedType>(element);
    if (!element.isF32() &&
        !(quantized && quantized.getStorageTypeIntegralWidth() == 8))
      continue;
    bool standsForInput =
        llvm::isa<mlir::q::QuantizeOp, mlir::q::RequantizeOp>(op);
    std::string name =
        mlir::q::tensorName(standsForInput ? op.getOperand(0) : result);
    if (!known.contains(name))
      continue;
    Operation *layer = standsForInput ? op.getOperand(0).getDefiningOp() : &op;
    Point point;
    point.name = name;
    point.kind = llvm::isa<mlir::q::QuantizeOp>(op) ? "quantize"
                 : layer ? layer->getName().stripDialect().str()
                         : "argument";
    // A layer runs in int8 when it reads or writes quantized values;
    // excluding the first node it absorbed keeps it in fp32.
    if (layer && !llvm::isa<mlir::q::QuantizeOp>(op)) {
      bool int8 = llvm::any_of(layer->getOperandTypes(), isQuantized) ||
                  llvm::any_of(layer->getResultTypes(), isQuantized);
      auto nodes = mlir::q::nodeNames(layer->getLoc());
      if (int8 && !nodes.empty())
        point.node = nodes.front();
    }
    auto [it, inserted] = index.try_emplace(name, points.size());
    if (inserted) {
      points.push_back(point);
      values.push_back(result);
    } else {
      points[it->second] = point;
      values[it->second] = result;
    }
  }

  auto ret = llvm::cast<func::ReturnOp>(body.getTerminator());
  unsigned original = ret.getNumOperands();
  SmallVector<Value> results(ret.getOperands());
  OpBuilder builder(module.getContext());
  for (auto [point, value] : llvm::zip(points, values)) {
    if (isQuantized(value.getType())) {
      builder.setInsertionPointAfterValue(value);
      value = mlir::q::DequantizeOp::create(
          builder, NameLoc::get(builder.getStringAttr("observe_" + point.name)),
          value);
    }
    results.push_back(value);
  }
  builder.setInsertionPoint(ret);
  func::ReturnOp::create(builder, ret.getLoc(), results);
  ret.erase();

  SmallVector<DictionaryAttr> resultAttrs;
  for (unsigned i = 0; i < original; ++i) {
    DictionaryAttr attrs = fn.getResultAttrDict(i);
    resultAttrs.push_back(attrs ? attrs : builder.getDictionaryAttr({}));
  }
  for (const Point &point : points)
    resultAttrs.push_back(builder.getDictionaryAttr(builder.getNamedAttr(
        "q.name", builder.getStringAttr("observe:" + point.name))));
  SmallVector<Type> resultTypes;
  for (Value v : results)
    resultTypes.push_back(v.getType());
  fn.setType(builder.getFunctionType(fn.getArgumentTypes(), resultTypes));
  fn.setAllResultAttrs(resultAttrs);
  return original;
}

/// Integer class labels from .npy (any integer dtype) or IDX.
llvm::Expected<std::vector<int64_t>> readLabels(const std::string &file) {
  std::vector<int64_t> labels;
  std::string error;
  llvm::StringRef name(file);
  if (name.ends_with("-ubyte") || name.ends_with("-ubyte.gz")) {
    ::q::data::IdxArray idx;
    if (!::q::data::readIdx(file, idx, error))
      return makeError("--labels: " + error);
    labels.assign(idx.data.begin(), idx.data.end());
    return labels;
  }
  npy::Array array;
  if (!npy::read(file, array, &error))
    return makeError("--labels: " + error);
  const uint8_t *p = array.data.data();
  for (size_t i = 0, n = array.numElements(); i < n; ++i) {
    switch (array.dtype) {
    case npy::DType::U8:
      labels.push_back(p[i]);
      break;
    case npy::DType::S8:
      labels.push_back(int8_t(p[i]));
      break;
    case npy::DType::S32:
      labels.push_back(reinterpret_cast<const int32_t *>(p)[i]);
      break;
    case npy::DType::S64:
      labels.push_back(reinterpret_cast<const int64_t *>(p)[i]);
      break;
    default:
      return makeError("--labels: " + file +
                       ": class labels must be integers, not " +
                       npy::name(array.dtype));
    }
  }
  return labels;
}

/// Everything the runs share: the imported module, the options of every
/// build and a folder for the libraries.
struct Session {
  ModuleOp imported;
  mlir::q::QuantizeOptions quantize;
  std::optional<qcalib::CalibrationTable> calibration;
  size_t calibBatch = 0;
  std::string tempDir;
  unsigned libraries = 0;

  driver::CompileOptions compileOptions(bool int8,
                                        llvm::ArrayRef<std::string> extra) {
    driver::CompileOptions options;
    options.modelName = "report";
    options.numThreads = numThreads;
    options.fuseMode = "int8";
    if (!int8)
      return options;
    options.int8 = true;
    options.quantize = quantize;
    options.quantize.exclude.insert(options.quantize.exclude.end(),
                                    extra.begin(), extra.end());
    options.calibration = calibration;
    options.backend = backend;
    return options;
  }

  /// The graph passes of a build, on a copy of the imported module.
  llvm::Expected<OwningOpRef<ModuleOp>>
  graph(const driver::CompileOptions &options) {
    OwningOpRef<ModuleOp> module(imported.clone());
    if (auto err = driver::runPasses(*module, [&](PassManager &pm) {
          driver::addGraphPasses(pm, options);
        }))
      return std::move(err);
    return std::move(module);
  }

  /// Lowers, links and loads a module after its graph passes.
  llvm::Expected<std::unique_ptr<CompiledModel>>
  load(ModuleOp module, const driver::CompileOptions &options) {
    if (auto err = driver::runPasses(module, [&](PassManager &pm) {
          driver::addLoweringPasses(pm, options);
        }))
      return std::move(err);
    driver::LinkOptions link;
    link.outputFile =
        (tempDir + "/libreport" + llvm::Twine(libraries++) + ".so").str();
    link.tool = "q-report";
    link.verbose = verbose;
    if (auto linked = driver::emitLibrary(module, options, link); !linked)
      return linked.takeError();
    ::q::driver::LoadOptions loadOptions;
    loadOptions.numThreads = numThreads;
    loadOptions.tool = "q-report";
    std::string error;
    auto model = CompiledModel::load(link.outputFile, loadOptions, error);
    if (!model)
      return makeError(error);
    return std::move(model);
  }
};

/// The evaluation data, batch by batch, in file order.
struct Evaluation {
  std::unique_ptr<calib::Dataset> data;
  std::vector<::q::driver::TensorInfo> inputs;
  size_t batch = 0, batches = 0;
  std::vector<std::vector<char>> buffers;

  llvm::Error fill(size_t b) {
    for (size_t i = 0; i < inputs.size(); ++i) {
      size_t bytes = inputs[i].numBytes() / batch;
      for (size_t j = 0; j < batch; ++j)
        if (auto err = data->readSample(i, b * batch + j,
                                        buffers[i].data() + j * bytes))
          return err;
    }
    return llvm::Error::success();
  }
};

/// A model's output buffers.
struct Outputs {
  std::vector<std::vector<float>> data;
  std::vector<void *> pointers;
};

llvm::Error prepare(const CompiledModel &model, Outputs &outputs) {
  for (const auto &info : model.outputs()) {
    if (info.dtype != Q_DTYPE_F32)
      return makeError(model.path() + ": output '" + info.name +
                       "' is not f32");
    outputs.data.emplace_back(size_t(info.numElements()));
  }
  for (auto &o : outputs.data)
    outputs.pointers.push_back(o.data());
  return llvm::Error::success();
}

/// Runs one batch (already in the input buffers).
llvm::Error runBatch(const CompiledModel &model, Evaluation &eval,
                     Outputs &outputs, size_t b) {
  std::vector<const void *> in;
  for (auto &buffer : eval.buffers)
    in.push_back(buffer.data());
  std::string error;
  if (!model.run(in.data(), outputs.pointers.data(), error))
    return makeError("batch " + llvm::Twine(b) + ": " + error);
  return llvm::Error::success();
}

/// Runs `model` on every batch, handing its outputs to `use`.
llvm::Error runAll(
    const CompiledModel &model, Evaluation &eval,
    llvm::function_ref<void(size_t, llvm::ArrayRef<std::vector<float>>)> use) {
  Outputs outputs;
  if (auto err = prepare(model, outputs))
    return err;
  for (size_t b = 0; b < eval.batches; ++b) {
    if (auto err = eval.fill(b))
      return err;
    if (auto err = runBatch(model, eval, outputs, b))
      return err;
    use(b, outputs.data);
  }
  return llvm::Error::success();
}

/// Compares an int8 output batch with fp32's.
void compareOutput(OutputStats &stats, const float *ref, const float *q,
                   size_t n, size_t classes, const int64_t *labels) {
  stats.noise.add(ref, q, n);
  for (size_t i = 0; i < n; ++i) {
    stats.dot += double(ref[i]) * q[i];
    stats.refNorm += double(ref[i]) * ref[i];
    stats.qNorm += double(q[i]) * q[i];
  }
  for (size_t row = 0; row * classes < n; ++row) {
    size_t top = argmax(q + row * classes, classes);
    stats.agree += top == argmax(ref + row * classes, classes);
    if (labels)
      stats.correct += int64_t(top) == labels[row];
    ++stats.rows;
  }
}

struct Exclusion {
  std::string node, tensor;
  double tensorSqnr = 0;
  OutputStats output;
  bool helps = false;
};

llvm::Error run(const char *argv0, MLIRContext &context, std::string &summary) {
  auto quantize = quantizeFlags.options(dtype);
  if (!quantize)
    return quantize.takeError();
  if (backend != "onednn" && backend != "loops")
    return makeError("--backend=" + backend + ": expected onednn or loops");
  auto parsedMode = calib::parseMode(calibMode, "--calib-mode");
  if (!parsedMode)
    return parsedMode.takeError();
  if (calibData.empty() && calibTable.empty())
    return makeError("give --calib-data (or a --calib-table to read): the "
                     "report compares calibrated int8 with fp32");
  bool fromModule = driver::isModuleFile(inputFile);
  if (!fromModule && model.params.empty() == !model.randomParams.getNumOccurrences())
    return makeError("give either --params or --random-params");
  std::string evalSpec = evalData.empty() ? std::string(calibData) : evalData;
  if (evalSpec.empty())
    return makeError("give --data: the evaluation data (the default is the "
                     "calibration data)");
  std::vector<int64_t> labels;
  if (!labelsFile.empty()) {
    auto read = readLabels(labelsFile);
    if (!read)
      return read.takeError();
    labels = std::move(*read);
  }

  Session session;
  llvm::SmallString<128> tempDir;
  if (auto ec = llvm::sys::fs::createUniqueDirectory("q-report", tempDir))
    return makeError("cannot create a temporary folder: " + ec.message());
  auto cleanup =
      llvm::scope_exit([&] { llvm::sys::fs::remove_directories(tempDir); });
  session.tempDir = std::string(tempDir);

  session.quantize = std::move(*quantize);
  driver::ImportOptions importOptions = model.importOptions(inputFile);
  auto imported = driver::importModel(context, importOptions);
  if (!imported)
    return imported.takeError();
  session.imported = **imported;
  if (auto err = mlir::q::checkNodeNames(session.imported,
                                         session.quantize.exclude, "--exclude"))
    return err;

  // 1. Calibrate exactly as q-compile does, in process.
  if (!calibData.empty()) {
    step("calibrating");
    auto inputs = driver::moduleInputs(session.imported);
    if (!inputs)
      return inputs.takeError();
    llvm::SmallVector<llvm::StringRef> calibSpecs;
    llvm::StringRef(calibData).split(calibSpecs, ',', -1, false);
    auto calibSet = calib::Dataset::open(
        std::vector<std::string>(calibSpecs.begin(), calibSpecs.end()), *inputs,
        {});
    if (!calibSet)
      return calibSet.takeError();
    driver::CalibrateOptions options;
    options.tool = "q-report";
    options.batchesFlag = "--calib-batches";
    options.collect.mode = *parsedMode;
    options.collect.type =
        session.quantize.dtype == mlir::q::QuantDType::int8
            ? qcalib::QuantizedType::Int8
        : session.quantize.dtype == mlir::q::QuantDType::uint8
            ? qcalib::QuantizedType::UInt8
            : qcalib::QuantizedType::Auto;
    options.quantize = session.quantize;
    options.batchSize = calibBatchSize;
    options.maxBatches = calibBatches;
    options.numThreads = numThreads;
    auto calibrated = driver::calibrate(session.imported, **calibSet, options);
    if (!calibrated)
      return calibrated.takeError();
    session.calibBatch = calibrated->batchSize;
    if (!calibTable.empty())
      if (auto err =
              qcalib::writeCalibrationTable(calibrated->table, calibTable))
        return err;
    session.calibration = std::move(calibrated->table);
  } else {
    auto read = qcalib::readCalibrationTable(calibTable);
    if (!read)
      return read.takeError();
    session.calibration = std::move(*read);
  }
  const qcalib::CalibrationTable *table = &*session.calibration;

  // 2-3. The int8 build returns every tensor it shares with fp32; the fp32
  // build returns the same names.
  step("compiling the int8 and fp32 models");
  auto int8Options = session.compileOptions(true, {});
  auto fp32Options = session.compileOptions(false, {});
  auto fp32Graph = session.graph(fp32Options);
  if (!fp32Graph)
    return fp32Graph.takeError();
  auto int8Graph = session.graph(int8Options);
  if (!int8Graph)
    return int8Graph.takeError();
  std::vector<Point> points;
  auto int8Outputs = observeInt8(**int8Graph, fp32Names(**fp32Graph), points);
  if (!int8Outputs)
    return int8Outputs.takeError();
  std::vector<std::string> names;
  for (const Point &p : points)
    names.push_back(p.name);
  auto fp32Outputs = driver::addObservationPoints(**fp32Graph, names);
  if (!fp32Outputs)
    return fp32Outputs.takeError();
  if (*int8Outputs == 0 || *fp32Outputs != *int8Outputs)
    return makeError(inputFile + ": the int8 and fp32 graphs have different "
                                 "outputs");
  auto int8Model = session.load(**int8Graph, int8Options);
  if (!int8Model)
    return int8Model.takeError();
  auto fp32Model = session.load(**fp32Graph, fp32Options);
  if (!fp32Model)
    return fp32Model.takeError();

  Evaluation eval;
  eval.inputs = (*fp32Model)->inputs();
  calib::ImageOptions images;
  llvm::SmallVector<llvm::StringRef> specs;
  llvm::StringRef(evalSpec).split(specs, ',', -1, false);
  auto data =
      calib::Dataset::open(std::vector<std::string>(specs.begin(), specs.end()),
                           eval.inputs, images);
  if (!data)
    return data.takeError();
  eval.data = std::move(*data);
  eval.batch =
      size_t(eval.inputs[0].shape.empty() ? 1 : eval.inputs[0].shape[0]);
  size_t available = eval.data->numSamples() / eval.batch;
  if (!available)
    return makeError("--data: " + llvm::Twine(eval.data->numSamples()) +
                     " samples, fewer than one batch of " +
                     llvm::Twine(eval.batch));
  eval.batches =
      evalBatches ? std::min<size_t>(evalBatches, available) : available;
  for (const auto &input : eval.inputs)
    eval.buffers.emplace_back(input.numBytes());
  size_t samples = eval.batches * eval.batch;
  if (!labels.empty() && labels.size() < samples)
    return makeError("--labels: " + labelsFile + " holds " +
                     llvm::Twine(labels.size()) + " labels for " +
                     llvm::Twine(samples) + " samples");

  // 4. The fp32 run keeps its outputs and observations; the int8 run
  // compares with them batch by batch.
  unsigned numOutputs = *int8Outputs;
  const auto &outInfo = (*fp32Model)->outputs()[0];
  size_t outSize = size_t(outInfo.numElements());
  size_t classes = outInfo.shape.empty() ? 1 : size_t(outInfo.shape.back());
  std::vector<std::vector<float>> fp32Batches(eval.batches);
  OutputStats fp32Accuracy, base;
  std::vector<Noise> noise(points.size());
  step("running fp32 and int8 on " + llvm::Twine(eval.batches) + " batches");
  Outputs fp32Out, int8Out;
  if (auto err = prepare(**fp32Model, fp32Out))
    return err;
  if (auto err = prepare(**int8Model, int8Out))
    return err;
  // Both models run each batch in turn: the observed tensors of a whole
  // data set would not fit in memory.
  for (size_t b = 0; b < eval.batches; ++b) {
    if (auto err = eval.fill(b))
      return err;
    if (auto err = runBatch(**fp32Model, eval, fp32Out, b))
      return err;
    if (auto err = runBatch(**int8Model, eval, int8Out, b))
      return err;
    const int64_t *l =
        labels.empty() ? nullptr : labels.data() + b * eval.batch;
    const std::vector<float> &ref = fp32Out.data[0];
    fp32Batches[b] = ref;
    compareOutput(base, ref.data(), int8Out.data[0].data(), outSize, classes,
                  l);
    compareOutput(fp32Accuracy, ref.data(), ref.data(), outSize, classes, l);
    for (size_t i = 0; i < points.size(); ++i) {
      const auto &r = fp32Out.data[numOutputs + i];
      const auto &q = int8Out.data[numOutputs + i];
      if (r.size() != q.size())
        return makeError("tensor '" + points[i].name +
                         "' has different sizes in fp32 and int8");
      noise[i].add(r.data(), q.data(), r.size());
    }
  }

  std::vector<size_t> order(points.size());
  for (size_t i = 0; i < order.size(); ++i)
    order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return noise[a].sqnr() < noise[b].sqnr();
  });

  // 5. Keep each of the worst layers in fp32, one at a time.
  std::vector<Exclusion> exclusions;
  llvm::StringSet<> tried;
  for (size_t i : order) {
    if (exclusions.size() >= worst)
      break;
    const Point &p = points[i];
    if (p.node.empty() || !tried.insert(p.node).second)
      continue;
    step("excluding " + p.node);
    Exclusion ex;
    ex.node = p.node;
    ex.tensor = p.name;
    ex.tensorSqnr = noise[i].sqnr();
    auto options = session.compileOptions(true, {p.node});
    auto graph = session.graph(options);
    if (!graph)
      return graph.takeError();
    auto model = session.load(**graph, options);
    if (!model)
      return model.takeError();
    if (auto err = runAll(
            **model, eval,
            [&](size_t b, llvm::ArrayRef<std::vector<float>> out) {
              compareOutput(ex.output, fp32Batches[b].data(), out[0].data(),
                            outSize, classes,
                            labels.empty() ? nullptr
                                           : labels.data() + b * eval.batch);
            }))
      return err;
    // Noticeable: 1 dB more output SQNR or 0.1 points more agreement,
    // without losing agreement.
    double dAgree = ex.output.agreement() - base.agreement();
    double dSqnr = ex.output.noise.sqnr() - base.noise.sqnr();
    ex.helps = dAgree >= 0 && (dAgree >= 0.1 || dSqnr >= 1.0);
    exclusions.push_back(std::move(ex));
  }

  // 6. The report, written to a temporary file and renamed into place.
  std::string text;
  llvm::raw_string_ostream os(text);
  bool withLabels = !labels.empty();
  std::string outputName = outInfo.name;
  os << "# int8 report: " << llvm::sys::path::filename(inputFile) << "\n\n";
  os << "- model: `" << inputFile << "`";
  if (!model.params.empty())
    os << " with `" << model.params << "`";
  os << "\n- dtype: " << dtype << ", backend: " << backend
     << ", quantize mode: " << quantizeFlags.mode << "\n";
  if (!calibData.empty())
    os << "- calibration: " << calibMode << " on "
       << (calibBatches ? std::to_string(calibBatches) : std::string("all"))
       << " batches of " << session.calibBatch << " from `" << calibData
       << "`\n";
  else
    os << "- calibration table: `" << calibTable << "`\n";
  os << "- evaluation: " << eval.batches << " batches of " << eval.batch << " ("
     << samples << " samples) from `" << evalSpec << "`";
  if (withLabels)
    os << ", labels `" << labelsFile << "`";
  os << "\n- excluded: "
     << (quantizeFlags.exclude.empty()
             ? std::string("none")
             : "`" + llvm::join(quantizeFlags.exclude, ",") + "`")
     << "\n\n";

  os << "## Final output\n\n";
  os << "| metric | value |\n|---|---|\n";
  os << "| output | `" << outputName << "` |\n";
  os << "| SQNR | " << dB(base.noise.sqnr()) << " dB |\n";
  os << "| cosine similarity | " << llvm::format("%.6f", base.cosine())
     << " |\n";
  os << "| max abs error | " << number(base.noise.maxAbs) << " |\n";
  os << "| top-1 agreement with fp32 | "
     << llvm::format("%.2f%% (%zu/%zu)", base.agreement(), base.agree,
                     base.rows)
     << " |\n";
  if (withLabels) {
    os << "| top-1 accuracy, fp32 | "
       << llvm::format("%.2f%% (%zu/%zu)", fp32Accuracy.accuracy(),
                       fp32Accuracy.correct, fp32Accuracy.rows)
       << " |\n";
    os << "| top-1 accuracy, int8 | "
       << llvm::format("%.2f%% (%zu/%zu)", base.accuracy(), base.correct,
                       base.rows)
       << " |\n";
  }

  os << "\n## Tensors, worst SQNR first\n\n";
  os << "SQNR = 10·log10(Σ fp32² / Σ (fp32 − int8)²) over all evaluation "
        "samples; the int8 value is the one the next layer reads "
        "(dequantized).\n\n";
  os << "| # | tensor | op | node | SQNR (dB) | max abs err | calibrated "
        "range |\n|---|---|---|---|---|---|---|\n";
  for (size_t rank = 0; rank < order.size(); ++rank) {
    const Point &p = points[order[rank]];
    const Noise &n = noise[order[rank]];
    os << "| " << rank + 1 << " | `" << p.name << "` | " << p.kind << " | "
       << (p.node.empty() ? std::string("-") : "`" + p.node + "`") << " | "
       << dB(n.sqnr()) << " | " << number(n.maxAbs) << " | ";
    if (const qcalib::TableEntry *entry = table->find(p.name))
      os << "[" << number(entry->min) << ", " << number(entry->max) << "]";
    else
      os << "-";
    os << " |\n";
  }

  os << "\n## Keeping the worst layers in fp32\n\n";
  os << "Each row recompiles int8 with one more node in `--exclude` and "
        "compares its final output with fp32 again.\n\n";
  os << "| exclude | tensor SQNR (dB) | output SQNR (dB) | Δ SQNR | "
        "agreement | Δ agreement |";
  if (withLabels)
    os << " accuracy | Δ accuracy |";
  os << "\n|---|---|---|---|---|---|";
  if (withLabels)
    os << "---|---|";
  os << "\n| (none) | | " << dB(base.noise.sqnr()) << " | | "
     << llvm::format("%.2f%%", base.agreement()) << " | |";
  if (withLabels)
    os << " " << llvm::format("%.2f%%", base.accuracy()) << " | |";
  os << "\n";
  for (const Exclusion &ex : exclusions) {
    os << "| `" << ex.node << "` | " << dB(ex.tensorSqnr) << " | "
       << dB(ex.output.noise.sqnr()) << " | "
       << signedText(ex.output.noise.sqnr() - base.noise.sqnr(), 1) << " | "
       << llvm::format("%.2f%%", ex.output.agreement()) << " | "
       << signedText(ex.output.agreement() - base.agreement(), 2) << " |";
    if (withLabels)
      os << " " << llvm::format("%.2f%%", ex.output.accuracy()) << " | "
         << signedText(ex.output.accuracy() - base.accuracy(), 2) << " |";
    os << "\n";
  }
  if (exclusions.empty())
    os << "\nNo quantized layer to exclude.\n";

  std::vector<std::string> suggested(quantizeFlags.exclude.begin(),
                                     quantizeFlags.exclude.end());
  for (const Exclusion &ex : exclusions)
    if (ex.helps)
      suggested.push_back(ex.node);
  os << "\n## Suggestion\n\n";
  if (suggested.size() == quantizeFlags.exclude.size())
    os << "No exclusion tried here improves the output noticeably (1 dB of "
          "SQNR or 0.1 points of agreement):\n\n";
  else
    os << "The exclusions that improved the output noticeably (1 dB of SQNR "
          "or 0.1 points of agreement, agreement not lower):\n\n";
  if (suggested.empty())
    os << "```\n(no --exclude)\n```\n";
  else
    os << "```\n--exclude=" << llvm::join(suggested, ",") << "\n```\n";

  llvm::SmallString<128> temp;
  int fd;
  if (auto ec =
          llvm::sys::fs::createUniqueFile(outputFile + ".%%%%%%.tmp", fd, temp))
    return makeError("cannot write " + outputFile + ": " + ec.message());
  {
    llvm::raw_fd_ostream file(fd, /*shouldClose=*/true);
    file << text;
    file.close();
    if (file.has_error()) {
      llvm::sys::fs::remove(temp);
      return makeError("cannot write " + outputFile + ": " +
                       file.error().message());
    }
  }
  if (auto ec = llvm::sys::fs::rename(temp, outputFile)) {
    llvm::sys::fs::remove(temp);
    return makeError("cannot write " + outputFile + ": " + ec.message());
  }

  std::string worstName = order.empty() ? "-" : points[order[0]].name;
  summary = (llvm::Twine("q-report: wrote ") + outputFile + " (" +
             llvm::Twine(points.size()) + " tensors, worst " + worstName +
             " at " + (order.empty() ? "-" : dB(noise[order[0]].sqnr())) +
             " dB; output SQNR " + dB(base.noise.sqnr()) + " dB, agreement " +
             llvm::formatv("{0:F2}", base.agreement()) + "%)")
                .str();
  return llvm::Error::success();
}

} // namespace

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  cl::HideUnrelatedOptions({&category});
  cl::ParseCommandLineOptions(
      argc, argv,
      "q-report: compare an int8 build with fp32 layer by layer and write a "
      "Markdown report\n(SQNR per tensor, worst first; the effect of keeping "
      "each of the worst layers in fp32).\n");
  DialectRegistry registry;
  driver::registerDriverDialects(registry);
  MLIRContext context(registry);
  context.loadAllAvailableDialects();
  std::string summary;
  if (auto err = run(argv[0], context, summary))
    return driver::reportError(std::move(err), "q-report");
  llvm::outs() << summary << "\n";
  return 0;
}
