//===- q-report.cpp - Layer-by-layer int8 vs fp32 report ------------------===//
//
//   q-report model-symbol.json --params=model-0000.params \
//            --input-shape=data:100,1,28,28 --dtype=auto \
//            --calib-data=train-images-idx3-ubyte.gz --calib-batches=5 \
//            --data=t10k-images-idx3-ubyte.gz --labels=t10k-labels.gz \
//            -o report.md
//
// Calibrates in process (driver::calibrate(), as q-compile does), compiles
// the fp32 graph and the int8 graph with every shared tensor returned as an
// extra result, runs both on the evaluation data and writes a Markdown
// report: how each judged output (every output, or --output) compares with
// fp32, the signal-to-quantization-noise ratio of every tensor, worst first,
// what keeping each of the worst layers in fp32 does to the outputs, and how
// the three calibration modes compare on the same data. A person reads it
// to choose q-compile's --calib-mode and --exclude.
//
//===----------------------------------------------------------------------===//

#include "Compare.h"

#include "QDialect/Calibration/Table.h"
#include "QDialect/Driver/Calibrate.h"
#include "QDialect/Driver/Dataset.h"
#include "QDialect/Driver/Driver.h"
#include "QDialect/Tools/ToolDefaults.h"

#include "mlir/IR/MLIRContext.h"
#include "llvm/ADT/ScopeExit.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>

using namespace qreport;
namespace cl = llvm::cl;

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
static cl::opt<std::string>
    calibMode("calib-mode", cl::desc("naive, entropy, percentile or mse"),
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
static cl::opt<std::string>
    outputName("output",
               cl::desc("judge only this model output (default: every output)"),
               cl::value_desc("NAME"), cl::cat(category));
static cl::opt<bool> compareModes(
    "compare-modes",
    cl::desc("with --calib-data: also calibrate with naive, percentile and "
             "entropy, compare the int8 outputs of each with fp32 and say "
             "which mode to use (default on)"),
    cl::init(true), cl::cat(category));
static cl::opt<bool> verbose("v", cl::desc("print the steps on stderr"),
                             cl::init(false), cl::cat(category));

namespace {

void step(const llvm::Twine &message) {
  if (verbose)
    llvm::errs() << "q-report: " << message << "\n";
}

/// One layer kept in fp32, and what that does to the judged outputs.
struct Exclusion {
  std::string node, tensor;
  double tensorSqnr = 0;
  std::vector<OutputStats> outputs;
  bool helps = false;
};

/// The int8 build calibrated with one mode.
struct ModeResult {
  calib::Mode mode = calib::Mode::Entropy;
  std::vector<OutputStats> outputs;
};

/// What the report says.
struct Findings {
  std::vector<Point> points;
  std::vector<Noise> noise;
  /// Indices into points, worst SQNR first.
  std::vector<size_t> order;
  std::vector<std::string> outputNames;
  /// Per judged output: int8 against fp32, and fp32 against itself (for its
  /// accuracy).
  std::vector<OutputStats> base, fp32;
  std::vector<Exclusion> exclusions;
  std::vector<ModeResult> modes;
  /// Index into modes of the one to use (the used one unless another is
  /// noticeably better); -1 when modes were not compared.
  int bestMode = -1;
  calib::Mode usedMode = calib::Mode::Entropy;
  size_t calibBatch = 0;
  std::string evalSpec;
};

/// Raw-input models (--input-mean / --input-std) read IDX bytes as 0..255.
calib::ImageOptions imageOptions() {
  calib::ImageOptions images;
  images.rawIdx = !model.inputMeans.empty() || !model.inputStds.empty();
  return images;
}

llvm::Expected<std::unique_ptr<calib::Dataset>>
openData(llvm::StringRef spec,
         const std::vector<::q::driver::TensorInfo> &inputs) {
  llvm::SmallVector<llvm::StringRef> specs;
  spec.split(specs, ',', -1, false);
  return calib::Dataset::open(
      std::vector<std::string>(specs.begin(), specs.end()), inputs,
      imageOptions());
}

/// The table of --calib-data calibrated with `mode`, in process.
llvm::Expected<qcalib::CalibrationTable>
calibrateWith(Session &session, calib::Mode mode, size_t *batchSize) {
  auto inputs = driver::moduleInputs(session.imported);
  if (!inputs)
    return inputs.takeError();
  auto data = openData(calibData, *inputs);
  if (!data)
    return data.takeError();
  driver::CalibrateOptions options;
  options.tool = "q-report";
  options.batchesFlag = "--calib-batches";
  options.collect.mode = mode;
  options.collect.type = session.quantize.dtype == mlir::q::QuantDType::int8
                             ? qcalib::QuantizedType::Int8
                         : session.quantize.dtype == mlir::q::QuantDType::uint8
                             ? qcalib::QuantizedType::UInt8
                             : qcalib::QuantizedType::Auto;
  options.quantize = session.quantize;
  options.batchSize = calibBatchSize;
  options.maxBatches = calibBatches;
  options.numThreads = numThreads;
  auto calibrated = driver::calibrate(session.imported, **data, options);
  if (!calibrated)
    return calibrated.takeError();
  if (batchSize)
    *batchSize = calibrated->batchSize;
  return std::move(calibrated->table);
}

/// The judged outputs: every output, or the one --output names.
llvm::Error chooseOutputs(const CompiledModel &fp32, unsigned numOutputs,
                          Reference &ref, Findings &findings) {
  std::vector<std::string> names;
  for (unsigned i = 0; i < numOutputs; ++i)
    names.push_back(fp32.outputs()[i].name);
  for (unsigned i = 0; i < numOutputs; ++i) {
    if (!outputName.empty() && names[i] != outputName)
      continue;
    const auto &info = fp32.outputs()[i];
    ref.judged.push_back(i);
    ref.classes.push_back(info.shape.empty() ? 1 : size_t(info.shape.back()));
    findings.outputNames.push_back(names[i]);
  }
  if (ref.judged.empty())
    return makeError("--output=" + outputName +
                     ": the model has no such output; its outputs: " +
                     llvm::join(names, ", "));
  return llvm::Error::success();
}

/// The evaluation data for `inputs`, checked against the labels.
llvm::Error openEvaluation(Evaluation &eval,
                           const std::vector<::q::driver::TensorInfo> &inputs,
                           const Findings &findings, const Reference &ref) {
  eval.inputs = inputs;
  auto data = openData(findings.evalSpec, eval.inputs);
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
  if (!ref.labels.empty() && ref.labels.size() < samples)
    return makeError("--labels: " + labelsFile + " holds " +
                     llvm::Twine(ref.labels.size()) + " labels for " +
                     llvm::Twine(samples) + " samples");
  return llvm::Error::success();
}

/// Builds fp32 and int8 with every shared tensor as an extra result, runs
/// both on the evaluation data, and fills the reference outputs, the
/// tensors' noise and the judged outputs' statistics.
llvm::Error observe(Session &session, Evaluation &eval, Reference &ref,
                    Findings &findings) {
  step("compiling the int8 and fp32 models");
  auto int8Options = session.compileOptions(true, {});
  auto fp32Options = session.compileOptions(false, {});
  auto fp32Graph = session.graph(fp32Options);
  if (!fp32Graph)
    return fp32Graph.takeError();
  auto int8Graph = session.graph(int8Options);
  if (!int8Graph)
    return int8Graph.takeError();
  std::vector<Point> &points = findings.points;
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
  unsigned numOutputs = *int8Outputs;
  if (auto err = chooseOutputs(**fp32Model, numOutputs, ref, findings))
    return err;
  if (auto err = openEvaluation(eval, (*fp32Model)->inputs(), findings, ref))
    return err;
  ref.batch = eval.batch;
  ref.batches.resize(eval.batches);

  // Both models run each batch in turn: the observed tensors of a whole
  // data set would not fit in memory.
  step("running fp32 and int8 on " + llvm::Twine(eval.batches) + " batches");
  findings.noise.assign(points.size(), Noise());
  Outputs fp32Out, int8Out;
  if (auto err = prepare(**fp32Model, fp32Out))
    return err;
  if (auto err = prepare(**int8Model, int8Out))
    return err;
  for (size_t b = 0; b < eval.batches; ++b) {
    if (auto err = eval.fill(b))
      return err;
    if (auto err = runBatch(**fp32Model, eval, fp32Out, b))
      return err;
    if (auto err = runBatch(**int8Model, eval, int8Out, b))
      return err;
    for (size_t j : ref.judged)
      ref.batches[b].push_back(fp32Out.data[j]);
    compareOutputs(findings.base, ref, b, int8Out.data);
    compareOutputs(findings.fp32, ref, b, fp32Out.data);
    for (size_t i = 0; i < points.size(); ++i) {
      const auto &r = fp32Out.data[numOutputs + i];
      const auto &q = int8Out.data[numOutputs + i];
      if (r.size() != q.size())
        return makeError("tensor '" + points[i].name +
                         "' has different sizes in fp32 and int8");
      findings.noise[i].add(r.data(), q.data(), r.size());
    }
  }
  findings.order.resize(points.size());
  for (size_t i = 0; i < points.size(); ++i)
    findings.order[i] = i;
  std::stable_sort(findings.order.begin(), findings.order.end(),
                   [&](size_t a, size_t b) {
                     return findings.noise[a].sqnr() < findings.noise[b].sqnr();
                   });
  return llvm::Error::success();
}

/// Keeps each of the --worst layers in fp32, one at a time.
llvm::Error tryExclusions(Session &session, Evaluation &eval,
                          const Reference &ref, Findings &findings) {
  llvm::StringSet<> tried;
  Score base = Score::of(findings.base);
  for (size_t i : findings.order) {
    if (findings.exclusions.size() >= worst)
      break;
    const Point &p = findings.points[i];
    if (p.node.empty() || !tried.insert(p.node).second)
      continue;
    step("excluding " + p.node);
    Exclusion ex;
    ex.node = p.node;
    ex.tensor = p.name;
    ex.tensorSqnr = findings.noise[i].sqnr();
    auto built = session.build(session.compileOptions(true, {p.node}));
    if (!built)
      return built.takeError();
    auto outputs = evaluate(**built, eval, ref);
    if (!outputs)
      return outputs.takeError();
    ex.outputs = std::move(*outputs);
    // Noticeable: 1 dB more output SQNR or 0.1 points more agreement,
    // without losing agreement.
    Score score = Score::of(ex.outputs);
    double dAgree = score.agreement - base.agreement;
    double dSqnr = score.sqnr - base.sqnr;
    ex.helps = dAgree >= 0 && (dAgree >= 0.1 || dSqnr >= 1.0);
    findings.exclusions.push_back(std::move(ex));
  }
  return llvm::Error::success();
}

/// Whether `a` is noticeably better than `b`: 0.1 points of accuracy (with
/// labels) or of agreement (when every judged output has several values a
/// row), else 0.5 dB of the worst output SQNR.
bool noticeablyBetter(const Score &a, const Score &b, bool labels,
                      bool classes) {
  if (labels && std::abs(a.accuracy - b.accuracy) >= 0.1)
    return a.accuracy > b.accuracy;
  if (classes && std::abs(a.agreement - b.agreement) >= 0.1)
    return a.agreement > b.agreement;
  return a.sqnr >= b.sqnr + 0.5;
}

/// Calibrates with naive, percentile and entropy and compares each int8
/// build's outputs with fp32; the used mode reuses the main run.
llvm::Error tryModes(Session &session, Evaluation &eval, const Reference &ref,
                     Findings &findings) {
  bool classes = llvm::all_of(ref.classes, [](size_t c) { return c > 1; });
  for (calib::Mode mode :
       {calib::Mode::Naive, calib::Mode::Percentile, calib::Mode::Entropy}) {
    ModeResult result;
    result.mode = mode;
    if (mode == findings.usedMode) {
      result.outputs = findings.base;
    } else {
      step(llvm::Twine("calibrating with ") + calib::modeName(mode));
      auto table = calibrateWith(session, mode, nullptr);
      if (!table)
        return table.takeError();
      Session variant = session;
      variant.calibration = std::move(*table);
      auto built = variant.build(variant.compileOptions(true, {}));
      session.libraries = variant.libraries;
      if (!built)
        return built.takeError();
      auto outputs = evaluate(**built, eval, ref);
      if (!outputs)
        return outputs.takeError();
      result.outputs = std::move(*outputs);
    }
    findings.modes.push_back(std::move(result));
  }
  int best = 0;
  for (int i = 0; i < int(findings.modes.size()); ++i)
    if (findings.modes[i].mode == findings.usedMode)
      best = i;
  for (int i = 0; i < int(findings.modes.size()); ++i)
    if (noticeablyBetter(Score::of(findings.modes[i].outputs),
                         Score::of(findings.modes[best].outputs),
                         !ref.labels.empty(), classes))
      best = i;
  findings.bestMode = best;
  return llvm::Error::success();
}

/// The "Final output" rows of one judged output.
void writeOutput(llvm::raw_ostream &os, const std::string &name,
                 const OutputStats &base, const OutputStats *fp32) {
  os << "| metric | value |\n|---|---|\n";
  os << "| output | `" << name << "` |\n";
  os << "| SQNR | " << dB(base.noise.sqnr()) << " dB |\n";
  os << "| cosine similarity | " << llvm::format("%.6f", base.cosine())
     << " |\n";
  os << "| max abs error | " << number(base.noise.maxAbs) << " |\n";
  os << "| top-1 agreement with fp32 | "
     << llvm::format("%.2f%% (%zu/%zu)", base.agreement(), base.agree,
                     base.rows)
     << " |\n";
  if (fp32) {
    os << "| top-1 accuracy, fp32 | "
       << llvm::format("%.2f%% (%zu/%zu)", fp32->accuracy(), fp32->correct,
                       fp32->rows)
       << " |\n";
    os << "| top-1 accuracy, int8 | "
       << llvm::format("%.2f%% (%zu/%zu)", base.accuracy(), base.correct,
                       base.rows)
       << " |\n";
  }
}

/// One row of the exclusion and mode tables: the worst output SQNR and
/// agreement over the judged outputs, their changes against `base`.
void writeScoreRow(llvm::raw_ostream &os, const Score &score, const Score &base,
                   bool labels) {
  os << dB(score.sqnr) << " | " << signedText(score.sqnr - base.sqnr, 1)
     << " | " << llvm::format("%.2f%%", score.agreement) << " | "
     << signedText(score.agreement - base.agreement, 2) << " |";
  if (labels)
    os << " " << llvm::format("%.2f%%", score.accuracy) << " | "
       << signedText(score.accuracy - base.accuracy, 2) << " |";
  os << "\n";
}

void writeTensors(llvm::raw_ostream &os, const Findings &f,
                  const qcalib::CalibrationTable &table) {
  os << "\n## Tensors, worst SQNR first\n\n";
  os << "SQNR = 10·log10(Σ fp32² / Σ (fp32 − int8)²) over all evaluation "
        "samples; the int8 value is the one the next layer reads "
        "(dequantized).\n\n";
  os << "| # | tensor | op | node | SQNR (dB) | max abs err | calibrated "
        "range |\n|---|---|---|---|---|---|---|\n";
  for (size_t rank = 0; rank < f.order.size(); ++rank) {
    const Point &p = f.points[f.order[rank]];
    const Noise &n = f.noise[f.order[rank]];
    os << "| " << rank + 1 << " | `" << p.name << "` | " << p.kind << " | "
       << (p.node.empty() ? std::string("-") : "`" + p.node + "`") << " | "
       << dB(n.sqnr()) << " | " << number(n.maxAbs) << " | ";
    if (const qcalib::TableEntry *entry = table.find(p.name))
      os << "[" << number(entry->min) << ", " << number(entry->max) << "]";
    else
      os << "-";
    os << " |\n";
  }
}

void writeExclusions(llvm::raw_ostream &os, const Findings &f, bool labels) {
  Score base = Score::of(f.base);
  os << "\n## Keeping the worst layers in fp32\n\n";
  os << "Each row recompiles int8 with one more node in `--exclude` and "
        "compares the outputs with fp32 again (the worst judged output).\n\n";
  os << "| exclude | tensor SQNR (dB) | output SQNR (dB) | Δ SQNR | "
        "agreement | Δ agreement |";
  if (labels)
    os << " accuracy | Δ accuracy |";
  os << "\n|---|---|---|---|---|---|";
  if (labels)
    os << "---|---|";
  os << "\n| (none) | | " << dB(base.sqnr) << " | | "
     << llvm::format("%.2f%%", base.agreement) << " | |";
  if (labels)
    os << " " << llvm::format("%.2f%%", base.accuracy) << " | |";
  os << "\n";
  for (const Exclusion &ex : f.exclusions) {
    os << "| `" << ex.node << "` | " << dB(ex.tensorSqnr) << " | ";
    writeScoreRow(os, Score::of(ex.outputs), base, labels);
  }
  if (f.exclusions.empty())
    os << "\nNo quantized layer to exclude.\n";
}

void writeModes(llvm::raw_ostream &os, const Findings &f, bool labels) {
  if (f.modes.empty())
    return;
  Score used = Score::of(f.base);
  os << "\n## Calibration modes\n\n";
  os << "Each row calibrates the same data with one `--calib-mode` (the "
        "other flags as given) and compares the int8 outputs with fp32 (the "
        "worst judged output); Δ is against the mode used above.\n\n";
  os << "| mode | output SQNR (dB) | Δ SQNR | agreement | Δ agreement |";
  if (labels)
    os << " accuracy | Δ accuracy |";
  os << "\n|---|---|---|---|---|";
  if (labels)
    os << "---|---|";
  os << "\n";
  for (size_t i = 0; i < f.modes.size(); ++i) {
    const ModeResult &m = f.modes[i];
    os << "| " << calib::modeName(m.mode)
       << (m.mode == f.usedMode ? " (used)" : "")
       << (int(i) == f.bestMode ? " **best**" : "") << " | ";
    writeScoreRow(os, Score::of(m.outputs), used, labels);
  }
}

void writeSuggestion(llvm::raw_ostream &os, const Findings &f) {
  os << "\n## Suggestion\n\n";
  Score base = Score::of(f.base);
  double bestExclusionGain = 0;
  for (const Exclusion &ex : f.exclusions)
    if (ex.helps)
      bestExclusionGain =
          std::max(bestExclusionGain, Score::of(ex.outputs).sqnr - base.sqnr);
  if (f.bestMode >= 0) {
    const ModeResult &best = f.modes[f.bestMode];
    if (best.mode == f.usedMode) {
      os << "Calibration: keep `--calib-mode=" << calib::modeName(f.usedMode)
         << "`; no other mode is noticeably better on this data.\n\n";
    } else {
      Score s = Score::of(best.outputs);
      os << "Calibration: use `--calib-mode=" << calib::modeName(best.mode)
         << "` (output SQNR " << dB(s.sqnr) << " dB instead of "
         << dB(base.sqnr) << ", agreement "
         << llvm::format("%.2f%%", s.agreement) << " instead of "
         << llvm::format("%.2f%%", base.agreement) << ")"
         << (s.sqnr - base.sqnr >= bestExclusionGain
                 ? "; this gains more than any exclusion below, so try it "
                   "first (the exclusions were measured with `" +
                       std::string(calib::modeName(f.usedMode)) + "`)"
                 : "")
         << ".\n\n";
    }
  }
  std::vector<std::string> suggested(quantizeFlags.exclude.begin(),
                                     quantizeFlags.exclude.end());
  for (const Exclusion &ex : f.exclusions)
    if (ex.helps)
      suggested.push_back(ex.node);
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
}

std::string markdown(const Findings &f, const Evaluation &eval,
                     const qcalib::CalibrationTable &table, bool labels) {
  std::string text;
  llvm::raw_string_ostream os(text);
  os << "# int8 report: " << llvm::sys::path::filename(inputFile) << "\n\n";
  os << "- model: `" << inputFile << "`";
  if (!model.params.empty())
    os << " with `" << model.params << "`";
  os << "\n- dtype: " << dtype << ", backend: " << backend
     << ", quantize mode: " << quantizeFlags.mode << "\n";
  if (!calibData.empty())
    os << "- calibration: " << calibMode << " on "
       << (calibBatches ? std::to_string(calibBatches) : std::string("all"))
       << " batches of " << f.calibBatch << " from `" << calibData << "`\n";
  else
    os << "- calibration table: `" << calibTable << "`\n";
  os << "- evaluation: " << eval.batches << " batches of " << eval.batch << " ("
     << eval.batches * eval.batch << " samples) from `" << f.evalSpec << "`";
  if (labels)
    os << ", labels `" << labelsFile << "`";
  os << "\n- excluded: "
     << (quantizeFlags.exclude.empty()
             ? std::string("none")
             : "`" + llvm::join(quantizeFlags.exclude, ",") + "`")
     << "\n\n";
  os << "## Final output" << (f.outputNames.size() > 1 ? "s" : "") << "\n";
  for (size_t j = 0; j < f.outputNames.size(); ++j) {
    os << "\n";
    writeOutput(os, f.outputNames[j], f.base[j],
                labels && j == 0 ? &f.fp32[j] : nullptr);
  }
  writeTensors(os, f, table);
  writeExclusions(os, f, labels);
  writeModes(os, f, labels);
  writeSuggestion(os, f);
  return text;
}

/// Writes `text` to a temporary file and renames it into place.
llvm::Error writeAtomically(const std::string &path, const std::string &text) {
  llvm::SmallString<128> temp;
  int fd;
  if (auto ec = llvm::sys::fs::createUniqueFile(path + ".%%%%%%.tmp", fd, temp))
    return makeError("cannot write " + path + ": " + ec.message());
  {
    llvm::raw_fd_ostream file(fd, /*shouldClose=*/true);
    file << text;
    file.close();
    if (file.has_error()) {
      llvm::sys::fs::remove(temp);
      return makeError("cannot write " + path + ": " + file.error().message());
    }
  }
  if (auto ec = llvm::sys::fs::rename(temp, path)) {
    llvm::sys::fs::remove(temp);
    return makeError("cannot write " + path + ": " + ec.message());
  }
  return llvm::Error::success();
}

/// The flags that do not need the model.
llvm::Error checkFlags(Session &session, calib::Mode &mode) {
  auto quantize = quantizeFlags.options(dtype);
  if (!quantize)
    return quantize.takeError();
  session.quantize = std::move(*quantize);
  if (backend != "onednn" && backend != "loops")
    return makeError("--backend=" + backend + ": expected onednn or loops");
  auto parsedMode = calib::parseMode(calibMode, "--calib-mode");
  if (!parsedMode)
    return parsedMode.takeError();
  mode = *parsedMode;
  if (calibData.empty() && calibTable.empty())
    return makeError("give --calib-data (or a --calib-table to read): the "
                     "report compares calibrated int8 with fp32");
  bool fromModule = driver::isModuleFile(inputFile);
  if (!fromModule &&
      model.params.empty() == !model.randomParams.getNumOccurrences())
    return makeError("give either --params or --random-params");
  if (evalData.empty() && calibData.empty())
    return makeError("give --data: the evaluation data (the default is the "
                     "calibration data)");
  return llvm::Error::success();
}

llvm::Error run(MLIRContext &context, std::string &summary) {
  Session session;
  session.numThreads = numThreads;
  session.backend = backend;
  session.verbose = verbose;
  Findings findings;
  if (auto err = checkFlags(session, findings.usedMode))
    return err;
  findings.evalSpec = evalData.empty() ? std::string(calibData) : evalData;
  Reference ref;
  if (!labelsFile.empty()) {
    auto read = readLabels(labelsFile);
    if (!read)
      return read.takeError();
    ref.labels = std::move(*read);
  }

  llvm::SmallString<128> tempDir;
  if (auto ec = llvm::sys::fs::createUniqueDirectory("q-report", tempDir))
    return makeError("cannot create a temporary folder: " + ec.message());
  auto cleanup =
      llvm::scope_exit([&] { llvm::sys::fs::remove_directories(tempDir); });
  session.tempDir = std::string(tempDir);

  auto imported = driver::importModel(context, model.importOptions(inputFile));
  if (!imported)
    return imported.takeError();
  session.imported = **imported;
  if (auto err = mlir::q::checkNodeNames(session.imported,
                                         session.quantize.exclude, "--exclude"))
    return err;

  // 1. Calibrate exactly as q-compile does, in process.
  if (!calibData.empty()) {
    step("calibrating");
    auto table =
        calibrateWith(session, findings.usedMode, &findings.calibBatch);
    if (!table)
      return table.takeError();
    if (!calibTable.empty())
      if (auto err = qcalib::writeCalibrationTable(*table, calibTable))
        return err;
    session.calibration = std::move(*table);
  } else {
    auto read = qcalib::readCalibrationTable(calibTable);
    if (!read)
      return read.takeError();
    session.calibration = std::move(*read);
  }

  // 2-5. Tensors and outputs, exclusions, calibration modes.
  Evaluation eval;
  if (auto err = observe(session, eval, ref, findings))
    return err;
  if (auto err = tryExclusions(session, eval, ref, findings))
    return err;
  if (!calibData.empty() && compareModes)
    if (auto err = tryModes(session, eval, ref, findings))
      return err;

  // 6. The report.
  if (auto err = writeAtomically(
          outputFile,
          markdown(findings, eval, *session.calibration, !ref.labels.empty())))
    return err;
  Score base = Score::of(findings.base);
  const auto &order = findings.order;
  std::string worstName = order.empty() ? "-" : findings.points[order[0]].name;
  summary =
      (llvm::Twine("q-report: wrote ") + outputFile + " (" +
       llvm::Twine(findings.points.size()) + " tensors, worst " + worstName +
       " at " + (order.empty() ? "-" : dB(findings.noise[order[0]].sqnr())) +
       " dB; output SQNR " + dB(base.sqnr) + " dB, agreement " +
       llvm::formatv("{0:F2}", base.agreement) + "%)")
          .str();
  if (findings.bestMode >= 0)
    summary += std::string("\nq-report: calibration: ") +
               (findings.modes[findings.bestMode].mode == findings.usedMode
                    ? "keep --calib-mode="
                    : "use --calib-mode=") +
               calib::modeName(findings.modes[findings.bestMode].mode);
  return llvm::Error::success();
}

} // namespace

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  cl::HideUnrelatedOptions({&category});
  mlir::q::setVersionPrinter("q-report");
  cl::ParseCommandLineOptions(
      argc, argv,
      "q-report: compare an int8 build with fp32 layer by layer and write a "
      "Markdown report\n(SQNR per tensor, worst first; the effect of keeping "
      "each of the worst layers in fp32;\nthe calibration modes compared).\n");
  DialectRegistry registry;
  driver::registerDriverDialects(registry);
  MLIRContext context(registry);
  mlir::q::setUpDiagnostics(context);
  context.loadAllAvailableDialects();
  std::string summary;
  if (auto err = run(context, summary))
    return driver::reportError(std::move(err), "q-report");
  llvm::outs() << summary << "\n";
  return 0;
}
