// Folds Shape and Size of values whose shape is static into constants, which lets constant
// folding collapse the shape-computation chains (Shape -> Gather -> Concat -> Reshape)
// that exporters emit.
#include <algorithm>

#include "passes/passes.h"

namespace trex {

namespace {

class FoldShapeComputation : public LocalRewrite {
 public:
  std::string name() const override { return "fold_shape_computation"; }
  std::vector<std::string> op_types() const override { return {"Shape", "Size"}; }

  bool match(const Graph& g, const Node& n) const override {
    return n.input(0) && n.output(0) && n.input(0)->has_static_shape();
  }

  void rewrite(Graph& g, Node& n) override {
    std::vector<int64_t> dims = n.input(0)->shape()->static_dims();
    if (n.op_type() == "Size") {
      int64_t size = 1;
      for (int64_t d : dims) size *= d;
      replace_node_with_constants(g, &n, {Tensor::from_vector<int64_t>(DType::kInt64, {}, {size})});
      return;
    }
    // Opset 15 added start/end (negative counts from the back, clamped to the rank).
    auto rank = static_cast<int64_t>(dims.size());
    auto clamp = [rank](int64_t i) {
      if (i < 0) i += rank;
      return std::clamp<int64_t>(i, 0, rank);
    };
    int64_t start = clamp(n.attr_int("start", 0));
    int64_t end = clamp(n.attr_int("end", rank));
    std::vector<int64_t> part;
    for (int64_t i = start; i < end; ++i) part.push_back(dims[static_cast<size_t>(i)]);
    replace_node_with_constants(g, &n, {Tensor::vector_i64(part)});
  }
};

}  // namespace

std::unique_ptr<GraphPass> make_fold_shape_computation() {
  return std::make_unique<RewritePass>(std::make_unique<FoldShapeComputation>());
}

}  // namespace trex
