#!/usr/bin/env bash
# Semantic segmentation end to end from the command line on tiny generated data: the VOC
# tree `trex data make fashion-mnist-seg` writes, a short training, eval of the ONNX model
# and of the checkpoint (mDice, mIoU, per-class IoU, pixel accuracy in the JSON), PTQ of the
# model file through the task-generic flow, and bad inputs (exit 2, one line naming the
# file or key, nothing written).
# usage: segmentation.sh TREX RECIPES_DIR
set -u
TREX=$1
RECIPES=$2
source "$(dirname "$0")/lib.sh"
TMPL="$RECIPES/segmentation/lite_hrnet"

"$TREX" data make fashion-mnist-seg -o "$work/seg" --seed 3 --train-size 16 --val-size 8 \
  --test-size 8 >"$work/make.log" 2>&1 || { echo "data make failed: $(tail -2 "$work/make.log")"; exit 1; }
for f in classes.txt README.txt ImageSets/Segmentation/train.txt JPEGImages/train_00015.jpg \
  SegmentationClass/test_00007.png; do
  [[ -s $work/seg/$f ]] || fail data "missing $f"
done
[[ $(wc -l <"$work/seg/ImageSets/Segmentation/val.txt") -eq 8 ]] || fail data "val list"
[[ $(wc -l <"$work/seg/classes.txt") -eq 11 ]] || fail data "classes.txt"
"$TREX" data make fashion-mnist-seg -o "$work/seg2" --seed 3 --train-size 16 --val-size 8 \
  --test-size 8 >/dev/null 2>&1
cmp -s "$work/seg/SegmentationClass/train_00004.png" "$work/seg2/SegmentationClass/train_00004.png" \
  && cmp -s "$work/seg/JPEGImages/val_00002.jpg" "$work/seg2/JPEGImages/val_00002.jpg" \
  || fail data "same seed, different files"
ok data

P=(params --learning_parameters.batch_size 8 --learning_parameters.warmup_epochs 0
  --learning_parameters.learning_rate 0.01)
"$TREX" train "$TMPL" --train-data-roots "$work/seg" --val-data-roots "$work/seg" -o "$work/run" \
  --threads 2 "${P[@]}" --learning_parameters.num_epochs 2 >"$work/train.log" 2>&1 \
  || fail train "exit $?: $(tail -3 "$work/train.log")"
for f in model.onnx checkpoint.pt last_checkpoint.pt train_log.json; do
  [[ -s $work/run/$f ]] || fail train "missing $f"
done
grep -q '"metric": "mDice"' "$work/run/train_log.json" || fail train "train_log.json lacks mDice"
ok train

for m in model.onnx checkpoint.pt; do
  "$TREX" eval "$TMPL" --load-weights "$work/run/$m" --test-data-roots "$work/seg" \
    --output "$work/eval_$m.json" >"$work/eval.log" 2>&1 || fail "eval $m" "exit $?: $(tail -2 "$work/eval.log")"
  grep -q "mDice" "$work/eval.log" || fail "eval $m" "does not print mDice"
  for k in '"metric": "mDice"' '"mIoU"' '"pixel_accuracy"' '"per_class"' '"iou"'; do
    grep -q "$k" "$work/eval_$m.json" || fail "eval $m" "JSON lacks $k"
  done
done
s1=$(grep '"score"' "$work/eval_model.onnx.json"); s2=$(grep '"score"' "$work/eval_checkpoint.pt.json")
[[ $s1 == "$s2" ]] || fail eval "runtime ($s1) and backend ($s2) scores differ"
ok eval

# PTQ on the model file: the generic flow with the task's metric and default budget.
"$TREX" optimize "$TMPL" --load-weights "$work/run/model.onnx" --train-data-roots "$work/seg" \
  --val-data-roots "$work/seg" -o "$work/ptq" --threads 2 params --pot_parameters.stat_subset_size 16 \
  >"$work/ptq.log" 2>&1 || fail ptq "exit $?: $(tail -3 "$work/ptq.log")"
grep -q "^mDice" "$work/ptq.log" || fail ptq "does not report mDice: $(tail -5 "$work/ptq.log")"
grep -q '"metric": "mDice"' "$work/ptq/ptq_performance.json" || fail ptq "performance JSON metric"
[[ -s $work/ptq/model.onnx ]] || fail ptq "no model"
ok ptq

# Bad inputs: the file or key at fault named, exit 2, nothing written.
cp -r "$work/seg" "$work/nomask"
rm "$work/nomask/SegmentationClass/train_00003.png"
expect_error missing_mask "SegmentationClass/train_00003.png" "$TREX" train "$TMPL" \
  --train-data-roots "$work/nomask" -o "$work/o1" "${P[@]}"
# label_png W H VALUE FILE: an 8-bit palette PNG filled with VALUE.
label_png() {
  /usr/bin/python3 - "$@" <<'PY'
import struct, sys, zlib
w, h, v, out = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
def chunk(t, b): return struct.pack('>I', len(b)) + t + b + struct.pack('>I', zlib.crc32(t + b))
raw = b''.join(b'\x00' + bytes([v]) * w for _ in range(h))
open(out, 'wb').write(b'\x89PNG\r\n\x1a\n' + chunk(b'IHDR', struct.pack('>IIBBBBB', w, h, 8, 3, 0, 0, 0))
                      + chunk(b'PLTE', bytes(768)) + chunk(b'IDAT', zlib.compress(raw)) + chunk(b'IEND', b''))
PY
}
cp -r "$work/seg" "$work/badsize"
label_png 10 12 1 "$work/badsize/SegmentationClass/train_00002.png"
expect_error wrong_size_mask "SegmentationClass/train_00002.png: mask is 10x12" "$TREX" train "$TMPL" \
  --train-data-roots "$work/badsize" -o "$work/o4" "${P[@]}"
cp -r "$work/seg" "$work/badlabel"
label_png 128 128 42 "$work/badlabel/SegmentationClass/val_00005.png"
expect_error label_out_of_range "SegmentationClass/val_00005.png: pixel (0, 0) has label 42" \
  "$TREX" eval "$TMPL" --load-weights "$work/run/model.onnx" \
  --test-data-roots "$work/badlabel/ImageSets/Segmentation/val.txt"
cp -r "$work/seg" "$work/badclass"
printf 'a\nb\nc\n' >"$work/badclass/classes.txt"
expect_error class_count "classes.txt names 3 classes" "$TREX" train "$TMPL" \
  --train-data-roots "$work/badclass" -o "$work/o2" "${P[@]}"
sed 's/task: segmentation/task: segmentaton/' "$TMPL/template.yaml" >"$work/bad_task.yaml"
expect_error unknown_task "model.task" "$TREX" train "$work/bad_task.yaml" \
  --train-data-roots "$work/seg" -o "$work/o3"
for o in o1 o2 o3 o4; do
  [[ -e $work/$o/model.onnx ]] && fail "$o" "model written despite the error"
done

finish
