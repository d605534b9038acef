// Folds an inference-mode BatchNormalization into the Conv, Gemm or MatMul before it:
//   y = (x*W + b - mean) * s + beta,  s = gamma / sqrt(var + eps)
//   => W' = W * s (per output channel), b' = (b - mean) * s + beta.
// Applies when the producer's output feeds only the BN, its weights are f32 constants and
// the BN parameters are f32 constants.
#include <cmath>

#include "passes/passes.h"
#include "util/error.h"

namespace trex {

namespace {

bool is_f32_constant(const Value* v) {
  return v && v->is_constant() && v->dtype() == DType::kFloat32;
}

class FoldBatchNorm : public LocalRewrite {
 public:
  std::string name() const override { return "fold_batch_norm"; }
  std::vector<std::string> op_types() const override { return {"BatchNormalization"}; }

  bool match(const Graph& g, const Node& bn) const override {
    // Inference mode only. From opset 14 the training_mode attribute says so; before it the
    // outputs do: listing the running/saved statistics (5 outputs) means training, which
    // normalizes with batch statistics and must not be folded.
    if (bn.attr_int("training_mode", 0) != 0) return false;
    for (size_t i = 1; i < bn.num_outputs(); ++i) {
      Value* extra = bn.output(i);
      if (!extra) continue;
      if (g.opset() < 14 || !extra->uses().empty() || extra->is_graph_output()) return false;
    }
    for (size_t i = 1; i <= 4; ++i)
      if (!is_f32_constant(bn.input(i)) || bn.input(i)->constant().rank() != 1) return false;
    Value* x = bn.input(0);
    Node* p = x ? x->producer() : nullptr;
    if (!p || x->uses().size() != 1 || x->is_graph_output() || !p->domain().empty()) return false;
    int64_t channels = bn.input(1)->constant().numel();
    if (channels == 0) return false;
    for (size_t i = 2; i <= 4; ++i)
      if (bn.input(i)->constant().numel() != channels) return false;
    if (!is_f32_constant(p->input(1))) return false;
    const Tensor& w = p->input(1)->constant();
    if (p->op_type() == "Conv") {
      if (w.rank() < 3 || w.dims()[0] != channels) return false;
      return !p->input(2) ||
             (is_f32_constant(p->input(2)) && p->input(2)->constant().numel() == channels);
    }
    if (p->op_type() == "Gemm") {
      // Channel axis of the BN is axis 1 of the 2-D Gemm output: the N columns.
      if (w.rank() != 2 || p->attr_int("transA", 0) != 0) return false;
      int64_t n = p->attr_int("transB", 0) ? w.dims()[0] : w.dims()[1];
      if (n != channels) return false;
      Value* c = p->input(2);
      return !c || (is_f32_constant(c) &&
                    (c->constant().numel() == channels || c->constant().numel() == 1) &&
                    c->constant().rank() <= 2 &&
                    (c->constant().rank() < 2 || c->constant().dims()[0] == 1));
    }
    if (p->op_type() == "MatMul") {
      // Only 2-D outputs, where the BN channel axis is the last (column) axis.
      const Shape* s = x->shape();
      return w.rank() == 2 && w.dims()[1] == channels && s && s->rank() == 2;
    }
    return false;
  }

  void rewrite(Graph& g, Node& bn) override {
    Node* p = bn.input(0)->producer();
    const Tensor& gamma = bn.input(1)->constant();
    const Tensor& beta = bn.input(2)->constant();
    const Tensor& mean = bn.input(3)->constant();
    const Tensor& var = bn.input(4)->constant();
    const float eps = bn.attr_float("epsilon", 1e-5f);
    const int64_t channels = gamma.numel();
    std::vector<float> scale(static_cast<size_t>(channels));
    for (int64_t c = 0; c < channels; ++c)
      scale[c] = gamma.data<float>()[c] / std::sqrt(var.data<float>()[c] + eps);

    Tensor w = p->input(1)->constant();
    float* wd = w.mutable_data<float>();
    const std::string& op = p->op_type();
    if (op == "Conv") {  // [Cout, Cin/g, k...]: scale each output filter
      int64_t per = w.numel() / channels;
      for (int64_t c = 0; c < channels; ++c)
        for (int64_t i = 0; i < per; ++i) wd[c * per + i] *= scale[c];
    } else {
      bool rows = op == "Gemm" && p->attr_int("transB", 0) != 0;  // [N, K]
      int64_t r = w.dims()[0], k = w.dims()[1];
      for (int64_t i = 0; i < r; ++i)
        for (int64_t j = 0; j < k; ++j) wd[i * k + j] *= scale[rows ? i : j];
    }
    float alpha = op == "Gemm" ? p->attr_float("alpha", 1.0f) : 1.0f;
    float beta_gemm = op == "Gemm" ? p->attr_float("beta", 1.0f) : 1.0f;
    if (op == "Gemm" && alpha != 1.0f) {  // fold alpha into W too
      for (int64_t i = 0; i < w.numel(); ++i) wd[i] *= alpha;
      p->remove_attr("alpha");
    }
    Tensor bias(DType::kFloat32, {channels});
    float* bd = bias.mutable_data<float>();
    Value* old_bias = op == "MatMul" ? nullptr : p->input(2);
    for (int64_t c = 0; c < channels; ++c) {
      float b = 0.0f;
      if (old_bias) {
        const Tensor& ob = old_bias->constant();
        b = ob.data<float>()[ob.numel() == 1 ? 0 : c] * beta_gemm;
      }
      bd[c] = (b - mean.data<float>()[c]) * scale[c] + beta.data<float>()[c];
    }

    const std::string& wname = p->input(1)->name();
    p->set_input(1, g.add_constant(wname + "_bnfolded", std::move(w)));
    Value* new_bias = g.add_constant(p->name() + "_bias_bnfolded", std::move(bias));
    if (op == "MatMul") {
      // MatMul has no bias input: the folded shift becomes an Add after it.
      Node* add = g.add_node("Add", {bn.input(0), new_bias}, 1, bn.name() + "_shift");
      add->output(0)->set_type(bn.input(0)->type());
      bypass_or_rename(g, bn, add->output(0));
      return;
    }
    if (p->num_inputs() < 3)
      p->add_input(new_bias);
    else
      p->set_input(2, new_bias);
    if (op == "Gemm") p->remove_attr("beta");
    bypass_or_rename(g, bn, bn.input(0));
  }

 private:
  /// Replaces the BN by `v`; when the BN output is a graph output, `v` takes its name.
  static void bypass_or_rename(Graph& g, Node& bn, Value* v) {
    bool ok = bypass_node(g, &bn, 0, v);
    TREX_ASSERT(ok);
  }
};

}  // namespace

std::unique_ptr<GraphPass> make_fold_batch_norm() {
  return std::make_unique<RewritePass>(std::make_unique<FoldBatchNorm>());
}

}  // namespace trex
