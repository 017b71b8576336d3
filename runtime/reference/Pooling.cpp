//===- Pooling.cpp - Reference pooling ------------------------------------===//

#include "Common.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace qrt {
namespace ref {

using namespace detail;

namespace {
/// Pooling shapes normalized to three spatial dims.
struct PoolGeometry {
  int64_t batch = 0, channels = 0;
  int64_t in[kMaxSpatial], kernel[kMaxSpatial], out[kMaxSpatial];
  int64_t stride[kMaxSpatial], padBegin[kMaxSpatial], padEnd[kMaxSpatial];
  Shape outputShape;
};

/// The part of one window along one dim: positions inside the input and the
/// number of positions inside the padded input.
struct WindowRange {
  int64_t begin, end; // clipped to the input, possibly empty
  int64_t paddedCount;
};
} // namespace

static Status makePoolGeometry(const char *kernel, const Shape &input,
                               const PoolParams &params, PoolGeometry &g) {
  const int64_t rank = input.size();
  if (rank < 3 || rank > 2 + kMaxSpatial)
    return fail(kernel,
                ": input must be [N, C, spatial...] with 1 to 3 "
                "spatial dims, got ",
                shapeToString(input));
  const int64_t numSpatial = rank - 2;
  auto checkSize = [&](const char *name, const std::vector<int64_t> &values,
                       bool required) -> Status {
    if (values.empty() && !required)
      return Status::success();
    if (static_cast<int64_t>(values.size()) != numSpatial)
      return fail(kernel, ": ", name, " has ", values.size(),
                  " entries, expected one per spatial dim (", numSpatial, ")");
    return Status::success();
  };
  if (!params.global) {
    if (Status s = checkSize("kernel", params.kernel, true); !s)
      return s;
    if (Status s = checkSize("strides", params.strides, false); !s)
      return s;
    if (Status s = checkSize("padBegin", params.padBegin, false); !s)
      return s;
    if (Status s = checkSize("padEnd", params.padEnd, false); !s)
      return s;
  }

  g.batch = input[0];
  g.channels = input[1];
  g.outputShape = {g.batch, g.channels};
  const int64_t offset = kMaxSpatial - numSpatial;
  for (int64_t i = 0; i < kMaxSpatial; ++i) {
    g.in[i] = g.kernel[i] = g.out[i] = g.stride[i] = 1;
    g.padBegin[i] = g.padEnd[i] = 0;
  }
  for (int64_t i = 0; i < numSpatial; ++i) {
    const int64_t in = input[2 + i];
    int64_t k = in, s = 1, pb = 0, pe = 0;
    if (!params.global) {
      k = params.kernel[i];
      s = params.strides.empty() ? 1 : params.strides[i];
      pb = params.padBegin.empty() ? 0 : params.padBegin[i];
      pe = params.padEnd.empty() ? 0 : params.padEnd[i];
    }
    if (in < 1)
      return fail(kernel, ": spatial dims must be positive, input is ",
                  shapeToString(input));
    if (k < 1 || s < 1 || pb < 0 || pe < 0)
      return fail(kernel, ": spatial dim ", i, " needs kernel >= 1, stride ",
                  ">= 1 and padding >= 0 (kernel ", k, ", stride ", s,
                  ", padding ", pb, "/", pe, ")");
    const int64_t slack = in + pb + pe - k;
    if (slack < 0)
      return fail(kernel, ": kernel ", k, " exceeds the padded input ",
                  in + pb + pe, " in spatial dim ", i);
    const int64_t out = params.convention == PoolConvention::Valid
                            ? 1 + slack / s
                            : 1 + (slack + s - 1) / s;
    g.in[offset + i] = in;
    g.kernel[offset + i] = k;
    g.out[offset + i] = out;
    g.stride[offset + i] = s;
    g.padBegin[offset + i] = pb;
    g.padEnd[offset + i] = pe;
    g.outputShape.push_back(out);
  }
  return Status::success();
}

Status poolOutputShape(const Shape &input, const PoolParams &params,
                       Shape &output) {
  PoolGeometry geometry;
  if (Status s = makePoolGeometry("poolOutputShape", input, params, geometry);
      !s)
    return s;
  output = geometry.outputShape;
  return Status::success();
}

static WindowRange windowRange(const PoolGeometry &g, int dim, int64_t o) {
  const int64_t start = o * g.stride[dim] - g.padBegin[dim];
  const int64_t end = start + g.kernel[dim];
  // start >= -padBegin always; only a Full-convention window can pass the
  // padded end.
  const int64_t paddedEnd = std::min(end, g.in[dim] + g.padEnd[dim]);
  return {std::max<int64_t>(start, 0), std::min(end, g.in[dim]),
          std::max<int64_t>(paddedEnd - start, 0)};
}

Status pool(ConstF32 input, const PoolParams &params, F32 output) {
  const char *kernel = "pool";
  if (Status s = checkOperand(kernel, "input", input.data, input.shape); !s)
    return s;
  PoolGeometry g;
  if (Status s = makePoolGeometry(kernel, input.shape, params, g); !s)
    return s;
  if (Status s = checkOutput(kernel, output.data, output.shape, g.outputShape);
      !s)
    return s;

  const int64_t inSpatial = g.in[0] * g.in[1] * g.in[2];
  int64_t outIndex = 0;
  for (int64_t plane = 0; plane < g.batch * g.channels; ++plane) {
    const float *x = input.data + plane * inSpatial;
    for (int64_t od = 0; od < g.out[0]; ++od)
      for (int64_t oh = 0; oh < g.out[1]; ++oh)
        for (int64_t ow = 0; ow < g.out[2]; ++ow, ++outIndex) {
          const WindowRange d = windowRange(g, 0, od);
          const WindowRange h = windowRange(g, 1, oh);
          const WindowRange w = windowRange(g, 2, ow);
          double sum = 0;
          float maximum = std::numeric_limits<float>::lowest();
          int64_t count = 0;
          for (int64_t id = d.begin; id < d.end; ++id)
            for (int64_t ih = h.begin; ih < h.end; ++ih)
              for (int64_t iw = w.begin; iw < w.end; ++iw) {
                const float value = x[(id * g.in[1] + ih) * g.in[2] + iw];
                sum += value;
                maximum = std::max(maximum, value);
                ++count;
              }
          float result = 0;
          switch (params.kind) {
          case PoolKind::Max:
            result = maximum;
            break;
          case PoolKind::Sum:
            result = static_cast<float>(sum);
            break;
          case PoolKind::Avg: {
            const int64_t divisor =
                params.countIncludePad
                    ? d.paddedCount * h.paddedCount * w.paddedCount
                    : count;
            result = divisor == 0 ? std::numeric_limits<float>::quiet_NaN()
                                  : static_cast<float>(sum / divisor);
            break;
          }
          }
          output.data[outIndex] = result;
        }
  }
  return Status::success();
}

} // namespace ref
} // namespace qrt
