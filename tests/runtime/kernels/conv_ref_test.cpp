// Conv reference kernel: groups with dilation, strides and asymmetric pads against a naive
// formula; hand-computed 1-D cases for dilation and SAME_UPPER vs SAME_LOWER; bad shapes.
#include <gtest/gtest.h>

#include "runtime/kernels/kernel_test_util.h"

namespace trex {
namespace {

using namespace kernel_test;

TEST(ConvRef, GroupsDilationStridesAsymmetricPadsMatchNaiveFormula) {
  // N=1, C=4 in 2 groups, M=4, 5x6 input, 2x3 kernel.
  const int64_t C = 4, M = 4, H = 5, W = 6, KH = 2, KW = 3, G = 2;
  const int64_t sh = 1, sw = 2, dh = 2, dw = 1, top = 1, left = 0, bottom = 0, right = 2;
  std::vector<float> x(static_cast<size_t>(C * H * W)), w(static_cast<size_t>(M * 2 * KH * KW));
  for (size_t i = 0; i < x.size(); ++i) x[i] = static_cast<float>(static_cast<int>(i % 7) - 3);
  for (size_t i = 0; i < w.size(); ++i) w[i] = static_cast<float>(static_cast<int>(i % 5) - 2);
  std::vector<float> b{1, -2, 0.5f, 3};
  auto out = run_node("Conv", {f32({1, C, H, W}, x), f32({M, 2, KH, KW}, w), f32({M}, b)},
                      {{"group", G},
                       {"dilations", ints({dh, dw})},
                       {"strides", ints({sh, sw})},
                       {"pads", ints({top, left, bottom, right})}});
  // out = floor((in + pads - dilation * (k - 1) - 1) / stride) + 1
  const int64_t OH = (H + top + bottom - dh * (KH - 1) - 1) / sh + 1;  // 4
  const int64_t OW = (W + left + right - dw * (KW - 1) - 1) / sw + 1;  // 3
  ASSERT_EQ(out[0].dims(), (std::vector<int64_t>{1, M, OH, OW}));
  EXPECT_EQ(OH, 4);
  EXPECT_EQ(OW, 3);
  std::vector<float> got = values(out[0]);
  for (int64_t m = 0; m < M; ++m)
    for (int64_t oh = 0; oh < OH; ++oh)
      for (int64_t ow = 0; ow < OW; ++ow) {
        float want = b[static_cast<size_t>(m)];
        const int64_t g = m / (M / G);
        for (int64_t c = 0; c < C / G; ++c)
          for (int64_t kh = 0; kh < KH; ++kh)
            for (int64_t kw = 0; kw < KW; ++kw) {
              const int64_t ih = oh * sh - top + kh * dh, iw = ow * sw - left + kw * dw;
              if (ih < 0 || ih >= H || iw < 0 || iw >= W) continue;
              want += x[static_cast<size_t>(((g * 2 + c) * H + ih) * W + iw)] *
                      w[static_cast<size_t>(((m * 2 + c) * KH + kh) * KW + kw)];
            }
        EXPECT_FLOAT_EQ(got[static_cast<size_t>((m * OH + oh) * OW + ow)], want)
            << "m=" << m << " oh=" << oh << " ow=" << ow;
      }
}

TEST(ConvRef, DilatedOneDimensionalByHand) {
  // Padded x = [0, 1, 2, 3, 4]; taps at i and i + 2 with weights 1 and 2.
  auto out = run_node("Conv", {f32({1, 1, 4}, {1, 2, 3, 4}), f32({1, 1, 2}, {1, 2})},
                      {{"dilations", ints({2})}, {"pads", ints({1, 0})}});
  ASSERT_EQ(out[0].dims(), (std::vector<int64_t>{1, 1, 3}));
  EXPECT_EQ(values(out[0]), (std::vector<float>{4, 7, 10}));
}

TEST(ConvRef, SameUpperPadsAtTheEndSameLowerAtTheBeginning) {
  Tensor x = f32({1, 1, 4}, {1, 2, 3, 4}), w = f32({1, 1, 2}, {1, 10});
  auto upper = run_node("Conv", {x, w}, {{"auto_pad", Attribute(std::string("SAME_UPPER"))}});
  auto lower = run_node("Conv", {x, w}, {{"auto_pad", Attribute(std::string("SAME_LOWER"))}});
  EXPECT_EQ(values(upper[0]), (std::vector<float>{21, 32, 43, 4}));
  EXPECT_EQ(values(lower[0]), (std::vector<float>{10, 21, 32, 43}));
}

TEST(ConvRef, ChannelMismatchNamesTheNode) {
  EXPECT_EQ(
      error_of([] {
        run_node("Conv", {f32({1, 3, 4, 4}, std::vector<float>(48)), f32({1, 2, 1, 1}, {1, 1})});
      }),
      "node 'n' (Conv): X has 3 channels, W expects 2 x group 1");
  EXPECT_EQ(error_of([] {
              run_node("Conv",
                       {f32({1, 1, 2, 2}, {1, 2, 3, 4}), f32({1, 1, 3, 3}, std::vector<float>(9))});
            }).substr(0, 37),
            "node 'n' (Conv): the window (3 on spa");
}

}  // namespace
}  // namespace trex
