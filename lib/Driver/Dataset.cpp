//===- Dataset.cpp - Calibration data of q-calibrate and q-report ---------===//

#include "QDialect/Driver/Dataset.h"

#include "q/idx.h"
#include "q/image.h"
#include "q/npy.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>


using namespace q::calibrate;
using q::driver::TensorInfo;

static llvm::Error makeError(const llvm::Twine &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), message);
}

namespace {

std::string shapeText(llvm::ArrayRef<int64_t> shape) {
  return npy::shapeString(std::vector<int64_t>(shape.begin(), shape.end()));
}

/// The shape of one sample: the input's without its batch dim.
std::vector<int64_t> sampleShape(const TensorInfo &input) {
  if (input.shape.empty())
    return {};
  return std::vector<int64_t>(input.shape.begin() + 1, input.shape.end());
}

int64_t product(llvm::ArrayRef<int64_t> shape) {
  int64_t n = 1;
  for (int64_t d : shape)
    n *= d;
  return n;
}

size_t elementSize(q_dtype dtype) {
  return dtype == Q_DTYPE_F32 || dtype == Q_DTYPE_S32 ? 4 : 1;
}

npy::DType npyType(q_dtype dtype) {
  switch (dtype) {
  case Q_DTYPE_F32:
    return npy::DType::F32;
  case Q_DTYPE_S8:
    return npy::DType::S8;
  case Q_DTYPE_U8:
    return npy::DType::U8;
  case Q_DTYPE_S32:
    return npy::DType::S32;
  }
  return npy::DType::F32;
}

bool isIdxFile(llvm::StringRef file) {
  return file.ends_with("-ubyte") || file.ends_with("-ubyte.gz");
}

bool isImageFile(llvm::StringRef file) {
  return ::q::data::isImageFile(file.str());
}

bool isNpyFile(llvm::StringRef file) {
  return llvm::StringRef(llvm::sys::path::extension(file)).lower() == ".npy";
}

//===----------------------------------------------------------------------===//
// Image decoding (q/image.h, shared with q-run)
//===----------------------------------------------------------------------===//

using ::q::data::Image;

llvm::Error readImage(const std::string &path, int channels, Image &image) {
  std::string error;
  if (!::q::data::readImage(path, channels, image, error))
    return makeError(error);
  return llvm::Error::success();
}

/// Bilinear resize with pixel centres aligned (OpenCV's INTER_LINEAR,
/// which MXNet's image iterator uses).
Image resizeBilinear(const Image &src, int height, int width) {
  Image dst;
  dst.height = height;
  dst.width = width;
  dst.channels = src.channels;
  dst.pixels.resize(size_t(height) * width * src.channels);
  auto axis = [](int out, int in, std::vector<int> &lo,
                 std::vector<float> &frac) {
    double scale = double(in) / out;
    lo.resize(out);
    frac.resize(out);
    for (int i = 0; i < out; ++i) {
      double x = (i + 0.5) * scale - 0.5;
      x = std::clamp(x, 0.0, double(in - 1));
      lo[i] = std::min(int(x), in - 1);
      frac[i] = float(x - lo[i]);
    }
  };
  std::vector<int> y0, x0;
  std::vector<float> fy, fx;
  axis(height, src.height, y0, fy);
  axis(width, src.width, x0, fx);
  int c = src.channels;
  auto at = [&](int y, int x, int k) {
    return float(src.pixels[(size_t(y) * src.width + x) * c + k]);
  };
  for (int y = 0; y < height; ++y) {
    int ya = y0[y], yb = std::min(ya + 1, src.height - 1);
    for (int x = 0; x < width; ++x) {
      int xa = x0[x], xb = std::min(xa + 1, src.width - 1);
      for (int k = 0; k < c; ++k) {
        float top = at(ya, xa, k) * (1 - fx[x]) + at(ya, xb, k) * fx[x];
        float bottom = at(yb, xa, k) * (1 - fx[x]) + at(yb, xb, k) * fx[x];
        float v = top * (1 - fy[y]) + bottom * fy[y];
        dst.pixels[(size_t(y) * width + x) * c + k] =
            uint8_t(std::clamp(std::lround(v), 0l, 255l));
      }
    }
  }
  return dst;
}

} // namespace

//===----------------------------------------------------------------------===//
// Sources
//===----------------------------------------------------------------------===//

namespace q::calibrate {
struct Source {
  enum Kind { Npy, Idx, ImageFile } kind;
  std::string file;
  size_t count = 0;
  npy::Array npy;
  q::data::IdxArray idx;
};
} // namespace q::calibrate

namespace {

/// Checks an array (read from `file`, or handed over in memory) against
/// `input` and counts its samples.
llvm::Expected<std::unique_ptr<Source>> checkNpy(std::unique_ptr<Source> source,
                                                 const TensorInfo &input) {
  const std::string &file = source->file;
  const npy::Array &array = source->npy;
  npy::DType want = npyType(input.dtype);
  if (array.dtype != want)
    return makeError(file + ": holds " + npy::name(array.dtype) + ", input '" +
                     input.name + "' takes " + npy::name(want) +
                     " (convert with x.astype(np." + npy::name(want) + "))");
  std::vector<int64_t> sample = sampleShape(input);
  if (array.shape == sample) {
    source->count = 1; // one sample without a batch dim
  } else if (array.shape.size() == sample.size() + 1 &&
             std::equal(sample.begin(), sample.end(),
                        array.shape.begin() + 1)) {
    source->count = size_t(array.shape[0]);
  } else {
    std::vector<int64_t> example = sample;
    example.insert(example.begin(), 100);
    return makeError(file + ": has shape " + npy::shapeString(array.shape) +
                     ", input '" + input.name + "' takes samples of shape " +
                     npy::shapeString(sample) + " stacked along axis 0, e.g. " +
                     npy::shapeString(example));
  }
  if (!source->count)
    return makeError(file + ": holds no samples (shape " +
                     npy::shapeString(array.shape) + ")");
  return std::move(source);
}

llvm::Expected<std::unique_ptr<Source>> openNpy(const std::string &file,
                                                const TensorInfo &input) {
  auto source = std::make_unique<Source>();
  source->kind = Source::Npy;
  source->file = file;
  std::string error;
  if (!npy::read(file, source->npy, &error))
    return makeError(error);
  return checkNpy(std::move(source), input);
}

llvm::Expected<std::unique_ptr<Source>> openIdx(const std::string &file,
                                                const TensorInfo &input) {
  auto source = std::make_unique<Source>();
  source->kind = Source::Idx;
  source->file = file;
  std::string error;
  if (!q::data::readIdx(file, source->idx, error))
    return makeError(error);
  const auto &idx = source->idx;
  if (input.dtype != Q_DTYPE_F32 && input.dtype != Q_DTYPE_U8)
    return makeError(file + ": IDX images feed f32 or u8 inputs; input '" +
                     input.name + "' is " +
                     ::q::driver::dtypeName(input.dtype));
  int64_t perSample = product(sampleShape(input));
  int64_t samples = idx.shape.empty() ? 0 : idx.shape[0];
  if (samples <= 0)
    return makeError(file + ": holds no samples");
  if (samples * perSample != int64_t(idx.data.size()))
    return makeError(
        file + ": holds " + std::to_string(samples) + " samples of " +
        std::to_string(idx.data.size() / size_t(samples)) + " values (shape " +
        shapeText(idx.shape) + "), input '" + input.name +
        "' takes samples of " + std::to_string(perSample) + " values (" +
        shapeText(sampleShape(input)) + ")");
  source->count = size_t(samples);
  return std::move(source);
}

/// The files a --data item stands for: the file, or a folder's .npy, image
/// and IDX files in name order.
llvm::Expected<std::vector<std::string>> expand(const std::string &path) {
  if (!llvm::sys::fs::exists(path))
    return makeError(path + ": no such file or folder");
  if (!llvm::sys::fs::is_directory(path))
    return std::vector<std::string>{path};
  std::vector<std::string> files;
  std::error_code ec;
  for (llvm::sys::fs::directory_iterator it(path, ec), end; it != end && !ec;
       it.increment(ec)) {
    llvm::StringRef name = llvm::sys::path::filename(it->path());
    if (name.starts_with("."))
      continue;
    if (isNpyFile(name) || isImageFile(name) || isIdxFile(name))
      files.push_back(it->path());
  }
  if (ec)
    return makeError(path + ": cannot list: " + ec.message());
  if (files.empty())
    return makeError(path + ": a folder with no .npy, .png, .jpg or IDX files");
  std::sort(files.begin(), files.end());
  return files;
}

} // namespace

Dataset::~Dataset() = default;

llvm::Expected<std::unique_ptr<Dataset>>
Dataset::open(const std::vector<std::string> &specs,
              const std::vector<TensorInfo> &inputs,
              const ImageOptions &images) {
  std::unique_ptr<Dataset> data(new Dataset());
  data->inputs_ = inputs;
  data->images_ = images;
  data->sources_.resize(inputs.size());
  if (inputs.empty())
    return makeError("the model has no inputs to feed");
  for (const TensorInfo &input : inputs)
    if (input.shape.empty() || input.shape[0] <= 0)
      return makeError("input '" + input.name + "' has no batch dim (shape " +
                       shapeText(input.shape) + ")");
  if (specs.empty())
    return makeError("no calibration data: give --data=FILE[,FILE...]");

  size_t current = inputs.size(); // the input the items are for
  for (const std::string &spec : specs) {
    std::string path = spec;
    size_t colon = spec.find(':');
    if (colon != std::string::npos) {
      llvm::StringRef name(spec.data(), colon);
      for (size_t i = 0; i < inputs.size(); ++i)
        if (inputs[i].name == name) {
          current = i;
          path = spec.substr(colon + 1);
        }
    }
    if (path.empty())
      return makeError("--data=" + spec + ": no file given");
    if (current == inputs.size()) {
      if (inputs.size() != 1) {
        std::string names;
        for (const TensorInfo &t : inputs)
          names += (names.empty() ? "" : ", ") + t.name;
        return makeError("--data=" + spec + ": the model has " +
                         std::to_string(inputs.size()) +
                         " inputs; name the one each file is for "
                         "(--data=NAME:FILE); its inputs: " +
                         names);
      }
      current = 0;
    }
    const TensorInfo &input = inputs[current];
    auto files = expand(path);
    if (!files)
      return files.takeError();
    for (const std::string &file : *files) {
      std::unique_ptr<Source> source;
      if (isIdxFile(file)) {
        auto opened = openIdx(file, input);
        if (!opened)
          return opened.takeError();
        source = std::move(*opened);
      } else if (isImageFile(file)) {
        if (input.shape.size() != 4 ||
            (input.shape[1] != 1 && input.shape[1] != 3))
          return makeError(file +
                           ": images feed inputs of shape (N, 1 or 3, "
                           "H, W); input '" +
                           input.name + "' has shape " +
                           shapeText(input.shape));
        if (input.dtype != Q_DTYPE_F32 && input.dtype != Q_DTYPE_U8)
          return makeError(file + ": images feed f32 or u8 inputs; input '" +
                           input.name + "' is " +
                           ::q::driver::dtypeName(input.dtype));
        source = std::make_unique<Source>();
        source->kind = Source::ImageFile;
        source->file = file;
        source->count = 1;
      } else {
        auto opened = openNpy(file, input);
        if (!opened)
          return opened.takeError();
        source = std::move(*opened);
      }
      data->sources_[current].push_back(std::move(source));
    }
  }

  if (auto err = data->countSamples(/*fromFlags=*/true))
    return std::move(err);
  const ImageOptions &o = images;
  for (const auto *values : {&o.mean, &o.std})
    for (float v : *values)
      if (!std::isfinite(v))
        return makeError("--mean/--std must be finite numbers");
  for (float v : o.std)
    if (v == 0)
      return makeError("--std must not be zero");
  return std::move(data);
}

llvm::Error Dataset::countSamples(bool fromFlags) {
  const std::vector<TensorInfo> &inputs = inputs_;
  Dataset *data = this;
  for (size_t i = 0; i < inputs.size(); ++i) {
    if (data->sources_[i].empty())
      return makeError("input '" + inputs[i].name + "' has no data" +
                       (fromFlags ? ": give --data=" + inputs[i].name + ":FILE"
                                  : std::string()));
    std::vector<size_t> &starts = data->starts_.emplace_back();
    size_t total = 0;
    for (const auto &source : data->sources_[i]) {
      starts.push_back(total);
      total += source->count;
    }
    starts.push_back(total);
    if (i && total != data->numSamples_)
      return makeError("the inputs have different numbers of samples (" +
                       std::to_string(data->numSamples_) + " for '" +
                       inputs[0].name + "', " + std::to_string(total) +
                       " for '" + inputs[i].name + "')");
    data->numSamples_ = total;
  }
  return llvm::Error::success();
}

llvm::Expected<std::unique_ptr<Dataset>>
Dataset::fromArrays(std::vector<std::vector<npy::Array>> arrays,
                    const std::vector<TensorInfo> &inputs,
                    const std::string &itemName) {
  std::unique_ptr<Dataset> data(new Dataset());
  data->inputs_ = inputs;
  data->sources_.resize(inputs.size());
  if (inputs.empty())
    return makeError("the model has no inputs to feed");
  if (arrays.size() != inputs.size())
    return makeError(std::to_string(arrays.size()) + " data streams for " +
                     std::to_string(inputs.size()) + " inputs");
  for (size_t i = 0; i < inputs.size(); ++i) {
    const TensorInfo &input = inputs[i];
    if (input.shape.empty() || input.shape[0] <= 0)
      return makeError("input '" + input.name + "' has no batch dim (shape " +
                       shapeText(input.shape) + ")");
    for (size_t k = 0; k < arrays[i].size(); ++k) {
      auto source = std::make_unique<Source>();
      source->kind = Source::Npy;
      source->file = itemName + " " + std::to_string(k) +
                     (inputs.size() > 1 ? " of input '" + input.name + "'"
                                        : std::string());
      source->npy = std::move(arrays[i][k]);
      auto checked = checkNpy(std::move(source), input);
      if (!checked)
        return checked.takeError();
      data->sources_[i].push_back(std::move(*checked));
    }
  }
  if (auto err = data->countSamples(/*fromFlags=*/false))
    return std::move(err);
  return std::move(data);
}

llvm::Error Dataset::readSample(size_t inputIndex, size_t index,
                                void *dst) const {
  const TensorInfo &input = inputs_[inputIndex];
  const auto &starts = starts_[inputIndex];
  size_t k = size_t(std::upper_bound(starts.begin(), starts.end(), index) -
                    starts.begin()) -
             1;
  const Source &source = *sources_[inputIndex][k];
  size_t local = index - starts[k];
  std::vector<int64_t> sample = sampleShape(input);
  size_t elements = size_t(product(sample));
  size_t bytes = elements * elementSize(input.dtype);

  switch (source.kind) {
  case Source::Npy:
    std::memcpy(dst, source.npy.data.data() + local * bytes, bytes);
    return llvm::Error::success();
  case Source::Idx: {
    const uint8_t *from = source.idx.data.data() + local * elements;
    if (input.dtype == Q_DTYPE_U8) {
      std::memcpy(dst, from, elements);
    } else {
      float *to = static_cast<float *>(dst);
      const float scale = images_.rawIdx ? 1.0f : 255.0f;
      for (size_t i = 0; i < elements; ++i)
        to[i] = float(from[i]) / scale;
    }
    return llvm::Error::success();
  }
  case Source::ImageFile:
    break;
  }

  int channels = int(input.shape[1]);
  int height = int(input.shape[2]), width = int(input.shape[3]);
  Image image;
  if (auto err = readImage(source.file, channels, image))
    return err;
  if (image.height <= 0 || image.width <= 0)
    return makeError(source.file + ": empty image");
  if (images_.resize > 0) {
    // MXNet's resize_short: the shorter side becomes `resize`.
    int h = image.height, w = image.width, s = images_.resize;
    int newH = h > w ? int(int64_t(s) * h / w) : s;
    int newW = h > w ? s : int(int64_t(s) * w / h);
    if (newH != h || newW != w)
      image = resizeBilinear(image, newH, newW);
  }
  int cropH = images_.cropHeight ? images_.cropHeight : height;
  int cropW = images_.cropWidth ? images_.cropWidth : width;
  if (cropH != height || cropW != width)
    return makeError("--center-crop=" + std::to_string(cropH) + "x" +
                     std::to_string(cropW) + " does not give input '" +
                     input.name + "' its size " + std::to_string(height) + "x" +
                     std::to_string(width));
  if (image.height < cropH || image.width < cropW ||
      (!images_.cropHeight && (image.height != cropH || image.width != cropW)))
    return makeError(
        source.file + ": is " + std::to_string(image.height) + "x" +
        std::to_string(image.width) +
        (images_.resize ? " after --resize" : "") + ", input '" + input.name +
        "' takes " + std::to_string(height) + "x" + std::to_string(width) +
        " (use --resize=N and --center-crop=" + std::to_string(height) + "x" +
        std::to_string(width) + ")");
  int y0 = (image.height - cropH) / 2, x0 = (image.width - cropW) / 2;
  auto channelValue = [](const std::vector<float> &values, int c,
                         float fallback) {
    if (values.empty())
      return fallback;
    return values[std::min(values.size() - 1, size_t(c))];
  };
  for (int c = 0; c < channels; ++c) {
    float mean = channelValue(images_.mean, c, 0.0f);
    float std = channelValue(images_.std, c, 1.0f);
    for (int y = 0; y < cropH; ++y)
      for (int x = 0; x < cropW; ++x) {
        uint8_t v =
            image.pixels[(size_t(y + y0) * image.width + (x + x0)) * channels +
                         c];
        size_t at = (size_t(c) * cropH + y) * cropW + x;
        if (input.dtype == Q_DTYPE_U8)
          static_cast<uint8_t *>(dst)[at] = v;
        else
          static_cast<float *>(dst)[at] = (float(v) - mean) / std;
      }
  }
  return llvm::Error::success();
}

std::string Dataset::describe() const {
  std::string text;
  for (size_t i = 0; i < inputs_.size(); ++i) {
    size_t counts[3] = {0, 0, 0};
    for (const auto &source : sources_[i])
      counts[source->kind] += source->count;
    std::string kinds;
    const char *names[3] = {"npy", "idx", "image"};
    for (int k = 0; k < 3; ++k)
      if (counts[k])
        kinds += (kinds.empty() ? "" : ", ") + std::to_string(counts[k]) + " " +
                 names[k];
    text += (text.empty() ? "" : "; ") + std::string("'") + inputs_[i].name +
            "': " + std::to_string(numSamples_) + " samples (" + kinds +
            " from " + std::to_string(sources_[i].size()) + " files)";
  }
  return text;
}
