// ReduceMean, ReduceSum, ReduceMax and ReduceMin on oneDNN's reduction (f32). Axes come from
// the attribute or the optional axes input, as in the reference kernel. Neighbouring axes that
// are both reduced or both kept are merged, so any rank becomes a short plain tensor; keepdims
// only changes the output's dims, not its bytes. Primitives are cached per merged shape. Empty
// tensors, noop_with_empty_axes, more than five merged dims and bad axes go to the reference
// kernel, which computes them or reports the error.
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

constexpr size_t kMaxMergedRank = 5;

dnnl::algorithm algorithm_of(const std::string& op) {
  if (op == "ReduceMean") return dnnl::algorithm::reduction_mean;
  if (op == "ReduceMax") return dnnl::algorithm::reduction_max;
  if (op == "ReduceMin") return dnnl::algorithm::reduction_min;
  return dnnl::algorithm::reduction_sum;
}

class ReduceDnnl : public OpKernel {
 public:
  explicit ReduceDnnl(const KernelInit& init)
      : alg_(algorithm_of(init.node->op_type())),
        keepdims_(init.node->attr_int("keepdims", 1) != 0),
        noop_with_empty_axes_(init.node->attr_int("noop_with_empty_axes", 0) != 0),
        axes_attr_(init.node->attr_ints("axes", {})),
        reference_(create_reduce_ref(init)) {}

  void compute(KernelContext& ctx) override {
    const TensorView& x = *ctx.input(0);
    std::vector<int64_t> axes = axes_attr_;
    if (const TensorView* a = ctx.input(1)) {
      if (a->dtype != DType::kInt64 && a->dtype != DType::kInt32) return reference_->compute(ctx);
      axes = read_int64s(*a, ctx.node_label(), "axes");
    }
    if (x.dtype != DType::kFloat32 || x.numel() == 0 || x.rank() == 0 ||
        (axes.empty() && noop_with_empty_axes_))
      return reference_->compute(ctx);
    const int64_t rank = static_cast<int64_t>(x.rank());
    std::vector<bool> reduced(x.rank(), axes.empty());
    for (int64_t a : axes) {
      if (a < -rank || a >= rank) return reference_->compute(ctx);
      size_t ax = static_cast<size_t>(a < 0 ? a + rank : a);
      if (reduced[ax]) return reference_->compute(ctx);  // repeated: the reference says so
      reduced[ax] = true;
    }
    std::vector<int64_t> src_dims, dst_dims, out_dims;
    bool last_reduced = false;
    for (size_t i = 0; i < x.rank(); ++i) {
      if (i > 0 && reduced[i] == last_reduced) {
        src_dims.back() *= x.dims[i];
      } else {
        src_dims.push_back(x.dims[i]);
        dst_dims.push_back(1);
      }
      if (!reduced[i]) dst_dims.back() = src_dims.back();
      last_reduced = reduced[i];
      if (!reduced[i] || keepdims_) out_dims.push_back(reduced[i] ? 1 : x.dims[i]);
    }
    if (src_dims.size() > kMaxMergedRank) return reference_->compute(ctx);
    Compiled& c = compiled_for(src_dims, dst_dims);
    TensorView& y = ctx.output(0, DType::kFloat32, out_dims);
    memory src(c.src_md, dnnl_engine(), x.data), dst(c.dst_md, dnnl_engine(), y.data);
    c.prim.execute(dnnl_stream(), {{DNNL_ARG_SRC, src}, {DNNL_ARG_DST, dst}});
    dnnl_stream().wait();
  }

 private:
  struct Compiled {
    dnnl::reduction prim;
    memory::desc src_md, dst_md;
  };

  Compiled& compiled_for(const std::vector<int64_t>& src_dims,
                         const std::vector<int64_t>& dst_dims) {
    auto key = std::make_pair(src_dims, dst_dims);
    auto it = cache_.find(key);
    if (it != cache_.end()) return it->second;
    memory::desc src_md(to_dnnl_dims(src_dims), memory::data_type::f32, plain_tag(src_dims.size()));
    memory::desc dst_md(to_dnnl_dims(dst_dims), memory::data_type::f32, plain_tag(dst_dims.size()));
    dnnl::reduction::desc d(alg_, src_md, dst_md, 0.0f, 0.0f);
    Compiled c{dnnl::reduction(dnnl::reduction::primitive_desc(d, dnnl_engine())), src_md, dst_md};
    return cache_.emplace(key, std::move(c)).first->second;
  }

  dnnl::algorithm alg_;
  bool keepdims_, noop_with_empty_axes_;
  std::vector<int64_t> axes_attr_;
  std::unique_ptr<OpKernel> reference_;
  std::map<std::pair<std::vector<int64_t>, std::vector<int64_t>>, Compiled> cache_;
};

}  // namespace

bool reduce_dnnl_supports(const KernelInit& init) {
  return !init.input_types.empty() && init.input_types[0].dtype == DType::kFloat32;
}

std::unique_ptr<OpKernel> create_reduce_dnnl(const KernelInit& init) {
  return std::make_unique<ReduceDnnl>(init);
}

}  // namespace trex
