// Crash-isolated ONNX shape inference (see shape_inference.h).
#include "onnx/shape_inference.h"

#include <onnx/defs/schema.h>
#include <onnx/shape_inference/implementation.h>

#include "util/error.h"
#include "util/isolate.h"

namespace trex::onnx_io {

void infer_onnx_shapes(onnx::ModelProto& m) {
  // The child sends back only the graph's value_info and outputs, not the weights.
  std::string reply = run_isolated(
      [&m] {
        onnx::ModelProto copy = m;
        onnx::ShapeInferenceOptions opts;
        opts.check_type = false;
        opts.error_mode = 0;  // a node ONNX cannot infer keeps unknown shapes
        opts.enable_data_propagation = true;
        onnx::shape_inference::InferShapes(copy, onnx::OpSchemaRegistry::Instance(), opts);
        onnx::GraphProto types;
        *types.mutable_value_info() = copy.graph().value_info();
        *types.mutable_output() = copy.graph().output();
        return types.SerializeAsString();
      },
      "shape inference");
  onnx::GraphProto types;
  if (!types.ParseFromString(reply))
    throw_internal(__FILE__, __LINE__, "shape inference reply does not parse");
  *m.mutable_graph()->mutable_value_info() = types.value_info();
  *m.mutable_graph()->mutable_output() = types.output();
}

}  // namespace trex::onnx_io
