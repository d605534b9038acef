// Built-in dataset generator: Fashion-MNIST (Debian's dataset-fashion-mnist IDX files) written
// out as an image-classification folder tree that load_class_folders reads.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "util/progress.h"

namespace trex {

inline constexpr const char* kFashionMnistDir = "/usr/share/datasets/fashion-mnist";

/// Class folder names in label order: "t-shirt_top", "trouser", ..., "ankle_boot".
const std::vector<std::string>& fashion_mnist_classes();

/// Writes OUT/{train,val,test}/<class>/<NNNNN>.png and OUT/README.txt (source, seed, counts).
/// train/val: the training images shuffled by `seed` (splitmix64 + Fisher-Yates); val is the
/// first count/12 of them (5,000 of 60,000), train the rest; test: the test images. A file is
/// named by its zero-padded index in the source IDX file. The tree is built in the sibling
/// "OUT.tmp-<pid>" and renamed to OUT at the end; kInvalidInput if OUT exists and is not empty.
void make_fashion_mnist_cls(const std::string& out_dir, uint64_t seed,
                            const ProgressFn& progress = {},
                            const std::string& source_dir = kFashionMnistDir);

}  // namespace trex
