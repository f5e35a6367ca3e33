// syncline::testing::child_process: a forked child for crash tests. The child runs `body(fd)`,
// writes lines to fd for the parent, and never returns (it waits to be killed, or _exit()s);
// the parent reads those lines with a bound on every wait and kills the child with SIGKILL, as
// a crash would. Fork before the parent opens any database: a SQLite connection must not cross
// a fork.
//
//   syncline::testing::child_process child([&](int out) { ...; write(out, "42\n", 3); pause(); });
//   const std::string id = child.read_line();  // "" if the child died or said nothing in time
//   const int status = child.kill_and_wait();  // WIFSIGNALED(status) && WTERMSIG == SIGKILL
#pragma once

#include <chrono>
#include <poll.h>
#include <signal.h>
#include <stdexcept>
#include <string>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>
#include <utility>

namespace syncline::testing {

class child_process {
 public:
  template <class Body>
  explicit child_process(Body&& body) {
    int fds[2];
    if (::pipe(fds) != 0) throw std::runtime_error("child_process: pipe() failed");
    pid_ = ::fork();
    if (pid_ < 0) throw std::runtime_error("child_process: fork() failed");
    if (pid_ == 0) {
      ::close(fds[0]);
      std::forward<Body>(body)(fds[1]);
      ::_exit(0);  // a body that returns: the parent sees EOF
    }
    ::close(fds[1]);
    from_child_ = fds[0];
  }
  child_process(const child_process&) = delete;
  child_process& operator=(const child_process&) = delete;
  // A test that failed half-way leaves no child behind.
  ~child_process() {
    if (pid_ > 0) kill_and_wait();
    if (from_child_ >= 0) ::close(from_child_);
  }

  // The next line the child wrote, without its newline; "" when the pipe closed (the child died)
  // or no line came within `limit`.
  std::string read_line(std::chrono::milliseconds limit = std::chrono::seconds(30)) {
    const auto give_up = std::chrono::steady_clock::now() + limit;
    std::string line;
    while (std::chrono::steady_clock::now() < give_up) {
      pollfd p{from_child_, POLLIN, 0};
      if (::poll(&p, 1, 100) <= 0) continue;
      char c = 0;
      if (::read(from_child_, &c, 1) != 1) return "";
      if (c == '\n') return line;
      line += c;
    }
    return "";
  }

  // Whether the child still runs. One that ended is reaped here (kill_and_wait answers -1 then).
  bool running() {
    if (pid_ <= 0) return false;
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == 0) return true;
    pid_ = -1;
    return false;
  }

  // SIGKILL, then reaps the child; answers its wait status (-1 when it was reaped already).
  int kill_and_wait() {
    if (pid_ <= 0) return -1;
    ::kill(pid_, SIGKILL);
    int status = 0;
    const pid_t reaped = ::waitpid(std::exchange(pid_, -1), &status, 0);
    return reaped > 0 ? status : -1;
  }

 private:
  pid_t pid_ = -1;
  int from_child_ = -1;
};

}  // namespace syncline::testing
