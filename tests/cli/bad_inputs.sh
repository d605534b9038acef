#!/usr/bin/env bash
# The command line on bad inputs: every case exits 2 with exactly one line on stderr that
# names the file (and the node or value at fault), and leaves no output file behind, not
# even a temporary one. The valid model converts.
# usage: bad_inputs.sh TREX BAD_DATA_DIR TREX_MAKE_MODELS
set -u
TREX=$1
DATA=$2
MAKE_MODELS=$3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0
passed=0

fail() { echo "FAIL [$1]: $2"; failures=$((failures + 1)); }

# expect_error CASE MODEL EXPECTED_SUBSTRING...
expect_error() {
  local name=$1 model=$2
  shift 2
  local out="$work/out/$name.onnx"
  mkdir -p "$work/out"
  for cmd in convert info; do
    local rc
    if [[ $cmd == convert ]]; then
      "$TREX" convert "$model" -o "$out" >"$work/stdout" 2>"$work/stderr"; rc=$?
    else
      "$TREX" info "$model" >"$work/stdout" 2>"$work/stderr"; rc=$?
    fi
    [[ $rc -eq 2 ]] || { fail "$name/$cmd" "exit code $rc, expected 2"; continue; }
    local lines
    lines=$(wc -l <"$work/stderr")
    [[ $lines -eq 1 ]] || fail "$name/$cmd" "stderr has $lines lines: $(cat "$work/stderr")"
    grep -qF -- "$model" "$work/stderr" || fail "$name/$cmd" "error does not name the file: $(cat "$work/stderr")"
    for want in "$@"; do
      grep -qF -- "$want" "$work/stderr" || fail "$name/$cmd" "error lacks '$want': $(cat "$work/stderr")"
    done
  done
  [[ -z $(ls -A "$work/out") ]] || fail "$name" "output left behind: $(ls -A "$work/out")"
  passed=$((passed + 1))
  echo "ok   [$name] $(cat "$work/stderr")"
}

encode() { protoc --encode=onnx.ModelProto -I/usr/include/onnx onnx.proto <"$DATA/$1.textproto" >"$work/$1.onnx"; }
for f in "$DATA"/*.textproto; do encode "$(basename "$f" .textproto)"; done

# Files that are not models at all.
: >"$work/empty.onnx"
expect_error empty "$work/empty.onnx" "file is empty"
head -c 4096 /dev/urandom >"$work/random.onnx"
# Random bytes rarely parse; when they do, the model is still rejected: any clear message.
expect_error random "$work/random.onnx" ""
"$MAKE_MODELS" "$work" 32 8 >/dev/null || fail make_models "trex_make_models failed"
size=$(stat -c %s "$work/resnet18.onnx")
head -c $((size / 2)) "$work/resnet18.onnx" >"$work/truncated.onnx"
expect_error truncated "$work/truncated.onnx" "not an ONNX model"
expect_error missing_file "$work/no_such_model.onnx" "cannot open file"

# Crafted models (tests/data/bad/*.textproto).
expect_error missing_initializer "$work/missing_initializer.onnx" "node 'conv' (Conv)" "input 'w' is not produced"
expect_error edge_to_nowhere "$work/edge_to_nowhere.onnx" "node 'relu' (Relu)" "input 'nowhere' is not produced"
expect_error cycle "$work/cycle.onnx" "cycle through node '"
expect_error unknown_op "$work/unknown_op.onnx" "node 'mystery' (FancyActivation)" "unknown op"
expect_error wrong_attribute_type "$work/wrong_attribute_type.onnx" "node 'conv' (Conv)" "attribute 'group' has type FLOAT, expected INT"
expect_error unsupported_opset "$work/unsupported_opset.onnx" "opset 99 is not supported"
expect_error unsupported_domain "$work/unsupported_domain.onnx" "node 'custom' (Relu)" "domain 'com.example'"
expect_error trex_fake_quantize "$work/trex_fake_quantize.onnx" "node 'w_fq' (FakeQuantize)" "domain 'trex'"
expect_error duplicate_output "$work/duplicate_output.onnx" "node 'relu2' (Relu)" "output 'y' is already defined"
expect_error old_training_dropout "$work/old_training_dropout.onnx" "node 'drop' (Dropout)" "training mode"
expect_error bad_initializer_size "$work/bad_initializer_size.onnx" "initializer 'w'"

# The good paths: a valid model and a real architecture convert; info reads the result.
mkdir -p "$work/good"
if "$TREX" convert "$work/valid.onnx" -o "$work/good/valid.onnx" >/dev/null 2>"$work/stderr" &&
   "$TREX" convert "$work/resnet18.onnx" -o "$work/good/resnet18.onnx" >/dev/null 2>>"$work/stderr" &&
   "$TREX" info "$work/good/resnet18.onnx" >"$work/info.txt" 2>>"$work/stderr"; then
  grep -q "BatchNormalization" "$work/info.txt" && fail good "BatchNormalization survived convert"
  grep -q "^input: *input f32\[1,3,32,32\]" "$work/info.txt" || fail good "info lacks the input: $(cat "$work/info.txt")"
  grep -q "^output: *logits f32\[1,1000\]" "$work/info.txt" || fail good "info lacks the output: $(cat "$work/info.txt")"
  "$TREX" info --json "$work/good/resnet18.onnx" | grep -q '"macs":' || fail good "info --json lacks macs"
  # Same input, same output, bit for bit.
  "$TREX" convert "$work/resnet18.onnx" -o "$work/good/again.onnx" >/dev/null 2>>"$work/stderr"
  cmp -s "$work/good/resnet18.onnx" "$work/good/again.onnx" || fail good "two converts differ"
  passed=$((passed + 1))
else
  fail good "valid models did not convert: $(cat "$work/stderr")"
fi

echo "$passed passed, $failures failed"
[[ $failures -eq 0 ]]
