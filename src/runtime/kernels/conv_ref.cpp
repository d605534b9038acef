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
    const TensorView* xp = ctx.input(0);
    const TensorView* wp = ctx.input(1);
    if (!xp || !wp) throw_invalid(label + ": needs inputs X and W");
    const TensorView& x = *xp;
    const TensorView& w = *wp;
    const TensorView* b = ctx.input(2);
    if (x.rank() < 3)
      throw_invalid(label + ": X has " + std::to_string(x.rank()) +
                    " dims, expected N x C x D1 ... (at least 3)");
    if (w.rank() != x.rank())
      throw_invalid(label + ": W has " + std::to_string(w.rank()) + " dims, expected " +
                    std::to_string(x.rank()) + " like X");
    if (w.dtype != x.dtype || (b && b->dtype != x.dtype))
      throw_invalid(label + ": X, W and B must have the same element type");
    const int64_t batch = x.dims[0], in_ch = x.dims[1], out_ch = w.dims[0];
    if (out_ch % group_ != 0)
      throw_invalid(label + ": W has " + std::to_string(out_ch) +
                    " output channels, not divisible by group " + std::to_string(group_));
    if (w.dims[1] * group_ != in_ch)
      throw_invalid(label + ": X has " + std::to_string(in_ch) + " channels, W expects " +
                    std::to_string(w.dims[1]) + " x group " + std::to_string(group_));
    if (b && (b->rank() != 1 || b->dims[0] != out_ch))
      throw_invalid(label + ": B must have shape [" + std::to_string(out_ch) + "]");
    std::vector<int64_t> in(x.dims.begin() + 2, x.dims.end());
    std::vector<int64_t> kernel(w.dims.begin() + 2, w.dims.end());
    if (!attrs_.kernel_shape.empty() && attrs_.kernel_shape != kernel)
      throw_invalid(label + ": kernel_shape disagrees with the spatial dims of W");
    std::vector<WindowAxis> axes = resolve_window(attrs_, in, kernel, label);
    std::vector<int64_t> out_dims{batch, out_ch};
    for (const WindowAxis& a : axes) out_dims.push_back(a.out);
    const std::array<WindowAxis, 3> g = window_3d(axes, label);
    TensorView& y = ctx.output(0, x.dtype, out_dims);
    dispatch_float(x.dtype, label, [&](auto zero) {
      using T = decltype(zero);
      run<T>(x.as<T>(), w.as<T>(), b ? b->as<T>() : nullptr, y.as<T>(), batch, in_ch, out_ch, g);
    });
  }

 private:
  template <typename T>
  void run(const T* x, const T* w, const T* bias, T* y, int64_t batch, int64_t in_ch,
           int64_t out_ch, const std::array<WindowAxis, 3>& g) const {
    const WindowAxis &ad = g[0], &ah = g[1], &aw = g[2];
    const int64_t in_plane = ad.in * ah.in * aw.in;
    const int64_t out_plane = ad.out * ah.out * aw.out;
    const int64_t k_plane = ad.kernel * ah.kernel * aw.kernel;
    const int64_t ch_per_group = in_ch / group_, out_per_group = out_ch / group_;
    // Each (n, m) writes only its own output plane, so the outer loop is safely parallel.
#pragma omp parallel for schedule(static)
    for (int64_t nm = 0; nm < batch * out_ch; ++nm) {
      const int64_t n = nm / out_ch, m = nm % out_ch, grp = m / out_per_group;
      T* yp = y + nm * out_plane;
      for (int64_t od = 0; od < ad.out; ++od)
        for (int64_t oh = 0; oh < ah.out; ++oh)
          for (int64_t ow = 0; ow < aw.out; ++ow) {
            double acc = bias ? static_cast<double>(bias[m]) : 0.0;
            for (int64_t c = 0; c < ch_per_group; ++c) {
              const T* xp = x + (n * in_ch + grp * ch_per_group + c) * in_plane;
              const T* wp = w + (m * ch_per_group + c) * k_plane;
              for (int64_t kd = 0; kd < ad.kernel; ++kd) {
                const int64_t id = od * ad.stride - ad.pad_begin + kd * ad.dilation;
                if (id < 0 || id >= ad.in) continue;
                for (int64_t kh = 0; kh < ah.kernel; ++kh) {
                  const int64_t ih = oh * ah.stride - ah.pad_begin + kh * ah.dilation;
                  if (ih < 0 || ih >= ah.in) continue;
                  for (int64_t kw = 0; kw < aw.kernel; ++kw) {
                    const int64_t iw = ow * aw.stride - aw.pad_begin + kw * aw.dilation;
                    if (iw < 0 || iw >= aw.in) continue;
                    acc += static_cast<double>(xp[(id * ah.in + ih) * aw.in + iw]) *
                           static_cast<double>(wp[(kd * ah.kernel + kh) * aw.kernel + kw]);
                  }
                }
              }
            }
            yp[(od * ah.out + oh) * aw.out + ow] = static_cast<T>(acc);
          }
    }
  }

  WindowAttrs attrs_;
  int64_t group_;
};

}  // namespace

std::unique_ptr<OpKernel> create_conv_ref(const KernelInit& init) {
  return std::make_unique<ConvRef>(init);
}

}  // namespace trex
