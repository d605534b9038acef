// Folds Shape and Size of values whose shape is static into constants, which lets constant
// folding collapse the shape-computation chains (Shape -> Gather -> Concat -> Reshape)
// that exporters emit.
#include "passes/fold_eval.h"
#include "passes/passes.h"

namespace trex {

namespace {

/// Element count of a static shape; false when it overflows (absurd declared dims).
bool element_count(const std::vector<int64_t>& dims, int64_t& size) {
  size = 1;
  for (int64_t d : dims)
    if (__builtin_mul_overflow(size, d, &size)) return false;
  return true;
}

class FoldShapeComputation : public LocalRewrite {
 public:
  std::string name() const override { return "fold_shape_computation"; }
  std::vector<std::string> op_types() const override { return {"Shape", "Size"}; }

  bool match(const Graph& g, const Node& n) const override {
    if (!n.input(0) || !n.output(0) || !n.input(0)->has_static_shape()) return false;
    int64_t size;
    return n.op_type() == "Shape" || element_count(n.input(0)->shape()->static_dims(), size);
  }

  void rewrite(Graph& g, Node& n) override {
    std::vector<int64_t> dims = n.input(0)->shape()->static_dims();
    if (n.op_type() == "Size") {
      int64_t size;
      element_count(dims, size);
      replace_node_with_constants(g, &n, {Tensor::from_vector<int64_t>(DType::kInt64, {}, {size})});
      return;
    }
    std::vector<int64_t> part =
        shape_slice(dims, n.attr_int("start", 0), n.attr_int("end", INT64_MAX));
    replace_node_with_constants(g, &n, {Tensor::vector_i64(part)});
  }
};

}  // namespace

std::unique_ptr<GraphPass> make_fold_shape_computation() {
  return std::make_unique<RewritePass>(std::make_unique<FoldShapeComputation>());
}

}  // namespace trex
