// Graph construction, use lists, rewrites, ordering and naming.
#include <gtest/gtest.h>

#include "ir/builder.h"
#include "ir/printer.h"
#include "ir/verifier.h"
#include "util/error.h"

namespace trex {
namespace {

std::unique_ptr<Graph> small_graph() {
  auto g = std::make_unique<Graph>();
  GraphBuilder b(*g);
  Value* x = b.input("x", DType::kFloat32, {1, 4});
  Value* w = b.constant("w", Tensor(DType::kFloat32, {4, 2}));
  Value* y = b.op("MatMul", {x, w}, {}, "mm");
  Value* z = b.op("Relu", {y}, {}, "relu");
  b.output(z, "z");
  return g;
}

TEST(Graph, BuilderLinksProducersAndUsers) {
  auto g = small_graph();
  verify(*g);
  Node* mm = g->find_node("mm");
  ASSERT_NE(mm, nullptr);
  EXPECT_EQ(mm->input(0), g->find_value("x"));
  EXPECT_EQ(mm->output(0)->producer(), mm);
  ASSERT_EQ(mm->output(0)->uses().size(), 1u);
  EXPECT_EQ(mm->output(0)->uses()[0].node, g->find_node("relu"));
  EXPECT_TRUE(g->find_value("z")->is_graph_output());
  EXPECT_TRUE(g->find_value("w")->is_constant());
  EXPECT_EQ(g->constants().size(), 1u);
}

TEST(Graph, ReplaceAllUsesAndRemoveNode) {
  auto g = small_graph();
  Node* relu = g->find_node("relu");
  Value* y = relu->input(0);
  g->replace_all_uses(relu->output(0), y);
  EXPECT_TRUE(y->is_graph_output());
  g->remove_node(relu);
  verify(*g);
  EXPECT_EQ(g->num_nodes(), 1u);
  EXPECT_EQ(g->find_value("z"), nullptr);
  EXPECT_TRUE(y->uses().empty());
}

TEST(Graph, TopologicalOrderSortsOutOfOrderNodes) {
  Graph g;
  Value* x = g.add_input("x", {DType::kFloat32, Shape{2}});
  // Consumer added before producer: wire the edge afterwards.
  Node* second = g.add_node("Relu", {nullptr}, 1, "second");
  Node* first = g.add_node("Neg", {x}, 1, "first");
  second->set_input(0, first->output(0));
  g.add_output(second->output(0));
  auto order = g.topological_order();
  ASSERT_EQ(order.size(), 2u);
  EXPECT_EQ(order[0], first);
  EXPECT_EQ(order[1], second);
  g.sort_topologically();
  EXPECT_EQ(g.nodes()[0], first);
}

TEST(Graph, CycleIsReportedWithANode) {
  Graph g;
  Value* x = g.add_input("x", {DType::kFloat32, Shape{2}});
  Node* a = g.add_node("Add", {x, nullptr}, 1, "a");
  Node* b = g.add_node("Relu", {a->output(0)}, 1, "b");
  a->set_input(1, b->output(0));
  g.add_output(b->output(0));
  try {
    g.topological_order();
    FAIL() << "no cycle reported";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kInvalidInput);
    EXPECT_NE(std::string(e.what()).find("cycle through node '"), std::string::npos) << e.what();
  }
  EXPECT_THROW(verify(g), Error);
}

TEST(Graph, NamingIsDeterministicAndUnique) {
  auto make = [] {
    Graph g;
    Value* x = g.add_input("x", {DType::kFloat32, Shape{2}});
    std::vector<std::string> names;
    for (int i = 0; i < 3; ++i) {
      Node* n = g.add_node("Relu", {x});
      names.push_back(n->name() + ":" + n->output(0)->name());
    }
    names.push_back(g.unique_value_name("x"));
    return names;
  };
  auto a = make();
  EXPECT_EQ(a, make());
  EXPECT_EQ(a[0], "Relu:Relu_out");
  EXPECT_EQ(a[1], "Relu_1:Relu_1_out");
  EXPECT_EQ(a[3], "x_1");
}

TEST(Graph, DuplicateOutputNameIsAnError) {
  Graph g;
  Value* x = g.add_input("x", {DType::kFloat32, Shape{2}});
  g.add_node_named("Relu", {x}, {"y"}, "a");
  EXPECT_THROW(g.add_node_named("Relu", {x}, {"y"}, "b"), Error);
  EXPECT_THROW(g.add_node_named("Relu", {x}, {"z"}, "a"), Error);
}

TEST(Graph, CloneIsDeepAndEqual) {
  auto g = small_graph();
  auto c = g->clone();
  EXPECT_EQ(to_text(*g), to_text(*c));
  c->find_node("relu")->set_attr("foo", int64_t{1});
  EXPECT_NE(to_text(*g), to_text(*c));
  verify(*c);
}

TEST(Graph, TypedAttributeGetters) {
  auto g = small_graph();
  Node* n = g->find_node("mm");
  n->set_attr("k", ints({1, 2}));
  EXPECT_EQ(n->attr_ints("k"), (std::vector<int64_t>{1, 2}));
  EXPECT_EQ(n->attr_int("missing", 7), 7);
  try {
    n->attr_int("k", 0);
    FAIL();
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "node 'mm' (MatMul): attribute 'k' is ints, expected int");
  }
}

}  // namespace
}  // namespace trex
