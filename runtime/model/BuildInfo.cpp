//===- BuildInfo.cpp - What q_model_info reports --------------------------===//
//
// The manifest says how the model was compiled (dtype, backend, the
// variants of the generated kernels); what it runs with is only known when
// the library loads: the variant the kernels' dispatchers pick by cpuid
// (qrt_cpu_isa, capped by QRT_MAX_ISA) and the ISA oneDNN's JIT uses.
//
//===----------------------------------------------------------------------===//

#include "Manifest.h"

#include "qrt/parallel.h"

#include <oneapi/dnnl/dnnl.h>

namespace q {
namespace model {

namespace {

int isaRank(const std::string &name) {
  if (name == "avx512vnni")
    return QRT_ISA_AVX512VNNI;
  if (name == "avxvnni")
    return QRT_ISA_AVXVNNI;
  if (name == "avx2")
    return QRT_ISA_AVX2;
  return QRT_ISA_GENERIC;
}

/// The variant each dispatcher calls: the best one the CPU runs, else the
/// last (the dispatchers' own rule, lib/Conversion/QToLoops/Lowering.cpp).
std::string pickedIsa(const std::vector<std::string> &variants) {
  if (variants.empty())
    return "none";
  const int host = qrt_cpu_isa();
  for (const std::string &variant : variants)
    if (isaRank(variant) <= host)
      return variant;
  return variants.back();
}

const char *onednnIsa() {
  switch (dnnl_get_effective_cpu_isa()) {
  case dnnl_cpu_isa_sse41:
    return "sse41";
  case dnnl_cpu_isa_avx:
    return "avx";
  case dnnl_cpu_isa_avx2:
    return "avx2";
  case dnnl_cpu_isa_avx2_vnni:
    return "avx2_vnni";
  case dnnl_cpu_isa_avx512_core:
    return "avx512_core";
  case dnnl_cpu_isa_avx512_core_vnni:
    return "avx512_core_vnni";
  case dnnl_cpu_isa_avx512_core_bf16:
    return "avx512_core_bf16";
  case dnnl_cpu_isa_avx512_core_amx:
    return "avx512_core_amx";
  default:
    return "other";
  }
}

std::string orUnknown(const std::string &text) {
  return text.empty() ? "unknown" : text;
}

} // namespace

std::map<std::string, std::string> describeBuild(const Manifest &manifest) {
  const BuildInfo &build = manifest.build;
  std::string variants;
  for (const std::string &isa : build.kernelIsas)
    variants += (variants.empty() ? "" : ",") + isa;
  const bool recorded = !build.dtype.empty();
  return {
      {"q_version", orUnknown(build.qVersion)},
      {"dtype", orUnknown(build.dtype)},
      {"backend", orUnknown(build.backend)},
      {"loops_layers",
       recorded ? std::to_string(build.loopsLayers) : "unknown"},
      {"onednn_layers",
       recorded ? std::to_string(build.onednnLayers) : "unknown"},
      {"kernel_isas", variants},
      {"isa", recorded ? pickedIsa(build.kernelIsas) : "unknown"},
      {"onednn_isa", onednnIsa()},
  };
}

} // namespace model
} // namespace q
