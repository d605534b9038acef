// Classification training-time compression (see compress.h).
#include "tasks/classification/compress.h"

#include <chrono>
#include <filesystem>
#include <set>

#include "compress/bn_adaptation.h"
#include "compress/compression_config.h"
#include "compress/distillation.h"
#include "compress/magnitude_sparsity.h"
#include "compress/plan_transfer.h"
#include "compress/qat_config.h"
#include "compress/qat_graph.h"
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
          {"int8_score", e.int8_score},
          {"seconds", e.seconds},
          {"within_budget", e.within_budget},
          {"sparsity", e.sparsity}};
}
CompressEpoch epoch_from_json(const nlohmann::json& j) {
  CompressEpoch e;
  e.epoch = j.at("epoch");
  e.learning_rate = j.at("learning_rate");
  e.train_loss = j.at("train_loss");
  e.train_accuracy = j.at("train_accuracy");
  e.int8_score = j.at("int8_score");
  e.seconds = j.at("seconds");
  e.within_budget = j.at("within_budget");
  e.sparsity = j.value("sparsity", 0.0);
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

/// Per-layer compression of the exported model: bits of weights and inputs, weight sparsity
/// (pruned filters: 0 until filter pruning lands).
nlohmann::json layer_table(const QuantizationPlan& plan, const Graph& trained) {
  nlohmann::json layers = nlohmann::json::array();
  for (const std::string& node : plan.setup.quantized_nodes) {
    nlohmann::json l = {{"node", node}, {"sparsity", 0.0}, {"pruned_filters", 0}};
    if (auto w = plan.weights.find(node); w != plan.weights.end()) {
      l["weight_bits"] = w->second.max_level == 127 ? 8 : 7;
      l["weight_channels"] = w->second.scales.size();
      l["sparsity"] = weight_sparsity(trained, node, plan.weight_input(node));
    }
    int inputs = 0;
    for (const auto& [use, value] : plan.setup.input_quantizer)
      if (use.first == node) ++inputs;
    l["quantized_inputs"] = inputs;
    l["activation_bits"] = 8;
    layers.push_back(l);
  }
  return layers;
}

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
  s += "\nepoch  lr        train_loss  train_acc  int8_score  sparsity  within_budget (- "
       "without accuracy_aware_training)\n";
  for (const auto& e : r["trajectory"]) {
    std::snprintf(line, sizeof line, "%5d  %.6f  %10.4f  %8.2f%%  %9.2f%%  %7.2f%%  %s\n",
                  e["epoch"].get<int>(), e["learning_rate"].get<double>(),
                  e["train_loss"].get<double>(), 100 * e["train_accuracy"].get<double>(),
                  100 * e["int8_score"].get<double>(), 100 * e["sparsity"].get<double>(),
                  !r.contains("accuracy_aware")    ? "-"
                  : e["within_budget"].get<bool>() ? "yes"
                                                   : "no");
    s += line;
  }
  s += "\nlayer                                              weight_bits  act_bits  inputs  "
       "sparsity\n";
  for (const auto& l : r["layers"]) {
    std::snprintf(
        line, sizeof line, "%-50s %11s  %8d  %6d  %7.2f%%\n", l["node"].get<std::string>().c_str(),
        l.contains("weight_bits") ? std::to_string(l["weight_bits"].get<int>()).c_str() : "-",
        l["activation_bits"].get<int>(), l["quantized_inputs"].get<int>(),
        100 * l["sparsity"].get<double>());
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
        a != "const_sparsity")
      throw_unsupported(r.config_file + ": compression algorithm '" + a +
                        "' is not available yet (quantization, magnitude_sparsity, "
                        "const_sparsity and knowledge_distillation are); disable it "
                        "in the template's nncf_optimization or the config");
  if (!cc.quantization)
    throw_unsupported(r.config_file + ": " +
                      (cc.algorithm_order.empty()
                           ? "no compression algorithm is enabled (parts applied: " +
                                 nlohmann::json(recipe.parts).dump() + ")"
                           : "training-time compression without quantization is not available "
                             "yet; add the quantization algorithm"));
  const compress::QuantizationConfig& qc = *cc.quantization;
  if (cc.accuracy_aware && cc.accuracy_aware->mode != "early_exit")
    throw_unsupported(r.config_file + ": accuracy_aware_training.mode '" + cc.accuracy_aware->mode +
                      "' needs an algorithm with an adjustable compression rate (pruning, "
                      "sparsity); quantization alone supports early_exit");

  LearningParameters lp = t.learning;
  lp.warmup_epochs = 0;  // fine-tuning from trained weights
  if (recipe.training.learning_rate) lp.learning_rate = *recipe.training.learning_rate;
  if (recipe.training.num_epochs) lp.num_epochs = *recipe.training.num_epochs;
  if (recipe.training.batch_size) lp.batch_size = *recipe.training.batch_size;
  r.early_exit = cc.accuracy_aware.has_value();
  if (r.early_exit) lp.num_epochs = cc.accuracy_aware->maximal_total_epochs;
  if (cc.sparsity && cc.sparsity->algorithm != "const_sparsity" &&
      compress::sparsity_final_epoch(*cc.sparsity) > lp.num_epochs)
    throw_invalid(r.config_file + ": " + cc.sparsity->algorithm +
                  " reaches its final level at epoch " +
                  std::to_string(compress::sparsity_final_epoch(*cc.sparsity)) +
                  " (params.sparsity_target_epoch / multistep_steps), after the run's " +
                  std::to_string(lp.num_epochs) +
                  " epochs (runner.num_epochs, or accuracy_aware_training maximal_total_epochs)");
  const double range_lr_scale =
      qc.compression_lr_multiplier.value_or(cc.compression_lr_multiplier.value_or(1.0));

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
  const std::string where = r.config_file + ": compression.quantization";
  compress::QatInitConfig init = compress::qat_init_config(qc, *folded, where, lp.seed);
  for (const std::string& s : init.unmatched_scopes)
    r.warnings.push_back(where + ": " + s + " matches no node");
  ClassFolderCalibration calib(train, tf, folded->inputs()[0]->name(), lp.num_workers);
  quant::RunOptions run;
  run.threads = o.threads;
  run.batch_size = init.ptq.batch_size;
  run.progress = o.progress;
  auto t0 = std::chrono::steady_clock::now();
  quant::PtqResult ptq = quant::quantize_model(*folded, calib, init.ptq, run);
  const double init_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  for (const std::string& w : ptq.warnings) r.warnings.push_back(w);
  const QuantizationPlan plan = compress::transfer_plan(ptq.plan, *folded, *fp32);

  EvalOptions eo;
  eo.batch_size = o.eval_batch;
  eo.threads = o.threads;
  eo.workers = lp.num_workers;
  auto score = [&](const Graph& g) {
    return evaluate_in_runtime(g.clone(), val, tf, eo, o.progress).accuracy();
  };
  r.fp32_score = score(*folded);
  if (r.early_exit) {
    const auto& aa = *cc.accuracy_aware;
    r.budget = aa.maximal_absolute_accuracy_degradation
                   ? *aa.maximal_absolute_accuracy_degradation
                   : *aa.maximal_relative_accuracy_degradation / 100 * r.fp32_score;
  }
  auto within = [&](double s) { return r.budget < 0 || r.fp32_score - s <= r.budget + 1e-12; };

  // The QAT model: fresh, or the last epoch of an interrupted run.
  std::shared_ptr<Graph> qat;
  std::string optimizer_state;
  int start_epoch = 0;
  nlohmann::json meta;
  // The FP32 checkpoint as one path, however it was spelled (resume checks it).
  const std::string source_id = fs::weakly_canonical(fs::absolute(o.checkpoint)).string();
  if (o.resume) {
    if (!fs::exists(r.last_checkpoint_path))
      throw_invalid(r.last_checkpoint_path + ": no checkpoint to resume from");
    train::Checkpoint last = train::load_checkpoint(r.last_checkpoint_path);
    try {
      if (last.meta.value("compression", "") != "qat" ||
          last.meta.value("source_checkpoint", "") != source_id)
        throw_invalid(r.last_checkpoint_path + ": not a QAT checkpoint of " + o.checkpoint);
      meta = last.meta;
      start_epoch = meta.at("epoch");
      r.best_epoch = meta.at("best_epoch");
      for (const auto& e : meta.at("trajectory")) r.trajectory.push_back(epoch_from_json(e));
    } catch (const nlohmann::json::exception& e) {
      throw_invalid(r.last_checkpoint_path + ": compression metadata is incomplete (" + e.what() +
                    ")");
    }
    if (r.trajectory.empty() || r.trajectory.back().epoch != start_epoch)
      throw_invalid(r.last_checkpoint_path + ": compression metadata is inconsistent");
    qat = std::move(last.graph);
    optimizer_state = last.optimizer_state;
    log("resuming from " + r.last_checkpoint_path + " after epoch " + std::to_string(start_epoch));
  } else {
    qat = compress::build_qat_graph(*fp32, plan);
  }
  torch::set_num_threads(resolve_threads(o.threads));
  train::GraphModule module(*qat);
  // Sparsity: masks at the schedule's level for the epoch (0 before training).
  std::unique_ptr<compress::MagnitudeSparsity> sparsity;
  if (cc.sparsity) {
    sparsity = std::make_unique<compress::MagnitudeSparsity>(module, *qat, *cc.sparsity);
    if (cc.sparsity->algorithm == "const_sparsity")
      sparsity->keep_current_zeros();
    else
      sparsity->set_level(compress::sparsity_level(
          *cc.sparsity, std::min(start_epoch, cc.sparsity->sparsity_freeze_epoch)));
    module.write_back(*qat);
  }
  int bn_batches = 0;
  std::shared_ptr<Graph> initial_int8;  // the initialized model as exported (epoch 0)
  if (!o.resume) {
    if (qc.num_bn_adaptation_samples > 0) {
      LoaderOptions lo;
      lo.batch_size = lp.batch_size;
      lo.workers = lp.num_workers;
      lo.order = quant::calibration_subset(
          train.size(), static_cast<size_t>(qc.num_bn_adaptation_samples), lp.seed + 1);
      BatchLoader loader(train, tf, lo);
      Batch b;
      size_t seen = 0;
      torch::manual_seed(lp.seed);
      bn_batches = compress::adapt_batch_norm(module, *qat, [&](torch::Tensor& x) {
        if (!loader.next(b)) return false;
        x = torch::from_blob(b.data.data(), {b.n, b.channels, b.height, b.width}, torch::kFloat32);
        seen += static_cast<size_t>(b.n);
        report(o.progress, {"BatchNorm adaptation", seen, loader.num_samples(), ""});
        return true;
      });
      module.write_back(*qat);
    }
    CompressEpoch e0;
    if (sparsity) e0.sparsity = sparsity->sparsity();
    initial_int8 = compress::export_qdq_model(*qat, plan);
    e0.int8_score = score(*initial_int8);
    e0.within_budget = within(e0.int8_score);
    r.trajectory.push_back(e0);
    meta = {{"template", t.name},   {"architecture", t.architecture},
            {"task", t.task},       {"classes", train.classes},
            {"compression", "qat"}, {"source_checkpoint", source_id},
            {"best_epoch", 0},      {"bn_batches", bn_batches}};
    char line[160];
    std::snprintf(line, sizeof line,
                  "initialized: %zu activation and %zu weight quantizers, ranges from %zu "
                  "samples, BatchNorm adapted on %d batches; INT8 %.2f%% (FP32 %.2f%%)",
                  plan.setup.activations.size(), plan.weights.size(), ptq.subset.size(), bn_batches,
                  100 * e0.int8_score, 100 * r.fp32_score);
    log(line);
  }

  auto opt = train::make_optimizer(lp, module, quantizer_parameters(*qat));
  train::ExtraLoss extra;
  if (cc.distillation)  // the uncompressed model teaches
    extra =
        compress::distillation_loss(*cc.distillation, std::make_shared<train::GraphModule>(*fp32));
  if (!optimizer_state.empty())
    train::load_optimizer(*opt, optimizer_state, r.last_checkpoint_path);

  // With a sparsity schedule, only epochs at the target level count as results (best
  // model, early exit): the output must have the sparsity asked for.
  auto complete = [&](int epoch) {
    return !cc.sparsity || cc.sparsity->algorithm == "const_sparsity" ||
           epoch >= compress::sparsity_final_epoch(*cc.sparsity);
  };
  auto best_score = [&] {
    for (const CompressEpoch& e : r.trajectory)
      if (e.epoch == r.best_epoch) return e.int8_score;
    return -1.0;
  };
  auto write_best = [&](const Graph& qat_graph, const Graph& int8) {
    save_onnx(int8, r.model_path);
    train::Checkpoint c;
    c.graph = qat_graph.clone();
    c.meta = meta;
    train::save_checkpoint(c, r.checkpoint_path);
  };
  if (!o.resume) write_best(*qat, *initial_int8);

  bool stop =
      r.early_exit && r.trajectory.back().within_budget && complete(r.trajectory.back().epoch);
  if (stop)
    log(r.trajectory.back().epoch == 0
            ? "early exit: the initialized model is within the accuracy budget"
            : "early exit: epoch " + std::to_string(r.trajectory.back().epoch) +
                  " is within the accuracy budget");
  for (int epoch = start_epoch; epoch < lp.num_epochs && !stop; ++epoch) {
    if (sparsity && cc.sparsity->algorithm != "const_sparsity" &&
        epoch + 1 <= cc.sparsity->sparsity_freeze_epoch)
      sparsity->set_level(compress::sparsity_level(*cc.sparsity, epoch + 1));
    std::function<void()> after_step;
    if (sparsity) after_step = [&] { sparsity->apply(); };
    train::EpochStats st = train::train_epoch(module, *opt, train, tf, lp, epoch, o.progress,
                                              range_lr_scale, extra, after_step);
    std::unique_ptr<Graph> trained = module.export_graph();
    CompressEpoch e;
    e.epoch = epoch + 1;
    e.learning_rate = st.learning_rate;
    e.train_loss = st.loss;
    e.train_accuracy = st.accuracy;
    std::shared_ptr<Graph> int8 = compress::export_qdq_model(*trained, plan);
    e.int8_score = score(*int8);
    e.within_budget = within(e.int8_score);
    e.seconds = st.seconds;
    if (sparsity) e.sparsity = sparsity->sparsity();
    r.trajectory.push_back(e);
    const bool best = complete(e.epoch) && (e.int8_score > best_score() || !complete(r.best_epoch));
    if (best) r.best_epoch = e.epoch;
    nlohmann::json traj = nlohmann::json::array();
    for (const CompressEpoch& x : r.trajectory) traj.push_back(to_json(x));
    meta["epoch"] = e.epoch;
    meta["best_epoch"] = r.best_epoch;
    meta["trajectory"] = traj;
    if (best) write_best(*trained, *int8);
    train::Checkpoint c;
    c.graph = std::move(trained);
    c.optimizer_state = train::optimizer_bytes(*opt);
    c.meta = meta;
    train::save_checkpoint(c, r.last_checkpoint_path);
    char line[200];
    std::snprintf(line, sizeof line,
                  "epoch %d/%d: train loss %.4f acc %.2f%%, INT8 %.2f%% (FP32 %.2f%%), %.1fs%s",
                  e.epoch, lp.num_epochs, e.train_loss, 100 * e.train_accuracy, 100 * e.int8_score,
                  100 * r.fp32_score, e.seconds, best ? " (best)" : "");
    log(line);
    if (r.early_exit && e.within_budget && complete(e.epoch)) {
      stop = true;
      log("early exit: epoch " + std::to_string(e.epoch) + " is within the accuracy budget");
    }
  }

  // The best epoch's model, measured.
  train::Checkpoint best = train::load_checkpoint(r.checkpoint_path);
  QuantizationPlan final_plan;
  std::shared_ptr<Graph> int8 = compress::export_qdq_model(*best.graph, plan, &final_plan);
  r.int8_score = score(*int8);
  r.within_budget = within(r.int8_score);
  r.fp32_latency_ms = median_latency_ms(folded->clone(), o.threads, o.bench_iterations);
  r.int8_latency_ms = median_latency_ms(int8->clone(), o.threads, o.bench_iterations);
  r.fp32_bytes = serialize_onnx(*folded).size();
  r.int8_bytes = serialize_onnx(*int8).size();

  nlohmann::json traj = nlohmann::json::array();
  for (const CompressEpoch& x : r.trajectory) traj.push_back(to_json(x));
  nlohmann::json floats = nlohmann::json::array();
  for (const quant::FloatNode& f : final_plan.setup.float_nodes)
    floats.push_back({{"node", f.node}, {"op_type", f.op_type}, {"reason", f.reason}});
  nlohmann::json report = {{"config_file", r.config_file},
                           {"parts", r.parts},
                           {"compression_config", recipe.merged},
                           {"algorithms", cc.algorithm_order},
                           {"checkpoint", o.checkpoint},
                           {"preset", quant::preset_name(init.ptq.preset)},
                           {"range_init",
                            {{"activations", quant::estimator_name(init.ptq.activations.kind)},
                             {"weights", "per-channel min_max"},
                             {"samples", ptq.subset.size()},
                             {"seconds", init_seconds}}},
                           {"bn_adaptation",
                            {{"samples", qc.num_bn_adaptation_samples},
                             {"batches", meta.value("bn_batches", bn_batches)}}},
                           {"training",
                            {{"learning_rate", lp.learning_rate},
                             {"epochs_max", lp.num_epochs},
                             {"batch_size", lp.batch_size},
                             {"range_lr_multiplier", range_lr_scale}}},
                           {"before", to_json(footprint(*folded, r.fp32_bytes))},
                           {"after", to_json(footprint(*int8, r.int8_bytes))},
                           {"layers", layer_table(final_plan, *best.graph)},
                           {"float_nodes", floats},
                           {"trajectory", traj},
                           {"best_epoch", r.best_epoch},
                           {"fp32_score", r.fp32_score},
                           {"int8_score", r.int8_score}};
  if (r.early_exit)
    report["accuracy_aware"] = {{"mode", "early_exit"},
                                {"maximal_absolute_degradation", r.budget},
                                {"within_budget", r.within_budget},
                                {"epochs_trained", r.trajectory.back().epoch}};
  write_file_atomic(r.report_path, report.dump(2) + "\n");
  write_file_atomic(r.report_text_path, report_text(report));
  double train_seconds = 0;
  for (const CompressEpoch& x : r.trajectory) train_seconds += x.seconds;
  r.performance =
      int8_performance_json(r.fp32_score, r.int8_score, r.fp32_latency_ms, r.int8_latency_ms,
                            resolve_threads(o.threads), r.fp32_bytes, r.int8_bytes);
  r.performance.update({{"calibration_samples", ptq.subset.size()},
                        {"calibration_seed", init.ptq.seed},
                        {"preset", quant::preset_name(init.ptq.preset)},
                        {"compression", "qat"},
                        {"init_seconds", init_seconds},
                        {"training_seconds", train_seconds},
                        {"epochs", r.trajectory.back().epoch},
                        {"best_epoch", r.best_epoch},
                        {"model", o.checkpoint},
                        {"template", t.name},
                        {"val_data", o.val_data}});
  if (r.early_exit) {
    r.performance["max_drop"] = r.budget;
    r.performance["within_budget"] = r.within_budget;
  }
  write_file_atomic(r.performance_path, r.performance.dump(2) + "\n");
  return r;
}

}  // namespace trex::classification
