#!/usr/bin/env bash
# `trex run` and `trex benchmark` from the command line: outputs written where asked, the
# JSON fields present, and bad inputs as one-line errors with exit code 2.
# usage: run_benchmark.sh TREX
set -u
TREX=$1
D=/usr/share/libonnx-testdata/data/node
source "$(dirname "$0")/lib.sh"

if "$TREX" run "$D/test_relu/model.onnx" --input x="$D/test_relu/test_data_set_0/input_0.pb" -o "$work/out" >/dev/null 2>"$work/err" &&
   [[ -s $work/out/y.pb ]]; then ok run; else fail run "$(cat "$work/err")"; fi

json=$("$TREX" benchmark "$D/test_relu/model.onnx" --iterations 3 --threads 1 --json 2>"$work/err")
for key in median_ms p90_ms throughput peak_rss_mb; do
  [[ $json == *"\"$key\":"* ]] || fail benchmark "JSON lacks $key: $json $(cat "$work/err")"
done
ok benchmark

expect_error wrong_name "unknown input 'nope'" \
  "$TREX" run "$D/test_relu/model.onnx" --input nope="$D/test_relu/test_data_set_0/input_0.pb" -o "$work/o2"
expect_error bad_spec "expected NAME=FILE" "$TREX" run "$D/test_relu/model.onnx" --input justafile -o "$work/o3"
expect_error wrong_shape "the model expects [3,4,5]" \
  "$TREX" run "$D/test_relu/model.onnx" --input x="$D/test_add_bcast/test_data_set_0/input_1.pb" -o "$work/o4"
expect_error missing_input "missing input 'y'" \
  "$TREX" run "$D/test_add/model.onnx" --input x="$D/test_add/test_data_set_0/input_0.pb" -o "$work/o5"
expect_error no_kernel "is not supported by the trex runtime" "$TREX" benchmark "$D/test_det_2d/model.onnx"

finish
