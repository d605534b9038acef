// libFuzzer target for the segmentation readers: the first byte picks what the rest is
//   0: a label PNG (decoded; whatever decodes must re-encode to the same labels),
//   1: the mask of a one-image Pascal VOC folder (read through load_segmentation),
//   2: the split list of a VOC folder with one valid sample.
// Every input must load or raise a trex::Error of kind invalid-input/unsupported; an internal
// error or any other exception is a finding (abort).
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "data/image.h"
#include "data/label_png.h"
#include "data/segmentation_dataset.h"
#include "util/error.h"

namespace {

void put(const std::string& path, const std::string& bytes) {
  std::filesystem::create_directories(std::filesystem::path(path).parent_path());
  std::ofstream(path, std::ios::binary | std::ios::trunc).write(bytes.data(), bytes.size());
}

/// A per-process VOC folder with image a (8x8 RGB) and, unless replaced, its mask and list.
const std::string& voc_root() {
  static const std::string dir = [] {
    char tmpl[] = "/tmp/trex_fuzz_seg_XXXXXX";
    const char* d = mkdtemp(tmpl);
    if (!d) std::abort();
    trex::Image img{8, 8, 3, std::vector<uint8_t>(192, 77)};
    std::vector<uint8_t> png = trex::encode_png(img);
    put(std::string(d) + "/JPEGImages/a.png", std::string(png.begin(), png.end()));
    return std::string(d);
  }();
  return dir;
}

std::string valid_mask() {
  trex::LabelMap m{8, 8, std::vector<uint8_t>(64, 1)};
  std::vector<uint8_t> png = trex::encode_label_png(m);
  return std::string(png.begin(), png.end());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  std::string bytes(reinterpret_cast<const char*>(data) + 1, size - 1);
  const std::string& root = voc_root();
  trex::SegmentationReadOptions o;
  o.spec = {8, 8, 3};
  o.num_classes = 4;
  o.threads = 1;
  try {
    switch (data[0] % 3) {
      case 0: {
        trex::LabelMap m = trex::decode_label_png(bytes, "fuzz.png");
        trex::LabelMap back = trex::decode_label_png(
            [&] {
              std::vector<uint8_t> p = trex::encode_label_png(m);
              return std::string(p.begin(), p.end());
            }(),
            "re-encoded");
        if (back.labels != m.labels || back.height != m.height || back.width != m.width)
          std::abort();
        break;
      }
      case 1:
        put(root + "/SegmentationClass/a.png", bytes);
        put(root + "/ImageSets/Segmentation/train.txt", "a\n");
        trex::load_segmentation(root, o);
        break;
      case 2:
        put(root + "/SegmentationClass/a.png", valid_mask());
        put(root + "/ImageSets/Segmentation/train.txt", bytes);
        trex::load_segmentation(root, o);
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
