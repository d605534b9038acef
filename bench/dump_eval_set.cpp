// Writes an evaluation set as NumPy files for peer runtimes: the images of a dataset in the
// template's task layout after its inference transform (inputs.npy, f32 NCHW), the targets
// (labels.npy, int64 [N], for classification; masks.npy, int64 [N,H,W] with 255 = ignore,
// for segmentation) and the trex runtime's outputs for a model (trex_outputs.npy, the
// model's first output), so bench/ort_eval.js can run the same model on the same inputs.
// usage: trex_dump_eval_set TEMPLATE DATA_ROOT MODEL.onnx OUT_DIR
#include <cstdio>
#include <filesystem>

#include "data/batch_loader.h"
#include "data/npy.h"
#include "onnx/onnx.h"
#include "passes/passes.h"
#include "runtime/session.h"
#include "tasks/model_template.h"
#include "tasks/task.h"
#include "util/error.h"

int main(int argc, char** argv) {
  using namespace trex;
  if (argc != 5) {
    std::fprintf(stderr, "usage: %s TEMPLATE DATA_ROOT MODEL.onnx OUT_DIR\n", argv[0]);
    return 2;
  }
  try {
    ModelTemplate t = load_template(argv[1]);
    const Task& task = find_task(t.task, t.path + ": model.task");
    ImageDataset data = task.load_dataset(t, argv[2], Split::kTest, {});
    std::shared_ptr<Graph> g = load_onnx(argv[3]);
    canonicalize(*g);
    Session session(g);
    LoaderOptions lo;
    lo.batch_size = 50;
    BatchLoader loader(data, transform_spec(t), lo);
    const int64_t n = static_cast<int64_t>(data.size());
    const ImageSpec spec = image_spec(t);
    const int64_t pixels = int64_t{spec.height} * spec.width;
    Tensor inputs(DType::kFloat32, {n, spec.channels, spec.height, spec.width});
    Tensor labels(DType::kInt64, {n});
    Tensor masks(DType::kInt64, {n, spec.height, spec.width});
    bool have_masks = false;
    Tensor outputs;
    int64_t done = 0, per_output = 0;
    Batch b;
    while (loader.next(b)) {
      std::copy(b.data.begin(), b.data.end(),
                inputs.mutable_data<float>() + done * (b.data.size() / b.n));
      if (!b.masks.empty()) {
        have_masks = true;
        std::copy(b.masks.begin(), b.masks.end(), masks.mutable_data<int64_t>() + done * pixels);
      } else {
        std::copy(b.labels.begin(), b.labels.end(), labels.mutable_data<int64_t>() + done);
      }
      Tensor x = Tensor::from_bytes(DType::kFloat32, {b.n, b.channels, b.height, b.width},
                                    b.data.data(), b.data.size() * sizeof(float));
      Tensor y = session.run({{session.inputs()[0].name, x}})[0];
      if (outputs.empty()) {
        std::vector<int64_t> dims = y.dims();
        dims[0] = n;
        outputs = Tensor(DType::kFloat32, dims);
        per_output = y.numel() / b.n;
      }
      std::copy(y.data<float>(), y.data<float>() + y.numel(),
                outputs.mutable_data<float>() + done * per_output);
      done += b.n;
    }
    std::filesystem::create_directories(argv[4]);
    std::string out = argv[4];
    save_npy(inputs, out + "/inputs.npy");
    if (have_masks)
      save_npy(masks, out + "/masks.npy");
    else
      save_npy(labels, out + "/labels.npy");
    save_npy(outputs, out + "/trex_outputs.npy");
    std::printf("wrote %lld samples to %s\n", static_cast<long long>(n), out.c_str());
  } catch (const Error& e) {
    std::fprintf(stderr, "trex_dump_eval_set: %s\n", e.what());
    return 2;
  }
  return 0;
}
