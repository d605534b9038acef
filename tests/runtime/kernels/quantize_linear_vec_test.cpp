// Differential test: the vectorized QuantizeLinear / DequantizeLinear against the reference
// kernels on random, odd shapes (ranks 1 to 5), uint8 and int8 with non-zero zero points,
// exact ties, saturation and NaN; every layout path: plain, quantizing a plain f32 tensor into
// a channels-last 8-bit one (Q read by DQ), and a channels-last f32 input (Conv -> Q). The
// results must be identical, not merely within a step.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "ir/builder.h"
#include "onnx/onnx.h"
#include "passes/pass_test_util.h"
#include "runtime/kernels/int8_test_util.h"
#include "runtime/session.h"

namespace trex {
namespace {

using testing::random_tensor;

Tensor zero_point(DType t, int zp) {
  Tensor z(t, {});
  z.set_int64(0, zp);
  return z;
}

/// Random values over about twice the quantized range, with exact ties (k + 0.5) * scale,
/// saturating extremes and a NaN sprinkled in.
Tensor inputs(const std::vector<int64_t>& dims, float scale, uint64_t seed) {
  Tensor x = random_tensor(dims, seed, -300.0f * scale, 300.0f * scale);
  float* p = x.mutable_data<float>();
  for (int64_t i = 0; i < x.numel(); i += 7) p[i] = (std::floor(p[i] / scale) + 0.5f) * scale;
  if (x.numel() > 3) {
    p[1] = 1e9f;
    p[2] = -1e9f;
    p[3] = std::numeric_limits<float>::quiet_NaN();
  }
  return x;
}

struct Sessions {
  std::unique_ptr<Session> ref, opt;
};

Sessions sessions(std::shared_ptr<Graph> g) {
  SessionOptions ref_opts;
  ref_opts.reference_only = true;
  ref_opts.threads = 2;
  SessionOptions opts;
  opts.threads = 2;  // fixed, so the OpenMP split is exercised on any machine
  return {std::make_unique<Session>(g, ref_opts), std::make_unique<Session>(g, opts)};
}

void expect_identical(const Tensor& want, const Tensor& got, const std::string& what) {
  ASSERT_EQ(want.dtype(), got.dtype()) << what;
  ASSERT_EQ(want.dims(), got.dims()) << what;
  ASSERT_EQ(want.nbytes(), got.nbytes()) << what;
  int bad = 0;
  for (int64_t i = 0; i < want.numel() && bad < 5; ++i) {
    const double a = want.get_double(i), b = got.get_double(i);
    if (!(a == b || (std::isnan(a) && std::isnan(b)))) {
      ADD_FAILURE() << what << " element " << i << ": " << b << ", reference " << a;
      ++bad;
    }
  }
}

TEST(QuantizeLinearVec, MatchesReferencePlainAndChannelsLast) {
  // 3 and 4 channels have their own interleave loops; 23 x 29 and 17 x 19 span several
  // 256-pixel blocks of map_layout and end in a partial one.
  const std::vector<std::vector<int64_t>> shapes = {{37},           {3, 17},       {2, 3, 11},
                                                    {1, 3, 13, 9},  {2, 17, 7, 5}, {1, 5, 3, 4, 6},
                                                    {1, 3, 23, 29}, {2, 4, 17, 19}};
  uint64_t seed = 1;
  for (const auto& dims : shapes)
    for (DType t : {DType::kUInt8, DType::kInt8}) {
      const std::string what = Shape::from_static(dims).to_string() + " " + dtype_name(t);
      const float scale = 0.037f;
      const int zp = t == DType::kUInt8 ? 131 : -9;
      auto g = std::make_shared<Graph>();
      GraphBuilder b(*g);
      Value* x = b.input("x", DType::kFloat32, Shape::from_static(dims));
      Value* s = b.constant("s", Tensor::scalar_f32(scale));
      Value* z = b.constant("z", zero_point(t, zp));
      Value* q = b.op("QuantizeLinear", {x, s, z}, {}, "q");
      b.output(q, "q_out");  // a graph output: written plain
      // A second Q read only by a DQ: written channels-last (rank >= 3), read back by the DQ.
      Value* q2 = b.op("QuantizeLinear", {x, s, z}, {}, "q2");
      b.output(b.op("DequantizeLinear", {q2, s, z}, {}, "dq"), "dq_out");
      infer_shapes(*g);
      Sessions ss = sessions(g);
      const std::vector<std::string> kinds = ss.opt->kernel_choices();
      EXPECT_EQ(kinds[0], "q (QuantizeLinear): dnnl") << what;
      EXPECT_EQ(kinds[1], std::string("q2 (QuantizeLinear): dnnl") +
                              (dims.size() >= 3 ? ", channels-last" : ""))
          << what;
      EXPECT_EQ(kinds[2], "dq (DequantizeLinear): dnnl") << what;
      std::map<std::string, Tensor> feeds = {{"x", inputs(dims, scale, seed++)}};
      std::vector<Tensor> want = ss.ref->run(feeds), got = ss.opt->run(feeds);
      expect_identical(want[0], got[0], what + " Q");
      expect_identical(want[1], got[1], what + " Q -> DQ");
    }
}

TEST(QuantizeLinearVec, ReadsChannelsLastFloat) {
  // Conv (oneDNN, f32) writes channels-last for the Q that accepts it; the Q writes plain
  // for the graph output. The two Convs may differ in the last bit, so a tie may round the
  // other way: compare within one step.
  auto g = std::make_shared<Graph>();
  GraphBuilder b(*g);
  Value* x = b.input("x", DType::kFloat32, {1, 5, 9, 7});
  Value* c = b.op("Conv", {x, b.constant("w", random_tensor({6, 5, 3, 3}, 2))},
                  {{"pads", std::vector<int64_t>{1, 1, 1, 1}}}, "conv");
  Value* q = b.op("QuantizeLinear",
                  {c, b.constant("s", Tensor::scalar_f32(0.02f)),
                   b.constant("z", zero_point(DType::kUInt8, 100))},
                  {}, "q");
  b.output(q, "y");
  infer_shapes(*g);
  Sessions ss = sessions(g);
  EXPECT_EQ(ss.opt->kernel_choices()[0], "conv (Conv): dnnl, channels-last");
  EXPECT_EQ(ss.opt->kernel_choices()[1], "q (QuantizeLinear): dnnl");
  std::map<std::string, Tensor> feeds = {{"x", random_tensor({1, 5, 9, 7}, 3)}};
  int8_test::expect_within_one_step(ss.ref->run(feeds)[0], ss.opt->run(feeds)[0], "conv -> q");
}

TEST(QuantizeLinearVec, PerAxisAndNonConstantParametersUseTheReference) {
  auto g = std::make_shared<Graph>();
  GraphBuilder b(*g);
  Value* x = b.input("x", DType::kFloat32, {1, 3, 4, 4});
  Value* s = b.input("s", DType::kFloat32, {});
  Value* q = b.op("QuantizeLinear", {x, s}, {}, "q");
  Value* q2 = b.op(
      "QuantizeLinear",
      {x, b.constant("s3", Tensor::from_vector<float>(DType::kFloat32, {3}, {0.1f, 0.2f, 0.3f})),
       b.constant("z3", Tensor(DType::kInt8, {3}))},
      {}, "q2");
  b.output(q, "y");
  b.output(q2, "y2");
  Session s2(g);
  EXPECT_EQ(s2.kernel_choices()[0], "q (QuantizeLinear): reference");
  EXPECT_EQ(s2.kernel_choices()[1], "q2 (QuantizeLinear): reference");
}

}  // namespace
}  // namespace trex
