#!/usr/bin/env bash
# PTQ of the shipped segmentation model (models/segmentation/lite_hrnet) three ways, side by
# side: everything quantized (--max-drop 1: the accuracy-aware loop never reverts), the
# reference-style hand-written ignored scope (every Mul and Add stays FP32, the nodes the
# reference lists by name for Lite-HRNet), and automatic sensitivity (the recipe as shipped:
# no ignored scope, the task's 1-point budget). For each: mDice on the validation split (the
# one PTQ scores) and on the test split, the nodes left in float, and batch-1 latency on one
# thread in trex and in ONNX Runtime on the same file, alternating in one run; then ONNX
# Runtime's masks against trex's on the test split (FP32 and INT8 files). Prints wall time.
# usage: bench/run_segmentation.sh [ROUNDS] [ITERATIONS]   (env: BUILD_DIR=build, WORK_DIR)
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${1:-5}
ITERS=${2:-30}
BUILD_DIR=${BUILD_DIR:-build}
TREX=$BUILD_DIR/trex
start=$(date +%s)
make configure BUILD_DIR="$BUILD_DIR" >/dev/null
cmake --build "$BUILD_DIR" -j "${JOBS:-2}" --target trex trex_dump_eval_set >/dev/null
if [[ ! -d bench/node_modules/onnxruntime-node ]]; then
  echo "installing onnxruntime-node into bench/node_modules (npm, --ignore-scripts)"
  npm install --prefix bench --ignore-scripts --no-audit --no-fund --no-save onnxruntime-node >/dev/null
fi
work=${WORK_DIR:-outputs/bench_segmentation}
data=$work/data
mkdir -p "$work"
[[ -d $data/JPEGImages ]] || "$TREX" data make fashion-mnist-seg -o "$data" --seed 0 >/dev/null
model=models/segmentation/lite_hrnet/model.onnx
test_list=$data/ImageSets/Segmentation/test.txt
cat >"$work/hand_scope.yaml" <<'YAML'
# The reference's answer to the Lite-HRNet collapse: the cross-resolution weighting's
# multiplications and the additions stay FP32 (it lists them by node name; here by type).
preset: mixed
stat_subset_size: 300
overflow_fix: enable        # as the recipe's ptq_config.yaml
ignored_scope:
  types: [Mul, Add]
YAML

run_ptq() {  # NAME EXTRA_ARGS...
  local name=$1
  shift
  "$TREX" optimize lite_hrnet --load-weights "$model" --train-data-roots "$data" \
    --val-data-roots "$data" -o "$work/$name" --threads 2 "$@" >"$work/$name.log" 2>&1
  "$TREX" eval lite_hrnet --load-weights "$work/$name/model.onnx" --test-data-roots "$test_list" \
    --threads 2 --output "$work/$name/test_eval.json" >/dev/null
}
"$TREX" eval lite_hrnet --load-weights "$model" --test-data-roots "$test_list" --threads 2 \
  --output "$work/fp32_test_eval.json" >/dev/null
run_ptq all --max-drop 1
run_ptq hand --ptq-config "$work/hand_scope.yaml"
run_ptq auto

# Latency: batch 1, one thread; the four files and both runtimes alternate in each round.
median() { sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
field() { sed -E "s/.*\"$1\":([0-9.eE+-]+).*/\1/"; }
files=(fp32:"$model" all:"$work/all/model.onnx" hand:"$work/hand/model.onnx" auto:"$work/auto/model.onnx")
for f in "${files[@]}"; do : >"$work/lat_trex_${f%%:*}.txt"; : >"$work/lat_ort_${f%%:*}.txt"; done
for ((r = 0; r < ROUNDS; ++r)); do
  for f in "${files[@]}"; do
    "$TREX" benchmark "${f#*:}" --threads 1 --iterations "$ITERS" --json >>"$work/lat_trex_${f%%:*}.txt"
    node bench/ort_bench.js "${f#*:}" --threads 1 --iterations "$ITERS" >>"$work/lat_ort_${f%%:*}.txt"
  done
done
for f in "${files[@]}"; do
  n=${f%%:*}
  echo "$(field median_ms <"$work/lat_trex_$n.txt" | median) $(field median_ms <"$work/lat_ort_$n.txt" | median)" \
    "$(field min_ms <"$work/lat_trex_$n.txt" | sort -g | head -1) $(field min_ms <"$work/lat_ort_$n.txt" | sort -g | head -1)" \
    >"$work/lat_$n.txt"
done

# ONNX Runtime on the same preprocessed test inputs: the same masks?
for n in fp32 auto; do
  f=$model
  [[ $n == fp32 ]] || f=$work/$n/model.onnx
  "$BUILD_DIR"/trex_dump_eval_set lite_hrnet "$test_list" "$f" "$work/eval_$n" >/dev/null
  node bench/ort_eval.js "$f" "$work/eval_$n" >"$work/ort_$n.json"
done

/usr/bin/python3 - "$work" <<'PY'
import json, sys
w = sys.argv[1]
lat = {n: [float(x) for x in open(f"{w}/lat_{n}.txt").read().split()] for n in ("fp32", "all", "hand", "auto")}
fp32_test = json.load(open(f"{w}/fp32_test_eval.json"))["score"]
print("%-6s %9s %9s %9s %9s %7s %10s %10s %9s %9s" % ("ptq", "val_mDice", "drop_pt", "test_mDice",
      "test_drop", "float", "trex_ms", "ort_ms", "i8/fp32", "trex/ort"))
fp32_val = None
for n in ("all", "hand", "auto"):
    p = json.load(open(f"{w}/{n}/ptq_performance.json"))
    r = json.load(open(f"{w}/{n}/ptq_report.json"))
    t = json.load(open(f"{w}/{n}/test_eval.json"))["score"]
    fp32_val = p["fp32_score"]
    kept = [s["node"] for s in r.get("accuracy_aware", {}).get("steps", []) if s["kept_in_float"]]
    # Left in float by the ignored scope or by the accuracy-aware loop.
    floats = len([x for x in r["float_nodes"] if x["reason"].startswith("ignored scope")]) + len(kept)
    print("%-6s %8.2f%% %9.2f %9.2f%% %9.2f %7s %10.3f %10.3f %9.3f %9.3f" % (
        n, 100 * p["score"], 100 * (p["fp32_score"] - p["score"]), 100 * t, 100 * (fp32_test - t),
        floats, lat[n][0], lat[n][1], lat[n][0] / lat["fp32"][0], lat[n][0] / lat[n][1]))
    if n == "auto":
        auto_kept = len(kept)
        print("  kept in float by sensitivity:", ", ".join(kept) or "nothing")
print("%-6s %8.2f%% %9s %9.2f%% %9s %7s %10.3f %10.3f" % ("fp32", 100 * fp32_val, "", 100 * fp32_test,
      "", "", lat["fp32"][0], lat["fp32"][1]))
# The shared machine only ever adds time: the fastest runs show the files' own cost.
print("fastest runs: " + ", ".join("%s %.3f/%.3f ms" % (n, lat[n][2], lat[n][3])
                                   for n in ("fp32", "all", "hand", "auto")) +
      " (trex/ORT); INT8/FP32 by them: all %.3f, auto %.3f; trex/ORT: all %.3f, auto %.3f" % (
          lat["all"][2] / lat["fp32"][2], lat["auto"][2] / lat["fp32"][2],
          lat["all"][2] / lat["all"][3], lat["auto"][2] / lat["auto"][3]))
gain = lat["fp32"][0] - lat["all"][0]
if auto_kept == 0:
    print("sensitivity kept nothing in float: the auto model is the everything-quantized one")
elif gain > 0:
    print("float nodes kept by sensitivity cost %.1f%% of the INT8 speed-up" %
          (100 * (lat["auto"][0] - lat["all"][0]) / gain))
for n in ("fp32", "auto"):
    o = json.load(open(f"{w}/ort_{n}.json"))
    print("ORT vs trex (%s, test): mDice %.2f%% vs %.2f%%, pixels with the same class %.4f%%, "
          "largest score difference %.4g" % (n, 100 * o["ort_mdice"], 100 * o["trex_mdice"],
                                              100 * o["pixel_agreement"], o["max_output_diff"]))
PY
echo "latency: batch 1, one thread, medians over $ROUNDS alternating rounds of $ITERS runs (and the fastest run)"
echo "wall time: $(( $(date +%s) - start )) s"
