// Image I/O: PNG round trips, channel conversions and resizing, and unreadable files as errors
// that name the file.
#include <gtest/gtest.h>

#include <zlib.h>

#include <opencv2/imgcodecs.hpp>

#include "data/image.h"
#include "data_io/test_files.h"
#include "util/error.h"

namespace trex {
namespace {

using testing::pattern_image;
using testing::TempDir;

std::string error_of(const std::string& path) {
  try {
    read_image(path);
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kInvalidInput);
    return e.what();
  }
  return "";
}

TEST(Image, PngRoundTripsGrayAndRgb) {
  TempDir dir("image_png");
  for (int c : {1, 3}) {
    Image img = pattern_image(5, 7, c);
    std::string path = dir / ("img" + std::to_string(c) + ".png");
    write_png(path, img);
    Image back = read_image(path);
    EXPECT_EQ(back.height, 5);
    EXPECT_EQ(back.width, 7);
    EXPECT_EQ(back.channels, c);
    EXPECT_EQ(back.pixels, img.pixels) << c << " channels";
  }
}

TEST(Image, RgbOrderIsKept) {
  // A pure red pixel must come back as (255, 0, 0), not OpenCV's BGR (0, 0, 255).
  Image red{1, 1, 3, {255, 0, 0}};
  std::vector<uint8_t> png = encode_png(red);
  Image back = decode_image(std::string(png.begin(), png.end()), "red.png");
  EXPECT_EQ(back.pixels, (std::vector<uint8_t>{255, 0, 0}));
}

TEST(Image, ConvertsChannelsAndSize) {
  Image gray{1, 2, 1, {10, 200}};
  Image rgb = convert_image(gray, 1, 2, 3);
  EXPECT_EQ(rgb.channels, 3);
  EXPECT_EQ(rgb.pixels, (std::vector<uint8_t>{10, 10, 10, 200, 200, 200}));
  EXPECT_EQ(convert_image(rgb, 1, 2, 1).pixels, gray.pixels);

  // Shrinking 4x4 -> 2x2 averages 2x2 blocks (INTER_AREA).
  Image big{4, 4, 1, {0, 0, 100, 100, 0, 0, 100, 100, 40, 40, 8, 8, 40, 40, 8, 8}};
  Image small = convert_image(big, 2, 2, 1);
  EXPECT_EQ(small.pixels, (std::vector<uint8_t>{0, 100, 40, 8}));

  Image up = convert_image(pattern_image(3, 5, 3), 32, 20, 3);
  EXPECT_EQ(up.height, 32);
  EXPECT_EQ(up.width, 20);
  EXPECT_EQ(up.pixels.size(), 32u * 20 * 3);
  // A constant image stays constant whatever the interpolation.
  Image flat{3, 3, 1, std::vector<uint8_t>(9, 77)};
  EXPECT_EQ(convert_image(flat, 7, 2, 1).pixels, std::vector<uint8_t>(14, 77));
}

// PNG bytes written by hand, for the formats encode_png does not produce.
std::string png_bytes(int w, int h, int bit_depth, int color_type, const std::string& rows) {
  auto be32 = [](uint32_t v) {
    return std::string{static_cast<char>(v >> 24), static_cast<char>(v >> 16),
                       static_cast<char>(v >> 8), static_cast<char>(v)};
  };
  auto chunk = [&](const std::string& type, const std::string& data) {
    std::string td = type + data;
    uLong crc = crc32(0, reinterpret_cast<const Bytef*>(td.data()), static_cast<uInt>(td.size()));
    return be32(static_cast<uint32_t>(data.size())) + td + be32(static_cast<uint32_t>(crc));
  };
  std::string ihdr = be32(w) + be32(h) + static_cast<char>(bit_depth) +
                     static_cast<char>(color_type) + std::string(3, '\0');
  std::vector<Bytef> z(compressBound(rows.size()));
  uLongf zlen = z.size();
  compress(z.data(), &zlen, reinterpret_cast<const Bytef*>(rows.data()), rows.size());
  return "\x89PNG\r\n\x1a\n" + chunk("IHDR", ihdr) +
         chunk("IDAT", std::string(z.begin(), z.begin() + zlen)) + chunk("IEND", "");
}

TEST(Image, DropsAlphaAndRefuses16Bit) {
  // 2x1 RGBA (color type 6): each row starts with filter byte 0.
  std::string rgba = png_bytes(2, 1, 8, 6, std::string("\0\x0a\x14\x1e\xff\x28\x32\x3c\x00", 9));
  Image img = decode_image(rgba, "rgba.png");
  EXPECT_EQ(img.channels, 3);
  EXPECT_EQ(img.pixels, (std::vector<uint8_t>{10, 20, 30, 40, 50, 60}));
  // 1x1 gray + alpha (color type 4) stays gray.
  Image ga = decode_image(png_bytes(1, 1, 8, 4, std::string("\0\x63\x80", 3)), "ga.png");
  EXPECT_EQ(ga.channels, 1);
  EXPECT_EQ(ga.pixels, (std::vector<uint8_t>{0x63}));
  try {
    decode_image(png_bytes(1, 1, 16, 0, std::string("\0\x12\x34", 3)), "deep.png");
    ADD_FAILURE() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()),
              "deep.png: only 8-bit images are supported (this one has 16-bit samples)");
  }
}

TEST(Image, ReadsJpegAndBmpAndRefusesTruncatedOnes) {
  TempDir dir("image_jpeg");
  cv::Mat m(16, 24, CV_8UC3, cv::Scalar(200, 100, 50));  // BGR
  for (const char* ext : {".jpg", ".bmp"}) {
    std::vector<uint8_t> enc;
    ASSERT_TRUE(cv::imencode(ext, m, enc));
    std::string bytes(enc.begin(), enc.end());
    Image img = decode_image(bytes, ext);
    EXPECT_EQ(img.height, 16);
    EXPECT_EQ(img.width, 24);
    ASSERT_EQ(img.channels, 3);
    EXPECT_NEAR(img.pixels[0], 50, 3) << ext << ": red first";
    EXPECT_NEAR(img.pixels[2], 200, 3) << ext;
    // Trailing bytes after the image are tolerated, as by other readers.
    EXPECT_EQ(decode_image(bytes + std::string(50, '\0'), ext).pixels, img.pixels) << ext;
    std::string path = dir / (std::string("cut") + ext);
    testing::write_bytes(path, bytes.substr(0, bytes.size() * 3 / 4));
    std::string want =
        std::string(ext) == ".jpg" ? ": JPEG file is truncated" : ": BMP file is truncated";
    EXPECT_EQ(error_of(path), path + want);
  }
}

TEST(Image, BadInputsAreErrors) {
  TempDir dir("image_bad");
  testing::write_bytes(dir / "empty.png", "");
  EXPECT_EQ(error_of(dir / "empty.png"), dir / "empty.png" + ": file is empty");
  testing::write_bytes(dir / "text.png", "this is not an image");
  EXPECT_EQ(error_of(dir / "text.png"), dir / "text.png" + ": not a PNG, JPEG or BMP image");
  // A real PNG cut in half.
  std::vector<uint8_t> png = encode_png(pattern_image(40, 40, 3));
  testing::write_bytes(dir / "cut.png", std::string(png.begin(), png.begin() + png.size() / 2));
  EXPECT_EQ(error_of(dir / "cut.png"), dir / "cut.png" + ": PNG file is truncated");
  std::string flipped(png.begin(), png.end());
  flipped[flipped.size() / 2] ^= 0x55;
  testing::write_bytes(dir / "flipped.png", flipped);
  EXPECT_EQ(error_of(dir / "flipped.png"),
            dir / "flipped.png" + ": PNG chunk 'IDAT' is corrupt (CRC mismatch)");
  EXPECT_EQ(error_of(dir / "missing.png").rfind(dir / "missing.png" + ": cannot open file", 0), 0u);

  EXPECT_THROW(encode_png(Image{2, 2, 3, {1, 2, 3}}), Error);
  EXPECT_THROW(encode_png(Image{2, 2, 2, std::vector<uint8_t>(8)}), Error);
  EXPECT_THROW(convert_image(pattern_image(2, 2, 1), 0, 3, 1), Error);
}

}  // namespace
}  // namespace trex
