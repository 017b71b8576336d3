//===- image.h - PNG and JPEG decoding for q's tools ------------*- C++ -*-===//
//
// q-run feeds images to models that take raw pixels (q-compile
// --input-type=data:u8[,nhwc]): 8-bit RGB (or grey) pixels, rows top to
// bottom, channels interleaved (HWC), as decoders and cameras give them.
//
//===----------------------------------------------------------------------===//

#ifndef Q_IMAGE_H
#define Q_IMAGE_H

#include <cstdint>
#include <string>
#include <vector>

namespace q::data {

/// 8-bit pixels, HWC.
struct Image {
  int height = 0, width = 0, channels = 0;
  std::vector<uint8_t> pixels;
};

/// Whether `path` ends in .png, .jpg or .jpeg (any case).
bool isImageFile(const std::string &path);

/// Decodes a PNG or JPEG file (told apart by its first bytes) into
/// `channels` (1: grey, 3: RGB) channels; on failure returns false and
/// sets `error` to a message naming the file.
bool readImage(const std::string &path, int channels, Image &image,
               std::string &error);

} // namespace q::data

#endif // Q_IMAGE_H
