// Reference kernels of the reductions ReduceMean, ReduceSum, ReduceMax, ReduceMin,
// ReduceProd, ReduceL1, ReduceL2, ReduceLogSum, ReduceLogSumExp and ReduceSumSquare.
// Axes come from the attribute or, when given, the optional second input (ReduceSum from
// opset 13, all of them from 18); no axes reduces everything unless noop_with_empty_axes.
#include <cmath>
#include <cstring>
#include <limits>
#include <type_traits>

#include "runtime/kernel.h"
#include "runtime/kernels/axis_args.h"
#include "runtime/kernels/dispatch.h"
#include "runtime/kernels/reference_kernels.h"

namespace trex {

namespace {

enum class R { kMean, kSum, kMax, kMin, kProd, kL1, kL2, kLogSum, kLogSumExp, kSumSquare };

R reduction_of(const std::string& op) {
  static const std::pair<const char*, R> kOps[] = {{"ReduceMean", R::kMean},
                                                   {"ReduceSum", R::kSum},
                                                   {"ReduceMax", R::kMax},
                                                   {"ReduceMin", R::kMin},
                                                   {"ReduceProd", R::kProd},
                                                   {"ReduceL1", R::kL1},
                                                   {"ReduceL2", R::kL2},
                                                   {"ReduceLogSum", R::kLogSum},
                                                   {"ReduceLogSumExp", R::kLogSumExp},
                                                   {"ReduceSumSquare", R::kSumSquare}};
  for (const auto& [name, r] : kOps)
    if (op == name) return r;
  return R::kSum;
}

class ReduceRef : public OpKernel {
 public:
  explicit ReduceRef(const KernelInit& init) : op_(reduction_of(init.node->op_type())) {
    const Node& n = *init.node;
    keepdims_ = n.attr_int("keepdims", 1) != 0;
    noop_with_empty_axes_ = n.attr_int("noop_with_empty_axes", 0) != 0;
    has_axes_attr_ = n.has_attr("axes");
    axes_attr_ = n.attr_ints("axes", {});
  }

  void compute(KernelContext& ctx) override {
    const std::string& label = ctx.node_label();
    const TensorView& x = *ctx.input(0);
    const int64_t rank = static_cast<int64_t>(x.rank());
    std::vector<int64_t> axes = axes_attr_;
    bool axes_given = has_axes_attr_ && !axes_attr_.empty();
    if (const TensorView* a = ctx.input(1)) {
      axes = read_int64s(*a, label, "axes");
      axes_given = !axes.empty();
    }
    if (!axes_given && noop_with_empty_axes_) {
      TensorView& y = ctx.output(0, x.dtype, x.dims);
      if (x.nbytes()) std::memcpy(y.data, x.data, x.nbytes());
      return;
    }
    std::vector<bool> reduced(static_cast<size_t>(rank), !axes_given);
    for (int64_t a : axes) {
      size_t ax = static_cast<size_t>(normalize_axis(a, rank, label));
      if (reduced[ax]) throw_invalid(label + ": axis " + std::to_string(a) + " is repeated");
      reduced[ax] = true;
    }
    // Output dims, and for each input axis whether it is kept (its coordinate selects the
    // output element) or reduced (it enumerates the elements folded into one).
    std::vector<int64_t> out_dims, kept_dims, red_dims, kept_strides, red_strides;
    const std::vector<int64_t> strides = strides_of(x.dims);
    for (size_t i = 0; i < x.dims.size(); ++i) {
      if (reduced[i]) {
        red_dims.push_back(x.dims[i]);
        red_strides.push_back(strides[i]);
        if (keepdims_) out_dims.push_back(1);
      } else {
        kept_dims.push_back(x.dims[i]);
        kept_strides.push_back(strides[i]);
        out_dims.push_back(x.dims[i]);
      }
    }
    const std::vector<int64_t> red_offsets = offsets_of(red_dims, red_strides);
    TensorView& y = ctx.output(0, x.dtype, out_dims);
    const int64_t out_n = y.numel();
    dispatch_numeric(x.dtype, label, [&](auto zero) {
      using T = decltype(zero);
      const T* px = x.as<T>();
      T* py = y.as<T>();
#pragma omp parallel for
      for (int64_t o = 0; o < out_n; ++o) {
        int64_t base = 0, rest = o;
        for (size_t k = kept_dims.size(); k-- > 0;) {
          base += (rest % kept_dims[k]) * kept_strides[k];
          rest /= kept_dims[k];
        }
        py[o] = reduce_one<T>(px + base, red_offsets);
      }
    });
  }

 private:
  /// Flat offsets of every combination of coordinates over `dims` with `strides`.
  static std::vector<int64_t> offsets_of(const std::vector<int64_t>& dims,
                                         const std::vector<int64_t>& strides) {
    std::vector<int64_t> out{0};
    for (size_t d = 0; d < dims.size(); ++d) {
      std::vector<int64_t> next;
      next.reserve(out.size() * static_cast<size_t>(dims[d]));
      for (int64_t off : out)
        for (int64_t c = 0; c < dims[d]; ++c) next.push_back(off + c * strides[d]);
      out.swap(next);
    }
    return out;
  }

  template <typename T>
  T reduce_one(const T* x, const std::vector<int64_t>& offs) const {
    // Floats accumulate in double; integers in 64 bits so sums and products of the element
    // type wrap only when the result itself does not fit.
    using Acc = std::conditional_t<std::is_floating_point_v<T>, double,
                                   std::conditional_t<std::is_signed_v<T>, int64_t, uint64_t>>;
    const size_t n = offs.size();
    switch (op_) {
      case R::kMax:
      case R::kMin: {
        // An empty reduction yields the identity: -inf / +inf for floats, the type's
        // extremes for integers.
        T acc;
        if constexpr (std::is_floating_point_v<T>)
          acc = op_ == R::kMax ? -std::numeric_limits<T>::infinity()
                               : std::numeric_limits<T>::infinity();
        else
          acc = op_ == R::kMax ? std::numeric_limits<T>::lowest() : std::numeric_limits<T>::max();
        for (size_t i = 0; i < n; ++i) {
          T v = x[offs[i]];
          if (v != v) return v;  // NaN propagates, as numpy's max
          if (op_ == R::kMax ? v > acc : v < acc) acc = v;
        }
        return acc;
      }
      case R::kProd: {
        Acc acc = 1;
        for (size_t i = 0; i < n; ++i) acc *= static_cast<Acc>(x[offs[i]]);
        return static_cast<T>(acc);
      }
      case R::kLogSumExp: {
        double mx = -std::numeric_limits<double>::infinity();
        for (size_t i = 0; i < n; ++i) mx = std::max(mx, static_cast<double>(x[offs[i]]));
        if (std::isinf(mx)) return from_double<T>(mx);  // empty, all -inf, or an +inf
        double sum = 0;
        for (size_t i = 0; i < n; ++i) sum += std::exp(static_cast<double>(x[offs[i]]) - mx);
        return from_double<T>(mx + std::log(sum));
      }
      default:
        break;
    }
    Acc acc = 0;
    for (size_t i = 0; i < n; ++i) {
      Acc v = static_cast<Acc>(x[offs[i]]);
      if (op_ == R::kL1) {
        if constexpr (std::is_signed_v<Acc>) v = v < 0 ? -v : v;
      } else if (op_ == R::kL2 || op_ == R::kSumSquare) {
        v = v * v;
      }
      acc += v;
    }
    switch (op_) {
      case R::kMean:
        return from_double<T>(static_cast<double>(acc) / static_cast<double>(n));
      case R::kL2:
        return from_double<T>(std::sqrt(static_cast<double>(acc)));
      case R::kLogSum:
        return from_double<T>(std::log(static_cast<double>(acc)));
      default:
        return static_cast<T>(acc);
    }
  }

  /// Integers cannot hold NaN or inf (an empty mean, log 0); those become 0 rather than
  /// an undefined conversion.
  template <typename T>
  static T from_double(double v) {
    if constexpr (!std::is_floating_point_v<T>) {
      if (!std::isfinite(v)) return T{0};
    }
    return static_cast<T>(v);
  }

  R op_;
  bool keepdims_ = true;
  bool noop_with_empty_axes_ = false;
  bool has_axes_attr_ = false;
  std::vector<int64_t> axes_attr_;
};

}  // namespace

std::unique_ptr<OpKernel> create_reduce_ref(const KernelInit& init) {
  return std::make_unique<ReduceRef>(init);
}

}  // namespace trex
