//===- Params.cpp - Load a model's weights from an MXNet .params ----------===//
//
// Format (shared/reference/mxnet-int8-reference.md, section 2), little
// endian: u64 0x112, u64 reserved, u64 count, count records, u64 name
// count (0 or count), names as (u64 length, bytes). A record is
//   u32 magic (V1 0xF993FAC8, V2 0xF993FAC9, V3 0xF993FACA)
//   [V2/V3] i32 stype, [sparse] storage shape
//   shape: i32 ndim, ndim x i64 (V2: ndim 0 = none; V3: -1 = none; V1: 0)
//   i32 dev_type, i32 dev_id, i32 type_flag
//   [sparse] per aux array: i32 type, shape
//   data, then [sparse] the aux data.
//
//===----------------------------------------------------------------------===//

#include "Params.h"
#include "Error.h"

#include <cerrno>
#include <cstring>
#include <map>

namespace q {
namespace model {

namespace {

constexpr uint64_t kListMagic = 0x112;
constexpr uint32_t kMagicV1 = 0xF993FAC8;
constexpr uint32_t kMagicV2 = 0xF993FAC9;
constexpr uint32_t kMagicV3 = 0xF993FACA;
constexpr int32_t kMaxRank = 32;

/// Bytes per element of an mshadow type flag, 0 if unknown.
uint64_t typeSize(int32_t flag) {
  switch (flag) {
  case 0:  // f32
  case 4:  // s32
  case 10: // u32
    return 4;
  case 1:  // f64
  case 6:  // s64
  case 11: // u64
    return 8;
  case 2:  // f16
  case 8:  // s16
  case 9:  // u16
  case 12: // bf16
    return 2;
  case 3: // u8
  case 5: // s8
  case 7: // bool
    return 1;
  default:
    return 0;
  }
}

int32_t typeFlagOf(q_dtype dtype) {
  switch (dtype) {
  case Q_DTYPE_F32:
    return 0;
  case Q_DTYPE_S8:
    return 5;
  case Q_DTYPE_U8:
    return 3;
  case Q_DTYPE_S32:
    return 4;
  }
  return -1;
}

std::string hex(uint64_t value) {
  char text[32];
  std::snprintf(text, sizeof(text), "0x%llx",
                static_cast<unsigned long long>(value));
  return text;
}

/// Product of non-negative dims; false on overflow past 2^62.
bool product(const std::vector<int64_t> &dims, uint64_t elementSize,
             uint64_t &result) {
  const uint64_t limit = uint64_t(1) << 62;
  result = elementSize;
  for (int64_t dim : dims) {
    if (dim != 0 && result > limit / uint64_t(dim))
      return false;
    result *= uint64_t(dim);
  }
  return true;
}

std::string describe(const std::string &dtype,
                     const std::vector<int64_t> &shape) {
  return dtype + " " + shapeString(shape);
}

} // namespace

std::string paramsTypeName(int32_t flag) {
  static const char *const names[] = {"f32", "f64", "f16",  "u8",  "s32",
                                      "s8",  "s64", "bool", "s16", "u16",
                                      "u32", "u64", "bf16"};
  if (flag >= 0 && flag < int32_t(sizeof(names) / sizeof(names[0])))
    return names[flag];
  return "type " + std::to_string(flag);
}

ParamsFile::ParamsFile(const std::string &path) : filePath(path) {
  file = std::fopen(path.c_str(), "rb");
  if (!file)
    fail(Q_ERR_IO, path, ": cannot open: ", std::strerror(errno));
  try {
    if (fseeko(file, 0, SEEK_END) != 0)
      fail(Q_ERR_IO, path, ": cannot seek: ", std::strerror(errno));
    const off_t end = ftello(file);
    if (end < 0 || fseeko(file, 0, SEEK_SET) != 0)
      fail(Q_ERR_IO, path, ": cannot seek: ", std::strerror(errno));
    size = uint64_t(end);
    index();
  } catch (...) {
    std::fclose(file);
    throw;
  }
}

ParamsFile::~ParamsFile() { std::fclose(file); }

void ParamsFile::readBytes(void *dst, uint64_t bytes, const char *what) {
  if (bytes > size - offset)
    fail(Q_ERR_FORMAT, filePath, ": truncated: ", what, " at byte offset ",
         offset, " needs ", bytes, " bytes, the file ends at ", size);
  if (bytes && std::fread(dst, 1, bytes, file) != bytes)
    fail(Q_ERR_IO, filePath, ": read error at byte offset ", offset, ": ",
         std::strerror(errno));
  offset += bytes;
}

void ParamsFile::skip(uint64_t bytes, const char *what) {
  if (bytes > size - offset)
    fail(Q_ERR_FORMAT, filePath, ": truncated: ", what, " at byte offset ",
         offset, " needs ", bytes, " bytes, the file ends at ", size);
  offset += bytes;
  if (fseeko(file, off_t(offset), SEEK_SET) != 0)
    fail(Q_ERR_IO, filePath, ": cannot seek: ", std::strerror(errno));
}

std::vector<int64_t> ParamsFile::readShape(uint32_t magic, size_t index,
                                           bool &none) {
  const uint64_t at = offset;
  const int32_t ndim = readScalar<int32_t>("a shape's rank");
  none = (ndim == 0 && magic != kMagicV3) || (ndim == -1 && magic == kMagicV3);
  if (none)
    return {};
  if (ndim < 0 || ndim > kMaxRank)
    fail(Q_ERR_FORMAT, filePath, ": array #", index, ": bad rank ", ndim,
         " at byte offset ", at);
  std::vector<int64_t> dims(ndim);
  for (int64_t &dim : dims) {
    const uint64_t dimAt = offset;
    dim = readScalar<int64_t>("a dim");
    if (dim < 0)
      fail(Q_ERR_FORMAT, filePath, ": array #", index, ": negative dim ", dim,
           " at byte offset ", dimAt);
  }
  return dims;
}

void ParamsFile::index() {
  const uint64_t header = readScalar<uint64_t>("the header");
  if (header != kListMagic)
    fail(Q_ERR_FORMAT, filePath, ": not an MXNet .params file (header ",
         hex(header), ", expected 0x112)");
  readScalar<uint64_t>("the reserved word");
  const uint64_t count = readScalar<uint64_t>("the array count");
  // Every record takes at least 8 bytes: reject absurd counts up front.
  if (count > (size - offset) / 8)
    fail(Q_ERR_FORMAT, filePath, ": array count ", count,
         " does not fit in a file of ", size, " bytes");
  records.resize(count);

  for (uint64_t i = 0; i < count; ++i) {
    ParamsArray &record = records[i];
    record.headerOffset = offset;
    const uint32_t magic = readScalar<uint32_t>("an array's magic");
    if (magic != kMagicV1 && magic != kMagicV2 && magic != kMagicV3)
      fail(Q_ERR_FORMAT, filePath, ": array #", i, " at byte offset ",
           record.headerOffset, ": unknown magic ", hex(magic),
           " (expected 0xf993fac8, 0xf993fac9 or 0xf993faca)");
    std::vector<int64_t> storageShape;
    if (magic != kMagicV1) {
      record.stype = readScalar<int32_t>("the storage type");
      if (record.stype < 0 || record.stype > 2)
        fail(Q_ERR_FORMAT, filePath, ": array #", i, ": unknown storage type ",
             record.stype);
      if (record.stype != 0) {
        bool none = false;
        storageShape = readShape(magic, i, none);
      }
    }
    record.shape = readShape(magic, i, record.none);
    if (record.none)
      continue;
    readScalar<int32_t>("the device type");
    readScalar<int32_t>("the device id");
    record.typeFlag = readScalar<int32_t>("the type flag");
    const uint64_t elementSize = typeSize(record.typeFlag);
    if (!elementSize)
      fail(Q_ERR_FORMAT, filePath, ": array #", i, ": unknown type flag ",
           record.typeFlag);

    // Sparse arrays: one (row_sparse) or two (csr) aux arrays follow.
    std::vector<uint64_t> auxBytes;
    for (int a = 0; a < record.stype; ++a) {
      const int32_t auxType = readScalar<int32_t>("an aux type");
      bool none = false;
      std::vector<int64_t> auxShape = readShape(magic, i, none);
      uint64_t bytes = 0;
      if (!typeSize(auxType) || !product(auxShape, typeSize(auxType), bytes))
        fail(Q_ERR_FORMAT, filePath, ": array #", i, ": bad aux array");
      auxBytes.push_back(bytes);
    }
    if (!product(record.stype ? storageShape : record.shape, elementSize,
                 record.dataBytes))
      fail(Q_ERR_FORMAT, filePath, ": array #", i, ": shape ",
           shapeString(record.shape), " is too large");
    record.dataOffset = offset;
    skip(record.dataBytes, "an array's data");
    for (uint64_t bytes : auxBytes)
      skip(bytes, "an aux array's data");
  }

  const uint64_t nameCount = readScalar<uint64_t>("the name count");
  if (nameCount != count)
    fail(Q_ERR_FORMAT, filePath, ": has ", count, " arrays but ", nameCount,
         " names", nameCount ? "" : " (q needs the arrays' names)");
  for (uint64_t i = 0; i < count; ++i) {
    const uint64_t length = readScalar<uint64_t>("a name's length");
    if (length > size - offset)
      fail(Q_ERR_FORMAT, filePath, ": truncated: name #", i, " at byte offset ",
           offset, " needs ", length, " bytes, the file ends at ", size);
    std::string &name = records[i].name;
    name.resize(length);
    readBytes(&name[0], length, "a name");
    // Checkpoints prefix names with "arg:" / "aux:", Gluon writes them bare.
    records[i].key = name;
    if (name.compare(0, 4, "arg:") == 0 || name.compare(0, 4, "aux:") == 0)
      records[i].key = name.substr(4);
  }
  if (offset != size)
    fail(Q_ERR_FORMAT, filePath, ": ", size - offset,
         " unexpected bytes after the names at byte offset ", offset);
}

void ParamsFile::read(const ParamsArray &array, void *dst) {
  offset = array.dataOffset;
  if (fseeko(file, off_t(offset), SEEK_SET) != 0)
    fail(Q_ERR_IO, filePath, ": cannot seek: ", std::strerror(errno));
  readBytes(dst, array.dataBytes, "an array's data");
}

void loadWeights(const std::string &path,
                 const std::vector<WeightSpec> &weights,
                 const std::vector<void *> &destinations) {
  ParamsFile file(path);
  std::map<std::string, const ParamsArray *> byKey;
  std::map<std::string, std::string> duplicates;
  for (const ParamsArray &array : file.arrays()) {
    auto inserted = byKey.emplace(array.key, &array);
    if (!inserted.second)
      duplicates.emplace(array.key,
                         inserted.first->second->name + "' and '" + array.name);
  }

  // Report every problem at once: a wrong file usually has many.
  std::vector<std::string> problems;
  std::vector<const ParamsArray *> found(weights.size());
  for (size_t i = 0; i < weights.size(); ++i) {
    const WeightSpec &weight = weights[i];
    const std::string expected =
        describe(q_dtype_name(weight.dtype), weight.shape);
    auto it = byKey.find(weight.name);
    if (it == byKey.end()) {
      problems.push_back("no array named '" + weight.name +
                         "' (the model needs " + expected + ")");
      continue;
    }
    auto duplicate = duplicates.find(weight.name);
    if (duplicate != duplicates.end()) {
      problems.push_back("'" + weight.name + "' is stored twice (as '" +
                         duplicate->second + "')");
      continue;
    }
    const ParamsArray &array = *it->second;
    if (array.none) {
      problems.push_back("'" + array.name +
                         "' is an empty (none) array, the "
                         "model needs " +
                         expected);
      continue;
    }
    if (array.stype != 0) {
      problems.push_back("'" + array.name +
                         "' is sparse, the model needs a "
                         "dense " +
                         expected);
      continue;
    }
    if (array.typeFlag != typeFlagOf(weight.dtype) ||
        array.shape != weight.shape) {
      std::string problem =
          "'" + array.name + "' is " +
          describe(paramsTypeName(array.typeFlag), array.shape) +
          ", the model needs " + expected;
      if (array.typeFlag == 0 && weight.dtype != Q_DTYPE_F32)
        problem += " (the model was compiled for quantized weights: pass the "
                   ".params file q-compile wrote with them)";
      problems.push_back(problem);
      continue;
    }
    found[i] = &array;
  }
  if (!problems.empty()) {
    std::string message = path + ": " + std::to_string(problems.size()) +
                          " weight" + (problems.size() > 1 ? "s do" : " does") +
                          " not match the model: ";
    for (size_t i = 0; i < problems.size(); ++i)
      message += (i ? "; " : "") + problems[i];
    throw Error{Q_ERR_MISMATCH, message};
  }
  for (size_t i = 0; i < weights.size(); ++i)
    file.read(*found[i], destinations[i]);
}

} // namespace model
} // namespace q
