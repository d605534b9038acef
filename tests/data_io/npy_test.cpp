// .npy reading and writing: round trips, numpy's own header layout, and malformed files.
#include <gtest/gtest.h>

#include <filesystem>

#include "data/npy.h"
#include "util/error.h"

namespace trex {
namespace {

TEST(Npy, RoundTripsEveryDtypeAndRank) {
  std::string dir =
      std::filesystem::temp_directory_path() / ("trex_npy_" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  std::vector<Tensor> cases = {
      Tensor::from_vector<float>(DType::kFloat32, {2, 3}, {1, 2, 3, 4, 5, 6}),
      Tensor::vector_i64({7, -8, 9}), Tensor::from_vector<uint8_t>(DType::kUInt8, {}, {200}),
      Tensor(DType::kFloat64, {0, 4}), Tensor::from_vector<uint8_t>(DType::kBool, {2}, {1, 0})};
  for (size_t i = 0; i < cases.size(); ++i) {
    std::string path = dir + "/t" + std::to_string(i) + ".npy";
    save_npy(cases[i], path);
    Tensor back = load_npy(path);
    EXPECT_TRUE(back.equals(cases[i])) << "case " << i;
    // numpy aligns the data to 64 bytes.
    EXPECT_EQ((std::filesystem::file_size(path) - cases[i].nbytes()) % 64, 0u) << "case " << i;
  }
  std::filesystem::remove_all(dir);
}

TEST(Npy, ReadsNumpysHeaderFormat) {
  // Bytes as numpy 1.24 writes np.array([[1.5, -2.0]], dtype='<f4').
  std::string header = "{'descr': '<f4', 'fortran_order': False, 'shape': (1, 2), }";
  while ((10 + header.size() + 1) % 64) header += ' ';
  header += '\n';
  std::string bytes =
      std::string("\x93NUMPY\x01\x00", 8) + static_cast<char>(header.size()) + '\0' + header;
  float v[2] = {1.5f, -2.0f};
  bytes.append(reinterpret_cast<const char*>(v), sizeof v);
  Tensor t = parse_npy(bytes, "a.npy");
  EXPECT_EQ(t.dims(), (std::vector<int64_t>{1, 2}));
  EXPECT_EQ(t.data<float>()[1], -2.0f);
}

TEST(Npy, MalformedFilesAreErrors) {
  auto err = [](const std::string& bytes) {
    try {
      parse_npy(bytes, "bad.npy");
    } catch (const Error& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  EXPECT_EQ(err("not numpy"), "bad.npy: not a .npy file (bad magic)");
  std::string h = "{'descr': '>f4', 'fortran_order': False, 'shape': (1,), }\n";
  EXPECT_NE(
      err(std::string("\x93NUMPY\x01\x00", 8) + static_cast<char>(h.size()) + '\0' + h + "abcd")
          .find("dtype '>f4' is not supported"),
      std::string::npos);
  h = "{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }\n";
  EXPECT_NE(
      err(std::string("\x93NUMPY\x01\x00", 8) + static_cast<char>(h.size()) + '\0' + h + "abcd")
          .find("data has 4 bytes, the shape needs 12"),
      std::string::npos);
}

}  // namespace
}  // namespace trex
