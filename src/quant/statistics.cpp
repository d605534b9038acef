// Calibration passes (see statistics.h).
#include "quant/statistics.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <set>

#include "data/random.h"
#include "runtime/session.h"
#include "util/error.h"

namespace trex::quant {

std::vector<size_t> calibration_subset(size_t available, size_t count, uint64_t seed) {
  std::vector<size_t> order(available);
  std::iota(order.begin(), order.end(), size_t{0});
  uint64_t state = derive_seed(seed, 0x63616c6962ULL);  // "calib"
  shuffle_in_place(order, state);
  if (count < order.size()) order.resize(count);
  return order;
}

void ChannelMeanCollector::add(const TensorView& t) {
  TREX_ASSERT(t.dtype == DType::kFloat32 && t.rank() >= 2);
  const auto& d = t.dims;
  const bool rank2 = d.size() == 2;
  const int64_t c = d[1], n = d[0];
  int64_t inner = 1;
  if (!rank2)
    for (size_t i = 2; i < d.size(); ++i) inner *= d[i];
  if (sum_.empty()) sum_.assign(static_cast<size_t>(c), 0.0);
  TREX_ASSERT(static_cast<int64_t>(sum_.size()) == c);
  const float* x = t.as<float>();
  std::vector<double> part(static_cast<size_t>(c), 0.0);
  if (t.channels_last && !rank2) {  // N, spatial..., C
    std::vector<float> acc(static_cast<size_t>(c));
    for (int64_t s = 0; s < n; ++s) {
      std::fill(acc.begin(), acc.end(), 0.0f);
      for (int64_t p = 0; p < inner; ++p) {
        const float* row = x + (s * inner + p) * c;
#pragma omp simd
        for (int64_t ch = 0; ch < c; ++ch) acc[ch] += row[ch];
      }
      for (int64_t ch = 0; ch < c; ++ch) part[ch] += acc[ch];
    }
  } else {
#pragma omp parallel for schedule(static)
    for (int64_t ch = 0; ch < c; ++ch) {
      double total = 0;
      for (int64_t s = 0; s < n; ++s) {
        const float* p = x + (s * c + ch) * inner;
        float acc = 0;
#pragma omp simd reduction(+ : acc)
        for (int64_t i = 0; i < inner; ++i) acc += p[i];
        total += acc;
      }
      part[ch] = total;
    }
  }
  for (int64_t ch = 0; ch < c; ++ch) sum_[ch] += part[ch];
  count_ += n * inner;
  samples_ += n;
}

void LastAxisAbsMaxCollector::add(const TensorView& t) {
  TREX_ASSERT(t.dtype == DType::kFloat32 && t.rank() >= 1 && !t.channels_last);
  const int64_t k = t.dims.back(), rows = t.numel() / std::max<int64_t>(1, k);
  if (max_.empty()) max_.assign(static_cast<size_t>(k), 0.0f);
  TREX_ASSERT(static_cast<int64_t>(max_.size()) == k);
  const float* x = t.as<float>();
  for (int64_t r = 0; r < rows; ++r)
#pragma omp simd
    for (int64_t j = 0; j < k; ++j) max_[j] = std::max(max_[j], std::fabs(x[r * k + j]));
}

std::vector<double> ChannelMeanCollector::mean() const {
  std::vector<double> m(sum_.size());
  for (size_t i = 0; i < m.size(); ++i) m[i] = count_ ? sum_[i] / static_cast<double>(count_) : 0;
  return m;
}

void run_with_outputs(const Graph& model, const std::vector<std::string>& values,
                      CalibrationData& data, const std::vector<size_t>& indices,
                      const RunOptions& options, const std::string& stage,
                      const std::function<void(const std::vector<Tensor>&)>& fn) {
  std::shared_ptr<Graph> g = model.clone();
  // Keep the model's own outputs (a graph needs one) and add the requested values; the
  // session returns outputs in order, so remember where each requested value lands.
  std::vector<size_t> position;
  for (const std::string& name : values) {
    Value* v = g->find_value(name);
    if (!v) throw_internal(__FILE__, __LINE__, "statistics requested for unknown value " + name);
    auto it = std::find(g->outputs().begin(), g->outputs().end(), v);
    if (it != g->outputs().end()) {
      position.push_back(static_cast<size_t>(it - g->outputs().begin()));
      continue;
    }
    position.push_back(g->outputs().size());
    g->add_output(v);
  }
  SessionOptions so;
  so.threads = options.threads;
  Session session(g, so);
  size_t done = 0;
  report(options.progress, {stage, 0, indices.size(), ""});
  data.for_each_batch(indices, options.batch_size, [&](const InputBatch& batch) {
    std::vector<Tensor> out = session.run(batch);
    std::vector<Tensor> picked;
    picked.reserve(values.size());
    for (size_t p : position) picked.push_back(std::move(out[p]));
    fn(picked);
    done += batch.empty() ? 0 : static_cast<size_t>(batch.begin()->second.dims()[0]);
    report(options.progress, {stage, done, indices.size(), ""});
  });
}

void observe_values(const Graph& model, const std::vector<std::string>& values,
                    CalibrationData& data, const std::vector<size_t>& indices,
                    const RunOptions& options, const std::string& stage,
                    const std::function<void(size_t, const TensorView&)>& fn) {
  SessionOptions so;
  so.threads = options.threads;
  auto session = std::make_unique<Session>(model.clone(), so);
  std::vector<std::string> missing = session->observe(values, fn);
  // Values fused away (a Conv output inside Conv+Relu or Conv+Add) stay as graph outputs.
  // Keeping one can let a fusion take another (the other Conv of a residual Add), so this
  // repeats; each round keeps at least one more value, so it ends.
  std::shared_ptr<Graph> g = model.clone();
  for (size_t round = 0; !missing.empty(); ++round) {
    if (round > values.size())
      throw_internal(__FILE__, __LINE__, "value " + missing[0] + " cannot be observed");
    for (const std::string& name : missing) {
      Value* v = g->find_value(name);
      if (!v) throw_internal(__FILE__, __LINE__, "statistics requested for unknown value " + name);
      if (!v->is_graph_output()) g->add_output(v);
    }
    session = std::make_unique<Session>(g, so);
    missing = session->observe(values, fn);
  }
  size_t done = 0;
  report(options.progress, {stage, 0, indices.size(), ""});
  data.for_each_batch(indices, options.batch_size, [&](const InputBatch& batch) {
    session->run(batch);
    done += batch.empty() ? 0 : static_cast<size_t>(batch.begin()->second.dims()[0]);
    report(options.progress, {stage, done, indices.size(), ""});
  });
}

Statistics collect_statistics(const Graph& model, const StatisticsRequest& request,
                              CalibrationData& data, const std::vector<size_t>& indices,
                              const RunOptions& options, const std::string& stage) {
  Statistics stats;
  std::vector<std::string> values;
  std::set<std::string> seen;
  for (const auto& [name, e] : request.ranges) {
    stats.ranges.emplace(name, RangeCollector(e));
    if (seen.insert(name).second) values.push_back(name);
  }
  for (const std::string& name : request.channel_means) {
    stats.channel_means.emplace(name, ChannelMeanCollector());
    if (seen.insert(name).second) values.push_back(name);
  }
  for (const std::string& name : request.last_axis_abs_max) {
    stats.last_axis_abs_max.emplace(name, LastAxisAbsMaxCollector());
    if (seen.insert(name).second) values.push_back(name);
  }
  // Collectors by value index, looked up once.
  std::vector<RangeCollector*> range_of(values.size(), nullptr);
  std::vector<ChannelMeanCollector*> mean_of(values.size(), nullptr);
  std::vector<LastAxisAbsMaxCollector*> abs_max_of(values.size(), nullptr);
  for (size_t i = 0; i < values.size(); ++i) {
    auto r = stats.ranges.find(values[i]);
    if (r != stats.ranges.end()) range_of[i] = &r->second;
    auto m = stats.channel_means.find(values[i]);
    if (m != stats.channel_means.end()) mean_of[i] = &m->second;
    auto a = stats.last_axis_abs_max.find(values[i]);
    if (a != stats.last_axis_abs_max.end()) abs_max_of[i] = &a->second;
  }
  observe_values(model, values, data, indices, options, stage, [&](size_t i, const TensorView& t) {
    if (t.dtype != DType::kFloat32 || t.rank() == 0) return;
    const int64_t n = t.dims[0];
    if (range_of[i]) range_of[i]->add(t.as<float>(), n, t.numel() / std::max<int64_t>(1, n));
    if (mean_of[i] && t.rank() >= 2) mean_of[i]->add(t);
    if (abs_max_of[i]) abs_max_of[i]->add(t);
  });
  for (const auto& [name, r] : stats.ranges)
    if (r.samples() == 0)
      throw_invalid("value '" + name + "': the calibration data produced no statistics for it");
  return stats;
}

}  // namespace trex::quant
