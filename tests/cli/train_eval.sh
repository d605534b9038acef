#!/usr/bin/env bash
# `trex train` and `trex eval` from the command line on a small real dataset: a short run
# writes its files, eval scores ONNX and checkpoint alike, a training killed mid-epoch
# resumes to the same model, and bad inputs exit 2 with one line naming the file or key.
# usage: train_eval.sh TREX RECIPES_DIR
set -u
TREX=$1
RECIPES=$2
source "$(dirname "$0")/lib.sh"

"$TREX" data make fashion-mnist-cls -o "$work/full" >/dev/null || { echo "data make failed"; exit 1; }
subset "$work/full/train" "$work/train" 24
subset "$work/full/val" "$work/val" 8
rm -rf "$work/full"
TMPL="$RECIPES/classification/resnet18"
P=(params --learning_parameters.batch_size 32 --learning_parameters.warmup_epochs 0)

# A short training run and evaluation of both of its outputs.
"$TREX" train "$TMPL" --train-data-roots "$work/train" --val-data-roots "$work/val" \
  -o "$work/run" --threads 2 "${P[@]}" --learning_parameters.num_epochs 2 >"$work/train.log" 2>&1 \
  || fail train "exit $?: $(tail -3 "$work/train.log")"
for f in model.onnx checkpoint.pt last_checkpoint.pt train_log.json; do
  [[ -s $work/run/$f ]] || fail train "missing $f"
done
grep -q '"metric": "accuracy"' "$work/run/train_log.json" || fail train "train_log.json lacks metric"
for m in model.onnx checkpoint.pt; do
  "$TREX" eval "$TMPL" --load-weights "$work/run/$m" --test-data-roots "$work/val" \
    --output "$work/eval_$m.json" >"$work/eval.log" 2>&1 || fail "eval $m" "exit $?: $(tail -2 "$work/eval.log")"
  grep -q '"metric": "accuracy"' "$work/eval_$m.json" || fail "eval $m" "no metric in JSON"
  grep -q '"score"' "$work/eval_$m.json" || fail "eval $m" "no score in JSON"
  grep -q '"confusion_matrix"' "$work/eval_$m.json" || fail "eval $m" "no confusion matrix"
done
s1=$(grep '"score"' "$work/eval_model.onnx.json"); s2=$(grep '"score"' "$work/eval_checkpoint.pt.json")
[[ $s1 == "$s2" ]] || fail eval "runtime ($s1) and backend ($s2) scores differ"

# Killed in the middle of epoch 2 of 3, resumed: the same model as an uninterrupted run.
"$TREX" train "$TMPL" --train-data-roots "$work/train" --val-data-roots "$work/val" \
  -o "$work/whole" --threads 2 "${P[@]}" --learning_parameters.num_epochs 3 >/dev/null 2>&1
"$TREX" train "$TMPL" --train-data-roots "$work/train" --val-data-roots "$work/val" \
  -o "$work/killed" --threads 2 "${P[@]}" --learning_parameters.num_epochs 3 >"$work/killed.log" 2>&1 &
pid=$!
for _ in $(seq 600); do
  grep -q "^epoch 1/3: train loss" "$work/killed.log" 2>/dev/null && break
  sleep 0.1
done
sleep 0.3
kill -9 "$pid" 2>/dev/null; wait "$pid" 2>/dev/null
ls "$work/killed" | grep -q '\.tmp' && fail resume "temporary file left behind: $(ls "$work/killed")"
"$TREX" train "$TMPL" --train-data-roots "$work/train" --val-data-roots "$work/val" \
  -o "$work/killed" --threads 2 --resume "${P[@]}" --learning_parameters.num_epochs 3 >"$work/resume.log" 2>&1 \
  || fail resume "exit $?: $(tail -2 "$work/resume.log")"
grep -q "resuming from" "$work/resume.log" || fail resume "did not resume: $(head -3 "$work/resume.log")"
cmp -s "$work/whole/model.onnx" "$work/killed/model.onnx" || fail resume "resumed model differs"

# Bad inputs.
mkdir -p "$work/bad/corrupt" "$work/bad/empty" "$work/bad/other"
cp -r "$work/train" "$work/bad/corrupt/train"
victim=$(ls "$work/bad/corrupt/train/bag" | head -1)
head -c 60 "$work/train/bag/$victim" >"$work/bad/corrupt/train/bag/$victim"
expect_error corrupt_image "$victim" "$TREX" train "$TMPL" --train-data-roots "$work/bad/corrupt/train" -o "$work/o1" "${P[@]}"
cp -r "$work/train" "$work/bad/empty/train"
rm -f "$work/bad/empty/train/coat/"*
expect_error empty_class "coat" "$TREX" train "$TMPL" --train-data-roots "$work/bad/empty/train" -o "$work/o2" "${P[@]}"
cp -r "$work/val" "$work/bad/other/val"
mv "$work/bad/other/val/coat" "$work/bad/other/val/jacket"
expect_error class_mismatch "jacket" "$TREX" train "$TMPL" --train-data-roots "$work/train" --val-data-roots "$work/bad/other/val" -o "$work/o3" "${P[@]}"
expect_error eval_class_mismatch "jacket" "$TREX" eval "$TMPL" --load-weights "$work/run/model.onnx" --test-data-roots "$work/bad/other/val"
expect_error unknown_template "no_such_template" "$TREX" train no_such_template --train-data-roots "$work/train" -o "$work/o4"
expect_error unknown_param "learning_parameters.epochz" "$TREX" train "$TMPL" --train-data-roots "$work/train" -o "$work/o5" params --learning_parameters.epochz 3
expect_error bad_value "learning_parameters.batch_size" "$TREX" train "$TMPL" --train-data-roots "$work/train" -o "$work/o6" params --learning_parameters.batch_size -4
expect_error missing_weights "nothing.onnx" "$TREX" eval "$TMPL" --load-weights "$work/nothing.onnx" --test-data-roots "$work/val"
expect_error wrong_input "template feeds" "$TREX" eval "$TMPL" --load-weights "$work/run/model.onnx" --test-data-roots "$work/val" params --data.height 32 --data.width 32
for o in o1 o2 o3 o4 o5 o6; do
  [[ -e $work/$o/model.onnx ]] && fail "$o" "model written despite the error"
done

finish
