// Emits the benchmarks' orders i in [from, to) of five_blocks.hpp to an engine as event
// "order.placed" of tenant "bench", all at once (each its own async_emit, so that they share the
// engine's group commits), and waits until every one is acknowledged. Returns the first error's
// text, or "" when all were.
//
// One wake-up of the waiting thread per group, not per emit: a std::future per emit
// (asio::use_future) cost a futex syscall each (std::promise's call_once), about one per run
// counted in the engine's CPU figure, and the emitting application is not what the benchmarks
// measure (docs/perf/runtime.md, "The emitting harness and SQLite's memory statistics").
// bench_runtime and bench_store_scale share it.
#pragma once

#include <syncline/runtime/engine.hpp>

#include <boost/asio/co_spawn.hpp>

#include <atomic>
#include <cstdint>
#include <exception>
#include <future>
#include <memory>
#include <mutex>
#include <string>

#include "five_blocks.hpp"

namespace bench {

inline std::string emit_orders(syncline::engine& eng, std::int64_t from, std::int64_t to) {
  if (to <= from) return {};
  struct group {
    std::atomic<std::int64_t> left;
    std::mutex mu;
    std::string error;  // under mu
    std::promise<void> all;
  };
  auto g = std::make_shared<group>();
  g->left = to - from;
  auto done = g->all.get_future();
  for (std::int64_t i = from; i < to; ++i) {
    boost::asio::co_spawn(
        eng.executor(),
        [&eng, o = order_number(i)]() -> boost::asio::awaitable<std::string> {
          // Arguments named first: g++ 12 mishandles temporaries inside co_await.
          std::string tenant = "bench", event = "order.placed";
          syncline::emit_options options;
          auto r =
              co_await eng.async_emit(std::move(tenant), std::move(event), o, std::move(options));
          co_return r ? std::string() : to_string(r.error());
        },
        [g](std::exception_ptr thrown, std::string error) {
          if (thrown) error = "an emit threw";
          if (!error.empty()) {
            std::lock_guard lock(g->mu);
            if (g->error.empty()) g->error = std::move(error);
          }
          if (g->left.fetch_sub(1) == 1) g->all.set_value();
        });
  }
  done.wait();
  std::lock_guard lock(g->mu);
  return g->error;
}

}  // namespace bench
