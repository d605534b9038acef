#!/usr/bin/env bash
# Peer benchmark of the FP32 runtime: trex vs ONNX Runtime (onnxruntime-node) on the same
# model files, alternating in one run, at 1 and 2 threads. Models: ResNet-18-shaped and
# MobileNetV2-shaped at 1x3x224x224 and a 28x28 classifier, built with the trex builder
# (seeded random weights) and canonicalized by `trex convert` (BatchNorm folded).
# usage: bench/run_peer_runtime.sh [ROUNDS] [ITERATIONS]
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${1:-5}
ITERS=${2:-30}
make build >/dev/null
if [[ ! -d bench/node_modules/onnxruntime-node ]]; then
  echo "installing onnxruntime-node into bench/node_modules (npm, --ignore-scripts)"
  npm install --prefix bench --ignore-scripts --no-audit --no-fund --no-save onnxruntime-node >/dev/null
fi
work=outputs/bench_peer_runtime
mkdir -p "$work/raw"
build/tests/trex_make_models "$work/raw" >/dev/null
for m in resnet18 mobilenetv2 fashion_cnn; do
  build/trex convert "$work/raw/$m.onnx" -o "$work/$m.onnx" >/dev/null
done

median() { sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
field() { sed -E "s/.*\"$1\":([0-9.eE+-]+).*/\1/"; }

printf "%-12s %7s %12s %12s %8s %14s %14s\n" model threads trex_ms ort_ms ratio trex_rss_mb ort_rss_mb
for m in resnet18 mobilenetv2 fashion_cnn; do
  for t in 1 2; do
    : >"$work/trex.txt"
    : >"$work/ort.txt"
    for ((r = 0; r < ROUNDS; ++r)); do  # alternate, so both see the same machine load
      build/trex benchmark "$work/$m.onnx" --threads "$t" --iterations "$ITERS" --json >>"$work/trex.txt"
      node bench/ort_bench.js "$work/$m.onnx" --threads "$t" --iterations "$ITERS" >>"$work/ort.txt"
    done
    tm=$(field median_ms <"$work/trex.txt" | median)
    om=$(field median_ms <"$work/ort.txt" | median)
    tr=$(field peak_rss_mb <"$work/trex.txt" | median)
    orr=$(field peak_rss_mb <"$work/ort.txt" | median)
    printf "%-12s %7d %12.3f %12.3f %8.3f %14.1f %14.1f\n" "$m" "$t" "$tm" "$om" "$(echo "$tm / $om" | bc -l)" "$tr" "$orr"
  done
done
echo "ratio = trex median / ONNX Runtime median (lower is better); medians over $ROUNDS alternating rounds of $ITERS runs"
