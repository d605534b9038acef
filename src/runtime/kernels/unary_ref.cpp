// Reference kernels of the elementwise unary ops: activations (Relu, LeakyRelu, Elu, Selu,
// Celu, Sigmoid, HardSigmoid, HardSwish, Softplus, Softsign, ThresholdedRelu, Clip) and
// math (Tanh, Exp, Log, Sqrt, Abs, Neg, Erf, Reciprocal, Floor, Ceil, Round, Sign, the
// trigonometric family), plus Not, IsNaN, IsInf and Identity.
#include <cmath>
#include <cstring>
#include <limits>
#include <type_traits>

#include "runtime/kernel.h"
#include "runtime/kernels/dispatch.h"
#include "runtime/kernels/reference_kernels.h"

namespace trex {

namespace {

class UnaryRef : public OpKernel {
 public:
  explicit UnaryRef(const KernelInit& init)
      : fop_(float_op(init.node->op_type())), op_(init.node->op_type()) {
    const Node& n = *init.node;
    alpha_ = n.attr_float("alpha", op_ == "LeakyRelu"     ? 0.01f
                                   : op_ == "HardSigmoid" ? 0.2f
                                   : op_ == "Selu"        ? 1.67326319217681884765625f
                                                          : 1.0f);
    beta_ = n.attr_float("beta", 0.5f);
    gamma_ = n.attr_float("gamma", 1.05070102214813232421875f);
    if (op_ == "Clip" && init.opset < 11) {
      clip_min_ = n.attr_float("min", -std::numeric_limits<float>::max());
      clip_max_ = n.attr_float("max", std::numeric_limits<float>::max());
    }
    detect_negative_ = n.attr_int("detect_negative", 1) != 0;
    detect_positive_ = n.attr_int("detect_positive", 1) != 0;
  }

  void compute(KernelContext& ctx) override {
    const TensorView& x = *ctx.input(0);
    const std::string& label = ctx.node_label();
    if (op_ == "Identity") {
      TensorView& y = ctx.output(0, x.dtype, x.dims);
      if (x.nbytes()) std::memcpy(y.data, x.data, x.nbytes());
      return;
    }
    if (op_ == "Not") {
      TensorView& y = ctx.output(0, DType::kBool, x.dims);
      for (int64_t i = 0; i < x.numel(); ++i) y.as<uint8_t>()[i] = !x.as<uint8_t>()[i];
      return;
    }
    if (op_ == "IsNaN" || op_ == "IsInf") {
      TensorView& y = ctx.output(0, DType::kBool, x.dims);
      dispatch_float(x.dtype, label, [&](auto zero) {
        using T = decltype(zero);
        for (int64_t i = 0; i < x.numel(); ++i) {
          T v = x.as<T>()[i];
          y.as<uint8_t>()[i] = op_ == "IsNaN" ? std::isnan(v)
                                              : std::isinf(v) && ((v > 0 && detect_positive_) ||
                                                                  (v < 0 && detect_negative_));
        }
      });
      return;
    }
    TensorView& y = ctx.output(0, x.dtype, x.dims);
    if (op_ == "Clip") {
      dispatch_numeric(x.dtype, label, [&](auto zero) {
        using T = decltype(zero);
        T lo = std::numeric_limits<T>::lowest(), hi = std::numeric_limits<T>::max();
        if (ctx.input(1)) lo = ctx.input(1)->as<T>()[0];
        if (ctx.input(2)) hi = ctx.input(2)->as<T>()[0];
        if (ctx.num_inputs() <= 1 && !ctx.input(1)) {  // opset < 11: attributes
          lo = static_cast<T>(std::max<double>(clip_min_, static_cast<double>(lo)));
          hi = static_cast<T>(std::min<double>(clip_max_, static_cast<double>(hi)));
        }
        for (int64_t i = 0; i < x.numel(); ++i) {
          T v = x.as<T>()[i];
          y.as<T>()[i] = v < lo ? lo : v > hi ? hi : v;
        }
      });
      return;
    }
    if (op_ == "Abs" || op_ == "Neg" || op_ == "Sign" || op_ == "Relu") {
      dispatch_numeric(x.dtype, label, [&](auto zero) {
        using T = decltype(zero);
        for (int64_t i = 0; i < x.numel(); ++i) {
          T v = x.as<T>()[i];
          T r;
          if (op_ == "Abs")
            r = v < T{} ? static_cast<T>(-v) : v;
          else if (op_ == "Neg")
            r = static_cast<T>(-v);
          else if (op_ == "Sign")
            r = static_cast<T>(v > T{} ? 1 : v < T{} ? -1 : 0);
          else
            r = v > T{} ? v : T{};
          y.as<T>()[i] = r;
        }
      });
      return;
    }
    dispatch_float(x.dtype, label, [&](auto zero) {
      using T = decltype(zero);
      const T* src = x.as<T>();
      T* dst = y.as<T>();
      for (int64_t i = 0; i < x.numel(); ++i) dst[i] = apply<T>(src[i]);
    });
  }

 private:
  enum class U {
    kSigmoid,
    kTanh,
    kExp,
    kLog,
    kSqrt,
    kErf,
    kReciprocal,
    kFloor,
    kCeil,
    kRound,
    kLeakyRelu,
    kElu,
    kCelu,
    kSelu,
    kHardSigmoid,
    kHardSwish,
    kSoftplus,
    kSoftsign,
    kThresholdedRelu,
    kSin,
    kCos,
    kTan,
    kAsin,
    kAcos,
    kAtan,
    kSinh,
    kCosh,
    kAsinh,
    kAcosh,
    kAtanh
  };

  static U float_op(const std::string& o) {
    static const std::pair<const char*, U> kOps[] = {{"Sigmoid", U::kSigmoid},
                                                     {"Tanh", U::kTanh},
                                                     {"Exp", U::kExp},
                                                     {"Log", U::kLog},
                                                     {"Sqrt", U::kSqrt},
                                                     {"Erf", U::kErf},
                                                     {"Reciprocal", U::kReciprocal},
                                                     {"Floor", U::kFloor},
                                                     {"Ceil", U::kCeil},
                                                     {"Round", U::kRound},
                                                     {"LeakyRelu", U::kLeakyRelu},
                                                     {"Elu", U::kElu},
                                                     {"Celu", U::kCelu},
                                                     {"Selu", U::kSelu},
                                                     {"HardSigmoid", U::kHardSigmoid},
                                                     {"HardSwish", U::kHardSwish},
                                                     {"Softplus", U::kSoftplus},
                                                     {"Softsign", U::kSoftsign},
                                                     {"ThresholdedRelu", U::kThresholdedRelu},
                                                     {"Sin", U::kSin},
                                                     {"Cos", U::kCos},
                                                     {"Tan", U::kTan},
                                                     {"Asin", U::kAsin},
                                                     {"Acos", U::kAcos},
                                                     {"Atan", U::kAtan},
                                                     {"Sinh", U::kSinh},
                                                     {"Cosh", U::kCosh},
                                                     {"Asinh", U::kAsinh},
                                                     {"Acosh", U::kAcosh},
                                                     {"Atanh", U::kAtanh}};
    for (const auto& [name, u] : kOps)
      if (o == name) return u;
    return U::kAtanh;
  }

  template <typename T>
  T apply(T v) const {
    const T a = static_cast<T>(alpha_), b = static_cast<T>(beta_);
    switch (fop_) {
      case U::kSigmoid:
        return T(1) / (T(1) + std::exp(-v));
      case U::kTanh:
        return std::tanh(v);
      case U::kExp:
        return std::exp(v);
      case U::kLog:
        return std::log(v);
      case U::kSqrt:
        return std::sqrt(v);
      case U::kErf:
        return std::erf(v);
      case U::kReciprocal:
        return T(1) / v;
      case U::kFloor:
        return std::floor(v);
      case U::kCeil:
        return std::ceil(v);
      case U::kRound:
        return std::nearbyint(v);  // halves to even (default rounding mode)
      case U::kLeakyRelu:
        return v < 0 ? a * v : v;
      case U::kElu:
        return v < 0 ? a * (std::exp(v) - T(1)) : v;
      case U::kCelu:
        return std::max(T(0), v) + std::min(T(0), a * (std::exp(v / a) - T(1)));
      case U::kSelu:
        return static_cast<T>(gamma_) * (v > 0 ? v : a * std::exp(v) - a);
      case U::kHardSigmoid:
        return std::max(T(0), std::min(T(1), a * v + b));
      case U::kHardSwish:
        return v * std::max(T(0), std::min(T(1), v / T(6) + T(0.5)));
      case U::kSoftplus:
        return v > 20 ? v : std::log1p(std::exp(v));
      case U::kSoftsign:
        return v / (T(1) + std::fabs(v));
      case U::kThresholdedRelu:
        return v > a ? v : T(0);
      case U::kSin:
        return std::sin(v);
      case U::kCos:
        return std::cos(v);
      case U::kTan:
        return std::tan(v);
      case U::kAsin:
        return std::asin(v);
      case U::kAcos:
        return std::acos(v);
      case U::kAtan:
        return std::atan(v);
      case U::kSinh:
        return std::sinh(v);
      case U::kCosh:
        return std::cosh(v);
      case U::kAsinh:
        return std::asinh(v);
      case U::kAcosh:
        return std::acosh(v);
      case U::kAtanh:
        return std::atanh(v);
    }
    return v;
  }

  U fop_;
  std::string op_;
  float alpha_, beta_, gamma_;
  float clip_min_ = -std::numeric_limits<float>::max();
  float clip_max_ = std::numeric_limits<float>::max();
  bool detect_negative_ = true, detect_positive_ = true;
};

}  // namespace

std::unique_ptr<OpKernel> create_unary_ref(const KernelInit& init) {
  return std::make_unique<UnaryRef>(init);
}

}  // namespace trex
