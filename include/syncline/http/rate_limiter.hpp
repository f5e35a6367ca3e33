// A leaky bucket that paces outgoing calls so steady load never draws a 429. The caller feeds it
// with the server's own accounting (Shopify: "X-Shopify-Shop-Api-Call-Limit: 12/40"), because
// other clients of the same account drain the same bucket and only the server sees them all.
#pragma once

#include <syncline/config.hpp>
#include <syncline/http/leaky_bucket.hpp>

#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <mutex>
#include <string_view>

namespace syncline::http {

class rate_limiter {
 public:
  using clock = std::chrono::steady_clock;

  // `capacity`: calls the bucket holds; `leak_per_second`: how fast it drains (Shopify REST
  // standard plan: 40 and 2). Thread-safe; one limiter per tenant and API.
  SYNCLINE_DECL rate_limiter(double capacity, double leak_per_second);

  // Waits until a call of `cost` fits in the bucket, then counts it. Calls are served in the
  // order they arrive (each reserves its place before it sleeps), so none starves.
  SYNCLINE_DECL boost::asio::awaitable<void> acquire(double cost = 1);

  // The server reports `used` of `capacity` in its bucket. The bucket is resized to the
  // server's capacity, and its level is raised to what the server counts (our own reservations
  // for calls not yet sent stay counted: the server cannot know them yet).
  SYNCLINE_DECL void observe(double used, double capacity);

  // Parses "used/capacity" (the Shopify header's form) and observes it; false when malformed.
  SYNCLINE_DECL bool observe_header(std::string_view value);

  // No call starts before `d` has passed (after a 429 with Retry-After).
  SYNCLINE_DECL void pause_for(std::chrono::milliseconds d);

  // Changes the drain rate (e.g. a plan upgrade seen in the server's answers).
  SYNCLINE_DECL void set_leak_rate(double leak_per_second);

  SYNCLINE_DECL double level() const;
  SYNCLINE_DECL double capacity() const;
  SYNCLINE_DECL double leak_rate() const;

  // How long a call of `cost` must wait, counting it as sent once that time has passed.
  // Exposed for callers that pace by other means (and for tests).
  SYNCLINE_DECL clock::duration reserve(double cost = 1);

 private:
  // The level is a function of time; draining on read keeps it current (hence `mutable`).
  SYNCLINE_DECL void drain(clock::time_point now) const;

  mutable std::mutex m_;
  mutable leaky_bucket bucket_;
  mutable clock::time_point last_;
  clock::time_point paused_until_{};
};

}  // namespace syncline::http

#if SYNCLINE_HEADER_ONLY
#include <syncline/http/impl/rate_limiter.ipp>
#endif
