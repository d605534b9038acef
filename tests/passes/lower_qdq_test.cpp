// QDQ lowering (fuse_for_runtime on QDQ models): each pattern the quantizer writes becomes
// the expected trex int8 ops (structure), and the lowered session agrees with the unlowered
// QDQ graph run by reference kernels within one quantization step. Also: canonicalize keeps
// the QDQ structure (no folding of DequantizeLinear of constants, BatchNormalization left).
#include <gtest/gtest.h>

#include "ir/verifier.h"
#include "onnx/onnx.h"
#include "passes/passes.h"
#include "passes/qdq_lowering.h"
#include "passes/qdq_test_util.h"

namespace trex::testing {
namespace {

Value* activation(GraphBuilder& b, Value* v, const std::string& act) {
  if (act == "Relu" || act == "HardSwish" || act == "Sigmoid") return b.op(act, {v});
  if (act == "Relu6")
    return b.op("Clip", {v, b.constant("lo", Tensor::scalar_f32(0.0f)),
                         b.constant("hi", Tensor::scalar_f32(6.0f))});
  if (act == "LeakyRelu") return b.op("LeakyRelu", {v}, {{"alpha", 0.1f}});
  if (act == "SiLU") return b.op("Mul", {v, b.op("Sigmoid", {v})});
  return v;
}

TEST(LowerQdq, ConvActivationQuantizeBecomesOneQConv) {
  for (const std::string act : {"", "Relu", "Relu6", "HardSwish", "SiLU", "LeakyRelu", "Sigmoid"})
    for (DType yt : {DType::kUInt8, DType::kInt8}) {
      SCOPED_TRACE(act + " " + dtype_name(yt));
      auto g = std::make_shared<Graph>();
      GraphBuilder b(*g);
      Value* x = b.input("x", DType::kFloat32, {1, 3, 11, 9});
      Value* xd = fake_quant(b, x, 0.02f, 128, DType::kUInt8, "xq");
      Value* y = quant_conv(b, xd, 0.02f, 3, 17, 3, {{"pads", ints({1, 1, 1, 1})}}, 5, "conv");
      const float ys = 0.02f;
      b.output(fake_quant(b, activation(b, y, act), ys, yt == DType::kUInt8 ? 100 : 0, yt, "yq"),
               "y");
      infer_shapes(*g);
      EXPECT_EQ(lowered_count(*g, kQConv), 1);
      auto s = expect_lowered_matches(g, {{"x", random_tensor({1, 3, 11, 9}, 1, -2.5f, 2.5f)}}, ys);
      EXPECT_EQ(count_kernels(*s, "QConv"), 1);
      EXPECT_EQ(count_kernels(*s, "QuantizeLinear"), 1);  // of the input only
      EXPECT_EQ(count_kernels(*s, "Conv") + count_kernels(*s, "FusedConv"), 0);
    }
}

TEST(LowerQdq, ConvWithoutQuantizerWritesFloat) {
  auto g = std::make_shared<Graph>();
  GraphBuilder b(*g);
  Value* x = b.input("x", DType::kFloat32, {2, 8, 7, 7});
  Value* xd = fake_quant(b, x, 0.01f, 0, DType::kInt8, "xq");
  b.output(quant_conv(b, xd, 0.01f, 8, 8, 3, {{"strides", ints({2, 2})}}, 3, "dw", 8), "y");
  infer_shapes(*g);
  auto copy = g->clone();
  fuse_for_runtime(*copy);
  ASSERT_EQ(count_ops(*copy, kQConv), 1);
  EXPECT_EQ(copy->outputs()[0]->producer()->attr_string("y_type", ""), "float");
  expect_lowered_matches(g, {{"x", random_tensor({2, 8, 7, 7}, 2)}}, 1e-4f);
}

/// x -> conv1+Relu -> Q/DQ -> conv2 -> Q/DQ -> Add(x) -> Relu -> Q/DQ: two QConv and one QAdd.
TEST(LowerQdq, ResidualBlock) {
  auto g = std::make_shared<Graph>();
  GraphBuilder b(*g);
  const std::vector<int64_t> dims = {1, 16, 10, 10};
  Value* x = b.input("x", DType::kFloat32, Shape::from_static(dims));
  Value* xd = fake_quant(b, x, 1.0f / 127, 0, DType::kInt8, "xq");
  AttrList pads = {{"pads", ints({1, 1, 1, 1})}};
  Value* h = fake_quant(b, b.op("Relu", {quant_conv(b, xd, 1.0f / 127, 16, 16, 3, pads, 7, "c1")}),
                        0.01f, 0, DType::kUInt8, "h1");
  Value* h2 = fake_quant(b, quant_conv(b, h, 0.01f, 16, 16, 3, pads, 9, "c2"), 0.01f, 0,
                         DType::kInt8, "h2");
  const float ys = 0.015f;
  b.output(fake_quant(b, b.op("Relu", {b.op("Add", {h2, xd})}), ys, 0, DType::kUInt8, "out"), "y");
  infer_shapes(*g);
  EXPECT_EQ(lowered_count(*g, kQConv), 2);
  EXPECT_EQ(lowered_count(*g, kQAdd), 1);
  EXPECT_EQ(lowered_count(*g, "Add") + lowered_count(*g, "Relu"), 0);
  auto s = expect_lowered_matches(g, {{"x", random_tensor(dims, 4)}}, ys, 2.0f);
  // The block's int8 tensors stay channels-last between the integer kernels.
  int channels_last = 0;
  for (const std::string& c : s->kernel_choices())
    channels_last += c.find("channels-last") != std::string::npos;
  EXPECT_GE(channels_last, 2);
}

TEST(LowerQdq, GemmAndMatMulBecomeQGemm) {
  {
    auto g = std::make_shared<Graph>();
    GraphBuilder b(*g);
    Value* x = b.input("x", DType::kFloat32, {3, 37});
    Value* xd = fake_quant(b, x, 0.02f, 3, DType::kUInt8, "xq");
    std::vector<float> ws;
    Value* w = quant_weights(b, random_tensor({17, 37}, 3), 0, "w", &ws);
    Value* c = quant_bias(b, random_tensor({17}, 4), 0.02f, ws, "c");
    Value* y = b.op("Relu", {b.op("Gemm", {xd, w, c}, {{"transB", int64_t{1}}}, "fc")});
    b.output(fake_quant(b, y, 0.03f, 0, DType::kUInt8, "yq"), "y");
    infer_shapes(*g);
    EXPECT_EQ(lowered_count(*g, kQGemm), 1);
    EXPECT_EQ(lowered_count(*g, "FusedGemm") + lowered_count(*g, "Gemm"), 0);
    expect_lowered_matches(g, {{"x", random_tensor({3, 37}, 5, -2.0f, 2.0f)}}, 0.03f);
  }
  {
    auto g = std::make_shared<Graph>();
    GraphBuilder b(*g);
    Value* x = b.input("x", DType::kFloat32, {2, 3, 37});
    Value* xd = fake_quant(b, x, 0.02f, 0, DType::kInt8, "xq");
    std::vector<float> ws;
    b.output(b.op("MatMul", {xd, quant_weights(b, random_tensor({37, 17}, 6), 1, "w", &ws)}), "y");
    infer_shapes(*g);
    EXPECT_EQ(lowered_count(*g, kQGemm), 1);
    EXPECT_EQ(lowered_count(*g, "MatMul"), 0);
    expect_lowered_matches(g, {{"x", random_tensor({2, 3, 37}, 7)}}, 1e-4f);
  }
}

/// DQ -> MaxPool -> Q/DQ (same parameters) -> Flatten -> Gemm: MaxPool and Flatten run on
/// uint8, the requantizer after MaxPool cancels, and the Gemm reads the uint8 tensor.
TEST(LowerQdq, MaxPoolAndFlattenRunOnInt8) {
  auto g = std::make_shared<Graph>();
  GraphBuilder b(*g);
  Value* x = b.input("x", DType::kFloat32, {1, 4, 8, 8});
  Value* xd = fake_quant(b, x, 0.02f, 10, DType::kUInt8, "xq");
  Value* p = b.op("MaxPool", {xd}, {{"kernel_shape", ints({2, 2})}, {"strides", ints({2, 2})}});
  Value* pd = fake_quant(b, p, 0.02f, 10, DType::kUInt8, "pq");
  std::vector<float> ws;
  Value* f = b.op("Flatten", {pd});
  Value* y = b.op("Gemm", {f, quant_weights(b, random_tensor({5, 64}, 8), 0, "w", &ws)},
                  {{"transB", int64_t{1}}});
  b.output(fake_quant(b, y, 0.05f, 128, DType::kUInt8, "yq"), "y");
  infer_shapes(*g);
  auto s = expect_lowered_matches(g, {{"x", random_tensor({1, 4, 8, 8}, 9)}}, 0.05f);
  EXPECT_EQ(count_kernels(*s, "QuantizeLinear"), 1);
  EXPECT_EQ(count_kernels(*s, "DequantizeLinear"), 1);  // the graph output's
  EXPECT_EQ(count_kernels(*s, "QGemm"), 1);
  auto copy = g->clone();
  fuse_for_runtime(*copy);
  for (Node* n : copy->nodes()) {
    if (n->op_type() == "MaxPool" || n->op_type() == "Flatten") {
      EXPECT_EQ(n->output(0)->dtype(), DType::kUInt8) << n->op_type();
    }
  }
}

/// DQ -> GlobalAveragePool -> Q (the head of ResNet/MobileNet) becomes one
/// QGlobalAveragePool writing uint8 for the QGemm; without a Q after it, it writes f32.
TEST(LowerQdq, GlobalAveragePoolRunsOnInt8) {
  for (bool quantized_output : {true, false}) {
    SCOPED_TRACE(quantized_output ? "with Q" : "float output");
    auto g = std::make_shared<Graph>();
    GraphBuilder b(*g);
    Value* x = b.input("x", DType::kFloat32, {2, 6, 7, 5});
    Value* xd = fake_quant(b, x, 0.02f, 0, DType::kInt8, "xq");
    Value* c = b.op("Relu",
                    {quant_conv(b, xd, 0.02f, 6, 9, 3, {{"pads", ints({1, 1, 1, 1})}}, 4, "conv")});
    Value* cd = fake_quant(b, c, 0.03f, 0, DType::kUInt8, "cq");
    Value* p = b.op("GlobalAveragePool", {cd});
    if (quantized_output) {
      Value* pd = fake_quant(b, p, 0.01f, 3, DType::kUInt8, "pq");
      std::vector<float> ws;
      Value* y = b.op(
          "Gemm", {b.op("Flatten", {pd}), quant_weights(b, random_tensor({4, 9}, 8), 0, "w", &ws)},
          {{"transB", int64_t{1}}});
      b.output(y, "y");
    } else {
      b.output(p, "y");
    }
    infer_shapes(*g);
    EXPECT_EQ(lowered_count(*g, kQGlobalAveragePool), 1);
    EXPECT_EQ(lowered_count(*g, "GlobalAveragePool"), 0);
    // With Q: one step of 0.01 in the pooled value moves a logit by at most
    // 0.01 * sum |w| (< 9 * 1); without: f32 means agree to float rounding.
    auto s = expect_lowered_matches(g, {{"x", random_tensor({2, 6, 7, 5}, 3, -2.5f, 2.5f)}},
                                    quantized_output ? 0.09f : 1e-5f);
    EXPECT_EQ(count_kernels(*s, "QGlobalAveragePool"), 1);
    EXPECT_EQ(count_kernels(*s, "DequantizeLinear"), 0);
    EXPECT_EQ(count_kernels(*s, "QuantizeLinear"), 1);  // of the input only
    if (quantized_output) {
      EXPECT_EQ(count_kernels(*s, "QGemm"), 1);
    }
  }
}

TEST(LowerQdq, ConcatOfEqualQuantizationsRunsOnInt8) {
  for (bool equal : {true, false}) {
    auto g = std::make_shared<Graph>();
    GraphBuilder b(*g);
    Value* x1 = b.input("a", DType::kFloat32, {1, 3, 5, 5});
    Value* x2 = b.input("b", DType::kFloat32, {1, 5, 5, 5});
    Value* a = fake_quant(b, x1, 0.02f, 7, DType::kUInt8, "aq");
    Value* c = fake_quant(b, x2, equal ? 0.02f : 0.03f, 7, DType::kUInt8, "bq");
    Value* cat = b.op("Concat", {a, c}, {{"axis", int64_t{1}}});
    b.output(fake_quant(b, quant_conv(b, cat, 0.02f, 8, 4, 1, {}, 3, "conv"), 0.02f, 0,
                        DType::kInt8, "yq"),
             "y");
    infer_shapes(*g);
    // Equal parameters: one int8 Concat feeding QConv; else the Concat, and so the Conv, stay
    // float (the DQs of both inputs, the weights, the bias and the output remain).
    EXPECT_EQ(lowered_count(*g, kQConv), equal ? 1 : 0);
    EXPECT_EQ(lowered_count(*g, "DequantizeLinear"), equal ? 1 : 5);
    auto s = expect_lowered_matches(
        g, {{"a", random_tensor({1, 3, 5, 5}, 1)}, {"b", random_tensor({1, 5, 5, 5}, 2)}}, 0.02f);
    if (equal) {  // the uint8 Concat on oneDNN, in the layout the QConv reads
      bool dnnl = false;
      for (const std::string& c : s->kernel_choices())
        dnnl = dnnl || c.find("(Concat): dnnl") != std::string::npos;
      EXPECT_TRUE(dnnl);
    }
  }
}

/// Canonicalization must not fold DequantizeLinear of constant weights into float constants
/// (that would erase the quantization), and fold_batch_norm leaves a BN after a QDQ Conv alone.
TEST(LowerQdq, CanonicalizeKeepsQdqStructure) {
  auto g = std::make_shared<Graph>();
  GraphBuilder b(*g);
  Value* x = b.input("x", DType::kFloat32, {1, 4, 6, 6});
  Value* xd = fake_quant(b, x, 0.02f, 0, DType::kInt8, "xq");
  Value* y = quant_conv(b, xd, 0.02f, 4, 6, 3, {}, 2, "conv");
  Value* bn = b.op("BatchNormalization",
                   {y, b.constant("g", random_tensor({6}, 1, 0.5f, 1.5f)),
                    b.constant("be", random_tensor({6}, 2)), b.constant("m", random_tensor({6}, 3)),
                    b.constant("v", random_tensor({6}, 4, 0.5f, 1.0f))});
  b.output(b.op("Sigmoid", {fake_quant(b, bn, 0.03f, 0, DType::kInt8, "bnq")}), "y");
  infer_shapes(*g);
  const int dq_before = count_ops(*g, "DequantizeLinear");
  canonicalize(*g);
  EXPECT_EQ(count_ops(*g, "DequantizeLinear"), dq_before);
  EXPECT_EQ(count_ops(*g, "BatchNormalization"), 1);
  Node* conv = g->find_node("conv");
  ASSERT_NE(conv, nullptr);
  EXPECT_EQ(conv->input(1)->producer()->op_type(), "DequantizeLinear");
  // The Conv lowers with f32 output; the BN, and the Q -> DQ before the Sigmoid, stay.
  EXPECT_EQ(lowered_count(*g, kQConv), 1);
  auto s = expect_lowered_matches(g, {{"x", random_tensor({1, 4, 6, 6}, 5)}}, 0.03f * 0.25f);
  EXPECT_EQ(count_kernels(*s, "DequantizeLinear"), 1);
  EXPECT_EQ(count_kernels(*s, "QuantizeLinear"), 2);
}

}  // namespace
}  // namespace trex::testing
