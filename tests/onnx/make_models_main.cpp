// trex_make_models OUTDIR [IMAGE] [WIDTH_DIV]: writes the opset-9 architecture models
// (resnet18.onnx, densenet.onnx, ..., mobilenetv2.onnx, fashion_cnn.onnx) for the demo, the
// command-line tests and the benchmarks.
#include <cstdio>
#include <cstdlib>
#include <string>

#include "onnx/architectures.h"
#include "onnx/onnx.h"
#include "util/error.h"

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: trex_make_models OUTDIR [IMAGE] [WIDTH_DIV]\n");
    return 2;
  }
  trex::testing::ArchOptions o;
  if (argc > 2) o.image = std::atoll(argv[2]);
  if (argc > 3) o.width_div = std::atoll(argv[3]);
  try {
    for (const auto& name : trex::testing::architecture_names()) {
      auto g = trex::testing::build_architecture(name, o);
      std::string path = std::string(argv[1]) + "/" + name + ".onnx";
      trex::save_onnx(*g, path);
      std::printf("wrote %s\n", path.c_str());
    }
    trex::testing::ArchOptions small = o;
    small.num_classes = 10;
    std::string path = std::string(argv[1]) + "/fashion_cnn.onnx";
    trex::save_onnx(*trex::testing::build_architecture("fashion_cnn", small), path);
    std::printf("wrote %s\n", path.c_str());
  } catch (const trex::Error& e) {
    std::fprintf(stderr, "trex_make_models: %s\n", e.what());
    return 2;
  }
  return 0;
}
