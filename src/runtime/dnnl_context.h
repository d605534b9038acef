// The oneDNN engine and stream trex's dnnl kernels share, and small conversions.
#pragma once

#include <oneapi/dnnl/dnnl.hpp>

#include <string>
#include <vector>

namespace trex {

/// The process-wide CPU engine.
dnnl::engine& dnnl_engine();
/// A stream for the calling thread (oneDNN streams are not thread-safe to share).
dnnl::stream& dnnl_stream();

inline dnnl::memory::dims to_dnnl_dims(const std::vector<int64_t>& d) {
  return dnnl::memory::dims(d.begin(), d.end());
}

/// Plain row-major format tag for a rank (abcd...).
dnnl::memory::format_tag plain_tag(size_t rank);
/// Channels-last tag for an N, C, spatial... tensor (acb, acdb, acdeb).
dnnl::memory::format_tag channels_last_tag(size_t rank);

}  // namespace trex
