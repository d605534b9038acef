// `trex info MODEL`: inputs and outputs, op histogram, parameters and MACs.
#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "ir/model_summary.h"
#include "onnx/onnx.h"

namespace trex::cli {

std::string human_count(double v) {
  const char* units[] = {"", "K", "M", "G", "T"};
  int u = 0;
  while (v >= 1000.0 && u < 4) {
    v /= 1000.0;
    ++u;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, u ? "%.2f%s" : "%.0f%s", v, units[u]);
  return buf;
}

namespace {

struct InfoArgs {
  std::string model;
  bool json = false;
};

void print_text(const std::string& path, const ModelSummary& s) {
  std::cout << "model:      " << path << " (opset " << s.opset << ", " << s.num_nodes
            << " nodes)\n";
  for (const auto& p : s.inputs)
    std::cout << "input:      " << p.name << " " << p.type.to_string() << "\n";
  for (const auto& p : s.outputs)
    std::cout << "output:     " << p.name << " " << p.type.to_string() << "\n";
  bool has_symbolic_batch = false;
  for (const auto& p : s.inputs)
    if (p.type.shape && p.type.shape->rank() > 0 && !(*p.type.shape)[0].is_static())
      has_symbolic_batch = true;
  std::cout << "parameters: " << human_count(static_cast<double>(s.parameter_count)) << " ("
            << s.parameter_count << " elements, " << s.parameter_bytes << " bytes)\n";
  std::cout << "MACs:       " << human_count(static_cast<double>(s.macs)) << " (" << s.macs
            << (has_symbolic_batch ? ", per sample" : "") << ")";
  if (s.macs_unknown_nodes)
    std::cout << ", not counting " << s.macs_unknown_nodes << " nodes with dynamic shapes";
  std::cout << "\nops:\n";
  std::vector<std::pair<std::string, int>> ops(s.op_histogram.begin(), s.op_histogram.end());
  std::stable_sort(ops.begin(), ops.end(), [](auto& a, auto& b) { return a.second > b.second; });
  for (const auto& [op, count] : ops) std::printf("  %-24s %d\n", op.c_str(), count);
}

void print_json(const std::string& path, const ModelSummary& s) {
  nlohmann::ordered_json j;
  j["model"] = path;
  j["opset"] = s.opset;
  j["nodes"] = s.num_nodes;
  auto ports = [](const std::vector<ModelSummary::Port>& ps) {
    nlohmann::ordered_json a = nlohmann::ordered_json::array();
    for (const auto& p : ps) {
      nlohmann::ordered_json dims = nlohmann::ordered_json::array();
      if (p.type.shape)
        for (const Dim& d : p.type.shape->dims()) {
          if (d.is_static())
            dims.push_back(d.value());
          else
            dims.push_back(d.to_string());
        }
      a.push_back({{"name", p.name},
                   {"dtype", dtype_name(p.type.dtype)},
                   {"shape", p.type.shape ? dims : nlohmann::ordered_json()}});
    }
    return a;
  };
  j["inputs"] = ports(s.inputs);
  j["outputs"] = ports(s.outputs);
  j["parameters"] = s.parameter_count;
  j["parameter_bytes"] = s.parameter_bytes;
  j["macs"] = s.macs;
  j["macs_unknown_nodes"] = s.macs_unknown_nodes;
  j["ops"] = s.op_histogram;
  std::cout << j.dump(2) << "\n";
}

}  // namespace

Runner add_info(CLI::App& app) {
  auto args = std::make_shared<InfoArgs>();
  CLI::App* cmd = app.add_subcommand(
      "info", "Print a model's inputs and outputs, op histogram, parameter and MAC counts");
  cmd->add_option("model", args->model, "ONNX model file")->required();
  cmd->add_flag("--json", args->json, "Print one JSON object instead of text");
  return [args]() {
    auto g = load_onnx(args->model);
    ModelSummary s = summarize(*g);
    if (args->json)
      print_json(args->model, s);
    else
      print_text(args->model, s);
    return 0;
  };
}

}  // namespace trex::cli
