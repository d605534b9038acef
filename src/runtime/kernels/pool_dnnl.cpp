// MaxPool, AveragePool, GlobalAveragePool and GlobalMaxPool on oneDNN (f32, 1-D to 3-D
// spatial, plain or channels-last activations). Window geometry (pads, auto_pad, ceil_mode) comes
// from the shared window_geometry helper, so it matches the reference kernels exactly; ceil_mode
// becomes extra right padding, which oneDNN never counts for max or for averages that exclude pads.
#include <map>
#include <tuple>

#include "runtime/dnnl_context.h"
#include "runtime/kernel.h"
#include "runtime/kernels/dnnl_kernels.h"
#include "runtime/kernels/window_geometry.h"
#include "util/error.h"

namespace trex {

namespace {

using dnnl::memory;

class PoolDnnl : public OpKernel {
 public:
  explicit PoolDnnl(const KernelInit& init)
      : global_(init.node->op_type().rfind("Global", 0) == 0),
        max_(init.node->op_type().find("Max") != std::string::npos),
        include_pad_(init.node->attr_int("count_include_pad", 0) != 0) {
    if (!global_) attrs_ = read_window_attrs(*init.node);
  }

  void compute(KernelContext& ctx) override {
    const TensorView& x = *ctx.input(0);
    const std::string& label = ctx.node_label();
    if (x.dtype != DType::kFloat32 || x.rank() < 3 || x.rank() > 5)
      throw_invalid(label + ": input must be f32 with 1 to 3 spatial dims");
    Compiled& c = compiled_for(x.dims, x.channels_last, ctx.output_channels_last(0), label);
    TensorView& y = ctx.output(0, DType::kFloat32, c.out_dims);
    memory src(c.src_md, dnnl_engine(), x.data), dst(c.dst_md, dnnl_engine(), y.data);
    c.prim.execute(dnnl_stream(), {{DNNL_ARG_SRC, src}, {DNNL_ARG_DST, dst}});
    dnnl_stream().wait();
  }

  bool accepts_channels_last(size_t input) const override { return input == 0; }
  bool produces_channels_last() const override { return true; }

 private:
  struct Compiled {
    dnnl::pooling_forward prim;
    memory::desc src_md, dst_md;
    std::vector<int64_t> out_dims;
  };

  Compiled& compiled_for(const std::vector<int64_t>& in, bool src_cl, bool dst_cl,
                         const std::string& label) {
    auto key = std::make_tuple(in, src_cl, dst_cl);
    auto it = cache_.find(key);
    if (it != cache_.end()) return it->second;
    std::vector<int64_t> spatial(in.begin() + 2, in.end());
    std::vector<WindowAxis> axes;
    if (global_) {
      for (int64_t d : spatial) axes.push_back(WindowAxis{d, 1, d, 1, 1, 0, 0});
    } else {
      if (attrs_.kernel_shape.size() != spatial.size())
        throw_invalid(label + ": kernel_shape has " + std::to_string(attrs_.kernel_shape.size()) +
                      " dims, the input has " + std::to_string(spatial.size()) + " spatial dims");
      axes = resolve_window(attrs_, spatial, attrs_.kernel_shape, label);
    }
    memory::dims strides, kernel, pad_l, pad_r;
    std::vector<int64_t> out = {in[0], in[1]};
    for (const WindowAxis& a : axes) {
      strides.push_back(a.stride);
      kernel.push_back(a.kernel);
      pad_l.push_back(a.pad_begin);
      // ceil_mode windows may end past the explicit end pad: pad to where the last ends.
      pad_r.push_back(std::max(a.pad_end, (a.out - 1) * a.stride + a.kernel - a.in - a.pad_begin));
      out.push_back(a.out);
    }
    memory::desc src_md(to_dnnl_dims(in), memory::data_type::f32,
                        src_cl ? channels_last_tag(in.size()) : plain_tag(in.size()));
    // With a 1x1 output (global pooling) both layouts are the same bytes: take the source's,
    // which keeps oneDNN on its fast same-layout path.
    bool unit_out = true;
    for (size_t i = 2; i < out.size(); ++i) unit_out = unit_out && out[i] == 1;
    bool out_cl = unit_out ? src_cl : dst_cl;
    memory::desc dst_md(to_dnnl_dims(out), memory::data_type::f32,
                        out_cl ? channels_last_tag(out.size()) : plain_tag(out.size()));
    auto alg = max_           ? dnnl::algorithm::pooling_max
               : include_pad_ ? dnnl::algorithm::pooling_avg_include_padding
                              : dnnl::algorithm::pooling_avg_exclude_padding;
    dnnl::pooling_forward::desc d(dnnl::prop_kind::forward_inference, alg, src_md, dst_md, strides,
                                  kernel, pad_l, pad_r);
    Compiled c{dnnl::pooling_forward(dnnl::pooling_forward::primitive_desc(d, dnnl_engine())),
               src_md, dst_md, out};
    return cache_.emplace(key, std::move(c)).first->second;
  }

  bool global_, max_, include_pad_;
  WindowAttrs attrs_;
  std::map<std::tuple<std::vector<int64_t>, bool, bool>, Compiled> cache_;
};

}  // namespace

bool pool_dnnl_supports(const KernelInit& init) {
  const Node& n = *init.node;
  if (init.input_types.empty() || init.input_types[0].dtype != DType::kFloat32) return false;
  if (n.op_type() == "MaxPool") {
    if (n.output(1) && (!n.output(1)->uses().empty() || n.output(1)->is_graph_output()))
      return false;  // Indices
    if (n.attr_int("storage_order", 0) != 0) return false;
  }
  for (int64_t d : n.attr_ints("dilations"))
    if (d != 1) return false;
  // oneDNN would count the ceil_mode extension as padding in an include-pad average.
  if (n.op_type() == "AveragePool" && n.attr_int("count_include_pad", 0) &&
      n.attr_int("ceil_mode", 0))
    return false;
  return true;
}

std::unique_ptr<OpKernel> create_pool_dnnl(const KernelInit& init) {
  return std::make_unique<PoolDnnl>(init);
}

}  // namespace trex
