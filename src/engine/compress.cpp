// Classification training-time compression (see compress.h).
#include "engine/compress.h"

#include <filesystem>
#include <set>

#include "compress/distillation.h"
#include "compress/filter_pruning.h"
#include "compress/magnitude_sparsity.h"
#include "compress/pruning_schedule.h"
#include "compress/qat_graph.h"
#include "compress/rate_search.h"
#include "compress/rb_sparsity.h"
#include "compress/sparsity_schedule.h"
#include "engine/compress_init.h"
#include "engine/compress_report.h"
#include "engine/compress_settings.h"
#include "engine/evaluate.h"
#include "onnx/onnx.h"
#include "passes/passes.h"
#include "passes/runtime_fusion.h"
#include "runtime/session.h"
#include "tasks/task.h"
#include "tasks/task_training.h"
#include "train/checkpoint.h"
#include "train/graph_module.h"
#include "train/training_loop.h"
#include "util/error.h"
#include "util/file_io.h"

namespace fs = std::filesystem;

namespace trex::engine {

using quant::QuantizationPlan;

CompressTaskResult run_compression(const ModelTemplate& t, const CompressTaskOptions& o) {
  const Task& task = find_task(t.task, t.path + ": model.task");
  const TaskTraining& training = find_training(t.task, t.path + ": model.task");
  CompressTaskResult r;
  auto log = [&](const std::string& s) {
    if (o.log) o.log(s);
  };

  // The recipe and what it asks for, checked before any work.
  const CompressSettings settings = compress_settings(t, o.compression_config);
  const compress::CompressionRecipe& recipe = settings.recipe;
  const compress::CompressionConfig& cc = recipe.config;
  const compress::QuantizationConfig* qc = settings.quantization();
  const compress::FilterPruningConfig* fp = settings.pruning();
  const compress::SparsityConfig* sc = settings.sparsity();
  LearningParameters lp = settings.lp;
  const std::string& aat_mode = settings.aat_mode;
  const std::string& compression_id = settings.compression_id;
  const bool adaptive = settings.adaptive, rate_is_sparsity = settings.rate_is_sparsity;
  const bool rb_used = settings.rb_used, sparsity_adaptive = settings.sparsity_adaptive;
  const int initial_phase = settings.initial_phase, pruning_final = settings.pruning_final;
  const double range_lr_scale = settings.range_lr_scale;
  r.config_file = settings.config_file;
  r.parts = recipe.parts;
  r.quantized = qc != nullptr;
  r.accuracy_aware = cc.accuracy_aware.has_value();

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
  for (std::string& w : config_warnings(settings, *fp32)) r.warnings.push_back(std::move(w));
  std::shared_ptr<Graph> folded = fp32->clone();
  canonicalize(*folded);

  TransformSpec tf = transform_spec(t);
  ImageDataset train = task.load_dataset(t, o.train_data, Split::kTrain, o.progress);
  ImageDataset val = task.load_dataset(t, o.val_data, Split::kVal, o.progress);
  task.check_datasets(t, train, val);
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

  // Quantizers placed and ranges initialized as PTQ would (compress_init.h).
  QuantizerInit qi;
  if (qc) {
    qi = initialize_quantizers(*qc, *folded, *fp32, train, tf, lp, o.threads,
                               r.config_file + ": compression.quantization", o.progress);
    r.warnings.insert(r.warnings.end(), qi.warnings.begin(), qi.warnings.end());
  }
  const QuantizationPlan& plan = qi.plan;
  const compress::QatInitConfig& init = qi.init;
  const quant::PtqResult& ptq = qi.ptq;
  const double init_seconds = qi.seconds;

  EvalOptions eo;
  eo.batch_size = o.eval_batch;
  eo.threads = o.threads;
  eo.workers = lp.num_workers;
  // Scores are those of the model as written, as `trex eval` reads it.
  auto score_loaded = [&](std::unique_ptr<Graph> g) {
    return evaluate_in_runtime(std::move(g), task, val, tf, eo, o.progress)->score();
  };
  auto score = [&](const Graph& g) { return score_loaded(as_written(g)); };
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
  compress::RateSearch search;
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
      if (adaptive) search = compress::RateSearch::from_json(meta.at("rate_search"));
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
    if (qc) compress::use_log_scales(*work, init.log_scale_weights, init.log_scale_activations);
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
  // A resumed adaptive search on the sparsity level continues at its rate.
  if (rate_is_sparsity && search.started) {
    sparse_level = search.rate;
    if (sparsity) sparsity->set_level(sparse_level);
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
      bn_batches = adapt_batch_norm_on(module, *work, train, tf, lp, qc->num_bn_adaptation_samples,
                                       o.progress);
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
  auto rate_of = [&](const CompressEpoch& e) {  // rb: the sparsity reached, not the loss's aim
    return !rate_is_sparsity ? e.pruning_level : rb ? e.sparsity : e.sparsity_level;
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
    std::string off_what;  // staged QAT: quantizers before their start epochs pass through
    std::set<std::string> off = staged_bypass(*work, epoch, settings.weights_quant_start,
                                              settings.activations_quant_start, &off_what);
    if (!off.empty())
      log("epoch " + std::to_string(epoch + 1) + ": " + off_what +
          " quantizers off (staged: weights_quant_start_epoch " +
          std::to_string(settings.weights_quant_start) + ", activations_quant_start_epoch " +
          std::to_string(settings.activations_quant_start) + ")");
    module.set_bypassed(off);
    if (settings.disable_wd_epoch >= 0)
      train::set_weight_decay(*opt, epoch >= settings.disable_wd_epoch ? 0.0 : run_lp.weight_decay);
    train::EpochStats st = train::train_epoch(module, *opt, training, train, tf, run_lp, epoch,
                                              o.progress, range_lr_scale, extra, after_step);
    module.set_bypassed({});
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
      search.record(margin(e.score));
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
    // (With adaptive_compression_level on rb_sparsity the masks keep training: the search
    // moves their level.)
    if (rb && !rate_is_sparsity && epoch + 1 > sc->sparsity_freeze_epoch && !rb->frozen())
      rb->freeze();
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

  // adaptive_compression_level (compress/rate_search.h), from the target.
  if (adaptive && epoch < lp.num_epochs) {
    const auto& aa = *cc.accuracy_aware;
    const double max_rate = std::min(0.95, pruning ? pruning->max_level() : 1.0);
    if (!search.started) {
      search.start(pruning ? pruning_level : sparse_level, margin(r.trajectory.back().score), aa);
      log("adaptive compression level: from rate " + std::to_string(search.rate) + ", step " +
          std::to_string(search.step));
    }
    for (; epoch < lp.num_epochs; ++epoch) {
      const double from = search.rate;
      double next = 0;
      const compress::RateSearch::Move move = search.decide(aa, max_rate, &next);
      if (move == compress::RateSearch::Move::kStop) break;
      if (move == compress::RateSearch::Move::kChange) {
        char line[160];
        std::snprintf(line, sizeof line,
                      "adaptive compression level: rate %.4f -> %.4f (step %.4f, lr x%.3g)", from,
                      next, search.step, search.lr_factor);
        log(line);
        if (pruning) {
          pruning_level = next;
          pruning->set_level(next);
        } else {  // magnitude masks follow now; rb's loss pulls its masks there
          sparse_level = next;
          if (sparsity) sparsity->set_level(next);
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
  r.score = score_loaded(load_onnx(r.model_path));
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
        {"schedule", lp.schedule},
        {"epochs_max", lp.num_epochs},
        {"batch_size", lp.batch_size},
        {"batch_multiplier", lp.batch_multiplier},
        {"range_lr_multiplier", range_lr_scale}}},
      {"before", footprint_json(*folded, r.fp32_bytes)},
      {"after", footprint_json(*model, r.bytes)},
      {"layers", layer_table(qc ? &final_plan : nullptr, *without_pruned(*best.graph, best_pruned),
                             pruning ? pruning->pruned_filters(best_pruned)
                                     : std::map<std::string, int64_t>{})},
      {"float_nodes", floats},
      {"trajectory", traj},
      {"best_epoch", r.best_epoch},
      {"fp32_score", r.fp32_score},
      {"score", r.score}};
  if (qc)
    report.update(quantization_json(init.ptq, ptq.subset.size(), init_seconds,
                                    qc->num_bn_adaptation_samples,
                                    meta.value("bn_batches", bn_batches)));
  if (pruning) {
    report["pruning"] = {{"filter_importance", fp->filter_importance},
                         {"schedule", fp->schedule},
                         {"target", fp->target()},
                         {"target_kind", fp->pruning_flops_target ? "flops" : "filters"},
                         {"level", best.meta["pruning"]["level"]},
                         {"filter_fraction", best.meta["pruning"]["filter_fraction"]},
                         {"flops_pruned", pruning->macs_removed(best_pruned)},
                         {"groups", pruning_groups_json(pruning->groups(), best_pruned)}};
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
  r.performance = performance_json(task.metric_name(), r.fp32_score, r.score, r.fp32_latency_ms,
                                   r.latency_ms, resolve_threads(o.threads), r.fp32_bytes, r.bytes,
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
  if (pruning) r.performance["flops_pruned"] = report["pruning"]["flops_pruned"];
  if (r.accuracy_aware) {
    r.performance["max_drop"] = r.budget;
    r.performance["within_budget"] = r.within_budget;
  }
  write_file_atomic(r.performance_path, r.performance.dump(2) + "\n");
  return r;
}

}  // namespace trex::engine
