// shopify::pacer: one shop's rate-limit state, so that a long run of calls never draws a 429.
// Shopify meters each (shop, app) pair in two buckets: REST calls (40, leaking 2/s on the
// standard plan) and GraphQL cost points (2000, restoring 100/s). The pacer keeps a leaky bucket
// for each, starts from the plan, and follows what Shopify says after every answer
// (X-Shopify-Shop-Api-Call-Limit, extensions.cost.throttleStatus), because other apps' and
// other processes' calls drain the same buckets and only Shopify sees them all.
//
// Several engine processes calling one shop would each fill the bucket on their own and
// together overflow it. So when the caller gives a store (admin_api does, from the run's
// context), every call is also reserved in a bucket that every store of the database shares
// (store::reserve_rate, named "shopify/<shop>/rest" or ".../graphql"), and waits for the later
// of the two: the shared one counts every process's calls. If the store fails, the call is paced
// by this process's bucket alone (logged once per failure streak), never not at all.
#pragma once

#include <syncline/config.hpp>
#include <syncline/connectors/shopify/app.hpp>
#include <syncline/http/rate_limiter.hpp>
#include <syncline/runtime/log.hpp>
#include <syncline/store/store.hpp>

#include <boost/asio/awaitable.hpp>

#include <algorithm>
#include <atomic>
#include <charconv>
#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>

namespace syncline::shopify {

class pacer {
 public:
  // `headroom`: the share of each bucket left unused (0.05 = 5%), at least one call or one
  // query's worth: the bucket drains by the time calls *arrive* at Shopify, which network jitter
  // moves by a few milliseconds either way.
  // `shop` names the shared buckets; `log` hears when the shared buckets fail (nullptr: stderr).
  explicit pacer(const plan_limits& plan, double headroom = 0.05, std::string shop = {},
                 log_sink log = {})
      : headroom_(std::clamp(headroom, 0.0, 0.5)),
        rest_(usable(plan.rest_bucket, 1), plan.rest_leak_per_second),
        graphql_(usable(plan.graphql_bucket, 10), plan.graphql_restore_per_second),
        restore_rate_(plan.graphql_restore_per_second),
        shop_(std::move(shop)),
        log_(log ? std::move(log) : log_sink(stderr_sink)) {}

  pacer(const pacer&) = delete;
  pacer& operator=(const pacer&) = delete;

  // This process's buckets: what paces calls without a store, and after a 429 (pause_for).
  http::rate_limiter& rest() noexcept { return rest_; }
  http::rate_limiter& graphql() noexcept { return graphql_; }

  // Waits until a REST call, or a GraphQL query of `cost` points, may be sent: counted in this
  // process's bucket and, when `shared` is given, in the bucket every process of its database
  // shares; the wait is the longer of the two.
  SYNCLINE_DECL boost::asio::awaitable<void> acquire_rest(store::store* shared);
  SYNCLINE_DECL boost::asio::awaitable<void> acquire_graphql(double cost, store::store* shared);

  // "12/40" from X-Shopify-Shop-Api-Call-Limit; a malformed value is ignored. With `shared`,
  // the shared bucket is raised too when Shopify counts more than this process's bucket holds
  // (otherwise the shared one, which counts this process's calls and more, holds it already).
  void observe_rest(std::string_view call_limit, store::store* shared = nullptr) {
    const auto slash = call_limit.find('/');
    if (slash == std::string_view::npos) return;
    double used = 0, size = 0;
    if (!parse(call_limit.substr(0, slash), used) || !parse(call_limit.substr(slash + 1), size) ||
        size <= 0) {
      return;
    }
    const bool news = used > rest_.level();
    rest_.observe(used, usable(size, 1));
    if (shared && news) observe_shared(*shared, "rest", rest_, used);
  }
  // extensions.cost.throttleStatus of a GraphQL answer; `shared` as for observe_rest.
  void observe_graphql(double maximum_available, double currently_available, double restore_rate,
                       store::store* shared = nullptr) {
    if (maximum_available <= 0) return;
    if (restore_rate > 0) graphql_.set_leak_rate(restore_rate);
    const double used = std::max(0.0, maximum_available - currently_available);
    const bool news = used > graphql_.level();
    graphql_.observe(used, usable(maximum_available, 10));
    if (shared && news) observe_shared(*shared, "graphql", graphql_, used);
    std::lock_guard lock(m_);
    restore_rate_ = restore_rate > 0 ? restore_rate : restore_rate_;
  }

  // What a GraphQL operation is expected to cost: its requestedQueryCost last time, or `first`.
  double graphql_cost(std::string_view operation, double first) const {
    std::lock_guard lock(m_);
    auto it = costs_.find(operation);
    return it == costs_.end() ? first : it->second;
  }
  void remember_graphql_cost(std::string_view operation, double requested) {
    if (requested <= 0) return;
    std::lock_guard lock(m_);
    costs_.insert_or_assign(std::string(operation), requested);
  }

  // How long until `cost` points are back when `available` are: THROTTLED answers say neither
  // Retry-After nor when, only the bucket's state.
  std::chrono::milliseconds graphql_refill_time(double cost, double available) const {
    std::lock_guard lock(m_);
    const double missing = std::max(0.0, cost - available);
    return std::chrono::milliseconds{
        static_cast<std::int64_t>(1000.0 * missing / std::max(restore_rate_, 1e-3)) + 1};
  }

  // 429s and THROTTLED answers this shop gave (each was waited out and retried).
  std::uint64_t throttled() const noexcept { return throttled_.load(); }
  void count_throttled() noexcept { ++throttled_; }
  // Calls paced by this process's bucket alone because the shared one failed.
  std::uint64_t unshared() const noexcept { return unshared_.load(); }

  // The shared bucket of `api` ("rest", "graphql"): the size and rate this process's bucket has
  // learnt, under a name every process gives the same shop.
  store::rate_bucket shared_bucket(std::string_view api, const http::rate_limiter& local) const {
    return {"shopify/" + shop_ + "/" + std::string(api), local.capacity(), local.leak_rate()};
  }

 private:
  SYNCLINE_DECL boost::asio::awaitable<void> acquire(std::string_view api,
                                                     http::rate_limiter& local, double cost,
                                                     store::store* shared);
  SYNCLINE_DECL void observe_shared(store::store& shared, std::string_view api,
                                    const http::rate_limiter& local, double used);
  // Logs the first failure of a streak and the recovery after one.
  SYNCLINE_DECL void shared_failed(std::string_view api, const ::syncline::error& e);
  SYNCLINE_DECL void shared_worked();

  double usable(double size, double at_least) const {
    return std::max(size - std::max(size * headroom_, at_least), at_least);
  }
  static bool parse(std::string_view s, double& out) {
    const auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    return ec == std::errc{} && p == s.data() + s.size() && out >= 0;
  }

  double headroom_;
  http::rate_limiter rest_;
  http::rate_limiter graphql_;
  double restore_rate_;
  mutable std::mutex m_;
  std::map<std::string, double, std::less<>> costs_;
  std::atomic<std::uint64_t> throttled_{0};
  std::string shop_;
  log_sink log_;
  std::atomic<bool> shared_failing_{false};
  std::atomic<std::uint64_t> unshared_{0};
};

}  // namespace syncline::shopify

#if SYNCLINE_HEADER_ONLY
#include <syncline/connectors/shopify/impl/pacer.ipp>
#endif
