// Differential test: the oneDNN LRN against the reference kernel on random, odd-sized shapes
// (rank 2 to 5, odd window sizes, size beyond the channel count), between convolutions so
// its input and output are channels-last, and even sizes staying on the reference kernel.
#include <gtest/gtest.h>

#include "runtime/kernels/dnnl_test_util.h"

namespace trex {
namespace {

using dnnl_test::expect_matches_reference;
using dnnl_test::random_f32;
using dnnl_test::Tolerance;

AttrList lrn_attrs(int64_t size) {
  return {{"size", size}, {"alpha", 0.3f}, {"beta", 0.6f}, {"bias", 1.5f}};
}

TEST(LrnDnnl, MatchesReferenceOnOddShapes) {
  const std::vector<std::pair<std::vector<int64_t>, int64_t>> cases = {
      {{3, 7}, 3},        {{2, 5, 11}, 5},      {{1, 9, 7, 5}, 3},
      {{2, 17, 5, 3}, 7}, {{1, 4, 3, 5, 7}, 1}, {{1, 3, 4, 5}, 9}};
  for (const auto& [dims, size] : cases) {
    const std::string what = Shape::from_static(dims).to_string() + " size " + std::to_string(size);
    auto g = std::make_shared<Graph>();
    GraphBuilder b(*g);
    Value* x = b.input("x", DType::kFloat32, Shape::from_static(dims));
    b.output(b.op("LRN", {x}, lrn_attrs(size), "lrn"), "y");
    auto choices = expect_matches_reference(g, {{"x", random_f32(dims, 11, -3.0f, 3.0f)}}, what,
                                            Tolerance::relative(1e-5f));
    EXPECT_EQ(choices, std::vector<std::string>{"lrn (LRN): dnnl"}) << what;
  }
}

TEST(LrnDnnl, ChannelsLastBetweenConvolutions) {
  const std::vector<int64_t> dims = {2, 6, 7, 5};
  const Tensor w = random_f32({6, 6, 1, 1}, 9, -3.0f, 3.0f);
  dnnl_test::expect_channels_last_between_convolutions(
      random_f32(dims, 11, -3.0f, 3.0f),
      [](GraphBuilder& b, Value* v) { return b.op("LRN", {v}, lrn_attrs(5), "lrn"); }, dims,
      "lrn (LRN): dnnl", w, w, Tolerance::relative(1e-5f));
}

TEST(LrnDnnl, EvenSizeUsesReference) {
  auto g = std::make_shared<Graph>();
  GraphBuilder b(*g);
  b.output(b.op("LRN", {b.input("x", DType::kFloat32, Shape{1, 5, 2, 2})}, lrn_attrs(4), "lrn"),
           "y");
  Session fast(g, {});
  EXPECT_EQ(fast.kernel_choices()[0], "lrn (LRN): reference");
}

}  // namespace
}  // namespace trex
