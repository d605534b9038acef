// Factories of the reference kernels, one per file in this folder (<op>_ref.cpp). The
// registry (kernel_registry.cpp) lists which op types each one serves.
#pragma once

#include <memory>

#include "runtime/kernel.h"

namespace trex {

std::unique_ptr<OpKernel> create_binary_ref(const KernelInit& init);
std::unique_ptr<OpKernel> create_unary_ref(const KernelInit& init);
std::unique_ptr<OpKernel> create_fold_eval_ref(const KernelInit& init);

// --- NN reference kernels ---
// --- end NN reference kernels ---

// --- Math reference kernels ---
// --- end math reference kernels ---

}  // namespace trex
