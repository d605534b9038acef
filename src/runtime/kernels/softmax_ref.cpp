// Reference kernels of Softmax, LogSoftmax and Hardmax. Before opset 13 the input is viewed
// as 2-D [prod(dims[:axis]), prod(dims[axis:])] and each row normalized (default axis 1);
// from opset 13 the op runs along `axis` alone (default -1).
#include <cmath>
#include <limits>

#include "runtime/kernel.h"
#include "runtime/kernels/axis_args.h"
#include "runtime/kernels/dispatch.h"
#include "runtime/kernels/reference_kernels.h"

namespace trex {

namespace {

enum class Kind { kSoftmax, kLogSoftmax, kHardmax };

class SoftmaxRef : public OpKernel {
 public:
  explicit SoftmaxRef(const KernelInit& init)
      : kind_(init.node->op_type() == "Softmax"      ? Kind::kSoftmax
              : init.node->op_type() == "LogSoftmax" ? Kind::kLogSoftmax
                                                     : Kind::kHardmax),
        coerce_2d_(init.opset < 13),
        axis_(init.node->attr_int("axis", init.opset < 13 ? 1 : -1)) {}

  void compute(KernelContext& ctx) override {
    const std::string& label = ctx.node_label();
    const TensorView& x = *ctx.input(0);
    const int64_t rank = static_cast<int64_t>(x.rank());
    // The rows are `outer` x `inner` vectors of `len` elements spaced `inner` apart.
    AxisSplit lanes{};
    if (coerce_2d_) {
      // axis == rank is legal here: every element is its own row.
      if (axis_ < -rank || axis_ > rank)
        throw_invalid(label + ": axis " + std::to_string(axis_) + " is out of range for rank " +
                      std::to_string(rank));
      const size_t ax = static_cast<size_t>(axis_ < 0 ? axis_ + rank : axis_);
      lanes = {ax, dims_product(x.dims, 0, ax), dims_product(x.dims, ax, x.dims.size()), 1};
    } else {
      lanes = split_at_axis(x.dims, axis_, label);
    }
    TensorView& y = ctx.output(0, x.dtype, x.dims);
    if (x.numel() == 0) return;
    dispatch_float(x.dtype, label, [&](auto zero) {
      using T = decltype(zero);
      const T* px = x.as<T>();
      T* py = y.as<T>();
      for_each_lane(lanes, [&](int64_t, int64_t, int64_t base) {
        row<T>(px + base, py + base, lanes.len, lanes.inner);
      });
    });
  }

 private:
  template <typename T>
  void row(const T* x, T* y, int64_t len, int64_t stride) const {
    int64_t arg = 0;
    double mx = -std::numeric_limits<double>::infinity();
    for (int64_t i = 0; i < len; ++i) {
      double v = static_cast<double>(x[i * stride]);
      if (v > mx || (i == 0)) {
        mx = v;
        arg = i;
      }
    }
    if (kind_ == Kind::kHardmax) {
      // The first maximum wins, as the ONNX reference (numpy argmax) picks it.
      for (int64_t i = 0; i < len; ++i) y[i * stride] = static_cast<T>(i == arg ? 1 : 0);
      return;
    }
    // Subtracting the max keeps exp() finite for large inputs; an all -inf row has no
    // finite max, so it is left to produce NaN as the formula does.
    if (std::isinf(mx) && mx < 0) mx = 0;
    double sum = 0;
    for (int64_t i = 0; i < len; ++i) sum += std::exp(static_cast<double>(x[i * stride]) - mx);
    if (kind_ == Kind::kSoftmax) {
      for (int64_t i = 0; i < len; ++i)
        y[i * stride] = static_cast<T>(std::exp(static_cast<double>(x[i * stride]) - mx) / sum);
    } else {
      const double log_sum = std::log(sum);
      for (int64_t i = 0; i < len; ++i)
        y[i * stride] = static_cast<T>(static_cast<double>(x[i * stride]) - mx - log_sum);
    }
  }

  Kind kind_;
  bool coerce_2d_;
  int64_t axis_;
};

}  // namespace

std::unique_ptr<OpKernel> create_softmax_ref(const KernelInit& init) {
  return std::make_unique<SoftmaxRef>(init);
}

}  // namespace trex
