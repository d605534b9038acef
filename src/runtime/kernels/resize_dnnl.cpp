// Resize and Upsample on oneDNN's resampling (f32, N x C x 1-3 spatial dims), where oneDNN
// computes ONNX's definition exactly (resize_mapping.h); everything else, decided per input
// shape, goes to the reference kernel. When that holds for every input (constant scales,
// static spatial dims), activations may be channels-last: the primitive computes in the
// input's layout (oneDNN's resampling across layouts is its slow reference) and a reorder
// moves the result to the output's when that differs.
#include <map>
#include <tuple>

#include "runtime/dnnl_context.h"
#include "runtime/kernel.h"
#include "runtime/kernels/dnnl_kernels.h"
#include "runtime/kernels/reference_kernels.h"
#include "runtime/kernels/resize_mapping.h"
#include "util/error.h"

namespace trex {

namespace {

using dnnl::memory;

class ResizeDnnl : public OpKernel {
 public:
  explicit ResizeDnnl(const KernelInit& init)
      : reference_(create_resize_ref(init)),
        mapping_(init),
        channels_last_(mapping_.exact_for_every_input(init)) {}

  void compute(KernelContext& ctx) override {
    const TensorView& x = *ctx.input(0);
    std::vector<int64_t> out;
    if (x.dtype != DType::kFloat32 || !mapping_.exact(ctx, x, out)) {
      if ((x.channels_last || ctx.output_channels_last(0)) && x.numel() > 0)
        throw_internal(__FILE__, __LINE__, ctx.node_label() + ": channels-last but not exact");
      return reference_->compute(ctx);
    }
    const bool dst_cl = ctx.output_channels_last(0);
    Compiled& c = compiled_for(x.dims, out, x.channels_last, dst_cl);
    TensorView& y = ctx.output(0, DType::kFloat32, out);
    memory src(c.src_md, dnnl_engine(), x.data), dst(c.dst_md, dnnl_engine(), y.data);
    if (!c.bridged) {
      c.prim.execute(dnnl_stream(), {{DNNL_ARG_SRC, src}, {DNNL_ARG_DST, dst}});
    } else {
      scratch_.resize(c.mid_md.get_size() / sizeof(float) + 1);
      memory mid(c.mid_md, dnnl_engine(), scratch_.data());
      c.prim.execute(dnnl_stream(), {{DNNL_ARG_SRC, src}, {DNNL_ARG_DST, mid}});
      c.to_dst.execute(dnnl_stream(), mid, dst);
    }
    dnnl_stream().wait();
  }

  bool accepts_channels_last(size_t input) const override { return input == 0 && channels_last_; }
  bool produces_channels_last() const override { return channels_last_; }

 private:
  struct Compiled {
    dnnl::resampling_forward prim;
    memory::desc src_md, dst_md;
    bool bridged = false;  ///< dst in the other layout: the primitive writes mid_md first
    memory::desc mid_md;
    dnnl::reorder to_dst;
  };

  Compiled& compiled_for(const std::vector<int64_t>& in, const std::vector<int64_t>& out,
                         bool src_cl, bool dst_cl) {
    auto key = std::make_tuple(in, out, src_cl, dst_cl);
    auto it = cache_.find(key);
    if (it != cache_.end()) return it->second;
    auto tag = [](bool cl, size_t r) { return cl ? channels_last_tag(r) : plain_tag(r); };
    Compiled c;
    c.src_md = memory::desc(to_dnnl_dims(in), memory::data_type::f32, tag(src_cl, in.size()));
    c.dst_md = memory::desc(to_dnnl_dims(out), memory::data_type::f32, tag(dst_cl, out.size()));
    memory::desc mid_md(to_dnnl_dims(out), memory::data_type::f32, tag(src_cl, out.size()));
    dnnl::resampling_forward::desc d(dnnl::prop_kind::forward_inference,
                                     mapping_.linear() ? dnnl::algorithm::resampling_linear
                                                       : dnnl::algorithm::resampling_nearest,
                                     c.src_md, mid_md);
    c.prim = dnnl::resampling_forward(dnnl::resampling_forward::primitive_desc(d, dnnl_engine()));
    if (src_cl != dst_cl) {
      c.bridged = true;
      c.mid_md = mid_md;
      c.to_dst = dnnl::reorder(memory(mid_md, dnnl_engine(), nullptr),
                               memory(c.dst_md, dnnl_engine(), nullptr));
    }
    return cache_.emplace(key, std::move(c)).first->second;
  }

  std::unique_ptr<OpKernel> reference_;
  ResizeMapping mapping_;
  bool channels_last_;
  std::map<std::tuple<std::vector<int64_t>, std::vector<int64_t>, bool, bool>, Compiled> cache_;
  std::vector<float> scratch_;
};

}  // namespace

bool resize_dnnl_supports(const KernelInit& init) {
  return !init.input_types.empty() && init.input_types[0].dtype == DType::kFloat32 &&
         ResizeMapping::attributes_supported(init);
}

std::unique_ptr<OpKernel> create_resize_dnnl(const KernelInit& init) {
  return std::make_unique<ResizeDnnl>(init);
}

}  // namespace trex
