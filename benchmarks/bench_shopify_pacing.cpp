// Pacing: 2,000 order creates against the emulator's standard plan (REST bucket 40, leak 2/s),
// time-compressed 100x (leak 200/s) so a run takes seconds, from 8 concurrent workers sharing
// one shop's pacer. Pacing is right when the run draws no 429 and still uses the rate the plan
// allows.
//
// pacing/allowed_rate      no calls: the time the plan's bucket allows for 2,000 calls, i.e. the
//                          first 40 at once, then one per leak (baseline)
// pacing/rest_creates      shopify::create_order::create over REST, 8 workers
//
// Time is manual (the creates only; starting the emulator is not counted). Counters: `429s` (as
// the connector saw them), `achieved_per_s`, `allowed_per_s` (2,000 over the baseline time) and
// `achieved_over_allowed`. The ratio column is time against the baseline, so allowed/achieved.
#include <syncline/connectors/shopify.hpp>
#include <syncline/http/client.hpp>
#include <syncline/http/io_threads.hpp>
// g++ 12 at -O3 reports a false -Wrestrict inside the emulator's GraphQL executor (a known
// libstdc++ operator+ false positive); the emulator is only the benchmark's counterpart.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wrestrict"
#include <syncline/testing/shopify_emulator.hpp>
#pragma GCC diagnostic pop

#include <benchmark/benchmark.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_future.hpp>

#include <atomic>
#include <chrono>
#include <future>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

namespace shopify = syncline::shopify;
namespace t = syncline::testing;
using boost::asio::awaitable;

constexpr int creates = 2000;
constexpr int workers = 8;
constexpr double time_scale = 100;  // the standard plan, 100x faster
constexpr double bucket = 40;
constexpr double leak_per_second = 2 * time_scale;

double allowed_seconds() { return (creates - bucket) / leak_per_second; }

shopify::order_input order(int i) {
  shopify::order_input in;
  in.email = "bench@example.com";
  in.currency = "USD";
  in.line_items = {shopify::line_item_input{
      .title = "Mug", .price = syncline::money::parse("10.50").value(), .quantity = 1}};
  in.source_identifier = "bench-" + std::to_string(i);
  return in;
}

void report(benchmark::State& state, double seconds, double throttled) {
  state.counters["429s"] = throttled;
  state.counters["achieved_per_s"] = creates / seconds;
  state.counters["allowed_per_s"] = creates / allowed_seconds();
  state.counters["achieved_over_allowed"] = allowed_seconds() / seconds;
  state.SetItemsProcessed(state.iterations() * creates);
}

void allowed_rate(benchmark::State& state) {
  for (auto _ : state) state.SetIterationTime(allowed_seconds());
  report(state, allowed_seconds(), 0);
}

void rest_creates(benchmark::State& state) {
  double seconds = 0, throttled = 0;
  for (auto _ : state) {
    syncline::http::io_threads threads(2);
    shopify::plan_limits plan;
    plan.rest_bucket = bucket;
    plan.rest_leak_per_second = leak_per_second;
    t::emulated_shop shop;
    shop.domain = "bench";
    shop.access_tokens = {syncline::secret{"shpat_bench"}};
    shop.client_secret = syncline::secret{"bench-secret"};
    shop.plan = plan;
    t::shopify_emulator_options options;
    options.seed = 1;
    options.shops = {shop};
    t::shopify_emulator emu(threads.executor(), options);
    if (!emu.start()) throw std::runtime_error("bench_shopify_pacing: emulator did not start");

    syncline::http::client client(threads.executor());
    shopify::connector connector;
    shopify::credentials creds;
    creds.shop_domain = "bench";
    creds.access_token = syncline::secret{"shpat_bench"};
    creds.base_url = emu.url();
    creds.api = shopify::api_kind::rest;
    creds.plan.rest_bucket = bucket;
    creds.plan.rest_leak_per_second = leak_per_second;

    std::atomic<int> next{0}, failed{0};
    auto worker = [&]() -> awaitable<void> {
      shopify::admin_api api(client, creds, connector);
      for (int i = next++; i < creates; i = next++) {
        auto made = co_await shopify::create_order::create(api, order(i));
        if (!made) ++failed;
      }
    };
    const auto start = std::chrono::steady_clock::now();
    std::vector<std::future<void>> done;
    for (int w = 0; w < workers; ++w)
      done.push_back(boost::asio::co_spawn(threads.executor(), worker, boost::asio::use_future));
    for (auto& d : done) d.get();
    seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    state.SetIterationTime(seconds);
    throttled = static_cast<double>(connector.pacer_for(creds).throttled());
    emu.stop();
    if (failed != 0) state.SkipWithError("some creates failed");
  }
  report(state, seconds, throttled);
}

}  // namespace

BENCHMARK(allowed_rate)
    ->Name("pacing/allowed_rate")
    ->UseManualTime()
    ->Iterations(1)
    ->Unit(benchmark::kMillisecond);
BENCHMARK(rest_creates)
    ->Name("pacing/rest_creates")
    ->UseManualTime()
    ->Iterations(1)
    ->Unit(benchmark::kMillisecond);
