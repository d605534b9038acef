// What a training-time compression run records and reports: epochs as JSON (trajectory and
// checkpoint metadata), model footprints, the per-layer table, pruning groups, and the
// text form of compression_report.json.
#pragma once

#include <nlohmann/json.hpp>

#include <map>
#include <string>
#include <vector>

#include "compress/pruning_groups.h"
#include "engine/compress.h"
#include "ir/graph.h"
#include "quant/quantization_plan.h"
#include "quant/quantizer_config.h"

namespace trex::engine {

nlohmann::json to_json(const CompressEpoch& e);
/// Missing or mistyped fields throw nlohmann::json exceptions (the caller names the file).
CompressEpoch epoch_from_json(const nlohmann::json& j);

/// Pruned channels by group, as checkpoint metadata and back (mistyped: json exceptions).
nlohmann::json to_json(const compress::PrunedChannels& p);
compress::PrunedChannels pruned_from_json(const nlohmann::json& j);

/// Parameters, multiply-accumulates, FLOPs (2 x MACs) of `g`, and its file size `bytes`.
nlohmann::json footprint_json(const Graph& g, size_t bytes);

/// Per-layer compression: bits of weights and inputs (32 where float), weight granularity,
/// weight sparsity, filters kept and pruned, for the weighted layers of `trained` (the trained
/// graph with pruned filters removed) and the other quantized nodes (`plan` null without
/// quantization).
nlohmann::json layer_table(const quant::QuantizationPlan* plan, const Graph& trained,
                           const std::map<std::string, int64_t>& pruned_filters);

/// The report's quantization fields: preset, activation range estimator (the default; per
/// scope ones are in the config), samples and seconds, BatchNorm adaptation.
nlohmann::json quantization_json(const quant::PtqConfig& config, size_t samples, double seconds,
                                 int bn_samples, int bn_batches);

/// Every pruning group: producers, channels, how many `pruned` removes, or why it is kept.
nlohmann::json pruning_groups_json(const std::vector<compress::PruningGroup>& groups,
                                   const compress::PrunedChannels& pruned);

/// compression_report.txt from compression_report.json's content.
std::string report_text(const nlohmann::json& report);

}  // namespace trex::engine
