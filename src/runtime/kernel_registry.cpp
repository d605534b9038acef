// The one list of kernels. Adding a kernel: write kernels/<op>_ref.cpp (and <op>_dnnl.cpp
// where oneDNN has the primitive), declare its factory in the kernels' header, add a line
// here. Optimized entries come first: find_kernel takes the first that supports a node.
#include "runtime/kernel_registry.h"

#include "runtime/kernels/dnnl_kernels.h"
#include "runtime/kernels/reference_kernels.h"

namespace trex {

namespace {

constexpr Backend kRef = Backend::kReference;

std::vector<KernelDef> build_registry() {
  std::vector<KernelDef> r;
  auto add = [&r](std::initializer_list<const char*> ops, Backend b,
                  bool (*supports)(const KernelInit&),
                  std::unique_ptr<OpKernel> (*create)(const KernelInit&)) {
    for (const char* op : ops) r.push_back({op, b, supports, create});
  };
  // oneDNN kernels (first: preferred where they support the node).
  add({"Conv"}, Backend::kDnnl, conv_dnnl_supports, create_conv_dnnl);
  add({"FusedConv"}, Backend::kDnnl, conv_dnnl_supports, create_conv_dnnl);  // trex domain
  add({"MaxPool", "AveragePool", "GlobalAveragePool", "GlobalMaxPool"}, Backend::kDnnl,
      pool_dnnl_supports, create_pool_dnnl);
  add({"Gemm", "FusedGemm"}, Backend::kDnnl, gemm_dnnl_supports, create_gemm_dnnl);
  // --- oneDNN elementwise kernels ---
  add({"Relu", "LeakyRelu", "Elu", "Sigmoid", "Tanh", "HardSwish", "HardSigmoid", "Clip", "Exp",
       "Sqrt", "Abs", "Round", "Neg"},
      Backend::kDnnl, eltwise_dnnl_supports, create_eltwise_dnnl);
  add({"Add", "Sub", "Mul", "Div", "Max", "Min"}, Backend::kDnnl, binary_dnnl_supports,
      create_binary_dnnl);
  add({"Concat"}, Backend::kDnnl, concat_dnnl_supports, create_concat_dnnl);
  add({"Sum", "Mean"}, Backend::kDnnl, sum_dnnl_supports, create_sum_dnnl);
  // --- end oneDNN elementwise kernels ---
  // --- oneDNN layer kernels ---
  add({"BatchNormalization"}, Backend::kDnnl, batch_normalization_dnnl_supports,
      create_batch_normalization_dnnl);
  add({"MatMul"}, Backend::kDnnl, matmul_dnnl_supports, create_matmul_dnnl);
  add({"Softmax", "LogSoftmax"}, Backend::kDnnl, softmax_dnnl_supports, create_softmax_dnnl);
  add({"LRN"}, Backend::kDnnl, lrn_dnnl_supports, create_lrn_dnnl);
  add({"ConvTranspose"}, Backend::kDnnl, conv_transpose_dnnl_supports, create_conv_transpose_dnnl);
  add({"LayerNormalization"}, Backend::kDnnl, layer_normalization_dnnl_supports,
      create_layer_normalization_dnnl);
  add({"ReduceMean", "ReduceSum", "ReduceMax", "ReduceMin"}, Backend::kDnnl, reduce_dnnl_supports,
      create_reduce_dnnl);
  add({"Resize", "Upsample"}, Backend::kDnnl, resize_dnnl_supports, create_resize_dnnl);
  // --- end oneDNN layer kernels ---
  // --- int8 kernels ---
  // trex domain: the QDQ lowering's integer ops (passes/qdq_lowering.h).
  add({"QConv"}, Backend::kDnnl, qconv_dnnl_supports, create_qconv_dnnl);
  add({"QGemm"}, Backend::kDnnl, qgemm_dnnl_supports, create_qgemm_dnnl);
  add({"QAdd"}, Backend::kDnnl, nullptr, create_qadd_vec);  // a vectorized loop, not oneDNN
  add({"QMul"}, Backend::kDnnl, nullptr, create_qmul_vec);  // likewise
  add({"QResize"}, Backend::kDnnl, qresize_dnnl_supports, create_qresize_dnnl);
  add({"QAveragePool"}, Backend::kDnnl, qaverage_pool_dnnl_supports, create_qaverage_pool_dnnl);
  add({"MaxPool"}, Backend::kDnnl, max_pool_int8_dnnl_supports, create_max_pool_int8_dnnl);
  // Vectorized loops too, not oneDNN (*_vec.cpp).
  add({"QGlobalAveragePool"}, Backend::kDnnl, nullptr, create_qglobal_average_pool_vec);
  add({"QuantizeLinear"}, Backend::kDnnl, quantize_linear_vec_supports, create_quantize_linear_vec);
  add({"DequantizeLinear"}, Backend::kDnnl, dequantize_linear_vec_supports,
      create_dequantize_linear_vec);
  // --- end int8 kernels ---
  // Reference kernels.
  add({"Add", "Sub", "Mul", "Div", "Pow", "Mod", "Max", "Min", "Sum", "Mean", "PRelu", "Equal",
       "Less", "Greater", "LessOrEqual", "GreaterOrEqual", "And", "Or", "Xor"},
      kRef, nullptr, create_binary_ref);
  add({"Relu",
       "LeakyRelu",
       "Elu",
       "Selu",
       "Celu",
       "Sigmoid",
       "HardSigmoid",
       "HardSwish",
       "Softplus",
       "Softsign",
       "ThresholdedRelu",
       "Clip",
       "Tanh",
       "Exp",
       "Log",
       "Sqrt",
       "Abs",
       "Neg",
       "Erf",
       "Reciprocal",
       "Floor",
       "Ceil",
       "Round",
       "Sign",
       "Sin",
       "Cos",
       "Tan",
       "Asin",
       "Acos",
       "Atan",
       "Sinh",
       "Cosh",
       "Asinh",
       "Acosh",
       "Atanh",
       "Not",
       "IsNaN",
       "IsInf",
       "Identity"},
      kRef, nullptr, create_unary_ref);
  add({"Constant", "Shape", "Size", "Cast", "Reshape", "Flatten", "Squeeze", "Unsqueeze", "Concat",
       "Gather", "Slice", "Transpose", "Where", "Range", "ConstantOfShape", "Expand"},
      kRef, nullptr, create_fold_eval_ref);
  add({"FusedConv", "FusedGemm"}, kRef, nullptr, create_fused_ref);  // trex domain: runtime fusions
  // --- NN reference kernels: convolution, pooling, normalization ---
  add({"Conv"}, kRef, nullptr, create_conv_ref);
  add({"ConvTranspose"}, kRef, nullptr, create_conv_transpose_ref);
  add({"MaxPool"}, kRef, nullptr, create_max_pool_ref);
  add({"AveragePool"}, kRef, nullptr, create_average_pool_ref);
  add({"GlobalAveragePool", "GlobalMaxPool"}, kRef, nullptr, create_global_pool_ref);
  add({"LpPool", "GlobalLpPool"}, kRef, nullptr, create_lp_pool_ref);
  add({"BatchNormalization"}, kRef, nullptr, create_batch_normalization_ref);
  add({"InstanceNormalization"}, kRef, nullptr, create_instance_normalization_ref);
  add({"LayerNormalization"}, kRef, nullptr, create_layer_normalization_ref);
  add({"LRN"}, kRef, nullptr, create_lrn_ref);
  add({"Dropout"}, kRef, nullptr, create_dropout_ref);
  add({"MeanVarianceNormalization"}, kRef, nullptr, create_mean_variance_normalization_ref);
  // --- end NN reference kernels ---
  // --- Math reference kernels: matrix products, softmax, reductions, indexing ---
  add({"Gemm"}, kRef, nullptr, create_gemm_ref);
  add({"MatMul"}, kRef, nullptr, create_matmul_ref);
  add({"Softmax", "LogSoftmax", "Hardmax"}, kRef, nullptr, create_softmax_ref);
  add({"ReduceMean", "ReduceSum", "ReduceMax", "ReduceMin", "ReduceProd", "ReduceL1", "ReduceL2",
       "ReduceLogSum", "ReduceLogSumExp", "ReduceSumSquare"},
      kRef, nullptr, create_reduce_ref);
  add({"ArgMax", "ArgMin"}, kRef, nullptr, create_arg_reduce_ref);
  add({"TopK"}, kRef, nullptr, create_top_k_ref);
  add({"Split"}, kRef, nullptr, create_split_ref);
  add({"Pad"}, kRef, nullptr, create_pad_ref);
  add({"Tile"}, kRef, nullptr, create_tile_ref);
  add({"CumSum"}, kRef, nullptr, create_cum_sum_ref);
  add({"Resize", "Upsample"}, kRef, nullptr, create_resize_ref);
  add({"NonMaxSuppression"}, kRef, nullptr, create_non_max_suppression_ref);
  add({"GatherElements"}, kRef, nullptr, create_gather_elements_ref);
  add({"ScatterElements", "Scatter"}, kRef, nullptr, create_scatter_elements_ref);
  add({"OneHot"}, kRef, nullptr, create_one_hot_ref);
  add({"DepthToSpace"}, kRef, nullptr, create_depth_to_space_ref);
  add({"SpaceToDepth"}, kRef, nullptr, create_space_to_depth_ref);
  add({"Trilu"}, kRef, nullptr, create_trilu_ref);
  // --- end math reference kernels ---
  // --- int8 kernels ---
  add({"QuantizeLinear"}, kRef, nullptr, create_quantize_linear_ref);
  add({"DequantizeLinear"}, kRef, nullptr, create_dequantize_linear_ref);
  add({"QConv"}, kRef, nullptr, create_qconv_ref);  // trex domain
  add({"QGemm"}, kRef, nullptr, create_qgemm_ref);  // trex domain
  add({"QAdd"}, kRef, nullptr, create_qadd_ref);    // trex domain
  add({"QMul"}, kRef, nullptr, create_qmul_ref);    // trex domain
  add({"QResize", "QAveragePool"}, kRef, nullptr, create_qdequantized_ref);  // trex domain
  add({"QGlobalAveragePool"}, kRef, nullptr, create_qglobal_average_pool_ref);
  // --- end int8 kernels ---
  return r;
}

}  // namespace

const std::vector<KernelDef>& kernel_registry() {
  static const std::vector<KernelDef> registry = build_registry();
  return registry;
}

const KernelDef* find_kernel(const KernelInit& init, bool reference_only) {
  const std::string& domain = init.node->domain();
  if (!domain.empty() && domain != "trex") return nullptr;
  for (const KernelDef& d : kernel_registry()) {
    if (d.op_type != init.node->op_type()) continue;
    if (reference_only && d.backend != Backend::kReference) continue;
    if (d.supports && !d.supports(init)) continue;
    return &d;
  }
  return nullptr;
}

}  // namespace trex
