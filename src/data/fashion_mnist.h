// Built-in dataset generator: Fashion-MNIST (Debian's dataset-fashion-mnist IDX files) written
// out as an image-classification folder tree that load_class_folders reads.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "data/idx.h"
#include "util/progress.h"

namespace trex {

inline constexpr const char* kFashionMnistDir = "/usr/share/datasets/fashion-mnist";

/// One part of the source: images and their labels (0..9), checked against each other.
struct FashionMnistSource {
  std::string images_path, labels_path;
  IdxImages images;
  std::vector<uint8_t> labels;
};

/// Reads DIR/<prefix>-{images-idx3,labels-idx1}-ubyte[.gz] (prefix "train" or "t10k");
/// kInvalidInput names a missing or inconsistent file.
FashionMnistSource read_fashion_mnist(const std::string& dir, const std::string& prefix);

/// OUT without trailing slashes; kInvalidInput (naming `what` or OUT) if OUT exists and is
/// not an empty folder.
std::string check_new_folder(const std::string& out, const std::string& what);

/// Builds a dataset tree: `write(tmp)` fills the sibling folder "OUT.tmp-<pid>", which is
/// flushed to disk and renamed to OUT; on any error it is removed and OUT left as it was.
/// kInvalidInput (naming `what` or OUT) if OUT exists and is not an empty folder.
void write_tree_atomically(const std::string& out, const std::string& what,
                           const std::function<void(const std::string& tmp)>& write);

/// Writes `bytes` to `path` without an fsync (write_tree_atomically flushes the tree).
void write_plain(const std::string& path, const std::vector<uint8_t>& bytes);

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
