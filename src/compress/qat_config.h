// What the quantization algorithm of a compression config asks of QAT's initialization,
// expressed as a PTQ config so QAT and PTQ share placement and range estimation: preset
// and modes, bits, granularity and signedness (per scope too), range initializers (per
// scope too) and their sample count, ignored and target scopes (of the algorithm and of the
// weights / activations groups), quantize_inputs / quantize_outputs, the overflow fix.
// Settings the CPU int8 kernels cannot run (asymmetric or unsigned weights, per-channel
// activations) are errors naming the key.
#pragma once

#include <string>
#include <vector>

#include "compress/compression_config.h"
#include "ir/graph.h"
#include "quant/quantizer_config.h"

namespace trex::compress {

struct QatInitConfig {
  quant::PtqConfig ptq;  ///< bias correction off: QAT trains the biases
  /// Entries of ignored_scopes / target_scopes that matched no node of the model.
  std::vector<std::string> unmatched_scopes;
  /// logarithm_scale of the weights and activations groups (see use_log_scales).
  bool log_scale_weights = false, log_scale_activations = false;
};

/// `q` applied to `model` (the canonical FP32 graph the quantizers are placed on): nodes
/// outside the scopes become ignored-scope names. `where` names the config in messages
/// ("file: compression[0]"); `seed` picks the initialization samples.
QatInitConfig qat_init_config(const QuantizationConfig& q, const Graph& model,
                              const std::string& where, uint64_t seed);

}  // namespace trex::compress
