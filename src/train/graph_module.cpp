// GraphModule: slots for every value, parameters/buffers for weights, one step per node.
#include "train/graph_module.h"

#include <map>
#include <set>

#include "util/error.h"

namespace trex::train {

torch::Tensor to_torch(const Tensor& t) {
  torch::ScalarType st;
  switch (t.dtype()) {
    case DType::kFloat32:
      st = torch::kFloat32;
      break;
    case DType::kFloat64:
      st = torch::kFloat64;
      break;
    case DType::kInt64:
      st = torch::kInt64;
      break;
    case DType::kInt32:
      st = torch::kInt32;
      break;
    case DType::kInt8:
      st = torch::kInt8;
      break;
    case DType::kUInt8:
      st = torch::kUInt8;
      break;
    case DType::kBool:
      st = torch::kBool;
      break;
    default:
      throw_unsupported(std::string("the training backend has no ") + dtype_name(t.dtype()) +
                        " tensors");
  }
  if (t.numel() == 0) return torch::empty(t.dims(), torch::TensorOptions().dtype(st));
  return torch::from_blob(const_cast<uint8_t*>(t.raw()), t.dims(), st).clone();
}

Tensor from_torch(const torch::Tensor& t) {
  torch::Tensor c = t.detach().contiguous();
  DType dt;
  switch (c.scalar_type()) {
    case torch::kFloat32:
      dt = DType::kFloat32;
      break;
    case torch::kFloat64:
      dt = DType::kFloat64;
      break;
    case torch::kInt64:
      dt = DType::kInt64;
      break;
    case torch::kInt32:
      dt = DType::kInt32;
      break;
    case torch::kInt8:
      dt = DType::kInt8;
      break;
    case torch::kUInt8:
      dt = DType::kUInt8;
      break;
    case torch::kBool:
      dt = DType::kBool;
      break;
    default:
      throw_unsupported("cannot convert a libtorch tensor of this dtype to trex");
  }
  std::vector<int64_t> dims(c.sizes().begin(), c.sizes().end());
  return Tensor::from_bytes(dt, dims, c.data_ptr(), c.numel() * c.element_size());
}

namespace {

enum class Role { kFixed, kWeight, kState };

/// What a constant at input `index` of `node` is to training.
Role role_of(const Node& n, size_t index) {
  const std::string& op = n.op_type();
  if (op == "Conv" || op == "ConvTranspose" || op == "Gemm" || op == "PRelu")
    return index >= 1 ? Role::kWeight : Role::kFixed;
  if (op == "MatMul") return Role::kWeight;
  // Fake quantizers train their range parameters and the float weight they quantize.
  if (op == "FakeQuantize" && n.domain() == "trex") return Role::kWeight;
  // rb_sparsity trains the weight and its mask logits.
  if (op == "RBSparsify" && n.domain() == "trex") return Role::kWeight;
  if (op == "BatchNormalization") {
    if (index == 1 || index == 2) return Role::kWeight;
    if (index == 3 || index == 4) return Role::kState;
  }
  return Role::kFixed;
}

}  // namespace

GraphModule::GraphModule(const Graph& graph) : graph_(graph.clone()) {
  const Graph& g = *graph_;
  std::map<const Value*, int> slot;
  auto slot_of = [&](const Value* v) {
    auto [it, added] = slot.emplace(v, static_cast<int>(constant_slots_.size()));
    if (added) constant_slots_.emplace_back();
    return it->second;
  };

  // Roles: a constant any trainable position reads is trained; BN statistics are state.
  std::map<const Value*, Role> roles;
  for (Node* n : g.nodes())
    for (size_t i = 0; i < n->num_inputs(); ++i) {
      const Value* v = n->input(i);
      if (!v || !v->is_constant()) continue;
      Role r = role_of(*n, i);
      if (r == Role::kFixed) continue;
      if (!dtype_is_float(v->dtype()))
        throw_invalid(n->describe() + ": input " + std::to_string(i) + " ('" + v->name() +
                      "') is " + dtype_name(v->dtype()) + ", expected a float weight");
      auto [it, added] = roles.emplace(v, r);
      if (!added && it->second != r)
        throw_unsupported(n->describe() + ": '" + v->name() +
                          "' is both a weight and BatchNorm statistics");
    }

  for (Value* v : g.constants()) {
    int s = slot_of(v);
    torch::Tensor t = to_torch(v->constant());
    Role r = roles.count(v) ? roles[v] : Role::kFixed;
    std::string key = "v" + std::to_string(s);  // libtorch names may not contain '.'
    if (r == Role::kWeight) {
      t = register_parameter(key, t.to(torch::kFloat32));
      weights_.emplace_back(v->name(), t);
    } else if (r == Role::kState) {
      t = register_buffer(key, t.to(torch::kFloat32));
      state_.emplace_back(v->name(), t);
    }
    constant_slots_[s] = t;
  }
  for (Value* v : g.inputs()) input_slots_.push_back(slot_of(v));
  for (Node* n : g.topological_order()) {
    NodeStep step;
    step.node = n->name();
    for (Value* v : n->inputs()) step.inputs.push_back(v ? slot_of(v) : -1);
    for (Value* v : n->outputs()) step.outputs.push_back(v && !v->name().empty() ? slot_of(v) : -1);
    step.run = make_torch_step(*n, g);
    steps_.push_back(std::move(step));
  }
  for (Value* v : g.outputs()) output_slots_.push_back(slot_of(v));
}

std::vector<torch::Tensor> GraphModule::forward(const std::vector<torch::Tensor>& inputs) {
  if (inputs.size() != input_slots_.size())
    throw_invalid("model takes " + std::to_string(input_slots_.size()) + " inputs, got " +
                  std::to_string(inputs.size()));
  std::vector<torch::Tensor> slots = constant_slots_;
  for (size_t i = 0; i < inputs.size(); ++i) slots[input_slots_[i]] = inputs[i];
  bool training = is_training();
  std::vector<torch::Tensor> args;
  for (const NodeStep& s : steps_) {
    args.clear();
    for (int i : s.inputs) args.push_back(i >= 0 ? slots[i] : torch::Tensor());
    std::vector<torch::Tensor> outs =
        s.bypassed ? std::vector<torch::Tensor>{args.at(0)} : s.run(args, training);
    for (size_t i = 0; i < s.outputs.size() && i < outs.size(); ++i)
      if (s.outputs[i] >= 0) slots[s.outputs[i]] = std::move(outs[i]);
  }
  std::vector<torch::Tensor> out;
  for (int s : output_slots_) out.push_back(slots[s]);
  return out;
}

void GraphModule::set_bypassed(const std::set<std::string>& nodes) {
  size_t found = 0;
  for (NodeStep& s : steps_) {
    s.bypassed = nodes.count(s.node) > 0;
    if (!s.bypassed) continue;
    if (s.outputs.size() != 1 || s.inputs.empty() || s.inputs[0] < 0)
      throw_invalid("node '" + s.node + "' cannot be bypassed (one input passed to one output)");
    ++found;
  }
  if (found != nodes.size())
    throw_invalid("bypass: " + std::to_string(nodes.size() - found) + " node(s) not in the model");
}

void GraphModule::write_back(Graph& g) const {
  for (const auto* list : {&weights_, &state_})
    for (const auto& [name, t] : *list) {
      Value* v = g.find_value(name);
      if (!v || !v->is_constant())
        throw_invalid("write back: the graph has no constant '" + name + "'");
      Tensor fresh = from_torch(t);
      if (fresh.dims() != v->constant().dims())
        throw_invalid("write back: '" + name + "' changed shape");
      v->set_constant(fresh.cast(v->dtype()));
    }
}

std::unique_ptr<Graph> GraphModule::export_graph() const {
  auto g = graph_->clone();
  write_back(*g);
  return g;
}

}  // namespace trex::train
