// Class-folder datasets (see class_folder_dataset.h): the folder scan validates the layout
// before any image is decoded, so a typo in a path fails at once, not after minutes of decoding.
#include "data/class_folder_dataset.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <system_error>

#include "data/parallel.h"
#include "util/error.h"

namespace trex {

namespace fs = std::filesystem;

namespace {

bool is_hidden(const fs::path& p) {
  return p.filename().string().rfind('.', 0) == 0;
}

bool has_image_extension(const fs::path& p) {
  std::string ext = p.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(),
                 [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
  return ext == ".png" || ext == ".jpg" || ext == ".jpeg" || ext == ".bmp";
}

// The non-hidden entries of `dir`, sorted by name.
std::vector<fs::directory_entry> list_dir(const fs::path& dir) {
  std::vector<fs::directory_entry> entries;
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec))
    if (!is_hidden(it->path())) entries.push_back(*it);
  if (ec) throw_invalid(dir.string() + ": cannot list folder: " + ec.message());
  std::sort(entries.begin(), entries.end(), [](const auto& a, const auto& b) {
    return a.path().filename().string() < b.path().filename().string();
  });
  return entries;
}

}  // namespace

ImageDataset load_class_folders(const std::string& root, const ImageSpec& spec, int threads,
                                const ProgressFn& progress) {
  if (spec.height <= 0 || spec.width <= 0 || (spec.channels != 1 && spec.channels != 3))
    throw_invalid(root + ": image spec " + std::to_string(spec.height) + "x" +
                  std::to_string(spec.width) + "x" + std::to_string(spec.channels) +
                  " needs positive sizes and 1 or 3 channels");
  std::error_code ec;
  if (!fs::exists(root, ec)) throw_invalid(root + ": dataset folder does not exist");
  if (!fs::is_directory(root, ec)) throw_invalid(root + ": dataset path is not a folder");

  ImageDataset ds;
  ds.root = root;
  std::vector<fs::path> class_dirs;
  for (const auto& e : list_dir(root)) {
    if (e.is_directory(ec)) {
      class_dirs.push_back(e.path());
    } else if (has_image_extension(e.path())) {
      throw_invalid(e.path().string() + ": image directly in the dataset folder; expected " + root +
                    "/<class>/<image>");
    }
    // Other files next to the class folders (README, label maps) are not samples.
  }
  if (class_dirs.empty())
    throw_invalid(root + ": no class folders (expected " + root + "/<class>/<image>)");

  for (const auto& dir : class_dirs) {
    const int label = static_cast<int>(ds.classes.size());
    ds.classes.push_back(dir.filename().string());
    size_t before = ds.paths.size();
    for (const auto& e : list_dir(dir)) {
      if (e.is_directory(ec))
        throw_invalid(e.path().string() + ": unexpected folder inside class folder (expected " +
                      "image files only)");
      if (!has_image_extension(e.path()))
        throw_invalid(e.path().string() +
                      ": not an image file (expected .png, .jpg, .jpeg or .bmp)");
      ds.paths.push_back(e.path().string());
      ds.labels.push_back(label);
    }
    if (ds.paths.size() == before) throw_invalid(dir.string() + ": class folder has no images");
  }

  ds.images.resize(ds.paths.size());
  const std::string stage = "load " + root;
  const size_t total = ds.paths.size();
  report(progress, {stage, 0, total, ""});
  parallel_for(
      total, threads,
      [&](size_t i) {
        ds.images[i] =
            convert_image(read_image(ds.paths[i]), spec.height, spec.width, spec.channels);
      },
      [&](size_t done) {
        report(progress, {stage, done, total, ""});
      });
  return ds;
}

void check_same_classes(const ImageDataset& a, const ImageDataset& b) {
  if (a.classes == b.classes) return;
  throw_invalid(b.root + ": class folders differ from those of " + a.root + ": " +
                describe_class_difference(a.classes, b.classes));
}

}  // namespace trex
