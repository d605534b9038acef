// Differential test: trex.QConv on oneDNN against the reference QConv on random, odd shapes:
// channels 3/17/33, strides, pads, groups and depthwise, with and without bias (int32 and
// f32), every fused activation, uint8 and int8 inputs with non-zero zero points, and u8, s8
// and f32 outputs; also two QConvs in a row, which pass their int8 tensor channels-last.
#include <gtest/gtest.h>

#include <cmath>

#include "runtime/kernels/dnnl_test_util.h"
#include "runtime/kernels/int8_test_util.h"
#include "runtime/session.h"
#include "util/error.h"

namespace trex {
namespace {

using int8_test::random_int;

struct QConvCase {
  std::vector<int64_t> x;  // N, C, H, W
  int64_t out_channels, kernel, stride, group, pad;
  DType x_type;
  int x_zero;
  std::string bias;  // "", "int32" or "float"
  std::string activation;
  std::vector<float> activation_params;
  std::string y_type;
};

struct Built {
  std::shared_ptr<Graph> g;
  Tensor x;
};

/// Adds a QConv of `x` (type `c.x_type`, dims `c.x`) to `g` and returns its output.
Value* add_qconv(Graph& g, Value* x, const QConvCase& c, uint32_t seed, const std::string& name,
                 std::vector<int64_t>* out_dims) {
  const int64_t cin = c.x[1] / c.group;
  Tensor w = random_int(DType::kInt8, {c.out_channels, cin, c.kernel, c.kernel}, seed, -127, 127);
  std::vector<Value*> ins = {x, g.add_constant(name + "_w", w)};
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> ws(0.002f, 0.01f);
  std::vector<float> w_scale(c.out_channels);
  for (float& s : w_scale) s = ws(rng);
  if (c.bias == "int32")
    ins.push_back(g.add_constant(
        name + "_b", random_int(DType::kInt32, {c.out_channels}, seed + 1, -20000, 20000)));
  if (c.bias == "float")
    ins.push_back(g.add_constant(
        name + "_b", dnnl_test::random_f32({c.out_channels}, seed + 1, -20000.0f, 20000.0f)));
  Node* n = g.add_node("QConv", ins, 1, name, "trex");
  n->set_attr("strides", std::vector<int64_t>{c.stride, c.stride});
  n->set_attr("pads", std::vector<int64_t>(4, c.pad));
  n->set_attr("group", c.group);
  const float x_scale = 0.02f;
  n->set_attr("x_scale", x_scale);
  n->set_attr("x_zero_point", int64_t{c.x_zero});
  n->set_attr("w_scale", w_scale);
  if (!c.activation.empty()) n->set_attr("activation", c.activation);
  if (!c.activation_params.empty()) n->set_attr("activation_params", c.activation_params);
  // Real values are about x_scale * w_scale * 64 * 64 / 3 * sqrt(K): 3 sigma over the range.
  const float sigma = x_scale * 0.006f * 1365.0f * std::sqrt(float(cin * c.kernel * c.kernel));
  n->set_attr("y_type", c.y_type);
  DType out = DType::kFloat32;
  if (c.y_type != "float") {
    out = c.y_type == "uint8" ? DType::kUInt8 : DType::kInt8;
    n->set_attr("y_scale", 3.0f * sigma / 127.0f);
    n->set_attr("y_zero_point", int64_t{out == DType::kUInt8 ? 60 : -7});
  }
  const int64_t oh = (c.x[2] + 2 * c.pad - c.kernel) / c.stride + 1;
  const int64_t ow = (c.x[3] + 2 * c.pad - c.kernel) / c.stride + 1;
  *out_dims = {c.x[0], c.out_channels, oh, ow};
  n->output(0)->set_type({out, Shape::from_static(*out_dims)});
  return n->output(0);
}

Built build(const QConvCase& c, uint32_t seed) {
  Built r;
  r.g = std::make_shared<Graph>();
  Value* x = r.g->add_input("x", {c.x_type, Shape::from_static(c.x)});
  std::vector<int64_t> dims;
  r.g->add_output(add_qconv(*r.g, x, c, seed, "qc", &dims));
  r.x = c.x_type == DType::kUInt8 ? random_int(c.x_type, c.x, seed + 7, 0, 255)
                                  : random_int(c.x_type, c.x, seed + 7, -128, 127);
  return r;
}

std::string describe(const QConvCase& c) {
  return Shape::from_static(c.x).to_string() + " oc=" + std::to_string(c.out_channels) +
         " k=" + std::to_string(c.kernel) + " s=" + std::to_string(c.stride) +
         " g=" + std::to_string(c.group) + " x=" + dtype_name(c.x_type) +
         " zp=" + std::to_string(c.x_zero) + " bias=" + c.bias + " act=" + c.activation +
         " y=" + c.y_type;
}

void expect_matches(const QConvCase& c, uint32_t seed) {
  Built b = build(c, seed);
  SessionOptions ref_opts;
  ref_opts.reference_only = true;
  try {
    Session ref(b.g, ref_opts), opt(b.g);
    ASSERT_EQ(opt.kernel_choices()[0], "qc (QConv): dnnl") << describe(c);
    int8_test::expect_within_one_step(ref.run({{"x", b.x}})[0], opt.run({{"x", b.x}})[0],
                                      describe(c));
  } catch (const Error& e) {
    ADD_FAILURE() << describe(c) << ": " << e.what();
  }
}

TEST(QConvDnnl, MatchesReferenceOnOddShapes) {
  uint32_t seed = 100;
  for (DType xt : {DType::kUInt8, DType::kInt8})
    for (const char* y : {"uint8", "int8", "float"}) {
      const int zp = xt == DType::kUInt8 ? 131 : -3;
      expect_matches({{1, 3, 11, 9}, 17, 3, 1, 1, 1, xt, zp, "int32", "Relu", {}, y}, seed++);
      expect_matches({{2, 17, 8, 7}, 33, 3, 2, 1, 0, xt, zp, "", "", {}, y}, seed++);
      expect_matches({{1, 33, 9, 9}, 33, 3, 2, 33, 1, xt, zp, "int32", "Clip", {0, 6}, y}, seed++);
      expect_matches({{1, 34, 7, 5}, 18, 1, 1, 2, 0, xt, zp, "float", "", {}, y}, seed++);
      expect_matches({{1, 34, 7, 5}, 6, 3, 2, 2, 1, xt, zp, "int32", "Relu", {}, y}, seed++);
      expect_matches({{1, 17, 7, 5}, 17, 3, 1, 1, 1, xt, zp, "float", "", {}, y}, seed++);
      expect_matches({{1, 17, 6, 6}, 33, 1, 1, 1, 0, xt, 0, "int32", "HardSwish", {}, y}, seed++);
    }
}

TEST(QConvDnnl, EveryActivation) {
  uint32_t seed = 300;
  const std::vector<std::pair<std::string, std::vector<float>>> acts = {
      {"", {}},
      {"Relu", {}},
      {"Clip", {0.0f, 6.0f}},
      {"Clip", {-1.0f, 1.0f}},
      {"HardSwish", {}},
      {"Sigmoid", {}},
      {"Swish", {}},
      {"LeakyRelu", {0.1f}},
      {"Tanh", {}},
      {"HardSigmoid", {1.0f / 6, 0.5f}}};
  for (const auto& [act, params] : acts)
    for (const char* y : {"uint8", "int8", "float"}) {
      expect_matches({{1, 17, 7, 7}, 33, 3, 1, 1, 1, DType::kUInt8, 5, "int32", act, params, y},
                     seed++);
      // A pointwise conv on 1x1 maps (squeeze-excite): oneDNN picks brgconv_1x1 here, which
      // got a linear -> clip -> linear post-op chain wrong.
      expect_matches({{2, 8, 1, 1}, 16, 1, 1, 1, 0, DType::kUInt8, 0, "int32", act, params, y},
                     seed++);
    }
}

TEST(QConvDnnl, ChainPassesInt8ChannelsLast) {
  QConvCase first{{1, 17, 9, 9}, 32, 3, 1, 1, 1, DType::kUInt8, 0, "int32", "Relu", {}, "uint8"};
  QConvCase second{{1, 32, 9, 9}, 33, 3, 2, 1, 1, DType::kUInt8, 60, "int32", "", {}, "int8"};
  auto g = std::make_shared<Graph>();
  Value* x = g->add_input("x", {DType::kUInt8, Shape::from_static(first.x)});
  std::vector<int64_t> dims;
  Value* h = add_qconv(*g, x, first, 1, "c1", &dims);
  g->add_output(add_qconv(*g, h, second, 2, "c2", &dims));
  SessionOptions ref_opts;
  ref_opts.reference_only = true;
  Session ref(g, ref_opts), opt(g);
  EXPECT_EQ(opt.kernel_choices(),
            (std::vector<std::string>{"c1 (QConv): dnnl, channels-last", "c2 (QConv): dnnl"}));
  Tensor in = random_int(DType::kUInt8, first.x, 9, 0, 255);
  // The first layer's off-by-one roundings move the second's sums by one step at most.
  int8_test::expect_within_one_step(ref.run({{"x", in}})[0], opt.run({{"x", in}})[0], "chain");
}

}  // namespace
}  // namespace trex
