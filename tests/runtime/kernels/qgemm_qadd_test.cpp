// Differential tests of the optimized int8 matrix product (trex.QGemm on oneDNN) and int8 add
// (trex.QAdd, vectorized loop) against their reference kernels: odd sizes, both B layouts,
// bias types, uint8/int8 inputs with non-zero zero points, quantized and f32 outputs, Relu,
// and QAdd on mixed plain / channels-last inputs.
#include <gtest/gtest.h>

#include <cmath>

#include "runtime/kernels/dnnl_test_util.h"
#include "runtime/kernels/int8_test_util.h"
#include "runtime/session.h"

namespace trex {
namespace {

using int8_test::random_int;

Tensor random_of(DType t, const std::vector<int64_t>& dims, uint32_t seed) {
  return t == DType::kUInt8 ? random_int(t, dims, seed, 0, 255)
                            : random_int(t, dims, seed, -128, 127);
}

void set_output(Node* n, const std::string& y_type, float y_scale,
                const std::vector<int64_t>& dims) {
  n->set_attr("y_type", y_type);
  DType out = DType::kFloat32;
  if (y_type != "float") {
    out = y_type == "uint8" ? DType::kUInt8 : DType::kInt8;
    n->set_attr("y_scale", y_scale);
    n->set_attr("y_zero_point", int64_t{out == DType::kUInt8 ? 100 : 3});
  }
  n->output(0)->set_type({out, Shape::from_static(dims)});
}

/// Runs `g` on `feeds` with reference kernels and with the optimized ones; expects `choice`
/// as the optimized session's first kernel and outputs within one step.
void expect_matches(std::shared_ptr<Graph> g, const std::map<std::string, Tensor>& feeds,
                    const std::string& choice, const std::string& what) {
  SessionOptions ref_opts;
  ref_opts.reference_only = true;
  Session ref(g, ref_opts), opt(g);
  EXPECT_EQ(opt.kernel_choices()[0], choice) << what;
  int8_test::expect_within_one_step(ref.run(feeds)[0], opt.run(feeds)[0], what);
}

TEST(QGemmDnnl, MatchesReference) {
  uint32_t seed = 1;
  for (int trans_b : {0, 1})
    for (DType xt : {DType::kUInt8, DType::kInt8})
      for (const char* bias : {"", "int32", "float"})
        for (const char* y : {"uint8", "int8", "float"}) {
          const int64_t m = 3, k = 37, n = 17;
          auto g = std::make_shared<Graph>();
          Value* a = g->add_input("a", {xt, Shape::from_static({2, m, k})});
          Tensor w = trans_b ? random_int(DType::kInt8, {n, k}, seed, -127, 127)
                             : random_int(DType::kInt8, {k, n}, seed, -127, 127);
          std::vector<Value*> ins = {a, g->add_constant("w", w)};
          if (std::string(bias) == "int32")
            ins.push_back(g->add_constant("c", random_int(DType::kInt32, {n}, seed, -9000, 9000)));
          if (std::string(bias) == "float")
            ins.push_back(g->add_constant("c", dnnl_test::random_f32({n}, seed, -9000, 9000)));
          Node* q = g->add_node("QGemm", ins, 1, "fc", "trex");
          q->set_attr("transB", int64_t{trans_b});
          q->set_attr("x_scale", 0.05f);
          q->set_attr("x_zero_point", int64_t{xt == DType::kUInt8 ? 128 : -2});
          std::vector<float> ws(n);
          for (int64_t j = 0; j < n; ++j) ws[j] = 0.001f * static_cast<float>(j + 1);
          q->set_attr("w_scale", ws);
          q->set_attr("activation", std::string(y) == "int8" ? "Relu" : "");
          set_output(q, y, 0.3f, {2, m, n});
          g->add_output(q->output(0));
          const std::string what = "transB=" + std::to_string(trans_b) + " a=" + dtype_name(xt) +
                                   " bias=" + bias + " y=" + y;
          expect_matches(g, {{"a", random_of(xt, {2, m, k}, seed + 50)}}, "fc (QGemm): dnnl", what);
          ++seed;
        }
}

TEST(QAddVec, MatchesReference) {
  uint32_t seed = 1;
  for (DType at : {DType::kUInt8, DType::kInt8})
    for (DType bt : {DType::kUInt8, DType::kInt8})
      for (const char* y : {"uint8", "int8", "float"})
        for (bool relu : {false, true}) {
          const std::vector<int64_t> dims = {2, 17, 5, 3};
          auto g = std::make_shared<Graph>();
          Value* a = g->add_input("a", {at, Shape::from_static(dims)});
          Value* b = g->add_input("b", {bt, Shape::from_static(dims)});
          Node* q = g->add_node("QAdd", {a, b}, 1, "add", "trex");
          q->set_attr("a_scale", 0.031f);
          q->set_attr("a_zero_point", int64_t{at == DType::kUInt8 ? 120 : 5});
          q->set_attr("b_scale", 0.017f);
          q->set_attr("b_zero_point", int64_t{bt == DType::kUInt8 ? 7 : -9});
          q->set_attr("activation", relu ? "Relu" : "");
          set_output(q, y, 0.043f, dims);
          g->add_output(q->output(0));
          const std::string what = std::string(dtype_name(at)) + "+" + dtype_name(bt) + " y=" + y +
                                   " relu=" + std::to_string(relu);
          expect_matches(g,
                         {{"a", random_of(at, dims, seed)}, {"b", random_of(bt, dims, seed + 1)}},
                         "add (QAdd): dnnl", what);
          ++seed;
        }
}

/// QConv -> QAdd with the other QAdd input plain (a graph input): the QConv output arrives
/// channels-last, the graph input plain, and the QAdd converts one of them.
TEST(QAddVec, MixedLayouts) {
  const std::vector<int64_t> dims = {1, 17, 6, 5};
  auto g = std::make_shared<Graph>();
  Value* x = g->add_input("x", {DType::kUInt8, Shape::from_static(dims)});
  Value* r = g->add_input("r", {DType::kInt8, Shape::from_static(dims)});
  Node* conv = g->add_node(
      "QConv", {x, g->add_constant("w", random_int(DType::kInt8, {17, 17, 1, 1}, 3, -127, 127))}, 1,
      "conv", "trex");
  conv->set_attr("x_scale", 0.02f);
  conv->set_attr("x_zero_point", int64_t{0});
  conv->set_attr("w_scale", std::vector<float>(17, 0.004f));
  set_output(conv, "uint8", 0.05f, dims);
  Node* add = g->add_node("QAdd", {conv->output(0), r}, 1, "add", "trex");
  add->set_attr("a_scale", 0.05f);
  add->set_attr("a_zero_point", int64_t{100});
  add->set_attr("b_scale", 0.01f);
  add->set_attr("b_zero_point", int64_t{0});
  set_output(add, "int8", 0.06f, dims);
  Node* conv2 =
      g->add_node("QConv",
                  {add->output(0),
                   g->add_constant("w2", random_int(DType::kInt8, {5, 17, 1, 1}, 4, -127, 127))},
                  1, "conv2", "trex");
  conv2->set_attr("x_scale", 0.06f);
  conv2->set_attr("x_zero_point", int64_t{3});
  conv2->set_attr("w_scale", std::vector<float>(5, 0.004f));
  set_output(conv2, "float", 1.0f, {1, 5, 6, 5});
  g->add_output(conv2->output(0));
  SessionOptions ref_opts;
  ref_opts.reference_only = true;
  Session ref(g, ref_opts), opt(g);
  EXPECT_EQ(opt.kernel_choices(),
            (std::vector<std::string>{"conv (QConv): dnnl, channels-last",
                                      "add (QAdd): dnnl, channels-last", "conv2 (QConv): dnnl"}));
  std::map<std::string, Tensor> feeds = {{"x", random_of(DType::kUInt8, dims, 1)},
                                         {"r", random_of(DType::kInt8, dims, 2)}};
  // f32 output after two requantizations that may each round a tie differently.
  int8_test::expect_within_one_step(ref.run(feeds)[0], opt.run(feeds)[0], "mixed", 2e-2f);
}

}  // namespace
}  // namespace trex
