// Range estimators and quantizer parameters on data with known answers.
#include "quant/range_estimator.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "quant/quant_params.h"

namespace trex::quant {
namespace {

RangeEstimator est(EstimatorKind k) {
  RangeEstimator e;
  e.kind = k;
  return e;
}

TEST(RangeEstimator, MinMaxAndMeanMinMax) {
  // Two samples of 4 values: per-sample ranges [-1, 2] and [-3, 4].
  std::vector<float> x = {-1, 0, 1, 2, -3, 0, 0, 4};
  RangeCollector mm(est(EstimatorKind::kMinMax)), mean(est(EstimatorKind::kMeanMinMax));
  mm.add(x.data(), 2, 4);
  mean.add(x.data(), 1, 4);  // in two batches: the result must not depend on batching
  mean.add(x.data() + 4, 1, 4);
  Range a = mm.range(true, false), b = mean.range(true, false);
  EXPECT_FLOAT_EQ(a.lo, -3);
  EXPECT_FLOAT_EQ(a.hi, 4);
  EXPECT_FLOAT_EQ(b.lo, -2);
  EXPECT_FLOAT_EQ(b.hi, 3);
  EXPECT_EQ(mean.samples(), 2);
}

TEST(RangeEstimator, QuantileAndPercentileOfUniformData) {
  std::vector<float> x(100000);
  for (size_t i = 0; i < x.size(); ++i) x[i] = static_cast<float>(i) / (x.size() - 1) * 10 - 2;
  RangeEstimator q = est(EstimatorKind::kQuantile);
  q.outlier_prob = 0.01;
  RangeEstimator p = est(EstimatorKind::kPercentile);
  p.min_percentile = 5;
  p.max_percentile = 90;
  RangeCollector cq(q), cp(p);
  for (size_t s = 0; s < 100; ++s) {  // 100 samples, growing range: histogram rebins
    cq.add(x.data() + s * 1000, 1, 1000);
    cp.add(x.data() + s * 1000, 1, 1000);
  }
  Range rq = cq.range(false, false), rp = cp.range(false, false);
  EXPECT_NEAR(rq.lo, -2 + 0.1, 0.02);
  EXPECT_NEAR(rq.hi, 8 - 0.1, 0.02);
  EXPECT_NEAR(rp.lo, -2 + 0.5, 0.02);
  EXPECT_NEAR(rp.hi, -2 + 9.0, 0.02);
}

TEST(RangeEstimator, MeanQuantilePerSample) {
  std::vector<float> x(2 * 101);
  for (int i = 0; i <= 100; ++i)
    x[i] = static_cast<float>(i), x[101 + i] = static_cast<float>(2 * i);
  RangeEstimator e = est(EstimatorKind::kMeanQuantile);
  e.outlier_prob = 0.1;
  RangeCollector c(e);
  c.add(x.data(), 2, 101);
  Range r = c.range(false, true);
  EXPECT_FLOAT_EQ(r.lo, (10 + 20) / 2.0f);
  EXPECT_FLOAT_EQ(r.hi, (90 + 180) / 2.0f);
}

TEST(RangeEstimator, MixedMinMaxThreeSigmaMeanPercentile) {
  // Per-sample ranges [-1, 2] and [-3, 4] as above.
  std::vector<float> x = {-1, 0, 1, 2, -3, 0, 0, 4};
  RangeCollector mixed(est(EstimatorKind::kMixedMinMax)), sigma(est(EstimatorKind::kThreeSigma));
  mixed.add(x.data(), 1, 4);
  mixed.add(x.data() + 4, 1, 4);
  sigma.add(x.data(), 2, 4);
  // Symmetric: global min, mean of maxima; asymmetric: means of both.
  EXPECT_FLOAT_EQ(mixed.range(true, false).lo, -3);
  EXPECT_FLOAT_EQ(mixed.range(true, false).hi, 3);
  EXPECT_FLOAT_EQ(mixed.range(false, false).lo, -2);
  EXPECT_FLOAT_EQ(mixed.range(false, false).hi, 3);
  // Mean 3/8, variance 31/8 - 9/64; 3 sigma is about 5.8, so the observed range clamps.
  EXPECT_FLOAT_EQ(sigma.range(true, false).lo, -3);
  EXPECT_FLOAT_EQ(sigma.range(true, false).hi, 4);
  std::vector<float> wide(1000, 0.0f);
  wide[0] = -50, wide[1] = 50;  // two outliers far outside 3 sigma (sigma = sqrt(5))
  RangeCollector narrow(est(EstimatorKind::kThreeSigma));
  narrow.add(wide.data(), 1, 1000);
  EXPECT_NEAR(narrow.range(true, false).hi, 3 * std::sqrt(5.0), 1e-4);
  EXPECT_NEAR(narrow.range(true, false).lo, -3 * std::sqrt(5.0), 1e-4);

  std::vector<float> y(2 * 101);
  for (int i = 0; i <= 100; ++i)
    y[i] = static_cast<float>(i), y[101 + i] = static_cast<float>(2 * i);
  RangeEstimator e = est(EstimatorKind::kMeanPercentile);
  e.min_percentile = 10;
  e.max_percentile = 80;
  RangeCollector c(e);
  c.add(y.data(), 2, 101);
  EXPECT_FLOAT_EQ(c.range(false, true).lo, (10 + 20) / 2.0f);
  EXPECT_FLOAT_EQ(c.range(false, true).hi, (80 + 160) / 2.0f);
}

TEST(RangeEstimator, HistogramClipsRareOutliers) {
  // Two million values in [0, 1) and one at 100. Clipping at t costs (100 - t)^2 once, the
  // rounding noise costs N (t/255)^2 / 12: the sum is least at t = 200 / (2 + 2N / 780300),
  // about 28.1. With a thousand times fewer values the optimum is near 100.
  std::vector<float> x(2000000);
  for (size_t i = 0; i < x.size(); ++i) x[i] = static_cast<float>(i % 1000) / 1000.0f;
  x[12345] = 100.0f;
  RangeCollector c(est(EstimatorKind::kHistogram));
  c.add(x.data(), 2000, 1000);
  Range r = c.range(true, true);
  EXPECT_EQ(r.lo, 0);
  EXPECT_NEAR(r.hi, 28.07f, 0.6f);
  EXPECT_FLOAT_EQ(c.max(), 100.0f);
  RangeCollector few(est(EstimatorKind::kHistogram));
  few.add(x.data() + 12000, 2, 1000);
  EXPECT_GT(few.range(true, true).hi, 90.0f);
}

TEST(QuantParams, SymmetricAndAsymmetric) {
  ActivationParams u = make_activation_params({0, 5.1f}, true, true);
  EXPECT_TRUE(u.is_unsigned);
  EXPECT_EQ(u.zero_point, 0);
  EXPECT_FLOAT_EQ(u.scale, 5.1f / 255);
  ActivationParams s = make_activation_params({-2.54f, 1.0f}, true, false);
  EXPECT_FALSE(s.is_unsigned);
  EXPECT_FLOAT_EQ(s.scale, 2.54f / 127);
  EXPECT_EQ(quantize_value(-2.54f, s), -127);
  EXPECT_EQ(quantize_value(100.0f, s), 127);  // saturates
  ActivationParams a = make_activation_params({-1.0f, 3.0f}, false, false);
  EXPECT_TRUE(a.is_unsigned);
  EXPECT_FLOAT_EQ(a.scale, 4.0f / 255);
  EXPECT_EQ(a.zero_point, 64);                 // round(1 / (4/255)) = round(63.75)
  EXPECT_FLOAT_EQ(fake_quantize(0.0f, a), 0);  // zero is exact
  // Ties round to even, as ONNX QuantizeLinear does.
  ActivationParams one{1.0f, 0, false, {}};
  EXPECT_EQ(quantize_value(2.5f, one), 2);
  EXPECT_EQ(quantize_value(3.5f, one), 4);
}

TEST(QuantParams, PerChannelWeights) {
  Tensor w = Tensor::from_vector<float>(DType::kFloat32, {2, 3}, {0.5f, -1.0f, 0.25f, 0, 0, 0});
  QuantizedWeight q = quantize_weight(w, 0, 127);
  EXPECT_FLOAT_EQ(q.scales[0], 1.0f / 127);
  EXPECT_FLOAT_EQ(q.scales[1], 1.0f);  // an all-zero channel keeps a valid scale
  const int8_t* v = q.values.data<int8_t>();
  EXPECT_EQ(v[0], 64);  // 63.5 rounds to even
  EXPECT_EQ(v[1], -127);
  EXPECT_EQ(v[2], 32);                             // 31.75
  QuantizedWeight q7 = quantize_weight(w, 1, 63);  // per column, overflow-fix range
  EXPECT_EQ(q7.values.data<int8_t>()[1], -63);
  Tensor back = dequantize_weight(q);
  EXPECT_NEAR(back.data<float>()[2], 0.25f, 0.5f / 127);
}

}  // namespace
}  // namespace trex::quant
