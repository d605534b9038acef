#!/usr/bin/env bash
# Installs every Debian package trex needs to build, test and run its demo.
# Idempotent: prints nothing and touches nothing when all packages are present.
# Uses sudo when not run as root.
set -euo pipefail

PACKAGES=(
  # toolchain
  build-essential cmake ninja-build pkg-config ccache
  # libFuzzer (clang, its runtime and OpenMP for clang) for the `fuzz` CTest label
  clang libclang-rt-14-dev libomp-14-dev
  # ONNX protobuf classes, checker, shape inference, version converter
  libonnx-dev libprotobuf-dev protobuf-compiler
  # CPU kernels
  libdnnl-dev
  # CLI, config and JSON
  libcli11-dev nlohmann-json3-dev libyaml-cpp-dev
  # tests and benchmarks
  libgtest-dev libgmock-dev libbenchmark-dev
  # training backend (libtorch 1.13) and a fast BLAS for it (libblas.so.3 alternative)
  libtorch-dev libopenblas0-openmp
  # images, data
  libopencv-core-dev libopencv-imgproc-dev libopencv-imgcodecs-dev
  zlib1g-dev libonnx-testdata dataset-fashion-mnist
)

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
[[ ${#missing[@]} -eq 0 ]] && exit 0

SUDO=""
if [[ $(id -u) -ne 0 ]]; then
  command -v sudo >/dev/null || { echo "install-deps: need root or sudo to install: ${missing[*]}" >&2; exit 1; }
  SUDO="sudo"
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "install-deps: done"
