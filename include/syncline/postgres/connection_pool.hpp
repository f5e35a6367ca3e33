// postgres::connection_pool: a fixed set of connections to one server, lent out one caller at a
// time, so that calls from many threads run side by side up to the pool's size. A connection
// that broke (the server restarted, the network dropped it) is reconnected when it is next lent
// out, and its session set up again, so a failure costs the call that met it and no more.
#pragma once

#include <syncline/core/result.hpp>
#include <syncline/postgres/connection.hpp>

#include <condition_variable>
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <utility>
#include <vector>

namespace syncline::postgres {

class connection_pool {
 public:
  // Run on each new session (its settings: search_path, synchronous_commit...): at creation and
  // after every reconnect, since a new session has none of the old one's.
  using session_setup = std::function<result<void>(connection&)>;

 private:
  struct slot {
    connection c;
    bool ready = true;  // its session is set up; false after a reconnect whose setup failed
  };
  // Behind a pointer, so the pool moves while leases and the idle list point into it.
  struct state {
    std::vector<slot> all;  // never resized after open: idle points into it
    std::mutex mu;
    std::condition_variable idle_cv;
    std::vector<slot*> idle;
    session_setup setup;

    void give_back(slot* c) {
      {
        std::lock_guard lock(mu);
        idle.push_back(c);
      }
      idle_cv.notify_one();
    }
  };

 public:
  // Opens `size` connections; fails with the first connection's error.
  static result<connection_pool> open(const secret& conninfo, std::size_t size,
                                      connection_options options, session_setup setup) {
    connection_pool pool;
    pool.state_ = std::make_unique<state>();
    pool.state_->setup = std::move(setup);
    for (std::size_t i = 0; i < size; ++i) {
      auto c = connection::connect(conninfo, options);
      if (!c) return std::move(c).error();
      if (pool.state_->setup) {
        if (auto r = pool.state_->setup(*c); !r) return std::move(r).error();
      }
      pool.state_->all.push_back({std::move(*c)});
    }
    for (auto& c : pool.state_->all) pool.state_->idle.push_back(&c);
    return pool;
  }

  class lease {
   public:
    lease(connection_pool::state& s, slot* c) : state_(&s), c_(c) {}
    lease(lease&& o) noexcept : state_(o.state_), c_(std::exchange(o.c_, nullptr)) {}
    lease& operator=(lease&&) = delete;
    ~lease() {
      if (c_ != nullptr) state_->give_back(c_);
    }
    connection& operator*() const { return c_->c; }
    connection* operator->() const { return &c_->c; }

   private:
    connection_pool::state* state_;
    slot* c_;
  };

  // Waits while every connection is lent; reconnects a broken one before lending it.
  result<lease> acquire() {
    state& s = *state_;
    std::unique_lock lock(s.mu);
    s.idle_cv.wait(lock, [&] { return !s.idle.empty(); });
    slot* c = s.idle.back();
    s.idle.pop_back();
    lock.unlock();
    lease out(s, c);
    if (c->c.broken() || !c->ready) {
      c->ready = false;
      if (auto r = c->c.ensure_connected(); !r) return std::move(r).error();
      if (s.setup) {
        if (auto r = s.setup(c->c); !r) return std::move(r).error();
      }
      c->ready = true;
    }
    return out;
  }

 private:
  connection_pool() = default;

  std::unique_ptr<state> state_;
};

}  // namespace syncline::postgres
