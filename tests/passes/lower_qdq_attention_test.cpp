// QDQ lowering of the ops attention-weighted and multi-resolution networks (Lite-HRNet,
// squeeze-excitation) run between quantizers: Mul (same shape or per-channel gate) becomes
// trex.QMul, Resize trex.QResize, AveragePool trex.QAveragePool; each lowered session agrees
// with the unlowered QDQ graph run by reference kernels within one quantization step, in the
// channels-last layout the int8 convolutions leave, and with f32 outputs where no Q follows.
#include <gtest/gtest.h>

#include "ir/verifier.h"
#include "onnx/onnx.h"
#include "passes/passes.h"
#include "passes/qdq_lowering.h"
#include "passes/qdq_test_util.h"

namespace trex::testing {
namespace {

/// The kernel choice of the session's node running `op`, or "".
std::string choice_of(const Session& s, const std::string& op) {
  for (const std::string& c : s.kernel_choices())
    if (c.find("(" + op + ")") != std::string::npos) return c;
  return "";
}

/// x -> Q/DQ -> 3x3 conv (an int8 conv: its output channels-last) -> Relu -> Q/DQ.
Value* quantized_features(GraphBuilder& b, Value* x, int64_t c, const std::string& name) {
  Value* xd = fake_quant(b, x, 0.02f, 128, DType::kUInt8, name + ".xq");
  Value* h = b.op("Relu", {quant_conv(b, xd, 0.02f, c, c, 3, {{"pads", ints({1, 1, 1, 1})}}, 5,
                                      name + ".conv")});
  return fake_quant(b, h, 0.03f, 0, DType::kUInt8, name + ".hq");
}

TEST(LowerQdqAttention, MulOfFeaturesAndGateOrFullTensor) {
  struct Case {
    std::vector<int64_t> b_dims;
    bool gate_first, quantized_output, symbolic_batch;
  };
  const std::vector<Case> cases = {
      {{2, 8, 1, 1}, false, true, false}, {{1, 8, 1, 1}, true, true, false},
      {{2, 8, 1, 1}, false, false, false}, {{2, 8, 6, 7}, false, true, false},
      {{2, 8, 6, 7}, true, false, false},
      // As exported models declare them: the batch a symbol.
      {{2, 8, 1, 1}, false, true, true}, {{1, 8, 1, 1}, false, true, true}};
  uint32_t seed = 11;
  for (const Case& k : cases) {
    SCOPED_TRACE(Shape::from_static(k.b_dims).to_string() + (k.gate_first ? " B first" : "") +
                 (k.quantized_output ? " Q" : " float") + (k.symbolic_batch ? " batch N" : ""));
    auto g = std::make_shared<Graph>();
    GraphBuilder b(*g);
    const std::vector<int64_t> dims = {2, 8, 6, 7};
    auto declared = [&](const std::vector<int64_t>& d) {
      std::vector<Dim> v(d.begin(), d.end());
      if (k.symbolic_batch && d[0] != 1) v[0] = Dim::symbolic("N");
      return Shape(v);
    };
    Value* h = quantized_features(b, b.input("x", DType::kFloat32, declared(dims)), 8, "f");
    // The gate as a graph input: plain, so a full-shape B arrives in the other layout.
    Value* w = fake_quant(b, b.input("w", DType::kFloat32, declared(k.b_dims)), 1.0f / 255, 0,
                          DType::kUInt8, "wq");
    Value* m = k.gate_first ? b.op("Mul", {w, h}) : b.op("Mul", {h, w});
    const float ys = 0.012f;
    b.output(k.quantized_output ? fake_quant(b, m, ys, 7, DType::kInt8, "yq") : m, "y");
    infer_shapes(*g);
    EXPECT_EQ(lowered_count(*g, kQMul), 1);
    EXPECT_EQ(lowered_count(*g, "Mul"), 0);
    auto s = expect_lowered_matches(g,
                                    {{"x", random_tensor(dims, seed, -2.5f, 2.5f)},
                                     {"w", random_tensor(k.b_dims, seed + 1, 0.0f, 1.0f)}},
                                    k.quantized_output ? ys : 1e-5f);
    EXPECT_NE(choice_of(*s, "QMul").find("dnnl"), std::string::npos) << choice_of(*s, "QMul");
    EXPECT_EQ(count_kernels(*s, "DequantizeLinear"), k.quantized_output ? 1 : 0);
    seed += 2;
  }
}

/// A broadcast Mul that is neither (B [1, 1, H, W]) stays float.
TEST(LowerQdqAttention, MulOfOtherBroadcastStaysFloat) {
  auto g = std::make_shared<Graph>();
  GraphBuilder b(*g);
  Value* h = quantized_features(b, b.input("x", DType::kFloat32, {1, 4, 5, 5}), 4, "f");
  Value* w = fake_quant(b, b.input("w", DType::kFloat32, {1, 1, 5, 5}), 0.01f, 0, DType::kUInt8,
                        "wq");
  b.output(fake_quant(b, b.op("Mul", {h, w}), 0.01f, 0, DType::kUInt8, "yq"), "y");
  infer_shapes(*g);
  EXPECT_EQ(lowered_count(*g, kQMul), 0);
  expect_lowered_matches(g,
                         {{"x", random_tensor({1, 4, 5, 5}, 3)},
                          {"w", random_tensor({1, 1, 5, 5}, 4, 0.0f, 1.0f)}},
                         0.01f);
}

Value* resize(GraphBuilder& b, Value* x, const std::vector<float>& scales, const std::string& mode,
              const std::string& coord) {
  Value* s = b.constant("scales", Tensor::from_vector<float>(DType::kFloat32, {4}, scales));
  AttrList attrs = {{"mode", mode}, {"coordinate_transformation_mode", coord}};
  if (mode == "nearest") attrs.push_back({"nearest_mode", std::string("floor")});
  return b.op("Resize", {x, nullptr, s}, attrs);
}

TEST(LowerQdqAttention, ResizeRunsOnInt8) {
  struct Case {
    std::string mode, coord;
    float factor;
    bool quantized_output, dnnl;
  };
  const std::vector<Case> cases = {
      {"linear", "half_pixel", 2, true, true},     {"linear", "half_pixel", 4, false, true},
      {"nearest", "asymmetric", 2, true, true},    {"nearest", "asymmetric", 4, false, true},
      {"linear", "align_corners", 2, true, false},  // not oneDNN's mapping: its reference path
  };
  uint32_t seed = 21;
  for (const Case& k : cases) {
    SCOPED_TRACE(k.mode + " " + k.coord + " x" + std::to_string(k.factor) +
                 (k.quantized_output ? " Q" : " float"));
    auto g = std::make_shared<Graph>();
    GraphBuilder b(*g);
    const std::vector<int64_t> dims = {1, 6, 5, 4};
    Value* h = quantized_features(b, b.input("x", DType::kFloat32, Shape::from_static(dims)), 6, "f");
    Value* r = resize(b, h, {1, 1, k.factor, k.factor}, k.mode, k.coord);
    const float ys = 0.025f;
    b.output(k.quantized_output ? fake_quant(b, r, ys, 3, DType::kUInt8, "yq") : r, "y");
    infer_shapes(*g);
    EXPECT_EQ(lowered_count(*g, kQResize), 1);
    EXPECT_EQ(lowered_count(*g, "Resize"), 0);
    auto s = expect_lowered_matches(g, {{"x", random_tensor(dims, seed, -2.5f, 2.5f)}},
                                    k.quantized_output ? ys : 1e-5f);
    if (k.dnnl) {
      EXPECT_NE(choice_of(*s, "QResize").find("dnnl"), std::string::npos);
    }
    // Only the graph output's own DequantizeLinear is left, when it has one.
    EXPECT_EQ(count_kernels(*s, "DequantizeLinear"), k.quantized_output ? 1 : 0);
    ++seed;
  }
}

TEST(LowerQdqAttention, AveragePoolRunsOnInt8) {
  struct Case {
    AttrList attrs;
    bool lowered;
  };
  const std::vector<Case> cases = {
      {{{"kernel_shape", ints({2, 2})}, {"strides", ints({2, 2})}}, true},
      {{{"kernel_shape", ints({4, 4})}, {"strides", ints({4, 4})}}, true},
      {{{"kernel_shape", ints({3, 3})}, {"pads", ints({1, 1, 1, 1})}}, true},  // pads excluded
      {{{"kernel_shape", ints({3, 3})},
        {"pads", ints({1, 1, 1, 1})},
        {"count_include_pad", int64_t{1}}},
       false},  // a pad is a real 0: stays float
  };
  uint32_t seed = 31;
  for (size_t i = 0; i < cases.size(); ++i) {
    SCOPED_TRACE("case " + std::to_string(i));
    auto g = std::make_shared<Graph>();
    GraphBuilder b(*g);
    const std::vector<int64_t> dims = {2, 5, 8, 8};
    Value* h = quantized_features(b, b.input("x", DType::kFloat32, Shape::from_static(dims)), 5, "f");
    const float ys = 0.02f;
    b.output(fake_quant(b, b.op("AveragePool", {h}, cases[i].attrs), ys, 0, DType::kUInt8, "yq"),
             "y");
    infer_shapes(*g);
    EXPECT_EQ(lowered_count(*g, kQAveragePool), cases[i].lowered ? 1 : 0);
    auto s = expect_lowered_matches(g, {{"x", random_tensor(dims, seed, -2.5f, 2.5f)}}, ys);
    if (cases[i].lowered) {
      EXPECT_NE(choice_of(*s, "QAveragePool").find("dnnl"), std::string::npos);
      EXPECT_EQ(count_kernels(*s, "DequantizeLinear"), 1);  // the graph output's own
    }
    ++seed;
  }
}

}  // namespace
}  // namespace trex::testing
