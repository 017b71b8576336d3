//===- Passes.h - graph passes of the q dialect ------------------*- C++ -*-===//

#ifndef QDIALECT_TRANSFORMS_PASSES_H
#define QDIALECT_TRANSFORMS_PASSES_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Quant/IR/Quant.h"
#include "mlir/Pass/Pass.h"
#include "mlir/Pass/PassOptions.h"

#include "QDialect/Calibration/Table.h"
#include "QDialect/Transforms/QuantizeOptions.h"

namespace mlir::q {

#define GEN_PASS_DECL
#include "QDialect/Transforms/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "QDialect/Transforms/Passes.h.inc"

/// Options of `--q-int8-pipeline`: those of q-quantize, plus the table.
struct Int8PipelineOptions
    : public PassPipelineOptions<Int8PipelineOptions> {
  Option<QuantDType> dtype{*this, "dtype",
                           llvm::cl::desc("int8, uint8 or auto"),
                           llvm::cl::init(QuantDType::auto_)};
  Option<std::string> calib{
      *this, "calib",
      llvm::cl::desc("calibration table (JSON); without it every range is "
                     "found at run time")};
  Option<bool> calibStrict{
      *this, "calib-strict",
      llvm::cl::desc("a table that lacks a tensor the module needs is an "
                     "error"),
      llvm::cl::init(false)};
  Option<bool> allowClipping{
      *this, "allow-clipping",
      llvm::cl::desc("a negative range quantized to uint8 is a warning, "
                     "not an error"),
      llvm::cl::init(false)};
  ListOption<std::string> exclude{
      *this, "exclude", llvm::cl::desc("node names to keep in fp32")};
  ListOption<std::string> excludeOps{
      *this, "exclude-ops", llvm::cl::desc("op kinds to keep in fp32")};
  Option<QuantizeMode> mode{*this, "mode", llvm::cl::desc("smart or full"),
                            llvm::cl::init(QuantizeMode::smart)};
  Option<WeightGranularity> granularity{
      *this, "granularity", llvm::cl::desc("channel or tensor"),
      llvm::cl::init(WeightGranularity::channel)};
  Option<int> weightBits{*this, "weight-bits",
                         llvm::cl::desc("bits of the int8 weights (2-8)"),
                         llvm::cl::init(8)};

  QuantizeOptions quantizeOptions() const;
};

/// q-quantize's pass options from the shared struct.
QQuantizeOptions toPassOptions(const QuantizeOptions &options);
std::unique_ptr<Pass> createQQuantize(const QuantizeOptions &options);

/// q-calibrate on a table already in memory (the driver's own
/// calibration); `source` names it in messages.
std::unique_ptr<Pass> createQCalibrate(qcalib::CalibrationTable table,
                                       std::string source, bool strict,
                                       bool allowClipping = false);

/// The int8 flow with `calibrate` (a q-calibrate pass, or null for ranges
/// found at run time): canonicalize, q-fuse{mode=int8}, q-quantize,
/// calibrate, q-fold-requantize, canonicalize.
void buildInt8Pipeline(OpPassManager &pm, const QuantizeOptions &quantize,
                       std::unique_ptr<Pass> calibrate);

/// Appends the int8 flow to `pm` (on a module).
void buildInt8Pipeline(OpPassManager &pm, const Int8PipelineOptions &options);

/// q-quantize's int8 weights for the f32 constant `weight`: MXNet's
/// symmetric rule at `weightBits` bits, one step per output channel (or one
/// per tensor), as `quant.scast` of an i8 constant `<weight>_quantize`
/// created after the weight's definition.
Value quantizeWeightConstant(OpBuilder &builder, Value weight, bool perTensor,
                             int weightBits);

/// Registers `--q-int8-pipeline`.
void registerQPipelines();

} // namespace mlir::q

#endif // QDIALECT_TRANSFORMS_PASSES_H
