// Batches for training and evaluation: one epoch of an ImageDataset in a fixed
// (optionally shuffled) order, transformed into NCHW floats by background threads.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <exception>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

#include "data/dataset.h"
#include "data/transforms.h"

namespace trex {

struct Batch {
  int n = 0, channels = 0, height = 0, width = 0;
  std::vector<float> data;      ///< n*c*h*w, NCHW
  std::vector<int64_t> labels;  ///< n (classification)
  std::vector<int64_t> masks;   ///< n*h*w label maps (segmentation), kIgnoreLabel = no class
  std::vector<size_t> indices;  ///< dataset index of each sample
};

struct LoaderOptions {
  int batch_size = 64;
  bool shuffle = false;
  bool augment = false;
  bool drop_last = false;
  uint64_t seed = 0;  ///< order = f(seed, epoch); augmentation rng = f(seed, epoch, index)
  int epoch = 0;
  int workers = 2;         ///< background threads (0: prepare in next()); same results for any
  size_t max_samples = 0;  ///< 0 = all; else only the first max_samples of the order
  /// When set, exactly these dataset indices in this order (shuffle is ignored).
  std::vector<size_t> order;
};

/// Iterates one epoch of batches, prepared ahead of the consumer by background threads (a
/// bounded queue of a few batches) and delivered in a fixed order. The destructor stops and
/// joins the threads even if the epoch was not fully consumed. `data` must outlive the loader.
class BatchLoader {
 public:
  /// kInvalidInput for a bad batch size or a transform that does not fit the images.
  BatchLoader(const ImageDataset& data, const TransformSpec& transform,
              const LoaderOptions& options);
  ~BatchLoader();
  BatchLoader(const BatchLoader&) = delete;
  BatchLoader& operator=(const BatchLoader&) = delete;

  size_t num_batches() const { return num_batches_; }
  size_t num_samples() const { return order_.size(); }
  /// Moves the next batch into `batch`; false at the end of the epoch. Rethrows a worker's error.
  bool next(Batch& batch);

 private:
  void build(size_t b, Batch& batch) const;
  void work();
  void stop_and_join();

  const ImageDataset& data_;
  TransformSpec transform_;
  LoaderOptions options_;
  uint64_t epoch_seed_ = 0;
  std::vector<size_t> order_;
  size_t num_batches_ = 0;
  size_t capacity_ = 0;  ///< batches claimed but not yet delivered, at most

  std::mutex mu_;
  std::condition_variable work_cv_, ready_cv_;
  size_t next_claim_ = 0, next_deliver_ = 0;
  std::map<size_t, Batch> ready_;
  std::exception_ptr error_;
  bool stop_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace trex
