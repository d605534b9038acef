// oneDNN's int8 resampling and pooling are fast only when source and destination share a
// layout (across layouts they pick their reference implementation, 100x slower). A kernel
// whose output must be in the other layout (a graph output is plain) lets the primitive
// write in the source's layout and reorders: LayoutBridge holds that reorder and its buffer.
#pragma once

#include <oneapi/dnnl/dnnl.hpp>

#include <cstdint>
#include <vector>

#include "runtime/dnnl_context.h"

namespace trex {

class LayoutBridge {
 public:
  LayoutBridge() = default;
  /// `written`: what the primitive writes (the source's layout); `dst`: what the caller
  /// wants. The bridge is a no-op when they are the same.
  LayoutBridge(const dnnl::memory::desc& written, const dnnl::memory::desc& dst)
      : written_(written), active_(written != dst) {
    if (active_)
      reorder_ = dnnl::reorder(dnnl::memory(written, dnnl_engine(), nullptr),
                               dnnl::memory(dst, dnnl_engine(), nullptr));
  }

  /// Runs `prim` (DNNL_ARG_SRC `src`) so that its result lands in `dst`, then waits.
  void execute(const dnnl::primitive& prim, dnnl::memory src, dnnl::memory dst) {
    if (!active_) {
      prim.execute(dnnl_stream(), {{DNNL_ARG_SRC, src}, {DNNL_ARG_DST, dst}});
    } else {
      scratch_.resize(written_.get_size());
      dnnl::memory mid(written_, dnnl_engine(), scratch_.data());
      prim.execute(dnnl_stream(), {{DNNL_ARG_SRC, src}, {DNNL_ARG_DST, mid}});
      reorder_.execute(dnnl_stream(), mid, dst);
    }
    dnnl_stream().wait();
  }

 private:
  dnnl::memory::desc written_;
  bool active_ = false;
  dnnl::reorder reorder_;
  std::vector<uint8_t> scratch_;
};

}  // namespace trex
