// ONNX conformance: runs every case of Debian's libonnx-testdata (node, pytorch-converted,
// pytorch-operator, simple) in the trex runtime and compares the outputs with the reference
// outputs (rtol 1e-3, atol 1e-7). conformance_expected.txt names every case that does not
// pass, with its status (unsupported | fail) and a reason; a case whose status differs from
// the list, in either direction, fails this test, so the list is always exact.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <set>
#include <sstream>

#include "onnx/onnx.h"
#include "runtime/session.h"
#include "util/error.h"

namespace fs = std::filesystem;

namespace trex {
namespace {

const char* kFolders[] = {"node", "pytorch-converted", "pytorch-operator", "simple"};
constexpr double kRtol = 1e-3, kAtol = 1e-7;

struct Expected {
  std::string status;
  std::string reason;
};

std::map<std::string, Expected> read_expected() {
  std::map<std::string, Expected> out;
  std::ifstream in(TREX_CONFORMANCE_LIST);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream ls(line);
    Expected e;
    std::string id;
    ls >> id >> e.status;
    std::getline(ls, e.reason);
    out[id] = e;
  }
  return out;
}

/// Empty when `got` matches `want` within tolerance, else the first difference.
std::string compare(const Tensor& want, const Tensor& got) {
  if (want.dtype() != got.dtype())
    return std::string("dtype ") + dtype_name(got.dtype()) + ", expected " +
           dtype_name(want.dtype());
  if (want.dims() != got.dims())
    return "shape " + Shape::from_static(got.dims()).to_string() + ", expected " +
           Shape::from_static(want.dims()).to_string();
  bool is_float = dtype_is_float(want.dtype());
  for (int64_t i = 0; i < want.numel(); ++i) {
    if (is_float) {
      double w = want.get_double(i), g = got.get_double(i);
      if (std::isnan(w) && std::isnan(g)) continue;
      if (std::isinf(w) && w == g) continue;
      if (std::fabs(w - g) <= kAtol + kRtol * std::fabs(w)) continue;
      std::ostringstream os;
      os << "element " << i << ": " << g << ", expected " << w;
      return os.str();
    }
    if (want.get_int64(i) != got.get_int64(i))
      return "element " + std::to_string(i) + ": " + std::to_string(got.get_int64(i)) +
             ", expected " + std::to_string(want.get_int64(i));
  }
  return "";
}

/// Status of one case: "pass", "unsupported: why" or "fail: why".
std::string run_case(const fs::path& dir) {
  std::shared_ptr<Graph> g;
  std::unique_ptr<Session> session;
  try {
    g = load_onnx((dir / "model.onnx").string());
    session = std::make_unique<Session>(g);
  } catch (const Error& e) {
    return std::string(e.kind() == ErrorKind::kUnsupported ? "unsupported: " : "fail: ") + e.what();
  }
  std::vector<fs::path> sets;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.is_directory() && e.path().filename().string().rfind("test_data_set_", 0) == 0)
      sets.push_back(e.path());
  std::sort(sets.begin(), sets.end());
  if (sets.empty()) return "fail: no test_data_set";
  for (const auto& set : sets) {
    try {
      std::map<std::string, Tensor> inputs;
      for (size_t i = 0; fs::exists(set / ("input_" + std::to_string(i) + ".pb")); ++i) {
        std::string name;
        Tensor t = load_tensor_pb((set / ("input_" + std::to_string(i) + ".pb")).string(), &name);
        if (name.empty() && i < session->inputs().size()) name = session->inputs()[i].name;
        // The suite stores bfloat16 data as uint16 bit patterns.
        for (const PortInfo& p : session->inputs())
          if (p.name == name && p.type.dtype == DType::kBFloat16 && t.dtype() == DType::kUInt16)
            t = Tensor::from_bytes(DType::kBFloat16, t.dims(), t.raw(), t.nbytes());
        inputs[name] = t;
      }
      std::vector<Tensor> got = session->run(inputs);
      for (size_t i = 0; fs::exists(set / ("output_" + std::to_string(i) + ".pb")); ++i) {
        if (i >= got.size()) return "fail: fewer outputs than expected";
        Tensor want = load_tensor_pb((set / ("output_" + std::to_string(i) + ".pb")).string());
        if (want.dtype() == DType::kUInt16 && got[i].dtype() == DType::kBFloat16)  // as above
          want = Tensor::from_bytes(DType::kBFloat16, want.dims(), want.raw(), want.nbytes());
        std::string diff = compare(want, got[i]);
        if (!diff.empty())
          return "fail: " + set.filename().string() + " output " + std::to_string(i) + ": " + diff;
      }
    } catch (const Error& e) {
      return std::string(e.kind() == ErrorKind::kUnsupported ? "unsupported: " : "fail: ") +
             e.what();
    }
  }
  return "pass";
}

TEST(Conformance, OnnxBackendTestSuite) {
  auto expected = read_expected();
  std::set<std::string> seen;
  int mismatches = 0;
  const char* env = std::getenv("TREX_CONFORMANCE_ACTUAL");
  const fs::path actual_path = env ? fs::path(env) : fs::temp_directory_path() / "trex_conformance_actual.txt";
  std::ofstream actual_list(actual_path);
  for (const char* folder : kFolders) {
    fs::path dir = fs::path(TREX_TESTDATA_DIR) / folder;
    ASSERT_TRUE(fs::is_directory(dir)) << dir;
    std::vector<fs::path> cases;
    for (const auto& e : fs::directory_iterator(dir))
      if (fs::exists(e.path() / "model.onnx")) cases.push_back(e.path());
    std::sort(cases.begin(), cases.end());
    std::map<std::string, int> counts;
    for (const auto& c : cases) {
      std::string id = std::string(folder) + "/" + c.filename().string();
      seen.insert(id);
      std::string result = run_case(c);
      std::string status = result.substr(0, result.find(':'));
      ++counts[status];
      std::string reason = status == "pass" ? "" : result.substr(result.find(':') + 2);
      if (status != "pass") {
        std::string one_line = reason.substr(0, reason.find('\n'));
        actual_list << id << " " << status << " " << one_line << "\n";
      }
      auto it = expected.find(id);
      std::string want = it == expected.end() ? "pass" : it->second.status;
      if (want != status) {
        ++mismatches;
        ADD_FAILURE() << id << ": " << status << (reason.empty() ? "" : " (" + reason + ")")
                      << ", conformance_expected.txt says " << want;
      }
    }
    std::cout << "[conformance] " << folder << ": " << cases.size() << " cases, " << counts["pass"]
              << " pass, " << counts["fail"] << " fail, " << counts["unsupported"]
              << " unsupported\n";
  }
  for (const auto& [id, e] : expected)
    if (!seen.count(id)) ADD_FAILURE() << id << " is listed but no such case exists";
  std::cout << "[conformance] actual statuses written to " << actual_path.string() << "\n";
  EXPECT_EQ(mismatches, 0);
}

}  // namespace
}  // namespace trex
