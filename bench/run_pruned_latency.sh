#!/usr/bin/env bash
# Latency of a pruned model against the model it was pruned from, in one run: trex runtime
# and ONNX Runtime (onnxruntime-node) on both files, alternating rounds at 1 and 2 threads,
# batch 1 and 32. The original is the checkpoint's model.onnx (BatchNorm folded by the
# runtime as for any model).
# usage: bench/run_pruned_latency.sh ORIGINAL.onnx PRUNED.onnx [ROUNDS] [ITERATIONS]
set -euo pipefail
cd "$(dirname "$0")/.."
ORIG=$1
PRUNED=$2
ROUNDS=${3:-5}
ITERS=${4:-50}
make build >/dev/null
if [[ ! -d bench/node_modules/onnxruntime-node ]]; then
  echo "installing onnxruntime-node into bench/node_modules (npm, --ignore-scripts)"
  npm install --prefix bench --ignore-scripts --no-audit --no-fund --no-save onnxruntime-node >/dev/null
fi
work=outputs/bench_pruned_latency
mkdir -p "$work"
median() { sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
field() { sed -E "s/.*\"$1\":([0-9.eE+-]+).*/\1/"; }
build/trex info "$ORIG" | grep -E "parameters|MACs" | sed 's/^/original: /'
build/trex info "$PRUNED" | grep -E "parameters|MACs" | sed 's/^/pruned:   /'
printf "%-8s %7s %5s %12s %12s %8s\n" runtime threads batch original_ms pruned_ms ratio
for t in 1 2; do
  for b in 1 32; do
    for rt in trex ort; do
      : >"$work/o.txt"
      : >"$work/p.txt"
      for ((r = 0; r < ROUNDS; ++r)); do  # alternate, so both see the same machine load
        for m in o p; do
          f=$ORIG
          [[ $m == p ]] && f=$PRUNED
          if [[ $rt == trex ]]; then
            build/trex benchmark "$f" --threads "$t" --batch "$b" --iterations "$ITERS" --json >>"$work/$m.txt"
          else
            node bench/ort_bench.js "$f" --threads "$t" --batch "$b" --iterations "$ITERS" >>"$work/$m.txt"
          fi
        done
      done
      om=$(field median_ms <"$work/o.txt" | median)
      pm=$(field median_ms <"$work/p.txt" | median)
      printf "%-8s %7d %5d %12.3f %12.3f %8.3f\n" "$rt" "$t" "$b" "$om" "$pm" "$(echo "$pm / $om" | bc -l)"
    done
  done
done
echo "ratio = pruned median / original median (lower is better); medians over $ROUNDS alternating rounds of $ITERS runs"
