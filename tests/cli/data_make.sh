#!/usr/bin/env bash
# `trex data make fashion-mnist-cls` on Debian's Fashion-MNIST: 55,000/5,000/10,000 PNGs in 10
# class folders per split, and bad requests (non-empty output, unknown dataset) as one-line
# errors with exit code 2 that leave the existing output alone.
# usage: data_make.sh TREX
set -u
TREX=$1
source "$(dirname "$0")/lib.sh"

start=$SECONDS
if "$TREX" data make fashion-mnist-cls -o "$work/fm" --seed 1 >"$work/out" 2>"$work/err"; then
  ok make
else
  fail make "exit $?: $(cat "$work/err")"
fi
echo "data make took $((SECONDS - start)) s"
for split_count in train:55000 val:5000 test:10000; do
  split=${split_count%%:*}
  want=${split_count#*:}
  n=$(find "$work/fm/$split" -name '*.png' | wc -l)
  classes=$(find "$work/fm/$split" -mindepth 1 -maxdepth 1 -type d | wc -l)
  if [[ $n -eq $want && $classes -eq 10 ]]; then ok "count $split"; else fail "count $split" "$n PNGs in $classes folders, expected $want in 10"; fi
  grep -qF "$split: $want images in 10 classes" "$work/out" || fail "summary $split" "$(cat "$work/out")"
done
[[ -s $work/fm/README.txt ]] && ok readme || fail readme "no README.txt"
[[ -z $(find "$work" -maxdepth 1 -name 'fm.tmp-*') ]] && ok no_tmp || fail no_tmp "temporary folder left behind"

before=$(find "$work/fm" -type f | wc -l)
expect_error non_empty "$work/fm: output folder exists and is not empty" \
  "$TREX" data make fashion-mnist-cls -o "$work/fm"
after=$(find "$work/fm" -type f | wc -l)
[[ $before -eq $after ]] || fail non_empty_untouched "$before files before, $after after"
expect_error unknown_dataset "dataset 'fashion-mnist-det' is not yet supported" \
  "$TREX" data make fashion-mnist-det -o "$work/det"
[[ -e $work/det ]] && fail unknown_dataset "output created"
expect_error bad_source "$work/nowhere/train-images-idx3-ubyte.gz: file does not exist" \
  "$TREX" data make fashion-mnist-cls -o "$work/fm2" --source "$work/nowhere"

finish
