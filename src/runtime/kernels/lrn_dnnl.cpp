// LRN on oneDNN (f32, lrn_across_channels, odd size). Both define the window sum scaled by
// alpha / size, so ONNX's alpha passes through unchanged; for an even size the windows differ
// (ONNX reaches one channel further up), which the reference kernel handles. Any N x C x ...
// input is viewed as 4-D [N, C, prod(spatial), 1], plain or channels-last; when the session
// wants the output in the other layout the input is reordered first.
#include <map>
#include <tuple>

#include "runtime/dnnl_context.h"
#include "runtime/kernel.h"
#include "runtime/kernels/dnnl_kernels.h"
#include "util/error.h"

namespace trex {

namespace {

using dnnl::memory;

class LrnDnnl : public OpKernel {
 public:
  explicit LrnDnnl(const KernelInit& init)
      : size_(init.node->attr_int("size", 1)),
        alpha_(init.node->attr_float("alpha", 1e-4f)),
        beta_(init.node->attr_float("beta", 0.75f)),
        bias_(init.node->attr_float("bias", 1.0f)) {}

  void compute(KernelContext& ctx) override {
    const std::string& label = ctx.node_label();
    const TensorView& x = *ctx.input(0);
    if (x.dtype != DType::kFloat32 || x.rank() < 2)
      throw_invalid(label + ": X must be f32 N x C x ... (at least 2 dims), got " +
                    Shape::from_static(x.dims).to_string());
    bool dst_cl = ctx.output_channels_last(0);
    TensorView& y = ctx.output(0, DType::kFloat32, x.dims);
    if (x.numel() == 0) return;
    int64_t plane = 1;
    for (size_t i = 2; i < x.rank(); ++i) plane *= x.dims[i];
    Compiled& c = compiled_for({x.dims[0], x.dims[1], plane, 1}, x.channels_last, dst_cl);
    memory src(c.src_md, dnnl_engine(), x.data), dst(c.dst_md, dnnl_engine(), y.data);
    if (x.channels_last != dst_cl) {  // oneDNN's LRN keeps the layout: convert first
      dnnl::reorder(src, c.staging).execute(dnnl_stream(), src, c.staging);
      src = c.staging;
    }
    c.prim.execute(dnnl_stream(), {{DNNL_ARG_SRC, src}, {DNNL_ARG_DST, dst}});
    dnnl_stream().wait();
  }

  bool accepts_channels_last(size_t input) const override { return input == 0; }
  bool produces_channels_last() const override { return true; }

 private:
  struct Compiled {
    dnnl::lrn_forward prim;
    memory::desc src_md, dst_md;
    memory staging;  // the input in the output's layout, when they differ
  };

  Compiled& compiled_for(const std::vector<int64_t>& dims, bool src_cl, bool dst_cl) {
    auto key = std::make_tuple(dims, src_cl, dst_cl);
    auto it = cache_.find(key);
    if (it != cache_.end()) return it->second;
    // [N, C, P, 1]: acdb is N, P, 1, C, the same bytes as any channels-last N x C x ... tensor.
    auto tag = [](bool cl) { return cl ? memory::format_tag::acdb : memory::format_tag::abcd; };
    Compiled c;
    c.src_md = memory::desc(to_dnnl_dims(dims), memory::data_type::f32, tag(src_cl));
    c.dst_md = memory::desc(to_dnnl_dims(dims), memory::data_type::f32, tag(dst_cl));
    dnnl::lrn_forward::desc d(dnnl::prop_kind::forward_inference,
                              dnnl::algorithm::lrn_across_channels, c.dst_md, size_, alpha_, beta_,
                              bias_);
    c.prim = dnnl::lrn_forward(dnnl::lrn_forward::primitive_desc(d, dnnl_engine()));
    if (src_cl != dst_cl) c.staging = memory(c.dst_md, dnnl_engine());
    return cache_.emplace(key, std::move(c)).first->second;
  }

  int64_t size_;
  float alpha_, beta_, bias_;
  std::map<std::tuple<std::vector<int64_t>, bool, bool>, Compiled> cache_;
};

}  // namespace

bool lrn_dnnl_supports(const KernelInit& init) {
  const Node& n = *init.node;
  if (init.input_types.empty() || init.input_types[0].dtype != DType::kFloat32) return false;
  if (!n.has_attr("size")) return false;  // the reference kernel reports it
  int64_t size = n.attr_int("size", 1);
  return size > 0 && size % 2 == 1;
}

std::unique_ptr<OpKernel> create_lrn_dnnl(const KernelInit& init) {
  return std::make_unique<LrnDnnl>(init);
}

}  // namespace trex
