// Numpy-style broadcasting helpers shared by the elementwise reference kernels.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace trex {

/// The broadcast of `shapes`; throws kInvalidInput naming `label` when they do not broadcast.
std::vector<int64_t> broadcast_shapes(const std::vector<std::vector<int64_t>>& shapes,
                                      const std::string& label);

/// Maps flat output indices to flat input indices for one input broadcast to `out`.
/// Iterating the output in order, next() returns the input index of each element.
class BroadcastIndexer {
 public:
  BroadcastIndexer(const std::vector<int64_t>& in, const std::vector<int64_t>& out);
  /// Input index for output element `i` (any order).
  int64_t at(int64_t i) const;
  /// True when the input has the output's shape (index is the identity).
  bool identity() const { return identity_; }
  /// True when the input is a single element.
  bool scalar() const { return scalar_; }

 private:
  std::vector<int64_t> out_dims_;
  std::vector<int64_t> in_strides_;  ///< per output axis; 0 where broadcast
  bool identity_ = false;
  bool scalar_ = false;
};

}  // namespace trex
