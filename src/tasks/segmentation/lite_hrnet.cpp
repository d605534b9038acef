// Lite-HRNet-style segmentation network (after Yu et al., "Lite-HRNet", 2021, as the
// reference's Lite-HRNet-18-mod2 segmenter uses it), sized for 128x128 inputs:
//   stem      conv 3x3 s2 -> depthwise 3x3 s2 + pointwise: 1/4 resolution, width w0
//   stage 2   branches at 1/4 and 1/8 (a new branch: depthwise s2 + pointwise), 2 blocks
//   stage 3   branches at 1/4, 1/8, 1/16, 3 blocks
//   block     conditional channel weighting on every branch:
//               cross-resolution weighting: every branch average-pooled to the smallest
//               resolution, concatenated, 1x1 reduce + ReLU, one 1x1 + Sigmoid per branch,
//               upsampled (nearest) and multiplied in;
//               spatial weighting: depthwise 3x3 + BN, then squeeze-excitation (GAP, 1x1,
//               ReLU, 1x1, Sigmoid, Mul); pointwise 1x1 + BN + ReLU; residual Add;
//             then fusion: each output branch sums every branch brought to its resolution
//             (1x1 + BN + bilinear Resize up, strided depthwise-separable convs down), ReLU
//   head      every branch upsampled (bilinear) to 1/4, concatenated, 1x1 + BN + ReLU,
//             1x1 to the classes, bilinear Resize x4 to the input size.
// The original splits channels in half and shuffles them around the weighting; here the
// weighting runs on all channels (no Split/channel shuffle), which keeps the same
// attention Mul/Add structure that makes PTQ of this family hard.
#include "tasks/layers.h"
#include "tasks/segmentation/models.h"
#include "util/error.h"

namespace trex::segmentation {

namespace {

class LiteHrnet {
 public:
  LiteHrnet(LayerBuilder& b, std::vector<int64_t> widths) : b_(b), w_(std::move(widths)) {}

  /// One conditional-channel-weighting block over `xs` (branch i at 1/(4*2^i)).
  std::vector<Value*> block(const std::vector<Value*>& xs, const std::string& name) {
    const size_t n = xs.size();
    // Cross-resolution weighting.
    std::vector<Value*> pooled;
    int64_t total = 0;
    for (size_t i = 0; i < n; ++i) {
      pooled.push_back(b_.average_pool(xs[i], int64_t{1} << (n - 1 - i)));
      total += w_[i];
    }
    Value* ctx = n > 1 ? b_.concat(pooled) : pooled[0];
    const int64_t reduced = std::max<int64_t>(8, total / 8);
    ctx = b_.act(b_.conv(ctx, name + ".crw.reduce", total, reduced, 1, 1, 1, true), Act::kRelu);
    std::vector<Value*> out;
    for (size_t i = 0; i < n; ++i) {
      const std::string bn = name + ".branch" + std::to_string(i);
      Value* weight = b_.sigmoid(b_.conv(ctx, bn + ".crw.expand", reduced, w_[i], 1, 1, 1, true));
      Value* y = b_.mul(xs[i], b_.upsample(weight, int64_t{1} << (n - 1 - i), false));
      // Spatial weighting.
      y = b_.conv_bn_act(y, bn + ".dw", w_[i], w_[i], 3, 1, Act::kNone, w_[i]);
      y = b_.squeeze_excite(y, bn + ".sw", w_[i], std::max<int64_t>(8, w_[i] / 4), Act::kRelu,
                            false);
      y = b_.conv_bn_act(y, bn + ".pw", w_[i], w_[i], 1, 1, Act::kRelu);
      out.push_back(b_.add(y, xs[i]));
    }
    return fuse(out, name + ".fuse");
  }

  /// Every output branch i sums all branches brought to its resolution.
  std::vector<Value*> fuse(const std::vector<Value*>& xs, const std::string& name) {
    const size_t n = xs.size();
    if (n == 1) return xs;
    std::vector<Value*> out;
    for (size_t i = 0; i < n; ++i) {
      Value* sum = xs[i];
      for (size_t j = 0; j < n; ++j) {
        if (j == i) continue;
        const std::string fn = name + "." + std::to_string(i) + "." + std::to_string(j);
        Value* y = xs[j];
        if (j > i) {  // lower resolution: 1x1 to i's width, then up
          y = b_.conv_bn_act(y, fn, w_[j], w_[i], 1, 1, Act::kNone);
          y = b_.upsample(y, int64_t{1} << (j - i), true);
        } else {  // higher resolution: strided depthwise-separable steps down
          for (size_t k = j; k < i; ++k) {
            const std::string sn = fn + ".down" + std::to_string(k - j);
            const int64_t c = k == j ? w_[j] : w_[i];
            y = b_.conv_bn_act(y, sn + ".dw", c, c, 3, 2, Act::kNone, c);
            y = b_.conv_bn_act(y, sn + ".pw", c, w_[i], 1, 1, k + 1 < i ? Act::kRelu : Act::kNone);
          }
        }
        sum = b_.add(sum, y);
      }
      out.push_back(b_.act(sum, Act::kRelu));
    }
    return out;
  }

  /// A new branch from the lowest-resolution one: depthwise s2 + pointwise to its width.
  Value* transition(Value* x, size_t from, const std::string& name) {
    Value* y = b_.conv_bn_act(x, name + ".dw", w_[from], w_[from], 3, 2, Act::kNone, w_[from]);
    return b_.conv_bn_act(y, name + ".pw", w_[from], w_[from + 1], 1, 1, Act::kRelu);
  }

 private:
  LayerBuilder& b_;
  std::vector<int64_t> w_;
};

}  // namespace

std::unique_ptr<Graph> build_lite_hrnet(const ModelSpec& spec) {
  if (spec.height % 16 || spec.width % 16)
    throw_invalid("lite_hrnet: the input size " + std::to_string(spec.height) + "x" +
                  std::to_string(spec.width) + " must be a multiple of 16 (three halvings)");
  auto g = std::make_unique<Graph>();
  LayerBuilder b(*g, spec.channels, spec.height, spec.width, spec.seed);
  const std::vector<int64_t> w = {32, 64, 128};
  LiteHrnet net(b, w);
  Value* x = b.conv_bn_act(b.input(), "stem.conv1", spec.channels, 32, 3, 2, Act::kRelu);
  x = b.conv_bn_act(x, "stem.dw", 32, 32, 3, 2, Act::kNone, 32);
  x = b.conv_bn_act(x, "stem.pw", 32, w[0], 1, 1, Act::kRelu);
  std::vector<Value*> branches = {x};
  const int blocks[] = {2, 3};
  for (int stage = 0; stage < 2; ++stage) {
    const std::string sn = "stage" + std::to_string(stage + 2);
    branches.push_back(net.transition(branches.back(), branches.size() - 1, sn + ".transition"));
    for (int k = 0; k < blocks[stage]; ++k)
      branches = net.block(branches, sn + "." + std::to_string(k));
  }
  std::vector<Value*> up;
  int64_t total = 0;
  for (size_t i = 0; i < branches.size(); ++i) {
    up.push_back(b.upsample(branches[i], int64_t{1} << i, true));
    total += w[i];
  }
  Value* h = b.conv_bn_act(b.concat(up), "head.fuse", total, 64, 1, 1, Act::kRelu);
  h = b.conv(h, "head.classifier", 64, spec.num_classes, 1, 1, 1, true);
  h = b.upsample(h, 4, true);
  b.output_map(h, spec.num_classes, spec.height, spec.width);
  return g;
}

}  // namespace trex::segmentation
