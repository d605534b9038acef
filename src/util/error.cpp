// Out-of-line helpers of trex::Error.
#include "util/error.h"

namespace trex {

void throw_internal(const char* file, int line, const std::string& message) {
  throw Error(ErrorKind::kInternal, "internal error at " + std::string(file) + ":" +
                                        std::to_string(line) + ": " + message);
}

void rethrow_with_context(const Error& e, const std::string& prefix) {
  throw Error(e.kind(), prefix + ": " + e.what());
}

}  // namespace trex
