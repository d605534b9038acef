// Tensors as standalone .pb files (serialized TensorProto), the ONNX test suite's format.
#include "onnx/onnx.h"
#include "onnx/tensor_proto.h"
#include "util/error.h"
#include "util/file_io.h"

namespace trex {

Tensor load_tensor_pb(const std::string& path, std::string* name) {
  std::string bytes = read_file(path);
  onnx::TensorProto p;
  if (bytes.empty() || !p.ParseFromString(bytes))
    throw_invalid(path + ": not a serialized ONNX TensorProto");
  if (name) *name = p.name();
  return onnx_io::tensor_from_proto(p, parent_dir(path), path);
}

void save_tensor_pb(const Tensor& t, const std::string& name, const std::string& path) {
  onnx::TensorProto p;
  p.set_name(name);
  onnx_io::tensor_to_proto(t, &p);
  write_file_atomic(path, p.SerializeAsString());
}

}  // namespace trex
