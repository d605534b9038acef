// The classification task (task.h).
#include "tasks/classification/task.h"

#include <filesystem>

#include "data/class_folder_dataset.h"
#include "data/fashion_mnist.h"
#include "tasks/classification/metrics.h"
#include "tasks/task.h"
#include "util/error.h"

namespace trex::classification {

void check_classifier_io(const Graph& graph, const ImageSpec& spec, size_t classes,
                         const std::string& source) {
  if (graph.inputs().size() != 1 || graph.outputs().size() != 1)
    throw_invalid(source + ": a classifier has one input and one output; this model has " +
                  std::to_string(graph.inputs().size()) + " and " +
                  std::to_string(graph.outputs().size()));
  const Value* in = graph.inputs()[0];
  const Shape* s = in->shape();
  std::vector<int64_t> want = {spec.channels, spec.height, spec.width};
  bool ok = s && s->rank() == 4;
  for (size_t i = 0; ok && i < 3; ++i) {
    const Dim& d = (*s)[i + 1];
    ok = !d.is_static() || d.value() == want[i];
  }
  if (!ok)
    throw_invalid(source + ": input '" + in->name() + "' has shape " +
                  (s ? s->to_string() : std::string("(unknown)")) + "; the template feeds [N, " +
                  std::to_string(spec.channels) + ", " + std::to_string(spec.height) + ", " +
                  std::to_string(spec.width) + "]");
  const Shape* o = graph.outputs()[0]->shape();
  if (o && o->rank() == 2 && (*o)[1].is_static() &&
      (*o)[1].value() != static_cast<int64_t>(classes))
    throw_invalid(source + ": output '" + graph.outputs()[0]->name() + "' has " +
                  std::to_string((*o)[1].value()) + " classes; the data has " +
                  std::to_string(classes));
}

namespace {

// Image files and class folders under DIR/SPLIT.
std::pair<size_t, size_t> count_split(const std::string& dir) {
  size_t files = 0, classes = 0;
  for (const auto& c : std::filesystem::directory_iterator(dir)) {
    if (!c.is_directory()) continue;
    ++classes;
    for (const auto& f : std::filesystem::directory_iterator(c.path()))
      files += f.is_regular_file();
  }
  return {files, classes};
}

class Classification : public Task {
 public:
  std::string name() const override { return "classification"; }
  std::string metric_name() const override { return "accuracy"; }

  ImageDataset load_dataset(const ModelTemplate& t, const std::string& root, Split,
                            const ProgressFn& progress) const override {
    return load_class_folders(root, image_spec(t), t.learning.num_workers, progress);
  }

  void check_datasets(const ModelTemplate& t, const ImageDataset& train,
                      const ImageDataset& val) const override {
    check_same_classes(train, val);
    if (train.classes.size() != static_cast<size_t>(t.num_classes))
      throw_invalid(train.root + ": has " + std::to_string(train.classes.size()) +
                    " class folders; the template's model has " + std::to_string(t.num_classes));
  }

  void check_model(const Graph& graph, const ModelTemplate& t,
                   const std::string& source) const override {
    check_classifier_io(graph, image_spec(t), static_cast<size_t>(t.num_classes), source);
  }

  std::unique_ptr<Metric> make_metric(const ImageDataset& data) const override {
    return std::make_unique<AccuracyMeter>(data.classes);
  }

  std::vector<DatasetMaker> dataset_makers() const override {
    DatasetMaker m;
    m.name = "fashion-mnist-cls";
    m.description =
        "Fashion-MNIST from Debian's dataset-fashion-mnist as DIR/{train,val,test}/<class>/"
        "<index>.png; train/val split 55,000/5,000 by --seed";
    m.make = [](const DatasetMakeOptions& o) {
      if (o.train_size >= 0 || o.val_size >= 0 || o.test_size >= 0)
        throw_invalid(
            "fashion-mnist-cls has fixed splits (55,000/5,000/10,000); "
            "--train-size, --val-size and --test-size are not for it");
      make_fashion_mnist_cls(o.output, o.seed, o.progress, o.source);
      std::string summary;
      for (const char* split : {"train", "val", "test"}) {
        auto [files, classes] = count_split(o.output + "/" + split);
        summary += "  " + std::string(split) + ": " + std::to_string(files) + " images in " +
                   std::to_string(classes) + " classes\n";
      }
      return summary;
    };
    return {m};
  }
};

}  // namespace

const Task& task() {
  static const Classification t;
  return t;
}

}  // namespace trex::classification
