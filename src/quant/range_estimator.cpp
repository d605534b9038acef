// Range estimators (see range_estimator.h).
#include "quant/range_estimator.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "util/error.h"

namespace trex::quant {

void StreamingHistogram::Side::grow(float magnitude) {
  if (width == 0) {
    width = static_cast<double>(magnitude) / (kBins - 1);
    return;
  }
  while (magnitude / width >= kBins) {  // halve the resolution: bins 2i and 2i+1 merge
    for (int i = 0; i < kBins / 2; ++i) counts[i] = counts[2 * i] + counts[2 * i + 1];
    std::fill(counts.begin() + kBins / 2, counts.end(), 0);
    width *= 2;
  }
}

void StreamingHistogram::Side::add(float magnitude) {
  if (magnitude == 0 || width == 0) {
    ++counts[0];
    return;
  }
  ++counts[std::min<int64_t>(kBins - 1, static_cast<int64_t>(magnitude / width))];
}

void StreamingHistogram::add(const float* x, int64_t n) {
  float lo = 0, hi = 0;
  for (int64_t i = 0; i < n; ++i) {
    lo = std::min(lo, x[i]);
    hi = std::max(hi, x[i]);
  }
  if (hi > 0) pos_.grow(hi);
  if (lo < 0) neg_.grow(-lo);
  for (int64_t i = 0; i < n; ++i) {
    if (x[i] >= 0)
      pos_.add(x[i]);
    else
      neg_.add(-x[i]);
  }
  count_ += static_cast<uint64_t>(n);
}

std::vector<std::pair<float, double>> StreamingHistogram::bins() const {
  std::vector<std::pair<float, double>> out;
  for (int i = kBins - 1; i >= 0; --i)
    if (neg_.counts[i])
      out.emplace_back(static_cast<float>(-(i + 0.5) * neg_.width), neg_.counts[i]);
  for (int i = 0; i < kBins; ++i)
    if (pos_.counts[i])
      out.emplace_back(static_cast<float>((i + 0.5) * pos_.width), pos_.counts[i]);
  return out;
}

float StreamingHistogram::quantile(double q) const {
  if (count_ == 0) return 0;
  double target = std::clamp(q, 0.0, 1.0) * static_cast<double>(count_);
  double seen = 0;
  // Negative side, from the most negative bin: bin i spans [-(i+1)w, -iw).
  for (int i = kBins - 1; i >= 0; --i) {
    double c = static_cast<double>(neg_.counts[i]);
    if (c > 0 && seen + c >= target)
      return static_cast<float>(-(i + 1 - (target - seen) / c) * neg_.width);
    seen += c;
  }
  for (int i = 0; i < kBins; ++i) {
    double c = static_cast<double>(pos_.counts[i]);
    if (c > 0 && seen + c >= target)
      return static_cast<float>((i + (target - seen) / c) * pos_.width);
    seen += c;
  }
  return static_cast<float>(kBins * pos_.width);
}

void RangeCollector::add(const float* data, int64_t samples, int64_t per_sample) {
  if (samples <= 0 || per_sample <= 0) return;
  // Per-sample extremes (quantiles, sums) in parallel, then a serial, ordered reduction: the
  // result does not depend on the thread count.
  const size_t n = static_cast<size_t>(samples);
  std::vector<float> lo(n), hi(n), qlo, qhi;
  std::vector<double> sum, sum_sq;
  const bool per_sample_quantiles =
      e_.kind == EstimatorKind::kMeanQuantile || e_.kind == EstimatorKind::kMeanPercentile;
  const bool moments = e_.kind == EstimatorKind::kThreeSigma;
  const double q_lo =
      e_.kind == EstimatorKind::kMeanQuantile ? e_.outlier_prob : e_.min_percentile / 100;
  const double q_hi =
      e_.kind == EstimatorKind::kMeanQuantile ? 1 - e_.outlier_prob : e_.max_percentile / 100;
  if (per_sample_quantiles) qlo.resize(n), qhi.resize(n);
  if (moments) sum.resize(n), sum_sq.resize(n);
#pragma omp parallel for schedule(static)
  for (int64_t s = 0; s < samples; ++s) {
    const float* x = data + s * per_sample;
    float l = x[0], h = x[0];
#pragma omp simd reduction(min : l) reduction(max : h)
    for (int64_t i = 0; i < per_sample; ++i) {
      l = std::min(l, x[i]);
      h = std::max(h, x[i]);
    }
    lo[s] = l;
    hi[s] = h;
    if (per_sample_quantiles) {
      std::vector<float> scratch(x, x + per_sample);
      auto k = [per_sample](double q) {
        return static_cast<int64_t>(std::llround(q * static_cast<double>(per_sample - 1)));
      };
      int64_t klo = k(q_lo), khi = k(q_hi);
      std::nth_element(scratch.begin(), scratch.begin() + klo, scratch.end());
      qlo[s] = scratch[static_cast<size_t>(klo)];
      std::nth_element(scratch.begin(), scratch.begin() + khi, scratch.end());
      qhi[s] = scratch[static_cast<size_t>(khi)];
    }
    if (moments) {
      double a = 0, b = 0;
      for (int64_t i = 0; i < per_sample; ++i) a += x[i], b += static_cast<double>(x[i]) * x[i];
      sum[s] = a;
      sum_sq[s] = b;
    }
  }
  for (size_t s = 0; s < n; ++s) {
    if (samples_ == 0 && s == 0) min_ = lo[0], max_ = hi[0];
    min_ = std::min(min_, lo[s]);
    max_ = std::max(max_, hi[s]);
    if (per_sample_quantiles) {
      sum_lo_ += qlo[s];
      sum_hi_ += qhi[s];
    } else if (moments) {
      sum_lo_ += sum[s];
      sum_hi_ += sum_sq[s];
    } else {  // per-sample extremes (mean_min_max, mixed_min_max)
      sum_lo_ += lo[s];
      sum_hi_ += hi[s];
    }
  }
  samples_ += samples;
  values_ += samples * per_sample;
  if (e_.kind == EstimatorKind::kQuantile || e_.kind == EstimatorKind::kPercentile ||
      e_.kind == EstimatorKind::kHistogram)
    hist_.add(data, samples * per_sample);
}

Range RangeCollector::range(bool symmetric, bool is_unsigned) const {
  const double n = static_cast<double>(samples_);
  Range r{min_, max_};
  switch (e_.kind) {
    case EstimatorKind::kMinMax:
      break;
    case EstimatorKind::kMeanMinMax:
    case EstimatorKind::kMeanQuantile:
    case EstimatorKind::kMeanPercentile:
      r = {static_cast<float>(sum_lo_ / n), static_cast<float>(sum_hi_ / n)};
      break;
    case EstimatorKind::kMixedMinMax:
      r = {symmetric ? min_ : static_cast<float>(sum_lo_ / n), static_cast<float>(sum_hi_ / n)};
      break;
    case EstimatorKind::kThreeSigma: {
      const double count = static_cast<double>(std::max<int64_t>(1, values_));
      const double mean = sum_lo_ / count;
      const double sigma = std::sqrt(std::max(0.0, sum_hi_ / count - mean * mean));
      r = {static_cast<float>(mean - 3 * sigma), static_cast<float>(mean + 3 * sigma)};
      break;
    }
    case EstimatorKind::kQuantile:
      r = {hist_.quantile(e_.outlier_prob), hist_.quantile(1 - e_.outlier_prob)};
      break;
    case EstimatorKind::kPercentile:
      r = {hist_.quantile(e_.min_percentile / 100), hist_.quantile(e_.max_percentile / 100)};
      break;
    case EstimatorKind::kHistogram:
      r = mse_optimal_range(hist_, min_, max_, symmetric, is_unsigned);
      break;
  }
  // Estimates never leave the observed range.
  r.lo = std::clamp(r.lo, min_, max_);
  r.hi = std::clamp(r.hi, min_, max_);
  return r;
}

namespace {

/// Expected squared error of quantizing the histogram to [lo, hi] with `levels` levels.
double quantization_mse(const std::vector<std::pair<float, double>>& bins, double lo, double hi,
                        int levels) {
  double step = (hi - lo) / (levels - 1);
  double noise = step * step / 12, err = 0;
  for (const auto& [x, c] : bins) {
    if (x < lo)
      err += c * (lo - x) * (lo - x);
    else if (x > hi)
      err += c * (x - hi) * (x - hi);
    else
      err += c * noise;
  }
  return err;
}

}  // namespace

Range mse_optimal_range(const StreamingHistogram& hist, float lo, float hi, bool symmetric,
                        bool is_unsigned) {
  std::vector<std::pair<float, double>> bins = hist.bins();
  if (bins.empty()) return {lo, hi};
  constexpr int kSteps = 200;
  if (symmetric) {
    double top = is_unsigned ? hi : std::max(std::fabs(lo), std::fabs(hi));
    double best_t = top, best = std::numeric_limits<double>::infinity();
    for (int i = 1; i <= kSteps; ++i) {
      double t = top * i / kSteps;
      double e =
          is_unsigned ? quantization_mse(bins, 0, t, 256) : quantization_mse(bins, -t, t, 255);
      if (e < best) best = e, best_t = t;
    }
    return is_unsigned ? Range{0, static_cast<float>(best_t)}
                       : Range{static_cast<float>(-best_t), static_cast<float>(best_t)};
  }
  // Asymmetric: coordinate descent, the upper end first, then the lower one, twice.
  double a = std::min(0.0f, lo), b = std::max(0.0f, hi);
  const double a0 = a, b0 = b;
  for (int round = 0; round < 2; ++round) {
    double best = std::numeric_limits<double>::infinity(), best_b = b;
    for (int i = 1; i <= kSteps; ++i) {
      double t = b0 * i / kSteps;
      if (t <= a) continue;
      double e = quantization_mse(bins, a, t, 256);
      if (e < best) best = e, best_b = t;
    }
    b = best_b;
    if (a0 == 0) break;
    best = std::numeric_limits<double>::infinity();
    double best_a = a;
    for (int i = 0; i <= kSteps; ++i) {
      double t = a0 * i / kSteps;
      double e = quantization_mse(bins, t, b, 256);
      if (e < best) best = e, best_a = t;
    }
    a = best_a;
  }
  return {static_cast<float>(a), static_cast<float>(b)};
}

}  // namespace trex::quant
