// Calibration passes (see statistics.h).
#include "quant/statistics.h"

#include <algorithm>
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

void ChannelMeanCollector::add(const Tensor& t) {
  TREX_ASSERT(t.dtype() == DType::kFloat32 && t.rank() >= 2);
  const auto& d = t.dims();
  bool last = d.size() == 2;
  int64_t c = last ? d[1] : d[1], n = d[0], inner = 1;
  if (!last)
    for (size_t i = 2; i < d.size(); ++i) inner *= d[i];
  if (sum_.empty()) sum_.assign(static_cast<size_t>(c), 0.0);
  TREX_ASSERT(static_cast<int64_t>(sum_.size()) == c);
  const float* x = t.data<float>();
  for (int64_t s = 0; s < n; ++s)
    for (int64_t ch = 0; ch < c; ++ch) {
      const float* p = x + (s * c + ch) * inner;
      double acc = 0;
      for (int64_t i = 0; i < inner; ++i) acc += p[i];
      sum_[static_cast<size_t>(ch)] += acc;
    }
  count_ += n * inner;
  samples_ += n;
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
  run_with_outputs(model, values, data, indices, options, stage,
                   [&](const std::vector<Tensor>& out) {
                     for (size_t i = 0; i < values.size(); ++i) {
                       const Tensor& t = out[i];
                       if (t.dtype() != DType::kFloat32 || t.rank() == 0) continue;
                       auto r = stats.ranges.find(values[i]);
                       if (r != stats.ranges.end())
                         r->second.add(t.data<float>(), t.dims()[0],
                                       t.numel() / std::max<int64_t>(1, t.dims()[0]));
                       auto m = stats.channel_means.find(values[i]);
                       if (m != stats.channel_means.end() && t.rank() >= 2) m->second.add(t);
                     }
                     if (!out.empty()) stats.samples += static_cast<size_t>(out[0].dims()[0]);
                   });
  for (const auto& [name, r] : stats.ranges)
    if (r.samples() == 0)
      throw_invalid("value '" + name + "': the calibration data produced no statistics for it");
  return stats;
}

}  // namespace trex::quant
