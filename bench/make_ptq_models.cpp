// trex_make_ptq_models OUTDIR: writes the FP32 and INT8 (QDQ) models of the INT8 peer
// benchmark (bench/run_int8_peer.sh): the ResNet-18- and MobileNetV2-shaped architectures
// (1x3x224x224, seeded random weights), canonicalized, then quantized by the library's PTQ
// with its default config (performance preset, FastBiasCorrection) on synthetic images.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "onnx/architectures.h"
#include "onnx/onnx.h"
#include "passes/passes.h"
#include "quant/calibration_data.h"
#include "quant/ptq/pipeline.h"
#include "util/error.h"

namespace {

/// `count` seeded smooth images (a few random low-frequency waves plus a little noise per
/// channel), each stretched to [-1, 1]: the range of the random inputs both benchmarks feed.
class SmoothImages : public trex::quant::CalibrationData {
 public:
  SmoothImages(size_t count, std::string input, std::vector<int64_t> sample_dims)
      : count_(count), input_(std::move(input)), dims_(std::move(sample_dims)) {}

  size_t size() const override { return count_; }

  void for_each_batch(const std::vector<size_t>& indices, int batch_size,
                      const std::function<void(const trex::quant::InputBatch&)>& fn) override {
    const int64_t per = dims_[0] * dims_[1] * dims_[2];
    for (size_t start = 0; start < indices.size(); start += static_cast<size_t>(batch_size)) {
      const size_t n = std::min(indices.size() - start, static_cast<size_t>(batch_size));
      std::vector<int64_t> dims = {static_cast<int64_t>(n)};
      dims.insert(dims.end(), dims_.begin(), dims_.end());
      trex::Tensor t(trex::DType::kFloat32, dims);
      for (size_t i = 0; i < n; ++i)
        image(indices[start + i], t.mutable_data<float>() + static_cast<int64_t>(i) * per);
      fn({{input_, t}});
    }
  }

 private:
  void image(size_t index, float* out) const {
    std::mt19937_64 rng(1000 + index);
    std::uniform_real_distribution<float> u(0.0f, 1.0f);
    const int64_t c = dims_[0], h = dims_[1], w = dims_[2];
    constexpr float kTwoPi = 6.2831853f;
    for (int64_t ch = 0; ch < c; ++ch) {
      float* p = out + ch * h * w;
      struct Wave {
        float fy, fx, phase, amp;
      };
      std::vector<Wave> waves(4);
      for (Wave& wv : waves) wv = {u(rng) * 4.0f, u(rng) * 4.0f, u(rng) * kTwoPi, u(rng)};
      for (int64_t y = 0; y < h; ++y)
        for (int64_t x = 0; x < w; ++x) {
          float v = 0.1f * (u(rng) - 0.5f);
          for (const Wave& wv : waves)
            v += wv.amp * std::sin(kTwoPi * (wv.fy * y / h + wv.fx * x / w) + wv.phase);
          p[y * w + x] = v;
        }
      const auto [lo, hi] = std::minmax_element(p, p + h * w);
      const float a = *lo, scale = 2.0f / std::max(*hi - *lo, 1e-6f);
      for (int64_t i = 0; i < h * w; ++i) p[i] = (p[i] - a) * scale - 1.0f;
    }
  }

  size_t count_;
  std::string input_;
  std::vector<int64_t> dims_;
};

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: trex_make_ptq_models OUTDIR\n");
    return 2;
  }
  const std::string dir = argv[1];
  try {
    for (const std::string name : {"resnet18", "mobilenetv2"}) {
      trex::testing::ArchOptions o;  // 1x3x224x224, 1000 classes, seed 1
      std::shared_ptr<trex::Graph> fp32 = trex::testing::build_architecture(name, o);
      trex::canonicalize(*fp32);
      trex::save_onnx(*fp32, dir + "/" + name + "_fp32.onnx");

      SmoothImages calib(32, fp32->inputs()[0]->name(), {3, o.image, o.image});
      trex::quant::PtqConfig config;  // performance preset, FastBiasCorrection
      config.batch_size = 1;          // the models have a fixed batch of 1
      trex::quant::PtqResult q = trex::quant::quantize_model(*fp32, calib, config);
      for (const std::string& w : q.warnings) std::fprintf(stderr, "warning: %s\n", w.c_str());
      trex::save_onnx(*q.model, dir + "/" + name + "_int8.onnx");
      std::printf("wrote %s/%s_fp32.onnx and %s_int8.onnx\n", dir.c_str(), name.c_str(),
                  name.c_str());
    }
  } catch (const trex::Error& e) {
    std::fprintf(stderr, "trex_make_ptq_models: %s\n", e.what());
    return 2;
  }
  return 0;
}
