// Multi-versioned hot loops. trex builds for baseline x86-64 (SSE2), where the 8-bit <-> float
// loops of the int8 kernels vectorize only 4 wide; functions marked TREX_SIMD_CLONES are also
// compiled for x86-64-v3 (AVX2) and x86-64-v4 (AVX-512), and the loader picks the best the
// CPU runs (GCC target_clones, OpenMP regions inside included).
#pragma once

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && __GNUC__ >= 11
#define TREX_SIMD_CLONES \
  __attribute__((target_clones("default", "arch=x86-64-v3", "arch=x86-64-v4")))
#else
#define TREX_SIMD_CLONES
#endif
