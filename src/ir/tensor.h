// Tensor: a dense, contiguous, row-major block of elements with a dtype and static dims.
// Copies share the buffer; writing through mutable_data() first detaches a shared buffer.
#pragma once

#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "ir/dtype.h"

namespace trex {

class Tensor {
 public:
  Tensor() = default;
  /// A zero-filled tensor.
  Tensor(DType dtype, std::vector<int64_t> dims);

  /// Copies `nbytes` bytes from `data`; nbytes must equal numel * dtype_size.
  static Tensor from_bytes(DType dtype, std::vector<int64_t> dims, const void* data, size_t nbytes);
  template <typename T>
  static Tensor from_vector(DType dtype, std::vector<int64_t> dims, const std::vector<T>& v) {
    return from_bytes(dtype, std::move(dims), v.data(), v.size() * sizeof(T));
  }
  static Tensor scalar_f32(float v) { return from_vector<float>(DType::kFloat32, {}, {v}); }
  static Tensor vector_i64(const std::vector<int64_t>& v) {
    return from_vector<int64_t>(DType::kInt64, {static_cast<int64_t>(v.size())}, v);
  }

  DType dtype() const { return dtype_; }
  const std::vector<int64_t>& dims() const { return dims_; }
  size_t rank() const { return dims_.size(); }
  int64_t numel() const;
  size_t nbytes() const { return bytes_ ? bytes_->size() : 0; }
  bool empty() const { return dtype_ == DType::kUndefined; }

  const uint8_t* raw() const { return bytes_ ? bytes_->data() : nullptr; }
  uint8_t* mutable_raw();
  template <typename T>
  const T* data() const {
    return reinterpret_cast<const T*>(raw());
  }
  template <typename T>
  T* mutable_data() {
    return reinterpret_cast<T*>(mutable_raw());
  }

  /// Element i converted to double / int64 (any dtype).
  double get_double(int64_t i) const;
  int64_t get_int64(int64_t i) const;
  /// Sets element i from a double (rounded / cast per the dtype's C++ conversion).
  void set_double(int64_t i, double v);
  void set_int64(int64_t i, int64_t v);

  /// All elements as int64 (for shape-like tensors).
  std::vector<int64_t> to_int64_vector() const;
  /// Same dims with a new shape (numel must match); shares the buffer.
  Tensor reshaped(std::vector<int64_t> dims) const;
  /// A copy with elements converted to `dtype`.
  Tensor cast(DType dtype) const;

  /// Same dtype, dims and bytes.
  bool equals(const Tensor& o) const;
  /// 64-bit FNV-1a over dtype, dims and bytes: a short fingerprint for printing.
  uint64_t fingerprint() const;

 private:
  DType dtype_ = DType::kUndefined;
  std::vector<int64_t> dims_;
  std::shared_ptr<std::vector<uint8_t>> bytes_;
};

}  // namespace trex
