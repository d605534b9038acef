// GraphBuilder: a small API to write graphs in code, for tests and model templates.
//
//   Graph g;
//   GraphBuilder b(g);
//   Value* x = b.input("x", DType::kFloat32, {1, 3, 32, 32});
//   Value* w = b.constant("w", Tensor(DType::kFloat32, {8, 3, 3, 3}));
//   Value* y = b.op("Conv", {x, w}, {{"pads", ints({1, 1, 1, 1})}});
//   b.output(b.op("Relu", {y}), "y");
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "ir/graph.h"

namespace trex {

using AttrList = std::vector<std::pair<std::string, Attribute>>;

class GraphBuilder {
 public:
  explicit GraphBuilder(Graph& g) : g_(g) {}

  Value* input(const std::string& name, DType dtype, const Shape& shape);
  Value* constant(const std::string& name, Tensor t);
  /// A single-output node; returns its output.
  Value* op(const std::string& op_type, const std::vector<Value*>& inputs,
            const AttrList& attrs = {}, const std::string& name = "");
  /// A node with `num_outputs` outputs.
  Node* node(const std::string& op_type, const std::vector<Value*>& inputs, size_t num_outputs,
             const AttrList& attrs = {}, const std::string& name = "");
  /// Marks `v` as a graph output, renaming it to `name` when given.
  void output(Value* v, const std::string& name = "");

  Graph& graph() { return g_; }

 private:
  Graph& g_;
};

}  // namespace trex
