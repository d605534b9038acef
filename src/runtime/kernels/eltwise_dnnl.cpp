// Unary elementwise ops on oneDNN's eltwise primitive (f32): Relu, LeakyRelu, Elu, Sigmoid,
// Tanh, HardSwish, HardSigmoid (linear, then clip), Clip with constant bounds, Exp, Sqrt, Abs,
// Round (halves to even, as the reference) and Neg (linear -1, 0). Log and Softplus stay with
// the reference: oneDNN 2.6's log loses relative accuracy near 1 (7e-5) and its soft_relu
// returns -2e-6 for large negative inputs.
// Elementwise ops do not care about layout: the data runs as one flat vector, and only when
// the input and output layouts differ is the input first reordered into the output.
#include <cmath>
#include <limits>
#include <map>
#include <tuple>

#include "runtime/dnnl_context.h"
#include "runtime/kernel.h"
#include "runtime/kernels/dnnl_kernels.h"
#include "util/error.h"

namespace trex {

namespace {

using dnnl::memory;

/// One eltwise primitive of the chain an op becomes.
struct EltStep {
  dnnl::algorithm alg;
  float alpha = 0, beta = 0;
};

/// Clip's bounds from its attributes (opset < 11) or constant inputs; false when an input
/// bound is not a constant f32 scalar.
bool clip_bounds(const KernelInit& init, float& lo, float& hi) {
  lo = -std::numeric_limits<float>::max();
  hi = std::numeric_limits<float>::max();
  if (init.opset < 11) {
    lo = init.node->attr_float("min", lo);
    hi = init.node->attr_float("max", hi);
    return true;
  }
  for (size_t i = 1; i < 3; ++i) {
    if (i >= init.input_types.size() || init.input_types[i].dtype == DType::kUndefined) continue;
    const Tensor* t = init.constant(i);
    if (!t || t->dtype() != DType::kFloat32 || t->numel() != 1) return false;
    (i == 1 ? lo : hi) = t->data<float>()[0];
  }
  return true;
}

/// The eltwise chain of the node's op, or an empty list when oneDNN does not do it exactly.
std::vector<EltStep> steps_for(const KernelInit& init) {
  using alg = dnnl::algorithm;
  const Node& n = *init.node;
  const std::string& op = n.op_type();
  if (op == "Relu") return {{alg::eltwise_relu}};
  if (op == "LeakyRelu") return {{alg::eltwise_relu, n.attr_float("alpha", 0.01f)}};
  if (op == "Elu") return {{alg::eltwise_elu, n.attr_float("alpha", 1.0f)}};
  if (op == "Sigmoid") return {{alg::eltwise_logistic}};
  if (op == "Tanh") return {{alg::eltwise_tanh}};
  if (op == "HardSwish") return {{alg::eltwise_hardswish}};
  if (op == "HardSigmoid")  // oneDNN 2.6 has no hardsigmoid: clip(alpha * x + beta, 0, 1)
    return {{alg::eltwise_linear, n.attr_float("alpha", 0.2f), n.attr_float("beta", 0.5f)},
            {alg::eltwise_clip_v2, 0.0f, 1.0f}};
  if (op == "Clip") {
    float lo, hi;
    // The reference gives min where min > max; oneDNN would give max. Leave that to it.
    if (!clip_bounds(init, lo, hi) || !(lo <= hi)) return {};
    return {{alg::eltwise_clip_v2, lo, hi}};
  }
  if (op == "Exp") return {{alg::eltwise_exp}};
  if (op == "Sqrt") return {{alg::eltwise_sqrt}};
  if (op == "Abs") return {{alg::eltwise_abs}};
  if (op == "Round") return {{alg::eltwise_round}};  // nearbyint: halves to even
  if (op == "Neg") return {{alg::eltwise_linear, -1.0f, 0.0f}};
  return {};
}

class EltwiseDnnl : public OpKernel {
 public:
  explicit EltwiseDnnl(const KernelInit& init) : steps_(steps_for(init)) {
    if (steps_.empty())
      throw_unsupported(init.node->describe() + ": not supported by the oneDNN eltwise kernel");
  }

  void compute(KernelContext& ctx) override {
    const TensorView* x = ctx.input(0);
    const std::string& label = ctx.node_label();
    if (!x || x->dtype != DType::kFloat32)
      throw_invalid(label + ": input must be f32 (the oneDNN kernel was chosen for f32)");
    bool out_cl = ctx.output_channels_last(0);
    TensorView& y = ctx.output(0, DType::kFloat32, x->dims);
    int64_t n = x->numel();
    if (n == 0) return;
    // A channels-last flag only changes the bytes of a rank 3-5 tensor.
    bool layouts_differ = x->channels_last != out_cl && x->rank() >= 3 && x->rank() <= 5;
    void* src = x->data;
    if (layouts_differ) {
      Reorder& r = reorder_for(x->dims, x->channels_last, out_cl);
      memory from(r.from, dnnl_engine(), x->data), to(r.to, dnnl_engine(), y.data);
      r.prim.execute(dnnl_stream(), from, to);
      src = y.data;  // the chain then runs in place
    }
    std::vector<dnnl::eltwise_forward>& chain = chain_for(n);
    memory::desc flat({n}, memory::data_type::f32, memory::format_tag::a);
    memory dst(flat, dnnl_engine(), y.data);
    for (size_t i = 0; i < chain.size(); ++i) {
      memory s = i == 0 ? memory(flat, dnnl_engine(), src) : dst;
      chain[i].execute(dnnl_stream(), {{DNNL_ARG_SRC, s}, {DNNL_ARG_DST, dst}});
    }
    dnnl_stream().wait();
  }

  bool accepts_channels_last(size_t input) const override { return input == 0; }
  bool produces_channels_last() const override { return true; }

 private:
  struct Reorder {
    dnnl::reorder prim;
    memory::desc from, to;
  };

  std::vector<dnnl::eltwise_forward>& chain_for(int64_t n) {
    auto it = chains_.find(n);
    if (it != chains_.end()) return it->second;
    memory::desc flat({n}, memory::data_type::f32, memory::format_tag::a);
    std::vector<dnnl::eltwise_forward> chain;
    for (const EltStep& s : steps_) {
      dnnl::eltwise_forward::desc d(dnnl::prop_kind::forward_inference, s.alg, flat, s.alpha,
                                    s.beta);
      chain.emplace_back(dnnl::eltwise_forward::primitive_desc(d, dnnl_engine()));
    }
    return chains_.emplace(n, std::move(chain)).first->second;
  }

  Reorder& reorder_for(const std::vector<int64_t>& dims, bool src_cl, bool dst_cl) {
    auto key = std::make_tuple(dims, src_cl, dst_cl);
    auto it = reorders_.find(key);
    if (it != reorders_.end()) return it->second;
    auto tag = [&dims](bool cl) {
      return cl ? channels_last_tag(dims.size()) : plain_tag(dims.size());
    };
    memory::desc from(to_dnnl_dims(dims), memory::data_type::f32, tag(src_cl));
    memory::desc to(to_dnnl_dims(dims), memory::data_type::f32, tag(dst_cl));
    Reorder r{dnnl::reorder(dnnl::reorder::primitive_desc(dnnl_engine(), from, dnnl_engine(), to)),
              from, to};
    return reorders_.emplace(key, std::move(r)).first->second;
  }

  std::vector<EltStep> steps_;
  std::map<int64_t, std::vector<dnnl::eltwise_forward>> chains_;
  std::map<std::tuple<std::vector<int64_t>, bool, bool>, Reorder> reorders_;
};

}  // namespace

bool eltwise_dnnl_supports(const KernelInit& init) {
  if (init.input_types.empty() || init.input_types[0].dtype != DType::kFloat32) return false;
  return !steps_for(init).empty();
}

std::unique_ptr<OpKernel> create_eltwise_dnnl(const KernelInit& init) {
  return std::make_unique<EltwiseDnnl>(init);
}

}  // namespace trex
