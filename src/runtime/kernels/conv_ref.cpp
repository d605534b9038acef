// Reference Conv (ONNX opsets 1-11 semantics, unchanged since): 1-D to 3-D, groups,
// strides, dilations, explicit or automatic pads, optional bias; kernel_shape defaults to
// the weight's spatial dims. Direct summation, one output plane per (batch, channel).
#include <string>
#include <vector>

#include "runtime/kernel.h"
#include "runtime/kernels/dispatch.h"
#include "runtime/kernels/reference_kernels.h"
#include "runtime/kernels/window_geometry.h"

namespace trex {

namespace {

class ConvRef : public OpKernel {
 public:
  explicit ConvRef(const KernelInit& init)
      : attrs_(read_window_attrs(*init.node)), group_(init.node->attr_int("group", 1)) {
    if (group_ <= 0) throw_invalid("group must be positive");
  }

  void compute(KernelContext& ctx) override {
    const std::string& label = ctx.node_label();
    const ConvOperands ops = conv_operands(ctx, label);
    const TensorView &x = *ops.x, &w = *ops.w;
    const TensorView* b = ops.b;
    const int64_t batch = x.dims[0], in_ch = x.dims[1], out_ch = w.dims[0];
    if (out_ch % group_ != 0)
      throw_invalid(label + ": W has " + std::to_string(out_ch) +
                    " output channels, not divisible by group " + std::to_string(group_));
    if (w.dims[1] * group_ != in_ch)
      throw_invalid(label + ": X has " + std::to_string(in_ch) + " channels, W expects " +
                    std::to_string(w.dims[1]) + " x group " + std::to_string(group_));
    check_conv_bias(b, out_ch, label);
    const std::vector<WindowAxis> axes =
        resolve_window(attrs_, spatial_dims(x.dims), conv_kernel_dims(attrs_, w, label), label);
    const std::array<WindowAxis, 3> g = window_3d(axes, label);
    TensorView& y = ctx.output(0, x.dtype, window_output_dims(batch, out_ch, axes));
    dispatch_float(x.dtype, label, [&](auto zero) {
      using T = decltype(zero);
      run<T>(x.as<T>(), w.as<T>(), b ? b->as<T>() : nullptr, y.as<T>(), batch, in_ch, out_ch, g);
    });
  }

 private:
  template <typename T>
  void run(const T* x, const T* w, const T* bias, T* y, int64_t batch, int64_t in_ch,
           int64_t out_ch, const std::array<WindowAxis, 3>& g) const {
    const int64_t in_plane = window_in_plane(g);
    const int64_t k_plane = g[0].kernel * g[1].kernel * g[2].kernel;
    const int64_t ch_per_group = in_ch / group_, out_per_group = out_ch / group_;
    // One plane per (n, m): output channel m of batch item n.
    for_each_window_output(batch * out_ch, g, [&](const WindowOutput& o) {
      const int64_t n = o.plane / out_ch, m = o.plane % out_ch, grp = m / out_per_group;
      double acc = bias ? static_cast<double>(bias[m]) : 0.0;
      for (int64_t c = 0; c < ch_per_group; ++c) {
        const T* xp = x + (n * in_ch + grp * ch_per_group + c) * in_plane;
        const T* wp = w + (m * ch_per_group + c) * k_plane;
        for_each_window_tap(g, o, [&](const WindowTap& t) {
          acc += static_cast<double>(xp[t.in]) * static_cast<double>(wp[t.k]);
        });
      }
      y[o.index] = static_cast<T>(acc);
    });
  }

  WindowAttrs attrs_;
  int64_t group_;
};

}  // namespace

std::unique_ptr<OpKernel> create_conv_ref(const KernelInit& init) {
  return std::make_unique<ConvRef>(init);
}

}  // namespace trex
