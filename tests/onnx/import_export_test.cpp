// ONNX import/export through the public functions: round trips, external data, old-style
// initializers, opset upgrade, symbolic dims and errors that name what is at fault.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "ir/builder.h"
#include "ir/printer.h"
#include "onnx/onnx.h"
#include "passes/passes.h"
#include "test_util.h"
#include "util/error.h"
#include "util/file_io.h"

namespace fs = std::filesystem;

namespace trex {
namespace {

const std::string kTestdata = "/usr/share/libonnx-testdata/data/";

fs::path temp_dir(const std::string& name) {
  fs::path d = fs::temp_directory_path() / ("trex_test_" + name + "_" + std::to_string(getpid()));
  fs::remove_all(d);
  fs::create_directories(d);
  return d;
}

std::unique_ptr<Graph> conv_graph(Shape input_shape) {
  auto g = std::make_unique<Graph>();
  GraphBuilder b(*g);
  Value* x = b.input("x", DType::kFloat32, input_shape);
  Tensor w(DType::kFloat32, {4, 3, 3, 3});
  for (int64_t i = 0; i < w.numel(); ++i)
    w.mutable_data<float>()[i] = static_cast<float>(i) * 0.01f;
  Value* y = b.op("Conv", {x, b.constant("w", w)}, {{"pads", ints({1, 1, 1, 1})}}, "conv");
  b.output(b.op("Relu", {y}, {}, "relu"), "y");
  return g;
}

using testing::error_of;

TEST(OnnxImport, RoundTripKeepsGraphAndInfersShapes) {
  auto g = conv_graph({1, 3, 8, 8});
  auto a = load_onnx_bytes(serialize_onnx(*g), "m.onnx", "");
  EXPECT_EQ(a->find_value("y")->type().to_string(), "f32[1,4,8,8]");
  EXPECT_EQ(a->find_node("conv")->output(0)->type().to_string(), "f32[1,4,8,8]");
  auto b = load_onnx_bytes(serialize_onnx(*a), "m2.onnx", "");
  EXPECT_EQ(to_text(*a), to_text(*b));
}

TEST(OnnxImport, SymbolicDimsSurvive) {
  auto g = conv_graph(Shape({Dim::symbolic("batch"), 3, 8, 8}));
  auto a = load_onnx_bytes(serialize_onnx(*g), "m.onnx", "");
  EXPECT_EQ(a->find_value("x")->type().to_string(), "f32[batch,3,8,8]");
  EXPECT_EQ(a->find_value("y")->type().to_string(), "f32[batch,4,8,8]");
}

// ONNX gives a Resize output fresh "unk__" dims even where it scales by 1; the loader keeps
// the input's, so the Add after two chained upsamples sees equal shapes (and a model saved
// with fresh symbols in its value_info loads with them related again).
TEST(OnnxImport, ResizeKeepsTheDimsItDoesNotScale) {
  auto g = std::make_unique<Graph>();
  GraphBuilder b(*g);
  Value* x = b.input("x", DType::kFloat32, Shape({Dim::symbolic("N"), 2, 4, 4}));
  Value* small = b.input("s", DType::kFloat32, Shape({Dim::symbolic("N"), 2, 1, 1}));
  auto up = [&](Value* v, const std::string& name) {
    Value* scales = b.constant(name + ".scales", Tensor::from_vector<float>(
                                                     DType::kFloat32, {4}, {1.0f, 1.0f, 2.0f, 2.0f}));
    return b.op("Resize", {v, nullptr, scales}, {{"mode", std::string("nearest")}}, name);
  };
  Value* y = b.op("Add", {x, up(up(small, "up1"), "up2")}, {}, "add");
  b.output(y, "y");
  auto a = load_onnx_bytes(serialize_onnx(*g), "m.onnx", "");
  EXPECT_EQ(a->find_node("up1")->output(0)->type().to_string(), "f32[N,2,2,2]");
  EXPECT_EQ(a->find_node("up2")->output(0)->type().to_string(), "f32[N,2,4,4]");
  EXPECT_EQ(a->find_value("y")->type().to_string(), "f32[N,2,4,4]");
  auto again = load_onnx_bytes(serialize_onnx(*a), "m2.onnx", "");
  EXPECT_EQ(again->find_value("y")->type().to_string(), "f32[N,2,4,4]");
}

TEST(OnnxImport, ExternalDataIsWrittenAndRead) {
  fs::path dir = temp_dir("external");
  auto g = conv_graph({1, 3, 8, 8});
  OnnxSaveOptions opts;
  opts.external_data_threshold = 64;
  save_onnx(*g, (dir / "m.onnx").string(), opts);
  ASSERT_TRUE(fs::exists(dir / "m.onnx.data"));
  EXPECT_EQ(fs::file_size(dir / "m.onnx.data"), 4u * 3 * 3 * 3 * 4);
  EXPECT_LT(fs::file_size(dir / "m.onnx"), 1000u);
  auto a = load_onnx((dir / "m.onnx").string());
  auto inline_copy = load_onnx_bytes(serialize_onnx(*g), "m.onnx", "");
  EXPECT_EQ(to_text(*a), to_text(*inline_copy));
  // No temporary files are left behind.
  int files = 0;
  for (auto& e : fs::directory_iterator(dir)) files += e.is_regular_file();
  EXPECT_EQ(files, 2);

  // A truncated data file is an error naming the initializer.
  fs::resize_file(dir / "m.onnx.data", 100);
  std::string err = error_of([&] { load_onnx((dir / "m.onnx").string()); });
  EXPECT_NE(err.find("initializer 'w'"), std::string::npos) << err;
  EXPECT_NE(err.find("m.onnx.data"), std::string::npos) << err;
  fs::remove_all(dir);
}

TEST(OnnxImport, ExternalDataMustStayInsideTheModelFolder) {
  fs::path dir = temp_dir("escape");
  fs::create_directories(dir / "model");
  auto g = conv_graph({1, 3, 8, 8});
  OnnxSaveOptions opts;
  opts.external_data_threshold = 64;
  save_onnx(*g, (dir / "model" / "m.onnx").string(), opts);
  ASSERT_NO_THROW(load_onnx((dir / "model" / "m.onnx").string()));
  // Replace the data file by a symlink to a file outside the model's folder.
  fs::rename(dir / "model" / "m.onnx.data", dir / "outside.data");
  fs::create_symlink(dir / "outside.data", dir / "model" / "m.onnx.data");
  std::string err = error_of([&] { load_onnx((dir / "model" / "m.onnx").string()); });
  EXPECT_NE(err.find("must name a file inside the model's folder"), std::string::npos) << err;
  fs::remove_all(dir);
}

TEST(OnnxImport, MetadataSurvivesRoundTrip) {
  auto g = conv_graph({1, 3, 8, 8});
  g->metadata = {{"labels", "cat,dog"}, {"author", "trex"}};
  g->model_version = 3;
  auto a = load_onnx_bytes(serialize_onnx(*g), "m.onnx", "");
  EXPECT_EQ(a->metadata, g->metadata);
  EXPECT_EQ(a->model_version, 3);
}

TEST(OnnxImport, OldOpsetIsUpgradedAndInitializerInputsBecomeConstants) {
  // pytorch-converted models are opset 6 with every weight also listed as a graph input.
  auto g = load_onnx(kTestdata + "pytorch-converted/test_Conv2d/model.onnx");
  EXPECT_EQ(g->opset(), 7);
  ASSERT_EQ(g->inputs().size(), 1u);
  EXPECT_EQ(g->constants().size(), 2u);
  for (Value* c : g->constants()) EXPECT_FALSE(c->is_graph_input());
}

TEST(OnnxImport, NodesWithoutNamesGetDeterministicNames) {
  auto a = load_onnx(kTestdata + "node/test_add/model.onnx");
  ASSERT_EQ(a->num_nodes(), 1u);
  EXPECT_EQ(a->nodes()[0]->name(), "Add_0");
  auto b = load_onnx(kTestdata + "node/test_add/model.onnx");
  EXPECT_EQ(to_text(*a), to_text(*b));
}

TEST(OnnxImport, ErrorsNameTheFileAndNode) {
  auto g = conv_graph({1, 3, 8, 8});
  g->find_node("relu")->set_attr("bogus_type", std::string("x"));
  std::string bytes = serialize_onnx(*g, /*check=*/false);
  EXPECT_EQ(error_of([&] {
              load_onnx_bytes(bytes, "bad.onnx", "");
            }).rfind("bad.onnx: node 'relu' (Relu): ", 0),
            0u);

  auto h = conv_graph({1, 3, 8, 8});
  h->add_node("NotAnOp", {h->find_value("y")}, 1, "mystery");
  std::string err = error_of([&] { load_onnx_bytes(serialize_onnx(*h, false), "u.onnx", ""); });
  EXPECT_EQ(err, "u.onnx: node 'mystery' (NotAnOp): unknown op 'NotAnOp'");

  auto k = conv_graph({1, 3, 8, 8});
  k->opset_imports[""] = 99;
  err = error_of([&] { load_onnx_bytes(serialize_onnx(*k, false), "o.onnx", ""); });
  EXPECT_NE(err.find("o.onnx: default-domain opset 99 is not supported"), std::string::npos) << err;

  EXPECT_EQ(error_of([] { load_onnx_bytes("", "e.onnx", ""); }), "e.onnx: file is empty");
  EXPECT_NE(error_of([] {
              load_onnx_bytes("\x0a\xff\xff\xff", "r.onnx", "");
            }).find("r.onnx: not an ONNX model"),
            std::string::npos);
  EXPECT_NE(error_of([] {
              load_onnx("/nonexistent/model.onnx");
            }).find("/nonexistent/model.onnx: cannot open"),
            std::string::npos);
}

TEST(OnnxImport, TruncatedFilesNeverLoadSilently) {
  std::string bytes = serialize_onnx(*conv_graph({1, 3, 8, 8}));
  auto full = load_onnx_bytes(bytes, "m.onnx", "");
  for (size_t cut = 0; cut < bytes.size(); cut += 7) {
    std::string part = bytes.substr(0, cut);
    try {
      auto g = load_onnx_bytes(part, "t.onnx", "");
      // A cut that lands on a field boundary can parse; it must then still be complete.
      EXPECT_EQ(to_text(*g), to_text(*full)) << "cut at " << cut;
    } catch (const Error& e) {
      EXPECT_EQ(std::string(e.what()).rfind("t.onnx: ", 0), 0u) << e.what();
    }
  }
}

TEST(OnnxExport, SaveIsAtomicAndLeavesNoTemporaryOnError) {
  fs::path dir = temp_dir("atomic");
  std::string path = (dir / "m.onnx").string();
  write_file_atomic(path, "old");
  // An exported graph that ONNX's checker rejects (Relu with two inputs) is not written.
  auto g = conv_graph({1, 3, 8, 8});
  g->find_node("relu")->add_input(g->find_value("x"));
  EXPECT_THROW(save_onnx(*g, path), Error);
  EXPECT_EQ(read_file(path), "old");
  int files = 0;
  for (auto& e : fs::directory_iterator(dir)) files += e.is_regular_file();
  EXPECT_EQ(files, 1);
  fs::remove_all(dir);
}

}  // namespace
}  // namespace trex

namespace trex {
namespace {

// Inputs the loader fuzzer found crashing (in trex or in libonnx's shape inference): each
// must now be a clear error or load cleanly, never a crash.
TEST(OnnxImport, FuzzRegressionsAreErrorsNotCrashes) {
  const fs::path dir = fs::path(TREX_TEST_DATA_DIR) / "fuzz_regressions";
  int seen = 0;
  for (const auto& e : fs::directory_iterator(dir)) {
    ++seen;
    try {
      auto g = load_onnx(e.path().string());
      canonicalize(*g);
      serialize_onnx(*g);
    } catch (const Error& err) {
      EXPECT_NE(err.kind(), ErrorKind::kInternal) << e.path() << ": " << err.what();
      EXPECT_EQ(std::string(err.what()).rfind(e.path().string() + ": ", 0), 0u) << err.what();
    }
  }
  EXPECT_GE(seen, 5);
}

}  // namespace
}  // namespace trex
