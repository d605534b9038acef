// The one list of kernels. Adding a kernel: write kernels/<op>_ref.cpp (and <op>_dnnl.cpp
// where oneDNN has the primitive), declare its factory in the kernels' header, add a line
// here. Optimized entries come first: find_kernel takes the first that supports a node.
#include "runtime/kernel_registry.h"

#include <algorithm>
#include <set>

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
  // --- NN reference kernels: convolution, pooling, normalization ---
  // --- end NN reference kernels ---
  // --- Math reference kernels: matrix products, softmax, reductions, indexing ---
  // --- end math reference kernels ---
  return r;
}

}  // namespace

const std::vector<KernelDef>& kernel_registry() {
  static const std::vector<KernelDef> registry = build_registry();
  return registry;
}

const KernelDef* find_kernel(const KernelInit& init, bool reference_only) {
  if (!init.node->domain().empty()) return nullptr;
  for (const KernelDef& d : kernel_registry()) {
    if (d.op_type != init.node->op_type()) continue;
    if (reference_only && d.backend != Backend::kReference) continue;
    if (d.supports && !d.supports(init)) continue;
    return &d;
  }
  return nullptr;
}

std::vector<std::string> supported_ops() {
  std::set<std::string> ops;
  for (const KernelDef& d : kernel_registry()) ops.insert(d.op_type);
  return {ops.begin(), ops.end()};
}

}  // namespace trex
