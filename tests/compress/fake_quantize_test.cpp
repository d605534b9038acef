// Fake quantization: the forward pass equals ONNX QuantizeLinear + DequantizeLinear with
// the exported parameters, gradients are straight-through inside the range, and the range
// trains.
#include "compress/fake_quantize.h"

#include <gtest/gtest.h>

#include "quant/quant_params.h"

namespace trex::compress {
namespace {

TEST(FakeQuantize, SymmetricEqualsQuantizeDequantize) {
  torch::manual_seed(0);
  torch::Tensor x = torch::randn({4096}) * 3;
  for (QuantLevels lv : {QuantLevels::int8(), QuantLevels::uint8()}) {
    const float s = 0.021f;
    torch::Tensor in = lv.low == 0 ? x.abs() : x;
    torch::Tensor y = fake_quantize_symmetric(in, torch::full({1}, s), lv);
    quant::ActivationParams p;
    p.scale = s;
    p.zero_point = 0;
    p.is_unsigned = lv.low == 0;
    for (int64_t i = 0; i < x.numel(); ++i)
      ASSERT_EQ(y[i].item<float>(), quant::fake_quantize(in[i].item<float>(), p)) << i;
  }
}

TEST(FakeQuantize, AsymmetricEqualsQuantizeDequantizeWithItsZeroPoint) {
  torch::manual_seed(1);
  torch::Tensor x = torch::randn({4096}) * 2 + 1;
  torch::Tensor low = torch::full({1}, -1.3f), range = torch::full({1}, 5.1f);
  QuantLevels lv = QuantLevels::uint8();
  torch::Tensor y = fake_quantize_asymmetric(x, low, range, lv);
  // The exported parameters (as export_qat_graph computes them).
  quant::ActivationParams p;
  p.scale = 5.1f / 255;
  p.zero_point = static_cast<int32_t>(std::nearbyint(1.3f / p.scale));
  p.is_unsigned = true;
  EXPECT_EQ(p.zero_point, 65);  // round(1.3 / (5.1 / 255)) = round(65.0)
  for (int64_t i = 0; i < x.numel(); ++i)
    ASSERT_FLOAT_EQ(y[i].item<float>(), quant::fake_quantize(x[i].item<float>(), p)) << i;
  // Zero is exact.
  EXPECT_EQ(fake_quantize_asymmetric(torch::zeros({1}), low, range, lv).item<float>(), 0.0f);
}

TEST(FakeQuantize, StraightThroughAndRangeGradients) {
  // int8, s = 0.5: representable [-64, 63.5]. x: inside, inside, above, below.
  torch::Tensor x = torch::tensor({0.3f, -10.2f, 100.0f, -80.0f}).requires_grad_(true);
  torch::Tensor s = torch::full({1}, 0.5f).requires_grad_(true);
  fake_quantize_symmetric(x, s, QuantLevels::int8()).sum().backward();
  EXPECT_EQ(x.grad()[0].item<float>(), 1.0f);
  EXPECT_EQ(x.grad()[1].item<float>(), 1.0f);
  EXPECT_EQ(x.grad()[2].item<float>(), 0.0f);
  EXPECT_EQ(x.grad()[3].item<float>(), 0.0f);
  // dy/ds: round(0.6) - 0.6 = 0.4; round(-20.4) + 20.4 = 0.4; clipped: 127 and -128.
  EXPECT_NEAR(s.grad().item<float>(), 0.4f + 0.4f + 127.0f - 128.0f, 1e-5);

  torch::Tensor xa = torch::tensor({0.5f, 9.0f}).requires_grad_(true);
  torch::Tensor low = torch::full({1}, -1.0f).requires_grad_(true);
  torch::Tensor range = torch::full({1}, 4.0f).requires_grad_(true);
  fake_quantize_asymmetric(xa, low, range, QuantLevels::uint8()).sum().backward();
  EXPECT_EQ(xa.grad()[0].item<float>(), 1.0f);
  EXPECT_EQ(xa.grad()[1].item<float>(), 0.0f);
  // Clipped at the top, y = input_low + input_range: gradient 1 to both; inside, y = x + a
  // rounding offset times s, so only range / 255 times that offset (|.| < 0.002).
  EXPECT_NEAR(range.grad().item<float>(), 1.0f, 0.002f);
  EXPECT_NEAR(low.grad().item<float>(), 1.0f, 1e-6f);
}

TEST(FakeQuantize, PerChannelScalesBroadcast) {
  torch::Tensor w = torch::tensor({{1.0f, -2.0f}, {0.1f, 0.26f}});
  torch::Tensor s = torch::tensor({2.0f / 127, 0.26f / 127}).view({2, 1});
  torch::Tensor y = fake_quantize_symmetric(w, s, QuantLevels::int8_narrow());
  EXPECT_FLOAT_EQ(y[0][1].item<float>(), -2.0f);
  EXPECT_FLOAT_EQ(y[1][1].item<float>(), 0.26f);
  EXPECT_NEAR(y[1][0].item<float>(), 0.1f, 0.26f / 127 / 2 + 1e-7);
}

TEST(FakeQuantize, TheRangeTrainsTowardsLowerError) {
  // A scale far too small clips most of N(0, 1); minimizing the fake-quantization error
  // with the range's gradient alone must open the range and cut the error.
  torch::manual_seed(2);
  torch::Tensor x = torch::randn({8192});
  torch::Tensor s = torch::full({1}, 0.002f).requires_grad_(true);
  auto loss_of = [&] {
    return (fake_quantize_symmetric(x, s, QuantLevels::int8()) - x).pow(2).mean();
  };
  const float before = loss_of().item<float>();
  torch::optim::Adam opt({s}, torch::optim::AdamOptions(0.002));
  for (int i = 0; i < 300; ++i) {
    opt.zero_grad();
    loss_of().backward();
    opt.step();
  }
  const float after = loss_of().item<float>();
  EXPECT_GT(s.item<float>(), 0.01f);
  EXPECT_LT(after, before / 20) << before << " -> " << after;
}

/// The quantizers written with plain libtorch ops (straight-through round, clamp): the
/// reference the fused kernel must equal in value and, to float rounding, in gradient.
torch::Tensor round_ste(const torch::Tensor& t) {
  return t + (torch::round(t) - t).detach();
}
torch::Tensor reference(const torch::Tensor& x, const torch::Tensor& s, const torch::Tensor& z,
                        QuantLevels lv) {
  torch::Tensor q = torch::clamp(round_ste(x / s) + z, lv.low, lv.high);
  return (q - z) * s;
}

TEST(FakeQuantize, FusedKernelEqualsTheReference) {
  torch::manual_seed(5);
  struct Case {
    std::vector<int64_t> x_dims, s_dims;
    bool asymmetric;
  };
  const Case cases[] = {{{33, 8, 5, 7}, {1}, false},            // activation, one scale
                        {{16, 3, 3, 3}, {16, 1, 1, 1}, false},  // weight, per channel
                        {{9, 6, 40000}, {1}, true},             // long run: chunked sums
                        {{4, 6, 11}, {1, 6, 1}, true}};         // channels in the middle
  for (const Case& c : cases) {
    torch::Tensor x = torch::randn(c.x_dims) * 3;
    torch::Tensor s0 = torch::rand(c.s_dims) * 0.05 + 0.01;
    torch::Tensor low0 = -torch::rand(c.s_dims) * 2, range0 = torch::rand(c.s_dims) * 5 + 1;
    QuantLevels lv = c.asymmetric ? QuantLevels::uint8() : QuantLevels::int8();
    torch::Tensor g = torch::randn(c.x_dims);
    auto run = [&](bool fused) {
      torch::Tensor xi = x.clone().requires_grad_(true);
      torch::Tensor a = (c.asymmetric ? low0 : s0).clone().requires_grad_(true);
      torch::Tensor b = range0.clone().requires_grad_(true);
      torch::Tensor y;
      if (c.asymmetric) {
        // The zero point's round is straight-through, as in the kernel.
        torch::Tensor s = b.abs().clamp_min(1e-12) / (lv.high - lv.low);
        torch::Tensor z = torch::clamp(round_ste(-a / s) + lv.low, lv.low, lv.high);
        y = fused ? fake_quantize_asymmetric(xi, a, b, lv) : reference(xi, s, z, lv);
      } else {
        y = fused ? fake_quantize_symmetric(xi, a, lv)
                  : reference(xi, a.abs().clamp_min(1e-12), torch::zeros_like(a), lv);
      }
      (y * g).sum().backward();
      return std::vector<torch::Tensor>{y.detach(), xi.grad(), a.grad(),
                                        c.asymmetric ? b.grad() : torch::zeros({1})};
    };
    std::vector<torch::Tensor> f = run(true), r = run(false);
    EXPECT_TRUE(torch::equal(f[0], r[0])) << "values differ";
    // The reference's input gradient is g * s / s (one rounding off g); the kernel's is g.
    EXPECT_TRUE(torch::equal(f[1] == 0, r[1] == 0)) << "straight-through masks differ";
    EXPECT_TRUE(torch::allclose(f[1], r[1], 1e-6, 0)) << "input gradients differ";
    for (size_t i = 2; i < 4; ++i)
      EXPECT_TRUE(torch::allclose(f[i], r[i], 1e-3, 1e-3)) << i << "\n" << f[i] << r[i];
  }
}

}  // namespace
}  // namespace trex::compress
