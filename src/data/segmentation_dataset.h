// Semantic-segmentation datasets: images with label maps (class ids per pixel, 255 =
// ignore), read from
//   - a Pascal VOC folder: ROOT/JPEGImages/<id>.jpg, ROOT/SegmentationClass/<id>.png
//     (palette or grayscale index PNGs), the split's ids in
//     ROOT/ImageSets/Segmentation/<split>.txt (without ImageSets: every mask);
//   - such a list file itself (ROOT/ImageSets/Segmentation/<name>.txt);
//   - a pair layout: ROOT/images/<stem>.<png|jpg|jpeg|bmp> with ROOT/masks/<stem>.png.
// Class names come from ROOT/classes.txt (one per line) when there is one.
#pragma once

#include <string>

#include "data/dataset.h"
#include "util/progress.h"

namespace trex {

struct SegmentationReadOptions {
  ImageSpec spec;       ///< images are resized to it, label maps by nearest neighbour
  int num_classes = 0;  ///< labels must be in [0, num_classes) or 255
  std::string split;    ///< the ImageSets list of a VOC root: train, val, test
  int threads = 0;      ///< decoding threads (0 = hardware concurrency)
  ProgressFn progress;
};

/// Reads a dataset in one of the layouts above. kInvalidInput naming the file for a missing
/// listed image or mask, a mask whose size differs from its image's, a label outside the
/// classes, a corrupt file, or a folder that is none of the layouts.
ImageDataset load_segmentation(const std::string& root, const SegmentationReadOptions& options);

/// `map` resized to height x width by nearest neighbour (labels are not interpolated).
LabelMap resize_labels(const LabelMap& map, int height, int width);

}  // namespace trex
