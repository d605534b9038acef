// Reference trex.QConv (see passes/qdq_lowering.h): the integer convolution summed exactly in
// int64 over the taps that fall on the input (pads contribute x_zero_point, i.e. zero), then
// scaled to real values in double, the activation, and the output quantization. Plain layout.
#include <string>
#include <vector>

#include "runtime/kernel.h"
#include "runtime/kernels/activation.h"
#include "runtime/kernels/quantize.h"
#include "runtime/kernels/reference_kernels.h"
#include "runtime/kernels/window_geometry.h"

namespace trex {

namespace {

class QConvRef : public OpKernel {
 public:
  explicit QConvRef(const KernelInit& init)
      : attrs_(read_window_attrs(*init.node)),
        group_(init.node->attr_int("group", 1)),
        x_scale_(init.node->attr_float("x_scale", 0.0f)),
        x_zero_(init.node->attr_int("x_zero_point", 0)),
        w_scale_(init.node->attr_floats("w_scale")),
        act_(Activation::parse(init.node->attr_string("activation", ""),
                               init.node->attr_floats("activation_params"))),
        out_(OutputQuantization::read(*init.node)) {
    if (group_ <= 0) throw_invalid("group must be positive");
  }

  void compute(KernelContext& ctx) override {
    const std::string& label = ctx.node_label();
    const TensorView* xp = ctx.input(0);
    const TensorView* wp = ctx.input(1);
    const TensorView* b = ctx.input(2);
    if (!xp || !wp) throw_invalid(label + ": needs inputs X and W");
    const TensorView &x = *xp, &w = *wp;
    if ((x.dtype != DType::kUInt8 && x.dtype != DType::kInt8) || w.dtype != DType::kInt8)
      throw_invalid(label + ": X must be uint8 or int8 and W int8");
    if (x.rank() < 3 || w.rank() != x.rank())
      throw_invalid(label + ": X must be N x C x spatial and W of the same rank");
    const int64_t batch = x.dims[0], in_ch = x.dims[1], out_ch = w.dims[0];
    if (out_ch % group_ || w.dims[1] * group_ != in_ch)
      throw_invalid(label + ": X has " + std::to_string(in_ch) + " channels, W " +
                    Shape::from_static(w.dims).to_string() + " with group " +
                    std::to_string(group_));
    if (static_cast<int64_t>(w_scale_.size()) != out_ch)
      throw_invalid(label + ": w_scale needs one value per output channel");
    if (b && (b->numel() != out_ch || (b->dtype != DType::kInt32 && b->dtype != DType::kFloat32)))
      throw_invalid(label + ": B must be int32 or f32 with one value per output channel");
    const std::vector<WindowAxis> axes =
        resolve_window(attrs_, spatial_dims(x.dims), conv_kernel_dims(attrs_, w, label), label);
    const std::array<WindowAxis, 3> g = window_3d(axes, label);
    TensorView& y = ctx.output(0, out_.dtype, window_output_dims(batch, out_ch, axes));
    const int64_t in_plane = window_in_plane(g);
    const int64_t k_plane = g[0].kernel * g[1].kernel * g[2].kernel;
    const int64_t per_group = in_ch / group_, out_per_group = out_ch / group_;
    const int8_t* wd = w.as<int8_t>();
    for_each_window_output(batch * out_ch, g, [&](const WindowOutput& o) {
      const int64_t n = o.plane / out_ch, m = o.plane % out_ch, grp = m / out_per_group;
      int64_t acc = 0;
      for (int64_t c = 0; c < per_group; ++c) {
        const int64_t x_base = (n * in_ch + grp * per_group + c) * in_plane;
        const int8_t* wc = wd + (m * per_group + c) * k_plane;
        for_each_window_tap(g, o, [&](const WindowTap& t) {
          acc += static_cast<int64_t>(int8_at(x, x_base + t.in) - x_zero_) * wc[t.k];
        });
      }
      double v = static_cast<double>(acc);
      if (b) v += b->dtype == DType::kInt32 ? b->as<int32_t>()[m] : b->as<float>()[m];
      v *= static_cast<double>(x_scale_) * static_cast<double>(w_scale_[m]);
      out_.store(y.data, o.index, act_.apply(static_cast<float>(v)));
    });
  }

 private:
  WindowAttrs attrs_;
  int64_t group_;
  float x_scale_;
  int32_t x_zero_;
  std::vector<float> w_scale_;
  Activation act_;
  OutputQuantization out_;
};

}  // namespace

std::unique_ptr<OpKernel> create_qconv_ref(const KernelInit& init) {
  return std::make_unique<QConvRef>(init);
}

}  // namespace trex
