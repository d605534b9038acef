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
    const std::string& label = ctx.node_label();
    const TensorView* xp = ctx.input(0);
    if (!xp) throw_invalid(label + ": needs input X");
    const TensorView& x = *xp;
    if (x.rank() < 3)
      throw_invalid(label + ": X has " + std::to_string(x.rank()) +
                    " dims, expected N x C x D1 ... (at least 3)");
    std::vector<int64_t> in(x.dims.begin() + 2, x.dims.end());
    std::vector<WindowAxis> axes =
        resolve_window(attrs_, in, global_ ? in : attrs_.kernel_shape, label);
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
                  sum += std::pow(
                      std::fabs(static_cast<double>(xp[(id * ah.in + ih) * aw.in + iw])), p_);
                }
              }
            }
            y[p * out_plane + (od * ah.out + oh) * aw.out + ow] =
                static_cast<T>(std::pow(sum, 1.0 / p_));
          }
    }
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
