// Reference MaxPool: 1-D to 3-D windows with strides, dilations, pads, auto_pad and
// ceil_mode, for float and 8-bit integer inputs, and the optional Indices output (flat
// positions in the input, row-major or, with storage_order 1, column-major per plane).
#include <limits>
#include <string>
#include <vector>

#include "runtime/kernel.h"
#include "runtime/kernels/dispatch.h"
#include "runtime/kernels/reference_kernels.h"
#include "runtime/kernels/window_geometry.h"

namespace trex {

namespace {

class MaxPoolRef : public OpKernel {
 public:
  explicit MaxPoolRef(const KernelInit& init)
      : attrs_(read_window_attrs(*init.node)),
        storage_order_(init.node->attr_int("storage_order", 0)) {
    if (attrs_.kernel_shape.empty()) throw_invalid("attribute 'kernel_shape' is required");
    if (storage_order_ != 0 && storage_order_ != 1) throw_invalid("storage_order must be 0 or 1");
  }

  void compute(KernelContext& ctx) override {
    const PoolWindow pw = resolve_pool_window(ctx, attrs_);
    const TensorView& x = *pw.x;
    TensorView& y = ctx.output(0, x.dtype, pw.out_dims);
    int64_t* indices = nullptr;
    if (ctx.num_outputs() > 1) indices = ctx.output(1, DType::kInt64, pw.out_dims).as<int64_t>();
    dispatch_numeric(x.dtype, ctx.node_label(), [&](auto zero) {
      using T = decltype(zero);
      run<T>(x.as<T>(), y.as<T>(), indices, pw.planes, pw.axes);
    });
  }

 private:
  template <typename T>
  void run(const T* x, T* y, int64_t* indices, int64_t planes,
           const std::array<WindowAxis, 3>& g) const {
    const WindowAxis &ad = g[0], &ah = g[1], &aw = g[2];
    const int64_t in_plane = window_in_plane(g);
    for_each_window_output(planes, g, [&](const WindowOutput& o) {
      const T* xp = x + o.plane * in_plane;
      T best = std::numeric_limits<T>::lowest();
      int64_t best_d = -1, best_h = -1, best_w = -1;
      for_each_window_tap(g, o, [&](const WindowTap& t) {
        const T v = xp[t.in];
        // Strictly greater: the first maximum in scan order wins, as in ONNX.
        if (best_d < 0 || v > best) {
          best = v;
          best_d = t.d, best_h = t.h, best_w = t.w;
        }
      });
      y[o.index] = best;
      if (!indices) return;
      int64_t at = 0;
      if (best_d >= 0)
        at = storage_order_ == 0 ? (best_d * ah.in + best_h) * aw.in + best_w
                                 : (best_w * ah.in + best_h) * ad.in + best_d;
      indices[o.index] = o.plane * in_plane + at;
    });
  }

  WindowAttrs attrs_;
  int64_t storage_order_;
};

}  // namespace

std::unique_ptr<OpKernel> create_max_pool_ref(const KernelInit& init) {
  return std::make_unique<MaxPoolRef>(init);
}

}  // namespace trex
