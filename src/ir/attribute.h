// Node attributes: the scalar, list and tensor kinds of ONNX attributes.
#pragma once

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "ir/tensor.h"

namespace trex {

enum class AttrKind { kFloat, kInt, kString, kTensor, kFloats, kInts, kStrings, kTensors };

const char* attr_kind_name(AttrKind k);

class Attribute {
 public:
  Attribute() : v_(int64_t{0}) {}
  Attribute(float v) : v_(v) {}                                // NOLINT
  Attribute(double v) : v_(static_cast<float>(v)) {}           // NOLINT
  Attribute(int64_t v) : v_(v) {}                              // NOLINT
  Attribute(int v) : v_(int64_t{v}) {}                         // NOLINT
  Attribute(std::string v) : v_(std::move(v)) {}               // NOLINT
  Attribute(const char* v) : v_(std::string(v)) {}             // NOLINT
  Attribute(Tensor v) : v_(std::move(v)) {}                    // NOLINT
  Attribute(std::vector<float> v) : v_(std::move(v)) {}        // NOLINT
  Attribute(std::vector<int64_t> v) : v_(std::move(v)) {}      // NOLINT
  Attribute(std::vector<std::string> v) : v_(std::move(v)) {}  // NOLINT
  Attribute(std::vector<Tensor> v) : v_(std::move(v)) {}       // NOLINT

  AttrKind kind() const { return static_cast<AttrKind>(v_.index()); }
  float f() const { return std::get<float>(v_); }
  int64_t i() const { return std::get<int64_t>(v_); }
  const std::string& s() const { return std::get<std::string>(v_); }
  const Tensor& t() const { return std::get<Tensor>(v_); }
  const std::vector<float>& floats() const { return std::get<std::vector<float>>(v_); }
  const std::vector<int64_t>& ints() const { return std::get<std::vector<int64_t>>(v_); }
  const std::vector<std::string>& strings() const { return std::get<std::vector<std::string>>(v_); }
  const std::vector<Tensor>& tensors() const { return std::get<std::vector<Tensor>>(v_); }

  bool operator==(const Attribute& o) const;
  /// Deterministic text form (tensors by fingerprint).
  std::string to_string() const;

 private:
  std::variant<float, int64_t, std::string, Tensor, std::vector<float>, std::vector<int64_t>,
               std::vector<std::string>, std::vector<Tensor>>
      v_;
};

/// Shorthand for an ints attribute: ints({1, 1}).
inline Attribute ints(std::vector<int64_t> v) {
  return Attribute(std::move(v));
}
inline Attribute floats(std::vector<float> v) {
  return Attribute(std::move(v));
}

}  // namespace trex
