#!/usr/bin/env bash
# `trex optimize` on a training checkpoint (training-time compression, QAT) from the command
# line on a small real dataset and the shipped ResNet-18 checkpoint: the files it writes and
# the path it says it takes, an INT8 QDQ model the runtime evaluates, the early exit of the
# shipped recipe, determinism, a run killed mid-epoch resuming to the same model, and bad
# inputs (exit 2, one line naming the file or key).
# usage: compress.sh TREX SOURCE_DIR
set -u
TREX=$(realpath "$1")
SRC=$2
source "$(dirname "$0")/lib.sh"
CKPT="$SRC/models/classification/resnet18/checkpoint.pt"
TMPL="$SRC/recipes/classification/resnet18"

data_setup "$TREX" 80
# recipe EPOCHS [EXTRA_QUANTIZATION_KEYS [MORE_ALGORITHMS]]: a composed recipe training
# EPOCHS epochs.
recipe() {
  cat <<JSON
{"base": {"nncf_config": {"input_info": {"sample_size": [1, 1, 28, 28]}, "compression": []}},
 "nncf_quantization": {"optimizer": {"learning_rate": 0.005}, "runner": {"num_epochs": $1},
   "nncf_config": {"compression": [{"algorithm": "quantization", "overflow_fix": "disable",
     "initializer": {"range": {"num_init_samples": 128},
                     "batchnorm_adaptation": {"num_bn_adaptation_samples": 256}}${2:-}}${3:-}]}},
 "nncf_pruning": {}, "nncf_quantization_pruning": {}, "order_of_parts": ["nncf_quantization"]}
JSON
}
recipe 2 >"$work/two.json"

# Two epochs of QAT: the files, the path it says it takes, sane numbers.
"$TREX" optimize "$TMPL" --load-weights "$CKPT" "${D[@]}" -o "$work/a" \
  --compression-config "$work/two.json" >"$work/a.log" 2>&1 || fail qat "exit $?: $(tail -3 "$work/a.log")"
for f in model.onnx checkpoint.pt last_checkpoint.pt compression_report.json \
  compression_report.txt nncf_performance.json; do
  [[ -s $work/a/$f ]] || fail qat "missing $f"
done
grep -q "training-time compression (nncf), because --load-weights is a training checkpoint" \
  "$work/a.log" || fail qat "does not say which path it runs and why"
drop=$(json "$work/a/nncf_performance.json" "['accuracy_drop']")
python3 -c "import sys; sys.exit(0 if float('$drop') <= 0.02 else 1)" || fail qat "drop $drop on 300 images"
for k in metric score fp32_score accuracy_drop int8_latency_ms fp32_latency_ms speedup \
  latency_batch threads int8_size_bytes fp32_size_bytes calibration_samples preset template; do
  grep -q "\"$k\"" "$work/a/nncf_performance.json" || fail qat "nncf_performance.json lacks $k"
done
[[ $(json "$work/a/compression_report.json" "['trajectory'].__len__()") == 3 ]] \
  || fail qat "trajectory is not epochs 0-2"
[[ $(json "$work/a/compression_report.json" "['layers'][0]['weight_bits']") == 8 ]] \
  || fail qat "first layer is not 8-bit"
grep -q "weight_bits" "$work/a/compression_report.txt" || fail qat "text report lacks the layers"
ok qat

# The model is standard QDQ that the runtime evaluates to the reported score; a compressed
# model or checkpoint is not compressed again.
"$TREX" info "$work/a/model.onnx" >"$work/info.txt" 2>&1
grep -q "QuantizeLinear" "$work/info.txt" && grep -q "DequantizeLinear" "$work/info.txt" \
  && ok "qdq model" || fail "qdq model" "$(head -5 "$work/info.txt")"
"$TREX" eval "$TMPL" --load-weights "$work/a/model.onnx" --test-data-roots "$work/val" \
  --output "$work/eval.json" >/dev/null 2>&1 || fail "eval int8" "exit $?"
[[ $(json "$work/eval.json" "['score']") == $(json "$work/a/nncf_performance.json" "['score']") ]] \
  && ok "eval int8" || fail "eval int8" "eval score differs from the reported one"
expect_error compressed-checkpoint "already compressed" "$TREX" optimize "$TMPL" \
  --load-weights "$work/a/checkpoint.pt" "${D[@]}" -o "$work/g" --compression-config "$work/two.json"

# The same command again: the same model, byte for byte.
"$TREX" optimize "$TMPL" --load-weights "$CKPT" "${D[@]}" -o "$work/b" \
  --compression-config "$work/two.json" >/dev/null 2>&1
cmp -s "$work/a/model.onnx" "$work/b/model.onnx" && ok determinism || fail determinism "models differ"

# 4-bit weights (6-bit for conv layers named layer4*): int8 QDQ values on the narrower grid,
# the score `trex eval` gives.
recipe 1 ', "weights": {"bits": 4}, "scope_overrides": {"weights": {"{re}layer4.*": {"bits": 6}}}' >"$work/w4.json"
"$TREX" optimize "$TMPL" --load-weights "$CKPT" "${D[@]}" -o "$work/w4" \
  --compression-config "$work/w4.json" >"$work/w4.log" 2>&1 || fail "4-bit weights" "exit $?: $(tail -2 "$work/w4.log")"
"$TREX" eval "$TMPL" --load-weights "$work/w4/model.onnx" --test-data-roots "$work/val" \
  --output "$work/eval4.json" >/dev/null 2>&1
python3 - "$work/w4/compression_report.json" "$work/eval4.json" <<'PY' && ok "4-bit weights" || fail "4-bit weights" "$(grep -A3 '^epoch' "$work/w4/compression_report.txt")"
import json, sys
r = json.load(open(sys.argv[1]))
bits = {l["node"]: l["weight_bits"] for l in r["layers"] if "weight_bits" in l}
assert bits["layer1.0.0.conv"] == 4 and bits["layer4.1.1.conv"] == 6, bits
assert json.load(open(sys.argv[2]))["score"] == r["score"]
assert r["fp32_score"] - r["score"] < 0.1, (r["fp32_score"], r["score"])
PY

# Quantizer formats: per-tensor weights, 6-bit activations (the input asymmetric 8-bit),
# trained log scales, a quantized output. The QDQ model clamps each narrow grid with a Clip
# before its QuantizeLinear, keeps its output name, and `trex eval` scores it as reported.
# (Its input_info and target_device, which trex does not follow, are warnings naming them.)
recipe 1 ', "quantize_outputs": true, "weights": {"per_channel": false, "logarithm_scale": true}, "activations": {"bits": 6, "logarithm_scale": true}, "scope_overrides": {"activations": {"input": {"mode": "asymmetric", "bits": 8}}}' \
  | sed 's/"sample_size": \[1, 1, 28, 28\]}/"sample_size": [1, 3, 32, 32]}, "target_device": "VPU"/' >"$work/fmt.json"
"$TREX" optimize "$TMPL" --load-weights "$CKPT" "${D[@]}" -o "$work/fmt" \
  --compression-config "$work/fmt.json" >"$work/fmt.log" 2>&1 || fail formats "exit $?: $(tail -2 "$work/fmt.log")"
grep -q "warning: .*fmt.json.*input_info.sample_size \[1, 3, 32, 32\] differs from the model's input 'input'" "$work/fmt.log" \
  && grep -q "warning: .*target_device 'VPU'" "$work/fmt.log" && ok "config warnings" \
  || fail "config warnings" "$(grep warning "$work/fmt.log")"
"$TREX" info "$work/fmt/model.onnx" >"$work/fmt_info.txt" 2>&1
"$TREX" eval "$TMPL" --load-weights "$work/fmt/model.onnx" --test-data-roots "$work/val" \
  --output "$work/evalf.json" >/dev/null 2>&1
python3 - "$work/fmt/compression_report.json" "$work/evalf.json" "$work/fmt_info.txt" <<'PY' && ok formats || fail formats "$(cat "$work/fmt_info.txt")"
import json, re, sys
r = json.load(open(sys.argv[1]))
info = open(sys.argv[3]).read()
ops = dict(re.findall(r"^  (\w+)\s+(\d+)$", info, re.M))
assert int(ops["Clip"]) == int(ops["QuantizeLinear"]) - 1, ops  # all but the 8-bit input
assert re.search(r"^output: +logits ", info, re.M), info
layers = [l for l in r["layers"] if "weight_bits" in l]
assert all(l["weight_granularity"] == "per_tensor" for l in layers), layers[0]
assert layers[0]["activation_bits"] == 8 and layers[1]["activation_bits"] == 6, layers[:2]
assert json.load(open(sys.argv[2]))["score"] == r["score"]
assert r["fp32_score"] - r["score"] < 0.05, (r["fp32_score"], r["score"])
PY

# Staged QAT (`params`): activation quantizers off in the first epoch, a constant base_lr
# dropping polynomially over the second, weight decay off in it, two batches per step.
recipe 2 ', "params": {"activations_quant_start_epoch": 1, "lr_poly_drop_start_epoch": 1, "lr_poly_drop_duration_epochs": 1, "disable_wd_start_epoch": 1, "batch_multiplier": 2, "base_lr": 0.004}' >"$work/staged.json"
"$TREX" optimize "$TMPL" --load-weights "$CKPT" "${D[@]}" -o "$work/staged" \
  --compression-config "$work/staged.json" >"$work/staged.log" 2>&1 || fail staged "exit $?: $(tail -2 "$work/staged.log")"
grep -q "^epoch 1: activation quantizers off" "$work/staged.log" && ! grep -q "^epoch 2: .*quantizers off" "$work/staged.log" \
  || fail staged "quantizer stages not logged: $(grep 'quantizers off' "$work/staged.log")"
python3 - "$work/staged/compression_report.json" <<'PY' && ok staged || fail staged "$(grep -A3 '^epoch' "$work/staged/compression_report.txt")"
import json, sys
r = json.load(open(sys.argv[1]))
tr, t = r["training"], r["trajectory"]
assert tr["schedule"] == "poly_drop" and tr["batch_multiplier"] == 2 and tr["learning_rate"] == 0.004, tr
assert t[1]["learning_rate"] == 0.004 and 0 < t[2]["learning_rate"] < 0.0002, t  # dropping to 0
assert r["fp32_score"] - r["score"] < 0.05, (r["fp32_score"], r["score"])
PY

# Knowledge distillation alongside: the FP32 model teaches, the report lists both.
recipe 1 "" ', {"algorithm": "knowledge_distillation", "type": "softmax", "temperature": 2}' >"$work/kd.json"
"$TREX" optimize "$TMPL" --load-weights "$CKPT" "${D[@]}" -o "$work/kd" \
  --compression-config "$work/kd.json" >"$work/kd.log" 2>&1 || fail distillation "exit $?: $(tail -2 "$work/kd.log")"
[[ $(json "$work/kd/compression_report.json" "['algorithms']") == "['quantization', 'knowledge_distillation']" ]] \
  && ok distillation || fail distillation "$(json "$work/kd/compression_report.json" "['algorithms']")"

# Magnitude sparsity with QAT: the scheduled level (0.1 -> 0.5 at epoch 2) is reached at
# epoch 2 and holds in the exported weights.
recipe 2 "" ', {"algorithm": "magnitude_sparsity", "sparsity_init": 0.1, "params": {"schedule": "polynomial", "sparsity_target": 0.5, "sparsity_target_epoch": 2, "sparsity_freeze_epoch": 3}}' >"$work/sp.json"
"$TREX" optimize "$TMPL" --load-weights "$CKPT" "${D[@]}" -o "$work/sp" \
  --compression-config "$work/sp.json" >"$work/sp.log" 2>&1 || fail sparsity "exit $?: $(tail -2 "$work/sp.log")"
python3 - "$work/sp/compression_report.json" <<'PY' && ok sparsity || fail sparsity "$(grep -A5 '^epoch' "$work/sp/compression_report.txt")"
import json, sys
r = json.load(open(sys.argv[1]))
s = [e["sparsity"] for e in r["trajectory"]]
assert abs(s[0] - 0.1) < 0.01 and 0.25 < s[1] < 0.35 and abs(s[2] - 0.5) < 0.01, s
assert any(l["sparsity"] > 0.3 for l in r["layers"]), "no layer reports sparsity"
PY

# rb_sparsity alone (a float model): trained masks pulled to the scheduled level, baked into
# the exported weights (the per-layer table measures them); the same run again gives the
# same model (the sampled masks follow the seed). The adaptive schedule raises its level by
# 0.05 after each epoch near it.
plain() { echo "{\"input_info\": {\"sample_size\": [1, 1, 28, 28]}, \"compression\": [$1]}"; }
plain '{"algorithm": "rb_sparsity", "compression_lr_multiplier": 100, "params": {"schedule": "exponential", "sparsity_target": 0.3, "sparsity_target_epoch": 2, "sparsity_freeze_epoch": 2}}' >"$work/rb.json"
for o in rb rb2; do
  "$TREX" optimize "$TMPL" --load-weights "$CKPT" "${D[@]}" -o "$work/$o" --compression-config "$work/rb.json" \
    params --learning_parameters.learning_rate 0.005 --learning_parameters.num_epochs 3 \
    >"$work/$o.log" 2>&1 || fail rb_sparsity "exit $?: $(tail -2 "$work/$o.log")"
done
python3 - "$work/rb/compression_report.json" <<'PY' && ok rb_sparsity || fail rb_sparsity "$(grep -A5 '^epoch' "$work/rb/compression_report.txt")"
import json, sys
r = json.load(open(sys.argv[1]))
t = r["trajectory"]
assert r["precision"] == "fp32" and r["best_epoch"] >= 2, r["best_epoch"]
assert t[0]["sparsity"] == 0 and t[2]["sparsity"] > 0.1, [e["sparsity"] for e in t]
assert t[2]["sparsity_level"] == 0.3 and t[3]["sparsity"] == t[2]["sparsity"], t  # frozen
# the exported weights carry the masks (each layer some, the deep wide ones the most)
w = {l["node"]: l["sparsity"] for l in r["layers"] if l["op_type"] in ("Conv", "Gemm")}
assert all(v > 0 for v in w.values()) and max(w.values()) > t[2]["sparsity"] - 0.05, w
PY
cmp -s "$work/rb/model.onnx" "$work/rb2/model.onnx" && ok "rb determinism" || fail "rb determinism" "models differ"
plain '{"algorithm": "rb_sparsity", "compression_lr_multiplier": 100, "params": {"schedule": "adaptive", "sparsity_target": 0.3, "sparsity_freeze_epoch": 9}}' >"$work/rba.json"
"$TREX" optimize "$TMPL" --load-weights "$CKPT" "${D[@]}" -o "$work/rba" --compression-config "$work/rba.json" \
  params --learning_parameters.learning_rate 0.005 --learning_parameters.num_epochs 3 \
  >"$work/rba.log" 2>&1 || fail "rb adaptive" "exit $?: $(tail -2 "$work/rba.log")"
python3 - "$work/rba/compression_report.json" <<'PY' && ok "rb adaptive" || fail "rb adaptive" "$(grep -A5 '^epoch' "$work/rba/compression_report.txt")"
import json, sys
t = json.load(open(sys.argv[1]))["trajectory"]
lv = [e["sparsity_level"] for e in t]
assert lv[0] == 0 and lv[1] == 0, lv
for i in range(1, len(t) - 1):  # near the level after epoch i -> 0.05 higher for the next
    near = t[i]["sparsity"] >= lv[i] - 0.03
    assert abs(lv[i + 1] - (lv[i] + 0.05 if near else lv[i])) < 1e-9, (i, lv, t[i]["sparsity"])
PY
# adaptive_compression_level on a sparsity level: after the initial phase (level 0.3) it
# rises after an epoch within the budget (5 points here) and falls after one over it.
# Magnitude masks follow the level exactly and the highest level within budget is kept;
# rb's loss pulls its masks towards the level (they keep training) and the epoch with the
# highest sparsity reached within budget is kept.
# adaptive_level NAME ALGORITHM FIELD
adaptive_level() {
  local lr=""  # rb's logits train at 100x the rate
  [[ $2 == rb_sparsity ]] && lr='"compression_lr_multiplier": 100, '
  plain "{\"algorithm\": \"$2\", $lr\"params\": {\"sparsity_target\": 0.3, \"sparsity_target_epoch\": 1, \"sparsity_freeze_epoch\": 1}}" \
    | sed 's/]}$/], "accuracy_aware_training": {"mode": "adaptive_compression_level", "params": {"maximal_absolute_accuracy_degradation": 0.05, "initial_training_phase_epochs": 1, "patience_epochs": 1, "initial_compression_rate_step": 0.2, "maximal_total_epochs": 3}}}/' >"$work/$2_aa.json"
  "$TREX" optimize "$TMPL" --load-weights "$CKPT" "${D[@]}" -o "$work/$2_aa" --compression-config "$work/$2_aa.json" \
    params --learning_parameters.learning_rate 0.005 --nncf_optimization.maximal_accuracy_degradation 5 \
    >"$work/$2_aa.log" 2>&1
  python3 - "$work/$2_aa/compression_report.json" "$3" <<'PY' && ok "$1" || fail "$1" "$(grep -A5 '^epoch' "$work/$2_aa/compression_report.txt")"
import json, sys
r = json.load(open(sys.argv[1]))
field = sys.argv[2]
t = r["trajectory"]
assert [e["epoch"] for e in t] == [0, 1, 2, 3] and t[1]["sparsity_level"] == 0.3, t
for a, b in zip(t[1:], t[2:]):
    d = b["sparsity_level"] - a["sparsity_level"]
    assert abs(d) > 1e-9 and (d > 0) == a["within_budget"], (a, b)
if field == "sparsity_level":  # magnitude masks are the level
    assert all(abs(b["sparsity"] - b["sparsity_level"]) < 0.01 for b in t[1:]), t
else:  # rb's masks move towards a raised level
    assert t[2]["sparsity"] > t[1]["sparsity"] + 0.05 or not t[1]["within_budget"], t
within = [e for e in t[1:] if e["within_budget"]]
best = [e for e in t if e["epoch"] == r["best_epoch"]][0]
assert within and best[field] == max(e[field] for e in within), (best, within)
PY
}
adaptive_level "sparsity adaptive level" magnitude_sparsity sparsity_level
adaptive_level "rb adaptive level" rb_sparsity sparsity
plain '{"algorithm": "magnitude_sparsity", "params": {"schedule": "adaptive"}}' >"$work/mada.json"
expect_error magnitude-adaptive "'adaptive' follows" "$TREX" optimize "$TMPL" --load-weights "$CKPT" \
  "${D[@]}" -o "$work/g" --compression-config "$work/mada.json"
# Together with rb's own adaptive schedule, refused.
sed 's/"sparsity_target": 0.3,/"schedule": "adaptive", "sparsity_target": 0.3,/' "$work/rb_sparsity_aa.json" >"$work/rbl2.json"
expect_error rb-two-adaptive "both set the level" "$TREX" optimize "$TMPL" --load-weights "$CKPT" \
  "${D[@]}" -o "$work/g" --compression-config "$work/rbl2.json"

recipe 2 "" ', {"algorithm": "magnitude_sparsity", "params": {"sparsity_target_epoch": 5}}' >"$work/sp5.json"
expect_error sparsity-beyond-run "sparsity_target_epoch" "$TREX" optimize "$TMPL" --load-weights "$CKPT" \
  "${D[@]}" -o "$work/g" --compression-config "$work/sp5.json"

# Killed in the middle of epoch 2, resumed: the same model as the uninterrupted run.
"$TREX" optimize "$TMPL" --load-weights "$CKPT" "${D[@]}" -o "$work/k" \
  --compression-config "$work/two.json" >"$work/k.log" 2>&1 &
pid=$!
for _ in $(seq 600); do
  grep -q "^epoch 1/2: train loss" "$work/k.log" 2>/dev/null && break
  sleep 0.1
done
sleep 0.3
kill -9 "$pid" 2>/dev/null; wait "$pid" 2>/dev/null
ls "$work/k" | grep -q '\.tmp' && fail resume "temporary file left behind: $(ls "$work/k")"
"$TREX" optimize "$TMPL" --load-weights "$CKPT" "${D[@]}" -o "$work/k" --resume \
  --compression-config "$work/two.json" >"$work/r.log" 2>&1 || fail resume "exit $?: $(tail -2 "$work/r.log")"
grep -q "resuming from .* after epoch 1" "$work/r.log" || fail resume "did not resume after epoch 1: $(head -3 "$work/r.log")"
cmp -s "$work/a/model.onnx" "$work/k/model.onnx" && ok resume || fail resume "resumed model differs"

# The shipped recipe: accuracy-aware early exit at the first epoch within the budget (the
# initialized model already is), the default output folder.
(cd "$work" && "$TREX" optimize "$TMPL" --load-weights "$CKPT" "${D[@]}" >"$work/s.log" 2>&1) \
  || fail "shipped recipe" "exit $?: $(tail -2 "$work/s.log")"
perf=$(ls "$work"/outputs/*_optimize/nncf/nncf_performance.json 2>/dev/null | head -1)
if [[ -z $perf ]]; then
  fail "shipped recipe" "no outputs/<ts>_optimize/nncf/nncf_performance.json"
else
  [[ $(json "$perf" "['within_budget']") == True && $(json "$perf" "['epochs']") == 0 ]] \
    && grep -q "early exit" "$work/s.log" && ok "shipped recipe early exit" \
    || fail "shipped recipe early exit" "$(cat "$perf")"
fi

# Bad input.
recipe 1 ', "activations": {"per_channel": true}' >"$work/pc.json"
expect_error per-channel-activations "pc.json: compression.quantization.activations.per_channel: true is not supported" \
  "$TREX" optimize "$TMPL" --load-weights "$CKPT" "${D[@]}" -o "$work/g" --compression-config "$work/pc.json"
recipe 1 ', "scope_overrides": {"activations": {"{re}layer1.*": {"bits": 4}, "{re}layer1.0.*": {"bits": 6}}}' >"$work/ov.json"
expect_error override-conflict "both match" "$TREX" optimize "$TMPL" --load-weights "$CKPT" "${D[@]}" \
  -o "$work/g" --compression-config "$work/ov.json"
recipe 1 ', "params": {"weights_quant_start_epoch": 1}' >"$work/st.json"
expect_error staged-never "weights_quant_start_epoch 1 is not before the end" "$TREX" optimize "$TMPL" \
  --load-weights "$CKPT" "${D[@]}" -o "$work/g" --compression-config "$work/st.json"
recipe 1 ', "weights": {"mode": "asymetric"}' >"$work/mode.json"
expect_error bad-key "weights.mode" "$TREX" optimize "$TMPL" --load-weights "$CKPT" "${D[@]}" \
  -o "$work/g" --compression-config "$work/mode.json"
expect_error model-file "needs a trex training checkpoint" "$TREX" optimize "$TMPL" --mode nncf \
  --load-weights "$SRC/models/classification/resnet18/model.onnx" "${D[@]}" -o "$work/g"
expect_error no-resume "no checkpoint to resume from" "$TREX" optimize "$TMPL" --resume \
  --load-weights "$CKPT" "${D[@]}" -o "$work/g" --compression-config "$work/two.json"
expect_error missing-config "nope.json: compression config not found" "$TREX" optimize "$TMPL" \
  --load-weights "$CKPT" "${D[@]}" -o "$work/g" --compression-config "$work/nope.json"
expect_error ptq-option "PTQ options" "$TREX" optimize "$TMPL" --load-weights "$CKPT" "${D[@]}" \
  -o "$work/g" --max-drop 0.01
[[ ! -e $work/g/model.onnx ]] && ok "no model on error" || fail "no model on error" "model written"
finish
