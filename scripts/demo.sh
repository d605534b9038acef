#!/usr/bin/env bash
# The main job on built-in data: make the Fashion-MNIST class folders, then post-training
# quantization of the shipped ResNet-18 (calibration on the training split, FP32 and INT8
# accuracy on the validation split, latency, size), and the INT8 model's test accuracy.
set -euo pipefail
BUILD_DIR=${1:-build}
OUT=outputs/demo
mkdir -p "$OUT"
echo "== trex data make fashion-mnist-cls -o $OUT/fmnist"
[[ -d $OUT/fmnist/test ]] || "$BUILD_DIR/trex" data make fashion-mnist-cls -o "$OUT/fmnist" | tail -4
echo
echo "== trex optimize resnet18 (PTQ of models/classification/resnet18/model.onnx)"
"$BUILD_DIR/trex" optimize resnet18 --load-weights models/classification/resnet18/model.onnx \
  --train-data-roots "$OUT/fmnist/train" --val-data-roots "$OUT/fmnist/val" -o "$OUT/ptq" |
  grep -v "^load\|^evaluate\|^calibrate\|^layer errors"
echo
echo "== trex eval resnet18 of the INT8 model on the test split"
"$BUILD_DIR/trex" eval resnet18 --load-weights "$OUT/ptq/model.onnx" \
  --test-data-roots "$OUT/fmnist/test" --output "$OUT/ptq/test_eval.json" | grep "^top-1\|^wrote"
