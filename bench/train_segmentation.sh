#!/usr/bin/env bash
# Trains the shipped segmentation model from scratch with `trex train` (template defaults,
# seed 0) on `trex data make fashion-mnist-seg` (seed 0: 2,000 train / 300 val / 300 test
# canvases of 128x128), evaluates it on the test split with `trex eval` (mDice, mIoU,
# per-class IoU, pixel accuracy), and copies model, checkpoint, training log and test
# scores into models/segmentation/lite_hrnet/. Prints the wall time (1,719 s on 2 cores,
# AVX2; test mDice 55.9%).
# usage: bench/train_segmentation.sh   (BUILD_DIR, WORK_DIR override the folders)
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD_DIR:-build}
WORK=${WORK_DIR:-work/train_segmentation}
TREX=$BUILD/trex
start=$(date +%s)
[[ -d $WORK/data/JPEGImages ]] || "$TREX" data make fashion-mnist-seg -o "$WORK/data" --seed 0
"$TREX" train lite_hrnet --train-data-roots "$WORK/data" --val-data-roots "$WORK/data" \
  -o "$WORK/run" ${RESUME:+--resume} "$@"
"$TREX" eval lite_hrnet --load-weights "$WORK/run/model.onnx" \
  --test-data-roots "$WORK/data/ImageSets/Segmentation/test.txt" --output "$WORK/run/test_eval.json"
dest=models/segmentation/lite_hrnet
mkdir -p "$dest"
cp "$WORK/run/model.onnx" "$WORK/run/checkpoint.pt" "$WORK/run/train_log.json" \
  "$WORK/run/test_eval.json" "$dest/"
echo "wall time: $(( $(date +%s) - start )) s"
