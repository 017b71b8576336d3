//===- calibration_overhead.cpp - q-calibrate's data pass vs fp32 runs ----===//
//
//   q-bench-calibration-overhead [symbol.json] [--batches=10] [--batch=32]
//                                [--modes=naive,entropy]
//
// Compiles a model twice, in one process, with random weights: as q-compile
// does (fp32), and as q-calibrate does (fp32 with observation points on the
// tensors q-quantize needs). Runs the same random batches through both and
// prints the time of plain inference beside the time of q-calibrate's data
// pass (copy of the batch, inference, statistics of every observed tensor)
// and their ratio, per calibration mode. Compile times are printed apart.
// Plain runs are timed before and after the calibration passes; the faster
// is the baseline (the machine is shared).
//
//===----------------------------------------------------------------------===//

#include "QDialect/Driver/Calibrate.h"
#include "QDialect/Driver/Driver.h"

#include "mlir/IR/MLIRContext.h"
#include "llvm/ADT/ScopeExit.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/raw_ostream.h"

#include <chrono>
#include <cstring>
#include <thread>

using namespace mlir;
namespace driver = mlir::q::driver;
namespace calib = ::q::calibrate;
using Clock = std::chrono::steady_clock;

static double since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

static int fail(llvm::Error err) {
  return driver::reportError(std::move(err), "calibration_overhead");
}

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  std::string symbol =
      std::string(Q_SHARED_DIR) + "/models/resnet50_v1/resnet50_v1-symbol.json";
  size_t batches = 10, batch = 32;
  std::vector<std::string> modes{"naive", "entropy"};
  for (int i = 1; i < argc; ++i) {
    llvm::StringRef arg(argv[i]);
    if (arg.consume_front("--batches="))
      batches = std::stoul(arg.str());
    else if (arg.consume_front("--batch="))
      batch = std::stoul(arg.str());
    else if (arg.consume_front("--modes=")) {
      modes.clear();
      llvm::SmallVector<llvm::StringRef> parts;
      arg.split(parts, ',');
      for (llvm::StringRef p : parts)
        modes.push_back(p.str());
    } else
      symbol = arg.str();
  }

  DialectRegistry registry;
  driver::registerDriverDialects(registry);
  MLIRContext context(registry);
  context.loadAllAvailableDialects();
  driver::ImportOptions importOptions;
  importOptions.inputFile = symbol;
  importOptions.randomParamsSeed = 1;
  importOptions.inputShapes = {"data:" + std::to_string(batch) + ",3,224,224"};

  llvm::SmallString<128> tempDir;
  if (auto ec = llvm::sys::fs::createUniqueDirectory("q-bench", tempDir))
    return fail(llvm::errorCodeToError(ec));
  auto cleanup = llvm::make_scope_exit(
      [&] { llvm::sys::fs::remove_directories(tempDir); });

  // Plain fp32, as q-compile builds it.
  auto start = Clock::now();
  auto plain = driver::importModel(context, importOptions);
  if (!plain)
    return fail(plain.takeError());
  driver::CompileOptions compile;
  compile.modelName = "plain";
  if (auto err = driver::runPasses(**plain, [&](PassManager &pm) {
        driver::buildPipeline(pm, compile);
      }))
    return fail(std::move(err));
  driver::LinkOptions link;
  link.outputFile = (tempDir + "/libplain.so").str();
  if (auto linked = driver::emitLibrary(**plain, compile, link); !linked)
    return fail(linked.takeError());
  double plainCompile = since(start);

  // Instrumented, as q-calibrate builds it.
  start = Clock::now();
  auto observed = driver::importModel(context, importOptions);
  if (!observed)
    return fail(observed.takeError());
  driver::CompileOptions calibCompile;
  calibCompile.modelName = "calibration";
  calibCompile.fuseMode = "int8";
  if (auto err = driver::runPasses(**observed, [&](PassManager &pm) {
        driver::addGraphPasses(pm, calibCompile);
      }))
    return fail(std::move(err));
  auto targets = driver::calibrationTargets(**observed, {});
  if (!targets)
    return fail(targets.takeError());
  auto numOutputs = driver::addObservationPoints(**observed, *targets);
  if (!numOutputs)
    return fail(numOutputs.takeError());
  if (auto err = driver::runPasses(**observed, [&](PassManager &pm) {
        driver::addLoweringPasses(pm, calibCompile);
      }))
    return fail(std::move(err));
  link.outputFile = (tempDir + "/libcalibration.so").str();
  link.tool = "calibration_overhead";
  auto linkedObserved = driver::emitLibrary(**observed, calibCompile, link);
  if (!linkedObserved)
    return fail(linkedObserved.takeError());
  double calibCompileSeconds = since(start);

  std::string error;
  auto plainModel = ::q::driver::CompiledModel::load(
      (tempDir + "/libplain.so").str(), {}, error);
  auto calibModel = ::q::driver::CompiledModel::load(
      (tempDir + "/libcalibration.so").str(), {}, error);
  if (!plainModel || !calibModel) {
    llvm::errs() << "calibration_overhead: " << error << "\n";
    return 1;
  }

  // The batches: uniform [-1, 1), like q-run --random-inputs.
  size_t perBatch = size_t(plainModel->inputs()[0].numElements());
  std::vector<float> data(perBatch * batches);
  uint32_t state = 12345;
  for (float &v : data) {
    state = state * 1664525u + 1013904223u;
    v = float(state >> 8) / float(1u << 23) - 1.0f;
  }
  size_t observedBytes = 0;
  for (size_t i = *numOutputs; i < calibModel->outputs().size(); ++i)
    observedBytes += calibModel->outputs()[i].numBytes();

  llvm::outs() << "model " << symbol << ", " << batches << " batches of "
               << batch << ", " << std::thread::hardware_concurrency()
               << " threads\n"
               << targets->size() << " observed tensors, "
               << observedBytes / (1 << 20) << " MiB per batch; arena "
               << linkedObserved->arenaBytes / (1 << 20) << " MiB (plain "
               << "model: see q-compile)\n";
  llvm::outs() << llvm::format("compile: plain %.2f s, instrumented %.2f s "
                               "(not in the ratios)\n",
                               plainCompile, calibCompileSeconds);

  // Plain inference, one batch at a time, the input copied in as the data
  // pass copies it. The benchmark interleaves plain and instrumented
  // batches (plain batch b, then the data pass's batch b) so that both see
  // the same machine load.
  std::vector<char> plainIn(plainModel->inputs()[0].numBytes());
  std::vector<std::vector<char>> plainOuts;
  std::vector<void *> plainOut;
  for (const auto &t : plainModel->outputs()) {
    plainOuts.emplace_back(t.numBytes());
    plainOut.push_back(plainOuts.back().data());
  }
  auto runPlain = [&](size_t b) -> double {
    const void *inputs[] = {plainIn.data()};
    std::string runError;
    auto t0 = Clock::now();
    std::memcpy(plainIn.data(), data.data() + b * perBatch, plainIn.size());
    if (!plainModel->run(inputs, plainOut.data(), runError)) {
      llvm::errs() << runError << "\n";
      std::exit(1);
    }
    return since(t0);
  };
  runPlain(0); // warm-up

  for (const std::string &mode : modes) {
    calib::CollectOptions options;
    options.mode = mode == "naive"        ? calib::Mode::Naive
                   : mode == "percentile" ? calib::Mode::Percentile
                                          : calib::Mode::Entropy;
    auto fill = [&](size_t b, llvm::ArrayRef<void *> inputs) {
      std::memcpy(inputs[0], data.data() + b * perBatch,
                  perBatch * sizeof(float));
      return llvm::Error::success();
    };
    // Warm-up run of the instrumented library (not collected).
    {
      calib::StatisticsCollector warm(*targets, options);
      calib::DataPassTiming ignored;
      if (auto err = calib::runDataPass(*calibModel, *numOutputs, 1, fill, warm,
                                        ignored))
        return fail(std::move(err));
    }
    calib::StatisticsCollector stats(*targets, options);
    calib::DataPassTiming timing;
    double plain = runPlain(0);
    if (auto err = calib::runDataPass(*calibModel, *numOutputs, batches, fill,
                                      stats, timing, [&](size_t done) {
                                        if (done < batches)
                                          plain += runPlain(done);
                                      }))
      return fail(std::move(err));
    auto t0 = Clock::now();
    auto summaries = stats.finish();
    if (!summaries)
      return fail(summaries.takeError());
    double thresholds = since(t0);
    llvm::outs() << llvm::format(
        "%-10s fp32 inference %.3f s (%.2f images/s); data pass %.3f s "
        "(copy %.3f, inference %.3f, statistics %.3f); thresholds %.3f s\n",
        mode.c_str(), plain, double(batches * batch) / plain, timing.total(),
        timing.load, timing.run, timing.statistics, thresholds);
    llvm::outs() << llvm::format(
        "ratio %-10s %.3fx (data pass / fp32 inference; instrumented "
        "inference alone %.3fx, statistics %.3fx)\n",
        mode.c_str(), timing.total() / plain, timing.run / plain,
        timing.statistics / plain);
    llvm::outs().flush();
  }
  return 0;
}
