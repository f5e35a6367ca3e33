// http::leaky_bucket: the arithmetic of a leaky bucket, with no clock and no lock, so that every
// place that keeps one (http::rate_limiter in memory, the stores' shared buckets in a table)
// computes it the same way: the caller says how much time passed, the bucket says how long a
// call must wait. A call's cost is counted when it is reserved, before it waits, so calls that
// reserve one after another wait in turn, each behind the ones before it.
#pragma once

#include <algorithm>
#include <cmath>

namespace syncline::http {

struct leaky_bucket {
  double capacity = 1;         // what the bucket holds before calls must wait
  double leak_per_second = 1;  // how fast it drains
  double level = 0;            // what it holds now, reservations included

  // True when the bucket can pace at all: a positive, finite capacity and leak rate.
  bool valid() const noexcept {
    return std::isfinite(capacity) && capacity > 0 && std::isfinite(leak_per_second) &&
           leak_per_second > 0 && std::isfinite(level) && level >= 0;
  }

  // Lets `seconds` of draining pass (none when time went backwards: a clock is never trusted
  // to be monotonic across processes).
  void drain(double seconds) noexcept {
    if (seconds > 0) level = std::max(0.0, level - leak_per_second * seconds);
  }

  // Counts a call of `cost` and answers how many seconds it must wait before it is sent: until
  // the level, this call included, has drained down to the capacity.
  double reserve(double cost) noexcept {
    level += cost;
    return level > capacity ? (level - capacity) / leak_per_second : 0.0;
  }

  // The server counts `used` (its own view, which includes other clients' calls): the level is
  // raised to it, never lowered, since our reservations for calls not yet sent are not in it.
  void observe(double used) noexcept { level = std::max(level, used); }
};

}  // namespace syncline::http
