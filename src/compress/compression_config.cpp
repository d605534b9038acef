// Compression config parsing, validation and recipe composition (see compression_config.h).
#include "compress/compression_config.h"

#include <algorithm>
#include <fstream>
#include <regex>
#include <sstream>

#include "util/error.h"
#include "util/json_group.h"
#include "util/user_regex.h"

namespace trex::compress {

namespace {

using nlohmann::json;

constexpr int64_t kMaxSamples = 1LL << 31;
constexpr int kMaxEpochs = 1000000;

/// A scope entry ("name" or "{re}regex") at key path `kp`: the regex must compile.
void check_scope_entry(const JsonGroup& g, const std::string& kp, const std::string& entry) {
  if (entry.rfind("{re}", 0) != 0) return;
  try {
    std::regex re = user_regex(entry.substr(4));
  } catch (const std::regex_error& ex) {
    g.fail(kp, "'" + entry + "' is not a valid regular expression (" + ex.what() + ")");
  }
}

Scopes read_scopes(JsonGroup& g) {
  Scopes s;
  s.ignored = g.strings("ignored_scopes");
  s.target = g.strings("target_scopes");
  for (const auto& e : s.ignored) check_scope_entry(g, g.key_path("ignored_scopes"), e);
  for (const auto& e : s.target) check_scope_entry(g, g.key_path("target_scopes"), e);
  return s;
}

QuantizerGroupConfig read_quantizer_group(const json& j, const std::string& path,
                                          const std::string& file, bool with_scopes) {
  JsonGroup g(j, path, file);
  QuantizerGroupConfig q;
  if (g.has("mode")) q.mode = g.choice("mode", "", {"symmetric", "asymmetric"});
  q.bits_given = g.has("bits");
  q.bits = static_cast<int>(g.integer("bits", 8, 2, 8));
  if (g.has("signed")) q.is_signed = g.boolean("signed", false);
  if (g.has("per_channel")) q.per_channel = g.boolean("per_channel", false);
  q.logarithm_scale = g.boolean("logarithm_scale", false);
  if (with_scopes) q.scopes = read_scopes(g);
  g.check_unknown();
  return q;
}

RangeInitConfig read_range_init(const json& j, const std::string& path, const std::string& file,
                                bool in_list) {
  JsonGroup g(j, path, file);
  RangeInitConfig r;
  r.type = g.choice(
      "type", r.type,
      {"mixed_min_max", "min_max", "mean_min_max", "threesigma", "percentile", "mean_percentile"});
  r.num_init_samples = static_cast<int>(g.integer("num_init_samples", 256, 0, kMaxSamples));
  JsonGroup p(g.object("params"), g.key_path("params"), file);
  r.min_percentile = p.number("min_percentile", r.min_percentile, 0, 100);
  r.max_percentile = p.number("max_percentile", r.max_percentile, 0, 100);
  if (r.min_percentile >= r.max_percentile)
    p.fail(p.key_path("min_percentile"), "must be below max_percentile");
  p.check_unknown();
  if (in_list) {
    if (g.has("target_quantizer_group"))
      r.target_quantizer_group = g.choice("target_quantizer_group", "", {"weights", "activations"});
    r.scopes = read_scopes(g);
  }
  g.check_unknown();
  return r;
}

StagedQuantizationParams read_staged(JsonGroup& g) {
  StagedQuantizationParams s;
  s.batch_multiplier = static_cast<int>(g.integer("batch_multiplier", 1, 1, 1024));
  s.activations_quant_start_epoch =
      static_cast<int>(g.integer("activations_quant_start_epoch", 0, 0, kMaxEpochs));
  s.weights_quant_start_epoch =
      static_cast<int>(g.integer("weights_quant_start_epoch", 0, 0, kMaxEpochs));
  if (auto v = g.optional_integer("lr_poly_drop_start_epoch", 0, kMaxEpochs))
    s.lr_poly_drop_start_epoch = static_cast<int>(*v);
  s.lr_poly_drop_duration_epochs =
      static_cast<int>(g.integer("lr_poly_drop_duration_epochs", 30, 1, kMaxEpochs));
  if (auto v = g.optional_integer("disable_wd_start_epoch", 0, kMaxEpochs))
    s.disable_wd_start_epoch = static_cast<int>(*v);
  s.base_lr = g.optional_number("base_lr", 0, 1e6);
  s.base_wd = g.optional_number("base_wd", 0, 1e6);
  g.check_unknown();
  return s;
}

QuantizationConfig read_quantization(JsonGroup& g) {
  const std::string& file = g.file();
  QuantizationConfig q;
  q.preset = g.choice("preset", q.preset, {"performance", "mixed"});
  JsonGroup init(g.object("initializer"), g.key_path("initializer"), file);
  const json& range = init.raw("range");
  std::string rp = init.key_path("range");
  if (range.is_array()) {
    if (range.empty()) init.fail(rp, "an empty list: give at least one initializer");
    for (size_t i = 0; i < range.size(); ++i)
      q.range_init.push_back(
          read_range_init(range[i], rp + "[" + std::to_string(i) + "]", file, true));
  } else {
    q.range_init.push_back(read_range_init(range, rp, file, false));
  }
  JsonGroup bn(init.object("batchnorm_adaptation"), init.key_path("batchnorm_adaptation"), file);
  q.num_bn_adaptation_samples =
      static_cast<int>(bn.integer("num_bn_adaptation_samples", 2000, 0, kMaxSamples));
  bn.check_unknown();
  if (init.has("precision"))
    init.fail(init.key_path("precision"),
              "mixed-precision initialization (HAWQ, AutoQ) is not supported: trex runs INT8 "
              "(remove the key)");
  init.check_unknown();
  q.weights = read_quantizer_group(g.object("weights"), g.key_path("weights"), file, true);
  q.activations =
      read_quantizer_group(g.object("activations"), g.key_path("activations"), file, true);
  JsonGroup so(g.object("scope_overrides"), g.key_path("scope_overrides"), file);
  for (const char* group : {"weights", "activations"}) {
    const json& o = so.object(group);
    if (o.is_null()) continue;
    auto& out = std::string(group) == "weights" ? q.weight_overrides : q.activation_overrides;
    for (const auto& kv : o.items()) {
      std::string kp = so.key_path(group) + "." + kv.key();
      check_scope_entry(so, kp, kv.key());
      out.emplace_back(kv.key(), read_quantizer_group(kv.value(), kp, file, false));
    }
  }
  so.check_unknown();
  q.quantize_inputs = g.boolean("quantize_inputs", true);
  q.quantize_outputs = g.boolean("quantize_outputs", false);
  q.scopes = read_scopes(g);
  q.overflow_fix =
      g.choice("overflow_fix", q.overflow_fix, {"enable", "disable", "first_layer_only"});
  if (g.has("params")) {
    JsonGroup p(g.object("params"), g.key_path("params"), file);
    q.params = read_staged(p);
  }
  g.boolean("export_to_onnx_standard_ops", true);  // trex always writes standard QDQ
  q.compression_lr_multiplier = g.optional_number("compression_lr_multiplier", 0, 1e6);
  return q;
}

FilterPruningConfig read_filter_pruning(JsonGroup& g) {
  FilterPruningConfig f;
  f.pruning_init = g.number("pruning_init", 0, 0, 0.99);
  f.scopes = read_scopes(g);
  f.compression_lr_multiplier = g.optional_number("compression_lr_multiplier", 0, 1e6);
  JsonGroup p(g.object("params"), g.key_path("params"), g.file());
  f.schedule =
      p.choice("schedule", f.schedule, {"exponential", "exponential_with_bias", "baseline"});
  f.pruning_target = p.optional_number("pruning_target", 0, 0.99);
  f.pruning_flops_target = p.optional_number("pruning_flops_target", 0, 0.99);
  if (f.pruning_target && f.pruning_flops_target)
    p.fail(p.key_path("pruning_flops_target"),
           "give pruning_target or pruning_flops_target, not both");
  if (f.pruning_init > f.target())
    g.fail(g.key_path("pruning_init"), "above the pruning target " + JsonGroup::dump(f.target()));
  f.pruning_steps = static_cast<int>(p.integer("pruning_steps", 100, 1, kMaxEpochs));
  f.num_init_steps = static_cast<int>(p.integer("num_init_steps", 0, 0, kMaxEpochs));
  f.filter_importance =
      p.choice("filter_importance", f.filter_importance, {"L2", "L1", "geometric_median"});
  f.prune_first_conv = p.boolean("prune_first_conv", false);
  f.prune_downsample_convs = p.boolean("prune_downsample_convs", false);
  f.prune_batch_norms = p.boolean("prune_batch_norms", true);
  p.check_unknown();
  return f;
}

SparsityConfig read_sparsity(JsonGroup& g, const std::string& algorithm) {
  SparsityConfig s;
  s.algorithm = algorithm;
  s.sparsity_init = g.number("sparsity_init", 0, 0, 0.99);
  s.scopes = read_scopes(g);
  s.compression_lr_multiplier = g.optional_number("compression_lr_multiplier", 0, 1e6);
  JsonGroup p(g.object("params"), g.key_path("params"), g.file());
  if (algorithm == "const_sparsity") {
    p.check_unknown();  // fixed masks: no schedule
    return s;
  }
  const std::string def = algorithm == "rb_sparsity" ? "exponential" : "polynomial";
  s.schedule = p.choice("schedule", def, {"polynomial", "exponential", "adaptive", "multistep"});
  s.sparsity_target = p.number("sparsity_target", 0.5, 0, 0.99);
  s.sparsity_target_epoch = static_cast<int>(p.integer("sparsity_target_epoch", 90, 0, kMaxEpochs));
  s.sparsity_freeze_epoch =
      static_cast<int>(p.integer("sparsity_freeze_epoch", 100, 0, kMaxEpochs));
  s.power = p.number("power", 1.0, 0.01, 100);
  s.concave = p.boolean("concave", true);
  s.patience = static_cast<int>(p.integer("patience", 1, 1, kMaxEpochs));
  s.multistep_steps = p.list<int>("multistep_steps", [&](const json& v, const std::string& kp) {
    return static_cast<int>(p.to_integer(v, kp, 0, kMaxEpochs));
  });
  s.multistep_sparsity_levels =
      p.list<double>("multistep_sparsity_levels", [&](const json& v, const std::string& kp) {
        if (!v.is_number() || v.get<double>() < 0 || v.get<double>() >= 1)
          p.fail(kp, "expected a sparsity level in [0, 1), got " + JsonGroup::dump(v));
        return v.get<double>();
      });
  if (algorithm == "magnitude_sparsity")
    s.weight_importance = p.choice("weight_importance", s.weight_importance, {"abs", "normed_abs"});
  if (s.sparsity_init > s.sparsity_target)
    g.fail(g.key_path("sparsity_init"), "above sparsity_target");
  if (s.schedule != "adaptive" && s.sparsity_freeze_epoch < s.sparsity_target_epoch)
    p.fail(p.key_path("sparsity_freeze_epoch"), "before sparsity_target_epoch");
  if (s.schedule == "multistep") {
    if (s.multistep_steps.empty())
      p.fail(p.key_path("multistep_steps"), "required by the multistep schedule");
    if (s.multistep_sparsity_levels.size() != s.multistep_steps.size() + 1)
      p.fail(p.key_path("multistep_sparsity_levels"),
             "needs one level more than multistep_steps (" +
                 std::to_string(s.multistep_steps.size() + 1) + "), got " +
                 std::to_string(s.multistep_sparsity_levels.size()));
    for (size_t i = 1; i < s.multistep_steps.size(); ++i)
      if (s.multistep_steps[i] <= s.multistep_steps[i - 1])
        p.fail(p.key_path("multistep_steps"), "must increase");
  }
  p.check_unknown();
  return s;
}

DistillationConfig read_distillation(JsonGroup& g) {
  DistillationConfig d;
  if (!g.has("type")) g.fail(g.key_path("type"), "missing (mse or softmax)");
  d.type = g.choice("type", d.type, {"mse", "softmax"});
  d.scale = g.number("scale", 1.0, 0, 1e6);
  d.temperature = g.number("temperature", 1.0, 1e-6, 1e6);
  return d;
}

AccuracyAwareConfig read_accuracy_aware(const json& j, const std::string& path,
                                        const std::string& file) {
  JsonGroup g(j, path, file);
  AccuracyAwareConfig a;
  if (!g.has("mode"))
    g.fail(g.key_path("mode"), "missing (early_exit or adaptive_compression_level)");
  a.mode = g.choice("mode", "", {"early_exit", "adaptive_compression_level"});
  JsonGroup p(g.object("params"), g.key_path("params"), file);
  a.maximal_absolute_accuracy_degradation =
      p.optional_number("maximal_absolute_accuracy_degradation", 0, 1e6);
  a.maximal_relative_accuracy_degradation =
      p.optional_number("maximal_relative_accuracy_degradation", 0, 100);
  if (a.maximal_absolute_accuracy_degradation.has_value() ==
      a.maximal_relative_accuracy_degradation.has_value())
    p.fail(p.path(),
           "give exactly one of maximal_absolute_accuracy_degradation and "
           "maximal_relative_accuracy_degradation");
  a.maximal_total_epochs =
      static_cast<int>(p.integer("maximal_total_epochs", a.maximal_total_epochs, 1, kMaxEpochs));
  a.validate_every_n_epochs =
      static_cast<int>(p.integer("validate_every_n_epochs", 1, 1, kMaxEpochs));
  if (a.mode == "adaptive_compression_level") {
    a.initial_training_phase_epochs = static_cast<int>(
        p.integer("initial_training_phase_epochs", a.initial_training_phase_epochs, 0, kMaxEpochs));
    a.patience_epochs =
        static_cast<int>(p.integer("patience_epochs", a.patience_epochs, 1, kMaxEpochs));
    a.initial_compression_rate_step =
        p.number("initial_compression_rate_step", a.initial_compression_rate_step, 1e-4, 1);
    a.compression_rate_step_reduction_factor =
        p.number("compression_rate_step_reduction_factor", a.compression_rate_step_reduction_factor,
                 1e-3, 0.999);
    a.minimal_compression_rate_step =
        p.number("minimal_compression_rate_step", a.minimal_compression_rate_step, 1e-5, 1);
    a.lr_reduction_factor = p.number("lr_reduction_factor", a.lr_reduction_factor, 1e-4, 1);
    if (a.minimal_compression_rate_step > a.initial_compression_rate_step)
      p.fail(p.key_path("minimal_compression_rate_step"), "above initial_compression_rate_step");
  }
  p.check_unknown();
  g.check_unknown();
  return a;
}

InputInfo read_input_info(const json& j, const std::string& path, const std::string& file) {
  JsonGroup g(j, path, file);
  InputInfo in;
  if (!g.has("sample_size")) g.fail(g.key_path("sample_size"), "missing");
  in.sample_size = g.list<int64_t>("sample_size", [&](const json& v, const std::string& kp) {
    return g.to_integer(v, kp, 1, 1 << 20);
  });
  if (in.sample_size.empty()) g.fail(g.key_path("sample_size"), "empty");
  in.type = g.choice("type", "float", {"float", "long", "int", "bool"});
  in.filler = g.choice("filler", "", {"zeros", "ones", "random"});
  g.string("keyword", "");
  g.check_unknown();
  return in;
}

std::string slurp(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) throw_invalid(path + ": cannot open the compression config");
  std::ostringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

}  // namespace

bool scope_entry_matches(const std::string& entry, const std::string& name) {
  if (entry.rfind("{re}", 0) == 0) return std::regex_match(name, user_regex(entry.substr(4)));
  return entry == name;
}

bool Scopes::covers(const std::string& name) const {
  for (const auto& e : ignored)
    if (scope_entry_matches(e, name)) return false;
  if (target.empty()) return true;
  for (const auto& e : target)
    if (scope_entry_matches(e, name)) return true;
  return false;
}

CompressionConfig parse_compression_config(const json& j, const std::string& file) {
  JsonGroup top(j, "", file);
  if (!j.is_object()) top.fail("", "expected an object");
  CompressionConfig c;
  const json& ii = top.raw("input_info");
  if (ii.is_array()) {
    for (size_t i = 0; i < ii.size(); ++i)
      c.input_info.push_back(read_input_info(ii[i], "input_info[" + std::to_string(i) + "]", file));
  } else if (!ii.is_null()) {
    c.input_info.push_back(read_input_info(ii, "input_info", file));
  }
  c.target_device =
      top.choice("target_device", "ANY", {"ANY", "CPU", "GPU", "VPU", "TRIAL", "CPU_SPR"});
  c.log_dir = top.string("log_dir", "");
  c.compression_lr_multiplier = top.optional_number("compression_lr_multiplier", 0, 1e6);
  const json& comp = top.raw("compression");
  std::vector<std::pair<const json*, std::string>> algos;
  if (comp.is_array()) {
    for (size_t i = 0; i < comp.size(); ++i)
      algos.emplace_back(&comp[i], "compression[" + std::to_string(i) + "]");
  } else if (comp.is_object()) {
    algos.emplace_back(&comp, "compression");
  } else if (!comp.is_null()) {
    top.fail("compression",
             "expected an object or a list of objects, got " + JsonGroup::dump(comp));
  }
  for (const auto& [aj, path] : algos) {
    JsonGroup g(*aj, path, file);
    if (!aj->is_object()) g.fail(path, "expected an object");
    if (!g.has("algorithm")) g.fail(g.key_path("algorithm"), "missing");
    std::string name = g.choice("algorithm", "",
                                {"quantization", "filter_pruning", "magnitude_sparsity",
                                 "rb_sparsity", "const_sparsity", "knowledge_distillation"});
    auto twice = [&](bool already) {
      if (already) g.fail(g.key_path("algorithm"), "'" + name + "' is given twice");
    };
    if (name == "quantization") {
      twice(c.quantization.has_value());
      c.quantization = read_quantization(g);
    } else if (name == "filter_pruning") {
      twice(c.filter_pruning.has_value());
      c.filter_pruning = read_filter_pruning(g);
    } else if (name == "knowledge_distillation") {
      twice(c.distillation.has_value());
      c.distillation = read_distillation(g);
    } else {
      if (c.sparsity)
        g.fail(g.key_path("algorithm"), "'" + name + "' after '" + c.sparsity->algorithm +
                                            "': one sparsity algorithm at a time");
      c.sparsity = read_sparsity(g, name);
    }
    c.algorithm_order.push_back(name);
    g.check_unknown();
  }
  if (top.has("accuracy_aware_training")) {
    c.accuracy_aware =
        read_accuracy_aware(top.raw("accuracy_aware_training"), "accuracy_aware_training", file);
    if (c.accuracy_aware->mode == "adaptive_compression_level" && !c.filter_pruning &&
        !(c.sparsity && c.sparsity->algorithm != "const_sparsity"))
      top.fail("accuracy_aware_training.mode",
               "adaptive_compression_level needs an algorithm with a compression rate "
               "(filter_pruning or magnitude/rb sparsity)");
  }
  top.check_unknown();
  return c;
}

void merge_json(json& into, const json& part) {
  if (into.is_object() && part.is_object()) {
    for (const auto& kv : part.items()) {
      if (into.contains(kv.key()))
        merge_json(into[kv.key()], kv.value());
      else
        into[kv.key()] = kv.value();
    }
  } else if (into.is_array() && part.is_array()) {
    for (const auto& v : part) into.push_back(v);
  } else {
    into = part;
  }
}

CompressionRecipe compose_recipe(const json& j, const RecipeSelection& sel,
                                 const std::string& file) {
  CompressionRecipe r;
  r.file = file;
  JsonGroup top(j, "", file);
  if (!j.is_object()) top.fail("", "expected an object");
  const bool composed = j.contains("base") || j.contains("order_of_parts");
  json merged;
  if (composed) {
    static const std::vector<std::string> kParts = {"nncf_quantization", "nncf_pruning",
                                                    "nncf_quantization_pruning"};
    std::vector<std::string> order =
        top.list<std::string>("order_of_parts", [&](const json& v, const std::string& kp) {
          if (!v.is_string()) top.fail(kp, "expected a part name, got " + JsonGroup::dump(v));
          std::string s = v.get<std::string>();
          if (std::find(kParts.begin(), kParts.end(), s) == kParts.end())
            top.fail(kp, "'" + s +
                             "' is not one of: nncf_quantization, nncf_pruning, "
                             "nncf_quantization_pruning");
          if (!j.contains(s)) top.fail(kp, "part '" + s + "' is not in the file");
          return s;
        });
    for (const auto& p : kParts)
      if (std::find(order.begin(), order.end(), p) == order.end()) order.push_back(p);
    std::vector<std::string> enabled;
    if (sel.enable_quantization) enabled.push_back("nncf_quantization");
    if (sel.enable_pruning) enabled.push_back("nncf_pruning");
    if (sel.enable_quantization && sel.enable_pruning)
      enabled.push_back("nncf_quantization_pruning");
    if (enabled.empty())
      throw_invalid(file +
                    ": nothing to do: the template enables neither quantization nor pruning "
                    "(nncf_optimization.enable_quantization / enable_pruning)");
    // Every part present is checked (training keys, and its nncf_config merged onto base and
    // the parts before it), enabled or not, so a mistake shows before a run enabling it.
    struct Part {
      TrainingOverrides training;
      json nncf;
    };
    auto read_part = [&](const std::string& name) -> std::optional<Part> {
      const json& part = top.object(name);
      if (part.is_null()) return std::nullopt;
      Part out;
      JsonGroup pg(part, name, file);
      out.nncf = pg.object("nncf_config");
      JsonGroup opt(pg.object("optimizer"), pg.key_path("optimizer"), file);
      out.training.learning_rate = opt.optional_number("learning_rate", 1e-9, 100);
      opt.check_unknown();
      JsonGroup run(pg.object("runner"), pg.key_path("runner"), file);
      if (auto v = run.optional_integer("num_epochs", 1, kMaxEpochs))
        out.training.num_epochs = static_cast<int>(*v);
      run.check_unknown();
      JsonGroup data(pg.object("data"), pg.key_path("data"), file);
      if (auto v = data.optional_integer("batch_size", 1, 65536))
        out.training.batch_size = static_cast<int>(*v);
      data.check_unknown();
      pg.check_unknown();
      return out;
    };
    std::optional<Part> base = read_part("base");
    merged = base && base->nncf.is_object() ? base->nncf : json::object();
    if (base) r.training = base->training;
    json all = merged;  // base, then every part present in order
    for (const auto& p : order) {
      std::optional<Part> part = read_part(p);
      if (!part) continue;
      if (!part->nncf.is_null()) merge_json(all, part->nncf);
      parse_compression_config(all, file + " (base + parts up to " + p + ": nncf_config)");
    }
    for (const auto& p : order) {
      if (std::find(enabled.begin(), enabled.end(), p) == enabled.end()) continue;
      std::optional<Part> part = read_part(p);
      if (!part) {
        if (p == "nncf_quantization_pruning") continue;
        throw_invalid(file + ": the template enables " +
                      std::string(p == "nncf_pruning" ? "pruning" : "quantization") +
                      " but the recipe has no part '" + p + "'");
      }
      if (!part->nncf.is_null()) merge_json(merged, part->nncf);
      const TrainingOverrides& t = part->training;
      if (t.learning_rate) r.training.learning_rate = t.learning_rate;
      if (t.num_epochs) r.training.num_epochs = t.num_epochs;
      if (t.batch_size) r.training.batch_size = t.batch_size;
      r.parts.push_back(p);
    }
    top.check_unknown();
  } else {
    merged = j;
    r.parts.push_back("");
  }
  if (sel.maximal_accuracy_degradation && merged.contains("accuracy_aware_training") &&
      merged["accuracy_aware_training"].is_object()) {
    json& params = merged["accuracy_aware_training"]["params"];
    if (params.is_null()) params = json::object();
    if (params.is_object()) {
      params.erase("maximal_relative_accuracy_degradation");
      params["maximal_absolute_accuracy_degradation"] = *sel.maximal_accuracy_degradation / 100.0;
    }
  }
  r.config = parse_compression_config(merged, composed ? file + " (composed: nncf_config)" : file);
  r.merged = std::move(merged);
  return r;
}

CompressionRecipe load_compression_recipe(const std::string& path, const RecipeSelection& sel) {
  json j;
  try {
    j = json::parse(slurp(path), nullptr, true, /*ignore_comments=*/true);
  } catch (const json::exception& e) {  // parse_error, or out_of_range for a number overflow
    throw_invalid(path + ": not valid JSON: " + e.what());
  }
  return compose_recipe(j, sel, path);
}

}  // namespace trex::compress
