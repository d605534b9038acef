// Conversions between onnx::TensorProto / TypeProto and trex's Tensor / TensorType.
#pragma once

#include <onnx/onnx_pb.h>

#include <string>

#include "ir/shape.h"
#include "ir/tensor.h"

namespace trex::onnx_io {

/// ONNX elem_type -> DType; `what` names the tensor or value for the error message.
DType dtype_from_onnx(int elem_type, const std::string& what);
int dtype_to_onnx(DType t);

/// Reads a TensorProto (inline, typed fields or external data relative to `base_dir`).
Tensor tensor_from_proto(const onnx::TensorProto& p, const std::string& base_dir,
                         const std::string& what);
/// Writes `t` as raw_data (the name is left to the caller).
void tensor_to_proto(const Tensor& t, onnx::TensorProto* p);

TensorType type_from_proto(const onnx::TypeProto& p, const std::string& what);
void type_to_proto(const TensorType& t, onnx::TypeProto* p);

}  // namespace trex::onnx_io
