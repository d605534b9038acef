// Classification model builders by architecture name (the `model.architecture` of a
// template): each writes a fresh, seeded FP32 Graph with BatchNorm and Dropout in it, ready
// for the training backend.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "ir/graph.h"

namespace trex::classification {

struct ModelSpec {
  int channels = 1, height = 28, width = 28;
  int num_classes = 10;
  uint64_t seed = 0;
};

std::unique_ptr<Graph> build_resnet18(const ModelSpec& spec);
std::unique_ptr<Graph> build_mobilenet_v3(const ModelSpec& spec);
std::unique_ptr<Graph> build_efficientnet_b0(const ModelSpec& spec);

/// Names build_model accepts.
std::vector<std::string> architecture_names();
/// Builds `architecture`; an unknown name is an error listing the known ones.
std::unique_ptr<Graph> build_model(const std::string& architecture, const ModelSpec& spec);

}  // namespace trex::classification
