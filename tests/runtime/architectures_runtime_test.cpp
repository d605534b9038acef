// End to end: every architecture model (ResNet, DenseNet, Inception, ShuffleNet, SqueezeNet,
// VGG, MobileNetV2), canonicalized, gives the same outputs with the optimized kernels
// (oneDNN, fusions, channels-last activations) as with the reference kernels alone.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "onnx/architectures.h"
#include "onnx/onnx.h"
#include "passes/pass_test_util.h"
#include "passes/passes.h"
#include "runtime/session.h"

namespace trex::testing {
namespace {

class ArchitectureRuntime : public ::testing::TestWithParam<std::string> {};

TEST_P(ArchitectureRuntime, OptimizedMatchesReference) {
  ArchOptions o;
  o.image = 32;
  o.width_div = 8;
  o.num_classes = 10;
  o.batch = 2;
  auto built = build_architecture(GetParam(), o);
  std::shared_ptr<Graph> g = load_onnx_bytes(serialize_onnx(*built), GetParam() + ".onnx", "");
  canonicalize(*g);
  SessionOptions ref_opts;
  ref_opts.reference_only = true;
  Session ref(g, ref_opts), fast(g, {});
  auto choices = fast.kernel_choices();
  EXPECT_TRUE(std::any_of(choices.begin(), choices.end(), [](const std::string& c) {
    return c.find("channels-last") != std::string::npos;
  })) << "no value stayed channels-last";
  Tensor x = random_tensor({2, 3, 32, 32}, 3);
  Tensor want = ref.run({{"input", x}})[0];
  Tensor got = fast.run({{"input", x}})[0];
  float scale = 1.0f;
  for (int64_t i = 0; i < want.numel(); ++i)
    scale = std::max(scale, std::fabs(want.data<float>()[i]));
  EXPECT_LE(max_abs_diff(want, got), 1e-4f * scale);
}

INSTANTIATE_TEST_SUITE_P(Runtime, ArchitectureRuntime, ::testing::ValuesIn(architecture_names()));

}  // namespace
}  // namespace trex::testing
