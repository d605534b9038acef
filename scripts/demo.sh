#!/usr/bin/env bash
# The main job on built-in data. Until PTQ lands (issue 5) this converts real-architecture
# models (ResNet-18, DenseNet, Inception, ShuffleNet, SqueezeNet, VGG at 224x224, opset 9,
# built in code with seeded weights) to canonical form and summarizes one, then makes the
# Fashion-MNIST class folders and evaluates the shipped ResNet-18 on the test split.
set -euo pipefail
BUILD_DIR=${1:-build}
OUT=outputs/demo
mkdir -p "$OUT/original" "$OUT/converted"
"$BUILD_DIR/tests/trex_make_models" "$OUT/original" >/dev/null
echo "== trex convert: import, check, canonicalize (BN folding, shape folding, Dropout removal)"
for m in "$OUT"/original/*.onnx; do
  "$BUILD_DIR/trex" convert "$m" -o "$OUT/converted/$(basename "$m")"
done
echo
echo "== trex info $OUT/converted/resnet18.onnx"
"$BUILD_DIR/trex" info "$OUT/converted/resnet18.onnx"
echo
echo "== trex data make fashion-mnist-cls, trex eval of the shipped ResNet-18 on the test split"
[[ -d $OUT/fmnist/test ]] || "$BUILD_DIR/trex" data make fashion-mnist-cls -o "$OUT/fmnist" | tail -4
"$BUILD_DIR/trex" eval resnet18 --load-weights models/classification/resnet18/model.onnx \
  --test-data-roots "$OUT/fmnist/test" --output "$OUT/resnet18_test_eval.json" | grep -v "^load\|^evaluate"
