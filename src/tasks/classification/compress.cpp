// Classification training-time compression (see compress.h).
#include "tasks/classification/compress.h"

#include <chrono>
#include <filesystem>
#include <set>

#include "compress/bn_adaptation.h"
#include "compress/compression_config.h"
#include "compress/distillation.h"
#include "compress/filter_pruning.h"
#include "compress/magnitude_sparsity.h"
#include "compress/plan_transfer.h"
#include "compress/pruning_schedule.h"
#include "compress/qat_config.h"
#include "compress/qat_graph.h"
#include "compress/rb_sparsity.h"
#include "compress/sparsity_schedule.h"
#include "data/batch_loader.h"
#include "ir/model_summary.h"
#include "onnx/onnx.h"
#include "passes/passes.h"
#include "passes/runtime_fusion.h"
#include "quant/ptq/pipeline.h"
#include "runtime/session.h"
#include "tasks/classification/calibration.h"
#include "tasks/classification/evaluate.h"
#include "train/checkpoint.h"
#include "train/graph_module.h"
#include "train/training_loop.h"
#include "util/error.h"
#include "util/file_io.h"

namespace fs = std::filesystem;

namespace trex::classification {

namespace {

using quant::QuantizationPlan;

/// Values feeding fake quantizers' parameters (scales, ranges): trained in their own group.
std::set<std::string> quantizer_parameters(const Graph& qat) {
  std::set<std::string> names;
  for (const Node* n : qat.nodes())
    if (n->op_type() == compress::kFakeQuantize && n->domain() == kTrexDomain)
      for (size_t i = 1; i < n->num_inputs(); ++i) names.insert(n->input(i)->name());
  return names;
}

nlohmann::json to_json(const CompressEpoch& e) {
  return {{"epoch", e.epoch},
          {"learning_rate", e.learning_rate},
          {"train_loss", e.train_loss},
          {"train_accuracy", e.train_accuracy},
          {"score", e.score},
          {"seconds", e.seconds},
          {"within_budget", e.within_budget},
          {"sparsity", e.sparsity},
          {"sparsity_level", e.sparsity_level},
          {"pruning_level", e.pruning_level},
          {"flops_pruned", e.flops_pruned}};
}
CompressEpoch epoch_from_json(const nlohmann::json& j) {
  CompressEpoch e;
  e.epoch = j.at("epoch");
  e.learning_rate = j.at("learning_rate");
  e.train_loss = j.at("train_loss");
  e.train_accuracy = j.at("train_accuracy");
  e.score = j.at("score");
  e.seconds = j.at("seconds");
  e.within_budget = j.at("within_budget");
  e.sparsity = j.at("sparsity");
  e.sparsity_level = j.at("sparsity_level");
  e.pruning_level = j.at("pruning_level");
  e.flops_pruned = j.at("flops_pruned");
  return e;
}

struct Footprint {
  int64_t parameters = 0, macs = 0;
  size_t bytes = 0;
};
Footprint footprint(const Graph& g, size_t bytes) {
  ModelSummary s = summarize(g);
  return {s.parameter_count, s.macs, bytes};
}
nlohmann::json to_json(const Footprint& f) {
  return {{"parameters", f.parameters},
          {"macs", f.macs},
          {"flops", 2 * f.macs},
          {"size_bytes", f.bytes}};
}

/// Fraction of exact zeros in the float weight `node` reads in the trained graph `qat`
/// (through its fake quantizer).
double weight_sparsity(const Graph& qat, const std::string& node, size_t input) {
  const Node* n = qat.find_node(node);
  const Value* w = n ? n->input(input) : nullptr;
  if (w && w->producer() && w->producer()->op_type() == compress::kFakeQuantize)
    w = w->producer()->input(0);
  if (!w || !w->is_constant() || w->constant().numel() == 0) return 0;
  const Tensor& t = w->constant();
  int64_t zeros = 0;
  for (int64_t i = 0; i < t.numel(); ++i) zeros += t.data<float>()[i] == 0.0f;
  return static_cast<double>(zeros) / t.numel();
}

/// Per-layer compression: bits of weights and inputs (8 where quantized, else 32), weight
/// sparsity, filters kept and pruned, for the weighted layers of `trained` (the trained
/// graph with pruned filters removed) and the other quantized nodes (`plan` null without
/// quantization).
nlohmann::json layer_table(const QuantizationPlan* plan, const Graph& trained,
                           const std::map<std::string, int64_t>& pruned_filters) {
  nlohmann::json layers = nlohmann::json::array();
  std::set<std::string> quantized;
  if (plan)
    quantized.insert(plan->setup.quantized_nodes.begin(), plan->setup.quantized_nodes.end());
  for (const Node* n : trained.nodes()) {
    const std::string& op = n->op_type();
    const bool weighted = n->domain().empty() && (op == "Conv" || op == "Gemm" || op == "MatMul");
    if (!weighted && !quantized.count(n->name())) continue;
    nlohmann::json l = {{"node", n->name()}, {"op_type", op}, {"sparsity", 0.0}};
    int inputs = 0;
    if (plan)
      for (const auto& [use, value] : plan->setup.input_quantizer)
        if (use.first == n->name()) ++inputs;
    l["quantized_inputs"] = inputs;
    l["activation_bits"] = inputs > 0 ? 8 : 32;
    if (weighted) {
      const quant::QuantizedWeight* wq = nullptr;
      if (plan)
        if (auto w = plan->weights.find(n->name()); w != plan->weights.end()) wq = &w->second;
      int bits = 1;  // narrow range: max_level 2^(bits-1) - 1
      while (wq && (1 << (bits - 1)) - 1 < wq->max_level) ++bits;
      l["weight_bits"] = !wq ? 32 : bits;
      l["sparsity"] = weight_sparsity(trained, n->name(), wq ? plan->weight_input(n->name()) : 1);
      auto p = pruned_filters.find(n->name());
      l["pruned_filters"] = p == pruned_filters.end() ? 0 : p->second;
      if (const Value* y = n->output(0);
          y->shape() && y->shape()->rank() > 1 && (*y->shape())[1].is_static())
        l["filters"] = (*y->shape())[1].value();
    }
    layers.push_back(l);
  }
  return layers;
}

nlohmann::json to_json(const compress::PrunedChannels& p) {
  nlohmann::json j = nlohmann::json::object();
  for (const auto& [group, channels] : p) j[group] = channels;
  return j;
}
compress::PrunedChannels pruned_from_json(const nlohmann::json& j) {
  compress::PrunedChannels p;
  for (const auto& [group, channels] : j.items()) p[group] = channels.get<std::vector<int64_t>>();
  return p;
}

/// The adaptive_compression_level search between epochs (saved for a resume).
struct RateSearch {
  bool started = false;  ///< the initial training phase is over
  double rate = 0, step = 0, lr_factor = 1;
  int sign = 0;             ///< direction of the last change (+1 more compression, -1 less)
  int epochs_at_rate = 0;   ///< epochs trained since the last change
  double best_margin = -1;  ///< best (budget - drop) at this rate, -1 before any epoch
  nlohmann::json to_json() const {
    return {{"started", started},        {"rate", rate}, {"step", step},
            {"lr_factor", lr_factor},    {"sign", sign}, {"epochs_at_rate", epochs_at_rate},
            {"best_margin", best_margin}};
  }
  static RateSearch from_json(const nlohmann::json& j) {
    RateSearch s;
    s.started = j.at("started");
    s.rate = j.at("rate");
    s.step = j.at("step");
    s.lr_factor = j.at("lr_factor");
    s.sign = j.at("sign");
    s.epochs_at_rate = j.at("epochs_at_rate");
    s.best_margin = j.at("best_margin");
    return s;
  }
};

std::string report_text(const nlohmann::json& r) {
  std::string s = "Training-time compression report\n";
  char line[256];
  std::snprintf(line, sizeof line, "config: %s (parts: %s)\nalgorithms: %s\n",
                r["config_file"].get<std::string>().c_str(), r["parts"].dump().c_str(),
                r["algorithms"].dump().c_str());
  s += line;
  for (const char* k : {"before", "after"}) {
    const auto& f = r[k];
    std::snprintf(line, sizeof line, "%-6s parameters %lld, FLOPs %lld, size %.2f MB\n", k,
                  static_cast<long long>(f["parameters"].get<int64_t>()),
                  static_cast<long long>(f["flops"].get<int64_t>()),
                  f["size_bytes"].get<double>() / 1e6);
    s += line;
  }
  s += "\nepoch  lr        train_loss  train_acc      score  sparsity  pruning  flops_pruned  "
       "within_budget (- without accuracy_aware_training)\n";
  for (const auto& e : r["trajectory"]) {
    std::snprintf(line, sizeof line,
                  "%5d  %.6f  %10.4f  %8.2f%%  %8.2f%%  %7.2f%%  %6.3f  %11.2f%%  %s\n",
                  e["epoch"].get<int>(), e["learning_rate"].get<double>(),
                  e["train_loss"].get<double>(), 100 * e["train_accuracy"].get<double>(),
                  100 * e["score"].get<double>(), 100 * e["sparsity"].get<double>(),
                  e["pruning_level"].get<double>(), 100 * e["flops_pruned"].get<double>(),
                  !r.contains("accuracy_aware")    ? "-"
                  : e["within_budget"].get<bool>() ? "yes"
                                                   : "no");
    s += line;
  }
  s += "\nlayer                                              weight_bits  act_bits  inputs  "
       "sparsity  filters (pruned)\n";
  for (const auto& l : r["layers"]) {
    std::string filters = "-";
    if (l.contains("filters"))
      filters = std::to_string(l["filters"].get<int64_t>()) + " (" +
                std::to_string(l["pruned_filters"].get<int64_t>()) + ")";
    std::snprintf(
        line, sizeof line, "%-50s %11s  %8d  %6d  %7.2f%%  %s\n",
        l["node"].get<std::string>().c_str(),
        l.contains("weight_bits") ? std::to_string(l["weight_bits"].get<int>()).c_str() : "-",
        l["activation_bits"].get<int>(), l["quantized_inputs"].get<int>(),
        100 * l["sparsity"].get<double>(), filters.c_str());
    s += line;
  }
  if (!r["float_nodes"].empty()) {
    s += "\nkept in float:\n";
    for (const auto& f : r["float_nodes"])
      s += "  " + f["node"].get<std::string>() + " (" + f["op_type"].get<std::string>() +
           "): " + f["reason"].get<std::string>() + "\n";
  }
  return s;
}

}  // namespace

CompressTaskResult run_compression(const ModelTemplate& t, const CompressTaskOptions& o) {
  CompressTaskResult r;
  auto log = [&](const std::string& s) {
    if (o.log) o.log(s);
  };

  // The recipe: the template's composed compression_config.json unless a file is given.
  r.config_file = o.compression_config.empty()
                      ? (fs::path(t.dir) / "compression_config.json").string()
                      : o.compression_config;
  if (!fs::is_regular_file(r.config_file))
    throw_invalid(r.config_file + ": compression config not found" +
                  (o.compression_config.empty() ? " (the template folder has none; give "
                                                  "--compression-config FILE)"
                                                : ""));
  compress::RecipeSelection sel;
  sel.enable_quantization = t.nncf.enable_quantization;
  sel.enable_pruning = t.nncf.enable_pruning;
  sel.maximal_accuracy_degradation = t.nncf.maximal_accuracy_degradation;
  compress::CompressionRecipe recipe = compress::load_compression_recipe(r.config_file, sel);
  r.parts = recipe.parts;
  const compress::CompressionConfig& cc = recipe.config;
  for (const std::string& a : cc.algorithm_order)
    if (a != "quantization" && a != "knowledge_distillation" && a != "magnitude_sparsity" &&
        a != "const_sparsity" && a != "rb_sparsity" && a != "filter_pruning")
      throw_unsupported(r.config_file + ": compression algorithm '" + a +
                        "' is not available yet (quantization, filter_pruning, "
                        "magnitude_sparsity, rb_sparsity, const_sparsity and "
                        "knowledge_distillation are); "
                        "disable it in the template's nncf_optimization or the config");
  if (cc.algorithm_order.empty())
    throw_unsupported(r.config_file + ": no compression algorithm is enabled (parts applied: " +
                      nlohmann::json(recipe.parts).dump() + ")");
  if (!cc.quantization && !cc.filter_pruning && !cc.sparsity)
    throw_invalid(r.config_file +
                  ": knowledge_distillation alone does not compress; add quantization, "
                  "filter_pruning or a sparsity algorithm");
  const compress::QuantizationConfig* qc = cc.quantization ? &*cc.quantization : nullptr;
  const compress::FilterPruningConfig* fp = cc.filter_pruning ? &*cc.filter_pruning : nullptr;
  r.quantized = qc != nullptr;
  const std::string aat_mode = cc.accuracy_aware ? cc.accuracy_aware->mode : "";
  const bool adaptive = aat_mode == "adaptive_compression_level";
  std::string compression_id;  // what the checkpoints say they are
  for (const std::string& a : cc.algorithm_order)
    compression_id += (compression_id.empty() ? "" : "+") + a;

  LearningParameters lp = t.learning;
  lp.warmup_epochs = 0;  // fine-tuning from trained weights
  if (recipe.training.learning_rate) lp.learning_rate = *recipe.training.learning_rate;
  if (recipe.training.num_epochs) lp.num_epochs = *recipe.training.num_epochs;
  if (recipe.training.batch_size) lp.batch_size = *recipe.training.batch_size;
  r.accuracy_aware = cc.accuracy_aware.has_value();
  if (r.accuracy_aware) lp.num_epochs = cc.accuracy_aware->maximal_total_epochs;
  const std::string run_epochs =
      std::to_string(lp.num_epochs) +
      " epochs (runner.num_epochs, or accuracy_aware_training maximal_total_epochs)";
  int initial_phase_epochs = lp.num_epochs;  // the scheduled phase (all without adaptive)
  const compress::SparsityConfig* sc = cc.sparsity ? &*cc.sparsity : nullptr;
  const bool rb_used = sc && sc->algorithm == "rb_sparsity";
  const bool sparsity_adaptive = sc && sc->schedule == "adaptive";
  if (sparsity_adaptive && !rb_used)
    throw_unsupported(r.config_file + ": " + sc->algorithm +
                      ": params.schedule 'adaptive' follows the sparsity rb_sparsity's loss "
                      "reaches; use polynomial, exponential or multistep");
  if (rb_used && cc.filter_pruning)
    throw_unsupported(r.config_file +
                      ": rb_sparsity with filter_pruning is not available (each works alone "
                      "or with quantization)");
  // adaptive_compression_level searches the filter pruning rate, or without pruning the
  // magnitude sparsity level.
  const bool rate_is_sparsity = adaptive && !fp;
  if (adaptive && !fp && (!sc || sc->algorithm != "magnitude_sparsity"))
    throw_unsupported(r.config_file +
                      ": accuracy_aware_training.mode 'adaptive_compression_level' adjusts the "
                      "filter pruning rate or the magnitude_sparsity level; the config has "
                      "neither (the others support early_exit)");
  if (adaptive)
    initial_phase_epochs =
        std::min(lp.num_epochs, cc.accuracy_aware->initial_training_phase_epochs);
  const std::string phase_words =
      "the adaptive search's initial phase of " + std::to_string(initial_phase_epochs) +
      " epochs (accuracy_aware_training initial_training_phase_epochs, at most "
      "maximal_total_epochs)";
  if (rate_is_sparsity && compress::sparsity_final_epoch(*sc) > initial_phase_epochs)
    throw_invalid(r.config_file + ": magnitude_sparsity reaches its final level at epoch " +
                  std::to_string(compress::sparsity_final_epoch(*sc)) +
                  " (params.sparsity_target_epoch / multistep_steps), after " + phase_words);
  if (sc && sc->algorithm != "const_sparsity" && !sparsity_adaptive &&
      compress::sparsity_final_epoch(*sc) > lp.num_epochs)
    throw_invalid(
        r.config_file + ": " + cc.sparsity->algorithm + " reaches its final level at epoch " +
        std::to_string(compress::sparsity_final_epoch(*cc.sparsity)) +
        " (params.sparsity_target_epoch / multistep_steps), after the run's " + run_epochs);
  // The pruning schedule: every epoch's level (an impossible curve fails here), done
  // within the run (adaptive_compression_level sets the rate itself after its first phase).
  int pruning_final = 0;
  const int initial_phase = initial_phase_epochs;
  if (fp) {
    pruning_final = compress::pruning_final_epoch(*fp);
    for (int e = 0; e <= pruning_final; ++e) compress::pruning_level(*fp, e);
    if (adaptive) {
      // The search starts from the target: the initial phase must reach it.
      if (pruning_final > initial_phase)
        throw_invalid(r.config_file + ": filter_pruning reaches its target at epoch " +
                      std::to_string(pruning_final) +
                      " (params.num_init_steps + pruning_steps), after " + phase_words);
    } else if (pruning_final > lp.num_epochs)
      throw_invalid(r.config_file + ": filter_pruning reaches its target at epoch " +
                    std::to_string(pruning_final) +
                    " (params.num_init_steps + pruning_steps), after the run's " + run_epochs);
  }
  const double range_lr_scale =
      qc ? qc->compression_lr_multiplier.value_or(cc.compression_lr_multiplier.value_or(1.0)) : 1.0;

  // The FP32 model.
  train::Checkpoint ckpt = train::load_checkpoint(o.checkpoint);
  if (ckpt.meta.contains("compression"))
    throw_invalid(o.checkpoint + ": checkpoint is already compressed (" +
                  ckpt.meta["compression"].dump() + "); give the FP32 training checkpoint");
  if (ckpt.meta.value("architecture", "") != t.architecture)
    throw_invalid(o.checkpoint + ": checkpoint is of architecture '" +
                  ckpt.meta.value("architecture", "") + "', the template builds '" +
                  t.architecture + "'");
  std::shared_ptr<Graph> fp32 = std::move(ckpt.graph);
  std::shared_ptr<Graph> folded = fp32->clone();
  canonicalize(*folded);

  ImageSpec spec = image_spec(t);
  TransformSpec tf = transform_spec(t);
  ClassFolderDataset train = load_class_folders(o.train_data, spec, lp.num_workers, o.progress);
  ClassFolderDataset val = load_class_folders(o.val_data, spec, lp.num_workers, o.progress);
  check_same_classes(train, val);
  if (train.classes.size() != static_cast<size_t>(t.num_classes))
    throw_invalid(o.train_data + ": has " + std::to_string(train.classes.size()) +
                  " class folders; the template's model has " + std::to_string(t.num_classes));
  if (train.size() < static_cast<size_t>(lp.batch_size))
    throw_invalid(o.train_data + ": " + std::to_string(train.size()) +
                  " images, fewer than one batch (batch size " + std::to_string(lp.batch_size) +
                  ")");

  std::error_code ec;
  fs::create_directories(o.output_dir, ec);
  if (ec) throw_invalid(o.output_dir + ": cannot create the output folder: " + ec.message());
  auto out = [&](const char* f) { return (fs::path(o.output_dir) / f).string(); };
  r.model_path = out("model.onnx");
  r.checkpoint_path = out("checkpoint.pt");
  r.last_checkpoint_path = out("last_checkpoint.pt");
  r.report_path = out("compression_report.json");
  r.report_text_path = out("compression_report.txt");
  r.performance_path = out("nncf_performance.json");

  // Quantizer placement and range initialization: the PTQ code path on the folded model
  // (deterministic, so a resumed run gets the same plan), then moved onto the training
  // model with its BatchNorm layers.
  QuantizationPlan plan;
  compress::QatInitConfig init;
  quant::PtqResult ptq;
  double init_seconds = 0;
  if (qc) {
    const std::string where = r.config_file + ": compression.quantization";
    init = compress::qat_init_config(*qc, *folded, where, lp.seed);
    for (const std::string& s : init.unmatched_scopes)
      r.warnings.push_back(where + ": " + s + " matches no node");
    ClassFolderCalibration calib(train, tf, folded->inputs()[0]->name(), lp.num_workers);
    quant::RunOptions run;
    run.threads = o.threads;
    run.batch_size = init.ptq.batch_size;
    run.progress = o.progress;
    auto t0 = std::chrono::steady_clock::now();
    ptq = quant::quantize_model(*folded, calib, init.ptq, run);
    init_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    for (const std::string& w : ptq.warnings) r.warnings.push_back(w);
    plan = compress::transfer_plan(ptq.plan, *folded, *fp32);
  }

  EvalOptions eo;
  eo.batch_size = o.eval_batch;
  eo.threads = o.threads;
  eo.workers = lp.num_workers;
  auto score = [&](const Graph& g) {
    return evaluate_in_runtime(g.clone(), val, tf, eo, o.progress).accuracy();
  };
  r.fp32_score = score(*folded);
  if (r.accuracy_aware) {
    const auto& aa = *cc.accuracy_aware;
    r.budget = aa.maximal_absolute_accuracy_degradation
                   ? *aa.maximal_absolute_accuracy_degradation
                   : *aa.maximal_relative_accuracy_degradation / 100 * r.fp32_score;
  }
  // How far within the budget a score is (negative: over it).
  auto margin = [&](double s) { return r.budget - (r.fp32_score - s); };
  auto within = [&](double s) { return r.budget < 0 || margin(s) >= -1e-12; };

  // The model being trained: fresh, or the last epoch of an interrupted run.
  std::shared_ptr<Graph> work;
  std::string optimizer_state, aux_optimizer_state;
  int start_epoch = 0;
  nlohmann::json meta;
  RateSearch search;
  // The FP32 checkpoint as one path, however it was spelled (resume checks it).
  const std::string source_id = fs::weakly_canonical(fs::absolute(o.checkpoint)).string();
  if (o.resume) {
    if (!fs::exists(r.last_checkpoint_path))
      throw_invalid(r.last_checkpoint_path + ": no checkpoint to resume from");
    train::Checkpoint last = train::load_checkpoint(r.last_checkpoint_path);
    try {
      if (last.meta.value("compression", "") != compression_id ||
          last.meta.value("source_checkpoint", "") != source_id)
        throw_invalid(r.last_checkpoint_path + ": not a " + compression_id + " checkpoint of " +
                      o.checkpoint);
      meta = last.meta;
      start_epoch = meta.at("epoch");
      r.best_epoch = meta.at("best_epoch");
      for (const auto& e : meta.at("trajectory")) r.trajectory.push_back(epoch_from_json(e));
      if (adaptive) search = RateSearch::from_json(meta.at("rate_search"));
      if (sparsity_adaptive) {
        meta.at("sparsity_schedule").at("level").get<double>();
        meta.at("sparsity_schedule").at("counter").get<int>();
      }
      if (fp) {
        pruned_from_json(meta.at("pruning").at("pruned_channels"));
        meta.at("pruning").at("level").get<double>();
        meta.at("pruning").at("filter_fraction").get<double>();
      }
    } catch (const nlohmann::json::exception& e) {
      throw_invalid(r.last_checkpoint_path + ": compression metadata is incomplete (" + e.what() +
                    ")");
    }
    if (r.trajectory.empty() || r.trajectory.back().epoch != start_epoch)
      throw_invalid(r.last_checkpoint_path + ": compression metadata is inconsistent");
    work = std::move(last.graph);
    optimizer_state = last.optimizer_state;
    aux_optimizer_state = last.aux_optimizer_state;
    log("resuming from " + r.last_checkpoint_path + " after epoch " + std::to_string(start_epoch));
  } else {
    work = qc ? compress::build_qat_graph(*fp32, plan) : std::shared_ptr<Graph>(fp32->clone());
    if (rb_used) compress::add_rb_masks(*work, *sc);
  }
  torch::set_num_threads(resolve_threads(o.threads));
  train::GraphModule module(*work);
  // Sparsity: magnitude masks at the schedule's level for the epoch (0 before training), or
  // rb_sparsity's trained masks pulled towards it.
  std::unique_ptr<compress::MagnitudeSparsity> sparsity;
  std::unique_ptr<compress::RBSparsity> rb;
  double sparse_level = 0;   // the level the current epoch trains at
  int adaptive_counter = 0;  // epochs at the level so far (adaptive schedule)
  if (rb_used) {
    rb = std::make_unique<compress::RBSparsity>(
        module, *work,
        lp.learning_rate *
            sc->compression_lr_multiplier.value_or(cc.compression_lr_multiplier.value_or(1.0)));
    if (!aux_optimizer_state.empty())
      train::load_optimizer(rb->optimizer(), aux_optimizer_state, r.last_checkpoint_path);
    if (sparsity_adaptive) {
      sparse_level =
          o.resume ? meta["sparsity_schedule"]["level"].get<double>() : sc->sparsity_init;
      adaptive_counter = o.resume ? meta["sparsity_schedule"]["counter"].get<int>() : 0;
    } else {
      sparse_level =
          compress::sparsity_level(*sc, std::min(start_epoch, sc->sparsity_freeze_epoch));
    }
  } else if (sc) {
    sparsity = std::make_unique<compress::MagnitudeSparsity>(module, *work, *sc);
    if (sc->algorithm == "const_sparsity") {
      sparsity->keep_current_zeros();
    } else {
      sparse_level =
          compress::sparsity_level(*sc, std::min(start_epoch, sc->sparsity_freeze_epoch));
      sparsity->set_level(sparse_level);
    }
    module.write_back(*work);
  }
  // Filter pruning: the pruned channels of the interrupted run, or the schedule's start.
  std::unique_ptr<compress::FilterPruning> pruning;
  double pruning_level = 0;  // the level the current channels were chosen for
  if (fp) {
    pruning = std::make_unique<compress::FilterPruning>(module, *work, *fp);
    if (o.resume) {  // (the metadata was checked when read)
      pruning_level = meta["pruning"]["level"];
      pruning->set_pruned(pruned_from_json(meta["pruning"]["pruned_channels"]), pruning_level,
                          meta["pruning"]["filter_fraction"]);
    } else {
      pruning_level = compress::pruning_level(*fp, 0);
      pruning->set_level(pruning_level);
    }
    module.write_back(*work);
  }
  auto pruned_now = [&] { return pruning ? pruning->pruned() : compress::PrunedChannels{}; };
  // The trained graph with rb_sparsity's masks applied and the pruned filters removed (still
  // with BatchNorm, quantizers).
  auto without_pruned = [&](const Graph& trained, const compress::PrunedChannels& pruned) {
    std::shared_ptr<Graph> g = trained.clone();
    if (rb) compress::bake_rb_masks(*g);
    if (pruning) compress::remove_pruned_channels(*g, pruning->groups(), pruned);
    return g;
  };
  // The deployable model: INT8 QDQ with quantization, else the folded float graph.
  auto export_model = [&](const Graph& trained, const compress::PrunedChannels& pruned,
                          QuantizationPlan* folded_plan = nullptr) {
    std::shared_ptr<Graph> g = without_pruned(trained, pruned);
    if (qc) return compress::export_qdq_model(*g, plan, folded_plan);
    canonicalize(*g);
    g->metadata.emplace_back("trex.compressed", compression_id);
    return g;
  };
  auto record_state = [&](CompressEpoch& e) {
    if (sparsity) e.sparsity = sparsity->sparsity();
    if (rb) e.sparsity = rb->sparsity();
    e.sparsity_level = sparsity ? sparsity->level() : sparse_level;
    if (pruning) {
      e.pruning_level = pruning_level;
      e.flops_pruned = pruning->macs_removed();
      meta["pruning"] = {{"level", pruning_level},
                         {"filter_fraction", pruning->filter_fraction()},
                         {"pruned_channels", to_json(pruning->pruned())}};
    }
  };

  int bn_batches = 0;
  std::shared_ptr<Graph> initial_model;  // the initialized model as exported (epoch 0)
  if (!o.resume) {
    if (qc && qc->num_bn_adaptation_samples > 0) {
      LoaderOptions lo;
      lo.batch_size = lp.batch_size;
      lo.workers = lp.num_workers;
      lo.order = quant::calibration_subset(
          train.size(), static_cast<size_t>(qc->num_bn_adaptation_samples), lp.seed + 1);
      BatchLoader loader(train, tf, lo);
      Batch b;
      size_t seen = 0;
      torch::manual_seed(lp.seed);
      bn_batches = compress::adapt_batch_norm(module, *work, [&](torch::Tensor& x) {
        if (!loader.next(b)) return false;
        x = torch::from_blob(b.data.data(), {b.n, b.channels, b.height, b.width}, torch::kFloat32);
        seen += static_cast<size_t>(b.n);
        report(o.progress, {"BatchNorm adaptation", seen, loader.num_samples(), ""});
        return true;
      });
      module.write_back(*work);
    }
    meta = {{"template", t.name},
            {"architecture", t.architecture},
            {"task", t.task},
            {"classes", train.classes},
            {"compression", compression_id},
            {"source_checkpoint", source_id},
            {"best_epoch", 0},
            {"bn_batches", bn_batches}};
    if (sparsity_adaptive)
      meta["sparsity_schedule"] = {{"level", sparse_level}, {"counter", adaptive_counter}};
    CompressEpoch e0;
    record_state(e0);
    initial_model = export_model(*work, pruned_now());
    e0.score = score(*initial_model);
    e0.within_budget = within(e0.score);
    r.trajectory.push_back(e0);
    char line[200];
    if (qc)
      std::snprintf(line, sizeof line,
                    "initialized: %zu activation and %zu weight quantizers, ranges from %zu "
                    "samples, BatchNorm adapted on %d batches; INT8 %.2f%% (FP32 %.2f%%)",
                    plan.setup.activations.size(), plan.weights.size(), ptq.subset.size(),
                    bn_batches, 100 * e0.score, 100 * r.fp32_score);
    else
      std::snprintf(line, sizeof line, "initialized: %s %.2f%% (FP32 %.2f%%)",
                    compression_id.c_str(), 100 * e0.score, 100 * r.fp32_score);
    log(line);
  }

  LearningParameters run_lp = lp;  // adaptive_compression_level lowers the rate
  run_lp.learning_rate = lp.learning_rate * search.lr_factor;
  const std::set<std::string> rb_logits = rb ? rb->logit_names() : std::set<std::string>{};
  auto opt = train::make_optimizer(run_lp, module, quantizer_parameters(*work), rb_logits);
  train::ExtraLoss distill, extra;
  if (cc.distillation)  // the uncompressed model teaches
    distill =
        compress::distillation_loss(*cc.distillation, std::make_shared<train::GraphModule>(*fp32));
  if (distill || rb)
    extra = [&, distill](const torch::Tensor& images, const torch::Tensor& logits) {
      torch::Tensor t = torch::zeros({});
      if (distill) t = t + distill(images, logits);
      if (rb) t = t + rb->loss(sparse_level);
      return t;
    };
  if (!optimizer_state.empty())
    train::load_optimizer(*opt, optimizer_state, r.last_checkpoint_path);

  // With a sparsity or pruning schedule, only epochs at the target level count as results
  // (best model, early exit): the output must have the compression asked for. The
  // adaptive search's epochs are complete (their rate is the one set).
  auto complete = [&](const CompressEpoch& e) {
    if (adaptive && e.epoch > initial_phase) return true;
    const bool sparse_done = !sc || sc->algorithm == "const_sparsity" ||
                             (sparsity_adaptive ? e.sparsity_level >= sc->sparsity_target - 1e-9
                                                : e.epoch >= compress::sparsity_final_epoch(*sc));
    return sparse_done && (!fp || e.epoch >= pruning_final);
  };
  auto find_epoch = [&](int epoch) -> const CompressEpoch* {
    for (const CompressEpoch& e : r.trajectory)
      if (e.epoch == epoch) return &e;
    return nullptr;
  };
  // The better of a candidate epoch and the best so far: complete beats incomplete; with
  // adaptive_compression_level, within budget beats over, then a higher rate (pruning
  // level, or sparsity level); then the higher score.
  auto rate_of = [&](const CompressEpoch& e) {
    return rate_is_sparsity ? e.sparsity_level : e.pruning_level;
  };
  auto better = [&](const CompressEpoch& e) {
    const CompressEpoch* b = find_epoch(r.best_epoch);
    if (!b) return true;
    if (complete(e) != complete(*b)) return complete(e);
    if (adaptive) {
      if (within(e.score) != within(b->score)) return within(e.score);
      if (within(e.score) && std::fabs(rate_of(e) - rate_of(*b)) > 1e-9)
        return rate_of(e) > rate_of(*b);
    }
    return e.score > b->score;
  };
  auto write_best = [&](const Graph& trained, const Graph& model) {
    save_onnx(model, r.model_path);
    train::Checkpoint c;
    c.graph = trained.clone();
    c.meta = meta;
    train::save_checkpoint(c, r.checkpoint_path);
  };
  if (!o.resume) write_best(*work, *initial_model);

  // One epoch of training, exported, scored and checkpointed.
  auto run_epoch = [&](int epoch) {
    std::function<void()> after_step = [&] {
      if (sparsity) sparsity->apply();
      if (rb) rb->step();
      if (pruning) pruning->apply();
    };
    train::EpochStats st = train::train_epoch(module, *opt, train, tf, run_lp, epoch, o.progress,
                                              range_lr_scale, extra, after_step);
    std::unique_ptr<Graph> trained = module.export_graph();
    CompressEpoch e;
    e.epoch = epoch + 1;
    e.learning_rate = st.learning_rate;
    e.train_loss = st.loss;
    e.train_accuracy = st.accuracy;
    record_state(e);
    std::shared_ptr<Graph> model = export_model(*trained, pruned_now());
    e.score = score(*model);
    e.within_budget = within(e.score);
    e.seconds = st.seconds;
    const bool best = better(e);
    r.trajectory.push_back(e);
    if (sparsity_adaptive && !rb->frozen()) {
      // Near the level (within 0.03) for `patience` epochs: the level rises by 0.05.
      if (e.sparsity >= sparse_level - 0.03) ++adaptive_counter;
      if (adaptive_counter >= sc->patience) {
        sparse_level = std::min(sc->sparsity_target, sparse_level + 0.05);
        adaptive_counter = 0;
      }
      meta["sparsity_schedule"] = {{"level", sparse_level}, {"counter", adaptive_counter}};
    }
    if (best) r.best_epoch = e.epoch;
    if (adaptive) {
      search.best_margin = search.epochs_at_rate == 0
                               ? margin(e.score)
                               : std::max(search.best_margin, margin(e.score));
      ++search.epochs_at_rate;
      meta["rate_search"] = search.to_json();
    }
    nlohmann::json traj = nlohmann::json::array();
    for (const CompressEpoch& x : r.trajectory) traj.push_back(to_json(x));
    meta["epoch"] = e.epoch;
    meta["best_epoch"] = r.best_epoch;
    meta["trajectory"] = traj;
    if (best) write_best(*trained, *model);
    train::Checkpoint c;
    c.graph = std::move(trained);
    c.optimizer_state = train::optimizer_bytes(*opt);
    if (rb) c.aux_optimizer_state = train::optimizer_bytes(rb->optimizer());
    c.meta = meta;
    train::save_checkpoint(c, r.last_checkpoint_path);
    char flops[64] = "";
    if (pruning)
      std::snprintf(flops, sizeof flops, ", level %.3f FLOPs -%.1f%%", e.pruning_level,
                    100 * e.flops_pruned);
    char line[240];
    std::snprintf(line, sizeof line,
                  "epoch %d/%d: train loss %.4f acc %.2f%%, %s %.2f%% (FP32 %.2f%%)%s, %.1fs%s",
                  e.epoch, lp.num_epochs, e.train_loss, 100 * e.train_accuracy,
                  qc ? "INT8" : "compressed", 100 * e.score, 100 * r.fp32_score, flops, e.seconds,
                  best ? " (best)" : "");
    log(line);
    return e;
  };

  // The scheduled phase (all of it without adaptive_compression_level).
  const CompressEpoch last = r.trajectory.back();
  bool stop = r.accuracy_aware && last.within_budget && complete(last);
  if (stop && !adaptive)
    log(last.epoch == 0
            ? "early exit: the initialized model is within the accuracy budget"
            : "early exit: epoch " + std::to_string(last.epoch) + " is within the accuracy budget");
  int epoch = start_epoch;
  for (; epoch < initial_phase && !stop && !search.started; ++epoch) {
    if (sc && sc->algorithm != "const_sparsity" && !sparsity_adaptive &&
        epoch + 1 <= sc->sparsity_freeze_epoch) {
      sparse_level = compress::sparsity_level(*sc, epoch + 1);
      if (sparsity) sparsity->set_level(sparse_level);
    }
    if (rb && epoch + 1 > sc->sparsity_freeze_epoch && !rb->frozen()) rb->freeze();
    if (pruning && epoch + 1 <= pruning_final) {  // masks follow the weights until the target
      pruning_level = compress::pruning_level(*fp, epoch + 1);
      pruning->set_level(pruning_level);
    }
    const CompressEpoch e = run_epoch(epoch);
    if (r.accuracy_aware && e.within_budget && complete(e)) {
      stop = true;
      log((adaptive ? "initial phase done: epoch " : "early exit: epoch ") +
          std::to_string(e.epoch) + " is within the accuracy budget");
    }
  }

  // adaptive_compression_level: from the target, raise the rate after an epoch
  // within budget, lower it after patience_epochs over it; the step shrinks (and the
  // learning rate with it) whenever the direction turns, until it is below the minimum.
  if (adaptive && epoch < lp.num_epochs) {
    const auto& aa = *cc.accuracy_aware;
    const double max_rate = std::min(0.95, pruning ? pruning->max_level() : 1.0);
    if (!search.started) {
      search.started = true;
      search.rate = pruning ? pruning_level : sparse_level;
      search.step = aa.initial_compression_rate_step;
      search.best_margin = margin(r.trajectory.back().score);
      search.epochs_at_rate = aa.patience_epochs;  // the first pass always moves
      log("adaptive compression level: from rate " + std::to_string(search.rate) + ", step " +
          std::to_string(search.step));
    }
    for (; epoch < lp.num_epochs; ++epoch) {
      if (search.epochs_at_rate >= aa.patience_epochs || search.best_margin >= 0) {
        const int sign = search.best_margin >= 0 ? 1 : -1;
        if (search.sign != 0 && sign != search.sign) {
          search.step *= aa.compression_rate_step_reduction_factor;
          search.lr_factor *= aa.lr_reduction_factor;
        }
        search.sign = sign;
        if (search.step < aa.minimal_compression_rate_step - 1e-12) break;
        const double next = std::min(max_rate, search.rate + sign * search.step);
        if (next <= 0 || std::fabs(next - search.rate) < 1e-12) break;
        char line[160];
        std::snprintf(line, sizeof line,
                      "adaptive compression level: rate %.4f -> %.4f (step %.4f, lr x%.3g)",
                      search.rate, next, search.step, search.lr_factor);
        log(line);
        search.rate = next;
        search.epochs_at_rate = 0;
        if (pruning) {
          pruning_level = next;
          pruning->set_level(next);
        } else {
          sparse_level = next;
          sparsity->set_level(next);
        }
        run_lp.learning_rate = lp.learning_rate * search.lr_factor;
        opt = train::make_optimizer(run_lp, module, quantizer_parameters(*work), rb_logits);
      }
      run_epoch(epoch);
    }
  }

  if (const CompressEpoch* b = find_epoch(r.best_epoch); b && !complete(*b)) {
    char line[200];
    std::snprintf(line, sizeof line,
                  "the schedule did not reach its target in %d epochs: the output is epoch %d "
                  "(sparsity %.3f of %.3f asked)",
                  r.trajectory.back().epoch, b->epoch, b->sparsity, sc ? sc->sparsity_target : 0.0);
    r.warnings.push_back(line);
  }

  // The best epoch's model, measured.
  train::Checkpoint best = train::load_checkpoint(r.checkpoint_path);
  compress::PrunedChannels best_pruned;
  try {
    if (fp) best_pruned = pruned_from_json(best.meta.at("pruning").at("pruned_channels"));
  } catch (const nlohmann::json::exception& e) {
    throw_invalid(r.checkpoint_path + ": pruning metadata is incomplete (" + e.what() + ")");
  }
  QuantizationPlan final_plan;
  std::shared_ptr<Graph> model = export_model(*best.graph, best_pruned, &final_plan);
  r.score = score(*model);
  r.within_budget = within(r.score);
  r.fp32_latency_ms = median_latency_ms(folded->clone(), o.threads, o.bench_iterations);
  r.latency_ms = median_latency_ms(model->clone(), o.threads, o.bench_iterations);
  r.fp32_bytes = serialize_onnx(*folded).size();
  r.bytes = serialize_onnx(*model).size();

  nlohmann::json traj = nlohmann::json::array();
  for (const CompressEpoch& x : r.trajectory) traj.push_back(to_json(x));
  nlohmann::json floats = nlohmann::json::array();
  for (const quant::FloatNode& f : final_plan.setup.float_nodes)
    floats.push_back({{"node", f.node}, {"op_type", f.op_type}, {"reason", f.reason}});
  nlohmann::json report = {
      {"config_file", r.config_file},
      {"parts", r.parts},
      {"compression_config", recipe.merged},
      {"algorithms", cc.algorithm_order},
      {"checkpoint", o.checkpoint},
      {"precision", qc ? "int8" : "fp32"},
      {"training",
       {{"learning_rate", lp.learning_rate},
        {"epochs_max", lp.num_epochs},
        {"batch_size", lp.batch_size},
        {"range_lr_multiplier", range_lr_scale}}},
      {"before", to_json(footprint(*folded, r.fp32_bytes))},
      {"after", to_json(footprint(*model, r.bytes))},
      {"layers", layer_table(qc ? &final_plan : nullptr, *without_pruned(*best.graph, best_pruned),
                             pruning ? pruning->pruned_filters(best_pruned)
                                     : std::map<std::string, int64_t>{})},
      {"float_nodes", floats},
      {"trajectory", traj},
      {"best_epoch", r.best_epoch},
      {"fp32_score", r.fp32_score},
      {"score", r.score}};
  if (qc) {
    report["preset"] = quant::preset_name(init.ptq.preset);
    report["range_init"] = {{"activations", quant::estimator_name(init.ptq.activations.kind)},
                            {"weights", "per-channel min_max"},
                            {"samples", ptq.subset.size()},
                            {"seconds", init_seconds}};
    report["bn_adaptation"] = {{"samples", qc->num_bn_adaptation_samples},
                               {"batches", meta.value("bn_batches", bn_batches)}};
  }
  if (pruning) {
    nlohmann::json groups = nlohmann::json::array();
    for (const compress::PruningGroup& g : pruning->groups()) {
      auto p = best_pruned.find(g.name);
      nlohmann::json j = {{"name", g.name},
                          {"producers", g.producers},
                          {"channels", g.channels},
                          {"pruned", p == best_pruned.end() ? 0 : p->second.size()},
                          {"prunable", g.prunable}};
      if (!g.prunable) j["reason"] = g.reason;
      groups.push_back(j);
    }
    report["pruning"] = {{"filter_importance", fp->filter_importance},
                         {"schedule", fp->schedule},
                         {"target", fp->target()},
                         {"target_kind", fp->pruning_flops_target ? "flops" : "filters"},
                         {"level", best.meta["pruning"]["level"]},
                         {"filter_fraction", best.meta["pruning"]["filter_fraction"]},
                         {"flops_pruned", pruning->macs_removed(best_pruned)},
                         {"groups", groups}};
  }
  if (r.accuracy_aware) {
    report["accuracy_aware"] = {{"mode", aat_mode},
                                {"maximal_absolute_degradation", r.budget},
                                {"within_budget", r.within_budget},
                                {"epochs_trained", r.trajectory.back().epoch}};
    if (adaptive) report["accuracy_aware"]["rate_search"] = search.to_json();
  }
  write_file_atomic(r.report_path, report.dump(2) + "\n");
  write_file_atomic(r.report_text_path, report_text(report));
  double train_seconds = 0;
  for (const CompressEpoch& x : r.trajectory) train_seconds += x.seconds;
  r.performance = performance_json(r.fp32_score, r.score, r.fp32_latency_ms, r.latency_ms,
                                   resolve_threads(o.threads), r.fp32_bytes, r.bytes,
                                   qc ? "int8" : "compressed");
  r.performance.update({{"compression", compression_id},
                        {"training_seconds", train_seconds},
                        {"epochs", r.trajectory.back().epoch},
                        {"best_epoch", r.best_epoch},
                        {"model", o.checkpoint},
                        {"template", t.name},
                        {"val_data", o.val_data}});
  if (qc)
    r.performance.update({{"calibration_samples", ptq.subset.size()},
                          {"calibration_seed", init.ptq.seed},
                          {"preset", quant::preset_name(init.ptq.preset)},
                          {"init_seconds", init_seconds}});
  if (pruning) r.performance["flops_pruned"] = pruning->macs_removed(best_pruned);
  if (r.accuracy_aware) {
    r.performance["max_drop"] = r.budget;
    r.performance["within_budget"] = r.within_budget;
  }
  write_file_atomic(r.performance_path, r.performance.dump(2) + "\n");
  return r;
}

}  // namespace trex::classification
