// Dim, Shape and TensorType helpers.
#include "ir/shape.h"

#include "util/error.h"

namespace trex {

Dim Dim::symbolic(std::string symbol) {
  Dim d;
  d.symbol_ = std::move(symbol);
  return d;
}

std::string Dim::to_string() const {
  if (is_static()) return std::to_string(value_);
  return symbol_.empty() ? "?" : symbol_;
}

Shape::Shape(std::initializer_list<int64_t> dims) {
  for (int64_t d : dims) dims_.emplace_back(d);
}

Shape Shape::from_static(const std::vector<int64_t>& dims) {
  Shape s;
  for (int64_t d : dims) s.dims_.emplace_back(d);
  return s;
}

bool Shape::is_static() const {
  for (const Dim& d : dims_)
    if (!d.is_static()) return false;
  return true;
}

std::vector<int64_t> Shape::static_dims() const {
  std::vector<int64_t> out;
  out.reserve(dims_.size());
  for (const Dim& d : dims_) {
    TREX_ASSERT(d.is_static());
    out.push_back(d.value());
  }
  return out;
}

int64_t Shape::numel() const {
  int64_t n = 1;
  for (int64_t d : static_dims()) n *= d;
  return n;
}

std::string Shape::to_string() const {
  std::string s = "[";
  for (size_t i = 0; i < dims_.size(); ++i) {
    if (i) s += ",";
    s += dims_[i].to_string();
  }
  return s + "]";
}

std::string TensorType::to_string() const {
  std::string s = dtype_name(dtype);
  s += shape ? shape->to_string() : std::string("[*]");
  return s;
}

}  // namespace trex
