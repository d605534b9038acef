// 8-bit images in memory (HWC, gray or RGB), and their file formats: PNG/JPEG/BMP decoding,
// PNG encoding, resizing and channel conversion. OpenCV stays inside image.cpp.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace trex {

/// An 8-bit image, HWC interleaved; `channels` is 1 (gray) or 3 (RGB order).
struct Image {
  int height = 0, width = 0, channels = 0;
  std::vector<uint8_t> pixels;
};

/// Reads a PNG/JPEG/BMP file: gray stays 1 channel, color becomes RGB, alpha is dropped,
/// 16-bit is refused. A corrupt, empty or unreadable file is kInvalidInput naming the file.
Image read_image(const std::string& path);

/// Decodes image file bytes as read_image does; `source` names them in errors.
Image decode_image(const std::string& bytes, const std::string& source);

/// PNG bytes of `img` (1 or 3 channels); kInvalidInput if `img` is malformed.
std::vector<uint8_t> encode_png(const Image& img);

/// JPEG bytes of `img` at `quality` (1..100), deterministic for a given libjpeg.
std::vector<uint8_t> encode_jpeg(const Image& img, int quality = 95);

/// Writes `img` as a PNG file, atomically.
void write_png(const std::string& path, const Image& img);

/// `img` resized (INTER_AREA when shrinking, bilinear otherwise) and converted (gray<->RGB) to
/// height x width x channels.
Image convert_image(const Image& img, int height, int width, int channels);

}  // namespace trex
