// The PTQ report: every quantizer's scale and zero point, weights, bias corrections, nodes
// left in float and why, and each quantized layer's SQNR between FP32 and INT8 outputs; as
// JSON and as a readable table.
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "ir/graph.h"
#include "quant/calibration_data.h"
#include "quant/quantization_plan.h"
#include "quant/quantizer_config.h"
#include "quant/statistics.h"

namespace trex::quant {

struct LayerError {
  std::string node, op_type;
  double sqnr_db = 0;  ///< 10 log10(sum fp32^2 / sum (fp32 - int8)^2); +inf when equal
};

/// SQNR of each quantized node's output: the FP32 model and the QDQ model (run by the trex
/// runtime, lowered to integer kernels) on the samples `indices`.
std::vector<LayerError> layer_sqnr(const Graph& fp32, const Graph& qdq,
                                   const QuantizationPlan& plan, CalibrationData& data,
                                   const std::vector<size_t>& indices, const RunOptions& options);

nlohmann::json ptq_report_json(const QuantizationPlan& plan, const PtqConfig& config,
                               const std::vector<LayerError>& errors);

/// The same as readable text.
std::string ptq_report_text(const QuantizationPlan& plan, const PtqConfig& config,
                            const std::vector<LayerError>& errors);

}  // namespace trex::quant
