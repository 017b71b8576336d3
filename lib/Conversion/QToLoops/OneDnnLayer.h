//===- OneDnnLayer.h - oneDNN's int8 primitive for a kernel spec -*- C++ -*-===//
//
// What the generated kernels are measured against (q-compile --backend=auto
// and bench/loops_vs_onednn): oneDNN's int8 convolution or inner product
// for a ConvSpec / FcSpec, on layouts of its choice, with the same
// epilogue (per-channel output scales, eltwise post-ops, sum). The runtime
// keeps activations in NCHW between ops, so runWithReorders() adds the
// reorders from and to NCHW (and of the sum operand) that a compiled model
// performs around the primitive; runPrimitive() is the primitive alone.
// Errors are oneDNN's exceptions (dnnl::error).
//
//===----------------------------------------------------------------------===//

#ifndef QTOLOOPS_ONEDNNLAYER_H
#define QTOLOOPS_ONEDNNLAYER_H

#include "KernelSpec.h"

#include <memory>
#include <string>

namespace mlir::q::loops {

class OneDnnLayer {
public:
  static std::unique_ptr<OneDnnLayer> create(const ConvSpec &spec);
  static std::unique_ptr<OneDnnLayer> create(const FcSpec &spec);
  ~OneDnnLayer();

  void runPrimitive();
  void runWithReorders();
  /// oneDNN's implementation name (e.g. brgconv:avx512_core_vnni).
  const std::string &implementation() const;
  /// Whether runWithReorders() reorders anything.
  bool reorders() const;

  class Impl;

private:
  explicit OneDnnLayer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl;
};

} // namespace mlir::q::loops

#endif // QTOLOOPS_ONEDNNLAYER_H
