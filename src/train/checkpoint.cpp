// Checkpoint files: a libtorch archive of byte tensors (ONNX graph, optimizer state, JSON
// metadata), so the format needs nothing beyond what libtorch reads and writes.
#include "train/checkpoint.h"

#include <torch/torch.h>

#include <cstring>
#include <fstream>
#include <sstream>

#include "onnx/onnx.h"
#include "util/error.h"
#include "util/file_io.h"

namespace trex::train {

namespace {
constexpr int kFormat = 1;

torch::Tensor bytes_tensor(const std::string& s) {
  torch::Tensor t = torch::empty({static_cast<int64_t>(s.size())}, torch::kUInt8);
  if (!s.empty()) std::memcpy(t.data_ptr(), s.data(), s.size());
  return t;
}

std::string tensor_bytes(const torch::Tensor& t) {
  torch::Tensor c = t.contiguous();
  return std::string(static_cast<const char*>(c.data_ptr()), c.numel());
}
}  // namespace

void save_checkpoint(const Checkpoint& ckpt, const std::string& path) {
  TREX_ASSERT(ckpt.graph);
  nlohmann::json meta = ckpt.meta;
  meta["format"] = kFormat;
  torch::serialize::OutputArchive archive;
  archive.write("trex_meta", bytes_tensor(meta.dump()));
  archive.write("graph", bytes_tensor(serialize_onnx(*ckpt.graph, false)));
  archive.write("optimizer", bytes_tensor(ckpt.optimizer_state));
  if (!ckpt.aux_optimizer_state.empty())
    archive.write("aux_optimizer", bytes_tensor(ckpt.aux_optimizer_state));
  std::ostringstream os;
  archive.save_to(os);
  write_file_atomic(path, os.str());
}

bool is_checkpoint_file(const std::string& path) {
  // libtorch archives are zip files ("PK\3\4"); ONNX models are protobuf.
  std::ifstream f(path, std::ios::binary);
  char magic[4] = {};
  f.read(magic, 4);
  return f.gcount() == 4 && magic[0] == 'P' && magic[1] == 'K' && magic[2] == 3 && magic[3] == 4;
}

Checkpoint load_checkpoint(const std::string& path) {
  std::string bytes = read_file(path);
  Checkpoint ckpt;
  torch::serialize::InputArchive archive;
  torch::Tensor meta, graph, optimizer, aux;
  try {
    std::istringstream is(bytes);
    archive.load_from(is);
    archive.read("trex_meta", meta);
    archive.read("graph", graph);
    archive.read("optimizer", optimizer);
    if (archive.try_read("aux_optimizer", aux)) ckpt.aux_optimizer_state = tensor_bytes(aux);
  } catch (const c10::Error& e) {
    throw_invalid(path + ": not a trex training checkpoint (" +
                  std::string(e.what_without_backtrace()).substr(0, 200) + ")");
  }
  try {
    ckpt.meta = nlohmann::json::parse(tensor_bytes(meta));
  } catch (const nlohmann::json::exception& e) {
    throw_invalid(path + ": checkpoint metadata is corrupt: " + e.what());
  }
  if (!ckpt.meta.is_object() || ckpt.meta.value("format", 0) != kFormat)
    throw_invalid(path + ": unsupported checkpoint format (expected format " +
                  std::to_string(kFormat) + ")");
  try {
    OnnxLoadOptions lo;
    lo.allow_trex_domain = true;  // fake quantizers of a compression checkpoint
    ckpt.graph = load_onnx_bytes(tensor_bytes(graph), path + " (model)", "", lo);
  } catch (const Error& e) {
    rethrow_with_context(e, path);
  }
  ckpt.optimizer_state = tensor_bytes(optimizer);
  return ckpt;
}

}  // namespace trex::train
