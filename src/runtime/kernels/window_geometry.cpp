// Sliding-window geometry (see window_geometry.h). Output sizes follow the ONNX Conv and
// pooling specs: explicit pads, SAME_UPPER/SAME_LOWER (output = ceil(in / stride), the odd
// pad going to the end or the beginning) and VALID (no pads).
#include "runtime/kernels/window_geometry.h"

#include "util/error.h"

namespace trex {

namespace {

/// Throws kInvalidInput naming `label` unless `x` is N x C x D1 ... (at least 3 dims).
void check_spatial_rank(const TensorView& x, const std::string& label) {
  if (x.rank() < 3)
    throw_invalid(label + ": X has " + std::to_string(x.rank()) +
                  " dims, expected N x C x D1 ... (at least 3)");
}

}  // namespace

WindowAttrs read_window_attrs(const Node& node) {
  WindowAttrs a;
  a.auto_pad = node.attr_string("auto_pad", "NOTSET");
  if (a.auto_pad.empty()) a.auto_pad = "NOTSET";
  if (a.auto_pad != "NOTSET" && a.auto_pad != "SAME_UPPER" && a.auto_pad != "SAME_LOWER" &&
      a.auto_pad != "VALID")
    throw_invalid("unknown auto_pad '" + a.auto_pad + "'");
  a.kernel_shape = node.attr_ints("kernel_shape");
  a.strides = node.attr_ints("strides");
  a.dilations = node.attr_ints("dilations");
  a.pads = node.attr_ints("pads");
  a.ceil_mode = node.attr_int("ceil_mode", 0) != 0;
  for (int64_t k : a.kernel_shape)
    if (k <= 0) throw_invalid("kernel_shape values must be positive");
  for (int64_t s : a.strides)
    if (s <= 0) throw_invalid("strides must be positive");
  for (int64_t d : a.dilations)
    if (d <= 0) throw_invalid("dilations must be positive");
  for (int64_t p : a.pads)
    if (p < 0) throw_invalid("pads must not be negative");
  return a;
}

std::vector<WindowAxis> resolve_window(const WindowAttrs& a, const std::vector<int64_t>& in,
                                       const std::vector<int64_t>& kernel,
                                       const std::string& label) {
  const size_t n = in.size();
  auto check_len = [&](const std::vector<int64_t>& v, size_t want, const char* name) {
    if (!v.empty() && v.size() != want)
      throw_invalid(label + ": " + name + " has " + std::to_string(v.size()) +
                    " values, expected " + std::to_string(want) + " for " + std::to_string(n) +
                    " spatial axes");
  };
  check_len(kernel, n, "kernel_shape");
  check_len(a.strides, n, "strides");
  check_len(a.dilations, n, "dilations");
  check_len(a.pads, 2 * n, "pads");
  std::vector<WindowAxis> axes(n);
  for (size_t i = 0; i < n; ++i) {
    WindowAxis& x = axes[i];
    x.in = in[i];
    x.kernel = kernel[i];
    if (x.kernel <= 0)
      throw_invalid(label + ": kernel size " + std::to_string(x.kernel) + " on spatial axis " +
                    std::to_string(i) + " is not positive");
    x.stride = a.strides.empty() ? 1 : a.strides[i];
    x.dilation = a.dilations.empty() ? 1 : a.dilations[i];
    const int64_t extent = (x.kernel - 1) * x.dilation + 1;
    if (a.auto_pad == "SAME_UPPER" || a.auto_pad == "SAME_LOWER") {
      x.out = (x.in + x.stride - 1) / x.stride;
      int64_t total = std::max<int64_t>(0, (x.out - 1) * x.stride + extent - x.in);
      // The odd pad goes to the end for SAME_UPPER, to the beginning for SAME_LOWER.
      x.pad_begin = a.auto_pad == "SAME_UPPER" ? total / 2 : total - total / 2;
      x.pad_end = total - x.pad_begin;
      continue;
    }
    if (a.auto_pad == "NOTSET" && !a.pads.empty()) {
      x.pad_begin = a.pads[i];
      x.pad_end = a.pads[i + n];
    }
    const int64_t span = x.in + x.pad_begin + x.pad_end - extent;
    if (span < 0)
      throw_invalid(label + ": the window (" + std::to_string(extent) + " on spatial axis " +
                    std::to_string(i) + ") is larger than the padded input (" +
                    std::to_string(x.in + x.pad_begin + x.pad_end) + ")");
    if (a.ceil_mode) {
      x.out = (span + x.stride - 1) / x.stride + 1;
      // A last window starting in the end padding would see no input: drop it.
      if ((x.out - 1) * x.stride >= x.in + x.pad_begin) --x.out;
    } else {
      x.out = span / x.stride + 1;
    }
  }
  return axes;
}

std::array<WindowAxis, 3> window_3d(const std::vector<WindowAxis>& axes, const std::string& label) {
  if (axes.size() > 3)
    throw_unsupported(label + ": " + std::to_string(axes.size()) +
                      " spatial axes (the reference kernels handle 1 to 3)");
  std::array<WindowAxis, 3> r{};
  for (size_t i = 0; i < axes.size(); ++i) r[3 - axes.size() + i] = axes[i];
  return r;
}

std::vector<int64_t> window_output_dims(int64_t n, int64_t c, const std::vector<WindowAxis>& axes) {
  std::vector<int64_t> dims{n, c};
  for (const WindowAxis& a : axes) dims.push_back(a.out);
  return dims;
}

PoolWindow resolve_pool_window(KernelContext& ctx, const WindowAttrs& attrs, bool global) {
  const std::string& label = ctx.node_label();
  PoolWindow r;
  r.x = ctx.input(0);
  if (!r.x) throw_invalid(label + ": needs input X");
  const TensorView& x = *r.x;
  check_spatial_rank(x, label);
  const std::vector<int64_t> in = spatial_dims(x.dims);
  const std::vector<WindowAxis> axes =
      resolve_window(attrs, in, global ? in : attrs.kernel_shape, label);
  r.out_dims = window_output_dims(x.dims[0], x.dims[1], axes);
  r.axes = window_3d(axes, label);
  r.planes = x.dims[0] * x.dims[1];
  return r;
}

ConvOperands conv_operands(KernelContext& ctx, const std::string& label) {
  ConvOperands r{ctx.input(0), ctx.input(1), nullptr};
  if (!r.x || !r.w) throw_invalid(label + ": needs inputs X and W");
  r.b = ctx.input(2);
  const TensorView &x = *r.x, &w = *r.w;
  check_spatial_rank(x, label);
  if (w.rank() != x.rank())
    throw_invalid(label + ": W has " + std::to_string(w.rank()) + " dims, expected " +
                  std::to_string(x.rank()) + " like X");
  if (w.dtype != x.dtype || (r.b && r.b->dtype != x.dtype))
    throw_invalid(label + ": X, W and B must have the same element type");
  return r;
}

void check_conv_bias(const TensorView* b, int64_t out_ch, const std::string& label) {
  if (b && (b->rank() != 1 || b->dims[0] != out_ch))
    throw_invalid(label + ": B must have shape [" + std::to_string(out_ch) + "]");
}

std::vector<int64_t> conv_kernel_dims(const WindowAttrs& attrs, const TensorView& w,
                                      const std::string& label) {
  std::vector<int64_t> kernel = spatial_dims(w.dims);
  if (!attrs.kernel_shape.empty() && attrs.kernel_shape != kernel)
    throw_invalid(label + ": kernel_shape disagrees with the spatial dims of W");
  return kernel;
}

}  // namespace trex
