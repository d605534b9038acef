// Graph IR -> ONNX. Nodes are written in topological order with every tensor as raw data
// (or in an external data file), value types as value_info, and the result is run through
// ONNX's checker before it is written.
#include <onnx/checker.h>
#include <onnx/defs/schema.h>

#include <cstdint>
#include <unordered_set>

#include "onnx/onnx.h"
#include "onnx/shape_inference.h"
#include "onnx/tensor_proto.h"
#include "util/error.h"
#include "util/file_io.h"

namespace trex {

using namespace onnx_io;

namespace {

constexpr size_t kForceExternalBytes = size_t{3} << 29;  // 1.5 GiB

void attribute_to_proto(const std::string& name, const Attribute& a, onnx::AttributeProto* p) {
  p->set_name(name);
  switch (a.kind()) {
    case AttrKind::kFloat:
      p->set_type(onnx::AttributeProto::FLOAT);
      p->set_f(a.f());
      break;
    case AttrKind::kInt:
      p->set_type(onnx::AttributeProto::INT);
      p->set_i(a.i());
      break;
    case AttrKind::kString:
      p->set_type(onnx::AttributeProto::STRING);
      p->set_s(a.s());
      break;
    case AttrKind::kTensor:
      p->set_type(onnx::AttributeProto::TENSOR);
      tensor_to_proto(a.t(), p->mutable_t());
      break;
    case AttrKind::kFloats:
      p->set_type(onnx::AttributeProto::FLOATS);
      for (float f : a.floats()) p->add_floats(f);
      break;
    case AttrKind::kInts:
      p->set_type(onnx::AttributeProto::INTS);
      for (int64_t i : a.ints()) p->add_ints(i);
      break;
    case AttrKind::kStrings:
      p->set_type(onnx::AttributeProto::STRINGS);
      for (const auto& s : a.strings()) p->add_strings(s);
      break;
    case AttrKind::kTensors:
      p->set_type(onnx::AttributeProto::TENSORS);
      for (const auto& t : a.tensors()) tensor_to_proto(t, p->add_tensors());
      break;
  }
}

void value_info(const Value* v, onnx::ValueInfoProto* p) {
  p->set_name(v->name());
  if (v->dtype() != DType::kUndefined) type_to_proto(v->type(), p->mutable_type());
}

/// `inline_limit`: constants larger than this many bytes are written as typed graph inputs
/// instead of initializers (shape inference needs their types, not their weights).
onnx::ModelProto to_proto(const Graph& g, bool with_value_info, size_t inline_limit = SIZE_MAX) {
  onnx::ModelProto m;
  // Initializers need not be listed as inputs from IR version 4 on, which is how trex
  // writes them; older files are raised to 4.
  m.set_ir_version(std::max<int64_t>(g.ir_version, 4));
  m.set_producer_name("trex");
  m.set_producer_version("0.1");
  if (!g.model_domain.empty()) m.set_domain(g.model_domain);
  if (g.model_version) m.set_model_version(g.model_version);
  if (!g.doc_string.empty()) m.set_doc_string(g.doc_string);
  for (const auto& [k, v] : g.metadata) {
    auto* kv = m.add_metadata_props();
    kv->set_key(k);
    kv->set_value(v);
  }
  for (const auto& [domain, version] : g.opset_imports) {
    auto* op = m.add_opset_import();
    op->set_domain(domain);
    op->set_version(version);
  }
  auto* pg = m.mutable_graph();
  pg->set_name(g.name);
  for (const Value* in : g.inputs()) value_info(in, pg->add_input());
  for (const Value* c : g.constants()) {
    if (c->constant().nbytes() > inline_limit) {
      value_info(c, pg->add_input());
      continue;
    }
    auto* t = pg->add_initializer();
    t->set_name(c->name());
    tensor_to_proto(c->constant(), t);
  }
  std::unordered_set<const Value*> outputs(g.outputs().begin(), g.outputs().end());
  for (const Node* n : g.topological_order()) {
    auto* pn = pg->add_node();
    pn->set_name(n->name());
    pn->set_op_type(n->op_type());
    if (!n->domain().empty()) pn->set_domain(n->domain());
    for (const Value* in : n->inputs()) pn->add_input(in ? in->name() : "");
    for (const Value* out : n->outputs()) pn->add_output(out ? out->name() : "");
    for (const auto& [k, a] : n->attrs()) attribute_to_proto(k, a, pn->add_attribute());
    if (!with_value_info) continue;
    for (const Value* out : n->outputs())
      // ONNX's checker wants a shape in every value_info; values of unknown rank are left
      // for shape inference to rediscover.
      if (out && !outputs.count(out) && out->dtype() != DType::kUndefined && out->shape())
        value_info(out, pg->add_value_info());
  }
  for (const Value* out : g.outputs()) value_info(out, pg->add_output());
  return m;
}

/// Graphs built in code may not know their output types yet; ONNX requires them.
void complete_output_types(const Graph& g, onnx::ModelProto& m) {
  for (const Value* out : g.outputs())
    if (out->dtype() == DType::kUndefined) {
      infer_onnx_shapes(m);
      return;
    }
}

void run_checker(const onnx::ModelProto& m) {
  try {
    onnx::checker::check_model(m);
  } catch (const std::exception& e) {
    std::string msg = e.what();
    auto nl = msg.find('\n');
    throw_internal(__FILE__, __LINE__, "exported model fails ONNX's checker: " + msg.substr(0, nl));
  }
}

/// Moves large initializers into `data_path`, recording their place in the proto.
std::string externalize(onnx::ModelProto& m, const std::string& data_file, size_t threshold) {
  std::string blob;
  for (auto& t : *m.mutable_graph()->mutable_initializer()) {
    if (t.raw_data().size() < threshold) continue;
    while (blob.size() % 64) blob.push_back('\0');  // aligned for mmap-friendly readers
    size_t offset = blob.size();
    blob += t.raw_data();
    auto add = [&t](const std::string& k, const std::string& v) {
      auto* kv = t.add_external_data();
      kv->set_key(k);
      kv->set_value(v);
    };
    add("location", data_file);
    add("offset", std::to_string(offset));
    add("length", std::to_string(t.raw_data().size()));
    t.clear_raw_data();
    t.set_data_location(onnx::TensorProto::EXTERNAL);
  }
  return blob;
}

}  // namespace

std::string serialize_onnx(const Graph& g, bool check) {
  onnx::ModelProto m = to_proto(g, true);
  complete_output_types(g, m);
  if (check) run_checker(m);
  std::string out;
  if (!m.SerializeToString(&out))
    throw_invalid("model is too large to serialize inline; save it with external data");
  return out;
}

void save_onnx(const Graph& g, const std::string& path, const OnnxSaveOptions& opts) {
  onnx::ModelProto m = to_proto(g, true);
  complete_output_types(g, m);
  if (opts.check) run_checker(m);
  size_t total = 0;
  for (const Value* c : g.constants()) total += c->constant().nbytes();
  size_t threshold = opts.external_data_threshold;
  if (threshold == 0 && total > kForceExternalBytes) threshold = 1024;
  if (threshold > 0) {
    std::string name = path.substr(path.find_last_of('/') + 1) + ".data";
    std::string blob = externalize(m, name, threshold);
    if (!blob.empty()) write_file_atomic(parent_dir(path) + "/" + name, blob);
  }
  std::string bytes;
  if (!m.SerializeToString(&bytes)) throw_invalid(path + ": cannot serialize the model");
  write_file_atomic(path, bytes);
}

void infer_shapes(Graph& g) {
  // Weights are not copied for inference (it runs in a child process on every call); small
  // constants keep their values, which shape computations (Reshape targets...) need.
  constexpr size_t kShapeLikeBytes = 4096;
  onnx::ModelProto m = to_proto(g, false, kShapeLikeBytes);
  infer_onnx_shapes(m);
  auto update = [&g](const onnx::ValueInfoProto& vi) {
    Value* v = g.find_value(vi.name());
    if (!v || v->is_constant() || v->is_graph_input()) return;
    TensorType t = type_from_proto(vi.type(), "value '" + vi.name() + "'");
    // Never trade a known shape for an unknown one.
    if (t.dtype != DType::kUndefined && (t.shape || !v->shape())) v->set_type(std::move(t));
  };
  for (const auto& vi : m.graph().value_info()) update(vi);
  for (const auto& vi : m.graph().output()) update(vi);
}

}  // namespace trex
