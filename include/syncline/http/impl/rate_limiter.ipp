// The bodies of <syncline/http/rate_limiter.hpp>.
#pragma once

#include <syncline/http/rate_limiter.hpp>

#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/system/error_code.hpp>

#include <algorithm>
#include <charconv>
#include <stdexcept>
#include <system_error>

namespace syncline::http {

SYNCLINE_DECL rate_limiter::rate_limiter(double capacity, double leak_per_second)
    : bucket_{capacity, leak_per_second}, last_(clock::now()) {
  if (!bucket_.valid())
    throw std::invalid_argument("syncline: rate_limiter needs a positive capacity and leak rate");
}

SYNCLINE_DECL boost::asio::awaitable<void> rate_limiter::acquire(double cost) {
  auto wait = reserve(cost);
  if (wait <= clock::duration::zero()) co_return;
  boost::asio::steady_timer timer(co_await boost::asio::this_coro::executor, wait);
  boost::system::error_code ec;  // a cancelled wait just ends early
  co_await timer.async_wait(boost::asio::redirect_error(boost::asio::use_awaitable, ec));
}

SYNCLINE_DECL void rate_limiter::observe(double used, double capacity) {
  std::lock_guard lock(m_);
  drain(clock::now());
  if (capacity > 0) bucket_.capacity = capacity;
  bucket_.observe(used);
}

SYNCLINE_DECL bool rate_limiter::observe_header(std::string_view value) {
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

SYNCLINE_DECL void rate_limiter::pause_for(std::chrono::milliseconds d) {
  std::lock_guard lock(m_);
  paused_until_ = std::max(paused_until_, clock::now() + d);
}

SYNCLINE_DECL void rate_limiter::set_leak_rate(double leak_per_second) {
  if (!(leak_per_second > 0)) return;
  std::lock_guard lock(m_);
  drain(clock::now());
  bucket_.leak_per_second = leak_per_second;
}

SYNCLINE_DECL double rate_limiter::level() const {
  std::lock_guard lock(m_);
  drain(clock::now());
  return bucket_.level;
}

SYNCLINE_DECL double rate_limiter::capacity() const {
  std::lock_guard lock(m_);
  return bucket_.capacity;
}

SYNCLINE_DECL double rate_limiter::leak_rate() const {
  std::lock_guard lock(m_);
  return bucket_.leak_per_second;
}

SYNCLINE_DECL rate_limiter::clock::duration rate_limiter::reserve(double cost) {
  std::lock_guard lock(m_);
  auto now = clock::now();
  drain(now);
  clock::duration wait = std::chrono::duration_cast<clock::duration>(
      std::chrono::duration<double>(bucket_.reserve(cost)));
  if (paused_until_ > now) wait = std::max(wait, paused_until_ - now);
  return wait;
}

SYNCLINE_DECL void rate_limiter::drain(clock::time_point now) const {
  if (now > last_) {
    bucket_.drain(std::chrono::duration<double>(now - last_).count());
    last_ = now;
  }
}

}  // namespace syncline::http
