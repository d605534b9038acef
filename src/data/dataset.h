// The in-memory dataset every task reads into: decoded images at the model's input size
// and, per task, their labels (classification) or label maps (segmentation).
#pragma once

#include <string>
#include <vector>

#include "data/image.h"
#include "data/label_png.h"

namespace trex {

/// The image size and channels a model takes.
struct ImageSpec {
  int height = 0, width = 0, channels = 0;
};

struct ImageDataset {
  std::string root;
  std::vector<std::string> classes;  ///< label order (class ids 0..n-1)
  std::vector<std::string> paths;    ///< per sample
  std::vector<int> labels;           ///< per sample: its class (classification)
  std::vector<LabelMap> masks;  ///< per sample: its label map at the image's size (segmentation)
  std::vector<Image> images;    ///< decoded and converted to the ImageSpec
  size_t size() const { return images.size(); }
};

/// "missing 'x', 'y'; unexpected 'z'": how `actual` class names differ from `expected`.
std::string describe_class_difference(const std::vector<std::string>& expected,
                                      const std::vector<std::string>& actual);

}  // namespace trex
