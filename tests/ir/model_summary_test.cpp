// Model summary: parameters and MACs of a known architecture, per sample when the batch is
// symbolic.
#include "ir/model_summary.h"

#include <gtest/gtest.h>

#include "onnx/architectures.h"
#include "passes/passes.h"

namespace trex {
namespace {

TEST(ModelSummary, ResNet18MacsAndParameters) {
  testing::ArchOptions o;
  auto g = testing::build_architecture("resnet18", o);
  canonicalize(*g);  // folds the exporter's Shape->Reshape flatten, so every shape is known
  ModelSummary s = summarize(*g);
  // torchvision's ResNet-18 at 224x224: 11.69M parameters (plus BN statistics), 1.81 GMACs.
  EXPECT_EQ(s.macs_unknown_nodes, 0);
  EXPECT_NEAR(static_cast<double>(s.macs), 1.814e9, 0.01e9);
  // torchvision's 11,689,512 with BatchNorm folded: minus 2 x 4,800 scales and shifts, plus
  // 4,800 convolution biases, plus the 2-element flatten shape.
  EXPECT_EQ(s.parameter_count, 11689512 - 9600 + 4800 + 2);

  o.batch = 0;  // symbolic "N": the same MACs, per sample
  auto dynamic = testing::build_architecture("resnet18", o);
  canonicalize(*dynamic);
  ModelSummary d = summarize(*dynamic);
  // ... except the classifier: its input comes from the exporter's dynamic Reshape, whose
  // output shape ONNX cannot infer, so its 512 x 1000 MACs are reported as unknown.
  EXPECT_EQ(d.macs_unknown_nodes, 1);
  EXPECT_EQ(d.macs, s.macs - 512 * 1000);
}

}  // namespace
}  // namespace trex
