// Shared pieces of the quant tests (see quant_test_util.h).
#include "quant/quant_test_util.h"

namespace trex::testing {

std::shared_ptr<Graph> small_cnn(uint64_t seed) {
  auto g = std::make_shared<Graph>();
  g->opset_imports = {{"", 13}};
  GraphBuilder b(*g);
  Value* x =
      b.input("input", DType::kFloat32, Shape({Dim::symbolic("N"), Dim(3), Dim(12), Dim(12)}));
  auto conv = [&](Value* in, int64_t cin, int64_t cout, const std::string& name, uint64_t s) {
    Value* w = b.constant(name + ".w", random_tensor({cout, cin, 3, 3}, s, -0.4f, 0.4f));
    Value* bias = b.constant(name + ".b", random_tensor({cout}, s + 100, 0.05f, 0.3f));
    return b.op("Conv", {in, w, bias}, {{"pads", ints({1, 1, 1, 1})}}, name);
  };
  Value* c1 = b.op("Relu", {conv(x, 3, 8, "conv1", seed)}, {}, "relu1");
  Value* p =
      b.op("MaxPool", {c1}, {{"kernel_shape", ints({2, 2})}, {"strides", ints({2, 2})}}, "pool");
  Value* c2 = b.op("Relu", {conv(p, 8, 8, "conv2", seed + 1)}, {}, "relu2");
  Value* add = b.op("Relu", {b.op("Add", {c2, p}, {}, "add")}, {}, "relu3");
  Value* gap = b.op("GlobalAveragePool", {add}, {}, "gap");
  Value* flat = b.op("Flatten", {gap}, {}, "flatten");
  Value* fw = b.constant("fc.w", random_tensor({4, 8}, seed + 2, -0.5f, 0.5f));
  Value* fb = b.constant("fc.b", random_tensor({4}, seed + 3, 0.1f, 0.2f));
  b.output(b.op("Gemm", {flat, fw, fb}, {{"transB", Attribute(int64_t{1})}}, "fc"), "logits");
  return g;
}

std::shared_ptr<Graph> small_cnn_with_batch_norm() {
  std::shared_ptr<Graph> g = testing::small_cnn(5);
  for (const char* name : {"conv1", "conv2"}) {
    Node* conv = g->find_node(name);
    Value* y = conv->output(0);
    const int64_t c = 8;
    std::vector<float> gamma(c), beta(c), mean(c), var(c);
    for (int64_t i = 0; i < c; ++i) {
      gamma[i] = 0.5f + 0.2f * i;
      beta[i] = 0.1f * i - 0.3f;
      mean[i] = 0.05f * i;
      var[i] = 0.3f + 0.1f * i;
    }
    if (std::string(name) == "conv1") gamma[2] = -0.8f;
    auto t = [&](const std::vector<float>& v, const char* what) {
      return g->add_constant(std::string(name) + "_bn." + what,
                             Tensor::from_vector<float>(DType::kFloat32, {c}, v));
    };
    std::vector<std::pair<Node*, size_t>> readers;
    for (const Use& u : y->uses()) readers.emplace_back(u.node, u.index);
    Node* bn = g->add_node("BatchNormalization",
                           {y, t(gamma, "scale"), t(beta, "bias"), t(mean, "mean"), t(var, "var")},
                           1, std::string(name) + "_bn");
    bn->output(0)->set_type(y->type());
    for (auto& [n, i] : readers) n->set_input(i, bn->output(0));
  }
  g->sort_topologically();
  return g;
}

void RandomImages::for_each_batch(const std::vector<size_t>& indices, int batch_size,
                                  const std::function<void(const quant::InputBatch&)>& fn) {
  int64_t per = 1;
  for (int64_t d : dims_) per *= d;
  for (size_t start = 0; start < indices.size(); start += static_cast<size_t>(batch_size)) {
    size_t n = std::min(indices.size() - start, static_cast<size_t>(batch_size));
    std::vector<int64_t> dims = {static_cast<int64_t>(n)};
    dims.insert(dims.end(), dims_.begin(), dims_.end());
    Tensor t(DType::kFloat32, dims);
    for (size_t i = 0; i < n; ++i) {
      Tensor s = random_tensor(dims_, 1000 + indices[start + i], 0.0f, 1.0f);
      std::copy(s.data<float>(), s.data<float>() + per, t.mutable_data<float>() + i * per);
    }
    samples_served += n;
    fn({{input_, t}});
  }
}

}  // namespace trex::testing
