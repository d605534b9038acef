// Session: the CPU executor. Loading a model picks a kernel for every node (a node no
// kernel supports fails here, naming the op and the node), creates the kernels once
// (weights are pre-packed then) and orders the steps. Each run checks the inputs, runs the
// steps, and returns buffers to a pool as soon as their last reader is done.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "ir/graph.h"
#include "runtime/buffer_pool.h"
#include "runtime/kernel.h"

namespace trex {

struct SessionOptions {
  /// Threads for kernels; 0 takes OMP_NUM_THREADS, else the number of cores.
  int threads = 0;
  /// Use reference kernels only (differential tests, debugging).
  bool reference_only = false;
};

struct PortInfo {
  std::string name;
  TensorType type;
};

class Session {
 public:
  /// Compiles `graph`, which must outlive nothing: the session keeps it.
  explicit Session(std::shared_ptr<const Graph> graph, const SessionOptions& opts = {});
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  /// Loads an ONNX model, canonicalizes it and compiles it.
  static std::unique_ptr<Session> load(const std::string& path, const SessionOptions& opts = {});

  const std::vector<PortInfo>& inputs() const { return inputs_; }
  const std::vector<PortInfo>& outputs() const { return outputs_; }
  int threads() const { return threads_; }
  /// Which kernel runs each node: "conv1 (Conv): dnnl", in execution order.
  std::vector<std::string> kernel_choices() const;

  /// Runs the model. `inputs` maps every graph input name to a tensor of the declared dtype
  /// and a shape that agrees with the declared static dims. Returns the graph outputs in
  /// order.
  std::vector<Tensor> run(const std::map<std::string, Tensor>& inputs);

  /// Called during run() right after value `index` (of the list given to observe) is
  /// computed; the view (possibly channels-last) is valid only during the call.
  using ValueObserver = std::function<void(size_t index, const TensorView& value)>;
  /// Watches `values` (by name) in later runs, replacing earlier observers. Returns the names
  /// the session's graph does not have (fused away by runtime fusions, or unknown); those are
  /// not watched.
  std::vector<std::string> observe(const std::vector<std::string>& values, ValueObserver fn);

  /// Bytes the buffer pool holds (peak working memory of runs so far).
  size_t pool_bytes() const { return pool_.allocated_bytes(); }

  /// Per-node timing of later runs (off by default: it costs a clock read per step).
  void set_profiling(bool on) { profiling_ = on; }
  struct StepTime {
    std::string node;     ///< "conv1 (Conv): dnnl"
    double total_ms = 0;  ///< summed over profiled runs
  };
  /// Accumulated step times, in execution order.
  std::vector<StepTime> profile() const;

 private:
  struct Step;
  struct Slot;
  class Context;

  void check_inputs(const std::map<std::string, Tensor>& inputs) const;
  /// Marks values channels-last where producer and all readers handle it.
  void plan_layouts();
  void release(Slot& s);

  std::shared_ptr<const Graph> graph_;
  std::vector<PortInfo> inputs_;
  std::vector<PortInfo> outputs_;
  std::vector<Step> steps_;
  std::vector<Slot> slots_;
  std::vector<int> input_slots_;
  std::vector<int> output_slots_;
  BufferPool pool_;
  int threads_ = 1;
  bool profiling_ = false;
  std::unordered_map<const Value*, int> slot_of_;
  std::vector<std::vector<std::pair<int, size_t>>> observed_after_;  ///< per step: (slot, index)
  std::vector<std::pair<int, size_t>> observed_inputs_;
  ValueObserver observer_;
  std::vector<double> step_ms_;
};

/// Thread count from SessionOptions::threads, OMP_NUM_THREADS or the cores this process may
/// use (its affinity mask, capped by a cgroup CPU quota).
int resolve_threads(int requested);

}  // namespace trex
