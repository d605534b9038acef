// Image-classification datasets in the ImageNet folder layout ROOT/<class>/<image files>:
// scanned, decoded in parallel and converted to the model's input size, kept in memory.
#pragma once

#include <string>
#include <vector>

#include "data/image.h"
#include "util/progress.h"

namespace trex {

/// The image size and channels a model takes.
struct ImageSpec {
  int height = 0, width = 0, channels = 0;
};

struct ClassFolderDataset {
  std::string root;
  std::vector<std::string> classes;  ///< sorted folder names = label order
  std::vector<std::string> paths;    ///< per sample, sorted by (class, file name)
  std::vector<int> labels;           ///< per sample
  std::vector<Image> images;         ///< decoded and converted to the ImageSpec
  size_t size() const { return labels.size(); }
};

/// Scans ROOT/<class>/ and decodes all images with `threads` threads (0 = hardware concurrency).
/// Image files are png/jpg/jpeg/bmp (any case); hidden entries are skipped. kInvalidInput for a
/// missing root, no class folders, an empty class folder, any other file, or a corrupt image,
/// naming it. Progress stage "load <root>".
ClassFolderDataset load_class_folders(const std::string& root, const ImageSpec& spec,
                                      int threads = 0, const ProgressFn& progress = {});

/// kInvalidInput naming both roots and the first differing class if `b`'s classes are not `a`'s.
void check_same_classes(const ClassFolderDataset& a, const ClassFolderDataset& b);
/// "missing 'x', 'y'; unexpected 'z'": how `actual` class names differ from `expected`.
std::string describe_class_difference(const std::vector<std::string>& expected,
                                      const std::vector<std::string>& actual);

}  // namespace trex
