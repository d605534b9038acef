// Factories of the reference kernels, one per file in this folder (<op>_ref.cpp). The
// registry (kernel_registry.cpp) lists which op types each one serves.
#pragma once

#include <memory>

#include "runtime/kernel.h"

namespace trex {

std::unique_ptr<OpKernel> create_binary_ref(const KernelInit& init);
std::unique_ptr<OpKernel> create_unary_ref(const KernelInit& init);
std::unique_ptr<OpKernel> create_fold_eval_ref(const KernelInit& init);
std::unique_ptr<OpKernel> create_fused_ref(const KernelInit& init);

// --- NN reference kernels ---
std::unique_ptr<OpKernel> create_conv_ref(const KernelInit& init);
std::unique_ptr<OpKernel> create_conv_transpose_ref(const KernelInit& init);
std::unique_ptr<OpKernel> create_max_pool_ref(const KernelInit& init);
std::unique_ptr<OpKernel> create_average_pool_ref(const KernelInit& init);
std::unique_ptr<OpKernel> create_global_pool_ref(const KernelInit& init);
std::unique_ptr<OpKernel> create_lp_pool_ref(const KernelInit& init);
std::unique_ptr<OpKernel> create_batch_normalization_ref(const KernelInit& init);
std::unique_ptr<OpKernel> create_instance_normalization_ref(const KernelInit& init);
std::unique_ptr<OpKernel> create_layer_normalization_ref(const KernelInit& init);
std::unique_ptr<OpKernel> create_lrn_ref(const KernelInit& init);
std::unique_ptr<OpKernel> create_dropout_ref(const KernelInit& init);
std::unique_ptr<OpKernel> create_mean_variance_normalization_ref(const KernelInit& init);
// --- end NN reference kernels ---

// --- Math reference kernels ---
std::unique_ptr<OpKernel> create_gemm_ref(const KernelInit& init);
std::unique_ptr<OpKernel> create_matmul_ref(const KernelInit& init);
std::unique_ptr<OpKernel> create_softmax_ref(const KernelInit& init);
std::unique_ptr<OpKernel> create_reduce_ref(const KernelInit& init);
std::unique_ptr<OpKernel> create_arg_reduce_ref(const KernelInit& init);
std::unique_ptr<OpKernel> create_top_k_ref(const KernelInit& init);
std::unique_ptr<OpKernel> create_split_ref(const KernelInit& init);
std::unique_ptr<OpKernel> create_pad_ref(const KernelInit& init);
std::unique_ptr<OpKernel> create_tile_ref(const KernelInit& init);
std::unique_ptr<OpKernel> create_cum_sum_ref(const KernelInit& init);
std::unique_ptr<OpKernel> create_resize_ref(const KernelInit& init);
std::unique_ptr<OpKernel> create_non_max_suppression_ref(const KernelInit& init);
std::unique_ptr<OpKernel> create_gather_elements_ref(const KernelInit& init);
std::unique_ptr<OpKernel> create_scatter_elements_ref(const KernelInit& init);
std::unique_ptr<OpKernel> create_one_hot_ref(const KernelInit& init);
std::unique_ptr<OpKernel> create_depth_to_space_ref(const KernelInit& init);
std::unique_ptr<OpKernel> create_space_to_depth_ref(const KernelInit& init);
std::unique_ptr<OpKernel> create_trilu_ref(const KernelInit& init);
// --- end math reference kernels ---

// --- int8 kernels ---
std::unique_ptr<OpKernel> create_quantize_linear_ref(const KernelInit& init);
std::unique_ptr<OpKernel> create_dequantize_linear_ref(const KernelInit& init);
std::unique_ptr<OpKernel> create_qconv_ref(const KernelInit& init);
std::unique_ptr<OpKernel> create_qgemm_ref(const KernelInit& init);
std::unique_ptr<OpKernel> create_qadd_ref(const KernelInit& init);
std::unique_ptr<OpKernel> create_qmul_ref(const KernelInit& init);
/// trex.QResize and trex.QAveragePool: the float op on dequantized values (qdequantized_ref.cpp).
std::unique_ptr<OpKernel> create_qdequantized_ref(const KernelInit& init);
std::unique_ptr<OpKernel> create_qglobal_average_pool_ref(const KernelInit& init);
// --- end int8 kernels ---

}  // namespace trex
