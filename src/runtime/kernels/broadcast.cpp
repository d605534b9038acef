// Broadcasting helpers (see broadcast.h).
#include "runtime/kernels/broadcast.h"

#include <algorithm>

#include "ir/shape.h"
#include "util/error.h"

namespace trex {

std::vector<int64_t> broadcast_shapes(const std::vector<std::vector<int64_t>>& shapes,
                                      const std::string& label) {
  size_t rank = 0;
  for (const auto& s : shapes) rank = std::max(rank, s.size());
  std::vector<int64_t> out(rank, 1);
  for (const auto& s : shapes)
    for (size_t i = 0; i < s.size(); ++i) {
      int64_t& o = out[rank - s.size() + i];
      int64_t d = s[i];
      if (d == o || d == 1) continue;
      if (o != 1) {
        std::string all;
        for (const auto& t : shapes)
          all += (all.empty() ? "" : " and ") + Shape::from_static(t).to_string();
        throw_invalid(label + ": shapes " + all + " do not broadcast");
      }
      o = d;
    }
  return out;
}

BroadcastIndexer::BroadcastIndexer(const std::vector<int64_t>& in, const std::vector<int64_t>& out)
    : out_dims_(out), in_strides_(out.size(), 0) {
  int64_t stride = 1;
  for (size_t k = in.size(); k-- > 0;) {
    size_t o = out.size() - in.size() + k;
    in_strides_[o] = in[k] == 1 ? 0 : stride;
    stride *= in[k];
  }
  int64_t in_numel = 1;
  for (int64_t d : in) in_numel *= d;
  int64_t out_numel = 1;
  for (int64_t d : out) out_numel *= d;
  scalar_ = in_numel == 1;
  identity_ = in_numel == out_numel;
}

int64_t BroadcastIndexer::at(int64_t i) const {
  if (identity_) return i;
  if (scalar_) return 0;
  int64_t idx = 0;
  for (size_t k = out_dims_.size(); k-- > 0;) {
    idx += (i % out_dims_[k]) * in_strides_[k];
    i /= out_dims_[k];
  }
  return idx;
}

}  // namespace trex
