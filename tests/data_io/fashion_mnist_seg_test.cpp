// The fashion-mnist-seg generator on Debian's Fashion-MNIST: the VOC tree it writes reads
// back with 11 classes, articles cover part of every canvas, the same seed gives the same
// bytes, another seed other images, and an existing folder is never overwritten.
#include <gtest/gtest.h>

#include <set>

#include "data/fashion_mnist.h"
#include "data/fashion_mnist_seg.h"
#include "data/segmentation_dataset.h"
#include "data_io/test_files.h"
#include "util/error.h"
#include "util/file_io.h"

namespace trex {
namespace {

using testing::TempDir;

FashionMnistSegOptions small(uint64_t seed) {
  FashionMnistSegOptions o;
  o.seed = seed;
  o.train = 6;
  o.val = 3;
  o.test = 3;
  o.size = 64;
  o.source_dir = kFashionMnistDir;
  return o;
}

TEST(FashionMnistSeg, WritesAVocTreeThatReadsBack) {
  TempDir d("fmseg");
  make_fashion_mnist_seg(d / "a", small(1));
  SegmentationReadOptions r;
  r.spec = {64, 64, 3};
  r.num_classes = 11;
  for (const char* split : {"train", "val", "test"}) {
    r.split = split;
    ImageDataset ds = load_segmentation(d / "a", r);
    EXPECT_EQ(ds.size(), std::string(split) == "train" ? 6u : 3u);
    EXPECT_EQ(ds.classes, fashion_mnist_seg_classes());
    for (const LabelMap& m : ds.masks) {
      size_t fg = 0, ignored = 0;
      for (uint8_t v : m.labels) {
        fg += v >= 1 && v <= 10;
        ignored += v == 255;
      }
      EXPECT_GT(fg, 20u) << split;      // at least one article
      EXPECT_GT(ignored, 0u) << split;  // its soft rim
      EXPECT_LT(fg, m.labels.size()) << split;
    }
  }
  // Same seed, same bytes; another seed, other images.
  make_fashion_mnist_seg(d / "b", small(1));
  make_fashion_mnist_seg(d / "c", small(2));
  for (const char* f : {"JPEGImages/train_00003.jpg", "SegmentationClass/val_00001.png"}) {
    EXPECT_EQ(read_file(d / ("a/" + std::string(f))), read_file(d / ("b/" + std::string(f)))) << f;
    EXPECT_NE(read_file(d / ("a/" + std::string(f))), read_file(d / ("c/" + std::string(f)))) << f;
  }
  // An existing, non-empty folder is refused.
  EXPECT_THROW(make_fashion_mnist_seg(d / "a", small(1)), Error);
}

}  // namespace
}  // namespace trex
