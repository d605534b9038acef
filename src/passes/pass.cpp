// Drivers and helpers shared by the passes.
#include "passes/pass.h"

#include <algorithm>
#include <unordered_set>

#include "util/error.h"

namespace trex {

bool RewritePass::run(Graph& g) {
  std::vector<std::string> types = rewrite_->op_types();
  std::unordered_set<std::string> targets(types.begin(), types.end());
  bool changed = false;
  // Rewrites only remove the matched node or earlier ones, so later entries stay valid.
  for (Node* n : g.topological_order()) {
    if (!targets.count(n->op_type()) || !n->domain().empty()) continue;
    if (!rewrite_->match(g, *n)) continue;
    rewrite_->rewrite(g, *n);
    changed = true;
  }
  return changed;
}

void replace_node_with_constants(Graph& g, Node* n, std::vector<Tensor> values) {
  TREX_ASSERT(values.size() == n->num_outputs());
  std::vector<std::pair<Value*, std::string>> renames;
  for (size_t i = 0; i < values.size(); ++i) {
    Value* out = n->output(i);
    if (!out) continue;
    Value* c = g.add_constant(g.unique_value_name(out->name() + "_const"), std::move(values[i]));
    g.replace_all_uses(out, c);
    renames.emplace_back(c, out->name());
  }
  g.remove_node(n);
  for (auto& [c, name] : renames) g.rename_value(c, name);
}

bool bypass_node(Graph& g, Node* n, size_t out_index, Value* replacement) {
  Value* out = n->output(out_index);
  TREX_ASSERT(out && replacement && out != replacement);
  for (size_t i = 0; i < n->num_outputs(); ++i)
    if (i != out_index && n->output(i) &&
        (!n->output(i)->uses().empty() || n->output(i)->is_graph_output()))
      return false;
  std::string moved_name;
  if (out->is_graph_output()) {
    // The model's interface keeps its names: the replacement takes the output's name,
    // which only works for a node output that is not itself an interface value.
    if (!replacement->producer() || replacement->is_graph_output()) return false;
    moved_name = out->name();
  }
  if (!moved_name.empty() && out->shape() && !replacement->shape())
    replacement->set_type(out->type());  // keep what the interface declared
  g.replace_all_uses(out, replacement);
  g.remove_node(n);
  if (!moved_name.empty()) g.rename_value(replacement, moved_name);
  return true;
}

bool same_known_shape(const Value* a, const Value* b) {
  if (!a || !b || !a->shape() || !b->shape() || *a->shape() != *b->shape()) return false;
  const Shape& s = *a->shape();
  for (size_t i = 0; i < s.rank(); ++i)
    if (!s[i].is_static() && !s[i].is_symbolic()) return false;
  return true;
}

}  // namespace trex
