// MaxPool of uint8/int8 tensors on oneDNN (the QDQ lowering moves DequantizeLinear past
// MaxPool, so quantized models pool their 8-bit tensors). Max needs no rescaling and never
// takes a pad, so the result is exact; plain or channels-last as the session decides. Window
// geometry as pool_dnnl.cpp: ceil_mode becomes extra right padding.
#include <map>
#include <tuple>

#include "runtime/dnnl_context.h"
#include "runtime/kernel.h"
#include "runtime/kernels/dnnl_kernels.h"
#include "runtime/kernels/int8_dnnl.h"
#include "runtime/kernels/window_geometry.h"
#include "util/error.h"

namespace trex {

namespace {

using dnnl::memory;

class MaxPoolInt8Dnnl : public OpKernel {
 public:
  explicit MaxPoolInt8Dnnl(const KernelInit& init) : attrs_(read_window_attrs(*init.node)) {}

  void compute(KernelContext& ctx) override {
    const TensorView& x = *ctx.input(0);
    const std::string& label = ctx.node_label();
    if ((x.dtype != DType::kUInt8 && x.dtype != DType::kInt8) || x.rank() < 3 || x.rank() > 5)
      throw_invalid(label + ": input must be uint8/int8 with 1 to 3 spatial dims");
    auto key = std::make_tuple(x.dims, x.dtype, x.channels_last, ctx.output_channels_last(0));
    auto it = cache_.find(key);
    if (it == cache_.end())
      it = cache_
               .emplace(key, compile(x.dims, x.dtype, x.channels_last, ctx.output_channels_last(0),
                                     label))
               .first;
    Compiled& c = it->second;
    TensorView& y = ctx.output(0, x.dtype, c.out_dims);
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
    memory::desc dst_md(to_dnnl_dims(out), dnnl_type(t), tag(dst_cl, out.size()));
    dnnl::pooling_forward::desc d(dnnl::prop_kind::forward_inference, dnnl::algorithm::pooling_max,
                                  src_md, dst_md, strides, kernel, pad_l, pad_r);
    return {dnnl::pooling_forward(dnnl::pooling_forward::primitive_desc(d, dnnl_engine())), src_md,
            dst_md, out};
  }

  WindowAttrs attrs_;
  std::map<std::tuple<std::vector<int64_t>, DType, bool, bool>, Compiled> cache_;
};

}  // namespace

bool max_pool_int8_dnnl_supports(const KernelInit& init) {
  const Node& n = *init.node;
  if (init.input_types.empty()) return false;
  const DType t = init.input_types[0].dtype;
  if (t != DType::kUInt8 && t != DType::kInt8) return false;
  if (n.output(1) && (!n.output(1)->uses().empty() || n.output(1)->is_graph_output()))
    return false;  // Indices
  if (n.attr_int("storage_order", 0) != 0) return false;
  for (int64_t d : n.attr_ints("dilations"))
    if (d != 1) return false;
  return true;
}

std::unique_ptr<OpKernel> create_max_pool_int8_dnnl(const KernelInit& init) {
  return std::make_unique<MaxPoolInt8Dnnl>(init);
}

}  // namespace trex
