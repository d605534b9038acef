// libFuzzer target for the ONNX loader: any byte string must either load or raise a
// trex::Error of kind invalid-input/unsupported. A loaded graph is also canonicalized and
// exported; an internal error or any other exception anywhere is a finding (abort). Every
// input is also loaded as a checkpoint's graph is (trex-domain nodes admitted).
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "onnx/onnx.h"
#include "passes/passes.h"
#include "util/error.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string bytes(reinterpret_cast<const char*>(data), size);
  try {
    trex::OnnxLoadOptions checkpoint;
    checkpoint.allow_trex_domain = true;
    std::unique_ptr<trex::Graph> c = trex::load_onnx_bytes(bytes, "fuzz.onnx", "", checkpoint);
    trex::serialize_onnx(*c, /*check=*/false);
  } catch (const trex::Error& e) {
    if (e.kind() == trex::ErrorKind::kInternal) {
      std::fprintf(stderr, "internal error on checkpoint-graph load: %s\n", e.what());
      std::abort();
    }
  }
  std::unique_ptr<trex::Graph> g;
  try {
    g = trex::load_onnx_bytes(bytes, "fuzz.onnx", "");
  } catch (const trex::Error& e) {
    if (e.kind() == trex::ErrorKind::kInternal) {
      std::fprintf(stderr, "internal error on load: %s\n", e.what());
      std::abort();
    }
    return 0;
  }
  try {
    trex::PipelineOptions opts;
    opts.verify_each_pass = true;
    trex::canonicalize(*g, opts);
    trex::serialize_onnx(*g, /*check=*/true);
  } catch (const trex::Error& e) {
    // Passes may meet inputs the loader accepted but cannot process (e.g. shape
    // inference rejecting inconsistent shapes): only internal errors are bugs.
    if (e.kind() == trex::ErrorKind::kInternal) {
      std::fprintf(stderr, "internal error after load: %s\n", e.what());
      std::abort();
    }
  }
  return 0;
}
