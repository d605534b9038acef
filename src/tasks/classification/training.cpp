// Training hooks of the classification task (tasks/task_training.h): the model zoo,
// labels as targets, cross-entropy with label smoothing, top-1 hits.
#include "tasks/classification/model_zoo.h"
#include "tasks/task_training.h"

namespace trex::classification {

namespace {

namespace F = torch::nn::functional;

class ClassificationTraining : public TaskTraining {
 public:
  std::unique_ptr<Graph> build_model(const ModelTemplate& t, size_t classes,
                                     uint64_t seed) const override {
    const ImageSpec spec = image_spec(t);
    ModelSpec ms{spec.channels, spec.height, spec.width, static_cast<int>(classes), seed};
    return classification::build_model(t.architecture, ms);
  }

  torch::Tensor targets(Batch& b) const override {
    return torch::from_blob(b.labels.data(), {b.n}, torch::kInt64);
  }

  torch::Tensor loss(const torch::Tensor& logits, const torch::Tensor& labels,
                     double label_smoothing, bool sum) const override {
    if (sum)
      return F::cross_entropy(logits, labels, F::CrossEntropyFuncOptions().reduction(torch::kSum));
    return F::cross_entropy(logits, labels,
                            F::CrossEntropyFuncOptions().label_smoothing(label_smoothing));
  }

  std::pair<int64_t, int64_t> hits(const torch::Tensor& logits,
                                   const torch::Tensor& labels) const override {
    return {logits.argmax(1).eq(labels).sum().item<int64_t>(), labels.size(0)};
  }
};

}  // namespace

const TaskTraining& training() {
  static const ClassificationTraining t;
  return t;
}

}  // namespace trex::classification
