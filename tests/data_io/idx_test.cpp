// IDX reading: gzipped and plain files, and malformed files as errors that name the file.
#include <gtest/gtest.h>


#include "data/idx.h"
#include "data_io/test_files.h"
#include "test_util.h"
#include "util/error.h"
#include "util/file_io.h"

namespace trex {
namespace {

using testing::idx_bytes;
using testing::TempDir;

using testing::invalid_input_error_of;

TEST(Idx, ReadsGzippedAndPlainImages) {
  TempDir dir("idx_images");
  std::vector<uint8_t> pixels(3 * 2 * 4);
  for (size_t i = 0; i < pixels.size(); ++i) pixels[i] = static_cast<uint8_t>(i * 7);
  std::string bytes = idx_bytes({3, 2, 4}, pixels);
  testing::write_gzip(dir / "a.gz", bytes);
  testing::write_bytes(dir / "a", bytes);
  for (const std::string& path : {dir / "a.gz", dir / "a"}) {
    IdxImages img = read_idx_images(path);
    EXPECT_EQ(img.count, 3) << path;
    EXPECT_EQ(img.height, 2);
    EXPECT_EQ(img.width, 4);
    EXPECT_EQ(img.pixels, pixels);
  }
}

TEST(Idx, ReadsLabels) {
  TempDir dir("idx_labels");
  testing::write_gzip(dir / "l.gz", idx_bytes({4}, {9, 0, 3, 255}));
  EXPECT_EQ(read_idx_labels(dir / "l.gz"), (std::vector<uint8_t>{9, 0, 3, 255}));
  testing::write_bytes(dir / "empty_set", idx_bytes({0}, {}));
  EXPECT_TRUE(read_idx_labels(dir / "empty_set").empty());
}

TEST(Idx, MalformedFilesAreErrors) {
  TempDir dir("idx_bad");
  const std::string p = dir / "bad";
  testing::write_bytes(p, "");
  EXPECT_EQ(invalid_input_error_of([&] { read_idx_images(p); }), p + ": file is empty");

  testing::write_bytes(p, idx_bytes({2}, {1, 2}));
  EXPECT_EQ(invalid_input_error_of([&] { read_idx_images(p); }),
            p + ": not an IDX image file (magic 0x00000801, expected 0x00000803)");
  EXPECT_EQ(invalid_input_error_of([&] { read_idx_labels(dir / "nope.gz"); }),
            dir / "nope.gz" + ": cannot open file: No such file or directory");

  testing::write_bytes(p, idx_bytes({2, 2, 2}, {1, 2, 3}));
  EXPECT_EQ(invalid_input_error_of([&] { read_idx_images(p); }),
            p + ": truncated: the header promises 8 bytes of data, the file has 3");
  testing::write_bytes(p, idx_bytes({1, 1, 1}, {1, 2}));
  EXPECT_EQ(invalid_input_error_of([&] { read_idx_images(p); }),
            p + ": unexpected bytes after the 1 bytes of data the header promises");
  testing::write_bytes(p, idx_bytes({1, 0, 5}, {}));
  EXPECT_EQ(invalid_input_error_of([&] { read_idx_images(p); }), p + ": images of size 0x5");
  testing::write_bytes(p, std::string("\0\0\x08\x03\0\0", 6));
  EXPECT_EQ(invalid_input_error_of([&] { read_idx_images(p); }), p + ": truncated IDX header");
  // A header that promises far more than any file holds is refused before reading.
  testing::write_bytes(p, idx_bytes({0x7fffffff, 0x7fffffff, 0x7fffffff}, {}));
  EXPECT_NE(invalid_input_error_of([&] { read_idx_images(p); }).find(": implausible size"),
            std::string::npos);
}

TEST(Idx, TruncatedGzipIsAnError) {
  TempDir dir("idx_gz_trunc");
  std::vector<uint8_t> pixels(50 * 28 * 28);
  for (size_t i = 0; i < pixels.size(); ++i)
    pixels[i] = static_cast<uint8_t>(i * 2654435761u >> 24);
  testing::write_gzip(dir / "full.gz", idx_bytes({50, 28, 28}, pixels));
  std::string gz = read_file(dir / "full.gz");
  testing::write_bytes(dir / "cut.gz", gz.substr(0, gz.size() / 2));
  std::string err = invalid_input_error_of([&] { read_idx_images(dir / "cut.gz"); });
  EXPECT_EQ(err.rfind(dir / "cut.gz" + ": ", 0), 0u) << err;
  EXPECT_TRUE(err.find("truncated") != std::string::npos) << err;
}

}  // namespace
}  // namespace trex
