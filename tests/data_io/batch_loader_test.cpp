// BatchLoader: every sample once per epoch, orders that depend on (seed, epoch) only, results
// independent of the worker count, max_samples and drop_last, and clean early destruction.
#include <gtest/gtest.h>

#include <algorithm>
#include <numeric>

#include "data/batch_loader.h"
#include "util/error.h"

namespace trex {
namespace {

// `n` 4x4 gray images; image i is filled with value i, label i % 3.
ImageDataset make_dataset(size_t n) {
  ImageDataset ds;
  ds.root = "mem";
  ds.classes = {"a", "b", "c"};
  for (size_t i = 0; i < n; ++i) {
    ds.paths.push_back("mem/" + std::to_string(i));
    ds.labels.push_back(static_cast<int>(i % 3));
    ds.images.push_back(Image{4, 4, 1, std::vector<uint8_t>(16, static_cast<uint8_t>(i))});
  }
  return ds;
}

std::vector<Batch> all_batches(const ImageDataset& ds, const TransformSpec& t,
                               const LoaderOptions& o) {
  BatchLoader loader(ds, t, o);
  std::vector<Batch> out;
  Batch b;
  while (loader.next(b)) out.push_back(b);
  EXPECT_EQ(out.size(), loader.num_batches());
  EXPECT_FALSE(loader.next(b)) << "stays at the end";
  return out;
}

std::vector<size_t> order_of(const std::vector<Batch>& batches) {
  std::vector<size_t> order;
  for (const Batch& b : batches) order.insert(order.end(), b.indices.begin(), b.indices.end());
  return order;
}

TEST(BatchLoader, CoversEverySampleOncePerEpoch) {
  ImageDataset ds = make_dataset(23);
  LoaderOptions o;
  o.batch_size = 5;
  o.shuffle = true;
  o.seed = 3;
  std::vector<Batch> batches = all_batches(ds, {}, o);
  ASSERT_EQ(batches.size(), 5u);
  EXPECT_EQ(batches.back().n, 3);
  std::vector<size_t> order = order_of(batches);
  std::vector<size_t> sorted = order;
  std::sort(sorted.begin(), sorted.end());
  std::vector<size_t> all(23);
  std::iota(all.begin(), all.end(), size_t{0});
  EXPECT_EQ(sorted, all);
  EXPECT_NE(order, all) << "shuffled";
  // Data, labels and indices agree.
  for (const Batch& b : batches) {
    EXPECT_EQ(b.channels, 1);
    EXPECT_EQ(b.height, 4);
    EXPECT_EQ(b.width, 4);
    ASSERT_EQ(b.data.size(), static_cast<size_t>(b.n) * 16);
    for (int k = 0; k < b.n; ++k) {
      EXPECT_EQ(b.labels[k], static_cast<int64_t>(b.indices[k] % 3));
      EXPECT_EQ(b.data[k * 16 + 5], b.indices[k] / 255.0f);
    }
  }
  // Unshuffled: dataset order.
  o.shuffle = false;
  EXPECT_EQ(order_of(all_batches(ds, {}, o)), all);
}

TEST(BatchLoader, OrderDependsOnSeedAndEpochOnly) {
  ImageDataset ds = make_dataset(40);
  LoaderOptions o;
  o.batch_size = 8;
  o.shuffle = true;
  o.seed = 11;
  o.epoch = 2;
  auto a = order_of(all_batches(ds, {}, o));
  EXPECT_EQ(order_of(all_batches(ds, {}, o)), a);
  o.epoch = 3;
  EXPECT_NE(order_of(all_batches(ds, {}, o)), a);
  o.epoch = 2;
  o.seed = 12;
  EXPECT_NE(order_of(all_batches(ds, {}, o)), a);
}

TEST(BatchLoader, WorkerCountDoesNotChangeResults) {
  ImageDataset ds = make_dataset(50);
  for (size_t i = 0; i < ds.size(); ++i)
    for (int p = 0; p < 16; ++p) ds.images[i].pixels[p] = static_cast<uint8_t>(i * 5 + p * 13);
  TransformSpec t;
  t.mean = {0.3f};
  t.std = {0.2f};
  t.crop_padding = 1;
  t.horizontal_flip = true;
  LoaderOptions o;
  o.batch_size = 7;
  o.shuffle = true;
  o.augment = true;
  o.seed = 5;
  o.epoch = 1;
  o.workers = 1;
  std::vector<Batch> one = all_batches(ds, t, o);
  for (int workers : {0, 3}) {
    o.workers = workers;
    std::vector<Batch> other = all_batches(ds, t, o);
    ASSERT_EQ(other.size(), one.size());
    for (size_t b = 0; b < one.size(); ++b) {
      EXPECT_EQ(other[b].indices, one[b].indices) << workers << " workers, batch " << b;
      EXPECT_EQ(other[b].labels, one[b].labels);
      EXPECT_EQ(other[b].data, one[b].data);
    }
  }
  // Augmentation happened: some sample differs from its plain transform.
  o.augment = false;
  std::vector<Batch> plain = all_batches(ds, t, o);
  bool differs = false;
  for (size_t b = 0; b < one.size(); ++b) differs = differs || plain[b].data != one[b].data;
  EXPECT_TRUE(differs);
}

TEST(BatchLoader, MaxSamplesAndDropLast) {
  ImageDataset ds = make_dataset(30);
  LoaderOptions o;
  o.batch_size = 4;
  o.shuffle = true;
  o.seed = 9;
  auto full = order_of(all_batches(ds, {}, o));
  o.max_samples = 10;
  BatchLoader limited(ds, {}, o);
  EXPECT_EQ(limited.num_samples(), 10u);
  EXPECT_EQ(limited.num_batches(), 3u);
  auto first10 = order_of(all_batches(ds, {}, o));
  EXPECT_EQ(first10, std::vector<size_t>(full.begin(), full.begin() + 10));
  o.drop_last = true;
  auto dropped = all_batches(ds, {}, o);
  ASSERT_EQ(dropped.size(), 2u);
  EXPECT_EQ(order_of(dropped), std::vector<size_t>(full.begin(), full.begin() + 8));
  o.max_samples = 0;
  o.batch_size = 64;
  EXPECT_EQ(BatchLoader(ds, {}, o).num_batches(), 0u);
}

TEST(BatchLoader, EarlyDestructionDoesNotHang) {
  ImageDataset ds = make_dataset(200);
  LoaderOptions o;
  o.batch_size = 2;
  o.workers = 3;
  for (int consumed : {0, 1, 5}) {
    BatchLoader loader(ds, {}, o);
    Batch b;
    for (int i = 0; i < consumed; ++i) ASSERT_TRUE(loader.next(b));
  }  // destructors join here; a hang fails the test by timeout
  ImageDataset none = make_dataset(0);
  BatchLoader empty(none, {}, o);
  Batch b;
  EXPECT_FALSE(empty.next(b));
}

TEST(BatchLoader, BadOptionsAreErrors) {
  ImageDataset ds = make_dataset(3);
  LoaderOptions o;
  o.batch_size = 0;
  EXPECT_THROW(BatchLoader(ds, {}, o), Error);
  o.batch_size = 2;
  TransformSpec t;
  t.mean = {0.1f, 0.2f, 0.3f};  // the images are gray
  EXPECT_THROW(BatchLoader(ds, t, o), Error);
  ds.images[1] = Image{2, 2, 1, std::vector<uint8_t>(4)};
  EXPECT_THROW(BatchLoader(ds, {}, o), Error);
}

}  // namespace
}  // namespace trex
