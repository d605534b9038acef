// Image-classification datasets in the ImageNet folder layout ROOT/<class>/<image files>:
// scanned, decoded in parallel and converted to the model's input size, kept in memory
// (the classification reader; data/dataset.h has the dataset every task shares).
#pragma once

#include <string>
#include <vector>

#include "data/dataset.h"
#include "util/progress.h"

namespace trex {

/// Scans ROOT/<class>/ and decodes all images with `threads` threads (0 = hardware concurrency).
/// Image files are png/jpg/jpeg/bmp (any case); hidden entries are skipped. kInvalidInput for a
/// missing root, no class folders, an empty class folder, any other file, or a corrupt image,
/// naming it. Progress stage "load <root>".
ImageDataset load_class_folders(const std::string& root, const ImageSpec& spec, int threads = 0,
                                const ProgressFn& progress = {});

/// kInvalidInput naming both roots and the first differing class if `b`'s classes are not `a`'s.
void check_same_classes(const ImageDataset& a, const ImageDataset& b);

}  // namespace trex
