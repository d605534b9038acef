// PTQ variants side by side: presets x activation range estimators x bias correction, for
// each shipped classification model, with the validation top-1 of the FP32 model and of
// every INT8 variant (trex runtime) and the PTQ time. Data and models load once.
// usage: trex_ptq_grid DATA_ROOT [MODEL...]   (DATA_ROOT holds train/ and val/ class folders)
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "data/class_folder_dataset.h"
#include "engine/calibration.h"
#include "engine/evaluate.h"
#include "onnx/onnx.h"
#include "passes/passes.h"
#include "quant/ptq/pipeline.h"
#include "tasks/model_template.h"
#include "tasks/task.h"
#include "util/error.h"

int main(int argc, char** argv) {
  using namespace trex;
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s DATA_ROOT [MODEL...]\n", argv[0]);
    return 2;
  }
  std::vector<std::string> models(argv + 2, argv + argc);
  if (models.empty()) models = {"resnet18", "mobilenet_v3", "efficientnet_b0"};
  const std::string root = argv[1];
  try {
    std::printf("%-16s %-12s %-14s %-5s %8s %8s %7s %7s\n", "model", "preset", "estimator", "bc",
                "fp32", "int8", "drop", "ptq_s");
    for (const std::string& m : models) {
      ModelTemplate t = load_template(m);
      ImageDataset train = load_class_folders(root + "/train", image_spec(t));
      ImageDataset val = load_class_folders(root + "/val", image_spec(t));
      std::shared_ptr<Graph> fp32 = load_onnx("models/classification/" + m + "/model.onnx");
      canonicalize(*fp32);
      engine::DatasetCalibration calib(train, transform_spec(t), "input", 2);
      engine::EvalOptions eo;
      const Task& task = find_task(t.task, t.path);
      auto score = [&](const Graph& g) {
        return engine::evaluate_in_runtime(g.clone(), task, val, transform_spec(t), eo)->score();
      };
      const double base = score(*fp32);
      auto row = [&](quant::Preset p, quant::EstimatorKind e, quant::BiasCorrectionKind bc) {
        quant::PtqConfig c;
        c.preset = p;
        c.activations.kind = e;
        c.bias_correction = bc;
        auto t0 = std::chrono::steady_clock::now();
        quant::PtqResult r = quant::quantize_model(*fp32, calib, c);
        double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        double s = score(*r.model);
        std::printf("%-16s %-12s %-14s %-5s %7.2f%% %7.2f%% %7.2f %7.2f\n", m.c_str(),
                    quant::preset_name(p), quant::estimator_name(e),
                    quant::bias_correction_name(bc), 100 * base, 100 * s, 100 * (base - s), secs);
        std::fflush(stdout);
      };
      using E = quant::EstimatorKind;
      using B = quant::BiasCorrectionKind;
      for (quant::Preset p : {quant::Preset::kPerformance, quant::Preset::kMixed}) {
        for (E e : {E::kMeanMinMax, E::kMinMax, E::kQuantile, E::kMeanQuantile, E::kPercentile,
                    E::kHistogram})
          row(p, e, B::kFast);
        row(p, E::kMeanMinMax, B::kNone);
        row(p, E::kMeanMinMax, B::kFull);
      }
    }
  } catch (const Error& e) {
    std::fprintf(stderr, "trex_ptq_grid: %s\n", e.what());
    return 2;
  }
  return 0;
}
