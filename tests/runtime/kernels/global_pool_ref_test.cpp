// GlobalAveragePool and GlobalMaxPool reference kernel: one value per channel, rank kept.
#include <gtest/gtest.h>

#include "runtime/kernels/kernel_test_util.h"

namespace trex {
namespace {

using namespace kernel_test;

TEST(GlobalPoolRef, AverageAndMaxPerChannel) {
  Tensor x = f32({1, 2, 2, 2}, {1, 2, 3, 4, 5, -6, 7, 8});
  auto avg = run_node("GlobalAveragePool", {x});
  ASSERT_EQ(avg[0].dims(), (std::vector<int64_t>{1, 2, 1, 1}));
  EXPECT_EQ(values(avg[0]), (std::vector<float>{2.5f, 3.5f}));
  auto max = run_node("GlobalMaxPool", {x});
  ASSERT_EQ(max[0].dims(), (std::vector<int64_t>{1, 2, 1, 1}));
  EXPECT_EQ(values(max[0]), (std::vector<float>{4, 8}));
}

}  // namespace
}  // namespace trex
