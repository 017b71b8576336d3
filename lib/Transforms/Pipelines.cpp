//===- Pipelines.cpp - The int8 flow as one registered pipeline -----------===//

#include "QDialect/Transforms/Passes.h"

#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;

void mlir::q::buildInt8Pipeline(OpPassManager &pm,
                                const Int8PipelineOptions &options) {
  pm.addPass(createCanonicalizerPass());
  pm.addNestedPass<func::FuncOp>(createQFuse(QFuseOptions{"int8"}));
  QQuantizeOptions quantize;
  quantize.dtype = options.dtype;
  quantize.exclude.assign(options.exclude.begin(), options.exclude.end());
  quantize.excludeOps.assign(options.excludeOps.begin(),
                             options.excludeOps.end());
  quantize.mode = options.mode;
  quantize.granularity = options.granularity;
  quantize.weightBits = options.weightBits;
  pm.addNestedPass<func::FuncOp>(createQQuantize(quantize));
  if (!options.calib.empty())
    pm.addPass(createQCalibrate(QCalibrateOptions{options.calib}));
  pm.addNestedPass<func::FuncOp>(createQFoldRequantize());
  pm.addPass(createCanonicalizerPass());
}

void mlir::q::registerQPipelines() {
  PassPipelineRegistration<Int8PipelineOptions>(
      "q-int8-pipeline",
      "The whole int8 flow: canonicalize, q-fuse{mode=int8}, q-quantize, "
      "q-calibrate (when calib= names a table), q-fold-requantize",
      buildInt8Pipeline);
}
