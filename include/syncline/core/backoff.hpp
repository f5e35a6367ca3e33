// syncline::full_jitter_backoff: the one backoff of the library. Every "wait, then try again"
// (a run's next attempt, an HTTP request's retry, a warehouse insert, an Admin API call) takes its
// wait from here, so they all spread out the same way.
//
// "Full jitter" (AWS architecture blog, 2015): the n-th retry (n = 0 for the first) waits a
// uniform time in [0, min(max, initial * 2^n)]. Clients that failed together (an app outage) come
// back spread apart instead of together, and the cap keeps a long outage from growing the waits
// without bound.
#pragma once

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <random>

namespace syncline {

template <class Rng>
std::chrono::milliseconds full_jitter_backoff(std::chrono::milliseconds initial,
                                              std::chrono::milliseconds max, int retry_index,
                                              Rng& rng) {
  const double cap = std::min(
      static_cast<double>(max.count()),
      static_cast<double>(initial.count()) * std::ldexp(1.0, std::clamp(retry_index, 0, 60)));
  if (cap <= 0) return std::chrono::milliseconds{0};
  std::uniform_real_distribution<double> pick(0.0, cap);
  return std::chrono::milliseconds{static_cast<std::int64_t>(pick(rng))};
}

}  // namespace syncline
