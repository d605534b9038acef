// `trex convert IN.onnx -o OUT.onnx`: import, check, canonicalize, write.
#include <iostream>

#include "cli/commands.h"
#include "ir/model_summary.h"
#include "onnx/onnx.h"
#include "passes/passes.h"

namespace trex::cli {

namespace {

struct ConvertArgs {
  std::string input;
  std::string output;
  bool no_canonicalize = false;
  size_t external_data_threshold = 0;
};

}  // namespace

Runner add_convert(CLI::App& app) {
  auto args = std::make_shared<ConvertArgs>();
  CLI::App* cmd = app.add_subcommand(
      "convert", "Import, check and canonicalize an ONNX model, and write it back");
  cmd->footer(
      "Accepts default-domain opsets 7 to 17 (1-6 are upgraded to 7). Runs ONNX's checker and "
      "shape inference, then folds constants, static shape computations and BatchNorm into "
      "Conv/Gemm/MatMul, removes Identity, inference Dropout and dead nodes. The output is "
      "written to a temporary file and renamed into place.");
  cmd->add_option("input", args->input, "ONNX model to read")->required();
  cmd->add_option("-o,--output", args->output, "ONNX file to write")->required();
  cmd->add_flag("--no-canonicalize", args->no_canonicalize,
                "Only import, check and re-export; run no passes");
  cmd->add_option("--external-data-threshold", args->external_data_threshold,
                  "Store tensors of at least this many bytes in OUTPUT.data (0: inline)");
  return [args]() {
    auto g = load_onnx(args->input);
    ModelSummary before = summarize(*g);
    std::string done = "checked";
    if (!args->no_canonicalize) {
      PipelineReport r = canonicalize(*g);
      done = "canonicalized in " + std::to_string(r.rounds) + " round(s):";
      for (const auto& [pass, n] : r.pass_changes)
        if (n) done += " " + pass;
    }
    OnnxSaveOptions save;
    save.external_data_threshold = args->external_data_threshold;
    save_onnx(*g, args->output, save);
    ModelSummary after = summarize(*g);
    std::cout << args->input << " -> " << args->output << ": " << done << "\n"
              << "  nodes " << before.num_nodes << " -> " << after.num_nodes << ", parameters "
              << human_count(static_cast<double>(before.parameter_count)) << " -> "
              << human_count(static_cast<double>(after.parameter_count)) << ", MACs "
              << human_count(static_cast<double>(after.macs)) << "\n";
    return 0;
  };
}

}  // namespace trex::cli
