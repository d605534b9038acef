// Argument helpers shared by the reference kernels: axis normalization, a tensor viewed
// around one axis or as N x C planes, index checks along an axis, and reading small int
// tensors (axes, k, pads, repeats) that ONNX passes as int32 or int64 inputs.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "runtime/tensor_view.h"
#include "util/error.h"

namespace trex {

/// `axis` in [-rank, rank) mapped to [0, rank); throws kInvalidInput naming `label` otherwise.
inline int64_t normalize_axis(int64_t axis, int64_t rank, const std::string& label,
                              const char* what = "axis") {
  if (axis < -rank || axis >= rank)
    throw_invalid(label + ": " + what + " " + std::to_string(axis) + " is out of range for rank " +
                  std::to_string(rank));
  return axis < 0 ? axis + rank : axis;
}

/// The elements of an int32 or int64 tensor as int64; throws naming `label` and `what`
/// for any other element type.
inline std::vector<int64_t> read_int64s(const TensorView& t, const std::string& label,
                                        const char* what) {
  std::vector<int64_t> out(static_cast<size_t>(t.numel()));
  if (t.dtype == DType::kInt64) {
    for (size_t i = 0; i < out.size(); ++i) out[i] = t.as<int64_t>()[i];
  } else if (t.dtype == DType::kInt32) {
    for (size_t i = 0; i < out.size(); ++i) out[i] = t.as<int32_t>()[i];
  } else {
    throw_invalid(label + ": " + what + " must be int32 or int64, got " + dtype_name(t.dtype));
  }
  return out;
}

/// The product of dims[begin, end).
inline int64_t dims_product(const std::vector<int64_t>& dims, size_t begin, size_t end) {
  int64_t n = 1;
  for (size_t i = begin; i < end && i < dims.size(); ++i) n *= dims[i];
  return n;
}

/// A row-major tensor viewed around one axis: `outer` x `len` x `inner`, so the `len`
/// elements of one lane along the axis lie `inner` apart.
struct AxisSplit {
  size_t axis;
  int64_t outer, len, inner;
};

/// `dims` split at `axis` (normalized as by normalize_axis, which throws naming `label`).
inline AxisSplit split_at_axis(const std::vector<int64_t>& dims, int64_t axis,
                               const std::string& label) {
  const size_t ax =
      static_cast<size_t>(normalize_axis(axis, static_cast<int64_t>(dims.size()), label));
  return {ax, dims_product(dims, 0, ax), dims[ax], dims_product(dims, ax + 1, dims.size())};
}

/// Calls `fn(o, in, base)` for every lane (outer index o, inner index in) of `s`, where
/// `base` is the offset of the lane's first element. Lanes run in parallel, so `fn` must
/// write only its own lane's outputs.
template <typename F>
void for_each_lane(const AxisSplit& s, F&& fn) {
  const int64_t outer = s.outer, inner = s.inner, len = s.len;
#pragma omp parallel for collapse(2)
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t in = 0; in < inner; ++in) fn(o, in, o * len * inner + in);
}

/// An N x C x ... tensor as `batch` x `channels` planes of `plane` elements.
struct ChannelPlanes {
  int64_t batch, channels, plane;
};

/// `x` as N x C planes; throws kInvalidInput naming `label` when X has fewer than 2 dims.
inline ChannelPlanes channel_planes(const TensorView& x, const std::string& label) {
  if (x.rank() < 2)
    throw_invalid(label + ": X has " + std::to_string(x.rank()) +
                  " dims, expected N x C x ... (at least 2)");
  return {x.dims[0], x.dims[1], dims_product(x.dims, 2, x.rank())};
}

/// Whether indices of `idx_dims` fit data of `data_dims` for GatherElements and
/// ScatterElements along `axis`: same rank, and no larger than data outside the axis.
inline bool element_indices_fit(const std::vector<int64_t>& data_dims,
                                const std::vector<int64_t>& idx_dims, size_t axis) {
  bool ok = idx_dims.size() == data_dims.size();
  for (size_t d = 0; ok && d < data_dims.size(); ++d) ok = d == axis || idx_dims[d] <= data_dims[d];
  return ok;
}

/// For each element of `indices` (dims `idx_dims`, which element_indices_fit data of
/// `data_dims`), the row-major offset into data of that element's position with the
/// coordinate on the axis replaced by the index (negative ones counting from the end).
/// `axis` is as written on the node and already checked by normalize_axis; an index
/// outside [-len, len) throws kInvalidInput naming `label`.
inline std::vector<int64_t> element_offsets(const std::vector<int64_t>& data_dims,
                                            const std::vector<int64_t>& idx_dims,
                                            const std::vector<int64_t>& indices, int64_t axis,
                                            const std::string& label) {
  const size_t rank = data_dims.size();
  const size_t ax = static_cast<size_t>(axis < 0 ? axis + static_cast<int64_t>(rank) : axis);
  const std::vector<int64_t> strides = strides_of(data_dims);
  const int64_t len = data_dims[ax];
  std::vector<int64_t> offsets(indices.size());
  for (size_t i = 0; i < indices.size(); ++i) {
    int64_t at = 0, rest = static_cast<int64_t>(i);
    for (size_t d = rank; d-- > 0;) {
      int64_t c = rest % idx_dims[d];
      rest /= idx_dims[d];
      if (d == ax) {
        c = indices[i];
        if (c < -len || c >= len)
          throw_invalid(label + ": index " + std::to_string(c) + " is out of range for axis " +
                        std::to_string(axis) + " of size " + std::to_string(len));
        if (c < 0) c += len;
      }
      at += c * strides[d];
    }
    offsets[i] = at;
  }
  return offsets;
}

}  // namespace trex
