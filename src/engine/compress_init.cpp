// QAT initialization on class-folder images (see compress_init.h).
#include "engine/compress_init.h"

#include <chrono>

#include "compress/bn_adaptation.h"
#include "compress/plan_transfer.h"
#include "compress/qat_graph.h"
#include "data/batch_loader.h"
#include "engine/calibration.h"
#include "passes/runtime_fusion.h"

namespace trex::engine {

QuantizerInit initialize_quantizers(const compress::QuantizationConfig& q, const Graph& folded,
                                    const Graph& with_batch_norm, const ImageDataset& train,
                                    const TransformSpec& tf, const LearningParameters& lp,
                                    int threads, const std::string& where,
                                    const ProgressFn& progress) {
  QuantizerInit out;
  out.init = compress::qat_init_config(q, folded, where, lp.seed);
  for (const std::string& s : out.init.unmatched_scopes)
    out.warnings.push_back(where + ": " + s + " matches no node");
  DatasetCalibration calib(train, tf, folded.inputs()[0]->name(), lp.num_workers);
  quant::RunOptions run;
  run.threads = threads;
  run.batch_size = out.init.ptq.batch_size;
  run.progress = progress;
  auto t0 = std::chrono::steady_clock::now();
  out.ptq = quant::quantize_model(folded, calib, out.init.ptq, run);
  out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  for (const std::string& w : out.ptq.warnings) out.warnings.push_back(w);
  out.plan = compress::transfer_plan(out.ptq.plan, folded, with_batch_norm);
  return out;
}

int adapt_batch_norm_on(train::GraphModule& module, const Graph& graph, const ImageDataset& train,
                        const TransformSpec& tf, const LearningParameters& lp, int samples,
                        const ProgressFn& progress) {
  LoaderOptions lo;
  lo.batch_size = lp.batch_size;
  lo.workers = lp.num_workers;
  lo.order = quant::calibration_subset(train.size(), static_cast<size_t>(samples), lp.seed + 1);
  BatchLoader loader(train, tf, lo);
  Batch b;
  size_t seen = 0;
  torch::manual_seed(lp.seed);
  return compress::adapt_batch_norm(module, graph, [&](torch::Tensor& x) {
    if (!loader.next(b)) return false;
    x = torch::from_blob(b.data.data(), {b.n, b.channels, b.height, b.width}, torch::kFloat32);
    seen += static_cast<size_t>(b.n);
    report(progress, {"BatchNorm adaptation", seen, loader.num_samples(), ""});
    return true;
  });
}

std::set<std::string> quantizer_parameters(const Graph& qat) {
  std::set<std::string> names;
  for (const Node* n : qat.nodes())
    if (n->op_type() == compress::kFakeQuantize && n->domain() == kTrexDomain)
      for (size_t i = 1; i < n->num_inputs(); ++i) names.insert(n->input(i)->name());
  return names;
}

std::set<std::string> staged_bypass(const Graph& qat, int epoch, int weights_start,
                                    int activations_start, std::string* what) {
  const bool weights = epoch < weights_start, activations = epoch < activations_start;
  *what = weights && activations ? "weight and activation"
          : weights              ? "weight"
          : activations          ? "activation"
                                 : "";
  std::set<std::string> off;
  for (const Node* n : qat.nodes())
    if (n->op_type() == compress::kFakeQuantize && n->domain() == kTrexDomain &&
        (compress::weight_source(n->output(0))->is_constant() ? weights : activations))
      off.insert(n->name());
  return off;
}

}  // namespace trex::engine
