// postgres::listener: a session of its own that LISTENs on one channel and calls `notified` on a
// thread of its own when notifications arrive, so that a process learns at once what another
// process announced (pg_notify) instead of polling for it.
//
// Everything that waits (connecting, LISTEN, the notifications) waits with poll() on the
// session's socket and on a stop eventfd, so the destructor ends the thread at once, whatever it
// was doing. A lost session (the server restarted) is connected again every retry interval; once
// it listens again `notified` is called once, since what was announced meanwhile is lost (and
// once at the first LISTEN, which covers what came before it). Nothing is reported: a listener
// that cannot connect only costs its user the wake-ups, and a user that must not miss work polls
// too.
#pragma once

#include <syncline/core/result.hpp>
#include <syncline/core/secret.hpp>
#include <syncline/postgres/connection.hpp>

#include <cerrno>
#include <chrono>
#include <cstdint>
#include <functional>
#include <libpq-fe.h>
#include <memory>
#include <poll.h>
#include <string>
#include <sys/eventfd.h>
#include <thread>
#include <unistd.h>
#include <utility>

namespace syncline::postgres {

class listener {
 public:
  // Starts the thread (it connects itself: a server that is down now only delays the first
  // LISTEN). `channel` is the channel's name as pg_notify takes it (it is quoted here).
  static result<std::unique_ptr<listener>> start(secret conninfo, std::string channel,
                                                 std::function<void()> notified,
                                                 std::chrono::milliseconds retry = default_retry) {
    const int stop = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (stop < 0) return make_error(errc::internal, "listener: eventfd failed");
    std::unique_ptr<listener> l(
        new listener(std::move(conninfo), std::move(channel), std::move(notified), retry, stop));
    l->thread_ = std::thread([p = l.get()] { p->run(); });
    return l;
  }

  listener(const listener&) = delete;
  listener& operator=(const listener&) = delete;

  // Returns once the thread has ended: `notified` is not running and will not run again.
  ~listener() {
    const std::uint64_t one = 1;
    while (::write(stop_, &one, sizeof one) < 0 && errno == EINTR) {
    }
    if (thread_.joinable()) thread_.join();
    ::close(stop_);
  }

  static constexpr std::chrono::milliseconds default_retry{500};

 private:
  using session = std::unique_ptr<PGconn, detail::conn_closer>;
  enum class woke { socket, stop, timeout };

  listener(secret conninfo, std::string channel, std::function<void()> notified,
           std::chrono::milliseconds retry, int stop)
      : conninfo_(std::move(conninfo)),
        channel_(std::move(channel)),
        notified_(std::move(notified)),
        retry_(retry),
        stop_(stop) {}

  // Waits until `fd` is ready for `events`, the stop fd is signalled, or `timeout` (-1: none).
  woke wait(int fd, short events, int timeout_ms) const {
    pollfd fds[2] = {{stop_, POLLIN, 0}, {fd, events, 0}};
    for (;;) {
      const int n = ::poll(fds, fd >= 0 ? 2 : 1, timeout_ms);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return woke::stop;  // cannot wait: end rather than spin
      if (fds[0].revents != 0) return woke::stop;
      if (n == 0) return woke::timeout;
      return woke::socket;
    }
  }

  bool sleep_unless_stopped(std::chrono::milliseconds d) const {
    return wait(-1, 0, static_cast<int>(d.count())) != woke::stop;
  }

  // A session that listens on the channel; null when the server cannot be reached (or stop).
  session connect_and_listen() const {
    session c(PQconnectStart(std::string(conninfo_.reveal()).c_str()));
    if (!c || PQstatus(c.get()) == CONNECTION_BAD) return nullptr;
    PQsetNoticeProcessor(
        c.get(), [](void*, const char*) {}, nullptr);
    // As libpq documents: begin as if PQconnectPoll had answered "writing".
    for (PostgresPollingStatusType st = PGRES_POLLING_WRITING; st != PGRES_POLLING_OK;
         st = PQconnectPoll(c.get())) {
      if (st == PGRES_POLLING_FAILED) return nullptr;
      const short events = st == PGRES_POLLING_READING ? POLLIN : POLLOUT;
      if (wait(PQsocket(c.get()), events, step_timeout_ms) != woke::socket) return nullptr;
    }
    char* quoted = PQescapeIdentifier(c.get(), channel_.data(), channel_.size());
    if (!quoted) return nullptr;
    const std::string sql = std::string("LISTEN ") + quoted;
    PQfreemem(quoted);
    if (PQsendQuery(c.get(), sql.c_str()) != 1) return nullptr;
    while (PQisBusy(c.get())) {
      if (wait(PQsocket(c.get()), POLLIN, step_timeout_ms) != woke::socket) return nullptr;
      if (PQconsumeInput(c.get()) != 1) return nullptr;
    }
    bool ok = true;
    while (PGresult* r = PQgetResult(c.get())) {
      ok = ok && PQresultStatus(r) == PGRES_COMMAND_OK;
      PQclear(r);
    }
    return ok ? std::move(c) : nullptr;
  }

  void run() {
    for (;;) {
      session c = connect_and_listen();
      if (!c) {
        if (!sleep_unless_stopped(retry_)) return;
        continue;
      }
      notified_();  // what was announced before this LISTEN (or while the session was lost)
      while (PQsocket(c.get()) >= 0) {  // -1: libpq closed it (then connect again)
        const woke w = wait(PQsocket(c.get()), POLLIN, -1);
        if (w == woke::stop) return;
        if (PQconsumeInput(c.get()) != 1) break;  // the session is lost: connect again
        bool any = false;
        while (PGnotify* n = PQnotifies(c.get())) {
          PQfreemem(n);
          any = true;
        }
        if (any) notified_();
        if (PQstatus(c.get()) != CONNECTION_OK) break;
      }
      if (!sleep_unless_stopped(retry_)) return;
    }
  }

  // A step of connecting or of LISTEN that takes longer has met a server that does not answer.
  static constexpr int step_timeout_ms = 10'000;

  secret conninfo_;
  std::string channel_;
  std::function<void()> notified_;
  std::chrono::milliseconds retry_;
  int stop_;
  std::thread thread_;  // last: started once the members above are set
};

}  // namespace syncline::postgres
