// Differential test: trex.QGlobalAveragePool vectorized against its reference on random, odd
// shapes (channels below and above the 64-channel block, ranks 3 to 5), uint8 and int8 input
// with non-zero zero points, u8, s8 and f32 outputs, plain and channels-last input (a Q ahead
// of it writes channels-last for it).
#include <gtest/gtest.h>

#include "ir/builder.h"
#include "passes/pass_test_util.h"
#include "runtime/kernels/int8_test_util.h"
#include "runtime/session.h"

namespace trex {
namespace {

using int8_test::random_int;

struct PoolCase {
  std::vector<int64_t> x;
  DType x_type;
  int x_zero;
  std::string y_type;
};

std::string describe(const PoolCase& c, bool channels_last) {
  return Shape::from_static(c.x).to_string() + " x=" + dtype_name(c.x_type) +
         " zp=" + std::to_string(c.x_zero) + " y=" + c.y_type + (channels_last ? " cl" : "");
}

/// x -> [QuantizeLinear, so that x arrives channels-last] -> QGlobalAveragePool -> y.
void expect_matches(const PoolCase& c, bool channels_last, uint32_t seed) {
  const std::string what = describe(c, channels_last);
  auto g = std::make_shared<Graph>();
  GraphBuilder b(*g);
  const float x_scale = 0.05f;
  Value* x;
  Tensor feed;
  if (channels_last) {
    Value* f = b.input("x", DType::kFloat32, Shape::from_static(c.x));
    Tensor z(c.x_type, {});
    z.set_int64(0, c.x_zero);
    x = b.op("QuantizeLinear",
             {f, b.constant("s", Tensor::scalar_f32(x_scale)), b.constant("z", z)}, {}, "q");
    x->set_type({c.x_type, Shape::from_static(c.x)});
    feed = testing::random_tensor(c.x, seed, -6.0f, 6.0f);
  } else {
    x = b.input("x", c.x_type, Shape::from_static(c.x));
    feed = c.x_type == DType::kUInt8 ? random_int(c.x_type, c.x, seed, 0, 255)
                                     : random_int(c.x_type, c.x, seed, -128, 127);
  }
  Node* n = g->add_node("QGlobalAveragePool", {x}, 1, "pool", "trex");
  n->set_attr("x_scale", x_scale);
  n->set_attr("x_zero_point", int64_t{c.x_zero});
  n->set_attr("y_type", c.y_type);
  DType out = DType::kFloat32;
  if (c.y_type != "float") {
    out = c.y_type == "uint8" ? DType::kUInt8 : DType::kInt8;
    n->set_attr("y_scale", 0.013f);
    n->set_attr("y_zero_point", int64_t{out == DType::kUInt8 ? 120 : 3});
  }
  std::vector<int64_t> out_dims = {c.x[0], c.x[1]};
  out_dims.resize(c.x.size(), 1);
  n->output(0)->set_type({out, Shape::from_static(out_dims)});
  g->add_output(n->output(0));
  SessionOptions ref_opts;
  ref_opts.reference_only = true;
  SessionOptions opts;
  opts.threads = 2;
  Session ref(g, ref_opts), opt(g, opts);
  const std::vector<std::string> kinds = opt.kernel_choices();
  EXPECT_EQ(kinds.back(), "pool (QGlobalAveragePool): dnnl") << what;
  if (channels_last) {
    EXPECT_EQ(kinds[0], "q (QuantizeLinear): dnnl, channels-last") << what;
  }
  int8_test::expect_within_one_step(ref.run({{"x", feed}})[0], opt.run({{"x", feed}})[0], what);
}

TEST(QGlobalAveragePoolVec, MatchesReferenceOnOddShapes) {
  uint32_t seed = 1;
  const std::vector<std::vector<int64_t>> shapes = {{1, 3, 11, 9},  {2, 17, 7, 5}, {1, 67, 3, 3},
                                                    {3, 130, 7, 7}, {2, 5, 13},    {1, 9, 3, 4, 5}};
  for (const auto& dims : shapes)
    for (DType xt : {DType::kUInt8, DType::kInt8})
      for (const char* y : {"uint8", "int8", "float"})
        for (bool cl : {false, true})
          expect_matches({dims, xt, xt == DType::kUInt8 ? 131 : -5, y}, cl, seed++);
}

}  // namespace
}  // namespace trex
