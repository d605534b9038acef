// Tensor storage and element access.
#include "ir/tensor.h"

#include <cmath>

#include "util/error.h"

namespace trex {

namespace {

int64_t checked_numel(const std::vector<int64_t>& dims) {
  int64_t n = 1;
  for (int64_t d : dims) {
    if (d < 0) throw_invalid("tensor dimension " + std::to_string(d) + " is negative");
    if (d != 0 && n > (int64_t{1} << 40) / d)
      throw_invalid("tensor has too many elements (over 2^40)");
    n *= d;
  }
  return n;
}

}  // namespace

Tensor::Tensor(DType dtype, std::vector<int64_t> dims) : dtype_(dtype), dims_(std::move(dims)) {
  bytes_ = std::make_shared<std::vector<uint8_t>>(static_cast<size_t>(checked_numel(dims_)) *
                                                  dtype_size(dtype_));
}

Tensor Tensor::from_bytes(DType dtype, std::vector<int64_t> dims, const void* data, size_t nbytes) {
  Tensor t;
  t.dtype_ = dtype;
  t.dims_ = std::move(dims);
  size_t expected = static_cast<size_t>(checked_numel(t.dims_)) * dtype_size(dtype);
  if (expected != nbytes)
    throw_invalid("tensor data has " + std::to_string(nbytes) + " bytes, expected " +
                  std::to_string(expected));
  const auto* p = static_cast<const uint8_t*>(data);
  t.bytes_ = std::make_shared<std::vector<uint8_t>>(p, p + nbytes);
  return t;
}

int64_t Tensor::numel() const {
  int64_t n = 1;
  for (int64_t d : dims_) n *= d;
  return n;
}

uint8_t* Tensor::mutable_raw() {
  if (!bytes_) return nullptr;
  if (bytes_.use_count() > 1) bytes_ = std::make_shared<std::vector<uint8_t>>(*bytes_);
  return bytes_->data();
}

double Tensor::get_double(int64_t i) const {
  const uint8_t* p = raw();
  switch (dtype_) {
    case DType::kFloat32:
      return reinterpret_cast<const float*>(p)[i];
    case DType::kFloat16:
      return half_to_float(reinterpret_cast<const uint16_t*>(p)[i]);
    case DType::kBFloat16:
      return bfloat16_to_float(reinterpret_cast<const uint16_t*>(p)[i]);
    case DType::kFloat64:
      return reinterpret_cast<const double*>(p)[i];
    case DType::kInt8:
      return reinterpret_cast<const int8_t*>(p)[i];
    case DType::kUInt8:
      return reinterpret_cast<const uint8_t*>(p)[i];
    case DType::kInt16:
      return reinterpret_cast<const int16_t*>(p)[i];
    case DType::kUInt16:
      return reinterpret_cast<const uint16_t*>(p)[i];
    case DType::kInt32:
      return reinterpret_cast<const int32_t*>(p)[i];
    case DType::kUInt32:
      return reinterpret_cast<const uint32_t*>(p)[i];
    case DType::kInt64:
      return static_cast<double>(reinterpret_cast<const int64_t*>(p)[i]);
    case DType::kUInt64:
      return static_cast<double>(reinterpret_cast<const uint64_t*>(p)[i]);
    case DType::kBool:
      return p[i] ? 1.0 : 0.0;
    case DType::kUndefined:
      break;
  }
  TREX_ASSERT(false && "element access on an undefined tensor");
}

int64_t Tensor::get_int64(int64_t i) const {
  const uint8_t* p = raw();
  switch (dtype_) {
    case DType::kInt64:
      return reinterpret_cast<const int64_t*>(p)[i];
    case DType::kUInt64:
      return static_cast<int64_t>(reinterpret_cast<const uint64_t*>(p)[i]);
    case DType::kInt32:
      return reinterpret_cast<const int32_t*>(p)[i];
    case DType::kUInt32:
      return reinterpret_cast<const uint32_t*>(p)[i];
    case DType::kInt16:
      return reinterpret_cast<const int16_t*>(p)[i];
    case DType::kUInt16:
      return reinterpret_cast<const uint16_t*>(p)[i];
    case DType::kInt8:
      return reinterpret_cast<const int8_t*>(p)[i];
    case DType::kUInt8:
      return p[i];
    case DType::kBool:
      return p[i] ? 1 : 0;
    default: {
      double d = get_double(i);
      if (!std::isfinite(d) || std::fabs(d) > 9.2e18) return 0;  // C++ cast would be UB
      return static_cast<int64_t>(d);
    }
  }
}

void Tensor::set_double(int64_t i, double v) {
  uint8_t* p = mutable_raw();
  auto to_int = [](double d) -> int64_t {
    if (!std::isfinite(d) || std::fabs(d) > 9.2e18) return 0;
    return static_cast<int64_t>(d);
  };
  switch (dtype_) {
    case DType::kFloat32:
      reinterpret_cast<float*>(p)[i] = static_cast<float>(v);
      return;
    case DType::kFloat16:
      reinterpret_cast<uint16_t*>(p)[i] = float_to_half(static_cast<float>(v));
      return;
    case DType::kBFloat16:
      reinterpret_cast<uint16_t*>(p)[i] = float_to_bfloat16(static_cast<float>(v));
      return;
    case DType::kFloat64:
      reinterpret_cast<double*>(p)[i] = v;
      return;
    case DType::kBool:
      p[i] = v != 0.0;
      return;
    default:
      set_int64(i, to_int(v));
      return;
  }
}

void Tensor::set_int64(int64_t i, int64_t v) {
  uint8_t* p = mutable_raw();
  switch (dtype_) {
    case DType::kInt64:
      reinterpret_cast<int64_t*>(p)[i] = v;
      return;
    case DType::kUInt64:
      reinterpret_cast<uint64_t*>(p)[i] = static_cast<uint64_t>(v);
      return;
    case DType::kInt32:
      reinterpret_cast<int32_t*>(p)[i] = static_cast<int32_t>(v);
      return;
    case DType::kUInt32:
      reinterpret_cast<uint32_t*>(p)[i] = static_cast<uint32_t>(v);
      return;
    case DType::kInt16:
      reinterpret_cast<int16_t*>(p)[i] = static_cast<int16_t>(v);
      return;
    case DType::kUInt16:
      reinterpret_cast<uint16_t*>(p)[i] = static_cast<uint16_t>(v);
      return;
    case DType::kInt8:
      reinterpret_cast<int8_t*>(p)[i] = static_cast<int8_t>(v);
      return;
    case DType::kUInt8:
      p[i] = static_cast<uint8_t>(v);
      return;
    case DType::kBool:
      p[i] = v != 0;
      return;
    default:
      set_double(i, static_cast<double>(v));
      return;
  }
}

std::vector<int64_t> Tensor::to_int64_vector() const {
  std::vector<int64_t> out(static_cast<size_t>(numel()));
  for (int64_t i = 0; i < numel(); ++i) out[static_cast<size_t>(i)] = get_int64(i);
  return out;
}

Tensor Tensor::reshaped(std::vector<int64_t> dims) const {
  Tensor t = *this;
  t.dims_ = std::move(dims);
  TREX_ASSERT(t.numel() == numel());
  return t;
}

Tensor Tensor::cast(DType dtype) const {
  Tensor out(dtype, dims_);
  bool int_path = !dtype_is_float(dtype_) && !dtype_is_float(dtype);
  // 64-bit integers to f32 round once, directly (through double they could round twice).
  bool wide_int_to_f32 =
      dtype == DType::kFloat32 && (dtype_ == DType::kInt64 || dtype_ == DType::kUInt64);
  for (int64_t i = 0; i < numel(); ++i) {
    if (int_path) {
      out.set_int64(i, get_int64(i));
    } else if (wide_int_to_f32) {
      out.mutable_data<float>()[i] = dtype_ == DType::kInt64
                                         ? static_cast<float>(data<int64_t>()[i])
                                         : static_cast<float>(data<uint64_t>()[i]);
    } else {
      out.set_double(i, get_double(i));
    }
  }
  return out;
}

bool Tensor::equals(const Tensor& o) const {
  if (dtype_ != o.dtype_ || dims_ != o.dims_ || nbytes() != o.nbytes()) return false;
  return nbytes() == 0 || std::memcmp(raw(), o.raw(), nbytes()) == 0;
}

uint64_t Tensor::fingerprint() const {
  uint64_t h = 1469598103934665603ull;
  auto mix = [&h](const void* p, size_t n) {
    const auto* b = static_cast<const uint8_t*>(p);
    for (size_t i = 0; i < n; ++i) h = (h ^ b[i]) * 1099511628211ull;
  };
  mix(&dtype_, sizeof(dtype_));
  for (int64_t d : dims_) mix(&d, sizeof(d));
  if (nbytes()) mix(raw(), nbytes());
  return h;
}

}  // namespace trex
