// NumPy .npy files (format versions 1-3, little-endian, C order): read and write tensors,
// so users can feed `trex run` from Python-free pipelines that still speak numpy.
#pragma once

#include <string>

#include "ir/tensor.h"

namespace trex {

/// Reads a .npy file; kInvalidInput names the file and what is wrong with it.
Tensor load_npy(const std::string& path);
/// Parses .npy bytes; `source` names them in errors.
Tensor parse_npy(const std::string& bytes, const std::string& source);
/// Writes `t` as a version-1 .npy file, atomically.
void save_npy(const Tensor& t, const std::string& path);

}  // namespace trex
