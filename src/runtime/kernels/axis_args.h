// Argument helpers shared by the math reference kernels (matrix products, reductions,
// indexing): axis normalization and reading small int tensors (axes, k, pads, repeats)
// that ONNX passes as int32 or int64 inputs.
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

}  // namespace trex
