// Architecture builders (see architectures.h).
#include "onnx/architectures.h"

#include <cmath>
#include <random>

#include "ir/builder.h"
#include "util/error.h"

namespace trex::testing {

namespace {

/// Builder with the layer helpers the architectures share; tracks channel counts.
class Net {
 public:
  Net(Graph& g, const ArchOptions& o) : g_(g), b_(g), o_(o), rng_(o.seed) {
    g_.opset_imports = {{"", 9}};
    g_.ir_version = 4;
  }

  int64_t ch(int64_t c) const { return std::max<int64_t>(1, c / o_.width_div); }
  int64_t classes() const { return o_.num_classes; }

  Value* input() {
    Shape s = {o_.batch, 3, o_.image, o_.image};
    if (o_.batch == 0) s[0] = Dim::symbolic("N");
    return b_.input("input", DType::kFloat32, s);
  }

  Tensor random(const std::vector<int64_t>& dims, float scale, float offset = 0.0f) {
    std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
    Tensor t(DType::kFloat32, dims);
    for (int64_t i = 0; i < t.numel(); ++i)
      t.mutable_data<float>()[i] = offset + scale * dist(rng_);
    return t;
  }

  Value* conv(Value* x, int64_t cin, int64_t cout, int64_t k, int64_t stride, int64_t pad,
              int64_t group = 1, bool bias = false) {
    std::string name = "conv" + std::to_string(++convs_);
    float scale = std::sqrt(6.0f / static_cast<float>(cin / group * k * k));
    std::vector<Value*> ins = {
        x, b_.constant(name + ".weight", random({cout, cin / group, k, k}, scale))};
    if (bias) ins.push_back(b_.constant(name + ".bias", random({cout}, 0.1f)));
    return b_.op("Conv", ins,
                 {{"kernel_shape", ints({k, k})},
                  {"strides", ints({stride, stride})},
                  {"pads", ints({pad, pad, pad, pad})},
                  {"group", int64_t{group}},
                  {"dilations", ints({1, 1})}},
                 name);
  }

  Value* bn(Value* x, int64_t c) {
    std::string name = "bn" + std::to_string(++bns_);
    return b_.op("BatchNormalization",
                 {x, b_.constant(name + ".weight", random({c}, 0.5f, 1.0f)),
                  b_.constant(name + ".bias", random({c}, 0.2f)),
                  b_.constant(name + ".running_mean", random({c}, 0.2f)),
                  b_.constant(name + ".running_var", random({c}, 0.4f, 1.0f))},
                 {{"epsilon", 1e-5f}, {"momentum", 0.9f}}, name);
  }

  Value* relu(Value* x) { return b_.op("Relu", {x}); }
  Value* cbr(Value* x, int64_t cin, int64_t cout, int64_t k, int64_t s, int64_t p, int64_t g = 1) {
    return relu(bn(conv(x, cin, cout, k, s, p, g), cout));
  }
  Value* maxpool(Value* x, int64_t k, int64_t s, int64_t p) {
    return b_.op(
        "MaxPool", {x},
        {{"kernel_shape", ints({k, k})}, {"strides", ints({s, s})}, {"pads", ints({p, p, p, p})}});
  }
  Value* avgpool(Value* x, int64_t k, int64_t s) {
    return b_.op("AveragePool", {x}, {{"kernel_shape", ints({k, k})}, {"strides", ints({s, s})}});
  }
  Value* gap(Value* x) { return b_.op("GlobalAveragePool", {x}); }
  Value* add(Value* a, Value* c) { return b_.op("Add", {a, c}); }
  Value* concat(const std::vector<Value*>& xs) {
    return b_.op("Concat", xs, {{"axis", int64_t{1}}});
  }

  /// x.view(x.size(0), -1) as PyTorch exports it at opset 9.
  Value* flatten_dynamic(Value* x) {
    Value* shape = b_.op("Shape", {x});
    Value* n = b_.op(
        "Gather",
        {shape, b_.constant("flatten.index", Tensor::from_vector<int64_t>(DType::kInt64, {}, {0}))},
        {{"axis", int64_t{0}}});
    Value* n1 = b_.op("Unsqueeze", {n}, {{"axes", ints({0})}});
    Value* rest = b_.constant("flatten.rest", Tensor::vector_i64({-1}));
    Value* target = b_.op("Concat", {n1, rest}, {{"axis", int64_t{0}}});
    return b_.op("Reshape", {x, target});
  }

  Value* classifier(Value* x, int64_t cin, bool dropout) {
    if (dropout) x = b_.op("Dropout", {x}, {{"ratio", 0.5f}});
    float scale = std::sqrt(1.0f / static_cast<float>(cin));
    return b_.op("Gemm",
                 {x, b_.constant("fc.weight", random({o_.num_classes, cin}, scale)),
                  b_.constant("fc.bias", random({o_.num_classes}, 0.1f))},
                 {{"transB", int64_t{1}}, {"alpha", 1.0f}, {"beta", 1.0f}}, "fc");
  }

  /// Exporters declare the output type; ONNX requires it even where inference cannot
  /// follow a dynamic Reshape.
  void output(Value* x) {
    Shape s = {o_.batch, o_.num_classes};
    if (o_.batch == 0) s[0] = Dim::symbolic("N");
    x->set_type({DType::kFloat32, s});
    b_.output(x, "logits");
  }

  GraphBuilder& b() { return b_; }

 private:
  Graph& g_;
  GraphBuilder b_;
  ArchOptions o_;
  std::mt19937 rng_;
  int convs_ = 0, bns_ = 0;
};

void resnet18(Net& n) {
  Value* x = n.cbr(n.input(), 3, n.ch(64), 7, 2, 3);
  x = n.maxpool(x, 3, 2, 1);
  int64_t cin = n.ch(64);
  const int64_t widths[] = {64, 128, 256, 512};
  for (int stage = 0; stage < 4; ++stage)
    for (int block = 0; block < 2; ++block) {
      int64_t cout = n.ch(widths[stage]);
      int64_t stride = stage > 0 && block == 0 ? 2 : 1;
      Value* y = n.cbr(x, cin, cout, 3, stride, 1);
      y = n.bn(n.conv(y, cout, cout, 3, 1, 1), cout);
      Value* shortcut = x;
      if (stride != 1 || cin != cout) shortcut = n.bn(n.conv(x, cin, cout, 1, stride, 0), cout);
      x = n.relu(n.add(y, shortcut));
      cin = cout;
    }
  n.output(n.classifier(n.flatten_dynamic(n.gap(x)), cin, false));
}

void densenet(Net& n) {
  const int64_t growth = n.ch(32);
  Value* x = n.cbr(n.input(), 3, n.ch(64), 7, 2, 3);
  x = n.maxpool(x, 3, 2, 1);
  int64_t c = n.ch(64);
  const int layers[] = {6, 12, 8};  // a shortened DenseNet-121
  for (int block = 0; block < 3; ++block) {
    for (int l = 0; l < layers[block]; ++l) {  // BN-ReLU-Conv1x1-BN-ReLU-Conv3x3, concat
      Value* y = n.conv(n.relu(n.bn(x, c)), c, 4 * growth, 1, 1, 0);
      y = n.conv(n.relu(n.bn(y, 4 * growth)), 4 * growth, growth, 3, 1, 1);
      x = n.concat({x, y});
      c += growth;
    }
    if (block < 2) {  // transition
      x = n.avgpool(n.conv(n.relu(n.bn(x, c)), c, c / 2, 1, 1, 0), 2, 2);
      c /= 2;
    }
  }
  x = n.relu(n.bn(x, c));
  n.output(n.classifier(n.flatten_dynamic(n.gap(x)), c, false));
}

void inception(Net& n) {
  Value* x = n.cbr(n.input(), 3, n.ch(64), 7, 2, 3);
  x = n.maxpool(x, 3, 2, 1);
  x = n.cbr(x, n.ch(64), n.ch(192), 3, 1, 1);
  x = n.maxpool(x, 3, 2, 1);
  int64_t c = n.ch(192);
  // GoogLeNet-style modules: 1x1 | 1x1->3x3 | 1x1->5x5 | pool->1x1
  const int64_t cfg[][6] = {{64, 96, 128, 16, 32, 32}, {128, 128, 192, 32, 96, 64}};
  for (const auto& k : cfg) {
    Value* b1 = n.cbr(x, c, n.ch(k[0]), 1, 1, 0);
    Value* b2 = n.cbr(n.cbr(x, c, n.ch(k[1]), 1, 1, 0), n.ch(k[1]), n.ch(k[2]), 3, 1, 1);
    Value* b3 = n.cbr(n.cbr(x, c, n.ch(k[3]), 1, 1, 0), n.ch(k[3]), n.ch(k[4]), 5, 1, 2);
    Value* b4 = n.cbr(n.maxpool(x, 3, 1, 1), c, n.ch(k[5]), 1, 1, 0);
    x = n.concat({b1, b2, b3, b4});
    c = n.ch(k[0]) + n.ch(k[2]) + n.ch(k[4]) + n.ch(k[5]);
  }
  n.output(n.classifier(n.flatten_dynamic(n.gap(x)), c, true));
}

void shufflenet(Net& n) {
  const int64_t groups = 2;
  Value* x = n.cbr(n.input(), 3, n.ch(24), 3, 2, 1);
  x = n.maxpool(x, 3, 2, 1);
  int64_t c = n.ch(24);
  const int64_t widths[] = {116, 232};
  for (int64_t w : widths) {
    int64_t cout = n.ch(w) / groups * groups;
    // Stride-2 unit: both branches downsample, then concat and shuffle the channels.
    Value* left = n.cbr(n.bn(n.conv(x, c, c, 3, 2, 1, c), c), c, cout / 2, 1, 1, 0);
    Value* right = n.cbr(x, c, cout / 2, 1, 1, 0);
    right = n.bn(n.conv(right, cout / 2, cout / 2, 3, 2, 1, cout / 2), cout / 2);
    right = n.cbr(right, cout / 2, cout / 2, 1, 1, 0);
    x = n.concat({left, right});
    // Channel shuffle: Reshape [N, g, C/g, H, W] -> Transpose -> Reshape back.
    auto& b = n.b();
    Value* shape = b.op("Shape", {x});
    Value* hw =
        b.op("Slice", {shape}, {{"starts", ints({2})}, {"ends", ints({4})}, {"axes", ints({0})}});
    Value* nb =
        b.op("Slice", {shape}, {{"starts", ints({0})}, {"ends", ints({1})}, {"axes", ints({0})}});
    Value* split = b.op(
        "Concat", {nb, b.constant("shuffle.gc", Tensor::vector_i64({groups, cout / groups})), hw},
        {{"axis", int64_t{0}}});
    Value* y = b.op("Reshape", {x, split});
    y = b.op("Transpose", {y}, {{"perm", ints({0, 2, 1, 3, 4})}});
    Value* merged = b.op("Concat", {nb, b.constant("shuffle.c", Tensor::vector_i64({cout})), hw},
                         {{"axis", int64_t{0}}});
    x = b.op("Reshape", {y, merged});
    c = cout;
  }
  x = n.cbr(x, c, n.ch(256), 1, 1, 0);
  n.output(n.classifier(n.flatten_dynamic(n.gap(x)), n.ch(256), false));
}

void squeezenet(Net& n) {
  // SqueezeNet 1.1: no BN; Dropout and a conv classifier.
  Value* x = n.relu(n.conv(n.input(), 3, n.ch(64), 3, 2, 0, 1, true));
  x = n.maxpool(x, 3, 2, 0);
  int64_t c = n.ch(64);
  const int64_t fire[][2] = {{16, 64}, {16, 64}, {32, 128}, {32, 128}, {48, 192}, {64, 256}};
  for (int i = 0; i < 6; ++i) {
    int64_t s = n.ch(fire[i][0]), e = n.ch(fire[i][1]);
    Value* sq = n.relu(n.conv(x, c, s, 1, 1, 0, 1, true));
    x = n.concat(
        {n.relu(n.conv(sq, s, e, 1, 1, 0, 1, true)), n.relu(n.conv(sq, s, e, 3, 1, 1, 1, true))});
    c = 2 * e;
    if (i == 1 || i == 3) x = n.maxpool(x, 3, 2, 0);
  }
  x = n.b().op("Dropout", {x}, {{"ratio", 0.5f}});
  x = n.relu(n.conv(x, c, n.classes(), 1, 1, 0, 1, true));
  n.output(n.flatten_dynamic(n.gap(x)));
}

void vgg(Net& n) {
  // VGG-11 with BatchNorm; the classifier keeps its two Dropouts.
  Value* x = n.input();
  int64_t c = 3;
  const int64_t cfg[] = {64, 0, 128, 0, 256, 256, 0, 512, 512, 0, 512, 512, 0};
  for (int64_t v : cfg) {
    if (v == 0) {
      x = n.maxpool(x, 2, 2, 0);
      continue;
    }
    x = n.cbr(x, c, n.ch(v), 3, 1, 1);
    c = n.ch(v);
  }
  x = n.flatten_dynamic(n.gap(x));  // adaptive pooling to 1x1 keeps the test small
  auto& b = n.b();
  Value* h = b.op("Gemm",
                  {x, b.constant("fc1.weight", n.random({n.ch(4096), c}, 0.05f)),
                   b.constant("fc1.bias", n.random({n.ch(4096)}, 0.1f))},
                  {{"transB", int64_t{1}}}, "fc1");
  h = b.op("Dropout", {n.relu(h)}, {{"ratio", 0.5f}});
  n.output(n.classifier(h, n.ch(4096), true));
}

void mobilenetv2(Net& n) {
  // Inverted residuals: 1x1 expand -> ReLU6 -> 3x3 depthwise -> ReLU6 -> 1x1 project (+ skip).
  auto relu6 = [&n](Value* x) { return n.b().op("Clip", {x}, {{"min", 0.0f}, {"max", 6.0f}}); };
  auto cbr6 = [&](Value* x, int64_t cin, int64_t cout, int64_t k, int64_t s, int64_t g) {
    return relu6(n.bn(n.conv(x, cin, cout, k, s, k / 2, g), cout));
  };
  Value* x = cbr6(n.input(), 3, n.ch(32), 3, 2, 1);
  int64_t c = n.ch(32);
  const int64_t cfg[][4] = {{1, 16, 1, 1}, {6, 24, 2, 2},  {6, 32, 3, 2}, {6, 64, 4, 2},
                            {6, 96, 3, 1}, {6, 160, 3, 2}, {6, 320, 1, 1}};  // t, c, n, s
  for (const auto& row : cfg)
    for (int64_t i = 0; i < row[2]; ++i) {
      int64_t stride = i == 0 ? row[3] : 1, out = n.ch(row[1]), hidden = c * row[0];
      Value* y = row[0] == 1 ? x : cbr6(x, c, hidden, 1, 1, 1);
      y = cbr6(y, hidden, hidden, 3, stride, hidden);
      y = n.bn(n.conv(y, hidden, out, 1, 1, 0), out);
      x = stride == 1 && c == out ? n.add(x, y) : y;
      c = out;
    }
  x = cbr6(x, c, n.ch(1280), 1, 1, 1);
  n.output(n.classifier(n.flatten_dynamic(n.gap(x)), n.ch(1280), true));
}

void fashion_cnn(Net& n) {
  // A small classifier for 28x28 grayscale images (the 28x28 benchmark model).
  Value* x = n.b().input("input", DType::kFloat32, {1, 1, 28, 28});
  x = n.cbr(x, 1, 32, 3, 1, 1);
  x = n.maxpool(n.cbr(x, 32, 32, 3, 1, 1), 2, 2, 0);
  x = n.cbr(x, 32, 64, 3, 1, 1);
  x = n.maxpool(n.cbr(x, 64, 64, 3, 1, 1), 2, 2, 0);
  n.output(n.classifier(n.flatten_dynamic(n.gap(x)), 64, true));
}

}  // namespace

std::vector<std::string> architecture_names() {
  return {"resnet18", "densenet", "inception", "shufflenet", "squeezenet", "vgg", "mobilenetv2"};
}

std::unique_ptr<Graph> build_architecture(const std::string& name, const ArchOptions& opts) {
  auto g = std::make_unique<Graph>();
  g->name = name;
  Net n(*g, opts);
  if (name == "resnet18")
    resnet18(n);
  else if (name == "densenet")
    densenet(n);
  else if (name == "inception")
    inception(n);
  else if (name == "shufflenet")
    shufflenet(n);
  else if (name == "squeezenet")
    squeezenet(n);
  else if (name == "vgg")
    vgg(n);
  else if (name == "mobilenetv2")
    mobilenetv2(n);
  else if (name == "fashion_cnn")
    fashion_cnn(n);
  else
    throw_invalid("unknown architecture '" + name + "'");
  return g;
}

}  // namespace trex::testing
