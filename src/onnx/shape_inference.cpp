// Crash-isolated ONNX shape inference (see shape_inference.h).
#include "onnx/shape_inference.h"

#include <onnx/defs/schema.h>
#include <onnx/shape_inference/implementation.h>

#include <cstring>
#include <map>
#include <string>
#include <vector>

#include "util/error.h"
#include "util/isolate.h"

namespace trex::onnx_io {

namespace {

// ONNX names each dim it cannot relate to an input a fresh "unk__<k>" symbol.
bool is_fresh_symbol(const onnx::TensorShapeProto::Dimension& d) {
  return d.has_dim_param() && d.dim_param().rfind("unk__", 0) == 0;
}

// Forgets the fresh symbols of a saved model's value_info, so inference can relate the dims
// again (they would otherwise win over what it infers).
void forget_fresh_symbols(onnx::GraphProto& g) {
  for (auto& vi : *g.mutable_value_info()) {
    if (!vi.type().has_tensor_type() || !vi.type().tensor_type().has_shape()) continue;
    for (auto& d : *vi.mutable_type()->mutable_tensor_type()->mutable_shape()->mutable_dim())
      if (is_fresh_symbol(d)) d.clear_dim_param();
  }
}

// The float values of a constant (initializer or Constant node output), if it is one.
bool constant_floats(const onnx::GraphProto& g, const std::string& name, std::vector<float>& out) {
  auto read = [&out](const onnx::TensorProto& t) {
    if (t.data_type() != onnx::TensorProto::FLOAT) return false;
    out.clear();
    if (t.float_data_size() > 0) {
      out.assign(t.float_data().begin(), t.float_data().end());
    } else {
      const std::string& raw = t.raw_data();
      out.resize(raw.size() / sizeof(float));
      if (!raw.empty()) std::memcpy(out.data(), raw.data(), out.size() * sizeof(float));
    }
    return true;
  };
  for (const auto& t : g.initializer())
    if (t.name() == name) return read(t);
  for (const auto& n : g.node())
    if (n.op_type() == "Constant" && n.output_size() == 1 && n.output(0) == name)
      for (const auto& a : n.attribute())
        if (a.name() == "value" && a.has_t()) return read(a.t());
  return false;
}

// Resize gives its output fresh symbols even on the axes it scales by 1 (batch, channels),
// so an Add or Mul of a resized value and its neighbour no longer sees equal shapes (and
// the runtime cannot pick its fast kernels). Those axes take their input's dim; returns the
// Resize outputs so corrected, with their shapes.
std::map<std::string, onnx::ValueInfoProto> unscaled_resize_dims(const onnx::GraphProto& g) {
  std::map<std::string, const onnx::ValueInfoProto*> typed;
  for (const auto& vi : g.input()) typed[vi.name()] = &vi;
  for (const auto& vi : g.value_info()) typed[vi.name()] = &vi;
  for (const auto& vi : g.output()) typed[vi.name()] = &vi;
  std::map<std::string, onnx::ValueInfoProto> fixed;
  std::vector<float> scales;
  for (const auto& n : g.node()) {
    if (n.op_type() != "Resize" || n.input_size() < 3 || n.output_size() < 1 ||
        !constant_floats(g, n.input(2), scales))
      continue;
    auto in = typed.find(n.input(0)), out = typed.find(n.output(0));
    if (in == typed.end() || out == typed.end()) continue;
    const auto &si = in->second->type().tensor_type().shape(),
               &so = out->second->type().tensor_type().shape();
    if (si.dim_size() != so.dim_size() || static_cast<size_t>(si.dim_size()) != scales.size())
      continue;
    onnx::ValueInfoProto vi = *out->second;
    bool changed = false;
    for (int i = 0; i < si.dim_size(); ++i) {
      const auto& d = si.dim(i);
      if (scales[i] != 1.0f || !(d.has_dim_value() || d.has_dim_param())) continue;
      auto* o = vi.mutable_type()->mutable_tensor_type()->mutable_shape()->mutable_dim(i);
      if (d.has_dim_value() ? o->has_dim_value() && o->dim_value() == d.dim_value()
                            : o->has_dim_param() && o->dim_param() == d.dim_param())
        continue;
      *o = d;
      changed = true;
    }
    if (changed) fixed[n.output(0)] = vi;
  }
  return fixed;
}

}  // namespace

void infer_onnx_shapes(onnx::ModelProto& m) {
  // The child sends back only the graph's value_info and outputs, not the weights.
  std::string reply = run_isolated(
      [&m] {
        onnx::ModelProto copy = m;
        forget_fresh_symbols(*copy.mutable_graph());
        // What the model itself declares (not its weights), restored before each round.
        const auto given_info = copy.graph().value_info();
        const auto given_outputs = copy.graph().output();
        onnx::ShapeInferenceOptions opts;
        opts.check_type = false;
        opts.error_mode = 0;  // a node ONNX cannot infer keeps unknown shapes
        opts.enable_data_propagation = true;
        onnx::shape_inference::InferShapes(copy, onnx::OpSchemaRegistry::Instance(), opts);
        // Each round corrects the Resize outputs it can and infers again from there (a
        // corrected dim reaches the next Resize one round later).
        std::map<std::string, onnx::ValueInfoProto> kept;
        for (int round = 0; round < 16; ++round) {
          std::map<std::string, onnx::ValueInfoProto> fixed = unscaled_resize_dims(copy.graph());
          if (fixed.empty()) break;
          for (auto& [name, vi] : fixed) kept[name] = vi;
          onnx::GraphProto* g = copy.mutable_graph();
          g->clear_value_info();
          for (const auto& vi : given_info)
            if (!kept.count(vi.name())) *g->add_value_info() = vi;
          for (const auto& [name, vi] : kept) *g->add_value_info() = vi;
          *g->mutable_output() = given_outputs;
          onnx::shape_inference::InferShapes(copy, onnx::OpSchemaRegistry::Instance(), opts);
        }
        onnx::GraphProto types;
        *types.mutable_value_info() = copy.graph().value_info();
        *types.mutable_output() = copy.graph().output();
        return types.SerializeAsString();
      },
      "shape inference");
  onnx::GraphProto types;
  if (!types.ParseFromString(reply))
    throw_internal(__FILE__, __LINE__, "shape inference reply does not parse");
  *m.mutable_graph()->mutable_value_info() = types.value_info();
  *m.mutable_graph()->mutable_output() = types.output();
}

}  // namespace trex::onnx_io
