// Reference kernels of the elementwise binary and variadic ops with numpy broadcasting:
// Add, Sub, Mul, Div, Pow, Mod, Max, Min, Sum, Mean, PRelu, the comparisons (Equal, Less,
// Greater, LessOrEqual, GreaterOrEqual) and the logical And, Or, Xor.
#include <cmath>
#include <type_traits>

#include "runtime/kernel.h"
#include "runtime/kernels/broadcast.h"
#include "runtime/kernels/dispatch.h"
#include "runtime/kernels/reference_kernels.h"

namespace trex {

namespace {

enum class Op {
  kAdd,
  kSub,
  kMul,
  kDiv,
  kPow,
  kMod,
  kFMod,
  kMax,
  kMin,
  kPRelu,
  kEq,
  kLt,
  kGt,
  kLe,
  kGe,
  kAnd,
  kOr,
  kXor
};

Op op_of(const Node& n) {
  const std::string& t = n.op_type();
  if (t == "Add" || t == "Sum" || t == "Mean") return Op::kAdd;
  if (t == "Sub") return Op::kSub;
  if (t == "Mul") return Op::kMul;
  if (t == "Div") return Op::kDiv;
  if (t == "Pow") return Op::kPow;
  if (t == "Mod") return n.attr_int("fmod", 0) ? Op::kFMod : Op::kMod;
  if (t == "Max") return Op::kMax;
  if (t == "Min") return Op::kMin;
  if (t == "PRelu") return Op::kPRelu;
  if (t == "Equal") return Op::kEq;
  if (t == "Less") return Op::kLt;
  if (t == "Greater") return Op::kGt;
  if (t == "LessOrEqual") return Op::kLe;
  if (t == "GreaterOrEqual") return Op::kGe;
  if (t == "And") return Op::kAnd;
  if (t == "Or") return Op::kOr;
  return Op::kXor;
}

bool is_compare(Op op) {
  return op >= Op::kEq && op <= Op::kGe;
}
bool is_logical(Op op) {
  return op >= Op::kAnd;
}

template <typename T>
T apply(Op op, T a, T b, const std::string& label) {
  switch (op) {
    case Op::kAdd:
      return static_cast<T>(a + b);
    case Op::kSub:
      return static_cast<T>(a - b);
    case Op::kMul:
      return static_cast<T>(a * b);
    case Op::kDiv:
      if constexpr (std::is_integral_v<T>) {
        if (b == 0) throw_invalid(label + ": integer division by zero");
      }
      return static_cast<T>(a / b);
    case Op::kPow:
      return static_cast<T>(std::pow(static_cast<double>(a), static_cast<double>(b)));
    case Op::kFMod:
      if constexpr (std::is_integral_v<T>) {
        if (b == 0) throw_invalid(label + ": integer modulo by zero");
        return static_cast<T>(a % b);
      } else {
        return static_cast<T>(std::fmod(a, b));
      }
    case Op::kMod:  // sign of the divisor, as Python's %
      if constexpr (std::is_integral_v<T>) {
        if (b == 0) throw_invalid(label + ": integer modulo by zero");
        T r = static_cast<T>(a % b);
        if constexpr (std::is_signed_v<T>) {
          if (r != 0 && ((r < 0) != (b < 0))) r = static_cast<T>(r + b);
        }
        return r;
      } else {
        T r = static_cast<T>(std::fmod(a, b));
        if (r != 0 && ((r < 0) != (b < 0))) r += b;
        return r;
      }
    case Op::kMax:
      return a > b || a != a ? a : b;  // NaN propagates
    case Op::kMin:
      return a < b || a != a ? a : b;
    case Op::kPRelu:
      return a < 0 ? static_cast<T>(a * b) : a;
    default:
      return T{};
  }
}

template <typename T>
bool compare(Op op, T a, T b) {
  switch (op) {
    case Op::kEq:
      return a == b;
    case Op::kLt:
      return a < b;
    case Op::kGt:
      return a > b;
    case Op::kLe:
      return a <= b;
    default:
      return a >= b;
  }
}

class BinaryRef : public OpKernel {
 public:
  explicit BinaryRef(const KernelInit& init)
      : op_(op_of(*init.node)), mean_(init.node->op_type() == "Mean") {}

  /// Pow from opset 12 lets the exponent have another type; the result has the base's.
  static void mixed_pow(KernelContext& ctx, const TensorView& a, const TensorView& b) {
    std::vector<int64_t> dims = broadcast_shapes({a.dims, b.dims}, ctx.node_label());
    TensorView& y = ctx.output(0, a.dtype, dims);
    BroadcastIndexer ia(a.dims, dims), ib(b.dims, dims);
    auto get = [&ctx](const TensorView& t, int64_t i) {
      return dispatch_numeric(t.dtype, ctx.node_label(), [&](auto zero) {
        return static_cast<double>(t.as<decltype(zero)>()[i]);
      });
    };
    dispatch_numeric(a.dtype, ctx.node_label(), [&](auto zero) {
      using T = decltype(zero);
      for (int64_t i = 0; i < y.numel(); ++i)
        y.as<T>()[i] = static_cast<T>(std::pow(get(a, ia.at(i)), get(b, ib.at(i))));
    });
  }

  /// Models from before opset 7 give PRelu one slope per channel (axis 1) even where
  /// numpy broadcasting would not line it up; such a slope is viewed as [C, 1, ..., 1].
  const TensorView* legacy_prelu_slope(const TensorView& x, const TensorView& slope,
                                       std::vector<int64_t>& slope_shape) {
    if (slope.rank() != 1 || x.rank() < 3 || slope.dims[0] != x.dims[1] ||
        slope.dims[0] == x.dims.back())
      return &slope;
    legacy_slope_ = slope;
    legacy_slope_.dims.assign(x.rank() - 1, 1);
    legacy_slope_.dims[0] = slope.dims[0];
    slope_shape = legacy_slope_.dims;
    return &legacy_slope_;
  }

  void compute(KernelContext& ctx) override {
    const std::string& label = ctx.node_label();
    std::vector<const TensorView*> in;
    std::vector<std::vector<int64_t>> shapes;
    for (size_t i = 0; i < ctx.num_inputs(); ++i)
      if (ctx.input(i)) {
        in.push_back(ctx.input(i));
        shapes.push_back(ctx.input(i)->dims);
      }
    if (in.empty()) throw_invalid(label + ": no inputs");
    if (op_ == Op::kPow && in.size() == 2 && in[0]->dtype != in[1]->dtype) {
      mixed_pow(ctx, *in[0], *in[1]);
      return;
    }
    if (op_ == Op::kPRelu && in.size() == 2) in[1] = legacy_prelu_slope(*in[0], *in[1], shapes[1]);
    for (const TensorView* t : in)
      if (t->dtype != in[0]->dtype)
        throw_invalid(label + ": inputs have different element types (" + dtype_name(in[0]->dtype) +
                      ", " + dtype_name(t->dtype) + ")");
    std::vector<int64_t> dims = broadcast_shapes(shapes, label);
    DType dt = in[0]->dtype;
    if (is_logical(op_)) {
      if (dt != DType::kBool) throw_invalid(label + ": expects bool inputs");
      TensorView& y = ctx.output(0, DType::kBool, dims);
      BroadcastIndexer ia(in[0]->dims, dims), ib(in[1]->dims, dims);
      for (int64_t i = 0; i < y.numel(); ++i) {
        bool a = in[0]->as<uint8_t>()[ia.at(i)], b = in[1]->as<uint8_t>()[ib.at(i)];
        y.as<uint8_t>()[i] = op_ == Op::kAnd ? (a && b) : op_ == Op::kOr ? (a || b) : (a != b);
      }
      return;
    }
    if (dt == DType::kBool && op_ == Op::kEq) dt = DType::kUInt8;  // Equal on bools
    dispatch_numeric(dt, label, [&](auto zero) {
      using T = decltype(zero);
      if (is_compare(op_)) {
        TensorView& y = ctx.output(0, DType::kBool, dims);
        BroadcastIndexer ia(in[0]->dims, dims), ib(in[1]->dims, dims);
        for (int64_t i = 0; i < y.numel(); ++i)
          y.as<uint8_t>()[i] = compare(op_, in[0]->as<T>()[ia.at(i)], in[1]->as<T>()[ib.at(i)]);
        return;
      }
      TensorView& y = ctx.output(0, in[0]->dtype, dims);
      T* out = y.as<T>();
      BroadcastIndexer i0(in[0]->dims, dims);
      for (int64_t i = 0; i < y.numel(); ++i) out[i] = in[0]->as<T>()[i0.at(i)];
      for (size_t k = 1; k < in.size(); ++k) {
        BroadcastIndexer ik(in[k]->dims, dims);
        const T* src = in[k]->as<T>();
        for (int64_t i = 0; i < y.numel(); ++i) out[i] = apply(op_, out[i], src[ik.at(i)], label);
      }
      if (mean_)
        for (int64_t i = 0; i < y.numel(); ++i)
          out[i] = static_cast<T>(out[i] / static_cast<T>(in.size()));
    });
  }

 private:
  Op op_;
  bool mean_;
  TensorView legacy_slope_;
};

}  // namespace

std::unique_ptr<OpKernel> create_binary_ref(const KernelInit& init) {
  return std::make_unique<BinaryRef>(init);
}

}  // namespace trex
