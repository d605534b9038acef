// Label-map PNG decoding and encoding (label_png.h): chunks with CRCs, IHDR, PLTE, IDAT
// through zlib with a bounded output, the five PNG row filters.
#include "data/label_png.h"

#include <zlib.h>

#include <cstdlib>
#include <cstring>

#include "util/error.h"
#include "util/file_io.h"

namespace trex {

namespace {

constexpr uint8_t kSignature[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
constexpr int64_t kMaxPixels = int64_t{1} << 28;  // 16384 x 16384

uint32_t be32(const uint8_t* p) {
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | p[3];
}

void put32(std::vector<uint8_t>& out, uint32_t v) {
  for (int s = 24; s >= 0; s -= 8) out.push_back(static_cast<uint8_t>(v >> s));
}

int paeth(int a, int b, int c) {
  const int p = a + b - c, pa = std::abs(p - a), pb = std::abs(p - b), pc = std::abs(p - c);
  if (pa <= pb && pa <= pc) return a;
  return pb <= pc ? b : c;
}

}  // namespace

void voc_color(int index, uint8_t rgb[3]) {
  rgb[0] = rgb[1] = rgb[2] = 0;
  for (int bit = 7, c = index; bit >= 0 && c; --bit, c >>= 3) {
    rgb[0] |= static_cast<uint8_t>(((c >> 0) & 1) << bit);
    rgb[1] |= static_cast<uint8_t>(((c >> 1) & 1) << bit);
    rgb[2] |= static_cast<uint8_t>(((c >> 2) & 1) << bit);
  }
}

LabelMap decode_label_png(const std::string& bytes, const std::string& source) {
  auto fail = [&](const std::string& why) -> void {
    throw_invalid(source + ": not a label PNG: " + why);
  };
  const auto* data = reinterpret_cast<const uint8_t*>(bytes.data());
  const size_t n = bytes.size();
  if (n < 8 || std::memcmp(data, kSignature, 8) != 0) fail("no PNG signature");
  size_t pos = 8;
  uint32_t width = 0, height = 0;
  int depth = 0, color = -1;
  bool seen_header = false, seen_end = false;
  std::string idat;
  while (pos < n && !seen_end) {
    if (n - pos < 12) fail("truncated chunk at byte " + std::to_string(pos));
    const uint32_t len = be32(data + pos);
    if (len > n - pos - 12) fail("chunk at byte " + std::to_string(pos) + " runs past the end");
    const uint8_t* type = data + pos + 4;
    const uint8_t* body = type + 4;
    const uint32_t crc = be32(body + len);
    if (static_cast<uint32_t>(crc32(0, type, len + 4)) != crc)
      fail("bad CRC in chunk '" + std::string(reinterpret_cast<const char*>(type), 4) + "'");
    const std::string name(reinterpret_cast<const char*>(type), 4);
    if (!seen_header && name != "IHDR") fail("first chunk is '" + name + "', not IHDR");
    if (name == "IHDR") {
      if (seen_header || len != 13) fail("bad IHDR");
      seen_header = true;
      width = be32(body);
      height = be32(body + 4);
      depth = body[8];
      color = body[9];
      if (body[10] != 0 || body[11] != 0) fail("unknown compression or filter method");
      if (body[12] != 0) fail("interlaced PNGs are not supported for label maps");
      if (width == 0 || height == 0 || width > 16384 || height > 16384 ||
          int64_t{width} * height > kMaxPixels)
        fail("size " + std::to_string(width) + "x" + std::to_string(height) +
             " is outside 1..16384 per side");
      const bool palette_ok = color == 3 && (depth == 1 || depth == 2 || depth == 4 || depth == 8);
      const bool gray_ok = color == 0 && depth == 8;
      if (!palette_ok && !gray_ok)
        fail("colour type " + std::to_string(color) + " at " + std::to_string(depth) +
             " bits; label maps are palette (indexed) or 8-bit grayscale PNGs");
    } else if (name == "IDAT") {
      idat.append(reinterpret_cast<const char*>(body), len);
    } else if (name == "IEND") {
      seen_end = true;
    } else if (!(type[0] & 0x20)) {
      if (name != "PLTE") fail("unknown critical chunk '" + name + "'");
    }
    pos += 12 + len;
  }
  if (!seen_header) fail("no IHDR");
  if (idat.empty()) fail("no image data");
  const size_t row_bytes = (static_cast<size_t>(width) * depth + 7) / 8;
  const size_t raw_size = (row_bytes + 1) * height;
  std::vector<uint8_t> raw(raw_size);
  z_stream zs{};
  if (inflateInit(&zs) != Z_OK) fail("zlib init failed");
  zs.next_in = reinterpret_cast<Bytef*>(idat.data());
  zs.avail_in = static_cast<uInt>(idat.size());
  zs.next_out = raw.data();
  zs.avail_out = static_cast<uInt>(raw.size());
  const int rc = inflate(&zs, Z_FINISH);
  const size_t produced = raw.size() - zs.avail_out;
  inflateEnd(&zs);
  if (produced != raw_size || (rc != Z_STREAM_END && rc != Z_BUF_ERROR && rc != Z_OK))
    fail("image data is corrupt or truncated (" + std::to_string(produced) + " of " +
         std::to_string(raw_size) + " bytes)");
  // Unfilter in place (filter units are bytes: every label PNG here has 1 byte per pixel or
  // less).
  std::vector<uint8_t> prev(row_bytes, 0);
  LabelMap m;
  m.height = static_cast<int>(height);
  m.width = static_cast<int>(width);
  m.labels.resize(static_cast<size_t>(width) * height);
  for (size_t y = 0; y < height; ++y) {
    uint8_t* row = raw.data() + y * (row_bytes + 1);
    const int filter = row[0];
    uint8_t* px = row + 1;
    for (size_t i = 0; i < row_bytes; ++i) {
      const int a = i ? px[i - 1] : 0, b = prev[i], c = i ? prev[i - 1] : 0;
      int v = px[i];
      switch (filter) {
        case 0:
          break;
        case 1:
          v += a;
          break;
        case 2:
          v += b;
          break;
        case 3:
          v += (a + b) / 2;
          break;
        case 4:
          v += paeth(a, b, c);
          break;
        default:
          fail("row " + std::to_string(y) + " has unknown filter " + std::to_string(filter));
      }
      px[i] = static_cast<uint8_t>(v);
    }
    std::memcpy(prev.data(), px, row_bytes);
    uint8_t* out = m.labels.data() + y * width;
    if (depth == 8) {
      std::memcpy(out, px, width);
    } else {
      const int per_byte = 8 / depth, mask = (1 << depth) - 1;
      for (size_t x = 0; x < width; ++x) {
        const int shift = 8 - depth * (1 + static_cast<int>(x % per_byte));
        out[x] = static_cast<uint8_t>((px[x / per_byte] >> shift) & mask);
      }
    }
  }
  return m;
}

LabelMap read_label_png(const std::string& path) {
  return decode_label_png(read_file(path), path);
}

std::vector<uint8_t> encode_label_png(const LabelMap& map) {
  if (map.height <= 0 || map.width <= 0 ||
      map.labels.size() != static_cast<size_t>(map.height) * map.width)
    throw_invalid("encode_label_png: malformed label map");
  std::vector<uint8_t> out(kSignature, kSignature + 8);
  auto chunk = [&](const char* type, const std::vector<uint8_t>& body) {
    put32(out, static_cast<uint32_t>(body.size()));
    const size_t start = out.size();
    out.insert(out.end(), type, type + 4);
    out.insert(out.end(), body.begin(), body.end());
    put32(out, static_cast<uint32_t>(crc32(0, out.data() + start, out.size() - start)));
  };
  std::vector<uint8_t> ihdr;
  put32(ihdr, static_cast<uint32_t>(map.width));
  put32(ihdr, static_cast<uint32_t>(map.height));
  ihdr.insert(ihdr.end(), {8, 3, 0, 0, 0});
  chunk("IHDR", ihdr);
  std::vector<uint8_t> plte(256 * 3);
  for (int i = 0; i < 256; ++i) voc_color(i, plte.data() + 3 * i);
  chunk("PLTE", plte);
  std::vector<uint8_t> raw;
  raw.reserve(static_cast<size_t>(map.height) * (map.width + 1));
  for (int y = 0; y < map.height; ++y) {
    raw.push_back(0);
    raw.insert(raw.end(), map.labels.begin() + static_cast<size_t>(y) * map.width,
               map.labels.begin() + static_cast<size_t>(y + 1) * map.width);
  }
  uLongf size = compressBound(raw.size());
  std::vector<uint8_t> z(size);
  if (compress2(z.data(), &size, raw.data(), raw.size(), 6) != Z_OK)
    throw_invalid("encode_label_png: zlib failed");
  z.resize(size);
  chunk("IDAT", z);
  chunk("IEND", {});
  return out;
}

}  // namespace trex
