// Shared oneDNN engine and per-thread streams (see dnnl_context.h).
#include "runtime/dnnl_context.h"

#include "util/error.h"

namespace trex {

dnnl::engine& dnnl_engine() {
  static dnnl::engine engine(dnnl::engine::kind::cpu, 0);
  return engine;
}

dnnl::stream& dnnl_stream() {
  thread_local dnnl::stream stream(dnnl_engine());
  return stream;
}

dnnl::memory::format_tag plain_tag(size_t rank) {
  using tag = dnnl::memory::format_tag;
  switch (rank) {
    case 1:
      return tag::a;
    case 2:
      return tag::ab;
    case 3:
      return tag::abc;
    case 4:
      return tag::abcd;
    case 5:
      return tag::abcde;
    case 6:
      return tag::abcdef;
    default:
      throw_unsupported("oneDNN tensors of rank " + std::to_string(rank) + " are not supported");
  }
}

dnnl::memory::format_tag channels_last_tag(size_t rank) {
  using tag = dnnl::memory::format_tag;
  switch (rank) {
    case 3:
      return tag::acb;
    case 4:
      return tag::acdb;
    case 5:
      return tag::acdeb;
    default:
      return plain_tag(rank);
  }
}

}  // namespace trex
