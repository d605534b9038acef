// The kernel interface. A kernel is created once per node when a session loads a model
// (it may pre-pack constant weights then) and computes its outputs on every run; output
// shapes come from the actual inputs, so batch and other dims may change between runs.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "ir/graph.h"
#include "runtime/tensor_view.h"

namespace trex {

/// What a kernel factory knows about its node when the session loads the model.
struct KernelInit {
  const Node* node = nullptr;
  int64_t opset = 0;
  /// Per input: the constant's data when that input is a graph constant, else nullptr.
  std::vector<const Tensor*> constants;
  /// Per input: the type known from the graph (shape may be partial).
  std::vector<TensorType> input_types;
  int threads = 1;

  const Tensor* constant(size_t i) const { return i < constants.size() ? constants[i] : nullptr; }
};

/// What a kernel sees while it runs.
class KernelContext {
 public:
  virtual ~KernelContext() = default;
  virtual size_t num_inputs() const = 0;
  /// Input i, or nullptr when the optional input is omitted.
  virtual const TensorView* input(size_t i) const = 0;
  virtual size_t num_outputs() const = 0;
  /// Allocates output i with `dims` (buffers are reused across values and runs) and returns
  /// it for writing. Omitted optional outputs still get scratch memory, so kernels need not
  /// care.
  virtual TensorView& output(size_t i, DType dtype, const std::vector<int64_t>& dims) = 0;
  /// Like output(), but takes over the buffer of input `input` when this step is that
  /// value's last reader, no other input of the step is the same value, and the layouts
  /// and sizes agree; `reused` says whether it did (then the output already holds the
  /// input's bytes, and the kernel must not read that input afterwards).
  virtual TensorView& output_reusing(size_t i, size_t input, DType dtype,
                                     const std::vector<int64_t>& dims, bool& reused) = 0;
  /// Whether output i is read by anything (lets kernels skip optional outputs).
  virtual bool output_needed(size_t i) const = 0;
  /// Whether output i is to be written channels-last (decided when the session loads).
  virtual bool output_channels_last(size_t i) const = 0;
  virtual int threads() const = 0;
  /// "node 'conv1' (Conv)", for error messages.
  virtual const std::string& node_label() const = 0;
};

class OpKernel {
 public:
  virtual ~OpKernel() = default;
  virtual void compute(KernelContext& ctx) = 0;

  // Channels-last (NHWC) activations between oneDNN kernels avoid a layout conversion
  // around every convolution. A value stays channels-last only when its producer produces
  // it and every reader accepts it; everything else sees plain row-major data.
  /// Whether input i may arrive channels-last.
  virtual bool accepts_channels_last(size_t input) const { return false; }
  /// Whether output 0 can be written channels-last when asked to.
  virtual bool produces_channels_last() const { return false; }
};

}  // namespace trex
