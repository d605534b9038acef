// Factories of the canonicalization passes (one per file) and the pipeline that orders them.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "passes/pass.h"

namespace trex {

std::unique_ptr<GraphPass> make_remove_identity();
std::unique_ptr<GraphPass> make_fold_shape_computation();
std::unique_ptr<GraphPass> make_constant_folding();
std::unique_ptr<GraphPass> make_fold_batch_norm();
std::unique_ptr<GraphPass> make_dead_node_elimination();
std::unique_ptr<GraphPass> make_fuse_conv_add();
std::unique_ptr<GraphPass> make_fuse_activation();
// --- int8 passes: QDQ lowering (runtime only, see fuse_for_runtime) ---
std::unique_ptr<GraphPass> make_lower_qdq_concat();
std::unique_ptr<GraphPass> make_sink_dequantize();
std::unique_ptr<GraphPass> make_cancel_requantize();
std::unique_ptr<GraphPass> make_lower_qdq_conv();
std::unique_ptr<GraphPass> make_lower_qdq_gemm();
std::unique_ptr<GraphPass> make_lower_qdq_add();
std::unique_ptr<GraphPass> make_lower_qdq_mul();
std::unique_ptr<GraphPass> make_lower_qdq_resize();
std::unique_ptr<GraphPass> make_lower_qdq_pool();
// --- end int8 passes ---

struct PipelineOptions {
  /// Runs the IR verifier after every pass (on in debug builds and tests).
#ifdef NDEBUG
  bool verify_each_pass = false;
#else
  bool verify_each_pass = true;
#endif
  /// Re-runs ONNX shape inference at the end so new values carry types.
  bool infer_shapes = true;
};

/// What canonicalize() did: how often each pass changed the graph.
struct PipelineReport {
  std::vector<std::pair<std::string, int>> pass_changes;
  int rounds = 0;
};

/// The runtime's fusions, run on a session's private copy of a canonical graph; they make
/// trex-domain ops that never leave the runtime.
void fuse_for_runtime(Graph& g);

/// Moves `g` to opset `target` when every op means the same there (Clip's attributes become
/// inputs); otherwise returns false and sets `blocker` to the node (or reason) in the way.
bool upgrade_opset(Graph& g, int64_t target, std::string* blocker = nullptr);

/// The canonicalization pipeline of `trex convert`: runs the passes in order until the
/// graph stops changing.
PipelineReport canonicalize(Graph& g, const PipelineOptions& opts = {});

}  // namespace trex
