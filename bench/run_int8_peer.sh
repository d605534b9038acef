#!/usr/bin/env bash
# Peer benchmark of the INT8 runtime: trex vs ONNX Runtime (onnxruntime-node) on the same
# FP32 and QDQ model files, alternating in one run, at 1 and 2 threads, batch 1. Models:
# ResNet-18-shaped and MobileNetV2-shaped at 1x3x224x224 (seeded random weights),
# canonicalized and quantized by trex's PTQ with its default config (trex_make_ptq_models).
# usage: bench/run_int8_peer.sh [ROUNDS] [ITERATIONS]   (env: BUILD_DIR=build, JOBS=2)
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${1:-5}
ITERS=${2:-30}
BUILD_DIR=${BUILD_DIR:-build}
make configure BUILD_DIR="$BUILD_DIR" >/dev/null
cmake --build "$BUILD_DIR" -j "${JOBS:-2}" --target trex trex_make_ptq_models >/dev/null
if [[ ! -d bench/node_modules/onnxruntime-node ]]; then
  echo "installing onnxruntime-node into bench/node_modules (npm, --ignore-scripts)"
  npm install --prefix bench --ignore-scripts --no-audit --no-fund --no-save onnxruntime-node >/dev/null
fi
work=outputs/bench_int8_peer
mkdir -p "$work"
# PTQ takes about half a minute: the models are written once (delete $work to rewrite them).
if [[ ! -f "$work/mobilenetv2_int8.onnx" || ! -f "$work/resnet18_int8.onnx" ]]; then
  "$BUILD_DIR"/trex_make_ptq_models "$work" >/dev/null
fi

median() { sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
field() { sed -E "s/.*\"$1\":([0-9.eE+-]+).*/\1/"; }
ratio() { echo "$1 / $2" | bc -l; }

printf "%-12s %7s %10s %10s %10s %10s %16s %16s %16s\n" model threads trex_fp32 trex_int8 \
  ort_fp32 ort_int8 trex_i8/ort_i8 trex_fp32/i8 trex/ort_fp32
for m in resnet18 mobilenetv2; do
  for t in 1 2; do
    for f in trex_fp32 trex_int8 ort_fp32 ort_int8; do : >"$work/$f.txt"; done
    for ((r = 0; r < ROUNDS; ++r)); do  # alternate, so all four see the same machine load
      for p in fp32 int8; do
        "$BUILD_DIR"/trex benchmark "$work/${m}_$p.onnx" --threads "$t" --iterations "$ITERS" \
          --json >>"$work/trex_$p.txt"
        node bench/ort_bench.js "$work/${m}_$p.onnx" --threads "$t" --iterations "$ITERS" \
          >>"$work/ort_$p.txt"
      done
    done
    tf=$(field median_ms <"$work/trex_fp32.txt" | median)
    ti=$(field median_ms <"$work/trex_int8.txt" | median)
    of=$(field median_ms <"$work/ort_fp32.txt" | median)
    oi=$(field median_ms <"$work/ort_int8.txt" | median)
    printf "%-12s %7d %10.3f %10.3f %10.3f %10.3f %16.3f %16.2f %16.3f\n" "$m" "$t" "$tf" "$ti" \
      "$of" "$oi" "$(ratio "$ti" "$oi")" "$(ratio "$tf" "$ti")" "$(ratio "$tf" "$of")"
  done
done
echo "milliseconds: medians over $ROUNDS alternating rounds of the per-process median of $ITERS runs"
echo "targets (issue 5): trex_i8/ort_i8 <= 0.8 for both models; trex_fp32/i8 >= 3 on resnet18"
