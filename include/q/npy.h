//===- npy.h - Read and write NumPy .npy files ------------------*- C++ -*-===//
//
// A small, dependency-free reader and writer of the .npy format (versions
// 1.0, 2.0 and 3.0) for the tools' tensors: C-order arrays of float32,
// float64, uint8, int8, int32 and int64 (labels), little endian.
//
// Nothing throws: every function returns false and sets *error to a
// message that names the file and what is wrong, so that code built
// without exceptions (LLVM tools) can use it too.
//
//===----------------------------------------------------------------------===//

#ifndef Q_NPY_H
#define Q_NPY_H

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace npy {

enum class DType { F32, F64, U8, S8, S32, S64 };

/// "<f4", "<f8", "|u1", "|i1", "<i4", "<i8": the .npy descr.
const char *descr(DType dtype);
/// "float32", "float64", "uint8", "int8", "int32", "int64": NumPy's name.
const char *name(DType dtype);
size_t elementSize(DType dtype);

struct Array {
  DType dtype = DType::F32;
  std::vector<int64_t> shape;      // empty: a scalar
  std::vector<unsigned char> data; // C order, little endian

  /// Product of the shape (1 for a scalar).
  int64_t numElements() const;
  size_t numBytes() const { return size_t(numElements()) * elementSize(dtype); }
  template <typename T> T *as() { return reinterpret_cast<T *>(data.data()); }
  template <typename T> const T *as() const {
    return reinterpret_cast<const T *>(data.data());
  }
};

/// An array of the given dtype and shape with zeroed data.
Array makeArray(DType dtype, std::vector<int64_t> shape);

/// "(1, 3, 224, 224)", NumPy's spelling of a shape.
std::string shapeString(const std::vector<int64_t> &shape);

/// Reads the .npy file at `path`.
bool read(const std::string &path, Array &array, std::string *error);

/// Parses a .npy image held in memory; `name` stands for the file in
/// messages.
bool parse(const void *bytes, size_t size, Array &array, std::string *error,
           const std::string &name = "<memory>");

/// The .npy image of `array` (version 1.0, or 2.0 for huge headers).
bool serialize(const Array &array, std::vector<unsigned char> &bytes,
               std::string *error);

/// Writes `array` to `path` through a temporary file in the same folder,
/// renamed into place: a failed write leaves no partial file.
bool write(const std::string &path, const Array &array, std::string *error);

} // namespace npy

#endif // Q_NPY_H
