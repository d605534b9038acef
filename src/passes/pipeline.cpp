// The canonicalization pipeline run by `trex convert`. Order matters:
//   1. remove_identity first, so the patterns below see producer -> consumer directly
//      (Conv -> Identity -> BatchNormalization would otherwise hide the fold);
//   2. fold_shape_computation turns Shape/Size of static values into constants, which
//   3. constant_folding then collapses (Gather/Concat/Unsqueeze chains, Constant nodes);
//   4. fold_batch_norm needs constant Conv/Gemm/MatMul weights, which 3 may have produced
//      (e.g. weights behind a Transpose or Cast);
//   5. dead_node_elimination last, sweeping what the others orphaned.
// The list runs until no pass changes the graph (folding can expose new static shapes).
#include "ir/verifier.h"
#include "onnx/onnx.h"
#include "passes/passes.h"
#include "util/error.h"

namespace trex {

PipelineReport canonicalize(Graph& g, const PipelineOptions& opts) {
  std::vector<std::unique_ptr<GraphPass>> passes;
  passes.push_back(make_remove_identity());
  passes.push_back(make_fold_shape_computation());
  passes.push_back(make_constant_folding());
  passes.push_back(make_fold_batch_norm());
  passes.push_back(make_dead_node_elimination());

  PipelineReport report;
  for (const auto& p : passes) report.pass_changes.emplace_back(p->name(), 0);
  constexpr int kMaxRounds = 16;
  bool changed = true;
  while (changed && report.rounds < kMaxRounds) {
    changed = false;
    ++report.rounds;
    for (size_t i = 0; i < passes.size(); ++i) {
      if (!passes[i]->run(g)) continue;
      changed = true;
      ++report.pass_changes[i].second;
      if (opts.verify_each_pass) {
        try {
          verify(g);
        } catch (const Error& e) {
          throw_internal(__FILE__, __LINE__,
                         "pass " + passes[i]->name() + " broke the IR: " + e.what());
        }
      }
    }
    // New constants may make more shapes static.
    if (changed && opts.infer_shapes) infer_shapes(g);
  }
  return report;
}

void fuse_for_runtime(Graph& g) {
  // Add before activation: in Conv -> Add -> Relu the Add must join the Conv first, so that
  // the Relu then finds a FusedConv to join (oneDNN applies the sum, then the activation).
  std::vector<std::unique_ptr<GraphPass>> passes;
  passes.push_back(make_fuse_conv_add());
  passes.push_back(make_fuse_activation());
  for (const auto& p : passes) {
    p->run(g);
#ifndef NDEBUG
    verify(g);
#endif
  }
}

}  // namespace trex
