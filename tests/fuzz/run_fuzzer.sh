#!/usr/bin/env bash
# Builds a fuzz target with clang (libFuzzer + AddressSanitizer + UBSan) in its own build
# tree and runs it for FUZZ_SECONDS (default 60) on a seed corpus.
#   onnx_loader (default): ONNX models, seeds are the small libonnx-testdata models and the
#                          hand-made bad inputs;
#   data_loader:           images, IDX files, template YAML and PTQ config YAML (first byte picks),
#                          seeds are PNGs, a real IDX prefix, the shipped templates and a PTQ config;
#   segmentation_loader:   label PNGs, VOC masks and split lists (first byte picks), seeds
#                          are label PNGs (palette and grayscale) and a list.
# usage: run_fuzzer.sh SOURCE_DIR BUILD_DIR [TARGET]
set -euo pipefail
SRC=$1
BUILD=$2
TARGET=${3:-onnx_loader}
SECONDS_TO_RUN=${FUZZ_SECONDS:-60}
command -v clang++ >/dev/null || { echo "clang++ missing: run scripts/install-deps.sh"; exit 1; }
cmake -S "$SRC" -B "$BUILD" -G Ninja -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DTREX_FUZZ=ON -DTREX_BUILD_TESTS=OFF >/dev/null
cmake --build "$BUILD" -j 2 --target "trex_fuzz_$TARGET"

corpus="$BUILD/corpus_$TARGET"
if [[ ! -d $corpus ]]; then
  mkdir -p "$corpus"
  case $TARGET in
    onnx_loader)
      i=0
      for m in /usr/share/libonnx-testdata/data/*/*/model.onnx; do
        [[ $(stat -c %s "$m") -lt 20000 ]] || continue
        cp "$m" "$corpus/seed_$i.onnx"
        i=$((i + 1))
      done
      for t in "$SRC"/tests/data/bad/*.textproto; do
        protoc --encode=onnx.ModelProto -I/usr/include/onnx onnx.proto <"$t" >"$corpus/$(basename "$t" .textproto).onnx"
      done
      ;;
    data_loader)
      # Selector byte 0: images; 1: IDX; 2: templates; 3: PTQ configs; 4: compression configs.
      for f in "$SRC"/tests/data/images/*; do
        { printf '\x00'; cat "$f"; } >"$corpus/image_$(basename "$f")"
      done
      { printf '\x01'; zcat /usr/share/datasets/fashion-mnist/t10k-labels-idx1-ubyte.gz | head -c 64; } >"$corpus/idx_labels"
      { printf '\x01'; printf '\x00\x00\x08\x03\x00\x00\x00\x02\x00\x00\x00\x02\x00\x00\x00\x02'; head -c 8 /dev/zero; } >"$corpus/idx_images"
      for t in "$SRC"/recipes/*/*/template.yaml; do
        { printf '\x02'; cat "$t"; } >"$corpus/template_$(basename "$(dirname "$t")")"
      done
      for c in "$SRC"/recipes/*/*/compression_config.json; do
        { printf '\x04'; cat "$c"; } >"$corpus/compression_$(basename "$(dirname "$c")")"
      done
      printf '\x03preset: mixed\nmodel_type: cnn\nstat_subset_size: 300\nbias_correction: fast\noverflow_fix: disable\nignored_scope:\n  names: [fc]\n  patterns: ["a.*"]\n  types: [Mul]\nrange_estimator:\n  type: quantile\n  outlier_prob: 0.0001\n' >"$corpus/ptq_config"
      ;;
    segmentation_loader)
      # Selector byte 0: a label PNG; 1: a VOC mask; 2: a VOC split list.
      for f in "$SRC"/tests/data/images/*.png; do
        { printf '\x00'; cat "$f"; } >"$corpus/label_$(basename "$f")"
        { printf '\x01'; cat "$f"; } >"$corpus/mask_$(basename "$f")"
      done
      printf '\x02a\n\na\n' >"$corpus/list"
      ;;
    *) echo "unknown fuzz target $TARGET"; exit 1 ;;
  esac
fi
mkdir -p "$BUILD/findings_$TARGET"
status=0
"$BUILD/trex_fuzz_$TARGET" "$corpus" -max_total_time="$SECONDS_TO_RUN" -timeout=10 \
  -rss_limit_mb=4096 -max_len=65536 -print_final_stats=1 -artifact_prefix="$BUILD/findings_$TARGET/" \
  >"$BUILD/fuzz_$TARGET.log" 2>&1 || status=$?
grep -E "^#[0-9]+.*DONE|runtime error|ERROR|SUMMARY|stat::" "$BUILD/fuzz_$TARGET.log" || true
# libFuzzer exits non-zero on a finding (crash, leak, timeout, sanitizer report).
[[ $status -eq 0 ]] || echo "fuzzer finding: see $BUILD/fuzz_$TARGET.log and $BUILD/findings_$TARGET/"
exit "$status"
