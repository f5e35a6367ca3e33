// The seed integration end to end (examples/shopify_sync), against the Shopify emulator on a plan
// without rate limits, so that what is measured is syncline and not Shopify's pacing. Each
// iteration puts `batch` orders in at once and waits until all of them are through.
//
// Families (the first variant of each is its baseline):
//   app_to_shopify/direct_connector  shopify::create_order::create called by a hand-written loop,
//                                    no engine: the cost of the Shopify call itself
//   app_to_shopify/engine            engine.emit(order.placed) -> push_orders: durable queue,
//                                    claim, map, echo guard record, create_order, warehouse row
//                                    (and the orders/create echo that stream_orders skips)
//   shopify_to_warehouse/direct_sink the same rows written by the SQLite sink directly
//   shopify_to_warehouse/engine      an order placed in Shopify -> signed webhook -> engine
//   (verify,
//                                    dedupe, durable queue) -> stream_orders: echo check, signed
//                                    POST to the receiver, warehouse row
// Counters: p50_ms / p99_ms, the latency of one order (engine variants: from emit, or from the
// order's creation in Shopify, to the end of the create_order block, or of the warehouse write,
// as the engine's run log records it); items_per_second is orders per second; emit_ms the mean
// time one emit() call blocks (until its event is durable). shopify_to_warehouse/engine also
// splits an order's time: queued_p50_ms (creation in Shopify to its run's durable enqueue) and
// <block>_p50_ms, each block's own duration.
#include <syncline/connectors/shopify/admin_api.hpp>
#include <syncline/connectors/shopify/connector.hpp>
#include <syncline/connectors/shopify/create_order.hpp>
#include <syncline/http/client.hpp>
#include <syncline/http/io_threads.hpp>
#include <syncline/store/run.hpp>

#include <benchmark/benchmark.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unistd.h>
#include <vector>

// g++ 12 at -O3 reports a false -Wrestrict inside the emulator's GraphQL executor (a known
// libstdc++ operator+ false positive, see bench_shopify_pacing.cpp); the emulator is only the
// benchmark's counterpart.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wrestrict"
#include "../examples/shopify_sync/seed_system.hpp"
#pragma GCC diagnostic pop

namespace {

constexpr int batch = 50;

using sys_clock = std::chrono::system_clock;

seed::seed_options unlimited() {
  seed::seed_options o;
  o.shops = {"bench-shop"};
  o.plan = {1e9, 1e9, 1e9, 1e9};  // buckets that never fill: measure the pipeline, not pacing
  // Shopify keeps many deliveries in flight; one at a time made the benchmark measure the
  // emulator's serial sends (one durable commit each) rather than the engine.
  o.webhook_concurrency = 16;
  o.log_level = syncline::log_level::error;
  return o;
}

double ms_between(sys_clock::time_point a, sys_clock::time_point b) {
  return std::chrono::duration<double, std::milli>(b - a).count();
}

void report(benchmark::State& state, std::vector<double>& latencies_ms) {
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) * batch);
  if (latencies_ms.empty()) return;
  std::sort(latencies_ms.begin(), latencies_ms.end());
  auto at = [&](double q) {
    return latencies_ms[std::min(latencies_ms.size() - 1,
                                 static_cast<std::size_t>(q * latencies_ms.size()))];
  };
  state.counters["p50_ms"] = at(0.50);
  state.counters["p99_ms"] = at(0.99);
}

// Waits until the store counts `target` succeeded runs in all (bounded: a stuck or dead run
// fails the benchmark).
bool wait_succeeded(syncline::engine& eng, std::int64_t target) {
  const auto end = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (std::chrono::steady_clock::now() < end) {
    auto c = eng.counts();
    if (c && c->succeeded >= target) return true;
    if (c && c->dead > 0) return false;
    std::this_thread::sleep_for(std::chrono::microseconds(500));
  }
  return false;
}

// Calls f(run, its block events, its payload) for every run of `workflow` in the run log.
template <class F>
void for_each_run(seed::seed_system& s, const std::string& workflow, F f) {
  syncline::store::run_query q{
      .filter = {.workflow = workflow}, .limit = 1000, .with_payload = true};
  for (;;) {
    auto page = s.engine().runs(q);
    if (!page) return;
    for (const auto& run : *page) {
      auto events = s.engine().block_events(run.id);
      if (events) f(run, *events, boost::json::parse(run.payload).as_object());
    }
    if (page->size() < q.limit) return;
    q.before_id = page->back().id;
  }
}

// When block `block` of each run of `workflow` finished, keyed by the id `key_of` reads from
// the run's payload.
template <class KeyOf>
std::map<std::int64_t, sys_clock::time_point> finished_blocks(seed::seed_system& s,
                                                              const std::string& workflow,
                                                              const std::string& block,
                                                              KeyOf key_of) {
  std::map<std::int64_t, sys_clock::time_point> out;
  for_each_run(s, workflow, [&](const auto&, const auto& events, const boost::json::object& o) {
    for (const auto& e : events)
      if (e.block == block && e.outcome == "ok") out[key_of(o)] = e.finished_at;
  });
  return out;
}

double median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(v.size() / 2), v.end());
  return v[v.size() / 2];
}

// --- app event -> order in Shopify ------------------------------------------------------------

void app_to_shopify_direct_connector(benchmark::State& state) {
  seed::seed_system s(unlimited());
  if (!s.start()) return state.SkipWithError("the seed system did not start");
  syncline::http::io_threads io(2);
  syncline::http::client client(io.executor());
  syncline::shopify::connector connector;
  const auto& creds = s.tenants().front().credentials;
  std::vector<double> latencies;
  std::mutex latencies_mu;
  std::int64_t next_id = 1;
  for (auto _ : state) {
    std::atomic<int> left{batch}, failed{0};
    // Shared: the last coroutine may still be inside set_value when the wait returns.
    auto all_done = std::make_shared<std::promise<void>>();
    auto finished = all_done->get_future();
    for (int i = 0; i < batch; ++i) {
      auto input = seed::to_shopify_order({.id = next_id++,
                                           .email = "ada@example.com",
                                           .item = "Espresso cup",
                                           .price = *syncline::money::parse("12.50")});
      boost::asio::co_spawn(
          io.executor(),
          [&, all_done, input = std::move(input)]() mutable -> boost::asio::awaitable<void> {
            const auto start = sys_clock::now();
            syncline::shopify::admin_api api(client, creds, connector);
            auto made = co_await syncline::shopify::create_order::create(api, std::move(input));
            if (!made) ++failed;
            {
              std::lock_guard lock(latencies_mu);
              latencies.push_back(ms_between(start, sys_clock::now()));
            }
            if (--left == 0) all_done->set_value();
          },
          boost::asio::detached);
    }
    finished.wait();
    if (failed) return state.SkipWithError("a create failed");
  }
  report(state, latencies);
}

void app_to_shopify_engine(benchmark::State& state) {
  seed::seed_system s(unlimited());
  if (!s.start()) return state.SkipWithError("the seed system did not start");
  const auto& tenant = s.tenants().front();
  std::map<std::int64_t, sys_clock::time_point> emitted;
  std::int64_t next_id = 1, target = 0;
  double emitting_ms = 0;  // time spent inside emit(): each call waits for its durable commit
  for (auto _ : state) {
    for (int i = 0; i < batch; ++i) {
      const seed::platform_order order{.id = next_id++,
                                       .email = "ada@example.com",
                                       .item = "Espresso cup",
                                       .price = *syncline::money::parse("12.50")};
      const auto at = sys_clock::now();
      emitted[order.id] = at;
      if (!s.place_app_order(tenant, order)) return state.SkipWithError("emit failed");
      emitting_ms += ms_between(at, sys_clock::now());
    }
    target += batch;
    if (!wait_succeeded(s.engine(), target)) return state.SkipWithError("runs did not finish");
  }
  state.counters["emit_ms"] =
      emitting_ms / std::max<double>(1, static_cast<double>(state.iterations()) * batch);
  auto created = finished_blocks(
      s, "push_orders", "create_order",
      [](const boost::json::object& o) { return o.at("id").to_number<std::int64_t>(); });
  std::vector<double> latencies;
  for (const auto& [id, at] : created)
    if (auto it = emitted.find(id); it != emitted.end())
      latencies.push_back(ms_between(it->second, at));
  report(state, latencies);
}

// --- order in Shopify -> warehouse row --------------------------------------------------------

void shopify_to_warehouse_direct_sink(benchmark::State& state) {
  syncline::http::io_threads io(2);
  const auto path = std::filesystem::temp_directory_path() /
                    ("syncline-bench-e2e-" + std::to_string(::getpid()) + ".db");
  auto sink = seed::orders_warehouse::open(io.executor(), path.string());
  if (!sink || !sink->create_table()) return state.SkipWithError("cannot open the warehouse");
  std::vector<double> latencies;
  std::mutex latencies_mu;
  std::int64_t next_id = 820982911946154508;  // ids as large as Shopify's
  for (auto _ : state) {
    std::atomic<int> left{batch}, failed{0};
    // Shared: the last coroutine may still be inside set_value when the wait returns.
    auto all_done = std::make_shared<std::promise<void>>();
    auto finished = all_done->get_future();
    for (int i = 0; i < batch; ++i) {
      seed::order_row row{.id = next_id++,
                          .tenant = "bench-shop",
                          .name = std::to_string(1000 + i),
                          .email = "walk-in@example.com",
                          .total_price = *syncline::money::parse("25.00"),
                          .currency = "USD"};
      boost::asio::co_spawn(
          io.executor(),
          [&, all_done, row = std::move(row)]() -> boost::asio::awaitable<void> {
            const auto start = sys_clock::now();
            auto written = co_await sink->write(row);
            if (!written) ++failed;
            {
              std::lock_guard lock(latencies_mu);
              latencies.push_back(ms_between(start, sys_clock::now()));
            }
            if (--left == 0) all_done->set_value();
          },
          boost::asio::detached);
    }
    finished.wait();
    if (failed) return state.SkipWithError("a write failed");
  }
  report(state, latencies);
  std::error_code ec;
  for (const char* suffix : {"", "-wal", "-shm"})
    std::filesystem::remove(path.string() + suffix, ec);
}

void shopify_to_warehouse_engine(benchmark::State& state) {
  seed::seed_system s(unlimited());
  if (!s.start()) return state.SkipWithError("the seed system did not start");
  const auto& tenant = s.tenants().front();
  std::map<std::int64_t, sys_clock::time_point> placed;
  std::int64_t target = 0;
  for (auto _ : state) {
    for (int i = 0; i < batch; ++i) {
      const auto at = sys_clock::now();
      auto order = s.place_shop_order(tenant, "walk-in@example.com", "Gift card", "25.00");
      if (!order) return state.SkipWithError("the order was not placed");
      placed[order->at("id").to_number<std::int64_t>()] = at;
    }
    target += batch;
    if (!wait_succeeded(s.engine(), target)) return state.SkipWithError("runs did not finish");
  }
  // Where an order's time goes, from the run log: queued_p50_ms from its creation in Shopify to
  // its run's commit (webhook delivery, verification, the durable enqueue), then each block's
  // own duration (<block>_p50_ms); p50_ms / p99_ms span all of it.
  std::vector<double> latencies;
  std::vector<double> queued;
  std::map<std::string, std::vector<double>> blocks;
  for_each_run(s, "stream_orders", [&](const auto& run, const auto& events, const auto& o) {
    auto it = placed.find(o.at("id").template to_number<std::int64_t>());
    if (it == placed.end()) return;
    queued.push_back(ms_between(it->second, run.created_at));
    for (const auto& e : events) {
      if (e.outcome != "ok") continue;
      blocks[e.block].push_back(ms_between(e.started_at, e.finished_at));
      if (e.block == "orders") latencies.push_back(ms_between(it->second, e.finished_at));
    }
  });
  state.counters["queued_p50_ms"] = median(std::move(queued));
  for (auto& [block, ms] : blocks) state.counters[block + "_p50_ms"] = median(std::move(ms));
  report(state, latencies);
}

}  // namespace

// Baselines first: the report divides each family by its first variant.
BENCHMARK(app_to_shopify_direct_connector)->Name("app_to_shopify/direct_connector")->UseRealTime();
BENCHMARK(app_to_shopify_engine)->Name("app_to_shopify/engine")->UseRealTime();
BENCHMARK(shopify_to_warehouse_direct_sink)
    ->Name("shopify_to_warehouse/direct_sink")
    ->UseRealTime();
BENCHMARK(shopify_to_warehouse_engine)->Name("shopify_to_warehouse/engine")->UseRealTime();
