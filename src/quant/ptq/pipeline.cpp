// The DefaultQuantization step list. Order matters:
//   0. transformer models: SmoothQuant first, with a calibration pass of its own, since it
//      changes the graph the quantizers are placed on (a Mul before each MatMul/Gemm);
//   1. placement decides which values and weights get quantizers (ignored scope applied);
//   2. one calibration pass collects what MinMax (ranges) and FastBiasCorrection (input
//      channel means) asked for, so the data is read once;
//   3. MinMax turns ranges into scales and quantizes the weights;
//   4. bias correction needs those quantizers: FastBiasCorrection from the same statistics,
//      BiasCorrection with passes of its own over part of the subset;
//   5. the plan is written into the graph as QDQ.
#include "quant/ptq/pipeline.h"

#include "onnx/onnx.h"
#include "passes/passes.h"
#include "quant/insert_qdq.h"
#include "quant/ptq/bias_correction.h"
#include "quant/ptq/fast_bias_correction.h"
#include "quant/ptq/min_max.h"
#include "quant/ptq/smooth_quant.h"
#include "quant/quantizer_placement.h"
#include "util/error.h"

namespace trex::quant {

PtqResult quantize_model(const Graph& model, CalibrationData& data, const PtqConfig& config,
                         const RunOptions& options) {
  validate_ptq_config(config, "PTQ config");
  std::string what;
  if (is_quantized_model(model, &what))
    throw_invalid("model is already optimized by PTQ (it has " + what +
                  "); quantize the FP32 model instead");
  // Types and shapes on every value: placement reads dtypes, bias correction input sizes.
  std::shared_ptr<Graph> typed = model.clone();
  std::string blocker;
  if (!upgrade_opset(*typed, 13, &blocker))
    throw_unsupported("the model has opset " + std::to_string(model.opset()) +
                      "; QDQ needs opset 13 (per-channel DequantizeLinear) and " + blocker +
                      " may change meaning there: re-export the model with opset 13 or later");
  infer_shapes(*typed);
  if (data.size() == 0) throw_invalid("the calibration data has no samples");
  RunOptions run = options;
  run.batch_size = config.batch_size;
  PtqResult result;
  result.subset =
      calibration_subset(data.size(), static_cast<size_t>(config.stat_subset_size), config.seed);
  const bool transformer = config.model_type == ModelType::kTransformer;
  if (transformer) {
    SmoothQuant smooth(config);
    Statistics s = collect_statistics(*typed, smooth.required_statistics(*typed), data,
                                      result.subset, run, "smooth quant");
    typed = smooth.apply(*typed, s, &result.smoothed);
  }
  const Graph& fp32 = *typed;
  QuantizationPlan& plan = result.plan;
  plan.setup = place_quantizers(fp32, config.ignored, transformer);
  if (config.quantize_outputs) add_output_quantizers(fp32, config.ignored, plan.setup);
  drop_quantizers(plan.setup, config.float_activations, config.float_weights);
  for (const std::string& u : plan.setup.unmatched_ignored)
    result.warnings.push_back("ignored scope " + u + " matches no node");

  MinMaxQuantization min_max(config);
  FastBiasCorrection fast_bc(config);
  StatisticsRequest request = min_max.required_statistics(plan.setup);
  if (config.bias_correction == BiasCorrectionKind::kFast)
    request.channel_means = fast_bc.required_statistics(fp32, plan.setup).channel_means;
  Statistics stats = collect_statistics(fp32, request, data, result.subset, run, "calibrate");
  min_max.apply(fp32, stats, plan);
  if (config.bias_correction == BiasCorrectionKind::kFast)
    fast_bc.apply(fp32, stats, plan);
  else if (config.bias_correction == BiasCorrectionKind::kFull)
    BiasCorrection(config).apply(fp32, plan, data, result.subset, run);
  result.model = build_qdq_model(fp32, plan);
  return result;
}

}  // namespace trex::quant
