// Gemm and trex.FusedGemm (Gemm + activation post-op) on oneDNN's matmul (f32):
// Y = act(A * op(B) + C) with B a constant, pre-packed once into
// the layout the implementation prefers, and C (if any) a constant row vector used as the
// bias. M (the batch) may vary; primitives are cached per M. Other forms (transA, alpha or
// beta other than 1, a non-constant or 2-D C) use the reference kernel.
#include <map>

#include "runtime/dnnl_context.h"
#include "runtime/kernel.h"
#include "runtime/kernels/activation.h"
#include "runtime/kernels/dnnl_kernels.h"
#include "util/error.h"

namespace trex {

namespace {

using dnnl::memory;

class GemmDnnl : public OpKernel {
 public:
  explicit GemmDnnl(const KernelInit& init)
      : b_(*init.constant(1)),
        trans_b_(init.node->attr_int("transB", 0) != 0),
        act_(Activation::parse(init.node->attr_string("activation", ""),
                               init.node->attr_floats("activation_params"))) {
    if (const Tensor* c = init.constant(2)) bias_ = *c;
    k_ = trans_b_ ? b_.dims()[1] : b_.dims()[0];
    n_ = trans_b_ ? b_.dims()[0] : b_.dims()[1];
  }

  void compute(KernelContext& ctx) override {
    const TensorView& a = *ctx.input(0);
    if (a.rank() != 2 || a.dtype != DType::kFloat32 || a.dims[1] != k_)
      throw_invalid(ctx.node_label() + ": A must be f32 [M, " + std::to_string(k_) + "], got " +
                    Shape::from_static(a.dims).to_string());
    int64_t m = a.dims[0];
    Compiled& c = compiled_for(m);
    TensorView& y = ctx.output(0, DType::kFloat32, {m, n_});
    memory src({{m, k_}, memory::data_type::f32, memory::format_tag::ab}, dnnl_engine(), a.data);
    memory dst({{m, n_}, memory::data_type::f32, memory::format_tag::ab}, dnnl_engine(), y.data);
    std::unordered_map<int, memory> args = {
        {DNNL_ARG_SRC, src}, {DNNL_ARG_WEIGHTS, c.weights}, {DNNL_ARG_DST, dst}};
    if (!bias_.empty()) args[DNNL_ARG_BIAS] = c.bias;
    c.prim.execute(dnnl_stream(), args);
    dnnl_stream().wait();
  }

 private:
  struct Compiled {
    dnnl::matmul prim;
    memory weights, bias;
  };

  Compiled& compiled_for(int64_t m) {
    auto it = cache_.find(m);
    if (it != cache_.end()) return it->second;
    memory::desc src_md({m, k_}, memory::data_type::f32, memory::format_tag::ab);
    memory::desc w_any({k_, n_}, memory::data_type::f32, memory::format_tag::any);
    memory::desc dst_md({m, n_}, memory::data_type::f32, memory::format_tag::ab);
    memory::desc bias_md({1, n_}, memory::data_type::f32, memory::format_tag::ab);
    auto desc = bias_.empty() ? dnnl::matmul::desc(src_md, w_any, dst_md)
                              : dnnl::matmul::desc(src_md, w_any, bias_md, dst_md);
    dnnl::post_ops ops;  // trex.FusedGemm's activation
    act_.append_to(ops);
    dnnl::primitive_attr attr;
    attr.set_post_ops(ops);
    dnnl::matmul::primitive_desc pd(desc, attr, dnnl_engine());
    Compiled c;
    c.prim = dnnl::matmul(pd);
    // B as given ([K,N], or [N,K] read transposed) into the implementation's layout, once.
    memory::desc w_user_md({k_, n_}, memory::data_type::f32,
                           trans_b_ ? memory::format_tag::ba : memory::format_tag::ab);
    memory w_user(w_user_md, dnnl_engine(), const_cast<uint8_t*>(b_.raw()));
    c.weights = memory(pd.weights_desc(), dnnl_engine());
    dnnl::reorder(w_user, c.weights).execute(dnnl_stream(), w_user, c.weights);
    if (!bias_.empty()) c.bias = memory(bias_md, dnnl_engine(), const_cast<uint8_t*>(bias_.raw()));
    dnnl_stream().wait();
    return cache_.emplace(m, std::move(c)).first->second;
  }

  Tensor b_, bias_;
  bool trans_b_;
  Activation act_;
  int64_t k_, n_;
  std::map<int64_t, Compiled> cache_;
};

}  // namespace

bool gemm_dnnl_supports(const KernelInit& init) {
  const Node& n = *init.node;
  const Tensor* b = init.constant(1);
  if (!b || b->dtype() != DType::kFloat32 || b->rank() != 2) return false;
  if (init.input_types.empty() || init.input_types[0].dtype != DType::kFloat32) return false;
  if (n.attr_int("transA", 0) != 0 || n.attr_float("alpha", 1.0f) != 1.0f) return false;
  if (init.input_types.size() > 2 && init.input_types[2].dtype != DType::kUndefined) {
    const Tensor* c = init.constant(2);
    int64_t cols = n.attr_int("transB", 0) ? b->dims()[0] : b->dims()[1];
    bool row = c && c->dtype() == DType::kFloat32 && c->numel() == cols &&
               (c->rank() == 1 || (c->rank() == 2 && c->dims()[0] == 1));
    if (!row || n.attr_float("beta", 1.0f) != 1.0f) return false;
  }
  return true;
}

std::unique_ptr<OpKernel> create_gemm_dnnl(const KernelInit& init) {
  return std::make_unique<GemmDnnl>(init);
}

}  // namespace trex
