//===- Image.cpp - PNG (libpng) and JPEG (libjpeg) decoding ---------------===//

#include "q/image.h"

#include <png.h>
// jpeglib.h needs FILE and size_t first.
#include <cstdio>
#include <jpeglib.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <csetjmp>
#include <cstring>

namespace q::data {

bool isImageFile(const std::string &path) {
  std::string lower = path;
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return char(std::tolower(c)); });
  for (const char *ext : {".png", ".jpg", ".jpeg"}) {
    size_t n = std::strlen(ext);
    if (lower.size() >= n && lower.compare(lower.size() - n, n, ext) == 0)
      return true;
  }
  return false;
}

namespace {

bool readPng(const std::string &path, int channels, Image &image,
             std::string &error) {
  png_image png;
  std::memset(&png, 0, sizeof png);
  png.version = PNG_IMAGE_VERSION;
  if (!png_image_begin_read_from_file(&png, path.c_str())) {
    error = path + ": cannot read PNG: " + png.message;
    return false;
  }
  png.format = channels == 1 ? PNG_FORMAT_GRAY : PNG_FORMAT_RGB;
  image.height = int(png.height);
  image.width = int(png.width);
  image.channels = channels;
  image.pixels.resize(PNG_IMAGE_SIZE(png));
  if (!png_image_finish_read(&png, nullptr, image.pixels.data(), 0, nullptr)) {
    error = path + ": cannot decode PNG: " + png.message;
    png_image_free(&png);
    return false;
  }
  return true;
}

/// libjpeg's error_exit must not return: jump back with the message.
struct JpegError {
  jpeg_error_mgr manager;
  std::jmp_buf jump;
  char message[JMSG_LENGTH_MAX];
};

void jpegErrorExit(j_common_ptr info) {
  auto *jpegError = reinterpret_cast<JpegError *>(info->err);
  (*info->err->format_message)(info, jpegError->message);
  std::longjmp(jpegError->jump, 1);
}

bool readJpeg(const std::string &path, int channels, Image &image,
              std::string &error) {
  std::FILE *file = std::fopen(path.c_str(), "rb");
  if (!file) {
    error = path + ": cannot open: " + std::strerror(errno);
    return false;
  }
  jpeg_decompress_struct info;
  JpegError jpegError;
  info.err = jpeg_std_error(&jpegError.manager);
  jpegError.manager.error_exit = jpegErrorExit;
  // Nothing set after setjmp is read after the longjmp.
  if (setjmp(jpegError.jump)) {
    jpeg_destroy_decompress(&info);
    std::fclose(file);
    error = path + ": cannot decode JPEG: " + jpegError.message;
    return false;
  }
  jpeg_create_decompress(&info);
  jpeg_stdio_src(&info, file);
  jpeg_read_header(&info, TRUE);
  info.out_color_space = channels == 1 ? JCS_GRAYSCALE : JCS_RGB;
  jpeg_start_decompress(&info);
  image.height = int(info.output_height);
  image.width = int(info.output_width);
  image.channels = int(info.output_components);
  image.pixels.resize(size_t(image.height) * image.width * image.channels);
  while (info.output_scanline < info.output_height) {
    JSAMPROW row = image.pixels.data() +
                   size_t(info.output_scanline) * image.width * image.channels;
    jpeg_read_scanlines(&info, &row, 1);
  }
  jpeg_finish_decompress(&info);
  jpeg_destroy_decompress(&info);
  std::fclose(file);
  return true;
}

} // namespace

bool readImage(const std::string &path, int channels, Image &image,
               std::string &error) {
  unsigned char magic[4] = {0, 0, 0, 0};
  std::FILE *file = std::fopen(path.c_str(), "rb");
  if (!file) {
    error = path + ": cannot open: " + std::strerror(errno);
    return false;
  }
  size_t got = std::fread(magic, 1, sizeof magic, file);
  std::fclose(file);
  if (got >= 4 && magic[0] == 0x89 && magic[1] == 'P' && magic[2] == 'N' &&
      magic[3] == 'G')
    return readPng(path, channels, image, error);
  if (got >= 3 && magic[0] == 0xFF && magic[1] == 0xD8 && magic[2] == 0xFF)
    return readJpeg(path, channels, image, error);
  error = path + ": neither a PNG nor a JPEG image";
  return false;
}

} // namespace q::data
