// Reference LpPool and GlobalLpPool: y = (sum over the window of |x|^p)^(1/p), pads
// contributing zero. GlobalLpPool is LpPool with the window covering all spatial dims.
#include <cmath>
#include <string>
#include <vector>

#include "runtime/kernel.h"
#include "runtime/kernels/dispatch.h"
#include "runtime/kernels/reference_kernels.h"
#include "runtime/kernels/window_geometry.h"

namespace trex {

namespace {

class LpPoolRef : public OpKernel {
 public:
  explicit LpPoolRef(const KernelInit& init)
      : global_(init.node->op_type() == "GlobalLpPool"),
        attrs_(global_ ? WindowAttrs{} : read_window_attrs(*init.node)) {
    const Node& n = *init.node;
    // Opset 1 wrote p as a float; from opset 2 it is an int.
    const Attribute* pa = n.find_attr("p");
    p_ = pa && pa->kind() == AttrKind::kFloat ? static_cast<double>(n.attr_float("p", 2.0f))
                                              : static_cast<double>(n.attr_int("p", 2));
    if (!(p_ > 0)) throw_invalid("p must be positive");
    if (!global_ && attrs_.kernel_shape.empty())
      throw_invalid("attribute 'kernel_shape' is required");
  }

  void compute(KernelContext& ctx) override {
    const PoolWindow pw = resolve_pool_window(ctx, attrs_, global_);
    const TensorView& x = *pw.x;
    TensorView& y = ctx.output(0, x.dtype, pw.out_dims);
    dispatch_float(x.dtype, ctx.node_label(), [&](auto zero) {
      using T = decltype(zero);
      run<T>(x.as<T>(), y.as<T>(), pw.planes, pw.axes);
    });
  }

 private:
  template <typename T>
  void run(const T* x, T* y, int64_t planes, const std::array<WindowAxis, 3>& g) const {
    const int64_t in_plane = window_in_plane(g);
    for_each_window_output(planes, g, [&](const WindowOutput& o) {
      const T* xp = x + o.plane * in_plane;
      double sum = 0;
      for_each_window_tap(g, o, [&](const WindowTap& t) {
        sum += std::pow(std::fabs(static_cast<double>(xp[t.in])), p_);
      });
      y[o.index] = static_cast<T>(std::pow(sum, 1.0 / p_));
    });
  }

  bool global_;
  WindowAttrs attrs_;
  double p_ = 2;
};

}  // namespace

std::unique_ptr<OpKernel> create_lp_pool_ref(const KernelInit& init) {
  return std::make_unique<LpPoolRef>(init);
}

}  // namespace trex
