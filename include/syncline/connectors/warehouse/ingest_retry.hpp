// How the HTTP ingest sinks (BigQuery, Snowflake) retry inside one flush: the failures a later
// attempt may get past (a 5xx, per-row backend errors, a lost answer) are re-sent with the same
// insertId / requestId, so the service applies them once; the waits follow the client's
// jittered exponential backoff. What is still failing after the last attempt goes back to the
// runtime, which retries the run later.
#pragma once

#include <syncline/http/request_retry.hpp>

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <chrono>
#include <random>
#include <utility>

namespace syncline::warehouse {

class ingest_retry {
 public:
  explicit ingest_retry(http::request_retry policy)
      : policy_(std::move(policy)), started_(std::chrono::steady_clock::now()) {}

  int attempt() const noexcept { return attempt_; }

  // Waits before the next attempt; false when the attempts or the time budget are spent.
  boost::asio::awaitable<bool> next() {
    if (attempt_ >= policy_.max_attempts) co_return false;
    const auto wait = policy_.backoff(attempt_ - 1, rng_);
    if (std::chrono::steady_clock::now() + wait - started_ > policy_.max_elapsed) co_return false;
    ++attempt_;
    boost::asio::steady_timer timer(co_await boost::asio::this_coro::executor, wait);
    co_await timer.async_wait(boost::asio::use_awaitable);
    co_return true;
  }

 private:
  http::request_retry policy_;
  std::chrono::steady_clock::time_point started_;
  int attempt_ = 1;
  std::minstd_rand rng_{std::random_device{}()};
};

}  // namespace syncline::warehouse
