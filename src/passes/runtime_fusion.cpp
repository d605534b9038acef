// Helpers shared by the runtime fusion passes (see runtime_fusion.h).
#include "passes/runtime_fusion.h"

#include "util/error.h"

namespace trex {

Node* make_fused(Graph& g, Node* conv, const char* fused_op) {
  TREX_ASSERT((conv->op_type() == "Conv" || conv->op_type() == "Gemm") && conv->num_outputs() == 1);
  Node* fused = g.add_node(fused_op, conv->inputs(), 1, conv->name() + "_fused", kTrexDomain);
  for (const auto& [k, a] : conv->attrs()) fused->set_attr(k, a);
  fused->output(0)->set_type(conv->output(0)->type());
  Value* old_out = conv->output(0);
  std::string name = old_out->name();
  g.replace_all_uses(old_out, fused->output(0));
  g.remove_node(conv);
  g.rename_value(fused->output(0), name);  // values, graph outputs above all, keep their names
  return fused;
}

void keep_name(Graph& g, Value* fused, const std::string& name) {
  if (fused->name() != name && !g.find_value(name)) g.rename_value(fused, name);
}

}  // namespace trex
