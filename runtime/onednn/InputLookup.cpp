//===- InputLookup.cpp - Raw 8-bit model inputs through a table -----------===//
//
// qrt_input_lookup: the one pass a model with a raw uint8/int8 input makes
// over it. Every byte indexes its channel's 256-entry table (the model's
// preprocessing and first quantize, folded by the compiler), and NHWC data
// come out NCHW in the same pass. Plain OpenMP loops: a byte-indexed load
// per element is all there is to do.
//
//===----------------------------------------------------------------------===//

#include "../Runtime.h"

#include <cstring>

using namespace qrt;

namespace {

struct InputLookupOp : Op {
  static constexpr OpKind Kind = OpKind::InputLookup;
  InputLookupOp() : Op(Kind) {}
  bool nhwc = false;
  /// 0x80 flips an s8 byte into its table index (x + 128).
  uint8_t flip = 0;
  int32_t dstType = QRT_F32;
  int64_t batch = 0, channels = 1, height = 1, width = 1, inner = 1;
  /// channels x 256 entries (rows expanded at init).
  std::vector<float> f32Table;
  std::vector<uint8_t> byteTable;
};

template <typename T>
void lookupNchw(const InputLookupOp &op, const uint8_t *src, T *dst,
                const T *table) {
  const int64_t planes = op.batch * op.channels, inner = op.inner;
  const uint8_t flip = op.flip;
#pragma omp parallel for num_threads(loopThreads(planes *inner))               \
    schedule(static)
  for (int64_t p = 0; p < planes; ++p) {
    const T *row = table + (p % op.channels) * 256;
    const uint8_t *from = src + p * inner;
    T *to = dst + p * inner;
    for (int64_t i = 0; i < inner; ++i)
      to[i] = row[from[i] ^ flip];
  }
}

template <typename T>
void lookupNhwc(const InputLookupOp &op, const uint8_t *src, T *dst,
                const T *table) {
  const int64_t rows = op.batch * op.height;
  const int64_t c = op.channels, h = op.height, w = op.width;
  const uint8_t flip = op.flip;
#pragma omp parallel for num_threads(loopThreads(rows *w *c)) schedule(static)
  for (int64_t r = 0; r < rows; ++r) {
    const int64_t n = r / h, y = r % h;
    const uint8_t *from = src + r * w * c;
    for (int64_t ch = 0; ch < c; ++ch) {
      const T *row = table + ch * 256;
      T *to = dst + ((n * c + ch) * h + y) * w;
      for (int64_t x = 0; x < w; ++x)
        to[x] = row[from[x * c + ch] ^ flip];
    }
  }
}

template <typename T>
void lookup(const InputLookupOp &op, const void *src, void *dst,
            const T *table) {
  const auto *bytes = static_cast<const uint8_t *>(src);
  if (op.nhwc)
    lookupNhwc(op, bytes, static_cast<T *>(dst), table);
  else
    lookupNchw(op, bytes, static_cast<T *>(dst), table);
}

} // namespace

extern "C" int32_t qrt_input_lookup_init(qrt_model *model, int32_t opId,
                                         const qrt_input_lookup_desc *desc,
                                         const void *table) {
  return guarded(opId, "input_lookup", [&] {
    checkInit(model, opId, desc, desc ? desc->abi_version : 0);
    const qrt_input_lookup_desc &d = *desc;
    requireNonNull(table, "table");
    requireDtype(d.src_dtype, "src", {QRT_U8, QRT_S8});
    requireDtype(d.dst_dtype, "dst", {QRT_F32, QRT_S8, QRT_U8});
    require(d.layout == QRT_LAYOUT_NCHW || d.layout == QRT_LAYOUT_NHWC,
            "unknown layout ", d.layout);
    for (int64_t r : d.reserved)
      require(r == 0, "reserved fields must be zero");
    const Dims dims = shapeDims(d.input, "input", 1);
    auto op = std::make_unique<InputLookupOp>();
    op->nhwc = d.layout == QRT_LAYOUT_NHWC;
    op->flip = d.src_dtype == QRT_S8 ? 0x80 : 0;
    op->dstType = d.dst_dtype;
    op->batch = dims[0];
    if (op->nhwc) {
      require(dims.size() == 4, "layout NHWC needs a 4-D input, got ",
              dimsToString(dims));
      op->height = dims[1];
      op->width = dims[2];
      op->channels = dims[3];
      op->inner = op->height * op->width;
    } else {
      op->channels = dims.size() > 1 ? dims[1] : 1;
      const int64_t outer = op->batch * op->channels;
      op->inner = outer ? product(dims) / outer : 0;
    }
    require(d.table_rows == 1 || d.table_rows == op->channels,
            "table_rows must be 1 or the channel count ", op->channels,
            ", got ", d.table_rows);
    // Expand a shared row so that the loops index by channel alone.
    const size_t entry = dtypeSize(d.dst_dtype, "dst");
    std::vector<uint8_t> bytes(size_t(op->channels) * 256 * entry);
    for (int64_t c = 0; c < op->channels; ++c)
      std::memcpy(bytes.data() + size_t(c) * 256 * entry,
                  static_cast<const uint8_t *>(table) +
                      size_t(d.table_rows == 1 ? 0 : c) * 256 * entry,
                  256 * entry);
    if (d.dst_dtype == QRT_F32) {
      op->f32Table.resize(bytes.size() / 4);
      std::memcpy(op->f32Table.data(), bytes.data(), bytes.size());
    } else {
      op->byteTable = std::move(bytes);
    }
    op->info = std::string("loop ") + (op->nhwc ? "nhwc" : "nchw") + " " +
               dtypeName(d.src_dtype) + " -> " + dtypeName(d.dst_dtype);
    install(model, opId, std::move(op));
  });
}

extern "C" int32_t qrt_input_lookup_run(qrt_model *model, qrt_exec *exec,
                                        int32_t opId, const void *src,
                                        void *dst) {
  return guarded(opId, "input_lookup", [&] {
    const InputLookupOp &op = lookupAs<InputLookupOp>(model, exec, opId);
    if (!op.batch || !op.channels || !op.inner)
      return;
    requireNonNull(src, "src");
    requireNonNull(dst, "dst");
    ThreadScope threads(model->numThreads);
    if (op.dstType == QRT_F32)
      lookup(op, src, dst, op.f32Table.data());
    else
      lookup(op, src, dst, op.byteTable.data());
  });
}
