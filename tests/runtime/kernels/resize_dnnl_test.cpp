// Differential test: the oneDNN Resize/Upsample against the reference kernel on random,
// odd-sized shapes, for the forms oneDNN maps exactly (linear half_pixel, nearest
// half_pixel round_prefer_ceil, integer enlargements in the other nearest modes), checking
// from oneDNN's verbose log that it ran, and for forms it leaves to the reference kernel.
#include <gtest/gtest.h>

#include "runtime/kernels/dnnl_test_util.h"

namespace trex {
namespace {

using dnnl_test::random_f32;

struct Case {
  std::vector<int64_t> x;
  std::vector<float> scales;   // empty: sizes
  std::vector<int64_t> sizes;  // empty: scales
  AttrList attrs;
  bool on_dnnl;  // whether oneDNN computes it (else the reference kernel inside)
};

void expect_match(const Case& c, int64_t opset, size_t id) {
  const std::string what = "case " + std::to_string(id) + " opset " + std::to_string(opset);
  auto g = std::make_shared<Graph>();
  g->opset_imports[""] = opset;
  GraphBuilder b(*g);
  Value* x = b.input("x", DType::kFloat32, Shape::from_static(c.x));
  std::vector<Value*> ins = {x};
  const int64_t rank = static_cast<int64_t>(c.x.size());
  if (opset >= 11) {
    ins.push_back(nullptr);  // roi
    ins.push_back(c.scales.empty() ? nullptr
                                   : b.constant("scales", Tensor::from_vector<float>(
                                                              DType::kFloat32, {rank}, c.scales)));
    if (!c.sizes.empty())
      ins.push_back(
          b.constant("sizes", Tensor::from_vector<int64_t>(DType::kInt64, {rank}, c.sizes)));
  } else {
    ins.push_back(
        b.constant("scales", Tensor::from_vector<float>(DType::kFloat32, {rank}, c.scales)));
  }
  b.output(b.op("Resize", ins, c.attrs, "rs"), "y");
  dnnl_test::DifferentialSessions s(g);
  ASSERT_EQ(s.optimized.kernel_choices()[0], "rs (Resize): dnnl") << what;
  std::string log;
  s.expect_match({{"x", random_f32(c.x, 5)}}, what, dnnl_test::Tolerance::absolute(1e-5f), &log);
  EXPECT_EQ(log.find("resampling") != std::string::npos, c.on_dnnl) << what << "\n" << log;
}

TEST(ResizeDnnl, MatchesReferenceOnOddShapes) {
  const AttrList linear = {{"mode", "linear"}};
  const AttrList nearest_ceil = {{"mode", "nearest"}, {"nearest_mode", "round_prefer_ceil"}};
  const AttrList nearest_default = {{"mode", "nearest"}};
  const AttrList nearest_asym = {{"mode", "nearest"},
                                 {"coordinate_transformation_mode", "asymmetric"},
                                 {"nearest_mode", "floor"}};
  const std::vector<Case> cases = {
      {{1, 3, 5, 7}, {}, {1, 3, 11, 4}, linear, true},
      {{2, 2, 4, 6}, {1, 1, 2, 1.5f}, {}, linear, true},
      {{1, 2, 9}, {}, {1, 2, 4}, linear, true},
      {{1, 2, 3, 4, 5}, {}, {1, 2, 5, 3, 7}, linear, true},
      {{1, 2, 5, 7},
       {},
       {1, 2, 11, 4},
       {{"mode", "linear"}, {"coordinate_transformation_mode", "pytorch_half_pixel"}},
       true},
      {{1, 3, 5, 7}, {}, {1, 3, 11, 4}, nearest_ceil, true},
      {{1, 3, 6, 4}, {}, {1, 3, 9, 10}, nearest_ceil, true},
      {{1, 3, 5, 7}, {1, 1, 2, 3}, {}, nearest_default, true},
      {{1, 3, 5, 7}, {1, 1, 2, 3}, {}, nearest_asym, true},
      {{2, 3, 4, 5}, {}, {2, 3, 8, 10}, nearest_asym, true},
      // Left to the reference kernel:
      {{1, 3, 5, 7}, {}, {1, 3, 11, 4}, nearest_default, false},  // not an integer factor
      {{1, 2, 5, 7}, {1, 1, 0.6f, 1}, {}, linear, false},         // 0.6f * 5 is not 3
      {{1, 2, 4, 4},
       {1, 1, 2, 2},
       {},
       {{"mode", "linear"}, {"coordinate_transformation_mode", "align_corners"}},
       false},
      {{1, 2, 4, 4}, {1, 2, 2, 2}, {}, linear, false},  // channels resized
  };
  for (size_t i = 0; i < cases.size(); ++i) expect_match(cases[i], 13, i);
}

TEST(ResizeDnnl, LegacyNearestAndLinear) {
  // Opset 10: nearest with an integer factor maps; linear (asymmetric) is the reference's.
  expect_match({{1, 3, 4, 5}, {1, 1, 2, 3}, {}, {{"mode", "nearest"}}, true}, 10, 0);
  auto g = std::make_shared<Graph>();
  g->opset_imports[""] = 10;
  GraphBuilder b(*g);
  Value* x = b.input("x", DType::kFloat32, Shape{1, 1, 2, 2});
  Value* s = b.constant("s", Tensor::from_vector<float>(DType::kFloat32, {4}, {1, 1, 2, 2}));
  b.output(b.op("Resize", {x, s}, {{"mode", "linear"}}, "rs"), "y");
  Session fast(g, {});
  EXPECT_EQ(fast.kernel_choices()[0], "rs (Resize): reference");
}

}  // namespace
}  // namespace trex
