// Structural checks of a Graph (see verifier.h).
#include "ir/verifier.h"

#include <algorithm>
#include <unordered_set>

#include "util/error.h"

namespace trex {

void verify(const Graph& g) {
  std::unordered_set<const Value*> defined;
  for (Value* in : g.inputs()) {
    if (in->producer() || in->is_constant())
      throw_invalid("graph input '" + in->name() + "' also has a producer or data");
    defined.insert(in);
  }
  for (Value* c : g.constants()) {
    const Tensor& t = c->constant();
    if (c->dtype() != t.dtype() || !c->shape() || *c->shape() != Shape::from_static(t.dims()))
      throw_invalid("constant '" + c->name() + "' has type " + c->type().to_string() +
                    " but holds " + dtype_name(t.dtype()) +
                    Shape::from_static(t.dims()).to_string());
    defined.insert(c);
  }
  std::unordered_set<std::string> node_names;
  for (Node* n : g.nodes()) {
    if (!node_names.insert(n->name()).second)
      throw_invalid("node name '" + n->name() + "' repeats");
    for (size_t i = 0; i < n->num_outputs(); ++i) {
      Value* out = n->output(i);
      if (!out) continue;
      if (out->producer() != n || out->producer_output() != i)
        throw_invalid(n->describe() + ": output '" + out->name() +
                      "' does not name it as producer");
      if (g.find_value(out->name()) != out)
        throw_invalid(n->describe() + ": output '" + out->name() + "' is not registered");
      defined.insert(out);
    }
  }
  for (Node* n : g.nodes()) {
    for (size_t i = 0; i < n->num_inputs(); ++i) {
      Value* in = n->input(i);
      if (!in) continue;
      if (!defined.count(in))
        throw_invalid(n->describe() + ": input '" + in->name() +
                      "' is not produced by any node, graph input or constant");
      const auto& uses = in->uses();
      if (std::find(uses.begin(), uses.end(), Use{n, i}) == uses.end())
        throw_invalid(n->describe() + ": input '" + in->name() + "' lacks the matching use");
    }
  }
  for (Node* n : g.nodes())
    for (Value* out : n->outputs())
      if (out)
        for (const Use& u : out->uses())
          if (u.node->input(u.index) != out)
            throw_invalid("value '" + out->name() + "' lists a use that does not read it");
  for (Value* out : g.outputs())
    if (!defined.count(out))
      throw_invalid("graph output '" + out->name() + "' is not produced by anything");
  g.topological_order();  // throws on a cycle
}

}  // namespace trex
