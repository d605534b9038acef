// ResNet-18-style classifier for small images: a 3x3 stride-1 stem (no max-pool, so 28x28
// keeps its detail), four stages of two basic blocks, global pooling, one linear layer.
#include "tasks/classification/model_zoo.h"
#include "tasks/layers.h"

namespace trex::classification {

namespace {
constexpr int64_t kWidth = 24;  // stage widths 24-48-96-192: trains in minutes on 2 cores

Value* basic_block(LayerBuilder& b, Value* x, const std::string& name, int64_t cin, int64_t cout,
                   int64_t stride) {
  Value* y = b.conv_bn_act(x, name + ".0", cin, cout, 3, stride, Act::kRelu);
  y = b.batch_norm(b.conv(y, name + ".1.conv", cout, cout, 3, 1), name + ".1.bn", cout);
  Value* shortcut = x;
  if (stride != 1 || cin != cout)
    shortcut = b.conv_bn_act(x, name + ".downsample", cin, cout, 1, stride, Act::kNone);
  return b.act(b.add(y, shortcut), Act::kRelu);
}
}  // namespace

std::unique_ptr<Graph> build_resnet18(const ModelSpec& spec) {
  auto g = std::make_unique<Graph>();
  LayerBuilder b(*g, spec.channels, spec.height, spec.width, spec.seed);
  Value* x = b.conv_bn_act(b.input(), "stem", spec.channels, kWidth, 3, 1, Act::kRelu);
  int64_t cin = kWidth;
  for (int stage = 0; stage < 4; ++stage) {
    int64_t cout = kWidth << stage;
    for (int block = 0; block < 2; ++block) {
      std::string name = "layer" + std::to_string(stage + 1) + "." + std::to_string(block);
      x = basic_block(b, x, name, cin, cout, block == 0 && stage > 0 ? 2 : 1);
      cin = cout;
    }
  }
  x = b.global_pool_flatten(x);
  b.output(b.linear(x, "fc", cin, spec.num_classes), spec.num_classes);
  return g;
}

}  // namespace trex::classification
