// Graph, Node and Value: construction, queries and use-list-preserving rewrites.
#include "ir/graph.h"

#include <algorithm>
#include <queue>
#include <unordered_set>

#include "util/error.h"

namespace trex {

// ---------------------------------------------------------------- Value

void Value::set_constant(Tensor t) {
  TREX_ASSERT(constant_.has_value());
  type_.dtype = t.dtype();
  type_.shape = Shape::from_static(t.dims());
  constant_ = std::move(t);
}

// ---------------------------------------------------------------- Node

std::string Node::describe() const {
  return "node '" + name_ + "' (" + op_type_ + ")";
}

void Node::set_input(size_t i, Value* v) {
  TREX_ASSERT(i < inputs_.size());
  Value* old = inputs_[i];
  if (old == v) return;
  if (old) {
    auto& u = old->uses_;
    u.erase(std::find(u.begin(), u.end(), Use{this, i}));
  }
  inputs_[i] = v;
  if (v) v->uses_.push_back(Use{this, i});
}

void Node::add_input(Value* v) {
  inputs_.push_back(nullptr);
  set_input(inputs_.size() - 1, v);
}

void Node::truncate_inputs(size_t n) {
  while (inputs_.size() > n) {
    set_input(inputs_.size() - 1, nullptr);
    inputs_.pop_back();
  }
}

const Attribute* Node::find_attr(const std::string& name) const {
  auto it = attrs_.find(name);
  return it == attrs_.end() ? nullptr : &it->second;
}

const Attribute& Node::typed_attr(const std::string& name, AttrKind kind) const {
  const Attribute& a = attrs_.at(name);
  if (a.kind() != kind)
    throw_invalid(describe() + ": attribute '" + name + "' is " + attr_kind_name(a.kind()) +
                  ", expected " + attr_kind_name(kind));
  return a;
}

int64_t Node::attr_int(const std::string& name, int64_t def) const {
  return has_attr(name) ? typed_attr(name, AttrKind::kInt).i() : def;
}

float Node::attr_float(const std::string& name, float def) const {
  return has_attr(name) ? typed_attr(name, AttrKind::kFloat).f() : def;
}

std::string Node::attr_string(const std::string& name, const std::string& def) const {
  return has_attr(name) ? typed_attr(name, AttrKind::kString).s() : def;
}

std::vector<int64_t> Node::attr_ints(const std::string& name,
                                     const std::vector<int64_t>& def) const {
  return has_attr(name) ? typed_attr(name, AttrKind::kInts).ints() : def;
}

std::vector<float> Node::attr_floats(const std::string& name, const std::vector<float>& def) const {
  return has_attr(name) ? typed_attr(name, AttrKind::kFloats).floats() : def;
}

// ---------------------------------------------------------------- Graph

int64_t Graph::opset() const {
  auto it = opset_imports.find("");
  if (it != opset_imports.end()) return it->second;
  it = opset_imports.find("ai.onnx");
  return it != opset_imports.end() ? it->second : 0;
}

std::string Graph::unique_value_name(const std::string& base) {
  std::string b = base.empty() ? "v" : base;
  if (!value_by_name_.count(b)) return b;
  int& n = value_name_counters_[b];
  std::string cand;
  do cand = b + "_" + std::to_string(++n);
  while (value_by_name_.count(cand));
  return cand;
}

std::string Graph::unique_node_name(const std::string& base) {
  std::string b = base.empty() ? "node" : base;
  if (!node_by_name_.count(b)) return b;
  int& n = node_name_counters_[b];
  std::string cand;
  do cand = b + "_" + std::to_string(++n);
  while (node_by_name_.count(cand));
  return cand;
}

Value* Graph::new_value(const std::string& name) {
  TREX_ASSERT(!name.empty() && !value_by_name_.count(name));
  auto v = std::unique_ptr<Value>(new Value());
  v->name_ = name;
  Value* raw = v.get();
  values_.push_back(std::move(v));
  raw->pos_ = std::prev(values_.end());
  value_by_name_[name] = raw;
  return raw;
}

Value* Graph::add_input(const std::string& name, TensorType type) {
  if (name.empty() || value_by_name_.count(name))
    throw_invalid("graph input '" + name + "' is empty or already defined");
  Value* v = new_value(name);
  v->type_ = std::move(type);
  v->is_input_ = true;
  inputs_.push_back(v);
  return v;
}

Value* Graph::add_constant(const std::string& name, Tensor t) {
  Value* v = new_value(unique_value_name(name.empty() ? "const" : name));
  v->type_.dtype = t.dtype();
  v->type_.shape = Shape::from_static(t.dims());
  v->constant_ = std::move(t);
  return v;
}

void Graph::add_output(Value* v) {
  TREX_ASSERT(v != nullptr);
  outputs_.push_back(v);
  ++v->output_refs_;
}

void Graph::set_output(size_t i, Value* v) {
  TREX_ASSERT(i < outputs_.size() && v != nullptr);
  --outputs_[i]->output_refs_;
  outputs_[i] = v;
  ++v->output_refs_;
}

Node* Graph::add_node(const std::string& op_type, const std::vector<Value*>& inputs,
                      size_t num_outputs, const std::string& name, const std::string& domain) {
  std::string node_name = unique_node_name(name.empty() ? op_type : name);
  std::vector<std::string> out_names;
  for (size_t i = 0; i < num_outputs; ++i)
    out_names.push_back(unique_value_name(
        node_name + (num_outputs == 1 ? std::string("_out") : "_out" + std::to_string(i))));
  return add_node_named(op_type, inputs, out_names, node_name, domain);
}

Node* Graph::add_node_named(const std::string& op_type, const std::vector<Value*>& inputs,
                            const std::vector<std::string>& output_names, const std::string& name,
                            const std::string& domain) {
  TREX_ASSERT(!name.empty());
  if (node_by_name_.count(name)) throw_invalid("node name '" + name + "' is used twice");
  for (const auto& out : output_names)
    if (!out.empty() && value_by_name_.count(out))
      throw_invalid("node '" + name + "' (" + op_type + "): output '" + out +
                    "' is already defined by another node, input or initializer");
  auto n = std::unique_ptr<Node>(new Node());
  Node* raw = n.get();
  raw->graph_ = this;
  raw->name_ = name;
  raw->op_type_ = op_type;
  raw->domain_ = domain == "ai.onnx" ? "" : domain;
  nodes_.push_back(std::move(n));
  raw->pos_ = std::prev(nodes_.end());
  node_by_name_[name] = raw;
  for (Value* in : inputs) raw->add_input(in);
  for (size_t i = 0; i < output_names.size(); ++i) {
    Value* v = nullptr;
    if (!output_names[i].empty()) {
      v = new_value(output_names[i]);
      v->producer_ = raw;
      v->producer_output_ = i;
    }
    raw->outputs_.push_back(v);
  }
  return raw;
}

std::vector<Value*> Graph::constants() const {
  std::vector<Value*> out;
  for (const auto& v : values_)
    if (v->constant_) out.push_back(v.get());
  return out;
}

std::vector<Node*> Graph::nodes() const {
  std::vector<Node*> out;
  out.reserve(nodes_.size());
  for (const auto& n : nodes_) out.push_back(n.get());
  return out;
}

Value* Graph::find_value(const std::string& name) const {
  auto it = value_by_name_.find(name);
  return it == value_by_name_.end() ? nullptr : it->second;
}

Node* Graph::find_node(const std::string& name) const {
  auto it = node_by_name_.find(name);
  return it == node_by_name_.end() ? nullptr : it->second;
}

std::vector<Node*> Graph::topological_order() const {
  // Kahn's algorithm with a min-heap on insertion position, so an already sorted graph
  // keeps its order exactly.
  std::unordered_map<const Node*, size_t> position;
  std::vector<Node*> all = nodes();
  for (size_t i = 0; i < all.size(); ++i) position[all[i]] = i;
  std::vector<size_t> pending(all.size(), 0);
  for (size_t i = 0; i < all.size(); ++i) {
    std::unordered_set<const Node*> deps;
    for (Value* in : all[i]->inputs_)
      if (in && in->producer_) deps.insert(in->producer_);
    pending[i] = deps.size();
  }
  std::priority_queue<size_t, std::vector<size_t>, std::greater<size_t>> ready;
  for (size_t i = 0; i < all.size(); ++i)
    if (pending[i] == 0) ready.push(i);
  std::vector<Node*> order;
  order.reserve(all.size());
  while (!ready.empty()) {
    size_t i = ready.top();
    ready.pop();
    order.push_back(all[i]);
    std::unordered_set<const Node*> done;
    for (Value* out : all[i]->outputs_) {
      if (!out) continue;
      for (const Use& u : out->uses_) {
        if (!done.insert(u.node).second) continue;
        if (--pending[position[u.node]] == 0) ready.push(position[u.node]);
      }
    }
  }
  if (order.size() != all.size()) {
    for (size_t i = 0; i < all.size(); ++i)
      if (pending[i] > 0) throw_invalid("graph has a cycle through " + all[i]->describe());
  }
  return order;
}

void Graph::sort_topologically() {
  std::vector<Node*> order = topological_order();
  std::unordered_map<Node*, std::unique_ptr<Node>> owned;
  for (auto& n : nodes_) {
    Node* raw = n.get();
    owned[raw] = std::move(n);
  }
  nodes_.clear();
  for (Node* n : order) {
    nodes_.push_back(std::move(owned[n]));
    n->pos_ = std::prev(nodes_.end());
  }
}

void Graph::replace_all_uses(Value* from, Value* to) {
  TREX_ASSERT(from != to && to != nullptr);
  std::vector<Use> uses = from->uses_;
  for (const Use& u : uses) u.node->set_input(u.index, to);
  for (size_t i = 0; i < outputs_.size(); ++i)
    if (outputs_[i] == from) set_output(i, to);
}

void Graph::remove_node(Node* n) {
  for (Value* out : n->outputs_) {
    if (!out) continue;
    TREX_ASSERT(out->uses_.empty() && out->output_refs_ == 0);
  }
  n->truncate_inputs(0);
  for (Value* out : n->outputs_) {
    if (!out) continue;
    value_by_name_.erase(out->name_);
    values_.erase(out->pos_);
  }
  node_by_name_.erase(n->name_);
  nodes_.erase(n->pos_);
}

void Graph::remove_value(Value* v) {
  TREX_ASSERT(v->producer_ == nullptr && v->uses_.empty() && v->output_refs_ == 0);
  if (v->is_input_) inputs_.erase(std::find(inputs_.begin(), inputs_.end(), v));
  value_by_name_.erase(v->name_);
  values_.erase(v->pos_);
}

size_t Graph::remove_unused_constants() {
  size_t removed = 0;
  for (Value* c : constants())
    if (c->uses().empty() && !c->is_graph_output()) {
      remove_value(c);
      ++removed;
    }
  return removed;
}

void Graph::rename_value(Value* v, const std::string& name) {
  if (v->name_ == name) return;
  TREX_ASSERT(!name.empty() && !value_by_name_.count(name));
  value_by_name_.erase(v->name_);
  v->name_ = name;
  value_by_name_[name] = v;
}

std::unique_ptr<Graph> Graph::clone() const {
  auto g = std::make_unique<Graph>();
  g->name = name;
  g->producer_name = producer_name;
  g->producer_version = producer_version;
  g->ir_version = ir_version;
  g->opset_imports = opset_imports;
  g->model_domain = model_domain;
  g->model_version = model_version;
  g->doc_string = doc_string;
  g->metadata = metadata;
  std::unordered_map<const Value*, Value*> map;
  for (Value* in : inputs_) map[in] = g->add_input(in->name_, in->type_);
  for (const auto& v : values_)
    if (v->constant_) {
      Value* c = g->new_value(v->name_);
      c->type_ = v->type_;
      c->constant_ = v->constant_;
      map[v.get()] = c;
    }
  for (const auto& n : nodes_) {
    std::vector<std::string> outs;
    for (Value* out : n->outputs_) outs.push_back(out ? out->name_ : "");
    Node* m = g->add_node_named(n->op_type_, {}, outs, n->name_, n->domain_);
    m->attrs_ = n->attrs_;
    for (size_t i = 0; i < n->outputs_.size(); ++i)
      if (n->outputs_[i]) {
        m->outputs_[i]->type_ = n->outputs_[i]->type_;
        map[n->outputs_[i]] = m->outputs_[i];
      }
  }
  // Inputs are wired after all nodes exist: node order need not be topological.
  for (const auto& n : nodes_) {
    Node* m = g->node_by_name_.at(n->name_);
    for (Value* in : n->inputs_) m->add_input(in ? map.at(in) : nullptr);
  }
  for (Value* out : outputs_) g->add_output(map.at(out));
  g->value_name_counters_ = value_name_counters_;
  g->node_name_counters_ = node_name_counters_;
  return g;
}

}  // namespace trex
