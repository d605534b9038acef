// Reference kernel of CumSum: running sums along the axis given as a scalar input, from the
// front or (reverse) the back, including (default) or excluding (exclusive) each element.
#include "runtime/kernel.h"
#include "runtime/kernels/axis_args.h"
#include "runtime/kernels/dispatch.h"
#include "runtime/kernels/reference_kernels.h"

namespace trex {

namespace {

class CumSumRef : public OpKernel {
 public:
  explicit CumSumRef(const KernelInit& init)
      : exclusive_(init.node->attr_int("exclusive", 0) != 0),
        reverse_(init.node->attr_int("reverse", 0) != 0) {}

  void compute(KernelContext& ctx) override {
    const std::string& label = ctx.node_label();
    const TensorView& x = *ctx.input(0);
    if (!ctx.input(1)) throw_invalid(label + ": input axis is required");
    const std::vector<int64_t> axis = read_int64s(*ctx.input(1), label, "axis");
    if (axis.size() != 1)
      throw_invalid(label + ": axis must hold one value, got " + std::to_string(axis.size()));
    const AxisSplit lanes = split_at_axis(x.dims, axis[0], label);
    const int64_t len = lanes.len, inner = lanes.inner;
    TensorView& y = ctx.output(0, x.dtype, x.dims);
    dispatch_numeric(x.dtype, label, [&](auto zero) {
      using T = decltype(zero);
      const T* px = x.as<T>();
      T* py = y.as<T>();
      for_each_lane(lanes, [&](int64_t, int64_t, int64_t base) {
        T sum = T{0};
        for (int64_t s = 0; s < len; ++s) {
          const int64_t i = reverse_ ? len - 1 - s : s;
          const T v = px[base + i * inner];
          if (exclusive_) {
            py[base + i * inner] = sum;
            sum = static_cast<T>(sum + v);
          } else {
            sum = static_cast<T>(sum + v);
            py[base + i * inner] = sum;
          }
        }
      });
    });
  }

 private:
  bool exclusive_;
  bool reverse_;
};

}  // namespace

std::unique_ptr<OpKernel> create_cum_sum_ref(const KernelInit& init) {
  return std::make_unique<CumSumRef>(init);
}

}  // namespace trex
