#!/usr/bin/env bash
# `trex optimize` with filter pruning on a training checkpoint, from the command line, on a
# small real dataset and the shipped ResNet-18 checkpoint: a FLOPs target met by the
# exported model with the filters removed (fewer parameters, the score `trex eval` gives),
# rb_sparsity alongside, pruning with quantization (INT8 QDQ, resumed after a kill to the
# same model),
# adaptive_compression_level's rate search, and bad inputs (exit 2, one line naming the key).
# usage: prune.sh TREX SOURCE_DIR
set -u
TREX=$(realpath "$1")
SRC=$2
source "$(dirname "$0")/lib.sh"
CKPT="$SRC/models/classification/resnet18/checkpoint.pt"
TMPL="$SRC/recipes/classification/resnet18"

data_setup "$TREX" 80
# config ALGORITHMS [TOP_LEVEL_KEYS]: a plain compression config.
config() {
  echo "{\"input_info\": {\"sample_size\": [1, 1, 28, 28]}, \"compression\": [$1]${2:-}}"
}
QUANT='{"algorithm": "quantization", "overflow_fix": "disable", "initializer": {"range": {"num_init_samples": 128}, "batchnorm_adaptation": {"num_bn_adaptation_samples": 256}}}'
# prune SCHEDULE STEPS TARGET_KEY TARGET [PARAMS]: a filter_pruning algorithm.
prune() {
  echo "{\"algorithm\": \"filter_pruning\", \"pruning_init\": 0.1, \"params\": {\"schedule\": \"$1\", \"pruning_steps\": $2, \"$3\": $4${5:-}}}"
}
P=(params --learning_parameters.learning_rate 0.005)

# Pruning alone to 30% fewer FLOPs: the scheduled level from epoch 1, a float model with
# the filters removed that `trex eval` scores as reported, fewer parameters.
config "$(prune baseline 1 pruning_flops_target 0.3 ', "filter_importance": "L1", "prune_downsample_convs": true')" >"$work/p.json"
"$TREX" optimize "$TMPL" --load-weights "$CKPT" "${D[@]}" -o "$work/p" \
  --compression-config "$work/p.json" "${P[@]}" --learning_parameters.num_epochs 2 \
  >"$work/p.log" 2>&1 || fail prune "exit $?: $(tail -3 "$work/p.log")"
python3 - "$work/p" <<'PY' && ok "prune flops" || fail "prune flops" "$(grep -A4 '^epoch' "$work/p/compression_report.txt")"
import json, sys
d = sys.argv[1]
r = json.load(open(d + "/compression_report.json"))
perf = json.load(open(d + "/nncf_performance.json"))
t = r["trajectory"]
assert [e["epoch"] for e in t] == [0, 1, 2], t
assert abs(t[0]["pruning_level"] - 0.1) < 1e-9 and t[1]["pruning_level"] == 0.3, t
assert 0.1 <= t[0]["flops_pruned"] < 0.3 and t[1]["flops_pruned"] >= 0.3, t
assert r["best_epoch"] in (1, 2), r["best_epoch"]
assert r["precision"] == "fp32" and r["pruning"]["flops_pruned"] >= 0.3
assert 1 - r["after"]["macs"] / r["before"]["macs"] >= 0.3, (r["before"], r["after"])
assert r["after"]["parameters"] < r["before"]["parameters"]
assert sum(l.get("pruned_filters", 0) for l in r["layers"]) > 0
assert any(not g["prunable"] and "prune_first_conv" in g["reason"] for g in r["pruning"]["groups"])
assert perf["compressed_latency_ms"] > 0 and perf["flops_pruned"] >= 0.3
assert perf["compression"] == "filter_pruning"
PY
"$TREX" info "$work/p/model.onnx" >"$work/info.txt" 2>&1
grep -q "QuantizeLinear" "$work/info.txt" && fail "float model" "has QDQ nodes" || ok "float model"
"$TREX" eval "$TMPL" --load-weights "$work/p/model.onnx" --test-data-roots "$work/val" \
  --output "$work/eval.json" >/dev/null 2>&1 || fail "eval pruned" "exit $?"
[[ $(json "$work/eval.json" "['score']") == $(json "$work/p/nncf_performance.json" "['score']") ]] \
  && ok "eval pruned" || fail "eval pruned" "eval score differs from the reported one"
grep -q "filters (pruned)" "$work/p/compression_report.txt" || fail "prune report" "no filter column"

# rb_sparsity alongside: the masks train between the weights and the convolutions; the
# export bakes them into the weights, then removes the pruned filters.
config "$(prune baseline 1 pruning_flops_target 0.3), {\"algorithm\": \"rb_sparsity\", \"compression_lr_multiplier\": 100, \"params\": {\"schedule\": \"exponential\", \"sparsity_target\": 0.3, \"sparsity_target_epoch\": 2, \"sparsity_freeze_epoch\": 2}}" >"$work/rbp.json"
"$TREX" optimize "$TMPL" --load-weights "$CKPT" "${D[@]}" -o "$work/rbp" \
  --compression-config "$work/rbp.json" "${P[@]}" --learning_parameters.num_epochs 2 \
  >"$work/rbp.log" 2>&1 || fail "prune+rb" "exit $?: $(tail -3 "$work/rbp.log")"
"$TREX" eval "$TMPL" --load-weights "$work/rbp/model.onnx" --test-data-roots "$work/val" \
  --output "$work/evalrb.json" >/dev/null 2>&1
python3 - "$work/rbp/compression_report.json" "$work/evalrb.json" <<'PY' && ok "prune+rb" || fail "prune+rb" "$(grep -A4 '^epoch' "$work/rbp/compression_report.txt")"
import json, sys
r = json.load(open(sys.argv[1]))
t = r["trajectory"]
assert r["algorithms"] == ["filter_pruning", "rb_sparsity"], r["algorithms"]
assert t[1]["flops_pruned"] >= 0.3 and t[2]["flops_pruned"] >= 0.3 and t[2]["sparsity"] > 0.1, t
assert 1 - r["after"]["macs"] / r["before"]["macs"] >= 0.3, (r["before"], r["after"])
convs = [l for l in r["layers"] if l["op_type"] == "Conv"]
assert sum(l["pruned_filters"] for l in convs) > 0 and all(l["sparsity"] > 0 for l in convs), convs[:3]
assert json.load(open(sys.argv[2]))["score"] == r["score"]
PY

# Pruning with quantization, exponential schedule (target at epoch 2): INT8 QDQ with the
# filters removed; killed in epoch 2 and resumed, the same model as the uninterrupted run.
config "$QUANT, $(prune exponential 2 pruning_target 0.5)" >"$work/qp.json"
run_qp() {
  "$TREX" optimize "$TMPL" --load-weights "$CKPT" "${D[@]}" -o "$1" "${@:2}" \
    --compression-config "$work/qp.json" "${P[@]}" --learning_parameters.num_epochs 2
}
run_qp "$work/qp" >"$work/qp.log" 2>&1 || fail "prune+qat" "exit $?: $(tail -3 "$work/qp.log")"
"$TREX" info "$work/qp/model.onnx" >"$work/info.txt" 2>&1
python3 - "$work/qp/compression_report.json" <<'PY' && grep -q QuantizeLinear "$work/info.txt" \
  && ok "prune+qat" || fail "prune+qat" "$(grep -A4 '^epoch' "$work/qp/compression_report.txt")"
import json, sys
r = json.load(open(sys.argv[1]))
t = r["trajectory"]
assert r["precision"] == "int8" and r["best_epoch"] == 2, r["best_epoch"]
assert abs(t[1]["pruning_level"] - 0.1) < 1e-9 and t[2]["pruning_level"] == 0.5, t
assert r["after"]["macs"] < 0.8 * r["before"]["macs"], (r["before"], r["after"])
assert all(l["weight_bits"] == 8 for l in r["layers"] if "weight_bits" in l)
PY
run_qp "$work/k" >"$work/k.log" 2>&1 &
pid=$!
for _ in $(seq 600); do
  grep -q "^epoch 1/2: train loss" "$work/k.log" 2>/dev/null && break
  sleep 0.1
done
sleep 0.3
kill -9 "$pid" 2>/dev/null; wait "$pid" 2>/dev/null
run_qp "$work/k" --resume >"$work/r.log" 2>&1 || fail "prune resume" "exit $?: $(tail -2 "$work/r.log")"
grep -q "resuming from .* after epoch 1" "$work/r.log" || fail "prune resume" "did not resume after epoch 1"
cmp -s "$work/qp/model.onnx" "$work/k/model.onnx" && ok "prune resume" || fail "prune resume" "resumed model differs"

# adaptive_compression_level: the rate moves by the steps, the output is the highest rate
# within budget, the trajectory and the search are in the report. (The template's
# maximal_accuracy_degradation, percent, replaces the config's absolute budget.)
AAT=', "accuracy_aware_training": {"mode": "adaptive_compression_level", "params": {"maximal_absolute_accuracy_degradation": 0.05, "initial_training_phase_epochs": 1, "patience_epochs": 1, "initial_compression_rate_step": 0.1, "minimal_compression_rate_step": 0.02, "maximal_total_epochs": 4}}'
config "$(prune baseline 1 pruning_flops_target 0.1 ', "prune_downsample_convs": true')" "$AAT" >"$work/aat.json"
"$TREX" optimize "$TMPL" --load-weights "$CKPT" "${D[@]}" -o "$work/aat" \
  --compression-config "$work/aat.json" "${P[@]}" --nncf_optimization.maximal_accuracy_degradation 5 \
  >"$work/aat.log" 2>&1
rc=$?
python3 - "$work/aat/compression_report.json" "$rc" <<'PY' && ok "adaptive level" || fail "adaptive level" "$(grep -v '/' "$work/aat.log" | tail -12)"
import json, sys
r = json.load(open(sys.argv[1]))
t = r["trajectory"]
assert [e["epoch"] for e in t] == [0, 1, 2, 3, 4], [e["epoch"] for e in t]
assert t[1]["pruning_level"] == 0.1, t[1]
# patience 1: after an epoch within budget the rate rises, after one over it falls; the
# first move is the initial step, later ones halve at each turn
for a, b in zip(t[1:], t[2:]):
    d = b["pruning_level"] - a["pruning_level"]
    assert (d > 0) == a["within_budget"] and abs(d) > 1e-9, (a, b)
assert abs(abs(t[2]["pruning_level"] - 0.1) - 0.1) < 1e-9, t[2]
aa = r["accuracy_aware"]
assert aa["mode"] == "adaptive_compression_level" and "rate_search" in aa
assert abs(aa["maximal_absolute_degradation"] - 0.05) < 1e-12
within = [e for e in t if e["within_budget"] and e["epoch"] >= 1]
best = [e for e in t if e["epoch"] == r["best_epoch"]][0]
assert within, "no epoch within a 5-point budget"
assert best["within_budget"] and best["pruning_level"] == max(e["pruning_level"] for e in within), (best, within)
assert sys.argv[2] == "0"
PY
grep -q "adaptive compression level: rate 0.1000 -> 0.2000" "$work/aat.log" || fail "adaptive log" "no rate change logged"

# Bad input.
config "$QUANT" "$AAT" >"$work/bad1.json"
expect_error adaptive-without-pruning "adaptive_compression_level" "$TREX" optimize "$TMPL" \
  --load-weights "$CKPT" "${D[@]}" -o "$work/g" --compression-config "$work/bad1.json"
config "$(prune baseline 1 pruning_flops_target 0.99)" >"$work/bad2.json"
expect_error flops-out-of-reach "pruning_flops_target 0.99" "$TREX" optimize "$TMPL" \
  --load-weights "$CKPT" "${D[@]}" -o "$work/g" --compression-config "$work/bad2.json" "${P[@]}" \
  --learning_parameters.num_epochs 1
config '{"algorithm": "filter_pruning", "pruning_init": 0.4, "params": {"schedule": "exponential_with_bias", "pruning_target": 0.5, "pruning_steps": 3}}' >"$work/bad3.json"
expect_error with-bias-curve "pruning_init" "$TREX" optimize "$TMPL" \
  --load-weights "$CKPT" "${D[@]}" -o "$work/g" --compression-config "$work/bad3.json"
config "$(prune exponential 5 pruning_target 0.5)" >"$work/bad4.json"
expect_error pruning-beyond-run "num_init_steps + pruning_steps" "$TREX" optimize "$TMPL" \
  --load-weights "$CKPT" "${D[@]}" -o "$work/g" --compression-config "$work/bad4.json" "${P[@]}" \
  --learning_parameters.num_epochs 2
config '{"algorithm": "filter_pruning", "params": {"pruning_target": 1.5}}' >"$work/bad5.json"
expect_error pruning-target-range "pruning_target" "$TREX" optimize "$TMPL" \
  --load-weights "$CKPT" "${D[@]}" -o "$work/g" --compression-config "$work/bad5.json"
[[ ! -e $work/g/model.onnx ]] && ok "no model on error" || fail "no model on error" "model written"
finish
