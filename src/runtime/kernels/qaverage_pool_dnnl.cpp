// trex.QAveragePool on oneDNN's int8 average pooling: the 8-bit window means in f32, then one
// linear post-op maps them to the output quantization before oneDNN's rounding (ties to even)
// and saturation: y = (x_scale / y_scale) m + y_zero_point - x_zero_point x_scale / y_scale.
// Exact for averages over input elements only (the lowering keeps include-pad windows with
// pads out: a pad is a real 0, not the zero point). Plain or channels-last as the session
// decides (computed in the input's layout, then reordered when the output's differs; oneDNN
// is fast channels-last); window geometry as pool_dnnl.cpp. An output type
// oneDNN does not pool to (f32) goes to the reference kernel.
#include <map>
#include <tuple>

#include "runtime/dnnl_context.h"
#include "runtime/kernel.h"
#include "runtime/kernels/dnnl_kernels.h"
#include "runtime/kernels/int8_dnnl.h"
#include "runtime/kernels/layout_bridge.h"
#include "runtime/kernels/reference_kernels.h"
#include "runtime/kernels/window_geometry.h"
#include "util/error.h"

namespace trex {

namespace {

using dnnl::memory;

class QAveragePoolDnnl : public OpKernel {
 public:
  explicit QAveragePoolDnnl(const KernelInit& init)
      : reference_(create_qdequantized_ref(init)),
        attrs_(read_window_attrs(*init.node)),
        include_pad_(init.node->attr_int("count_include_pad", 0) != 0),
        x_scale_(init.node->attr_float("x_scale", 0.0f)),
        x_zero_(static_cast<float>(init.node->attr_int("x_zero_point", 0))),
        out_(OutputQuantization::read(*init.node)) {}

  void compute(KernelContext& ctx) override {
    const TensorView& x = *ctx.input(0);
    const std::string& label = ctx.node_label();
    if ((x.dtype != DType::kUInt8 && x.dtype != DType::kInt8) || x.rank() < 3 || x.rank() > 5)
      throw_invalid(label + ": input must be uint8/int8 with 1 to 3 spatial dims");
    if (!out_.quantized()) return reference_->compute(ctx);  // reads any layout
    const bool dst_cl = ctx.output_channels_last(0);
    auto key = std::make_tuple(x.dims, x.dtype, x.channels_last, dst_cl);
    auto it = cache_.find(key);
    if (it == cache_.end())
      it = cache_.emplace(key, compile(x.dims, x.dtype, x.channels_last, dst_cl, label)).first;
    Compiled& c = it->second;
    TensorView& y = ctx.output(0, out_.dtype, c.out_dims);
    c.bridge.execute(c.prim, memory(c.src_md, dnnl_engine(), x.data),
                     memory(c.dst_md, dnnl_engine(), y.data));
  }

  bool accepts_channels_last(size_t input) const override { return input == 0; }
  bool produces_channels_last() const override { return true; }

 private:
  struct Compiled {
    dnnl::pooling_forward prim;
    memory::desc src_md, dst_md;
    LayoutBridge bridge;  ///< the primitive writes in the source's layout
    std::vector<int64_t> out_dims;
  };

  Compiled compile(const std::vector<int64_t>& in, DType t, bool src_cl, bool dst_cl,
                   const std::string& label) const {
    std::vector<int64_t> spatial(in.begin() + 2, in.end());
    if (attrs_.kernel_shape.size() != spatial.size())
      throw_invalid(label + ": kernel_shape does not match the input's spatial dims");
    std::vector<WindowAxis> axes = resolve_window(attrs_, spatial, attrs_.kernel_shape, label);
    memory::dims strides, kernel, pad_l, pad_r;
    std::vector<int64_t> out = {in[0], in[1]};
    for (const WindowAxis& a : axes) {
      strides.push_back(a.stride);
      kernel.push_back(a.kernel);
      pad_l.push_back(a.pad_begin);
      pad_r.push_back(std::max(a.pad_end, (a.out - 1) * a.stride + a.kernel - a.in - a.pad_begin));
      out.push_back(a.out);
    }
    auto tag = [](bool cl, size_t r) { return cl ? channels_last_tag(r) : plain_tag(r); };
    memory::desc src_md(to_dnnl_dims(in), dnnl_type(t), tag(src_cl, in.size()));
    memory::desc dst_md(to_dnnl_dims(out), dnnl_type(out_.dtype), tag(dst_cl, out.size()));
    // The primitive writes in the source's layout (oneDNN's int8 pooling is a slow reference
    // across layouts); a reorder then moves that to dst_md.
    memory::desc mid_md(to_dnnl_dims(out), dnnl_type(out_.dtype), tag(src_cl, out.size()));
    const float alpha = x_scale_ / out_.scale, beta = out_.zero_point - x_zero_ * alpha;
    dnnl::post_ops ops;
    ops.append_eltwise(1.0f, dnnl::algorithm::eltwise_linear, alpha, beta);
    dnnl::primitive_attr attr;
    attr.set_post_ops(ops);
    dnnl::pooling_forward::desc d(dnnl::prop_kind::forward_inference,
                                  include_pad_ ? dnnl::algorithm::pooling_avg_include_padding
                                               : dnnl::algorithm::pooling_avg_exclude_padding,
                                  src_md, mid_md, strides, kernel, pad_l, pad_r);
    Compiled c;
    c.prim = dnnl::pooling_forward(dnnl::pooling_forward::primitive_desc(d, attr, dnnl_engine()));
    c.src_md = src_md;
    c.dst_md = dst_md;
    c.out_dims = out;
    c.bridge = LayoutBridge(mid_md, dst_md);
    return c;
  }

  std::unique_ptr<OpKernel> reference_;
  WindowAttrs attrs_;
  bool include_pad_;
  float x_scale_, x_zero_;
  OutputQuantization out_;
  std::map<std::tuple<std::vector<int64_t>, DType, bool, bool>, Compiled> cache_;
};

}  // namespace

bool qaverage_pool_dnnl_supports(const KernelInit& init) {
  const Node& n = *init.node;
  for (int64_t d : n.attr_ints("dilations"))
    if (d != 1) return false;
  // oneDNN would count the ceil_mode extension as padding in an include-pad average.
  return !(n.attr_int("count_include_pad", 0) && n.attr_int("ceil_mode", 0));
}

std::unique_ptr<OpKernel> create_qaverage_pool_dnnl(const KernelInit& init) {
  return std::make_unique<QAveragePoolDnnl>(init);
}

}  // namespace trex
