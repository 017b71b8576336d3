//===- idx.h - MNIST-style IDX files ---------------------------*- C++ -*-===//
//
// The IDX format of MNIST and Fashion-MNIST (gzipped or not): a big-endian
// header (0, 0, type code, rank, dims) followed by the data. q reads it to
// evaluate and calibrate models on these data sets directly.
//
//===----------------------------------------------------------------------===//

#ifndef Q_IDX_H
#define Q_IDX_H

#include <cstdint>
#include <string>
#include <vector>

namespace q::data {

struct IdxArray {
  std::vector<int64_t> shape;
  /// Element values, one byte each (IDX type 0x08, unsigned byte; the only
  /// type MNIST-style data sets use).
  std::vector<uint8_t> data;
};

/// Reads `path` (plain or gzip); on failure returns false and sets `error`
/// to a message naming the file and the problem.
bool readIdx(const std::string &path, IdxArray &out, std::string &error);

} // namespace q::data

#endif // Q_IDX_H
