# Shared by the command-line test scripts (sourced): a scratch folder removed on exit,
# pass/fail counters, expect_error for the one-line-error contract, and small dataset subsets.
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0
passed=0
fail() { echo "FAIL [$1]: $2"; failures=$((failures + 1)); }
ok() { echo "ok   [$1]"; passed=$((passed + 1)); }

# expect_error NAME EXPECTED_TEXT COMMAND...: exit code 2, exactly one stderr line, naming
# EXPECTED_TEXT.
expect_error() {
  local name=$1 want=$2
  shift 2
  "$@" >/dev/null 2>"$work/err"
  local rc=$?
  if [[ $rc -ne 2 ]]; then fail "$name" "exit $rc: $(cat "$work/err")"; return; fi
  if [[ $(wc -l <"$work/err") -ne 1 ]]; then fail "$name" "not one line: $(cat "$work/err")"; return; fi
  grep -qF -- "$want" "$work/err" || { fail "$name" "lacks '$want': $(cat "$work/err")"; return; }
  ok "$name"
}

# subset SRC DST N: the first N images of each class folder of SRC, copied to DST.
subset() {
  for c in "$1"/*/; do
    mkdir -p "$2/$(basename "$c")"
    ls "$c" | head -n "$3" | while read -r f; do cp "$c/$f" "$2/$(basename "$c")/"; done
  done
}

# data_setup TREX TRAIN_PER_CLASS: a small dataset (TRAIN_PER_CLASS training and 30
# validation images per class in $work/train and $work/val) and the data options D for
# `trex optimize`; json FILE EXPR prints a field of a JSON file.
data_setup() {
  "$1" data make fashion-mnist-cls -o "$work/full" >/dev/null || { echo "data make failed"; exit 1; }
  subset "$work/full/train" "$work/train" "$2"
  subset "$work/full/val" "$work/val" 30
  rm -rf "$work/full"
  D=(--train-data-roots "$work/train" --val-data-roots "$work/val" --threads 2)
}
json() { python3 -c "import json,sys; print(json.load(open(sys.argv[1]))$2)" "$1"; }

# Prints the counts; the script's exit status is whether all passed.
finish() {
  echo "$passed passed, $failures failed"
  [[ $failures -eq 0 ]]
}
