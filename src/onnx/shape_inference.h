// ONNX's shape inference, run where a crash cannot take trex down.
#pragma once

#include <onnx/onnx_pb.h>

namespace trex::onnx_io {

/// Runs libonnx's shape inference (with data propagation, node errors tolerated) on `m`
/// and merges the inferred types into its value_info and outputs. The inference runs in a
/// forked child (util/isolate.h): libonnx 1.12's inference functions assume consistent
/// shapes and some crash on inconsistent ones (found by fuzzing, e.g. ConvTranspose with a
/// 4-D bias), which must be an error, not a crash. Throws kInvalidInput when inference
/// fails or crashes.
void infer_onnx_shapes(onnx::ModelProto& m);

}  // namespace trex::onnx_io
