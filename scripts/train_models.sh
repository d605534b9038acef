#!/usr/bin/env bash
# Trains the shipped classification models from scratch with `trex train` (template
# defaults, seed 0), evaluates each on the Fashion-MNIST test split with `trex eval`, and
# copies model, checkpoint, training log and test scores into models/classification/<model>/.
# usage: scripts/train_models.sh [MODEL...]   (default: all templates; about 25 min each on 2 cores)
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD_DIR:-build}
WORK=${WORK_DIR:-work/train_models}
TREX=$BUILD/trex
models=("$@")
[[ ${#models[@]} -gt 0 ]] || models=(resnet18 mobilenet_v3 efficientnet_b0)

[[ -d $WORK/data/train ]] || "$TREX" data make fashion-mnist-cls -o "$WORK/data"
for m in "${models[@]}"; do
  out=$WORK/$m
  "$TREX" train "$m" --train-data-roots "$WORK/data/train" --val-data-roots "$WORK/data/val" -o "$out"
  "$TREX" eval "$m" --load-weights "$out/model.onnx" --test-data-roots "$WORK/data/test" \
    --output "$out/test_eval.json"
  dest=models/classification/$m
  mkdir -p "$dest"
  cp "$out/model.onnx" "$out/checkpoint.pt" "$out/train_log.json" "$out/test_eval.json" "$dest/"
done
