// Graph summary (see model_summary.h).
#include "ir/model_summary.h"

namespace trex {

namespace {

/// The dims of `v` with a symbolic leading (batch) dim counted as 1; empty when any other
/// dim is not static.
std::vector<int64_t> dims_per_sample(const Value* v) {
  const Shape* s = v ? v->shape() : nullptr;
  if (!s) return {};
  std::vector<int64_t> d;
  for (size_t i = 0; i < s->rank(); ++i) {
    const Dim& dim = (*s)[i];
    if (dim.is_static())
      d.push_back(dim.value());
    else if (i == 0 && dim.is_symbolic())
      d.push_back(1);
    else
      return {};
  }
  return d.empty() ? std::vector<int64_t>{1} : d;  // a scalar has one element
}

int64_t product(const std::vector<int64_t>& d) {
  int64_t p = 1;
  for (int64_t v : d) p *= v;
  return p;
}

/// MACs of one node (a symbolic batch counted as 1), or -1 when its shapes are unknown.
int64_t node_macs(const Node& n) {
  const std::string& op = n.op_type();
  if (op != "Conv" && op != "ConvTranspose" && op != "Gemm" && op != "MatMul") return 0;
  auto ad = dims_per_sample(n.input(0));
  auto wd = dims_per_sample(n.input(1));
  auto yd = dims_per_sample(n.output(0));
  if (ad.empty() || wd.empty() || yd.empty()) return -1;
  int64_t out_numel = product(yd);
  int64_t w_numel = product(wd);
  if (op == "Conv") return wd[0] == 0 ? 0 : out_numel * (w_numel / wd[0]);
  if (op == "ConvTranspose") return wd[0] == 0 ? 0 : product(ad) * (w_numel / wd[0]);
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
