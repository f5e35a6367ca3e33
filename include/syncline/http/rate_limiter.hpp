// A leaky bucket that paces outgoing calls so steady load never draws a 429. The caller feeds it
// with the server's own accounting (Shopify: "X-Shopify-Shop-Api-Call-Limit: 12/40"), because
// other clients of the same account drain the same bucket and only the server sees them all.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/system/error_code.hpp>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string_view>
#include <utility>

namespace syncline::http {

class rate_limiter {
 public:
  using clock = std::chrono::steady_clock;

  // `capacity`: calls the bucket holds; `leak_per_second`: how fast it drains (Shopify REST
  // standard plan: 40 and 2). Thread-safe; one limiter per tenant and API.
  rate_limiter(double capacity, double leak_per_second)
      : capacity_(capacity), leak_(leak_per_second), last_(clock::now()) {
    if (!(capacity > 0) || !(leak_per_second > 0))
      throw std::invalid_argument("syncline: rate_limiter needs a positive capacity and leak rate");
  }

  // Waits until a call of `cost` fits in the bucket, then counts it. Calls are served in the
  // order they arrive (each reserves its place before it sleeps), so none starves.
  boost::asio::awaitable<void> acquire(double cost = 1) {
    auto wait = reserve(cost);
    if (wait <= clock::duration::zero()) co_return;
    boost::asio::steady_timer timer(co_await boost::asio::this_coro::executor, wait);
    boost::system::error_code ec;  // a cancelled wait just ends early
    co_await timer.async_wait(boost::asio::redirect_error(boost::asio::use_awaitable, ec));
  }

  // The server reports `used` of `capacity` in its bucket. The bucket is resized to the
  // server's capacity, and its level is raised to what the server counts (our own reservations
  // for calls not yet sent stay counted: the server cannot know them yet).
  void observe(double used, double capacity) {
    std::lock_guard lock(m_);
    drain(clock::now());
    if (capacity > 0) capacity_ = capacity;
    level_ = std::max(level_, used);
  }

  // Parses "used/capacity" (the Shopify header's form) and observes it; false when malformed.
  bool observe_header(std::string_view value) {
    auto slash = value.find('/');
    if (slash == std::string_view::npos) return false;
    double used = 0, cap = 0;
    auto a = std::from_chars(value.data(), value.data() + slash, used);
    auto b = std::from_chars(value.data() + slash + 1, value.data() + value.size(), cap);
    if (a.ec != std::errc{} || a.ptr != value.data() + slash || b.ec != std::errc{} ||
        b.ptr != value.data() + value.size() || used < 0 || cap <= 0)
      return false;
    observe(used, cap);
    return true;
  }

  // No call starts before `d` has passed (after a 429 with Retry-After).
  void pause_for(std::chrono::milliseconds d) {
    std::lock_guard lock(m_);
    paused_until_ = std::max(paused_until_, clock::now() + d);
  }

  // Changes the drain rate (e.g. a plan upgrade seen in the server's answers).
  void set_leak_rate(double leak_per_second) {
    if (!(leak_per_second > 0)) return;
    std::lock_guard lock(m_);
    drain(clock::now());
    leak_ = leak_per_second;
  }

  double level() const {
    std::lock_guard lock(m_);
    drain(clock::now());
    return level_;
  }
  double capacity() const {
    std::lock_guard lock(m_);
    return capacity_;
  }

  // How long a call of `cost` must wait, counting it as sent once that time has passed.
  // Exposed for callers that pace by other means (and for tests).
  clock::duration reserve(double cost = 1) {
    std::lock_guard lock(m_);
    auto now = clock::now();
    drain(now);
    level_ += cost;
    clock::duration wait = clock::duration::zero();
    if (level_ > capacity_) {
      wait = std::chrono::duration_cast<clock::duration>(
          std::chrono::duration<double>((level_ - capacity_) / leak_));
    }
    if (paused_until_ > now) wait = std::max(wait, paused_until_ - now);
    return wait;
  }

 private:
  // The level is a function of time; draining on read keeps it current (hence `mutable`).
  void drain(clock::time_point now) const {
    if (now > last_) {
      level_ = std::max(0.0, level_ - leak_ * std::chrono::duration<double>(now - last_).count());
      last_ = now;
    }
  }

  mutable std::mutex m_;
  double capacity_;
  double leak_;
  mutable double level_ = 0;
  mutable clock::time_point last_;
  clock::time_point paused_until_{};
};

}  // namespace syncline::http
