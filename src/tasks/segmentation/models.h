// Segmentation model builders: one explicit table (models.cpp), nothing self-registers.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "ir/graph.h"

namespace trex::segmentation {

struct ModelSpec {
  int channels = 3, height = 128, width = 128;
  int num_classes = 11;  ///< background included
  uint64_t seed = 0;
};

/// Lite-HRNet-style network (lite_hrnet.cpp): input [N, C, H, W] (H, W multiples of 16),
/// output "scores" [N, classes, H, W].
std::unique_ptr<Graph> build_lite_hrnet(const ModelSpec& spec);

/// Names build_model accepts.
std::vector<std::string> architecture_names();
/// Builds `architecture`; an unknown name is an error listing the known ones.
std::unique_ptr<Graph> build_model(const std::string& architecture, const ModelSpec& spec);

}  // namespace trex::segmentation
