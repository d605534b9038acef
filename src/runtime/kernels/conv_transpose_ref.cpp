// Reference ConvTranspose: 1-D to 3-D, groups, strides, dilations, output_padding, and
// pads given explicitly, by auto_pad, or derived from output_shape (which overrides pads).
// Scatters each input element times the kernel into its own output planes.
#include <string>
#include <vector>

#include "runtime/kernel.h"
#include "runtime/kernels/dispatch.h"
#include "runtime/kernels/reference_kernels.h"
#include "runtime/kernels/window_geometry.h"

namespace trex {

namespace {

class ConvTransposeRef : public OpKernel {
 public:
  explicit ConvTransposeRef(const KernelInit& init)
      : attrs_(read_window_attrs(*init.node)),
        group_(init.node->attr_int("group", 1)),
        output_padding_(init.node->attr_ints("output_padding")),
        output_shape_(init.node->attr_ints("output_shape")) {
    if (group_ <= 0) throw_invalid("group must be positive");
    for (int64_t p : output_padding_)
      if (p < 0) throw_invalid("output_padding must not be negative");
  }

  void compute(KernelContext& ctx) override {
    const std::string& label = ctx.node_label();
    const ConvOperands ops = conv_operands(ctx, label);
    const TensorView &x = *ops.x, &w = *ops.w;
    const TensorView* b = ops.b;
    const int64_t batch = x.dims[0], in_ch = x.dims[1];
    if (w.dims[0] != in_ch)
      throw_invalid(label + ": X has " + std::to_string(in_ch) + " channels, W has " +
                    std::to_string(w.dims[0]));
    if (in_ch % group_ != 0)
      throw_invalid(label + ": " + std::to_string(in_ch) +
                    " input channels are not divisible by group " + std::to_string(group_));
    const int64_t out_ch = w.dims[1] * group_;
    check_conv_bias(b, out_ch, label);
    const std::vector<WindowAxis> axes = resolve(x, w, label);
    const std::array<WindowAxis, 3> g = window_3d(axes, label);
    TensorView& y = ctx.output(0, x.dtype, window_output_dims(batch, out_ch, axes));
    dispatch_float(x.dtype, label, [&](auto zero) {
      using T = decltype(zero);
      run<T>(x.as<T>(), w.as<T>(), b ? b->as<T>() : nullptr, y.as<T>(), batch, in_ch, out_ch, g);
    });
  }

 private:
  /// Per spatial axis: the output size and the pads, which here crop the full output
  /// (a negative pad extends it with positions no input reaches).
  std::vector<WindowAxis> resolve(const TensorView& x, const TensorView& w,
                                  const std::string& label) const {
    const size_t n = x.rank() - 2;
    auto check_len = [&](const std::vector<int64_t>& v, size_t want, const char* name) {
      if (!v.empty() && v.size() != want)
        throw_invalid(label + ": " + name + " has " + std::to_string(v.size()) +
                      " values, expected " + std::to_string(want));
    };
    const std::vector<int64_t> kernel = conv_kernel_dims(attrs_, w, label);
    check_len(attrs_.strides, n, "strides");
    check_len(attrs_.dilations, n, "dilations");
    check_len(attrs_.pads, 2 * n, "pads");
    check_len(output_padding_, n, "output_padding");
    // output_shape may also be written with the N and C dims in front.
    std::vector<int64_t> out_shape = output_shape_;
    if (out_shape.size() == n + 2) out_shape.erase(out_shape.begin(), out_shape.begin() + 2);
    check_len(out_shape, n, "output_shape");
    std::vector<WindowAxis> axes(n);
    for (size_t i = 0; i < n; ++i) {
      WindowAxis& a = axes[i];
      a.in = x.dims[i + 2];
      a.kernel = kernel[i];
      if (a.kernel <= 0) throw_invalid(label + ": W has an empty spatial dim");
      a.stride = attrs_.strides.empty() ? 1 : attrs_.strides[i];
      a.dilation = attrs_.dilations.empty() ? 1 : attrs_.dilations[i];
      const int64_t out_pad = output_padding_.empty() ? 0 : output_padding_[i];
      const int64_t full = a.stride * (a.in - 1) + out_pad + (a.kernel - 1) * a.dilation + 1;
      const bool same = attrs_.auto_pad == "SAME_UPPER" || attrs_.auto_pad == "SAME_LOWER";
      if (!out_shape.empty() || same) {
        a.out = !out_shape.empty() ? out_shape[i] : a.in * a.stride;
        const int64_t total = full - a.out;
        // As the spec's equations: SAME_UPPER puts the odd pad at the end, otherwise at
        // the beginning; floor division keeps this right for a negative total.
        const int64_t half = floor_div(total, 2);
        a.pad_begin = attrs_.auto_pad == "SAME_UPPER" ? half : total - half;
        a.pad_end = total - a.pad_begin;
      } else {
        if (attrs_.auto_pad == "NOTSET" && !attrs_.pads.empty()) {
          a.pad_begin = attrs_.pads[i];
          a.pad_end = attrs_.pads[i + n];
        }
        a.out = full - a.pad_begin - a.pad_end;
      }
      if (a.out < 0)
        throw_invalid(label + ": output size on spatial axis " + std::to_string(i) + " would be " +
                      std::to_string(a.out));
    }
    return axes;
  }

  template <typename T>
  void run(const T* x, const T* w, const T* bias, T* y, int64_t batch, int64_t in_ch,
           int64_t out_ch, const std::array<WindowAxis, 3>& g) const {
    const WindowAxis &ad = g[0], &ah = g[1], &aw = g[2];
    const int64_t in_plane = ad.in * ah.in * aw.in;
    const int64_t out_plane = ad.out * ah.out * aw.out;
    const int64_t k_plane = ad.kernel * ah.kernel * aw.kernel;
    const int64_t ch_per_group = in_ch / group_, out_per_group = out_ch / group_;
    // Each (n, m) accumulates only into its own output plane: safe to run in parallel.
#pragma omp parallel for schedule(static)
    for (int64_t nm = 0; nm < batch * out_ch; ++nm) {
      const int64_t n = nm / out_ch, m = nm % out_ch, grp = m / out_per_group;
      const int64_t m_in_group = m % out_per_group;
      std::vector<double> acc(static_cast<size_t>(out_plane), bias ? double(bias[m]) : 0.0);
      for (int64_t c = 0; c < ch_per_group; ++c) {
        const int64_t ic = grp * ch_per_group + c;
        const T* xp = x + (n * in_ch + ic) * in_plane;
        const T* wp = w + (ic * out_per_group + m_in_group) * k_plane;
        for (int64_t id = 0; id < ad.in; ++id)
          for (int64_t ih = 0; ih < ah.in; ++ih)
            for (int64_t iw = 0; iw < aw.in; ++iw) {
              const double xv = static_cast<double>(xp[(id * ah.in + ih) * aw.in + iw]);
              for (int64_t kd = 0; kd < ad.kernel; ++kd) {
                const int64_t od = id * ad.stride + kd * ad.dilation - ad.pad_begin;
                if (od < 0 || od >= ad.out) continue;
                for (int64_t kh = 0; kh < ah.kernel; ++kh) {
                  const int64_t oh = ih * ah.stride + kh * ah.dilation - ah.pad_begin;
                  if (oh < 0 || oh >= ah.out) continue;
                  for (int64_t kw = 0; kw < aw.kernel; ++kw) {
                    const int64_t ow = iw * aw.stride + kw * aw.dilation - aw.pad_begin;
                    if (ow < 0 || ow >= aw.out) continue;
                    acc[static_cast<size_t>((od * ah.out + oh) * aw.out + ow)] +=
                        xv * static_cast<double>(wp[(kd * ah.kernel + kh) * aw.kernel + kw]);
                  }
                }
              }
            }
      }
      T* yp = y + nm * out_plane;
      for (int64_t i = 0; i < out_plane; ++i) yp[i] = static_cast<T>(acc[static_cast<size_t>(i)]);
    }
  }

  WindowAttrs attrs_;
  int64_t group_;
  std::vector<int64_t> output_padding_, output_shape_;
};

}  // namespace

std::unique_ptr<OpKernel> create_conv_transpose_ref(const KernelInit& init) {
  return std::make_unique<ConvTransposeRef>(init);
}

}  // namespace trex
