// EfficientNet-B0-style classifier: MBConv blocks (expansion, depthwise convolution,
// squeeze-and-excitation, projection) with SiLU, the B0 stage table at half width and
// reduced depth, strides set for 28x28 or 32x32 inputs.
#include "tasks/classification/model_zoo.h"
#include "tasks/layers.h"

namespace trex::classification {

namespace {
struct StageSpec {
  int64_t expand, kernel, stride, out, repeats;
};

// B0: (1,3,1,16,1) (6,3,2,24,2) (6,5,2,40,2) (6,3,2,80,3) (6,5,1,112,3) (6,5,2,192,4)
// (6,3,1,320,1), stem 32, head 1280. Here: widths halved, repeats trimmed, the first
// stride-2 stage kept at stride 1 since the input is 28x28, not 224x224.
const StageSpec kStages[] = {
    {1, 3, 1, 8, 1},  {6, 3, 2, 16, 2}, {6, 5, 2, 24, 2},  {6, 3, 1, 40, 2},
    {6, 5, 1, 56, 2}, {6, 5, 2, 96, 2}, {6, 3, 1, 160, 1},
};
constexpr int64_t kStem = 16, kHead = 640;
}  // namespace

std::unique_ptr<Graph> build_efficientnet_b0(const ModelSpec& spec) {
  auto g = std::make_unique<Graph>();
  LayerBuilder b(*g, spec.channels, spec.height, spec.width, spec.seed);
  Value* x = b.conv_bn_act(b.input(), "stem", spec.channels, kStem, 3, 1, Act::kSilu);
  int64_t cin = kStem;
  int i = 0;
  for (const StageSpec& s : kStages) {
    for (int64_t r = 0; r < s.repeats; ++r) {
      std::string name = "blocks." + std::to_string(i++);
      int64_t stride = r == 0 ? s.stride : 1, mid = cin * s.expand;
      Value* y = x;
      if (s.expand != 1) y = b.conv_bn_act(y, name + ".expand", cin, mid, 1, 1, Act::kSilu);
      y = b.conv_bn_act(y, name + ".dw", mid, mid, s.kernel, stride, Act::kSilu, mid);
      // SE reduces relative to the block's input width, as B0 does (ratio 0.25).
      y = b.squeeze_excite(y, name + ".se", mid, std::max<int64_t>(1, cin / 4), Act::kSilu, false);
      y = b.conv_bn_act(y, name + ".project", mid, s.out, 1, 1, Act::kNone);
      x = (stride == 1 && cin == s.out) ? b.add(y, x) : y;
      cin = s.out;
    }
  }
  x = b.conv_bn_act(x, "head", cin, kHead, 1, 1, Act::kSilu);
  x = b.global_pool_flatten(x);
  x = b.dropout(x, 0.2f);
  b.output(b.linear(x, "classifier", kHead, spec.num_classes), spec.num_classes);
  return g;
}

}  // namespace trex::classification
