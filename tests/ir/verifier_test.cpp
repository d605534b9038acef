// The verifier catches broken invariants.
#include <gtest/gtest.h>

#include "ir/builder.h"
#include "ir/verifier.h"
#include "util/error.h"

namespace trex {
namespace {

TEST(Verifier, AcceptsAWellFormedGraph) {
  Graph g;
  GraphBuilder b(g);
  Value* x = b.input("x", DType::kFloat32, {1, 2});
  b.output(b.op("Relu", {x}), "y");
  EXPECT_NO_THROW(verify(g));
}

TEST(Verifier, RejectsValueFromAnotherGraph) {
  Graph other;
  Value* foreign = other.add_input("f", {DType::kFloat32, Shape{1}});
  Graph g;
  GraphBuilder b(g);
  Value* x = b.input("x", DType::kFloat32, {1});
  Value* y = b.op("Add", {x, foreign}, {}, "add");
  b.output(y);
  try {
    verify(g);
    FAIL();
  } catch (const Error& e) {
    EXPECT_STREQ(
        e.what(),
        "node 'add' (Add): input 'f' is not produced by any node, graph input or constant");
  }
}

TEST(Verifier, RejectsConstantWhoseTypeDisagrees) {
  Graph g;
  Value* c = g.add_constant("c", Tensor(DType::kFloat32, {2}));
  c->set_type({DType::kFloat32, Shape{3}});
  g.add_output(c);
  EXPECT_THROW(verify(g), Error);
}

}  // namespace
}  // namespace trex
