// Quantizer placement (see quantizer_placement.h). Requests are (node, input) pairs from
// the CPU op table; a value whose every reader asks for a quantizer and whose producer is
// quantization-agnostic hands the request up to the producer's input, so MaxPool and
// reshapes run on int8 data. A reverse topological sweep does this in one pass.
#include "quant/quantizer_placement.h"

#include <algorithm>
#include <map>
#include <numeric>
#include <regex>
#include <set>

#include "quant/hardware_config.h"
#include "util/user_regex.h"

namespace trex::quant {

const ActivationQuantizer* QuantizationSetup::find_activation(const std::string& value) const {
  for (const ActivationQuantizer& a : activations)
    if (a.value == value) return &a;
  return nullptr;
}

bool is_ignored(const Node& n, const IgnoredScope& scope, std::string* why) {
  auto say = [why](const std::string& s) {
    if (why) *why = s;
    return true;
  };
  for (const std::string& name : scope.names)
    if (n.name() == name) return say("ignored scope: name '" + name + "'");
  for (const std::string& p : scope.patterns)
    if (std::regex_match(n.name(), user_regex(p))) return say("ignored scope: pattern '" + p + "'");
  for (const std::string& t : scope.types)
    if (n.op_type() == t) return say("ignored scope: type '" + t + "'");
  return false;
}

namespace {

/// Float data, or of a type not inferred (graphs built in code may leave types open).
bool maybe_float(const Value* v) {
  return v->dtype() == DType::kFloat32 || v->dtype() == DType::kUndefined;
}

struct UnionFind {
  std::vector<int> parent;
  int add() {
    parent.push_back(static_cast<int>(parent.size()));
    return parent.back();
  }
  int find(int x) { return parent[x] == x ? x : parent[x] = find(parent[x]); }
  void join(int a, int b) { parent[find(a)] = find(b); }
};

}  // namespace

QuantizationSetup place_quantizers(const Graph& g, const IgnoredScope& ignored, bool transformer) {
  QuantizationSetup setup;
  std::vector<Node*> order = g.topological_order();

  // Which ignored-scope entries match something.
  for (const std::string& name : ignored.names)
    if (!g.find_node(name)) setup.unmatched_ignored.push_back("name '" + name + "'");
  for (const std::string& p : ignored.patterns) {
    std::regex re = user_regex(p);
    bool any = std::any_of(order.begin(), order.end(),
                           [&re](const Node* n) { return std::regex_match(n->name(), re); });
    if (!any) setup.unmatched_ignored.push_back("pattern '" + p + "'");
  }
  for (const std::string& t : ignored.types) {
    bool any =
        std::any_of(order.begin(), order.end(), [&t](const Node* n) { return n->op_type() == t; });
    if (!any) setup.unmatched_ignored.push_back("type '" + t + "'");
  }

  // Requests: value -> readers that want it quantized.
  std::map<const Value*, std::vector<Use>> requests;
  std::map<const Node*, OpRole> roles;
  for (Node* n : order) {
    std::string why;
    OpRole role = cpu_op_role(*n, transformer);
    if (is_ignored(*n, ignored, &why)) {
      role = OpRole{};
      role.why = why;
    }
    roles[n] = role;
    if (role.kind == OpRole::Kind::kFloat) {
      setup.float_nodes.push_back({n->name(), n->op_type(), role.why});
      continue;
    }
    if (role.kind != OpRole::Kind::kQuantizable) continue;
    bool any = false;
    for (size_t i : role.activation_inputs) {
      Value* v = n->input(i);
      if (!v || v->is_constant() || !maybe_float(v)) continue;
      requests[v].push_back({n, i});
      any = true;
    }
    if (!any) {
      setup.float_nodes.push_back({n->name(), n->op_type(), "no float activation input"});
      roles[n].kind = OpRole::Kind::kFloat;
    }
  }

  // Hand requests up through agnostic producers (reverse topological order, so chains of
  // agnostic ops move in one sweep).
  std::map<const Value*, const Value*> moved_to;
  for (auto it = order.rbegin(); it != order.rend(); ++it) {
    Node* p = *it;
    if (roles[p].kind != OpRole::Kind::kAgnostic || p->num_outputs() != 1) continue;
    Value* out = p->output(0);
    Value* in = p->input(0);
    auto req = requests.find(out);
    if (req == requests.end() || out->is_graph_output() || !in || in->is_constant() ||
        !maybe_float(in) || req->second.size() != out->uses().size())
      continue;
    requests.erase(req);
    requests[in].push_back({p, 0});
    moved_to[out] = in;
  }

  // One quantizer per requested value, in topological order of the values' producers.
  std::map<const Value*, int> index_of;
  auto add_quantizer = [&](const Value* v) {
    auto req = requests.find(v);
    if (req == requests.end() || index_of.count(v)) return;
    ActivationQuantizer q;
    q.value = v->name();
    q.model_input = v->is_graph_input();
    for (const Use& u : req->second) q.consumers.emplace_back(u.node->name(), u.index);
    index_of[v] = static_cast<int>(setup.activations.size());
    setup.activations.push_back(std::move(q));
  };
  for (const Value* in : g.inputs()) add_quantizer(in);
  for (Node* n : order)
    for (const Value* out : n->outputs()) add_quantizer(out);

  // The quantizer that covers a value (following hand-ups through agnostic ops).
  auto quantizer_of = [&](const Value* v) -> int {
    while (v) {
      auto it = index_of.find(v);
      if (it != index_of.end()) return it->second;
      auto m = moved_to.find(v);
      v = m == moved_to.end() ? nullptr : m->second;
    }
    return -1;
  };

  // Unified scales: a Concat's quantized inputs and its output's quantizer form one group.
  UnionFind uf;
  for (size_t i = 0; i < setup.activations.size(); ++i) uf.add();
  for (Node* n : order) {
    if (!roles[n].unified_scales || roles[n].kind != OpRole::Kind::kQuantizable) continue;
    std::vector<int> members;
    for (size_t i : roles[n].activation_inputs) {
      int q = quantizer_of(n->input(i));
      if (q >= 0) members.push_back(q);
    }
    int out_q = quantizer_of(n->output(0));
    if (out_q >= 0) members.push_back(out_q);
    for (size_t i = 1; i < members.size(); ++i) uf.join(members[i], members[0]);
  }
  std::map<int, int> group_ids;
  for (size_t i = 0; i < setup.activations.size(); ++i) {
    int root = uf.find(static_cast<int>(i));
    bool shared = false;
    for (size_t j = 0; j < setup.activations.size(); ++j)
      shared = shared || (j != i && uf.find(static_cast<int>(j)) == root);
    if (!shared) continue;
    auto [it, fresh] = group_ids.emplace(root, static_cast<int>(group_ids.size()));
    setup.activations[i].group = it->second;
  }

  // Weights, and the list of quantized nodes.
  for (Node* n : order) {
    const OpRole& role = roles[n];
    if (role.kind != OpRole::Kind::kQuantizable) continue;
    setup.quantized_nodes.push_back(n->name());
    for (size_t i : role.activation_inputs) {
      int q = quantizer_of(n->input(i));
      if (q >= 0)
        setup.input_quantizer[{n->name(), i}] = setup.activations[static_cast<size_t>(q)].value;
    }
    if (role.weight_input < 0) continue;
    WeightQuantizer w;
    w.node = n->name();
    w.input = static_cast<size_t>(role.weight_input);
    w.axis = role.weight_axis;
    int q = quantizer_of(n->input(0));
    w.first_layer = q >= 0 && setup.activations[static_cast<size_t>(q)].model_input;
    setup.weights.push_back(w);
  }
  return setup;
}

void add_output_quantizers(const Graph& g, const IgnoredScope& ignored, QuantizationSetup& setup) {
  for (const Value* v : g.outputs()) {
    // (A model input that is also an output keeps its name as an input: left float.)
    if (!v || v->is_constant() || v->is_graph_input() || v->dtype() != DType::kFloat32) continue;
    if (const Node* p = v->producer(); p && is_ignored(*p, ignored)) continue;
    bool found = false;
    for (ActivationQuantizer& a : setup.activations)
      if (a.value == v->name()) a.model_output = found = true;
    if (found) continue;
    ActivationQuantizer a;
    a.value = v->name();
    a.model_output = true;
    setup.activations.push_back(std::move(a));
  }
}

void drop_quantizers(QuantizationSetup& setup, const std::set<std::string>& activations,
                     const std::set<std::string>& weights) {
  auto& a = setup.activations;
  a.erase(std::remove_if(a.begin(), a.end(),
                         [&](const ActivationQuantizer& q) { return activations.count(q.value); }),
          a.end());
  auto& w = setup.weights;
  w.erase(std::remove_if(w.begin(), w.end(),
                         [&](const WeightQuantizer& q) { return weights.count(q.node); }),
          w.end());
  for (auto it = setup.input_quantizer.begin(); it != setup.input_quantizer.end();)
    it = activations.count(it->second) ? setup.input_quantizer.erase(it) : std::next(it);
}

}  // namespace trex::quant
