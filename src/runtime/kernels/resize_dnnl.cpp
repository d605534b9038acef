// Resize and Upsample on oneDNN's resampling (f32, plain N x C x 1-3 spatial dims), only where
// oneDNN's fixed coordinate mapping (half-pixel, with the scale out/in) is ONNX's exactly:
// - linear with half_pixel (or pytorch_half_pixel when the output axis is longer than 1);
//   both clamp the source coordinate to the input's edges;
// - nearest with half_pixel and round_prefer_ceil (oneDNN rounds halves up);
// - nearest with an integer enlargement on every axis, where half_pixel with either
//   round_prefer mode, asymmetric with floor, and the legacy (opset < 11) mode all pick
//   source floor(out / factor).
// The scale must be out / in exactly (sizes given, or scale * in an integer), and N and C
// must keep their size. Everything else, decided per input shape, goes to the reference kernel.
#include <cmath>
#include <map>

#include "runtime/dnnl_context.h"
#include "runtime/kernel.h"
#include "runtime/kernels/axis_args.h"
#include "runtime/kernels/dnnl_kernels.h"
#include "runtime/kernels/reference_kernels.h"
#include "util/error.h"

namespace trex {

namespace {

using dnnl::memory;

class ResizeDnnl : public OpKernel {
 public:
  explicit ResizeDnnl(const KernelInit& init) : reference_(create_resize_ref(init)) {
    const Node& n = *init.node;
    const bool upsample = n.op_type() == "Upsample";
    legacy_ = upsample || init.opset < 11;
    linear_ = n.attr_string("mode", "nearest") != "nearest";
    if (upsample && init.opset < 9) scales_attr_ = n.attr_floats("scales", {});
    scales_input_ = upsample ? (init.opset < 9 ? -1 : 1) : (init.opset < 11 ? 1 : 2);
    coord_ = legacy_ ? "asymmetric" : n.attr_string("coordinate_transformation_mode", "half_pixel");
    round_ = legacy_ ? "floor" : n.attr_string("nearest_mode", "round_prefer_floor");
  }

  void compute(KernelContext& ctx) override {
    const TensorView& x = *ctx.input(0);
    std::vector<int64_t> out;
    if (!mappable(ctx, x, out)) return reference_->compute(ctx);
    Compiled& c = compiled_for(x.dims, out);
    TensorView& y = ctx.output(0, DType::kFloat32, out);
    memory src(c.src_md, dnnl_engine(), x.data), dst(c.dst_md, dnnl_engine(), y.data);
    c.prim.execute(dnnl_stream(), {{DNNL_ARG_SRC, src}, {DNNL_ARG_DST, dst}});
    dnnl_stream().wait();
  }

 private:
  struct Compiled {
    dnnl::resampling_forward prim;
    memory::desc src_md, dst_md;
  };

  /// The output dims when oneDNN computes exactly what ONNX defines for `x`.
  bool mappable(KernelContext& ctx, const TensorView& x, std::vector<int64_t>& out) const {
    if (x.dtype != DType::kFloat32 || x.rank() < 3 || x.rank() > 5 || x.numel() == 0) return false;
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
        const bool exact_when_integer =
            (coord_ == "half_pixel" && round_ == "round_prefer_floor") ||
            (coord_ == "asymmetric" && round_ == "floor");
        if (!exact_when_integer || !enlarge_by_integer) return false;
      }
    }
    return true;
  }

  Compiled& compiled_for(const std::vector<int64_t>& in, const std::vector<int64_t>& out) {
    auto key = std::make_pair(in, out);
    auto it = cache_.find(key);
    if (it != cache_.end()) return it->second;
    memory::desc src_md(to_dnnl_dims(in), memory::data_type::f32, plain_tag(in.size()));
    memory::desc dst_md(to_dnnl_dims(out), memory::data_type::f32, plain_tag(out.size()));
    dnnl::resampling_forward::desc d(
        dnnl::prop_kind::forward_inference,
        linear_ ? dnnl::algorithm::resampling_linear : dnnl::algorithm::resampling_nearest, src_md,
        dst_md);
    Compiled c{dnnl::resampling_forward(dnnl::resampling_forward::primitive_desc(d, dnnl_engine())),
               src_md, dst_md};
    return cache_.emplace(key, std::move(c)).first->second;
  }

  std::unique_ptr<OpKernel> reference_;
  bool legacy_ = false, linear_ = false;
  std::vector<float> scales_attr_;
  int scales_input_ = 2;
  std::string coord_, round_;
  std::map<std::pair<std::vector<int64_t>, std::vector<int64_t>>, Compiled> cache_;
};

}  // namespace

bool resize_dnnl_supports(const KernelInit& init) {
  const Node& n = *init.node;
  if (init.input_types.empty() || init.input_types[0].dtype != DType::kFloat32) return false;
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

std::unique_ptr<OpKernel> create_resize_dnnl(const KernelInit& init) {
  return std::make_unique<ResizeDnnl>(init);
}

}  // namespace trex
