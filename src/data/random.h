// The one small deterministic RNG of the data module (splitmix64) and helpers on top of it.
// Spelled out here rather than taken from <random> so that shuffles and augmentations are the
// same with every standard library.
#pragma once

#include <cstdint>
#include <utility>
#include <vector>

namespace trex {

/// Advances `state` and returns the next splitmix64 value.
inline uint64_t splitmix64(uint64_t& state) {
  uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

/// Uniform integer in [0, n) for n > 0 (multiply-shift: no division, platform independent).
inline uint64_t uniform_below(uint64_t& state, uint64_t n) {
  return static_cast<uint64_t>((static_cast<unsigned __int128>(splitmix64(state)) * n) >> 64);
}

/// Uniform float in [0, 1).
inline float uniform_float(uint64_t& state) {
  return static_cast<float>(splitmix64(state) >> 40) * (1.0f / 16777216.0f);
}

/// A seed derived from `seed` and `value`, e.g. (seed, epoch) or (epoch seed, sample index).
inline uint64_t derive_seed(uint64_t seed, uint64_t value) {
  uint64_t s = seed;
  uint64_t a = splitmix64(s);
  s = a ^ value;
  return splitmix64(s);
}

/// Fisher-Yates shuffle of `v` driven by `state`.
template <typename T>
void shuffle_in_place(std::vector<T>& v, uint64_t& state) {
  for (size_t i = v.size(); i > 1; --i) std::swap(v[i - 1], v[uniform_below(state, i)]);
}

}  // namespace trex
