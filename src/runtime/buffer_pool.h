// Buffer reuse by value lifetime: a value's buffer returns to the pool after its last
// reader runs, and later values of similar size take it. Buffers stay in the pool between
// runs, so a steady-state run allocates nothing.
#pragma once

#include <cstddef>
#include <map>
#include <memory>

namespace trex {

/// 64-byte aligned memory; size is the capacity handed out.
struct Buffer {
  void* data = nullptr;
  size_t size = 0;
};

class BufferPool {
 public:
  BufferPool() = default;
  BufferPool(const BufferPool&) = delete;
  BufferPool& operator=(const BufferPool&) = delete;
  ~BufferPool();

  /// A buffer of at least `bytes` (best fit among free buffers up to 2x larger, else new).
  Buffer acquire(size_t bytes);
  void release(Buffer b);
  /// Bytes currently allocated by the pool (in use or free).
  size_t allocated_bytes() const { return allocated_; }

 private:
  std::multimap<size_t, void*> free_;  // capacity -> memory
  size_t allocated_ = 0;
};

}  // namespace trex
