// QDQ lowering: QuantizeLinear(DequantizeLinear(q)) with the same per-tensor type, scale and
// zero point gives q back exactly ((q - z) * s / s rounds to q - z), so the quantizer goes
// and its readers read q. Such pairs appear once sink_dequantize has moved a
// DequantizeLinear up to the next quantizer (e.g. around MaxPool or Reshape).
#include "passes/passes.h"
#include "passes/qdq_lowering.h"

namespace trex {

namespace {

class CancelRequantize : public GraphPass {
 public:
  std::string name() const override { return "cancel_requantize"; }

  bool run(Graph& g) override {
    bool changed = false;
    for (Node* n : g.topological_order()) {
      auto q = quantize_params(n);
      auto dq = q ? dequantize_producer(n->input(0)) : std::nullopt;
      if (!dq || !same_quantization(*dq, *q)) continue;
      if (bypass_node(g, n, 0, dq->integer)) changed = true;
    }
    return changed;
  }
};

}  // namespace

std::unique_ptr<GraphPass> make_cancel_requantize() {
  return std::make_unique<CancelRequantize>();
}

}  // namespace trex
