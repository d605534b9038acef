// Image decoding, PNG encoding and resizing through OpenCV (see image.h). OpenCV's exceptions
// and BGR channel order stop here; files are checked for completeness before OpenCV sees them.
#include "data/image.h"

#include <zlib.h>

#include <climits>
#include <cstring>
#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "util/error.h"
#include "util/file_io.h"

namespace trex {

namespace {

void check_image(const Image& img, const std::string& what) {
  if (img.height <= 0 || img.width <= 0 || (img.channels != 1 && img.channels != 3))
    throw_invalid(what + ": image is " + std::to_string(img.height) + "x" +
                  std::to_string(img.width) + "x" + std::to_string(img.channels) +
                  ", expected positive sizes and 1 or 3 channels");
  size_t want = static_cast<size_t>(img.height) * img.width * img.channels;
  if (img.pixels.size() != want)
    throw_invalid(what + ": image has " + std::to_string(img.pixels.size()) + " bytes, expected " +
                  std::to_string(want));
}

// A view of `img`'s pixels as a cv::Mat (no copy; OpenCV only reads it).
cv::Mat as_mat(const Image& img) {
  return cv::Mat(img.height, img.width, CV_8UC(img.channels),
                 const_cast<uint8_t*>(img.pixels.data()));
}

Image from_mat(const cv::Mat& m) {
  Image img;
  img.height = m.rows;
  img.width = m.cols;
  img.channels = m.channels();
  img.pixels.resize(static_cast<size_t>(m.rows) * m.cols * m.channels());
  cv::Mat dst(m.rows, m.cols, m.type(), img.pixels.data());
  m.copyTo(dst);
  return img;
}

uint32_t be32(const uint8_t* p) {
  return static_cast<uint32_t>(p[0]) << 24 | static_cast<uint32_t>(p[1]) << 16 |
         static_cast<uint32_t>(p[2]) << 8 | p[3];
}

// Walks the chunks up to IEND, checking their CRCs.
void check_png(const uint8_t* p, size_t n, const std::string& source) {
  size_t pos = 8;
  for (;;) {
    if (n - pos < 12 || be32(p + pos) > n - pos - 12)
      throw_invalid(source + ": PNG file is truncated");
    const size_t len = be32(p + pos);
    const std::string type(reinterpret_cast<const char*>(p + pos + 4), 4);
    const uLong crc = crc32(0, p + pos + 4, static_cast<uInt>(4 + len));
    if (crc != be32(p + pos + 8 + len))
      throw_invalid(source + ": PNG chunk '" + type + "' is corrupt (CRC mismatch)");
    pos += 12 + len;
    if (type == "IEND") return;
  }
}

// Walks the markers up to EOI: libjpeg decodes a truncated file without complaint, filling
// the missing part with gray.
void check_jpeg(const uint8_t* p, size_t n, const std::string& source) {
  auto truncated = [&] { throw_invalid(source + ": JPEG file is truncated"); };
  size_t pos = 2;
  for (;;) {
    // Like libjpeg, skip stray bytes and fill bytes before a marker.
    while (pos < n && p[pos] != 0xFF) ++pos;
    while (pos < n && p[pos] == 0xFF) ++pos;
    if (pos >= n) truncated();
    const uint8_t marker = p[pos++];
    if (marker == 0xD9) return;  // EOI
    if (marker == 0x00 || marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7))
      continue;  // no length
    if (n - pos < 2) truncated();
    const size_t len = static_cast<size_t>(p[pos]) << 8 | p[pos + 1];
    if (len < 2 || len > n - pos) truncated();
    pos += len;
    if (marker == 0xDA) {
      // Entropy-coded data runs to the next marker that is not stuffing (FF 00) or RSTn.
      for (;;) {
        const void* ff = std::memchr(p + pos, 0xFF, n - pos);
        if (!ff) truncated();
        pos = static_cast<size_t>(static_cast<const uint8_t*>(ff) - p);
        if (pos + 1 >= n) truncated();
        const uint8_t next = p[pos + 1];
        if (next != 0x00 && next != 0xFF && !(next >= 0xD0 && next <= 0xD7)) break;
        pos += 1;
      }
    }
  }
}

// Identifies the format by its magic bytes and checks that the file is complete, so that
// truncated files are clear errors (not partial images or libpng messages on stderr).
// Returns whether the file is a gray PNG with alpha, which OpenCV expands to BGRA.
bool check_container(const std::string& bytes, const std::string& source) {
  const auto* p = reinterpret_cast<const uint8_t*>(bytes.data());
  const size_t n = bytes.size();
  if (n >= 8 && std::memcmp(p, "\x89PNG\r\n\x1a\n", 8) == 0) {
    check_png(p, n, source);
    constexpr size_t kColorType = 25;  // signature, IHDR length and type, width, height, depth
    return n > kColorType && std::memcmp(p + 12, "IHDR", 4) == 0 && p[kColorType] == 4;
  }
  if (n >= 3 && p[0] == 0xFF && p[1] == 0xD8 && p[2] == 0xFF) {
    check_jpeg(p, n, source);
    return false;
  }
  if (n >= 2 && p[0] == 'B' && p[1] == 'M') {
    // bfSize, the file size the header promises (some writers leave it 0).
    const uint32_t size =
        n >= 6 ? (p[2] | p[3] << 8 | p[4] << 16 | static_cast<uint32_t>(p[5]) << 24) : 0;
    if (n < 26 || size > n) throw_invalid(source + ": BMP file is truncated");
    return false;
  }
  throw_invalid(source + ": not a PNG, JPEG or BMP image");
}

}  // namespace

Image decode_image(const std::string& bytes, const std::string& source) {
  if (bytes.empty()) throw_invalid(source + ": file is empty");
  if (bytes.size() > static_cast<size_t>(INT_MAX)) throw_invalid(source + ": file is too large");
  const bool gray_alpha = check_container(bytes, source);
  cv::Mat m;
  try {
    cv::Mat buf(1, static_cast<int>(bytes.size()), CV_8U, const_cast<char*>(bytes.data()));
    m = cv::imdecode(buf, cv::IMREAD_UNCHANGED);
  } catch (const cv::Exception& e) {
    throw_invalid(source + ": cannot decode image: " + e.msg);
  }
  if (m.empty()) throw_invalid(source + ": not a readable PNG, JPEG or BMP image");
  if (m.depth() != CV_8U)
    throw_invalid(source + ": only 8-bit images are supported (this one has " +
                  std::to_string(m.elemSize1() * 8) + "-bit samples)");
  cv::Mat out;
  if (m.channels() == 1) {
    out = m;
  } else if (m.channels() == 3) {
    cv::cvtColor(m, out, cv::COLOR_BGR2RGB);
  } else if (m.channels() == 4) {
    cv::cvtColor(m, out, gray_alpha ? cv::COLOR_BGRA2GRAY : cv::COLOR_BGRA2RGB);
  } else {
    throw_invalid(source + ": images with " + std::to_string(m.channels()) +
                  " channels are not supported");
  }
  return from_mat(out);
}

Image read_image(const std::string& path) {
  return decode_image(read_file(path), path);
}

namespace {

std::vector<uint8_t> encode(const Image& img, const char* ext, const std::vector<int>& params) {
  check_image(img, std::string("encode ") + ext);
  cv::Mat m = as_mat(img);
  cv::Mat bgr;
  if (img.channels == 3) cv::cvtColor(m, bgr, cv::COLOR_RGB2BGR);
  std::vector<uint8_t> out;
  try {
    if (!cv::imencode(ext, img.channels == 3 ? bgr : m, out, params))
      throw_internal(__FILE__, __LINE__, std::string("OpenCV could not encode ") + ext);
  } catch (const cv::Exception& e) {
    throw_internal(__FILE__, __LINE__,
                   std::string("OpenCV could not encode ") + ext + ": " + e.msg);
  }
  return out;
}

}  // namespace

std::vector<uint8_t> encode_png(const Image& img) {
  return encode(img, ".png", {});
}

std::vector<uint8_t> encode_jpeg(const Image& img, int quality) {
  return encode(img, ".jpg", {cv::IMWRITE_JPEG_QUALITY, quality});
}

void write_png(const std::string& path, const Image& img) {
  std::vector<uint8_t> png = encode_png(img);
  write_file_atomic(path, std::string(png.begin(), png.end()));
}

Image convert_image(const Image& img, int height, int width, int channels) {
  check_image(img, "convert_image");
  if (height <= 0 || width <= 0 || (channels != 1 && channels != 3))
    throw_invalid("convert_image: target " + std::to_string(height) + "x" + std::to_string(width) +
                  "x" + std::to_string(channels) + " must have positive sizes and 1 or 3 channels");
  if (img.height == height && img.width == width && img.channels == channels) return img;
  cv::Mat m = as_mat(img);
  // Fewer channels before resizing, more after: the resize then touches less data.
  if (channels < img.channels) cv::cvtColor(m, m, cv::COLOR_RGB2GRAY);
  if (m.rows != height || m.cols != width) {
    bool shrink = height <= m.rows && width <= m.cols;
    cv::Mat r;
    cv::resize(m, r, cv::Size(width, height), 0, 0, shrink ? cv::INTER_AREA : cv::INTER_LINEAR);
    m = r;
  }
  if (channels > m.channels()) cv::cvtColor(m, m, cv::COLOR_GRAY2RGB);
  return from_mat(m);
}

}  // namespace trex
