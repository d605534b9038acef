// Session implementation (see session.h).
#include "runtime/session.h"

#include <omp.h>
#include <sched.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <thread>
#include <unordered_map>

#include "onnx/onnx.h"
#include "passes/passes.h"
#include "runtime/kernel_registry.h"
#include "util/error.h"

namespace trex {

struct Session::Slot {
  TensorView view;
  Buffer buffer;          ///< owned pool memory, when the value is computed
  int uses = 0;           ///< readers per run (a node reading it twice counts once)
  int remaining = 0;      ///< readers still to run in the current run
  bool keep = false;      ///< graph output or constant: never released mid-run
  bool constant = false;  ///< points into a graph constant: set once at load
  bool filled = false;
  bool channels_last = false;                      ///< physical layout, decided at load
  std::vector<std::pair<size_t, size_t>> readers;  ///< (step, input index)
};

struct Session::Step {
  const Node* node;
  const KernelDef* def;
  std::unique_ptr<OpKernel> kernel;
  std::vector<int> in;             ///< slot per input (-1 omitted)
  std::vector<int> out;            ///< slot per output (-1 omitted: scratch)
  std::vector<int> release_after;  ///< distinct input slots
  std::string label;
};

class Session::Context : public KernelContext {
 public:
  Context(Session& s, Step& step) : s_(s), step_(step) {
    for (int id : step.in)
      inputs_.push_back(id < 0 ? nullptr : &s.slots_[static_cast<size_t>(id)].view);
    scratch_.resize(step.out.size());
  }
  ~Context() override {
    for (auto& sc : scratch_) s_.pool_.release(sc.buffer);
  }
  size_t num_inputs() const override { return inputs_.size(); }
  const TensorView* input(size_t i) const override {
    return i < inputs_.size() ? inputs_[i] : nullptr;
  }
  size_t num_outputs() const override { return step_.out.size(); }
  TensorView& output(size_t i, DType dtype, const std::vector<int64_t>& dims) override {
    TREX_ASSERT(i < step_.out.size());
    for (int64_t d : dims)
      if (d < 0)
        throw_invalid(step_.label + ": output " + std::to_string(i) + " has a negative dimension");
    Slot& slot = step_.out[i] < 0 ? scratch_[i] : s_.slots_[static_cast<size_t>(step_.out[i])];
    TREX_ASSERT(!slot.filled);
    TensorView v{dtype, dims, nullptr, slot.channels_last};
    slot.buffer = s_.pool_.acquire(v.nbytes());
    v.data = slot.buffer.data;
    slot.view = std::move(v);
    slot.filled = true;
    return slot.view;
  }
  TensorView& output_reusing(size_t i, size_t input, DType dtype, const std::vector<int64_t>& dims,
                             bool& reused) override {
    reused = false;
    int in_id = input < step_.in.size() ? step_.in[input] : -1;
    int out_id = step_.out[i];
    if (in_id >= 0 && out_id >= 0) {
      Slot& src = s_.slots_[static_cast<size_t>(in_id)];
      Slot& dst = s_.slots_[static_cast<size_t>(out_id)];
      TensorView want{dtype, dims, nullptr, dst.channels_last};
      bool sole = std::count(step_.in.begin(), step_.in.end(), in_id) == 1;
      if (sole && src.buffer.data && !src.keep && src.remaining == 1 &&
          src.channels_last == dst.channels_last && src.view.dims == dims &&
          src.view.dtype == dtype && src.buffer.size >= want.nbytes()) {
        TREX_ASSERT(!dst.filled);
        dst.buffer = src.buffer;  // the input's last reader is this step: its buffer moves
        src.buffer = Buffer{};
        want.data = dst.buffer.data;
        dst.view = std::move(want);
        dst.filled = true;
        reused = true;
        return dst.view;
      }
    }
    return output(i, dtype, dims);
  }
  bool output_needed(size_t i) const override {
    int id = step_.out[i];
    return id >= 0 &&
           (s_.slots_[static_cast<size_t>(id)].uses > 0 || s_.slots_[static_cast<size_t>(id)].keep);
  }
  bool output_channels_last(size_t i) const override {
    return step_.out[i] >= 0 && s_.slots_[static_cast<size_t>(step_.out[i])].channels_last;
  }
  int threads() const override { return s_.threads_; }
  const std::string& node_label() const override { return step_.label; }

 private:
  Session& s_;
  Step& step_;
  std::vector<const TensorView*> inputs_;
  std::vector<Slot> scratch_;
};

namespace {

// The cores this process may use: its affinity mask, capped by a cgroup v2 CPU quota
// (containers often see every core of the host but may use only a few).
int usable_cores() {
  int n = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof(set), &set) == 0) n = std::max(1, CPU_COUNT(&set));
  std::ifstream f("/sys/fs/cgroup/cpu.max");
  std::string quota;
  long long period = 0;
  if (f >> quota >> period && quota != "max" && period > 0) {
    long long q = std::atoll(quota.c_str());
    if (q > 0) n = std::min<long long>(n, std::max(1LL, (q + period - 1) / period));
  }
  return n;
}

}  // namespace

int resolve_threads(int requested) {
  if (requested > 0) return requested;
  if (const char* env = std::getenv("OMP_NUM_THREADS")) {
    int n = std::atoi(env);
    if (n > 0) return n;
  }
  static const int cores = usable_cores();
  return cores;
}

Session::Session(std::shared_ptr<const Graph> graph, const SessionOptions& opts)
    : threads_(resolve_threads(opts.threads)) {
  // The session runs its own copy, with runtime fusions (trex-domain ops) unless only
  // reference kernels are wanted.
  std::shared_ptr<Graph> own = graph->clone();
  if (!opts.reference_only) fuse_for_runtime(*own);
  graph_ = own;
  const Graph& g = *graph_;
  std::unordered_map<const Value*, int>& slot_of = slot_of_;
  auto slot_for = [&](const Value* v) {
    auto it = slot_of.find(v);
    if (it != slot_of.end()) return it->second;
    int id = static_cast<int>(slots_.size());
    slots_.emplace_back();
    slot_of[v] = id;
    return id;
  };
  for (const Value* in : g.inputs()) {
    inputs_.push_back({in->name(), in->type()});
    input_slots_.push_back(slot_for(in));
  }
  for (const Value* c : g.constants()) {
    Slot& s = slots_[static_cast<size_t>(slot_for(c))];
    const Tensor& t = c->constant();
    s.view = TensorView{t.dtype(), t.dims(), const_cast<uint8_t*>(t.raw())};
    s.keep = true;
    s.constant = true;
    s.filled = true;
  }
  for (const Node* n : g.topological_order()) {
    KernelInit init;
    init.node = n;
    init.opset = g.opset();
    init.threads = threads_;
    for (const Value* in : n->inputs()) {
      init.constants.push_back(in && in->is_constant() ? &in->constant() : nullptr);
      init.input_types.push_back(in ? in->type() : TensorType{});
    }
    const KernelDef* def = find_kernel(init, opts.reference_only);
    if (!def)
      throw_unsupported(n->describe() + ": op " + n->op_type() +
                        " is not supported by the trex runtime");
    Step step;
    step.node = n;
    step.def = def;
    step.label = n->describe();
    try {
      step.kernel = def->create(init);
    } catch (const Error& e) {
      if (std::string(e.what()).rfind(step.label, 0) == 0) throw;  // already names the node
      rethrow_with_context(e, step.label);
    } catch (const std::exception& e) {
      throw Error(ErrorKind::kInternal, step.label + ": " + e.what());
    }
    for (const Value* in : n->inputs()) step.in.push_back(in ? slot_for(in) : -1);
    for (const Value* out : n->outputs()) step.out.push_back(out ? slot_for(out) : -1);
    for (int id : step.in)
      if (id >= 0 && std::find(step.release_after.begin(), step.release_after.end(), id) ==
                         step.release_after.end())
        step.release_after.push_back(id);
    for (int id : step.release_after) ++slots_[static_cast<size_t>(id)].uses;
    for (size_t j = 0; j < step.in.size(); ++j)
      if (step.in[j] >= 0)
        slots_[static_cast<size_t>(step.in[j])].readers.emplace_back(steps_.size(), j);
    steps_.push_back(std::move(step));
  }
  for (const Value* out : g.outputs()) {
    outputs_.push_back({out->name(), out->type()});
    int id = slot_for(out);
    output_slots_.push_back(id);
    slots_[static_cast<size_t>(id)].keep = true;
  }
  plan_layouts();
}

void Session::plan_layouts() {
  for (const Step& step : steps_) {
    if (step.out.empty() || step.out[0] < 0 || !step.kernel->produces_channels_last()) continue;
    Slot& s = slots_[static_cast<size_t>(step.out[0])];
    const Value* v = step.node->output(0);
    size_t rank = v->shape() ? v->shape()->rank() : 0;
    // f32, and the 8-bit integers that the int8 kernels pass between them.
    const DType t = v->dtype();
    const bool layout_type = t == DType::kFloat32 || t == DType::kUInt8 || t == DType::kInt8;
    if (s.keep || s.readers.empty() || !layout_type || rank < 3 || rank > 5) continue;
    bool all_accept = true;
    for (const auto& [reader, index] : s.readers)
      all_accept = all_accept && steps_[reader].kernel->accepts_channels_last(index);
    s.channels_last = all_accept;
  }
}

Session::~Session() {
  for (Slot& s : slots_) release(s);
}

std::unique_ptr<Session> Session::load(const std::string& path, const SessionOptions& opts) {
  std::shared_ptr<Graph> g = load_onnx(path);
  canonicalize(*g);
  try {
    return std::make_unique<Session>(g, opts);
  } catch (const Error& e) {
    rethrow_with_context(e, path);
  }
}

std::vector<std::string> Session::observe(const std::vector<std::string>& values,
                                          ValueObserver fn) {
  observed_after_.assign(steps_.size(), {});
  observed_inputs_.clear();
  observer_ = std::move(fn);
  std::unordered_map<int, size_t> producer_step;
  for (size_t i = 0; i < steps_.size(); ++i)
    for (int id : steps_[i].out)
      if (id >= 0) producer_step[id] = i;
  std::vector<std::string> missing;
  for (size_t k = 0; k < values.size(); ++k) {
    const Value* v = graph_->find_value(values[k]);
    auto slot = v ? slot_of_.find(v) : slot_of_.end();
    if (slot == slot_of_.end() || v->is_constant()) {
      missing.push_back(values[k]);
      continue;
    }
    auto step = producer_step.find(slot->second);
    if (step != producer_step.end())
      observed_after_[step->second].emplace_back(slot->second, k);
    else
      observed_inputs_.emplace_back(slot->second, k);
  }
  return missing;
}

std::vector<std::string> Session::kernel_choices() const {
  std::vector<std::string> out;
  for (const Step& s : steps_) {
    bool cl =
        !s.out.empty() && s.out[0] >= 0 && slots_[static_cast<size_t>(s.out[0])].channels_last;
    out.push_back(s.node->name() + " (" + s.node->op_type() +
                  "): " + (s.def->backend == Backend::kDnnl ? "dnnl" : "reference") +
                  (cl ? ", channels-last" : ""));
  }
  return out;
}

std::vector<Session::StepTime> Session::profile() const {
  std::vector<StepTime> out;
  std::vector<std::string> names = kernel_choices();
  for (size_t i = 0; i < steps_.size(); ++i)
    out.push_back({names[i], i < step_ms_.size() ? step_ms_[i] : 0.0});
  return out;
}

void Session::release(Slot& s) {
  if (s.buffer.data) pool_.release(s.buffer);
  s.buffer = Buffer{};
}

void Session::check_inputs(const std::map<std::string, Tensor>& inputs) const {
  for (const auto& entry : inputs) {
    const std::string& name = entry.first;  // a plain reference: lambdas cannot capture bindings
    auto it = std::find_if(inputs_.begin(), inputs_.end(),
                           [&name](const PortInfo& p) { return p.name == name; });
    if (it == inputs_.end()) {
      std::string names;
      for (const PortInfo& p : inputs_) names += (names.empty() ? "" : ", ") + p.name;
      throw_invalid("unknown input '" + name + "' (the model's inputs: " + names + ")");
    }
  }
  for (const PortInfo& p : inputs_) {
    auto it = inputs.find(p.name);
    if (it == inputs.end()) throw_invalid("missing input '" + p.name + "' " + p.type.to_string());
    const Tensor& t = it->second;
    if (p.type.dtype != DType::kUndefined && t.dtype() != p.type.dtype)
      throw_invalid("input '" + p.name + "' has dtype " + dtype_name(t.dtype()) +
                    ", the model expects " + dtype_name(p.type.dtype));
    if (!p.type.shape) continue;
    const Shape& want = *p.type.shape;
    bool ok = want.rank() == t.rank();
    for (size_t i = 0; ok && i < want.rank(); ++i)
      ok = !want[i].is_static() || want[i].value() == t.dims()[i];
    if (!ok)
      throw_invalid("input '" + p.name + "' has shape " + Shape::from_static(t.dims()).to_string() +
                    ", the model expects " + want.to_string());
  }
}

std::vector<Tensor> Session::run(const std::map<std::string, Tensor>& inputs) {
  check_inputs(inputs);
  omp_set_num_threads(threads_);
  for (Slot& s : slots_) {
    if (s.constant) continue;
    release(s);
    s.filled = false;
    s.remaining = s.uses;
  }
  for (size_t i = 0; i < inputs_.size(); ++i) {
    Slot& s = slots_[static_cast<size_t>(input_slots_[i])];
    const Tensor& t = inputs.at(inputs_[i].name);
    s.view = TensorView{t.dtype(), t.dims(), const_cast<uint8_t*>(t.raw())};
    s.filled = true;
  }
  step_ms_.resize(steps_.size(), 0.0);
  if (observer_)
    for (const auto& [id, k] : observed_inputs_) observer_(k, slots_[static_cast<size_t>(id)].view);
  try {
    for (size_t si = 0; si < steps_.size(); ++si) {
      Step& step = steps_[si];
      auto t0 =
          profiling_ ? std::chrono::steady_clock::now() : std::chrono::steady_clock::time_point{};
      for (int id : step.in)
        if (id >= 0 && !slots_[static_cast<size_t>(id)].filled)
          throw_internal(__FILE__, __LINE__, step.label + ": an input was not computed");
      {
        Context ctx(*this, step);
        try {
          step.kernel->compute(ctx);
        } catch (const Error& e) {
          if (std::string(e.what()).rfind(step.label, 0) == 0) throw;  // already names the node
          rethrow_with_context(e, step.label);
        } catch (const std::exception& e) {  // oneDNN and the standard library report this way
          throw Error(ErrorKind::kInternal, step.label + ": " + e.what());
        }
        for (size_t i = 0; i < step.out.size(); ++i)
          if (step.out[i] >= 0 && !slots_[static_cast<size_t>(step.out[i])].filled)
            throw_internal(__FILE__, __LINE__,
                           step.label + ": kernel did not write output " + std::to_string(i));
      }
      if (observer_ && !observed_after_.empty())
        for (const auto& [id, k] : observed_after_[si])
          observer_(k, slots_[static_cast<size_t>(id)].view);
      for (int id : step.release_after) {
        Slot& s = slots_[static_cast<size_t>(id)];
        if (--s.remaining == 0 && !s.keep) release(s);
      }
      if (profiling_)
        step_ms_[si] +=
            std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0)
                .count();
    }
  } catch (...) {
    for (Slot& s : slots_)
      if (s.buffer.data) release(s);
    throw;
  }
  std::vector<Tensor> result;
  for (int id : output_slots_) {
    Slot& s = slots_[static_cast<size_t>(id)];
    result.push_back(Tensor::from_bytes(s.view.dtype, s.view.dims, s.view.data, s.view.nbytes()));
    release(s);
  }
  return result;
}

}  // namespace trex
