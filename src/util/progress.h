// Progress reporting from long library work (data loading, training, calibration). The
// library calls the callback; only the CLI knows whether that becomes a bar or log lines.
#pragma once

#include <cstddef>
#include <functional>
#include <string>

namespace trex {

struct Progress {
  std::string stage;   ///< "load train", "epoch 3/15", "calibrate", ...
  size_t done = 0;     ///< units finished
  size_t total = 0;    ///< units in the stage; 0 if unknown
  std::string detail;  ///< short status, e.g. "loss 0.412 lr 0.0831"
};

/// Called from the thread doing the work; may be empty.
using ProgressFn = std::function<void(const Progress&)>;

inline void report(const ProgressFn& fn, const Progress& p) {
  if (fn) fn(p);
}

}  // namespace trex
