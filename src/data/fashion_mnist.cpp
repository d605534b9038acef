// Fashion-MNIST as class folders (see fashion_mnist.h). PNGs are written without a per-file
// fsync into a temporary tree; one syncfs before the final rename makes the whole tree durable.
#include "data/fashion_mnist.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <numeric>
#include <thread>

#include "data/idx.h"
#include "data/image.h"
#include "data/parallel.h"
#include "data/random.h"
#include "util/error.h"
#include "util/file_io.h"

namespace trex {

namespace fs = std::filesystem;

namespace {

// Prefers NAME.gz, falls back to NAME (an unpacked copy); errors name the .gz file.
std::string find_source(const std::string& dir, const std::string& name) {
  std::error_code ec;
  if (fs::exists(dir + "/" + name + ".gz", ec)) return dir + "/" + name + ".gz";
  if (fs::exists(dir + "/" + name, ec)) return dir + "/" + name;
  throw_invalid(dir + "/" + name +
                ".gz: file does not exist (is dataset-fashion-mnist installed?)");
}

}  // namespace

FashionMnistSource read_fashion_mnist(const std::string& dir, const std::string& prefix) {
  FashionMnistSource s;
  s.images_path = find_source(dir, prefix + "-images-idx3-ubyte");
  s.labels_path = find_source(dir, prefix + "-labels-idx1-ubyte");
  s.images = read_idx_images(s.images_path);
  s.labels = read_idx_labels(s.labels_path);
  if (s.labels.size() != static_cast<size_t>(s.images.count))
    throw_invalid(s.labels_path + ": has " + std::to_string(s.labels.size()) + " labels but " +
                  s.images_path + " has " + std::to_string(s.images.count) + " images");
  const size_t num_classes = fashion_mnist_classes().size();
  for (size_t i = 0; i < s.labels.size(); ++i)
    if (s.labels[i] >= num_classes)
      throw_invalid(s.labels_path + ": label " + std::to_string(i) + " is " +
                    std::to_string(s.labels[i]) + ", expected 0.." +
                    std::to_string(num_classes - 1));
  return s;
}

namespace {

using Source = FashionMnistSource;

// One PNG to write: image `index` of `src` into split folder `split`.
struct Job {
  const Source* src;
  size_t index;
  const char* split;
};

}  // namespace

void write_plain(const std::string& path, const std::vector<uint8_t>& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(bytes.data()),
            static_cast<std::streamsize>(bytes.size()));
  out.close();
  if (!out) throw_invalid(path + ": cannot write file: " + std::strerror(errno));
}

namespace {

std::string readme(const std::string& source_dir, uint64_t seed, size_t train, size_t val,
                   size_t test) {
  std::string s =
      "Fashion-MNIST image classification, written by `trex data make fashion-mnist-cls`.\n\n"
      "source: " +
      source_dir +
      " (Zalando Research, MIT license)\n"
      "seed:   " +
      std::to_string(seed) +
      "\n"
      "train:  " +
      std::to_string(train) +
      " images\n"
      "val:    " +
      std::to_string(val) +
      " images\n"
      "test:   " +
      std::to_string(test) +
      " images\n\n"
      "train and val split the training images, shuffled by splitmix64 + Fisher-Yates from the\n"
      "seed: val is the first count/12 of the shuffled order, train the rest. test is the test\n"
      "images. Each file is named by its zero-padded index in the source IDX file, so\n"
      "val/coat/01234.png is image 1234 of train-images-idx3-ubyte.\n\n"
      "classes (folder = label order):\n";
  const auto& classes = fashion_mnist_classes();
  for (size_t i = 0; i < classes.size(); ++i)
    s += "  " + std::to_string(i) + " " + classes[i] + "\n";
  return s;
}

// Flushes everything written under `dir` to disk (one syncfs instead of one fsync per file).
void sync_tree(const std::string& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY);
  if (fd < 0) throw_invalid(dir + ": cannot open folder: " + std::strerror(errno));
  int rc = ::syncfs(fd);
  int err = errno;
  ::close(fd);
  if (rc != 0) throw_invalid(dir + ": cannot flush to disk: " + std::strerror(err));
}

void write_tree(const std::string& tmp, const Source& train, const Source& test, uint64_t seed,
                const std::string& source_dir, const ProgressFn& progress) {
  // The split: a seeded permutation of the training images, val first.
  std::vector<size_t> order(train.labels.size());
  std::iota(order.begin(), order.end(), size_t{0});
  uint64_t state = seed;
  shuffle_in_place(order, state);
  const size_t num_val = order.size() / 12;

  std::vector<Job> jobs;
  jobs.reserve(order.size() + test.labels.size());
  for (size_t k = 0; k < order.size(); ++k)
    jobs.push_back({&train, order[k], k < num_val ? "val" : "train"});
  for (size_t i = 0; i < test.labels.size(); ++i) jobs.push_back({&test, i, "test"});

  const auto& classes = fashion_mnist_classes();
  for (const char* split : {"train", "val", "test"})
    for (const auto& c : classes) fs::create_directories(tmp + "/" + split + "/" + c);

  const std::string stage = "write fashion-mnist-cls";
  report(progress, {stage, 0, jobs.size(), ""});
  const int threads =
      static_cast<int>(std::min(4u, std::max(1u, std::thread::hardware_concurrency())));
  parallel_for(
      jobs.size(), threads,
      [&](size_t j) {
        const Job& job = jobs[j];
        const IdxImages& src = job.src->images;
        const size_t pixels = static_cast<size_t>(src.height) * src.width;
        Image img;
        img.height = src.height;
        img.width = src.width;
        img.channels = 1;
        img.pixels.assign(src.pixels.begin() + job.index * pixels,
                          src.pixels.begin() + (job.index + 1) * pixels);
        char name[32];
        std::snprintf(name, sizeof name, "/%05zu.png", job.index);
        write_plain(tmp + "/" + job.split + "/" + classes[job.src->labels[job.index]] + name,
                    encode_png(img));
      },
      [&](size_t done) {
        report(progress, {stage, done, jobs.size(), ""});
      });
  write_file_atomic(tmp + "/README.txt",
                    readme(source_dir, seed, order.size() - num_val, num_val, test.labels.size()));
}

}  // namespace

const std::vector<std::string>& fashion_mnist_classes() {
  static const std::vector<std::string> kClasses = {
      "t-shirt_top", "trouser", "pullover", "dress", "coat",
      "sandal",      "shirt",   "sneaker",  "bag",   "ankle_boot"};
  return kClasses;
}

std::string check_new_folder(const std::string& out_dir, const std::string& what) {
  std::string out = out_dir;
  while (out.size() > 1 && out.back() == '/') out.pop_back();
  if (out.empty()) throw_invalid(what + ": empty output folder name");
  std::error_code ec;
  if (fs::exists(out, ec)) {
    if (!fs::is_directory(out, ec)) throw_invalid(out + ": exists and is not a folder");
    if (!fs::is_empty(out, ec)) throw_invalid(out + ": output folder exists and is not empty");
  }
  return out;
}

void write_tree_atomically(const std::string& out_dir, const std::string& what,
                           const std::function<void(const std::string& tmp)>& write) {
  const std::string out = check_new_folder(out_dir, what);
  std::error_code ec;
  fs::create_directories(parent_dir(out), ec);
  const std::string tmp = out + ".tmp-" + std::to_string(::getpid());
  fs::remove_all(tmp, ec);
  try {
    fs::create_directories(tmp);
    write(tmp);
    sync_tree(tmp);
    // rename() replaces an empty folder and fails on a non-empty one (someone wrote into OUT
    // meanwhile): never clobbers data.
    if (std::rename(tmp.c_str(), out.c_str()) != 0)
      throw_invalid(out + ": cannot move the finished dataset into place: " + std::strerror(errno));
  } catch (const fs::filesystem_error& e) {
    fs::remove_all(tmp, ec);
    throw_invalid(e.path1().string() + ": " + e.code().message());
  } catch (...) {
    fs::remove_all(tmp, ec);
    throw;
  }
}

void make_fashion_mnist_cls(const std::string& out_dir, uint64_t seed, const ProgressFn& progress,
                            const std::string& source_dir) {
  check_new_folder(out_dir, "fashion-mnist-cls");  // before seconds of reading
  Source train = read_fashion_mnist(source_dir, "train");
  Source test = read_fashion_mnist(source_dir, "t10k");
  if (test.images.height != train.images.height || test.images.width != train.images.width)
    throw_invalid(test.images_path + ": images are " + std::to_string(test.images.height) + "x" +
                  std::to_string(test.images.width) + ", but those of " + train.images_path +
                  " are " + std::to_string(train.images.height) + "x" +
                  std::to_string(train.images.width));
  write_tree_atomically(out_dir, "fashion-mnist-cls", [&](const std::string& tmp) {
    write_tree(tmp, train, test, seed, source_dir, progress);
  });
}

}  // namespace trex
