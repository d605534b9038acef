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
  // A canonical graph has types on its values even when nothing changed (a loaded file
  // may carry no value_info): the runtime's layout planning and lowering read them.
  if (opts.infer_shapes && report.rounds == 1) infer_shapes(g);  // round 1 changed nothing
  return report;
}

void fuse_for_runtime(Graph& g) {
  // QDQ models first move their DequantizeLinear nodes to where integer ops can use them:
  //   1. lower_qdq_concat turns Concat(DQ(a), DQ(b)) into DQ(Concat(a, b)), and
  //   2. sink_dequantize moves DQ past MaxPool and reshapes, so the DQ reaches the next
  //      quantizer or compute op (1 before 2: a DQ made by 1 may move on);
  //   3. cancel_requantize drops Q(DQ(q)) pairs with equal parameters that 2 exposes.
  // Then the float fusions. Add before activation: in Conv -> Add -> Relu the Add must join
  // the Conv first, so that the Relu then finds a FusedConv to join (oneDNN applies the sum,
  // then the activation). In QDQ models the Add reads DQ outputs, so it does not fuse there.
  // Then the integer lowerings, after fuse_activation so that Conv/Gemm + activation arrive
  // as one trex.FusedConv/FusedGemm and the following QuantizeLinear can join too:
  //   4. lower_qdq_conv, lower_qdq_gemm, lower_qdq_add, lower_qdq_mul, lower_qdq_resize,
  //      lower_qdq_pool (each reads DQ inputs and may absorb the Q after it; independent of
  //      one another);
  //   5. dead_node_elimination removes the DQ nodes of weights and activations now unread.
  std::vector<std::unique_ptr<GraphPass>> passes;
  passes.push_back(make_lower_qdq_concat());
  passes.push_back(make_sink_dequantize());
  passes.push_back(make_cancel_requantize());
  passes.push_back(make_fuse_conv_add());
  passes.push_back(make_fuse_activation());
  passes.push_back(make_lower_qdq_conv());
  passes.push_back(make_lower_qdq_gemm());
  passes.push_back(make_lower_qdq_add());
  passes.push_back(make_lower_qdq_mul());
  passes.push_back(make_lower_qdq_resize());
  passes.push_back(make_lower_qdq_pool());
  passes.push_back(make_dead_node_elimination());
  for (const auto& p : passes) {
    p->run(g);
#ifndef NDEBUG
    verify(g);
#endif
  }
}

}  // namespace trex
