// Fashion-MNIST: Debian's IDX files read as expected, and the class-folder generator's split,
// determinism, refusal to overwrite and atomicity, on a small fake source.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>

#include "data/class_folder_dataset.h"
#include "data/fashion_mnist.h"
#include "data/idx.h"
#include "data/image.h"
#include "data_io/test_files.h"
#include "util/error.h"
#include "util/file_io.h"

namespace trex {
namespace {

namespace fs = std::filesystem;
using testing::idx_bytes;
using testing::TempDir;

TEST(FashionMnist, ReadsDebiansFiles) {
  IdxImages train = read_idx_images(std::string(kFashionMnistDir) + "/train-images-idx3-ubyte.gz");
  EXPECT_EQ(train.count, 60000);
  EXPECT_EQ(train.height, 28);
  EXPECT_EQ(train.width, 28);
  EXPECT_EQ(train.pixels.size(), 60000u * 28 * 28);
  std::vector<uint8_t> labels =
      read_idx_labels(std::string(kFashionMnistDir) + "/train-labels-idx1-ubyte.gz");
  ASSERT_EQ(labels.size(), 60000u);
  std::vector<int> per_class(10);
  for (uint8_t l : labels) {
    ASSERT_LT(l, 10);
    ++per_class[l];
  }
  EXPECT_EQ(per_class, std::vector<int>(10, 6000));  // Fashion-MNIST is balanced
}

// A fake source folder: `train` and `test` images of 6x5 whose pixels encode their index.
void make_fake_source(const std::string& dir, int train, int test) {
  for (auto [prefix, n] : {std::pair<const char*, int>{"train", train}, {"t10k", test}}) {
    std::vector<uint8_t> pixels, labels;
    for (int i = 0; i < n; ++i) {
      for (int p = 0; p < 30; ++p) pixels.push_back(static_cast<uint8_t>(i + p));
      labels.push_back(static_cast<uint8_t>(i % 10));
    }
    testing::write_gzip(dir + "/" + prefix + "-images-idx3-ubyte.gz",
                        idx_bytes({static_cast<uint32_t>(n), 6, 5}, pixels));
    testing::write_gzip(dir + "/" + prefix + "-labels-idx1-ubyte.gz",
                        idx_bytes({static_cast<uint32_t>(n)}, labels));
  }
}

// Relative path -> content of every file under `root`.
std::map<std::string, std::string> tree(const std::string& root) {
  std::map<std::string, std::string> files;
  for (const auto& e : fs::recursive_directory_iterator(root))
    if (e.is_regular_file()) files[fs::relative(e.path(), root).string()] = read_file(e.path());
  return files;
}

TEST(FashionMnist, MakesSplitClassFolders) {
  TempDir dir("fmnist_make");
  make_fake_source(dir / "src", 100, 20);
  size_t last_done = 0, total = 0;
  make_fashion_mnist_cls(
      dir / "out", 7,
      [&](const Progress& p) {
        last_done = p.done;
        total = p.total;
      },
      dir / "src");
  EXPECT_EQ(last_done, 120u);
  EXPECT_EQ(total, 120u);
  EXPECT_FALSE(fs::exists(dir / "out.tmp-" + std::to_string(getpid())));

  // val = 100 / 12 = 8, train = 92, test = 20 (small splits may leave class folders empty).
  // A file's name is its zero-padded source index, its folder its label, its pixels the
  // source's; train and val are disjoint and together the 100 training images.
  std::map<std::string, size_t> per_split;
  std::set<int> train_val;
  for (const auto& [rel, bytes] : tree(dir / "out")) {
    if (rel == "README.txt") continue;
    fs::path p(rel);
    std::string split = p.begin()->string();
    ++per_split[split];
    int index = std::stoi(p.stem().string());
    EXPECT_EQ(p.stem().string().size(), 5u) << rel;
    EXPECT_EQ(p.extension().string(), ".png") << rel;
    EXPECT_EQ(p.parent_path().filename().string(), fashion_mnist_classes()[index % 10]) << rel;
    Image img = decode_image(bytes, rel);
    EXPECT_EQ(img.height, 6);
    EXPECT_EQ(img.width, 5);
    EXPECT_EQ(img.channels, 1);
    EXPECT_EQ(img.pixels[3], static_cast<uint8_t>(index + 3)) << rel;
    if (split != "test") {
      EXPECT_TRUE(train_val.insert(index).second) << rel;
    }
  }
  EXPECT_EQ(per_split, (std::map<std::string, size_t>{{"test", 20}, {"train", 92}, {"val", 8}}));
  EXPECT_EQ(train_val.size(), 100u);
  for (const char* split : {"train", "val", "test"})
    for (const auto& c : fashion_mnist_classes())
      EXPECT_TRUE(fs::is_directory(dir / "out/" + split + "/" + c)) << split << "/" << c;
  // A full-size class-folder tree loads (train has every class here).
  ImageDataset train = load_class_folders(dir / "out/train", {6, 5, 1}, 1);
  EXPECT_EQ(train.size(), 92u);
  std::vector<std::string> sorted = fashion_mnist_classes();
  std::sort(sorted.begin(), sorted.end());
  EXPECT_EQ(train.classes, sorted);
  std::string readme = read_file(dir / "out/README.txt");
  EXPECT_NE(readme.find("seed:   7"), std::string::npos);
  EXPECT_NE(readme.find("val:    8 images"), std::string::npos);

  // Deterministic: a second run is byte-identical; another seed splits differently.
  make_fashion_mnist_cls(dir / "again", 7, {}, dir / "src");
  EXPECT_EQ(tree(dir / "out"), tree(dir / "again"));
  make_fashion_mnist_cls(dir / "other", 8, {}, dir / "src");
  auto a = tree(dir / "out"), b = tree(dir / "other");
  a.erase("README.txt");
  b.erase("README.txt");
  EXPECT_NE(a, b);
}

TEST(FashionMnist, RefusesNonEmptyOutputAndBadSources) {
  TempDir dir("fmnist_bad");
  make_fake_source(dir / "src", 24, 12);
  testing::write_bytes(dir / "full/keep.txt", "mine");
  try {
    make_fashion_mnist_cls(dir / "full", 0, {}, dir / "src");
    ADD_FAILURE() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kInvalidInput);
    EXPECT_EQ(std::string(e.what()), dir / "full" + ": output folder exists and is not empty");
  }
  EXPECT_EQ(read_file(dir / "full/keep.txt"), "mine");
  // An existing empty folder is fine (and a trailing slash too).
  fs::create_directories(dir / "empty");
  make_fashion_mnist_cls(dir / "empty/", 0, {}, dir / "src");
  EXPECT_TRUE(fs::exists(dir / "empty/README.txt"));
  EXPECT_TRUE(fs::is_directory(dir / "empty/test/ankle_boot"));

  // Labels out of range: an error naming the label file, and nothing left behind.
  testing::write_gzip(dir / "src/t10k-labels-idx1-ubyte.gz",
                      idx_bytes({12}, {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 0}));
  try {
    make_fashion_mnist_cls(dir / "out", 0, {}, dir / "src");
    ADD_FAILURE() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()),
              dir / "src/t10k-labels-idx1-ubyte.gz" + ": label 10 is 10, expected 0..9");
  }
  EXPECT_FALSE(fs::exists(dir / "out"));
  fs::remove(dir / "src/t10k-labels-idx1-ubyte.gz");
  try {
    make_fashion_mnist_cls(dir / "out", 0, {}, dir / "src");
    ADD_FAILURE() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(
        std::string(e.what()).find(dir / "src/t10k-labels-idx1-ubyte.gz: file does not exist"),
        std::string::npos);
  }
  for (const auto& e : fs::directory_iterator(dir.path()))
    EXPECT_EQ(e.path().filename().string().find(".tmp-"), std::string::npos) << e.path();
}

}  // namespace
}  // namespace trex
