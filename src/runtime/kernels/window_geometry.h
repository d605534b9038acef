// Sliding-window geometry shared by Conv and the pooling kernels: reads kernel_shape,
// strides, dilations, pads, auto_pad and ceil_mode once, then resolves them per spatial axis
// against the actual input shape into output sizes and leading pads. Also the input checks
// and the (plane, output position, window position) loops the reference kernels share.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "ir/graph.h"
#include "runtime/kernel.h"

namespace trex {

/// The window attributes as written on the node (empty lists: attribute absent).
struct WindowAttrs {
  std::string auto_pad = "NOTSET";
  std::vector<int64_t> kernel_shape, strides, dilations, pads;
  bool ceil_mode = false;
};

/// One spatial axis after resolution; unit defaults so lower-rank windows embed in 3-D.
struct WindowAxis {
  int64_t in = 1, out = 1, kernel = 1, stride = 1, dilation = 1, pad_begin = 0, pad_end = 0;
};

/// Reads the window attributes of `node`; throws kInvalidInput on values that can never
/// be valid (non-positive strides or dilations, negative pads, unknown auto_pad). Called
/// when the kernel is created, so messages leave naming the node to the session.
WindowAttrs read_window_attrs(const Node& node);

/// Resolves `attrs` for spatial input dims `in` and kernel dims `kernel` (same length).
/// Throws kInvalidInput naming `label` when attribute lengths disagree with the rank or
/// the window does not fit the padded input.
std::vector<WindowAxis> resolve_window(const WindowAttrs& attrs, const std::vector<int64_t>& in,
                                       const std::vector<int64_t>& kernel,
                                       const std::string& label);

/// The axes as exactly three (d, h, w) by prepending unit axes, so kernels need one loop
/// nest; throws kUnsupported naming `label` beyond three spatial axes.
std::array<WindowAxis, 3> window_3d(const std::vector<WindowAxis>& axes, const std::string& label);

/// The dims after the first two (N and C) of `dims`.
inline std::vector<int64_t> spatial_dims(const std::vector<int64_t>& dims) {
  return std::vector<int64_t>(dims.begin() + 2, dims.end());
}

/// {n, c, then each axis's output size}: the output dims of a window kernel.
std::vector<int64_t> window_output_dims(int64_t n, int64_t c, const std::vector<WindowAxis>& axes);

/// A pooling node's call resolved: its input X and the window over X's spatial dims.
struct PoolWindow {
  const TensorView* x = nullptr;
  std::vector<int64_t> out_dims;   ///< N x C x output spatial dims
  std::array<WindowAxis, 3> axes;  ///< the window as (d, h, w), see window_3d
  int64_t planes = 0;              ///< N * C
};

/// Checks X (input 0) of a pooling node and resolves `attrs` against it; with `global`
/// the window covers all spatial dims (GlobalLpPool) instead of kernel_shape.
PoolWindow resolve_pool_window(KernelContext& ctx, const WindowAttrs& attrs, bool global = false);

/// X, W and optional B of Conv or ConvTranspose.
struct ConvOperands {
  const TensorView* x = nullptr;
  const TensorView* w = nullptr;
  const TensorView* b = nullptr;  ///< nullptr when omitted
};

/// Inputs 0-2 of a Conv-like node, checked: X and W present, X is N x C x D1 ..., W has
/// X's rank and X, W and B share one element type. Channel counts are the caller's.
ConvOperands conv_operands(KernelContext& ctx, const std::string& label);

/// Throws kInvalidInput naming `label` unless bias `b` (nullptr: omitted) is [out_ch].
void check_conv_bias(const TensorView* b, int64_t out_ch, const std::string& label);

/// The spatial dims of W, checked against the kernel_shape attribute when that is given.
std::vector<int64_t> conv_kernel_dims(const WindowAttrs& attrs, const TensorView& w,
                                      const std::string& label);

/// One output position of a window kernel: its plane (N x C index), its (d, h, w) and its
/// offset in the whole output.
struct WindowOutput {
  int64_t plane, d, h, w, index;
};

/// One window position that falls on the input: its (d, h, w) in the input, its offset in
/// an input plane and its offset in a (d, h, w) row-major kernel.
struct WindowTap {
  int64_t d, h, w, in, k;
};

/// Calls `visit(WindowOutput)` for every output position of `planes` planes of window `g`,
/// row-major within a plane. Planes run in parallel, so `visit` must write only its own.
template <typename F>
void for_each_window_output(int64_t planes, const std::array<WindowAxis, 3>& g, F&& visit) {
  const WindowAxis &ad = g[0], &ah = g[1], &aw = g[2];
  const int64_t out_plane = ad.out * ah.out * aw.out;
#pragma omp parallel for schedule(static)
  for (int64_t p = 0; p < planes; ++p)
    for (int64_t od = 0; od < ad.out; ++od)
      for (int64_t oh = 0; oh < ah.out; ++oh)
        for (int64_t ow = 0; ow < aw.out; ++ow)
          visit(WindowOutput{p, od, oh, ow, p * out_plane + (od * ah.out + oh) * aw.out + ow});
}

/// Calls `visit(WindowTap)` for each position of the window at output `o` that falls on
/// the input, in (d, h, w) row-major order; positions on the pads are skipped.
template <typename F>
void for_each_window_tap(const std::array<WindowAxis, 3>& g, const WindowOutput& o, F&& visit) {
  const WindowAxis &ad = g[0], &ah = g[1], &aw = g[2];
  for (int64_t kd = 0; kd < ad.kernel; ++kd) {
    const int64_t id = o.d * ad.stride - ad.pad_begin + kd * ad.dilation;
    if (id < 0 || id >= ad.in) continue;
    for (int64_t kh = 0; kh < ah.kernel; ++kh) {
      const int64_t ih = o.h * ah.stride - ah.pad_begin + kh * ah.dilation;
      if (ih < 0 || ih >= ah.in) continue;
      for (int64_t kw = 0; kw < aw.kernel; ++kw) {
        const int64_t iw = o.w * aw.stride - aw.pad_begin + kw * aw.dilation;
        if (iw < 0 || iw >= aw.in) continue;
        visit(WindowTap{id, ih, iw, (id * ah.in + ih) * aw.in + iw,
                        (kd * ah.kernel + kh) * aw.kernel + kw});
      }
    }
  }
}

/// The number of elements in one input plane of window `g`.
inline int64_t window_in_plane(const std::array<WindowAxis, 3>& g) {
  return g[0].in * g[1].in * g[2].in;
}

/// floor(a / b) for b > 0, also for negative a (C++ division truncates toward zero).
inline int64_t floor_div(int64_t a, int64_t b) {
  return a >= 0 ? a / b : -((-a + b - 1) / b);
}

}  // namespace trex
