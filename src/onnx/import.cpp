// ONNX -> graph IR. Validates at the door: every structural problem of the file is reported
// here, naming the file and the node, so later stages can assume a well-formed graph.
#include <google/protobuf/stubs/logging.h>
#include <onnx/checker.h>
#include <onnx/defs/schema.h>
#include <onnx/version_converter/convert.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <queue>
#include <unordered_map>
#include <unordered_set>

#include "ir/verifier.h"
#include "onnx/onnx.h"
#include "onnx/shape_inference.h"
#include "onnx/tensor_proto.h"
#include "util/error.h"
#include "util/file_io.h"
#include "util/isolate.h"

// libonnx exports this overload (check_model(path) uses it to resolve external data
// relative to the model's folder) but its header does not declare it.
namespace onnx::checker {
void check_model(const ModelProto& model, CheckerContext& ctx);
}  // namespace onnx::checker

namespace trex {

using namespace onnx_io;

namespace {

/// First line of a message from libonnx (its context blocks span several lines).
std::string first_line(const std::string& s) {
  auto nl = s.find('\n');
  return nl == std::string::npos ? s : s.substr(0, nl);
}

std::string node_label(const onnx::NodeProto& n, int index) {
  std::string name = n.name().empty() ? "#" + std::to_string(index) : n.name();
  return "node '" + name + "' (" + n.op_type() + ")";
}

bool is_default_domain(const std::string& d) {
  return d.empty() || d == "ai.onnx";
}

int64_t default_opset(const onnx::ModelProto& m) {
  int64_t v = -1;
  for (const auto& op : m.opset_import())
    if (is_default_domain(op.domain())) v = op.version();
  return v;
}

void check_opsets(const onnx::ModelProto& m, bool upgrade) {
  if (m.opset_import_size() == 0) throw_invalid("model has no opset_import");
  std::unordered_set<std::string> seen;
  for (const auto& op : m.opset_import()) {
    std::string d = is_default_domain(op.domain()) ? "" : op.domain();
    if (!seen.insert(d).second)
      throw_invalid("opset_import lists domain '" + op.domain() + "' twice");
  }
  int64_t v = default_opset(m);
  if (v < 0) throw_unsupported("model imports no default-domain (ai.onnx) opset");
  int64_t lo = upgrade ? 1 : kMinNativeOpset;
  if (v < lo || v > max_supported_opset())
    throw_unsupported("default-domain opset " + std::to_string(v) +
                      " is not supported (supported: " + std::to_string(kMinNativeOpset) + " to " +
                      std::to_string(max_supported_opset()) +
                      (upgrade ? "; opsets 1-6 are upgraded to 7)" : ")"));
}

/// Rejects nodes outside the default domain before anything else looks at opsets.
void check_domains(const onnx::GraphProto& g, bool allow_trex) {
  for (int i = 0; i < g.node_size(); ++i) {
    const auto& n = g.node(i);
    if (allow_trex && n.domain() == "trex") continue;
    if (!is_default_domain(n.domain()))
      throw_unsupported(node_label(n, i) + ": domain '" + n.domain() +
                        "' is not supported (trex handles the default ONNX domain)");
  }
}

/// Checks every node of the proto graph under the model's own opset: op known, domain
/// supported, attributes well-typed (ONNX's schema verifier), no subgraphs.
void check_nodes(const onnx::GraphProto& g, int64_t opset) {
  const auto* registry = onnx::OpSchemaRegistry::Instance();
  for (int i = 0; i < g.node_size(); ++i) {
    const auto& n = g.node(i);
    std::string label = node_label(n, i);
    if (n.op_type().empty()) throw_invalid(label + ": empty op_type");
    if (n.domain() == "trex") continue;  // admitted by check_domains; no ONNX schema
    for (const auto& a : n.attribute()) {
      if (a.has_g() || a.graphs_size() > 0)
        throw_unsupported(label + ": attribute '" + a.name() +
                          "' holds a subgraph; control flow (If/Loop/Scan) is not supported");
      if (a.has_sparse_tensor() || a.sparse_tensors_size() > 0)
        throw_unsupported(label + ": attribute '" + a.name() + "' holds a sparse tensor");
      if (a.has_tp() || a.type_protos_size() > 0)
        throw_unsupported(label + ": attribute '" + a.name() + "' holds a type");
    }
    const auto* schema = registry->GetSchema(n.op_type(), static_cast<int>(opset), "");
    if (!schema) {
      if (registry->GetSchema(n.op_type(), static_cast<int>(max_supported_opset()), ""))
        throw_unsupported(label + ": op " + n.op_type() + " does not exist at opset " +
                          std::to_string(opset));
      throw_unsupported(label + ": unknown op '" + n.op_type() + "'");
    }
    if (schema->Deprecated())
      throw_unsupported(label + ": op " + n.op_type() + " is deprecated at opset " +
                        std::to_string(opset));
    for (const auto& a : n.attribute()) {  // clearer than the schema verifier's wording
      auto it = schema->attributes().find(a.name());
      if (it != schema->attributes().end() && a.type() != it->second.type)
        throw_invalid(label + ": attribute '" + a.name() + "' has type " +
                      onnx::AttributeProto::AttributeType_Name(a.type()) + ", expected " +
                      onnx::AttributeProto::AttributeType_Name(it->second.type));
    }
    try {
      schema->Verify(n);
    } catch (const std::exception& e) {
      throw_invalid(label + ": " + first_line(e.what()));
    }
  }
}

/// Checks that every edge has a source and every value one producer (the graph may list
/// nodes out of order; cycles are found when the IR is sorted).
void check_edges(const onnx::GraphProto& g) {
  std::unordered_map<std::string, std::string> defined;  // value -> what defines it
  for (const auto& init : g.initializer()) {
    if (init.name().empty()) throw_invalid("an initializer has no name");
    if (!defined.emplace(init.name(), "initializer").second)
      throw_invalid("initializer '" + init.name() + "' is defined twice");
  }
  for (const auto& in : g.input()) {
    if (in.name().empty()) throw_invalid("a graph input has no name");
    auto it = defined.find(in.name());
    if (it != defined.end() && it->second != "initializer")
      throw_invalid("graph input '" + in.name() + "' is listed twice");
    defined.emplace(in.name(), "graph input");
  }
  for (int i = 0; i < g.node_size(); ++i) {
    const auto& n = g.node(i);
    for (const auto& out : n.output()) {
      if (out.empty()) continue;
      auto [it, fresh] = defined.emplace(out, node_label(n, i));
      if (!fresh)
        throw_invalid(node_label(n, i) + ": output '" + out + "' is already defined by " +
                      it->second);
    }
  }
  for (int i = 0; i < g.node_size(); ++i) {
    const auto& n = g.node(i);
    for (const auto& in : n.input())
      if (!in.empty() && !defined.count(in))
        throw_invalid(node_label(n, i) + ": input '" + in +
                      "' is not produced by any node, graph input or initializer");
  }
  if (g.output_size() == 0) throw_invalid("graph has no outputs");
  for (const auto& out : g.output())
    if (!defined.count(out.name()))
      throw_invalid("graph output '" + out.name() + "' is not produced by any node");
}

/// Puts the nodes in topological order (ONNX requires it; some writers do not), naming a
/// node on the cycle when there is one.
void sort_nodes(onnx::GraphProto& g) {
  std::unordered_map<std::string, int> producer;
  for (int i = 0; i < g.node_size(); ++i)
    for (const auto& out : g.node(i).output())
      if (!out.empty()) producer[out] = i;
  std::vector<std::vector<int>> users(static_cast<size_t>(g.node_size()));
  std::vector<int> pending(static_cast<size_t>(g.node_size()), 0);
  for (int i = 0; i < g.node_size(); ++i) {
    std::unordered_set<int> deps;
    for (const auto& in : g.node(i).input()) {
      auto it = producer.find(in);
      if (it != producer.end() && deps.insert(it->second).second) {
        users[static_cast<size_t>(it->second)].push_back(i);
        ++pending[static_cast<size_t>(i)];
      }
    }
  }
  // A min-heap on the node index keeps an already sorted file exactly as it is.
  std::vector<int> order;
  std::priority_queue<int, std::vector<int>, std::greater<int>> ready;
  for (int i = 0; i < g.node_size(); ++i)
    if (pending[static_cast<size_t>(i)] == 0) ready.push(i);
  while (!ready.empty()) {
    int i = ready.top();
    ready.pop();
    order.push_back(i);
    for (int u : users[static_cast<size_t>(i)])
      if (--pending[static_cast<size_t>(u)] == 0) ready.push(u);
  }
  if (static_cast<int>(order.size()) != g.node_size()) {
    for (int i = 0; i < g.node_size(); ++i)
      if (pending[static_cast<size_t>(i)] > 0)
        throw_invalid("graph has a cycle through " + node_label(g.node(i), i));
  }
  bool sorted = true;
  for (size_t k = 0; k < order.size(); ++k) sorted = sorted && order[k] == static_cast<int>(k);
  if (sorted) return;
  google::protobuf::RepeatedPtrField<onnx::NodeProto> nodes;
  for (int i : order) *nodes.Add() = g.node(i);
  g.mutable_node()->Swap(&nodes);
}

/// Graph inputs need a tensor type before ONNX's checker and shape inference see them.
void check_input_types(const onnx::GraphProto& g) {
  std::unordered_set<std::string> init_names;
  for (const auto& init : g.initializer()) init_names.insert(init.name());
  for (const auto& in : g.input()) {
    if (init_names.count(in.name())) continue;
    if (!in.has_type() || in.type().value_case() == onnx::TypeProto::VALUE_NOT_SET)
      throw_invalid("graph input '" + in.name() + "' has no type");
    if (!in.type().has_tensor_type())
      throw_unsupported("graph input '" + in.name() +
                        "' is not a tensor (sequence, map and optional inputs are not supported)");
    if (in.type().has_tensor_type() &&
        in.type().tensor_type().elem_type() == onnx::TensorProto::UNDEFINED)
      throw_invalid("graph input '" + in.name() + "' has no element type");
  }
}

/// ONNX's own checker, after trex's more specific checks; its shape inference assumes a
/// model that passes it.
void run_onnx_checker(const onnx::ModelProto& m, const std::string& base_dir) {
  try {
    onnx::checker::CheckerContext ctx;
    if (!base_dir.empty()) ctx.set_model_dir(base_dir + "/");
    onnx::checker::check_model(m, ctx);
  } catch (const std::exception& e) {
    throw_invalid("not a valid ONNX model: " + first_line(e.what()));
  }
}

Attribute attribute_from_proto(const onnx::AttributeProto& a, const std::string& base_dir,
                               const std::string& label) {
  std::string what = label + ": attribute '" + a.name() + "'";
  switch (a.type()) {
    case onnx::AttributeProto::FLOAT:
      return Attribute(a.f());
    case onnx::AttributeProto::INT:
      return Attribute(static_cast<int64_t>(a.i()));
    case onnx::AttributeProto::STRING:
      return Attribute(a.s());
    case onnx::AttributeProto::TENSOR:
      return Attribute(tensor_from_proto(a.t(), base_dir, what));
    case onnx::AttributeProto::FLOATS:
      return Attribute(std::vector<float>(a.floats().begin(), a.floats().end()));
    case onnx::AttributeProto::INTS:
      return Attribute(std::vector<int64_t>(a.ints().begin(), a.ints().end()));
    case onnx::AttributeProto::STRINGS:
      return Attribute(std::vector<std::string>(a.strings().begin(), a.strings().end()));
    case onnx::AttributeProto::TENSORS: {
      std::vector<Tensor> ts;
      for (const auto& t : a.tensors()) ts.push_back(tensor_from_proto(t, base_dir, what));
      return Attribute(std::move(ts));
    }
    default:
      throw_unsupported(what + " has an unsupported attribute type");
  }
}

/// Node names: given names are kept (a repeated one gets a suffix); unnamed nodes are
/// named `<OpType>_<n>`, deterministically and without clashing with given names.
std::vector<std::string> node_names(const onnx::GraphProto& g) {
  std::unordered_set<std::string> taken;
  std::vector<std::string> names(static_cast<size_t>(g.node_size()));
  for (int i = 0; i < g.node_size(); ++i)
    if (!g.node(i).name().empty() && taken.insert(g.node(i).name()).second)
      names[static_cast<size_t>(i)] = g.node(i).name();
  std::unordered_map<std::string, int> counters;
  for (int i = 0; i < g.node_size(); ++i) {
    auto& name = names[static_cast<size_t>(i)];
    if (!name.empty()) continue;
    const auto& n = g.node(i);
    std::string base = n.name().empty() ? n.op_type() : n.name();
    do name = base + "_" + std::to_string(counters[base]++);
    while (!taken.insert(name).second);
  }
  return names;
}

std::unique_ptr<Graph> build_graph(onnx::ModelProto& m, const std::string& base_dir) {
  const auto& pg = m.graph();
  auto g = std::make_unique<Graph>();
  g->name = pg.name().empty() ? "main" : pg.name();
  g->producer_name = m.producer_name();
  g->producer_version = m.producer_version();
  g->ir_version = m.ir_version();
  g->model_domain = m.domain();
  g->model_version = m.model_version();
  g->doc_string = m.doc_string();
  for (const auto& kv : m.metadata_props()) g->metadata.emplace_back(kv.key(), kv.value());
  g->opset_imports.clear();
  for (const auto& op : m.opset_import())
    g->opset_imports[is_default_domain(op.domain()) ? "" : op.domain()] = op.version();

  std::unordered_set<std::string> init_names;
  for (const auto& init : pg.initializer()) init_names.insert(init.name());
  // Inputs that also have an initializer are constants (old exporters list them both).
  for (const auto& in : pg.input())
    if (!init_names.count(in.name()))
      g->add_input(in.name(), type_from_proto(in.type(), "graph input '" + in.name() + "'"));
  for (int i = 0; i < pg.initializer_size(); ++i) {
    auto* init = m.mutable_graph()->mutable_initializer(i);
    Value* c = g->add_constant(
        init->name(), tensor_from_proto(*init, base_dir, "initializer '" + init->name() + "'"));
    TREX_ASSERT(c->name() == init->name());
    // The tensor has the data now; drop the proto's copy (keeps peak memory near 1x).
    init->clear_raw_data();
    init->clear_float_data();
    init->clear_int32_data();
    init->clear_int64_data();
    init->clear_double_data();
    init->clear_uint64_data();
  }

  std::vector<std::string> names = node_names(pg);
  std::vector<Node*> nodes;
  for (int i = 0; i < pg.node_size(); ++i) {
    const auto& n = pg.node(i);
    std::vector<std::string> outs(n.output().begin(), n.output().end());
    Node* node = g->add_node_named(n.op_type(), {}, outs, names[static_cast<size_t>(i)],
                                   is_default_domain(n.domain()) ? "" : n.domain());
    for (const auto& a : n.attribute())
      node->set_attr(a.name(), attribute_from_proto(a, base_dir, node->describe()));
    nodes.push_back(node);
  }
  // Inputs are wired once every output exists: ONNX files need not be sorted.
  for (int i = 0; i < pg.node_size(); ++i)
    for (const auto& in : pg.node(i).input())
      nodes[static_cast<size_t>(i)]->add_input(in.empty() ? nullptr : g->find_value(in));

  auto set_type = [&](const onnx::ValueInfoProto& vi, const char* kind) {
    Value* v = g->find_value(vi.name());
    if (!v || v->is_constant() || v->is_graph_input()) return;
    TensorType t = type_from_proto(vi.type(), std::string(kind) + " '" + vi.name() + "'");
    if (t.dtype != DType::kUndefined || t.shape) v->set_type(std::move(t));
  };
  for (const auto& vi : pg.value_info()) set_type(vi, "value");
  for (const auto& vi : pg.output()) set_type(vi, "graph output");
  for (const auto& out : pg.output()) g->add_output(g->find_value(out.name()));

  g->sort_topologically();  // raises on a cycle, naming a node on it
  verify(*g);
  return g;
}

/// Before opset 7, BatchNormalization and Dropout ran in training mode unless is_test was
/// set; ONNX's converter drops the attribute, which would silently turn training nodes into
/// inference ones.
void check_old_training_mode(const onnx::GraphProto& g) {
  for (int i = 0; i < g.node_size(); ++i) {
    const auto& n = g.node(i);
    if (n.op_type() != "BatchNormalization" && n.op_type() != "Dropout") continue;
    bool is_test = false;
    for (const auto& a : n.attribute())
      if (a.name() == "is_test") is_test = a.i() != 0;
    if (!is_test)
      throw_unsupported(node_label(n, i) +
                        ": training mode (is_test unset) is not supported; export the model "
                        "in eval mode");
  }
}

/// Upgrades an opset 1-6 model to opset 7 with ONNX's version converter, isolated like
/// shape inference because it too assumes well-formed input.
void upgrade_opset(onnx::ModelProto& m) {
  int64_t from = default_opset(m);
  std::string reply;
  try {
    reply = run_isolated(
        [&m] {
          return onnx::version_conversion::ConvertVersion(m, static_cast<int>(kMinNativeOpset))
              .SerializeAsString();
        },
        "upgrading opset " + std::to_string(from) + " to 7");
  } catch (const Error& e) {
    throw_unsupported(e.what());
  }
  if (!m.ParseFromString(reply))
    throw_internal(__FILE__, __LINE__, "converted model does not parse");
}

/// Protobuf reports parse problems through its logger too; trex reports them itself.
void silence_protobuf_logging() {
  static bool done = [] {
    google::protobuf::SetLogHandler(nullptr);
    return true;
  }();
  (void)done;
}

}  // namespace

int64_t max_supported_opset() {
  const auto& map = onnx::OpSchemaRegistry::DomainToVersionRange::Instance().Map();
  return map.at(onnx::ONNX_DOMAIN).second;
}

namespace {

/// Validates, upgrades, infers and converts a parsed model. Initializer data moves into the
/// graph tensor by tensor, so the proto and the graph never both hold every weight.
std::unique_ptr<Graph> import_model(onnx::ModelProto& m, const std::string& base_dir,
                                    const OnnxLoadOptions& opts) {
  if (!m.has_graph()) throw_invalid("not an ONNX model: no graph (corrupt or truncated file?)");
  if (m.ir_version() < 1 || m.ir_version() > onnx::IR_VERSION)
    throw_unsupported("ir_version " + std::to_string(m.ir_version()) + " is not supported (1 to " +
                      std::to_string(onnx::IR_VERSION) + ")");
  check_domains(m.graph(), opts.allow_trex_domain);
  check_opsets(m, opts.upgrade_old_opsets);
  check_nodes(m.graph(), default_opset(m));
  check_edges(m.graph());
  check_input_types(m.graph());
  sort_nodes(*m.mutable_graph());
  run_onnx_checker(m, base_dir);
  if (default_opset(m) < kMinNativeOpset) {
    check_old_training_mode(m.graph());
    infer_onnx_shapes(m);  // the converter's adapters need input shapes
    upgrade_opset(m);
    check_nodes(m.graph(), default_opset(m));
    check_edges(m.graph());
  }
  if (opts.infer_shapes) infer_onnx_shapes(m);
  return build_graph(m, base_dir);
}

const char* kParseFailed =
    "not an ONNX model: protobuf parsing failed (corrupt or truncated file?)";

}  // namespace

std::unique_ptr<Graph> load_onnx_bytes(const std::string& bytes, const std::string& source,
                                       const std::string& base_dir, const OnnxLoadOptions& opts) {
  silence_protobuf_logging();
  try {
    if (bytes.empty()) throw_invalid("file is empty");
    onnx::ModelProto m;
    if (!m.ParseFromString(bytes)) throw_invalid(kParseFailed);
    return import_model(m, base_dir, opts);
  } catch (const Error& e) {
    rethrow_with_context(e, source);
  }
}

std::unique_ptr<Graph> load_onnx(const std::string& path, const OnnxLoadOptions& opts) {
  silence_protobuf_logging();
  // Parsed straight from the file: the file's bytes are never held beside the proto.
  std::ifstream in(path, std::ios::binary);
  if (!in) throw_invalid(path + ": cannot open file: " + std::strerror(errno));
  try {
    in.seekg(0, std::ios::end);
    if (in.tellg() == 0) throw_invalid("file is empty");
    in.seekg(0);
    onnx::ModelProto m;
    if (!m.ParseFromIstream(&in)) throw_invalid(kParseFailed);
    return import_model(m, parent_dir(path), opts);
  } catch (const Error& e) {
    rethrow_with_context(e, path);
  }
}

}  // namespace trex
