// Factories and support checks of the oneDNN kernels (<op>_dnnl.cpp in this folder). Each
// `supports` says whether the kernel handles a node; the registry falls back to the
// reference kernel otherwise.
#pragma once

#include <memory>

#include "runtime/kernel.h"

namespace trex {

/// Conv and trex.FusedConv.
bool conv_dnnl_supports(const KernelInit& init);
std::unique_ptr<OpKernel> create_conv_dnnl(const KernelInit& init);

/// MaxPool (without Indices), AveragePool, GlobalAveragePool, GlobalMaxPool.
bool pool_dnnl_supports(const KernelInit& init);
std::unique_ptr<OpKernel> create_pool_dnnl(const KernelInit& init);

/// Gemm with constant B and a constant row-vector C (or none), alpha = beta = 1, no transA.
bool gemm_dnnl_supports(const KernelInit& init);
std::unique_ptr<OpKernel> create_gemm_dnnl(const KernelInit& init);

// --- oneDNN elementwise kernels ---
// --- end oneDNN elementwise kernels ---

// --- oneDNN layer kernels ---
// --- end oneDNN layer kernels ---

}  // namespace trex
