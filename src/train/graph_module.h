// The training backend's core: a Graph turned into a trainable libtorch module. Weights of
// Conv/Gemm/MatMul/BatchNorm become parameters, BatchNorm running statistics buffers; the
// forward pass runs the graph's nodes as libtorch ops in topological order, so autograd
// sees exactly the model the runtime will run. Trained tensors are written back by name.
#pragma once

#include <torch/torch.h>

#include <functional>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "ir/graph.h"

namespace trex::train {

/// trex tensor <-> libtorch tensor (copies).
torch::Tensor to_torch(const Tensor& t);
Tensor from_torch(const torch::Tensor& t);

class GraphModule : public torch::nn::Module {
 public:
  /// Compiles `graph` (copied); unsupported ops or attributes are errors naming the node.
  explicit GraphModule(const Graph& graph);

  /// Runs the graph on its inputs (in graph-input order); returns its outputs.
  std::vector<torch::Tensor> forward(const std::vector<torch::Tensor>& inputs);
  /// Single-input, single-output convenience.
  torch::Tensor forward(const torch::Tensor& input) { return forward(std::vector{input})[0]; }

  /// The graph with the module's current weights and statistics written into it.
  std::unique_ptr<Graph> export_graph() const;
  /// Copies the module's weights and statistics into `g`'s constants of the same names.
  void write_back(Graph& g) const;

  /// Trainable tensors by graph value name, in a fixed order.
  const std::vector<std::pair<std::string, torch::Tensor>>& named_weights() const {
    return weights_;
  }
  /// Non-trainable state (BatchNorm running statistics) by graph value name.
  const std::vector<std::pair<std::string, torch::Tensor>>& named_state() const { return state_; }

  /// Nodes (by name) that pass their first input through instead of running (staged QAT
  /// disables quantizers this way); their parameters get no gradient. Empty: all run.
  /// Unknown names, or nodes with more than one output, are errors.
  void set_bypassed(const std::set<std::string>& nodes);

  using Step = std::function<std::vector<torch::Tensor>(const std::vector<torch::Tensor>&, bool)>;

 private:
  struct NodeStep {
    std::string node;
    std::vector<int> inputs;   ///< slot per input, -1 for an omitted optional input
    std::vector<int> outputs;  ///< slot per output, -1 for an omitted output
    Step run;
    bool bypassed = false;
  };

  std::unique_ptr<Graph> graph_;
  std::vector<torch::Tensor> constant_slots_;  ///< constants, parameters and buffers
  std::vector<int> input_slots_, output_slots_;
  std::vector<NodeStep> steps_;
  std::vector<std::pair<std::string, torch::Tensor>> weights_, state_;
};

/// The libtorch implementation of one node (see graph_module_ops.cpp); throws kUnsupported
/// naming the node when the backend has none.
GraphModule::Step make_torch_step(const Node& node, const Graph& graph);

}  // namespace trex::train
