// Label maps as PNG files: 8-bit single-channel images whose values are class ids, stored
// as palette PNGs (Pascal VOC's SegmentationClass: the palette only colours the indices) or
// grayscale PNGs. OpenCV would expand a palette to colours, so trex reads and writes these
// itself (zlib only).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace trex {

/// A label map, row-major: one class id (or 255 = ignore) per pixel.
struct LabelMap {
  int height = 0, width = 0;
  std::vector<uint8_t> labels;
};

/// Decodes PNG bytes as a label map: palette images (bit depth 1, 2, 4 or 8) give their
/// indices, 8-bit grayscale images their values. Other colour types, 16-bit, interlacing,
/// a bad CRC, truncated or oversized data are kInvalidInput naming `source`.
LabelMap decode_label_png(const std::string& bytes, const std::string& source);

/// Reads a label PNG file (decode_label_png).
LabelMap read_label_png(const std::string& path);

/// PNG bytes of `map` as an 8-bit palette image with the Pascal VOC colour map.
std::vector<uint8_t> encode_label_png(const LabelMap& map);

/// The Pascal VOC colour of index i (bit-interleaved; 255 is (224, 224, 192)).
void voc_color(int index, uint8_t rgb[3]);

}  // namespace trex
