// Sliding-window geometry shared by Conv and the pooling kernels: reads kernel_shape,
// strides, dilations, pads, auto_pad and ceil_mode once, then resolves them per spatial axis
// against the actual input shape into output sizes and leading pads.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "ir/graph.h"

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

/// floor(a / b) for b > 0, also for negative a (C++ division truncates toward zero).
inline int64_t floor_div(int64_t a, int64_t b) {
  return a >= 0 ? a / b : -((-a + b - 1) / b);
}

}  // namespace trex
