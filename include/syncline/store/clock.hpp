// The store's notion of time. Every time the store reads is taken from a clock given in its
// options, so tests (and the engine's own tests) can move time to expire leases, dedupe keys and
// retention windows without sleeping.
#pragma once

#include <chrono>
#include <functional>

namespace syncline::store {

using time_point = std::chrono::system_clock::time_point;
using clock_fn = std::function<time_point()>;

inline time_point system_now() { return std::chrono::system_clock::now(); }

}  // namespace syncline::store
