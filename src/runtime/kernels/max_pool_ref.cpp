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
    int64_t* indices = nullptr;
    if (ctx.num_outputs() > 1) indices = ctx.output(1, DType::kInt64, out_dims).as<int64_t>();
    dispatch_numeric(x.dtype, label, [&](auto zero) {
      using T = decltype(zero);
      run<T>(x.as<T>(), y.as<T>(), indices, x.dims[0] * x.dims[1], g);
    });
  }

 private:
  template <typename T>
  void run(const T* x, T* y, int64_t* indices, int64_t planes,
           const std::array<WindowAxis, 3>& g) const {
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
            T best = std::numeric_limits<T>::lowest();
            int64_t best_d = -1, best_h = -1, best_w = -1;
            for (int64_t kd = 0; kd < ad.kernel; ++kd) {
              const int64_t id = od * ad.stride - ad.pad_begin + kd * ad.dilation;
              if (id < 0 || id >= ad.in) continue;
              for (int64_t kh = 0; kh < ah.kernel; ++kh) {
                const int64_t ih = oh * ah.stride - ah.pad_begin + kh * ah.dilation;
                if (ih < 0 || ih >= ah.in) continue;
                for (int64_t kw = 0; kw < aw.kernel; ++kw) {
                  const int64_t iw = ow * aw.stride - aw.pad_begin + kw * aw.dilation;
                  if (iw < 0 || iw >= aw.in) continue;
                  const T v = xp[(id * ah.in + ih) * aw.in + iw];
                  // Strictly greater: the first maximum in scan order wins, as in ONNX.
                  if (best_d < 0 || v > best) {
                    best = v;
                    best_d = id, best_h = ih, best_w = iw;
                  }
                }
              }
            }
            const int64_t o = (od * ah.out + oh) * aw.out + ow;
            y[p * out_plane + o] = best;
            if (!indices) continue;
            int64_t at = 0;
            if (best_d >= 0)
              at = storage_order_ == 0 ? (best_d * ah.in + best_h) * aw.in + best_w
                                       : (best_w * ah.in + best_h) * ad.in + best_d;
            indices[p * out_plane + o] = p * in_plane + at;
          }
    }
  }

  WindowAttrs attrs_;
  int64_t storage_order_;
};

}  // namespace

std::unique_ptr<OpKernel> create_max_pool_ref(const KernelInit& init) {
  return std::make_unique<MaxPoolRef>(init);
}

}  // namespace trex
