//===- MXNetParams.cpp - MXNet .params (NDArray list) reader and writer ---===//
//
// Layout (all little-endian): u64 0x112, u64 reserved, u64 n_arrays,
// n_arrays NDArray records, u64 n_names, n_names × {u64 len, bytes}. See
// shared/reference/mxnet-int8-reference.md section 2 for the record layouts.
//
// The reader treats the file as untrusted: every size is checked against the
// bytes that remain before anything is allocated, so a corrupt header cannot
// make it allocate gigabytes or loop for long.
//
//===----------------------------------------------------------------------===//

#include "QDialect/Translate/MXNetFormat.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/Twine.h"
#include "llvm/Support/Endian.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <cstdio>
#include <cstring>

using namespace llvm;
using namespace mxnet;

// Element data is copied byte-for-byte between the file and host values.
static_assert(llvm::endianness::native == llvm::endianness::little,
              "the .params reader assumes a little-endian host");

namespace {
constexpr uint64_t kListMagic = 0x112;
constexpr uint32_t kMagicV1 = 0xF993FAC8;
constexpr uint32_t kMagicV2 = 0xF993FAC9;
constexpr uint32_t kMagicV3 = 0xF993FACA;
constexpr int64_t kMaxNdim = 32;
// The smallest record: a pre-1.0 "none" array is just a u32 ndim of 0.
constexpr uint64_t kMinRecordBytes = 4;
} // namespace

//===----------------------------------------------------------------------===//
// DType helpers
//===----------------------------------------------------------------------===//

std::optional<size_t> mxnet::dtypeSize(int32_t code) {
  switch (code) {
  case 0:  // f32
  case 4:  // i32
  case 10: // u32
    return 4;
  case 1:  // f64
  case 6:  // i64
  case 11: // u64
    return 8;
  case 2:  // f16
  case 8:  // i16
  case 9:  // u16
  case 12: // bf16
    return 2;
  case 3: // u8
  case 5: // i8
  case 7: // bool
    return 1;
  default:
    return std::nullopt;
  }
}

size_t mxnet::dtypeSize(DType dtype) {
  return dtypeSize(static_cast<int32_t>(dtype)).value_or(0);
}

StringRef mxnet::dtypeName(DType dtype) {
  switch (dtype) {
  case DType::F32:
    return "float32";
  case DType::F64:
    return "float64";
  case DType::F16:
    return "float16";
  case DType::U8:
    return "uint8";
  case DType::I32:
    return "int32";
  case DType::I8:
    return "int8";
  case DType::I64:
    return "int64";
  case DType::Bool:
    return "bool";
  case DType::I16:
    return "int16";
  case DType::U16:
    return "uint16";
  case DType::U32:
    return "uint32";
  case DType::U64:
    return "uint64";
  case DType::BF16:
    return "bfloat16";
  }
  return "?";
}

bool mxnet::isSupportedDType(DType dtype) {
  switch (dtype) {
  case DType::F32:
  case DType::F64:
  case DType::F16:
  case DType::U8:
  case DType::I32:
  case DType::I8:
  case DType::I64:
  case DType::Bool:
    return true;
  default:
    return false;
  }
}

int64_t NDArray::numElements() const {
  if (isNone)
    return 0;
  int64_t n = 1;
  for (int64_t d : shape)
    n *= d;
  return n;
}

const NDArray *ParamsFile::lookup(StringRef name) const {
  for (const auto &[n, a] : arrays)
    if (n == name)
      return &a;
  return nullptr;
}

std::pair<StringRef, StringRef> mxnet::splitParamName(StringRef stored) {
  for (StringRef kind : {"arg", "aux"})
    if (stored.size() > kind.size() && stored.starts_with(kind) &&
        stored[kind.size()] == ':')
      return {stored.take_front(kind.size()),
              stored.drop_front(kind.size() + 1)};
  return {StringRef(), stored};
}

static std::string hex(uint64_t v, int minDigits) {
  char buf[32];
  snprintf(buf, sizeof(buf), "0x%0*llX", minDigits,
           static_cast<unsigned long long>(v));
  return buf;
}

static std::string formatShape(ArrayRef<int64_t> shape) {
  return formatIntTuple(shape);
}

//===----------------------------------------------------------------------===//
// Reader
//===----------------------------------------------------------------------===//

namespace {

class ParamsReader {
public:
  ParamsReader(ArrayRef<uint8_t> bytes, StringRef fileName)
      : buf(bytes), fileName(fileName) {}

  Expected<ParamsFile> read();

private:
  size_t remaining() const { return buf.size() - pos; }

  Error fail(const Twine &msg) {
    return createStringError(inconvertibleErrorCode(),
                             fileName + ": " + msg.str());
  }

  Error need(uint64_t n, const Twine &what) {
    if (remaining() >= n)
      return Error::success();
    return fail("truncated at byte " + Twine(pos) + " while reading " + what +
                " (need " + Twine(n) + " bytes, " + Twine(remaining()) +
                " left)");
  }

  template <typename T> Expected<T> get(const Twine &what) {
    if (Error e = need(sizeof(T), what))
      return std::move(e);
    T v = support::endian::read<T, llvm::endianness::little>(buf.data() + pos);
    pos += sizeof(T);
    return v;
  }

  Error readRecord(uint64_t index, NDArray &out);
  Error readDims(int64_t ndim, bool legacyU32, const std::string &arr,
                 std::vector<int64_t> &shape);

  ArrayRef<uint8_t> buf;
  size_t pos = 0;
  StringRef fileName;
};

} // namespace

Error ParamsReader::readDims(int64_t ndim, bool legacyU32,
                             const std::string &arr,
                             std::vector<int64_t> &shape) {
  size_t dimSize = legacyU32 ? 4 : 8;
  if (Error e =
          need(ndim * dimSize, "the " + Twine(ndim) + " dimensions of " + arr))
    return e;
  shape.resize(ndim);
  for (int64_t i = 0; i < ndim; ++i) {
    size_t at = pos;
    int64_t d;
    if (legacyU32) {
      auto v = get<uint32_t>("a dimension");
      if (!v)
        return v.takeError();
      d = *v;
    } else {
      auto v = get<int64_t>("a dimension");
      if (!v)
        return v.takeError();
      d = *v;
    }
    if (d < 0)
      return fail("negative dimension " + Twine(d) + " at byte " + Twine(at) +
                  " in the shape of " + arr);
    shape[i] = d;
  }
  return Error::success();
}

Error ParamsReader::readRecord(uint64_t index, NDArray &out) {
  std::string arr = ("array #" + Twine(index)).str();
  size_t magicAt = pos;
  auto magic = get<uint32_t>("the record header of " + arr);
  if (!magic)
    return magic.takeError();

  bool legacyDims = false;
  int64_t ndim;
  size_t ndimAt = pos;
  if (*magic == kMagicV2 || *magic == kMagicV3) {
    out.format = *magic == kMagicV2 ? RecordFormat::V2 : RecordFormat::V3;
    size_t stypeAt = pos;
    auto stype = get<int32_t>("the storage type of " + arr);
    if (!stype)
      return stype.takeError();
    if (*stype == 1 || *stype == 2)
      return fail(arr + ": sparse storage (" +
                  (*stype == 1 ? "row_sparse" : "csr") +
                  ") is not supported (storage type " + Twine(*stype) +
                  " at byte " + Twine(stypeAt) + ")");
    // -1 (undefined) is what MXNet writes for a "none" array.
    if (*stype != 0 && *stype != -1)
      return fail(arr + ": unknown storage type " + Twine(*stype) +
                  " at byte " + Twine(stypeAt));
    ndimAt = pos;
    auto n = get<int32_t>("the number of dimensions of " + arr);
    if (!n)
      return n.takeError();
    ndim = *n;
    // V2 (legacy shape semantics): ndim 0 is "none"; 1.6+ writes -1 for it.
    // V3 (numpy semantics): -1 is "none" and 0 a scalar.
    if (ndim == -1 || (ndim == 0 && out.format == RecordFormat::V2)) {
      out.isNone = true;
      return Error::success();
    }
  } else if (*magic == kMagicV1) {
    out.format = RecordFormat::V1;
    ndimAt = pos;
    auto n = get<uint32_t>("the number of dimensions of " + arr);
    if (!n)
      return n.takeError();
    ndim = *n;
    if (ndim == 0) {
      out.isNone = true;
      return Error::success();
    }
  } else {
    // Before 1.0 there was no magic: the u32 is the ndim of a shape with u32
    // dims. A huge value means neither layout fits.
    out.format = RecordFormat::Legacy;
    legacyDims = true;
    ndim = *magic;
    if (ndim > kMaxNdim)
      return fail(arr + ": bad record magic " + hex(*magic, 8) + " at byte " +
                  Twine(magicAt) +
                  " (expected 0xF993FAC8, 0xF993FAC9 or 0xF993FACA, or a "
                  "pre-1.0 dimension count of at most " +
                  Twine(kMaxNdim) + ")");
    if (ndim == 0) {
      out.isNone = true;
      return Error::success();
    }
  }
  if (ndim < 0 || ndim > kMaxNdim)
    return fail(arr + ": absurd number of dimensions " + Twine(ndim) +
                " at byte " + Twine(ndimAt) + " (at most " + Twine(kMaxNdim) +
                ")");
  if (Error e = readDims(ndim, legacyDims, arr, out.shape))
    return e;

  size_t ctxAt = pos;
  auto devType = get<int32_t>("the device type of " + arr);
  if (!devType)
    return devType.takeError();
  // cpu, gpu, cpu_pinned, cpu_shared; anything else means we lost track.
  if (*devType != 1 && *devType != 2 && *devType != 3 && *devType != 5)
    return fail(arr + ": bad device type " + Twine(*devType) + " at byte " +
                Twine(ctxAt) + " (expected 1, 2, 3 or 5)");
  auto devId = get<int32_t>("the device id of " + arr);
  if (!devId)
    return devId.takeError();

  size_t typeAt = pos;
  auto typeFlag = get<int32_t>("the dtype of " + arr);
  if (!typeFlag)
    return typeFlag.takeError();
  std::optional<size_t> elemSize = dtypeSize(*typeFlag);
  if (!elemSize)
    return fail(arr + ": unknown dtype code " + Twine(*typeFlag) + " at byte " +
                Twine(typeAt));
  out.dtype = static_cast<DType>(*typeFlag);
  if (!isSupportedDType(out.dtype))
    return fail(arr + ": unsupported dtype code " + Twine(*typeFlag) + " (" +
                dtypeName(out.dtype) + ") at byte " + Twine(typeAt) +
                " (supported: float32, float64, float16, uint8, int8, int32, "
                "int64, bool)");

  // Overflow-safe size, checked against the file before allocating.
  uint64_t bytes = *elemSize;
  bool overflow = false;
  int64_t elements = 1;
  for (int64_t d : out.shape) {
    overflow |= __builtin_mul_overflow(bytes, static_cast<uint64_t>(d), &bytes);
    // A zero dim makes the byte count 0, but the element count of the
    // other dims must still fit (numElements() multiplies them all).
    overflow |= d != 0 && __builtin_mul_overflow(elements, d, &elements);
  }
  if (overflow || bytes > remaining())
    return fail(arr + ": shape " + formatShape(out.shape) + " of " +
                dtypeName(out.dtype) + " needs " +
                (overflow ? Twine("more than 2^64") : Twine(bytes)) +
                " bytes of data at byte " + Twine(pos) + ", but only " +
                Twine(remaining()) + " bytes remain (truncated or corrupt)");
  out.data.assign(buf.begin() + pos, buf.begin() + pos + bytes);
  pos += bytes;
  return Error::success();
}

Expected<ParamsFile> ParamsReader::read() {
  auto magic = get<uint64_t>("the file header");
  if (!magic)
    return magic.takeError();
  if (*magic != kListMagic)
    return fail("bad magic " + hex(*magic, 1) +
                " at byte 0, expected 0x112 (not an MXNet NDArray list)");
  auto reserved = get<uint64_t>("the reserved header field");
  if (!reserved)
    return reserved.takeError();

  size_t countAt = pos;
  auto count = get<uint64_t>("the array count");
  if (!count)
    return count.takeError();
  if (*count > remaining() / kMinRecordBytes)
    return fail("array count " + Twine(*count) + " at byte " + Twine(countAt) +
                " cannot fit in the remaining " + Twine(remaining()) +
                " bytes");

  ParamsFile file;
  // Grow as records are actually read rather than trusting the count.
  file.arrays.reserve(std::min<uint64_t>(*count, 1024));
  for (uint64_t i = 0; i < *count; ++i) {
    file.arrays.emplace_back();
    if (Error e = readRecord(i, file.arrays.back().second))
      return std::move(e);
  }

  size_t namesAt = pos;
  auto nameCount = get<uint64_t>("the name count");
  if (!nameCount)
    return nameCount.takeError();
  if (*nameCount != 0 && *nameCount != *count)
    return fail("name count " + Twine(*nameCount) + " at byte " +
                Twine(namesAt) + " must be 0 or the array count " +
                Twine(*count));
  for (uint64_t i = 0; i < *nameCount; ++i) {
    std::string what = ("name #" + Twine(i)).str();
    size_t lenAt = pos;
    auto len = get<uint64_t>("the length of " + what);
    if (!len)
      return len.takeError();
    if (*len > remaining())
      return fail("length " + Twine(*len) + " of " + what + " at byte " +
                  Twine(lenAt) + " exceeds the remaining " +
                  Twine(remaining()) + " bytes (truncated or corrupt)");
    file.arrays[i].first.assign(
        reinterpret_cast<const char *>(buf.data() + pos), *len);
    pos += *len;
  }
  if (remaining() != 0)
    return fail(Twine(remaining()) +
                " unexpected bytes after the name list "
                "at byte " +
                Twine(pos));
  return file;
}

Expected<ParamsFile> mxnet::parseParams(ArrayRef<uint8_t> bytes,
                                           StringRef fileName) {
  return ParamsReader(bytes, fileName).read();
}

Expected<ParamsFile> mxnet::parseParams(StringRef bytes,
                                           StringRef fileName) {
  return parseParams(ArrayRef<uint8_t>(bytes.bytes_begin(), bytes.size()),
                     fileName);
}

Expected<ParamsFile> mxnet::readParamsFile(StringRef path) {
  ErrorOr<std::unique_ptr<MemoryBuffer>> buf =
      MemoryBuffer::getFile(path, /*IsText=*/false,
                            /*RequiresNullTerminator=*/false);
  if (!buf)
    return createStringError(buf.getError(), "%s: cannot read: %s",
                             path.str().c_str(),
                             buf.getError().message().c_str());
  return parseParams((*buf)->getBuffer(), path);
}

//===----------------------------------------------------------------------===//
// Writer
//===----------------------------------------------------------------------===//

Error mxnet::verifyNDArray(const NDArray &array, StringRef name) {
  std::string who = name.empty() ? "array" : ("array '" + name + "'").str();
  auto fail = [&](const Twine &msg) {
    return createStringError(inconvertibleErrorCode(), who + ": " + msg.str());
  };
  if (array.isNone)
    return array.data.empty() ? Error::success()
                              : fail("a none array must have no data");
  if (!dtypeSize(static_cast<int32_t>(array.dtype)))
    return fail("unknown dtype code " +
                Twine(static_cast<int32_t>(array.dtype)));
  if (array.shape.size() > kMaxNdim)
    return fail("too many dimensions (" + Twine(array.shape.size()) + ")");
  uint64_t bytes = dtypeSize(array.dtype);
  int64_t elements = 1;
  for (int64_t d : array.shape) {
    if (d < 0)
      return fail("negative dimension in shape " + formatShape(array.shape));
    if (__builtin_mul_overflow(bytes, static_cast<uint64_t>(d), &bytes) ||
        (d != 0 && __builtin_mul_overflow(elements, d, &elements)))
      return fail("shape " + formatShape(array.shape) + " is too large");
  }
  if (bytes != array.data.size())
    return fail("shape " + formatShape(array.shape) + " of " +
                dtypeName(array.dtype) + " needs " + Twine(bytes) +
                " bytes, data has " + Twine(array.data.size()));
  return Error::success();
}

namespace {
struct ByteWriter {
  std::vector<uint8_t> &out;
  template <typename T> void put(T v) {
    uint8_t bytes[sizeof(T)];
    support::endian::write<T, llvm::endianness::little>(bytes, v);
    out.insert(out.end(), bytes, bytes + sizeof(T));
  }
};
} // namespace

std::vector<uint8_t> mxnet::writeParams(const ParamsFile &file) {
  std::vector<uint8_t> out;
  ByteWriter w{out};
  w.put<uint64_t>(kListMagic);
  w.put<uint64_t>(0);
  w.put<uint64_t>(file.arrays.size());
  for (const auto &[name, a] : file.arrays) {
    assert(!errorToBool(verifyNDArray(a, name)) && "inconsistent NDArray");
    // V2 cannot express a 0-d array (its ndim 0 means "none"), V3 can.
    bool scalar = !a.isNone && a.shape.empty();
    w.put<uint32_t>(scalar ? kMagicV3 : kMagicV2);
    w.put<int32_t>(0); // dense
    if (a.isNone) {
      w.put<int32_t>(0);
      continue;
    }
    w.put<int32_t>(static_cast<int32_t>(a.shape.size()));
    for (int64_t d : a.shape)
      w.put<int64_t>(d);
    w.put<int32_t>(1); // cpu
    w.put<int32_t>(0); // device id
    w.put<int32_t>(static_cast<int32_t>(a.dtype));
    out.insert(out.end(), a.data.begin(), a.data.end());
  }
  bool named =
      any_of(file.arrays, [](const auto &p) { return !p.first.empty(); });
  w.put<uint64_t>(named ? file.arrays.size() : 0);
  if (named) {
    for (const auto &p : file.arrays) {
      w.put<uint64_t>(p.first.size());
      out.insert(out.end(), p.first.begin(), p.first.end());
    }
  }
  return out;
}

Error mxnet::writeParamsFile(const ParamsFile &file, StringRef path) {
  for (const auto &[name, a] : file.arrays)
    if (Error e = verifyNDArray(a, name))
      return createStringError(inconvertibleErrorCode(),
                               path + ": " + toString(std::move(e)));
  std::vector<uint8_t> bytes = writeParams(file);
  return writeToOutput(path, [&](raw_ostream &os) {
    os.write(reinterpret_cast<const char *>(bytes.data()), bytes.size());
    return Error::success();
  });
}

//===----------------------------------------------------------------------===//
// Conversions
//===----------------------------------------------------------------------===//

float mxnet::halfToFloat(uint16_t h) {
  uint32_t sign = static_cast<uint32_t>(h & 0x8000) << 16;
  uint32_t exp = (h >> 10) & 0x1f;
  uint32_t mant = h & 0x3ff;
  if (exp == 0) {
    // Zero or subnormal: mant * 2^-24, exact in float.
    float v = std::ldexp(static_cast<float>(mant), -24);
    return sign ? -v : v;
  }
  uint32_t bits;
  if (exp == 31)
    bits = sign | 0x7f800000 | (mant << 13); // inf / nan (payload kept)
  else
    bits = sign | ((exp - 15 + 127) << 23) | (mant << 13);
  float f;
  std::memcpy(&f, &bits, sizeof(f));
  return f;
}

uint16_t mxnet::floatToHalf(float value) {
  uint32_t x;
  std::memcpy(&x, &value, sizeof(x));
  uint16_t sign = (x >> 16) & 0x8000;
  uint32_t absx = x & 0x7fffffff;
  if (absx > 0x7f800000) // nan: keep it quiet and non-zero
    return sign | 0x7e00 | ((absx >> 13) & 0x3ff);
  if (absx >= 0x47800000) // >= 65536 (or inf): overflows to inf
    return sign | 0x7c00;
  if (absx < 0x38800000) {
    // Below the smallest normal half (2^-14): scale to units of 2^-24; the
    // product is exact, nearbyint rounds to nearest even.
    float f;
    std::memcpy(&f, &absx, sizeof(f));
    return sign | static_cast<uint16_t>(std::nearbyint(f * 16777216.0f));
  }
  uint32_t h = ((((absx >> 23) - 127 + 15) << 10) | ((absx >> 13) & 0x3ff));
  uint32_t rest = absx & 0x1fff;
  // A carry out of the mantissa correctly bumps the exponent (even to inf).
  if (rest > 0x1000 || (rest == 0x1000 && (h & 1)))
    ++h;
  return sign | static_cast<uint16_t>(h);
}

template <typename T>
static void convert(const std::vector<uint8_t> &data, std::vector<float> &out) {
  for (size_t i = 0; i < out.size(); ++i) {
    T v;
    std::memcpy(&v, data.data() + i * sizeof(T), sizeof(T));
    out[i] = static_cast<float>(v);
  }
}

Expected<std::vector<float>> mxnet::toFloat32(const NDArray &array) {
  if (array.isNone)
    return createStringError(inconvertibleErrorCode(),
                             "cannot convert a none array to float32");
  if (Error e = verifyNDArray(array))
    return std::move(e);
  std::vector<float> out(array.numElements());
  const std::vector<uint8_t> &d = array.data;
  switch (array.dtype) {
  case DType::F32:
    convert<float>(d, out);
    break;
  case DType::F64:
    convert<double>(d, out);
    break;
  case DType::F16:
  case DType::BF16:
    for (size_t i = 0; i < out.size(); ++i) {
      uint16_t h = d[2 * i] | (d[2 * i + 1] << 8);
      if (array.dtype == DType::F16) {
        out[i] = halfToFloat(h);
      } else {
        uint32_t bits = static_cast<uint32_t>(h) << 16;
        std::memcpy(&out[i], &bits, sizeof(float));
      }
    }
    break;
  case DType::U8:
    convert<uint8_t>(d, out);
    break;
  case DType::I8:
    convert<int8_t>(d, out);
    break;
  case DType::I32:
    convert<int32_t>(d, out);
    break;
  case DType::I64:
    convert<int64_t>(d, out);
    break;
  case DType::Bool:
    for (size_t i = 0; i < out.size(); ++i)
      out[i] = d[i] ? 1.0f : 0.0f;
    break;
  case DType::I16:
    convert<int16_t>(d, out);
    break;
  case DType::U16:
    convert<uint16_t>(d, out);
    break;
  case DType::U32:
    convert<uint32_t>(d, out);
    break;
  case DType::U64:
    convert<uint64_t>(d, out);
    break;
  }
  return out;
}

NDArray mxnet::makeF32(ArrayRef<int64_t> shape, ArrayRef<float> values) {
  NDArray a;
  a.shape.assign(shape.begin(), shape.end());
  a.dtype = DType::F32;
  a.data.resize(values.size() * sizeof(float));
  if (!values.empty())
    std::memcpy(a.data.data(), values.data(), a.data.size());
  return a;
}
