// Real-architecture models built with the GraphBuilder, written the way exporters write
// them at opset 9: Conv + BatchNormalization + Relu, Dropout before the classifier, and the
// Shape -> Gather -> Unsqueeze -> Concat -> Reshape flatten that PyTorch's x.view(n, -1)
// produces. Weights are seeded random; BN statistics are non-trivial so folding shows.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "ir/graph.h"

namespace trex::testing {

struct ArchOptions {
  int64_t image = 224;    ///< input height and width
  int64_t width_div = 1;  ///< divides every channel count (small test models)
  int64_t num_classes = 1000;
  int64_t batch = 1;  ///< 0: symbolic batch dimension "N"
  uint64_t seed = 1;
};

/// "resnet18", "densenet", "inception", "shufflenet", "squeezenet", "vgg", "mobilenetv2".
/// build_architecture also knows "fashion_cnn", a 1x1x28x28 classifier (fixed input and 10
/// classes, ignoring `opts` sizes) for the 28x28 benchmark.
std::vector<std::string> architecture_names();
std::unique_ptr<Graph> build_architecture(const std::string& name, const ArchOptions& opts);

}  // namespace trex::testing
