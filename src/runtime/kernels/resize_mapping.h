// Where oneDNN's resampling computes exactly what ONNX Resize/Upsample define: oneDNN's fixed
// coordinate mapping (half-pixel, with the scale out/in) is ONNX's
// - for linear with half_pixel (or pytorch_half_pixel when the output axis is longer than 1);
//   both clamp the source coordinate to the input's edges;
// - for nearest with half_pixel and round_prefer_ceil (oneDNN rounds halves up);
// - for nearest with an integer enlargement on every axis, where half_pixel with either
//   round_prefer mode, asymmetric with floor, and the legacy (opset < 11) mode all pick
//   source floor(out / factor).
// The scale must be out / in exactly (sizes given, or scale * in an integer), and N and C
// must keep their size. Shared by the f32 (resize_dnnl.cpp) and int8 (qresize_dnnl.cpp)
// kernels.
#pragma once

#include <string>
#include <vector>

#include "runtime/kernel.h"

namespace trex {

class ResizeMapping {
 public:
  /// Reads the attributes of Resize/Upsample (or trex.QResize, which has Resize's) node.
  explicit ResizeMapping(const KernelInit& init);

  /// Whether the node's attributes allow oneDNN at all (the shapes are checked per run).
  static bool attributes_supported(const KernelInit& init);

  /// The output dims when oneDNN computes exactly what ONNX defines for input `x` (any
  /// dtype, rank 3-5) with the scales or sizes of `ctx`; false otherwise.
  bool exact(KernelContext& ctx, const TensorView& x, std::vector<int64_t>& out) const;

  bool linear() const { return linear_; }

 private:
  bool legacy_ = false, linear_ = false;
  std::vector<float> scales_attr_;
  int scales_input_ = 2;
  std::string coord_, round_;
};

}  // namespace trex
