// Semantic segmentation as a trex task (tasks/task.h): Pascal VOC or images/+masks/ data,
// [N, classes, H, W] class scores at the input's size, mDice / mIoU / pixel accuracy.
#include <filesystem>

#include "data/fashion_mnist.h"
#include "data/fashion_mnist_seg.h"
#include "data/segmentation_dataset.h"
#include "tasks/segmentation/metrics.h"
#include "tasks/task.h"
#include "util/error.h"

namespace trex::segmentation {

namespace {

const char* split_name(Split s) {
  switch (s) {
    case Split::kTrain:
      return "train";
    case Split::kVal:
      return "val";
    default:
      return "test";
  }
}

class Segmentation : public Task {
 public:
  std::string name() const override { return "segmentation"; }
  std::string metric_name() const override { return "mDice"; }

  ImageDataset load_dataset(const ModelTemplate& t, const std::string& root, Split split,
                            const ProgressFn& progress) const override {
    SegmentationReadOptions o;
    o.spec = image_spec(t);
    o.num_classes = t.num_classes;
    o.split = split_name(split);
    o.threads = t.learning.num_workers;
    o.progress = progress;
    return load_segmentation(root, o);
  }

  void check_datasets(const ModelTemplate& t, const ImageDataset& train,
                      const ImageDataset& val) const override {
    if (train.classes != val.classes)
      throw_invalid(val.root + ": classes differ from those of " + train.root + ": " +
                    describe_class_difference(train.classes, val.classes));
    if (train.classes.size() != static_cast<size_t>(t.num_classes))
      throw_invalid(train.root + ": classes.txt names " + std::to_string(train.classes.size()) +
                    " classes; the template's model has " + std::to_string(t.num_classes) +
                    " (model.num_classes, background included)");
  }

  void check_model(const Graph& graph, const ModelTemplate& t,
                   const std::string& source) const override {
    const ImageSpec spec = image_spec(t);
    if (graph.inputs().size() != 1 || graph.outputs().empty())
      throw_invalid(source +
                    ": a segmentation model has one input and class scores as its "
                    "first output; this model has " +
                    std::to_string(graph.inputs().size()) + " inputs and " +
                    std::to_string(graph.outputs().size()) + " outputs");
    const Value* in = graph.inputs()[0];
    const Shape* s = in->shape();
    const std::vector<int64_t> want = {spec.channels, spec.height, spec.width};
    bool ok = s && s->rank() == 4;
    for (size_t i = 0; ok && i < 3; ++i)
      ok = !(*s)[i + 1].is_static() || (*s)[i + 1].value() == want[i];
    if (!ok)
      throw_invalid(source + ": input '" + in->name() + "' has shape " +
                    (s ? s->to_string() : std::string("(unknown)")) + "; the template feeds [N, " +
                    std::to_string(spec.channels) + ", " + std::to_string(spec.height) + ", " +
                    std::to_string(spec.width) + "]");
    const Value* out = graph.outputs()[0];
    const Shape* o = out->shape();
    if (o && (o->rank() != 4 || ((*o)[1].is_static() && (*o)[1].value() != t.num_classes)))
      throw_invalid(source + ": output '" + out->name() + "' has shape " + o->to_string() +
                    "; a segmentation model gives [N, " + std::to_string(t.num_classes) +
                    ", H, W] class scores");
  }

  std::unique_ptr<Metric> make_metric(const ImageDataset& data) const override {
    return std::make_unique<SegmentationMeter>(data.classes);
  }

  // Segmentation is where PTQ of attention-weighted models collapses: keep the metric within
  // one point unless told otherwise.
  double default_max_drop() const override { return 0.01; }

  std::vector<DatasetMaker> dataset_makers() const override {
    DatasetMaker m;
    m.name = "fashion-mnist-seg";
    m.description =
        "1-6 Fashion-MNIST articles (scales 0.7x-3x, occluding) on textured, noisy 128x128 RGB "
        "canvases, in the Pascal VOC layout (JPEGImages/, SegmentationClass/ palette PNGs, "
        "ImageSets/Segmentation/{train,val,test}.txt; 11 classes, 255 = ignore); 2000/300/300 "
        "images by default (--train-size, --val-size, --test-size), drawn from --seed";
    m.make = [](const DatasetMakeOptions& o) {
      FashionMnistSegOptions so;
      so.seed = o.seed;
      so.source_dir = o.source;
      so.progress = o.progress;
      if (o.train_size >= 0) so.train = static_cast<size_t>(o.train_size);
      if (o.val_size >= 0) so.val = static_cast<size_t>(o.val_size);
      if (o.test_size >= 0) so.test = static_cast<size_t>(o.test_size);
      make_fashion_mnist_seg(o.output, so);
      return "  train: " + std::to_string(so.train) + " images\n  val: " + std::to_string(so.val) +
             " images\n  test: " + std::to_string(so.test) +
             " images\n  (11 classes, Pascal VOC layout)\n";
    };
    return {m};
  }
};

}  // namespace

const Task& task() {
  static const Segmentation t;
  return t;
}

}  // namespace trex::segmentation
