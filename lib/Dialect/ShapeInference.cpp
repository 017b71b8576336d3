//===- ShapeInference.cpp - result shapes of q ops ------------------------===//

#include "QDialect/IR/ShapeInference.h"

#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir::q::shape;
using llvm::ArrayRef;
using llvm::Expected;

namespace {

template <typename... Ts>
llvm::Error fail(const char *fmt, Ts &&...args) {
  return llvm::createStringError(
      llvm::inconvertibleErrorCode(),
      llvm::formatv(fmt, std::forward<Ts>(args)...).str());
}

std::string str(ArrayRef<int64_t> dims) {
  std::string s;
  llvm::raw_string_ostream os(s);
  os << "[";
  llvm::interleaveComma(dims, os);
  os << "]";
  return s;
}

int64_t product(ArrayRef<int64_t> dims) {
  int64_t p = 1;
  for (int64_t d : dims)
    p *= d;
  return p;
}

int64_t ceilDiv(int64_t a, int64_t b) { return (a + b - 1) / b; }

} // namespace

Expected<int64_t> mlir::q::shape::normalizeAxis(int64_t axis, int64_t rank) {
  if (axis < -rank || axis >= rank)
    return fail("axis {0} is out of range for rank {1}", axis, rank);
  return axis < 0 ? axis + rank : axis;
}

Expected<WindowGeometry>
mlir::q::shape::expandWindowGeometry(unsigned spatialRank,
                                     ArrayRef<int64_t> strides,
                                     ArrayRef<int64_t> dilations,
                                     ArrayRef<int64_t> pads) {
  auto expand = [&](ArrayRef<int64_t> given, int64_t dflt, const char *name,
                    llvm::SmallVectorImpl<int64_t> &out) -> llvm::Error {
    if (given.empty()) {
      out.assign(spatialRank, dflt);
      return llvm::Error::success();
    }
    if (given.size() != spatialRank)
      return fail("{0} has {1} entries but the op has {2} spatial dims", name,
                  given.size(), spatialRank);
    for (int64_t v : given)
      if (v < 1)
        return fail("{0} must be positive, got {1}", name, str(given));
    out.assign(given.begin(), given.end());
    return llvm::Error::success();
  };
  WindowGeometry g;
  if (auto err = expand(strides, 1, "strides", g.strides))
    return std::move(err);
  if (auto err = expand(dilations, 1, "dilations", g.dilations))
    return std::move(err);
  if (pads.empty()) {
    g.padBegin.assign(spatialRank, 0);
    g.padEnd.assign(spatialRank, 0);
  } else {
    if (pads.size() != 2 * spatialRank)
      return fail("pads has {0} entries but needs {1} (begin and end for "
                  "each of {2} spatial dims)",
                  pads.size(), 2 * spatialRank, spatialRank);
    for (int64_t p : pads)
      if (p < 0)
        return fail("pads must be non-negative, got {0}", str(pads));
    g.padBegin.assign(pads.begin(), pads.begin() + spatialRank);
    g.padEnd.assign(pads.begin() + spatialRank, pads.end());
  }
  return g;
}

Expected<Shape> mlir::q::shape::convolution(ArrayRef<int64_t> input,
                                            ArrayRef<int64_t> weight,
                                            const WindowGeometry &g,
                                            int64_t groups) {
  if (input.size() < 3 || input.size() > 5)
    return fail("input must be 3-D, 4-D or 5-D (N, C, spatial...), got {0}",
                str(input));
  if (weight.size() != input.size())
    return fail("weight {0} must have the rank of the input {1}", str(weight),
                str(input));
  if (groups < 1)
    return fail("groups must be positive, got {0}", groups);
  int64_t outChannels = weight[0], channelsPerGroup = weight[1];
  if (outChannels % groups != 0)
    return fail("groups ({0}) must divide the output channels ({1})", groups,
                outChannels);
  if (input[1] % groups != 0)
    return fail("groups ({0}) must divide the input channels ({1})", groups,
                input[1]);
  if (channelsPerGroup * groups != input[1])
    return fail("input has {0} channels but weight {1} with {2} groups "
                "expects {3}",
                input[1], str(weight), groups, channelsPerGroup * groups);
  Shape out{input[0], outChannels};
  for (size_t i = 2; i < input.size(); ++i) {
    size_t s = i - 2;
    int64_t span = g.dilations[s] * (weight[i] - 1) + 1;
    int64_t padded = input[i] + g.padBegin[s] + g.padEnd[s];
    if (weight[i] < 1 || padded < span)
      return fail("kernel extent {0} (dilated) exceeds padded input {1} in "
                  "spatial dim {2}",
                  span, padded, s);
    out.push_back((padded - span) / g.strides[s] + 1);
  }
  return out;
}

Expected<Shape> mlir::q::shape::pooling(ArrayRef<int64_t> input,
                                        ArrayRef<int64_t> kernel,
                                        const WindowGeometry &g, bool global,
                                        PoolRounding rounding) {
  if (input.size() < 3 || input.size() > 5)
    return fail("input must be 3-D, 4-D or 5-D (N, C, spatial...), got {0}",
                str(input));
  size_t spatialRank = input.size() - 2;
  Shape out{input[0], input[1]};
  if (global) {
    out.append(spatialRank, 1);
    return out;
  }
  if (kernel.size() != spatialRank)
    return fail("kernel has {0} entries but the input has {1} spatial dims",
                kernel.size(), spatialRank);
  for (size_t s = 0; s < spatialRank; ++s) {
    int64_t in = input[s + 2], k = kernel[s], stride = g.strides[s];
    int64_t padded = in + g.padBegin[s] + g.padEnd[s];
    if (k < 1)
      return fail("kernel must be positive, got {0}", str(kernel));
    if (rounding == PoolRounding::Same) {
      out.push_back(ceilDiv(in, stride));
      continue;
    }
    if (padded < k)
      return fail("kernel {0} exceeds padded input {1} in spatial dim {2}", k,
                  padded, s);
    int64_t steps = rounding == PoolRounding::Floor
                        ? (padded - k) / stride
                        : ceilDiv(padded - k, stride);
    out.push_back(steps + 1);
  }
  return out;
}

Expected<Shape> mlir::q::shape::fullyConnected(ArrayRef<int64_t> input,
                                               ArrayRef<int64_t> weight,
                                               bool flatten) {
  if (input.empty())
    return fail("input must have at least one dim");
  if (weight.size() != 2)
    return fail("weight must be 2-D [num_hidden, K], got {0}", str(weight));
  if (flatten) {
    int64_t k = input.size() == 1 ? input[0] : product(input.drop_front());
    if (k != weight[1])
      return fail("flattened input {0} has {1} features but weight {2} "
                  "expects {3}",
                  str(input), k, str(weight), weight[1]);
    if (input.size() == 1)
      return Shape{weight[0]};
    return Shape{input[0], weight[0]};
  }
  if (input.back() != weight[1])
    return fail("input {0} has {1} features on its last axis but weight {2} "
                "expects {3}",
                str(input), input.back(), str(weight), weight[1]);
  Shape out(input.begin(), input.end());
  out.back() = weight[0];
  return out;
}

Expected<Shape> mlir::q::shape::broadcast(ArrayRef<int64_t> lhs,
                                          ArrayRef<int64_t> rhs) {
  size_t rank = std::max(lhs.size(), rhs.size());
  Shape out(rank, 1);
  for (size_t i = 0; i < rank; ++i) {
    int64_t l = i < lhs.size() ? lhs[lhs.size() - 1 - i] : 1;
    int64_t r = i < rhs.size() ? rhs[rhs.size() - 1 - i] : 1;
    if (l != r && l != 1 && r != 1)
      return fail("shapes {0} and {1} do not broadcast", str(lhs), str(rhs));
    out[rank - 1 - i] = l == 1 ? r : l;
  }
  return out;
}

Expected<Shape> mlir::q::shape::flatten(ArrayRef<int64_t> input) {
  if (input.empty())
    return fail("cannot flatten a 0-d tensor");
  return Shape{input[0], product(input.drop_front())};
}

Expected<Shape> mlir::q::shape::reshape(ArrayRef<int64_t> input,
                                        ArrayRef<int64_t> codes,
                                        bool reverse) {
  Shape in(input.begin(), input.end());
  llvm::SmallVector<int64_t> spec(codes.begin(), codes.end());
  if (reverse) {
    if (llvm::is_contained(spec, -4))
      return fail("reverse reshape with code -4 is not supported");
    std::reverse(in.begin(), in.end());
    std::reverse(spec.begin(), spec.end());
  }
  Shape out;
  int64_t inferAt = -1;
  size_t src = 0;
  auto needInput = [&](size_t count, int64_t code) -> llvm::Error {
    if (src + count > in.size())
      return fail("reshape code {0} in {1} has no input dim left in {2}", code,
                  str(codes), str(input));
    return llvm::Error::success();
  };
  for (size_t i = 0; i < spec.size(); ++i) {
    int64_t code = spec[i];
    if (code > 0) {
      out.push_back(code);
      ++src;
    } else if (code == 0) {
      if (auto err = needInput(1, code))
        return std::move(err);
      out.push_back(in[src++]);
    } else if (code == -1) {
      if (inferAt >= 0)
        return fail("reshape {0} has more than one -1", str(codes));
      inferAt = out.size();
      out.push_back(1);
      ++src;
    } else if (code == -2) {
      for (; src < in.size(); ++src)
        out.push_back(in[src]);
    } else if (code == -3) {
      if (auto err = needInput(2, code))
        return std::move(err);
      out.push_back(in[src] * in[src + 1]);
      src += 2;
    } else if (code == -4) {
      if (i + 2 >= spec.size())
        return fail("reshape code -4 in {0} needs two values after it",
                    str(codes));
      if (auto err = needInput(1, code))
        return std::move(err);
      int64_t whole = in[src++], d1 = spec[i + 1], d2 = spec[i + 2];
      i += 2;
      if (d1 == -1 && d2 == -1)
        return fail("reshape -4 split in {0} has two -1", str(codes));
      if (d1 == -1 && d2 > 0 && whole % d2 == 0)
        d1 = whole / d2;
      if (d2 == -1 && d1 > 0 && whole % d1 == 0)
        d2 = whole / d1;
      if (d1 <= 0 || d2 <= 0 || d1 * d2 != whole)
        return fail("reshape -4 cannot split dim {0} into ({1}, {2})", whole,
                    spec[i - 1], spec[i]);
      out.push_back(d1);
      out.push_back(d2);
    } else {
      return fail("unknown reshape code {0} in {1}", code, str(codes));
    }
  }
  int64_t total = product(input);
  if (inferAt >= 0) {
    int64_t known = product(out);
    if (known == 0 || total % known != 0)
      return fail("cannot infer -1 in reshape {0} of {1}", str(codes),
                  str(input));
    out[inferAt] = total / known;
  }
  if (product(out) != total)
    return fail("reshape {0} of {1} gives {2}: {3} elements instead of {4}",
                str(codes), str(input), str(out), product(out), total);
  if (reverse)
    std::reverse(out.begin(), out.end());
  return out;
}

Expected<Shape> mlir::q::shape::concat(ArrayRef<ArrayRef<int64_t>> inputs,
                                       int64_t axis) {
  if (inputs.empty())
    return fail("concat needs at least one input");
  int64_t rank = inputs[0].size();
  auto axisOr = normalizeAxis(axis, rank);
  if (!axisOr)
    return axisOr.takeError();
  Shape out(inputs[0].begin(), inputs[0].end());
  for (size_t i = 1; i < inputs.size(); ++i) {
    ArrayRef<int64_t> s = inputs[i];
    if ((int64_t)s.size() != rank)
      return fail("input {0} {1} has a different rank than input 0 {2}", i,
                  str(s), str(inputs[0]));
    for (int64_t d = 0; d < rank; ++d)
      if (d != *axisOr && s[d] != out[d])
        return fail("input {0} {1} differs from input 0 {2} in dim {3}, "
                    "which is not the concat axis",
                    i, str(s), str(inputs[0]), d);
    out[*axisOr] += s[*axisOr];
  }
  return out;
}

Expected<Shape> mlir::q::shape::transpose(ArrayRef<int64_t> input,
                                          ArrayRef<int64_t> permutation) {
  Shape out;
  if (permutation.empty()) {
    out.assign(input.rbegin(), input.rend());
    return out;
  }
  if (permutation.size() != input.size())
    return fail("permutation {0} does not match rank {1}", str(permutation),
                input.size());
  llvm::SmallVector<bool> seen(input.size(), false);
  for (int64_t p : permutation) {
    if (p < 0 || p >= (int64_t)input.size() || seen[p])
      return fail("{0} is not a permutation of 0..{1}", str(permutation),
                  input.size() - 1);
    seen[p] = true;
    out.push_back(input[p]);
  }
  return out;
}

Expected<Shape> mlir::q::shape::slice(ArrayRef<int64_t> input,
                                      ArrayRef<int64_t> begin,
                                      ArrayRef<int64_t> end,
                                      ArrayRef<int64_t> step) {
  if (begin.size() != end.size())
    return fail("begin {0} and end {1} differ in length", str(begin),
                str(end));
  if (!step.empty() && step.size() != begin.size())
    return fail("step {0} must be empty or as long as begin {1}", str(step),
                str(begin));
  if (begin.size() > input.size())
    return fail("slice of {0} axes on a rank-{1} tensor", begin.size(),
                input.size());
  Shape out(input.begin(), input.end());
  for (size_t i = 0; i < begin.size(); ++i) {
    int64_t dim = input[i], s = step.empty() ? 1 : step[i];
    if (s < 1)
      return fail("step must be positive, got {0}", str(step));
    auto clampIndex = [&](int64_t v) {
      if (v < 0)
        v += dim;
      return std::clamp<int64_t>(v, 0, dim);
    };
    int64_t b = clampIndex(begin[i]), e = clampIndex(end[i]);
    if (e <= b)
      return fail("slice [{0}:{1}] of axis {2} (size {3}) is empty", begin[i],
                  end[i], i, dim);
    out[i] = ceilDiv(e - b, s);
  }
  return out;
}

Expected<Shape> mlir::q::shape::upsampling(ArrayRef<int64_t> input,
                                           int64_t scale) {
  if (input.size() < 3)
    return fail("input must have spatial dims, got {0}", str(input));
  if (scale < 1)
    return fail("scale must be positive, got {0}", scale);
  Shape out(input.begin(), input.end());
  for (size_t i = 2; i < out.size(); ++i)
    out[i] *= scale;
  return out;
}

Expected<Shape> mlir::q::shape::crop(ArrayRef<int64_t> input,
                                     ArrayRef<int64_t> offsets,
                                     ArrayRef<int64_t> sizes) {
  if (input.size() < 3)
    return fail("input must have spatial dims, got {0}", str(input));
  size_t spatialRank = input.size() - 2;
  if (offsets.size() != spatialRank || sizes.size() != spatialRank)
    return fail("offsets {0} and sizes {1} need one entry per spatial dim "
                "({2})",
                str(offsets), str(sizes), spatialRank);
  Shape out{input[0], input[1]};
  for (size_t s = 0; s < spatialRank; ++s) {
    if (offsets[s] < 0 || sizes[s] < 1 ||
        offsets[s] + sizes[s] > input[s + 2])
      return fail("crop offset {0} size {1} does not fit spatial dim {2} of "
                  "size {3}",
                  offsets[s], sizes[s], s, input[s + 2]);
    out.push_back(sizes[s]);
  }
  return out;
}
