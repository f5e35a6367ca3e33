// The client's keep-alive pool for one (scheme, host, port). Everything here runs on the
// pool's strand, so its state needs no lock; requests to other hosts run on other strands.
#pragma once

#include <syncline/core/result.hpp>
#include <syncline/http/detail/nothrow.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <boost/system/error_code.hpp>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstddef>
#include <deque>
#include <list>
#include <memory>
#include <random>
#include <string>
#include <sys/socket.h>
#include <utility>

namespace syncline::http::detail {

using pool_clock = std::chrono::steady_clock;

// One open connection: plain or TLS (exactly one of the two streams is set).
struct pooled_connection {
  std::unique_ptr<boost::beast::tcp_stream> plain;
  std::unique_ptr<boost::beast::ssl_stream<boost::beast::tcp_stream>> tls;
  boost::beast::flat_buffer buffer;
  pool_clock::time_point idle_since{};

  boost::beast::tcp_stream& tcp() { return tls ? tls->next_layer() : *plain; }

  // A kept-alive connection the server has closed (or written to unasked) must not carry the
  // next request. One non-blocking peek tells: EOF, an error or unexpected bytes mean stale.
  // On TLS, bytes may be a legitimate post-handshake message, so only EOF and errors count.
  bool looks_alive() {
    auto& socket = tcp().socket();
    if (!socket.is_open()) return false;
    char byte;
    const auto n = ::recv(socket.native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
    if (n == 0) return false;
    if (n < 0) return errno == EAGAIN || errno == EWOULDBLOCK;
    return tls != nullptr;
  }

  void close() {
    boost::system::error_code ignored;
    auto& socket = tcp().socket();
    socket.shutdown(boost::asio::ip::tcp::socket::shutdown_both, ignored);
    socket.close(ignored);
  }
};

class host_pool;

// The right to use one connection slot of a pool. Give it back with keep() when the connection
// can carry another request; otherwise the destructor closes the connection and frees the slot.
class pool_lease {
 public:
  pool_lease() = default;
  pool_lease(std::shared_ptr<host_pool> pool, std::unique_ptr<pooled_connection> c, bool reused)
      : pool_(std::move(pool)), conn_(std::move(c)), reused_(reused) {}
  pool_lease(pool_lease&& o) noexcept
      : pool_(std::move(o.pool_)), conn_(std::move(o.conn_)), reused_(o.reused_) {}
  pool_lease& operator=(pool_lease&& o) noexcept {
    if (this != &o) {
      release(false);
      pool_ = std::move(o.pool_);
      conn_ = std::move(o.conn_);
      reused_ = o.reused_;
    }
    return *this;
  }
  ~pool_lease() { release(false); }

  pooled_connection* connection() const noexcept { return conn_.get(); }
  void set_connection(std::unique_ptr<pooled_connection> c) { conn_ = std::move(c); }
  bool reused() const noexcept { return reused_; }
  void keep() { release(true); }

 private:
  inline void release(bool keep);
  std::shared_ptr<host_pool> pool_;
  std::unique_ptr<pooled_connection> conn_;
  bool reused_ = false;
};

class host_pool : public std::enable_shared_from_this<host_pool> {
  struct watched {
    pool_clock::time_point deadline;
    int fd;         // -1 once shut down
    bool* expired;  // owned by the request, which unwatches before it goes
  };

 public:
  host_pool(boost::asio::any_io_executor ex, std::size_t max_connections,
            std::chrono::milliseconds idle_timeout)
      : strand_(make_pool_strand(ex)),
        max_(max_connections == 0 ? 1 : max_connections),
        idle_timeout_(idle_timeout),
        rng_(std::random_device{}()) {}

  ~host_pool() {
    for (auto& c : idle_) c->close();
  }

  const boost::asio::any_io_executor& strand() const { return strand_; }
  std::minstd_rand& rng() { return rng_; }

  // A lease holding an idle connection (reused), or an empty one that may open a connection.
  // Waits while the pool is at its cap; errc::timeout if `deadline` passes first.
  boost::asio::awaitable<result<pool_lease>> acquire(pool_clock::time_point deadline) {
    for (;;) {
      purge_expired(pool_clock::now());
      while (!idle_.empty()) {
        auto c = std::move(idle_.back());  // most recently used: the warmest connection
        idle_.pop_back();
        if (c->looks_alive()) {
          c->tcp().expires_never();
          co_return pool_lease(shared_from_this(), std::move(c), true);
        }
        c->close();
        ++stale_dropped_;
        --open_;
      }
      if (open_ < max_) {
        ++open_;
        co_return pool_lease(shared_from_this(), nullptr, false);
      }
      auto w = std::make_shared<waiter>(strand_, deadline);
      waiters_.push_back(w);
      co_await w->timer.async_wait(use_nothrow);
      if (!w->notified) {
        waiters_.remove(w);
        if (pool_clock::now() >= deadline)
          co_return make_error(errc::timeout, "no free connection (all " + std::to_string(max_) +
                                                  " in use) before the deadline");
      }
    }
  }

  // Closes every idle connection now.
  void close_idle() {
    for (auto& c : idle_) c->close();
    open_ -= idle_.size();
    idle_.clear();
    notify_one();
  }

  // Deadlines of requests in flight. Beast's per-operation stream timers cost a timer update
  // (a syscall and often a reactor wake-up) at the start and end of every read and write;
  // here one timer per pool serves every request in flight and is moved only when a deadline
  // earlier than its expiry arrives, which with one timeout for all calls is rare. On expiry
  // the socket is shut down, which ends the pending operation; `expired` tells the request why.
  class deadline_watch {
   public:
    deadline_watch() = default;
    deadline_watch(std::shared_ptr<host_pool> p, std::list<watched>::iterator it)
        : pool_(std::move(p)), it_(it) {}
    deadline_watch(deadline_watch&& o) noexcept : pool_(std::move(o.pool_)), it_(o.it_) {}
    deadline_watch& operator=(deadline_watch&&) = delete;
    ~deadline_watch() {
      if (pool_) pool_->unwatch(it_);
    }

   private:
    std::shared_ptr<host_pool> pool_;  // shared: coroutine frames may be destroyed in any order
    std::list<watched>::iterator it_;
  };

  // Watches `fd` until the returned guard is destroyed (on the pool's strand, like all else).
  deadline_watch watch(int fd, pool_clock::time_point deadline, bool& expired) {
    auto it = watched_.insert(watched_.end(), watched{deadline, fd, &expired});
    if (!timer_armed_ || deadline < deadline_timer_.expiry()) arm(deadline);
    return deadline_watch(shared_from_this(), it);
  }

  std::size_t open() const noexcept { return open_; }
  std::size_t idle() const noexcept { return idle_.size(); }
  std::size_t stale_dropped() const noexcept { return stale_dropped_; }

 private:
  friend class pool_lease;
  struct waiter {
    waiter(const boost::asio::any_io_executor& s, pool_clock::time_point t) : timer(s, t) {}
    boost::asio::steady_timer timer;
    bool notified = false;
  };

  void unwatch(std::list<watched>::iterator it) {
    watched_.erase(it);
    // Nothing in flight: no timer may outlive the work (io_context::run() must be able to end).
    if (watched_.empty() && timer_armed_) {
      timer_armed_ = false;
      deadline_timer_.cancel();
    }
  }

  void arm(pool_clock::time_point t) {
    timer_armed_ = true;
    deadline_timer_.expires_at(t);  // a wait already pending ends with operation_aborted
    deadline_timer_.async_wait([w = weak_from_this()](boost::system::error_code ec) {
      if (ec) return;
      if (auto p = w.lock()) p->on_deadline();
    });
  }

  void on_deadline() {
    timer_armed_ = false;
    const auto now = pool_clock::now();
    auto next = pool_clock::time_point::max();
    for (auto& w : watched_) {
      if (w.fd < 0) continue;
      if (w.deadline <= now) {
        *w.expired = true;
        ::shutdown(w.fd, SHUT_RDWR);
        w.fd = -1;
      } else {
        next = std::min(next, w.deadline);
      }
    }
    if (next != pool_clock::time_point::max()) arm(next);
  }

  void give_back(std::unique_ptr<pooled_connection> c, bool keep) {
    if (keep && c) {
      c->idle_since = pool_clock::now();
      idle_.push_back(std::move(c));
      purge_expired(pool_clock::now());
    } else {
      if (c) c->close();
      --open_;
    }
    notify_one();
  }

  void notify_one() {
    if (waiters_.empty()) return;
    auto w = std::move(waiters_.front());
    waiters_.pop_front();
    w->notified = true;
    w->timer.cancel();
  }

  void purge_expired(pool_clock::time_point now) {
    while (!idle_.empty() && now - idle_.front()->idle_since >= idle_timeout_) {
      idle_.front()->close();
      idle_.pop_front();
      --open_;
    }
  }

  // A strand over io_context's concrete executor when possible: it fits inside
  // any_io_executor's small-object buffer, so copying it (several times per I/O operation)
  // allocates nothing; a strand over any_io_executor would be boxed on the heap.
  static boost::asio::any_io_executor make_pool_strand(const boost::asio::any_io_executor& ex) {
    if (auto* ctx = ex.target<boost::asio::io_context::executor_type>())
      return boost::asio::make_strand(*ctx);
    return boost::asio::make_strand(ex);
  }

  boost::asio::any_io_executor strand_;
  std::size_t max_;
  std::chrono::milliseconds idle_timeout_;
  std::size_t open_ = 0;  // idle + in use + being opened
  std::size_t stale_dropped_ = 0;
  std::deque<std::unique_ptr<pooled_connection>> idle_;  // oldest first
  std::list<std::shared_ptr<waiter>> waiters_;
  std::list<watched> watched_;
  boost::asio::steady_timer deadline_timer_{strand_};
  bool timer_armed_ = false;
  std::minstd_rand rng_;
};

inline void pool_lease::release(bool keep) {
  if (!pool_) return;
  auto pool = std::move(pool_);
  pool->give_back(std::move(conn_), keep);
}

}  // namespace syncline::http::detail
