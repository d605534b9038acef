// Differential test: the oneDNN Gemm against the reference Gemm on odd shapes, both B
// layouts, with and without the bias row; and the forms it must leave to the reference.
#include <gtest/gtest.h>

#include "runtime/kernels/dnnl_test_util.h"

namespace trex {
namespace {

using dnnl_test::random_f32;
using dnnl_test::Tolerance;

/// A float32 tensor of `dims` uniform in [-1, 1).
Tensor random_matrix(const std::vector<int64_t>& dims, uint32_t seed) {
  return random_f32(dims, seed, -1.0f, 1.0f);
}

std::shared_ptr<Graph> gemm_graph(int64_t k, int64_t n, bool trans_b, int bias_rank,
                                  AttrList extra = {}) {
  auto g = std::make_shared<Graph>();
  GraphBuilder b(*g);
  Value* a = b.input("a", DType::kFloat32, Shape({Dim::symbolic("M"), k}));
  std::vector<Value*> ins = {a, b.constant("b", random_matrix(trans_b ? std::vector<int64_t>{n, k}
                                                                      : std::vector<int64_t>{k, n},
                                                              5))};
  if (bias_rank == 1) ins.push_back(b.constant("c", random_matrix({n}, 6)));
  if (bias_rank == 2) ins.push_back(b.constant("c", random_matrix({1, n}, 6)));
  AttrList attrs = {{"transB", int64_t{trans_b}}};
  attrs.insert(attrs.end(), extra.begin(), extra.end());
  b.output(b.op("Gemm", ins, attrs, "gemm"), "y");
  return g;
}

TEST(GemmDnnl, MatchesReference) {
  int id = 0;
  for (bool trans_b : {false, true})
    for (int bias_rank : {0, 1, 2}) {
      auto g = gemm_graph(13, 7, trans_b, bias_rank);
      dnnl_test::DifferentialSessions s(g);
      ASSERT_EQ(s.optimized.kernel_choices()[0], "gemm (Gemm): dnnl");
      for (int64_t m : {1, 5, 3}) {
        Tensor a = random_matrix({m, 13}, static_cast<uint32_t>(++id));
        std::vector<Tensor> got =
            s.expect_match({{"a", a}}, "case " + std::to_string(id), Tolerance::absolute(1e-5f));
        ASSERT_EQ(got.size(), 1u);
        ASSERT_EQ(got[0].dims(), (std::vector<int64_t>{m, 7}));
      }
    }
}

TEST(GemmDnnl, FusedActivationsMatchReference) {
  for (const char* act : {"Relu", "Sigmoid", "Tanh", "HardSwish"}) {
    auto g = gemm_graph(9, 6, true, 1);
    Value* y = g->outputs()[0];
    y->set_type({DType::kFloat32, Shape({Dim::symbolic("M"), 6})});
    GraphBuilder b(*g);
    Node* a = g->add_node(act, {y}, 1, "act");
    g->set_output(0, a->output(0));
    auto choices = dnnl_test::expect_matches_reference(g, {{"a", random_matrix({4, 9}, 3)}}, act,
                                                       Tolerance::absolute(1e-5f));
    ASSERT_EQ(choices.size(), 1u) << act;
    EXPECT_EQ(choices[0], "gemm_fused (FusedGemm): dnnl") << act;
  }
}

TEST(GemmDnnl, LeavesOtherFormsToTheReference) {
  EXPECT_EQ(Session(gemm_graph(4, 3, false, 1, {{"alpha", 0.5f}}), {}).kernel_choices()[0],
            "gemm (Gemm): reference");
  EXPECT_EQ(Session(gemm_graph(4, 3, false, 1, {{"beta", 2.0f}}), {}).kernel_choices()[0],
            "gemm (Gemm): reference");
}

}  // namespace
}  // namespace trex
