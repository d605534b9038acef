// Resize and Upsample on oneDNN's resampling (f32, plain N x C x 1-3 spatial dims), where
// oneDNN computes ONNX's definition exactly (resize_mapping.h); everything else, decided per
// input shape, goes to the reference kernel.
#include <map>

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
      : reference_(create_resize_ref(init)), mapping_(init) {}

  void compute(KernelContext& ctx) override {
    const TensorView& x = *ctx.input(0);
    std::vector<int64_t> out;
    if (x.dtype != DType::kFloat32 || !mapping_.exact(ctx, x, out)) return reference_->compute(ctx);
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

  Compiled& compiled_for(const std::vector<int64_t>& in, const std::vector<int64_t>& out) {
    auto key = std::make_pair(in, out);
    auto it = cache_.find(key);
    if (it != cache_.end()) return it->second;
    memory::desc src_md(to_dnnl_dims(in), memory::data_type::f32, plain_tag(in.size()));
    memory::desc dst_md(to_dnnl_dims(out), memory::data_type::f32, plain_tag(out.size()));
    dnnl::resampling_forward::desc d(
        dnnl::prop_kind::forward_inference,
        mapping_.linear() ? dnnl::algorithm::resampling_linear : dnnl::algorithm::resampling_nearest, src_md,
        dst_md);
    Compiled c{dnnl::resampling_forward(dnnl::resampling_forward::primitive_desc(d, dnnl_engine())),
               src_md, dst_md};
    return cache_.emplace(key, std::move(c)).first->second;
  }

  std::unique_ptr<OpKernel> reference_;
  ResizeMapping mapping_;
  std::map<std::pair<std::vector<int64_t>, std::vector<int64_t>>, Compiled> cache_;
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
