// Image classification as a trex task (tasks/task.h): class-folder data, [N, classes] logits,
// top-1 accuracy.
#pragma once

#include <string>

#include "data/dataset.h"
#include "ir/graph.h"

namespace trex::classification {

/// Checks that `graph` takes [N, C, H, W] images of `spec` and gives [N, classes] logits;
/// errors name `source` and what differs.
void check_classifier_io(const Graph& graph, const ImageSpec& spec, size_t classes,
                         const std::string& source);

}  // namespace trex::classification
