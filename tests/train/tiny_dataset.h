// A small real dataset for training tests: the first `per_class` Fashion-MNIST training
// images of each class written as class folders (train) and the next `per_class_val`
// (val), under a fresh temporary folder.
#pragma once

#include <filesystem>
#include <string>

#include "data/fashion_mnist.h"
#include "data/idx.h"
#include "data/image.h"

namespace trex::testing {

struct TinyDataset {
  std::string root, train, val;
};

inline TinyDataset make_tiny_fashion_mnist(const std::string& name, int per_class,
                                           int per_class_val) {
  namespace fs = std::filesystem;
  TinyDataset d;
  d.root =
      (fs::temp_directory_path() / ("trex_tiny_" + name + "_" + std::to_string(getpid()))).string();
  fs::remove_all(d.root);
  d.train = d.root + "/train";
  d.val = d.root + "/val";
  IdxImages images = read_idx_images(std::string(kFashionMnistDir) + "/train-images-idx3-ubyte.gz");
  std::vector<uint8_t> labels =
      read_idx_labels(std::string(kFashionMnistDir) + "/train-labels-idx1-ubyte.gz");
  const auto& classes = fashion_mnist_classes();
  std::vector<int> count(classes.size(), 0);
  size_t pixels = static_cast<size_t>(images.height) * images.width;
  for (int i = 0; i < images.count; ++i) {
    int c = labels[i];
    if (count[c] >= per_class + per_class_val) continue;
    std::string dir = (count[c] < per_class ? d.train : d.val) + "/" + classes[c];
    fs::create_directories(dir);
    Image img{images.height, images.width, 1,
              std::vector<uint8_t>(images.pixels.begin() + i * pixels,
                                   images.pixels.begin() + (i + 1) * pixels)};
    write_png(dir + "/" + std::to_string(i) + ".png", img);
    ++count[c];
  }
  return d;
}

}  // namespace trex::testing
