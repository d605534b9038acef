// Constant evaluation of single nodes (see fold_eval.h). Arithmetic runs in double for
// float types (exact for + - * / sqrt once rounded back to f32) and in int64 for integers.
#include "passes/fold_eval.h"

#include <algorithm>
#include <cmath>
#include <set>

#include "util/error.h"

namespace trex {

namespace {

using Dims = std::vector<int64_t>;
using Result = std::optional<std::vector<Tensor>>;

Result one(Tensor t) {
  return std::vector<Tensor>{std::move(t)};
}

/// Product of dims, saturating at INT64_MAX (dims come from untrusted constants).
int64_t numel_of(const Dims& d) {
  int64_t n = 1;
  for (int64_t x : d)
    if (x < 0 || __builtin_mul_overflow(n, x, &n)) return INT64_MAX;
  return n;
}

std::optional<int64_t> norm_axis(int64_t axis, int64_t rank) {
  if (axis < -rank || axis >= rank) return std::nullopt;
  return axis < 0 ? axis + rank : axis;
}

/// Numpy-style broadcast of two shapes.
std::optional<Dims> broadcast(const Dims& a, const Dims& b) {
  size_t r = std::max(a.size(), b.size());
  Dims out(r);
  for (size_t i = 0; i < r; ++i) {
    int64_t da = i < r - a.size() ? 1 : a[i - (r - a.size())];
    int64_t db = i < r - b.size() ? 1 : b[i - (r - b.size())];
    if (da != db && da != 1 && db != 1) return std::nullopt;
    out[i] = da == 1 ? db : da;
  }
  return out;
}

/// Flat index into `in` (broadcast to `out`) for flat output index i.
int64_t broadcast_index(int64_t i, const Dims& out, const Dims& in) {
  int64_t idx = 0, stride = 1;
  for (size_t k = out.size(); k-- > 0;) {
    int64_t coord = i % out[k];
    i /= out[k];
    size_t off = out.size() - in.size();
    if (k >= off) {
      int64_t d = in[k - off];
      if (d != 1) idx += coord * stride;
      stride *= d;
    }
  }
  return idx;
}

Tensor broadcast_to(const Tensor& t, const Dims& out) {
  Tensor r(t.dtype(), out);
  size_t es = dtype_size(t.dtype());
  for (int64_t i = 0; i < r.numel(); ++i)
    std::memcpy(r.mutable_raw() + i * es, t.raw() + broadcast_index(i, out, t.dims()) * es, es);
  return r;
}

enum class BinOp {
  kAdd,
  kSub,
  kMul,
  kDiv,
  kPow,
  kEqual,
  kLess,
  kGreater,
  kLessOrEqual,
  kGreaterOrEqual,
  kMax,
  kMin
};

std::optional<BinOp> binop_of(const std::string& op) {
  static const std::pair<const char*, BinOp> kOps[] = {{"Add", BinOp::kAdd},
                                                       {"Sub", BinOp::kSub},
                                                       {"Mul", BinOp::kMul},
                                                       {"Div", BinOp::kDiv},
                                                       {"Pow", BinOp::kPow},
                                                       {"Equal", BinOp::kEqual},
                                                       {"Less", BinOp::kLess},
                                                       {"Greater", BinOp::kGreater},
                                                       {"LessOrEqual", BinOp::kLessOrEqual},
                                                       {"GreaterOrEqual", BinOp::kGreaterOrEqual},
                                                       {"Max", BinOp::kMax},
                                                       {"Min", BinOp::kMin}};
  for (const auto& [name, b] : kOps)
    if (op == name) return b;
  return std::nullopt;
}

bool is_comparison(BinOp op) {
  return op == BinOp::kEqual || op == BinOp::kLess || op == BinOp::kGreater ||
         op == BinOp::kLessOrEqual || op == BinOp::kGreaterOrEqual;
}

/// Comparisons and Max/Min, the same for every element type.
template <typename T>
std::optional<T> compare_or_select(BinOp op, T x, T y) {
  switch (op) {
    case BinOp::kEqual:
      return x == y;
    case BinOp::kLess:
      return x < y;
    case BinOp::kGreater:
      return x > y;
    case BinOp::kLessOrEqual:
      return x <= y;
    case BinOp::kGreaterOrEqual:
      return x >= y;
    case BinOp::kMax:
      return std::max(x, y);
    case BinOp::kMin:
      return std::min(x, y);
    default:
      return std::nullopt;
  }
}

std::optional<double> apply_float(BinOp op, double x, double y) {
  switch (op) {
    case BinOp::kAdd:
      return x + y;
    case BinOp::kSub:
      return x - y;
    case BinOp::kMul:
      return x * y;
    case BinOp::kDiv:
      return x / y;
    case BinOp::kPow:
      return std::pow(x, y);
    default:
      return compare_or_select(op, x, y);
  }
}

std::optional<int64_t> apply_int(BinOp op, int64_t x, int64_t y) {
  auto wrap = [](uint64_t v) { return static_cast<int64_t>(v); };  // no signed overflow
  switch (op) {
    case BinOp::kAdd:
      return wrap(static_cast<uint64_t>(x) + static_cast<uint64_t>(y));
    case BinOp::kSub:
      return wrap(static_cast<uint64_t>(x) - static_cast<uint64_t>(y));
    case BinOp::kMul:
      return wrap(static_cast<uint64_t>(x) * static_cast<uint64_t>(y));
    case BinOp::kDiv:  // truncates toward zero, as ONNX specifies for integers
      if (y == 0 || (x == INT64_MIN && y == -1)) return std::nullopt;
      return x / y;
    case BinOp::kPow:
      return std::nullopt;
    default:
      return compare_or_select(op, x, y);
  }
}

Result elementwise_binary(const std::string& name, const Tensor& a, const Tensor& b) {
  auto op = binop_of(name);
  // uint64 above 2^63 does not fit the int64 arithmetic used here.
  if (!op || a.dtype() != b.dtype() || a.dtype() == DType::kUInt64) return std::nullopt;
  auto shape = broadcast(a.dims(), b.dims());
  if (!shape || numel_of(*shape) > kMaxFoldedElements) return std::nullopt;
  Tensor out(is_comparison(*op) ? DType::kBool : a.dtype(), *shape);
  bool is_float = dtype_is_float(a.dtype());
  for (int64_t i = 0; i < out.numel(); ++i) {
    int64_t ia = broadcast_index(i, *shape, a.dims()), ib = broadcast_index(i, *shape, b.dims());
    if (is_float) {
      auto r = apply_float(*op, a.get_double(ia), b.get_double(ib));
      if (!r) return std::nullopt;
      out.set_double(i, *r);
    } else {
      auto r = apply_int(*op, a.get_int64(ia), b.get_int64(ib));
      if (!r) return std::nullopt;
      out.set_int64(i, *r);
    }
  }
  return one(std::move(out));
}

Result elementwise_unary(const std::string& op, const Tensor& a) {
  Tensor out(a.dtype(), a.dims());
  bool is_float = dtype_is_float(a.dtype());
  if (op != "Neg" && op != "Not" && !is_float) return std::nullopt;
  if (op == "Not" && a.dtype() != DType::kBool) return std::nullopt;
  for (int64_t i = 0; i < a.numel(); ++i) {
    if (op == "Neg") {
      if (is_float)
        out.set_double(i, -a.get_double(i));
      else
        out.set_int64(i, static_cast<int64_t>(0 - static_cast<uint64_t>(a.get_int64(i))));
    } else if (op == "Not") {
      out.set_int64(i, a.get_int64(i) ? 0 : 1);
    } else if (op == "Sqrt") {
      out.set_double(i, std::sqrt(a.get_double(i)));
    } else if (op == "Reciprocal") {
      out.set_double(i, 1.0 / a.get_double(i));
    } else {
      return std::nullopt;
    }
  }
  return one(std::move(out));
}

std::optional<DType> onnx_elem_to_dtype(int64_t e) {
  switch (e) {
    case 1:
      return DType::kFloat32;
    case 2:
      return DType::kUInt8;
    case 3:
      return DType::kInt8;
    case 4:
      return DType::kUInt16;
    case 5:
      return DType::kInt16;
    case 6:
      return DType::kInt32;
    case 7:
      return DType::kInt64;
    case 9:
      return DType::kBool;
    case 10:
      return DType::kFloat16;
    case 11:
      return DType::kFloat64;
    case 12:
      return DType::kUInt32;
    case 13:
      return DType::kUInt64;
    case 16:
      return DType::kBFloat16;
    default:
      return std::nullopt;
  }
}

Result eval_constant(const Node& n) {
  if (const Attribute* a = n.find_attr("value"); a && a->kind() == AttrKind::kTensor)
    return one(a->t());
  if (n.has_attr("value_float")) return one(Tensor::scalar_f32(n.attr_float("value_float", 0)));
  if (n.has_attr("value_int"))
    return one(Tensor::from_vector<int64_t>(DType::kInt64, {}, {n.attr_int("value_int", 0)}));
  if (n.has_attr("value_floats")) {
    auto v = n.attr_floats("value_floats");
    return one(Tensor::from_vector<float>(DType::kFloat32, {static_cast<int64_t>(v.size())}, v));
  }
  if (n.has_attr("value_ints")) return one(Tensor::vector_i64(n.attr_ints("value_ints")));
  return std::nullopt;  // strings and sparse values stay as nodes
}

Result eval_reshape(const Node& n, const Tensor& x, const Tensor& shape_t) {
  Dims shape = shape_t.to_int64_vector();
  bool allow_zero = n.attr_int("allowzero", 0) != 0;
  int64_t infer = -1, known = 1;
  for (size_t i = 0; i < shape.size(); ++i) {
    if (shape[i] == 0 && !allow_zero) {
      if (i >= x.rank()) return std::nullopt;
      shape[i] = x.dims()[i];
    }
    if (shape[i] == -1) {
      if (infer >= 0) return std::nullopt;
      infer = static_cast<int64_t>(i);
    } else if (shape[i] < 0) {
      return std::nullopt;
    } else if (__builtin_mul_overflow(known, shape[i], &known)) {
      return std::nullopt;
    }
  }
  if (infer >= 0) {
    if (known == 0 || x.numel() % known) return std::nullopt;
    shape[static_cast<size_t>(infer)] = x.numel() / known;
  }
  if (numel_of(shape) != x.numel()) return std::nullopt;
  return one(x.reshaped(shape));
}

std::optional<Dims> axes_of(const Node& n, const std::vector<const Tensor*>& in,
                            size_t input_index) {
  if (in.size() > input_index && in[input_index]) return in[input_index]->to_int64_vector();
  if (n.has_attr("axes")) return n.attr_ints("axes");
  return Dims{};
}

Result eval_squeeze(const Node& n, const std::vector<const Tensor*>& in, bool unsqueeze) {
  const Tensor& x = *in[0];
  auto axes = axes_of(n, in, 1);
  if (!axes) return std::nullopt;
  Dims dims = x.dims();
  if (unsqueeze) {
    auto rank = static_cast<int64_t>(dims.size() + axes->size());
    Dims norm;
    for (int64_t a : *axes) {
      auto v = norm_axis(a, rank);
      if (!v) return std::nullopt;
      norm.push_back(*v);
    }
    std::sort(norm.begin(), norm.end());
    if (std::adjacent_find(norm.begin(), norm.end()) != norm.end()) return std::nullopt;
    Dims out;
    size_t src = 0;
    for (int64_t i = 0; i < rank; ++i) {
      if (std::binary_search(norm.begin(), norm.end(), i))
        out.push_back(1);
      else
        out.push_back(dims[src++]);
    }
    return one(x.reshaped(out));
  }
  auto rank = static_cast<int64_t>(dims.size());
  Dims out;
  std::vector<bool> drop(dims.size(), false);
  for (int64_t a : *axes) {
    auto v = norm_axis(a, rank);
    if (!v || dims[static_cast<size_t>(*v)] != 1) return std::nullopt;
    drop[static_cast<size_t>(*v)] = true;
  }
  for (size_t i = 0; i < dims.size(); ++i)
    if (!(axes->empty() ? dims[i] == 1 : drop[i])) out.push_back(dims[i]);
  return one(x.reshaped(out));
}

Result eval_concat(const Node& n, const std::vector<const Tensor*>& in) {
  if (in.empty() || !in[0]) return std::nullopt;
  auto rank = static_cast<int64_t>(in[0]->rank());
  auto axis = norm_axis(n.attr_int("axis", 0), rank);
  if (!axis) return std::nullopt;
  Dims out_dims = in[0]->dims();
  out_dims[*axis] = 0;
  for (const Tensor* t : in) {
    if (!t || t->dtype() != in[0]->dtype() || static_cast<int64_t>(t->rank()) != rank)
      return std::nullopt;
    for (int64_t d = 0; d < rank; ++d)
      if (d != *axis && t->dims()[d] != in[0]->dims()[d]) return std::nullopt;
    out_dims[*axis] += t->dims()[*axis];
  }
  // Concatenating one constant with itself many times must not blow up: the result may be
  // no larger than the distinct inputs together, or the folding cap.
  std::set<const uint8_t*> distinct;
  int64_t distinct_numel = 0;
  for (const Tensor* t : in)
    if (distinct.insert(t->raw()).second) distinct_numel += t->numel();
  if (numel_of(out_dims) > std::max(kMaxFoldedElements, distinct_numel)) return std::nullopt;
  Tensor out(in[0]->dtype(), out_dims);
  size_t es = dtype_size(out.dtype());
  int64_t outer = numel_of(Dims(out_dims.begin(), out_dims.begin() + *axis));
  int64_t inner = numel_of(Dims(out_dims.begin() + *axis + 1, out_dims.end()));
  uint8_t* dst = out.mutable_raw();
  for (int64_t o = 0; o < outer; ++o)
    for (const Tensor* t : in) {
      size_t chunk = static_cast<size_t>(t->dims()[*axis] * inner) * es;
      if (chunk) std::memcpy(dst, t->raw() + o * chunk, chunk);  // empty tensors have no buffer
      dst += chunk;
    }
  return one(std::move(out));
}

Result eval_gather(const Node& n, const Tensor& x, const Tensor& idx) {
  auto rank = static_cast<int64_t>(x.rank());
  auto axis = norm_axis(n.attr_int("axis", 0), rank);
  if (!axis) return std::nullopt;
  Dims out_dims(x.dims().begin(), x.dims().begin() + *axis);
  out_dims.insert(out_dims.end(), idx.dims().begin(), idx.dims().end());
  out_dims.insert(out_dims.end(), x.dims().begin() + *axis + 1, x.dims().end());
  if (numel_of(out_dims) > std::max(kMaxFoldedElements, x.numel())) return std::nullopt;
  int64_t outer = numel_of(Dims(x.dims().begin(), x.dims().begin() + *axis));
  int64_t inner = numel_of(Dims(x.dims().begin() + *axis + 1, x.dims().end()));
  int64_t dim = x.dims()[*axis];
  Tensor out(x.dtype(), out_dims);
  size_t es = dtype_size(x.dtype());
  uint8_t* dst = out.mutable_raw();
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t k = 0; k < idx.numel(); ++k) {
      int64_t j = idx.get_int64(k);
      if (j < -dim || j >= dim) return std::nullopt;
      if (j < 0) j += dim;
      size_t chunk = static_cast<size_t>(inner) * es;
      if (chunk) std::memcpy(dst, x.raw() + ((o * dim + j) * inner) * es, chunk);
      dst += chunk;
    }
  return one(std::move(out));
}

Result eval_slice(const Node& n, const std::vector<const Tensor*>& in) {
  const Tensor& x = *in[0];
  auto rank = static_cast<int64_t>(x.rank());
  Dims starts, ends, axes, steps;
  if (in.size() >= 3) {  // opset 10+
    if (!in[1] || !in[2]) return std::nullopt;
    starts = in[1]->to_int64_vector();
    ends = in[2]->to_int64_vector();
    if (in.size() > 3 && in[3]) axes = in[3]->to_int64_vector();
    if (in.size() > 4 && in[4]) steps = in[4]->to_int64_vector();
  } else {
    starts = n.attr_ints("starts");
    ends = n.attr_ints("ends");
    axes = n.attr_ints("axes");
  }
  if (starts.size() != ends.size()) return std::nullopt;
  if (axes.empty())
    for (size_t i = 0; i < starts.size(); ++i) axes.push_back(static_cast<int64_t>(i));
  if (steps.empty()) steps.assign(starts.size(), 1);
  if (axes.size() != starts.size() || steps.size() != starts.size()) return std::nullopt;
  Dims st(rank, 0), sp(rank, 1), cnt = x.dims();
  for (size_t i = 0; i < starts.size(); ++i) {
    auto a = norm_axis(axes[i], rank);
    if (!a || steps[i] == 0 || steps[i] == INT64_MIN) return std::nullopt;
    int64_t d = x.dims()[*a], s = starts[i], e = ends[i], step = steps[i];
    if (d == 0) {  // nothing to take (and clamp bounds would be inverted)
      cnt[*a] = 0;
      continue;
    }
    if (s < 0) s += d;
    if (e < 0) e += d;
    if (step > 0) {
      s = std::clamp<int64_t>(s, 0, d);
      e = std::clamp<int64_t>(e, 0, d);
      cnt[*a] = e > s ? (e - s - 1) / step + 1 : 0;  // no overflow for huge steps
    } else {
      s = std::clamp<int64_t>(s, 0, d - 1);
      e = std::clamp<int64_t>(e, -1, d - 1);
      cnt[*a] = s > e ? (s - e - 1) / -step + 1 : 0;
    }
    st[*a] = s;
    sp[*a] = step;
  }
  Tensor out(x.dtype(), cnt);
  Dims xs = strides_of(x.dims());
  size_t es = dtype_size(x.dtype());
  for (int64_t i = 0; i < out.numel(); ++i) {
    int64_t rem = i, src = 0;
    for (int64_t k = rank; k-- > 0;) {
      int64_t c = rem % cnt[k];
      rem /= cnt[k];
      src += (st[k] + c * sp[k]) * xs[k];
    }
    std::memcpy(out.mutable_raw() + i * es, x.raw() + src * es, es);
  }
  return one(std::move(out));
}

Result eval_transpose(const Node& n, const Tensor& x) {
  auto rank = static_cast<int64_t>(x.rank());
  Dims perm = n.attr_ints("perm");
  if (perm.empty())
    for (int64_t i = rank; i-- > 0;) perm.push_back(i);
  if (static_cast<int64_t>(perm.size()) != rank) return std::nullopt;
  Dims sorted = perm;
  std::sort(sorted.begin(), sorted.end());
  for (int64_t i = 0; i < rank; ++i)
    if (sorted[i] != i) return std::nullopt;
  Dims out_dims(rank);
  for (int64_t i = 0; i < rank; ++i) out_dims[i] = x.dims()[perm[i]];
  Tensor out(x.dtype(), out_dims);
  Dims xs = strides_of(x.dims());
  size_t es = dtype_size(x.dtype());
  for (int64_t i = 0; i < out.numel(); ++i) {
    int64_t rem = i, src = 0;
    for (int64_t k = rank; k-- > 0;) {
      src += (rem % out_dims[k]) * xs[perm[k]];
      rem /= out_dims[k];
    }
    std::memcpy(out.mutable_raw() + i * es, x.raw() + src * es, es);
  }
  return one(std::move(out));
}

Result eval_range(const Tensor& start, const Tensor& limit, const Tensor& delta) {
  if (start.numel() != 1 || limit.numel() != 1 || delta.numel() != 1) return std::nullopt;
  double s = start.get_double(0), l = limit.get_double(0), d = delta.get_double(0);
  if (d == 0) return std::nullopt;
  double count = std::max(0.0, std::ceil((l - s) / d));
  if (count > static_cast<double>(kMaxFoldedElements)) return std::nullopt;
  Tensor out(start.dtype(), {static_cast<int64_t>(count)});
  for (int64_t i = 0; i < out.numel(); ++i) {
    if (dtype_is_float(start.dtype()))
      out.set_double(i, s + static_cast<double>(i) * d);
    else
      out.set_int64(i, static_cast<int64_t>(  // unsigned: wraps instead of overflowing
                           static_cast<uint64_t>(start.get_int64(0)) +
                           static_cast<uint64_t>(i) * static_cast<uint64_t>(delta.get_int64(0))));
  }
  return one(std::move(out));
}

Result eval_where(const Tensor& c, const Tensor& a, const Tensor& b) {
  if (a.dtype() != b.dtype()) return std::nullopt;
  auto s = broadcast(c.dims(), a.dims());
  if (!s) return std::nullopt;
  s = broadcast(*s, b.dims());
  if (!s || numel_of(*s) > kMaxFoldedElements) return std::nullopt;
  Tensor out(a.dtype(), *s);
  size_t es = dtype_size(a.dtype());
  for (int64_t i = 0; i < out.numel(); ++i) {
    bool take_a = c.get_int64(broadcast_index(i, *s, c.dims())) != 0;
    const Tensor& src = take_a ? a : b;
    std::memcpy(out.mutable_raw() + i * es, src.raw() + broadcast_index(i, *s, src.dims()) * es,
                es);
  }
  return one(std::move(out));
}

}  // namespace

std::vector<int64_t> shape_slice(const std::vector<int64_t>& dims, int64_t start, int64_t end) {
  auto rank = static_cast<int64_t>(dims.size());
  auto clamp = [rank](int64_t i) {
    if (i < 0) i = i < -rank ? 0 : i + rank;
    return std::min(i, rank);
  };
  std::vector<int64_t> out;
  for (int64_t i = clamp(start); i < clamp(end); ++i) out.push_back(dims[static_cast<size_t>(i)]);
  return out;
}

std::optional<std::vector<Tensor>> evaluate_constant_node(const Node& n,
                                                          const std::vector<const Tensor*>& in) {
  const std::string& op = n.op_type();
  auto has = [&in](size_t k) { return in.size() > k && in[k] != nullptr; };
  try {
    if (op == "Constant") return eval_constant(n);
    if (!has(0)) return std::nullopt;
    const Tensor& x = *in[0];
    if (x.dtype() == DType::kUndefined) return std::nullopt;
    if (op == "Identity") return one(x);
    if (op == "Shape") {
      return one(Tensor::vector_i64(
          shape_slice(x.dims(), n.attr_int("start", 0), n.attr_int("end", INT64_MAX))));
    }
    if (op == "Size") return one(Tensor::from_vector<int64_t>(DType::kInt64, {}, {x.numel()}));
    if (op == "Cast") {
      auto to = onnx_elem_to_dtype(n.attr_int("to", 0));
      // Widening a large constant (u8 -> f64 is 8x) is left to the runtime.
      if (!to || (dtype_size(*to) > dtype_size(x.dtype()) && x.numel() > kMaxFoldedElements))
        return std::nullopt;
      return one(x.cast(*to));
    }
    if (op == "Reshape" && has(1)) return eval_reshape(n, x, *in[1]);
    if (op == "Flatten") {
      auto axis = n.attr_int("axis", 1);
      auto rank = static_cast<int64_t>(x.rank());
      if (axis < 0) axis += rank;
      if (axis < 0 || axis > rank) return std::nullopt;
      return one(x.reshaped({numel_of(Dims(x.dims().begin(), x.dims().begin() + axis)),
                             numel_of(Dims(x.dims().begin() + axis, x.dims().end()))}));
    }
    if (op == "Squeeze") return eval_squeeze(n, in, false);
    if (op == "Unsqueeze") return eval_squeeze(n, in, true);
    if (op == "Concat") return eval_concat(n, in);
    if (op == "Gather" && has(1)) return eval_gather(n, x, *in[1]);
    if (op == "Slice") return eval_slice(n, in);
    if (op == "Transpose") return eval_transpose(n, x);
    if (op == "Neg" || op == "Sqrt" || op == "Reciprocal" || op == "Not")
      return elementwise_unary(op, x);
    if (has(1) && in.size() == 2 && binop_of(op)) return elementwise_binary(op, x, *in[1]);
    if (op == "Where" && has(1) && has(2)) return eval_where(x, *in[1], *in[2]);
    if (op == "Range" && has(1) && has(2)) return eval_range(x, *in[1], *in[2]);
    if (op == "ConstantOfShape") {
      Dims dims = x.to_int64_vector();
      for (int64_t d : dims)
        if (d < 0) return std::nullopt;
      if (numel_of(dims) > kMaxFoldedElements) return std::nullopt;
      Tensor value = Tensor::scalar_f32(0.0f);
      if (const Attribute* a = n.find_attr("value"); a && a->kind() == AttrKind::kTensor)
        value = a->t();
      if (value.numel() != 1) return std::nullopt;
      return one(broadcast_to(value.reshaped({}), dims));
    }
    if (op == "Expand" && has(1)) {
      auto s = broadcast(x.dims(), in[1]->to_int64_vector());
      if (!s || numel_of(*s) > kMaxFoldedElements) return std::nullopt;
      return one(broadcast_to(x, *s));
    }
  } catch (const Error&) {
    // A malformed constant (wrong dtype for the op, ...) is left for the runtime to report.
    return std::nullopt;
  }
  return std::nullopt;
}

}  // namespace trex
