// Session: runs, varying batch, input checks, load-time op check, buffer reuse.
#include <gtest/gtest.h>

#include "ir/builder.h"
#include "runtime/session.h"
#include "test_util.h"
#include "util/error.h"

namespace trex {
namespace {

std::shared_ptr<Graph> add_relu_graph() {
  auto g = std::make_shared<Graph>();
  GraphBuilder b(*g);
  Value* x = b.input("x", DType::kFloat32, Shape({Dim::symbolic("N"), 3}));
  Value* bias = b.constant("bias", Tensor::from_vector<float>(DType::kFloat32, {3}, {1, -1, 0.5f}));
  b.output(b.op("Relu", {b.op("Add", {x, bias})}), "y");
  return g;
}

using testing::error_of;

TEST(Session, RunsAndBatchMayVary) {
  Session s(add_relu_graph(), {});
  for (int64_t n : {1, 4, 2}) {
    std::vector<float> in(static_cast<size_t>(n * 3));
    for (size_t i = 0; i < in.size(); ++i) in[i] = static_cast<float>(i) - 3.0f;
    auto out = s.run({{"x", Tensor::from_vector<float>(DType::kFloat32, {n, 3}, in)}});
    ASSERT_EQ(out.size(), 1u);
    ASSERT_EQ(out[0].dims(), (std::vector<int64_t>{n, 3}));
    for (size_t i = 0; i < in.size(); ++i) {
      float want = std::max(0.0f, in[i] + std::vector<float>{1, -1, 0.5f}[i % 3]);
      EXPECT_EQ(out[0].data<float>()[i], want) << "n=" << n << " i=" << i;
    }
  }
}

TEST(Session, BadInputsAreClearErrors) {
  Session s(add_relu_graph(), {});
  Tensor ok = Tensor(DType::kFloat32, {2, 3});
  EXPECT_EQ(error_of([&] {
              s.run({{"x", ok}, {"z", ok}});
            }),
            "unknown input 'z' (the model's inputs: x)");
  EXPECT_EQ(error_of([&] { s.run({}); }), "missing input 'x' f32[N,3]");
  EXPECT_EQ(error_of([&] {
              s.run({{"x", Tensor(DType::kInt64, {2, 3})}});
            }),
            "input 'x' has dtype i64, the model expects f32");
  EXPECT_EQ(error_of([&] {
              s.run({{"x", Tensor(DType::kFloat32, {2, 4})}});
            }),
            "input 'x' has shape [2,4], the model expects [N,3]");
  EXPECT_NO_THROW(s.run({{"x", ok}}));
}

TEST(Session, MissingKernelFailsAtLoadNamingOpAndNode) {
  auto g = std::make_shared<Graph>();
  GraphBuilder b(*g);
  Value* x = b.input("x", DType::kFloat32, {2});
  b.output(b.op("Det", {x}, {}, "det"), "y");
  EXPECT_EQ(error_of([&] { Session s(g, {}); }),
            "node 'det' (Det): op Det is not supported by the trex runtime");
}

TEST(Session, BuffersAreReusedAlongAChain) {
  auto g = std::make_shared<Graph>();
  GraphBuilder b(*g);
  Value* v = b.input("x", DType::kFloat32, {1 << 16});
  for (int i = 0; i < 12; ++i) v = b.op(i % 2 ? "Relu" : "Neg", {v});
  b.output(v, "y");
  Session s(g, {});
  s.run({{"x", Tensor(DType::kFloat32, {1 << 16})}});
  s.run({{"x", Tensor(DType::kFloat32, {1 << 16})}});
  // A chain needs two live buffers at a time (input of a step and its output), not twelve.
  EXPECT_LE(s.pool_bytes(), 2u * (1u << 16) * 4u);
}

}  // namespace
}  // namespace trex
