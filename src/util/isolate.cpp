// Fork-isolated calls (see isolate.h).
#include "util/isolate.h"

#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <exception>

#include "util/error.h"

namespace trex {

namespace {

bool write_all(int fd, const std::string& s) {
  size_t off = 0;
  while (off < s.size()) {
    ssize_t n = ::write(fd, s.data() + off, s.size() - off);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    off += static_cast<size_t>(n);
  }
  return true;
}

}  // namespace

std::string run_isolated(const std::function<std::string()>& fn, const std::string& what) {
  int fds[2];
  if (::pipe(fds) != 0)
    throw_internal(__FILE__, __LINE__, std::string("pipe failed: ") + std::strerror(errno));
  pid_t pid = ::fork();
  if (pid < 0) {
    ::close(fds[0]);
    ::close(fds[1]);
    throw_internal(__FILE__, __LINE__, std::string("fork failed: ") + std::strerror(errno));
  }
  if (pid == 0) {  // child: never returns into the caller, never runs the parent's atexit code
    ::close(fds[0]);
    std::string reply;
    try {
      reply = "T" + fn();
    } catch (const std::exception& e) {
      reply = std::string("E") + e.what();
    }
    bool sent = write_all(fds[1], reply);
    ::close(fds[1]);
    ::_exit(sent ? 0 : 1);
  }
  ::close(fds[1]);
  std::string reply;
  char buf[65536];
  for (;;) {
    ssize_t n = ::read(fds[0], buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    reply.append(buf, static_cast<size_t>(n));
  }
  ::close(fds[0]);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  // A signal, or a non-zero exit without a reply (sanitizer builds turn crashes into exit 1).
  if (WIFSIGNALED(status) || WEXITSTATUS(status) != 0 || reply.empty()) {
    std::string how = WIFSIGNALED(status) ? "signal " + std::to_string(WTERMSIG(status))
                                          : "exit status " + std::to_string(WEXITSTATUS(status));
    throw_invalid(what + " crashed (" + how +
                  "): the model is inconsistent in a way libonnx does not check");
  }
  if (reply[0] == 'E') throw_invalid(what + " failed: " + reply.substr(1, reply.find('\n') - 1));
  return reply.substr(1);
}

}  // namespace trex
