// The event and the four pure steps of the benchmarks' 5-block workflow (normalise, is_paid,
// to_row, count, then a destination of each benchmark's choosing), as plain functions, so that
// the engine's workflow and each hand-written baseline call exactly the same code.
// bench_runtime (runs through the engine on SQLite) and bench_store_scale (runs through one to
// three engine processes on each store) share them.
#pragma once

#include <boost/describe/class.hpp>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cstdint>
#include <string>

namespace bench {

struct order_placed {
  std::int64_t id = 0;
  std::string email;
  std::int64_t total_cents = 0;
  std::string country;
};
BOOST_DESCRIBE_STRUCT(order_placed, (), (id, email, total_cents, country))

struct warehouse_row {
  std::int64_t order_id = 0;
  std::string email;
  std::int64_t total_cents = 0;
  std::string region;
};

// The i-th order of a run of a benchmark: every one paid, half of them in each region.
inline order_placed order_number(std::int64_t i) {
  return {i, "Buyer" + std::to_string(i) + "@Example.com", 1999 + i % 100, i % 2 ? "US" : "DE"};
}

inline order_placed normalise(order_placed o) {
  std::transform(o.email.begin(), o.email.end(), o.email.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return o;
}
inline bool is_paid(const order_placed& o) { return o.total_cents > 0; }
inline warehouse_row to_row(const order_placed& o) {
  return {o.id, o.email, o.total_cents, o.country == "US" ? "americas" : "emea"};
}
// The tap: rows seen by this process.
inline std::atomic<std::int64_t> rows_seen{0};
inline void count_row(const warehouse_row&) { rows_seen.fetch_add(1, std::memory_order_relaxed); }

}  // namespace bench
