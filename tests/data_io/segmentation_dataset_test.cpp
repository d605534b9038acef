// Segmentation readers: Pascal VOC folders (with and without split lists, a list file given
// directly) and the images/ + masks/ layout, resizing with nearest-neighbour labels, and
// every bad input refused with the file named.
#include <gtest/gtest.h>

#include "data/image.h"
#include "data/label_png.h"
#include "data/segmentation_dataset.h"
#include "data_io/test_files.h"
#include "util/error.h"

namespace trex {
namespace {

using testing::TempDir;
using testing::write_bytes;

std::string str(const std::vector<uint8_t>& v) {
  return std::string(v.begin(), v.end());
}

void write_image(const std::string& path, int h, int w) {
  Image img{h, w, 3, std::vector<uint8_t>(static_cast<size_t>(h) * w * 3, 100)};
  const bool jpg = path.size() > 4 && path.substr(path.size() - 4) == ".jpg";
  write_bytes(path, str(jpg ? encode_jpeg(img) : encode_png(img)));
}

// A label map: left half class `a`, right half `b`, the bottom row 255.
LabelMap halves(int a, int b, int h, int w) {
  LabelMap m{h, w, {}};
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x)
      m.labels.push_back(static_cast<uint8_t>(y == h - 1 ? 255 : x < w / 2 ? a : b));
  return m;
}

void write_mask(const std::string& path, const LabelMap& m) {
  write_bytes(path, str(encode_label_png(m)));
}

// ROOT/{JPEGImages,SegmentationClass}/{a,b,c} and the lists train = a b, val = c.
void make_voc(const std::string& root) {
  int k = 0;
  for (const char* id : {"a", "b", "c"}) {
    write_image(root + "/JPEGImages/" + id + ".jpg", 4, 6);
    write_mask(root + "/SegmentationClass/" + id + ".png", halves(k, k + 1, 4, 6));
    ++k;
  }
  write_bytes(root + "/ImageSets/Segmentation/train.txt", "a\nb\n\n");
  write_bytes(root + "/ImageSets/Segmentation/val.txt", "c\n");
  write_bytes(root + "/classes.txt", "background\ncat\ndog\nemu\n");
}

SegmentationReadOptions opts(const std::string& split = "train", int h = 4, int w = 6) {
  SegmentationReadOptions o;
  o.spec = {h, w, 3};
  o.num_classes = 4;
  o.split = split;
  o.threads = 2;
  return o;
}

std::string error_of(const std::string& root, const SegmentationReadOptions& o) {
  try {
    load_segmentation(root, o);
  } catch (const Error& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(SegmentationDataset, ReadsVocSplits) {
  TempDir d("seg_voc");
  make_voc(d.path());
  ImageDataset train = load_segmentation(d.path(), opts("train"));
  ASSERT_EQ(train.size(), 2u);
  EXPECT_EQ(train.classes, (std::vector<std::string>{"background", "cat", "dog", "emu"}));
  EXPECT_EQ(train.masks[1].labels, halves(1, 2, 4, 6).labels);
  EXPECT_TRUE(train.labels.empty());
  ImageDataset val = load_segmentation(d.path(), opts("val"));
  ASSERT_EQ(val.size(), 1u);
  EXPECT_EQ(val.masks[0].labels, halves(2, 3, 4, 6).labels);
  // The list file itself reads the same samples.
  ImageDataset listed = load_segmentation(d / "ImageSets/Segmentation/val.txt", opts("train"));
  EXPECT_EQ(listed.paths, val.paths);
}

TEST(SegmentationDataset, VocWithoutListsReadsEveryMaskAndResizes) {
  TempDir d("seg_all");
  make_voc(d.path());
  std::filesystem::remove_all(d / "ImageSets");
  ImageDataset all = load_segmentation(d.path(), opts("train", 8, 12));
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all.images[0].height, 8);
  EXPECT_EQ(all.images[0].width, 12);
  // Doubling by nearest neighbour repeats every label in a 2x2 block.
  const LabelMap small = halves(0, 1, 4, 6);
  for (int y = 0; y < 8; ++y)
    for (int x = 0; x < 12; ++x)
      ASSERT_EQ(all.masks[0].labels[y * 12 + x], small.labels[(y / 2) * 6 + x / 2])
          << y << "," << x;
  // Nearest neighbour: only labels that were there, none interpolated.
  for (uint8_t v : all.masks[2].labels) EXPECT_TRUE(v == 2 || v == 3 || v == 255) << int(v);
}

TEST(SegmentationDataset, ReadsImageMaskPairs) {
  TempDir d("seg_pairs");
  write_image(d / "images/x.png", 4, 6);
  write_image(d / "images/y.jpg", 4, 6);
  write_mask(d / "masks/x.png", halves(0, 3, 4, 6));
  write_mask(d / "masks/y.png", halves(1, 1, 4, 6));
  ImageDataset ds = load_segmentation(d.path(), opts());
  ASSERT_EQ(ds.size(), 2u);
  EXPECT_EQ(ds.classes.size(), 4u);  // class_0..class_3 without classes.txt
  EXPECT_EQ(ds.classes[3], "class_3");
  EXPECT_EQ(ds.masks[0].labels, halves(0, 3, 4, 6).labels);
}

TEST(SegmentationDataset, BadInputsNameTheFile) {
  TempDir d("seg_bad");
  make_voc(d.path());
  // A listed image whose mask is missing.
  std::filesystem::remove(d / "SegmentationClass/b.png");
  EXPECT_NE(error_of(d.path(), opts())
                .find("SegmentationClass/b.png: the mask of listed image b "
                      "does not exist"),
            std::string::npos)
      << error_of(d.path(), opts());
  // A mask of the wrong size.
  write_mask(d / "SegmentationClass/b.png", halves(0, 1, 5, 6));
  EXPECT_NE(error_of(d.path(), opts()).find("SegmentationClass/b.png: mask is 6x5, its image"),
            std::string::npos)
      << error_of(d.path(), opts());
  // A class id out of range.
  write_mask(d / "SegmentationClass/b.png", halves(0, 7, 4, 6));
  EXPECT_NE(error_of(d.path(), opts())
                .find("SegmentationClass/b.png: pixel (3, 0) has label 7; "
                      "the model has 4 classes"),
            std::string::npos)
      << error_of(d.path(), opts());
  // A listed image that is missing.
  write_bytes(d / "ImageSets/Segmentation/train.txt", "a\nzz\n");
  EXPECT_NE(error_of(d.path(), opts()).find("JPEGImages/zz.jpg: listed image does not exist"),
            std::string::npos);
  // A split without a list.
  EXPECT_NE(error_of(d.path(), opts("test")).find("ImageSets/Segmentation/test.txt: no such split"),
            std::string::npos);
  // A mask that is not a label PNG (an RGB colour image).
  write_bytes(d / "ImageSets/Segmentation/train.txt", "a\n");
  Image rgb{4, 6, 3, std::vector<uint8_t>(72, 5)};
  write_bytes(d / "SegmentationClass/a.png", str(encode_png(rgb)));
  EXPECT_NE(error_of(d.path(), opts()).find("SegmentationClass/a.png: not a label PNG"),
            std::string::npos);
  // Not a dataset at all, and a missing path.
  TempDir e("seg_none");
  write_bytes(e / "readme.txt", "hi");
  EXPECT_NE(error_of(e.path(), opts()).find("not a segmentation dataset"), std::string::npos);
  EXPECT_NE(error_of(e / "nope", opts()).find("nope: dataset path does not exist"),
            std::string::npos);
  // Pairs: an image without its mask, and a mask without its image.
  TempDir p("seg_pairs_bad");
  write_image(p / "images/x.png", 4, 6);
  write_mask(p / "masks/x.png", halves(0, 1, 4, 6));
  write_image(p / "images/y.png", 4, 6);
  EXPECT_NE(error_of(p.path(), opts()).find("masks/y.png: the mask of"), std::string::npos);
  std::filesystem::remove(p / "images/y.png");
  write_mask(p / "masks/z.png", halves(0, 1, 4, 6));
  EXPECT_NE(error_of(p.path(), opts()).find("masks/z.png: mask without an image"),
            std::string::npos);
}

}  // namespace
}  // namespace trex
