// ResizeMapping (resize_mapping.h): when oneDNN's resampling is ONNX Resize exactly.
#include "runtime/kernels/resize_mapping.h"

#include <cmath>

#include "runtime/kernels/axis_args.h"

namespace trex {

ResizeMapping::ResizeMapping(const KernelInit& init) {
  const Node& n = *init.node;
  const bool upsample = n.op_type() == "Upsample";
  legacy_ = upsample || init.opset < 11;
  linear_ = n.attr_string("mode", "nearest") != "nearest";
  if (upsample && init.opset < 9) scales_attr_ = n.attr_floats("scales", {});
  scales_input_ = upsample ? (init.opset < 9 ? -1 : 1) : (init.opset < 11 ? 1 : 2);
  coord_ = legacy_ ? "asymmetric" : n.attr_string("coordinate_transformation_mode", "half_pixel");
  round_ = legacy_ ? "floor" : n.attr_string("nearest_mode", "round_prefer_floor");
}

bool ResizeMapping::attributes_supported(const KernelInit& init) {
  const Node& n = *init.node;
  const std::string mode = n.attr_string("mode", "nearest");
  if (mode != "nearest" && mode != "linear" && mode != "bilinear") return false;
  if (n.attr_int("antialias", 0) != 0 || n.has_attr("axes") ||
      n.attr_string("keep_aspect_ratio_policy", "stretch") != "stretch")
    return false;
  // Legacy linear is asymmetric, which oneDNN does not do.
  const bool legacy = n.op_type() == "Upsample" || init.opset < 11;
  if (legacy && mode != "nearest") return false;
  if (n.op_type() == "Upsample" && init.opset < 9 && n.attr_floats("scales", {}).empty())
    return false;
  return true;
}

bool ResizeMapping::exact(KernelContext& ctx, const TensorView& x,
                          std::vector<int64_t>& out) const {
  if (x.rank() < 3 || x.rank() > 5 || x.numel() == 0) return false;
  const size_t rank = x.rank();
  out.assign(rank, 0);
  const TensorView* sizes = legacy_ ? nullptr : ctx.input(3);
  if (sizes && sizes->numel() > 0) {
    if (sizes->numel() != static_cast<int64_t>(rank) ||
        (sizes->dtype != DType::kInt64 && sizes->dtype != DType::kInt32))
      return false;
    out = read_int64s(*sizes, ctx.node_label(), "sizes");
  } else {
    std::vector<double> sc;
    if (scales_input_ < 0) {
      sc.assign(scales_attr_.begin(), scales_attr_.end());
    } else {
      const TensorView* s = ctx.input(static_cast<size_t>(scales_input_));
      if (!s || s->dtype != DType::kFloat32) return false;
      for (int64_t i = 0; i < s->numel(); ++i) sc.push_back(s->as<float>()[i]);
    }
    if (sc.size() != rank) return false;
    for (size_t d = 0; d < rank; ++d) {
      // The reference kernel uses the scale itself: it must be out / in exactly.
      const double o = sc[d] * static_cast<double>(x.dims[d]);
      if (!(o >= 1) || o > 1e9 || o != std::floor(o)) return false;
      out[d] = static_cast<int64_t>(o);
    }
  }
  if (out[0] != x.dims[0] || out[1] != x.dims[1]) return false;
  for (size_t d = 2; d < rank; ++d) {
    if (out[d] <= 0) return false;
    const bool enlarge_by_integer = out[d] % x.dims[d] == 0;
    if (linear_) {
      if (!(coord_ == "half_pixel" || (coord_ == "pytorch_half_pixel" && out[d] > 1)))
        return false;
    } else if (!(coord_ == "half_pixel" && round_ == "round_prefer_ceil")) {
      const bool exact_when_integer = (coord_ == "half_pixel" && round_ == "round_prefer_floor") ||
                                      (coord_ == "asymmetric" && round_ == "floor");
      if (!exact_when_integer || !enlarge_by_integer) return false;
    }
  }
  return true;
}

}  // namespace trex
