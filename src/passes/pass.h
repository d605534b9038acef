// The two kinds of graph rewrites. A GraphPass sees the whole graph; a LocalRewrite names
// the op types it targets, a cheap match() and a rewrite(). A pattern that does not apply
// leaves the graph alone: that is never an error.
#pragma once

#include <string>
#include <vector>

#include "ir/graph.h"

namespace trex {

class GraphPass {
 public:
  virtual ~GraphPass() = default;
  virtual std::string name() const = 0;
  /// Returns true when the graph changed.
  virtual bool run(Graph& g) = 0;
};

class LocalRewrite {
 public:
  virtual ~LocalRewrite() = default;
  virtual std::string name() const = 0;
  virtual std::vector<std::string> op_types() const = 0;
  virtual bool match(const Graph& g, const Node& n) const = 0;
  /// May remove `n` and nodes before it in topological order, never nodes after it.
  virtual void rewrite(Graph& g, Node& n) = 0;
};

/// Runs a LocalRewrite over the graph once, in topological order, as a GraphPass.
class RewritePass : public GraphPass {
 public:
  explicit RewritePass(std::unique_ptr<LocalRewrite> r) : rewrite_(std::move(r)) {}
  std::string name() const override { return rewrite_->name(); }
  bool run(Graph& g) override;

 private:
  std::unique_ptr<LocalRewrite> rewrite_;
};

/// Replaces the outputs of `n` by constants holding `values` (one per output, in order),
/// removes `n`, and gives each constant the name of the output it replaces, so graph
/// outputs keep their names.
void replace_node_with_constants(Graph& g, Node* n, std::vector<Tensor> values);

/// Removes `n` after pointing the users of its output `out_index` at `replacement`. When
/// that output is a graph output its name moves to `replacement` if possible; returns
/// false (and changes nothing) when the name cannot move.
bool bypass_node(Graph& g, Node* n, size_t out_index, Value* replacement);

/// Whether `a` and `b` have known, equal shapes whose every dim is static or symbolic (a
/// symbolic dim, like the batch, equal only to the same symbol): an elementwise op on them
/// broadcasts nothing.
bool same_known_shape(const Value* a, const Value* b);

}  // namespace trex
