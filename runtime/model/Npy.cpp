//===- Npy.cpp - Read and write NumPy .npy files --------------------------===//
//
// Format: "\x93NUMPY", major, minor, header length (u16 for 1.0, u32 for
// 2.0/3.0), then a Python dict literal
//   {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }
// padded with spaces and a newline, then the raw data.
//
//===----------------------------------------------------------------------===//

#include "q/npy.h"

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <memory>
#include <new>
#include <unistd.h>

namespace npy {

namespace {

const char kMagic[] = "\x93NUMPY";
constexpr size_t kMagicSize = 6;
constexpr uint64_t kMaxBytes = uint64_t(1) << 62;

/// Thrown inside this file only; the API returns it as a message.
struct Failure {
  std::string message;
};

[[noreturn]] void bad(const std::string &file, const std::string &what) {
  throw Failure{file + ": " + what};
}

/// Runs `body`, mapping every exception to false and a message.
template <typename Body>
bool guarded(std::string *error, const std::string &file, Body &&body) {
  std::string message;
  try {
    body();
    return true;
  } catch (const Failure &failure) {
    message = failure.message;
  } catch (const std::bad_alloc &) {
    message = file + ": out of memory";
  } catch (const std::exception &e) {
    message = file + ": " + e.what();
  }
  if (error)
    *error = message;
  return false;
}

struct Header {
  DType dtype = DType::F32;
  std::vector<int64_t> shape;
};

/// A parser of the small Python literal subset that .npy headers use.
class HeaderParser {
public:
  HeaderParser(const std::string &text, const std::string &file)
      : text(text), file(file) {}

  Header parse() {
    Header header;
    bool sawDescr = false, sawOrder = false, sawShape = false;
    skipSpace();
    expect('{');
    while (true) {
      skipSpace();
      if (peek() == '}')
        break;
      const std::string key = parseString();
      skipSpace();
      expect(':');
      skipSpace();
      if (key == "descr") {
        if (peek() != '\'' && peek() != '"')
          error("'descr' is not a string (structured dtypes are not "
                "supported)");
        header.dtype = parseDescr(parseString());
        sawDescr = true;
      } else if (key == "fortran_order") {
        if (parseBool())
          bad(file, "fortran_order is True: column-major data is not "
                    "supported (save np.ascontiguousarray(x) instead)");
        sawOrder = true;
      } else if (key == "shape") {
        header.shape = parseShape();
        sawShape = true;
      } else {
        error("unexpected key '" + key + "'");
      }
      skipSpace();
      if (peek() == ',')
        ++pos;
      else if (peek() != '}')
        error("expected ',' or '}'");
    }
    ++pos;
    skipSpace();
    if (pos != text.size())
      error("unexpected text after '}'");
    if (!sawDescr || !sawOrder || !sawShape)
      error(std::string("missing key '") +
            (!sawDescr   ? "descr"
             : !sawOrder ? "fortran_order"
                         : "shape") +
            "'");
    return header;
  }

private:
  [[noreturn]] void error(const std::string &what) {
    const size_t end = text.find_last_not_of(" \n");
    bad(file, "bad header: " + what + " at column " + std::to_string(pos) +
                  " of \"" + text.substr(0, end + 1) + "\"");
  }
  char peek() const { return pos < text.size() ? text[pos] : '\0'; }
  void skipSpace() {
    while (pos < text.size() && (text[pos] == ' ' || text[pos] == '\n' ||
                                 text[pos] == '\t' || text[pos] == '\r'))
      ++pos;
  }
  void expect(char c) {
    if (peek() != c)
      error(std::string("expected '") + c + "'");
    ++pos;
  }

  std::string parseString() {
    const char quote = peek();
    if (quote != '\'' && quote != '"')
      error("expected a string");
    const size_t end = text.find(quote, pos + 1);
    if (end == std::string::npos)
      error("unterminated string");
    std::string value = text.substr(pos + 1, end - pos - 1);
    pos = end + 1;
    return value;
  }

  bool parseBool() {
    if (text.compare(pos, 4, "True") == 0) {
      pos += 4;
      return true;
    }
    if (text.compare(pos, 5, "False") == 0) {
      pos += 5;
      return false;
    }
    error("expected True or False");
  }

  std::vector<int64_t> parseShape() {
    std::vector<int64_t> shape;
    expect('(');
    uint64_t elements = 1;
    while (true) {
      skipSpace();
      if (peek() == ')')
        break;
      if (peek() < '0' || peek() > '9')
        error("expected a non-negative dim");
      uint64_t dim = 0;
      while (peek() >= '0' && peek() <= '9') {
        dim = dim * 10 + uint64_t(peek() - '0');
        if (dim > kMaxBytes)
          error("dim too large");
        ++pos;
      }
      if (peek() == 'L') // Python 2 longs
        ++pos;
      if (dim && elements > kMaxBytes / dim)
        error("shape too large");
      elements *= dim;
      shape.push_back(int64_t(dim));
      skipSpace();
      if (peek() == ',')
        ++pos;
      else if (peek() != ')')
        error("expected ',' or ')' in the shape");
    }
    ++pos;
    return shape;
  }

  DType parseDescr(const std::string &descr) {
    static const struct {
      const char *code;
      DType dtype;
    } known[] = {{"f4", DType::F32}, {"f8", DType::F64}, {"u1", DType::U8},
                 {"i1", DType::S8},  {"i4", DType::S32}, {"i8", DType::S64}};
    if (descr.size() == 3 && (descr[0] == '<' || descr[0] == '>' ||
                              descr[0] == '|' || descr[0] == '=')) {
      for (const auto &entry : known) {
        if (descr.compare(1, 2, entry.code) != 0)
          continue;
        // One-byte types have no byte order; wider ones must be little
        // endian ('=' is native, little endian on every host q runs on).
        if (elementSize(entry.dtype) > 1 && descr[0] != '<' && descr[0] != '=')
          bad(file, "big-endian dtype '" + descr +
                        "' is not supported (save x.astype('<" + entry.code +
                        "') instead)");
        return entry.dtype;
      }
    }
    bad(file, "unsupported dtype '" + descr +
                  "' (supported: <f4, <f8, |u1, |i1, <i4, <i8)");
  }

  const std::string &text;
  const std::string &file;
  size_t pos = 0;
};

/// Where the header text starts and how long it is, from the first bytes
/// of the file (`available` of them, `total` in the file).
void parsePreamble(const unsigned char *bytes, size_t available, size_t total,
                   const std::string &file, size_t &headerStart,
                   size_t &headerLength) {
  if (available < kMagicSize + 2 || std::memcmp(bytes, kMagic, kMagicSize) != 0)
    bad(file, "not a .npy file (bad magic; expected \\x93NUMPY)");
  const unsigned major = bytes[6], minor = bytes[7];
  if (major < 1 || major > 3 || minor != 0)
    bad(file, "unsupported .npy version " + std::to_string(major) + "." +
                  std::to_string(minor) + " (supported: 1.0, 2.0, 3.0)");
  const size_t lengthSize = major == 1 ? 2 : 4;
  headerStart = kMagicSize + 2 + lengthSize;
  if (available < headerStart)
    bad(file, "truncated: the file ends inside the preamble (" +
                  std::to_string(total) + " bytes)");
  headerLength = bytes[8] | size_t(bytes[9]) << 8;
  if (lengthSize == 4)
    headerLength |= size_t(bytes[10]) << 16 | size_t(bytes[11]) << 24;
  if (headerLength > total - headerStart)
    bad(file, "truncated: the header needs " + std::to_string(headerLength) +
                  " bytes after byte " + std::to_string(headerStart) +
                  ", the file has " + std::to_string(total) + " bytes");
}

/// Checks that the data after the header has exactly the size the header
/// promises, and shapes `array` for it.
void prepareData(const Header &header, size_t dataBytes,
                 const std::string &file, Array &array) {
  array.dtype = header.dtype;
  array.shape = header.shape;
  uint64_t expected = elementSize(header.dtype);
  for (int64_t dim : header.shape) {
    if (dim && expected > kMaxBytes / uint64_t(dim))
      bad(file, "shape " + shapeString(header.shape) + " is too large");
    expected *= uint64_t(dim);
  }
  if (expected != dataBytes)
    bad(file, "data size mismatch: shape " + shapeString(header.shape) +
                  " of " + name(header.dtype) + " needs " +
                  std::to_string(expected) + " bytes, the file has " +
                  std::to_string(dataBytes) + " after the header" +
                  (dataBytes < expected ? " (truncated)" : ""));
  array.data.assign(dataBytes, 0);
}

void serializeTo(const Array &array, std::vector<unsigned char> &bytes,
                 const std::string &file) {
  for (int64_t dim : array.shape)
    if (dim < 0)
      bad(file, "negative dim in shape " + shapeString(array.shape));
  if (array.data.size() != array.numBytes())
    bad(file, "the array holds " + std::to_string(array.data.size()) +
                  " bytes, shape " + shapeString(array.shape) + " of " +
                  name(array.dtype) + " needs " +
                  std::to_string(array.numBytes()));
  std::string header =
      std::string("{'descr': '") + descr(array.dtype) +
      "', 'fortran_order': False, 'shape': " + shapeString(array.shape) + ", }";
  // NumPy pads the whole preamble to a multiple of 64 bytes, newline last.
  const bool small = header.size() + 64 + kMagicSize + 4 <= 65535;
  const size_t prefix = kMagicSize + 2 + (small ? 2 : 4);
  header.append(63 - (prefix + header.size()) % 64, ' ');
  header.push_back('\n');
  bytes.clear();
  bytes.reserve(prefix + header.size() + array.data.size());
  bytes.insert(bytes.end(), kMagic, kMagic + kMagicSize);
  bytes.push_back(small ? 1 : 2);
  bytes.push_back(0);
  const size_t length = header.size();
  for (size_t i = 0; i < (small ? 2u : 4u); ++i)
    bytes.push_back(static_cast<unsigned char>(length >> (8 * i)));
  bytes.insert(bytes.end(), header.begin(), header.end());
  bytes.insert(bytes.end(), array.data.begin(), array.data.end());
}

struct FileCloser {
  void operator()(std::FILE *file) const { std::fclose(file); }
};

} // namespace

const char *descr(DType dtype) {
  switch (dtype) {
  case DType::F32:
    return "<f4";
  case DType::F64:
    return "<f8";
  case DType::U8:
    return "|u1";
  case DType::S8:
    return "|i1";
  case DType::S32:
    return "<i4";
  case DType::S64:
    return "<i8";
  }
  return "?";
}

const char *name(DType dtype) {
  switch (dtype) {
  case DType::F32:
    return "float32";
  case DType::F64:
    return "float64";
  case DType::U8:
    return "uint8";
  case DType::S8:
    return "int8";
  case DType::S32:
    return "int32";
  case DType::S64:
    return "int64";
  }
  return "?";
}

size_t elementSize(DType dtype) {
  switch (dtype) {
  case DType::U8:
  case DType::S8:
    return 1;
  case DType::F32:
  case DType::S32:
    return 4;
  case DType::F64:
  case DType::S64:
    return 8;
  }
  return 0;
}

int64_t Array::numElements() const {
  int64_t count = 1;
  for (int64_t dim : shape)
    count *= dim;
  return count;
}

Array makeArray(DType dtype, std::vector<int64_t> shape) {
  Array array;
  array.dtype = dtype;
  array.shape = std::move(shape);
  array.data.assign(array.numBytes(), 0);
  return array;
}

std::string shapeString(const std::vector<int64_t> &shape) {
  std::string text = "(";
  for (size_t i = 0; i < shape.size(); ++i)
    text += (i ? ", " : "") + std::to_string(shape[i]);
  return text + (shape.size() == 1 ? ",)" : ")");
}

bool parse(const void *data, size_t size, Array &array, std::string *error,
           const std::string &file) {
  return guarded(error, file, [&] {
    const auto *bytes = static_cast<const unsigned char *>(data);
    size_t start = 0, length = 0;
    parsePreamble(bytes, size, size, file, start, length);
    const std::string text(reinterpret_cast<const char *>(bytes) + start,
                           length);
    const Header header = HeaderParser(text, file).parse();
    const size_t dataStart = start + length;
    prepareData(header, size - dataStart, file, array);
    if (!array.data.empty())
      std::memcpy(array.data.data(), bytes + dataStart, array.data.size());
  });
}

bool read(const std::string &path, Array &array, std::string *error) {
  return guarded(error, path, [&] {
    std::unique_ptr<std::FILE, FileCloser> file(std::fopen(path.c_str(), "rb"));
    if (!file)
      bad(path, std::string("cannot open: ") + std::strerror(errno));
    if (fseeko(file.get(), 0, SEEK_END) != 0)
      bad(path, std::string("cannot seek: ") + std::strerror(errno));
    const off_t end = ftello(file.get());
    if (end < 0 || fseeko(file.get(), 0, SEEK_SET) != 0)
      bad(path, std::string("cannot seek: ") + std::strerror(errno));
    const size_t size = size_t(end);

    auto readExactly = [&](void *dst, size_t bytes) {
      if (bytes && std::fread(dst, 1, bytes, file.get()) != bytes)
        bad(path, std::string("read error: ") + std::strerror(errno));
    };
    unsigned char preamble[12] = {};
    const size_t available = std::min(size, sizeof(preamble));
    readExactly(preamble, available);
    size_t start = 0, length = 0;
    parsePreamble(preamble, available, size, path, start, length);
    std::string text(length, '\0');
    if (fseeko(file.get(), off_t(start), SEEK_SET) != 0)
      bad(path, std::string("cannot seek: ") + std::strerror(errno));
    readExactly(&text[0], length);
    const Header header = HeaderParser(text, path).parse();
    prepareData(header, size - start - length, path, array);
    readExactly(array.data.data(), array.data.size());
  });
}

bool serialize(const Array &array, std::vector<unsigned char> &bytes,
               std::string *error) {
  return guarded(error, "<array>",
                 [&] { serializeTo(array, bytes, "<array>"); });
}

bool write(const std::string &path, const Array &array, std::string *error) {
  std::vector<unsigned char> bytes;
  std::string temp;
  int fd = -1;
  return guarded(error, path, [&] {
    serializeTo(array, bytes, path);
    // A unique name next to the target, so that rename() stays atomic.
    static std::atomic<unsigned> counter{0};
    for (int attempt = 0; fd < 0 && attempt < 100; ++attempt) {
      temp = path + ".tmp." + std::to_string(getpid()) + "." +
             std::to_string(counter++);
      fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
      if (fd < 0 && errno != EEXIST)
        bad(path,
            std::string("cannot create ") + temp + ": " + std::strerror(errno));
    }
    if (fd < 0)
      bad(path, "cannot create a temporary file next to it");
    auto cleanup = [&](const std::string &what) {
      const std::string reason = std::strerror(errno);
      if (fd >= 0)
        ::close(fd);
      ::unlink(temp.c_str());
      bad(path, what + ": " + reason);
    };
    size_t done = 0;
    while (done < bytes.size()) {
      const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        cleanup("write error");
      done += size_t(n);
    }
    const int closed = ::close(fd);
    fd = -1;
    if (closed != 0)
      cleanup("write error");
    if (::rename(temp.c_str(), path.c_str()) != 0)
      cleanup("cannot rename " + temp + " to it");
  });
}

} // namespace npy
