// One open connection of an http::server as the server's other parts see it: its deadline (for
// the reaper), whether a request is in progress (for stop() and eviction), and a way to end its
// pending read from another thread.
#pragma once

#include <atomic>
#include <chrono>
#include <limits>
#include <mutex>
#include <sys/socket.h>

namespace syncline::http::detail {

using clock = std::chrono::steady_clock;

// One connection's deadline and what the reaper needs to enforce it.
//
// Connections run without a strand: a connection is one coroutine, so its own steps never
// overlap, and a strand per connection cost about a quarter of a small request's CPU time
// (docs/perf/http.md). Timeouts are enforced by one reaper per server that wakes a few times per
// shortest timeout and shuts down the socket of each connection whose deadline has passed:
// shutdown(2) on the descriptor is safe from any thread (unlike touching the socket object), makes
// the pending read end, and in a read phase leaves the connection able to send its 408. `fd` is
// guarded by `m` so the reaper never shuts down a descriptor number the connection has already
// closed and the kernel reused.
struct connection_state {
  using rep = clock::rep;
  static constexpr rep never = std::numeric_limits<rep>::max();

  std::mutex m;
  int fd = -1;                         // guarded by m; -1 once the connection closes its socket
  std::atomic<rep> deadline{never};    // steady_clock ticks
  std::atomic<bool> read_phase{true};  // on expiry: stop reading only (true) or everything
  std::atomic<bool> expired{false};    // the last deadline passed
  std::atomic<bool> busy{false};       // a request is being received or handled

  void arm(clock::duration d, bool reading = true) {
    expired.store(false, std::memory_order_relaxed);
    read_phase.store(reading, std::memory_order_relaxed);
    deadline.store((clock::now() + d).time_since_epoch().count(), std::memory_order_release);
  }
  void disarm() {
    expired.store(false, std::memory_order_relaxed);
    deadline.store(never, std::memory_order_release);
  }
  void attach(int descriptor) {
    std::lock_guard lock(m);
    fd = descriptor;
  }
  void detach() {
    std::lock_guard lock(m);
    fd = -1;
  }
  // Ends the pending read (and, when not in a read phase, writes too). Any thread.
  void interrupt(bool everything) {
    std::lock_guard lock(m);
    if (fd >= 0) ::shutdown(fd, everything ? SHUT_RDWR : SHUT_RD);
  }
  // Called by the reaper: true when this connection's deadline had passed.
  bool reap(rep now) {
    rep d = deadline.load(std::memory_order_acquire);
    if (d > now || !deadline.compare_exchange_strong(d, never)) return false;
    expired.store(true, std::memory_order_release);
    interrupt(!read_phase.load(std::memory_order_relaxed));
    return true;
  }
};

}  // namespace syncline::http::detail
