// trex: make trained vision models fast on CPUs without losing their accuracy.
//
// A short tour of the C++ API (link the `trex_lib` CMake target, library file libtrex):
//
//   #include "trex/trex.h"
//
//   // Load an ONNX model (opset 7+; older opsets are upgraded). Errors are trex::Error
//   // exceptions whose message names the file and the node at fault.
//   std::unique_ptr<trex::Graph> g = trex::load_onnx("model.onnx");
//
//   // Canonicalize: fold constants, shape computations and BatchNorm, drop Identity,
//   // inference Dropout and dead nodes.
//   trex::canonicalize(*g);
//
//   // Inspect and write.
//   trex::ModelSummary s = trex::summarize(*g);   // op histogram, parameters, MACs
//   trex::save_onnx(*g, "model.canonical.onnx");  // atomic; passes ONNX's checker
//
//   // Build a graph in code.
//   trex::Graph h;
//   trex::GraphBuilder b(h);
//   trex::Value* x = b.input("x", trex::DType::kFloat32, {1, 3, 32, 32});
//   trex::Value* w = b.constant("w", trex::Tensor(trex::DType::kFloat32, {8, 3, 3, 3}));
//   b.output(b.op("Relu", {b.op("Conv", {x, w}, {{"pads", trex::ints({1, 1, 1, 1})}})}), "y");
#pragma once

#include "ir/builder.h"
#include "ir/graph.h"
#include "ir/model_summary.h"
#include "ir/printer.h"
#include "ir/verifier.h"
#include "onnx/onnx.h"
#include "passes/passes.h"
#include "util/error.h"
