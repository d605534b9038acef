// Every model of Debian's libonnx-testdata (node, pytorch-converted, pytorch-operator,
// simple) must import, export through ONNX's checker, re-import to the same graph, and
// survive canonicalization, unless it is listed in roundtrip_unsupported.txt with a
// reason. A case that starts or stops failing without a matching edit of that list fails.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <set>
#include <sstream>

#include "ir/printer.h"
#include "ir/verifier.h"
#include "onnx/onnx.h"
#include "passes/passes.h"
#include "util/error.h"

namespace fs = std::filesystem;

namespace trex {
namespace {

const char* kFolders[] = {"node", "pytorch-converted", "pytorch-operator", "simple"};

/// "folder/case" -> reason.
std::map<std::string, std::string> read_unsupported_list() {
  std::map<std::string, std::string> out;
  std::ifstream in(TREX_UNSUPPORTED_LIST);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream ls(line);
    std::string id, reason;
    ls >> id;
    std::getline(ls, reason);
    reason.erase(0, reason.find_first_not_of(" \t"));
    out[id] = reason;
  }
  return out;
}

/// Empty string on success, else what went wrong. Listed cases must fail as unsupported
/// at import, so `unsupported` reports whether the error was of that kind.
std::string round_trip(const std::string& path, bool& unsupported) {
  unsupported = false;
  try {
    auto g = load_onnx(path);
    std::string text1 = to_text(*g);
    std::string bytes = serialize_onnx(*g, /*check=*/true);
    auto g2 = load_onnx_bytes(bytes, path + " (re-imported)", fs::path(path).parent_path());
    std::string text2 = to_text(*g2);
    if (text1 != text2) return "re-imported graph differs:\n" + text1 + "---\n" + text2;
    PipelineOptions opts;
    opts.verify_each_pass = true;
    canonicalize(*g2, opts);
    verify(*g2);
    serialize_onnx(*g2, /*check=*/true);
    return "";
  } catch (const Error& e) {
    unsupported = e.kind() == ErrorKind::kUnsupported;
    return e.what();
  }
}

TEST(OnnxTestdata, EveryModelRoundTripsOrIsListed) {
  auto listed = read_unsupported_list();
  std::set<std::string> seen;
  int unexpected = 0;
  for (const char* folder : kFolders) {
    fs::path dir = fs::path(TREX_TESTDATA_DIR) / folder;
    ASSERT_TRUE(fs::is_directory(dir)) << dir << " missing: is libonnx-testdata installed?";
    std::vector<fs::path> cases;
    for (const auto& e : fs::directory_iterator(dir))
      if (fs::exists(e.path() / "model.onnx")) cases.push_back(e.path());
    std::sort(cases.begin(), cases.end());
    int pass = 0, unsupported = 0;
    for (const auto& c : cases) {
      std::string id = std::string(folder) + "/" + c.filename().string();
      seen.insert(id);
      bool kind_unsupported = false;
      std::string err = round_trip((c / "model.onnx").string(), kind_unsupported);
      bool is_listed = listed.count(id) > 0;
      if (err.empty() && !is_listed) {
        ++pass;
      } else if (!err.empty() && is_listed && kind_unsupported) {
        ++unsupported;
      } else if (err.empty()) {
        ++unexpected;
        ADD_FAILURE() << id << " now round-trips: remove it from roundtrip_unsupported.txt";
      } else {
        ++unexpected;
        ADD_FAILURE() << id << " fails: " << err;
      }
    }
    std::cout << "[roundtrip] " << folder << ": " << cases.size() << " models, " << pass
              << " round-trip, " << unsupported << " listed unsupported\n";
  }
  for (const auto& [id, reason] : listed)
    if (!seen.count(id)) ADD_FAILURE() << id << " is listed but no such case exists";
  EXPECT_EQ(unexpected, 0);
}

}  // namespace
}  // namespace trex
