// Tile reference kernel: repeats along two axes of an int64 tensor, and zero repeats.
#include "runtime/kernels/kernel_test_util.h"

namespace trex {
namespace {

using namespace kernel_test;

TEST(TileRef, RepeatsBothAxes) {
  auto out = run_node("Tile", {i64({1, 2}, {7, 8}), i64({2}, {2, 2})});
  ASSERT_EQ(out[0].dims(), (std::vector<int64_t>{2, 4}));
  EXPECT_EQ(values<int64_t>(out[0]), (std::vector<int64_t>{7, 8, 7, 8, 7, 8, 7, 8}));
}

TEST(TileRef, ZeroRepeatsEmptyTheAxis) {
  auto out = run_node("Tile", {f32({2}, {1, 2}), i64({1}, {0})});
  EXPECT_EQ(out[0].dims(), (std::vector<int64_t>{0}));
}

}  // namespace
}  // namespace trex
