// trex.QResize on oneDNN's int8 resampling: the 8-bit input interpolated in f32, then one
// linear post-op maps the integer-valued result to the output quantization (or to real
// values for an f32 output) before oneDNN's rounding (ties to even) and saturation:
//   y = (x_scale / y_scale) r + y_zero_point - x_zero_point x_scale / y_scale,
// exact because the interpolation weights sum to one. Plain or channels-last as the session
// decides (computed in the input's layout, then reordered when the output's differs). Where
// oneDNN is not ONNX's Resize exactly (resize_mapping.h), the reference kernel.
#include <map>
#include <tuple>

#include "runtime/dnnl_context.h"
#include "runtime/kernel.h"
#include "runtime/kernels/dnnl_kernels.h"
#include "runtime/kernels/int8_dnnl.h"
#include "runtime/kernels/layout_bridge.h"
#include "runtime/kernels/reference_kernels.h"
#include "runtime/kernels/resize_mapping.h"
#include "util/error.h"

namespace trex {

namespace {

using dnnl::memory;

class QResizeDnnl : public OpKernel {
 public:
  explicit QResizeDnnl(const KernelInit& init)
      : reference_(create_qdequantized_ref(init)),
        mapping_(init),
        x_scale_(init.node->attr_float("x_scale", 0.0f)),
        x_zero_(static_cast<float>(init.node->attr_int("x_zero_point", 0))),
        out_(OutputQuantization::read(*init.node)) {}

  void compute(KernelContext& ctx) override {
    const TensorView& x = *ctx.input(0);
    if (x.dtype != DType::kUInt8 && x.dtype != DType::kInt8)
      throw_invalid(ctx.node_label() + ": X must be uint8/int8");
    std::vector<int64_t> out;
    if (!mapping_.exact(ctx, x, out)) return reference_->compute(ctx);  // reads any layout
    const bool dst_cl = ctx.output_channels_last(0);
    auto key = std::make_tuple(x.dims, out, x.dtype, x.channels_last, dst_cl);
    auto it = cache_.find(key);
    if (it == cache_.end()) it = cache_.emplace(key, compile(x, out, dst_cl)).first;
    Compiled& c = it->second;
    TensorView& y = ctx.output(0, out_.dtype, out);
    c.bridge.execute(c.prim, memory(c.src_md, dnnl_engine(), x.data),
                     memory(c.dst_md, dnnl_engine(), y.data));
  }

  bool accepts_channels_last(size_t input) const override { return input == 0; }
  bool produces_channels_last() const override { return true; }

 private:
  struct Compiled {
    dnnl::resampling_forward prim;
    memory::desc src_md, dst_md;
    LayoutBridge bridge;  ///< the primitive writes in the source's layout
  };

  Compiled compile(const TensorView& x, const std::vector<int64_t>& out, bool dst_cl) const {
    const size_t rank = x.rank();
    memory::desc src_md(to_dnnl_dims(x.dims), dnnl_type(x.dtype),
                        x.channels_last ? channels_last_tag(rank) : plain_tag(rank));
    memory::desc dst_md(to_dnnl_dims(out), dnnl_type(out_.dtype),
                        dst_cl ? channels_last_tag(rank) : plain_tag(rank));
    // The primitive writes in the source's layout (oneDNN's int8 resampling is a slow
    // reference across layouts); a reorder then moves that to dst_md.
    memory::desc mid_md(to_dnnl_dims(out), dnnl_type(out_.dtype),
                        x.channels_last ? channels_last_tag(rank) : plain_tag(rank));
    const float alpha = out_.quantized() ? x_scale_ / out_.scale : x_scale_;
    const float beta = (out_.quantized() ? out_.zero_point : 0.0f) - x_zero_ * alpha;
    dnnl::post_ops ops;
    ops.append_eltwise(1.0f, dnnl::algorithm::eltwise_linear, alpha, beta);
    dnnl::primitive_attr attr;
    attr.set_post_ops(ops);
    dnnl::resampling_forward::desc d(dnnl::prop_kind::forward_inference,
                                     mapping_.linear() ? dnnl::algorithm::resampling_linear
                                                       : dnnl::algorithm::resampling_nearest,
                                     src_md, mid_md);
    Compiled c;
    c.prim = dnnl::resampling_forward(
        dnnl::resampling_forward::primitive_desc(d, attr, dnnl_engine()));
    c.src_md = src_md;
    c.dst_md = dst_md;
    c.bridge = LayoutBridge(mid_md, dst_md);
    return c;
  }

  std::unique_ptr<OpKernel> reference_;
  ResizeMapping mapping_;
  float x_scale_, x_zero_;
  OutputQuantization out_;
  std::map<std::tuple<std::vector<int64_t>, std::vector<int64_t>, DType, bool, bool>, Compiled>
      cache_;
};

}  // namespace

bool qresize_dnnl_supports(const KernelInit& init) {
  return ResizeMapping::attributes_supported(init);
}

std::unique_ptr<OpKernel> create_qresize_dnnl(const KernelInit& init) {
  return std::make_unique<QResizeDnnl>(init);
}

}  // namespace trex
