//===- Pipelines.cpp - The int8 flow as one registered pipeline -----------===//
//
// `--q-int8-pipeline` for q-opt, and the same sequence for the driver
// (q-compile), which may hand it a calibration table already in memory.
//
//===----------------------------------------------------------------------===//

#include "QDialect/Transforms/Passes.h"

#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;

mlir::q::QuantizeOptions mlir::q::Int8PipelineOptions::quantizeOptions() const {
  QuantizeOptions options;
  options.dtype = dtype;
  options.mode = mode;
  options.granularity = granularity;
  options.exclude.assign(exclude.begin(), exclude.end());
  options.excludeOps.assign(excludeOps.begin(), excludeOps.end());
  options.weightBits = weightBits;
  return options;
}

mlir::q::QQuantizeOptions
mlir::q::toPassOptions(const QuantizeOptions &options) {
  QQuantizeOptions pass;
  pass.dtype = options.dtype;
  pass.mode = options.mode;
  pass.granularity = options.granularity;
  pass.exclude.assign(options.exclude.begin(), options.exclude.end());
  pass.excludeOps.assign(options.excludeOps.begin(), options.excludeOps.end());
  pass.weightBits = options.weightBits;
  return pass;
}

std::unique_ptr<Pass> mlir::q::createQQuantize(const QuantizeOptions &options) {
  return createQQuantize(toPassOptions(options));
}

void mlir::q::buildInt8Pipeline(OpPassManager &pm,
                                const QuantizeOptions &quantize,
                                std::unique_ptr<Pass> calibrate) {
  pm.addPass(createCanonicalizerPass());
  pm.addNestedPass<func::FuncOp>(createQFuse(QFuseOptions{"int8"}));
  pm.addPass(createQQuantize(quantize));
  if (calibrate)
    pm.addPass(std::move(calibrate));
  pm.addNestedPass<func::FuncOp>(createQFoldRequantize());
  pm.addPass(createCanonicalizerPass());
}

void mlir::q::buildInt8Pipeline(OpPassManager &pm,
                                const Int8PipelineOptions &options) {
  std::unique_ptr<Pass> calibrate;
  if (!options.calib.empty())
    calibrate = createQCalibrate(QCalibrateOptions{
        options.calib, options.calibStrict, options.allowClipping});
  buildInt8Pipeline(pm, options.quantizeOptions(), std::move(calibrate));
}

void mlir::q::registerQPipelines() {
  PassPipelineRegistration<Int8PipelineOptions>(
      "q-int8-pipeline",
      "The whole int8 flow: canonicalize, q-fuse{mode=int8}, q-quantize, "
      "q-calibrate (when calib= names a table), q-fold-requantize",
      [](OpPassManager &pm, const Int8PipelineOptions &options) {
        buildInt8Pipeline(pm, options);
      });
}
