// Calls a generic lambda with a value of the C++ type matching a DType, so reference
// kernels can be written once as templates.
#pragma once

#include <cstdint>
#include <string>

#include "ir/dtype.h"
#include "util/error.h"

namespace trex {

/// IEEE half stored as bits; reference kernels compute it in float.
struct Half {
  uint16_t bits;
};

/// fn(T{}) for numeric dtypes (f32, f64, i8..i64, u8..u64); f16/bf16/bool raise
/// kUnsupported naming `label`.
template <typename Fn>
decltype(auto) dispatch_numeric(DType t, const std::string& label, Fn&& fn) {
  switch (t) {
    case DType::kFloat32:
      return fn(float{});
    case DType::kFloat64:
      return fn(double{});
    case DType::kInt8:
      return fn(int8_t{});
    case DType::kUInt8:
      return fn(uint8_t{});
    case DType::kInt16:
      return fn(int16_t{});
    case DType::kUInt16:
      return fn(uint16_t{});
    case DType::kInt32:
      return fn(int32_t{});
    case DType::kUInt32:
      return fn(uint32_t{});
    case DType::kInt64:
      return fn(int64_t{});
    case DType::kUInt64:
      return fn(uint64_t{});
    default:
      throw_unsupported(label + ": element type " + dtype_name(t) + " is not supported");
  }
}

/// fn(T{}) for float dtypes computed natively (f32, f64).
template <typename Fn>
decltype(auto) dispatch_float(DType t, const std::string& label, Fn&& fn) {
  switch (t) {
    case DType::kFloat32:
      return fn(float{});
    case DType::kFloat64:
      return fn(double{});
    default:
      throw_unsupported(label + ": element type " + dtype_name(t) + " is not supported");
  }
}

}  // namespace trex
