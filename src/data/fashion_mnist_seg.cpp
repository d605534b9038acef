// The fashion-mnist-seg generator (fashion_mnist_seg.h). Every image draws from its own
// seeded stream (seed, split, index), so the images can be made in parallel and the bytes do
// not depend on the thread count.
#include "data/fashion_mnist_seg.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <numeric>
#include <thread>

#include "data/fashion_mnist.h"
#include "data/image.h"
#include "data/label_png.h"
#include "data/parallel.h"
#include "data/random.h"
#include "util/error.h"
#include "util/file_io.h"

namespace trex {

namespace fs = std::filesystem;

namespace {

constexpr double kPi = 3.14159265358979323846;

struct Rng {
  uint64_t state;
  double uniform() { return uniform_float(state); }
  double uniform(double lo, double hi) { return lo + (hi - lo) * uniform(); }
  int integer(int lo, int hi) {  // [lo, hi]
    return lo + static_cast<int>(uniform_below(state, static_cast<uint64_t>(hi - lo + 1)));
  }
  double normal() {
    const double u = std::max(1e-12, uniform()), v = uniform();
    return std::sqrt(-2.0 * std::log(u)) * std::cos(2 * kPi * v);
  }
};

uint8_t clamp8(double v) {
  return static_cast<uint8_t>(std::clamp(std::lround(v), 0L, 255L));
}

/// Background: two colours mixed by gratings and coarse value noise, plus pixel noise;
/// `mean` gets the two colours' mean.
std::vector<double> background(Rng& r, int size, double mean[3]) {
  double c0[3], c1[3];
  for (int k = 0; k < 3; ++k) {
    c0[k] = r.uniform(20, 235);
    c1[k] = r.uniform(20, 235);
    mean[k] = (c0[k] + c1[k]) / 2;
  }
  struct Grating {
    double fx, fy, phase, weight;
  };
  std::vector<Grating> gratings(static_cast<size_t>(r.integer(1, 3)));
  for (Grating& g : gratings) {
    const double cycles = r.uniform(1.5, 14), angle = r.uniform(0, kPi);
    g = {cycles * std::cos(angle) / size, cycles * std::sin(angle) / size, r.uniform(0, 2 * kPi),
         r.uniform(0.3, 1.0)};
  }
  const int grid = 9;  // value noise on a 9x9 lattice
  std::vector<double> lattice(grid * grid);
  for (double& v : lattice) v = r.uniform();
  const double noise_weight = r.uniform(0.2, 1.0), sigma = r.uniform(4, 14);
  std::vector<double> rgb(static_cast<size_t>(size) * size * 3);
  for (int y = 0; y < size; ++y)
    for (int x = 0; x < size; ++x) {
      double t = 0, total = noise_weight;
      for (const Grating& g : gratings) {
        t += g.weight * 0.5 * (1 + std::sin(2 * kPi * (g.fx * x + g.fy * y) + g.phase));
        total += g.weight;
      }
      const double gx = static_cast<double>(x) * (grid - 1) / size,
                   gy = static_cast<double>(y) * (grid - 1) / size;
      const int ix = static_cast<int>(gx), iy = static_cast<int>(gy);
      const double ax = gx - ix, ay = gy - iy;
      auto at = [&](int i, int j) { return lattice[static_cast<size_t>(j) * grid + i]; };
      t += noise_weight * ((1 - ay) * ((1 - ax) * at(ix, iy) + ax * at(ix + 1, iy)) +
                           ay * ((1 - ax) * at(ix, iy + 1) + ax * at(ix + 1, iy + 1)));
      t /= total;
      for (int k = 0; k < 3; ++k)
        rgb[(static_cast<size_t>(y) * size + x) * 3 + k] =
            c0[k] + (c1[k] - c0[k]) * t + sigma * r.normal();
    }
  return rgb;
}

/// Bilinear sample of a 28x28 article at fractional (u, v) in its own pixels; 0 outside.
double sample(const uint8_t* a, int h, int w, double u, double v) {
  if (u < -0.5 || v < -0.5 || u > w - 0.5 || v > h - 0.5) return 0;
  const double fu = std::clamp(u, 0.0, w - 1.0), fv = std::clamp(v, 0.0, h - 1.0);
  const int iu = std::min(static_cast<int>(fu), w - 2), iv = std::min(static_cast<int>(fv), h - 2);
  const double du = fu - iu, dv = fv - iv;
  auto px = [&](int i, int j) { return static_cast<double>(a[j * w + i]); };
  return (1 - dv) * ((1 - du) * px(iu, iv) + du * px(iu + 1, iv)) +
         dv * ((1 - du) * px(iu, iv + 1) + du * px(iu + 1, iv + 1));
}

struct Split {
  const char* name;
  uint64_t id;  ///< seeds the split's images
  const FashionMnistSource* source;
  std::vector<size_t> pool;  ///< article indices this split draws from
  size_t count;
};

/// One canvas and its label map.
void make_one(const Split& split, size_t index, uint64_t seed, int size, Image& img,
              LabelMap& map) {
  Rng r{derive_seed(derive_seed(seed, split.id), index)};
  double bg_mean[3];
  std::vector<double> rgb = background(r, size, bg_mean);
  map.height = map.width = size;
  map.labels.assign(static_cast<size_t>(size) * size, 0);
  const IdxImages& src = split.source->images;
  const int n = r.integer(1, 6);
  for (int k = 0; k < n; ++k) {
    const size_t a = split.pool[uniform_below(r.state, split.pool.size())];
    const uint8_t* art = src.pixels.data() + a * static_cast<size_t>(src.height) * src.width;
    const uint8_t label = static_cast<uint8_t>(1 + split.source->labels[a]);
    // Articles come at any brightness; normalized to a peak of 255, a dark one is an article
    // too, not a large faint rim.
    const size_t area = static_cast<size_t>(src.height) * src.width;
    const double peak = std::max<double>(1, *std::max_element(art, art + area));
    const double gain = 255.0 / peak;
    const double scale = r.uniform(0.7, 3.0);
    const double side = src.width * scale;
    const double x0 = r.uniform(-0.2 * side, size - 0.8 * side),
                 y0 = r.uniform(-0.2 * side, size - 0.8 * side);
    // A colour that stands out from the background's two colours (distance >= 100 from
    // their mean): the article must be visible to be segmented.
    double tint[3];
    for (int attempt = 0; attempt < 32; ++attempt) {
      double d2 = 0;
      for (int c = 0; c < 3; ++c) {
        tint[c] = r.uniform(0, 255);
        d2 += (tint[c] - bg_mean[c]) * (tint[c] - bg_mean[c]);
      }
      if (d2 >= 100.0 * 100.0) break;
    }
    const double shade = r.uniform(0.3, 0.6);
    const int ya = std::max(0, static_cast<int>(std::floor(y0))),
              yb = std::min(size, static_cast<int>(std::ceil(y0 + side)));
    const int xa = std::max(0, static_cast<int>(std::floor(x0))),
              xb = std::min(size, static_cast<int>(std::ceil(x0 + side)));
    for (int y = ya; y < yb; ++y)
      for (int x = xa; x < xb; ++x) {
        const double v = gain * sample(art, src.height, src.width, (x + 0.5 - x0) / scale - 0.5,
                                       (y + 0.5 - y0) / scale - 0.5);
        const double alpha = std::clamp((v - 20) / 60, 0.0, 1.0);
        if (alpha <= 0) continue;
        const size_t p = static_cast<size_t>(y) * size + x;
        for (int c = 0; c < 3; ++c) {
          const double fg = tint[c] * (1 - shade + shade * v / 255);
          rgb[p * 3 + c] = rgb[p * 3 + c] * (1 - alpha) + fg * alpha;
        }
        // Inside the article: its class; its soft rim: no class (ignored when scoring).
        if (v >= 50)
          map.labels[p] = label;
        else if (v >= 25)
          map.labels[p] = 255;
      }
  }
  img.height = img.width = size;
  img.channels = 3;
  img.pixels.resize(rgb.size());
  const double sigma = r.uniform(1, 5);
  for (size_t i = 0; i < rgb.size(); ++i) img.pixels[i] = clamp8(rgb[i] + sigma * r.normal());
}

std::string readme(const FashionMnistSegOptions& o) {
  char buf[1024];
  std::snprintf(buf, sizeof buf,
                "Fashion-MNIST semantic segmentation, written by `trex data make "
                "fashion-mnist-seg`.\n\n"
                "source: %s (Zalando Research, MIT license)\n"
                "seed:   %llu\n"
                "canvas: %dx%d RGB\n"
                "train:  %zu images\nval:    %zu images\ntest:   %zu images\n\n"
                "Pascal VOC layout: JPEGImages/<id>.jpg, SegmentationClass/<id>.png (palette "
                "PNGs whose indices are the classes of classes.txt; 255 = the soft rim of an "
                "article, ignored when scoring), ImageSets/Segmentation/<split>.txt.\n"
                "Each canvas: a background of gratings and value noise in two random colours "
                "with pixel noise; 1-6 articles at scales 0.7x-3x and random positions, "
                "later ones occluding earlier ones. train and val draw articles from disjoint "
                "parts of the training images (split by the seed), test from the test images.\n",
                o.source_dir.c_str(), static_cast<unsigned long long>(o.seed), o.size, o.size,
                o.train, o.val, o.test);
  return buf;
}

}  // namespace

std::vector<std::string> fashion_mnist_seg_classes() {
  std::vector<std::string> c = {"background"};
  for (const std::string& n : fashion_mnist_classes()) c.push_back(n);
  return c;
}

void make_fashion_mnist_seg(const std::string& out_dir, const FashionMnistSegOptions& o) {
  check_new_folder(out_dir, "fashion-mnist-seg");
  if (o.size < 64 || o.size > 1024)
    throw_invalid("fashion-mnist-seg: canvas size " + std::to_string(o.size) +
                  " is outside 64..1024");
  if (o.train + o.val + o.test == 0 || o.train > 1000000 || o.val > 1000000 || o.test > 1000000)
    throw_invalid("fashion-mnist-seg: split sizes must be 0..1000000 and not all 0");
  const FashionMnistSource train = read_fashion_mnist(o.source_dir, "train");
  const FashionMnistSource test = read_fashion_mnist(o.source_dir, "t10k");
  std::vector<size_t> order(train.labels.size());
  std::iota(order.begin(), order.end(), size_t{0});
  uint64_t state = o.seed;
  shuffle_in_place(order, state);
  const size_t num_val = order.size() / 12;
  std::vector<size_t> test_pool(test.labels.size());
  std::iota(test_pool.begin(), test_pool.end(), size_t{0});
  const std::vector<Split> splits = {
      {"train", 0, &train, std::vector<size_t>(order.begin() + num_val, order.end()), o.train},
      {"val", 1, &train, std::vector<size_t>(order.begin(), order.begin() + num_val), o.val},
      {"test", 2, &test, test_pool, o.test}};

  write_tree_atomically(out_dir, "fashion-mnist-seg", [&](const std::string& tmp) {
    for (const char* d : {"JPEGImages", "SegmentationClass", "ImageSets/Segmentation"})
      fs::create_directories(tmp + "/" + d);
    struct Job {
      const Split* split;
      size_t index;
    };
    std::vector<Job> jobs;
    for (const Split& s : splits) {
      std::string list;
      for (size_t i = 0; i < s.count; ++i) {
        char id[48];
        std::snprintf(id, sizeof id, "%s_%05zu", s.name, i);
        list += std::string(id) + "\n";
        jobs.push_back({&s, i});
      }
      write_plain(tmp + "/ImageSets/Segmentation/" + s.name + ".txt",
                  std::vector<uint8_t>(list.begin(), list.end()));
    }
    const std::string stage = "write fashion-mnist-seg";
    report(o.progress, {stage, 0, jobs.size(), ""});
    const int threads =
        static_cast<int>(std::min(4u, std::max(1u, std::thread::hardware_concurrency())));
    parallel_for(
        jobs.size(), threads,
        [&](size_t j) {
          Image img;
          LabelMap map;
          make_one(*jobs[j].split, jobs[j].index, o.seed, o.size, img, map);
          char id[48];
          std::snprintf(id, sizeof id, "%s_%05zu", jobs[j].split->name, jobs[j].index);
          write_plain(tmp + "/JPEGImages/" + id + ".jpg", encode_jpeg(img, 95));
          write_plain(tmp + "/SegmentationClass/" + id + ".png", encode_label_png(map));
        },
        [&](size_t done) {
          report(o.progress, {stage, done, jobs.size(), ""});
        });
    std::string names;
    for (const std::string& c : fashion_mnist_seg_classes()) names += c + "\n";
    write_plain(tmp + "/classes.txt", std::vector<uint8_t>(names.begin(), names.end()));
    const std::string text = readme(o);
    write_plain(tmp + "/README.txt", std::vector<uint8_t>(text.begin(), text.end()));
  });
}

}  // namespace trex
