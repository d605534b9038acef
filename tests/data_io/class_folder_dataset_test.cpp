// Class-folder datasets: the scan order, labels and conversion to the model's input size, and
// every layout mistake as an error that names the folder or file at fault.
#include <gtest/gtest.h>

#include "data/class_folder_dataset.h"
#include "data_io/test_files.h"
#include "util/error.h"

namespace trex {
namespace {

using testing::pattern_image;
using testing::TempDir;

std::string load_error(const std::string& root) {
  try {
    load_class_folders(root, {8, 8, 3}, 2);
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kInvalidInput);
    return e.what();
  }
  return "";
}

// root/zebra/{b,a}.png, root/ant/c.PNG, root/mole/d.png, plus files to ignore.
void make_tree(const std::string& root) {
  testing::save_png(root + "/zebra/b.png", pattern_image(10, 12, 3, 1));
  testing::save_png(root + "/zebra/a.png", pattern_image(4, 4, 1, 2));
  testing::save_png(root + "/ant/c.PNG", pattern_image(8, 8, 3, 3));
  testing::save_png(root + "/mole/d.png", pattern_image(8, 8, 1, 4));
  testing::write_bytes(root + "/zebra/.DS_Store", "junk");
  testing::write_bytes(root + "/README.txt", "not a sample");
  std::filesystem::create_directories(root + "/.cache");
}

TEST(ClassFolders, ScansSortedAndConverts) {
  TempDir dir("cfd_ok");
  make_tree(dir.path());
  ProgressFn none;
  size_t last_done = 0;
  ImageDataset ds = load_class_folders(dir.path(), {8, 6, 3}, 3, [&](const Progress& p) {
    EXPECT_EQ(p.stage, "load " + dir.path());
    EXPECT_EQ(p.total, 4u);
    last_done = p.done;
  });
  EXPECT_EQ(last_done, 4u);
  EXPECT_EQ(ds.root, dir.path());
  EXPECT_EQ(ds.classes, (std::vector<std::string>{"ant", "mole", "zebra"}));
  EXPECT_EQ(ds.labels, (std::vector<int>{0, 1, 2, 2}));
  EXPECT_EQ(ds.paths, (std::vector<std::string>{dir / "ant/c.PNG", dir / "mole/d.png",
                                                dir / "zebra/a.png", dir / "zebra/b.png"}));
  ASSERT_EQ(ds.size(), 4u);
  for (const Image& img : ds.images) {
    EXPECT_EQ(img.height, 8);
    EXPECT_EQ(img.width, 6);
    EXPECT_EQ(img.channels, 3);
    EXPECT_EQ(img.pixels.size(), 8u * 6 * 3);
  }
  // The same as converting each file by hand, whatever the thread count.
  EXPECT_EQ(ds.images[3].pixels, convert_image(read_image(dir / "zebra/b.png"), 8, 6, 3).pixels);
  ImageDataset one = load_class_folders(dir.path(), {8, 6, 3}, 1);
  for (size_t i = 0; i < ds.size(); ++i) EXPECT_EQ(one.images[i].pixels, ds.images[i].pixels);
}

TEST(ClassFolders, LayoutErrorsNameTheCulprit) {
  TempDir dir("cfd_bad");
  const std::string& root = dir.path();
  EXPECT_EQ(load_error(root + "/nope"), root + "/nope: dataset folder does not exist");
  testing::write_bytes(dir / "file", "x");
  EXPECT_EQ(load_error(dir / "file"), dir / "file" + ": dataset path is not a folder");

  std::filesystem::create_directories(dir / "empty");
  EXPECT_EQ(load_error(dir / "empty"),
            dir / "empty" + ": no class folders (expected " + root + "/empty/<class>/<image>)");

  make_tree(dir / "t1");
  std::filesystem::create_directories(dir / "t1/nothing");
  EXPECT_EQ(load_error(dir / "t1"), dir / "t1/nothing" + ": class folder has no images");

  make_tree(dir / "t2");
  testing::write_bytes(dir / "t2/mole/broken.png", "garbage bytes");
  EXPECT_EQ(load_error(dir / "t2"), dir / "t2/mole/broken.png" + ": not a PNG, JPEG or BMP image");

  make_tree(dir / "t3");
  testing::write_bytes(dir / "t3/ant/labels.csv", "a,b");
  EXPECT_EQ(load_error(dir / "t3"),
            dir / "t3/ant/labels.csv" + ": not an image file (expected .png, .jpg, .jpeg or .bmp)");

  make_tree(dir / "t4");
  testing::save_png(dir / "t4/stray.png", pattern_image(2, 2, 1));
  EXPECT_NE(load_error(dir / "t4").find(dir / "t4/stray.png" + ": image directly in the dataset"),
            std::string::npos);

  make_tree(dir / "t5");
  EXPECT_THROW(load_class_folders(dir / "t5", {0, 8, 3}), Error);
  EXPECT_THROW(load_class_folders(dir / "t5", {8, 8, 4}), Error);
}

TEST(ClassFolders, DifferentClassesAreAnError) {
  ImageDataset a, b;
  a.root = "train";
  a.classes = {"cat", "dog", "emu"};
  b.root = "val";
  b.classes = {"cat", "dog", "emu"};
  EXPECT_NO_THROW(check_same_classes(a, b));
  b.classes = {"cat", "dingo", "emu"};
  try {
    check_same_classes(a, b);
    ADD_FAILURE() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()),
              "val: class folders differ from those of train: missing 'dog'; unexpected "
              "'dingo'");
  }
  b.classes = {"cat", "dog"};
  try {
    check_same_classes(a, b);
    ADD_FAILURE() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()),
              "val: class folders differ from those of train: missing 'emu'; unexpected none");
  }
}

}  // namespace
}  // namespace trex
