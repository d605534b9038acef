// Reference AveragePool: 1-D to 3-D windows with strides, pads, auto_pad, ceil_mode and
// count_include_pad. The divisor counts input elements, plus with count_include_pad the
// pad positions (never positions past the end pad that ceil_mode lets a window reach).
#include <algorithm>
#include <string>
#include <vector>

#include "runtime/kernel.h"
#include "runtime/kernels/dispatch.h"
#include "runtime/kernels/reference_kernels.h"
#include "runtime/kernels/window_geometry.h"

namespace trex {

namespace {

/// Window positions along one axis that fall on input (first) and on input or pads (second).
std::pair<int64_t, int64_t> counts(const WindowAxis& a, int64_t o) {
  int64_t in_input = 0, in_padded = 0;
  for (int64_t k = 0; k < a.kernel; ++k) {
    const int64_t i = o * a.stride - a.pad_begin + k * a.dilation;
    if (i >= 0 && i < a.in) ++in_input;
    if (i >= -a.pad_begin && i < a.in + a.pad_end) ++in_padded;
  }
  return {in_input, in_padded};
}

class AveragePoolRef : public OpKernel {
 public:
  explicit AveragePoolRef(const KernelInit& init)
      : attrs_(read_window_attrs(*init.node)),
        count_include_pad_(init.node->attr_int("count_include_pad", 0) != 0) {
    if (attrs_.kernel_shape.empty()) throw_invalid("attribute 'kernel_shape' is required");
  }

  void compute(KernelContext& ctx) override {
    const PoolWindow pw = resolve_pool_window(ctx, attrs_);
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
      for_each_window_tap(g, o, [&](const WindowTap& t) { sum += static_cast<double>(xp[t.in]); });
      // The window is a box, so its count is the product of the per-axis counts.
      auto cd = counts(g[0], o.d), ch = counts(g[1], o.h), cw = counts(g[2], o.w);
      const int64_t n =
          count_include_pad_ ? cd.second * ch.second * cw.second : cd.first * ch.first * cw.first;
      y[o.index] = static_cast<T>(n > 0 ? sum / static_cast<double>(n) : 0.0);
    });
  }

  WindowAttrs attrs_;
  bool count_include_pad_;
};

}  // namespace

std::unique_ptr<OpKernel> create_average_pool_ref(const KernelInit& init) {
  return std::make_unique<AveragePoolRef>(init);
}

}  // namespace trex
