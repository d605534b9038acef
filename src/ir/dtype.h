// Element types of tensors. f32, f16, i8, u8, i32, i64 and bool are computed with; the
// others are carried through import/export so that models using them round-trip.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace trex {

enum class DType : uint8_t {
  kUndefined,
  kFloat32,
  kFloat16,
  kBFloat16,
  kFloat64,
  kInt8,
  kUInt8,
  kInt16,
  kUInt16,
  kInt32,
  kUInt32,
  kInt64,
  kUInt64,
  kBool,
};

/// Bytes per element (0 for kUndefined).
size_t dtype_size(DType t);
/// Short name: "f32", "i64", "bool", ...
const char* dtype_name(DType t);
bool dtype_is_float(DType t);

/// IEEE half <-> float conversions (round to nearest even).
float half_to_float(uint16_t h);
uint16_t float_to_half(float f);
float bfloat16_to_float(uint16_t b);
uint16_t float_to_bfloat16(float f);

}  // namespace trex
