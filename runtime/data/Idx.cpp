//===- Idx.cpp - MNIST-style IDX files ------------------------------------===//

#include "q/idx.h"

#include <zlib.h>

namespace {

/// Reads the whole file, inflating gzip transparently (gzread passes plain
/// files through).
bool readAll(const std::string &path, std::vector<uint8_t> &bytes,
             std::string &error) {
  gzFile file = gzopen(path.c_str(), "rb");
  if (!file) {
    error = path + ": cannot open";
    return false;
  }
  uint8_t chunk[1 << 16];
  int n;
  while ((n = gzread(file, chunk, sizeof chunk)) > 0) {
    bytes.insert(bytes.end(), chunk, chunk + n);
    if (bytes.size() > (size_t(1) << 32)) {
      gzclose(file);
      error = path + ": larger than 4 GiB";
      return false;
    }
  }
  bool ok = n == 0;
  int code = 0;
  const char *message = gzerror(file, &code);
  gzclose(file);
  if (!ok) {
    error = path + ": " + (message ? message : "read error");
    return false;
  }
  return true;
}

} // namespace

bool q::data::readIdx(const std::string &path, IdxArray &out,
                      std::string &error) {
  std::vector<uint8_t> bytes;
  if (!readAll(path, bytes, error))
    return false;
  if (bytes.size() < 4 || bytes[0] != 0 || bytes[1] != 0) {
    error = path + ": not an IDX file (bad magic at byte 0)";
    return false;
  }
  if (bytes[2] != 0x08) {
    error = path + ": IDX element type 0x" + std::to_string(bytes[2]) +
            " is not unsigned byte (0x08)";
    return false;
  }
  size_t rank = bytes[3];
  if (rank < 1 || rank > 4 || bytes.size() < 4 + 4 * rank) {
    error = path + ": truncated IDX header (rank " + std::to_string(rank) +
            ")";
    return false;
  }
  out.shape.clear();
  uint64_t count = 1;
  for (size_t i = 0; i < rank; ++i) {
    const uint8_t *p = &bytes[4 + 4 * i];
    int64_t dim = (int64_t(p[0]) << 24) | (p[1] << 16) | (p[2] << 8) | p[3];
    out.shape.push_back(dim);
    count *= uint64_t(dim);
  }
  size_t header = 4 + 4 * rank;
  if (bytes.size() - header != count) {
    error = path + ": header promises " + std::to_string(count) +
            " bytes of data but the file has " +
            std::to_string(bytes.size() - header) + " (at byte " +
            std::to_string(header) + ")";
    return false;
  }
  out.data.assign(bytes.begin() + header, bytes.end());
  return true;
}
