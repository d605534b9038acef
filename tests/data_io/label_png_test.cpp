// Label-map PNGs: round trip through trex's palette encoder, OpenCV-written grayscale PNGs
// and low-bit-depth palette PNGs read as indices, and corrupt files refused naming the file.
#include <gtest/gtest.h>

#include <zlib.h>

#include "data/image.h"
#include "data/label_png.h"
#include "util/error.h"

namespace trex {
namespace {

std::string str(const std::vector<uint8_t>& v) {
  return std::string(v.begin(), v.end());
}

LabelMap pattern(int h, int w) {
  LabelMap m;
  m.height = h;
  m.width = w;
  for (int i = 0; i < h * w; ++i)
    m.labels.push_back(static_cast<uint8_t>(i % 7 == 6 ? 255 : i % 11));
  return m;
}

TEST(LabelPng, PaletteRoundTrip) {
  LabelMap m = pattern(13, 17);
  LabelMap back = decode_label_png(str(encode_label_png(m)), "mem");
  EXPECT_EQ(back.height, 13);
  EXPECT_EQ(back.width, 17);
  EXPECT_EQ(back.labels, m.labels);
}

TEST(LabelPng, VocColours) {
  uint8_t c[3];
  voc_color(1, c);
  EXPECT_EQ(c[0], 128);
  EXPECT_EQ(c[1], 0);
  EXPECT_EQ(c[2], 0);
  voc_color(15, c);  // person
  EXPECT_EQ(c[0], 192);
  EXPECT_EQ(c[1], 128);
  EXPECT_EQ(c[2], 128);
  voc_color(255, c);
  EXPECT_EQ(c[0], 224);
  EXPECT_EQ(c[1], 224);
  EXPECT_EQ(c[2], 192);
}

TEST(LabelPng, GrayscaleFromOpenCvWithFilters) {
  // OpenCV's PNG writer picks row filters (Sub/Up/Paeth...) itself: the unfiltering is
  // exercised on a gradient-heavy image.
  Image g{23, 31, 1, {}};
  for (int y = 0; y < 23; ++y)
    for (int x = 0; x < 31; ++x) g.pixels.push_back(static_cast<uint8_t>((x * 7 + y * 13) % 256));
  LabelMap m = decode_label_png(str(encode_png(g)), "gray.png");
  EXPECT_EQ(m.labels, g.pixels);
}

// A hand-built 2-bit palette PNG: 5x2 pixels, indices 0 1 2 3 0 / 3 2 1 0 3.
TEST(LabelPng, TwoBitPalette) {
  auto be = [](std::string& s, uint32_t v) {
    for (int k = 24; k >= 0; k -= 8) s += static_cast<char>((v >> k) & 0xff);
  };
  auto chunk = [&](std::string& out, const std::string& type, const std::string& body) {
    be(out, static_cast<uint32_t>(body.size()));
    std::string tb = type + body;
    out += tb;
    be(out, static_cast<uint32_t>(crc32(0, reinterpret_cast<const Bytef*>(tb.data()), tb.size())));
  };
  std::string png = "\x89PNG\r\n\x1a\n";
  std::string ihdr;
  be(ihdr, 5);
  be(ihdr, 2);
  ihdr += std::string("\x02\x03\x00\x00\x00", 5);
  chunk(png, "IHDR", ihdr);
  chunk(png, "PLTE", std::string(12, '\x10'));
  // rows: filter 0, then 2-bit packed: 00 01 10 11 | 00 pad -> 0x1b 0x00 ; 11 10 01 00 | 11 -> 0xe4
  // 0xc0
  std::string raw = std::string("\x00\x1b\x00\x00\xe4\xc0", 6);
  uLongf zn = compressBound(raw.size());
  std::string z(zn, '\0');
  compress(reinterpret_cast<Bytef*>(z.data()), &zn, reinterpret_cast<const Bytef*>(raw.data()),
           raw.size());
  z.resize(zn);
  chunk(png, "IDAT", z);
  chunk(png, "IEND", "");
  LabelMap m = decode_label_png(png, "two_bit.png");
  EXPECT_EQ(m.labels, (std::vector<uint8_t>{0, 1, 2, 3, 0, 3, 2, 1, 0, 3}));
}

TEST(LabelPng, RefusesRgbAndCorruptFilesNamingThem) {
  Image rgb{4, 4, 3, std::vector<uint8_t>(48, 9)};
  try {
    decode_label_png(str(encode_png(rgb)), "rgb.png");
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("rgb.png: not a label PNG: colour type 2"),
              std::string::npos)
        << e.what();
  }
  std::string good = str(encode_label_png(pattern(8, 8)));
  std::string bad_crc = good;
  bad_crc[20] ^= 1;  // inside IHDR
  EXPECT_THROW(decode_label_png(bad_crc, "crc.png"), Error);
  EXPECT_THROW(decode_label_png(good.substr(0, good.size() / 2), "cut.png"), Error);
  EXPECT_THROW(decode_label_png("not a png", "text.png"), Error);
  EXPECT_THROW(decode_label_png("", "empty.png"), Error);
}

}  // namespace
}  // namespace trex
