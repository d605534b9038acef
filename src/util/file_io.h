// Whole-file reads and crash-safe writes: outputs go to a temporary file in the target's
// folder and are renamed into place, so an interrupted run never leaves a half-written file.
#pragma once

#include <string>

namespace trex {

/// Reads a whole file; throws kInvalidInput naming `path` when it cannot be read.
std::string read_file(const std::string& path);

/// Writes `bytes` to `path` atomically (temporary file + fsync + rename).
void write_file_atomic(const std::string& path, const std::string& bytes);

/// The folder part of `path` ("." when it has none).
std::string parent_dir(const std::string& path);

}  // namespace trex
