// BatchLoader (see batch_loader.h). Workers claim batch numbers in order and park finished
// batches in a map; the consumer takes them by number. Every batch is a pure function of
// (dataset, options, batch number), so the worker count cannot change the results.
#include "data/batch_loader.h"

#include <algorithm>
#include <numeric>

#include "util/error.h"

namespace trex {

namespace {

// Tags keep the order's and the samples' random streams apart.
constexpr uint64_t kOrderTag = 0x6f72646572ULL;   // "order"
constexpr uint64_t kSampleTag = 0x73616d706cULL;  // "sampl"

}  // namespace

BatchLoader::BatchLoader(const ImageDataset& data, const TransformSpec& transform,
                         const LoaderOptions& options)
    : data_(data), transform_(transform), options_(options) {
  if (options.batch_size <= 0)
    throw_invalid("batch loader: batch_size " + std::to_string(options.batch_size) +
                  " must be positive");
  if (options.workers < 0)
    throw_invalid("batch loader: workers " + std::to_string(options.workers) + " is negative");
  if (!data.labels.empty() && data.images.size() != data.labels.size())
    throw_invalid(data.root + ": dataset has " + std::to_string(data.images.size()) +
                  " images but " + std::to_string(data.labels.size()) + " labels");
  if (!data.masks.empty() && data.images.size() != data.masks.size())
    throw_invalid(data.root + ": dataset has " + std::to_string(data.images.size()) +
                  " images but " + std::to_string(data.masks.size()) + " label maps");
  if (data.labels.empty() && data.masks.empty() && !data.images.empty())
    throw_invalid(data.root + ": dataset has images but no labels or label maps");
  for (size_t i = 0; i < data.images.size(); ++i) {
    const Image& a = data.images[0];
    const Image& b = data.images[i];
    if (b.height != a.height || b.width != a.width || b.channels != a.channels ||
        b.pixels.size() != static_cast<size_t>(b.height) * b.width * b.channels)
      throw_invalid((i < data.paths.size() ? data.paths[i] : data.root) +
                    ": image is not of the dataset's common size " + std::to_string(a.height) +
                    "x" + std::to_string(a.width) + "x" + std::to_string(a.channels));
  }
  if (!data.images.empty()) check_transform_spec(transform, data.images[0].channels);

  const uint64_t epoch = static_cast<uint64_t>(options.epoch);
  epoch_seed_ = derive_seed(derive_seed(options.seed, epoch), kSampleTag);
  order_.resize(data.size());
  std::iota(order_.begin(), order_.end(), size_t{0});
  if (!options.order.empty()) {
    for (size_t i : options.order)
      if (i >= data.size())
        throw_invalid("batch loader: sample index " + std::to_string(i) + " is past the " +
                      std::to_string(data.size()) + " samples of " + data.root);
    order_ = options.order;
  } else if (options.shuffle) {
    uint64_t state = derive_seed(derive_seed(options.seed, epoch), kOrderTag);
    shuffle_in_place(order_, state);
  }
  if (options.max_samples > 0 && options.max_samples < order_.size())
    order_.resize(options.max_samples);
  const size_t bs = static_cast<size_t>(options.batch_size);
  num_batches_ = options.drop_last ? order_.size() / bs : (order_.size() + bs - 1) / bs;
  capacity_ = static_cast<size_t>(options.workers) + 2;
  const int workers = static_cast<int>(std::min<size_t>(options.workers, num_batches_));
  try {
    for (int t = 0; t < workers; ++t) threads_.emplace_back([this] { work(); });
  } catch (...) {
    stop_and_join();
    throw;
  }
}

BatchLoader::~BatchLoader() {
  stop_and_join();
}

void BatchLoader::stop_and_join() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  work_cv_.notify_all();
  for (auto& t : threads_) t.join();
  threads_.clear();
}

void BatchLoader::build(size_t b, Batch& batch) const {
  const Image& first = data_.images[order_[0]];
  const size_t bs = static_cast<size_t>(options_.batch_size);
  const size_t begin = b * bs, end = std::min(begin + bs, order_.size());
  const size_t sample = static_cast<size_t>(first.channels) * first.height * first.width;
  batch.n = static_cast<int>(end - begin);
  batch.channels = first.channels;
  batch.height = first.height;
  batch.width = first.width;
  batch.data.resize(batch.n * sample);
  const bool labels = !data_.labels.empty(), masks = !data_.masks.empty();
  const size_t plane = static_cast<size_t>(first.height) * first.width;
  batch.labels.resize(labels ? batch.n : 0);
  batch.masks.resize(masks ? batch.n * plane : 0);
  batch.indices.resize(batch.n);
  for (size_t k = 0; k < end - begin; ++k) {
    const size_t idx = order_[begin + k];
    uint64_t rng = derive_seed(epoch_seed_, idx);
    transform_image(data_.images[idx], transform_, options_.augment, rng,
                    batch.data.data() + k * sample, masks ? &data_.masks[idx] : nullptr,
                    masks ? batch.masks.data() + k * plane : nullptr);
    if (labels) batch.labels[k] = data_.labels[idx];
    batch.indices[k] = idx;
  }
}

void BatchLoader::work() {
  for (;;) {
    size_t b;
    {
      std::unique_lock<std::mutex> lock(mu_);
      work_cv_.wait(lock, [this] {
        return stop_ || error_ || next_claim_ >= num_batches_ ||
               next_claim_ < next_deliver_ + capacity_;
      });
      if (stop_ || error_ || next_claim_ >= num_batches_) return;
      b = next_claim_++;
    }
    Batch batch;
    try {
      build(b, batch);
    } catch (...) {
      std::lock_guard<std::mutex> lock(mu_);
      if (!error_) error_ = std::current_exception();
      ready_cv_.notify_all();
      return;
    }
    {
      std::lock_guard<std::mutex> lock(mu_);
      ready_.emplace(b, std::move(batch));
    }
    ready_cv_.notify_all();
  }
}

bool BatchLoader::next(Batch& batch) {
  if (threads_.empty()) {  // no workers: prepare here
    if (next_deliver_ >= num_batches_) return false;
    build(next_deliver_++, batch);
    return true;
  }
  std::unique_lock<std::mutex> lock(mu_);
  if (next_deliver_ >= num_batches_) return false;
  ready_cv_.wait(lock, [this] { return error_ || ready_.count(next_deliver_) > 0; });
  auto it = ready_.find(next_deliver_);
  if (it == ready_.end()) std::rethrow_exception(error_);
  batch = std::move(it->second);
  ready_.erase(it);
  ++next_deliver_;
  lock.unlock();
  work_cv_.notify_all();
  return true;
}

}  // namespace trex
