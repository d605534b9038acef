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
/// Relu, LeakyRelu, Elu, Sigmoid, Tanh, HardSwish, HardSigmoid, Clip (constant bounds, min <=
/// max), Exp, Sqrt, Abs, Round, Neg; f32.
bool eltwise_dnnl_supports(const KernelInit& init);
std::unique_ptr<OpKernel> create_eltwise_dnnl(const KernelInit& init);

/// Add, Sub, Mul, Div, Max, Min of two f32 inputs where input 0 has the output's shape (or
/// input 1 does and the op commutes).
bool binary_dnnl_supports(const KernelInit& init);
std::unique_ptr<OpKernel> create_binary_dnnl(const KernelInit& init);

/// Concat of f32 (or uint8/int8) inputs of one type and known rank (1 to 6), any axis.
bool concat_dnnl_supports(const KernelInit& init);
std::unique_ptr<OpKernel> create_concat_dnnl(const KernelInit& init);

/// Sum and Mean of f32 inputs that all have one known shape (no broadcasting).
bool sum_dnnl_supports(const KernelInit& init);
std::unique_ptr<OpKernel> create_sum_dnnl(const KernelInit& init);
// --- end oneDNN elementwise kernels ---

// --- oneDNN layer kernels ---
/// BatchNormalization, inference mode, with constant per-channel scale, B, mean and var.
bool batch_normalization_dnnl_supports(const KernelInit& init);
std::unique_ptr<OpKernel> create_batch_normalization_dnnl(const KernelInit& init);

/// MatMul (f32, numpy broadcasting); a constant B is pre-packed.
bool matmul_dnnl_supports(const KernelInit& init);
std::unique_ptr<OpKernel> create_matmul_dnnl(const KernelInit& init);

/// Softmax and LogSoftmax (f32, any opset's axis semantics).
bool softmax_dnnl_supports(const KernelInit& init);
std::unique_ptr<OpKernel> create_softmax_dnnl(const KernelInit& init);

/// LRN with an odd size.
bool lrn_dnnl_supports(const KernelInit& init);
std::unique_ptr<OpKernel> create_lrn_dnnl(const KernelInit& init);

/// ConvTranspose with constant weights and bias.
bool conv_transpose_dnnl_supports(const KernelInit& init);
std::unique_ptr<OpKernel> create_conv_transpose_dnnl(const KernelInit& init);

/// LayerNormalization (stash_type 1, no Mean/InvStdDev outputs) with constant Scale and B.
bool layer_normalization_dnnl_supports(const KernelInit& init);
std::unique_ptr<OpKernel> create_layer_normalization_dnnl(const KernelInit& init);

/// ReduceMean, ReduceSum, ReduceMax, ReduceMin (f32).
bool reduce_dnnl_supports(const KernelInit& init);
std::unique_ptr<OpKernel> create_reduce_dnnl(const KernelInit& init);

/// Resize and Upsample where oneDNN's resampling maps coordinates exactly as ONNX does.
bool resize_dnnl_supports(const KernelInit& init);
std::unique_ptr<OpKernel> create_resize_dnnl(const KernelInit& init);
// --- end oneDNN layer kernels ---

// --- int8 kernels ---
/// trex.QConv with int8 constant weights and an int32/f32 constant bias (qconv_dnnl.cpp).
bool qconv_dnnl_supports(const KernelInit& init);
std::unique_ptr<OpKernel> create_qconv_dnnl(const KernelInit& init);

/// trex.QGemm with 2-D int8 constant B and an int32/f32 constant bias (qgemm_dnnl.cpp).
bool qgemm_dnnl_supports(const KernelInit& init);
std::unique_ptr<OpKernel> create_qgemm_dnnl(const KernelInit& init);

/// MaxPool of uint8/int8 tensors (no Indices, no dilation) (max_pool_int8_dnnl.cpp).
bool max_pool_int8_dnnl_supports(const KernelInit& init);
std::unique_ptr<OpKernel> create_max_pool_int8_dnnl(const KernelInit& init);

/// trex.QAdd as a vectorized loop (qadd_vec.cpp: not oneDNN, listed with the optimized
/// kernels), plain or channels-last.
std::unique_ptr<OpKernel> create_qadd_vec(const KernelInit& init);

/// trex.QMul as a vectorized loop (qmul_vec.cpp), B full or a per-channel gate, plain or
/// channels-last.
std::unique_ptr<OpKernel> create_qmul_vec(const KernelInit& init);

/// trex.QResize on oneDNN int8 resampling, plain or channels-last (qresize_dnnl.cpp).
bool qresize_dnnl_supports(const KernelInit& init);
std::unique_ptr<OpKernel> create_qresize_dnnl(const KernelInit& init);

/// trex.QAveragePool on oneDNN int8 pooling, plain or channels-last (qaverage_pool_dnnl.cpp).
bool qaverage_pool_dnnl_supports(const KernelInit& init);
std::unique_ptr<OpKernel> create_qaverage_pool_dnnl(const KernelInit& init);

/// trex.QGlobalAveragePool, int32 sums, plain or channels-last (qglobal_average_pool_vec.cpp).
std::unique_ptr<OpKernel> create_qglobal_average_pool_vec(const KernelInit& init);

/// QuantizeLinear / DequantizeLinear of f32 <-> uint8/int8 with per-tensor constant
/// parameters, vectorized, plain or channels-last (quantize_linear_vec.cpp,
/// dequantize_linear_vec.cpp).
bool quantize_linear_vec_supports(const KernelInit& init);
std::unique_ptr<OpKernel> create_quantize_linear_vec(const KernelInit& init);
bool dequantize_linear_vec_supports(const KernelInit& init);
std::unique_ptr<OpKernel> create_dequantize_linear_vec(const KernelInit& init);
// --- end int8 kernels ---

}  // namespace trex
