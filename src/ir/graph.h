// The graph IR: a Graph owns Values (tensors flowing between nodes) and Nodes (operators).
// Every value knows its producer and its users; graph inputs and constants (initializers)
// are values without a producer. Passes mutate the graph through the methods here, which
// keep the producer/user links consistent.
#pragma once

#include <cstdint>
#include <list>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "ir/attribute.h"
#include "ir/shape.h"
#include "ir/tensor.h"

namespace trex {

class Graph;
class Node;

/// One use of a value: input slot `index` of `node`.
struct Use {
  Node* node;
  size_t index;
  bool operator==(const Use& o) const { return node == o.node && index == o.index; }
};

class Value {
 public:
  const std::string& name() const { return name_; }
  const TensorType& type() const { return type_; }
  DType dtype() const { return type_.dtype; }
  /// The shape when known, else nullptr.
  const Shape* shape() const { return type_.shape ? &*type_.shape : nullptr; }
  bool has_static_shape() const { return type_.shape && type_.shape->is_static(); }
  void set_type(TensorType t) { type_ = std::move(t); }

  Node* producer() const { return producer_; }
  size_t producer_output() const { return producer_output_; }
  const std::vector<Use>& uses() const { return uses_; }
  bool is_graph_input() const { return is_input_; }
  bool is_graph_output() const { return output_refs_ > 0; }
  bool is_constant() const { return constant_.has_value(); }
  /// The initializer data; only for constants.
  const Tensor& constant() const { return *constant_; }
  /// Replaces the data of a constant (its type follows the tensor).
  void set_constant(Tensor t);

 private:
  friend class Graph;
  friend class Node;
  Value() = default;

  std::string name_;
  TensorType type_;
  Node* producer_ = nullptr;
  size_t producer_output_ = 0;
  std::vector<Use> uses_;
  std::optional<Tensor> constant_;
  bool is_input_ = false;
  int output_refs_ = 0;
  std::list<std::unique_ptr<Value>>::iterator pos_;
};

class Node {
 public:
  const std::string& name() const { return name_; }
  const std::string& op_type() const { return op_type_; }
  const std::string& domain() const { return domain_; }
  /// "node 'conv1' (Conv)": how error messages name a node.
  std::string describe() const;

  const std::vector<Value*>& inputs() const { return inputs_; }
  const std::vector<Value*>& outputs() const { return outputs_; }
  size_t num_inputs() const { return inputs_.size(); }
  size_t num_outputs() const { return outputs_.size(); }
  /// Input i, or nullptr when i is past the end or the optional input is omitted.
  Value* input(size_t i) const { return i < inputs_.size() ? inputs_[i] : nullptr; }
  Value* output(size_t i) const { return i < outputs_.size() ? outputs_[i] : nullptr; }
  void set_input(size_t i, Value* v);
  void add_input(Value* v);
  /// Drops inputs from index n on.
  void truncate_inputs(size_t n);

  const std::map<std::string, Attribute>& attrs() const { return attrs_; }
  bool has_attr(const std::string& name) const { return attrs_.count(name) > 0; }
  const Attribute* find_attr(const std::string& name) const;
  void set_attr(const std::string& name, Attribute a) { attrs_[name] = std::move(a); }
  void remove_attr(const std::string& name) { attrs_.erase(name); }
  /// Typed getters: the default when absent, kInvalidInput naming the node when mistyped.
  int64_t attr_int(const std::string& name, int64_t def) const;
  float attr_float(const std::string& name, float def) const;
  std::string attr_string(const std::string& name, const std::string& def) const;
  std::vector<int64_t> attr_ints(const std::string& name,
                                 const std::vector<int64_t>& def = {}) const;
  std::vector<float> attr_floats(const std::string& name, const std::vector<float>& def = {}) const;

 private:
  friend class Graph;
  Node() = default;
  const Attribute& typed_attr(const std::string& name, AttrKind kind) const;

  Graph* graph_ = nullptr;
  std::string name_;
  std::string op_type_;
  std::string domain_;
  std::vector<Value*> inputs_;
  std::vector<Value*> outputs_;
  std::map<std::string, Attribute> attrs_;
  std::list<std::unique_ptr<Node>>::iterator pos_;
};

class Graph {
 public:
  Graph() = default;
  Graph(const Graph&) = delete;
  Graph& operator=(const Graph&) = delete;
  Graph(Graph&&) = default;
  Graph& operator=(Graph&&) = default;

  /// A deep copy (tensor buffers are shared copy-on-write).
  std::unique_ptr<Graph> clone() const;

  // Model-level facts carried through import/export.
  std::string name = "main";
  std::string producer_name;
  std::string producer_version;
  int64_t ir_version = 8;
  std::map<std::string, int64_t> opset_imports = {{"", 13}};
  std::string model_domain;
  int64_t model_version = 0;
  std::string doc_string;
  /// Key/value metadata (class labels, authorship, ...), kept in order.
  std::vector<std::pair<std::string, std::string>> metadata;
  /// The default-domain opset version.
  int64_t opset() const;

  // Building.
  Value* add_input(const std::string& name, TensorType type);
  /// Adds a constant (initializer); an empty or taken name is made unique.
  Value* add_constant(const std::string& name, Tensor t);
  void add_output(Value* v);
  void set_output(size_t i, Value* v);
  /// A node whose outputs get fresh names derived from the node's name.
  Node* add_node(const std::string& op_type, const std::vector<Value*>& inputs,
                 size_t num_outputs = 1, const std::string& name = "",
                 const std::string& domain = "");
  /// A node with the given output names ("" for an omitted optional output); throws
  /// kInvalidInput when a name is already taken.
  Node* add_node_named(const std::string& op_type, const std::vector<Value*>& inputs,
                       const std::vector<std::string>& output_names, const std::string& name,
                       const std::string& domain = "");

  // Reading.
  const std::vector<Value*>& inputs() const { return inputs_; }
  const std::vector<Value*>& outputs() const { return outputs_; }
  /// Constants in the order they were added.
  std::vector<Value*> constants() const;
  /// Nodes in insertion order (topological after import or sort_topologically()).
  std::vector<Node*> nodes() const;
  size_t num_nodes() const { return nodes_.size(); }
  Value* find_value(const std::string& name) const;
  Node* find_node(const std::string& name) const;
  /// Nodes in a topological order that keeps insertion order where free; throws
  /// kInvalidInput naming a node on a cycle.
  std::vector<Node*> topological_order() const;
  void sort_topologically();

  // Rewriting.
  /// Points every use of `from` (and graph outputs) at `to`.
  void replace_all_uses(Value* from, Value* to);
  /// Removes a node whose outputs are unused; its output values go with it.
  void remove_node(Node* n);
  /// Removes an unused graph input or constant.
  void remove_value(Value* v);
  /// Removes every constant nothing reads (and that is not a graph output); returns how many.
  size_t remove_unused_constants();
  void rename_value(Value* v, const std::string& name);
  /// `base` if free, else `base_1`, `base_2`, ...: deterministic for the same graph history.
  std::string unique_value_name(const std::string& base);
  std::string unique_node_name(const std::string& base);

 private:
  Value* new_value(const std::string& name);

  std::list<std::unique_ptr<Value>> values_;
  std::list<std::unique_ptr<Node>> nodes_;
  std::vector<Value*> inputs_;
  std::vector<Value*> outputs_;
  std::unordered_map<std::string, Value*> value_by_name_;
  std::unordered_map<std::string, Node*> node_by_name_;
  std::unordered_map<std::string, int> value_name_counters_;
  std::unordered_map<std::string, int> node_name_counters_;
};

}  // namespace trex
