// MobileNetV3-style classifier (the "small" variant's block list, strides set for 28x28 or
// 32x32 inputs): inverted residuals with depthwise convolutions, squeeze-and-excitation
// with hard-sigmoid gates, ReLU early and hard-swish late.
#include "tasks/classification/model_zoo.h"
#include "tasks/layers.h"

namespace trex::classification {

namespace {
struct BlockSpec {
  int64_t kernel, expanded, out;
  bool se;
  Act act;
  int64_t stride;
};

// The small variant's table with the first stride removed (the stem keeps full resolution).
const BlockSpec kBlocks[] = {
    {3, 16, 16, true, Act::kRelu, 2},       {3, 72, 24, false, Act::kRelu, 1},
    {3, 88, 24, false, Act::kRelu, 1},      {5, 96, 40, true, Act::kHardSwish, 2},
    {5, 240, 40, true, Act::kHardSwish, 1}, {5, 240, 40, true, Act::kHardSwish, 1},
    {5, 120, 48, true, Act::kHardSwish, 1}, {5, 144, 48, true, Act::kHardSwish, 1},
    {5, 288, 96, true, Act::kHardSwish, 2}, {5, 576, 96, true, Act::kHardSwish, 1},
    {5, 576, 96, true, Act::kHardSwish, 1},
};

int64_t round8(int64_t v) {
  return std::max<int64_t>(8, (v + 4) / 8 * 8);
}
}  // namespace

std::unique_ptr<Graph> build_mobilenet_v3(const ModelSpec& spec) {
  auto g = std::make_unique<Graph>();
  LayerBuilder b(*g, spec.channels, spec.height, spec.width, spec.seed);
  Value* x = b.conv_bn_act(b.input(), "stem", spec.channels, 16, 3, 1, Act::kHardSwish);
  int64_t cin = 16;
  int i = 0;
  for (const BlockSpec& s : kBlocks) {
    std::string name = "blocks." + std::to_string(i++);
    Value* y = x;
    if (s.expanded != cin) y = b.conv_bn_act(y, name + ".expand", cin, s.expanded, 1, 1, s.act);
    y = b.conv_bn_act(y, name + ".dw", s.expanded, s.expanded, s.kernel, s.stride, s.act,
                      s.expanded);
    if (s.se)
      y = b.squeeze_excite(y, name + ".se", s.expanded, round8(s.expanded / 4), Act::kRelu, true);
    y = b.conv_bn_act(y, name + ".project", s.expanded, s.out, 1, 1, Act::kNone);
    x = (s.stride == 1 && cin == s.out) ? b.add(y, x) : y;
    cin = s.out;
  }
  x = b.conv_bn_act(x, "head", cin, 576, 1, 1, Act::kHardSwish);
  x = b.global_pool_flatten(x);
  x = b.act(b.linear(x, "classifier.0", 576, 1024), Act::kHardSwish);
  x = b.dropout(x, 0.2f);
  b.output(b.linear(x, "classifier.1", 1024, spec.num_classes), spec.num_classes);
  return g;
}

}  // namespace trex::classification
