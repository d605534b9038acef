// GraphBuilder implementation.
#include "ir/builder.h"

namespace trex {

Value* GraphBuilder::input(const std::string& name, DType dtype, const Shape& shape) {
  return g_.add_input(name, TensorType{dtype, shape});
}

Value* GraphBuilder::constant(const std::string& name, Tensor t) {
  return g_.add_constant(name, std::move(t));
}

Node* GraphBuilder::node(const std::string& op_type, const std::vector<Value*>& inputs,
                         size_t num_outputs, const AttrList& attrs, const std::string& name) {
  Node* n = g_.add_node(op_type, inputs, num_outputs, name);
  for (const auto& [k, v] : attrs) n->set_attr(k, v);
  return n;
}

Value* GraphBuilder::op(const std::string& op_type, const std::vector<Value*>& inputs,
                        const AttrList& attrs, const std::string& name) {
  return node(op_type, inputs, 1, attrs, name)->output(0);
}

void GraphBuilder::output(Value* v, const std::string& name) {
  if (!name.empty() && v->name() != name) g_.rename_value(v, g_.unique_value_name(name));
  g_.add_output(v);
}

}  // namespace trex
