// IDX files, the MNIST family's format (big-endian header, then raw bytes), gzipped or plain:
// zlib's gzread reads both.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace trex {

/// `count` gray images of height x width, stored one after the other (count*height*width bytes).
struct IdxImages {
  int count = 0, height = 0, width = 0;
  std::vector<uint8_t> pixels;
};

/// Reads an IDX image file (magic 0x00000803); kInvalidInput names the file and the problem.
IdxImages read_idx_images(const std::string& path);

/// Reads an IDX label file (magic 0x00000801), one byte per label.
std::vector<uint8_t> read_idx_labels(const std::string& path);

}  // namespace trex
