// The kernel registry: one explicit list (kernel_registry.cpp) of every kernel, keyed by op
// type and backend. A session picks, per node, the first entry whose `supports` accepts
// the node, preferring optimized backends over the reference one.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "runtime/kernel.h"

namespace trex {

enum class Backend { kDnnl, kReference };

struct KernelDef {
  std::string op_type;
  Backend backend;
  /// Whether this kernel handles the node (dtypes, attributes); nullptr accepts all.
  bool (*supports)(const KernelInit&);
  std::unique_ptr<OpKernel> (*create)(const KernelInit&);
};

/// Every kernel trex has.
const std::vector<KernelDef>& kernel_registry();

/// The kernel for `init.node`, or nullptr when no kernel supports it. With
/// `reference_only`, optimized kernels are skipped (for differential tests).
const KernelDef* find_kernel(const KernelInit& init, bool reference_only = false);

}  // namespace trex
