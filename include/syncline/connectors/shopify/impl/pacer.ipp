// The bodies of shopify::pacer's shared pacing. Compiled once in separate mode (see
// <syncline/config.hpp>).
#pragma once

#include <syncline/connectors/shopify/pacer.hpp>

#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/system/error_code.hpp>

#include <chrono>

namespace syncline::shopify {

SYNCLINE_DECL boost::asio::awaitable<void> pacer::acquire_rest(store::store* shared) {
  return acquire("rest", rest_, 1, shared);
}

SYNCLINE_DECL boost::asio::awaitable<void> pacer::acquire_graphql(double cost,
                                                                  store::store* shared) {
  return acquire("graphql", graphql_, cost, shared);
}

SYNCLINE_DECL boost::asio::awaitable<void> pacer::acquire(std::string_view api,
                                                          http::rate_limiter& local, double cost,
                                                          store::store* shared) {
  // Both are counted: the local bucket keeps this process's pauses (Retry-After) and paces alone
  // whenever the store fails, so it must know every call.
  auto wait = std::chrono::duration_cast<std::chrono::nanoseconds>(local.reserve(cost));
  if (shared) {
    auto r = shared->reserve_rate(shared_bucket(api, local), cost);
    if (r) {
      shared_worked();
      wait = std::max(wait, *r);
    } else {
      ++unshared_;
      shared_failed(api, r.error());
    }
  }
  if (wait <= std::chrono::nanoseconds::zero()) co_return;
  boost::asio::steady_timer timer(co_await boost::asio::this_coro::executor, wait);
  boost::system::error_code ec;  // a cancelled wait just ends early
  co_await timer.async_wait(boost::asio::redirect_error(boost::asio::use_awaitable, ec));
}

SYNCLINE_DECL void pacer::observe_shared(store::store& shared, std::string_view api,
                                         const http::rate_limiter& local, double used) {
  if (auto r = shared.observe_rate(shared_bucket(api, local), used); !r) {
    shared_failed(api, r.error());
  } else {
    shared_worked();
  }
}

SYNCLINE_DECL void pacer::shared_failed(std::string_view api, const ::syncline::error& e) {
  if (shared_failing_.exchange(true)) return;
  log_(log_level::warn,
       format_log_line(std::chrono::system_clock::now(), log_level::warn,
                       "shared rate limit unavailable: pacing this shop by this process's "
                       "calls alone until the store answers again",
                       {{"shop", shop_}, {"api", api}, {"error", to_string(e)}}));
}

SYNCLINE_DECL void pacer::shared_worked() {
  if (!shared_failing_.exchange(false)) return;
  log_(log_level::info, format_log_line(std::chrono::system_clock::now(), log_level::info,
                                        "shared rate limit available again", {{"shop", shop_}}));
}

}  // namespace syncline::shopify
