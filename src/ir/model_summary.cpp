// Graph summary (see model_summary.h).
#include "ir/model_summary.h"

namespace trex {

namespace {

/// MACs of one node, or -1 when its shapes are not static.
int64_t node_macs(const Node& n) {
  const std::string& op = n.op_type();
  if (op != "Conv" && op != "ConvTranspose" && op != "Gemm" && op != "MatMul") return 0;
  Value* a = n.input(0);
  Value* w = n.input(1);
  Value* y = n.output(0);
  if (!a || !w || !y || !a->has_static_shape() || !w->has_static_shape() || !y->has_static_shape())
    return -1;
  auto ad = a->shape()->static_dims();
  auto wd = w->shape()->static_dims();
  int64_t out_numel = y->shape()->numel();
  int64_t w_numel = w->shape()->numel();
  if (op == "Conv") return wd.empty() || wd[0] == 0 ? 0 : out_numel * (w_numel / wd[0]);
  if (op == "ConvTranspose")
    return wd.empty() || wd[0] == 0 ? 0 : a->shape()->numel() * (w_numel / wd[0]);
  if (ad.empty()) return 0;
  int64_t k = n.op_type() == "Gemm" && n.attr_int("transA", 0) ? ad[0] : ad.back();
  return out_numel * k;
}

}  // namespace

ModelSummary summarize(const Graph& g) {
  ModelSummary s;
  s.opset = g.opset();
  for (const Value* v : g.inputs()) s.inputs.push_back({v->name(), v->type()});
  for (const Value* v : g.outputs()) s.outputs.push_back({v->name(), v->type()});
  for (const Node* n : g.nodes()) {
    ++s.num_nodes;
    ++s.op_histogram[n->domain().empty() ? n->op_type() : n->domain() + "." + n->op_type()];
    int64_t m = node_macs(*n);
    if (m < 0)
      ++s.macs_unknown_nodes;
    else
      s.macs += m;
  }
  for (const Value* c : g.constants()) {
    s.parameter_count += c->constant().numel();
    s.parameter_bytes += static_cast<int64_t>(c->constant().nbytes());
  }
  return s;
}

}  // namespace trex
