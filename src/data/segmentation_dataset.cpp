// Segmentation dataset readers (segmentation_dataset.h).
#include "data/segmentation_dataset.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "data/parallel.h"
#include "util/error.h"
#include "util/file_io.h"

namespace trex {

namespace fs = std::filesystem;

namespace {

const char* kImageExtensions[] = {".jpg", ".jpeg", ".png", ".bmp", ".JPG", ".JPEG", ".PNG"};

bool is_dir(const fs::path& p) {
  std::error_code ec;
  return fs::is_directory(p, ec);
}
bool is_file(const fs::path& p) {
  std::error_code ec;
  return fs::is_regular_file(p, ec);
}

bool has_image_extension(const fs::path& p) {
  std::string e = p.extension().string();
  std::transform(e.begin(), e.end(), e.begin(), [](unsigned char c) { return std::tolower(c); });
  return e == ".png" || e == ".jpg" || e == ".jpeg" || e == ".bmp";
}

/// The image of `stem` in `dir` (any image extension), or an empty path.
fs::path find_image(const fs::path& dir, const std::string& stem) {
  for (const char* ext : kImageExtensions) {
    fs::path p = dir / (stem + ext);
    if (is_file(p)) return p;
  }
  return {};
}

std::vector<std::string> read_ids(const fs::path& list) {
  std::ifstream in(list);
  if (!in) throw_invalid(list.string() + ": cannot read the list file");
  std::vector<std::string> ids;
  std::string line;
  for (int n = 1; std::getline(in, line); ++n) {
    std::istringstream words(line);
    std::string id, extra;
    if (!(words >> id)) continue;  // blank line
    // VOC's per-class lists carry a second column (1/-1); the segmentation lists do not.
    if (id.find('/') != std::string::npos || id == "." || id == "..")
      throw_invalid(list.string() + ":" + std::to_string(n) + ": '" + id +
                    "' is not an image id (a file name without folder or extension)");
    ids.push_back(id);
  }
  if (ids.empty()) throw_invalid(list.string() + ": the list has no image ids");
  return ids;
}

std::vector<std::string> read_class_names(const fs::path& root) {
  std::vector<std::string> names;
  fs::path p = root / "classes.txt";
  if (!is_file(p)) return names;
  std::ifstream in(p);
  std::string line;
  while (std::getline(in, line)) {
    while (!line.empty() && std::isspace(static_cast<unsigned char>(line.back()))) line.pop_back();
    if (!line.empty()) names.push_back(line);
  }
  return names;
}

struct Pair {
  std::string image, mask;
};

std::vector<Pair> voc_pairs(const fs::path& root, const std::vector<std::string>& ids) {
  std::vector<Pair> pairs;
  for (const std::string& id : ids) {
    fs::path image = find_image(root / "JPEGImages", id);
    if (image.empty())
      throw_invalid((root / "JPEGImages" / (id + ".jpg")).string() +
                    ": listed image does not exist");
    fs::path mask = root / "SegmentationClass" / (id + ".png");
    if (!is_file(mask))
      throw_invalid(mask.string() + ": the mask of listed image " + id + " does not exist");
    pairs.push_back({image.string(), mask.string()});
  }
  return pairs;
}

std::vector<fs::path> sorted_entries(const fs::path& dir) {
  std::vector<fs::path> out;
  for (const auto& e : fs::directory_iterator(dir)) {
    const std::string name = e.path().filename().string();
    if (!name.empty() && name[0] != '.') out.push_back(e.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

LabelMap resize_labels(const LabelMap& map, int height, int width) {
  if (map.height == height && map.width == width) return map;
  LabelMap out;
  out.height = height;
  out.width = width;
  out.labels.resize(static_cast<size_t>(height) * width);
  for (int y = 0; y < height; ++y) {
    const int sy = std::min(map.height - 1, static_cast<int>((y + 0.5) * map.height / height));
    for (int x = 0; x < width; ++x) {
      const int sx = std::min(map.width - 1, static_cast<int>((x + 0.5) * map.width / width));
      out.labels[static_cast<size_t>(y) * width + x] =
          map.labels[static_cast<size_t>(sy) * map.width + sx];
    }
  }
  return out;
}

ImageDataset load_segmentation(const std::string& root_arg, const SegmentationReadOptions& o) {
  const ImageSpec& spec = o.spec;
  if (spec.height <= 0 || spec.width <= 0 || (spec.channels != 1 && spec.channels != 3))
    throw_invalid(root_arg + ": the input size needs positive sizes and 1 or 3 channels");
  if (o.num_classes <= 0 || o.num_classes > 255)
    throw_invalid(root_arg + ": segmentation needs 1..255 classes, not " +
                  std::to_string(o.num_classes));
  std::error_code ec;
  fs::path root = root_arg;
  if (!fs::exists(root, ec)) throw_invalid(root_arg + ": dataset path does not exist");

  std::vector<Pair> pairs;
  fs::path names_root = root;
  if (is_file(root)) {
    // A list file: ROOT/ImageSets/Segmentation/<name>.txt.
    fs::path voc = root.parent_path().parent_path().parent_path();
    if (root.parent_path().filename() != "Segmentation" ||
        root.parent_path().parent_path().filename() != "ImageSets" ||
        !is_dir(voc / "SegmentationClass"))
      throw_invalid(root_arg +
                    ": a list file must sit in a Pascal VOC folder's "
                    "ImageSets/Segmentation/ (next to JPEGImages/ and "
                    "SegmentationClass/)");
    pairs = voc_pairs(voc, read_ids(root));
    names_root = voc;
  } else if (is_dir(root / "SegmentationClass")) {
    if (!is_dir(root / "JPEGImages"))
      throw_invalid((root / "JPEGImages").string() +
                    ": missing; a Pascal VOC folder has JPEGImages/ next to SegmentationClass/");
    fs::path sets = root / "ImageSets" / "Segmentation";
    if (is_dir(sets)) {
      const std::string split = o.split.empty() ? "train" : o.split;
      fs::path list = sets / (split + ".txt");
      if (!is_file(list))
        throw_invalid(list.string() +
                      ": no such split list (give the list file itself to read "
                      "another split)");
      pairs = voc_pairs(root, read_ids(list));
    } else {
      std::vector<std::string> ids;
      for (const fs::path& m : sorted_entries(root / "SegmentationClass"))
        if (m.extension() == ".png") ids.push_back(m.stem().string());
      if (ids.empty()) throw_invalid((root / "SegmentationClass").string() + ": no .png masks");
      pairs = voc_pairs(root, ids);
    }
  } else if (is_dir(root / "images") && is_dir(root / "masks")) {
    std::vector<std::string> mask_stems;
    for (const fs::path& m : sorted_entries(root / "masks")) {
      if (m.extension() != ".png")
        throw_invalid(m.string() + ": not a mask (masks are .png label maps)");
      mask_stems.push_back(m.stem().string());
    }
    for (const fs::path& img : sorted_entries(root / "images")) {
      if (!has_image_extension(img))
        throw_invalid(img.string() + ": not an image file (expected .png, .jpg, .jpeg or .bmp)");
      fs::path mask = root / "masks" / (img.stem().string() + ".png");
      if (!is_file(mask))
        throw_invalid(mask.string() + ": the mask of " + img.string() + " does not exist");
      pairs.push_back({img.string(), mask.string()});
    }
    for (const std::string& stem : mask_stems)
      if (find_image(root / "images", stem).empty())
        throw_invalid((root / "masks" / (stem + ".png")).string() + ": mask without an image in " +
                      (root / "images").string());
    if (pairs.empty()) throw_invalid((root / "images").string() + ": no images");
  } else {
    throw_invalid(root_arg +
                  ": not a segmentation dataset (expected a Pascal VOC folder with "
                  "JPEGImages/ and SegmentationClass/, a list file in its "
                  "ImageSets/Segmentation/, or images/ and masks/)");
  }

  ImageDataset ds;
  ds.root = root_arg;
  ds.classes = read_class_names(names_root);
  if (ds.classes.empty())
    for (int c = 0; c < o.num_classes; ++c) ds.classes.push_back("class_" + std::to_string(c));
  const size_t n = pairs.size();
  ds.paths.resize(n);
  ds.images.resize(n);
  ds.masks.resize(n);
  const std::string stage = "load " + root_arg;
  report(o.progress, {stage, 0, n, ""});
  parallel_for(
      n, o.threads,
      [&](size_t i) {
        const Pair& p = pairs[i];
        Image img = read_image(p.image);
        LabelMap mask = read_label_png(p.mask);
        if (mask.height != img.height || mask.width != img.width)
          throw_invalid(p.mask + ": mask is " + std::to_string(mask.width) + "x" +
                        std::to_string(mask.height) + ", its image " + p.image + " is " +
                        std::to_string(img.width) + "x" + std::to_string(img.height));
        for (size_t k = 0; k < mask.labels.size(); ++k) {
          const int v = mask.labels[k];
          if (v >= o.num_classes && v != 255)
            throw_invalid(p.mask + ": pixel (" + std::to_string(k % mask.width) + ", " +
                          std::to_string(k / mask.width) + ") has label " + std::to_string(v) +
                          "; the model has " + std::to_string(o.num_classes) + " classes (0.." +
                          std::to_string(o.num_classes - 1) + ", 255 = ignore)");
        }
        ds.paths[i] = p.image;
        ds.images[i] = convert_image(img, spec.height, spec.width, spec.channels);
        ds.masks[i] = resize_labels(mask, spec.height, spec.width);
      },
      [&](size_t done) {
        report(o.progress, {stage, done, n, ""});
      });
  return ds;
}

}  // namespace trex
