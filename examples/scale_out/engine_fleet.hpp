// engine_fleet: the coordinator's engine processes. Each slot holds one child: fork + exec of
// /proc/self/exe with the engine role's arguments (`--engine <conninfo>`, `--poll-engine ...`), so
// every engine is a real process with its own address space, store sessions and HTTP server, as in
// production. A child dies with the coordinator (PR_SET_PDEATHSIG), and the fleet SIGKILLs what is
// left when it is destroyed, so no engine outlives a failed run.
#pragma once

#include <syncline_test_support/child_process.hpp>

#include <charconv>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <signal.h>
#include <stdexcept>
#include <string>
#include <string_view>
#include <sys/prctl.h>
#include <unistd.h>
#include <vector>

namespace scale_out {

using steady = std::chrono::steady_clock;

// Where a live engine listens, and which process it is.
struct engine_endpoint {
  std::size_t slot = 0;
  std::uint16_t port = 0;
  long pid = 0;
};

class engine_fleet {
 public:
  // `engine_args`: what follows the program in each child's command line (no secrets: `ps`
  // shows it; those go through the environment).
  engine_fleet(std::vector<std::string> engine_args, std::size_t size)
      : engine_args_(std::move(engine_args)) {
    slots_.resize(size);
  }

  std::size_t size() const noexcept { return slots_.size(); }

  // Starts the engine of `slot` (which must be down) and waits for its "port <n> pid <p>" line;
  // false when it did not say so in time (it is killed then).
  bool start(std::size_t slot) {
    std::vector<std::string> args{"/proc/self/exe"};
    args.insert(args.end(), engine_args_.begin(), engine_args_.end());
    std::vector<char*> argv;  // made before the fork: no allocation between fork and exec
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    const pid_t parent = ::getpid();
    auto child = std::make_unique<syncline::testing::child_process>([&](int out) {
      // Between fork and exec: async-signal-safe calls only.
      ::dup2(out, STDOUT_FILENO);
      ::close(out);
      ::prctl(PR_SET_PDEATHSIG, SIGKILL);
      if (::getppid() != parent) ::_exit(125);
      ::execv(argv[0], argv.data());
      ::_exit(127);
    });
    const std::string line = child->read_line(std::chrono::seconds(30));
    auto endpoint = parse(line);
    if (!endpoint) return false;  // the child_process destructor kills it
    endpoint->slot = slot;
    std::lock_guard lock(m_);
    slots_[slot].child = std::move(child);
    slots_[slot].endpoint = *endpoint;
    return true;
  }

  // SIGKILL, as a crash or the OOM killer would; answers the pid it killed (0: was down).
  long kill(std::size_t slot) {
    std::unique_ptr<syncline::testing::child_process> child;
    long pid = 0;
    {
      std::lock_guard lock(m_);
      child = std::move(slots_[slot].child);
      if (slots_[slot].endpoint) pid = slots_[slot].endpoint->pid;
      slots_[slot].endpoint.reset();
    }
    if (child) child->kill_and_wait();
    return pid;
  }

  // The slot whose engine is the process `pid`, if it is up.
  std::optional<std::size_t> slot_of(long pid) const {
    std::lock_guard lock(m_);
    for (std::size_t i = 0; i < slots_.size(); ++i)
      if (slots_[i].endpoint && slots_[i].endpoint->pid == pid) return i;
    return std::nullopt;
  }

  std::vector<engine_endpoint> live() const {
    std::lock_guard lock(m_);
    std::vector<engine_endpoint> out;
    for (const auto& s : slots_)
      if (s.endpoint) out.push_back(*s.endpoint);
    return out;
  }

  // The pids of the engines that should be up but whose process ended (a crash: the fleet's own
  // kills are not counted).
  std::vector<long> ended() const {
    std::lock_guard lock(m_);
    std::vector<long> out;
    for (const auto& s : slots_)
      if (s.child && !s.child->running()) out.push_back(s.endpoint ? s.endpoint->pid : 0);
    return out;
  }

  void kill_all() {
    for (std::size_t i = 0; i < slots_.size(); ++i) kill(i);
  }
  ~engine_fleet() { kill_all(); }

 private:
  static std::optional<engine_endpoint> parse(std::string_view line) {
    // "port <n> pid <p>"
    engine_endpoint e;
    if (!line.starts_with("port ")) return std::nullopt;
    line.remove_prefix(5);
    auto [end, ec] = std::from_chars(line.data(), line.data() + line.size(), e.port);
    if (ec != std::errc{} || e.port == 0) return std::nullopt;
    line.remove_prefix(static_cast<std::size_t>(end - line.data()));
    if (!line.starts_with(" pid ")) return std::nullopt;
    line.remove_prefix(5);
    auto [end2, ec2] = std::from_chars(line.data(), line.data() + line.size(), e.pid);
    if (ec2 != std::errc{} || end2 != line.data() + line.size()) return std::nullopt;
    return e;
  }

  struct slot {
    std::unique_ptr<syncline::testing::child_process> child;
    std::optional<engine_endpoint> endpoint;
  };
  std::vector<std::string> engine_args_;
  mutable std::mutex m_;
  std::vector<slot> slots_;
};

}  // namespace scale_out
