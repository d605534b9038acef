// The initialization steps of quantization-aware training on class-folder images: quantizer
// placement and range initialization (the PTQ code path on the BatchNorm-folded model,
// deterministic, so a resumed run gets the same plan, then moved onto the training model
// with its BatchNorm layers), BatchNorm adaptation on a seeded subset of training
// images, and staged QAT's quantizers switched on by epoch.
#pragma once

#include <set>
#include <string>
#include <vector>

#include "compress/compression_config.h"
#include "compress/qat_config.h"
#include "data/class_folder_dataset.h"
#include "data/transforms.h"
#include "quant/ptq/pipeline.h"
#include "tasks/model_template.h"
#include "train/graph_module.h"
#include "util/progress.h"

namespace trex::engine {

struct QuantizerInit {
  compress::QatInitConfig init;  ///< the PTQ settings the config became
  quant::PtqResult ptq;          ///< placement and ranges on the folded model
  quant::QuantizationPlan plan;  ///< the same plan on the model with BatchNorm
  double seconds = 0;
  std::vector<std::string> warnings;  ///< scopes matching no node, PTQ's warnings
};

/// `where` names the config's quantization algorithm in errors and warnings.
QuantizerInit initialize_quantizers(const compress::QuantizationConfig& q, const Graph& folded,
                                    const Graph& with_batch_norm, const ImageDataset& train,
                                    const TransformSpec& tf, const LearningParameters& lp,
                                    int threads, const std::string& where,
                                    const ProgressFn& progress);

/// Values feeding the fake quantizers' parameters (scales, ranges) in `qat`: trained in
/// their own optimizer group.
std::set<std::string> quantizer_parameters(const Graph& qat);

/// Staged QAT: the fake quantizers of `qat` that `epoch` (0-based) bypasses: the weights'
/// before weights_start, the activations' before activations_start. `what` receives
/// "weight", "activation", "weight and activation" or "".
std::set<std::string> staged_bypass(const Graph& qat, int epoch, int weights_start,
                                    int activations_start, std::string* what);

/// BatchNorm statistics of `module` (compiled from `graph`) from `samples` training images
/// (subset seeded by lp.seed + 1); returns the batches used.
int adapt_batch_norm_on(train::GraphModule& module, const Graph& graph, const ImageDataset& train,
                        const TransformSpec& tf, const LearningParameters& lp, int samples,
                        const ProgressFn& progress);

}  // namespace trex::engine
