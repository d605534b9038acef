// TensorProto and TypeProto conversions, including external data files.
#include "onnx/tensor_proto.h"

#include <filesystem>
#include <fstream>

#include "util/error.h"

namespace trex::onnx_io {

using onnx::TensorProto;
namespace fs = std::filesystem;

DType dtype_from_onnx(int elem_type, const std::string& what) {
  switch (elem_type) {
    case TensorProto::FLOAT:
      return DType::kFloat32;
    case TensorProto::FLOAT16:
      return DType::kFloat16;
    case TensorProto::BFLOAT16:
      return DType::kBFloat16;
    case TensorProto::DOUBLE:
      return DType::kFloat64;
    case TensorProto::INT8:
      return DType::kInt8;
    case TensorProto::UINT8:
      return DType::kUInt8;
    case TensorProto::INT16:
      return DType::kInt16;
    case TensorProto::UINT16:
      return DType::kUInt16;
    case TensorProto::INT32:
      return DType::kInt32;
    case TensorProto::UINT32:
      return DType::kUInt32;
    case TensorProto::INT64:
      return DType::kInt64;
    case TensorProto::UINT64:
      return DType::kUInt64;
    case TensorProto::BOOL:
      return DType::kBool;
    case TensorProto::STRING:
      throw_unsupported(what + ": string tensors are not supported");
    case TensorProto::COMPLEX64:
    case TensorProto::COMPLEX128:
      throw_unsupported(what + ": complex tensors are not supported");
    default:
      throw_invalid(what + ": unknown element type " + std::to_string(elem_type));
  }
}

int dtype_to_onnx(DType t) {
  switch (t) {
    case DType::kFloat32:
      return TensorProto::FLOAT;
    case DType::kFloat16:
      return TensorProto::FLOAT16;
    case DType::kBFloat16:
      return TensorProto::BFLOAT16;
    case DType::kFloat64:
      return TensorProto::DOUBLE;
    case DType::kInt8:
      return TensorProto::INT8;
    case DType::kUInt8:
      return TensorProto::UINT8;
    case DType::kInt16:
      return TensorProto::INT16;
    case DType::kUInt16:
      return TensorProto::UINT16;
    case DType::kInt32:
      return TensorProto::INT32;
    case DType::kUInt32:
      return TensorProto::UINT32;
    case DType::kInt64:
      return TensorProto::INT64;
    case DType::kUInt64:
      return TensorProto::UINT64;
    case DType::kBool:
      return TensorProto::BOOL;
    case DType::kUndefined:
      return TensorProto::UNDEFINED;
  }
  return TensorProto::UNDEFINED;
}

namespace {

std::string read_external(const TensorProto& p, const std::string& base_dir,
                          const std::string& what, size_t expected) {
  std::string location;
  int64_t offset = 0, length = -1;
  for (const auto& kv : p.external_data()) {
    try {
      if (kv.key() == "location")
        location = kv.value();
      else if (kv.key() == "offset")
        offset = std::stoll(kv.value());
      else if (kv.key() == "length")
        length = std::stoll(kv.value());
    } catch (const std::exception&) {
      throw_invalid(what + ": external data key '" + kv.key() + "' has a bad value '" + kv.value() +
                    "'");
    }
  }
  if (location.empty()) throw_invalid(what + ": external data without a location");
  if (base_dir.empty())
    throw_invalid(what + ": external data '" + location + "' but the model has no folder");
  if (offset < 0) throw_invalid(what + ": external data offset is negative");
  if (length >= 0 && static_cast<size_t>(length) != expected)
    throw_invalid(what + ": external data length " + std::to_string(length) +
                  " but the tensor needs " + std::to_string(expected) + " bytes");
  // The file must be a regular file inside the model's folder once symlinks are resolved,
  // so a model cannot make trex read (and write back out) files from elsewhere.
  std::error_code ec;
  fs::path dir = fs::canonical(base_dir, ec);
  fs::path file = ec ? fs::path() : fs::canonical(fs::path(base_dir) / location, ec);
  if (ec) throw_invalid(what + ": cannot open external data file '" + location + "'");
  auto rel = file.lexically_relative(dir);
  if (location[0] == '/' || rel.empty() || *rel.begin() == "..")
    throw_invalid(what + ": external data location '" + location +
                  "' must name a file inside the model's folder");
  if (!fs::is_regular_file(file, ec))
    throw_invalid(what + ": external data '" + location + "' is not a regular file");
  auto size = static_cast<uint64_t>(fs::file_size(file, ec));
  if (ec || static_cast<uint64_t>(offset) > size || expected > size - static_cast<uint64_t>(offset))
    throw_invalid(what + ": external data file '" + location + "' has " + std::to_string(size) +
                  " bytes, the tensor needs " + std::to_string(expected) + " at offset " +
                  std::to_string(offset));
  std::ifstream in(file, std::ios::binary);
  std::string bytes(expected, '\0');
  in.seekg(offset);
  in.read(bytes.data(), static_cast<std::streamsize>(expected));
  if (!in) throw_invalid(what + ": cannot read external data file '" + location + "'");
  return bytes;
}

template <typename Field>
void check_count(const Field& f, int64_t numel, const std::string& what, const char* field) {
  if (static_cast<int64_t>(f.size()) != numel)
    throw_invalid(what + ": " + field + " has " + std::to_string(f.size()) +
                  " values, the dims need " + std::to_string(numel));
}

}  // namespace

Tensor tensor_from_proto(const TensorProto& p, const std::string& base_dir,
                         const std::string& what) {
  if (p.has_segment()) throw_unsupported(what + ": segmented tensors are not supported");
  DType dt = dtype_from_onnx(p.data_type(), what);
  std::vector<int64_t> dims(p.dims().begin(), p.dims().end());
  for (int64_t d : dims)
    if (d < 0) throw_invalid(what + ": negative dimension " + std::to_string(d));
  // Sizes are checked against the data before anything is allocated, so a tiny file that
  // claims a huge tensor is an error, not an allocation failure.
  int64_t n = 1;
  for (int64_t d : dims) {
    if (d != 0 && n > (int64_t{1} << 40) / d) throw_invalid(what + ": too many elements");
    n *= d;
  }
  const size_t nbytes = static_cast<size_t>(n) * dtype_size(dt);
  if (p.data_location() == TensorProto::EXTERNAL) {
    std::string bytes = read_external(p, base_dir, what, nbytes);
    return Tensor::from_bytes(dt, dims, bytes.data(), nbytes);
  }
  if (p.has_raw_data()) {
    if (p.raw_data().size() != nbytes)
      throw_invalid(what + ": raw_data has " + std::to_string(p.raw_data().size()) +
                    " bytes, the dims need " + std::to_string(nbytes));
    return Tensor::from_bytes(dt, dims, p.raw_data().data(), nbytes);
  }
  switch (dt) {  // typed fields: which one depends on the dtype
    case DType::kFloat32:
      check_count(p.float_data(), n, what, "float_data");
      break;
    case DType::kFloat64:
      check_count(p.double_data(), n, what, "double_data");
      break;
    case DType::kInt64:
      check_count(p.int64_data(), n, what, "int64_data");
      break;
    case DType::kUInt32:
    case DType::kUInt64:
      check_count(p.uint64_data(), n, what, "uint64_data");
      break;
    default:
      check_count(p.int32_data(), n, what, "int32_data");
      break;
  }
  Tensor t(dt, dims);
  switch (dt) {
    case DType::kFloat32:
      for (int64_t i = 0; i < n; ++i)
        t.mutable_data<float>()[i] = p.float_data(static_cast<int>(i));
      break;
    case DType::kFloat64:
      for (int64_t i = 0; i < n; ++i)
        t.mutable_data<double>()[i] = p.double_data(static_cast<int>(i));
      break;
    case DType::kInt64:
      for (int64_t i = 0; i < n; ++i) t.set_int64(i, p.int64_data(static_cast<int>(i)));
      break;
    case DType::kUInt32:
    case DType::kUInt64:
      for (int64_t i = 0; i < n; ++i)
        t.set_int64(i, static_cast<int64_t>(p.uint64_data(static_cast<int>(i))));
      break;
    case DType::kFloat16:
    case DType::kBFloat16:  // bit patterns in int32_data
      for (int64_t i = 0; i < n; ++i)
        t.mutable_data<uint16_t>()[i] = static_cast<uint16_t>(p.int32_data(static_cast<int>(i)));
      break;
    default:  // int32, int16, int8, uint16, uint8, bool
      for (int64_t i = 0; i < n; ++i) t.set_int64(i, p.int32_data(static_cast<int>(i)));
      break;
  }
  return t;
}

void tensor_to_proto(const Tensor& t, TensorProto* p) {
  p->set_data_type(dtype_to_onnx(t.dtype()));
  for (int64_t d : t.dims()) p->add_dims(d);
  p->set_raw_data(t.raw(), t.nbytes());
}

TensorType type_from_proto(const onnx::TypeProto& p, const std::string& what) {
  if (!p.has_tensor_type()) {
    if (p.value_case() == onnx::TypeProto::VALUE_NOT_SET) return TensorType{};
    throw_unsupported(what +
                      ": only tensor types are supported (sequence, map, optional "
                      "and sparse types are not)");
  }
  const auto& tt = p.tensor_type();
  TensorType out;
  if (tt.has_elem_type() && tt.elem_type() != TensorProto::UNDEFINED)
    out.dtype = dtype_from_onnx(tt.elem_type(), what);
  if (tt.has_shape()) {
    std::vector<Dim> dims;
    for (const auto& d : tt.shape().dim()) {
      if (d.has_dim_value()) {
        if (d.dim_value() < 0)
          throw_invalid(what + ": negative dimension " + std::to_string(d.dim_value()));
        dims.emplace_back(d.dim_value());
      } else if (d.has_dim_param() && !d.dim_param().empty()) {
        dims.push_back(Dim::symbolic(d.dim_param()));
      } else {
        dims.emplace_back();
      }
    }
    out.shape = Shape(std::move(dims));
  }
  return out;
}

void type_to_proto(const TensorType& t, onnx::TypeProto* p) {
  auto* tt = p->mutable_tensor_type();
  tt->set_elem_type(dtype_to_onnx(t.dtype));
  if (!t.shape) return;
  auto* shape = tt->mutable_shape();
  for (const Dim& d : t.shape->dims()) {
    auto* dim = shape->add_dim();
    if (d.is_static())
      dim->set_dim_value(d.value());
    else if (d.is_symbolic())
      dim->set_dim_param(d.symbol());
  }
}

}  // namespace trex::onnx_io
