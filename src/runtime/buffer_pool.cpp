// BufferPool implementation.
#include "runtime/buffer_pool.h"

#include <cstdlib>
#include <new>

namespace trex {

namespace {
constexpr size_t kAlignment = 64;
size_t round_up(size_t n) {
  return (n + kAlignment - 1) / kAlignment * kAlignment;
}
}  // namespace

BufferPool::~BufferPool() {
  for (auto& [size, p] : free_) std::free(p);
}

Buffer BufferPool::acquire(size_t bytes) {
  size_t need = round_up(bytes == 0 ? 1 : bytes);
  auto it = free_.lower_bound(need);
  if (it != free_.end() && it->first <= 2 * need) {
    Buffer b{it->second, it->first};
    free_.erase(it);
    return b;
  }
  void* p = std::aligned_alloc(kAlignment, need);
  if (!p) throw std::bad_alloc();
  allocated_ += need;
  return Buffer{p, need};
}

void BufferPool::release(Buffer b) {
  if (b.data) free_.emplace(b.size, b.data);
}

}  // namespace trex
