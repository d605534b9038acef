// AveragePool reference kernel: pads with and without count_include_pad, and ceil_mode,
// whose extra window counts only what lies in the input and the pads.
#include <gtest/gtest.h>

#include "runtime/kernels/kernel_test_util.h"

namespace trex {
namespace {

using namespace kernel_test;

TEST(AveragePoolRef, PadsWithAndWithoutCountIncludePad) {
  // 3x3 input 1..9, 2x2 windows at stride 2 over one pad on every side.
  Tensor x = f32({1, 1, 3, 3}, {1, 2, 3, 4, 5, 6, 7, 8, 9});
  AttrList attrs{
      {"kernel_shape", ints({2, 2})}, {"strides", ints({2, 2})}, {"pads", ints({1, 1, 1, 1})}};
  auto excl = run_node("AveragePool", {x}, attrs);
  ASSERT_EQ(excl[0].dims(), (std::vector<int64_t>{1, 1, 2, 2}));
  EXPECT_EQ(values(excl[0]), (std::vector<float>{1, 2.5f, 5.5f, 7}));
  attrs.push_back({"count_include_pad", 1});
  auto incl = run_node("AveragePool", {x}, attrs);
  EXPECT_EQ(values(incl[0]), (std::vector<float>{0.25f, 1.25f, 2.75f, 7}));
}

TEST(AveragePoolRef, CeilModeWindowPastTheEndCountsOnlyInput) {
  Tensor x = f32({1, 1, 5}, {1, 2, 3, 4, 5});
  for (int include : {0, 1}) {
    auto out = run_node("AveragePool", {x},
                        {{"kernel_shape", ints({2})},
                         {"strides", ints({2})},
                         {"ceil_mode", 1},
                         {"count_include_pad", include}});
    EXPECT_EQ(values(out[0]), (std::vector<float>{1.5f, 3.5f, 5})) << include;
  }
}

TEST(AveragePoolRef, SameLowerPadsTheBeginning) {
  // out = ceil(4 / 2) = 2, total pad 1 at the start: windows [pad, 1, 2] and [2, 3, 4].
  auto out = run_node(
      "AveragePool", {f32({1, 1, 4}, {1, 2, 3, 4})},
      {{"kernel_shape", ints({3})}, {"strides", ints({2})}, {"auto_pad", Attribute("SAME_LOWER")}});
  EXPECT_EQ(values(out[0]), (std::vector<float>{1.5f, 3}));
}

}  // namespace
}  // namespace trex
