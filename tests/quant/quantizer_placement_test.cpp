// Quantizer placement on graphs built in code: which values and weights get quantizers,
// hand-up through agnostic ops, branch merging, Concat groups, SiLU, ignored scope.
#include "quant/quantizer_placement.h"

#include <gtest/gtest.h>

#include "ir/builder.h"
#include "passes/passes.h"
#include "quant/quant_test_util.h"

namespace trex::quant {
namespace {

using testing::random_tensor;

std::vector<std::string> consumers_of(const QuantizationSetup& s, const std::string& value) {
  std::vector<std::string> out;
  const ActivationQuantizer* a = s.find_activation(value);
  if (a)
    for (const auto& [node, index] : a->consumers)
      out.push_back(node + ":" + std::to_string(index));
  return out;
}

TEST(QuantizerPlacement, SmallCnn) {
  auto g = testing::small_cnn();
  canonicalize(*g);
  QuantizationSetup s = place_quantizers(*g);
  // The model input feeds conv1; relu1's output feeds the pool, whose readers (conv2, add)
  // both want quantizers, so the quantizer sits before the pool and the pool runs on int8.
  EXPECT_EQ(consumers_of(s, "input"), (std::vector<std::string>{"conv1:0"}));
  EXPECT_TRUE(s.find_activation("input")->model_input);
  EXPECT_EQ(consumers_of(s, g->find_node("relu1")->output(0)->name()),
            (std::vector<std::string>{"pool:0"}));
  EXPECT_EQ(s.find_activation(g->find_node("pool")->output(0)->name()), nullptr);
  // conv2 -> relu2 -> add: the Add input after the fused activation is quantized.
  EXPECT_EQ(consumers_of(s, g->find_node("relu2")->output(0)->name()),
            (std::vector<std::string>{"add:0"}));
  // The Gemm reads Flatten(GAP): the quantizer moves up through Flatten to the GAP output.
  EXPECT_EQ(consumers_of(s, g->find_node("gap")->output(0)->name()),
            (std::vector<std::string>{"flatten:0"}));
  EXPECT_EQ(consumers_of(s, g->find_node("relu3")->output(0)->name()),
            (std::vector<std::string>{"gap:0"}));
  ASSERT_EQ(s.weights.size(), 3u);
  EXPECT_EQ(s.weights[0].node, "conv1");
  EXPECT_TRUE(s.weights[0].first_layer);
  EXPECT_FALSE(s.weights[1].first_layer);
  EXPECT_EQ(s.weights[2].node, "fc");
  EXPECT_EQ(s.weights[2].axis, 0);  // transB = 1: [N, K]
  // Both Add inputs are covered, the skip one by the quantizer before the pool.
  EXPECT_EQ(s.input_quantizer.at({"add", 1}), g->find_node("relu1")->output(0)->name());
  EXPECT_EQ(s.input_quantizer.at({"fc", 0}), g->find_node("gap")->output(0)->name());
  // The outputs are not quantized; Relu stays float with a reason.
  EXPECT_EQ(s.find_activation("logits"), nullptr);
  bool relu_float = false;
  for (const FloatNode& f : s.float_nodes) relu_float |= f.node == "relu1" && !f.reason.empty();
  EXPECT_TRUE(relu_float);
}

TEST(QuantizerPlacement, BranchesShareOneQuantizerAndConcatUnifies) {
  Graph g;
  g.opset_imports = {{"", 13}};
  GraphBuilder b(g);
  Value* x = b.input("x", DType::kFloat32, Shape::from_static({1, 4, 8, 8}));
  Value* w1 = b.constant("w1", random_tensor({4, 4, 1, 1}, 1));
  Value* w2 = b.constant("w2", random_tensor({4, 4, 1, 1}, 2));
  Value* a = b.op("Conv", {x, w1}, {}, "a");
  Value* c = b.op("Conv", {x, w2}, {}, "c");  // x has two quantized readers: one quantizer
  Value* cat = b.op("Concat", {a, c}, {{"axis", Attribute(int64_t{1})}}, "cat");
  Value* w3 = b.constant("w3", random_tensor({2, 8, 1, 1}, 3));
  b.output(b.op("Conv", {cat, w3}, {}, "d"), "y");
  QuantizationSetup s = place_quantizers(g);
  EXPECT_EQ(consumers_of(s, "x"), (std::vector<std::string>{"a:0", "c:0"}));
  const ActivationQuantizer* qa = s.find_activation(a->name());
  const ActivationQuantizer* qc = s.find_activation(c->name());
  const ActivationQuantizer* qcat = s.find_activation(cat->name());
  ASSERT_TRUE(qa && qc && qcat);
  EXPECT_GE(qa->group, 0);
  EXPECT_EQ(qa->group, qc->group);
  EXPECT_EQ(qa->group, qcat->group);
  EXPECT_EQ(s.find_activation("x")->group, -1);
}

TEST(QuantizerPlacement, SiluMulIsAnActivationNotAnArithmeticMul) {
  Graph g;
  g.opset_imports = {{"", 13}};
  GraphBuilder b(g);
  Value* x = b.input("x", DType::kFloat32, Shape::from_static({1, 4, 8, 8}));
  Value* conv = b.op("Conv", {x, b.constant("w", random_tensor({4, 4, 3, 3}, 1))},
                     {{"pads", ints({1, 1, 1, 1})}}, "conv");
  Value* silu = b.op("Mul", {conv, b.op("Sigmoid", {conv}, {}, "sig")}, {}, "silu");
  Value* other = b.input("s", DType::kFloat32, Shape::from_static({1, 4, 8, 8}));
  b.output(b.op("Mul", {silu, other}, {}, "scale"), "y");
  QuantizationSetup s = place_quantizers(g);
  EXPECT_EQ(s.find_activation(conv->name()), nullptr);
  EXPECT_EQ(consumers_of(s, silu->name()), (std::vector<std::string>{"scale:0"}));
  EXPECT_EQ(consumers_of(s, "s"), (std::vector<std::string>{"scale:1"}));
}

TEST(QuantizerPlacement, IgnoredScopeByNamePatternAndType) {
  auto g = testing::small_cnn();
  canonicalize(*g);
  IgnoredScope ig;
  ig.names = {"conv2", "no_such_node"};
  ig.patterns = {"f.*"};
  ig.types = {"Add", "LSTM"};
  QuantizationSetup s = place_quantizers(*g, ig);
  ASSERT_EQ(s.weights.size(), 1u);
  EXPECT_EQ(s.weights[0].node, "conv1");
  EXPECT_EQ(s.input_quantizer.count({"add", 0}), 0u);
  EXPECT_EQ(s.input_quantizer.count({"fc", 0}), 0u);
  EXPECT_EQ(s.unmatched_ignored, (std::vector<std::string>{"name 'no_such_node'", "type 'LSTM'"}));
  std::map<std::string, std::string> why;
  for (const FloatNode& f : s.float_nodes) why[f.node] = f.reason;
  EXPECT_EQ(why["conv2"], "ignored scope: name 'conv2'");
  EXPECT_EQ(why["fc"], "ignored scope: pattern 'f.*'");
  EXPECT_EQ(why["add"], "ignored scope: type 'Add'");
  // Nothing reads the pool output quantized any more, so the quantizer is not moved up.
  EXPECT_EQ(s.find_activation(g->find_node("relu1")->output(0)->name()), nullptr);
}

}  // namespace
}  // namespace trex::quant
