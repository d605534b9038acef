// Graph printing (see printer.h).
#include "ir/printer.h"

#include <cinttypes>
#include <cstdio>
#include <sstream>

namespace trex {

namespace {

std::string value_text(const Value* v) {
  return v ? v->name() + ":" + v->type().to_string() : std::string("<none>");
}

}  // namespace

std::string to_text(const Graph& g) {
  std::ostringstream os;
  os << "graph " << g.name << " opsets";
  for (const auto& [domain, version] : g.opset_imports)
    os << " " << (domain.empty() ? "ai.onnx" : domain) << ":" << version;
  os << "\n";
  for (const auto& [k, v] : g.metadata) os << "metadata " << k << "=" << v << "\n";
  for (const Value* in : g.inputs()) os << "input " << value_text(in) << "\n";
  for (const Value* c : g.constants()) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "#%016" PRIx64, c->constant().fingerprint());
    os << "const " << value_text(c) << " " << buf << "\n";
  }
  for (const Node* n : g.topological_order()) {
    os << "node " << n->name() << " = " << (n->domain().empty() ? "" : n->domain() + ".")
       << n->op_type() << "(";
    for (size_t i = 0; i < n->num_inputs(); ++i)
      os << (i ? ", " : "") << (n->input(i) ? n->input(i)->name() : "");
    os << ")";
    for (const auto& [k, a] : n->attrs()) os << " " << k << "=" << a.to_string();
    os << " ->";
    for (const Value* out : n->outputs()) os << " " << value_text(out);
    os << "\n";
  }
  for (const Value* out : g.outputs()) os << "output " << value_text(out) << "\n";
  return os.str();
}

}  // namespace trex
