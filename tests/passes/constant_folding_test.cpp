// constant_folding: constant subgraphs are evaluated once, with ONNX semantics.
#include <gtest/gtest.h>

#include <cmath>

#include "ir/builder.h"
#include "ir/verifier.h"
#include "passes/pass_test_util.h"
#include "passes/passes.h"

namespace trex::testing {
namespace {

TEST(ConstantFolding, ConstantNodesAndArithmeticFold) {
  Graph g;
  GraphBuilder b(g);
  Value* x = b.input("x", DType::kFloat32, {2, 3});
  Value* c = b.op("Constant", {},
                  {{"value", Tensor::from_vector<float>(DType::kFloat32, {3}, {1, 2, 3})}});
  Value* two = b.constant("two", Tensor::scalar_f32(2.0f));
  Value* scaled = b.op("Mul", {c, two});  // [2, 4, 6]
  Value* shifted =
      b.op("Sub", {scaled, b.op("Sqrt", {b.constant("four", Tensor::scalar_f32(4.0f))})});
  b.output(b.op("Add", {x, shifted}, {}, "add"), "y");
  EXPECT_TRUE(make_constant_folding()->run(g));
  make_dead_node_elimination()->run(g);
  verify(g);
  EXPECT_EQ(g.num_nodes(), 1u);
  Value* folded = g.find_node("add")->input(1);
  ASSERT_TRUE(folded->is_constant());
  const Tensor& t = folded->constant();
  EXPECT_EQ(t.dims(), (std::vector<int64_t>{3}));
  EXPECT_EQ(t.data<float>()[0], 0.0f);
  EXPECT_EQ(t.data<float>()[1], 2.0f);
  EXPECT_EQ(t.data<float>()[2], 4.0f);
  EXPECT_EQ(g.constants().size(), 1u);
}

TEST(ConstantFolding, IntegerDivisionTruncatesAndBroadcasts) {
  Graph g;
  GraphBuilder b(g);
  Value* a = b.constant("a", Tensor::from_vector<int64_t>(DType::kInt64, {2, 2}, {7, -7, 9, -9}));
  Value* d = b.constant("d", Tensor::from_vector<int64_t>(DType::kInt64, {2}, {2, 4}));
  b.output(b.op("Div", {a, d}), "q");
  make_constant_folding()->run(g);
  EXPECT_EQ(g.find_value("q")->constant().to_int64_vector(), (std::vector<int64_t>{3, -1, 4, -2}));
}

TEST(ConstantFolding, DivisionByZeroIsLeftAlone) {
  Graph g;
  GraphBuilder b(g);
  Value* a = b.constant("a", Tensor::vector_i64({1}));
  Value* z = b.constant("z", Tensor::vector_i64({0}));
  b.output(b.op("Div", {a, z}), "q");
  EXPECT_FALSE(make_constant_folding()->run(g));
  EXPECT_EQ(g.num_nodes(), 1u);
}

TEST(ConstantFolding, TransposeSliceGatherConcat) {
  Graph g;
  g.opset_imports[""] = 13;
  GraphBuilder b(g);
  Value* m =
      b.constant("m", Tensor::from_vector<float>(DType::kFloat32, {2, 3}, {0, 1, 2, 3, 4, 5}));
  Value* t = b.op("Transpose", {m});  // [[0,3],[1,4],[2,5]]
  Value* s = b.op(
      "Slice",
      {t, b.constant("st", Tensor::vector_i64({2})), b.constant("en", Tensor::vector_i64({-4})),
       b.constant("ax", Tensor::vector_i64({0})), b.constant("sp", Tensor::vector_i64({-1}))});
  // rows 2, 1, 0 -> [[2,5],[1,4],[0,3]]
  Value* gth =
      b.op("Gather", {s, b.constant("idx", Tensor::vector_i64({1, -1}))}, {{"axis", int64_t{1}}});
  b.output(b.op("Concat", {gth, gth}, {{"axis", int64_t{0}}}), "out");
  make_constant_folding()->run(g);
  ASSERT_TRUE(g.find_value("out")->is_constant());
  const Tensor& r = g.find_value("out")->constant();
  EXPECT_EQ(r.dims(), (std::vector<int64_t>{6, 2}));
  std::vector<float> want = {5, 5, 4, 4, 3, 3, 5, 5, 4, 4, 3, 3};
  for (size_t i = 0; i < want.size(); ++i) EXPECT_EQ(r.data<float>()[i], want[i]) << i;
}

TEST(ConstantFolding, NonConstantInputsStay) {
  Graph g;
  GraphBuilder b(g);
  Value* x = b.input("x", DType::kFloat32, {2});
  b.output(b.op("Add", {x, b.constant("one", Tensor::scalar_f32(1.0f))}), "y");
  EXPECT_FALSE(make_constant_folding()->run(g));
}

TEST(ConstantFolding, FoldedGraphOutputKeepsItsName) {
  Graph g;
  GraphBuilder b(g);
  b.input("x", DType::kFloat32, {1});
  b.output(b.op("Range", {b.constant("s", Tensor::vector_i64({0}).reshaped({})),
                          b.constant("l", Tensor::vector_i64({5}).reshaped({})),
                          b.constant("d", Tensor::vector_i64({2}).reshaped({}))}),
           "r");
  make_constant_folding()->run(g);
  verify(g);
  ASSERT_EQ(g.outputs().size(), 1u);
  EXPECT_EQ(g.outputs()[0]->name(), "r");
  EXPECT_EQ(g.outputs()[0]->constant().to_int64_vector(), (std::vector<int64_t>{0, 2, 4}));
}

}  // namespace
}  // namespace trex::testing

namespace trex::testing {
namespace {

TEST(ConstantFolding, ShapeHonoursStartAndEnd) {
  Graph g;
  g.opset_imports[""] = 15;
  GraphBuilder b(g);
  Value* c = b.constant("c", Tensor(DType::kFloat32, {2, 3, 4}));
  b.output(b.op("Shape", {c}, {{"start", int64_t{1}}}), "tail");
  b.output(b.op("Shape", {c}, {{"start", int64_t{-5}}, {"end", int64_t{-1}}}), "head");
  make_constant_folding()->run(g);
  EXPECT_EQ(g.find_value("tail")->constant().to_int64_vector(), (std::vector<int64_t>{3, 4}));
  EXPECT_EQ(g.find_value("head")->constant().to_int64_vector(), (std::vector<int64_t>{2, 3}));
}

TEST(ConstantFolding, FlattenKeepsZeroSizedDims) {
  Graph g;
  GraphBuilder b(g);
  b.output(b.op("Flatten", {b.constant("c", Tensor(DType::kFloat32, {0, 3, 2}))}), "f");
  make_constant_folding()->run(g);
  EXPECT_EQ(g.find_value("f")->constant().dims(), (std::vector<int64_t>{0, 6}));
}

TEST(ConstantFolding, CastOfWideIntegersRoundsOnce) {
  // 2^60 + 2^36 + 1 is just above the halfway point between two floats: it must round up,
  // which rounding through double first would miss.
  const int64_t v = (int64_t{1} << 60) + (int64_t{1} << 36) + 1;
  Graph g;
  GraphBuilder b(g);
  b.output(b.op("Cast", {b.constant("c", Tensor::vector_i64({v}))}, {{"to", int64_t{1}}}), "f");
  make_constant_folding()->run(g);
  EXPECT_EQ(g.find_value("f")->constant().data<float>()[0], static_cast<float>(v));
  EXPECT_EQ(static_cast<double>(g.find_value("f")->constant().data<float>()[0]),
            std::ldexp(1.0, 60) + std::ldexp(1.0, 37));
}

TEST(ConstantFolding, Uint64AboveInt64IsNotFolded) {
  Graph g;
  GraphBuilder b(g);
  Value* big =
      b.constant("big", Tensor::from_vector<uint64_t>(DType::kUInt64, {1}, {uint64_t{1} << 63}));
  Value* one = b.constant("one", Tensor::from_vector<uint64_t>(DType::kUInt64, {1}, {1}));
  b.output(b.op("Greater", {big, one}), "gt");
  EXPECT_FALSE(make_constant_folding()->run(g));
}

TEST(ConstantFolding, ConcatOfOneConstantManyTimesIsCapped) {
  Graph g;
  GraphBuilder b(g);
  Value* c = b.constant("c", Tensor(DType::kFloat32, {int64_t{1} << 20}));
  b.output(b.op("Concat", std::vector<Value*>(32, c), {{"axis", int64_t{0}}}), "big");
  b.output(b.op("Concat", std::vector<Value*>(4, c), {{"axis", int64_t{0}}}), "small");
  make_constant_folding()->run(g);
  EXPECT_FALSE(g.find_value("big")->is_constant()) << "2^25 elements from one 2^20 constant";
  ASSERT_TRUE(g.find_value("small")->is_constant());
  EXPECT_EQ(g.find_value("small")->constant().numel(), int64_t{1} << 22);
}

TEST(ConstantFolding, SliceOfEmptyAxisWithNegativeStep) {
  Graph g;
  g.opset_imports[""] = 13;
  GraphBuilder b(g);
  Value* c = b.constant("c", Tensor(DType::kFloat32, {0, 2}));
  b.output(b.op("Slice", {c, b.constant("s", Tensor::vector_i64({-1})),
                          b.constant("e", Tensor::vector_i64({INT64_MIN})),
                          b.constant("a", Tensor::vector_i64({0})),
                          b.constant("st", Tensor::vector_i64({-1}))}),
           "out");
  make_constant_folding()->run(g);
  EXPECT_EQ(g.find_value("out")->constant().dims(), (std::vector<int64_t>{0, 2}));
}

}  // namespace
}  // namespace trex::testing
