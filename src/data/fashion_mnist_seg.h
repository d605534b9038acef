// Built-in segmentation dataset: Fashion-MNIST articles composited onto textured, noisy
// RGB canvases, written as a Pascal VOC tree that load_segmentation reads.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "util/progress.h"

namespace trex {

struct FashionMnistSegOptions {
  uint64_t seed = 0;
  size_t train = 2000, val = 300, test = 300;  ///< images per split
  int size = 128;                              ///< canvas side, >= 64
  std::string source_dir;                      ///< the IDX files
  ProgressFn progress;
};

/// The 11 class names: "background", then the 10 Fashion-MNIST classes.
std::vector<std::string> fashion_mnist_seg_classes();

/// Writes OUT/JPEGImages/<split>_<NNNNN>.jpg, OUT/SegmentationClass/<same>.png (palette
/// PNGs: 0 background, 1 + Fashion-MNIST label, 255 the ambiguous rim of each article:
/// intensity 25-49 of 255 after scaling the article to a peak of 255; 50 and up is the class),
/// OUT/ImageSets/Segmentation/{train,val,test}.txt, OUT/classes.txt and OUT/README.txt.
/// Each canvas has a background of gratings and value noise in two random colours with
/// pixel noise, and 1-6 articles at scales 0.7x-3x and random positions (later ones occlude
/// earlier ones), tinted (a colour far from the background's) and shaded by their own
/// intensity. train and val draw articles from
/// disjoint parts of the training images (split by the seed), test from the test images.
/// Same options, same bytes. Built aside and renamed (write_tree_atomically).
void make_fashion_mnist_seg(const std::string& out_dir, const FashionMnistSegOptions& options);

}  // namespace trex
