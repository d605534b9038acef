#!/usr/bin/env bash
# PTQ accuracy of the shipped classification models, and the interoperability check: each
# INT8 (QDQ) model written by `trex optimize` is scored on the validation split by the trex
# runtime and by ONNX Runtime on exactly the same preprocessed inputs.
# usage: bench/run_ptq_accuracy.sh [MODEL...]   (default: all shipped models)
set -euo pipefail
cd "$(dirname "$0")/.."
make build >/dev/null
if [[ ! -d bench/node_modules/onnxruntime-node ]]; then
  echo "installing onnxruntime-node into bench/node_modules (npm, --ignore-scripts)"
  npm install --prefix bench --ignore-scripts --no-audit --no-fund --no-save onnxruntime-node >/dev/null
fi
work=outputs/bench_ptq_accuracy
data=$work/fmnist
[[ -d $data/val ]] || build/trex data make fashion-mnist-cls -o "$data" >/dev/null
models=("$@")
[[ ${#models[@]} -gt 0 ]] || models=(resnet18 mobilenet_v3 efficientnet_b0)
printf "%-16s %9s %9s %8s %9s %9s %10s %10s\n" model fp32 int8 drop_pt ort_int8 ort-trex agreement ptq_s
for m in "${models[@]}"; do
  out=$work/$m
  build/trex optimize "$m" --load-weights "models/classification/$m/model.onnx" \
    --train-data-roots "$data/train" --val-data-roots "$data/val" -o "$out" >"$out.log" 2>&1
  build/trex_dump_eval_set "$m" "$data/val" "$out/model.onnx" "$out/eval" >/dev/null
  ort=$(node bench/ort_eval.js "$out/model.onnx" "$out/eval")
  python3 - "$out/ptq_performance.json" "$ort" "$m" <<'PY'
import json, sys
p = json.load(open(sys.argv[1])); o = json.loads(sys.argv[2])
print("%-16s %8.2f%% %8.2f%% %8.2f %8.2f%% %9.2f %9.2f%% %10.1f" % (
    sys.argv[3], 100 * p["fp32_score"], 100 * p["score"], 100 * p["accuracy_drop"],
    100 * o["ort_top1"], 100 * o["ort_top1"] - 100 * o["trex_top1"],
    100 * o["prediction_agreement"], p["ptq_seconds"]))
PY
done
echo "fp32/int8: trex runtime on the validation split (5000 images); ort_int8: ONNX Runtime on the same"
echo "inputs; ort-trex: difference in points; agreement: share of identical predictions"
