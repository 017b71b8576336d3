//===- BackendSelect.cpp - time each conv / fc with loops and oneDNN ------===//
//
// See include/QDialect/Conversion/BackendSelect.h. Both sides are timed as
// a compiled model runs them: the generated kernels through
// qrt_parallel_for (with planned layouts the channels-last kernel where it
// applies, else pack + compute on NCHW); oneDNN's int8 primitive on layouts
// of its choice, plus, without planned layouts, the reorders from and to
// NCHW that the runtime performs around it. Each time is the
// fastest call of a few interleaved rounds: on a shared machine a slower
// call was preempted.
//
//===----------------------------------------------------------------------===//

#include "QDialect/Conversion/BackendSelect.h"

#include "KernelJit.h"
#include "KernelSpec.h"
#include "OneDnnLayer.h"
#include "Timing.h"

#include "QDialect/IR/QDialect.h"
#include "QDialect/IR/TensorNames.h"
#include "qrt/parallel.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/ControlFlow/IR/ControlFlowOps.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/raw_ostream.h"

#include <oneapi/dnnl/dnnl.hpp>
#include <omp.h>

#include <algorithm>
#include <cstdio>
#include <map>
#include <random>

using namespace mlir;
using namespace mlir::q;
using namespace mlir::q::loops;

namespace {

llvm::Error makeError(const llvm::Twine &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), message);
}

//===----------------------------------------------------------------------===//
// Describing a layer
//===----------------------------------------------------------------------===//

const char *typeName(bool isSigned) { return isSigned ? "s8" : "u8"; }

const char *outName(OutType t) {
  switch (t) {
  case OutType::U8:
    return "u8";
  case OutType::S8:
    return "s8";
  case OutType::F32:
    return "f32";
  }
  return "?";
}

const char *actName(ActKind k) {
  switch (k) {
  case ActKind::None:
    return "";
  case ActKind::Relu:
    return " relu";
  case ActKind::Clip:
    return " clip";
  case ActKind::Leaky:
    return " leaky";
  }
  return "";
}

std::string describe(const Epilogue &e) {
  std::string s = actName(e.act.kind);
  if (e.hasSum)
    s += std::string(" +sum(") + typeName(e.sumSigned) + ")" +
         actName(e.postAct.kind);
  return s;
}

/// Everything that decides the time of a conv: the cost-file key.
std::string describe(const ConvSpec &c) {
  std::string s;
  llvm::raw_string_ostream os(s);
  os << "conv " << c.n << "x" << c.c << "x" << c.h << "x" << c.w << "->"
     << c.oc << " k" << c.kh << "x" << c.kw << " s" << c.sh << "x" << c.sw
     << " p" << c.pt << "," << c.pl << "," << c.pb << "," << c.pr;
  if (c.dh != 1 || c.dw != 1)
    os << " d" << c.dh << "x" << c.dw;
  if (c.groups != 1)
    os << " g" << c.groups;
  os << " " << typeName(c.srcSigned) << "->" << outName(c.epi.out)
     << describe(c.epi);
  return s;
}

std::string describe(const FcSpec &f) {
  return "fc " + std::to_string(f.n) + "x" + std::to_string(f.k) + "->" +
         std::to_string(f.o) + " " + typeName(f.srcSigned) + "->" +
         outName(f.epi.out) + describe(f.epi);
}

//===----------------------------------------------------------------------===//
// Timing
//===----------------------------------------------------------------------===//


std::vector<uint8_t> randomBytes(size_t n, std::mt19937 &rng) {
  std::vector<uint8_t> v(n);
  for (auto &b : v)
    b = static_cast<uint8_t>(rng());
  return v;
}

int64_t outBytes(const Epilogue &e) { return e.out == OutType::F32 ? 4 : 1; }

/// The generated kernels of one spec, JIT-compiled for one ISA.
struct LoopsRun {
  std::unique_ptr<KernelJit> jit;
  KernelFn pack = nullptr, kernel = nullptr;
  KernelInfo info;
  std::vector<uint8_t> input, sum, scratch, output;
  int threads = 0;

  void operator()() {
    void *packArgs[2] = {input.data(), scratch.data()};
    void *args[3];
    int n = 0;
    args[n++] = pack ? scratch.data() : input.data();
    if (!sum.empty())
      args[n++] = sum.data();
    args[n++] = output.data();
    if (pack) // channels-last kernels read the input themselves
      qrt_parallel_for(pack, packArgs, info.packTiles, threads);
    qrt_parallel_for(kernel, args, info.kernelTiles, threads);
  }
};

template <typename Spec, typename Build>
llvm::Expected<std::unique_ptr<LoopsRun>>
compileLoops(MLIRContext &ctx, const Spec &spec, Isa isa, Build build,
             int64_t inElems, int64_t outElems, int threads) {
  OwningOpRef<ModuleOp> module = ModuleOp::create(UnknownLoc::get(&ctx));
  FailureOr<KernelInfo> info = build(*module, "k", spec, {isa}, {}, true);
  if (failed(info))
    return makeError("kernel generation failed");
  auto run = std::make_unique<LoopsRun>();
  run->info = *info;
  std::string error;
  run->jit = KernelJit::create(*module, nullptr, error);
  if (!run->jit)
    return makeError("JIT: " + error);
  if (!info->pack.empty())
    run->pack = run->jit->lookup(info->pack);
  run->kernel = run->jit->lookup(info->kernel);
  if ((!run->pack && !info->pack.empty()) || !run->kernel)
    return makeError("JIT: kernel not found");
  std::mt19937 rng(7);
  run->input = randomBytes(inElems, rng);
  if (spec.epi.hasSum)
    run->sum = randomBytes(outElems, rng);
  run->scratch.assign(info->scratchBytes, 0);
  run->output.assign(outElems * outBytes(spec.epi), 0);
  run->threads = threads;
  return run;
}

/// Times both sides in interleaved rounds; microseconds.
template <typename A, typename B>
std::pair<double, double> timeBoth(A &loops, B &onednn) {
  // About 20 ms per side and round, 3..30 calls.
  loops();
  double start = nowSeconds();
  loops();
  double first = std::max(1e-7, nowSeconds() - start);
  int reps = std::clamp(static_cast<int>(0.02 / first), 3, 30);
  double tl = 1e30, td = 1e30;
  for (int round = 0; round < 3; ++round) {
    tl = std::min(tl, fastestCall(loops, reps));
    td = std::min(td, fastestCall(onednn, reps));
  }
  return {tl * 1e6, td * 1e6};
}

//===----------------------------------------------------------------------===//
// Cost file
//===----------------------------------------------------------------------===//

struct Costs {
  std::map<std::string, std::pair<double, double>> entries;
  bool dirty = false;
};

llvm::Error readCosts(llvm::StringRef path, Costs &costs) {
  if (path.empty() || !llvm::sys::fs::exists(path))
    return llvm::Error::success();
  auto buffer = llvm::MemoryBuffer::getFile(path);
  if (!buffer)
    return makeError(path + ": " + buffer.getError().message());
  auto parsed = llvm::json::parse((*buffer)->getBuffer());
  if (!parsed)
    return makeError(path + ": not JSON: " + llvm::toString(parsed.takeError()));
  auto *root = parsed->getAsObject();
  if (!root || root->getString("format") != "q-backend-costs")
    return makeError(path + ": not a q-backend-costs file");
  if (root->getInteger("version") != 1)
    return makeError(path + ": unsupported version (expected 1)");
  auto *entries = root->getObject("entries");
  if (!entries)
    return makeError(path + ": missing \"entries\"");
  for (auto &[key, value] : *entries) {
    auto *entry = value.getAsObject();
    auto loops = entry ? entry->getNumber("loops_us") : std::nullopt;
    auto onednn = entry ? entry->getNumber("onednn_us") : std::nullopt;
    if (!loops || !onednn || *loops <= 0 || *onednn <= 0)
      return makeError(path + ": entry \"" + key.str() +
                       "\" needs positive loops_us and onednn_us");
    costs.entries[key.str()] = {*loops, *onednn};
  }
  return llvm::Error::success();
}

llvm::Error writeCosts(llvm::StringRef path, const Costs &costs) {
  llvm::json::Object entries;
  for (const auto &[key, times] : costs.entries)
    entries[key] = llvm::json::Object{{"loops_us", times.first},
                                      {"onednn_us", times.second}};
  llvm::json::Object root{{"format", "q-backend-costs"},
                          {"version", 1},
                          {"entries", std::move(entries)}};
  std::error_code ec;
  // Write beside, then rename: an interrupted compile leaves the old file.
  std::string temp = (path + ".tmp").str();
  {
    llvm::raw_fd_ostream os(temp, ec);
    if (ec)
      return makeError(temp + ": " + ec.message());
    os << llvm::formatv("{0:2}", llvm::json::Value(std::move(root))) << "\n";
  }
  if ((ec = llvm::sys::fs::rename(temp, path)))
    return makeError(path + ": " + ec.message());
  return llvm::Error::success();
}

//===----------------------------------------------------------------------===//
// ISA
//===----------------------------------------------------------------------===//

/// The variant a library built with `isaOption` runs on this CPU.
llvm::Expected<Isa> hostVariant(llvm::StringRef isaOption) {
  SmallVector<Isa> isas;
  if (isaOption == "auto") {
    isas = {Isa::Avx512Vnni, Isa::AvxVnni, Isa::Avx2, Isa::Generic};
  } else {
    for (llvm::StringRef name : llvm::split(isaOption, ',')) {
      auto parsed = parseIsa(name.trim());
      if (!parsed)
        return makeError("unknown isa '" + name +
                         "' (avx512vnni, avxvnni, avx2, generic, auto)");
      isas.push_back(*parsed);
    }
  }
  int32_t host = qrt_cpu_isa();
  std::optional<Isa> best;
  for (Isa isa : isas)
    if (static_cast<int32_t>(isa) <= host &&
        (!best || static_cast<int32_t>(isa) > static_cast<int32_t>(*best)))
      best = isa;
  if (!best)
    return makeError("this CPU cannot run --isa=" + isaOption +
                     " kernels, so they cannot be timed here; give a cost "
                     "file measured on the target (--backend-costs) or "
                     "choose --backend=loops or --backend=onednn");
  return *best;
}

} // namespace

llvm::Expected<std::vector<BackendChoice>>
mlir::q::selectBackends(ModuleOp module, const BackendSelectOptions &options) {
  auto isa = hostVariant(options.isa);
  if (!isa && options.measure)
    return isa.takeError();
  Isa variant = isa ? *isa : Isa::Generic;
  if (!isa)
    llvm::consumeError(isa.takeError());
  Costs costs;
  if (auto err = readCosts(options.costFile, costs))
    return std::move(err);
  int threads = options.threads > 0 ? options.threads : omp_get_max_threads();
  std::string suffix = " | " + isaName(variant).str() + " | " +
                       std::to_string(threads) + " threads";

  // Kernels are compiled in a context of their own.
  DialectRegistry registry;
  KernelJit::registerDialects(registry);
  MLIRContext kernelContext(registry);
  kernelContext.loadDialect<LLVM::LLVMDialect, func::FuncDialect,
                            arith::ArithDialect, scf::SCFDialect,
                            vector::VectorDialect, math::MathDialect,
                            cf::ControlFlowDialect>();

  std::vector<BackendChoice> choices;
  llvm::StringSet<> measuredHere; // keys timed by this call
  SmallVector<Operation *> ops;
  module.walk([&](Operation *op) {
    if (llvm::isa<FusedConvOp, FusedFullyConnectedOp>(op))
      ops.push_back(op);
  });
  int previousThreads = omp_get_max_threads();
  omp_set_num_threads(threads);
  for (Operation *op : ops) {
    BackendChoice choice;
    choice.layer = tensorName(op->getResult(0));
    choice.backend = "onednn";
    std::optional<ConvSpec> conv;
    std::optional<FcSpec> fc;
    std::string why;
    if (failed(readKernelSpec(op, conv, fc, why))) {
      choice.shape = op->getName().stripDialect().str();
      choice.source = "loops cannot: " + why;
    } else {
      if (conv && options.channelsLast)
        conv->channelsLast = checkChannelsLast(*conv).empty();
      choice.shape = conv ? describe(*conv) : describe(*fc);
      // The avx2 kernels differ when the weights allow vpmaddubsw.
      bool maddubs =
          variant == Isa::Avx2 &&
          (conv ? weightPairsFitInt16(conv->weight, conv->oc,
                                      conv->c / conv->groups,
                                      conv->kh * conv->kw)
                : weightPairsFitInt16(fc->weight, fc->o, fc->k, 1));
      std::string key = choice.shape + (maddubs ? " | maddubs" : "") +
                        (conv && conv->channelsLast ? " | nhwc" : "") +
                        (options.channelsLast ? " | planned" : "") + suffix;
      auto known = costs.entries.find(key);
      if (known != costs.entries.end()) {
        std::tie(choice.loopsUs, choice.onednnUs) = known->second;
        choice.source = measuredHere.contains(key) ? "same as above"
                                                   : "cost file";
      } else if (!options.measure) {
        choice.source = "not in the cost file";
      } else {
        std::unique_ptr<OneDnnLayer> dnn;
        llvm::Expected<std::unique_ptr<LoopsRun>> loops =
            makeError("unreachable");
        try {
          if (conv) {
            dnn = OneDnnLayer::create(*conv);
            loops = compileLoops(kernelContext, *conv, variant,
                                 buildConvKernels,
                                 conv->n * conv->c * conv->h * conv->w,
                                 conv->n * conv->oc * conv->oh() * conv->ow(),
                                 threads);
          } else {
            dnn = OneDnnLayer::create(*fc);
            loops = compileLoops(kernelContext, *fc, variant, buildFcKernels,
                                 fc->n * fc->k, fc->n * fc->o, threads);
          }
        } catch (const dnnl::error &e) {
          llvm::consumeError(loops.takeError());
          omp_set_num_threads(previousThreads);
          return makeError(choice.layer + ": oneDNN: " + e.what());
        }
        if (!loops) {
          omp_set_num_threads(previousThreads);
          return makeError(choice.layer + ": " +
                           llvm::toString(loops.takeError()));
        }
        auto onednn = [&] {
          if (options.channelsLast)
            dnn->runPrimitive();
          else
            dnn->runWithReorders();
        };
        std::tie(choice.loopsUs, choice.onednnUs) = timeBoth(**loops, onednn);
        costs.entries[key] = {choice.loopsUs, choice.onednnUs};
        measuredHere.insert(key);
        costs.dirty = true;
        choice.source = "measured";
      }
      if (choice.loopsUs > 0 && choice.loopsUs < choice.onednnUs)
        choice.backend = "loops";
    }
    op->setAttr(kBackendAttr,
                StringAttr::get(op->getContext(), choice.backend));
    choices.push_back(std::move(choice));
  }
  omp_set_num_threads(previousThreads);
  if (costs.dirty && !options.costFile.empty())
    if (auto err = writeCosts(options.costFile, costs))
      return std::move(err);
  return choices;
}

std::string
mlir::q::formatBackendReport(const std::vector<BackendChoice> &choices) {
  size_t layerWidth = 5, shapeWidth = 5;
  for (const BackendChoice &c : choices) {
    layerWidth = std::max(layerWidth, c.layer.size());
    shapeWidth = std::max(shapeWidth, c.shape.size());
  }
  std::string text;
  llvm::raw_string_ostream os(text);
  auto us = [](double v) {
    return v > 0 ? llvm::formatv("{0:f1}", v).str() : std::string("-");
  };
  os << llvm::left_justify("layer", layerWidth) << "  "
     << llvm::left_justify("shape", shapeWidth) << "  "
     << llvm::right_justify("loops us", 10) << " "
     << llvm::right_justify("onednn us", 10) << "  backend  source\n";
  int loops = 0;
  double chosen = 0, onednnOnly = 0;
  bool allKnown = true;
  for (const BackendChoice &c : choices) {
    os << llvm::left_justify(c.layer, layerWidth) << "  "
       << llvm::left_justify(c.shape, shapeWidth) << "  "
       << llvm::right_justify(us(c.loopsUs), 10) << " "
       << llvm::right_justify(us(c.onednnUs), 10) << "  "
       << llvm::left_justify(c.backend, 7) << "  " << c.source << "\n";
    loops += c.backend == "loops";
    if (c.onednnUs > 0) {
      onednnOnly += c.onednnUs;
      chosen += c.backend == "loops" ? c.loopsUs : c.onednnUs;
    } else {
      allKnown = false;
    }
  }
  os << "# " << loops << " of " << choices.size() << " layers on loops";
  if (allKnown && chosen > 0)
    os << llvm::formatv("; timed layers {0:f1} us vs {1:f1} us all-oneDNN "
                        "({2:f2}x)",
                        chosen, onednnOnly, onednnOnly / chosen);
  os << "\n";
  return text;
}
