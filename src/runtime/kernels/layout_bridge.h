// oneDNN's int8 resampling and pooling are fast only when source and destination share a
// layout (across layouts they pick their reference implementation, 100x slower). A kernel
// whose output must be in the other layout (a graph output is plain) lets the primitive
// write in the source's layout and reorders: LayoutBridge holds that reorder and its buffer.
// oneDNN allocates that buffer, once: with a std::vector's (16-byte aligned) the int8
// resampling crashed on an AVX-512 VNNI CPU when its output was a plain graph output (PTQ's
// layer-SQNR pass on Lite-HRNet); with oneDNN's own it does not. Alignment is the likely
// cause, not proven.
#pragma once

#include <oneapi/dnnl/dnnl.hpp>

#include "runtime/dnnl_context.h"

namespace trex {

class LayoutBridge {
 public:
  LayoutBridge() = default;
  /// `written`: what the primitive writes (the source's layout); `dst`: what the caller
  /// wants. The bridge is a no-op when they are the same.
  LayoutBridge(const dnnl::memory::desc& written, const dnnl::memory::desc& dst)
      : active_(written != dst) {
    if (!active_) return;
    mid_ = dnnl::memory(written, dnnl_engine());
    reorder_ = dnnl::reorder(mid_, dnnl::memory(dst, dnnl_engine(), nullptr));
  }

  /// Runs `prim` (DNNL_ARG_SRC `src`) so that its result lands in `dst`, then waits.
  void execute(const dnnl::primitive& prim, dnnl::memory src, dnnl::memory dst) {
    if (!active_) {
      prim.execute(dnnl_stream(), {{DNNL_ARG_SRC, src}, {DNNL_ARG_DST, dst}});
    } else {
      prim.execute(dnnl_stream(), {{DNNL_ARG_SRC, src}, {DNNL_ARG_DST, mid_}});
      reorder_.execute(dnnl_stream(), mid_, dst);
    }
    dnnl_stream().wait();
  }

 private:
  bool active_ = false;
  dnnl::memory mid_;  ///< what the primitive writes, allocated by oneDNN
  dnnl::reorder reorder_;
};

}  // namespace trex
