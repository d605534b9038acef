// IDX reading (see idx.h). The header is validated before the data is read, and the data is
// read in chunks, so a lying header cannot make us allocate more than the file holds.
#include "data/idx.h"

#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>

#include "util/error.h"

namespace trex {

namespace {

// A gzFile that closes itself; reads plain files too.
class GzReader {
 public:
  explicit GzReader(const std::string& path) : path_(path) {
    errno = 0;
    f_ = gzopen(path.c_str(), "rb");
    if (!f_)
      throw_invalid(path +
                    ": cannot open file: " + (errno ? std::strerror(errno) : "out of memory"));
  }
  ~GzReader() { gzclose(f_); }
  GzReader(const GzReader&) = delete;
  GzReader& operator=(const GzReader&) = delete;

  /// Reads up to `n` bytes; fewer only at the end of the data.
  size_t read(void* dst, size_t n) {
    size_t got = 0;
    auto* p = static_cast<char*>(dst);
    while (got < n) {
      unsigned chunk = static_cast<unsigned>(std::min<size_t>(n - got, 1u << 30));
      int r = gzread(f_, p + got, chunk);
      if (r < 0) fail();
      if (r == 0) break;
      got += static_cast<size_t>(r);
    }
    // A gzip stream cut short reads as a short file plus an error flag.
    int code = Z_OK;
    gzerror(f_, &code);
    if (code != Z_OK) fail();
    return got;
  }

 private:
  [[noreturn]] void fail() {
    int code = Z_OK;
    const char* msg = gzerror(f_, &code);
    if (code == Z_ERRNO) msg = std::strerror(errno);
    if (code == Z_BUF_ERROR) msg = "gzip data is truncated";
    throw_invalid(path_ + ": read error: " + (msg ? msg : "unknown"));
  }

  std::string path_;
  gzFile f_ = nullptr;
};

uint32_t big_endian(const uint8_t* p) {
  return static_cast<uint32_t>(p[0]) << 24 | static_cast<uint32_t>(p[1]) << 16 |
         static_cast<uint32_t>(p[2]) << 8 | p[3];
}

std::string hex(uint32_t v) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "0x%08x", v);
  return buf;
}

// Reads the magic and `ndims` dimensions; checks the magic against `want`.
std::vector<uint32_t> read_header(GzReader& in, const std::string& path, uint32_t want,
                                  const char* what) {
  uint8_t magic[4];
  size_t got = in.read(magic, 4);
  if (got == 0) throw_invalid(path + ": file is empty");
  if (got < 4 || big_endian(magic) != want)
    throw_invalid(path + ": not an IDX " + what + " file (magic " +
                  (got < 4 ? std::string("truncated") : hex(big_endian(magic))) + ", expected " +
                  hex(want) + ")");
  int ndims = magic[3];
  std::vector<uint8_t> raw(4 * ndims);
  if (in.read(raw.data(), raw.size()) != raw.size()) throw_invalid(path + ": truncated IDX header");
  std::vector<uint32_t> dims(ndims);
  for (int i = 0; i < ndims; ++i) dims[i] = big_endian(&raw[4 * i]);
  return dims;
}

// Reads exactly `n` bytes of data and checks that nothing follows.
std::vector<uint8_t> read_data(GzReader& in, const std::string& path, uint64_t n) {
  std::vector<uint8_t> data;
  constexpr size_t kChunk = 1 << 22;
  while (data.size() < n) {
    size_t old = data.size();
    size_t want = static_cast<size_t>(std::min<uint64_t>(kChunk, n - old));
    data.resize(old + want);
    size_t got = in.read(data.data() + old, want);
    if (got < want)
      throw_invalid(path + ": truncated: the header promises " + std::to_string(n) +
                    " bytes of data, the file has " + std::to_string(old + got));
  }
  uint8_t extra;
  if (in.read(&extra, 1) != 0)
    throw_invalid(path + ": unexpected bytes after the " + std::to_string(n) +
                  " bytes of data the header promises");
  return data;
}

}  // namespace

IdxImages read_idx_images(const std::string& path) {
  GzReader in(path);
  std::vector<uint32_t> dims = read_header(in, path, 0x00000803, "image");
  for (uint32_t d : dims)
    if (d > 0x7fffffffu) throw_invalid(path + ": implausible dimension " + std::to_string(d));
  IdxImages out;
  out.count = static_cast<int>(dims[0]);
  out.height = static_cast<int>(dims[1]);
  out.width = static_cast<int>(dims[2]);
  if (out.height == 0 || out.width == 0)
    throw_invalid(path + ": images of size " + std::to_string(out.height) + "x" +
                  std::to_string(out.width));
  // Three dimensions below 2^31 can overflow 64 bits: multiply in 128.
  unsigned __int128 bytes = static_cast<unsigned __int128>(dims[0]) * dims[1] * dims[2];
  if (bytes > (static_cast<uint64_t>(1) << 40))
    throw_invalid(path + ": implausible size " + std::to_string(dims[0]) + "x" +
                  std::to_string(dims[1]) + "x" + std::to_string(dims[2]));
  out.pixels = read_data(in, path, static_cast<uint64_t>(bytes));
  return out;
}

std::vector<uint8_t> read_idx_labels(const std::string& path) {
  GzReader in(path);
  std::vector<uint32_t> dims = read_header(in, path, 0x00000801, "label");
  if (dims[0] > 0x7fffffffu)
    throw_invalid(path + ": implausible label count " + std::to_string(dims[0]));
  return read_data(in, path, dims[0]);
}

}  // namespace trex
