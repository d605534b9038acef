// Static facts about a graph for `trex info`: interface, op histogram, parameter and
// multiply-accumulate counts.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "ir/graph.h"

namespace trex {

struct ModelSummary {
  struct Port {
    std::string name;
    TensorType type;
  };
  std::vector<Port> inputs;
  std::vector<Port> outputs;
  std::map<std::string, int> op_histogram;  ///< "Conv" -> count (domain-qualified if not ONNX)
  int64_t num_nodes = 0;
  int64_t parameter_count = 0;  ///< elements of all constants
  int64_t parameter_bytes = 0;
  int64_t macs = 0;                ///< multiply-accumulates of Conv/ConvTranspose/Gemm/MatMul; a
                                   ///< symbolic batch dim counts as 1
  int64_t macs_unknown_nodes = 0;  ///< such nodes with other unknown dims
  int64_t opset = 0;
};

ModelSummary summarize(const Graph& g);

}  // namespace trex
