// Training-step speed of the trex backend (GraphModule built from a template's Graph)
// against a hand-written libtorch module of the same architecture, measured in the same
// run, alternating: ResNet-18-style (the resnet18 template's model), 28x28, batch 128.
//   build/bench/trex_train_step_bench [iterations]
#include <torch/torch.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>

#include "tasks/classification/model_zoo.h"
#include "train/graph_module.h"

namespace {

namespace F = torch::nn::functional;

/// torchvision-style BasicBlock; same layers, order and init family as the template.
struct Block : torch::nn::Module {
  torch::nn::Conv2d c1{nullptr}, c2{nullptr}, sc{nullptr};
  torch::nn::BatchNorm2d b1{nullptr}, b2{nullptr}, bs{nullptr};
  Block(int64_t in, int64_t out, int64_t stride) {
    using torch::nn::Conv2dOptions;
    c1 = register_module(
        "c1", torch::nn::Conv2d(Conv2dOptions(in, out, 3).stride(stride).padding(1).bias(false)));
    b1 = register_module("b1", torch::nn::BatchNorm2d(out));
    c2 =
        register_module("c2", torch::nn::Conv2d(Conv2dOptions(out, out, 3).padding(1).bias(false)));
    b2 = register_module("b2", torch::nn::BatchNorm2d(out));
    if (stride != 1 || in != out) {
      sc = register_module("sc",
                           torch::nn::Conv2d(Conv2dOptions(in, out, 1).stride(stride).bias(false)));
      bs = register_module("bs", torch::nn::BatchNorm2d(out));
    }
  }
  torch::Tensor forward(const torch::Tensor& x) {
    torch::Tensor y = torch::relu(b1(c1(x)));
    y = b2(c2(y));
    return torch::relu(y + (sc ? bs(sc(x)) : x));
  }
};

struct ResNet : torch::nn::Module {
  torch::nn::Conv2d stem{nullptr};
  torch::nn::BatchNorm2d bn{nullptr};
  std::vector<std::shared_ptr<Block>> blocks;
  torch::nn::Linear fc{nullptr};
  explicit ResNet(int64_t w) {
    stem = register_module(
        "stem", torch::nn::Conv2d(torch::nn::Conv2dOptions(1, w, 3).padding(1).bias(false)));
    bn = register_module("bn", torch::nn::BatchNorm2d(w));
    int64_t in = w;
    for (int s = 0; s < 4; ++s)
      for (int b = 0; b < 2; ++b) {
        int64_t out = w << s;
        blocks.push_back(register_module("block" + std::to_string(s * 2 + b),
                                         std::make_shared<Block>(in, out, b == 0 && s ? 2 : 1)));
        in = out;
      }
    fc = register_module("fc", torch::nn::Linear(in, 10));
  }
  torch::Tensor forward(torch::Tensor x) {
    x = torch::relu(bn(stem(x)));
    for (auto& b : blocks) x = b->forward(x);
    return fc(x.mean({2, 3}));
  }
};

template <typename Fwd>
double step_seconds(torch::optim::Optimizer& opt, Fwd fwd, const torch::Tensor& x,
                    const torch::Tensor& y) {
  auto t0 = std::chrono::steady_clock::now();
  opt.zero_grad();
  torch::Tensor loss = F::cross_entropy(fwd(x), y);
  loss.backward();
  opt.step();
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace

int main(int argc, char** argv) {
  int iters = argc > 1 ? std::atoi(argv[1]) : 20;
  const int64_t batch = 128;
  auto graph = trex::classification::build_resnet18({1, 28, 28, 10, 0});
  auto trex_module = std::make_shared<trex::train::GraphModule>(*graph);
  // The hand-written model's width: the template's stem width, read from its graph.
  int64_t width = graph->find_value("stem.conv.weight")->constant().dims()[0];
  auto hand = std::make_shared<ResNet>(width);
  trex_module->train();
  hand->train();
  torch::optim::SGD opt_trex(trex_module->parameters(),
                             torch::optim::SGDOptions(0.01).momentum(0.9));
  torch::optim::SGD opt_hand(hand->parameters(), torch::optim::SGDOptions(0.01).momentum(0.9));
  torch::manual_seed(0);
  torch::Tensor x = torch::randn({batch, 1, 28, 28});
  torch::Tensor y = torch::randint(0, 10, {batch});
  auto fwd_trex = [&](const torch::Tensor& in) { return trex_module->forward(in); };
  auto fwd_hand = [&](const torch::Tensor& in) { return hand->forward(in); };
  for (int i = 0; i < 3; ++i) {  // warm-up
    step_seconds(opt_trex, fwd_trex, x, y);
    step_seconds(opt_hand, fwd_hand, x, y);
  }
  double t_trex = 0, t_hand = 0;
  for (int i = 0; i < iters; ++i) {  // alternate so both see the same machine state
    t_trex += step_seconds(opt_trex, fwd_trex, x, y);
    t_hand += step_seconds(opt_hand, fwd_hand, x, y);
  }
  double ips_trex = batch * iters / t_trex, ips_hand = batch * iters / t_hand;
  std::printf("training step, ResNet-18-style (width %lld), 28x28, batch %lld, %d threads:\n",
              static_cast<long long>(width), static_cast<long long>(batch),
              torch::get_num_threads());
  std::printf("  trex GraphModule      %8.1f images/s\n", ips_trex);
  std::printf("  hand-written libtorch %8.1f images/s\n", ips_hand);
  std::printf("  ratio trex / hand-written: %.3fx\n", ips_trex / ips_hand);
  return 0;
}
