// Runtime fusions: Conv + Add (+ activation) into trex.FusedConv, and where they must not
// apply. Numerical equality of fused kernels is tested in tests/runtime/kernels.
#include <gtest/gtest.h>

#include "ir/builder.h"
#include "ir/verifier.h"
#include "passes/pass_test_util.h"
#include "passes/passes.h"
#include "passes/runtime_fusion.h"

namespace trex::testing {
namespace {

struct ConvNet {
  Graph g;
  Value* x;
  Value* conv;
};

void make_conv(ConvNet& n) {
  GraphBuilder b(n.g);
  n.x = b.input("x", DType::kFloat32, {1, 2, 4, 4});
  n.conv = b.op("Conv", {n.x, b.constant("w", random_tensor({2, 2, 1, 1}, 1))}, {}, "conv");
  n.conv->set_type({DType::kFloat32, Shape{1, 2, 4, 4}});
}

TEST(RuntimeFusion, ConvAddReluBecomesOneFusedConv) {
  ConvNet n;
  make_conv(n);
  GraphBuilder b(n.g);
  Value* sum = b.op("Add", {n.x, n.conv});  // residual on the left: either side fuses
  sum->set_type({DType::kFloat32, Shape{1, 2, 4, 4}});
  b.output(b.op("Relu", {sum}), "y");
  fuse_for_runtime(n.g);
  verify(n.g);
  ASSERT_EQ(n.g.num_nodes(), 1u);
  Node* f = n.g.nodes()[0];
  EXPECT_EQ(f->op_type(), kFusedConv);
  EXPECT_EQ(f->domain(), kTrexDomain);
  EXPECT_EQ(f->attr_string("activation", ""), "Relu");
  ASSERT_EQ(f->num_inputs(), 4u);
  EXPECT_EQ(f->input(2), nullptr);
  EXPECT_EQ(f->input(3), n.x);
  EXPECT_EQ(n.g.outputs()[0]->name(), "y");
}

TEST(RuntimeFusion, FusedValuesKeepTheNamesOfWhatTheyComputed) {
  // Conv -> Relu -> Conv: the first FusedConv's output is the Relu's result and keeps its
  // name (PTQ observes quantized values by name in the fused graph).
  ConvNet n;
  make_conv(n);
  GraphBuilder b(n.g);
  Value* r = b.op("Relu", {n.conv}, {}, "relu");
  const std::string relu_out = r->name(), conv_out = n.conv->name();
  b.output(b.op("Conv", {r, b.constant("w2", random_tensor({2, 2, 1, 1}, 2))}, {}, "conv2"), "y");
  fuse_for_runtime(n.g);
  verify(n.g);
  Value* v = n.g.find_value(relu_out);
  ASSERT_NE(v, nullptr);
  ASSERT_NE(v->producer(), nullptr);
  EXPECT_EQ(v->producer()->op_type(), kFusedConv);
  EXPECT_EQ(n.g.find_value(conv_out), nullptr);  // the pre-activation value is gone
}

TEST(RuntimeFusion, BroadcastingAddIsNotFused) {
  ConvNet n;
  make_conv(n);
  GraphBuilder b(n.g);
  Value* bias = b.constant("bias", random_tensor({2, 1, 1}, 2));
  Value* sum = b.op("Add", {n.conv, bias});
  sum->set_type({DType::kFloat32, Shape{1, 2, 4, 4}});
  b.output(sum, "y");
  fuse_for_runtime(n.g);
  EXPECT_EQ(count_ops(n.g, "Add"), 1);
  EXPECT_EQ(count_ops(n.g, "Conv"), 1);
}

TEST(RuntimeFusion, SharedConvOutputAndDynamicClipStay) {
  ConvNet n;
  make_conv(n);
  GraphBuilder b(n.g);
  n.g.opset_imports[""] = 13;
  Value* lo = b.input("lo", DType::kFloat32, Shape(std::vector<Dim>{}));
  b.output(b.op("Clip", {n.conv, lo}), "clipped");
  b.output(b.op("Sigmoid", {n.conv}), "sig");
  fuse_for_runtime(n.g);
  EXPECT_EQ(count_ops(n.g, "Conv"), 1) << "the Conv output has two readers";
  EXPECT_EQ(count_ops(n.g, "Clip"), 1);
}

TEST(RuntimeFusion, ConstantClipFoldsIntoActivationParams) {
  ConvNet n;
  make_conv(n);
  GraphBuilder b(n.g);
  n.g.opset_imports[""] = 13;
  b.output(b.op("Clip", {n.conv, b.constant("lo", Tensor::scalar_f32(0.0f)),
                         b.constant("hi", Tensor::scalar_f32(6.0f))}),
           "y");
  fuse_for_runtime(n.g);
  ASSERT_EQ(n.g.num_nodes(), 1u);
  EXPECT_EQ(n.g.nodes()[0]->attr_floats("activation_params"), (std::vector<float>{0.0f, 6.0f}));
}

/// A Clip after a fused Relu or Clip (a narrow quantization grid's clamp) narrows it.
TEST(RuntimeFusion, ClipAfterReluOrClipNarrowsTheActivation) {
  for (bool relu_first : {true, false}) {
    ConvNet n;
    make_conv(n);
    GraphBuilder b(n.g);
    n.g.opset_imports[""] = 13;
    auto clip = [&](Value* x, float lo, float hi) {
      Value* y = b.op("Clip", {x, b.constant("lo" + std::to_string(lo), Tensor::scalar_f32(lo)),
                               b.constant("hi" + std::to_string(hi), Tensor::scalar_f32(hi))});
      y->set_type(x->type());
      return y;
    };
    Value* a = relu_first ? b.op("Relu", {n.conv}) : clip(n.conv, -1.0f, 6.0f);
    a->set_type(n.conv->type());
    b.output(clip(a, -0.5f, 4.0f), "y");
    fuse_for_runtime(n.g);
    verify(n.g);
    ASSERT_EQ(n.g.num_nodes(), 1u);
    EXPECT_EQ(n.g.nodes()[0]->attr_string("activation", ""), "Clip");
    EXPECT_EQ(n.g.nodes()[0]->attr_floats("activation_params"),
              (std::vector<float>{relu_first ? 0.0f : -0.5f, 4.0f}));
  }
  // Disjoint ranges (a constant result) stay as they are.
  ConvNet n;
  make_conv(n);
  GraphBuilder b(n.g);
  n.g.opset_imports[""] = 13;
  Value* r = b.op("Relu", {n.conv});
  r->set_type(n.conv->type());
  b.output(b.op("Clip", {r, b.constant("lo", Tensor::scalar_f32(-3.0f)),
                         b.constant("hi", Tensor::scalar_f32(-1.0f))}),
           "y");
  fuse_for_runtime(n.g);
  EXPECT_EQ(count_ops(n.g, "Clip"), 1);
}

}  // namespace
}  // namespace trex::testing

namespace trex::testing {
namespace {

/// x * Sigmoid(x) after a Conv, and PyTorch's exact GELU after a Gemm, become activations.
TEST(RuntimeFusion, SiluAndGeluPatternsFuse) {
  {
    ConvNet n;
    make_conv(n);
    GraphBuilder b(n.g);
    b.output(b.op("Mul", {b.op("Sigmoid", {n.conv}), n.conv}), "y");
    fuse_for_runtime(n.g);
    verify(n.g);
    ASSERT_EQ(n.g.num_nodes(), 1u);
    EXPECT_EQ(n.g.nodes()[0]->attr_string("activation", ""), "Swish");
  }
  {
    Graph g;
    GraphBuilder b(g);
    Value* a = b.input("a", DType::kFloat32, {3, 4});
    Value* h =
        b.op("Gemm",
             {a, b.constant("w", random_tensor({4, 5}, 1)), b.constant("c", random_tensor({5}, 2))},
             {}, "fc");
    h->set_type({DType::kFloat32, Shape{3, 5}});
    Value* e = b.op("Erf", {b.op("Div", {h, b.constant("s2", Tensor::scalar_f32(1.4142135f))})});
    Value* inner = b.op("Mul", {h, b.op("Add", {e, b.constant("one", Tensor::scalar_f32(1.0f))})});
    b.output(b.op("Mul", {inner, b.constant("half", Tensor::scalar_f32(0.5f))}), "y");
    fuse_for_runtime(g);
    verify(g);
    ASSERT_EQ(g.num_nodes(), 1u);
    EXPECT_EQ(g.nodes()[0]->op_type(), kFusedGemm);
    EXPECT_EQ(g.nodes()[0]->attr_string("activation", ""), "Gelu");
    EXPECT_EQ(g.outputs()[0]->name(), "y");
  }
}

TEST(RuntimeFusion, SiluWithAThirdReaderStays) {
  ConvNet n;
  make_conv(n);
  GraphBuilder b(n.g);
  b.output(b.op("Mul", {b.op("Sigmoid", {n.conv}), n.conv}), "y");
  b.output(b.op("Neg", {n.conv}), "z");
  fuse_for_runtime(n.g);
  EXPECT_EQ(count_ops(n.g, "Conv"), 1);
  EXPECT_EQ(count_ops(n.g, "Sigmoid"), 1);
}

}  // namespace
}  // namespace trex::testing
