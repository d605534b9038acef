// TensorView: what kernels see of a tensor: dtype, dims and a pointer to contiguous
// row-major data owned by someone else (the session's buffer pool or a graph constant).
#pragma once

#include <cstdint>
#include <vector>

#include "ir/dtype.h"
#include "ir/shape.h"

namespace trex {

struct TensorView {
  DType dtype = DType::kUndefined;
  std::vector<int64_t> dims;  ///< logical dims, always N, C, spatial... order
  void* data = nullptr;
  /// Physical layout N, spatial..., C (channels-last) instead of row-major `dims`. Only
  /// kernels that accept it ever see it (see OpKernel::accepts_channels_last).
  bool channels_last = false;

  int64_t numel() const {
    int64_t n = 1;
    for (int64_t d : dims) n *= d;
    return n;
  }
  size_t nbytes() const { return static_cast<size_t>(numel()) * dtype_size(dtype); }
  size_t rank() const { return dims.size(); }
  template <typename T>
  T* as() {
    return static_cast<T*>(data);
  }
  template <typename T>
  const T* as() const {
    return static_cast<const T*>(data);
  }
};

}  // namespace trex
