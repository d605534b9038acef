// The compression run's records and reports (see compress_report.h).
#include "engine/compress_report.h"

#include <cstdio>
#include <set>

#include "compress/qat_graph.h"
#include "ir/model_summary.h"

namespace trex::engine {

using quant::QuantizationPlan;

nlohmann::json to_json(const CompressEpoch& e) {
  return {{"epoch", e.epoch},
          {"learning_rate", e.learning_rate},
          {"train_loss", e.train_loss},
          {"train_accuracy", e.train_accuracy},
          {"score", e.score},
          {"seconds", e.seconds},
          {"within_budget", e.within_budget},
          {"sparsity", e.sparsity},
          {"sparsity_level", e.sparsity_level},
          {"pruning_level", e.pruning_level},
          {"flops_pruned", e.flops_pruned}};
}
CompressEpoch epoch_from_json(const nlohmann::json& j) {
  CompressEpoch e;
  e.epoch = j.at("epoch");
  e.learning_rate = j.at("learning_rate");
  e.train_loss = j.at("train_loss");
  e.train_accuracy = j.at("train_accuracy");
  e.score = j.at("score");
  e.seconds = j.at("seconds");
  e.within_budget = j.at("within_budget");
  e.sparsity = j.at("sparsity");
  e.sparsity_level = j.at("sparsity_level");
  e.pruning_level = j.at("pruning_level");
  e.flops_pruned = j.at("flops_pruned");
  return e;
}

nlohmann::json to_json(const compress::PrunedChannels& p) {
  nlohmann::json j = nlohmann::json::object();
  for (const auto& [group, channels] : p) j[group] = channels;
  return j;
}
compress::PrunedChannels pruned_from_json(const nlohmann::json& j) {
  compress::PrunedChannels p;
  for (const auto& [group, channels] : j.items()) p[group] = channels.get<std::vector<int64_t>>();
  return p;
}

nlohmann::json footprint_json(const Graph& g, size_t bytes) {
  const ModelSummary s = summarize(g);
  return {{"parameters", s.parameter_count},
          {"macs", s.macs},
          {"flops", 2 * s.macs},
          {"size_bytes", bytes}};
}

nlohmann::json pruning_groups_json(const std::vector<compress::PruningGroup>& groups,
                                   const compress::PrunedChannels& pruned) {
  nlohmann::json out = nlohmann::json::array();
  for (const compress::PruningGroup& g : groups) {
    auto p = pruned.find(g.name);
    nlohmann::json j = {{"name", g.name},
                        {"producers", g.producers},
                        {"channels", g.channels},
                        {"pruned", p == pruned.end() ? 0 : p->second.size()},
                        {"prunable", g.prunable}};
    if (!g.prunable) j["reason"] = g.reason;
    out.push_back(j);
  }
  return out;
}

namespace {

/// Fraction of exact zeros in the float weight `node` reads in the trained graph `qat`
/// (through its fake quantizer).
double weight_sparsity(const Graph& qat, const std::string& node, size_t input) {
  const Node* n = qat.find_node(node);
  const Value* w = compress::weight_source(n ? n->input(input) : nullptr);
  if (!w || !w->is_constant() || w->constant().numel() == 0) return 0;
  const Tensor& t = w->constant();
  int64_t zeros = 0;
  for (int64_t i = 0; i < t.numel(); ++i) zeros += t.data<float>()[i] == 0.0f;
  return static_cast<double>(zeros) / t.numel();
}

}  // namespace

nlohmann::json layer_table(const QuantizationPlan* plan, const Graph& trained,
                           const std::map<std::string, int64_t>& pruned_filters) {
  nlohmann::json layers = nlohmann::json::array();
  std::set<std::string> quantized;
  if (plan)
    quantized.insert(plan->setup.quantized_nodes.begin(), plan->setup.quantized_nodes.end());
  for (const Node* n : trained.nodes()) {
    const std::string& op = n->op_type();
    const bool weighted = n->domain().empty() && (op == "Conv" || op == "Gemm" || op == "MatMul");
    if (!weighted && !quantized.count(n->name())) continue;
    nlohmann::json l = {{"node", n->name()}, {"op_type", op}, {"sparsity", 0.0}};
    int inputs = 0, activation_bits = 32;
    if (plan)
      for (const auto& [use, value] : plan->setup.input_quantizer)
        if (use.first == n->name()) {
          ++inputs;
          auto a = plan->activations.find(value);
          activation_bits =
              std::min(activation_bits, a == plan->activations.end() ? 8 : a->second.bits);
        }
    l["quantized_inputs"] = inputs;
    l["activation_bits"] = activation_bits;
    if (weighted) {
      const quant::QuantizedWeight* wq = nullptr;
      if (plan)
        if (auto w = plan->weights.find(n->name()); w != plan->weights.end()) wq = &w->second;
      int bits = 1;  // narrow range: max_level 2^(bits-1) - 1
      while (wq && (1 << (bits - 1)) - 1 < wq->max_level) ++bits;
      l["weight_bits"] = !wq ? 32 : bits;
      if (wq) l["weight_granularity"] = wq->per_channel ? "per_channel" : "per_tensor";
      l["sparsity"] = weight_sparsity(trained, n->name(), wq ? plan->weight_input(n->name()) : 1);
      auto p = pruned_filters.find(n->name());
      l["pruned_filters"] = p == pruned_filters.end() ? 0 : p->second;
      if (const Value* y = n->output(0);
          y->shape() && y->shape()->rank() > 1 && (*y->shape())[1].is_static())
        l["filters"] = (*y->shape())[1].value();
    }
    layers.push_back(l);
  }
  return layers;
}

nlohmann::json quantization_json(const quant::PtqConfig& config, size_t samples, double seconds,
                                 int bn_samples, int bn_batches) {
  return {{"preset", quant::preset_name(config.preset)},
          {"range_init",
           {{"activations", quant::estimator_name(config.activations.kind)},
            {"weights", "min_max"},
            {"samples", samples},
            {"seconds", seconds}}},
          {"bn_adaptation", {{"samples", bn_samples}, {"batches", bn_batches}}}};
}

std::string report_text(const nlohmann::json& r) {
  std::string s = "Training-time compression report\n";
  char line[256];
  std::snprintf(line, sizeof line, "config: %s (parts: %s)\nalgorithms: %s\n",
                r["config_file"].get<std::string>().c_str(), r["parts"].dump().c_str(),
                r["algorithms"].dump().c_str());
  s += line;
  for (const char* k : {"before", "after"}) {
    const auto& f = r[k];
    std::snprintf(line, sizeof line, "%-6s parameters %lld, FLOPs %lld, size %.2f MB\n", k,
                  static_cast<long long>(f["parameters"].get<int64_t>()),
                  static_cast<long long>(f["flops"].get<int64_t>()),
                  f["size_bytes"].get<double>() / 1e6);
    s += line;
  }
  s += "\nepoch  lr        train_loss  train_acc      score  sparsity  pruning  flops_pruned  "
       "within_budget (- without accuracy_aware_training)\n";
  for (const auto& e : r["trajectory"]) {
    std::snprintf(line, sizeof line,
                  "%5d  %.6f  %10.4f  %8.2f%%  %8.2f%%  %7.2f%%  %6.3f  %11.2f%%  %s\n",
                  e["epoch"].get<int>(), e["learning_rate"].get<double>(),
                  e["train_loss"].get<double>(), 100 * e["train_accuracy"].get<double>(),
                  100 * e["score"].get<double>(), 100 * e["sparsity"].get<double>(),
                  e["pruning_level"].get<double>(), 100 * e["flops_pruned"].get<double>(),
                  !r.contains("accuracy_aware")    ? "-"
                  : e["within_budget"].get<bool>() ? "yes"
                                                   : "no");
    s += line;
  }
  s += "\nlayer                                              weight_bits  act_bits  inputs  "
       "sparsity  filters (pruned)\n";
  for (const auto& l : r["layers"]) {
    std::string filters = "-";
    if (l.contains("filters"))
      filters = std::to_string(l["filters"].get<int64_t>()) + " (" +
                std::to_string(l["pruned_filters"].get<int64_t>()) + ")";
    std::snprintf(
        line, sizeof line, "%-50s %11s  %8d  %6d  %7.2f%%  %s\n",
        l["node"].get<std::string>().c_str(),
        l.contains("weight_bits") ? std::to_string(l["weight_bits"].get<int>()).c_str() : "-",
        l["activation_bits"].get<int>(), l["quantized_inputs"].get<int>(),
        100 * l["sparsity"].get<double>(), filters.c_str());
    s += line;
  }
  if (!r["float_nodes"].empty()) {
    s += "\nkept in float:\n";
    for (const auto& f : r["float_nodes"])
      s += "  " + f["node"].get<std::string>() + " (" + f["op_type"].get<std::string>() +
           "): " + f["reason"].get<std::string>() + "\n";
  }
  return s;
}

}  // namespace trex::engine
