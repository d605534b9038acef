// Calibration data as PTQ sees it: numbered samples that come as model-input batches, with
// exactly the preprocessing the model sees at inference. Tasks adapt their datasets to it.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "ir/tensor.h"

namespace trex::quant {

using InputBatch = std::map<std::string, Tensor>;

class CalibrationData {
 public:
  virtual ~CalibrationData() = default;
  /// Number of samples available.
  virtual size_t size() const = 0;
  /// Calls `fn` with batches (at most `batch_size` samples, N-first) of the samples at
  /// `indices`, in that order.
  virtual void for_each_batch(const std::vector<size_t>& indices, int batch_size,
                              const std::function<void(const InputBatch&)>& fn) = 0;
};

/// The calibration subset: the first `count` samples of a seeded shuffle of all samples
/// (all of them, shuffled, when there are fewer).
std::vector<size_t> calibration_subset(size_t available, size_t count, uint64_t seed);

}  // namespace trex::quant
