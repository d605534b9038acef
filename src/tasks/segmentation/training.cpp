// Training hooks of the segmentation task (tasks/task_training.h): the segmentation
// builders, label maps as targets, per-pixel cross-entropy ignoring label 255, pixel hits.
#include "data/transforms.h"
#include "tasks/segmentation/models.h"
#include "tasks/task_training.h"

namespace trex::segmentation {

namespace {

namespace F = torch::nn::functional;

class SegmentationTraining : public TaskTraining {
 public:
  std::unique_ptr<Graph> build_model(const ModelTemplate& t, size_t classes,
                                     uint64_t seed) const override {
    const ImageSpec spec = image_spec(t);
    ModelSpec ms{spec.channels, spec.height, spec.width, static_cast<int>(classes), seed};
    return segmentation::build_model(t.architecture, ms);
  }

  torch::Tensor targets(Batch& b) const override {
    return torch::from_blob(b.masks.data(), {b.n, b.height, b.width}, torch::kInt64);
  }

  // Label smoothing is a classification recipe; segmentation losses do not use it.
  torch::Tensor loss(const torch::Tensor& scores, const torch::Tensor& labels, double,
                     bool sum) const override {
    // Mean over labelled pixels (sum: over images, each image's mean), as PyTorch's
    // CrossEntropyLoss(ignore_index=255) per batch.
    if (!sum)
      return F::cross_entropy(scores, labels,
                              F::CrossEntropyFuncOptions().ignore_index(kIgnoreLabel));
    torch::Tensor per_pixel = F::cross_entropy(
        scores, labels,
        F::CrossEntropyFuncOptions().ignore_index(kIgnoreLabel).reduction(torch::kNone));
    torch::Tensor labelled = labels.ne(kIgnoreLabel).to(torch::kFloat32).sum({1, 2}).clamp_min(1);
    return (per_pixel.sum({1, 2}) / labelled).sum();
  }

  std::pair<int64_t, int64_t> hits(const torch::Tensor& scores,
                                   const torch::Tensor& labels) const override {
    torch::Tensor labelled = labels.ne(kIgnoreLabel);
    return {scores.argmax(1).eq(labels).logical_and(labelled).sum().item<int64_t>(),
            labelled.sum().item<int64_t>()};
  }
};

}  // namespace

const TaskTraining& training() {
  static const SegmentationTraining t;
  return t;
}

}  // namespace trex::segmentation
