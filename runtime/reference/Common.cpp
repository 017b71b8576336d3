//===- Common.cpp - Helpers shared by the reference kernels ---------------===//

#include "Common.h"

namespace qrt {
namespace ref {

int64_t numElements(const Shape &shape) {
  int64_t count = 1;
  for (int64_t dim : shape)
    count *= dim;
  return count;
}

std::string shapeToString(const Shape &shape) {
  std::string text = "[";
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i)
      text += ", ";
    text += std::to_string(shape[i]);
  }
  return text + "]";
}

namespace detail {

Status checkOperand(const char *kernel, const char *name, const void *data,
                    const Shape &shape) {
  for (int64_t dim : shape)
    if (dim < 0)
      return fail(kernel, ": ", name, " has a negative dimension ",
                  shapeToString(shape));
  // An empty tensor may legitimately come without a buffer.
  if (!data && numElements(shape) != 0)
    return fail(kernel, ": ", name, " has no data");
  return Status::success();
}

Status checkOutput(const char *kernel, const void *data, const Shape &actual,
                   const Shape &expected) {
  if (actual != expected)
    return fail(kernel, ": output shape ", shapeToString(actual),
                " differs from the expected ", shapeToString(expected));
  return checkOperand(kernel, "output", data, actual);
}

Status normalizeAxis(const char *kernel, int64_t axis, int64_t rank,
                     int64_t &normalized) {
  if (axis < -rank || axis >= rank)
    return fail(kernel, ": axis ", axis, " out of range for rank ", rank);
  normalized = axis < 0 ? axis + rank : axis;
  return Status::success();
}

Status checkScales(const char *kernel, const std::vector<float> &scales,
                   const Shape &shape, int64_t axis, int64_t &inner,
                   int64_t &channels) {
  if (scales.empty())
    return fail(kernel, ": no scale given");
  if (scales.size() == 1) {
    inner = 1;
    channels = 1;
    return Status::success();
  }
  int64_t resolved = 0;
  if (Status status = normalizeAxis(kernel, axis, shape.size(), resolved);
      !status)
    return status;
  if (static_cast<int64_t>(scales.size()) != shape[resolved])
    return fail(kernel, ": ", scales.size(), " scales for axis ", resolved,
                " of size ", shape[resolved]);
  channels = shape[resolved];
  inner = 1;
  for (size_t i = resolved + 1; i < shape.size(); ++i)
    inner *= shape[i];
  return Status::success();
}

std::vector<int64_t> stridesOf(const Shape &shape) {
  std::vector<int64_t> strides(shape.size(), 1);
  for (int64_t i = static_cast<int64_t>(shape.size()) - 2; i >= 0; --i)
    strides[i] = strides[i + 1] * shape[i + 1];
  return strides;
}

/// Reads an optional per-spatial-dim parameter: empty means `fallback`.
static Status spatialParam(const char *kernel, const char *name,
                           const std::vector<int64_t> &values,
                           int64_t numSpatial, int64_t fallback,
                           int64_t minimum, std::vector<int64_t> &resolved) {
  if (values.empty()) {
    resolved.assign(numSpatial, fallback);
    return Status::success();
  }
  if (static_cast<int64_t>(values.size()) != numSpatial)
    return fail(kernel, ": ", name, " has ", values.size(),
                " entries, expected one per spatial dim (", numSpatial, ")");
  for (int64_t value : values)
    if (value < minimum)
      return fail(kernel, ": ", name, " entry ", value, " is below ", minimum);
  resolved = values;
  return Status::success();
}

Status makeConvGeometry(const char *kernel, const Shape &input,
                        const Shape &weight, const ConvParams &params,
                        ConvGeometry &g) {
  const int64_t rank = input.size();
  if (rank < 3 || rank > 2 + kMaxSpatial)
    return fail(kernel,
                ": input must be [N, C, spatial...] with 1 to 3 "
                "spatial dims, got ",
                shapeToString(input));
  if (static_cast<int64_t>(weight.size()) != rank)
    return fail(kernel, ": weight ", shapeToString(weight),
                " must have the input's rank ", rank);
  const int64_t numSpatial = rank - 2;
  std::vector<int64_t> strides, dilations, padBegin, padEnd;
  if (Status s = spatialParam(kernel, "strides", params.strides, numSpatial, 1,
                              1, strides);
      !s)
    return s;
  if (Status s = spatialParam(kernel, "dilations", params.dilations, numSpatial,
                              1, 1, dilations);
      !s)
    return s;
  if (Status s = spatialParam(kernel, "padBegin", params.padBegin, numSpatial,
                              0, 0, padBegin);
      !s)
    return s;
  if (Status s = spatialParam(kernel, "padEnd", params.padEnd, numSpatial, 0, 0,
                              padEnd);
      !s)
    return s;
  if (params.groups < 1)
    return fail(kernel, ": groups must be positive, got ", params.groups);

  g.batch = input[0];
  g.inChannels = input[1];
  g.outChannels = weight[0];
  g.groups = params.groups;
  if (g.inChannels % g.groups || g.outChannels % g.groups)
    return fail(kernel, ": groups ", g.groups, " must divide input channels ",
                g.inChannels, " and output channels ", g.outChannels);
  if (weight[1] * g.groups != g.inChannels)
    return fail(kernel, ": weight ", shapeToString(weight), " expects ",
                weight[1] * g.groups, " input channels with ", g.groups,
                " groups, input has ", g.inChannels);

  g.outputShape = {g.batch, g.outChannels};
  const int64_t offset = kMaxSpatial - numSpatial;
  for (int64_t i = 0; i < kMaxSpatial; ++i) {
    g.in[i] = g.kernel[i] = g.out[i] = g.stride[i] = g.dilation[i] = 1;
    g.padBegin[i] = 0;
  }
  for (int64_t i = 0; i < numSpatial; ++i) {
    const int64_t in = input[2 + i], k = weight[2 + i];
    if (in < 0)
      return fail(kernel, ": negative input dim in ", shapeToString(input));
    if (k < 1)
      return fail(kernel, ": kernel dims must be positive, weight is ",
                  shapeToString(weight));
    const int64_t span = dilations[i] * (k - 1) + 1;
    const int64_t padded = in + padBegin[i] + padEnd[i];
    if (span > padded)
      return fail(kernel, ": dilated kernel extent ", span,
                  " exceeds the padded input extent ", padded,
                  " in spatial dim ", i);
    const int64_t out = (padded - span) / strides[i] + 1;
    g.in[offset + i] = in;
    g.kernel[offset + i] = k;
    g.out[offset + i] = out;
    g.stride[offset + i] = strides[i];
    g.dilation[offset + i] = dilations[i];
    g.padBegin[offset + i] = padBegin[i];
    g.outputShape.push_back(out);
  }
  return Status::success();
}

Status makeFcGeometry(const char *kernel, const Shape &input,
                      const Shape &weight, const FullyConnectedParams &params,
                      FcGeometry &g) {
  if (input.empty())
    return fail(kernel, ": input must have rank >= 1");
  if (weight.size() != 2)
    return fail(kernel, ": weight must be [numHidden, K], got ",
                shapeToString(weight));
  if (params.flatten) {
    g.rows = input[0];
    g.depth = numElements(Shape(input.begin() + 1, input.end()));
    g.outputShape = {input[0], weight[0]};
  } else {
    g.depth = input.back();
    g.rows = numElements(Shape(input.begin(), input.end() - 1));
    g.outputShape = input;
    g.outputShape.back() = weight[0];
  }
  g.hidden = weight[0];
  if (weight[1] != g.depth)
    return fail(
        kernel, ": weight ", shapeToString(weight), " expects K = ", weight[1],
        " but the input ", shapeToString(input),
        params.flatten ? " flattens to K = " : " has last dim K = ", g.depth);
  return Status::success();
}

} // namespace detail
} // namespace ref
} // namespace qrt
