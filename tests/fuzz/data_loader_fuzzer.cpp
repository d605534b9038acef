// libFuzzer target for the data and config loaders: the first byte picks the loader
// (image decoding, IDX images/labels, template YAML, PTQ config YAML, compression config
// JSON), the rest is its input. Every
// input must load or raise a trex::Error of kind invalid-input/unsupported; an internal error or
// any other exception is a finding (abort).
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>

#include "compress/compression_config.h"
#include "data/idx.h"
#include "data/image.h"
#include "quant/quantizer_config.h"
#include "tasks/model_template.h"
#include "util/error.h"

namespace {

/// A per-process scratch file for the loaders that read paths.
std::string scratch(const std::string& name, const std::string& bytes) {
  static const std::string dir = [] {
    char tmpl[] = "/tmp/trex_fuzz_XXXXXX";
    const char* d = mkdtemp(tmpl);
    if (!d) std::abort();
    return std::string(d);
  }();
  std::string path = dir + "/" + name;
  std::ofstream(path, std::ios::binary | std::ios::trunc).write(bytes.data(), bytes.size());
  return path;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  std::string bytes(reinterpret_cast<const char*>(data) + 1, size - 1);
  try {
    switch (data[0] % 5) {
      case 0: {
        trex::Image img = trex::decode_image(bytes, "fuzz.png");
        // Whatever decodes must also convert and encode.
        trex::encode_png(trex::convert_image(img, 7, 5, 3));
        break;
      }
      case 1: {
        std::string path = scratch("idx", bytes);
        try {
          trex::read_idx_images(path);
        } catch (const trex::Error& e) {
          if (e.kind() == trex::ErrorKind::kInternal) throw;
        }
        trex::read_idx_labels(path);
        break;
      }
      case 2:
        trex::load_template(scratch("template.yaml", bytes));
        break;
      case 3:
        trex::quant::load_ptq_config(scratch("ptq_config.yaml", bytes));
        break;
      case 4:
        trex::compress::load_compression_recipe(scratch("compression_config.json", bytes),
                                                {true, true, 1.0});
        break;
    }
  } catch (const trex::Error& e) {
    if (e.kind() == trex::ErrorKind::kInternal) {
      std::fprintf(stderr, "internal error: %s\n", e.what());
      std::abort();
    }
  }
  return 0;
}
