//===- InputLookup.cpp - Reference lookup of raw 8-bit inputs -------------===//
//
// The oracle of qrt_input_lookup: one element at a time, by its index in
// the output, with no blocking or threads.
//
//===----------------------------------------------------------------------===//

#include "Common.h"

#include <cstring>

namespace qrt {
namespace ref {

using namespace detail;

namespace {
size_t entrySize(QType type) { return type == QType::F32 ? 4 : 1; }
} // namespace

Status inputLookup(QType srcType, const void *src, const Shape &srcShape,
                   bool nhwc, QType dstType, const void *table,
                   int64_t tableRows, void *dst) {
  const char *kernel = "inputLookup";
  if (srcType != QType::U8 && srcType != QType::S8)
    return fail(kernel, ": src must be U8 or S8");
  if (dstType == QType::S32)
    return fail(kernel, ": dst must be F32, S8 or U8");
  if (!src || !dst || !table)
    return fail(kernel, ": null pointer");
  if (srcShape.empty() || (nhwc && srcShape.size() != 4))
    return fail(kernel, ": bad src shape ", shapeToString(srcShape));
  // Output dims [N, C, inner] and the src strides of n, c and inner.
  const int64_t n = srcShape[0];
  const int64_t c = nhwc ? srcShape[3] : srcShape.size() > 1 ? srcShape[1] : 1;
  const int64_t inner = numElements(srcShape) / std::max<int64_t>(n * c, 1);
  if (tableRows != 1 && tableRows != c)
    return fail(kernel, ": table has ", tableRows, " rows for ", c,
                " channels");
  const auto *bytes = static_cast<const uint8_t *>(src);
  const auto *entries = static_cast<const uint8_t *>(table);
  auto *out = static_cast<uint8_t *>(dst);
  const size_t size = entrySize(dstType);
  for (int64_t b = 0; b < n; ++b)
    for (int64_t ch = 0; ch < c; ++ch)
      for (int64_t s = 0; s < inner; ++s) {
        const int64_t from =
            nhwc ? (b * inner + s) * c + ch : (b * c + ch) * inner + s;
        uint8_t x = bytes[from];
        int64_t index = srcType == QType::S8 ? int64_t(int8_t(x)) + 128 : x;
        int64_t row = tableRows == 1 ? 0 : ch;
        std::memcpy(out + ((b * c + ch) * inner + s) * size,
                    entries + (row * 256 + index) * size, size);
      }
  return Status::success();
}

} // namespace ref
} // namespace qrt
