// trex::Error, the one exception type of the library, and the assert macro for invariants.
// Errors carry a kind so the CLI can map them to exit codes; messages name the file,
// node, key or value at fault.
#pragma once

#include <stdexcept>
#include <string>

namespace trex {

enum class ErrorKind {
  kInvalidInput,  ///< the user's file, argument or config is malformed
  kUnsupported,   ///< well-formed, but trex does not handle it (yet)
  kInternal,      ///< a bug in trex
};

class Error : public std::runtime_error {
 public:
  Error(ErrorKind kind, const std::string& message) : std::runtime_error(message), kind_(kind) {}
  ErrorKind kind() const { return kind_; }

 private:
  ErrorKind kind_;
};

[[noreturn]] inline void throw_invalid(const std::string& message) {
  throw Error(ErrorKind::kInvalidInput, message);
}
[[noreturn]] inline void throw_unsupported(const std::string& message) {
  throw Error(ErrorKind::kUnsupported, message);
}
[[noreturn]] void throw_internal(const char* file, int line, const std::string& message);

/// Re-raises `e` with `prefix + ": "` in front of its message, keeping its kind.
[[noreturn]] void rethrow_with_context(const Error& e, const std::string& prefix);

}  // namespace trex

/// Checks an invariant that only a bug in trex can break; reports file:line.
#define TREX_ASSERT(cond)                                                     \
  do {                                                                        \
    if (!(cond)) ::trex::throw_internal(__FILE__, __LINE__, "assert " #cond); \
  } while (0)
