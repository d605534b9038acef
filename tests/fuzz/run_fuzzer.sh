#!/usr/bin/env bash
# Builds the loader fuzzer with clang (libFuzzer + AddressSanitizer + UBSan) in its own
# build tree and runs it for FUZZ_SECONDS (default 60) on a seed corpus of real models.
# usage: run_fuzzer.sh SOURCE_DIR BUILD_DIR
set -euo pipefail
SRC=$1
BUILD=$2
SECONDS_TO_RUN=${FUZZ_SECONDS:-60}
command -v clang++ >/dev/null || { echo "clang++ missing: run scripts/install-deps.sh"; exit 1; }
cmake -S "$SRC" -B "$BUILD" -G Ninja -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DTREX_FUZZ=ON -DTREX_BUILD_TESTS=OFF >/dev/null
cmake --build "$BUILD" -j 2 --target trex_fuzz_onnx_loader

corpus="$BUILD/corpus"
if [[ ! -d $corpus ]]; then
  mkdir -p "$corpus"
  # Seeds: small models from every testdata folder, and the hand-made bad inputs.
  i=0
  for m in /usr/share/libonnx-testdata/data/*/*/model.onnx; do
    [[ $(stat -c %s "$m") -lt 20000 ]] || continue
    cp "$m" "$corpus/seed_$i.onnx"
    i=$((i + 1))
  done
  for t in "$SRC"/tests/data/bad/*.textproto; do
    protoc --encode=onnx.ModelProto -I/usr/include/onnx onnx.proto <"$t" >"$corpus/$(basename "$t" .textproto).onnx"
  done
fi
mkdir -p "$BUILD/findings"
status=0
"$BUILD/trex_fuzz_onnx_loader" "$corpus" -max_total_time="$SECONDS_TO_RUN" -timeout=10 \
  -rss_limit_mb=4096 -max_len=65536 -print_final_stats=1 -artifact_prefix="$BUILD/findings/" \
  >"$BUILD/fuzz.log" 2>&1 || status=$?
grep -E "^#[0-9]+.*DONE|runtime error|ERROR|SUMMARY|stat::" "$BUILD/fuzz.log" || true
# libFuzzer exits non-zero on a finding (crash, leak, timeout, sanitizer report).
[[ $status -eq 0 ]] || echo "fuzzer finding: see $BUILD/fuzz.log and $BUILD/findings/"
exit "$status"
