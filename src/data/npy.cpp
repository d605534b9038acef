// .npy reading and writing (see npy.h).
#include "data/npy.h"

#include <cstring>
#include <regex>

#include "util/error.h"
#include "util/file_io.h"

namespace trex {

namespace {

struct Descr {
  const char* code;
  DType dtype;
};

const Descr kDescrs[] = {
    {"<f4", DType::kFloat32}, {"<f8", DType::kFloat64}, {"<f2", DType::kFloat16},
    {"|i1", DType::kInt8},    {"|u1", DType::kUInt8},   {"<i2", DType::kInt16},
    {"<u2", DType::kUInt16},  {"<i4", DType::kInt32},   {"<u4", DType::kUInt32},
    {"<i8", DType::kInt64},   {"<u8", DType::kUInt64},  {"|b1", DType::kBool}};

}  // namespace

Tensor parse_npy(const std::string& bytes, const std::string& source) {
  if (bytes.size() < 10 || bytes.compare(0, 6, "\x93NUMPY") != 0)
    throw_invalid(source + ": not a .npy file (bad magic)");
  int major = static_cast<unsigned char>(bytes[6]);
  size_t header_len, offset;
  if (major == 1) {
    header_len = static_cast<unsigned char>(bytes[8]) |
                 static_cast<size_t>(static_cast<unsigned char>(bytes[9])) << 8;
    offset = 10;
  } else if (major == 2 || major == 3) {
    if (bytes.size() < 12) throw_invalid(source + ": truncated .npy header");
    header_len = 0;
    for (int i = 0; i < 4; ++i)
      header_len |= static_cast<size_t>(static_cast<unsigned char>(bytes[8 + i])) << (8 * i);
    offset = 12;
  } else {
    throw_unsupported(source + ": .npy format version " + std::to_string(major) +
                      " is not supported");
  }
  if (bytes.size() < offset + header_len) throw_invalid(source + ": truncated .npy header");
  std::string header = bytes.substr(offset, header_len);
  std::smatch m;
  if (!std::regex_search(header, m, std::regex("'descr'\\s*:\\s*'([^']*)'")))
    throw_invalid(source + ": .npy header has no descr");
  std::string descr = m[1];
  DType dtype = DType::kUndefined;
  for (const Descr& d : kDescrs)
    if (descr == d.code) dtype = d.dtype;
  if (descr == "<b1") dtype = DType::kBool;
  if (dtype == DType::kUndefined)
    throw_unsupported(source + ": .npy dtype '" + descr +
                      "' is not supported (little-endian numeric only)");
  if (std::regex_search(header, std::regex("'fortran_order'\\s*:\\s*True")))
    throw_unsupported(source +
                      ": Fortran-ordered .npy arrays are not supported (save with C order)");
  if (!std::regex_search(header, m, std::regex("'shape'\\s*:\\s*\\(([^)]*)\\)")))
    throw_invalid(source + ": .npy header has no shape");
  std::vector<int64_t> dims;
  std::string shape = m[1];
  std::regex num("\\d+");
  for (auto it = std::sregex_iterator(shape.begin(), shape.end(), num);
       it != std::sregex_iterator(); ++it) {
    const std::string& s = it->str();
    if (s.size() > 12) throw_invalid(source + ": .npy dimension " + s + " is too large");
    dims.push_back(std::stoll(s));
  }
  size_t data_offset = offset + header_len;
  size_t have = bytes.size() - data_offset;
  int64_t n = 1;
  for (int64_t d : dims)
    if (d != 0 && n > (int64_t{1} << 40) / d)
      throw_invalid(source + ": .npy array is too large");
    else
      n *= d;
  size_t need = static_cast<size_t>(n) * dtype_size(dtype);
  if (have != need)
    throw_invalid(source + ": .npy data has " + std::to_string(have) + " bytes, the shape needs " +
                  std::to_string(need));
  return Tensor::from_bytes(dtype, dims, bytes.data() + data_offset, need);
}

Tensor load_npy(const std::string& path) {
  return parse_npy(read_file(path), path);
}

void save_npy(const Tensor& t, const std::string& path) {
  const char* code = nullptr;
  for (const Descr& d : kDescrs)
    if (d.dtype == t.dtype()) code = d.code;
  if (!code)
    throw_unsupported(path + ": dtype " + std::string(dtype_name(t.dtype())) + " has no .npy code");
  std::string shape;
  for (int64_t d : t.dims()) shape += std::to_string(d) + ", ";
  if (t.rank() > 1) shape.erase(shape.size() - 2);  // numpy writes (3,) for rank 1 only
  if (t.rank() == 1) shape.erase(shape.size() - 1);
  std::string header =
      "{'descr': '" + std::string(code) + "', 'fortran_order': False, 'shape': (" + shape + "), }";
  while ((10 + header.size() + 1) % 64) header += ' ';  // numpy aligns the data to 64 bytes
  header += '\n';
  std::string out = "\x93NUMPY";
  out += '\x01';
  out += '\x00';
  out += static_cast<char>(header.size() & 0xff);
  out += static_cast<char>(header.size() >> 8);
  out += header;
  out.append(reinterpret_cast<const char*>(t.raw()), t.nbytes());
  write_file_atomic(path, out);
}

}  // namespace trex
