// ArgMax / ArgMin reference kernels: first versus last index on ties, keepdims, and an
// empty axis.
#include "runtime/kernels/kernel_test_util.h"

namespace trex {
namespace {

using namespace kernel_test;

const Tensor kX = f32({2, 3}, {1, 3, 3, 2, 2, 1});

TEST(ArgReduceRef, TiesPickFirstOrLastIndex) {
  auto first = run_node("ArgMax", {kX}, {{"axis", 1}});
  ASSERT_EQ(first[0].dims(), (std::vector<int64_t>{2, 1}));
  EXPECT_EQ(values<int64_t>(first[0]), (std::vector<int64_t>{1, 0}));
  auto last = run_node("ArgMax", {kX}, {{"axis", 1}, {"select_last_index", 1}});
  EXPECT_EQ(values<int64_t>(last[0]), (std::vector<int64_t>{2, 1}));
}

TEST(ArgReduceRef, ArgMinWithoutKeepdims) {
  auto out = run_node("ArgMin", {kX}, {{"axis", 0}, {"keepdims", 0}});
  ASSERT_EQ(out[0].dims(), (std::vector<int64_t>{3}));
  EXPECT_EQ(values<int64_t>(out[0]), (std::vector<int64_t>{0, 1, 1}));
}

TEST(ArgReduceRef, EmptyAxisIsAnError) {
  EXPECT_EQ(error_of([] {
              run_node("ArgMax", {f32({2, 0}, {})}, {{"axis", 1}});
            }),
            "node 'n' (ArgMax): cannot take the argmax of an empty axis 1");
}

}  // namespace
}  // namespace trex
