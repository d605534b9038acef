// BiasCorrection (see bias_correction.h).
#include "quant/ptq/bias_correction.h"

#include <cmath>

#include "quant/insert_qdq.h"
#include "quant/ptq/fast_bias_correction.h"

namespace trex::quant {

void BiasCorrection::apply(const Graph& g, QuantizationPlan& plan, CalibrationData& data,
                           const std::vector<size_t>& subset, const RunOptions& options) const {
  std::vector<const Node*> layers = bias_correction_layers(g, plan.setup);
  if (layers.empty()) return;
  size_t n = std::max<size_t>(
      1, static_cast<size_t>(std::ceil(config_.bias_correction_subset * subset.size())));
  std::vector<size_t> part(subset.begin(), subset.begin() + std::min(n, subset.size()));
  StatisticsRequest fp_request;
  for (const Node* l : layers) fp_request.add_channel_mean(l->output(0)->name());
  Statistics fp = collect_statistics(g, fp_request, data, part, options, "bias correction (fp32)");
  for (size_t i = 0; i < layers.size(); ++i) {
    const Node* l = layers[i];
    std::shared_ptr<Graph> q = build_qdq_model(g, plan);
    StatisticsRequest r;
    r.add_channel_mean(l->output(0)->name());
    RunOptions o = options;
    ProgressFn outer = options.progress;
    size_t layer = i;
    o.progress = [&outer, layer, &layers](const Progress& p) {
      report(outer, {"bias correction", layer, layers.size(), p.detail});
    };
    Statistics qs = collect_statistics(*q, r, data, part, o, "bias correction");
    std::vector<double> want = fp.channel_means.at(l->output(0)->name()).mean();
    std::vector<double> got = qs.channel_means.at(l->output(0)->name()).mean();
    std::vector<double> shift(want.size());
    for (size_t c = 0; c < want.size(); ++c) shift[c] = want[c] - got[c];
    apply_bias_shift(*l, shift, config_.bias_correction_threshold, plan);
  }
  report(options.progress, {"bias correction", layers.size(), layers.size(), ""});
}

}  // namespace trex::quant
