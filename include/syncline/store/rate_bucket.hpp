// store::rate_bucket: a rate limit that several processes share through their store, because the
// server meters the account, not the process (Shopify: one bucket per shop and app, whichever
// process calls). The store keeps each bucket's level and when it was last drained; the
// arithmetic is http::leaky_bucket's, the one every bucket of syncline uses.
#pragma once

#include <syncline/core/result.hpp>
#include <syncline/http/leaky_bucket.hpp>
#include <syncline/store/clock.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace syncline::store {

struct rate_bucket {
  // What the bucket meters, the same in every process: "shopify/acme.myshopify.com/rest".
  // 1 to 200 bytes, no NUL.
  std::string name{};
  double capacity = 0;         // > 0: what it holds before calls must wait
  double leak_per_second = 0;  // > 0: how fast it drains
};

namespace detail {

inline constexpr std::size_t max_rate_bucket_name = 200;

// errc::invalid_input naming what is wrong with a call on a shared bucket; `amount` is the
// reservation's cost or the server's count (`what` names it).
inline result<void> check_rate_call(const rate_bucket& b, double amount, std::string_view what) {
  auto refuse = [&](std::string why) -> result<void> {
    return make_error(errc::invalid_input, "rate bucket \"" + b.name.substr(0, 64) + "\": " + why);
  };
  if (b.name.empty() || b.name.size() > max_rate_bucket_name ||
      b.name.find('\0') != std::string::npos) {
    return refuse("a name is 1 to " + std::to_string(max_rate_bucket_name) +
                  " bytes without NUL, this one has " + std::to_string(b.name.size()));
  }
  if (!(std::isfinite(b.capacity) && b.capacity > 0) ||
      !(std::isfinite(b.leak_per_second) && b.leak_per_second > 0)) {
    return refuse("the capacity and the leak rate must be positive and finite (" +
                  std::to_string(b.capacity) + ", " + std::to_string(b.leak_per_second) + ")");
  }
  if (!(std::isfinite(amount) && amount >= 0)) {
    return refuse("the " + std::string(what) + " must be finite and not negative (" +
                  std::to_string(amount) + ")");
  }
  return {};
}

// What a stored bucket holds now: its level (none stored: empty) drained since `updated_ns`.
// Time that went backwards (another process's clock) drains nothing.
inline http::leaky_bucket rate_bucket_now(const rate_bucket& b, std::optional<double> level,
                                          std::int64_t updated_ns, time_point now) {
  http::leaky_bucket bucket{b.capacity, b.leak_per_second, std::max(0.0, level.value_or(0.0))};
  if (level) {
    const auto now_ns =
        std::chrono::duration_cast<std::chrono::nanoseconds>(now.time_since_epoch()).count();
    bucket.drain(static_cast<double>(now_ns - updated_ns) / 1e9);
  }
  return bucket;
}

// When the stored level was last drained: now, unless the stored time is later (the clock of
// the process that wrote it is ahead), so it never moves back and drains nothing twice.
inline std::int64_t rate_bucket_time(std::optional<std::int64_t> updated_ns, time_point now) {
  const auto now_ns =
      std::chrono::duration_cast<std::chrono::nanoseconds>(now.time_since_epoch()).count();
  return updated_ns ? std::max(*updated_ns, now_ns) : now_ns;
}

inline std::chrono::nanoseconds rate_wait(double seconds) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
      std::chrono::duration<double>(std::max(0.0, seconds)));
}

}  // namespace detail

}  // namespace syncline::store
