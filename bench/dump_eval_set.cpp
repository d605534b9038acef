// Writes an evaluation set as NumPy files for peer runtimes: the images of a class-folder
// dataset after the template's inference transform (inputs.npy, f32 NCHW), their labels
// (labels.npy, int64) and the trex runtime's logits for a model (trex_logits.npy), so
// bench/ort_eval.js can score the same model on exactly the same inputs.
// usage: trex_dump_eval_set TEMPLATE DATA_ROOT MODEL.onnx OUT_DIR
#include <cstdio>
#include <filesystem>

#include "data/batch_loader.h"
#include "data/class_folder_dataset.h"
#include "data/npy.h"
#include "onnx/onnx.h"
#include "passes/passes.h"
#include "runtime/session.h"
#include "tasks/model_template.h"
#include "util/error.h"

int main(int argc, char** argv) {
  using namespace trex;
  if (argc != 5) {
    std::fprintf(stderr, "usage: %s TEMPLATE DATA_ROOT MODEL.onnx OUT_DIR\n", argv[0]);
    return 2;
  }
  try {
    ModelTemplate t = load_template(argv[1]);
    ImageDataset data = load_class_folders(argv[2], image_spec(t));
    std::shared_ptr<Graph> g = load_onnx(argv[3]);
    canonicalize(*g);
    Session session(g);
    LoaderOptions lo;
    lo.batch_size = 100;
    BatchLoader loader(data, transform_spec(t), lo);
    const int64_t n = static_cast<int64_t>(data.size());
    const ImageSpec spec = image_spec(t);
    Tensor inputs(DType::kFloat32, {n, spec.channels, spec.height, spec.width});
    Tensor labels(DType::kInt64, {n});
    Tensor logits;
    int64_t done = 0;
    Batch b;
    while (loader.next(b)) {
      std::copy(b.data.begin(), b.data.end(),
                inputs.mutable_data<float>() + done * (b.data.size() / b.n));
      for (int i = 0; i < b.n; ++i) labels.mutable_data<int64_t>()[done + i] = b.labels[i];
      Tensor x = Tensor::from_bytes(DType::kFloat32, {b.n, b.channels, b.height, b.width},
                                    b.data.data(), b.data.size() * sizeof(float));
      Tensor y = session.run({{session.inputs()[0].name, x}})[0];
      if (logits.empty()) logits = Tensor(DType::kFloat32, {n, y.dims()[1]});
      std::copy(y.data<float>(), y.data<float>() + y.numel(),
                logits.mutable_data<float>() + done * y.dims()[1]);
      done += b.n;
    }
    std::filesystem::create_directories(argv[4]);
    std::string out = argv[4];
    save_npy(inputs, out + "/inputs.npy");
    save_npy(labels, out + "/labels.npy");
    save_npy(logits, out + "/trex_logits.npy");
    std::printf("wrote %lld samples to %s\n", static_cast<long long>(n), out.c_str());
  } catch (const Error& e) {
    std::fprintf(stderr, "trex_dump_eval_set: %s\n", e.what());
    return 2;
  }
  return 0;
}
