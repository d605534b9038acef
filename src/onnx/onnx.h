// ONNX import and export of the graph IR. Protobuf types never leave src/onnx: callers see
// only Graph and file paths.
#pragma once

#include <memory>
#include <string>

#include "ir/graph.h"

namespace trex {

struct OnnxLoadOptions {
  /// Models at default-domain opsets 1-6 are upgraded to opset 7 with ONNX's version
  /// converter; when false they are rejected as unsupported.
  bool upgrade_old_opsets = true;
  /// Runs ONNX's shape inference (with data propagation) so values carry types and shapes.
  bool infer_shapes = true;
  /// Accepts nodes of the "trex" domain (the training backend's fake quantizers in a
  /// compression checkpoint); model files never hold them.
  bool allow_trex_domain = false;
};

/// Loads `path`; external data files are resolved relative to its folder. Every problem is
/// a trex::Error whose message starts with the path and names the node, value or tensor.
std::unique_ptr<Graph> load_onnx(const std::string& path, const OnnxLoadOptions& opts = {});

/// Loads a model held in memory. `source` names it in errors; `base_dir` anchors external
/// data ("" forbids external data).
std::unique_ptr<Graph> load_onnx_bytes(const std::string& bytes, const std::string& source,
                                       const std::string& base_dir,
                                       const OnnxLoadOptions& opts = {});

struct OnnxSaveOptions {
  /// Runs ONNX's checker on the result and raises kInternal when it objects.
  bool check = true;
  /// Tensors of at least this many bytes go to `<model file>.data` beside the model;
  /// 0 keeps everything inline (models over 1.5 GiB of weights always go external, since
  /// protobuf cannot hold 2 GiB).
  size_t external_data_threshold = 0;
};

/// Writes `g` to `path` atomically (temporary file, then rename).
void save_onnx(const Graph& g, const std::string& path, const OnnxSaveOptions& opts = {});

/// The serialized ModelProto with every tensor inline.
std::string serialize_onnx(const Graph& g, bool check = true);

/// Re-runs ONNX shape inference on `g` and updates the types of its values.
void infer_shapes(Graph& g);

/// Reads a serialized TensorProto (.pb, as the ONNX test suite stores inputs and outputs);
/// `name` receives the tensor's name (may be empty).
Tensor load_tensor_pb(const std::string& path, std::string* name = nullptr);

/// Writes `t` as a serialized TensorProto named `name`, atomically.
void save_tensor_pb(const Tensor& t, const std::string& name, const std::string& path);

/// Highest default-domain opset this build understands.
int64_t max_supported_opset();
constexpr int64_t kMinNativeOpset = 7;

}  // namespace trex
