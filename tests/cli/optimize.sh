#!/usr/bin/env bash
# `trex optimize` (PTQ path) from the command line on a small real dataset and the shipped
# ResNet-18: the files it writes, determinism, template params and PTQ config files, the
# accuracy-aware loop's report, and bad inputs (exit 2, one line naming what is wrong).
# usage: optimize.sh TREX SOURCE_DIR
set -u
TREX=$(realpath "$1")
SRC=$2
source "$(dirname "$0")/lib.sh"
MODEL="$SRC/models/classification/resnet18/model.onnx"
TMPL="$SRC/recipes/classification/resnet18"

data_setup "$TREX" 40

# A default run: the files, the path it says it takes, and sane numbers.
"$TREX" optimize "$TMPL" --load-weights "$MODEL" "${D[@]}" -o "$work/a" >"$work/a.log" 2>&1 \
  || fail ptq "exit $?: $(tail -3 "$work/a.log")"
for f in model.onnx ptq_report.json ptq_report.txt ptq_performance.json; do
  [[ -s $work/a/$f ]] || fail ptq "missing $f"
done
grep -q "post-training quantization (PTQ), because --load-weights is a model file" "$work/a.log" \
  || fail ptq "does not say which path it runs and why"
[[ $(json "$work/a/ptq_performance.json" "['metric']") == accuracy ]] || fail ptq "metric"
drop=$(json "$work/a/ptq_performance.json" "['accuracy_drop']")
python3 -c "import sys; sys.exit(0 if float('$drop') <= 0.02 else 1)" || fail ptq "drop $drop on 300 images"
for k in fp32_score int8_latency_ms fp32_latency_ms int8_size_bytes fp32_size_bytes; do
  grep -q "\"$k\"" "$work/a/ptq_performance.json" || fail ptq "ptq_performance.json lacks $k"
done
grep -q "Layer SQNR" "$work/a/ptq_report.txt" || fail ptq "report lacks the SQNR table"
grep -q '"zero_point"' "$work/a/ptq_report.json" || fail ptq "report lacks zero points"
[[ $(json "$work/a/ptq_report.json" "['calibration_indices'].__len__()") == 300 ]] \
  || fail ptq "not 300 calibration samples"
ok ptq

# The same command again: the same model, byte for byte.
"$TREX" optimize "$TMPL" --load-weights "$MODEL" "${D[@]}" -o "$work/b" >/dev/null 2>&1
cmp -s "$work/a/model.onnx" "$work/b/model.onnx" && ok determinism || fail determinism "models differ"

# The INT8 model evaluates like any model; optimizing it again is refused.
"$TREX" eval "$TMPL" --load-weights "$work/a/model.onnx" --test-data-roots "$work/val" \
  --output "$work/eval.json" >/dev/null 2>&1 && ok "eval int8" || fail "eval int8" "exit $?"
expect_error already-quantized "model is already optimized by PTQ" \
  "$TREX" optimize "$TMPL" --load-weights "$work/a/model.onnx" "${D[@]}" -o "$work/c"

# Default output folder, template params.
(cd "$work" && "$TREX" optimize "$TMPL" --load-weights "$MODEL" "${D[@]}" \
  params --pot_parameters.preset mixed --pot_parameters.stat_subset_size 50 >"$work/d.log" 2>&1) \
  || fail params "exit $?: $(tail -2 "$work/d.log")"
perf=$(ls "$work"/outputs/*_optimize/ptq/ptq_performance.json 2>/dev/null | head -1)
if [[ -z $perf ]]; then
  fail "default output" "no outputs/<ts>_optimize/ptq/ptq_performance.json"
else
  ok "default output"
  [[ $(json "$perf" "['preset']") == mixed && $(json "$perf" "['calibration_samples']") == 50 ]] \
    && ok params || fail params "$(cat "$perf")"
fi

# A PTQ config file: ignored scope (an entry matching nothing is a warning naming it).
printf "seed: 7\nignored_scope:\n  names: [fc, no_such_node]\nrange_estimator:\n  type: histogram\n" >"$work/ptq.yaml"
"$TREX" optimize "$TMPL" --load-weights "$MODEL" "${D[@]}" -o "$work/e" --ptq-config "$work/ptq.yaml" \
  >"$work/e.log" 2>"$work/e.err" || fail "ptq config" "exit $?: $(cat "$work/e.err")"
grep -q "warning: ignored scope name 'no_such_node' matches no node" "$work/e.err" \
  && ok "ignored scope warning" || fail "ignored scope warning" "$(cat "$work/e.err")"
grep -q "fc (Gemm): ignored scope: name 'fc'" "$work/e/ptq_report.txt" \
  && ok "ignored scope" || fail "ignored scope" "fc not listed as ignored"
[[ $(json "$work/e/ptq_report.json" "['config']['range_estimator']") == histogram ]] \
  && ok "estimator override" || fail "estimator override" "not histogram"
[[ $(json "$work/e/ptq_performance.json" "['calibration_seed']") == 7 ]] \
  && ok "seed from the config file" || fail "seed from the config file" "not 7"

# Accuracy-aware PTQ within a generous budget: nothing to revert, reported as such.
"$TREX" optimize "$TMPL" --load-weights "$MODEL" "${D[@]}" -o "$work/f" --max-drop 0.5 >/dev/null 2>&1 \
  || fail "max-drop" "exit $?"
[[ $(json "$work/f/ptq_performance.json" "['within_budget']") == True ]] && ok "max-drop" \
  || fail "max-drop" "not within budget"

# Bad input.
expect_error missing-data "$work/nope" "$TREX" optimize "$TMPL" --load-weights "$MODEL" \
  --train-data-roots "$work/nope" --val-data-roots "$work/val" -o "$work/g"
expect_error wrong-shape "the template feeds [N, 1, 32, 32]" "$TREX" optimize "$TMPL" \
  --load-weights "$MODEL" "${D[@]}" -o "$work/g" params --data.height 32 --data.width 32
expect_error checkpoint-as-ptq "training checkpoint" "$TREX" optimize "$TMPL" --mode ptq \
  --load-weights "$SRC/models/classification/resnet18/checkpoint.pt" "${D[@]}" -o "$work/g"
printf "presets: mixed\n" >"$work/bad.yaml"
expect_error bad-config "bad.yaml: presets: unknown key" "$TREX" optimize "$TMPL" \
  --load-weights "$MODEL" "${D[@]}" -o "$work/g" --ptq-config "$work/bad.yaml"
mkdir -p "$work/val9" && cp -r "$work/val"/* "$work/val9/" && rm -rf "$work/val9/bag"
expect_error class-mismatch "bag" "$TREX" optimize "$TMPL" --load-weights "$MODEL" \
  --train-data-roots "$work/train" --val-data-roots "$work/val9" -o "$work/g"
[[ ! -e $work/g/model.onnx ]] && ok "no model on error" || fail "no model on error" "model written"
finish
