//===- q-calibrate.cpp - Calibration table from a model and data ----------===//
//
//   q-calibrate model-symbol.json --params=model-0000.params \
//               --input-shape=data:32,3,224,224 --data=images/ \
//               --mode=entropy -o calib.json
//
// Compiles the fp32 model (the lowering q-compile uses) with observation
// points on exactly the tensors q-quantize will need ranges for, runs it on
// the calibration data, collects statistics per tensor and writes the table
// that `q-opt --q-calibrate=table=...` reads (docs/CALIBRATION.md).
//
//===----------------------------------------------------------------------===//

#include "Data.h"

#include "QDialect/Driver/Calibrate.h"
#include "QDialect/Driver/Driver.h"
#include "QDialect/Tools/ToolDefaults.h"

#include "mlir/IR/MLIRContext.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/ADT/ScopeExit.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <chrono>
#include <numeric>
#include <random>
#include <thread>
#include <unistd.h>

using namespace mlir;
namespace driver = mlir::q::driver;
namespace cl = llvm::cl;
namespace calib = ::q::calibrate;

static cl::OptionCategory category("q-calibrate options");
static driver::ModelOptions model(category);
static cl::OptionCategory dataCategory("calibration data");
static cl::OptionCategory quantCategory("what gets quantized (as q-quantize)");

static cl::opt<std::string>
    inputFile(cl::Positional, cl::Required,
              cl::desc("<model-symbol.json | module.mlir>"), cl::cat(category));
static cl::opt<std::string>
    outputFile("o", cl::Required, cl::desc("the calibration table to write"),
               cl::value_desc("calib.json"), cl::cat(category));
static cl::opt<std::string>
    mode("mode",
         cl::desc("naive (min/max), entropy (KL, MXNet >= 1.6) or "
                  "percentile"),
         cl::init("entropy"), cl::cat(category));
static cl::opt<double>
    percentile("percentile",
               cl::desc("percentile mode: the share of |x| in range (0, 100]"),
               cl::init(99.99), cl::cat(category));
static cl::opt<bool> skipNonFinite(
    "skip-nonfinite",
    cl::desc("skip NaN and infinite values (counted in the summary) instead "
             "of failing"),
    cl::init(false), cl::cat(category));
static cl::opt<bool>
    quiet("quiet", cl::desc("no progress, no summary table, no warnings"),
          cl::init(false), cl::cat(category));
static cl::opt<bool> timing("timing",
                            cl::desc("print the time of each step on stderr"),
                            cl::init(false), cl::cat(category));
static cl::opt<unsigned>
    statThreads("stats-threads",
                cl::desc("threads updating the statistics (0: all cores)"),
                cl::init(0), cl::cat(category));
static cl::opt<int> numThreads("num-threads",
                               cl::desc("threads per model run (0: OpenMP "
                                        "default)"),
                               cl::init(0), cl::cat(category));
static cl::opt<bool> keepTemps("keep-temps",
                               cl::desc("keep the instrumented library"),
                               cl::init(false), cl::cat(category));

static cl::list<std::string> dataSpecs(
    "data",
    cl::desc(".npy files (samples along axis 0), folders of .npy or PNG/JPEG "
             "files, IDX image files (*-ubyte[.gz]); NAME:FILE for the input "
             "NAME of a model with several"),
    cl::value_desc("[NAME:]FILE,..."), cl::CommaSeparated,
    cl::cat(dataCategory));
static cl::opt<unsigned>
    numBatches("batches",
               cl::desc("batches to run (default: every full batch)"),
               cl::init(0), cl::cat(dataCategory));
static cl::opt<unsigned> batchSize(
    "batch-size",
    cl::desc("samples per batch (default: the model's batch; sets the first "
             "dim of --input-shape)"),
    cl::init(0), cl::cat(dataCategory));
static cl::opt<bool> shuffle("shuffle",
                             cl::desc("draw the samples in random order"),
                             cl::init(false), cl::cat(dataCategory));
static cl::opt<unsigned> seed("seed", cl::desc("seed of --shuffle"),
                              cl::init(0), cl::cat(dataCategory));
static cl::opt<unsigned>
    resize("resize", cl::desc("images: resize the shorter side to N pixels"),
           cl::init(0), cl::cat(dataCategory));
static cl::opt<std::string> centerCrop("center-crop",
                                       cl::desc("images: centre crop to HxW"),
                                       cl::value_desc("HxW"),
                                       cl::cat(dataCategory));
static cl::list<float>
    mean("mean", cl::desc("images: per-channel mean of 0..255 values"),
         cl::value_desc("r,g,b"), cl::CommaSeparated, cl::cat(dataCategory));
static cl::list<float> stdDev("std",
                              cl::desc("images: per-channel standard "
                                       "deviation of 0..255 values"),
                              cl::value_desc("r,g,b"), cl::CommaSeparated,
                              cl::cat(dataCategory));

static cl::opt<bool> idxRaw(
    "idx-raw",
    cl::desc("IDX images as their 0..255 values for f32 inputs, not scaled "
             "to [0, 1] (the default with --input-mean/--input-std, whose "
             "graph normalizes raw values itself)"),
    cl::init(false), cl::cat(dataCategory));

static cl::opt<std::string>
    dtype("dtype",
          cl::desc("quantized type: int8, uint8 or auto (uint8 where the "
                   "minimum is >= 0); entropy uses 511 bins for non-negative "
                   "tensors under uint8/auto"),
          cl::init("auto"), cl::cat(quantCategory));
static cl::list<std::string> exclude("exclude",
                                     cl::desc("node names to keep in fp32"),
                                     cl::value_desc("a,b,..."),
                                     cl::CommaSeparated,
                                     cl::cat(quantCategory));
static cl::list<std::string>
    excludeOps("exclude-ops",
               cl::desc("op kinds to keep in fp32: conv, fc, pooling, "
                        "flatten, reshape, concat, act, add"),
               cl::value_desc("kind,..."), cl::CommaSeparated,
               cl::cat(quantCategory));
static cl::opt<std::string>
    quantizeMode("quantize-mode",
                 cl::desc("smart (support ops between quantized layers) or "
                          "full"),
                 cl::init("smart"), cl::cat(quantCategory));

namespace {

int fail(const llvm::Twine &message) {
  llvm::errs() << "q-calibrate: error: " << message << "\n";
  return 1;
}

double since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
      .count();
}

/// Progress on stderr, only for a person watching a terminal.
class Progress {
public:
  Progress(size_t total, size_t batchSize)
      : total(total), batchSize(batchSize), enabled(!quiet && ::isatty(2)),
        start(std::chrono::steady_clock::now()) {}
  void update(size_t done) {
    if (!enabled)
      return;
    double elapsed = since(start);
    double rate = elapsed > 0 ? double(done * batchSize) / elapsed : 0;
    double eta = done ? elapsed / double(done) * double(total - done) : 0;
    llvm::errs() << llvm::format(
        "\rq-calibrate: batch %zu/%zu, %.1f images/s, ETA %.0f s   ", done,
        total, rate, eta);
    llvm::errs().flush();
  }
  void finish() {
    if (enabled)
      llvm::errs() << "\n";
  }

private:
  size_t total, batchSize;
  bool enabled;
  std::chrono::steady_clock::time_point start;
};

} // namespace

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  cl::HideUnrelatedOptions({&category, &dataCategory, &quantCategory});
  mlir::q::setVersionPrinter("q-calibrate");
  cl::ParseCommandLineOptions(
      argc, argv,
      "q-calibrate: run an fp32 model on calibration data and write the "
      "table of ranges\nthat q-quantize's int8 graph needs "
      "(docs/CALIBRATION.md).\n");
  auto started = std::chrono::steady_clock::now();

  // Options first: a mistake should not cost a compile.
  calib::CollectOptions collect;
  if (mode == "naive")
    collect.mode = calib::Mode::Naive;
  else if (mode == "entropy")
    collect.mode = calib::Mode::Entropy;
  else if (mode == "percentile")
    collect.mode = calib::Mode::Percentile;
  else
    return fail("--mode=" + mode + ": expected naive, entropy or percentile");
  if (dtype == "int8")
    collect.type = qcalib::QuantizedType::Int8;
  else if (dtype == "uint8")
    collect.type = qcalib::QuantizedType::UInt8;
  else if (dtype == "auto")
    collect.type = qcalib::QuantizedType::Auto;
  else
    return fail("--dtype=" + dtype + ": expected int8, uint8 or auto");
  if (quantizeMode != "smart" && quantizeMode != "full")
    return fail("--quantize-mode=" + quantizeMode + ": expected smart or full");
  if (!(percentile > 0 && percentile <= 100))
    return fail("--percentile must be in (0, 100]");
  collect.percentile = percentile;
  collect.skipNonFinite = skipNonFinite;
  collect.threads = statThreads;
  if (dataSpecs.empty())
    return fail("no calibration data: give --data=FILE[,FILE...]");
  calib::ImageOptions images;
  images.resize = int(resize);
  if (!centerCrop.empty()) {
    auto [h, w] = llvm::StringRef(centerCrop).split('x');
    if (h.getAsInteger(10, images.cropHeight) ||
        w.getAsInteger(10, images.cropWidth) || images.cropHeight <= 0 ||
        images.cropWidth <= 0)
      return fail("--center-crop=" + centerCrop + ": expected HxW, e.g. " +
                  "224x224");
  }
  images.mean.assign(mean.begin(), mean.end());
  images.std.assign(stdDev.begin(), stdDev.end());
  images.rawIdx =
      idxRaw || !model.inputMeans.empty() || !model.inputStds.empty();
  for (auto *values : {&images.mean, &images.std})
    if (values->size() > 3)
      return fail("--mean/--std take one value or one per channel (r,g,b)");

  DialectRegistry registry;
  driver::registerDriverDialects(registry);
  MLIRContext context(registry);
  mlir::q::setUpDiagnostics(context, /*warnings=*/!quiet);
  context.loadAllAvailableDialects();

  // The fp32 graph that will be quantized: imported, canonicalized and
  // fused with the int8 rules.
  driver::ImportOptions importOptions = model.importOptions(inputFile);
  bool fromModule = driver::isModuleFile(inputFile);
  if (batchSize && !fromModule)
    importOptions.batchSize = batchSize;
  auto module = driver::importModel(context, importOptions);
  if (!module)
    return driver::reportError(module.takeError(), "q-calibrate");

  driver::CompileOptions compile;
  compile.modelName = "calibration";
  compile.numThreads = numThreads;
  compile.fuseMode = "int8";
  if (auto err = driver::runPasses(**module, [&](PassManager &pm) {
        driver::addGraphPasses(pm, compile);
      }))
    return driver::reportError(std::move(err), "q-calibrate");

  driver::QuantizeSelection selection;
  selection.dtype = dtype;
  selection.exclude.assign(exclude.begin(), exclude.end());
  selection.excludeOps.assign(excludeOps.begin(), excludeOps.end());
  selection.mode = quantizeMode;
  auto targets =
      driver::calibrationTargets(**module, selection, &collect.tensorTypes);
  if (!targets)
    return driver::reportError(targets.takeError(), "q-calibrate");
  if (targets->empty())
    return fail(inputFile + ": nothing to calibrate: the quantized graph has "
                            "no quantize or requantize op");
  auto modelOutputs = driver::addObservationPoints(**module, *targets);
  if (!modelOutputs)
    return driver::reportError(modelOutputs.takeError(), "q-calibrate");

  // The instrumented fp32 library, in a temporary folder.
  llvm::SmallString<128> tempDir;
  if (auto ec = llvm::sys::fs::createUniqueDirectory("q-calibrate", tempDir))
    return fail("cannot create a temporary folder: " + ec.message());
  auto cleanup = llvm::make_scope_exit([&] {
    if (keepTemps)
      llvm::errs() << "q-calibrate: instrumented library kept in " << tempDir
                   << "\n";
    else
      llvm::sys::fs::remove_directories(tempDir);
  });
  std::string library = (tempDir + "/libcalibration.so").str();
  if (auto err = driver::runPasses(**module, [&](PassManager &pm) {
        driver::addLoweringPasses(pm, compile);
      }))
    return driver::reportError(std::move(err), "q-calibrate");
  driver::LinkOptions link;
  link.outputFile = library;
  link.tool = "q-calibrate";
  if (auto linked = driver::emitLibrary(**module, compile, link); !linked)
    return driver::reportError(linked.takeError(), "q-calibrate");
  double compileSeconds = since(started);

  std::string error;
  ::q::driver::LoadOptions loadOptions;
  loadOptions.numThreads = numThreads;
  loadOptions.tool = "q-calibrate";
  auto model = ::q::driver::CompiledModel::load(library, loadOptions, error);
  if (!model)
    return fail(error);
  const auto &inputs = model->inputs();
  if (fromModule && batchSize)
    for (const auto &input : inputs)
      if (input.shape.empty() || input.shape[0] != int64_t(batchSize))
        return fail("--batch-size=" + llvm::Twine(batchSize) + ": " +
                    inputFile + " has input '" + input.name + "' with batch " +
                    llvm::Twine(input.shape.empty() ? 0 : input.shape[0]) +
                    "; a module's batch is fixed");

  auto data = calib::Dataset::open(
      std::vector<std::string>(dataSpecs.begin(), dataSpecs.end()), inputs,
      images);
  if (!data)
    return driver::reportError(data.takeError(), "q-calibrate");
  size_t batch = size_t(inputs[0].shape[0]);
  size_t samples = (*data)->numSamples();
  size_t available = samples / batch;
  if (!available)
    return fail("not enough data: " + llvm::Twine(samples) +
                " samples, fewer than one batch of " + llvm::Twine(batch));
  size_t batches = available;
  if (numBatches) {
    if (numBatches > available)
      llvm::errs() << "q-calibrate: warning: --batches=" << numBatches
                   << " but the data holds " << available << " batches of "
                   << batch << "; using " << available << "\n";
    else
      batches = numBatches;
  }
  std::vector<size_t> order(samples);
  std::iota(order.begin(), order.end(), 0);
  if (shuffle)
    std::shuffle(order.begin(), order.end(), std::mt19937_64(seed));

  // One batch's samples, read by several threads (decoding images is the
  // slow part of the data path).
  std::vector<size_t> sampleBytes;
  for (const auto &input : inputs)
    sampleBytes.push_back(input.numBytes() / batch);
  unsigned readers =
      std::max(1u, std::min<unsigned>(std::thread::hardware_concurrency(),
                                      unsigned(batch)));
  auto fill = [&](size_t b, llvm::ArrayRef<void *> buffers) -> llvm::Error {
    std::vector<std::string> errors(batch);
    auto read = [&](unsigned worker) {
      for (size_t j = worker; j < batch; j += readers)
        for (size_t i = 0; i < inputs.size(); ++i)
          if (auto err = (*data)->readSample(i, order[b * batch + j],
                                             static_cast<char *>(buffers[i]) +
                                                 j * sampleBytes[i])) {
            errors[j] = llvm::toString(std::move(err));
            break;
          }
    };
    std::vector<std::thread> pool;
    for (unsigned t = 1; t < readers; ++t)
      pool.emplace_back(read, t);
    read(0);
    for (std::thread &t : pool)
      t.join();
    for (const std::string &e : errors)
      if (!e.empty())
        return llvm::createStringError(llvm::inconvertibleErrorCode(), e);
    return llvm::Error::success();
  };

  calib::StatisticsCollector stats(*targets, collect);
  calib::DataPassTiming passTiming;
  Progress progress(batches, batch);
  auto passStart = std::chrono::steady_clock::now();
  llvm::Error passError = calib::runDataPass(
      *model, *modelOutputs, batches, fill, stats, passTiming,
      [&](size_t done) { progress.update(done); });
  progress.finish();
  if (passError)
    return driver::reportError(std::move(passError), "q-calibrate");
  double passSeconds = since(passStart);

  auto thresholdStart = std::chrono::steady_clock::now();
  auto summaries = stats.finish();
  if (!summaries)
    return driver::reportError(summaries.takeError(), "q-calibrate");
  double thresholdSeconds = since(thresholdStart);
  if (auto err =
          qcalib::writeCalibrationTable(stats.table(*summaries), outputFile))
    return driver::reportError(std::move(err), "q-calibrate");

  if (timing)
    llvm::errs() << llvm::format(
        "q-calibrate: compile %.3f s; data pass %.3f s for %zu batches of "
        "%zu (data %.3f s, inference %.3f s, statistics %.3f s); "
        "thresholds %.3f s\n",
        compileSeconds, passSeconds, passTiming.batches, batch, passTiming.load,
        passTiming.run, passTiming.statistics, thresholdSeconds);
  if (!quiet) {
    calib::printSummary(*summaries, llvm::outs());
    uint64_t skipped = 0;
    for (const auto &s : *summaries)
      skipped += s.nonFinite.total();
    llvm::outs() << "q-calibrate: " << summaries->size() << " tensors, "
                 << batches << " batches of " << batch << " ("
                 << (*data)->describe() << "), mode " << mode << ", dtype "
                 << dtype;
    if (skipNonFinite)
      llvm::outs() << ", " << skipped << " non-finite values skipped";
    if (samples > batches * batch)
      llvm::outs() << ", " << samples - batches * batch << " samples not used";
    llvm::outs() << "; wrote " << outputFile << "\n";
  }
  return 0;
}
