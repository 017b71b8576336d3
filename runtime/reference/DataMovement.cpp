//===- DataMovement.cpp - Reference concat, transpose, slice, resize ------===//

#include "Common.h"

#include <algorithm>

namespace qrt {
namespace ref {

using namespace detail;

/// Fills `output` (of shape `outShape`) element by element from the input
/// element whose flat index `inputIndexOf(coordinates)` names.
template <typename IndexFn>
static void gather(const float *input, const Shape &outShape, float *output,
                   IndexFn inputIndexOf) {
  const std::vector<int64_t> outStrides = stridesOf(outShape);
  std::vector<int64_t> coordinates(outShape.size());
  for (int64_t i = 0, e = numElements(outShape); i < e; ++i) {
    int64_t rest = i;
    for (size_t d = 0; d < outShape.size(); ++d) {
      coordinates[d] = rest / outStrides[d];
      rest %= outStrides[d];
    }
    output[i] = input[inputIndexOf(coordinates)];
  }
}

Status concatOutputShape(const std::vector<Shape> &inputs, int64_t axis,
                         Shape &output) {
  const char *kernel = "concat";
  if (inputs.empty())
    return fail(kernel, ": needs at least one input");
  const Shape &first = inputs.front();
  int64_t resolved = 0;
  if (Status s = normalizeAxis(kernel, axis, first.size(), resolved); !s)
    return s;
  Shape result = first;
  result[resolved] = 0;
  for (size_t i = 0; i < inputs.size(); ++i) {
    const Shape &shape = inputs[i];
    bool compatible = shape.size() == first.size();
    for (size_t d = 0; compatible && d < shape.size(); ++d)
      compatible = static_cast<int64_t>(d) == resolved || shape[d] == first[d];
    if (!compatible)
      return fail(kernel, ": input ", i, " ", shapeToString(shape),
                  " does not match input 0 ", shapeToString(first),
                  " outside axis ", resolved);
    result[resolved] += shape[resolved];
  }
  output = result;
  return Status::success();
}

Status concat(const std::vector<ConstF32> &inputs, int64_t axis, F32 output) {
  const char *kernel = "concat";
  std::vector<Shape> shapes;
  for (size_t i = 0; i < inputs.size(); ++i) {
    const std::string name = "input " + std::to_string(i);
    if (Status s =
            checkOperand(kernel, name.c_str(), inputs[i].data, inputs[i].shape);
        !s)
      return s;
    shapes.push_back(inputs[i].shape);
  }
  Shape shape;
  if (Status s = concatOutputShape(shapes, axis, shape); !s)
    return s;
  if (Status s = checkOutput(kernel, output.data, output.shape, shape); !s)
    return s;
  int64_t resolved = axis < 0 ? axis + shape.size() : axis;
  int64_t outer = 1;
  for (int64_t d = 0; d < resolved; ++d)
    outer *= shape[d];
  // Each input contributes one contiguous block per outer index.
  float *destination = output.data;
  for (int64_t o = 0; o < outer; ++o)
    for (const ConstF32 &input : inputs) {
      const int64_t block = outer ? input.size() / outer : 0;
      std::copy_n(input.data + o * block, block, destination);
      destination += block;
    }
  return Status::success();
}

Status transposeOutputShape(const Shape &input,
                            const std::vector<int64_t> &axes, Shape &output) {
  const char *kernel = "transpose";
  const int64_t rank = input.size();
  std::vector<int64_t> permutation = axes;
  if (permutation.empty())
    for (int64_t d = rank - 1; d >= 0; --d)
      permutation.push_back(d);
  if (static_cast<int64_t>(permutation.size()) != rank)
    return fail(kernel, ": ", permutation.size(), " axes for rank ", rank);
  std::vector<bool> seen(rank, false);
  Shape result;
  for (int64_t axis : permutation) {
    int64_t resolved = 0;
    if (Status s = normalizeAxis(kernel, axis, rank, resolved); !s)
      return s;
    if (seen[resolved])
      return fail(kernel, ": axis ", resolved, " appears twice");
    seen[resolved] = true;
    result.push_back(input[resolved]);
  }
  output = result;
  return Status::success();
}

Status transpose(ConstF32 input, const std::vector<int64_t> &axes, F32 output) {
  const char *kernel = "transpose";
  if (Status s = checkOperand(kernel, "input", input.data, input.shape); !s)
    return s;
  Shape shape;
  if (Status s = transposeOutputShape(input.shape, axes, shape); !s)
    return s;
  if (Status s = checkOutput(kernel, output.data, output.shape, shape); !s)
    return s;
  const int64_t rank = input.rank();
  const std::vector<int64_t> inStrides = stridesOf(input.shape);
  // Output dim d walks input dim source[d].
  std::vector<int64_t> source(rank);
  for (int64_t d = 0; d < rank; ++d) {
    const int64_t axis = axes.empty() ? rank - 1 - d : axes[d];
    source[d] = axis < 0 ? axis + rank : axis;
  }
  gather(input.data, shape, output.data,
         [&](const std::vector<int64_t> &coordinates) {
           int64_t index = 0;
           for (int64_t d = 0; d < rank; ++d)
             index += coordinates[d] * inStrides[source[d]];
           return index;
         });
  return Status::success();
}

namespace {
struct AxisSlice {
  int64_t begin, step, count;
};
} // namespace

static Status resolveSlice(const Shape &input, const SliceParams &params,
                           std::vector<AxisSlice> &axes) {
  const char *kernel = "slice";
  const size_t rank = input.size();
  if (params.begin.size() != params.end.size() ||
      (!params.step.empty() && params.step.size() != params.begin.size()))
    return fail(kernel, ": begin, end and step must have the same length");
  if (params.begin.size() > rank)
    return fail(kernel, ": ", params.begin.size(), " sliced axes for rank ",
                rank);
  axes.clear();
  for (size_t d = 0; d < rank; ++d) {
    const int64_t dim = input[d];
    if (d >= params.begin.size()) {
      axes.push_back({0, 1, dim});
      continue;
    }
    const int64_t begin = params.begin[d], end = params.end[d];
    const int64_t step = params.step.empty() ? 1 : params.step[d];
    int64_t count = 0;
    if (step > 0) {
      if (begin < 0 || begin > dim || end < 0 || end > dim)
        return fail(kernel, ": axis ", d, " needs 0 <= begin, end <= ", dim,
                    " for a positive step, got ", begin, ":", end);
      count = end > begin ? (end - begin + step - 1) / step : 0;
    } else if (step < 0) {
      if (begin < -1 || begin >= dim || end < -1 || end >= dim)
        return fail(kernel, ": axis ", d, " needs -1 <= begin, end < ", dim,
                    " for a negative step, got ", begin, ":", end);
      count = begin > end ? (begin - end - step - 1) / -step : 0;
    } else {
      return fail(kernel, ": axis ", d, " has step 0");
    }
    axes.push_back({begin, step, count});
  }
  return Status::success();
}

Status sliceOutputShape(const Shape &input, const SliceParams &params,
                        Shape &output) {
  std::vector<AxisSlice> axes;
  if (Status s = resolveSlice(input, params, axes); !s)
    return s;
  output.clear();
  for (const AxisSlice &axis : axes)
    output.push_back(axis.count);
  return Status::success();
}

Status slice(ConstF32 input, const SliceParams &params, F32 output) {
  const char *kernel = "slice";
  if (Status s = checkOperand(kernel, "input", input.data, input.shape); !s)
    return s;
  std::vector<AxisSlice> axes;
  if (Status s = resolveSlice(input.shape, params, axes); !s)
    return s;
  Shape shape;
  for (const AxisSlice &axis : axes)
    shape.push_back(axis.count);
  if (Status s = checkOutput(kernel, output.data, output.shape, shape); !s)
    return s;
  const std::vector<int64_t> inStrides = stridesOf(input.shape);
  gather(input.data, shape, output.data,
         [&](const std::vector<int64_t> &coordinates) {
           int64_t index = 0;
           for (size_t d = 0; d < axes.size(); ++d)
             index +=
                 (axes[d].begin + coordinates[d] * axes[d].step) * inStrides[d];
           return index;
         });
  return Status::success();
}

Status upsampleNearestOutputShape(const Shape &input, int64_t scale,
                                  Shape &output) {
  const char *kernel = "upsampleNearest";
  if (input.size() < 3)
    return fail(kernel, ": input must be [N, C, spatial...], got ",
                shapeToString(input));
  if (scale < 1)
    return fail(kernel, ": scale must be >= 1, got ", scale);
  output = input;
  for (size_t d = 2; d < output.size(); ++d)
    output[d] *= scale;
  return Status::success();
}

Status upsampleNearest(ConstF32 input, int64_t scale, F32 output) {
  const char *kernel = "upsampleNearest";
  if (Status s = checkOperand(kernel, "input", input.data, input.shape); !s)
    return s;
  Shape shape;
  if (Status s = upsampleNearestOutputShape(input.shape, scale, shape); !s)
    return s;
  if (Status s = checkOutput(kernel, output.data, output.shape, shape); !s)
    return s;
  const std::vector<int64_t> inStrides = stridesOf(input.shape);
  gather(input.data, shape, output.data,
         [&](const std::vector<int64_t> &coordinates) {
           int64_t index = 0;
           for (size_t d = 0; d < coordinates.size(); ++d)
             index += (d < 2 ? coordinates[d] : coordinates[d] / scale) *
                      inStrides[d];
           return index;
         });
  return Status::success();
}

Status cropOutputShape(const Shape &input, const std::vector<int64_t> &offsets,
                       const std::vector<int64_t> &sizes, Shape &output) {
  const char *kernel = "crop";
  if (input.size() < 3)
    return fail(kernel, ": input must be [N, C, spatial...], got ",
                shapeToString(input));
  const size_t numSpatial = input.size() - 2;
  if (offsets.size() != numSpatial || sizes.size() != numSpatial)
    return fail(kernel, ": offsets and sizes need one entry per spatial dim (",
                numSpatial, ")");
  Shape result = {input[0], input[1]};
  for (size_t i = 0; i < numSpatial; ++i) {
    if (offsets[i] < 0 || sizes[i] < 0 || offsets[i] + sizes[i] > input[2 + i])
      return fail(kernel, ": window ", offsets[i], "+", sizes[i],
                  " does not fit spatial dim ", i, " of size ", input[2 + i]);
    result.push_back(sizes[i]);
  }
  output = result;
  return Status::success();
}

Status crop(ConstF32 input, const std::vector<int64_t> &offsets,
            const std::vector<int64_t> &sizes, F32 output) {
  const char *kernel = "crop";
  if (Status s = checkOperand(kernel, "input", input.data, input.shape); !s)
    return s;
  Shape shape;
  if (Status s = cropOutputShape(input.shape, offsets, sizes, shape); !s)
    return s;
  if (Status s = checkOutput(kernel, output.data, output.shape, shape); !s)
    return s;
  const std::vector<int64_t> inStrides = stridesOf(input.shape);
  gather(input.data, shape, output.data,
         [&](const std::vector<int64_t> &coordinates) {
           int64_t index = 0;
           for (size_t d = 0; d < coordinates.size(); ++d)
             index +=
                 (d < 2 ? coordinates[d] : coordinates[d] + offsets[d - 2]) *
                 inStrides[d];
           return index;
         });
  return Status::success();
}

} // namespace ref
} // namespace qrt
