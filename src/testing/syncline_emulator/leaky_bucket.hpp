// The server side of Shopify's leaky bucket: what an app has used, draining at a constant rate.
// (The client side, which paces calls from the server's figures, is http::rate_limiter.)
#pragma once

#include <algorithm>
#include <chrono>

namespace syncline::testing::detail {

class leaky_bucket {
 public:
  using time_point = std::chrono::system_clock::time_point;

  leaky_bucket(double capacity, double leak_per_second, time_point now)
      : capacity_(capacity), leak_(leak_per_second), last_(now) {}

  double capacity() const noexcept { return capacity_; }
  double leak_per_second() const noexcept { return leak_; }

  double used(time_point now) {
    drain(now);
    return level_;
  }
  double available(time_point now) { return capacity_ - used(now); }

  // Adds `cost` if it fits; false (and nothing added) when it would overflow.
  bool try_add(double cost, time_point now) {
    drain(now);
    if (level_ + cost > capacity_ + 1e-9) return false;
    level_ += cost;
    return true;
  }

  // Gives back part of a charge (GraphQL refunds requested minus actual cost).
  void refund(double amount) { level_ = std::max(0.0, level_ - amount); }

  // Seconds until `cost` fits.
  double seconds_until(double cost, time_point now) {
    drain(now);
    const double over = level_ + cost - capacity_;
    return over <= 0 || leak_ <= 0 ? 0.0 : over / leak_;
  }

 private:
  void drain(time_point now) {
    if (now > last_) {
      level_ = std::max(0.0, level_ - leak_ * std::chrono::duration<double>(now - last_).count());
      last_ = now;
    }
  }

  double capacity_;
  double leak_;
  double level_ = 0;
  time_point last_;
};

}  // namespace syncline::testing::detail
