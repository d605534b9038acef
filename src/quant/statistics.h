// One calibration pass: runs the FP32 model in the trex runtime with the values the
// algorithms asked about as extra outputs, and feeds each batch to streaming collectors.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "ir/graph.h"
#include "quant/calibration_data.h"
#include "quant/range_estimator.h"
#include "runtime/tensor_view.h"
#include "util/progress.h"

namespace trex::quant {

/// Running per-channel mean of a value: channels on axis 1 (N, C, ...) or, for rank 2, on
/// the last axis.
class ChannelMeanCollector {
 public:
  /// Adds a batch (plain or channels-last).
  void add(const TensorView& t);
  std::vector<double> mean() const;
  int64_t samples() const { return samples_; }

 private:
  std::vector<double> sum_;
  int64_t count_ = 0, samples_ = 0;
};

/// Running per-channel max |x| over the last axis (the features a MatMul reduces over).
class LastAxisAbsMaxCollector {
 public:
  void add(const TensorView& t);
  const std::vector<float>& abs_max() const { return max_; }

 private:
  std::vector<float> max_;
};

/// What the algorithms of one run need, by value name.
struct StatisticsRequest {
  std::map<std::string, RangeEstimator> ranges;
  std::vector<std::string> channel_means;
  std::vector<std::string> last_axis_abs_max;
  void add_range(const std::string& value, const RangeEstimator& e) { ranges.emplace(value, e); }
  void add_channel_mean(const std::string& value) { channel_means.push_back(value); }
};

struct Statistics {
  std::map<std::string, RangeCollector> ranges;
  std::map<std::string, ChannelMeanCollector> channel_means;
  std::map<std::string, LastAxisAbsMaxCollector> last_axis_abs_max;
};

struct RunOptions {
  int threads = 0;  ///< runtime threads; 0 = OMP_NUM_THREADS or all cores
  int batch_size = 32;
  ProgressFn progress;
};

/// Runs `model` (any graph the runtime runs) over the samples `indices` and collects
/// `request`. A requested value that is not in the graph is an internal error; a value that
/// is never computed is an error naming it.
Statistics collect_statistics(const Graph& model, const StatisticsRequest& request,
                              CalibrationData& data, const std::vector<size_t>& indices,
                              const RunOptions& options, const std::string& stage);

/// Runs `model` over `indices` and calls `fn(i, view)` as soon as `values[i]` is computed
/// in each batch (the view lives only during the call). Values that the runtime fusions
/// would remove are kept by making them graph outputs.
void observe_values(const Graph& model, const std::vector<std::string>& values,
                    CalibrationData& data, const std::vector<size_t>& indices,
                    const RunOptions& options, const std::string& stage,
                    const std::function<void(size_t, const TensorView&)>& fn);

/// Runs `model` over `indices` with `values` as extra outputs and calls `fn` with each
/// batch's tensors of them (in the order of `values`).
void run_with_outputs(const Graph& model, const std::vector<std::string>& values,
                      CalibrationData& data, const std::vector<size_t>& indices,
                      const RunOptions& options, const std::string& stage,
                      const std::function<void(const std::vector<Tensor>&)>& fn);

}  // namespace trex::quant
