//===- q-calibrate.cpp - Calibration table from a model and data ----------===//
//
//   q-calibrate model-symbol.json --params=model-0000.params \
//               --input-shape=data:32,3,224,224 --data=images/ \
//               --mode=entropy -o calib.json
//
// Calibrates as q-compile does (driver::calibrate(): the fp32 model at the
// calibration batch, observed on exactly the tensors q-quantize will need
// ranges for, run in process on the data) and writes the table that
// `q-opt --q-calibrate=table=...` reads (docs/CALIBRATION.md).
//
//===----------------------------------------------------------------------===//

#include "QDialect/Driver/Calibrate.h"
#include "QDialect/Driver/Dataset.h"
#include "QDialect/Driver/Driver.h"
#include "QDialect/Tools/ToolDefaults.h"
#include "QDialect/Driver/Progress.h"

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
         cl::desc("naive (min/max), entropy (KL, MXNet >= 1.6), "
                  "percentile or mse (least squared error)"),
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
static cl::opt<unsigned> numBatches("batches",
                                    cl::desc("batches to run (default: all)"),
                                    cl::init(0), cl::cat(dataCategory));
static cl::opt<unsigned> batchSize(
    "batch-size",
    cl::desc("samples per batch (default: min(32, samples)); any batch "
             "works, whatever the model's: the last partial batch is padded "
             "and the padding is never observed"),
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
static driver::QuantizeFlags quantizeFlags(quantCategory);

namespace {

int fail(const llvm::Twine &message) {
  llvm::errs() << "q-calibrate: error: " << message << "\n";
  return 1;
}

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

  // Options first: a mistake should not cost a compile.
  driver::CalibrateOptions options;
  options.tool = "q-calibrate";
  calib::CollectOptions &collect = options.collect;
  auto parsedMode = calib::parseMode(mode, "--mode");
  if (!parsedMode)
    return driver::reportError(parsedMode.takeError(), "q-calibrate");
  collect.mode = *parsedMode;
  auto quantize = quantizeFlags.options(dtype);
  if (!quantize)
    return driver::reportError(quantize.takeError(), "q-calibrate");
  options.quantize = *quantize;
  collect.type = quantize->dtype == mlir::q::QuantDType::int8
                     ? qcalib::QuantizedType::Int8
                 : quantize->dtype == mlir::q::QuantDType::uint8
                     ? qcalib::QuantizedType::UInt8
                     : qcalib::QuantizedType::Auto;
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

  // The model, imported once; the data, checked against its inputs (sample
  // shapes do not depend on the batch).
  auto module = driver::importModel(context, model.importOptions(inputFile));
  if (!module)
    return driver::reportError(module.takeError(), "q-calibrate");
  auto inputs = driver::moduleInputs(**module);
  if (!inputs)
    return driver::reportError(inputs.takeError(), "q-calibrate");
  auto data = calib::Dataset::open(
      std::vector<std::string>(dataSpecs.begin(), dataSpecs.end()), *inputs,
      images);
  if (!data)
    return driver::reportError(data.takeError(), "q-calibrate");

  driver::StepTimer timer("q-calibrate", quiet ? driver::Verbosity::Quiet
                                               : driver::Verbosity::Normal);
  options.batchSize = batchSize;
  options.maxBatches = numBatches;
  options.shuffle = shuffle;
  options.seed = seed;
  options.numThreads = numThreads;
  options.keepTemps = keepTemps;
  size_t perBatch =
      batchSize ? batchSize
                : driver::defaultCalibrationBatch((*data)->numSamples());
  options.progress = [&](size_t done, size_t total) {
    timer.progress(done, total, perBatch);
  };
  timer.begin("calibrate");
  auto result = driver::calibrate(**module, **data, options);
  timer.end();
  if (!result)
    return driver::reportError(result.takeError(), "q-calibrate");
  if (auto err = qcalib::writeCalibrationTable(result->table, outputFile))
    return driver::reportError(std::move(err), "q-calibrate");

  const calib::DataPassTiming &passTiming = result->timing;
  if (timing)
    llvm::errs() << llvm::format(
        "q-calibrate: compile %.3f s; data pass %.3f s for %zu batches of "
        "%zu (data %.3f s, inference %.3f s, statistics %.3f s); "
        "thresholds %.3f s\n",
        result->compileSeconds, result->passSeconds, passTiming.batches,
        result->batchSize, passTiming.load, passTiming.run,
        passTiming.statistics, result->thresholdSeconds);
  if (!quiet) {
    calib::printSummary(result->summaries, llvm::outs());
    uint64_t skipped = 0;
    for (const auto &s : result->summaries)
      skipped += s.nonFinite.total();
    llvm::outs() << "q-calibrate: " << result->summaries.size() << " tensors, "
                 << result->batches << " batches of " << result->batchSize
                 << " (" << (*data)->describe() << "), mode " << mode
                 << ", dtype " << dtype;
    if (skipNonFinite)
      llvm::outs() << ", " << skipped << " non-finite values skipped";
    if (result->samplesLeft)
      llvm::outs() << ", " << result->samplesLeft << " samples not used";
    llvm::outs() << "; wrote " << outputFile << "\n";
  }
  return 0;
}
