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
    const std::string& label = ctx.node_label();
    const TensorView* xp = ctx.input(0);
    if (!xp) throw_invalid(label + ": needs input X");
    const TensorView& x = *xp;
    if (x.rank() < 3)
      throw_invalid(label + ": X has " + std::to_string(x.rank()) +
                    " dims, expected N x C x D1 ... (at least 3)");
    std::vector<int64_t> in(x.dims.begin() + 2, x.dims.end());
    std::vector<WindowAxis> axes = resolve_window(attrs_, in, attrs_.kernel_shape, label);
    std::vector<int64_t> out_dims{x.dims[0], x.dims[1]};
    for (const WindowAxis& a : axes) out_dims.push_back(a.out);
    const std::array<WindowAxis, 3> g = window_3d(axes, label);
    TensorView& y = ctx.output(0, x.dtype, out_dims);
    dispatch_float(x.dtype, label, [&](auto zero) {
      using T = decltype(zero);
      run<T>(x.as<T>(), y.as<T>(), x.dims[0] * x.dims[1], g);
    });
  }

 private:
  template <typename T>
  void run(const T* x, T* y, int64_t planes, const std::array<WindowAxis, 3>& g) const {
    const WindowAxis &ad = g[0], &ah = g[1], &aw = g[2];
    const int64_t in_plane = ad.in * ah.in * aw.in;
    const int64_t out_plane = ad.out * ah.out * aw.out;
    // Each plane writes only its own outputs.
#pragma omp parallel for schedule(static)
    for (int64_t p = 0; p < planes; ++p) {
      const T* xp = x + p * in_plane;
      for (int64_t od = 0; od < ad.out; ++od)
        for (int64_t oh = 0; oh < ah.out; ++oh)
          for (int64_t ow = 0; ow < aw.out; ++ow) {
            double sum = 0;
            for (int64_t kd = 0; kd < ad.kernel; ++kd) {
              const int64_t id = od * ad.stride - ad.pad_begin + kd * ad.dilation;
              if (id < 0 || id >= ad.in) continue;
              for (int64_t kh = 0; kh < ah.kernel; ++kh) {
                const int64_t ih = oh * ah.stride - ah.pad_begin + kh * ah.dilation;
                if (ih < 0 || ih >= ah.in) continue;
                for (int64_t kw = 0; kw < aw.kernel; ++kw) {
                  const int64_t iw = ow * aw.stride - aw.pad_begin + kw * aw.dilation;
                  if (iw < 0 || iw >= aw.in) continue;
                  sum += static_cast<double>(xp[(id * ah.in + ih) * aw.in + iw]);
                }
              }
            }
            // The window is a box, so its count is the product of the per-axis counts.
            auto cd = counts(ad, od), ch = counts(ah, oh), cw = counts(aw, ow);
            const int64_t n = count_include_pad_ ? cd.second * ch.second * cw.second
                                                 : cd.first * ch.first * cw.first;
            y[p * out_plane + (od * ah.out + oh) * aw.out + ow] =
                static_cast<T>(n > 0 ? sum / static_cast<double>(n) : 0.0);
          }
    }
  }

  WindowAttrs attrs_;
  bool count_include_pad_;
};

}  // namespace

std::unique_ptr<OpKernel> create_average_pool_ref(const KernelInit& init) {
  return std::make_unique<AveragePoolRef>(init);
}

}  // namespace trex
