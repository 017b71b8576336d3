//===- Dataset.h - Calibration data of q-calibrate and q-report -*- C++ -*-===//
//
// The samples q-calibrate feeds a model: .npy files (samples along axis 0)
// and folders of them, MNIST-style IDX image files (scaled to [0, 1] for
// f32 inputs, as q-run does), and PNG/JPEG images (and folders of them)
// with MXNet ImageIter-style preprocessing: RGB (or grey for one channel),
// resize of the shorter side, centre crop, (x - mean) / std on 0..255
// values, HWC -> CHW.
//
//===----------------------------------------------------------------------===//

#ifndef QDIALECT_DRIVER_DATASET_H
#define QDIALECT_DRIVER_DATASET_H

#include "QDialect/Driver/ModelRunner.h"
#include "q/npy.h"

#include "llvm/Support/Error.h"

#include <memory>
#include <string>
#include <vector>

namespace q::calibrate {

struct ImageOptions {
  /// Resize so that the shorter side is this long (0: no resize).
  int resize = 0;
  /// Centre crop to this size (0: none; the image must then have the
  /// model's size after the resize).
  int cropHeight = 0, cropWidth = 0;
  /// Per channel, on 0..255 values; one value applies to every channel.
  std::vector<float> mean, std;
  /// IDX bytes as 0..255 values for f32 inputs, not scaled to [0, 1] (for
  /// models that normalize their own input).
  bool rawIdx = false;
};

/// One source of samples for one input.
struct Source;

/// The samples of every model input, read on demand.
class Dataset {
public:
  /// `specs` are the --data items: FILE or FOLDER, or NAME:FILE for the
  /// input NAME (a NAME: item also applies to the items after it). The
  /// model's inputs give the sample shape (input shape without its batch
  /// dim) and dtype every file must match.
  static llvm::Expected<std::unique_ptr<Dataset>>
  open(const std::vector<std::string> &specs,
       const std::vector<driver::TensorInfo> &inputs,
       const ImageOptions &images);
  /// Samples held in memory (the Python package's calibration data):
  /// arrays[i] are the items of input i, each one sample or a stack of them
  /// along axis 0, checked as .npy files are; `itemName` names an item in
  /// errors ("calibration item 3: has shape ...").
  static llvm::Expected<std::unique_ptr<Dataset>>
  fromArrays(std::vector<std::vector<npy::Array>> arrays,
             const std::vector<driver::TensorInfo> &inputs,
             const std::string &itemName);
  ~Dataset();

  /// Samples per input (the same for every input).
  size_t numSamples() const { return numSamples_; }
  /// Writes sample `index` of input `input` (its sample bytes) to `dst`.
  llvm::Error readSample(size_t input, size_t index, void *dst) const;
  /// What was read, for the summary: "10000 samples from X (idx)".
  std::string describe() const;

private:
  Dataset() = default;
  /// Fills starts_ and numSamples_ from sources_; `fromFlags`: an input
  /// with no data is told to use --data=NAME:FILE.
  llvm::Error countSamples(bool fromFlags);
  std::vector<driver::TensorInfo> inputs_;
  std::vector<std::vector<std::unique_ptr<Source>>> sources_;
  /// Prefix sums of the sources' sample counts, per input.
  std::vector<std::vector<size_t>> starts_;
  size_t numSamples_ = 0;
  ImageOptions images_;
};

} // namespace q::calibrate

#endif // QDIALECT_DRIVER_DATASET_H
