// Streaming activation statistics and the range estimators built on them. A collector sees
// calibration batches one at a time and keeps a fixed amount of state (running sums,
// fixed-size histograms), so memory does not grow with the number of samples.
#pragma once

#include <cstdint>
#include <vector>

#include "quant/quantizer_config.h"

namespace trex::quant {

struct Range {
  float lo = 0, hi = 0;
};

/// A histogram of values on two fixed-size magnitude axes (negative and positive), whose bin
/// width doubles (merging neighbours exactly) when a larger value arrives.
class StreamingHistogram {
 public:
  static constexpr int kBins = 2048;
  void add(const float* x, int64_t n);
  uint64_t count() const { return count_; }
  /// The value below which a fraction `q` of the samples lie (linear within a bin).
  float quantile(double q) const;
  /// (bin centre, count) pairs from the most negative to the most positive.
  std::vector<std::pair<float, double>> bins() const;

 private:
  struct Side {
    double width = 0;  ///< 0 until the first non-zero value
    std::vector<uint64_t> counts = std::vector<uint64_t>(kBins, 0);
    void add(float magnitude);
    void grow(float magnitude);
  };
  Side neg_, pos_;
  uint64_t count_ = 0;
};

/// Collects what one estimator needs from the batches of one activation.
class RangeCollector {
 public:
  explicit RangeCollector(const RangeEstimator& e) : e_(e) {}
  /// Adds `samples` samples of `per_sample` values each (a batch in N-first layout).
  void add(const float* data, int64_t samples, int64_t per_sample);
  int64_t samples() const { return samples_; }
  float min() const { return min_; }
  float max() const { return max_; }
  /// The estimated range. `symmetric` and `is_unsigned` describe the quantizer it is for
  /// (the histogram estimator minimizes that quantizer's error).
  Range range(bool symmetric, bool is_unsigned) const;

 private:
  RangeEstimator e_;
  int64_t samples_ = 0, values_ = 0;
  float min_ = 0, max_ = 0;
  /// Per-sample estimates, summed (mean_* and mixed_min_max); sum and sum of squares of all
  /// values (threesigma).
  double sum_lo_ = 0, sum_hi_ = 0;
  StreamingHistogram hist_;  ///< quantile, percentile, histogram
};

/// The clipping range of `hist` with the least expected squared quantization error
/// (rounding noise inside, clipping error outside) for a 256-level quantizer.
Range mse_optimal_range(const StreamingHistogram& hist, float lo, float hi, bool symmetric,
                        bool is_unsigned);

}  // namespace trex::quant
