// Attribute comparison and printing.
#include "ir/attribute.h"

#include <cinttypes>
#include <cstdio>

namespace trex {

const char* attr_kind_name(AttrKind k) {
  switch (k) {
    case AttrKind::kFloat:
      return "float";
    case AttrKind::kInt:
      return "int";
    case AttrKind::kString:
      return "string";
    case AttrKind::kTensor:
      return "tensor";
    case AttrKind::kFloats:
      return "floats";
    case AttrKind::kInts:
      return "ints";
    case AttrKind::kStrings:
      return "strings";
    case AttrKind::kTensors:
      return "tensors";
  }
  return "?";
}

bool Attribute::operator==(const Attribute& o) const {
  if (kind() != o.kind()) return false;
  switch (kind()) {
    case AttrKind::kTensor:
      return t().equals(o.t());
    case AttrKind::kTensors: {
      if (tensors().size() != o.tensors().size()) return false;
      for (size_t i = 0; i < tensors().size(); ++i)
        if (!tensors()[i].equals(o.tensors()[i])) return false;
      return true;
    }
    case AttrKind::kFloat: {  // bitwise, so NaN == NaN and -0 != +0
      float a = f(), b = o.f();
      return std::memcmp(&a, &b, sizeof a) == 0;
    }
    case AttrKind::kFloats:
      return floats().size() == o.floats().size() &&
             (floats().empty() ||
              std::memcmp(floats().data(), o.floats().data(), floats().size() * 4) == 0);
    case AttrKind::kInt:
      return i() == o.i();
    case AttrKind::kString:
      return s() == o.s();
    case AttrKind::kInts:
      return ints() == o.ints();
    case AttrKind::kStrings:
      return strings() == o.strings();
  }
  return false;
}

namespace {

std::string fmt_float(float f) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.9g", static_cast<double>(f));
  return buf;
}

std::string fmt_tensor(const Tensor& t) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "#%016" PRIx64, t.fingerprint());
  std::string dims;
  for (size_t i = 0; i < t.dims().size(); ++i) dims += (i ? "," : "") + std::to_string(t.dims()[i]);
  return std::string(dtype_name(t.dtype())) + "[" + dims + "]" + buf;
}

template <typename T, typename F>
std::string fmt_list(const std::vector<T>& v, F fmt) {
  std::string s = "[";
  for (size_t i = 0; i < v.size(); ++i) s += (i ? ", " : "") + fmt(v[i]);
  return s + "]";
}

}  // namespace

std::string Attribute::to_string() const {
  switch (kind()) {
    case AttrKind::kFloat:
      return fmt_float(f());
    case AttrKind::kInt:
      return std::to_string(i());
    case AttrKind::kString:
      return "\"" + s() + "\"";
    case AttrKind::kTensor:
      return fmt_tensor(t());
    case AttrKind::kFloats:
      return fmt_list(floats(), fmt_float);
    case AttrKind::kInts:
      return fmt_list(ints(), [](int64_t x) { return std::to_string(x); });
    case AttrKind::kStrings:
      return fmt_list(strings(), [](const std::string& x) { return "\"" + x + "\""; });
    case AttrKind::kTensors:
      return fmt_list(tensors(), fmt_tensor);
  }
  return "?";
}

}  // namespace trex
