// Runs a function in a forked child process, so a crash in third-party code it calls
// (libonnx's shape inference and version converter, which assume well-formed input)
// becomes an error instead of taking the process down.
#pragma once

#include <functional>
#include <string>

namespace trex {

/// Calls `fn` in a child process and returns the string it returned. An exception thrown
/// by `fn` comes back as kInvalidInput with its message; a crash of the child as
/// kInvalidInput saying `what` crashed. The child shares the parent's memory copy-on-write,
/// so fn may read anything the caller can see; its side effects are lost.
std::string run_isolated(const std::function<std::string()>& fn, const std::string& what);

}  // namespace trex
