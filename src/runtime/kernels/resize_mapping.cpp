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
  if (x.numel() == 0) return false;
  const TensorView* scales = scales_input_ < 0 ? nullptr : ctx.input(static_cast<size_t>(scales_input_));
  return exact_dims(x.dims, scales, legacy_ ? nullptr : ctx.input(3), ctx.node_label(), out);
}

bool ResizeMapping::exact_for_every_input(const KernelInit& init) const {
  if (init.input_types.empty() || !init.input_types[0].shape) return false;
  const Shape& shape = *init.input_types[0].shape;
  if (!legacy_ && init.node->num_inputs() > 3 && init.node->input(3)) return false;  // sizes
  std::vector<int64_t> dims;
  for (size_t d = 0; d < shape.rank(); ++d) {
    if (d >= 2 && !shape[d].is_static()) return false;
    // N and C: any size (the scales must keep them, which 1 stands for).
    dims.push_back(d < 2 ? 1 : shape[d].value());
  }
  const Tensor* c = scales_input_ < 0 ? nullptr : init.constant(static_cast<size_t>(scales_input_));
  if (scales_input_ >= 0 && !c) return false;
  TensorView scales;
  if (c) scales = TensorView{c->dtype(), c->dims(), const_cast<uint8_t*>(c->raw())};
  std::vector<int64_t> out;
  return exact_dims(dims, c ? &scales : nullptr, nullptr, init.node->describe(), out);
}

bool ResizeMapping::exact_dims(const std::vector<int64_t>& x, const TensorView* scales,
                               const TensorView* sizes, const std::string& label,
                               std::vector<int64_t>& out) const {
  if (x.size() < 3 || x.size() > 5) return false;
  const size_t rank = x.size();
  out.assign(rank, 0);
  if (sizes && sizes->numel() > 0) {
    if (sizes->numel() != static_cast<int64_t>(rank) ||
        (sizes->dtype != DType::kInt64 && sizes->dtype != DType::kInt32))
      return false;
    out = read_int64s(*sizes, label, "sizes");
  } else {
    std::vector<double> sc;
    if (scales_input_ < 0) {
      sc.assign(scales_attr_.begin(), scales_attr_.end());
    } else {
      if (!scales || scales->dtype != DType::kFloat32) return false;
      for (int64_t i = 0; i < scales->numel(); ++i) sc.push_back(scales->as<float>()[i]);
    }
    if (sc.size() != rank) return false;
    for (size_t d = 0; d < rank; ++d) {
      // The reference kernel uses the scale itself: it must be out / in exactly.
      const double o = sc[d] * static_cast<double>(x[d]);
      if (!(o >= 1) || o > 1e9 || o != std::floor(o)) return false;
      out[d] = static_cast<int64_t>(o);
    }
  }
  if (out[0] != x[0] || out[1] != x[1]) return false;
  for (size_t d = 2; d < rank; ++d) {
    if (out[d] <= 0) return false;
    const bool enlarge_by_integer = out[d] % x[d] == 0;
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
